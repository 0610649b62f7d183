//! Data errors point at the file, line and column (issues 3 and 4): fixture edits of the guide
//! run with `check`.

use super::*;

/// `--> path:line:col` of the start of `needle`'s `nth` (0-based) occurrence in `text`.
fn at(path: &str, text: &str, needle: &str, nth: usize) -> String {
    let offset = text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("{needle:?} occurs fewer than {} times", nth + 1))
        .0;
    let line = text[..offset].matches('\n').count() + 1;
    let col = text[..offset]
        .rsplit('\n')
        .next()
        .expect("a line")
        .chars()
        .count()
        + 1;
    format!("--> {path}:{line}:{col}")
}

/// Runs `check` on the repository's site with one file replaced: fails with exactly one problem.
fn check_fails(relative: &str, contents: &str) -> crate::support::Output {
    Site::repo()
        .file(relative, contents)
        .run(["check"])
        .code(1)
        .stderr_contains("found 1 problem")
}

#[test]
fn an_unknown_key_in_ladder_toml_points_at_it() {
    let path = "content/data/ladder.toml";
    let text = edited(path, "\nunlocks = ", "\nunlock = ");
    check_fails(path, &text)
        .stderr_contains("error[unknown-key]: unknown field `unlock`")
        .stderr_contains(&at(path, &text, "unlock = ", 0))
        .stderr_contains("help: did you mean `unlocks`?")
        // ladder.toml is there, just wrong: nothing may claim it is missing.
        .stderr_lacks("there is no content/data/ladder.toml");
}

#[test]
fn an_unknown_level_in_compensation_toml_points_at_it() {
    let path = "content/data/compensation.toml";
    let text = edited(path, "level = \"senior\"", "level = \"senoir\"");
    check_fails(path, &text)
        .stderr_contains("error[unknown-level]: no level has the id `senoir`")
        .stderr_contains(&at(path, &text, "\"senoir\"", 0))
        .stderr_contains("help: did you mean `senior`?");
}

#[test]
fn an_unknown_level_in_a_phase_page_points_at_it() {
    let path = "content/phases/staff.md";
    let text = edited(path, "level = \"staff\"", "level = \"stafff\"");
    check_fails(path, &text)
        .stderr_contains("error[unknown-level]: no level has the id `stafff`")
        .stderr_contains(&at(path, &text, "\"stafff\"", 0))
        .stderr_contains("help: did you mean `staff`?");
}

#[test]
fn a_pay_range_with_min_above_max_points_at_it() {
    let path = "content/data/compensation.toml";
    let text = edited(path, "max = 126500", "max = 86000");
    check_fails(path, &text)
        .stderr_contains("error[min-above-max]: range for `junior` has min 87500 above max 86000")
        .stderr_contains(&at(path, &text, "[[ranges]]", 0))
        .stderr_contains("help: swap `min` and `max`");
}

#[test]
fn overlapping_tenures_point_at_the_later_level() {
    let path = "content/data/ladder.toml";
    let text = edited(
        path,
        "tenure = { min = 2, max = 4 }",
        "tenure = { min = 1, max = 4 }",
    );
    check_fails(path, &text)
        .stderr_contains(
            "error[tenure-overlap]: tenure of `mid-level` (1) overlaps `junior` (up to 2 years)",
        )
        .stderr_contains(&at(path, &text, "{ min = 1, max = 4 }", 0))
        .stderr_contains("help: start `mid-level` at 2 years or later");
}

#[test]
fn unordered_tenures_point_at_the_level_out_of_order() {
    let path = "content/data/ladder.toml";
    // Swap the tenures of Mid-level and Senior.
    let text = edited(
        path,
        "tenure = { min = 2, max = 4 }",
        "tenure = { min = 4, max = 7 }\n#swapped",
    );
    let text = text.replacen(
        "tenure = { min = 4, max = 7 }\nunlocks = \"Designing",
        "tenure = { min = 2, max = 4 }\nunlocks = \"Designing",
        1,
    );
    let text = text.replacen("\n#swapped", "", 1);
    assert!(
        text.contains("tenure = { min = 2, max = 4 }\nunlocks = \"Designing"),
        "Senior's tenure line moved; update this test"
    );
    check_fails(path, &text)
        .stderr_contains("error[levels-out-of-order]: levels are out of order: `senior` starts at 2 years, before `mid-level` (4 years)")
        .stderr_contains(&at(path, &text, "{ min = 2, max = 4 }", 0))
        .stderr_contains("help: list levels from the most junior to the most senior");
}

#[test]
fn a_gap_in_the_quiz_rules_is_an_error() {
    let path = "content/data/quiz.toml";
    let text = edited(path, "min = 2\n", "min = 3\n");
    let rules = text.matches("[[rules]]").count();
    check_fails(path, &text)
        .stderr_contains("error[quiz-rules-gap]: no rule routes a reader with 2 yes answers")
        .stderr_contains(&at(path, &text, "[[rules]]", rules - 1))
        .stderr_contains("help: add a [[rules]] entry whose min..max covers 2");
}

#[test]
fn overlapping_quiz_rules_are_an_error() {
    let path = "content/data/quiz.toml";
    let text = edited(path, "max = 3\n", "max = 4\n");
    check_fails(path, &text)
        .stderr_contains("error[quiz-rules-overlap]: rules `phase-2` and `phase-3` both route 4 yes answers")
        .stderr_contains(&at(path, &text, "[[rules]]", 2))
        .stderr_contains("help: each count of yes answers must lead to exactly one phase; narrow one rule's min/max");
}

#[test]
fn a_quiz_rule_to_a_page_that_does_not_exist_is_an_error() {
    let path = "content/data/quiz.toml";
    let text = edited(
        path,
        "page = \"phases/senior.md\"",
        "page = \"phases/principal.md\"",
    );
    check_fails(path, &text)
        .stderr_contains("error[page-missing]: page `phases/principal.md` does not exist")
        .stderr_contains(&at(path, &text, "\"phases/principal.md\"", 0))
        .stderr_contains("help: did you mean `phases/senior.md`?");
}

#[test]
fn duplicate_question_ids_are_an_error() {
    let path = "content/data/quiz.toml";
    let text = edited(path, "id = \"explains-slos\"", "id = \"owns-on-call\"");
    let first_line = at(path, &text, "id = \"owns-on-call\"", 0);
    let first_line = first_line.rsplit(':').nth(1).expect("a line number");
    check_fails(path, &text)
        .stderr_contains("error[duplicate-id]: question id `owns-on-call` is used twice")
        .stderr_contains(&at(path, &text, "\"owns-on-call\"", 1))
        .stderr_contains(&format!(
            "help: it is first used on line {first_line}; ids must be unique"
        ));
}

#[test]
fn an_empty_question_is_an_error() {
    let path = "content/data/quiz.toml";
    let original = repo_file(path);
    let line = original
        .lines()
        .find(|l| l.starts_with("text = \"Is there automation"))
        .expect("the tooling question; update this test");
    for empty in ["\"\"", "\"   \""] {
        let text = original.replacen(line, &format!("text = {empty}"), 1);
        check_fails(path, &text)
            .stderr_contains("error[empty-text]: question has no text")
            .stderr_contains(&at(path, &text, empty, 0))
            .stderr_contains("help: write the question, or remove the [[questions]] entry");
    }
}

#[test]
fn an_empty_checklist_item_is_an_error() {
    let path = "content/data/ladder.toml";
    let original = repo_file(path);
    let line = original
        .lines()
        .find(|l| l.starts_with("text = \"Acted as incident commander"))
        .expect("the first Junior checklist item; update this test");
    let text = original.replacen(line, "text = \" \"", 1);
    check_fails(path, &text)
        .stderr_contains("error[empty-text]: checklist item has no text")
        .stderr_contains(&at(path, &text, "\" \"", 0))
        .stderr_contains("help: write what the reader should have done");
}

#[test]
fn ids_made_from_data_are_reserved_and_a_heading_with_one_is_reported_at_the_data() {
    // A heading on a phase's page with a checklist item's id, and one on the home page (which
    // shows the ladder's rows) with a level's id: each reported once, at the line of ladder.toml
    // that makes the id, before rendering (not as "two elements with the id" after it).
    let junior = format!(
        "{}\n## Item led three incidents as commander\n\nText.\n",
        repo_file("content/phases/junior.md")
    );
    let home = format!(
        "{}\n## Level senior\n\nText.\n",
        repo_file("content/index.md")
    );
    // Two-digit line numbers, where ladder.toml writes the two ids.
    let ladder = repo_file("content/data/ladder.toml");
    let line_of = |text: &str| {
        ladder
            .lines()
            .position(|line| line == text)
            .expect("the id in ladder.toml")
            + 1
    };
    let (senior, item) = (
        line_of("id = \"senior\""),
        line_of("id = \"led-three-incidents-as-commander\""),
    );
    assert!((10..100).contains(&senior) && (10..100).contains(&item));
    Site::repo()
        .file("content/phases/junior.md", junior)
        .file("content/index.md", home)
        .run(["check"])
        .code(1)
        .stderr(format!(
            "error[repeated-id]: level `senior` gives `content/index.md` the id `level-senior`, which a heading of that page has too
  --> content/data/ladder.toml:{senior}:6
   |
{senior} | id = \"senior\"
   |      ^^^^^^^^
   |
   = help: change this id, or give the heading another one with `## Heading {{#other-id}}` in content/index.md

error[repeated-id]: checklist item `led-three-incidents-as-commander` gives `content/phases/junior.md` the id `item-led-three-incidents-as-commander`, which a heading of that page has too
  --> content/data/ladder.toml:{item}:6
   |
{item} | id = \"led-three-incidents-as-commander\"
   |      ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
   |
   = help: change this id, or give the heading another one with `## Heading {{#other-id}}` in content/phases/junior.md

error: found 2 problems
",
        ));
}
