//! The strings of a TOML file (a data file, site.toml, a page's front matter) checked for words
//! in capitals: templates show them as prose, as much as a page body is. Reads the TOML again
//! for the place of every string, whatever the file's schema; syntax errors are the typed
//! parse's to report.

use std::sync::Arc;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::markdown::lints::ALL_CAPS_HELP;
use crate::markdown::lints::words::{CapitalRuns, capitals, located, quoted_run};
use crate::model::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::lints::Lints;
use crate::model::source::{SourceFile, Span};

/// Lints every string of the TOML `text`, which starts at byte `start` of `file`.
pub(crate) fn lint_strings(
    file: &Arc<SourceFile>,
    start: usize,
    text: &str,
    lints: &Lints,
    out: &mut Diagnostics,
) {
    // A string's words in capitals are in the file's text too (bar ones spelt with `\u`
    // escapes, which no one writes): a file without any is not parsed again.
    if !lints.is_on(Code::AllCaps) || capitals(text, lints).is_empty() {
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
        lint_strings(&file, 0, text, &Lints::default(), &mut out);
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
    fn acronyms_and_broken_files_are_left_alone() {
        assert!(linted("note = \"HIPAA and FAANG\"\n").is_empty());
        assert!(
            linted("note = \"NEVER\n").is_empty(),
            "the typed parse reports it"
        );
    }
}
