//! Checked data → what templates see as `data.*`: levels with their phase URLs, phases with the
//! names of their levels, compensation rows with formatted money, the quiz with its routing key
//! and the JSON the quiz script reads, their text typeset like Markdown prose
//! ([`typography`](crate::markdown::typography)). URLs come from [`crate::model::url`], marked
//! with its root marker; [`crate::render`] makes them relative to the page they land on, so a
//! field documented as a relative URL reads `"../../phases/junior/index.html"` on
//! `phases/senior/`. Prose fields are typeset: curly quotes and apostrophes, en dashes in ranges.
//! Templates see the result of [`data`] as `data` on every page, [`LevelView`] and
//! [`PhaseView`] as `level` and `phase` on a page whose `[extra] level` names a level, and
//! [`RuleView`] as `result` on a quiz result page.
#![warn(clippy::missing_docs_in_private_items)]

use serde::Serialize;
use tera::Value;

use crate::markdown::typography::typeset;
use crate::model::url::{self, ContentPath, Route, SiteUrl};
use crate::model::{
    Checklist, ChecklistItem, Dimension, Ladder, PageKind, Phase, Question, Quiz, Site, Years,
};
use crate::render::chart::money;

/// A span of years: `{min: 4, max: 7, label: "4–7 years", end: 7}`, or for an open end
/// `{min: 10, max: none, label: "10+ years", end: 12}`.
#[derive(Serialize)]
pub(crate) struct YearsView {
    /// The first year: `4`.
    min: u32,
    /// The last year: `7`; none for an open end.
    max: Option<u32>,
    /// As every page writes it: `"4–7 years"`, `"10+ years"`.
    label: String,
    /// Where a timeline draws the span's end: `max`, or two years past `min` when it is open.
    end: u32,
}

/// How far a timeline draws an open span ("10+ years") past its start.
const OPEN_SPAN_YEARS: u32 = 2;

/// `years` as templates see it.
fn years(years: Years) -> YearsView {
    YearsView {
        min: years.min,
        max: years.max,
        label: years.label(),
        end: years
            .max
            .unwrap_or_else(|| years.min.saturating_add(OPEN_SPAN_YEARS)),
    }
}

/// One level, as `data.ladder.levels[]` and `level`.
#[derive(Serialize)]
pub(crate) struct LevelView {
    /// The level's id: `"junior"`.
    pub(crate) id: String,
    /// Its name: `"Junior SRE"`.
    name: String,
    /// Typical years at the level: `{min: 0, max: 2, label: "0–2 years", end: 2}`.
    tenure: YearsView,
    /// What unlocks advancement (prose, typeset).
    unlocks: String,
    /// The most common plateau (prose, typeset).
    plateau: String,
    /// The relative URL of the first phase page about this level
    /// (`"../../phases/junior/index.html"`); `""` when no loaded page is.
    phase_url: String,
}

/// One move on the career timeline, as `data.ladder.milestones[]`.
#[derive(Serialize)]
pub(crate) struct MilestoneView {
    /// The id of the level the move starts from: `"junior"`.
    from: String,
    /// The id of the level it reaches: `"senior"`.
    to: String,
    /// The name of `from` (`"Junior SRE"`), or its id if the ladder has no such level.
    from_name: String,
    /// The name of `to` (`"Senior SRE"`), or its id if the ladder has no such level.
    to_name: String,
    /// How long the move typically takes: `{min: 4, max: 7, label: "4–7 years", end: 7}`.
    years: YearsView,
    /// When the move typically lands, in years from entry (see `landings`).
    from_entry: YearsView,
    /// Whether `from_entry` builds on the move into this milestone's first level.
    chained: bool,
    /// A remark about the move (prose, typeset); `""` when it has none.
    note: String,
}

/// One phase, as `data.ladder.phases[]` and `phase`.
#[derive(Serialize)]
pub(crate) struct PhaseView {
    /// The phase's id: `"phase-1"`.
    id: String,
    /// Its number: `1`.
    number: u32,
    /// The id of the level it is about: `"junior"`.
    pub(crate) level: String,
    /// That level's name: `"Junior SRE"`.
    level_name: String,
    /// The name of the level above it (`"Mid-level SRE"`); `""` for the top level.
    next_level_name: String,
    /// Its title (typeset): `"Owning a failure from end to end"`.
    title: String,
    /// Its page's content path: `"phases/junior.md"`.
    page: ContentPath,
    /// Its page's relative URL: `"../../phases/junior/index.html"` from `phases/senior/`.
    url: String,
    /// The header of the comparison's "before" column: the phase's `baseline` if written, else
    /// the previous level's name (`"Junior SRE"`), `""` for the lowest level without one.
    baseline: String,
    /// The comparison with the level before, each field typeset:
    /// `[{name: "Scope", before: "…", now: "…"}, …]`.
    dimensions: Vec<Dimension>,
    /// The checklist, its items' text typeset: `{kind: "exit", items: [{id, text}, …]}`.
    checklist: Checklist,
}

/// `data.ladder`: the ladder with names and URLs filled in.
#[derive(Serialize)]
pub(crate) struct LadderView {
    /// `data.ladder.levels`, lowest first.
    pub(crate) levels: Vec<LevelView>,
    /// `data.ladder.milestones`, in the order written.
    milestones: Vec<MilestoneView>,
    /// `data.ladder.phases`, in the order written.
    pub(crate) phases: Vec<PhaseView>,
}

/// The marked URL of the page at `path` (its `index.html`).
fn url_of(path: &ContentPath) -> String {
    SiteUrl::page(&Route::of(path)).marked()
}

/// The name of level `id`, or the id itself when the ladder has no such level.
fn name_of(ladder: &Ladder, id: &str) -> String {
    ladder
        .level(id)
        .map_or_else(|| id.to_string(), |level| level.name.clone())
}

/// When each move typically lands, in years from entry, and whether it builds on an earlier move:
/// a move starts when the move into its level could have landed (else in that level's first
/// year), so Junior → Senior at 4–7 then 3–5 more puts Senior → Staff at 7–12.
fn landings(ladder: &Ladder) -> Vec<(Years, bool)> {
    let mut landed: Vec<(String, Years)> = Vec::new();
    ladder
        .milestones
        .iter()
        .map(|m| {
            let earlier = landed
                .iter()
                .rev()
                .find(|(to, _)| *to == m.from.id)
                .map(|(_, y)| *y);
            let start = earlier.unwrap_or_else(|| {
                let first = ladder.level(&m.from.id).map_or(0, |l| l.tenure.min);
                Years {
                    min: first,
                    max: Some(first),
                }
            });
            let window = Years {
                min: start.min.saturating_add(m.years.min),
                max: start.max.zip(m.years.max).map(|(a, b)| a.saturating_add(b)),
            };
            landed.push((m.to.id.clone(), window));
            (window, earlier.is_some())
        })
        .collect()
}

/// `data.ladder`: levels with their phase URLs, milestones with their landings, phases with
/// their levels' names.
pub(crate) fn ladder(site: &Site, ladder: &Ladder) -> LadderView {
    let phase_page = |level: &str| {
        ladder
            .phases
            .iter()
            .find(|phase| phase.level.id == level && site.page(&phase.page.path).is_some())
            .map(|phase| url_of(&phase.page.path))
    };
    LadderView {
        levels: ladder
            .levels
            .iter()
            .map(|level| LevelView {
                id: level.id.clone(),
                name: level.name.clone(),
                tenure: years(level.tenure),
                unlocks: typeset(&level.unlocks),
                plateau: typeset(&level.plateau),
                phase_url: phase_page(&level.id).unwrap_or_default(),
            })
            .collect(),
        milestones: ladder
            .milestones
            .iter()
            .zip(landings(ladder))
            .map(|(milestone, (landing, chained))| MilestoneView {
                from: milestone.from.id.clone(),
                to: milestone.to.id.clone(),
                from_name: name_of(ladder, &milestone.from.id),
                to_name: name_of(ladder, &milestone.to.id),
                years: years(milestone.years),
                from_entry: years(landing),
                chained,
                note: typeset(&milestone.note),
            })
            .collect(),
        phases: ladder
            .phases
            .iter()
            .map(|phase| phase_view(ladder, phase))
            .collect(),
    }
}

/// One phase as templates see it, with the names of its level, the one before and the next.
fn phase_view(ladder: &Ladder, phase: &Phase) -> PhaseView {
    let index = ladder.levels.iter().position(|l| l.id == phase.level.id);
    let previous = index
        .and_then(|i| i.checked_sub(1))
        .map(|i| ladder.levels[i].name.clone());
    let next = index
        .and_then(|i| ladder.levels.get(i + 1))
        .map(|l| l.name.clone());
    PhaseView {
        id: phase.id.clone(),
        number: phase.number,
        level: phase.level.id.clone(),
        level_name: name_of(ladder, &phase.level.id),
        next_level_name: next.unwrap_or_default(),
        title: typeset(&phase.title),
        page: phase.page.path.clone(),
        url: url_of(&phase.page.path),
        baseline: typeset(&phase.baseline.clone().or(previous).unwrap_or_default()),
        dimensions: phase
            .dimensions
            .iter()
            .map(|d| Dimension {
                name: typeset(&d.name),
                before: typeset(&d.before),
                now: typeset(&d.now),
            })
            .collect(),
        checklist: Checklist {
            kind: phase.checklist.kind,
            items: phase
                .checklist
                .items
                .iter()
                .map(|item| ChecklistItem {
                    id: item.id.clone(),
                    text: typeset(&item.text),
                    id_span: item.id_span.clone(),
                })
                .collect(),
        },
    }
}

/// One row of `data.compensation.rows[]`: one level and its range, if one is published.
#[derive(Serialize)]
struct CompensationRow {
    /// The level's id: `"junior"`.
    level: String,
    /// The level's name (`"Junior SRE"`); its id without a ladder.
    level_name: String,
    /// Whether the level has a published range (Principal has none: "no published range").
    has_range: bool,
    /// The low end: `87500`; none without a range.
    min: Option<u64>,
    /// The high end: `126500`; none without a range.
    max: Option<u64>,
    /// The low end as money: `"$87,500"` (`"EUR 87,500"` in another currency); `""` without a
    /// range.
    min_label: String,
    /// The high end as money: `"$126,500"`; `""` without a range.
    max_label: String,
}

/// `data.compensation`.
#[derive(Serialize)]
struct CompensationView {
    /// The currency code as written: `"USD"`.
    currency: String,
    /// Where the figures apply (typeset): `"United States, general market"`.
    region: String,
    /// What the figures are (prose, typeset); `""` when absent.
    note: String,
    /// One row per level in ladder order (per range, without a ladder).
    rows: Vec<CompensationRow>,
}

/// `data.compensation`, if `data/compensation.toml` loaded.
fn compensation(site: &Site) -> Option<CompensationView> {
    let compensation = site.data.compensation.as_ref()?;
    let rows = compensation
        .rows(site.data.ladder.as_ref())
        .into_iter()
        .map(|(id, name, range)| CompensationRow {
            level: id.to_string(),
            level_name: name.to_string(),
            has_range: range.is_some(),
            min: range.map(|r| r.min),
            max: range.map(|r| r.max),
            min_label: range.map_or_else(String::new, |r| money(r.min, &compensation.currency)),
            max_label: range.map_or_else(String::new, |r| money(r.max, &compensation.currency)),
        })
        .collect();
    Some(CompensationView {
        currency: compensation.currency.clone(),
        region: typeset(&compensation.region),
        note: typeset(&compensation.note),
        rows,
    })
}

/// One quiz rule, as `data.quiz.rules[]` and `result`.
#[derive(Serialize, Clone)]
pub(crate) struct RuleView {
    /// The rule's id, also its result page's slug: `"phase-1"`.
    pub(crate) id: String,
    /// The fewest yes answers it routes: `0`.
    min: u32,
    /// The most yes answers it routes: `1`.
    max: u32,
    /// The counts of yes answers it routes, as every page writes them: "2", "0 or 1", "3 to 5".
    yes_label: String,
    /// The content path of the page to start at: `"phases/junior.md"`.
    page: ContentPath,
    /// That page's relative URL: `"../phases/junior/index.html"` from the quiz page.
    url: String,
    /// Who the reader likely is (typeset): `"Junior SRE or early Mid-level"`.
    label: String,
    /// The number of the phase whose page `page` is (`1`); none when it is no phase's page.
    phase_number: Option<u32>,
    /// That phase's title (typeset); `""` when it is no phase's page.
    phase_title: String,
    /// The name of that phase's level (`"Junior SRE"`); `""` when it is no phase's page.
    level_name: String,
    /// The name of the level above that phase's (`"Mid-level SRE"`); `""` at the top.
    next_level_name: String,
    /// The relative URL of the rule's static result page, below the quiz page:
    /// `"../where-are-you-now/phase-1/index.html"` from the quiz page.
    result_url: String,
}

/// "2", "0 or 1", "3 to 5": a rule's counts of yes answers.
fn yes_label(min: u32, max: u32) -> String {
    if min == max {
        min.to_string()
    } else if max == min.saturating_add(1) {
        format!("{min} or {max}")
    } else {
        format!("{min} to {max}")
    }
}

/// The title and description of a rule's static result page, for its `<title>`, meta
/// description and link previews alike.
pub(crate) fn result_summary(rule: &RuleView, questions: usize) -> (String, String) {
    let why = format!(
        "{} of {questions} yes answers on the “Where are you now?” self-check: you are likely at {}.",
        rule.yes_label, rule.label
    );
    match rule.phase_number {
        Some(number) if !rule.phase_title.is_empty() => (
            format!("Start at Phase {number}: {}", rule.phase_title),
            format!("{why} Start at Phase {number}: {}.", rule.phase_title),
        ),
        Some(number) => (
            format!("Start at Phase {number}: {}", rule.label),
            format!("{why} Start at Phase {number}."),
        ),
        None => (format!("Start here: {}", rule.label), why),
    }
}

/// `data.quiz`.
#[derive(Serialize)]
pub(crate) struct QuizView {
    /// The questions in order, text and hint typeset: `[{id, text, hint}, …]`.
    questions: Vec<Question>,
    /// The rules in the order written.
    pub(crate) rules: Vec<RuleView>,
    /// `{"questions": […], "rules": […]}` as JSON for the quiz script, safe inside
    /// `<script type="application/json">` (see [`script_safe_json`]); the template marks it
    /// `| safe`.
    json: String,
}

/// `data.quiz`: questions and rules with their phases, URLs and labels filled in.
pub(crate) fn quiz(site: &Site, quiz: &Quiz) -> QuizView {
    let quiz_route = site
        .pages
        .iter()
        .find(|page| page.front.kind == PageKind::Quiz)
        .map(|page| page.route.clone())
        .unwrap_or_default();
    let rules: Vec<RuleView> = quiz
        .rules
        .iter()
        .map(|rule| {
            let phase = site.data.ladder.as_ref().and_then(|ladder| {
                ladder
                    .phases
                    .iter()
                    .find(|p| p.page.path == rule.page.path)
                    .map(|p| (ladder, p))
            });
            let next_level_name = phase
                .and_then(|(ladder, p)| {
                    let at = ladder.levels.iter().position(|l| l.id == p.level.id)?;
                    ladder.levels.get(at + 1).map(|l| l.name.clone())
                })
                .unwrap_or_default();
            RuleView {
                id: rule.id.clone(),
                min: rule.min,
                max: rule.max,
                yes_label: yes_label(rule.min, rule.max),
                page: rule.page.path.clone(),
                url: url_of(&rule.page.path),
                label: typeset(&rule.label),
                phase_number: phase.map(|(_, p)| p.number),
                phase_title: phase.map_or_else(String::new, |(_, p)| typeset(&p.title)),
                level_name: phase
                    .map_or_else(String::new, |(ladder, p)| name_of(ladder, &p.level.id)),
                next_level_name,
                result_url: SiteUrl::page(&quiz_route.below(&rule.id)).marked(),
            }
        })
        .collect();
    let questions: Vec<Question> = quiz
        .questions
        .iter()
        .map(|q| Question {
            id: q.id.clone(),
            text: typeset(&q.text),
            hint: typeset(&q.hint),
        })
        .collect();
    #[derive(Serialize)]
    struct Embedded<'a> {
        questions: &'a [Question],
        rules: &'a [RuleView],
    }
    let json = serde_json::to_string(&Embedded {
        questions: &questions,
        rules: &rules,
    })
    .expect("quiz data is plain strings and numbers");
    QuizView {
        questions,
        rules,
        json: script_safe_json(&json),
    }
}

/// Makes JSON safe inside `<script type="application/json">`: no `<`, `>` or `&` can close the
/// element or start a comment, and the root marker survives JSON's control-character escaping.
pub(crate) fn script_safe_json(json: &str) -> String {
    let json = json
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026");
    url::unescape_markers_in_json(&json)
}

/// Everything templates see as `data`: each `data/*.toml` as parsed, the guide's three typed.
pub(crate) fn data(site: &Site) -> Value {
    let mut map = serde_json::Map::new();
    for (stem, value) in &site.data.raw {
        map.insert(stem.clone(), value.clone());
    }
    if let Some(ladder_data) = &site.data.ladder {
        map.insert(
            "ladder".into(),
            serde_json::to_value(ladder(site, ladder_data)).expect("plain data"),
        );
    }
    if let Some(view) = compensation(site) {
        map.insert(
            "compensation".into(),
            serde_json::to_value(view).expect("plain data"),
        );
    }
    if let Some(quiz_data) = &site.data.quiz {
        map.insert(
            "quiz".into(),
            serde_json::to_value(quiz(site, quiz_data)).expect("plain data"),
        );
    }
    Value::from_serializable(&map)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::source::SourceFile;
    use crate::model::{Level, LevelRef, Milestone};

    #[test]
    fn a_move_lands_after_the_move_into_its_level_could_have() {
        let file = SourceFile::new("content/data/ladder.toml", "");
        let level = |id: &str, min: u32, max: Option<u32>| Level {
            id_span: 0..0,
            id: id.to_string(),
            name: id.to_string(),
            tenure: Years { min, max },
            unlocks: String::new(),
            plateau: String::new(),
        };
        let at = |id: &str| LevelRef {
            id: id.to_string(),
            file: file.clone(),
            span: 0..0,
        };
        let step = |from: &str, to: &str, min: u32, max: Option<u32>| Milestone {
            from: at(from),
            to: at(to),
            years: Years { min, max },
            note: String::new(),
        };
        let ladder = Ladder {
            file: file.clone(),
            levels: vec![
                level("junior", 0, Some(2)),
                level("senior", 4, Some(7)),
                level("staff", 7, None),
            ],
            milestones: vec![
                step("junior", "senior", 4, Some(7)),
                step("senior", "staff", 3, Some(5)),
                step("staff", "principal", 2, None),
            ],
            phases: Vec::new(),
            left_out: Default::default(),
        };
        let landed: Vec<(String, bool)> = landings(&ladder)
            .into_iter()
            .map(|(years, chained)| (years.label(), chained))
            .collect();
        assert_eq!(
            landed,
            [
                ("4–7 years".to_string(), false),
                ("7–12 years".to_string(), true),
                ("9+ years".to_string(), true),
            ]
        );
    }

    #[test]
    fn yes_counts_read_the_same_everywhere() {
        assert_eq!(yes_label(2, 2), "2");
        assert_eq!(yes_label(0, 1), "0 or 1");
        assert_eq!(yes_label(3, 5), "3 to 5");
    }

    #[test]
    fn embedded_json_cannot_close_the_script_element() {
        let json = serde_json::to_string(&"</script><!-- & \u{1}").expect("string");
        let safe = script_safe_json(&json);
        assert!(!safe.contains('<') && !safe.contains('>') && !safe.contains('&'));
        assert!(safe.contains("\\u003c/script\\u003e"));
        assert!(safe.contains(url::ROOT_MARKER));
        let back: String =
            serde_json::from_str(&safe.replace(url::ROOT_MARKER, "\\u0001")).expect("still JSON");
        assert_eq!(back, "</script><!-- & \u{1}");
    }
}
