//! Checked data → what templates see as `data.*`: levels with their phase URLs, phases with the
//! names of their levels, compensation rows with formatted money, the quiz with its routing key
//! and the JSON the quiz script reads. URLs come from `url.rs`, marked; `render` makes them relative.

use serde::Serialize;
use tera::Value;

use crate::chart::money;
use crate::model::{Checklist, Dimension, Ladder, Question, Quiz, Site, Years};
use crate::url::{self, Route, SiteUrl};

#[derive(Serialize)]
pub(crate) struct YearsView {
    min: u32,
    max: Option<u32>,
    label: String,
}

fn years(years: Years) -> YearsView {
    YearsView {
        min: years.min,
        max: years.max,
        label: years.label(),
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
    page: String,
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

fn url_of(path: &str) -> String {
    SiteUrl::page(&Route::of(path)).marked()
}

fn name_of(ladder: &Ladder, id: &str) -> String {
    ladder
        .level(id)
        .map_or_else(|| id.to_string(), |level| level.name.clone())
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
                unlocks: level.unlocks.clone(),
                plateau: level.plateau.clone(),
                phase_url: phase_page(&level.id).unwrap_or_default(),
            })
            .collect(),
        milestones: ladder
            .milestones
            .iter()
            .map(|milestone| MilestoneView {
                from: milestone.from.id.clone(),
                to: milestone.to.id.clone(),
                from_name: name_of(ladder, &milestone.from.id),
                to_name: name_of(ladder, &milestone.to.id),
                years: years(milestone.years),
                note: milestone.note.clone(),
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
                    title: phase.title.clone(),
                    page: phase.page.path.clone(),
                    url: url_of(&phase.page.path),
                    baseline: phase.baseline.clone().or(previous).unwrap_or_default(),
                    dimensions: phase.dimensions.clone(),
                    checklist: phase.checklist.clone(),
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
        region: compensation.region.clone(),
        note: compensation.note.clone(),
        rows,
    })
}

#[derive(Serialize, Clone)]
pub(crate) struct RuleView {
    pub(crate) id: String,
    min: u32,
    max: u32,
    page: String,
    url: String,
    label: String,
    phase_number: Option<u32>,
    phase_title: String,
    level_name: String,
    result_url: String,
}

/// The title and description of a rule's static result page, for link previews.
pub(crate) fn result_summary(rule: &RuleView, questions: usize) -> (String, String) {
    let yes = if rule.min == rule.max {
        format!("{} of {questions}", rule.min)
    } else {
        format!("{} to {} of {questions}", rule.min, rule.max)
    };
    match rule.phase_number {
        Some(number) => (
            format!("Start at Phase {number}: {}", rule.phase_title),
            format!(
                "{yes} yes answers on the self-assessment: {}. Start with Phase {number}, {}.",
                rule.label, rule.phase_title
            ),
        ),
        None => (
            rule.label.clone(),
            format!("{yes} yes answers on the self-assessment: {}.", rule.label),
        ),
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
        .find(|page| {
            page.front
                .template
                .as_ref()
                .is_some_and(|(t, _)| t == "quiz.html")
        })
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
            RuleView {
                id: rule.id.clone(),
                min: rule.min,
                max: rule.max,
                page: rule.page.path.clone(),
                url: url_of(&rule.page.path),
                label: rule.label.clone(),
                phase_number: phase.map(|(_, p)| p.number),
                phase_title: phase.map_or_else(String::new, |(_, p)| p.title.clone()),
                level_name: phase
                    .map_or_else(String::new, |(ladder, p)| name_of(ladder, &p.level.id)),
                result_url: SiteUrl::page(&quiz_route.below(&rule.id)).marked(),
            }
        })
        .collect();
    #[derive(Serialize)]
    struct Embedded<'a> {
        questions: &'a [Question],
        rules: &'a [RuleView],
    }
    let json = serde_json::to_string(&Embedded {
        questions: &quiz.questions,
        rules: &rules,
    })
    .expect("quiz data is plain strings and numbers");
    QuizView {
        questions: quiz.questions.clone(),
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
