//! Checked data → what templates see as `data.*`: levels with their phase URLs, phases with the
//! names of their levels, compensation rows with formatted money, the quiz with its routing key
//! and the JSON the quiz script reads, their text typeset like Markdown prose (`typography`).
//! URLs come from `url.rs`, marked; `render` makes them relative.

use serde::Serialize;
use tera::Value;

use crate::markdown::typography::typeset;
use crate::model::url::{self, ContentPath, Route, SiteUrl};
use crate::model::{
    Checklist, ChecklistItem, Dimension, Ladder, PageKind, Question, Quiz, Site, Years,
};
use crate::render::chart::money;

#[derive(Serialize)]
pub(crate) struct YearsView {
    min: u32,
    max: Option<u32>,
    label: String,
    /// Where a timeline draws the span's end: `max`, or two years past `min` when it is open.
    end: u32,
}

/// How far a timeline draws an open span ("10+ years") past its start.
const OPEN_SPAN_YEARS: u32 = 2;

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

#[derive(Serialize)]
pub(crate) struct LevelView {
    pub(crate) id: String,
    name: String,
    tenure: YearsView,
    unlocks: String,
    plateau: String,
    phase_url: String,
}

#[derive(Serialize)]
pub(crate) struct MilestoneView {
    from: String,
    to: String,
    from_name: String,
    to_name: String,
    years: YearsView,
    /// When the move typically lands, in years from entry (see `landings`).
    from_entry: YearsView,
    /// Whether `from_entry` builds on the move into this milestone's first level.
    chained: bool,
    note: String,
}

#[derive(Serialize)]
pub(crate) struct PhaseView {
    id: String,
    number: u32,
    pub(crate) level: String,
    level_name: String,
    next_level_name: String,
    title: String,
    page: ContentPath,
    url: String,
    baseline: String,
    dimensions: Vec<Dimension>,
    checklist: Checklist,
}

#[derive(Serialize)]
pub(crate) struct LadderView {
    pub(crate) levels: Vec<LevelView>,
    milestones: Vec<MilestoneView>,
    pub(crate) phases: Vec<PhaseView>,
}

fn url_of(path: &ContentPath) -> String {
    SiteUrl::page(&Route::of(path)).marked()
}

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
            .map(|phase| {
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
                            })
                            .collect(),
                    },
                }
            })
            .collect(),
    }
}

#[derive(Serialize)]
struct CompensationRow {
    level: String,
    level_name: String,
    has_range: bool,
    min: Option<u64>,
    max: Option<u64>,
    min_label: String,
    max_label: String,
}

#[derive(Serialize)]
struct CompensationView {
    currency: String,
    region: String,
    note: String,
    rows: Vec<CompensationRow>,
}

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

#[derive(Serialize, Clone)]
pub(crate) struct RuleView {
    pub(crate) id: String,
    min: u32,
    max: u32,
    /// The counts of yes answers it routes, as every page writes them: "2", "0 or 1", "3 to 5".
    yes_label: String,
    page: ContentPath,
    url: String,
    label: String,
    phase_number: Option<u32>,
    phase_title: String,
    level_name: String,
    next_level_name: String,
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

#[derive(Serialize)]
pub(crate) struct QuizView {
    questions: Vec<Question>,
    pub(crate) rules: Vec<RuleView>,
    json: String,
}

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
