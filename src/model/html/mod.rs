//! HTML text → its tags and text as a browser's tokenizer reads them (html5ever's tokenizer, with
//! attribute values and text entity-decoded), for every stage that reads HTML: ids for the anchor
//! stage ([`ids`]), raw HTML in Markdown headings, the search index and the `_headers` style
//! hashes. No tree is built and no input fails: hostile or broken markup gives whatever tokens a
//! browser would see.

pub(crate) mod ids;

use std::cell::RefCell;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

pub(crate) use html5ever::tokenizer::Tag;

/// One token of a page, in document order.
pub(crate) enum Piece<'a> {
    /// A start tag, its attributes decoded.
    Start(&'a Tag),
    /// An end tag.
    End(&'a Tag),
    /// Text between tags, entities decoded.
    Text(&'a str),
}

/// Calls `visit` with every start tag, end tag and run of text in `html` (a text may come in
/// several runs). The text of `<script>`,
/// `<style>` and the other raw-text elements is text, as a browser's parser reads it: markup
/// inside a script is never a tag.
pub(crate) fn walk(html: &str, visit: impl FnMut(Piece<'_>)) {
    let sink = Tokens(RefCell::new(visit));
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let _ = tokenizer.feed(&input);
    tokenizer.end();
}

/// Calls `visit` with every start tag in `html`.
pub(crate) fn start_tags(html: &str, mut visit: impl FnMut(&Tag)) {
    walk(html, |piece| {
        if let Piece::Start(tag) = piece {
            visit(tag);
        }
    });
}

/// The value of a tag's attribute, by its (lower-case) name.
pub(crate) fn attribute<'a>(tag: &'a Tag, name: &str) -> Option<&'a str> {
    tag.attrs
        .iter()
        .find(|attribute| &*attribute.name.local == name)
        .map(|attribute| &*attribute.value)
}

/// Hands each token to the walk's callback (html5ever's sink is called through `&self`).
struct Tokens<F>(RefCell<F>);

impl<F: FnMut(Piece<'_>)> TokenSink for Tokens<F> {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut visit = self.0.borrow_mut();
        match token {
            Token::TagToken(tag) if tag.kind == TagKind::EndTag => visit(Piece::End(&tag)),
            Token::TagToken(tag) => {
                visit(Piece::Start(&tag));
                // Without a tree builder the tokenizer must be told where raw text starts, as a
                // browser's parser tells it.
                return match tag.name.as_ref() {
                    "script" => TokenSinkResult::RawData(RawKind::ScriptData),
                    "style" | "xmp" | "iframe" | "noembed" | "noframes" => {
                        TokenSinkResult::RawData(RawKind::Rawtext)
                    }
                    "textarea" | "title" => TokenSinkResult::RawData(RawKind::Rcdata),
                    "plaintext" => TokenSinkResult::Plaintext,
                    _ => TokenSinkResult::Continue,
                };
            }
            Token::CharacterTokens(text) => visit(Piece::Text(&text)),
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

/// Text made safe inside HTML or XML, as element text or a quoted attribute value: `&`, `<`,
/// `>` and `"` as entities (pulldown-cmark's escaper, which Markdown bodies go through too).
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    pulldown_cmark_escape::escape_html(&mut out, text).expect("writing to a String cannot fail");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tokens of `html`, adjacent runs of text joined.
    fn pieces(html: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut in_text = false;
        walk(html, |piece| {
            let (text, is_text) = match piece {
                Piece::Start(tag) => (format!("<{}>", tag.name), false),
                Piece::End(tag) => (format!("</{}>", tag.name), false),
                Piece::Text(text) => (text.to_string(), true),
            };
            match out.last_mut() {
                Some(last) if in_text && is_text => last.push_str(&text),
                _ => out.push(text),
            }
            in_text = is_text;
        });
        out
    }

    #[test]
    fn tags_and_decoded_text_in_order_with_scripts_as_text() {
        assert_eq!(
            pieces("<P id=a>x &amp; y</p><script>'<b>'</script>"),
            ["<p>", "x & y", "</p>", "<script>", "'<b>'", "</script>"]
        );
    }

    #[test]
    fn attributes_are_found_by_name_whatever_their_quoting() {
        let mut found = Vec::new();
        start_tags("<a ID='x' href=y&amp;z><b title=\"t\">", |tag| {
            let value = |name| attribute(tag, name).map(str::to_string);
            found.push((value("id"), value("href")));
        });
        let expected = [(Some("x".into()), Some("y&z".into())), (None, None)];
        assert_eq!(found, expected);
    }
}
