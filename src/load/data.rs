//! The guide's typed data file `data/ladder.toml` (compensation and the quiz have files of their
//! own, [`crate::load::compensation`] and [`crate::load::quiz`]), and the id and page-reference
//! helpers all three share.
//! Raw serde shapes stay private here; only checked [`model`](crate::model) types leave. Rules that
//! need one file only (unique ids, min ≤ max, ordered tenures) are checked here; rules across files
//! (levels and pages that must exist) are [`crate::check`]'s.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

use crate::model::diagnostic::toml_errors::parse_toml;
use crate::model::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::source::{SourceFile, Span};
use crate::model::url::ContentPath;
use crate::model::{
    Checklist, ChecklistItem, ChecklistKind, Dimension, Ladder, Level, LevelRef, Milestone,
    PageRef, Phase, Years,
};

/// What an id must look like: lowercase letters, digits and `-` (`UniqueIds` checks it).
pub(crate) const STABLE_ID: &str = "^[a-z0-9-]+$";

/// How a page is named in data files and site.toml: its path below `content/`.
pub(crate) const PAGE_PATH: &str = r"\.md$";

/// `content/data/ladder.toml`: the levels of the career ladder, the milestones between them,
/// and the guide's phases.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "data/ladder.toml")]
struct RawLadder {
    /// The levels, from the most junior to the most senior; only the last may be open-ended.
    levels: Vec<RawLevel>,
    /// Typical moves between levels.
    #[serde(default)]
    milestones: Vec<RawMilestone>,
    /// The guide's phases, each a level with its page and exit checklist.
    #[serde(default)]
    phases: Vec<RawPhase>,
}

/// One `[[levels]]` entry.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawLevel {
    /// The level's stable id, which pages (`[extra] level`), phases and pay ranges name.
    #[schemars(with = "String", regex(pattern = STABLE_ID))]
    id: Spanned<String>,
    /// The level's name as readers see it: `Senior SRE`.
    name: String,
    /// Years of experience the level usually spans; a later level starts where this one ends.
    #[schemars(with = "RawYears")]
    tenure: Spanned<RawYears>,
    /// What reaching the level makes possible.
    unlocks: String,
    /// What keeps people at the level.
    plateau: String,
}

/// A span of years: `{ min = 2, max = 5 }`; without `max` it is open-ended ("10+").
#[derive(Deserialize, Clone, Copy, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawYears {
    /// The first year, at most `max`.
    min: u32,
    /// The last year; none for an open end.
    max: Option<u32>,
}

/// One `[[milestones]]` entry: a typical move from one level to another.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawMilestone {
    /// The id of the level moved from.
    #[schemars(with = "String", regex(pattern = STABLE_ID))]
    from: Spanned<String>,
    /// The id of the level moved to.
    #[schemars(with = "String", regex(pattern = STABLE_ID))]
    to: Spanned<String>,
    /// How many years the move usually takes.
    #[schemars(with = "RawYears")]
    years: Spanned<RawYears>,
    /// A remark shown beside the move.
    #[serde(default)]
    note: String,
}

/// One `[[phases]]` entry: a level as the guide walks through it.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawPhase {
    /// The phase's stable id.
    #[schemars(with = "String", regex(pattern = STABLE_ID))]
    id: Spanned<String>,
    /// Its place in the guide: 1, 2, 3, … once each.
    #[schemars(with = "u32", range(min = 1))]
    number: Spanned<u32>,
    /// The id of the level the phase is about.
    #[schemars(with = "String", regex(pattern = STABLE_ID))]
    level: Spanned<String>,
    /// The phase's page, by its path below `content/`: `phases/senior.md`.
    #[schemars(with = "String", regex(pattern = PAGE_PATH))]
    page: Spanned<String>,
    /// The phase's title in lists and cards.
    title: String,
    /// What a reader at this phase already does well.
    baseline: Option<String>,
    /// How the work changes from the phase before, dimension by dimension.
    #[serde(default)]
    dimensions: Vec<RawDimension>,
    /// What to have done before moving on (or, at the top, what the work looks like).
    checklist: RawChecklist,
}

/// One `[[phases.dimensions]]` entry: one way the work changes.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawDimension {
    /// What changes: `Scope`, `Influence`.
    name: String,
    /// How it was in the phase before.
    before: String,
    /// How it is in this phase.
    now: String,
}

/// `[phases.checklist]`: the phase's checklist, whose items readers tick in the browser.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawChecklist {
    /// `exit`: what to have done before moving on; `operating`: what working at the level looks
    /// like (the top phase).
    kind: RawChecklistKind,
    /// The items, in order.
    items: Vec<RawItem>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
enum RawChecklistKind {
    /// What to have done before moving on.
    Exit,
    /// What working at the level looks like (the top phase).
    Operating,
}

/// One checklist item.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawItem {
    /// The item's stable id: readers' ticks are saved under it, so it never changes with the
    /// wording.
    #[schemars(with = "String", regex(pattern = STABLE_ID))]
    id: Spanned<String>,
    /// What the reader should have done.
    #[schemars(with = "String", length(min = 1))]
    text: Spanned<String>,
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
        file: Arc::clone(file),
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
            id_span: level.id.span(),
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
            Code::MinAboveMax,
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
            Code::LevelsOutOfOrder,
            file,
            span.clone(),
            format!("level `{id}` follows `{before_id}`, whose tenure has no end"),
        )
        .help(format!(
            "give `{before_id}` a tenure `max`, or move the open-ended level last"
        )),
        Some(_) if tenure.min < before.min => Diagnostic::at(
            Code::LevelsOutOfOrder,
            file,
            span.clone(),
            format!(
                "levels are out of order: `{id}` starts at {} years, before `{before_id}` ({} years)",
                tenure.min, before.min
            ),
        )
        .help("list levels from the most junior to the most senior"),
        Some(before_max) if tenure.min < before_max => Diagnostic::at(
            Code::TenureOverlap,
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
                Diagnostic::at(
                    Code::MinAboveMax,
                    known.file,
                    span,
                    "milestone years end before they start",
                )
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
                    Code::PhaseNumberRepeated,
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
                id_span: item.id.span(),
                id: item.id.into_inner(),
                text: item.text.into_inner(),
            });
        }
    }
    items
}

/// The JSON Schema of `data/ladder.toml`, from the types it is read into.
pub(crate) fn ladder_schema(generator: schemars::SchemaGenerator) -> schemars::Schema {
    generator.into_root_schema_for::<RawLadder>()
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
    Diagnostic::at(
        Code::UnknownLevel,
        file,
        span.clone(),
        format!("no level has the id `{id}`"),
    )
    .did_you_mean(
        id,
        ids.iter().copied(),
        span,
        str::to_string,
        format!(
            "use one of the level ids in data/ladder.toml: {}",
            quoted(ids)
        ),
    )
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
        out.push(Diagnostic::at(Code::EmptyText, file, text.span(), message).help(help));
    }
    !blank
}

/// Reports an id that is malformed or seen before in the same file.
pub(crate) struct UniqueIds<'a> {
    file: &'a Arc<SourceFile>,
    what: &'static str,
    seen: HashMap<String, Span>,
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
                    Code::InvalidId,
                    self.file,
                    id.span(),
                    format!("{} id `{value}` is not a stable id", self.what),
                )
                .help("use lowercase letters, digits and `-` only, e.g. `led-three-incidents`"),
            );
            fine = false;
        }
        if let Some(first) = self.seen.insert(value.clone(), id.span()) {
            let (line, _) = self.file.line_col(first.start);
            out.push(
                Diagnostic::at(
                    Code::DuplicateId,
                    self.file,
                    id.span(),
                    format!("{} id `{value}` is used twice", self.what),
                )
                .label(first, "first used here")
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
}
