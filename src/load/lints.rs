//! site.toml's `[lints]` table → `model::lints::Lints`: each lint's level by its code's name
//! (`alt-text-missing = "warning"`), and `acronyms`, the words the all-caps lint lets pass.
//! A name or level that is not one gets a did-you-mean; the rest of the table still applies.

use std::collections::BTreeMap;
use std::sync::Arc;

use toml::Spanned;

use crate::model::diagnostic::{Code, Diagnostic, Diagnostics, Severity};
use crate::model::lints::{LintLevel, Lints};
use crate::model::source::SourceFile;

/// `[lints]` as written: names and values with their spans.
pub(super) type RawLints = BTreeMap<Spanned<String>, Spanned<toml::Value>>;

/// The key of `[lints]` that lists acronyms rather than naming a lint.
const ACRONYMS: &str = "acronyms";

/// The lints as `raw` configures them; what cannot be read is reported and left at its default.
pub(super) fn lints(file: &Arc<SourceFile>, raw: RawLints, out: &mut Diagnostics) -> Lints {
    let mut lints = Lints::default();
    for (name, value) in raw {
        if name.get_ref() == ACRONYMS {
            acronyms(file, &value, &mut lints, out);
            continue;
        }
        let Some(code) = Code::from_name(name.get_ref()).filter(|code| code.is_lint()) else {
            out.push(unknown_lint(file, &name));
            continue;
        };
        let Some(written) = value.get_ref().as_str() else {
            out.push(
                Diagnostic::at(
                    Code::WrongType,
                    file,
                    value.span(),
                    format!("the level of `{code}` must be text"),
                )
                .help("write `\"error\"`, `\"warning\"` or `\"allow\"`"),
            );
            continue;
        };
        match LintLevel::from_name(written) {
            Some(level) => lints.set(code, level),
            None => out.push(
                Diagnostic::at(
                    Code::InvalidValue,
                    file,
                    value.span(),
                    format!("`{written}` is not a lint level"),
                )
                .did_you_mean(
                    written,
                    LintLevel::NAMES,
                    value.span(),
                    str::to_string,
                    "write `error` (fails the build), `warning` (reported) or `allow` (not reported)",
                ),
            ),
        }
    }
    lints
}

/// The JSON Schema of `[lints]`, from the codes themselves: each lint by name with its three
/// levels, and `acronyms`; nothing else (as `lints` refuses anything else).
pub(super) fn schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let mut properties = serde_json::Map::new();
    for code in Code::ALL.iter().filter(|code| code.is_lint()) {
        let default = match code.default_severity() {
            Severity::Error => "an error",
            Severity::Warning => "a warning",
        };
        let description = format!("Reports when {}; by default {default}.", code.summary());
        let level = serde_json::json!({ "description": description, "enum": LintLevel::NAMES });
        properties.insert(code.name().to_string(), level);
    }
    properties.insert(
        ACRONYMS.to_string(),
        serde_json::json!({
            "description": "Words the all-caps lint allows, beside the field's defaults (SRE, SLO, MTTR, FAANG, …).",
            "type": "array",
            "items": { "type": "string" }
        }),
    );
    schemars::json_schema!({
        "type": "object",
        "properties": properties,
        "additionalProperties": false
    })
}

/// A name in `[lints]` that is no lint: a misspelling, or a code that is not configurable.
fn unknown_lint(file: &Arc<SourceFile>, name: &Spanned<String>) -> Diagnostic {
    let written = name.get_ref();
    let lint_names = Code::ALL
        .iter()
        .filter(|code| code.is_lint())
        .map(|code| code.name());
    let listed = lint_names
        .clone()
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let listed = format!("the lints are {listed}; `{ACRONYMS}` lists words allowed in capitals");
    if Code::from_name(written).is_some() {
        let message = format!("`{written}` is not a lint: only lints can be set in `[lints]`");
        return Diagnostic::at(Code::UnknownKey, file, name.span(), message).help(listed);
    }
    let message = format!("unknown lint `{written}`");
    Diagnostic::at(Code::UnknownKey, file, name.span(), message).did_you_mean(
        written,
        lint_names.chain([ACRONYMS]),
        name.span(),
        str::to_string,
        listed,
    )
}

/// `acronyms = ["FAANG", …]`: words allowed in capitals, beside the defaults.
fn acronyms(
    file: &Arc<SourceFile>,
    value: &Spanned<toml::Value>,
    lints: &mut Lints,
    out: &mut Diagnostics,
) {
    let words = value.get_ref().as_array().and_then(|items| {
        items
            .iter()
            .map(toml::Value::as_str)
            .collect::<Option<Vec<&str>>>()
    });
    match words {
        Some(words) => words.into_iter().for_each(|word| lints.allow_acronym(word)),
        None => out.push(
            Diagnostic::at(
                Code::WrongType,
                file,
                value.span(),
                "`acronyms` must be a list of words",
            )
            .help("write them in capitals, as the pages do: `acronyms = [\"FAANG\", \"HIPAA\"]`"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(table: &str) -> (Lints, Vec<Diagnostic>) {
        let text = format!("[lints]\n{table}");
        let file = SourceFile::new("content/site.toml", text.clone());
        #[derive(serde::Deserialize)]
        struct Config {
            lints: RawLints,
        }
        let config: Config = toml::from_str(&text).expect("TOML");
        let mut out = Diagnostics::default();
        let lints = lints(&file, config.lints, &mut out);
        (lints, out.0)
    }

    #[test]
    fn levels_are_set_by_name() {
        let (lints, problems) =
            read("all-caps = \"error\"\nalt-text-missing = \"allow\"\nacronyms = [\"ONCALL\"]\n");
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(lints.severity(Code::AllCaps), Some(Severity::Error));
        assert_eq!(lints.severity(Code::AltTextMissing), None);
        assert_eq!(lints.severity(Code::LinkTextVague), Some(Severity::Warning));
        assert!(lints.is_acronym("ONCALL") && lints.is_acronym("MTTR"));
    }

    #[test]
    fn unknown_names_and_levels_get_a_did_you_mean() {
        let (lints, problems) = read(
            "alt-text-mising = \"allow\"\nall-caps = \"warn\"\nlink-target-missing = \"allow\"\nacronym = []\n",
        );
        let found: Vec<(String, Option<String>)> = problems
            .iter()
            .map(|d| (d.located(), d.help.clone()))
            .collect();
        assert_eq!(
            found[..3],
            [
                (
                    "5:1 unknown lint `acronym`".to_string(),
                    Some("did you mean `acronyms`?".to_string())
                ),
                (
                    "3:12 `warn` is not a lint level".to_string(),
                    Some("did you mean `warning`?".to_string())
                ),
                (
                    "2:1 unknown lint `alt-text-mising`".to_string(),
                    Some("did you mean `alt-text-missing`?".to_string())
                ),
            ]
        );
        assert_eq!(
            problems[3].message,
            "`link-target-missing` is not a lint: only lints can be set in `[lints]`"
        );
        assert!(
            problems[3]
                .help
                .as_deref()
                .is_some_and(|help| help.starts_with("the lints are `alt-text-missing`, ")),
            "{:?}",
            problems[3].help
        );
        assert_eq!(
            lints.severity(Code::AllCaps),
            Some(Severity::Warning),
            "left at its default"
        );
    }

    #[test]
    fn wrong_types_are_reported() {
        let (_, problems) = read("all-caps = 1\nacronyms = \"FAANG\"\n");
        let messages: Vec<String> = problems.iter().map(Diagnostic::located).collect();
        assert_eq!(
            messages,
            [
                "3:12 `acronyms` must be a list of words",
                "2:12 the level of `all-caps` must be text",
            ]
        );
    }
}
