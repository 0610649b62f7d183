//! The ids a browser finds in HTML, read with [`crate::model::html`]'s tokenizer (no tree): headings check
//! their ids against the raw HTML a page holds, and the anchor stage against each rendered page.
//! Tokenizing is most of a big page's cost, so [`surely_unique`] first proves, without it, that a
//! page no link points into has no id twice. Pure functions over text; nothing here reports.

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::model::html;
use crate::model::url::ContentPath;

/// The ids of each rendered page, by content path.
pub(crate) type PageIds = HashMap<ContentPath, HashSet<String>>;

/// The ids a browser finds in `html`: every start tag's `id` attribute, whatever its case or
/// quoting, entities decoded; nothing inside comments, scripts, styles or `<textarea>`.
pub(crate) fn ids_in(html: &str) -> HashSet<String> {
    page_ids(html).ids
}

/// The ids of a rendered page, and those it has more than once (sorted).
pub(crate) struct FoundIds {
    /// Every id, once.
    pub(crate) ids: HashSet<String>,
    /// The ids found more than once.
    pub(crate) repeated: BTreeSet<String>,
}

/// Every id of a rendered page, as a browser's tokenizer reads them, and the repeated ones.
pub(crate) fn page_ids(html: &str) -> FoundIds {
    let mut ids = HashSet::new();
    let mut repeated = BTreeSet::new();
    html::start_tags(html, |tag| {
        if let Some(id) = html::attribute(tag, "id").filter(|id| !id.is_empty())
            && !ids.insert(id.to_string())
        {
            repeated.insert(id.to_string());
        }
    });
    FoundIds { ids, repeated }
}

/// True when no id of `html` can occur twice, found without tokenizing; false means "not known":
/// tokenize (`page_ids`) to find out. Sound because every `id` attribute a browser sees starts
/// where the bytes `id` (any case), optional whitespace and `=` stand, followed by its value; the
/// value read from the bytes is the browser's unless it holds a character reference, a NUL or a
/// CR (which the tokenizer decodes or replaces). Matches that are not attributes (text, other
/// attribute names ending in `id`, comments) only add values, so they can only make this false.
///
/// One pass over the `=` signs (a few dozen a page; four case-by-case searches for `id` took 2%
/// of a build's CPU): each one the bytes `id`, then only whitespace, stand before is such a place.
pub(crate) fn surely_unique(html: impl AsRef<[u8]>) -> bool {
    let bytes = html.as_ref();
    let mut values = HashSet::new();
    for equals in memchr::memchr_iter(b'=', bytes) {
        let name_end = bytes[..equals]
            .iter()
            .rposition(|b| !is_space(b))
            .map_or(0, |last| last + 1);
        let Some(name) = name_end.checked_sub(2).map(|start| &bytes[start..name_end]) else {
            continue;
        };
        if !name.eq_ignore_ascii_case(b"id") {
            continue;
        }
        match value_after(bytes, name_end) {
            Value::None => {}
            Value::Unsure => return false,
            Value::Found(value) => {
                if !value.is_empty() && !values.insert(value) {
                    return false;
                }
            }
        }
    }
    true
}

/// The whitespace HTML allows around an attribute's `=`.
fn is_space(byte: &u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\x0C' | b'\r')
}

/// What the quick scan reads after an attribute's name.
enum Value<'a> {
    /// Not an attribute with a value.
    None,
    /// A value this scan cannot read as the tokenizer does.
    Unsure,
    /// The value's bytes, as written between its quotes (or up to the space).
    Found(&'a [u8]),
}

/// The attribute value after an attribute name ending at `at`: `= "v"`, `='v'` or `=v`, with the
/// whitespace HTML allows around `=`.
fn value_after(bytes: &[u8], at: usize) -> Value<'_> {
    let skip_space = |from: usize| {
        bytes[from..]
            .iter()
            .position(|b| !is_space(b))
            .map_or(bytes.len(), |n| from + n)
    };
    let equals = skip_space(at);
    if bytes.get(equals) != Some(&b'=') {
        return Value::None;
    }
    let start = skip_space(equals + 1);
    let value = match bytes.get(start) {
        Some(&quote @ (b'"' | b'\'')) => match memchr::memchr(quote, &bytes[start + 1..]) {
            Some(length) => &bytes[start + 1..start + 1 + length],
            None => return Value::Unsure,
        },
        _ => {
            let rest = &bytes[start..];
            let end = rest
                .iter()
                .position(|b| is_space(b) || *b == b'>')
                .unwrap_or(rest.len());
            &rest[..end]
        }
    };
    if value.iter().any(|b| matches!(b, b'&' | b'\0' | b'\r')) {
        Value::Unsure
    } else {
        Value::Found(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fastrand::Rng;

    #[test]
    fn unique_ids_are_proved_without_tokenizing_and_repeats_never_slip_through() {
        assert!(surely_unique(
            "<h2 id=a>incident</h2><p ID = 'b'>x</p><a href=\"#a\">"
        ));
        assert!(!surely_unique("<h2 id=a></h2><p id=\"a\">"));
        assert!(!surely_unique("<p Id='a'><b iD=a>"));
        // Equal once decoded: the scan cannot tell, so it does not claim.
        assert!(!surely_unique("<p id=\"a&amp;\"><b id=\"a&\">"));
        // Not ids at all, but the scan cannot tell either: it may only err towards tokenizing.
        assert!(!surely_unique("<p data-id=x><!-- <b id=x> -->"));
    }

    /// Against the tokenizer, on generated markup made of the pieces that trip scanners: every
    /// page the fast scan calls unique has no repeated id when tokenized.
    #[test]
    fn the_fast_scan_agrees_with_the_tokenizer() {
        const PIECES: [&str; 16] = [
            "<p id=a>",
            "<p ID=\"a\">",
            "<b id = 'b'>",
            "<i data-id=a>",
            "<!-- id=a -->",
            "<script>x = '<p id=a>'</script>",
            "<textarea><p id=b></textarea>",
            " id=c ",
            "<p id=\"a&amp;b\">",
            "<p id=\"a&b\">",
            "<p id=a id=a>",
            "<p id=\"\">",
            "<p\nid\n=\nc>",
            "<p id=\"c\r\nd\">",
            "<p id=\"c\nd\">",
            "<p id=\"unclosed>",
        ];
        let mut rng = Rng::with_seed(0x1d5);
        let mut claimed = 0;
        for _ in 0..4000 {
            let html: String = (0..1 + rng.usize(..5))
                .map(|_| PIECES[rng.usize(..PIECES.len())])
                .collect();
            if surely_unique(&html) {
                claimed += 1;
                assert!(page_ids(&html).repeated.is_empty(), "{html:?}");
            }
        }
        assert!(claimed > 500, "{claimed} of 4000 proved unique");
    }

    #[test]
    fn ids_are_read_as_a_browser_reads_them() {
        let ids = ids_in(concat!(
            "<h2 id=\"a\">x</h2><li id=\"check-b\"><div data-id=\"no\">",
            "<div ID=\"upper\"><span id='single'><p id=bare><a id=\"q&amp;a\">",
            "<!-- <p id=\"comment\"> --><script>var s = '<p id=\"script\">';</script>",
            "<textarea><b id=\"text\"></textarea><i id=\"\">",
        ));
        let mut ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        ids.sort_unstable();
        assert_eq!(ids, ["a", "bare", "check-b", "q&a", "single", "upper"]);
    }
}
