//! The files an editor has open, as it last sent them: their unsaved text and version, edits
//! applied as they come, and the conversions between LSP positions (line and character, in
//! UTF-16 code units unless the client agreed to UTF-8) and the byte offsets the pipeline's spans
//! use. Also file URIs ↔ paths. Never touches the disk.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use lsp_types::{Position, Range, TextDocumentContentChangeEvent, Uri};

use crate::model::source::floor_char_boundary;

/// How the client counts characters in a line.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Encoding {
    Utf8,
    Utf16,
}

pub(crate) struct Document {
    pub(crate) text: String,
    pub(crate) version: i32,
}

/// Open documents by absolute path.
#[derive(Default)]
pub(crate) struct Documents {
    open: HashMap<PathBuf, Document>,
}

impl Documents {
    pub(crate) fn open(&mut self, path: PathBuf, text: String, version: i32) {
        self.open.insert(path, Document { text, version });
    }

    pub(crate) fn close(&mut self, path: &Path) {
        self.open.remove(path);
    }

    pub(crate) fn get(&self, path: &Path) -> Option<&Document> {
        self.open.get(path)
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&PathBuf, &Document)> {
        self.open.iter()
    }

    /// Applies a `didChange`: whole texts and ranged edits, in order. An edit whose range lies
    /// outside the text is clamped to it, so a confused client cannot break the server.
    pub(crate) fn change(
        &mut self,
        path: &Path,
        version: i32,
        changes: Vec<TextDocumentContentChangeEvent>,
        encoding: Encoding,
    ) {
        let Some(document) = self.open.get_mut(path) else {
            return;
        };
        for change in changes {
            match change.range {
                None => document.text = change.text,
                Some(range) => {
                    let start = offset(&document.text, range.start, encoding);
                    let end = offset(&document.text, range.end, encoding).max(start);
                    document.text.replace_range(start..end, &change.text);
                }
            }
        }
        document.version = version;
    }
}

/// The byte offset of an LSP position in `text`, clamped to the text (a line past the end is the
/// end; a character past the line's end is the line's end).
pub(crate) fn offset(text: &str, position: Position, encoding: Encoding) -> usize {
    let mut line_start = 0;
    for _ in 0..position.line {
        match text[line_start..].find('\n') {
            Some(i) => line_start += i + 1,
            None => return text.len(),
        }
    }
    let line_end = text[line_start..]
        .find('\n')
        .map_or(text.len(), |i| line_start + i);
    let line = &text[line_start..line_end];
    let wanted = position.character as usize;
    let mut units = 0;
    for (i, c) in line.char_indices() {
        if units >= wanted {
            return line_start + i;
        }
        units += match encoding {
            Encoding::Utf8 => c.len_utf8(),
            Encoding::Utf16 => c.len_utf16(),
        };
    }
    line_end
}

/// The LSP position of a byte offset of `text` (clamped to the text and to a char boundary).
pub(crate) fn position(text: &str, offset: usize, encoding: Encoding) -> Position {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let character: usize = match encoding {
        Encoding::Utf8 => before.len() - line_start,
        Encoding::Utf16 => before[line_start..].chars().map(char::len_utf16).sum(),
    };
    Position::new(
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(character).unwrap_or(u32::MAX),
    )
}

pub(crate) fn range(text: &str, span: &std::ops::Range<usize>, encoding: Encoding) -> Range {
    Range::new(
        position(text, span.start, encoding),
        position(text, span.end.max(span.start), encoding),
    )
}

/// The local path a `file:` URI names; `None` for other schemes.
pub(crate) fn path_of(uri: &Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    // `file://host/path` names another host; only `file:///path` (empty host) is local.
    let path = rest.strip_prefix("localhost").unwrap_or(rest);
    if !path.starts_with('/') {
        return None;
    }
    let decoded = percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .ok()?;
    Some(PathBuf::from(decoded.as_ref()))
}

/// The `file:` URI of an absolute path.
pub(crate) fn uri_of(path: &Path) -> Option<Uri> {
    const PATH: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'/')
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    let text = path.to_str()?;
    let encoded = percent_encoding::utf8_percent_encode(text, PATH);
    Uri::from_str(&format!("file://{encoded}")).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_units_or_bytes_as_agreed() {
        let text = "a😀b\nçd\n";
        // 😀 is two UTF-16 units and four bytes.
        assert_eq!(offset(text, Position::new(0, 3), Encoding::Utf16), 5);
        assert_eq!(offset(text, Position::new(0, 5), Encoding::Utf8), 5);
        assert_eq!(position(text, 5, Encoding::Utf16), Position::new(0, 3));
        assert_eq!(position(text, 9, Encoding::Utf16), Position::new(1, 1));
        assert_eq!(position(text, 9, Encoding::Utf8), Position::new(1, 2));
        // Past the line's end, past the last line, inside a character: clamped.
        assert_eq!(offset(text, Position::new(1, 99), Encoding::Utf16), 10);
        assert_eq!(
            offset(text, Position::new(9, 0), Encoding::Utf16),
            text.len()
        );
        assert_eq!(offset(text, Position::new(0, 2), Encoding::Utf16), 5);
        assert_eq!(position(text, 3, Encoding::Utf16), Position::new(0, 1));
    }

    #[test]
    fn edits_apply_in_order_and_never_panic_on_wild_ranges() {
        let mut documents = Documents::default();
        let path = PathBuf::from("/site/content/a.md");
        documents.open(path.clone(), "hello\nworld\n".into(), 1);
        let edit = |sl, sc, el, ec, text: &str| TextDocumentContentChangeEvent {
            range: Some(Range::new(Position::new(sl, sc), Position::new(el, ec))),
            range_length: None,
            text: text.into(),
        };
        documents.change(
            &path,
            2,
            vec![
                edit(1, 0, 1, 5, "there"),
                edit(0, 5, 0, 5, ","),
                edit(9, 9, 0, 0, "!"),
            ],
            Encoding::Utf16,
        );
        let document = documents.get(&path).unwrap();
        assert_eq!(document.text, "hello,\nthere\n!");
        assert_eq!(document.version, 2);
    }

    #[test]
    fn file_uris_and_paths_round_trip() {
        let path = Path::new("/sites/a guide/ç.md");
        let uri = uri_of(path).unwrap();
        assert_eq!(uri.as_str(), "file:///sites/a%20guide/%C3%A7.md");
        assert_eq!(path_of(&uri).as_deref(), Some(path));
        let other = Uri::from_str("https://example.org/a.md").unwrap();
        assert_eq!(path_of(&other), None);
    }
}
