//! Progress across the whole journey: progress links that say what they change, undo after a
//! reset, ticks that follow across tabs, "N of M done" on phase cards, the home page's overview
//! and the quiz result's note — all from the browser's own storage, nothing without JS broken.

use super::checklists::{checklist_ids, tick};
use super::*;

fn tools_ready(tab: &Tab) {
    wait_until(
        tab,
        "!document.querySelector('[data-tools]').hidden",
        "the checklist tools",
    );
}

/// Waits for the import prompt to have the focus and be scrolled into view (the scroll lands with
/// a frame after the focus; a click before it could land on what scrolls away).
fn prompt_in_view(tab: &Tab) {
    wait_until(
        tab,
        "(() => { const b = document.querySelector('[data-import]'), r = b.getBoundingClientRect(); \
           return document.activeElement === b && r.top >= 0 && r.bottom <= innerHeight; })()",
        "the import prompt focused and in view",
    );
}

/// The ids ticked in this browser's storage, sorted.
fn stored(tab: &Tab) -> Vec<String> {
    let value = js(
        tab,
        "Object.keys(JSON.parse(localStorage.getItem('sre-guide:v1:checklist') || '{}')).sort()",
    );
    serde_json::from_value(value).expect("ids")
}

fn sorted(ids: &[&String]) -> Vec<String> {
    let mut ids: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
    ids.sort();
    ids
}

#[test]
#[ignore = "needs Chromium"]
fn a_progress_link_is_offered_in_view_adds_by_default_and_replaces_on_request() {
    let server = guide();
    let chrome = chrome();
    let tab = chrome.tab();
    let errors = watch_errors(&tab);
    set_viewport(&tab, 320, 640);
    let (junior, mid) = (checklist_ids(0), checklist_ids(1));
    open(&tab, &server.at("phases/junior/"));
    tools_ready(&tab);
    tick(&tab, &junior[0]);
    // A link made on another device: one Junior item and one Mid-level item.
    let link = server.at(&format!(
        "phases/mid-level/#progress={},{}",
        junior[1], mid[0]
    ));
    open(&tab, &link);
    tools_ready(&tab);
    prompt_in_view(&tab);
    let prompt = js(
        &tab,
        "({ status: document.querySelector('[data-status]').textContent })",
    );
    let status = prompt["status"].as_str().expect("status");
    for says in [
        "2 ticked items",
        "2 of them new",
        "keeps your own 1 tick",
        "replacing drops the 1",
    ] {
        assert!(
            status.contains(says),
            "the prompt says what changes ({says:?}): {status}"
        );
    }
    assert_eq!(
        stored(&tab),
        sorted(&[&junior[0]]),
        "nothing changed before the reader chose"
    );
    click(&tab, "button[data-import]");
    assert_eq!(
        stored(&tab),
        sorted(&[&junior[0], &junior[1], &mid[0]]),
        "added, not replaced"
    );
    // Replacing, on request, makes this browser match the link.
    open(&tab, &link);
    tools_ready(&tab);
    prompt_in_view(&tab);
    click(&tab, "button[data-replace]");
    assert_eq!(stored(&tab), sorted(&[&junior[1], &mid[0]]), "replaced");
    assert!(
        js_str(&tab, "document.querySelector('[data-status]').textContent").contains("Replaced")
    );
    assert_no_errors(&errors);
}

#[test]
#[ignore = "needs Chromium"]
fn a_reset_checklist_can_be_undone() {
    let server = guide();
    let chrome = chrome();
    let tab = chrome.tab();
    let ids = checklist_ids(2);
    open(&tab, &server.at("phases/senior/"));
    tools_ready(&tab);
    tick(&tab, &ids[0]);
    tick(&tab, &ids[2]);
    click(&tab, "button[data-reset]");
    assert_eq!(stored(&tab), Vec::<String>::new());
    assert!(
        js_str(
            &tab,
            "document.querySelector('[data-reset-status]').textContent"
        )
        .contains("2 ticks")
    );
    click(&tab, "button[data-undo]");
    assert_eq!(
        stored(&tab),
        sorted(&[&ids[0], &ids[2]]),
        "undo restores the ticks"
    );
    assert_eq!(
        js(
            &tab,
            "[...document.querySelectorAll('input[data-check-id]:checked')].length"
        ),
        json!(2)
    );
    assert!(
        js_bool(&tab, "document.querySelector('[data-undo]').hidden"),
        "undo is used up"
    );
}

#[test]
#[ignore = "needs Chromium"]
fn ticks_in_one_tab_show_in_another() {
    let server = guide();
    let chrome = chrome();
    let ids = checklist_ids(0);
    let watcher = chrome.tab();
    open(&watcher, &server.at(""));
    let tab = chrome.tab();
    open(&tab, &server.at("phases/junior/"));
    tools_ready(&tab);
    tick(&tab, &ids[1]);
    watcher.bring_to_front().expect("front");
    wait_until(
        &watcher,
        "document.querySelector('.card-progress span').textContent.startsWith('1 of')",
        "the home page's card to count the tick made in the other tab",
    );
    // And a phase page open in a second tab follows ticks and resets.
    open(&watcher, &server.at("phases/junior/"));
    tools_ready(&watcher);
    tab.bring_to_front().expect("front");
    click(&tab, "button[data-reset]");
    watcher.bring_to_front().expect("front");
    wait_until(
        &watcher,
        "document.querySelectorAll('input[data-check-id]:checked').length === 0 \
         && document.querySelector('[data-done]').textContent === '0'",
        "the other tab to show the reset",
    );
}

#[test]
#[ignore = "needs Chromium"]
fn the_journey_is_summed_up_on_cards_the_home_overview_and_the_quiz_result() {
    let server = guide();
    let chrome = chrome();
    let tab = chrome.tab();
    let errors = watch_errors(&tab);
    let phases: Vec<Vec<String>> = (0..4).map(checklist_ids).collect();
    let total: usize = phases.iter().map(Vec::len).sum();
    // Nothing ticked: the overview stays out of the way, the cards say 0.
    open(&tab, &server.at(""));
    assert!(js_bool(
        &tab,
        "document.querySelector('[data-journey]').hidden"
    ));
    // Tick on two phase pages.
    open(&tab, &server.at("phases/junior/"));
    tools_ready(&tab);
    tick(&tab, &phases[0][0]);
    tick(&tab, &phases[0][2]);
    open(&tab, &server.at("phases/mid-level/"));
    tools_ready(&tab);
    tick(&tab, &phases[1][0]);
    let cards = "[...document.querySelectorAll('.card-progress')].map(p => p.hidden ? '' : p.querySelector('span').textContent)";
    let expected_cards: Vec<String> = phases
        .iter()
        .zip([2, 1, 0, 0])
        .map(|(ids, n)| format!("{n} of {} done", ids.len()))
        .collect();
    for page in ["", "phases/"] {
        open(&tab, &server.at(page));
        assert_eq!(
            js(&tab, cards),
            json!(expected_cards),
            "{page}: the phase cards"
        );
    }
    open(&tab, &server.at(""));
    assert_eq!(
        js(
            &tab,
            "[...document.querySelectorAll('.journey-phases li span')].map(s => s.textContent)"
        ),
        json!(expected_cards),
        "the overview counts every phase"
    );
    let overview = js(
        &tab,
        "(() => { const j = document.querySelector('[data-journey]'), \
           next = [...j.querySelectorAll('[data-item]')].filter(li => !li.hidden); \
           return { hidden: j.hidden, text: j.innerText.replace(/\\s+/g, ' '), \
             next: next.map(li => li.querySelector('a').getAttribute('href')) }; })()",
    );
    assert_eq!(overview["hidden"], json!(false));
    assert!(
        overview["text"]
            .as_str()
            .expect("text")
            .contains(&format!("3 of {total}")),
        "{overview}"
    );
    // The first unfinished item in reading order: Junior's second.
    assert_eq!(
        overview["next"],
        json!([format!("phases/junior/index.html#item-{}", phases[0][1])])
    );
    click(&tab, "[data-journey] [data-item]:not([hidden]) a");
    wait_until(
        &tab,
        &format!("location.hash === '#item-{}'", phases[0][1]),
        "the link to the unfinished item",
    );
    // The quiz: two yes answers route to Phase 2, where one item is ticked.
    let (_, key) = quiz_key();
    assert_eq!(key[2].phase, 2);
    open(&tab, &server.at(&format!("{QUIZ}#a=yynnn")));
    let text = result_text(&tab);
    assert!(
        text.contains(&format!(
            "already ticked 1 of the {} checklist items of Phase 2",
            phases[1].len()
        )),
        "{text}"
    );
    // Its shareable result page says so too.
    open(&tab, &server.at(&format!("{QUIZ}phase-2/")));
    assert_eq!(
        js_str(
            &tab,
            "document.querySelector('[data-progress-of]').innerText.trim()"
        ),
        format!(
            "Already ticked in this browser for Phase 2: 1 of {} done",
            phases[1].len()
        )
    );
    assert_no_errors(&errors);
}

#[test]
#[ignore = "needs Chromium"]
fn without_javascript_progress_summaries_stay_hidden_and_pages_still_read() {
    let server = guide();
    let chrome = chrome();
    let tab = chrome.tab();
    tab.call(
        "Emulation.setScriptExecutionDisabled",
        json!({ "value": true }),
    )
    .expect("Emulation.setScriptExecutionDisabled");
    for page in ["", "phases/", "where-are-you-now/phase-2/"] {
        open(&tab, &server.at(page));
        let shown = js(
            &tab,
            "[...document.querySelectorAll('[data-journey], [data-progress-of], [data-theme-choice]')] \
               .filter(e => e.getClientRects().length > 0).length",
        );
        assert_eq!(
            shown,
            json!(0),
            "{page}: a script-only element shows without JS"
        );
        assert!(js_bool(
            &tab,
            "document.querySelector('main h1').innerText.length > 0"
        ));
    }
    open(&tab, &server.at("phases/"));
    assert_eq!(
        js(&tab, "document.querySelectorAll('.card h3 a').length"),
        json!(4)
    );
}
