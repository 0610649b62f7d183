//! `data/compensation.toml`: the published pay range of each level, in one currency and region.
//! Checked on its own here (each level once, `min` ≤ `max`); that each level exists in the
//! ladder is [`crate::check`]'s.

use std::sync::Arc;

use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

use crate::load::data::{STABLE_ID, UniqueIds};
use crate::model::diagnostic::toml_errors::parse_toml;
use crate::model::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::source::SourceFile;
use crate::model::{Compensation, LevelRef, PayRange};

/// `content/data/compensation.toml`: published pay ranges by level.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "data/compensation.toml")]
struct RawCompensation {
    /// The currency of every range, as readers see it: `USD`.
    currency: String,
    /// Where the ranges apply: `United States`.
    region: String,
    /// Where the figures come from and when: shown under the table.
    #[serde(default)]
    note: String,
    /// One range per level; a level without one is shown as "no published range".
    #[serde(default)]
    #[schemars(with = "Vec<RawRange>")]
    ranges: Vec<Spanned<RawRange>>,
}

/// One `[[ranges]]` entry: the pay range of one level.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawRange {
    /// The id of a level in `data/ladder.toml`, once per file.
    #[schemars(with = "String", regex(pattern = STABLE_ID))]
    level: Spanned<String>,
    /// The lowest yearly pay, at most `max`.
    min: u64,
    /// The highest yearly pay.
    max: u64,
}

/// The JSON Schema of `data/compensation.toml`, from the types it is read into.
pub(crate) fn schema(generator: schemars::SchemaGenerator) -> schemars::Schema {
    generator.into_root_schema_for::<RawCompensation>()
}

/// Parses and checks `data/compensation.toml`; a range with a problem is reported and left out.
pub(crate) fn parse(file: &Arc<SourceFile>, out: &mut Diagnostics) -> Option<Compensation> {
    let raw: RawCompensation = parse_toml(file, 0, file.text(), out)?;
    let mut levels = UniqueIds::new(file, "range for level");
    let mut ranges = Vec::new();
    for spanned in raw.ranges {
        let span = spanned.span();
        let range = spanned.into_inner();
        let unique = levels.check(&range.level, out);
        if range.min > range.max {
            out.push(
                Diagnostic::at(
                    Code::MinAboveMax,
                    file,
                    span,
                    format!(
                        "range for `{}` has min {} above max {}",
                        range.level.get_ref(),
                        range.min,
                        range.max
                    ),
                )
                .help("swap `min` and `max`"),
            );
            continue;
        }
        if !unique {
            continue;
        }
        ranges.push(PayRange {
            level: LevelRef {
                id: range.level.get_ref().clone(),
                file: Arc::clone(file),
                span: range.level.span(),
            },
            min: range.min,
            max: range.max,
        });
    }
    Some(Compensation {
        currency: raw.currency,
        region: raw.region,
        note: raw.note,
        ranges,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> (Option<Compensation>, Vec<String>) {
        let file = SourceFile::new("content/data/compensation.toml", text);
        let mut out = Diagnostics::default();
        let value = parse(&file, &mut out);
        let messages = out.0.iter().map(Diagnostic::located).collect();
        (value, messages)
    }

    #[test]
    fn unknown_keys_are_reported_with_did_you_mean() {
        let (_, messages) = run("currency = \"USD\"\nregion = \"US\"\nnotes = \"x\"\n");
        assert_eq!(
            messages,
            ["3:1 unknown field `notes`, expected one of `currency`, `region`, `note`, `ranges`"]
        );
    }

    #[test]
    fn min_above_max_is_reported() {
        let (_, messages) = run(
            "currency = \"USD\"\nregion = \"US\"\n[[ranges]]\nlevel = \"junior\"\nmin = 5\nmax = 4\n",
        );
        assert_eq!(messages.len(), 1);
        assert!(
            messages[0].ends_with("range for `junior` has min 5 above max 4"),
            "{messages:?}"
        );
    }
}
