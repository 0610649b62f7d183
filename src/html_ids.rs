//! The ids a browser finds in HTML, read with html5ever's tokenizer (no tree): headings check
//! their ids against the raw HTML a page holds, and the anchor stage against each rendered page.
//! Pure functions over text; nothing here reports a problem.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap, HashSet};

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

/// The ids of each rendered page, by content path.
pub(crate) type PageIds = HashMap<String, HashSet<String>>;

/// The ids a browser finds in `html`: every start tag's `id` attribute, whatever its case or
/// quoting, entities decoded; nothing inside comments, scripts, styles or `<textarea>`.
pub(crate) fn ids_in(html: &str) -> HashSet<String> {
    page_ids(html).ids
}

/// The ids of a rendered page, and those it has more than once (sorted).
pub(crate) struct FoundIds {
    pub(crate) ids: HashSet<String>,
    pub(crate) repeated: BTreeSet<String>,
}

pub(crate) fn page_ids(html: &str) -> FoundIds {
    let mut ids = HashSet::new();
    let mut repeated = BTreeSet::new();
    start_tags(html, |tag| {
        let id = tag.attrs.iter().find(|a| &*a.name.local == "id");
        if let Some(id) = id.filter(|id| !id.value.is_empty())
            && !ids.insert(id.value.to_string())
        {
            repeated.insert(id.value.to_string());
        }
    });
    FoundIds { ids, repeated }
}

/// Calls `visit` on each start tag of `html` as the HTML tokenizer reads it (names lowercased).
pub(crate) fn start_tags(html: &str, visit: impl FnMut(&Tag)) {
    let sink = StartTags(RefCell::new(visit));
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let _ = tokenizer.feed(&input);
    tokenizer.end();
}

struct StartTags<F>(RefCell<F>);

impl<F: FnMut(&Tag)> TokenSink for StartTags<F> {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let Token::TagToken(tag) = token else {
            return TokenSinkResult::Continue;
        };
        if tag.kind != TagKind::StartTag {
            return TokenSinkResult::Continue;
        }
        (self.0.borrow_mut())(&tag);
        // Without a tree builder the tokenizer must be told where raw text starts, as a
        // browser's parser tells it.
        match tag.name.as_ref() {
            "script" => TokenSinkResult::RawData(RawKind::ScriptData),
            "style" | "xmp" | "iframe" | "noembed" | "noframes" => {
                TokenSinkResult::RawData(RawKind::Rawtext)
            }
            "textarea" | "title" => TokenSinkResult::RawData(RawKind::Rcdata),
            "plaintext" => TokenSinkResult::Plaintext,
            _ => TokenSinkResult::Continue,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
