//! How `build` and `check` print what they found, by `--message-format`: `human` (the rustc
//! layout on stderr), `json` (one JSON object per problem on stdout, nothing else there) or
//! `github` (the human layout on stderr, and one GitHub Actions annotation per problem on
//! stdout). The count line and environment errors are always human, on stderr.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::model::diagnostic::{self, Diagnostic, Severity};

#[derive(Clone, Copy, Default, clap::ValueEnum)]
pub(crate) enum MessageFormat {
    /// The rustc layout on stderr.
    #[default]
    Human,
    /// One JSON object per problem on stdout (docs/message-formats.md).
    Json,
    /// GitHub Actions annotations on stdout, and the human layout on stderr.
    Github,
}

#[derive(Clone)]
pub(crate) struct Reporter {
    format: MessageFormat,
    /// The site root as given, so annotations name files from the working directory.
    root: PathBuf,
    /// `--all-errors`: the terminal shows every problem, not the first 50 of each code.
    all: bool,
}

impl Reporter {
    pub(crate) fn new(format: MessageFormat, root: &Path) -> Reporter {
        Reporter {
            format,
            root: root.to_path_buf(),
            all: false,
        }
    }

    /// Every problem in the terminal (`--all-errors`).
    pub(crate) fn all_errors(mut self, all: bool) -> Reporter {
        self.all = all;
        self
    }

    /// For commands without `--message-format` (`new`).
    pub(crate) fn human() -> Reporter {
        Reporter::new(MessageFormat::Human, Path::new("."))
    }

    /// Each problem, in the format asked for.
    pub(crate) fn problems(&self, diagnostics: &[Diagnostic]) {
        if diagnostics.is_empty() {
            return;
        }
        // The terminal gets the first 50 of each code (unless `--all-errors`); JSON and
        // annotations, every one.
        match self.format {
            MessageFormat::Json => {}
            _ if self.all => diagnostic::eprint_all(diagnostics),
            _ => diagnostic::eprint_first(diagnostics, diagnostic::PER_KIND),
        }
        let lines: String = match self.format {
            MessageFormat::Human => return,
            MessageFormat::Json => diagnostics
                .iter()
                .map(|d| d.to_json_line() + "\n")
                .collect(),
            MessageFormat::Github => diagnostics
                .iter()
                .map(|d| d.to_github(&self.root) + "\n")
                .collect(),
        };
        let mut stdout = std::io::stdout().lock();
        // A closed pipe (`| head`) loses lines no one reads; the exit code still tells.
        let _ = stdout
            .write_all(lines.as_bytes())
            .and_then(|()| stdout.flush());
    }

    /// Every problem, then the count line; `outcome` finishes it: what became of the output.
    pub(crate) fn failure(&self, diagnostics: &[Diagnostic], outcome: &str) {
        self.problems(diagnostics);
        eprintln!("error: {}{outcome}", count_line(diagnostics));
    }

    /// The line that says what a successful run did: on stdout, except with `json`, whose
    /// stdout holds JSON lines only.
    pub(crate) fn summary(&self, line: std::fmt::Arguments) {
        match self.format {
            MessageFormat::Json => eprintln!("{line}"),
            MessageFormat::Human | MessageFormat::Github => println!("{line}"),
        }
    }
}

/// "found 2 problems", "found 1 problem and 3 warnings".
fn count_line(diagnostics: &[Diagnostic]) -> String {
    let warnings = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .count();
    let errors = diagnostics.len() - warnings;
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    let mut line = format!("found {errors} problem{}", plural(errors));
    if warnings > 0 {
        line.push_str(&format!(" and {warnings} warning{}", plural(warnings)));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::diagnostic::Code;

    #[test]
    fn the_count_line_counts_warnings_apart() {
        let error = Diagnostic::in_file(Code::FileUnreadable, "a", "m");
        let warning = Diagnostic::in_file(Code::ReadingOrderTie, "a", "m");
        assert_eq!(count_line(std::slice::from_ref(&error)), "found 1 problem");
        assert_eq!(
            count_line(&[error.clone(), error.clone(), warning]),
            "found 2 problems and 1 warning"
        );
    }
}
