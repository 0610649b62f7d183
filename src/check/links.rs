//! Every internal link names something that exists, checked before rendering: a linked page (a
//! draft is named as one) or a file under content/. In: the loaded site; out: diagnostics with a
//! did-you-mean written the way the link was. Anchors are checked after rendering
//! ([`crate::check::anchors`]).

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;

use rayon::prelude::*;

use crate::model::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::source::{SourceFile, Span};
use crate::model::url::ContentPath;
use crate::model::{Link, LinkTarget, Page, Site};

/// `left_out` are content files that exist but were left out for a problem already reported.
/// Every page's links on all cores (one lookup per link: 150,000 at 50,000 pages), the problems
/// in page order.
pub(crate) fn targets(site: &Site, left_out: &BTreeSet<ContentPath>) -> Diagnostics {
    let assets: HashSet<&str> = site
        .assets
        .iter()
        .map(|asset| asset.path.as_str())
        .collect();
    let found: Vec<Diagnostic> = site
        .pages
        .par_iter()
        .flat_map_iter(|page| page_targets(site, page, &assets, left_out))
        .collect();
    Diagnostics(found)
}

/// The problems of `page`'s links to pages and files.
fn page_targets(
    site: &Site,
    page: &Page,
    assets: &HashSet<&str>,
    left_out: &BTreeSet<ContentPath>,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for link in &page.links {
        match &link.target {
            LinkTarget::SamePage => {}
            LinkTarget::Page(path) => {
                if site.drafts.contains(path) {
                    out.push(draft_target(&page.file, link.span.clone(), path));
                } else if site.page(path).is_none() && !site.unloadable.contains(path) {
                    let diagnostic = Diagnostic::at(
                        Code::LinkTargetMissing,
                        &page.file,
                        link.span.clone(),
                        format!("link target `{path}` does not exist"),
                    );
                    let path_span = written_part(&page.file, link, |written| {
                        written
                            .find(['?', '#'])
                            .map_or(0..written.len(), |end| 0..end)
                    });
                    out.push(suggest_relative(
                        site,
                        &page.path,
                        &link.written,
                        path,
                        diagnostic,
                        path_span,
                    ));
                }
            }
            LinkTarget::Asset(path) => {
                if !assets.contains(path.as_str()) && !left_out.contains(path) {
                    out.push(
                        Diagnostic::at(Code::LinkFileMissing, &page.file, link.span.clone(), format!("link `{}` is neither a page nor a file under content/", link.written))
                            .help("link to another page by its .md file (e.g. `faq.md#certifications`), or add the file under content/"),
                    );
                }
            }
        }
    }
    out
}

/// Where a part of a link's destination is in its file, when the destination is written there
/// as the parser read it (no escapes in between): `part` finds the part inside the written
/// destination.
pub(crate) fn written_part(
    file: &SourceFile,
    link: &Link,
    part: impl FnOnce(&str) -> Span,
) -> Option<Span> {
    let text = file.text().get(link.span.clone())?;
    (text == link.written).then(|| {
        let inner = part(&link.written);
        link.span.start + inner.start..link.span.start + inner.end
    })
}

/// Like `suggest_page`, but written the way the link was (relative to the page, or
/// root-relative when the editor wrote it so); the edit replaces `path_span`.
fn suggest_relative(
    site: &Site,
    from: &str,
    written: &str,
    path: &str,
    diagnostic: Diagnostic,
    path_span: Option<Span>,
) -> Diagnostic {
    let paths = site.pages.iter().map(|p| p.path.as_str());
    let show = |near: &str| {
        if written.starts_with('/') {
            format!("/{near}")
        } else {
            relative_link(from, near)
        }
    };
    diagnostic.did_you_mean(path, paths, path_span, show, PAGE_PATHS)
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
pub(crate) fn draft_target(file: &Arc<SourceFile>, span: Span, path: &ContentPath) -> Diagnostic {
    Diagnostic::at(
        Code::LinkToDraft,
        file,
        span,
        format!("`{path}` is a draft; `--drafts` includes it"),
    )
    .help(format!(
        "remove `draft = true` from {} to publish it, or link elsewhere",
        path.in_site()
    ))
}

/// How a page path is written, for help when no page is near the one written.
const PAGE_PATHS: &str =
    "name a .md file under content/, relative to content/ (e.g. `phases/junior.md`)";

/// Help for a page path written at `span` that names no page: the nearest one (with the edit
/// that writes it), or how page paths are written.
pub(crate) fn suggest_page(
    site: &Site,
    path: &str,
    span: Span,
    diagnostic: Diagnostic,
) -> Diagnostic {
    let paths = site.pages.iter().map(|p| p.path.as_str());
    diagnostic.did_you_mean(path, paths, span, str::to_string, PAGE_PATHS)
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
}
