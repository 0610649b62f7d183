//! Events → HTML ([`write_events`], which `read` uses for the HTML a load keeps), and a loaded
//! body written again where the load kept none: on its own page past the load's
//! `HtmlBudget`, in a page rendered a second time, or inside another page
//! (`page_data`) with its headings shifted and its ids prefixed. Reads the page's file again.

use std::borrow::Cow;
use std::ops::Range;
use std::sync::Arc;

use pulldown_cmark::{CowStr, Event, HeadingLevel, Tag, TagEnd, html};

use super::destinations::PageLinks;
use super::headings::{Anchor, anchors};
#[cfg(test)]
use super::headings::{nest_toc, plan_headings};
use super::options::{events, without_root_marker};
#[cfg(test)]
use crate::model::TocEntry;
use crate::model::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::source::SourceFile;
use crate::model::url::ContentPath;
use crate::model::{Link, Page};

/// The page's body on its own page: the HTML loading wrote if no render has taken it yet, else
/// written again (as [`body_html`]).
pub(crate) fn own_body_html(page: &Page) -> Result<String, Diagnostic> {
    match page.html.take() {
        Some(html) => Ok(html),
        None => body_html(page, &page.route.relative_root(), Embedding::NONE),
    }
}

/// How a body is shown inside another page (`page_data`): its headings `heading_offset` levels
/// deeper (at most h6), and its heading and footnote ids, and the same-page links to them,
/// prefixed with `id_prefix` so they stay unique there. Ids written in raw HTML keep their
/// spelling (a clash is reported as a repeated id).
#[derive(Clone, Copy, Default)]
pub(crate) struct Embedding<'a> {
    pub(crate) heading_offset: u8,
    pub(crate) id_prefix: &'a str,
}

impl Embedding<'_> {
    /// The body on its own page.
    pub(crate) const NONE: Embedding<'static> = Embedding {
        heading_offset: 0,
        id_prefix: "",
    };

    fn level(&self, level: HeadingLevel) -> HeadingLevel {
        let shifted = (level as usize + usize::from(self.heading_offset)).min(6);
        HeadingLevel::try_from(shifted).unwrap_or(HeadingLevel::H6)
    }

    fn label<'e>(&self, label: CowStr<'e>) -> CowStr<'e> {
        if self.id_prefix.is_empty() {
            label
        } else {
            format!("{}{label}", self.id_prefix).into()
        }
    }
}

/// A loaded page's body as HTML for a page whose relative root is `root` (its own, or that of
/// another page showing it, as `embedding` says). Its problems were reported when the page was
/// loaded. The page's file is read again for it: an error if it changed since it was loaded.
pub(crate) fn body_html(
    page: &Page,
    root: &str,
    embedding: Embedding,
) -> Result<String, Diagnostic> {
    let text = page.file.fresh_text();
    text.map(|text| {
        let body = Body {
            file: &page.file,
            text: &text,
            body_start: page.body_start,
            content_path: &page.path,
            root,
            embedding,
        };
        let anchors = anchors(&page.toc, &page.headings);
        // Its links and problems were recorded when the page was loaded.
        write(&body, &anchors, false, &mut Diagnostics::default()).0
    })
    .ok_or_else(|| {
        Diagnostic::in_file(
            Code::FileChanged,
            &page.file.path,
            format!(
                "`{}` changed while the site was being built",
                page.file.path
            ),
        )
        .help("build again (`serve` rebuilds by itself after a save)")
    })
}

/// A body rendered on its own, for tests: its HTML, toc and links.
#[cfg(test)]
pub(crate) struct Shown {
    pub(crate) html: String,
    pub(crate) toc: Vec<TocEntry>,
    pub(crate) links: Vec<Link>,
}

/// Renders the body for a page whose relative root is `root` (another page may show this body);
/// `None` if the file was let go of and has changed since (see `SourceFile::fresh_text`). Reads
/// the body twice, to plan its headings and to write it, as showing a loaded body again does.
#[cfg(test)]
pub(crate) fn render_at(
    file: &Arc<SourceFile>,
    body_start: usize,
    content_path: &ContentPath,
    root: &str,
    embedding: Embedding,
    diagnostics: &mut Diagnostics,
) -> Option<Shown> {
    let text = file.fresh_text()?;
    let body = Body {
        file,
        text: &text,
        body_start,
        content_path,
        root,
        embedding,
    };
    let marked = without_root_marker(text.get(body_start..).unwrap_or_default());
    let (headings, _) = plan_headings(events(&marked, body_start), file, diagnostics);
    let anchors: Vec<Anchor> = headings.iter().map(|h| h.anchor.clone()).collect();
    let (html, links) = write(&body, &anchors, true, diagnostics);
    Some(Shown {
        html,
        toc: nest_toc(&headings),
        links,
    })
}

/// A page body to write: its file and the file's text, where the body starts, the page's path,
/// and where and how it is shown.
struct Body<'a> {
    file: &'a Arc<SourceFile>,
    text: &'a str,
    body_start: usize,
    content_path: &'a ContentPath,
    root: &'a str,
    embedding: Embedding<'a>,
}

/// The body's HTML, its headings given the planned `anchors` (one per heading, in order) and its
/// links rewritten, with the links it recorded when asked to `record` them.
fn write(
    source: &Body,
    anchors: &[Anchor],
    record: bool,
    diagnostics: &mut Diagnostics,
) -> (String, Vec<Link>) {
    let Body {
        file,
        text: file_text,
        body_start,
        content_path,
        root,
        embedding,
    } = *source;
    let body = without_root_marker(file_text.get(body_start..).unwrap_or_default());
    let mut page = PageLinks {
        file,
        text: file_text,
        content_path,
        root,
        id_prefix: embedding.id_prefix,
        links: Vec::new(),
        diagnostics,
        urls: true,
        record,
    };
    let html = write_events(
        events(&body, body_start),
        anchors,
        embedding,
        |tag, span| page.rewrite(tag, span),
        body.len(),
    );
    (html, page.links)
}

/// The HTML of a body's `events`, its headings given the planned `anchors` (one per heading, in
/// order) and shifted and prefixed as `embedding` says, each link and image passed through
/// `link` for its destination. `markdown_len` sizes the buffer.
pub(super) fn write_events<'e>(
    mut events: impl Iterator<Item = (Event<'e>, Range<usize>)>,
    anchors: &[Anchor],
    embedding: Embedding,
    mut link: impl FnMut(Tag<'e>, &Range<usize>) -> Tag<'e>,
    markdown_len: usize,
) -> String {
    let mut anchors = anchors.iter().map(|anchor| match embedding.id_prefix {
        "" => Cow::Borrowed(anchor),
        prefix => Cow::Owned(anchor.prefixed(prefix)),
    });
    let mut open: Option<Cow<Anchor>> = None;
    // What goes out after the event just given (a heading's self-link or end), if anything.
    let mut next: Option<Event> = None;
    let stream = std::iter::from_fn(|| {
        if let Some(event) = next.take() {
            return Some(event);
        }
        let (event, span) = events.next()?;
        Some(match event {
            Event::Start(Tag::Heading {
                level,
                classes,
                attrs,
                ..
            }) => {
                let anchor = anchors.next().expect("one plan per heading");
                let [start, self_link] = anchor.start(embedding.level(level), classes, attrs);
                open = Some(anchor);
                next = self_link;
                start?
            }
            Event::End(TagEnd::Heading(level)) => {
                let end = Event::End(TagEnd::Heading(embedding.level(level)));
                match open.take() {
                    Some(anchor) => {
                        next = Some(end);
                        anchor.end()
                    }
                    None => end,
                }
            }
            Event::Start(tag @ (Tag::Link { .. } | Tag::Image { .. })) => {
                Event::Start(link(tag, &span))
            }
            Event::FootnoteReference(label) => Event::FootnoteReference(embedding.label(label)),
            Event::Start(Tag::FootnoteDefinition(label)) => {
                Event::Start(Tag::FootnoteDefinition(embedding.label(label)))
            }
            other => other,
        })
    });
    // HTML runs a little longer than its Markdown; a page past this grows once.
    let mut html = String::with_capacity(markdown_len + markdown_len / 4 + 1024);
    html::push_html(&mut html, stream);
    html
}

#[cfg(test)]
mod tests;
