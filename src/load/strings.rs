//! The strings of a TOML file (a data file, site.toml, a page's front matter) checked as the
//! prose templates show them: a control character written as an escape (`\u0001`) is an error,
//! words in capitals a lint. Reads the TOML again for the place of every string, whatever the
//! file's schema, and only when the text may hold either; syntax errors are the typed parse's
//! to report.

use std::sync::Arc;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::markdown::lints::ALL_CAPS_HELP;
use crate::markdown::lints::words::{CapitalRuns, capitals, located, quoted_run};
use crate::model::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::lints::Lints;
use crate::model::source::{SourceFile, Span, is_control_character};

/// Checks every string of the TOML `text`, which starts at byte `start` of `file`.
pub(crate) fn check_strings(
    file: &Arc<SourceFile>,
    start: usize,
    text: &str,
    lints: &Lints,
    out: &mut Diagnostics,
) {
    // A string's words in capitals are in the file's text too (bar ones spelt with `\u`
    // escapes, which no one writes), and a control character can only be an escape (TOML
    // refuses one written as it is): a file with neither is not parsed again.
    let shouts = lints.is_on(Code::AllCaps) && !capitals(text, lints).is_empty();
    let escapes = may_escape_a_control(text);
    if !shouts && !escapes {
        return;
    }
    let Ok(table) = DeTable::parse(text) else {
        return;
    };
    let mut strings = Vec::new();
    strings_in_table(table.get_ref(), &mut strings);
    for (value, span) in strings {
        let at = start + span.start..start + span.end;
        let Some(written) = file.text().get(at.clone()) else {
            continue;
        };
        if escapes && let Some(control) = value.chars().find(|&c| is_control_character(c)) {
            out.push(
                Diagnostic::at(
                    Code::ControlCharacter,
                    file,
                    at.clone(),
                    format!(
                        "this string holds the control character U+{:04X}, written as an escape",
                        u32::from(control)
                    ),
                )
                .help("delete the escape: control characters are not text, break the HTML and may be taken for sre-guide's own markers"),
            );
        }
        if shouts {
            lint_capitals(file, at, value, written, lints, out);
        }
    }
}

/// Whether `text` has an escape that can stand for a control character: `\u`, `\U`, `\x`,
/// `\b`, `\f` or `\e` (`\t`, `\n` and `\r` stand for text).
fn may_escape_a_control(text: &str) -> bool {
    memchr::memchr_iter(b'\\', text.as_bytes()).any(|at| {
        matches!(
            text.as_bytes().get(at + 1),
            Some(b'u' | b'U' | b'x' | b'b' | b'f' | b'e')
        )
    })
}

/// Reports the words in capitals of the string `value`, written as `written` at `at` in `file`.
fn lint_capitals(
    file: &Arc<SourceFile>,
    at: Span,
    value: &str,
    written: &str,
    lints: &Lints,
    out: &mut Diagnostics,
) {
    let words = capitals(value, lints);
    let found = located(value, &words, written);
    // A word written with an escape (`\u0041`) cannot be pointed at: the string is.
    let runs = match found.into_iter().collect::<Option<Vec<_>>>() {
        None => vec![at],
        Some(found) => {
            let mut runs = CapitalRuns::default();
            for word in found {
                runs.push(at.start + word.start..at.start + word.end, file.text());
            }
            runs.finish()
        }
    };
    for run in runs {
        let quoted = quoted_run(file.text().get(run.clone()).unwrap_or_default());
        lints.report(
            Diagnostic::at(
                Code::AllCaps,
                file,
                run,
                format!("`{quoted}` is written in capitals"),
            )
            .help(ALL_CAPS_HELP),
            out,
        );
    }
}

/// Every string value below `table` (keys are names, not prose), with its span.
fn strings_in_table<'t>(table: &'t DeTable, out: &mut Vec<(&'t str, Span)>) {
    for (_, value) in table.iter() {
        strings_in(value, out);
    }
}

fn strings_in<'t>(value: &'t Spanned<DeValue>, out: &mut Vec<(&'t str, Span)>) {
    match value.get_ref() {
        DeValue::String(text) => out.push((text, value.span())),
        DeValue::Array(items) => items.iter().for_each(|item| strings_in(item, out)),
        DeValue::Table(table) => strings_in_table(table, out),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn linted(text: &str) -> Vec<String> {
        let file = SourceFile::new("content/data/x.toml", text);
        let mut out = Diagnostics::default();
        check_strings(&file, 0, text, &Lints::default(), &mut out);
        out.sorted().iter().map(Diagnostic::located).collect()
    }

    #[test]
    fn strings_anywhere_in_the_file_are_checked_keys_are_not() {
        let text = "SHOUTING = \"calm\"\n[[levels]]\nname = \"Senior\"\nnotes = [\"fine\", \"NEVER AGAIN\"]\n[levels.deep]\nhint = '''\nA LOUDER\nNOISE'''\n";
        assert_eq!(
            linted(text),
            [
                "4:19 `NEVER AGAIN` is written in capitals",
                "7:3 `LOUDER` is written in capitals",
                "8:1 `NOISE` is written in capitals",
            ]
        );
    }

    #[test]
    fn a_word_written_with_an_escape_is_pointed_at_by_its_string() {
        assert_eq!(
            linted("note = \"NEVER \\u0041GAIN\"\n"),
            ["1:8 `\"NEVER \\u0041GAIN\"` is written in capitals"]
        );
    }

    #[test]
    fn a_control_character_written_as_an_escape_is_an_error_wherever_the_string_is() {
        assert_eq!(
            linted("title = \"Ho\\u0001me\"\n[deep]\nnote = [\"ok\", \"bell\\b\"]\n"),
            [
                "1:9 this string holds the control character U+0001, written as an escape",
                "3:15 this string holds the control character U+0008, written as an escape",
            ]
        );
        // Tabs and line ends are text; a literal string has no escapes; `\\u` is a backslash.
        assert!(linted("a = \"x\\ty\\r\\n\"\nb = '\\u0001'\nc = \"\\\\u0001\"\n").is_empty());
    }

    #[test]
    fn acronyms_and_broken_files_are_left_alone() {
        assert!(linted("note = \"HIPAA and FAANG\"\n").is_empty());
        assert!(
            linted("note = \"NEVER\n").is_empty(),
            "the typed parse reports it"
        );
    }
}
