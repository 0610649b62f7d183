//! Every internal link resolves: `targets` checks that linked pages and files exist (before
//! rendering); `anchors` checks every `#anchor` against the ids of the rendered target page, so
//! ids made by templates (levels, checklist items) count as much as headings do.

use std::collections::{HashMap, HashSet};

use crate::check::suggest_page;
use crate::diagnostic::{Diagnostic, Diagnostics, did_you_mean};
use crate::model::{LinkTarget, Site};

pub(crate) fn targets(site: &Site) -> Diagnostics {
    let mut out = Diagnostics::default();
    for page in &site.pages {
        for link in &page.links {
            match &link.target {
                LinkTarget::SamePage => {}
                LinkTarget::Page(path) => {
                    if site.page(path).is_none() {
                        let diagnostic = Diagnostic::at(
                            &page.file,
                            link.span.clone(),
                            format!("link target `{path}` does not exist"),
                        );
                        out.push(suggest_relative(site, &page.path, path, diagnostic));
                    }
                }
                LinkTarget::Asset(path) => {
                    if !site.assets.iter().any(|asset| &asset.path == path) {
                        out.push(
                            Diagnostic::at(&page.file, link.span.clone(), format!("link `{}` is neither a page nor a file under content/", link.written))
                                .help("link to another page by its .md file (e.g. `faq.md#certifications`), or add the file under content/"),
                        );
                    }
                }
            }
        }
    }
    out
}

/// Like `check::suggest_page`, but phrased the way the link was written (relative to the page).
fn suggest_relative(site: &Site, from: &str, path: &str, diagnostic: Diagnostic) -> Diagnostic {
    let dir = from.rsplit_once('/').map_or("", |(dir, _)| dir);
    let siblings: Vec<&str> = site.pages.iter().map(|p| p.path.as_str()).collect();
    match did_you_mean(path, siblings.iter().copied()) {
        Some(near) => {
            let shown = match near.strip_prefix(dir).and_then(|s| s.strip_prefix('/')) {
                Some(local) if !dir.is_empty() => local,
                _ if dir.is_empty() => near,
                _ => return diagnostic.help(format!("did you mean `/{near}`?")),
            };
            diagnostic.help(format!("did you mean `{shown}`?"))
        }
        None => suggest_page(site, path, diagnostic),
    }
}

/// The ids of each rendered page, by content path.
pub(crate) type PageIds = HashMap<String, HashSet<String>>;

/// Collects `id="…"` attribute values from rendered HTML.
pub(crate) fn ids_in(html: &str) -> HashSet<String> {
    let mut ids = HashSet::new();
    let mut rest = html;
    while let Some(i) = rest.find(" id=\"") {
        rest = &rest[i + 5..];
        if let Some(end) = rest.find('"') {
            ids.insert(rest[..end].to_string());
            rest = &rest[end..];
        }
    }
    ids
}

pub(crate) fn anchors(site: &Site, ids: &PageIds) -> Diagnostics {
    let mut out = Diagnostics::default();
    for page in &site.pages {
        for link in &page.links {
            let Some(anchor) = &link.anchor else { continue };
            let target = match &link.target {
                LinkTarget::SamePage => &page.path,
                LinkTarget::Page(path) => path,
                LinkTarget::Asset(_) => continue,
            };
            let Some(known) = ids.get(target) else {
                continue;
            };
            let decoded = percent_encoding::percent_decode_str(anchor).decode_utf8_lossy();
            if !known.contains(decoded.as_ref()) {
                let diagnostic = Diagnostic::at(
                    &page.file,
                    link.span.clone(),
                    format!("`{target}` has no anchor `#{anchor}`"),
                );
                out.push(match did_you_mean(anchor, known.iter().map(String::as_str)) {
                    Some(near) => diagnostic.help(format!("did you mean `#{near}`?")),
                    None => diagnostic.help("link to a heading's id (shown by its # link), or set one with `## Heading {#id}`"),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_read_from_html() {
        let ids = ids_in("<h2 id=\"a\">x</h2><li id=\"check-b\"><div data-id=\"no\">");
        assert!(ids.contains("a") && ids.contains("check-b"));
        assert_eq!(ids.len(), 2);
    }
}
