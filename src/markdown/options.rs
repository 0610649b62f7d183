//! The Markdown dialect sre-guide promises editors: CommonMark plus GFM tables, footnotes,
//! strikethrough, task lists, heading attributes and smart punctuation. One definition, which
//! the differential test and the build benchmark's floor import from the library.

use pulldown_cmark::Options;

/// The pulldown-cmark options of sre-guide's Markdown dialect.
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_SMART_PUNCTUATION
}
