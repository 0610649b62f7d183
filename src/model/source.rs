//! Source files as the editor wrote them: the path relative to the site root, the text, and the
//! mapping from a byte offset to the line and column an editor sees. Reading never fails silently:
//! unreadable or non-UTF-8 files become diagnostics at the call site. A page's file lets go of its
//! text once loaded and reads it again from disk when shown or quoted, checked against a hash.

use std::borrow::Cow;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// A byte range into a [`SourceFile`]'s text.
pub(crate) type Span = Range<usize>;

/// One file of the site, shared cheaply between the stage that parsed it and its diagnostics.
#[derive(Debug)]
pub(crate) struct SourceFile {
    /// Relative to the site root, with `/` separators (`content/phases/junior.md`).
    pub(crate) path: String,
    /// Empty once let go of (`origin` is then set).
    text: String,
    /// Where to read the text again, once it has been let go of.
    origin: Option<Origin>,
    /// The text read again for a diagnostic, kept: diagnostics are few and quoted more than once.
    quoted: OnceLock<String>,
}

/// Where a file's text is read again after it was let go of, and a hash of the text it had.
#[derive(Debug)]
struct Origin {
    /// The file's absolute path, as it was read.
    file: PathBuf,
    /// [`content_hash`] of the text it was loaded with.
    hash: u64,
}

/// A 64-bit hash of `bytes` to tell whether content changed: a file since it was read, a
/// published file since `serve` last had it, a served file's ETag. Not kept across runs.
/// foldhash, with a fixed seed: every page is hashed when loaded, read again and rendered, so
/// its speed on long inputs (several times SipHash's) is felt in every build.
pub(crate) fn content_hash(bytes: &[u8]) -> u64 {
    use std::hash::BuildHasher as _;
    const STATE: foldhash::quality::FixedState = foldhash::quality::FixedState::with_seed(0x5eed);
    STATE.hash_one(bytes)
}

/// Bytes in lowercase hex, two digits each: how digests become parts of file names (asset
/// fingerprints, link-preview cards, the font's digest).
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A file's text as the site reads it: a byte-order mark, invisible to editors, becomes a
/// same-size blank so spans keep pointing at the right bytes.
pub(crate) fn blank_byte_order_mark(text: &mut String) {
    if text.starts_with('\u{feff}') {
        text.replace_range(..3, "   ");
    }
}

impl SourceFile {
    /// A file with its text in memory; `path` is relative to the site root
    /// (`content/phases/junior.md`).
    pub(crate) fn new(path: impl Into<String>, text: impl Into<String>) -> Arc<Self> {
        Arc::new(SourceFile {
            path: path.into(),
            text: text.into(),
            origin: None,
            quoted: OnceLock::new(),
        })
    }

    /// The same file without its text in memory: [`text`](Self::text) and
    /// [`fresh_text`](Self::fresh_text) read it again from `file` (the absolute path it was read
    /// from).
    pub(crate) fn let_go(&self, file: &Path) -> Arc<Self> {
        Arc::new(SourceFile {
            path: self.path.clone(),
            text: String::new(),
            origin: Some(Origin {
                file: file.to_path_buf(),
                hash: content_hash(self.text.as_bytes()),
            }),
            quoted: OnceLock::new(),
        })
    }

    /// The text the file was loaded with, read again once (and kept) if it was let go of; empty
    /// if the file has changed or gone since, so a quote can be wrong but never out of bounds.
    pub(crate) fn text(&self) -> &str {
        match &self.origin {
            None => &self.text,
            Some(origin) => self
                .quoted
                .get_or_init(|| read_again(origin).unwrap_or_default()),
        }
    }

    /// The text the file was loaded with, read again (and not kept) if it was let go of; `None`
    /// if the file has changed or gone since it was loaded.
    pub(crate) fn fresh_text(&self) -> Option<Cow<'_, str>> {
        match &self.origin {
            None => Some(Cow::Borrowed(&self.text)),
            Some(_) if self.quoted.get().is_some_and(|t| !t.is_empty()) => {
                self.quoted.get().map(|text| Cow::Borrowed(text.as_str()))
            }
            Some(origin) => read_again(origin).map(Cow::Owned),
        }
    }

    /// 1-based line and column (in characters) of a byte offset, clamped to the text.
    pub(crate) fn line_col(&self, offset: usize) -> (usize, usize) {
        let text = self.text();
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        (line, column)
    }

    /// The full text of the line holding `offset`, without its line ending.
    pub(crate) fn line_text(&self, offset: usize) -> &str {
        let text = self.text();
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
        text[start..end].trim_end_matches('\r')
    }
}

/// The file's text if it still is what it was when loaded.
fn read_again(origin: &Origin) -> Option<String> {
    let mut text = String::from_utf8(std::fs::read(&origin.file).ok()?).ok()?;
    blank_byte_order_mark(&mut text);
    (content_hash(text.as_bytes()) == origin.hash).then_some(text)
}

/// A control character as the site refuses it in a page or a TOML string (NUL, ESC, form feed,
/// U+0080–U+009F…): tabs and line ends are text.
pub(crate) fn is_control_character(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
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
    fn a_file_let_go_of_reads_its_text_again_until_it_changes() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("a.md");
        std::fs::write(&path, "\u{feff}one\ntwo\n").expect("write");
        let loaded = SourceFile::new("content/a.md", "   one\ntwo\n");
        let file = loaded.let_go(&path);
        assert_eq!(file.fresh_text().as_deref(), Some("   one\ntwo\n"));
        std::fs::write(&path, "changed\n").expect("write");
        assert_eq!(file.fresh_text(), None, "a changed file is noticed");
        assert_eq!(file.text(), "", "and never quoted with the old spans");
        assert_eq!(file.line_col(99), (1, 1));
    }

    #[test]
    fn offsets_past_the_end_or_inside_a_character_are_clamped() {
        let file = SourceFile::new("x", "é");
        assert_eq!(file.line_col(1), (1, 1));
        assert_eq!(file.line_col(99), (1, 2));
        assert_eq!(file.line_text(99), "é");
    }
}
