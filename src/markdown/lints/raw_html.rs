//! Raw HTML in a page body as the lints read it: the lines of one HTML block (or one inline tag)
//! joined, read by a browser's tokenizer, each tag found again in the source so a problem points
//! at the tag the editor wrote.

use std::cell::Cell;
use std::ops::Range;

use crate::model::html::{Piece, Tag};
use crate::model::source::Span;

/// One stretch of raw HTML and where its pieces are in the source.
pub(super) struct RawHtml {
    joined: String,
    /// `joined` in ASCII lower case (same offsets), for finding tags written in any case.
    lower: String,
    /// Where each fragment starts: (offset in `joined`, offset in the source).
    starts: Vec<(usize, usize)>,
    /// Where the last word found in text ends in `joined`: the next is searched after it.
    words_end: Cell<usize>,
}

/// A token of raw HTML: a start tag with the span of its first line in the source, an end tag's
/// name, or text with the offset in `joined` from which its words are searched.
pub(super) enum RawPiece<'a> {
    Start(&'a Tag, Span),
    End(&'a str),
    Text(&'a str, usize),
}

impl RawHtml {
    /// Joins `fragments`, each its text and the source offset it starts at.
    pub(super) fn new<'f>(fragments: impl IntoIterator<Item = (&'f str, usize)>) -> RawHtml {
        let mut joined = String::new();
        let mut starts = Vec::new();
        for (text, source) in fragments {
            starts.push((joined.len(), source));
            joined.push_str(text);
        }
        let lower = joined.to_ascii_lowercase();
        RawHtml {
            joined,
            lower,
            starts,
            words_end: Cell::new(0),
        }
    }

    /// Calls `visit` with every piece, in order.
    pub(super) fn walk(&self, mut visit: impl FnMut(RawPiece<'_>)) {
        let mut cursor = 0;
        crate::model::html::walk(&self.joined, |piece| match piece {
            Piece::Start(tag) => {
                let span = self.find_tag(&format!("<{}", tag.name), &mut cursor);
                visit(RawPiece::Start(tag, span));
            }
            Piece::End(tag) => {
                self.find_tag(&format!("</{}", tag.name), &mut cursor);
                visit(RawPiece::End(tag.name.as_ref()));
            }
            Piece::Text(text) => visit(RawPiece::Text(text, cursor.max(self.words_end.get()))),
        });
    }

    /// The source span of the next `opening` (`<img`, `</a`) from `cursor` on, up to its `>` or
    /// its line's end, and moves `cursor` past it. Not found (markup the tokenizer made up):
    /// the start of the fragment, and `cursor` stays.
    fn find_tag(&self, opening: &str, cursor: &mut usize) -> Span {
        let found = self.lower[*cursor..]
            .match_indices(opening)
            .find_map(|(at, _)| {
                let at = *cursor + at;
                let after = self.lower[at + opening.len()..].chars().next();
                after
                    .is_none_or(|c| c.is_ascii_whitespace() || c == '/' || c == '>')
                    .then_some(at)
            });
        let Some(at) = found else {
            let start = self.source(*cursor);
            return start..start;
        };
        let rest = &self.joined[at..];
        let end = at
            + rest
                .find('>')
                .map(|i| i + 1)
                .into_iter()
                .chain(rest.find('\n'))
                .min()
                .unwrap_or(rest.len());
        *cursor = end;
        self.source(at)..self.source(end)
    }

    /// Source spans of `words` (ranges in the decoded `text`) searched in the raw HTML from
    /// `from` on; `None` for a word written otherwise (with an entity).
    pub(super) fn source_words(
        &self,
        text: &str,
        words: &[Range<usize>],
        from: usize,
    ) -> Vec<Option<Span>> {
        let found = super::words::located(text, words, &self.joined[from..]);
        if let Some(last) = found.iter().flatten().last() {
            self.words_end.set(from + last.end);
        }
        found
            .into_iter()
            .map(|found| found.map(|r| self.source(from + r.start)..self.source(from + r.end)))
            .collect()
    }

    /// The source offset of offset `at` in `joined`.
    fn source(&self, at: usize) -> usize {
        let index = self.starts.partition_point(|(joined, _)| *joined <= at);
        match index.checked_sub(1).and_then(|i| self.starts.get(i)) {
            Some((joined, source)) => source + (at - joined),
            None => at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every start tag's name and source text, end tags as `/name`, text as is.
    fn pieces(source: &str, fragments: &[(usize, usize)]) -> Vec<String> {
        let raw = RawHtml::new(fragments.iter().map(|r| (&source[r.0..r.1], r.0)));
        let mut found = Vec::new();
        raw.walk(|piece| {
            found.push(match piece {
                RawPiece::Start(tag, span) => format!("{}={}", tag.name, &source[span]),
                RawPiece::End(name) => format!("/{name}"),
                RawPiece::Text(text, _) => text.to_string(),
            })
        });
        found
    }

    #[test]
    fn tags_are_found_in_the_source_in_any_case_across_lines() {
        let source = "x\n<TABLE class=t>\n  <tr><Th>A</th>\n</table>\n";
        let lines = [(2, 18), (18, 35), (35, 44)];
        let found = pieces(source, &lines);
        assert_eq!(
            found,
            [
                "table=<TABLE class=t>",
                "\n",
                "  ",
                "tr=<tr>",
                "th=<Th>",
                "A",
                "/th",
                "\n",
                "/table",
                "\n"
            ]
        );
    }

    #[test]
    fn a_tag_over_several_lines_is_marked_on_its_first() {
        let source = "<img\n  src=x>";
        assert_eq!(pieces(source, &[(0, 13)]), ["img=<img"]);
    }

    #[test]
    fn words_of_text_are_found_after_the_tag_before_them() {
        let source = "<p title=\"NEVER\">NEVER &amp; NEVER</p>";
        let raw = RawHtml::new([(source, 0)]);
        let mut spans = Vec::new();
        raw.walk(|piece| {
            if let RawPiece::Text(text, from) = piece {
                let words = super::super::words::capitals(text, &Default::default());
                spans.extend(raw.source_words(text, &words, from));
            }
        });
        assert_eq!(spans, [Some(17..22), Some(29..34)]);
    }
}
