//! The typed data files as plain data: `data/ladder.toml` ([`Ladder`]: levels, the moves
//! between them, phases), `data/compensation.toml` ([`Compensation`]) and `data/quiz.toml`
//! ([`Quiz`]), with the references they make to levels and pages ([`LevelRef`], [`PageRef`],
//! which `site.toml`'s menu uses too), each with where it was written. What
//! [`load::data`](crate::load::data) makes of them; no I/O, no parsing.
#![warn(clippy::missing_docs_in_private_items)]

use std::collections::BTreeSet;
use std::sync::Arc;

use serde::Serialize;

use crate::model::source::{SourceFile, Span};
use crate::model::url::ContentPath;

/// A reference to a page by content path, with where it was written (for "does not exist").
#[derive(Debug, Clone)]
pub(crate) struct PageRef {
    /// The page named: `phases/junior.md`.
    pub(crate) path: ContentPath,
    /// The file that names it (`content/site.toml`, `content/data/ladder.toml`, …).
    pub(crate) file: Arc<SourceFile>,
    /// Where in `file` the path is written.
    pub(crate) span: Span,
}

/// `data/ladder.toml`: the career levels, the moves between them and one phase per level.
#[derive(Debug)]
pub(crate) struct Ladder {
    /// `content/data/ladder.toml` itself, where problems with its entries are reported.
    pub(crate) file: Arc<SourceFile>,
    /// `[[levels]]`, lowest first.
    pub(crate) levels: Vec<Level>,
    /// `[[milestones]]`: the career timeline, in the order written.
    pub(crate) milestones: Vec<Milestone>,
    /// `[[phases]]`, in the order written.
    pub(crate) phases: Vec<Phase>,
    /// Ids of levels left out for a problem of their own (already reported), so references to
    /// them are dropped without a second report.
    pub(crate) left_out: BTreeSet<String>,
}

impl Ladder {
    /// The level with id `id` (`"senior"`), unless it is missing or was left out.
    pub(crate) fn level(&self, id: &str) -> Option<&Level> {
        self.levels.iter().find(|level| level.id == id)
    }
}

/// One `[[levels]]` entry of `data/ladder.toml`.
#[derive(Debug)]
pub(crate) struct Level {
    /// Stable id, `[a-z0-9-]`: `"junior"`. Pages name it in `[extra] level`.
    pub(crate) id: String,
    /// Where `id` is written in `data/ladder.toml`, for problems with the ids made of it.
    pub(crate) id_span: Span,
    /// The level's name as shown: `"Junior SRE"`.
    pub(crate) name: String,
    /// Typical years at this level: `{min = 0, max = 2}`.
    pub(crate) tenure: Years,
    /// What unlocks advancement from this level (prose, typeset when shown).
    pub(crate) unlocks: String,
    /// The most common plateau at this level (prose, typeset when shown).
    pub(crate) plateau: String,
}

/// A span of years; `max` is open-ended when absent ("10+").
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Years {
    /// The first year of the span: `4`.
    pub(crate) min: u32,
    /// The last year, `None` for an open end: `Some(7)`.
    pub(crate) max: Option<u32>,
}

impl Years {
    /// The span as every page writes it: `"4–7 years"`, `"10+ years"`.
    pub(crate) fn label(&self) -> String {
        match self.max {
            Some(max) => format!("{}–{} years", self.min, max),
            None => format!("{}+ years", self.min),
        }
    }
}

/// One `[[milestones]]` entry of `data/ladder.toml`: a typical move from one level to another.
#[derive(Debug)]
pub(crate) struct Milestone {
    /// The level the move starts from: `"junior"`.
    pub(crate) from: LevelRef,
    /// The level the move reaches: `"senior"`.
    pub(crate) to: LevelRef,
    /// How long the move typically takes: `{min = 4, max = 7}`.
    pub(crate) years: Years,
    /// A remark about the move (prose); empty when absent.
    pub(crate) note: String,
}

/// A level id with where it was written, so a missing level can be pointed at.
#[derive(Debug, Clone)]
pub(crate) struct LevelRef {
    /// The level id as written: `"senior"`.
    pub(crate) id: String,
    /// The data file that names it.
    pub(crate) file: Arc<SourceFile>,
    /// Where in `file` the id is written.
    pub(crate) span: Span,
}

/// One `[[phases]]` entry of `data/ladder.toml`: what it takes to advance from one level.
#[derive(Debug)]
pub(crate) struct Phase {
    /// Stable id: `"phase-1"`.
    pub(crate) id: String,
    /// The phase's number as shown: `1` for "Phase 1".
    pub(crate) number: u32,
    /// The level this phase is about: `"junior"`.
    pub(crate) level: LevelRef,
    /// The phase's page, by content path: `"phases/junior.md"`.
    pub(crate) page: PageRef,
    /// The phase's title: `"Owning a failure from end to end"`.
    pub(crate) title: String,
    /// The header of the comparison's "before" column (`"Day one, before this phase"`); `None`
    /// shows the previous level's name.
    pub(crate) baseline: Option<String>,
    /// `[[phases.dimensions]]`: the comparison with the level before, dimension by dimension.
    pub(crate) dimensions: Vec<Dimension>,
    /// `[phases.checklist]`.
    pub(crate) checklist: Checklist,
}

/// One row of a phase's comparison with the level before:
/// `{name: "Scope", before: "…", now: "…"}`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Dimension {
    /// What is compared: `"Scope"`.
    pub(crate) name: String,
    /// What it looks like at the level before (prose).
    pub(crate) before: String,
    /// What it looks like in this phase (prose).
    pub(crate) now: String,
}

/// A phase's checklist, as templates see it in `phase.checklist`:
/// `{kind: "exit", items: [{id, text}, …]}`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Checklist {
    /// `"exit"` or `"operating"`.
    pub(crate) kind: ChecklistKind,
    /// The items, in the order written.
    pub(crate) items: Vec<ChecklistItem>,
}

/// What a checklist is for, serialized lowercase (`"exit"`, `"operating"`).
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
#[serde(rename_all = "lowercase")]
pub(crate) enum ChecklistKind {
    /// What to have done before moving on.
    Exit,
    /// What working at the level looks like (the top phase).
    Operating,
}

/// One checklist item: `{id: "led-three-incidents-as-commander", text: "…"}`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ChecklistItem {
    /// Stable id (`"led-three-incidents-as-commander"`): the browser stores a reader's tick under
    /// it, so rewording or reordering items keeps progress. The theme gives the item the id
    /// `item-<id>`.
    pub(crate) id: String,
    /// The item's text (prose).
    pub(crate) text: String,
    /// Where `id` is written in `data/ladder.toml`, for problems with the ids made of it.
    #[serde(skip)]
    pub(crate) id_span: Span,
}

/// `data/compensation.toml`: pay ranges by level.
#[derive(Debug)]
pub(crate) struct Compensation {
    /// A currency code: `"USD"` (amounts show as `$87,500`; any other code as `EUR 87,500`).
    pub(crate) currency: String,
    /// Where the figures apply: `"United States, general market"`.
    pub(crate) region: String,
    /// What the figures are (prose); empty when absent.
    pub(crate) note: String,
    /// `[[ranges]]`, at most one per level; a level may have none.
    pub(crate) ranges: Vec<PayRange>,
}

impl Compensation {
    /// One row per level, in ladder order, with its range if one is published (a level may have
    /// none). Without a ladder, one row per range, named by its level id.
    pub(crate) fn rows<'a>(
        &'a self,
        ladder: Option<&'a Ladder>,
    ) -> Vec<(&'a str, &'a str, Option<&'a PayRange>)> {
        let range_of = |id: &str| self.ranges.iter().find(|r| r.level.id == id);
        match ladder {
            Some(ladder) => ladder
                .levels
                .iter()
                .map(|l| (l.id.as_str(), l.name.as_str(), range_of(&l.id)))
                .collect(),
            None => self
                .ranges
                .iter()
                .map(|r| (r.level.id.as_str(), r.level.id.as_str(), Some(r)))
                .collect(),
        }
    }
}

/// One `[[ranges]]` entry of `data/compensation.toml`: a level's yearly pay.
#[derive(Debug)]
pub(crate) struct PayRange {
    /// The level it is for: `"junior"`.
    pub(crate) level: LevelRef,
    /// The low end, in whole units of the currency: `87500`.
    pub(crate) min: u64,
    /// The high end, at least `min`: `126500`.
    pub(crate) max: u64,
}

/// `data/quiz.toml`: the "Where are you now?" questions and the rules that route a count of yes
/// answers to a phase.
#[derive(Debug)]
pub(crate) struct Quiz {
    /// `[[questions]]`, in the order asked.
    pub(crate) questions: Vec<Question>,
    /// `[[rules]]`: together they cover every count from 0 to the number of questions once.
    pub(crate) rules: Vec<Rule>,
}

/// One yes/no question of the quiz: `{id: "owns-on-call", text: "…", hint: "…"}`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Question {
    /// Stable id: `"owns-on-call"`.
    pub(crate) id: String,
    /// The question (prose).
    pub(crate) text: String,
    /// A line of help under the question (prose); empty when absent.
    pub(crate) hint: String,
}

/// One `[[rules]]` entry of `data/quiz.toml`: a range of yes counts and where it sends a reader.
#[derive(Debug)]
pub(crate) struct Rule {
    /// Stable id, also the slug of its static result page: `"phase-1"`.
    pub(crate) id: String,
    /// The fewest yes answers it routes, inclusive: `0`.
    pub(crate) min: u32,
    /// The most yes answers it routes, inclusive: `1`.
    pub(crate) max: u32,
    /// Where to start, by content path: `"phases/junior.md"`.
    pub(crate) page: PageRef,
    /// Who the reader likely is: `"Junior SRE or early Mid-level"`.
    pub(crate) label: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenure_labels_show_open_ends() {
        assert_eq!(
            Years {
                min: 0,
                max: Some(2)
            }
            .label(),
            "0–2 years"
        );
        assert_eq!(Years { min: 10, max: None }.label(), "10+ years");
    }
}
