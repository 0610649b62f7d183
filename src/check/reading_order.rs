//! The order a reader goes through the site (what Previous and Next follow): the menu first, a
//! section standing for its pages by weight, then every other page by section and weight; and
//! the warnings for siblings that only their file names order. In: the loaded site; out: page
//! indices and warnings. Reads nothing, writes nothing. Templates see the result as `page.previous`
//! and `page.next` ([`crate::render::context`]).

use std::collections::HashSet;

use crate::model::diagnostic::{Code, Diagnostic};
use crate::model::url::Route;
use crate::model::{Page, Site};

/// The order a reader goes through the site's pages (indices into `site.pages`): the menu's
/// entries in turn, a section standing for its pages by weight, then every page the menu does
/// not reach, section by section. Sections and the home page are not in it: they are the way in.
pub(crate) fn reading_order(site: &Site) -> Vec<usize> {
    let mut order = Vec::new();
    let mut seen = HashSet::new();
    for item in &site.config.menu {
        if let Ok(index) = site
            .pages
            .binary_search_by(|p| p.path.as_str().cmp(&item.page.path))
        {
            visit(site, index, &mut order, &mut seen);
        }
    }
    for &index in site.children.get("").into_iter().flatten() {
        visit(site, index, &mut order, &mut seen);
    }
    order
}

fn visit(site: &Site, index: usize, order: &mut Vec<usize>, seen: &mut HashSet<usize>) {
    if !seen.insert(index) {
        return;
    }
    let page = &site.pages[index];
    if page.is_section() {
        for &child in site.children.get(&page.route).into_iter().flatten() {
            visit(site, child, order, seen);
        }
    } else if !page.route.is_empty() {
        order.push(index);
    }
}

/// Warnings for pages whose reading order only their file names decide: siblings that share a
/// weight and that the menu does not place one by one.
pub(crate) fn warnings(site: &Site) -> Vec<Diagnostic> {
    let in_menu: HashSet<&str> = site
        .config
        .menu
        .iter()
        .map(|item| item.page.path.as_str())
        .collect();
    let mut routes: Vec<&Route> = site.children.keys().collect();
    routes.sort();
    let mut warnings = Vec::new();
    for route in routes {
        let mut by_weight: Vec<(i64, Vec<&Page>)> = Vec::new();
        for &index in &site.children[route] {
            let page = &site.pages[index];
            if page.route.is_empty() || in_menu.contains(page.path.as_str()) {
                continue;
            }
            match by_weight.last_mut() {
                Some((weight, pages)) if *weight == page.front.weight => pages.push(page),
                _ => by_weight.push((page.front.weight, vec![page])),
            }
        }
        // One warning per section, however many ties it has: a big site stays readable.
        let mut groups = by_weight.into_iter().filter(|(_, p)| p.len() > 1);
        let Some((weight, tied)) = groups.next() else {
            continue;
        };
        let more: usize = groups.map(|(_, p)| p.len()).sum();
        let names: Vec<String> = tied.iter().map(|p| format!("`{}`", p.path)).collect();
        let section = if route.is_empty() {
            "the site root".to_string()
        } else {
            format!("`{route}`")
        };
        let others = if more > 0 {
            format!(" (and {more} more pages here tie with a sibling)")
        } else {
            String::new()
        };
        warnings.push(
            Diagnostic::at(Code::ReadingOrderTie, &tied[1].file, 0..0, format!(
                "{} pages in {section} have the same weight ({weight}), so their reading order (Previous/Next) is by file name: {}{others}",
                tied.len(),
                names.join(", ")
            ))
            .help("give each a different `weight` in its front matter (lower comes first), or list them in order in site.toml's [[menu]]"),
        );
    }
    warnings
}
