//! Every internal link resolves: `targets` checks that linked pages and files exist (before
//! rendering); `anchors` checks every `#anchor` against the ids of the rendered target page, so
//! ids made by templates (levels, checklist items) count as much as headings do.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use crate::check::suggest_page;
use crate::diagnostic::{Diagnostic, Diagnostics, did_you_mean};
use crate::functions::AnchorRequest;
use crate::html;
use crate::model::{LinkTarget, Page, Site};
use crate::source::{SourceFile, Span};
use crate::theme::Theme;

pub(crate) fn targets(site: &Site) -> Diagnostics {
    let mut out = Diagnostics::default();
    for page in &site.pages {
        for link in &page.links {
            match &link.target {
                LinkTarget::SamePage => {}
                LinkTarget::Page(path) => {
                    if site.drafts.contains(path) {
                        out.push(draft_target(&page.file, link.span.clone(), path));
                    } else if site.page(path).is_none() && !site.unloadable.contains(path) {
                        let diagnostic = Diagnostic::at(
                            &page.file,
                            link.span.clone(),
                            format!("link target `{path}` does not exist"),
                        );
                        out.push(suggest_relative(
                            site,
                            &page.path,
                            &link.written,
                            path,
                            diagnostic,
                        ));
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

/// Like `check::suggest_page`, but written the way the link was (relative to the page, or
/// root-relative when the editor wrote it so).
fn suggest_relative(
    site: &Site,
    from: &str,
    written: &str,
    path: &str,
    diagnostic: Diagnostic,
) -> Diagnostic {
    let paths = site.pages.iter().map(|p| p.path.as_str());
    match did_you_mean(path, paths) {
        Some(near) if written.starts_with('/') => {
            diagnostic.help(format!("did you mean `/{near}`?"))
        }
        Some(near) => diagnostic.help(format!("did you mean `{}`?", relative_link(from, near))),
        None => suggest_page(site, path, diagnostic),
    }
}

/// The link from the page at content path `from` to the page at `to`: `../faq.md`, `staff.md`.
pub(crate) fn relative_link(from: &str, to: &str) -> String {
    let from_dir: Vec<&str> = from.split('/').collect();
    let from_dir = &from_dir[..from_dir.len() - 1];
    let to_parts: Vec<&str> = to.split('/').collect();
    let common = from_dir
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut parts = vec![".."; from_dir.len() - common];
    parts.extend(&to_parts[common..]);
    parts.join("/")
}

/// A link to a page marked `draft = true`, which the site leaves out.
pub(crate) fn draft_target(file: &Arc<SourceFile>, span: Span, path: &str) -> Diagnostic {
    Diagnostic::at(
        file,
        span,
        format!("`{path}` is a draft; `--drafts` includes it"),
    )
    .help(format!(
        "remove `draft = true` from content/{path} to publish it, or link elsewhere"
    ))
}

/// The ids of each rendered page, by content path.
pub(crate) type PageIds = HashMap<String, HashSet<String>>;

/// The ids a browser finds in `html`: every start tag's `id` attribute, whatever its case or
/// quoting, entities decoded; nothing inside comments, scripts, styles or `<textarea>`.
pub(crate) fn ids_in(html: &str) -> HashSet<String> {
    page_ids(html).ids
}

/// The ids of a rendered page, and those it has more than once (sorted).
pub(crate) struct FoundIds {
    pub(crate) ids: HashSet<String>,
    pub(crate) repeated: BTreeSet<String>,
}

pub(crate) fn page_ids(html: &str) -> FoundIds {
    let mut ids = HashSet::new();
    let mut repeated = BTreeSet::new();
    html::start_tags(html, |tag| {
        if let Some(id) = html::attribute(tag, "id").filter(|id| !id.is_empty())
            && !ids.insert(id.to_string())
        {
            repeated.insert(id.to_string());
        }
    });
    FoundIds { ids, repeated }
}

/// A page whose rendered HTML has an id twice, most often a heading that took an id its
/// template also gives an element (a checklist item, a level). Reported at the page: the
/// template's half has no line in it.
pub(crate) fn repeated_ids(page: &Page, repeated: &BTreeSet<String>) -> Diagnostics {
    let mut out = Diagnostics::default();
    for id in repeated {
        out.push(
            Diagnostic::in_file(
                &page.file.path,
                format!("the page has two elements with the id `{id}`"),
            )
            .help(
                "ids must be unique on a page: give a heading with it another one with \
                 `## Heading {#other-id}`, or change the template or the data that repeats it",
            ),
        );
    }
    out
}

/// A fragment as the browser looks it up: percent-decoded.
fn percent_decoded(fragment: &str) -> std::borrow::Cow<'_, str> {
    percent_encoding::percent_decode_str(fragment).decode_utf8_lossy()
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
            if !known.contains(percent_decoded(anchor).as_ref()) {
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

/// Anchors that templates asked `url()` for, each reported once. The call is located by its
/// literal argument: in the page's template first, else in whichever template holds it (a
/// parent, an include).
pub(crate) fn template_anchors(
    requests: &[AnchorRequest],
    ids: &PageIds,
    theme: &Theme,
) -> Diagnostics {
    let mut out = Diagnostics::default();
    let mut reported = HashSet::new();
    for request in requests {
        let known = ids
            .get(&request.page)
            .is_some_and(|ids| ids.contains(percent_decoded(&request.anchor).as_ref()));
        if known || !ids.contains_key(&request.page) || !reported.insert(&request.written) {
            continue;
        }
        let message = format!("`{}` has no anchor `#{}`", request.page, request.anchor);
        let quoted = [
            format!("\"{}\"", request.written),
            format!("'{}'", request.written),
        ];
        let find = |file: &Arc<SourceFile>| {
            quoted
                .iter()
                .find_map(|q| file.text.find(q.as_str()))
                .map(|i| (Arc::clone(file), i + 1))
        };
        let located = theme
            .templates
            .get(&request.template)
            .and_then(find)
            .or_else(|| theme.templates.values().find_map(find));
        let diagnostic = match located {
            Some((file, i)) => Diagnostic::at(&file, i..i + request.written.len(), message),
            None => Diagnostic::in_file(
                "themes/",
                format!("url(path=\"{}\"): {message}", request.written),
            ),
        };
        let known = ids
            .get(&request.page)
            .map(|ids| ids.iter().map(String::as_str));
        out.push(
            match known.and_then(|ids| did_you_mean(&request.anchor, ids)) {
                Some(near) => diagnostic.help(format!("did you mean `#{near}`?")),
                None => diagnostic.help("link to an id the target page has"),
            },
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_are_written_relative_to_the_linking_page() {
        assert_eq!(
            relative_link("phases/senior.md", "roadblocks.md"),
            "../roadblocks.md"
        );
        assert_eq!(
            relative_link("phases/senior.md", "phases/staff.md"),
            "staff.md"
        );
        assert_eq!(
            relative_link("faq.md", "phases/staff.md"),
            "phases/staff.md"
        );
        assert_eq!(relative_link("a/b/c.md", "a/d/e.md"), "../d/e.md");
    }

    #[test]
    fn ids_are_read_as_a_browser_reads_them() {
        let ids = ids_in(concat!(
            "<h2 id=\"a\">x</h2><li id=\"check-b\"><div data-id=\"no\">",
            "<div ID=\"upper\"><span id='single'><p id=bare><a id=\"q&amp;a\">",
            "<!-- <p id=\"comment\"> --><script>var s = '<p id=\"script\">';</script>",
            "<textarea><b id=\"text\"></textarea><i id=\"\">",
        ));
        let mut ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        ids.sort_unstable();
        assert_eq!(ids, ["a", "bare", "check-b", "q&a", "single", "upper"]);
    }
}
