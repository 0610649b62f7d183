//! site.toml's `[search]` table: groups of words the search index treats as one
//! (`[["salary", "pay"], ["oncall", "on-call"]]`), each word trimmed and lower-cased.

use std::sync::Arc;

use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

use crate::model::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::source::SourceFile;

/// `[search]`: what the search index knows beyond the pages.
#[derive(Deserialize, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSearch {
    /// Groups of words search treats as one, each of two different words or more:
    /// `[["salary", "pay"], ["oncall", "on-call"]]`.
    #[serde(default)]
    #[schemars(with = "Vec<Vec<String>>")]
    synonyms: Vec<Spanned<Vec<String>>>,
}

/// `[search] synonyms`, each word trimmed and lower-cased as search compares them; a group that
/// does not name two different words is a mistake worth pointing at.
pub(super) fn synonyms(
    file: &Arc<SourceFile>,
    raw: RawSearch,
    out: &mut Diagnostics,
) -> Vec<Vec<String>> {
    let mut kept = Vec::new();
    for group in raw.synonyms {
        let span = group.span();
        let mut words: Vec<String> = Vec::new();
        for word in group.into_inner() {
            let word = word.trim().to_lowercase();
            if !word.is_empty() && !words.contains(&word) {
                words.push(word);
            }
        }
        if words.len() < 2 {
            out.push(
                Diagnostic::at(
                    Code::InvalidValue,
                    file,
                    span,
                    "a synonym group needs two different words or more",
                )
                .help(
                    "list words a reader may type for the same thing, e.g. `[\"salary\", \"pay\"]`",
                ),
            );
            continue;
        }
        kept.push(words);
    }
    kept
}
