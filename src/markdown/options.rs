//! The Markdown dialect sre-guide promises editors: CommonMark plus GFM tables, footnotes,
//! strikethrough, task lists, heading attributes and smart punctuation. One definition, which
//! the differential test and the build benchmark's floor import from the library; and a body's
//! events parsed in it, for loading a page and for writing it again.

use std::borrow::Cow;
use std::ops::Range;

use pulldown_cmark::{Event, Options, Parser};

use crate::model::url::ROOT_MARKER;

/// The pulldown-cmark options of sre-guide's Markdown dialect.
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_SMART_PUNCTUATION
}

/// The events of `body` (which starts at byte `body_start` of its file), with spans into the file.
pub(super) fn events(
    body: &str,
    body_start: usize,
) -> impl Iterator<Item = (Event<'_>, Range<usize>)> {
    Parser::new_ext(body, options())
        .into_offset_iter()
        .map(move |(event, range)| (event, body_start + range.start..body_start + range.end))
}

/// The body with any `ROOT_MARKER` in it blanked: the marker must never come from the source,
/// and a same-length stand-in keeps spans exact.
pub(super) fn without_root_marker(text: &str) -> Cow<'_, str> {
    match text.contains(ROOT_MARKER) {
        true => Cow::Owned(text.replace(ROOT_MARKER, " ")),
        false => Cow::Borrowed(text),
    }
}
