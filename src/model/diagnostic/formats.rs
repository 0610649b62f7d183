//! Diagnostics for machines, as `build` and `check --message-format` print them: `json`, one
//! object per line in a documented shape close to LSP's `Diagnostic` (docs/message-formats.md),
//! and `github`, GitHub Actions workflow commands that put each problem on its line of a pull
//! request. Positions are 1-based lines and columns (in characters, as the terminal shows them)
//! plus 0-based byte offsets. Pure: returns text, prints nothing.

use std::path::{Component, Path};

use serde::Serialize;

use super::{Diagnostic, Location};
use crate::model::source::{SourceFile, Span, floor_char_boundary};

/// One problem as `--message-format json` prints it.
#[derive(Serialize)]
pub(crate) struct JsonDiagnostic<'a> {
    /// The stable code: `link-target-missing`.
    pub(crate) code: &'static str,
    /// `error` or `warning`.
    pub(crate) severity: &'static str,
    /// What is wrong, in one sentence.
    pub(crate) message: &'a str,
    /// Relative to the site root, with `/` separators.
    pub(crate) file: &'a str,
    /// `null` when no position in the file is known (an unreadable file).
    pub(crate) range: Option<Range>,
    /// Other places in the file that explain the problem.
    pub(crate) labels: Vec<JsonLabel<'a>>,
    /// How to fix it.
    pub(crate) help: Option<&'a str>,
    /// Where the problem showed up, when that differs from where it is.
    pub(crate) note: Option<&'a str>,
    /// Each did-you-mean as the edit that applies it.
    pub(crate) suggestions: Vec<Suggestion<'a>>,
    /// The report as the terminal shows it, without colour.
    pub(crate) rendered: String,
}

/// Another place in the file, with what it says about the problem (`first used here`).
#[derive(Serialize)]
pub(crate) struct JsonLabel<'a> {
    /// Where it is.
    pub(crate) range: Range,
    /// What it says.
    pub(crate) message: &'a str,
}

/// A fix to apply: a range of the file and the text that replaces it.
#[derive(Serialize)]
pub(crate) struct Suggestion<'a> {
    /// What it replaces.
    pub(crate) range: Range,
    /// The text that replaces the range.
    pub(crate) replacement: &'a str,
}

/// A span of a file, as LSP's `Range` (end exclusive) with byte offsets too.
#[derive(Serialize, Debug, PartialEq)]
pub(crate) struct Range {
    /// The first character.
    pub(crate) start: Position,
    /// Just past the last character.
    pub(crate) end: Position,
}

/// One place in a file, three ways.
#[derive(Serialize, Debug, PartialEq)]
pub(crate) struct Position {
    /// 1-based.
    pub(crate) line: usize,
    /// 1-based, in characters (Unicode scalar values).
    pub(crate) column: usize,
    /// 0-based, in bytes from the start of the file.
    pub(crate) offset: usize,
}

impl Range {
    /// `span` of `file` as lines, columns and offsets, clamped to the text.
    pub(crate) fn of(file: &SourceFile, span: &Span) -> Range {
        let text = file.text();
        let position = |offset: usize| {
            let offset = floor_char_boundary(text, offset.min(text.len()));
            let (line, column) = file.line_col(offset);
            Position {
                line,
                column,
                offset,
            }
        };
        let start = position(span.start);
        let end = position(span.end.max(span.start));
        Range { start, end }
    }
}

impl Diagnostic {
    /// The value `--message-format json` prints.
    pub(crate) fn to_json(&self) -> JsonDiagnostic<'_> {
        let file = match &self.location {
            Location::At(file, _) => Some(file),
            Location::File(_) => None,
        };
        let range = |span: &Span| file.map(|file| Range::of(file, span));
        JsonDiagnostic {
            code: self.code.name(),
            severity: self.severity.name(),
            message: &self.message,
            file: self.path(),
            range: self.span().and_then(range),
            labels: self
                .labels()
                .iter()
                .filter_map(|label| {
                    Some(JsonLabel {
                        range: range(&label.span)?,
                        message: &label.message,
                    })
                })
                .collect(),
            help: self.help.as_deref(),
            note: self.context.as_deref(),
            suggestions: self
                .edits()
                .iter()
                .filter_map(|edit| {
                    Some(Suggestion {
                        range: range(&edit.span)?,
                        replacement: &edit.replacement,
                    })
                })
                .collect(),
            rendered: self.render(false),
        }
    }

    /// One line of JSON.
    pub(crate) fn to_json_line(&self) -> String {
        serde_json::to_string(&self.to_json()).expect("a diagnostic is always representable")
    }

    /// A GitHub Actions workflow command: `::error file=…,line=…,col=…,endLine=…,endColumn=…,
    /// title=CODE::message` (help on the next lines of the message). `root` is the site root as
    /// given: files are named from where the command runs, as GitHub expects.
    pub(crate) fn to_github(&self, root: &Path) -> String {
        let mut properties = vec![("file", in_workspace(root, self.path()))];
        if let Location::At(file, span) = &self.location {
            let range = Range::of(file, span);
            properties.extend([
                ("line", range.start.line.to_string()),
                ("col", range.start.column.to_string()),
                ("endLine", range.end.line.to_string()),
                ("endColumn", range.end.column.to_string()),
            ]);
        }
        properties.push(("title", self.code.name().to_string()));
        let properties = properties
            .iter()
            .map(|(key, value)| format!("{key}={}", escape_property(value)))
            .collect::<Vec<_>>()
            .join(",");
        let mut message = self.message.clone();
        if let Some(context) = &self.context {
            message.push_str(&format!("\nnote: {context}"));
        }
        if let Some(help) = &self.help {
            message.push_str(&format!("\nhelp: {help}"));
        }
        format!(
            "::{} {properties}::{}",
            self.severity.name(),
            escape_data(&message)
        )
    }
}

/// `path` (relative to the site root) as seen from the working directory, when the root was
/// given as a relative path: `docs/site` + `content/a.md` → `docs/site/content/a.md`.
fn in_workspace(root: &Path, path: &str) -> String {
    let parts: Vec<String> = root
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.is_empty() {
        return path.to_string();
    }
    let prefix = if root.is_absolute() {
        root.to_string_lossy().trim_end_matches('/').to_string()
    } else {
        parts.join("/")
    };
    format!("{prefix}/{path}")
}

/// A workflow command's message: `%`, CR and LF escaped (as GitHub's toolkit does).
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property value: also `:` and `,`, which separate properties.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::diagnostic::Code;

    fn broken_link() -> Diagnostic {
        let file = SourceFile::new("content/é.md", "+++\n+++\nsé [x](staf.md#a) now\n");
        Diagnostic::at(
            Code::LinkTargetMissing,
            &file,
            16..25,
            "link target `staf.md` does not exist",
        )
        .did_you_mean("staf.md", ["staff.md"], 16..23, str::to_string, "")
    }

    #[test]
    fn json_has_the_code_ranges_in_lines_columns_and_bytes_and_the_edit() {
        let json = serde_json::to_value(broken_link().to_json()).expect("json");
        assert_eq!(json["code"], "link-target-missing");
        assert_eq!(json["severity"], "error");
        assert_eq!(json["file"], "content/é.md");
        assert_eq!(
            json["range"],
            serde_json::json!({
                "start": {"line": 3, "column": 8, "offset": 16},
                "end": {"line": 3, "column": 17, "offset": 25}
            })
        );
        assert_eq!(json["help"], "did you mean `staff.md`?");
        assert_eq!(json["suggestions"][0]["replacement"], "staff.md");
        assert_eq!(json["suggestions"][0]["range"]["end"]["offset"], 23);
        assert_eq!(json["labels"], serde_json::json!([]));
        assert!(
            json["rendered"]
                .as_str()
                .is_some_and(|r| r.starts_with("error[link-target-missing]"))
        );
    }

    #[test]
    fn github_annotations_name_the_file_from_the_working_directory_and_escape() {
        let line = broken_link().to_github(Path::new("."));
        assert_eq!(
            line,
            "::error file=content/é.md,line=3,col=8,endLine=3,endColumn=17,title=link-target-missing::link target `staf.md` does not exist%0Ahelp: did you mean `staff.md`?"
        );
        let line = Diagnostic::in_file(Code::FileUnreadable, "content/a,b.md", "100% lost")
            .to_github(Path::new("./site"));
        assert_eq!(
            line,
            "::error file=site/content/a%2Cb.md,title=file-unreadable::100%25 lost"
        );
    }
}
