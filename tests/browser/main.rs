//! The guide in a real browser: Debian's Chromium (headless, never downloaded) driven over the
//! DevTools protocol, against the built guide served from memory over loopback HTTP, and against
//! `sre-guide serve`. Covers what only a browser can show: the quiz's routing, URL state and
//! keyboard use (`quiz`), the checklists' saved progress (`checklists`, `journey`), layout at
//! 320 px, the colour schemes, print styles, the compare view and self-links (`layout`, `reader`),
//! search (`search`), links to awkward names (`urls`), the published CSP (`csp`), axe-core's WCAG
//! rules (`axe`), and the live preview following edits (`serve`).
//!
//! Every test is `#[ignore = "needs Chromium"]`; CI runs them with `--include-ignored`.
//!
//! # Writing a test here
//!
//! ```ignore
//! use super::*;
//!
//! #[test]
//! #[ignore = "needs Chromium"]
//! fn the_quiz_says_hello() {
//!     let server = guide();          // the guide as built, served for every test (read only)
//!     let chrome = chrome();         // this test's own browser profile (incognito context)
//!     let tab = chrome.tab();        // a tab in it; more tabs share its storage
//!     let errors = watch_errors(&tab);
//!     open(&tab, &server.at("where-are-you-now/"));
//!     click(&tab, "#quiz button[type=submit]");
//!     wait_until(&tab, "document.querySelector('#quiz-result')", "the result");
//!     assert_no_errors(&errors);
//! }
//! ```
//!
//! - One Chromium serves the whole binary (`chromium.rs`) and the tests run side by side in it,
//!   each in its own profile: nothing a test stores is seen by another. `chrome.another_device()`
//!   is a second profile for the same test. Never wait on a fixed sleep: [`wait_until`] a
//!   condition in the page.
//! - `guide()` serves the guide as built and `guide_with_headers()` the guide with
//!   `[publish] headers = true`, each built once per binary. A test that changes what is served
//!   starts its own `Server::start(files)`; `output()` is the built guide's files to start from.
//! - The page helpers below: [`open`], [`reload`], [`js`] (and `js_str`, `js_bool`), [`click`],
//!   [`wait_until`], [`before_every_page`], [`set_viewport`], [`emulate`], [`choose_theme`].

// Tests may unwrap (Cargo.toml's `unwrap_used` lint is for the program itself).
#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use cdp::{Event, Tab};
use chromium::{Chrome, WAIT, chrome};
use server::{Server, guide, guide_with_headers, headers_files};
use support::Site;
use support::guide::output;

mod axe;
mod cdp;
mod checklists;
mod chromium;
mod csp;
mod defects;
mod evidence;
mod journey;
mod layout;
mod offline;
mod packet;
mod quiz;
mod reader;
mod search;
mod serve;
mod server;
#[path = "../support/mod.rs"]
mod support;
mod urls;

// ------------------------------------------------------------------------------------------------
// Pages

/// Collects the page's uncaught exceptions (and console errors) from now on.
fn watch_errors(tab: &Tab) -> Arc<Mutex<Vec<String>>> {
    let errors = Arc::new(Mutex::new(Vec::new()));
    let sink = errors.clone();
    tab.add_event_listener(Arc::new(move |event: &Event| {
        if event.method == "Runtime.exceptionThrown" {
            let details = &event.params["exceptionDetails"];
            let what = details
                .pointer("/exception/description")
                .or_else(|| details.get("text"))
                .map_or_else(
                    || details.to_string(),
                    |v| v.as_str().unwrap_or("").to_string(),
                );
            sink.lock().expect("errors").push(what);
        }
    }));
    tab.call("Runtime.enable", json!({}))
        .expect("Runtime.enable");
    errors
}

#[track_caller]
fn assert_no_errors(errors: &Mutex<Vec<String>>) {
    let errors = errors.lock().expect("errors");
    assert!(errors.is_empty(), "uncaught exceptions: {errors:#?}");
}

/// Opens `url` in `tab` and waits until its document has loaded.
fn open(tab: &Tab, url: &str) {
    // A URL that differs from the current one only in its fragment would not load the page again,
    // and the tab's URL cannot tell: the driver updates it from events that may lag a navigation
    // (and Chromium may encode it otherwise). A fragment URL is always opened from a blank page.
    if url.contains('#') {
        open(tab, "about:blank");
    }
    navigate(tab, &format!("open {url}"), || tab.navigate_to(url));
}

/// Runs `go`, which leaves the current document, and waits for the next one to finish loading:
/// the old document is marked, so a page still showing it is never taken for the new one. (The
/// driver's own wait holds every navigation for half a second of network quiet.)
fn navigate(tab: &Tab, what: &str, go: impl FnOnce() -> anyhow::Result<()>) {
    js(tab, "window.__left = true");
    go().unwrap_or_else(|e| panic!("{what}: {e}"));
    wait_until(
        tab,
        "!window.__left && document.readyState === 'complete'",
        what,
    );
}

/// Evaluates `expr` in the page and returns its value (through JSON, so objects come back whole).
fn js(tab: &Tab, expr: &str) -> Value {
    let wrapped = format!(
        "(() => {{ try {{ return JSON.stringify({{ ok: ({expr}) }}); }} \
         catch (e) {{ return JSON.stringify({{ error: String(e && e.stack || e) }}); }} }})()"
    );
    let result = tab
        .evaluate(&wrapped, false)
        .unwrap_or_else(|e| panic!("evaluate {expr}: {e:#}"));
    let text = result
        .value
        .as_ref()
        .and_then(|v| v.as_str())
        .unwrap_or_else(|| panic!("evaluate {expr}: no value: {:?}", result.value));
    let value: Value = serde_json::from_str(text).expect("JSON from the page");
    if let Some(error) = value.get("error") {
        panic!("evaluate {expr}: {error}");
    }
    value.get("ok").cloned().unwrap_or(Value::Null)
}

fn js_str(tab: &Tab, expr: &str) -> String {
    match js(tab, expr) {
        Value::String(s) => s,
        other => panic!("{expr}: not a string: {other}"),
    }
}

fn js_bool(tab: &Tab, expr: &str) -> bool {
    js(tab, expr)
        .as_bool()
        .unwrap_or_else(|| panic!("{expr}: not a boolean"))
}

/// Waits until `expr` is truthy in the page; fails with `what` after [`WAIT`].
#[track_caller]
fn wait_until(tab: &Tab, expr: &str, what: &str) {
    let started = Instant::now();
    loop {
        // A page between documents (a reload, Back) reads as "not yet", not as a failure: its
        // script may throw, or DevTools may say the page it asked navigated away.
        let probe =
            format!("(() => {{ try {{ return !!({expr}); }} catch (e) {{ return false; }} }})()");
        let answer = tab.evaluate(&probe, false).ok().and_then(|r| r.value);
        if answer == Some(Value::Bool(true)) {
            return;
        }
        if started.elapsed() > WAIT {
            // What the tab shows then: which document, how far it loaded, whether it is the one
            // a navigation was waiting to leave, and which of its scripts and style sheets have
            // not finished loading (a parser waiting on one keeps the document "loading").
            let state = tab
                .evaluate(
                    "(() => { const done = new Set(performance.getEntriesByType('resource') \
                       .map(e => e.name)); \
                     const pending = [...document.querySelectorAll('script[src], link[rel~=stylesheet]')] \
                       .map(e => e.src || e.href).filter(url => !done.has(url)); \
                     return JSON.stringify([location.href, document.readyState, !!window.__left, \
                       pending]); })()",
                    false,
                )
                .map(|r| r.value);
            panic!(
                "timed out waiting for {what} ({expr}); the tab: {state:?}\nrecent requests:\n{}",
                server::recent_requests(what)
            );
        }
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// A real (trusted) mouse click in the middle of the element: found and scrolled to, then
/// clicked once two looks 25 ms apart find it at the same point and on top there, so a scroll
/// the page itself is still animating (smooth scrolling to a focused prompt) cannot move another
/// element under the pointer.
fn click(tab: &Tab, selector: &str) {
    click_box(tab, selector, "getBoundingClientRect()");
}

/// A click on the middle of the first line of an inline element (a label that wraps): the
/// middle of its bounding box may fall beside its text.
fn click_first_line(tab: &Tab, selector: &str) {
    click_box(tab, selector, "getClientRects()[0]");
}

fn click_box(tab: &Tab, selector: &str, rect: &str) {
    let selector_json = serde_json::to_string(selector).expect("JSON");
    let started = Instant::now();
    let mut last = None;
    let point = loop {
        let point = js(
            tab,
            &format!(
                "(() => {{ const e = document.querySelector({selector_json}); if (!e) return null; \
                   e.scrollIntoView({{ block: 'center', inline: 'center', behavior: 'instant' }}); \
                   const r = e.{rect}; if (!r || !r.width || !r.height) return null; \
                   const x = r.left + r.width / 2, y = r.top + r.height / 2; \
                   const hit = document.elementFromPoint(x, y); \
                   return hit && (hit === e || e.contains(hit)) ? [x, y] : null; }})()"
            ),
        );
        let here = point
            .as_array()
            .map(|a| (a[0].as_f64().expect("x"), a[1].as_f64().expect("y")));
        if let Some(here) = here
            && last == Some(here)
        {
            break here;
        }
        last = here;
        assert!(started.elapsed() < WAIT, "no visible {selector} to click");
        std::thread::sleep(Duration::from_millis(25));
    };
    for kind in ["mousePressed", "mouseReleased"] {
        tab.call(
            "Input.dispatchMouseEvent",
            json!({ "type": kind, "x": point.0, "y": point.1, "button": "left", "clickCount": 1 }),
        )
        .unwrap_or_else(|e| panic!("click {selector}: {e:#}"));
    }
}

fn loaded(tab: &Tab) {
    wait_until(
        tab,
        "document.readyState === 'complete'",
        "the page to load",
    );
}

fn reload(tab: &Tab) {
    navigate(tab, "reload", || tab.reload());
}

/// Runs `source` in every document this tab opens from now on, before the page's own scripts.
fn before_every_page(tab: &Tab, source: &str) {
    tab.call(
        "Page.addScriptToEvaluateOnNewDocument",
        json!({ "source": source }),
    )
    .expect("Page.addScriptToEvaluateOnNewDocument");
}

fn set_viewport(tab: &Tab, width: u32, height: u32) {
    tab.call(
        "Emulation.setDeviceMetricsOverride",
        json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": true }),
    )
    .expect("Emulation.setDeviceMetricsOverride");
}

/// Picks `value` ("", "light" or "dark") in the header's theme select, as a keyboard user would.
fn choose_theme(tab: &Tab, value: &str) {
    js(
        tab,
        &format!(
            "(() => {{ const s = document.getElementById('theme-choice'); s.focus(); s.value = '{value}'; \
               s.dispatchEvent(new Event('change', {{ bubbles: true }})); }})()"
        ),
    );
}

fn set_color_scheme(tab: &Tab, scheme: &str) {
    emulate_media(tab, "", scheme);
}

/// Emulates a media type ("print", or "" for the screen) and a colour-scheme preference.
fn emulate_media(tab: &Tab, media: &str, scheme: &str) {
    emulate(tab, media, &[("prefers-color-scheme", scheme)]);
}

/// Emulates a media type and media features (`("hover", "none")`, …); others reset.
fn emulate(tab: &Tab, media: &str, features: &[(&str, &str)]) {
    let features: Vec<Value> = features
        .iter()
        .map(|(name, value)| json!({ "name": name, "value": value }))
        .collect();
    tab.call(
        "Emulation.setEmulatedMedia",
        json!({ "media": media, "features": features }),
    )
    .expect("Emulation.setEmulatedMedia");
}

// ------------------------------------------------------------------------------------------------
// The site and its data

fn data(stem: &str) -> toml::Table {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("content/data")
        .join(format!("{stem}.toml"));
    toml::from_str(&std::fs::read_to_string(&path).expect("read data")).expect("parse data")
}

fn array<'a>(table: &'a toml::Table, key: &str) -> Vec<&'a toml::Table> {
    table[key]
        .as_array()
        .unwrap_or_else(|| panic!("[[{key}]]"))
        .iter()
        .map(|v| v.as_table().expect("a table"))
        .collect()
}

fn string<'a>(table: &'a toml::Table, key: &str) -> &'a str {
    table[key].as_str().unwrap_or_else(|| panic!("`{key}`"))
}

/// What the quiz must answer for a number of yes answers: (phase number, label, phase page URL).
struct Expected {
    phase: i64,
    label: String,
    page: String,
}

/// The quiz's question ids and, per count of yes answers, the expected routing — computed from
/// quiz.toml's rules and the ladder's phases, never copied.
fn quiz_key() -> (Vec<String>, Vec<Expected>) {
    let quiz = data("quiz");
    let ladder = data("ladder");
    let phases = array(&ladder, "phases");
    let ids: Vec<String> = array(&quiz, "questions")
        .iter()
        .map(|q| string(q, "id").to_string())
        .collect();
    let rules = array(&quiz, "rules");
    let expected = (0..=ids.len() as i64)
        .map(|yes| {
            let matching: Vec<&&toml::Table> = rules
                .iter()
                .filter(|r| {
                    r["min"].as_integer().expect("min") <= yes
                        && yes <= r["max"].as_integer().expect("max")
                })
                .collect();
            assert_eq!(matching.len(), 1, "one rule routes {yes} yes answers");
            let rule = matching[0];
            let page = string(rule, "page");
            let phase = phases
                .iter()
                .find(|p| string(p, "page") == page)
                .unwrap_or_else(|| panic!("no phase has the page {page}"));
            Expected {
                phase: phase["number"].as_integer().expect("number"),
                label: string(rule, "label").to_string(),
                page: format!("{}/index.html", page.trim_end_matches(".md")),
            }
        })
        .collect();
    (ids, expected)
}

const QUIZ: &str = "where-are-you-now/";

/// Every page of the built guide by its path, then the quiz with a result shown and with
/// unanswered questions pointed out: the states a sweep over "every page" must include.
fn every_page_and_quiz_state() -> Vec<String> {
    let mut urls: Vec<String> = output()
        .keys()
        .filter(|p| p.ends_with(".html"))
        .map(|p| p.strip_suffix("index.html").unwrap_or(p).to_string())
        .collect();
    urls.push(format!("{QUIZ}#a=yynyn"));
    urls.push(format!("{QUIZ}#a=y-n--"));
    urls
}

/// Runs `check` in the light and the dark scheme at once, each in a thread (and tab) of its own,
/// since no tab is throttled in the background, and gathers what both found.
fn in_both_schemes(check: impl Fn(&str) -> Vec<String> + Sync) -> Vec<String> {
    std::thread::scope(|threads| {
        let runs = ["light", "dark"].map(|scheme| {
            let check = &check;
            threads.spawn(move || check(scheme))
        });
        runs.into_iter()
            .flat_map(|run| run.join().expect("a run in one scheme"))
            .collect()
    })
}

/// The answers the quiz page shows, as `y`/`n`/`-` per question in order.
fn shown_answers(tab: &Tab, ids: &[String]) -> String {
    let ids = serde_json::to_string(ids).expect("JSON");
    js_str(
        tab,
        &format!(
            "{ids}.map(id => (document.querySelector(`input[name=\"q-${{id}}\"]:checked`) || {{ value: '-' }}).value).join('')"
        ),
    )
}

fn result_text(tab: &Tab) -> String {
    js_str(
        tab,
        "document.getElementById('quiz-result').innerText.replace(/\\s+/g, ' ').trim()",
    )
}

/// Asserts the result region routes `answers` as the key says.
#[track_caller]
fn assert_result(tab: &Tab, server: &Server, answers: &str, key: &[Expected]) {
    let yes = answers.matches('y').count();
    let expected = &key[yes];
    let shown = js(
        tab,
        "({ text: document.getElementById('quiz-result').innerText.replace(/\\s+/g, ' ').trim(), \
            link: (document.querySelector('#quiz-result a.quiz-go') || {}).href || '' })",
    );
    let text = shown["text"].as_str().expect("text");
    for needle in [
        format!("Phase {}", expected.phase),
        expected.label.clone(),
        format!("{yes} of {}", answers.len()),
    ] {
        assert!(
            text.contains(&needle),
            "answers {answers} ({yes} yes): the result lacks {needle:?}; it says {text:?}"
        );
    }
    assert_eq!(
        shown["link"].as_str().expect("link"),
        server.at(&expected.page),
        "answers {answers}: the link to the phase"
    );
}
