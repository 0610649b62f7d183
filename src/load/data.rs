//! The guide's typed data files `data/ladder.toml` and `data/compensation.toml` (the quiz has
//! its own stage, [`crate::load::quiz`]), and the id and page-reference helpers all three share.
//! Raw serde shapes stay private here; only checked [`model`](crate::model) types leave. Rules that
//! need one file only (unique ids, min ≤ max, ordered tenures) are checked here; rules across files
//! (levels and pages that must exist) are [`crate::check`]'s.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

use crate::diagnostic::{Diagnostic, Diagnostics, parse_toml};
use crate::model::source::{SourceFile, Span};
use crate::model::url::ContentPath;
use crate::model::{
    Checklist, ChecklistItem, ChecklistKind, Compensation, Dimension, Ladder, Level, LevelRef,
    Milestone, PageRef, PayRange, Phase, Years,
};

/// `data/ladder.toml`: the SRE level ladder, its career timeline and the four phases.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Ladder")]
struct RawLadder {
    /// The levels in order, lowest first.
    levels: Vec<RawLevel>,
    /// The career timeline: typical years between two levels.
    #[serde(default)]
    milestones: Vec<RawMilestone>,
    /// One phase per level a reader works through, with its comparison and checklist.
    #[serde(default)]
    phases: Vec<RawPhase>,
}

/// One level of the ladder.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Level")]
struct RawLevel {
    /// Stable id, `[a-z0-9-]`: phases, milestones and pay ranges refer to the level by it.
    #[schemars(with = "String", regex(pattern = r"^[a-z0-9-]+$"))]
    id: Spanned<String>,
    /// Its name as shown ("Junior SRE").
    name: String,
    /// Typical years in SRE at this level.
    #[schemars(with = "RawYears")]
    tenure: Spanned<RawYears>,
    /// What unlocks advancement from this level.
    unlocks: String,
    /// The most common plateau at this level.
    plateau: String,
}

/// A span of years: `max` absent for an open end ("10+").
#[derive(Deserialize, JsonSchema, Clone, Copy)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Years")]
struct RawYears {
    min: u32,
    max: Option<u32>,
}

/// A move between two levels on the career timeline.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Milestone")]
struct RawMilestone {
    /// The level moved from (a level id).
    #[schemars(with = "String")]
    from: Spanned<String>,
    /// The level moved to (a level id).
    #[schemars(with = "String")]
    to: Spanned<String>,
    /// How many years the move typically takes.
    #[schemars(with = "RawYears")]
    years: Spanned<RawYears>,
    /// A remark shown with the move.
    #[serde(default)]
    note: String,
}

/// A phase: what it takes to work at one level and move to the next.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Phase")]
struct RawPhase {
    /// Stable id (`phase-1`).
    #[schemars(with = "String", regex(pattern = r"^[a-z0-9-]+$"))]
    id: Spanned<String>,
    /// Its number, from 1.
    #[schemars(with = "u32")]
    number: Spanned<u32>,
    /// The level this phase is about (a level id).
    #[schemars(with = "String")]
    level: Spanned<String>,
    /// The phase's page, as a path below `content/` (`phases/junior.md`).
    #[schemars(with = "String")]
    page: Spanned<String>,
    /// The phase's title.
    title: String,
    /// The header of the comparison's "before" column; the previous level's name when absent.
    baseline: Option<String>,
    /// The comparison with the level before, dimension by dimension.
    #[serde(default)]
    dimensions: Vec<RawDimension>,
    /// What to have in hand before moving on, or what the level looks like.
    checklist: RawChecklist,
}

/// One row of a phase's comparison.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Dimension")]
struct RawDimension {
    /// What is compared ("Scope").
    name: String,
    /// How it looks before this phase.
    before: String,
    /// How it looks at this phase's level.
    now: String,
}

/// A phase's checklist.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Checklist")]
struct RawChecklist {
    /// `exit`: before you move on; `operating`: what working at the level looks like.
    kind: RawChecklistKind,
    /// The items, in order.
    items: Vec<RawItem>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(rename = "ChecklistKind")]
enum RawChecklistKind {
    Exit,
    Operating,
}

/// One checklist item.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Item")]
struct RawItem {
    /// Stable id, `[a-z0-9-]`: a reader's ticks and notes are kept under it.
    #[schemars(with = "String", regex(pattern = r"^[a-z0-9-]+$"))]
    id: Spanned<String>,
    /// What the item asks for.
    #[schemars(with = "String")]
    text: Spanned<String>,
}

/// The JSON Schema of `data/ladder.toml`, from the types above.
pub(crate) fn ladder_schema() -> schemars::Schema {
    schemars::schema_for!(RawLadder)
}

/// The JSON Schema of `data/compensation.toml`, from the types below.
pub(crate) fn compensation_schema() -> schemars::Schema {
    schemars::schema_for!(RawCompensation)
}

/// Parses and checks `data/ladder.toml`. `None` when it cannot be read as a ladder at all. An
/// entry with a problem is reported and left out, and so is whatever refers to a left-out level
/// (silently: its problem is already reported).
pub(crate) fn ladder(file: &Arc<SourceFile>, out: &mut Diagnostics) -> Option<Ladder> {
    let raw: RawLadder = parse_toml(file, 0, file.text(), out)?;
    let (levels, known) = levels(file, raw.levels, out);
    let milestones = milestones(&known, raw.milestones, out);
    let phases = phases(&known, raw.phases, out);
    Some(Ladder {
        levels,
        milestones,
        phases,
        left_out: known.left_out,
    })
}

/// The levels as written, for resolving references to them: every declared id, and those left
/// out for a problem of their own.
struct KnownLevels<'a> {
    file: &'a Arc<SourceFile>,
    declared: Vec<String>,
    left_out: BTreeSet<String>,
}

impl KnownLevels<'_> {
    /// A reference to a level that was never written is reported; one to a level left out for
    /// its own problem is dropped quietly.
    fn resolve(&self, spanned: Spanned<String>, out: &mut Diagnostics) -> Option<LevelRef> {
        let span = spanned.span();
        let id = spanned.into_inner();
        if !self.declared.contains(&id) {
            let declared: Vec<&str> = self.declared.iter().map(String::as_str).collect();
            out.push(unknown_level(self.file, span, &id, &declared));
            return None;
        }
        if self.left_out.contains(&id) {
            return None;
        }
        Some(LevelRef {
            id,
            file: Arc::clone(self.file),
            span,
        })
    }
}

/// The levels in order, each checked on its own and against the one before it.
fn levels<'a>(
    file: &'a Arc<SourceFile>,
    raw: Vec<RawLevel>,
    out: &mut Diagnostics,
) -> (Vec<Level>, KnownLevels<'a>) {
    let mut ids = UniqueIds::new(file, "level");
    let mut previous: Option<(RawYears, String)> = None;
    let mut levels = Vec::new();
    let mut known = KnownLevels {
        file,
        declared: Vec::new(),
        left_out: BTreeSet::new(),
    };
    for level in raw {
        let mut keep = ids.check(&level.id, out);
        let span = level.tenure.span();
        let tenure = *level.tenure.get_ref();
        let id = level.id.get_ref();
        let problems = [
            tenure_reversed(file, &span, id, tenure),
            previous
                .as_ref()
                .and_then(|before| tenure_after(file, &span, id, tenure, before)),
        ];
        for problem in problems.into_iter().flatten() {
            out.push(problem);
            keep = false;
        }
        previous = Some((tenure, id.clone()));
        known.declared.push(id.clone());
        if !keep {
            known.left_out.insert(level.id.into_inner());
            continue;
        }
        levels.push(Level {
            id: level.id.into_inner(),
            name: level.name,
            tenure: years(tenure),
            unlocks: level.unlocks,
            plateau: level.plateau,
        });
    }
    (levels, known)
}

/// A tenure whose `max` is below its `min`.
fn tenure_reversed(
    file: &Arc<SourceFile>,
    span: &Span,
    id: &str,
    tenure: RawYears,
) -> Option<Diagnostic> {
    let max = tenure.max.filter(|max| *max < tenure.min)?;
    Some(
        Diagnostic::at(
            file,
            span.clone(),
            format!(
                "tenure of `{id}` ends ({max}) before it starts ({})",
                tenure.min
            ),
        )
        .help("write the smaller number as `min` and the larger as `max`"),
    )
}

/// A level that cannot follow the one `before` it: that one has no end, starts later, or
/// overlaps it.
fn tenure_after(
    file: &Arc<SourceFile>,
    span: &Span,
    id: &str,
    tenure: RawYears,
    (before, before_id): &(RawYears, String),
) -> Option<Diagnostic> {
    let problem = match before.max {
        None => Diagnostic::at(
            file,
            span.clone(),
            format!("level `{id}` follows `{before_id}`, whose tenure has no end"),
        )
        .help(format!(
            "give `{before_id}` a tenure `max`, or move the open-ended level last"
        )),
        Some(_) if tenure.min < before.min => Diagnostic::at(
            file,
            span.clone(),
            format!(
                "levels are out of order: `{id}` starts at {} years, before `{before_id}` ({} years)",
                tenure.min, before.min
            ),
        )
        .help("list levels from the most junior to the most senior"),
        Some(before_max) if tenure.min < before_max => Diagnostic::at(
            file,
            span.clone(),
            format!(
                "tenure of `{id}` ({}) overlaps `{before_id}` (up to {before_max} years)",
                tenure.min
            ),
        )
        .help(format!("start `{id}` at {before_max} years or later")),
        Some(_) => return None,
    };
    Some(problem)
}

/// The career timeline's moves; one naming an unknown level, or with years reversed, is left out.
fn milestones(
    known: &KnownLevels,
    raw: Vec<RawMilestone>,
    out: &mut Diagnostics,
) -> Vec<Milestone> {
    let mut milestones = Vec::new();
    for milestone in raw {
        let span = milestone.years.span();
        let raw_years = *milestone.years.get_ref();
        let ordered = raw_years.max.is_none_or(|max| max >= raw_years.min);
        if !ordered {
            out.push(
                Diagnostic::at(known.file, span, "milestone years end before they start")
                    .help("write the smaller number as `min`"),
            );
        }
        let from = known.resolve(milestone.from, out);
        let to = known.resolve(milestone.to, out);
        if let (Some(from), Some(to), true) = (from, to, ordered) {
            milestones.push(Milestone {
                from,
                to,
                years: years(raw_years),
                note: milestone.note,
            });
        }
    }
    milestones
}

/// The phases by number; ids, numbers and checklist item ids unique across the file.
fn phases(known: &KnownLevels, raw: Vec<RawPhase>, out: &mut Diagnostics) -> Vec<Phase> {
    let file = known.file;
    let mut phase_ids = UniqueIds::new(file, "phase");
    let mut item_ids = UniqueIds::new(file, "checklist item");
    let mut numbers: HashMap<u32, String> = HashMap::new();
    let mut phases = Vec::new();
    for phase in raw {
        let mut keep = phase_ids.check(&phase.id, out);
        if let Some(other) = numbers.insert(*phase.number.get_ref(), phase.id.get_ref().clone()) {
            keep = false;
            out.push(
                Diagnostic::at(
                    file,
                    phase.number.span(),
                    format!(
                        "phase number {} is already used by `{other}`",
                        phase.number.get_ref()
                    ),
                )
                .help("number phases 1, 2, 3, … once each"),
            );
        }
        let items = checklist_items(file, phase.checklist.items, &mut item_ids, out);
        let Some(level) = known.resolve(phase.level, out) else {
            continue;
        };
        if !keep {
            continue;
        }
        phases.push(Phase {
            id: phase.id.into_inner(),
            number: phase.number.into_inner(),
            level,
            page: page_ref(file, phase.page),
            title: phase.title,
            baseline: phase.baseline,
            dimensions: phase
                .dimensions
                .into_iter()
                .map(|d| Dimension {
                    name: d.name,
                    before: d.before,
                    now: d.now,
                })
                .collect(),
            checklist: Checklist {
                kind: match phase.checklist.kind {
                    RawChecklistKind::Exit => ChecklistKind::Exit,
                    RawChecklistKind::Operating => ChecklistKind::Operating,
                },
                items,
            },
        });
    }
    phases.sort_by_key(|phase| phase.number);
    phases
}

/// A phase's checklist items with a unique id and some text; the others are reported.
fn checklist_items(
    file: &Arc<SourceFile>,
    raw: Vec<RawItem>,
    ids: &mut UniqueIds,
    out: &mut Diagnostics,
) -> Vec<ChecklistItem> {
    let mut items = Vec::new();
    for item in raw {
        let id_fine = ids.check(&item.id, out);
        let has_text = require_text(
            file,
            &item.text,
            "checklist item has no text",
            "write what the reader should have done",
            out,
        );
        if id_fine && has_text {
            items.push(ChecklistItem {
                id: item.id.into_inner(),
                text: item.text.into_inner(),
            });
        }
    }
    items
}

/// `data/compensation.toml`: a pay range per level.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Compensation")]
struct RawCompensation {
    /// The currency of every figure (ISO 4217, "USD").
    currency: String,
    /// The market the figures describe.
    region: String,
    /// What the figures are, and what they are not.
    #[serde(default)]
    note: String,
    /// One range per level; a level without one has no published range.
    #[serde(default)]
    #[schemars(with = "Vec<RawRange>")]
    ranges: Vec<Spanned<RawRange>>,
}

/// A level's pay range.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Range")]
struct RawRange {
    /// The level (a level id of the ladder).
    #[schemars(with = "String")]
    level: Spanned<String>,
    /// The lowest base salary of the range.
    min: u64,
    /// The highest base salary of the range.
    max: u64,
}

/// Parses and checks `data/compensation.toml`; a range with a problem is reported and left out.
pub(crate) fn compensation(file: &Arc<SourceFile>, out: &mut Diagnostics) -> Option<Compensation> {
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

fn years(raw: RawYears) -> Years {
    Years {
        min: raw.min,
        max: raw.max,
    }
}

/// A level id that the ladder does not have, wherever it is written (the ladder itself, a
/// page's front matter, compensation.toml): one message, one help.
pub(crate) fn unknown_level(
    file: &Arc<SourceFile>,
    span: Span,
    id: &str,
    ids: &[&str],
) -> Diagnostic {
    let diagnostic = Diagnostic::at(file, span, format!("no level has the id `{id}`"));
    diagnostic.help(crate::diagnostic::suggest(
        id,
        ids.iter().copied(),
        format!(
            "use one of the level ids in data/ladder.toml: {}",
            quoted(ids)
        ),
    ))
}

pub(crate) fn page_ref(file: &Arc<SourceFile>, page: Spanned<String>) -> PageRef {
    let span = page.span();
    PageRef {
        path: ContentPath::of(page.get_ref()),
        file: Arc::clone(file),
        span,
    }
}

fn quoted(ids: &[&str]) -> String {
    ids.iter()
        .map(|id| format!("`{id}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reports a blank `text`: an entry the reader would see as empty. `true` when it has text.
pub(crate) fn require_text(
    file: &Arc<SourceFile>,
    text: &Spanned<String>,
    message: &str,
    help: &str,
    out: &mut Diagnostics,
) -> bool {
    let blank = text.get_ref().trim().is_empty();
    if blank {
        out.push(Diagnostic::at(file, text.span(), message).help(help));
    }
    !blank
}

/// Reports an id that is malformed or seen before in the same file.
pub(crate) struct UniqueIds<'a> {
    file: &'a Arc<SourceFile>,
    what: &'static str,
    seen: HashMap<String, usize>,
}

impl<'a> UniqueIds<'a> {
    pub(crate) fn new(file: &'a Arc<SourceFile>, what: &'static str) -> Self {
        UniqueIds {
            file,
            what,
            seen: HashMap::new(),
        }
    }

    /// Reports a malformed or repeated id; `true` when the id is fine (the entry may be kept).
    pub(crate) fn check(&mut self, id: &Spanned<String>, out: &mut Diagnostics) -> bool {
        let value = id.get_ref();
        let mut fine = true;
        if value.is_empty()
            || !value
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            out.push(
                Diagnostic::at(
                    self.file,
                    id.span(),
                    format!("{} id `{value}` is not a stable id", self.what),
                )
                .help("use lowercase letters, digits and `-` only, e.g. `led-three-incidents`"),
            );
            fine = false;
        }
        if let Some(first) = self.seen.insert(value.clone(), id.span().start) {
            let (line, _) = self.file.line_col(first);
            out.push(
                Diagnostic::at(
                    self.file,
                    id.span(),
                    format!("{} id `{value}` is used twice", self.what),
                )
                .help(format!(
                    "it is first used on line {line}; ids must be unique"
                )),
            );
            fine = false;
        }
        fine
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run<T>(
        parse: fn(&Arc<SourceFile>, &mut Diagnostics) -> Option<T>,
        text: &str,
    ) -> (Option<T>, Vec<String>) {
        let file = SourceFile::new("content/data/x.toml", text);
        let mut out = Diagnostics::default();
        let value = parse(&file, &mut out);
        let messages = out.0.iter().map(Diagnostic::located).collect();
        (value, messages)
    }

    const LEVELS: &str = "[[levels]]\nid = \"junior\"\nname = \"J\"\ntenure = { min = 0, max = 2 }\nunlocks = \"u\"\nplateau = \"p\"\n\n[[levels]]\nid = \"mid\"\nname = \"M\"\ntenure = { min = 2, max = 4 }\nunlocks = \"u\"\nplateau = \"p\"\n";

    #[test]
    fn a_valid_ladder_passes() {
        let (ladder, messages) = run(ladder, LEVELS);
        assert!(messages.is_empty(), "{messages:?}");
        assert_eq!(
            ladder.expect("parsed").levels[1].tenure,
            Years {
                min: 2,
                max: Some(4)
            }
        );
    }

    #[test]
    fn overlapping_tenures_point_at_the_later_level() {
        let text = LEVELS.replace("min = 2, max = 4", "min = 1, max = 4");
        let (_, messages) = run(ladder, &text);
        assert_eq!(
            messages,
            ["11:10 tenure of `mid` (1) overlaps `junior` (up to 2 years)"]
        );
    }

    #[test]
    fn unknown_level_in_a_phase_is_reported_with_a_suggestion() {
        let text = format!(
            "{LEVELS}\n[[phases]]\nid = \"phase-1\"\nnumber = 1\nlevel = \"juinor\"\npage = \"p.md\"\ntitle = \"t\"\n[phases.checklist]\nkind = \"exit\"\nitems = [{{ id = \"a\", text = \"x\" }}, {{ id = \"a\", text = \"\" }}]\n"
        );
        let file = SourceFile::new("content/data/ladder.toml", text);
        let mut out = Diagnostics::default();
        ladder(&file, &mut out);
        let messages: Vec<&str> = out.0.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "checklist item id `a` is used twice",
                "checklist item has no text",
                "no level has the id `juinor`"
            ]
        );
        assert_eq!(out.0[2].help.as_deref(), Some("did you mean `junior`?"));
    }

    #[test]
    fn unknown_keys_are_reported_with_did_you_mean() {
        let (_, messages) = run(
            compensation,
            "currency = \"USD\"\nregion = \"US\"\nnotes = \"x\"\n",
        );
        assert_eq!(
            messages,
            ["3:1 unknown field `notes`, expected one of `currency`, `region`, `note`, `ranges`"]
        );
    }

    #[test]
    fn min_above_max_is_reported() {
        let (_, messages) = run(
            compensation,
            "currency = \"USD\"\nregion = \"US\"\n[[ranges]]\nlevel = \"junior\"\nmin = 5\nmax = 4\n",
        );
        assert_eq!(messages.len(), 1);
        assert!(
            messages[0].ends_with("range for `junior` has min 5 above max 4"),
            "{messages:?}"
        );
    }
}
