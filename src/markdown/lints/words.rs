//! The lints' rules on plain text, wherever the text comes from (a page's prose, a data file's
//! strings): words written in capitals, and link text that does not say where a link goes.

use std::ops::Range;

use crate::model::lints::Lints;
use crate::model::source::Span;

/// Link texts that say nothing of their target, compared once lower-cased and stripped of
/// punctuation ("Click here!" is "click here"). A closed list: a phrase is vague everywhere.
pub(crate) const VAGUE_LINK_TEXTS: &[&str] = &[
    "here",
    "click here",
    "click",
    "link",
    "this link",
    "more",
    "read more",
    "learn more",
    "this page",
    "this",
];

/// Why a link's text does not describe its target, if it does not.
#[derive(Debug, PartialEq)]
pub(crate) enum VagueText {
    /// The link has no text at all.
    Empty,
    /// One of `VAGUE_LINK_TEXTS`.
    Phrase,
    /// A web address, which screen readers spell out.
    Url,
}

/// Judges a link's visible text (`destination` is where it goes).
pub(crate) fn vague_link_text(text: &str, destination: &str) -> Option<VagueText> {
    let text = text.trim();
    let words = normalised(text);
    if words.is_empty() {
        return Some(VagueText::Empty);
    }
    if VAGUE_LINK_TEXTS.contains(&words.as_str()) {
        return Some(VagueText::Phrase);
    }
    let lower = text.to_lowercase();
    let address = ["http://", "https://", "www."]
        .iter()
        .any(|start| lower.starts_with(start))
        && !text.contains(char::is_whitespace);
    (address || (text == destination && lower.contains("://"))).then_some(VagueText::Url)
}

/// Lower case, with every run of punctuation and spaces made one space and none at the ends.
fn normalised(text: &str) -> String {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The words of `text` written in capitals that the lint reports: more than four letters, every
/// letter upper case, not an allowed acronym, not part of a web address. Byte ranges in `text`.
pub(crate) fn capitals(text: &str, lints: &Lints) -> Vec<Range<usize>> {
    let found = Vec::new();
    // Most prose has no word of five capitals at all: ASCII text is then done with in one
    // cheap pass.
    if text.is_ascii() && !ascii_may_shout(text.as_bytes()) {
        return found;
    }
    every_capital_word(text, lints, found)
}

/// `capitals` without its quick test: every token read.
fn every_capital_word(
    text: &str,
    lints: &Lints,
    mut found: Vec<Range<usize>>,
) -> Vec<Range<usize>> {
    for (token_start, token) in tokens(text) {
        let www = token
            .get(..4)
            .is_some_and(|start| start.eq_ignore_ascii_case("www."));
        if www || token.contains("://") {
            continue;
        }
        for (start, word) in words(token) {
            let letters = word.chars().filter(|c| c.is_alphabetic()).count();
            let shouted = letters > 4
                && word
                    .chars()
                    .filter(|c| c.is_alphabetic())
                    .all(char::is_uppercase);
            if shouted && !lints.is_acronym(word) {
                let at = token_start + start;
                found.push(at..at + word.len());
            }
        }
    }
    found
}

/// Whether ASCII `text` has five capitals or digits in a row, a capital among them: a word
/// `capitals` reports is such a run (more than four letters, all capitals, digits allowed), and
/// a five-digit number is not. Every byte of prose is looked at, so in two loops the compiler
/// turns into vector code: each block's bytes marked, then each window of five marks tested
/// (about 2 ns for a 200-byte text; the word-at-a-time version before took three times that, 7%
/// of a 10,000-page build).
fn ascii_may_shout(text: &[u8]) -> bool {
    const BLOCK: usize = 256;
    // Bit 0: a capital or a digit; bit 1: a capital.
    let mark = |byte: u8| {
        let capital = u8::from(byte.wrapping_sub(b'A') < 26);
        capital | u8::from(byte.wrapping_sub(b'0') < 10) | (capital << 1)
    };
    // A block's marks, after the last four of the text before it, so a run across the
    // boundary is seen.
    let mut marks = [0u8; BLOCK + 4];
    let mut carried = [0u8; 4];
    for block in text.chunks(BLOCK) {
        let n = block.len();
        marks[..4].copy_from_slice(&carried);
        for (marked, &byte) in marks[4..4 + n].iter_mut().zip(block) {
            *marked = mark(byte);
        }
        let marks = &marks[..n + 4];
        let five = marks
            .iter()
            .zip(&marks[1..])
            .zip(&marks[2..])
            .zip(&marks[3..])
            .zip(&marks[4..])
            .fold(0, |any, ((((&a, &b), &c), &d), &e)| {
                // All five marked, and one a capital (bit 1 of any of them, moved to bit 0).
                any | (a & b & c & d & e & ((a | b | c | d | e) >> 1))
            });
        if five != 0 {
            return true;
        }
        carried.copy_from_slice(&marks[n..]);
    }
    false
}

/// The whitespace-separated pieces of `text`, with their offsets.
fn tokens(text: &str) -> impl Iterator<Item = (usize, &str)> {
    pieces(text, |c| !c.is_whitespace())
}

/// The runs of letters and digits in `token`, with their offsets.
fn words(token: &str) -> impl Iterator<Item = (usize, &str)> {
    pieces(token, char::is_alphanumeric)
}

/// The maximal runs of characters for which `keep` holds, with their offsets.
fn pieces(text: &str, keep: fn(char) -> bool) -> impl Iterator<Item = (usize, &str)> {
    let mut rest = text.char_indices().peekable();
    std::iter::from_fn(move || {
        let (start, _) = rest.by_ref().find(|(_, c)| keep(*c))?;
        let mut end = text.len();
        while let Some(&(at, c)) = rest.peek() {
            if !keep(c) {
                end = at;
                break;
            }
            rest.next();
        }
        Some((start, &text[start..end]))
    })
}

/// Spans of words in capitals gathered across a text (in order), consecutive ones joined into
/// one problem when nothing in lower case and no line end stands between them: a shouted
/// sentence is one report, not one per word.
#[derive(Default)]
pub(crate) struct CapitalRuns {
    open: Option<Span>,
    done: Vec<Span>,
}

impl CapitalRuns {
    /// Adds the span of one word in capitals; `source` is the text both spans index.
    pub(crate) fn push(&mut self, span: Span, source: &str) {
        if let Some(open) = &mut self.open {
            let between = source.get(open.end..span.start);
            let joins =
                between.is_some_and(|b| !b.contains(|c: char| c.is_lowercase() || c == '\n'));
            if joins {
                open.end = span.end;
                return;
            }
        }
        self.done.extend(self.open.replace(span));
    }

    /// Every run, in order.
    pub(crate) fn finish(mut self) -> Vec<Span> {
        self.done.extend(self.open.take());
        self.done
    }
}

/// Where each word of `decoded` (ranges from `capitals`) is in `written`, the same text as its
/// source writes it (quotes, escapes and entities included), searched in order; `None` for a
/// word the source spells otherwise. Offsets are in `written`.
pub(crate) fn located(
    decoded: &str,
    words: &[Range<usize>],
    written: &str,
) -> Vec<Option<Range<usize>>> {
    let mut from = 0;
    words
        .iter()
        .map(|word| {
            let word = &decoded[word.clone()];
            let at = from + written.get(from..)?.find(word)?;
            from = at + word.len();
            Some(at..from)
        })
        .collect()
}

/// The problem's quote of a run in capitals, shortened when long.
pub(crate) fn quoted_run(run: &str) -> String {
    const MOST: usize = 40;
    match run.char_indices().nth(MOST) {
        Some((cut, _)) => {
            let shown = &run[..cut];
            let at_word = shown.rfind(char::is_whitespace).unwrap_or(cut);
            format!("{}…", shown[..at_word].trim_end())
        }
        None => run.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The quick test never misses a word `capitals` reports, and is false for prose.
    #[test]
    fn the_quick_test_for_capitals_misses_none() {
        // What the quick test looks for, byte by byte: five capitals or digits, one a capital.
        let shouting_window = |w: &[u8]| {
            w.iter()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
                && w.iter().any(u8::is_ascii_uppercase)
        };
        let lints = Lints::default();
        let mut rng = fastrand::Rng::with_seed(7);
        let alphabet = b"AZaz09 .-_\nQ5x";
        for round in 0..20_000 {
            let len = rng.usize(0..40);
            let text: String = (0..len)
                .map(|_| char::from(alphabet[rng.usize(..alphabet.len())]))
                .collect();
            if !every_capital_word(&text, &lints, Vec::new()).is_empty() {
                assert!(ascii_may_shout(text.as_bytes()), "{round}: {text:?}");
            }
            let slow = text.as_bytes().windows(5).any(shouting_window);
            assert_eq!(ascii_may_shout(text.as_bytes()), slow, "{text:?}");
        }
        // Long texts, so runs cross the blocks the test reads a text in.
        let mostly_prose = b"abcdefghijklmnopqrstuvwxyz AZ09";
        for round in 0..2_000 {
            let len = rng.usize(0..1_000);
            let text: Vec<u8> = (0..len)
                .map(|_| mostly_prose[rng.usize(..mostly_prose.len())])
                .collect();
            let slow = text.windows(5).any(shouting_window);
            assert_eq!(ascii_may_shout(&text), slow, "{round}");
        }
        let mut across = vec![b'a'; 254];
        across.extend_from_slice(b"ABCDE");
        assert!(ascii_may_shout(&across));
        across[256] = b'a';
        assert!(!ascii_may_shout(&across));
        assert!(!ascii_may_shout(
            b"Site Reliability Engineers keep an SLO of 99.9% in 2024."
        ));
        assert!(ascii_may_shout(b"this is SHOUT"));
        assert!(ascii_may_shout(b"across 1234|5678ABCDE"));
        // Numbers are not shouted, nor do they make the test read every word.
        assert!(!ascii_may_shout(b"Page 30000: 1234567 pages, $150000"));
        assert!(ascii_may_shout(b"Page 30000A"));
        assert!(ascii_may_shout(b"H2O2X9"), "capitals and digits in one run");
    }

    fn shouted(text: &str) -> Vec<&str> {
        capitals(text, &Lints::default())
            .into_iter()
            .map(|range| &text[range])
            .collect()
    }

    #[test]
    fn words_of_more_than_four_capitals_are_found() {
        assert_eq!(
            shouted("NEVER page twice; DO NOT ESCALATE. ÉCOLE ok"),
            ["NEVER", "ESCALATE", "ÉCOLE"]
        );
        assert!(shouted("SLOs, MTTR, HIPAA and FAANG are fine; Outage too").is_empty());
        assert!(shouted("see HTTPS://EXAMPLE.ORG/PAGES or WWW.EXAMPLE.ORG").is_empty());
        assert_eq!(shouted("K8S3X ABCD1 ABCDE2"), ["ABCDE2"]);
    }

    #[test]
    fn acronyms_from_site_toml_pass() {
        let mut lints = Lints::default();
        lints.allow_acronym("NOAA");
        lints.allow_acronym("ONCALL");
        assert!(capitals("ONCALL rota", &lints).is_empty());
    }

    #[test]
    fn consecutive_words_in_capitals_make_one_run() {
        let text = "DO NOT PAGE THE ONCALL ENGINEER, ever. AFTER\nMIDNIGHT";
        let mut runs = CapitalRuns::default();
        for word in capitals(text, &Lints::default()) {
            runs.push(word, text);
        }
        let runs: Vec<&str> = runs.finish().into_iter().map(|r| &text[r]).collect();
        assert_eq!(runs, ["ONCALL ENGINEER", "AFTER", "MIDNIGHT"]);
    }

    #[test]
    fn vague_link_texts_are_found_in_any_case_and_punctuation() {
        for text in [
            "here",
            "Click HERE!",
            "read more…",
            " Read  more » ",
            "this page.",
            "→ More",
        ] {
            assert_eq!(
                vague_link_text(text, "x.md"),
                Some(VagueText::Phrase),
                "{text}"
            );
        }
        assert_eq!(vague_link_text(" ", "x.md"), Some(VagueText::Empty));
        for url in [
            "https://sre.google/books/",
            "www.example.org",
            "HTTP://X.ORG",
        ] {
            assert_eq!(
                vague_link_text(url, "https://x/"),
                Some(VagueText::Url),
                "{url}"
            );
        }
        for fine in [
            "the staff page",
            "here is why",
            "moreover",
            "sre@example.org",
            "Site Reliability Engineering (https://sre.google/)",
        ] {
            assert_eq!(
                vague_link_text(fine, "mailto:sre@example.org"),
                None,
                "{fine}"
            );
        }
    }

    #[test]
    fn words_are_found_again_in_the_source_as_written() {
        let decoded = "“STOP” & GO NOW";
        let written = "\"STOP\" &amp; GO NOW";
        let words = [3..7, 16..19];
        assert_eq!(
            located(decoded, &words, written),
            [Some(1..5), Some(16..19)]
        );
        let whole = 0..5;
        assert_eq!(
            located("ABCDE", std::slice::from_ref(&whole), "ABC\\DE"),
            [None]
        );
    }

    #[test]
    fn long_runs_are_shortened_in_quotes() {
        assert_eq!(quoted_run("SHORT RUN"), "SHORT RUN");
        let long = "ALPHA BRAVO CHARLIE DELTA ECHO FOXTROT GOLF HOTEL";
        assert_eq!(quoted_run(long), "ALPHA BRAVO CHARLIE DELTA ECHO FOXTROT…");
    }
}
