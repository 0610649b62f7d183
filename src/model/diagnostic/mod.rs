//! Problems an editor can fix, as values: a stable code (`codes.rs`), a severity, a message,
//! where it is (file and byte span), how to fix it, and the edits that would (a did-you-mean).
//! Stages collect them; the commands print them in the rustc layout or as machine-readable lines
//! (`formats.rs`), `serve` shows them as an overlay and `lsp` publishes them to editors. Nothing
//! here decides whether a build fails except `Diagnostics::into_result`.

pub(crate) mod codes;
pub(crate) mod formats;
pub(crate) mod toml_errors;

use std::io::IsTerminal;
use std::sync::Arc;

use annotate_snippets::{AnnotationKind, Level, Origin, Renderer, Snippet};
use serde::{Deserialize, Serialize};

use crate::model::source::{SourceFile, Span};

pub(crate) use codes::{Code, Severity};

/// One problem an editor can fix: what it is, where, and how to fix it.
#[derive(Debug, Clone)]
pub(crate) struct Diagnostic {
    /// Its stable code (`link-target-missing`), the same in every channel.
    pub(crate) code: Code,
    /// The code's default unless configuration changed it (`with_severity`).
    pub(crate) severity: Severity,
    /// What is wrong, in one sentence: ``link target `phases/staf.md` does not exist``.
    pub(crate) message: String,
    /// The file, and the span in it when one is known.
    pub(crate) location: Location,
    /// How to fix it: ``did you mean `staff.md`?``.
    pub(crate) help: Option<String>,
    /// Where the problem showed up when that differs from where it is (a template failing
    /// while rendering a page).
    pub(crate) context: Option<String>,
    /// Labels and edits, which few problems have: apart, so every diagnostic stays small.
    marks: Option<Box<Marks>>,
}

/// A diagnostic's labels and edits.
#[derive(Debug, Clone, Default)]
struct Marks {
    /// Other places in the same file that explain the problem (where an id was first used).
    labels: Vec<Label>,
    /// Changes to the same file that fix the problem: each did-you-mean, as the text it writes.
    edits: Vec<Edit>,
}

/// Where a problem is: a position in a file, or only the file.
#[derive(Debug, Clone)]
pub(crate) enum Location {
    /// A byte span of a source file.
    At(Arc<SourceFile>, Span),
    /// A file the problem is about when no position in it is known (an unreadable file).
    File(String),
}

/// A secondary place in the diagnostic's file, with what it says about the problem.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Label {
    /// Bytes of the diagnostic's file.
    pub(crate) span: Span,
    /// What the place says: `first used here`.
    pub(crate) message: String,
}

/// A fix: `span` of the diagnostic's file replaced by `replacement`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Edit {
    /// Bytes of the diagnostic's file to replace.
    pub(crate) span: Span,
    /// The text that fixes them: `staff.md`.
    pub(crate) replacement: String,
}

impl Diagnostic {
    /// A problem at `span` of `file`.
    pub(crate) fn at(
        code: Code,
        file: &Arc<SourceFile>,
        span: Span,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic::new(code, Location::At(Arc::clone(file), span), message.into())
    }

    /// A problem with the file at `path` (relative to the site root) as a whole.
    pub(crate) fn in_file(code: Code, path: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic::new(code, Location::File(path.into()), message.into())
    }

    /// A problem at `location`, of its code's default severity.
    fn new(code: Code, location: Location, message: String) -> Self {
        Diagnostic {
            code,
            severity: code.default_severity(),
            message,
            location,
            help: None,
            context: None,
            marks: None,
        }
    }

    /// Other places in the same file that explain the problem (where an id was first used).
    pub(crate) fn labels(&self) -> &[Label] {
        self.marks.as_ref().map_or(&[], |marks| &marks.labels)
    }

    /// Changes to the same file that fix the problem: each did-you-mean, as the text it writes.
    pub(crate) fn edits(&self) -> &[Edit] {
        self.marks.as_ref().map_or(&[], |marks| &marks.edits)
    }

    /// The labels and edits, made on first use.
    fn marks(&mut self) -> &mut Marks {
        self.marks.get_or_insert_default()
    }

    /// The same problem with `help` saying how to fix it.
    pub(crate) fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Overrides the code's default severity (a lint set to `warning` in site.toml).
    pub(crate) fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// Points at another place in the same file; ignored for a problem without a position.
    pub(crate) fn label(mut self, span: Span, message: impl Into<String>) -> Self {
        if matches!(self.location, Location::At(..)) {
            self.marks().labels.push(Label {
                span,
                message: message.into(),
            });
        }
        self
    }

    /// Adds the edit that writes `replacement` over `span` of the same file. A span holding a
    /// quoted TOML string keeps its quotes: `"juinor"` becomes `"junior"`, not `junior`.
    /// Ignored for a problem without a position.
    pub(crate) fn edit(mut self, span: Span, replacement: &str) -> Self {
        if let Location::At(file, _) = &self.location {
            let written = file.text().get(span.clone()).unwrap_or_default();
            let quote = ['"', '\'']
                .into_iter()
                .find(|q| written.len() >= 2 && written.starts_with(*q) && written.ends_with(*q));
            let replacement = match quote {
                Some(q) if !replacement.starts_with(q) => format!("{q}{replacement}{q}"),
                _ => replacement.to_string(),
            };
            self.marks().edits.push(Edit { span, replacement });
        }
        self
    }

    /// Help for a misspelt name: "did you mean `near`?" for the candidate nearest to `word`,
    /// written as `show` writes it, with the edit that writes it over `span` (when the name's
    /// place is known); `otherwise` when no candidate is near enough.
    pub(crate) fn did_you_mean<'a>(
        self,
        word: &str,
        candidates: impl IntoIterator<Item = &'a str>,
        span: impl Into<Option<Span>>,
        show: impl FnOnce(&str) -> String,
        otherwise: impl Into<String>,
    ) -> Self {
        match nearest(word, candidates) {
            Some(near) => {
                let shown = show(near);
                let diagnostic = self.help(format!("did you mean `{shown}`?"));
                match span.into() {
                    Some(span) => diagnostic.edit(span, &shown),
                    None => diagnostic,
                }
            }
            None => self.help(otherwise),
        }
    }

    /// The file, relative to the site root.
    pub(crate) fn path(&self) -> &str {
        match &self.location {
            Location::At(file, _) => &file.path,
            Location::File(path) => path,
        }
    }

    /// The position in the file, when known.
    pub(crate) fn span(&self) -> Option<&Span> {
        match &self.location {
            Location::At(_, span) => Some(span),
            Location::File(_) => None,
        }
    }

    /// `line:col message`, for tests that compare several diagnostics at once.
    #[cfg(test)]
    pub(crate) fn located(&self) -> String {
        let (line, col) = self.line_col().unwrap_or((0, 0));
        format!("{line}:{col} {}", self.message)
    }

    /// 1-based line and column, when the position is known.
    #[cfg(test)]
    pub(crate) fn line_col(&self) -> Option<(usize, usize)> {
        match &self.location {
            Location::At(file, span) => Some(file.line_col(span.start)),
            Location::File(_) => None,
        }
    }

    /// The rustc-style report: `error[code]: …`, `--> file:line:col`, the line with a caret,
    /// `= help: …`.
    pub(crate) fn render(&self, color: bool) -> String {
        let level = match self.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let renderer = if color {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        let title = level.primary_title(&self.message).id(self.code.name());
        let mut group = annotate_snippets::Group::with_title(title);
        match &self.location {
            Location::At(file, span) => {
                let text = file.text();
                let mut snippet = Snippet::source(text)
                    .path(&file.path)
                    .annotation(AnnotationKind::Primary.span(clamp_span(text, span)));
                for label in self.labels() {
                    snippet = snippet.annotation(
                        AnnotationKind::Context
                            .span(clamp_span(text, &label.span))
                            .label(&label.message),
                    );
                }
                group = group.element(snippet);
            }
            // No position is known (an unreadable file): still point at the file. With no
            // source line there is no line-number gutter, so the arrow starts the line.
            Location::File(path) => group = group.element(Origin::path(path)),
        }
        if let Some(context) = &self.context {
            group = group.element(Level::NOTE.message(context));
        }
        if let Some(help) = &self.help {
            group = group.element(Level::HELP.message(help));
        }
        renderer.render(&[group])
    }

    /// The shape the live-preview overlay shows.
    pub(crate) fn to_overlay(&self) -> OverlayDiagnostic {
        let (line, column, source_line) = match &self.location {
            Location::At(file, span) => {
                let (line, column) = file.line_col(span.start);
                (line, column, file.line_text(span.start).to_string())
            }
            Location::File(_) => (0, 0, String::new()),
        };
        OverlayDiagnostic {
            code: self.code.name().to_string(),
            message: self.message.clone(),
            path: self.path().to_string(),
            line,
            column,
            source_line,
            help: self.help.clone().unwrap_or_default(),
            text: self.render(false),
        }
    }
}

impl OverlayDiagnostic {
    /// A problem with no file or position (an environment failure, an internal error).
    pub(crate) fn message(message: &str) -> Self {
        OverlayDiagnostic {
            code: String::new(),
            message: message.to_string(),
            path: String::new(),
            line: 0,
            column: 0,
            source_line: String::new(),
            help: String::new(),
            text: format!("error: {message}"),
        }
    }
}

/// A problem as the preview's page script shows it (JSON on the event stream).
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct OverlayDiagnostic {
    /// The diagnostic's code (`codes.rs`); empty for an environment failure.
    #[serde(default)]
    pub(crate) code: String,
    /// What is wrong, as [`Diagnostic::message`].
    pub(crate) message: String,
    /// The file relative to the site root (`content/faq.md`); empty when there is none.
    pub(crate) path: String,
    /// 1-based; 0 when only the file is known.
    pub(crate) line: usize,
    /// 1-based, in characters; 0 when only the file is known.
    pub(crate) column: usize,
    /// The line the problem is on, as written.
    pub(crate) source_line: String,
    /// How to fix it; empty when the diagnostic has no help.
    pub(crate) help: String,
    /// The whole problem laid out as the terminal shows it (without colour), for the overlay.
    pub(crate) text: String,
}

/// The one terminal printer (`build`, `check` and `serve`'s build process): each report, then a
/// blank line, on stderr.
pub(crate) fn eprint_all(diagnostics: &[Diagnostic]) {
    let color = use_color();
    for diagnostic in diagnostics {
        eprintln!("{}\n", diagnostic.render(color));
    }
}

/// Problems of one code printed before the rest of that code is summed up in one line.
pub(crate) const PER_KIND: usize = 50;

/// `eprint_all`, but after the first `per_kind` problems of a code, one line with how many more
/// there are: the editor fixes the first ones and sees the rest go; `--all-errors` prints them
/// all.
pub(crate) fn eprint_first(diagnostics: &[Diagnostic], per_kind: usize) {
    let (shown, more) = first_of_each_code(diagnostics, per_kind);
    let color = use_color();
    for diagnostic in shown {
        eprintln!("{}\n", diagnostic.render(color));
    }
    for (code, count) in more {
        let s = if count == 1 { "" } else { "s" };
        eprintln!(
            "note: {count} more [{}] problem{s} not shown; `--all-errors` shows them\n",
            code.name()
        );
    }
}

/// The problems to show (the first `per_kind` of each code, in order), and each code with more,
/// with how many more, in the order the codes first appear.
fn first_of_each_code(
    diagnostics: &[Diagnostic],
    per_kind: usize,
) -> (Vec<&Diagnostic>, Vec<(Code, usize)>) {
    let mut seen: Vec<(Code, usize)> = Vec::new();
    let mut shown = Vec::new();
    for diagnostic in diagnostics {
        let at = match seen.iter().position(|(code, _)| *code == diagnostic.code) {
            Some(at) => at,
            None => {
                seen.push((diagnostic.code, 0));
                seen.len() - 1
            }
        };
        seen[at].1 += 1;
        if seen[at].1 <= per_kind {
            shown.push(diagnostic);
        }
    }
    let more = seen
        .into_iter()
        .filter(|(_, count)| *count > per_kind)
        .map(|(code, count)| (code, count - per_kind))
        .collect();
    (shown, more)
}

/// Colour only on a terminal, and never when NO_COLOR is set (<https://no-color.org>).
fn use_color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// A span annotate-snippets can draw: on char boundaries, inside the text, at least one character
/// wide where the text allows (an empty span at end of file still gets a caret).
fn clamp_span(text: &str, span: &Span) -> Span {
    let start = crate::model::source::floor_char_boundary(text, span.start.min(text.len()));
    let mut end =
        crate::model::source::floor_char_boundary(text, span.end.min(text.len())).max(start);
    if end == start {
        end = text[start..]
            .chars()
            .next()
            .filter(|c| *c != '\n')
            .map_or(start, |c| start + c.len_utf8());
    }
    start..end
}

/// All the problems of one run, in the order found: every stage collects into this (returned,
/// or as an `&mut` out-parameter); `sorted` makes the list that is printed.
#[derive(Debug, Default)]
pub(crate) struct Diagnostics(pub(crate) Vec<Diagnostic>);

impl Diagnostics {
    /// Adds one problem.
    pub(crate) fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    /// The warnings, sorted, when nothing is an error; else every problem.
    pub(crate) fn into_result(self) -> Result<Vec<Diagnostic>, Diagnostics> {
        if self.0.iter().any(|d| d.severity == Severity::Error) {
            Err(self)
        } else {
            Ok(self.sorted())
        }
    }

    /// Sorted by file and position so output is stable whatever order the stages ran in; a
    /// problem two stages found alike is reported once.
    pub(crate) fn sorted(mut self) -> Vec<Diagnostic> {
        let key = |d: &Diagnostic| {
            (
                d.path().to_string(),
                d.span().map_or(0, |s| s.start),
                d.span().map_or(0, |s| s.end),
                d.message.clone(),
            )
        };
        self.0.sort_by_key(key);
        self.0.dedup_by(|a, b| key(a) == key(b));
        self.0
    }
}

impl Extend<Diagnostic> for Diagnostics {
    fn extend<T: IntoIterator<Item = Diagnostic>>(&mut self, diagnostics: T) {
        self.0.extend(diagnostics);
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

/// The closest candidate to a misspelt word, if one is close enough to be what was meant.
pub(crate) fn nearest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|candidate| (strsim::jaro_winkler(word, candidate), candidate))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

/// Help for a misspelt name where no edit can be offered: "did you mean `near`?" for the
/// closest candidate, or `otherwise` when none is close enough.
pub(crate) fn suggest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    otherwise: impl Into<String>,
) -> String {
    match nearest(word, candidates) {
        Some(near) => format!("did you mean `{near}`?"),
        None => otherwise.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_the_rustc_layout_with_code_path_line_column_and_caret() {
        let file = SourceFile::new("content/a.md", "one\nsee [x](staf.md) now\n");
        let report = Diagnostic::at(
            Code::LinkTargetMissing,
            &file,
            13..20,
            "link target `staf.md` does not exist",
        )
        .help("did you mean `staff.md`?")
        .render(false);
        assert!(
            report.starts_with("error[link-target-missing]: link target `staf.md` does not exist"),
            "{report}"
        );
        assert!(report.contains("--> content/a.md:2:10"), "{report}");
        assert!(report.contains("2 | see [x](staf.md) now"), "{report}");
        assert!(report.contains("^^^^^^^"), "{report}");
        assert!(
            report.contains("help: did you mean `staff.md`?"),
            "{report}"
        );
    }

    #[test]
    fn a_problem_without_a_position_points_at_its_file() {
        let report = Diagnostic::in_file(
            Code::FileUnreadable,
            "content/data/ladder.toml",
            "cannot read: denied",
        )
        .help("check the file's permissions")
        .render(false);
        assert_eq!(
            report,
            "error[file-unreadable]: cannot read: denied\n--> content/data/ladder.toml\n = help: check the file's permissions"
        );
    }

    #[test]
    fn an_empty_span_at_end_of_file_still_renders() {
        let file = SourceFile::new("content/a.md", "+++\ntitle = 1");
        let report = Diagnostic::at(
            Code::FrontMatterUnclosed,
            &file,
            13..13,
            "front matter is never closed",
        )
        .render(false);
        assert!(report.contains("content/a.md:2:10"), "{report}");
    }

    #[test]
    fn warnings_render_as_warnings_and_do_not_fail_a_build() {
        let file = SourceFile::new("content/a.md", "text\n");
        let tie = Diagnostic::at(Code::ReadingOrderTie, &file, 0..0, "tied");
        assert!(
            tie.render(false)
                .starts_with("warning[reading-order-tie]: tied")
        );
        let mut found = Diagnostics::default();
        found.push(tie.clone());
        assert_eq!(found.into_result().map(|w| w.len()).ok(), Some(1));
        let mut found = Diagnostics::default();
        found.push(tie.with_severity(Severity::Error));
        assert!(found.into_result().is_err());
    }

    #[test]
    fn an_edit_keeps_the_quotes_it_replaces_and_labels_render_beside_the_caret() {
        let file = SourceFile::new("content/data/x.toml", "a = \"one\"\nb = \"one\"\n");
        let diagnostic = Diagnostic::at(Code::DuplicateId, &file, 14..19, "used twice")
            .label(4..9, "first used here")
            .edit(14..19, "two")
            .edit(0..1, "c");
        assert_eq!(
            diagnostic.edits(),
            [
                Edit {
                    span: 14..19,
                    replacement: "\"two\"".into()
                },
                Edit {
                    span: 0..1,
                    replacement: "c".into()
                }
            ]
        );
        let report = diagnostic.render(false);
        assert!(report.contains("first used here"), "{report}");
        let without_position = Diagnostic::in_file(Code::DuplicateId, "x", "m")
            .edit(0..1, "y")
            .label(0..1, "z");
        assert!(without_position.edits().is_empty() && without_position.labels().is_empty());
    }

    #[test]
    fn did_you_mean_ignores_distant_words_and_offers_the_near_one_as_an_edit() {
        assert_eq!(nearest("staf", ["staff", "junior"]), Some("staff"));
        assert_eq!(nearest("qqq", ["staff", "junior"]), None);
        assert_eq!(
            suggest("staf", ["staff"], "add it"),
            "did you mean `staff`?"
        );
        assert_eq!(suggest("qqq", ["staff"], "add it"), "add it");
        let file = SourceFile::new("content/a.md", "[a](b.md#intro)\n");
        let anchor = Diagnostic::at(Code::AnchorMissing, &file, 4..14, "no anchor").did_you_mean(
            "intro",
            ["intro-1"],
            8..14,
            |near| format!("#{near}"),
            "",
        );
        assert_eq!(anchor.help.as_deref(), Some("did you mean `#intro-1`?"));
        assert_eq!(
            anchor.edits(),
            [Edit {
                span: 8..14,
                replacement: "#intro-1".into()
            }]
        );
    }

    #[test]
    fn past_fifty_of_a_code_one_line_counts_the_rest() {
        let many: Vec<Diagnostic> = (0..120)
            .map(|n| Diagnostic::in_file(Code::AnchorMissing, "content/a.md", format!("#a{n}")))
            .chain((0..3).map(|n| Diagnostic::in_file(Code::UnknownKey, "b", format!("{n}"))))
            .collect();
        let (shown, more) = first_of_each_code(&many, 50);
        assert_eq!(shown.len(), 53);
        assert_eq!(shown[49].message, "#a49");
        assert_eq!(shown[50].code, Code::UnknownKey);
        assert_eq!(more, [(Code::AnchorMissing, 70)]);
    }
}
