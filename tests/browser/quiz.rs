//! The "Where are you now?" quiz: routing, shareable URL state, history and the keyboard.

use super::*;

#[test]
#[ignore = "needs Chromium"]
fn the_quiz_routes_all_32_combinations_by_the_key() {
    let server = guide();
    let chrome = chrome();
    let tab = chrome.tab();
    let errors = watch_errors(&tab);
    open(&tab, &server.at(QUIZ));
    let (ids, key) = quiz_key();
    assert_eq!(ids.len(), 5);
    assert_eq!(
        js_str(
            &tab,
            "document.getElementById('quiz-result').getAttribute('aria-live')"
        ),
        "polite",
        "the result region is a live region"
    );
    // The first combination with real mouse clicks; the other 31 click in the page (each
    // DevTools round trip with the page's work around it costs time, so one per combination).
    let ids_json = serde_json::to_string(&ids).expect("JSON");
    for combination in (0..1u32 << ids.len()).rev() {
        let answers: String = (0..ids.len())
            .map(|i| if combination >> i & 1 == 1 { 'y' } else { 'n' })
            .collect();
        let seen = if combination == (1 << ids.len()) - 1 {
            for (id, answer) in ids.iter().zip(answers.chars()) {
                click(&tab, &format!("input[name=\"q-{id}\"][value=\"{answer}\"]"));
            }
            click(&tab, "#quiz button[type=submit]");
            js(
                &tab,
                "({ hash: location.hash, focus: document.activeElement.id })",
            )
        } else {
            js(
                &tab,
                &format!(
                    "(() => {{ {ids_json}.forEach((id, i) => \
                       document.querySelector(`input[name=\"q-${{id}}\"][value=\"${{'{answers}'[i]}}\"]`).click()); \
                     document.querySelector('#quiz button[type=submit]').click(); \
                     return {{ hash: location.hash, focus: document.activeElement.id }}; }})()"
                ),
            )
        };
        assert_eq!(shown_answers(&tab, &ids), answers, "the answers clicked");
        assert_result(&tab, server, &answers, &key);
        assert_eq!(
            seen,
            json!({ "hash": format!("#a={answers}"), "focus": "quiz-result" }),
            "the answers live in the fragment and focus moves to the result"
        );
    }
    assert_no_errors(&errors);
}

#[test]
#[ignore = "needs Chromium"]
fn a_shared_result_link_restores_the_answers_and_the_result_in_a_fresh_tab() {
    let server = guide();
    let chrome = chrome();
    let (ids, key) = quiz_key();
    for answers in ["yynyn", "nnnnn", "yyyyy", "ynyyy"] {
        let tab = chrome.tab();
        let errors = watch_errors(&tab);
        open(&tab, &server.at(&format!("{QUIZ}#a={answers}")));
        wait_until(
            &tab,
            "document.querySelector('#quiz-result a.quiz-go')",
            "the restored result",
        );
        assert_eq!(shown_answers(&tab, &ids), answers, "the answers checked");
        assert_result(&tab, server, answers, &key);
        assert_no_errors(&errors);
        tab.close().expect("close the tab");
    }
    // A partial link restores what it has and shows no result.
    let tab = chrome.tab();
    open(&tab, &server.at(&format!("{QUIZ}#a=yn-y-")));
    wait_until(
        &tab,
        "document.querySelector('input:checked')",
        "restored answers",
    );
    assert_eq!(shown_answers(&tab, &ids), "yn-y-");
    assert_eq!(result_text(&tab), "", "no result for unanswered questions");
}

#[test]
#[ignore = "needs Chromium"]
fn back_and_forward_move_through_the_quiz_states() {
    let server = guide();
    let chrome = chrome();
    let tab = chrome.tab();
    let errors = watch_errors(&tab);
    let (ids, key) = quiz_key();
    open(&tab, &server.at(QUIZ));
    let answer = |answers: &str| {
        for (id, answer) in ids.iter().zip(answers.chars()) {
            if answer != '-' {
                click(&tab, &format!("input[name=\"q-{id}\"][value=\"{answer}\"]"));
            }
        }
    };
    // After this evaluation returns: Back may leave the page, which would cut it short.
    let back = || {
        js(&tab, "setTimeout(() => history.back())");
    };
    let forward = || {
        js(&tab, "setTimeout(() => history.forward())");
    };
    let has_result = "document.querySelector('#quiz-result a.quiz-go')";

    // Answer, then submit: the result takes the answers' place in history, so one Back leaves
    // the quiz; Forward brings the result back.
    answer("yynnn");
    click(&tab, "#quiz button[type=submit]");
    wait_until(&tab, has_result, "the result");
    assert_result(&tab, server, "yynnn", &key);
    back();
    wait_until(
        &tab,
        "!document.getElementById('quiz')",
        "the page before the quiz after one Back",
    );
    forward();
    wait_until(&tab, has_result, "the result back after Forward");
    assert_eq!(shown_answers(&tab, &ids), "yynnn");
    assert_result(&tab, server, "yynnn", &key);

    // Start over, then Back: the previous answers and their result return.
    click(&tab, "#quiz-result button[type=reset]");
    wait_until(
        &tab,
        "!document.querySelector('input:checked')",
        "cleared answers",
    );
    assert_eq!(js_str(&tab, "location.hash"), "");
    back();
    wait_until(&tab, has_result, "the result after Back from Start over");
    assert_eq!(shown_answers(&tab, &ids), "yynnn");
    assert_result(&tab, server, "yynnn", &key);

    // A second round: change the answers after the result and submit again. One Back leaves
    // the second result for the first.
    answer("yyyyy");
    click(&tab, "#quiz button[type=submit]");
    wait_until(
        &tab,
        &format!("{has_result} && location.hash === '#a=yyyyy'"),
        "the second result",
    );
    assert_result(&tab, server, "yyyyy", &key);
    back();
    wait_until(
        &tab,
        &format!("{has_result} && location.hash === '#a=yynnn'"),
        "the first result after one Back",
    );
    assert_eq!(shown_answers(&tab, &ids), "yynnn");
    assert_result(&tab, server, "yynnn", &key);
    assert_no_errors(&errors);
}

#[test]
#[ignore = "needs Chromium"]
fn the_quiz_can_be_completed_with_the_keyboard_alone() {
    let server = guide();
    let chrome = chrome();
    let tab = chrome.tab();
    let errors = watch_errors(&tab);
    let (ids, key) = quiz_key();
    open(&tab, &server.at(QUIZ));
    let focused_name = || {
        js_str(
            &tab,
            "document.activeElement.name || document.activeElement.id || document.activeElement.tagName",
        )
    };
    let press = |key: &str| {
        tab.press_key(key)
            .unwrap_or_else(|e| panic!("press {key}: {e}"));
    };
    // Tab from the top of the page to the first question.
    let first = format!("q-{}", ids[0]);
    let mut presses = 0;
    while focused_name() != first {
        press("Tab");
        presses += 1;
        assert!(
            presses < 80,
            "Tab never reaches the first question; focus is on {}",
            focused_name()
        );
    }
    // Yes with Space, No with an arrow key; Tab moves on to the next question.
    let answers = "ynyyn";
    for (i, (id, answer)) in ids.iter().zip(answers.chars()).enumerate() {
        assert_eq!(
            focused_name(),
            format!("q-{id}"),
            "focus on question {}",
            i + 1
        );
        if answer == 'y' {
            press(" ");
        } else {
            press("ArrowRight");
        }
        assert_eq!(
            js_str(
                &tab,
                &format!(
                    "(document.querySelector('input[name=\"q-{id}\"]:checked') || {{}}).value || '-'"
                )
            ),
            answer.to_string(),
            "question {} answered from the keyboard",
            i + 1
        );
        press("Tab");
    }
    assert_eq!(
        js_str(&tab, "document.activeElement.type"),
        "submit",
        "after the last question, Tab reaches the submit button"
    );
    press("Enter");
    wait_until(
        &tab,
        "document.querySelector('#quiz-result a.quiz-go')",
        "the result",
    );
    assert_result(&tab, server, answers, &key);
    assert_eq!(
        js_str(&tab, "document.activeElement.id"),
        "quiz-result",
        "focus moves to the result"
    );
    // Tab from the result reaches its link to the phase.
    press("Tab");
    assert!(
        js_bool(&tab, "document.activeElement.classList.contains('quiz-go')"),
        "Tab from the result reaches the phase link"
    );
    assert_no_errors(&errors);
}

#[test]
#[ignore = "needs Chromium"]
fn unanswered_questions_are_pointed_out_not_counted_as_no() {
    let server = guide();
    let chrome = chrome();
    let tab = chrome.tab();
    let errors = watch_errors(&tab);
    let (ids, _) = quiz_key();
    open(&tab, &server.at(QUIZ));
    click(&tab, &format!("input[name=\"q-{}\"][value=\"y\"]", ids[0]));
    click(&tab, &format!("input[name=\"q-{}\"][value=\"n\"]", ids[2]));
    click(&tab, "#quiz button[type=submit]");
    wait_until(
        &tab,
        "!document.getElementById('quiz-errors').hidden",
        "the error summary",
    );
    assert_eq!(
        result_text(&tab),
        "",
        "no result while questions are unanswered"
    );
    assert_eq!(
        js_str(&tab, "document.activeElement.id"),
        "quiz-errors",
        "focus moves to the error summary"
    );
    for (i, id) in ids.iter().enumerate() {
        let missing = i != 0 && i != 2;
        let listed = !js_bool(
            &tab,
            &format!("document.getElementById('quiz-err-{id}').hidden"),
        );
        let marked = !js_bool(
            &tab,
            &format!("document.querySelector('#quiz-q-{id} .quiz-error').hidden"),
        );
        assert_eq!(listed, missing, "question {} listed in the summary", i + 1);
        assert_eq!(marked, missing, "question {} marked at the question", i + 1);
    }
    // Answering the rest and submitting clears the summary and shows the result.
    for id in [&ids[1], &ids[3], &ids[4]] {
        click(&tab, &format!("input[name=\"q-{id}\"][value=\"n\"]"));
    }
    click(&tab, "#quiz button[type=submit]");
    wait_until(
        &tab,
        "document.querySelector('#quiz-result a.quiz-go')",
        "the result",
    );
    assert!(js_bool(
        &tab,
        "document.getElementById('quiz-errors').hidden"
    ));
    assert_no_errors(&errors);
}

#[test]
#[ignore = "needs Chromium"]
fn without_javascript_the_questions_and_the_routing_key_are_on_the_page() {
    let server = guide();
    let chrome = chrome();
    let tab = chrome.tab();
    tab.call(
        "Emulation.setScriptExecutionDisabled",
        json!({ "value": true }),
    )
    .expect("Emulation.setScriptExecutionDisabled");
    open(&tab, &server.at(QUIZ));
    let (ids, key) = quiz_key();
    // The page's own scripts did not run (theme.js would have marked <html> "js"); DevTools can
    // still look at the page.
    let ids_json = serde_json::to_string(&ids).expect("JSON");
    let seen = js(
        &tab,
        &format!(
            "(() => {{ const shown = (sel) => {{ const e = document.querySelector(sel); \
                 if (!e) return false; const r = e.getBoundingClientRect(); \
                 return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden'; }}; \
               return {{ js: document.documentElement.classList.contains('js'), \
                 questions: {ids_json}.map(id => [`#quiz-q-${{id}} legend`, \
                     `input[name=\"q-${{id}}\"][value=\"y\"]`, `input[name=\"q-${{id}}\"][value=\"n\"]`] \
                   .every(shown)), \
                 key: shown('#quiz-key table'), \
                 keyText: (document.querySelector('#quiz-key table') || {{}}).innerText || '', \
                 submit: shown('#quiz button[type=submit]') }}; }})()"
        ),
    );
    assert_eq!(seen["js"], json!(false), "the page's scripts ran");
    assert_eq!(
        seen["questions"],
        json!(vec![true; ids.len()]),
        "every question is shown with its Yes and No"
    );
    assert_eq!(seen["key"], json!(true), "the routing key table is shown");
    let key_text = seen["keyText"].as_str().expect("text");
    for expected in &key {
        assert!(
            key_text.contains(&expected.label),
            "the key lacks {}",
            expected.label
        );
        assert!(key_text.contains(&format!("Phase {}", expected.phase)));
    }
    // And nothing that needs JavaScript is offered.
    assert_eq!(
        seen["submit"],
        json!(false),
        "a submit button that cannot work without JS"
    );
}
