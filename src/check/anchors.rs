//! The anchor stage, after rendering: every `#anchor` a Markdown link or a template's `url()`
//! names must be an id of the rendered target page, so ids made by templates (levels, checklist
//! items) count as much as headings do. In: the checked site and each page's ids; out: diagnostics.

use std::collections::HashSet;
use std::sync::Arc;

use crate::model::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::html::ids::PageIds;
use crate::model::source::SourceFile;
use crate::model::url::ContentPath;
use crate::model::{LinkTarget, Site};
use crate::theme::Theme;

/// A link a template asked `url()` for that carries an anchor, checked once all pages exist.
pub(crate) struct AnchorRequest {
    pub(crate) template: String,
    pub(crate) written: String,
    pub(crate) page: ContentPath,
    pub(crate) anchor: String,
}

/// A fragment as the browser looks it up: percent-decoded.
fn percent_decoded(fragment: &str) -> std::borrow::Cow<'_, str> {
    percent_encoding::percent_decode_str(fragment).decode_utf8_lossy()
}

/// Markdown links to `#anchor`s the rendered target page lacks.
pub(crate) fn site(site: &Site, ids: &PageIds) -> Diagnostics {
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
                    Code::AnchorMissing,
                    &page.file,
                    link.span.clone(),
                    format!("`{target}` has no anchor `#{anchor}`"),
                );
                let fragment_span = crate::check::links::written_part(&page.file, link, |w| {
                    w.find('#').map_or(w.len()..w.len(), |at| at..w.len())
                });
                out.push(diagnostic.did_you_mean(
                    anchor,
                    known.iter().map(String::as_str),
                    fragment_span,
                    |near| format!("#{near}"),
                    "link to a heading's id (shown by its # link), or set one with `## Heading {#id}`",
                ));
            }
        }
    }
    out
}

/// Anchors that templates asked `url()` for, each reported once. The call is located by its
/// literal argument: in the page's template first, else in whichever template holds it (a
/// parent, an include).
pub(crate) fn templates(requests: &[AnchorRequest], ids: &PageIds, theme: &Theme) -> Diagnostics {
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
                .find_map(|q| file.text().find(q.as_str()))
                .map(|i| (Arc::clone(file), i + 1))
        };
        let located = theme
            .templates
            .get(&request.template)
            .and_then(find)
            .or_else(|| theme.templates.values().find_map(find));
        let diagnostic = match located {
            Some((file, i)) => Diagnostic::at(
                Code::AnchorMissing,
                &file,
                i..i + request.written.len(),
                message,
            ),
            None => Diagnostic::in_file(
                Code::AnchorMissing,
                "themes/",
                format!("url(path=\"{}\"): {message}", request.written),
            ),
        };
        let known = ids
            .get(&request.page)
            .map(|ids| ids.iter().map(String::as_str));
        let fragment_span = diagnostic.span().and_then(|span| {
            let at = request.written.find('#')?;
            Some(span.start + at..span.end)
        });
        out.push(diagnostic.did_you_mean(
            &request.anchor,
            known.into_iter().flatten(),
            fragment_span,
            |near| format!("#{near}"),
            "link to an id the target page has",
        ));
    }
    out
}
