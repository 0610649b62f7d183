//! Source files as the editor wrote them: the path relative to the site root, the text, and the
//! mapping from a byte offset to the line and column an editor sees. Reading never fails silently:
//! unreadable or non-UTF-8 files become diagnostics at the call site.

use std::ops::Range;
use std::sync::Arc;

/// A byte range into a `SourceFile`'s text.
pub(crate) type Span = Range<usize>;

/// One file of the site, shared cheaply between the stage that parsed it and its diagnostics.
#[derive(Debug)]
pub(crate) struct SourceFile {
    /// Relative to the site root, with `/` separators (`content/phases/junior.md`).
    pub(crate) path: String,
    pub(crate) text: String,
}

impl SourceFile {
    pub(crate) fn new(path: impl Into<String>, text: impl Into<String>) -> Arc<Self> {
        Arc::new(SourceFile {
            path: path.into(),
            text: text.into(),
        })
    }

    /// 1-based line and column (in characters) of a byte offset, clamped to the text.
    pub(crate) fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        (line, column)
    }

    /// The full text of the line holding `offset`, without its line ending.
    pub(crate) fn line_text(&self, offset: usize) -> &str {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        let start = self.text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let end = self.text[offset..]
            .find('\n')
            .map_or(self.text.len(), |i| offset + i);
        self.text[start..end].trim_end_matches('\r')
    }
}

/// The largest char boundary at or below `index` (str::floor_char_boundary is unstable).
pub(crate) fn floor_char_boundary(text: &str, mut index: usize) -> usize {
    while index > 0 && !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based_and_count_characters() {
        let file = SourceFile::new("content/a.md", "ab\nçd ef\n");
        assert_eq!(file.line_col(0), (1, 1));
        assert_eq!(file.line_col(3), (2, 1));
        assert_eq!(file.line_col(6), (2, 3), "ç is one column");
        assert_eq!(file.line_text(6), "çd ef");
    }

    #[test]
    fn offsets_past_the_end_or_inside_a_character_are_clamped() {
        let file = SourceFile::new("x", "é");
        assert_eq!(file.line_col(1), (1, 1));
        assert_eq!(file.line_col(99), (1, 2));
        assert_eq!(file.line_text(99), "é");
    }
}
