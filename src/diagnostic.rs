//! Problems an editor can fix, as values: a message, where it is (file and byte span), and how to
//! fix it. Stages collect them; the commands ([`crate::cli`], through [`eprint_all`]) print them
//! all in the rustc layout and `serve` shows them as an overlay. Nothing here decides whether a
//! build fails except [`Diagnostics::into_result`].

use std::io::IsTerminal;
use std::sync::Arc;

use annotate_snippets::{AnnotationKind, Level, Origin, Renderer, Snippet};
use serde::{Deserialize, Serialize};

use crate::model::source::{SourceFile, Span};

#[derive(Debug, Clone)]
pub(crate) struct Diagnostic {
    pub(crate) message: String,
    pub(crate) location: Location,
    pub(crate) help: Option<String>,
    /// Where the problem showed up when that differs from where it is (a template failing
    /// while rendering a page).
    pub(crate) context: Option<String>,
}

/// Where a problem is: a position in a file, or only the file.
#[derive(Debug, Clone)]
pub(crate) enum Location {
    At(Arc<SourceFile>, Span),
    /// A file the problem is about when no position in it is known (an unreadable file).
    File(String),
}

impl Diagnostic {
    pub(crate) fn at(file: &Arc<SourceFile>, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            message: message.into(),
            location: Location::At(Arc::clone(file), span),
            help: None,
            context: None,
        }
    }

    pub(crate) fn in_file(path: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            message: message.into(),
            location: Location::File(path.into()),
            help: None,
            context: None,
        }
    }

    pub(crate) fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
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

    /// The rustc-style report: `error: …`, `--> file:line:col`, the line with a caret, `= help: …`.
    pub(crate) fn render(&self, color: bool) -> String {
        self.render_as(Severity::Error, color)
    }

    /// The report as `error: …` or as `warning: …` (what a build goes on with).
    pub(crate) fn render_as(&self, severity: Severity, color: bool) -> String {
        let level = match severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let renderer = if color {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        let mut group = annotate_snippets::Group::with_title(level.primary_title(&self.message));
        match &self.location {
            Location::At(file, span) => {
                let span = clamp_span(file.text(), span);
                group = group.element(
                    Snippet::source(file.text())
                        .path(&file.path)
                        .annotation(AnnotationKind::Primary.span(span)),
                );
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

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct OverlayDiagnostic {
    pub(crate) message: String,
    pub(crate) path: String,
    pub(crate) line: usize,
    pub(crate) column: usize,
    pub(crate) source_line: String,
    pub(crate) help: String,
    /// The whole problem laid out as the terminal shows it (without colour), for the overlay.
    pub(crate) text: String,
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum Severity {
    Error,
    Warning,
}

/// The one terminal printer (`build`, `check` and `serve`'s build process): each report, then a
/// blank line, on stderr.
pub(crate) fn eprint_all(diagnostics: &[Diagnostic], severity: Severity) {
    let color = use_color();
    for diagnostic in diagnostics {
        eprintln!("{}\n", diagnostic.render_as(severity, color));
    }
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
    pub(crate) fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    pub(crate) fn into_result(self) -> Result<(), Diagnostics> {
        if self.0.is_empty() { Ok(()) } else { Err(self) }
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
fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|candidate| (strsim::jaro_winkler(word, candidate), candidate))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

/// Help for a misspelt name: "did you mean `near`?" for the closest candidate, or `otherwise`
/// when none is close enough.
pub(crate) fn suggest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    otherwise: impl Into<String>,
) -> String {
    suggest_as(word, candidates, str::to_string, otherwise)
}

/// Like `suggest`, with the candidate written as `show` writes it (`#id`, a relative link).
pub(crate) fn suggest_as<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    show: impl FnOnce(&str) -> String,
    otherwise: impl Into<String>,
) -> String {
    match did_you_mean(word, candidates) {
        Some(near) => format!("did you mean `{}`?", show(near)),
        None => otherwise.into(),
    }
}

/// Parses `text` (which starts at byte `offset` of `file`) as TOML into `T`; a syntax or shape
/// error becomes a diagnostic in `out` and `None`.
pub(crate) fn parse_toml<T: serde::de::DeserializeOwned>(
    file: &Arc<SourceFile>,
    offset: usize,
    text: &str,
    out: &mut Diagnostics,
) -> Option<T> {
    toml::from_str(text)
        .map_err(|error| out.push(from_toml(file, offset, &error)))
        .ok()
}

/// A TOML syntax or shape error as a diagnostic, with a did-you-mean for unknown keys.
/// `offset` is where the TOML starts inside `file` (front matter sits after a `+++` line).
pub(crate) fn from_toml(
    file: &Arc<SourceFile>,
    offset: usize,
    error: &toml::de::Error,
) -> Diagnostic {
    let span = error
        .span()
        .map_or(offset..offset, |s| s.start + offset..s.end + offset);
    let message = error.message().trim_end().to_string();
    let help = unknown_field_help(&message)
        .or_else(|| {
            let field = message.strip_prefix("missing field `")?.split('`').next()?;
            Some(format!(
                "add `{field} = …` here; README.md, \"Content model\", lists every key"
            ))
        })
        .or_else(|| {
            syntax_help(
                &message,
                file.line_text(span.start),
                file.text().get(span.clone()).unwrap_or_default(),
            )
        })
        .unwrap_or_else(|| "see the TOML syntax at https://toml.io/en/v1.0.0".to_string());
    Diagnostic::at(file, span, first_line(&message)).help(help)
}

/// Advice for the TOML mistakes editors make most, shown with their own line corrected.
fn syntax_help(message: &str, line: &str, spanned: &str) -> Option<String> {
    if message.starts_with("string values must be quoted") {
        let (key, value) = line.split_once('=')?;
        let value = value.trim().replace('"', "\\\"");
        return Some(format!(
            "put text in double quotes: `{} = \"{value}\"`",
            key.trim()
        ));
    }
    if message.starts_with("unclosed array table") {
        let name = line.trim().trim_start_matches('[').trim_end_matches(']');
        return Some(format!("close the header: `[[{name}]]`"));
    }
    if message.starts_with("unclosed table") {
        let name = line.trim().trim_start_matches('[').trim_end_matches(']');
        return Some(format!("close the header: `[{name}]`"));
    }
    if message.starts_with("missing comma") {
        return Some("separate the items of a list with commas: `[\"a\", \"b\"]`".to_string());
    }
    if message.starts_with("duplicate key") {
        return Some(format!(
            "each key appears once per table; remove or rename this `{}`",
            spanned.trim()
        ));
    }
    if message.starts_with("invalid type") {
        let expected = message.rsplit("expected ").next().unwrap_or_default();
        let advice = match expected {
            "i64" | "u64" | "u32" | "an integer" => {
                "write a whole number, without quotes: `weight = 2`"
            }
            "a boolean" => "write true or false, without quotes: `draft = true`",
            "a string" => "put the text in double quotes",
            _ => "text goes in double quotes, numbers and true/false without, lists in [ ]",
        };
        return Some(advice.to_string());
    }
    None
}

fn first_line(message: &str) -> String {
    message.lines().next().unwrap_or_default().to_string()
}

/// serde says "unknown field `titel`, expected one of `title`, `weight`" (or "unknown variant
/// `qiz`, expected `page` or `quiz`"); turn that into advice.
fn unknown_field_help(message: &str) -> Option<String> {
    let (rest, variant) = match message.strip_prefix("unknown variant `") {
        Some(rest) => (rest, true),
        None => (message.strip_prefix("unknown field `")?, false),
    };
    let (field, rest) = rest.split_once('`')?;
    let expected: Vec<&str> = rest.split('`').skip(1).step_by(2).collect();
    let listed = expected
        .iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let otherwise = if variant {
        format!("write one of {listed}")
    } else if expected.is_empty() {
        format!("remove `{field}`")
    } else {
        format!("remove `{field}`; the keys allowed here are {listed}")
    };
    Some(suggest(field, expected.iter().copied(), otherwise))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_the_rustc_layout_with_path_line_column_and_caret() {
        let file = SourceFile::new("content/a.md", "one\nsee [x](staf.md) now\n");
        let report = Diagnostic::at(&file, 13..20, "link target `staf.md` does not exist")
            .help("did you mean `staff.md`?")
            .render(false);
        assert!(report.starts_with("error: link target `staf.md` does not exist"));
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
        let report = Diagnostic::in_file("content/data/ladder.toml", "cannot read: denied")
            .help("check the file's permissions")
            .render(false);
        assert_eq!(
            report,
            "error: cannot read: denied\n--> content/data/ladder.toml\n = help: check the file's permissions"
        );
    }

    #[test]
    fn an_empty_span_at_end_of_file_still_renders() {
        let file = SourceFile::new("content/a.md", "+++\ntitle = 1");
        let report = Diagnostic::at(&file, 13..13, "front matter is never closed").render(false);
        assert!(report.contains("content/a.md:2:10"), "{report}");
    }

    #[test]
    fn unknown_field_becomes_a_suggestion() {
        let help = unknown_field_help("unknown field `titel`, expected one of `title`, `weight`");
        assert_eq!(help.as_deref(), Some("did you mean `title`?"));
        let help = unknown_field_help("unknown field `zzz`, expected `title`");
        assert_eq!(
            help.as_deref(),
            Some("remove `zzz`; the keys allowed here are `title`")
        );
    }

    #[test]
    fn common_toml_mistakes_get_their_fix() {
        let file = SourceFile::new("content/site.toml", "title = SRE Guide\n");
        let error = toml::from_str::<toml::Table>(file.text()).expect_err("unquoted");
        let diagnostic = from_toml(&file, 0, &error);
        assert_eq!(
            diagnostic.help.as_deref(),
            Some("put text in double quotes: `title = \"SRE Guide\"`")
        );
        let file = SourceFile::new("content/data/ladder.toml", "[[levels]\nid = \"a\"\n");
        let error = toml::from_str::<toml::Table>(file.text()).expect_err("unclosed");
        assert_eq!(
            from_toml(&file, 0, &error).help.as_deref(),
            Some("close the header: `[[levels]]`")
        );
    }

    #[test]
    fn did_you_mean_ignores_distant_words() {
        assert_eq!(did_you_mean("staf", ["staff", "junior"]), Some("staff"));
        assert_eq!(did_you_mean("qqq", ["staff", "junior"]), None);
        assert_eq!(
            suggest("staf", ["staff"], "add it"),
            "did you mean `staff`?"
        );
        assert_eq!(suggest("qqq", ["staff"], "add it"), "add it");
        let anchor = suggest_as("intro", ["intro-1"], |near| format!("#{near}"), "");
        assert_eq!(anchor, "did you mean `#intro-1`?");
    }
}
