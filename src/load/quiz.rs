//! `data/quiz.toml` → [`Quiz`]: the "Where are you now?" questions and the
//! routing key. The raw serde shape stays here; the checks are the ones a reader's result depends
//! on: unique question ids, no empty question, and every yes-count from 0 to the number of
//! questions routed by exactly one rule. Whether a rule's page exists is [`crate::check`]'s job.

use std::sync::Arc;

use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

use crate::load::data::{UniqueIds, page_ref, require_text};
use crate::model::diagnostic::toml_errors::parse_toml;
use crate::model::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::source::{SourceFile, Span};
use crate::model::{Question, Quiz, Rule};

/// `content/data/quiz.toml`: the "Where are you now?" questions, and which page each number of
/// yes answers leads to.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "data/quiz.toml")]
struct RawQuiz {
    /// The yes/no questions, in order.
    questions: Vec<RawQuestion>,
    /// The routing key: every number of yes answers, from 0 to the number of questions, is
    /// routed by exactly one rule.
    #[schemars(with = "Vec<RawRule>")]
    rules: Vec<Spanned<RawRule>>,
}

/// One `[[questions]]` entry.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawQuestion {
    /// The question's stable id: answers are saved under it.
    #[schemars(with = "String", regex(pattern = crate::load::data::STABLE_ID))]
    id: Spanned<String>,
    /// The question, answered yes or no.
    #[schemars(with = "String", length(min = 1))]
    text: Spanned<String>,
    /// A line under the question that helps answer it.
    #[serde(default)]
    hint: String,
}

/// One `[[rules]]` entry: readers with `min` to `max` yes answers are sent to `page`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawRule {
    /// The rule's stable id; its result page is published below the quiz page under it.
    #[schemars(with = "String", regex(pattern = crate::load::data::STABLE_ID))]
    id: Spanned<String>,
    /// The fewest yes answers the rule routes.
    min: u32,
    /// The most yes answers the rule routes, at most the number of questions.
    max: u32,
    /// The page readers are sent to, by its path below `content/`.
    #[schemars(with = "String", regex(pattern = crate::load::data::PAGE_PATH))]
    page: Spanned<String>,
    /// The result as readers see it: `Phase 2: Mid-level`.
    label: String,
}

/// The JSON Schema of `data/quiz.toml`, from the type it is read into.
pub(crate) fn schema(generator: schemars::SchemaGenerator) -> schemars::Schema {
    generator.into_root_schema_for::<RawQuiz>()
}

/// Parses and checks `data/quiz.toml`: every yes-count from 0 to the number of questions must be
/// routed by exactly one rule. Questions and rules with a problem are reported and left out.
pub(crate) fn parse(file: &Arc<SourceFile>, out: &mut Diagnostics) -> Option<Quiz> {
    let raw: RawQuiz = parse_toml(file, 0, file.text(), out)?;
    // Yes-counts are checked against every question written, so a question left out for its own
    // problem does not make the rules look wrong as well.
    let count = raw.questions.len() as u32;
    let questions = questions(file, raw.questions, out);
    let mut key = RoutingKey {
        file,
        count,
        covered_by: vec![None; count as usize + 1],
    };
    let mut rule_ids = UniqueIds::new(file, "rule");
    let mut rules = Vec::new();
    let mut last_span = 0..0;
    for spanned in raw.rules {
        let span = spanned.span();
        last_span = span.clone();
        let rule = spanned.into_inner();
        let id_fine = rule_ids.check(&rule.id, out);
        if key.route(&rule, &span, out) && id_fine {
            rules.push(Rule {
                id: rule.id.into_inner(),
                min: rule.min,
                max: rule.max,
                page: page_ref(file, rule.page),
                label: rule.label,
            });
        }
    }
    key.report_gaps(last_span, out);
    rules.sort_by_key(|rule| rule.min);
    Some(Quiz { questions, rules })
}

/// The questions with a unique id and some text; the others are reported.
fn questions(
    file: &Arc<SourceFile>,
    raw: Vec<RawQuestion>,
    out: &mut Diagnostics,
) -> Vec<Question> {
    let mut ids = UniqueIds::new(file, "question");
    let mut questions = Vec::new();
    for question in raw {
        let id_fine = ids.check(&question.id, out);
        let has_text = require_text(
            file,
            &question.text,
            "question has no text",
            "write the question, or remove the [[questions]] entry",
            out,
        );
        if id_fine && has_text {
            questions.push(Question {
                id: question.id.into_inner(),
                text: question.text.into_inner(),
                hint: question.hint,
            });
        }
    }
    questions
}

/// Which rule routes each count of yes answers, from 0 to the number of questions.
struct RoutingKey<'a> {
    file: &'a Arc<SourceFile>,
    count: u32,
    covered_by: Vec<Option<String>>,
}

impl RoutingKey<'_> {
    /// Records the counts `rule` routes; false when it has a problem (reported): its range is
    /// reversed, reaches past the number of questions, or routes a count another rule routes.
    fn route(&mut self, rule: &RawRule, span: &Span, out: &mut Diagnostics) -> bool {
        let (file, count) = (self.file, self.count);
        let id = rule.id.get_ref();
        let mut fine = true;
        if rule.min > rule.max {
            fine = false;
            out.push(
                Diagnostic::at(
                    Code::MinAboveMax,
                    file,
                    span.clone(),
                    format!("rule `{id}` has min {} above max {}", rule.min, rule.max),
                )
                .help("swap `min` and `max`"),
            );
        }
        if rule.max > count {
            fine = false;
            out.push(
                Diagnostic::at(
                    Code::QuizCountOutOfRange,
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
            match &self.covered_by[yes as usize] {
                Some(other) => {
                    fine = false;
                    out.push(
                        Diagnostic::at(Code::QuizRulesOverlap, file, span.clone(), format!("rules `{other}` and `{id}` both route {yes} yes answers"))
                            .help("each count of yes answers must lead to exactly one phase; narrow one rule's min/max"),
                    );
                }
                None => self.covered_by[yes as usize] = Some(id.clone()),
            }
        }
        fine
    }

    /// One problem, at the last rule, naming every count no rule routes.
    fn report_gaps(&self, last_span: Span, out: &mut Diagnostics) {
        let gaps: Vec<String> = self
            .covered_by
            .iter()
            .enumerate()
            .filter(|(_, rule)| rule.is_none())
            .map(|(yes, _)| yes.to_string())
            .collect();
        if gaps.is_empty() {
            return;
        }
        out.push(
            Diagnostic::at(
                Code::QuizRulesGap,
                self.file,
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
