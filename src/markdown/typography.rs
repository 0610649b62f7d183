//! Plain text from data files → the typography Markdown prose gets: pulldown-cmark's smart
//! punctuation (curly quotes and apostrophes, "--" → en dash, "..." → ellipsis) with every
//! other Markdown syntax escaped, plus the guide's own rule that a range takes an en dash
//! ("4-7" → "4–7"). Text in, text out: it never adds markup and never fails.

use pulldown_cmark::{Event, Options, Parser};

pub(crate) fn typeset(text: &str) -> String {
    let mut source = String::with_capacity(text.len() + 8);
    let leading_digits = text.chars().take_while(char::is_ascii_digit).count();
    for (i, c) in text.chars().enumerate() {
        // Only what smart punctuation reads stays live; a leading "-" or "1." would be a list.
        let live = matches!(c, '\'' | '"' | '-' | '.')
            && !(i == 0 && c == '-')
            && !(c == '.' && i == leading_digits && i > 0);
        if c.is_ascii_punctuation() && !live {
            source.push('\\');
        }
        source.push(c);
    }
    let mut out = String::with_capacity(text.len());
    for event in Parser::new_ext(&source, Options::ENABLE_SMART_PUNCTUATION) {
        match event {
            Event::Text(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push('\n'),
            _ => {}
        }
    }
    en_dash_ranges(&out)
}

/// "4-7 years", "$87,500-$126,500" → en dashes; "IC-vs-management", "phase-1" stay.
fn en_dash_ranges(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    chars
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let digit_before = i > 0 && chars[i - 1].is_ascii_digit();
            let number_after = chars
                .get(i + 1)
                .is_some_and(|&n| n.is_ascii_digit() || n == '$');
            if c == '-' && digit_before && number_after {
                '–'
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_apostrophes_and_ranges_read_as_in_prose() {
        assert_eq!(
            typeset("the team's \"best\" 4-7 years"),
            "the team’s “best” 4–7 years"
        );
        assert_eq!(
            typeset("$87,500-$126,500 -- wait..."),
            "$87,500–$126,500 – wait…"
        );
        assert_eq!(
            typeset("IC-vs-management, phase-1"),
            "IC-vs-management, phase-1"
        );
    }

    #[test]
    fn markdown_syntax_stays_literal_text() {
        for text in [
            "*not emphasis* and _this_",
            "<b>tag</b> & &amp; `code` [link](x.md)",
            "# heading? > quote",
            "1. not a list",
            "- not a list either",
            "back\\slash",
        ] {
            assert_eq!(typeset(text), text, "{text}");
        }
        assert_eq!(typeset(""), "");
    }
}
