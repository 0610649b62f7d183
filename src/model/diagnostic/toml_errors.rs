//! TOML errors as diagnostics: the code each kind of error gets, and advice for the mistakes
//! editors make most (an unknown key's did-you-mean comes with the edit that fixes it). Used for
//! front matter, site.toml and the data files alike.

use std::sync::Arc;

use super::{Code, Diagnostic, Diagnostics};
use crate::model::source::SourceFile;

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

/// A TOML syntax or shape error as a diagnostic, with a did-you-mean (and its edit) for unknown
/// keys and values. `offset` is where the TOML starts inside `file` (front matter sits after a
/// `+++` line).
pub(crate) fn from_toml(
    file: &Arc<SourceFile>,
    offset: usize,
    error: &toml::de::Error,
) -> Diagnostic {
    let span = error
        .span()
        .map_or(offset..offset, |s| s.start + offset..s.end + offset);
    let message = error.message().trim_end().to_string();
    let diagnostic = Diagnostic::at(code_of(&message), file, span.clone(), first_line(&message));
    if let Some(unknown) = unknown_name(&message) {
        let listed = unknown
            .expected
            .iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let otherwise = if unknown.variant {
            format!("write one of {listed}")
        } else if unknown.expected.is_empty() {
            format!("remove `{}`", unknown.written)
        } else {
            format!(
                "remove `{}`; the keys allowed here are {listed}",
                unknown.written
            )
        };
        return diagnostic.did_you_mean(
            unknown.written,
            unknown.expected.iter().copied(),
            span,
            str::to_string,
            otherwise,
        );
    }
    let help = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next())
        .map(|field| {
            format!("add `{field} = …` here; README.md, \"Content model\", lists every key")
        })
        .or_else(|| {
            syntax_help(
                &message,
                file.line_text(span.start),
                file.text().get(span.clone()).unwrap_or_default(),
            )
        })
        .unwrap_or_else(|| "see the TOML syntax at https://toml.io/en/v1.0.0".to_string());
    diagnostic.help(help)
}

/// The code of a TOML error, from serde's wording of shape errors; anything else is syntax.
fn code_of(message: &str) -> Code {
    const SHAPES: [(&str, Code); 6] = [
        ("unknown field `", Code::UnknownKey),
        ("missing field `", Code::MissingKey),
        ("invalid type", Code::WrongType),
        ("unknown variant `", Code::InvalidValue),
        ("invalid value", Code::InvalidValue),
        ("invalid length", Code::InvalidValue),
    ];
    SHAPES
        .iter()
        .find(|(prefix, _)| message.starts_with(prefix))
        .map_or(Code::TomlSyntax, |(_, code)| *code)
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

/// A serde message's first line: the rest repeats the source.
fn first_line(message: &str) -> String {
    message.lines().next().unwrap_or_default().to_string()
}

/// A key or value serde did not know, and the ones it expected.
struct Unknown<'a> {
    /// As the editor wrote it: `titel`.
    written: &'a str,
    /// What serde would take: `title`, `weight`….
    expected: Vec<&'a str>,
    /// A value (`unknown variant`) rather than a key.
    variant: bool,
}

/// serde says "unknown field `titel`, expected one of `title`, `weight`" (or "unknown variant
/// `qiz`, expected `page` or `quiz`"): the name written and the names expected.
fn unknown_name(message: &str) -> Option<Unknown<'_>> {
    let (rest, variant) = match message.strip_prefix("unknown variant `") {
        Some(rest) => (rest, true),
        None => (message.strip_prefix("unknown field `")?, false),
    };
    let (written, rest) = rest.split_once('`')?;
    let expected = rest.split('`').skip(1).step_by(2).collect();
    Some(Unknown {
        written,
        expected,
        variant,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diagnostic_of<T: serde::de::DeserializeOwned + std::fmt::Debug>(text: &str) -> Diagnostic {
        let file = SourceFile::new("content/site.toml", text);
        let error = toml::from_str::<T>(file.text()).expect_err("a mistake");
        from_toml(&file, 0, &error)
    }

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Front {
        title: String,
        #[serde(default)]
        weight: i64,
        #[serde(default)]
        kind: Kind,
    }

    #[derive(serde::Deserialize, Debug, Default)]
    #[serde(rename_all = "lowercase")]
    enum Kind {
        #[default]
        Page,
        Quiz,
    }

    #[test]
    fn an_unknown_key_gets_a_did_you_mean_and_the_edit_that_makes_it() {
        let diagnostic = diagnostic_of::<Front>("titel = \"A\"\n");
        assert_eq!(diagnostic.code, Code::UnknownKey);
        assert_eq!(diagnostic.help.as_deref(), Some("did you mean `title`?"));
        assert_eq!(diagnostic.edits().len(), 1);
        assert_eq!(
            (
                diagnostic.edits()[0].span.clone(),
                diagnostic.edits()[0].replacement.as_str()
            ),
            (0..5, "title")
        );
        let diagnostic = diagnostic_of::<Front>("title = \"A\"\nzzz = 1\n");
        assert_eq!(
            diagnostic.help.as_deref(),
            Some("remove `zzz`; the keys allowed here are `title`, `weight`, `kind`")
        );
        assert!(diagnostic.edits().is_empty());
    }

    #[test]
    fn an_unknown_value_keeps_its_quotes_in_the_edit() {
        let diagnostic = diagnostic_of::<Front>("title = \"A\"\nkind = \"qiz\"\n");
        assert_eq!(diagnostic.code, Code::InvalidValue);
        assert_eq!(diagnostic.help.as_deref(), Some("did you mean `quiz`?"));
        assert_eq!(diagnostic.edits()[0].replacement, "\"quiz\"");
    }

    #[test]
    fn each_kind_of_error_has_its_code() {
        assert_eq!(
            diagnostic_of::<Front>("weight = 1\n").code,
            Code::MissingKey
        );
        assert_eq!(diagnostic_of::<Front>("title = 1\n").code, Code::WrongType);
        assert_eq!(
            diagnostic_of::<Front>("title = \"A\n").code,
            Code::TomlSyntax
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
}
