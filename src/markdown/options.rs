//! The Markdown dialect sre-guide promises editors: CommonMark plus GFM tables, footnotes,
//! strikethrough, task lists, heading attributes and smart punctuation. One definition, which
//! the differential test and the build benchmark's floor include by path (the binary crate has
//! no library for them to import it from).

use pulldown_cmark::Options;

pub(crate) fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_SMART_PUNCTUATION
}
