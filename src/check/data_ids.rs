//! Ids the theme makes from data, reserved before anything is rendered: on a phase's page,
//! `item-<id>` and `check-<id>` for each of its checklist items (`phase.html`), and `level-<id>`
//! for each level on a page whose template shows the ladder's rows (a template that writes
//! `level-{{`, itself or through what it includes or extends). A heading of the same page with
//! one of them would make the id twice; it is reported at the data file's line that makes the
//! id, before rendering, instead of at the page after it, and the page is not rendered.

use std::collections::{BTreeSet, HashSet};

use crate::model::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::source::Span;
use crate::model::url::ContentPath;
use crate::model::{Page, Site, TocEntry};
use crate::theme::Theme;

/// Reports each id made from `data/ladder.toml` that a heading of the page showing it has too;
/// returns those pages, not to be rendered.
pub(super) fn check(site: &Site, theme: &Theme, out: &mut Diagnostics) -> BTreeSet<ContentPath> {
    let mut clashing = BTreeSet::new();
    let Some(ladder) = &site.data.ladder else {
        return clashing;
    };
    let mut clash = |page: &Page, made: String, what: String, span: &Span| {
        if heading_ids(page).contains(made.as_str()) {
            clashing.insert(page.path.clone());
            out.push(
                Diagnostic::at(
                    Code::RepeatedId,
                    &ladder.file,
                    span.clone(),
                    format!(
                        "{what} gives `{}` the id `{made}`, which a heading of that page has too",
                        page.file.path
                    ),
                )
                .help(format!(
                    "change this id, or give the heading another one with `## Heading {{#other-id}}` \
                     in {}",
                    page.file.path
                )),
            );
        }
    };
    for phase in &ladder.phases {
        let Some(page) = site.pages.iter().find(|page| page.path == phase.page.path) else {
            continue;
        };
        for item in &phase.checklist.items {
            for made in [format!("item-{}", item.id), format!("check-{}", item.id)] {
                let what = format!("checklist item `{}`", item.id);
                clash(page, made, what, &item.id_span);
            }
        }
    }
    for page in &site.pages {
        let template = page
            .front
            .template
            .as_ref()
            .map_or(crate::theme::default_template(page), |(name, _)| name);
        if !writes(theme, template, "level-{{", 0) {
            continue;
        }
        for level in &ladder.levels {
            let what = format!("level `{}`", level.id);
            clash(page, format!("level-{}", level.id), what, &level.id_span);
        }
    }
    clashing
}

/// Every heading id of `page` (its table of contents).
fn heading_ids(page: &Page) -> HashSet<&str> {
    fn add<'a>(entries: &'a [TocEntry], ids: &mut HashSet<&'a str>) {
        for entry in entries {
            ids.insert(&entry.id);
            add(&entry.children, ids);
        }
    }
    let mut ids = HashSet::new();
    add(&page.toc, &mut ids);
    ids
}

/// Whether `template` writes `text`, itself or through a template it includes or extends.
fn writes(theme: &Theme, template: &str, text: &str, depth: usize) -> bool {
    let Some(source) = theme.templates.get(template) else {
        return false;
    };
    let source = source.text();
    if source.contains(text) {
        return true;
    }
    depth < 8
        && ["include \"", "extends \""].iter().any(|tag| {
            source.split(tag).skip(1).any(|rest| {
                let named = rest.split('"').next().unwrap_or_default();
                writes(theme, named, text, depth + 1)
            })
        })
}
