//! What the cursor is in, read from the document's text around it: a Markdown link destination
//! being typed, a TOML key or string value (in a data file, site.toml or a page's front matter),
//! and the table it belongs to. Line-based and forgiving, because the text is usually half
//! typed; pure string work.

use std::ops::Range;
use std::path::Path;

/// What is being typed at the cursor.
#[derive(Debug, PartialEq)]
pub(crate) enum Cursor<'t> {
    /// A Markdown link destination: `typed` is what is written between `](` and the cursor,
    /// starting at byte `start`.
    Link {
        typed: &'t str,
        start: usize,
    },
    /// A TOML key at the start of a line of the table `table` (its header's keys).
    Key {
        table: Vec<String>,
        typed: &'t str,
        start: usize,
    },
    /// A quoted TOML string value of `key`, in `table`.
    Value {
        table: Vec<String>,
        key: String,
        typed: &'t str,
        start: usize,
    },
    Nothing,
}

/// Where a document holds TOML: all of a `.toml` file, or a page's front matter.
pub(crate) fn toml_region(path: &Path, text: &str) -> Option<Range<usize>> {
    match path.extension().and_then(|e| e.to_str()) {
        Some("toml") => Some(0..text.len()),
        Some("md") => front_matter(text),
        _ => None,
    }
}

/// The TOML between a page's `+++` lines (up to the end when it is never closed).
pub(crate) fn front_matter(text: &str) -> Option<Range<usize>> {
    let opening = text.trim_start_matches(' ');
    let lead = text.len() - opening.len();
    let first = opening.lines().next()?;
    if first.trim_end() != "+++" {
        return None;
    }
    let start = lead + opening.find('\n').map_or(opening.len(), |i| i + 1);
    let mut offset = start;
    for line in text[start..].split_inclusive('\n') {
        if line.trim_end() == "+++" {
            return Some(start..offset);
        }
        offset += line.len();
    }
    Some(start..text.len())
}

/// What is being typed at byte `offset` of the document at `path`.
pub(crate) fn at<'t>(path: &Path, text: &'t str, offset: usize) -> Cursor<'t> {
    let offset = crate::model::source::floor_char_boundary(text, offset.min(text.len()));
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[line_start..offset];
    match toml_region(path, text) {
        Some(region) if region.contains(&offset) || offset == region.end && region.end > 0 => {
            toml_cursor(text, region.start, line_start, before)
        }
        _ if path.extension().is_some_and(|e| e == "md") => link_cursor(before, offset),
        _ => Cursor::Nothing,
    }
}

fn link_cursor(before: &str, offset: usize) -> Cursor<'_> {
    let Some(open) = before.rfind("](") else {
        return Cursor::Nothing;
    };
    let typed = &before[open + 2..];
    if typed.contains([')', ' ', '\t', '<', '>']) {
        return Cursor::Nothing;
    }
    Cursor::Link {
        typed,
        start: offset - typed.len(),
    }
}

fn toml_cursor<'t>(
    text: &'t str,
    region_start: usize,
    line_start: usize,
    before: &'t str,
) -> Cursor<'t> {
    let table = table_at(&text[region_start..line_start]);
    if let Some(quote) = open_quote(before) {
        let typed = &before[quote + 1..];
        let Some(key) = key_before(&before[..quote]) else {
            return Cursor::Nothing;
        };
        return Cursor::Value {
            table,
            key,
            typed,
            start: line_start + quote + 1,
        };
    }
    let typed = before.trim_start();
    let is_key = typed
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if is_key {
        return Cursor::Key {
            table,
            typed,
            start: line_start + before.len() - typed.len(),
        };
    }
    Cursor::Nothing
}

/// The keys of the last `[table]` or `[[array]]` header in `text` (empty: the top level).
pub(crate) fn table_at(text: &str) -> Vec<String> {
    text.lines()
        .rev()
        .map(str::trim)
        .find(|line| line.starts_with('['))
        .map(|header| {
            header
                .trim_start_matches('[')
                .split(']')
                .next()
                .unwrap_or_default()
                .split('.')
                .map(|key| key.trim().trim_matches('"').to_string())
                .filter(|key| !key.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// Where the string the cursor is in opens, when the line before it leaves one open.
fn open_quote(before: &str) -> Option<usize> {
    let mut open = None;
    let mut escaped = false;
    for (i, c) in before.char_indices() {
        match c {
            '\\' if open.is_some() => escaped = !escaped,
            '"' if !escaped => open = if open.is_some() { None } else { Some(i) },
            '#' if open.is_none() => return None,
            _ => escaped = false,
        }
        if c != '\\' {
            escaped = false;
        }
    }
    open
}

/// The key whose value starts after `before` (`level = ` → `level`; `{ id = ` → `id`).
fn key_before(before: &str) -> Option<String> {
    let before = before.trim_end().strip_suffix('=')?.trim_end();
    let key: String = before
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let last = key.rsplit('.').next()?.to_string();
    (!last.is_empty()).then_some(last)
}

/// The quoted TOML string around byte `offset`: its key, its value and the span of the value
/// (inside the quotes). For hover and go to definition on `level = "senior"`.
pub(crate) fn string_at(text: &str, offset: usize) -> Option<(String, String, Range<usize>)> {
    let offset = crate::model::source::floor_char_boundary(text, offset.min(text.len()));
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let line = &text[line_start..line_end];
    let mut from = 0;
    while let Some(open) = line[from..].find('"').map(|i| from + i) {
        let close = line[open + 1..].find('"').map(|i| open + 1 + i)?;
        let span = line_start + open + 1..line_start + close;
        if (line_start + open..=line_start + close).contains(&offset) {
            let key = key_before(&line[..open])?;
            return Some((key, line[open + 1..close].to_string(), span));
        }
        from = close + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cursor(path: &str, marked: &str) -> String {
        let offset = marked.find('|').expect("a cursor");
        let text = marked.replacen('|', "", 1);
        format!("{:?}", at(Path::new(path), &text, offset))
    }

    #[test]
    fn a_link_destination_is_found_after_its_opening() {
        assert_eq!(
            cursor("a.md", "+++\ntitle = \"A\"\n+++\nSee [x](../fa|"),
            "Link { typed: \"../fa\", start: 28 }"
        );
        assert_eq!(cursor("a.md", "+++\n+++\nSee [x](a.md) and |"), "Nothing");
        assert_eq!(
            cursor("a.md", "+++\n+++\n[x](faq.md#ce|"),
            "Link { typed: \"faq.md#ce\", start: 12 }"
        );
    }

    #[test]
    fn front_matter_keys_and_values_know_their_table() {
        assert_eq!(
            cursor("a.md", "+++\nti|\n+++\n"),
            "Key { table: [], typed: \"ti\", start: 4 }"
        );
        assert_eq!(
            cursor(
                "a.md",
                "+++\ntitle = \"A\"\n[extra]\nlevel = \"se|\"\n+++\n"
            ),
            "Value { table: [\"extra\"], key: \"level\", typed: \"se\", start: 33 }"
        );
        assert_eq!(
            cursor(
                "data/ladder.toml",
                "[[phases]]\n[phases.checklist]\nitems = [{ id = \"a|"
            ),
            "Value { table: [\"phases\", \"checklist\"], key: \"id\", typed: \"a\", start: 47 }"
        );
        assert_eq!(cursor("a.toml", "# a comment with \"|"), "Nothing");
        assert_eq!(cursor("a.toml", "x = 1|"), "Nothing");
    }

    #[test]
    fn the_string_under_the_cursor_comes_with_its_key() {
        let text = "[[ranges]]\nlevel = \"senior\"\nmin = 1\n";
        let (key, value, span) = string_at(text, 22).expect("a string");
        assert_eq!((key.as_str(), value.as_str()), ("level", "senior"));
        assert_eq!(&text[span], "senior");
        assert_eq!(string_at(text, 32), None);
    }

    #[test]
    fn front_matter_is_found_even_when_unclosed() {
        assert_eq!(front_matter("+++\na = 1\n+++\nbody"), Some(4..10));
        assert_eq!(front_matter("+++\na = 1\n"), Some(4..10));
        assert_eq!(front_matter("# no front matter"), None);
    }
}
