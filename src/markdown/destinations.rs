//! Link and image destinations in a page's Markdown, rewritten as the body is walked: a link to
//! a page or content file becomes its relative URL and is recorded (with its span) for the link
//! and anchor stages; external, email and same-page links stay as written. No I/O.

use std::ops::Range;
use std::sync::Arc;

use pulldown_cmark::{CowStr, LinkType, Tag};

use crate::model::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::source::SourceFile;
use crate::model::url::{ContentPath, OutputPath, Route, SiteUrl};
use crate::model::{Link, LinkTarget};

/// Rewrites the page's link destinations and records its internal links.
pub(super) struct PageLinks<'a> {
    pub(super) file: &'a Arc<SourceFile>,
    /// The file's text, which the spans index.
    pub(super) text: &'a str,
    /// Put before the fragment of a same-page link (see [`Embedding`](crate::markdown::Embedding)).
    pub(super) id_prefix: &'a str,
    pub(super) content_path: &'a ContentPath,
    pub(super) root: &'a str,
    pub(super) links: Vec<Link>,
    pub(super) diagnostics: &'a mut Diagnostics,
    /// Whether the rewritten destinations are wanted (the HTML is written), or only the links.
    pub(super) urls: bool,
    /// Whether the links are recorded in `links`: not when a page is rendered, since loading it
    /// recorded them already (a string and a search of the source for each link, every page).
    pub(super) record: bool,
}

impl PageLinks<'_> {
    /// A link or image with the destination to write: a page or content file becomes its URL;
    /// autolinks, email, external and same-page links stay as written.
    pub(super) fn rewrite<'e>(&mut self, tag: Tag<'e>, span: &Range<usize>) -> Tag<'e> {
        match tag {
            Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            } => Tag::Link {
                dest_url: self.destination(link_type, dest_url, span),
                link_type,
                title,
                id,
            },
            Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            } => Tag::Image {
                dest_url: self.destination(link_type, dest_url, span),
                link_type,
                title,
                id,
            },
            other => other,
        }
    }

    fn destination<'e>(
        &mut self,
        link_type: LinkType,
        dest: CowStr<'e>,
        span: &Range<usize>,
    ) -> CowStr<'e> {
        if matches!(
            link_type,
            LinkType::Autolink | LinkType::Email | LinkType::WikiLink { .. }
        ) || dest.is_empty()
            || is_external(&dest)
        {
            return dest;
        }
        let span = match self.record {
            true => dest_span(self.text, span, &dest),
            false => span.clone(),
        };
        let (before_fragment, fragment) = match dest.split_once('#') {
            Some((before, fragment)) => (before, Some(fragment)),
            None => (&*dest, None),
        };
        let (path, query) = match before_fragment.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (before_fragment, None),
        };
        if path.is_empty() {
            if self.record {
                self.links.push(Link {
                    target: LinkTarget::SamePage,
                    anchor: fragment.map(str::to_string),
                    written: dest.to_string(),
                    span,
                });
            }
            return match fragment {
                Some(fragment) if !self.id_prefix.is_empty() => {
                    format!("{before_fragment}#{}{fragment}", self.id_prefix).into()
                }
                _ => dest,
            };
        }
        let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
        let Some(resolved) = self.content_path.resolve(&decoded) else {
            self.diagnostics.push(
                Diagnostic::at(
                    Code::LinkOutsideContent,
                    self.file,
                    span,
                    format!("link `{dest}` points outside `content/`"),
                )
                .help("link to a page's .md file inside content/, e.g. `/faq.md`"),
            );
            return dest;
        };
        // Where the link goes in the HTML, when the HTML is written.
        let href = self.urls.then(|| {
            let mut href = match resolved.is_page() {
                true => SiteUrl::page(&Route::of(&resolved)),
                false => SiteUrl::file(&OutputPath::content_asset(&resolved)),
            };
            if let Some(query) = query {
                href = href.query(query);
            }
            if let Some(fragment) = fragment {
                href = href.fragment(fragment);
            }
            href.relative_to(self.root)
        });
        if self.record {
            let target = match resolved.is_page() {
                true => LinkTarget::Page(resolved),
                false => LinkTarget::Asset(resolved),
            };
            self.links.push(Link {
                target,
                anchor: fragment.map(str::to_string),
                written: dest.to_string(),
                span,
            });
        }
        href.map_or(dest, CowStr::from)
    }
}

/// `https:`, `mailto:`, `//host` and the like leave the site and are not checked.
fn is_external(dest: &str) -> bool {
    if dest.starts_with("//") {
        return true;
    }
    match dest.split_once(':') {
        Some((scheme, _)) => {
            !scheme.is_empty()
                && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => false,
    }
}

/// Points at the destination inside `[text](dest)` when it is written there, else at the link.
fn dest_span(text: &str, link: &Range<usize>, dest: &str) -> Range<usize> {
    let written = text.get(link.clone()).unwrap_or_default();
    match written.rfind(dest) {
        Some(i) => link.start + i..link.start + i + dest.len(),
        None => link.clone(),
    }
}
