//! `data/quiz.toml` → `Quiz`: the "Where are you now?" questions and the routing key. The raw
//! serde shape stays here; the checks are the ones a reader's result depends on: unique question
//! ids, no empty question, and every yes-count from 0 to the number of questions routed by
//! exactly one rule. Whether a rule's page exists is `check.rs`'s job.

use std::sync::Arc;

use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

use crate::diagnostic::{Diagnostic, Diagnostics, parse_toml};
use crate::load::data::{UniqueIds, page_ref, require_text};
use crate::model::source::SourceFile;
use crate::model::{Question, Quiz, Rule};

/// `data/quiz.toml`: the "Where are you now?" questions and the routing key.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Quiz")]
struct RawQuiz {
    /// Yes-or-no questions, in order.
    questions: Vec<RawQuestion>,
    /// Where a count of yes answers sends the reader; together the rules cover every count from
    /// 0 to the number of questions exactly once.
    #[schemars(with = "Vec<RawRule>")]
    rules: Vec<Spanned<RawRule>>,
}

/// One question.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Question")]
struct RawQuestion {
    /// Stable id, `[a-z0-9-]`.
    #[schemars(with = "String", regex(pattern = r"^[a-z0-9-]+$"))]
    id: Spanned<String>,
    /// The question.
    #[schemars(with = "String")]
    text: Spanned<String>,
    /// A line that helps answer it.
    #[serde(default)]
    hint: String,
}

/// One routing rule: a range of yes answers and where it leads.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Rule")]
struct RawRule {
    /// Stable id, `[a-z0-9-]`; also the slug of the rule's result page.
    #[schemars(with = "String", regex(pattern = r"^[a-z0-9-]+$"))]
    id: Spanned<String>,
    /// The fewest yes answers that lead here.
    min: u32,
    /// The most yes answers that lead here.
    max: u32,
    /// Where to start, as a page path below `content/` (`phases/junior.md`).
    #[schemars(with = "String")]
    page: Spanned<String>,
    /// Where the reader likely is ("Junior SRE or early Mid-level").
    label: String,
}

/// The JSON Schema of `data/quiz.toml`, from the types above.
pub(crate) fn schema() -> schemars::Schema {
    schemars::schema_for!(RawQuiz)
}

/// Parses and checks `data/quiz.toml`: every yes-count from 0 to the number of questions must be
/// routed by exactly one rule. Questions and rules with a problem are reported and left out.
pub(crate) fn parse(file: &Arc<SourceFile>, out: &mut Diagnostics) -> Option<Quiz> {
    let raw: RawQuiz = parse_toml(file, 0, file.text(), out)?;
    let mut ids = UniqueIds::new(file, "question");
    let mut questions = Vec::new();
    // Yes-counts are checked against every question written, so a question left out for its own
    // problem does not make the rules look wrong as well.
    let count = raw.questions.len() as u32;
    for question in raw.questions {
        let id_fine = ids.check(&question.id, out);
        let has_text = require_text(
            file,
            &question.text,
            "question has no text",
            "write the question, or remove the [[questions]] entry",
            out,
        );
        if !(id_fine && has_text) {
            continue;
        }
        questions.push(Question {
            id: question.id.into_inner(),
            text: question.text.into_inner(),
            hint: question.hint,
        });
    }
    let mut rule_ids = UniqueIds::new(file, "rule");
    let mut covered_by: Vec<Option<String>> = vec![None; count as usize + 1];
    let mut rules = Vec::new();
    let mut last_span = 0..0;
    for spanned in raw.rules {
        let span = spanned.span();
        last_span = span.clone();
        let rule = spanned.into_inner();
        let mut keep = rule_ids.check(&rule.id, out);
        let id = rule.id.get_ref().clone();
        if rule.min > rule.max {
            keep = false;
            out.push(
                Diagnostic::at(
                    file,
                    span.clone(),
                    format!("rule `{id}` has min {} above max {}", rule.min, rule.max),
                )
                .help("swap `min` and `max`"),
            );
        }
        if rule.max > count {
            keep = false;
            out.push(
                Diagnostic::at(
                    file,
                    span.clone(),
                    format!(
                        "rule `{id}` routes {} yes answers, but there are only {count} questions",
                        rule.max
                    ),
                )
                .help(format!("use counts from 0 to {count}")),
            );
        }
        for yes in rule.min..=rule.max.min(count) {
            match &covered_by[yes as usize] {
                Some(other) => {
                    keep = false;
                    out.push(
                        Diagnostic::at(file, span.clone(), format!("rules `{other}` and `{id}` both route {yes} yes answers"))
                            .help("each count of yes answers must lead to exactly one phase; narrow one rule's min/max"),
                    );
                }
                None => covered_by[yes as usize] = Some(id.clone()),
            }
        }
        if !keep {
            continue;
        }
        rules.push(Rule {
            id: rule.id.into_inner(),
            min: rule.min,
            max: rule.max,
            page: page_ref(file, rule.page),
            label: rule.label,
        });
    }
    let gaps: Vec<String> = covered_by
        .iter()
        .enumerate()
        .filter(|(_, rule)| rule.is_none())
        .map(|(yes, _)| yes.to_string())
        .collect();
    if !gaps.is_empty() {
        out.push(
            Diagnostic::at(
                file,
                last_span,
                format!(
                    "no rule routes a reader with {} yes answers",
                    gaps.join(" or ")
                ),
            )
            .help(format!(
                "add a [[rules]] entry whose min..max covers {}",
                gaps.join(", ")
            )),
        );
    }
    rules.sort_by_key(|rule| rule.min);
    Some(Quiz { questions, rules })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> (Option<Quiz>, Vec<String>) {
        let file = SourceFile::new("content/data/quiz.toml", text);
        let mut out = Diagnostics::default();
        let value = parse(&file, &mut out);
        let messages = out.0.iter().map(Diagnostic::located).collect();
        (value, messages)
    }

    fn quiz_text(rules: &str) -> String {
        let mut text = String::new();
        for id in ["a", "b", "c"] {
            text.push_str(&format!(
                "[[questions]]\nid = \"{id}\"\ntext = \"Q {id}?\"\n"
            ));
        }
        text + rules
    }

    fn rule(id: &str, min: u32, max: u32) -> String {
        format!(
            "[[rules]]\nid = \"{id}\"\nmin = {min}\nmax = {max}\npage = \"p.md\"\nlabel = \"L\"\n"
        )
    }

    #[test]
    fn quiz_rules_must_cover_every_count_once() {
        let (quiz, messages) = run(&quiz_text(&(rule("one", 0, 1) + &rule("two", 2, 3))));
        assert!(messages.is_empty(), "{messages:?}");
        assert_eq!(quiz.expect("parsed").rules.len(), 2);

        let (_, messages) = run(&quiz_text(&(rule("one", 0, 1) + &rule("two", 3, 3))));
        assert_eq!(messages.len(), 1);
        assert!(
            messages[0].ends_with("no rule routes a reader with 2 yes answers"),
            "{messages:?}"
        );

        let (_, messages) = run(&quiz_text(&(rule("one", 0, 2) + &rule("two", 2, 3))));
        assert_eq!(messages.len(), 1);
        assert!(
            messages[0].ends_with("rules `one` and `two` both route 2 yes answers"),
            "{messages:?}"
        );

        let (_, messages) = run(&quiz_text(&(rule("one", 0, 1) + &rule("two", 2, 4))));
        assert!(
            messages[0]
                .ends_with("rule `two` routes 4 yes answers, but there are only 3 questions"),
            "{messages:?}"
        );
    }

    #[test]
    fn duplicate_and_empty_questions_are_reported() {
        let text =
            "[[questions]]\nid = \"a\"\ntext = \"Q?\"\n[[questions]]\nid = \"a\"\ntext = \" \"\n"
                .to_string()
                + &rule("r", 0, 2);
        let (_, messages) = run(&text);
        assert_eq!(
            messages,
            [
                "5:6 question id `a` is used twice",
                "6:8 question has no text"
            ]
        );
    }
}
