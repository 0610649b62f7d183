//! The guide in a real browser: Debian's Chromium (headless, never downloaded) driven over the
//! DevTools protocol against the built site, served from memory over loopback HTTP by a small
//! server in this file. Covers what only a browser can show: the quiz's routing, URL state and
//! keyboard use, the checklists' saved progress, and layout at 320 px in both colour schemes.
//! Every test is `#[ignore = "needs Chromium"]`; CI runs them with `--include-ignored`.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use headless_chrome::Tab;
use headless_chrome::protocol::cdp::types::Event;
use headless_chrome::protocol::cdp::{Emulation, Input, Page};
use serde_json::{Value, json};

use crate::support::{Chrome, Site, chrome};

type Files = BTreeMap<String, Vec<u8>>;

/// The longest any single wait in these tests may take.
const WAIT: Duration = Duration::from_secs(10);

// ------------------------------------------------------------------------------------------------
// A static file server over loopback, serving a built site from memory

/// Serves `files` at `http://127.0.0.1:<port>/` until dropped (or for five minutes at most).
/// The files can be swapped while it runs, as a rebuild would: same origin, new output.
struct Server {
    url: String,
    files: Arc<RwLock<Files>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    fn start(files: Files) -> Server {
        let http = tiny_http::Server::http("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let port = http.server_addr().to_ip().expect("an IP listener").port();
        let files = Arc::new(RwLock::new(files));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (files, stop) = (files.clone(), stop.clone());
            std::thread::spawn(move || {
                let started = Instant::now();
                while !stop.load(Ordering::Relaxed) && started.elapsed() < Duration::from_secs(300)
                {
                    match http.recv_timeout(Duration::from_millis(50)) {
                        Ok(Some(request)) => respond(request, &files.read().expect("files")),
                        Ok(None) => {}
                        Err(_) => break,
                    }
                }
            })
        };
        Server {
            url: format!("http://127.0.0.1:{port}/"),
            files,
            stop,
            thread: Some(thread),
        }
    }

    /// The URL of a path below the site root (`phases/junior/`).
    fn at(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    fn replace(&self, files: Files) {
        *self.files.write().expect("files") = files;
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn respond(request: tiny_http::Request, files: &Files) {
    let path = request.url().split(['?', '#']).next().unwrap_or("/");
    let mut path = path.trim_start_matches('/').to_string();
    if path.is_empty() || path.ends_with('/') {
        path.push_str("index.html");
    }
    let (status, path) = if files.contains_key(&path) {
        (200, path)
    } else {
        (404, "404.html".to_string())
    };
    let body = files.get(&path).cloned().unwrap_or_default();
    let mime = mime_guess::from_path(&path).first_or_octet_stream();
    let response = tiny_http::Response::from_data(body)
        .with_status_code(status)
        .with_header(
            tiny_http::Header::from_bytes("Content-Type", mime.essence_str())
                .expect("a valid header"),
        )
        .with_header(
            tiny_http::Header::from_bytes("Cache-Control", "no-store").expect("a valid header"),
        );
    let _ = request.respond(response);
}

// ------------------------------------------------------------------------------------------------
// Chromium

/// A headless Chromium with a throwaway profile; the process ends when this is dropped.
impl Chrome {
    fn tab(&self) -> Arc<Tab> {
        prepare(self.browser.new_tab().expect("a new tab"))
    }
}

/// Bounded waits, no artificial pauses between input events, and in front (a background tab
/// gets its frames throttled, which makes every click wait for one).
fn prepare(tab: Arc<Tab>) -> Arc<Tab> {
    tab.set_default_timeout(WAIT);
    tab.set_slow_motion_multiplier(0.0);
    tab.bring_to_front().expect("bring the tab to the front");
    tab
}

/// Collects the page's uncaught exceptions (and console errors) from now on.
fn watch_errors(tab: &Tab) -> Arc<Mutex<Vec<String>>> {
    let errors = Arc::new(Mutex::new(Vec::new()));
    tab.enable_runtime().expect("Runtime.enable");
    let sink = errors.clone();
    tab.add_event_listener(Arc::new(move |event: &Event| {
        if let Event::RuntimeExceptionThrown(e) = event {
            let details = &e.params.exception_details;
            let what = details
                .exception
                .as_ref()
                .and_then(|x| x.description.clone())
                .unwrap_or_else(|| details.text.clone());
            sink.lock().expect("errors").push(what);
        }
    }))
    .expect("listen for exceptions");
    errors
}

#[track_caller]
fn assert_no_errors(errors: &Mutex<Vec<String>>) {
    let errors = errors.lock().expect("errors");
    assert!(errors.is_empty(), "uncaught exceptions: {errors:#?}");
}

fn open(tab: &Tab, url: &str) {
    // A URL that differs from the current one only in its fragment would not load the page again.
    let same_document = |a: &str, b: &str| a.split('#').next() == b.split('#').next();
    if url.contains('#') && same_document(&tab.get_url(), url) {
        open(tab, "about:blank");
    }
    tab.navigate_to(url)
        .and_then(|t| t.wait_until_navigated())
        .unwrap_or_else(|e| panic!("open {url}: {e}"));
    if url != "about:blank" {
        loaded(tab);
    }
}

/// Evaluates `expr` in the page and returns its value (through JSON, so objects come back whole).
fn js(tab: &Tab, expr: &str) -> Value {
    let wrapped = format!(
        "(() => {{ try {{ return JSON.stringify({{ ok: ({expr}) }}); }} \
         catch (e) {{ return JSON.stringify({{ error: String(e && e.stack || e) }}); }} }})()"
    );
    let result = tab
        .evaluate(&wrapped, false)
        .unwrap_or_else(|e| panic!("evaluate {expr}: {e}"));
    let text = result
        .value
        .as_ref()
        .and_then(|v| v.as_str())
        .unwrap_or_else(|| panic!("evaluate {expr}: no value: {result:?}"));
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
        // A page between documents (a reload) reads as "not yet", not as a failure.
        let probe =
            format!("(() => {{ try {{ return !!({expr}); }} catch (e) {{ return false; }} }})()");
        if js(tab, &probe) == Value::Bool(true) {
            return;
        }
        if started.elapsed() > WAIT {
            panic!("timed out waiting for {what} ({expr})");
        }
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// A real (trusted) mouse click in the middle of the element, as few DevTools round trips as it
/// takes: one to find and scroll to it, two for the button going down and up.
fn click(tab: &Tab, selector: &str) {
    let selector_json = serde_json::to_string(selector).expect("JSON");
    let started = Instant::now();
    let point = loop {
        let point = js(
            tab,
            &format!(
                "(() => {{ const e = document.querySelector({selector_json}); if (!e) return null; \
                   e.scrollIntoView({{ block: 'center', inline: 'center', behavior: 'instant' }}); \
                   const r = e.getBoundingClientRect(); \
                   return r.width && r.height ? [r.left + r.width / 2, r.top + r.height / 2] : null; }})()"
            ),
        );
        if let Some([x, y]) = point.as_array().map(|a| [a[0].as_f64(), a[1].as_f64()]) {
            break (x.expect("x"), y.expect("y"));
        }
        assert!(started.elapsed() < WAIT, "no visible {selector} to click");
        std::thread::sleep(Duration::from_millis(25));
    };
    for kind in ["mousePressed", "mouseReleased"] {
        let event: Input::DispatchMouseEvent = serde_json::from_value(json!({
            "type": kind, "x": point.0, "y": point.1, "button": "left", "clickCount": 1
        }))
        .expect("DispatchMouseEvent");
        tab.call_method(event)
            .unwrap_or_else(|e| panic!("click {selector}: {e}"));
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
    tab.reload(false, None)
        .and_then(|t| t.wait_until_navigated())
        .expect("reload");
    loaded(tab);
}

/// Runs `source` in every document this tab opens from now on, before the page's own scripts.
fn before_every_page(tab: &Tab, source: &str) {
    tab.call_method(Page::AddScriptToEvaluateOnNewDocument {
        source: source.to_string(),
        world_name: None,
        include_command_line_api: None,
        run_immediately: None,
    })
    .expect("Page.addScriptToEvaluateOnNewDocument");
}

fn set_viewport(tab: &Tab, width: u32, height: u32) {
    let method: Emulation::SetDeviceMetricsOverride = serde_json::from_value(json!({
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": true
    }))
    .expect("SetDeviceMetricsOverride");
    tab.call_method(method)
        .expect("Emulation.setDeviceMetricsOverride");
}

fn set_color_scheme(tab: &Tab, scheme: &str) {
    emulate_media(tab, "", scheme);
}

/// Emulates a media type ("print", or "" for the screen) and a colour-scheme preference.
fn emulate_media(tab: &Tab, media: &str, scheme: &str) {
    let method: Emulation::SetEmulatedMedia = serde_json::from_value(json!({
        "media": media, "features": [{ "name": "prefers-color-scheme", "value": scheme }]
    }))
    .expect("SetEmulatedMedia");
    tab.call_method(method).expect("Emulation.setEmulatedMedia");
}

// ------------------------------------------------------------------------------------------------
// The site and its data

fn site() -> Files {
    crate::guide::output().clone()
}

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

// ------------------------------------------------------------------------------------------------
// The quiz

#[test]
#[ignore = "needs Chromium"]
fn the_quiz_routes_all_32_combinations_by_the_key() {
    let server = Server::start(site());
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
    // DevTools round trip costs ~0.1 s in headless_chrome, so one per combination).
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
        assert_result(&tab, &server, &answers, &key);
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
    let server = Server::start(site());
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
        assert_result(&tab, &server, answers, &key);
        assert_no_errors(&errors);
        tab.close(false).expect("close the tab");
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
    let server = Server::start(site());
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
    let back = || {
        js(&tab, "history.back()");
    };
    let forward = || {
        js(&tab, "history.forward()");
    };
    let has_result = "document.querySelector('#quiz-result a.quiz-go')";

    // Answer, then submit: Back returns to the answers without the result; Forward brings it back.
    answer("yynnn");
    click(&tab, "#quiz button[type=submit]");
    wait_until(&tab, has_result, "the result");
    assert_result(&tab, &server, "yynnn", &key);
    back();
    wait_until(
        &tab,
        &format!("!{has_result}"),
        "the result gone after Back",
    );
    assert_eq!(shown_answers(&tab, &ids), "yynnn");
    forward();
    wait_until(&tab, has_result, "the result back after Forward");
    assert_result(&tab, &server, "yynnn", &key);

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
    assert_result(&tab, &server, "yynnn", &key);

    // A second round: change an answer after the result and submit again. Back shows the state
    // before that submit; Back again, the first result.
    answer("yyyyy");
    click(&tab, "#quiz button[type=submit]");
    wait_until(
        &tab,
        &format!("{has_result} && location.hash === '#a=yyyyy'"),
        "the second result",
    );
    assert_result(&tab, &server, "yyyyy", &key);
    back();
    wait_until(&tab, &format!("!{has_result}"), "no result after Back");
    assert_eq!(shown_answers(&tab, &ids), "yyyyy");
    back();
    wait_until(
        &tab,
        &format!("{has_result} && location.hash === '#a=yynnn'"),
        "the first result after Back, Back",
    );
    assert_eq!(shown_answers(&tab, &ids), "yynnn");
    assert_result(&tab, &server, "yynnn", &key);
    assert_no_errors(&errors);
}

#[test]
#[ignore = "needs Chromium"]
fn the_quiz_can_be_completed_with_the_keyboard_alone() {
    let server = Server::start(site());
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
    assert_result(&tab, &server, answers, &key);
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
    let server = Server::start(site());
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
    let server = Server::start(site());
    let chrome = chrome();
    let tab = chrome.tab();
    tab.call_method(Emulation::SetScriptExecutionDisabled { value: true })
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

// ------------------------------------------------------------------------------------------------
// Checklists

const PHASE: &str = "phases/junior/";

fn checklist_ids(phase_index: usize) -> Vec<String> {
    let ladder = data("ladder");
    let phase = array(&ladder, "phases")[phase_index];
    array(phase["checklist"].as_table().expect("checklist"), "items")
        .iter()
        .map(|i| string(i, "id").to_string())
        .collect()
}

fn checked_ids(tab: &Tab) -> Vec<String> {
    let value = js(
        tab,
        "[...document.querySelectorAll('input[data-check-id]')].filter(c => c.checked).map(c => c.dataset.checkId).sort()",
    );
    serde_json::from_value(value).expect("a list of ids")
}

fn done_line(tab: &Tab) -> String {
    js_str(
        tab,
        "document.querySelector('.progress-line').innerText.replace(/\\s+/g, ' ').trim()",
    )
}

/// Ticks an item the way a reader does: a click on its label.
fn tick(tab: &Tab, id: &str) {
    click(tab, &format!("label[for=\"check-{id}\"]"));
}

#[test]
#[ignore = "needs Chromium"]
fn checklist_ticks_survive_a_reload() {
    let server = Server::start(site());
    let chrome = chrome();
    let tab = chrome.tab();
    let errors = watch_errors(&tab);
    let ids = checklist_ids(0);
    open(&tab, &server.at(PHASE));
    wait_until(
        &tab,
        "!document.querySelector('[data-tools]').hidden",
        "the checklist tools",
    );
    assert_eq!(done_line(&tab), format!("0 of {} done", ids.len()));
    tick(&tab, &ids[0]);
    tick(&tab, &ids[2]);
    assert_eq!(done_line(&tab), format!("2 of {} done", ids.len()));
    reload(&tab);
    wait_until(
        &tab,
        "!document.querySelector('[data-tools]').hidden",
        "the checklist tools",
    );
    let mut expected = vec![ids[0].clone(), ids[2].clone()];
    expected.sort();
    assert_eq!(checked_ids(&tab), expected, "ticks after a reload");
    assert_eq!(done_line(&tab), format!("2 of {} done", ids.len()));
    // Unticking is saved too.
    tick(&tab, &ids[0]);
    reload(&tab);
    wait_until(
        &tab,
        "!document.querySelector('[data-tools]').hidden",
        "the checklist tools",
    );
    assert_eq!(checked_ids(&tab), vec![ids[2].clone()]);
    assert_eq!(done_line(&tab), format!("1 of {} done", ids.len()));
    assert!(
        js_bool(&tab, "document.querySelector('[data-storage-note]').hidden"),
        "the blocked-storage note shows although storage works"
    );
    assert_no_errors(&errors);
}

#[test]
#[ignore = "needs Chromium"]
fn checklist_ticks_survive_a_rebuild_with_the_items_reordered() {
    let server = Server::start(site());
    let chrome = chrome();
    let tab = chrome.tab();
    let ids = checklist_ids(0);
    open(&tab, &server.at(PHASE));
    wait_until(
        &tab,
        "!document.querySelector('[data-tools]').hidden",
        "the checklist tools",
    );
    tick(&tab, &ids[0]);
    tick(&tab, &ids[1]);

    // Reverse the Junior phase's items in ladder.toml and rebuild; serve the new output.
    let ladder_path = "content/data/ladder.toml";
    let original =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(ladder_path))
            .expect("read ladder.toml");
    let block = |id: &str| -> String {
        let start = original
            .find(&format!("[[phases.checklist.items]]\nid = \"{id}\""))
            .unwrap_or_else(|| panic!("the item {id} in ladder.toml"));
        let end = original[start + 1..]
            .find("\n[")
            .map_or(original.len(), |e| start + 1 + e + 1);
        original[start..end].to_string()
    };
    let blocks: Vec<String> = ids.iter().map(|id| block(id)).collect();
    let first = original.find(&blocks[0]).expect("first block");
    let last = original
        .find(&blocks[blocks.len() - 1])
        .expect("last block")
        + blocks[blocks.len() - 1].len();
    assert_eq!(
        original[first..last],
        blocks.concat(),
        "the items are contiguous"
    );
    let reversed: String = blocks
        .iter()
        .rev()
        .map(|b| format!("{}\n", b.trim_end()))
        .collect::<Vec<_>>()
        .join("\n");
    let edited = format!("{}{}{}", &original[..first], reversed, &original[last..]);
    let rebuilt = Site::repo().file(ladder_path, &edited);
    rebuilt.run(["build"]).code(0);
    server.replace(
        rebuilt
            .tree("output")
            .into_iter()
            .filter(|(p, _)| !p.ends_with('/'))
            .collect(),
    );

    reload(&tab);
    wait_until(
        &tab,
        "!document.querySelector('[data-tools]').hidden",
        "the checklist tools",
    );
    let order: Vec<String> = serde_json::from_value(js(
        &tab,
        "[...document.querySelectorAll('input[data-check-id]')].map(c => c.dataset.checkId)",
    ))
    .expect("ids");
    let mut reversed_ids = ids.clone();
    reversed_ids.reverse();
    assert_eq!(
        order, reversed_ids,
        "the rebuilt page lists the items reversed"
    );
    let mut expected = vec![ids[0].clone(), ids[1].clone()];
    expected.sort();
    assert_eq!(
        checked_ids(&tab),
        expected,
        "the same items stay ticked, by id"
    );
    assert_eq!(done_line(&tab), format!("2 of {} done", ids.len()));
}

#[test]
#[ignore = "needs Chromium"]
fn checklist_progress_exported_as_a_link_imports_on_another_device() {
    let server = Server::start(site());
    let chrome = chrome();
    let tab = chrome.tab();
    let errors = watch_errors(&tab);
    let junior = checklist_ids(0);
    let mid = checklist_ids(1);
    // Ticks on two phases.
    open(&tab, &server.at(PHASE));
    wait_until(
        &tab,
        "!document.querySelector('[data-tools]').hidden",
        "the checklist tools",
    );
    tick(&tab, &junior[1]);
    tick(&tab, &junior[3]);
    open(&tab, &server.at("phases/mid-level/"));
    wait_until(
        &tab,
        "!document.querySelector('[data-tools]').hidden",
        "the checklist tools",
    );
    tick(&tab, &mid[0]);
    // Export: open the transfer panel, create the link.
    click(&tab, "details.transfer summary");
    click(&tab, "button[data-export]");
    wait_until(
        &tab,
        "document.querySelector('[data-status]').textContent.length > 0",
        "the export status",
    );
    let link = js_str(&tab, "document.querySelector('[data-code]').value");
    assert!(
        link.starts_with(&server.url),
        "the link is to this site: {link}"
    );
    assert_no_errors(&errors);

    // Another device: a fresh browser context (its own storage) opens the link.
    let context = chrome.browser.new_context().expect("a new browser context");
    let other = prepare(context.new_tab().expect("a tab in the new context"));
    let other_errors = watch_errors(&other);
    open(&other, &server.at(PHASE));
    wait_until(
        &other,
        "!document.querySelector('[data-tools]').hidden",
        "the checklist tools",
    );
    assert!(
        checked_ids(&other).is_empty(),
        "the other device starts empty"
    );
    open(&other, &link);
    wait_until(
        &other,
        "!document.querySelector('[data-tools]').hidden",
        "the checklist tools",
    );
    assert!(
        checked_ids(&other).is_empty(),
        "opening the link must not overwrite progress before the reader agrees"
    );
    assert!(
        js_bool(&other, "document.querySelector('details.transfer').open"),
        "the import is offered"
    );
    click(&other, "button[data-import]");
    let mut expected = vec![mid[0].clone()];
    expected.sort();
    assert_eq!(checked_ids(&other), expected, "mid-level ticks imported");
    assert_eq!(done_line(&other), format!("1 of {} done", mid.len()));
    // The other phase's ticks came along.
    open(&other, &server.at(PHASE));
    wait_until(
        &other,
        "!document.querySelector('[data-tools]').hidden",
        "the checklist tools",
    );
    let mut expected = vec![junior[1].clone(), junior[3].clone()];
    expected.sort();
    assert_eq!(checked_ids(&other), expected, "junior ticks imported");
    assert_eq!(done_line(&other), format!("2 of {} done", junior.len()));
    // The same import pasted by hand works too.
    click(&other, "button[data-reset]");
    assert!(checked_ids(&other).is_empty());
    click(&other, "details.transfer summary");
    click(&other, "[data-code]");
    js(&other, "document.querySelector('[data-code]').value = ''");
    // Pasted, as a reader would: one input of the whole text.
    other
        .call_method(Input::InsertText { text: link.clone() })
        .expect("paste the link");
    click(&other, "button[data-import]");
    assert_eq!(
        checked_ids(&other),
        expected,
        "junior ticks imported from a pasted link"
    );
    assert_no_errors(&other_errors);
}

#[test]
#[ignore = "needs Chromium"]
fn checklists_work_with_storage_blocked() {
    let server = Server::start(site());
    let chrome = chrome();
    let tab = chrome.tab();
    let errors = watch_errors(&tab);
    before_every_page(
        &tab,
        "Object.defineProperty(window, 'localStorage', { configurable: true, get() { \
           throw new DOMException('The operation is insecure.', 'SecurityError'); } });",
    );
    let ids = checklist_ids(0);
    open(&tab, &server.at(PHASE));
    assert!(
        js_bool(
            &tab,
            "(() => { try { localStorage; return false; } catch (e) { return true; } })()"
        ),
        "storage is blocked for this test"
    );
    wait_until(
        &tab,
        "!document.querySelector('[data-tools]').hidden",
        "the checklist tools",
    );
    assert!(
        js_bool(
            &tab,
            "!document.querySelector('[data-storage-note]').hidden"
        ),
        "a note says the ticks will not be kept"
    );
    tick(&tab, &ids[0]);
    tick(&tab, &ids[3]);
    let mut expected = vec![ids[0].clone(), ids[3].clone()];
    expected.sort();
    assert_eq!(checked_ids(&tab), expected);
    assert_eq!(done_line(&tab), format!("2 of {} done", ids.len()));
    tick(&tab, &ids[0]);
    assert_eq!(done_line(&tab), format!("1 of {} done", ids.len()));
    click(&tab, "button[data-reset]");
    assert_eq!(done_line(&tab), format!("0 of {} done", ids.len()));
    // The theme toggle still works for the visit.
    click(&tab, "#theme-toggle");
    assert!(js_bool(
        &tab,
        "document.documentElement.hasAttribute('data-theme')"
    ));
    assert_no_errors(&errors);
}

// ------------------------------------------------------------------------------------------------
// Layout and colour scheme

#[test]
#[ignore = "needs Chromium"]
fn no_page_scrolls_horizontally_at_320_px_in_light_or_dark() {
    let files = site();
    let mut urls: Vec<String> = files
        .keys()
        .filter(|p| p.ends_with(".html"))
        .map(|p| p.strip_suffix("index.html").unwrap_or(p).to_string())
        .collect();
    // Pages in the states scripts put them in: a quiz result, open checklist tools.
    urls.push(format!("{QUIZ}#a=yynyn"));
    urls.push(format!("{QUIZ}#a=y-n--"));
    urls.push("no/such/page/".to_string());
    let server = Server::start(files);
    let chrome = chrome();
    // One scheme after the other: a second tab would sit in the background, where Chromium
    // throttles it, and on two busy cores its page loads outran the waits.
    let wide: Vec<String> = ["light", "dark"]
        .into_iter()
        .flat_map(|scheme| wide_pages(&chrome, &server, &urls, scheme))
        .collect();
    assert!(
        wide.is_empty(),
        "pages that scroll sideways at 320 px:\n{}",
        wide.join("\n")
    );
}

/// The pages among `urls` wider than a 320 px viewport in the `scheme` colour scheme.
fn wide_pages(chrome: &Chrome, server: &Server, urls: &[String], scheme: &str) -> Vec<String> {
    let mut wide = Vec::new();
    let tab = chrome.tab();
    set_viewport(&tab, 320, 640);
    set_color_scheme(&tab, scheme);
    for url in urls {
        open(&tab, &server.at(url));
        // Scripted states too: open <details>, a submitted partial quiz.
        let seen = js(
            &tab,
            &format!(
                "(() => {{ document.querySelectorAll('details').forEach(d => d.open = true); \
                   const submit = document.querySelector('#quiz button[type=submit]'); \
                   if (submit && location.hash.includes('-')) submit.click(); \
                   return {{ scheme: matchMedia('(prefers-color-scheme: {scheme})').matches, \
                     viewport: innerWidth, width: document.documentElement.scrollWidth, \
                     wide: [...document.querySelectorAll('body *')] \
                       .filter(e => e.getBoundingClientRect().right > 320.5).slice(-3) \
                       .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)) }}; }})()"
            ),
        );
        assert_eq!(
            seen["scheme"],
            json!(true),
            "the {scheme} scheme is emulated"
        );
        assert_eq!(seen["viewport"], json!(320), "the viewport is 320 px wide");
        let width = seen["width"].as_u64().expect("a width");
        if width > 320 {
            wide.push(format!("{scheme} {url}: {width} px wide; {}", seen["wide"]));
        }
    }
    tab.close(false).expect("close");
    wide
}

#[test]
#[ignore = "needs Chromium"]
fn the_dark_theme_toggle_is_remembered_and_applied_before_first_paint() {
    let server = Server::start(site());
    let chrome = chrome();
    let tab = chrome.tab();
    let errors = watch_errors(&tab);
    set_color_scheme(&tab, "light");
    // Record data-theme the moment <body> is parsed (before anything is painted) and at
    // DOMContentLoaded.
    before_every_page(
        &tab,
        "window.__theme = {}; \
         document.addEventListener('DOMContentLoaded', () => { \
           window.__theme.ready = document.documentElement.getAttribute('data-theme'); }); \
         new MutationObserver((_, o) => { if (document.body) { \
           window.__theme.body = document.documentElement.getAttribute('data-theme'); o.disconnect(); } }) \
           .observe(document, { childList: true, subtree: true });",
    );
    open(&tab, &server.at(""));
    let background = "getComputedStyle(document.body).backgroundColor";
    let light = js_str(&tab, background);
    assert_eq!(
        js_str(
            &tab,
            "document.getElementById('theme-toggle').getAttribute('aria-pressed')"
        ),
        "false"
    );
    click(&tab, "#theme-toggle");
    assert_eq!(
        js_str(&tab, "document.documentElement.getAttribute('data-theme')"),
        "dark"
    );
    assert_eq!(
        js_str(
            &tab,
            "document.getElementById('theme-toggle').getAttribute('aria-pressed')"
        ),
        "true"
    );
    let dark = js_str(&tab, background);
    assert_ne!(light, dark, "the toggle changes the colours");

    for page in ["", "phases/junior/", "compensation/"] {
        open(&tab, &server.at(page));
        assert_eq!(
            js(&tab, "window.__theme"),
            json!({ "body": "dark", "ready": "dark" }),
            "{page}: the dark theme is set before <body> is parsed"
        );
        assert_eq!(js_str(&tab, background), dark, "{page}: dark colours");
    }
    reload(&tab);
    assert_eq!(
        js(&tab, "window.__theme"),
        json!({ "body": "dark", "ready": "dark" })
    );
    // Back to light: remembered as well, over a system preference for dark.
    set_color_scheme(&tab, "dark");
    click(&tab, "#theme-toggle");
    reload(&tab);
    assert_eq!(
        js(&tab, "window.__theme"),
        json!({ "body": "light", "ready": "light" })
    );
    assert_eq!(
        js_str(&tab, background),
        light,
        "light colours over a dark system preference"
    );
    assert_no_errors(&errors);
}

// ------------------------------------------------------------------------------------------------
// The ladder compare view and self-links

/// The names and "what unlocks" texts of the two cards the compare view shows.
fn compared(tab: &Tab) -> Value {
    js(
        tab,
        "[...document.querySelectorAll('#compare-out .card')].map(c => \
           [c.querySelector('h3').textContent, c.querySelectorAll('dd')[1].textContent])",
    )
}

#[test]
#[ignore = "needs Chromium"]
fn the_compare_view_puts_any_two_levels_side_by_side() {
    let server = Server::start(site());
    let chrome = chrome();
    let tab = chrome.tab();
    let errors = watch_errors(&tab);
    set_viewport(&tab, 1024, 900);
    open(&tab, &server.at(""));
    let ladder = data("ladder");
    let levels = array(&ladder, "levels");
    let card = |i: usize| json!([string(levels[i], "name"), string(levels[i], "unlocks")]);
    assert!(js_bool(&tab, "!document.getElementById('compare').hidden"));
    assert_eq!(
        compared(&tab),
        json!([card(0), card(1)]),
        "the first two levels"
    );
    // Choose the last level (Principal) against the fourth, as a reader would with the keyboard.
    let choose = |select: &str, index: usize| {
        js(
            &tab,
            &format!(
                "(() => {{ const s = document.getElementById('{select}'); s.focus(); \
                   s.selectedIndex = {index}; s.dispatchEvent(new Event('change', {{ bubbles: true }})); }})()"
            ),
        );
    };
    choose("compare-a", levels.len() - 1);
    choose("compare-b", 3);
    assert_eq!(compared(&tab), json!([card(levels.len() - 1), card(3)]));
    // The cards sit side by side on a desk-sized screen.
    assert!(js_bool(
        &tab,
        "(() => { const [a, b] = document.querySelectorAll('#compare-out .card'); \
           return a.getBoundingClientRect().top === b.getBoundingClientRect().top; })()"
    ));
    // The full table is still there for every level.
    assert_eq!(
        js(
            &tab,
            "document.querySelectorAll('table.ladder tbody tr').length"
        ),
        json!(levels.len())
    );
    assert_no_errors(&errors);
}

#[test]
#[ignore = "needs Chromium"]
fn a_focused_heading_shows_its_self_link_mark_and_links_to_itself() {
    let server = Server::start(site());
    let chrome = chrome();
    let tab = chrome.tab();
    open(&tab, &server.at("roadblocks/"));
    let link = "document.querySelector('h2[id] > a[href^=\"#\"]')";
    let mark = format!("getComputedStyle({link}, '::after')");
    assert!(js_str(&tab, &format!("{mark}.content")).contains('#'));
    js(&tab, &format!("{link}.focus()"));
    assert_eq!(
        js_str(&tab, &format!("{mark}.opacity")),
        "1",
        "shown on focus"
    );
    click(&tab, "h2[id] > a[href^=\"#\"]");
    assert_eq!(
        js_str(&tab, "location.hash"),
        js_str(&tab, &format!("'#' + {link}.parentElement.id"))
    );
    // A checklist item's "#" is a link with a name of its own.
    open(&tab, &server.at("phases/junior/"));
    let item = "document.querySelector('li[id^=\"item-\"] > a.self-link')";
    assert_eq!(
        js_str(&tab, &format!("{item}.getAttribute('href')")),
        js_str(&tab, &format!("'#' + {item}.parentElement.id"))
    );
    assert_eq!(
        js_str(&tab, &format!("{item}.getAttribute('aria-label')")),
        "Link to this item"
    );
}

#[test]
#[ignore = "needs Chromium"]
fn the_print_stylesheet_hides_navigation_shows_link_targets_and_keeps_ticks() {
    let server = Server::start(site());
    let chrome = chrome();
    let tab = chrome.tab();
    let style = |selector: &str, pseudo: &str, property: &str| {
        js_str(
            &tab,
            &format!(
                "getComputedStyle(document.querySelector({}), {}).{property}",
                serde_json::to_string(selector).expect("JSON"),
                serde_json::to_string(pseudo).expect("JSON"),
            ),
        )
    };
    // Printed in dark mode too: print colours are always black on white.
    set_color_scheme(&tab, "dark");
    open(&tab, &server.at("phases/junior/"));
    let first = &checklist_ids(0)[0];
    tick(&tab, first);
    emulate_media(&tab, "print", "dark");
    for hidden in [
        ".site-nav",
        ".breadcrumbs",
        "#theme-toggle",
        ".toc",
        ".pager",
        "[data-reset]",
    ] {
        assert_eq!(
            style(hidden, "", "display"),
            "none",
            "{hidden} is not printed"
        );
    }
    // The reader's ticks print as ticked boxes.
    let checkbox = format!("#check-{first}");
    assert_ne!(style(&checkbox, "", "display"), "none");
    assert!(js_bool(
        &tab,
        &format!("document.querySelector('{checkbox}').checked")
    ));
    assert_eq!(
        style("table", "", "breakInside"),
        "avoid",
        "tables are not split"
    );
    assert_eq!(
        style("h2[id] > a", "::after", "content"),
        "none",
        "no '#' marks"
    );
    assert_eq!(style("body", "", "backgroundColor"), "rgb(255, 255, 255)");
    assert_eq!(style("body", "", "color"), "rgb(0, 0, 0)");
    // Links to other sites print their address.
    open(&tab, &server.at("resources/"));
    assert!(
        style("a[href^='https://sre.google']", "::after", "content")
            .contains("https://sre.google/"),
        "a printed link shows where it goes"
    );
    // The whole guide starts each part on a new page.
    open(&tab, &server.at("guide/"));
    assert_eq!(style(".guide-part", "", "breakBefore"), "page");
    emulate_media(&tab, "", "light");
}

// ------------------------------------------------------------------------------------------------
// Accessibility, checked by axe-core (the engine behind Lighthouse's accessibility audit)

#[test]
#[ignore = "needs Chromium and axe-core (AXE_JS)"]
fn every_page_passes_axe_wcag_a_and_aa_rules_in_light_and_dark() {
    let path = std::env::var("AXE_JS")
        .expect("AXE_JS must name axe.min.js (bash .ci/run installs axe-core from npm)");
    let axe = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path}: {e}"));
    let files = site();
    let mut urls: Vec<String> = files
        .keys()
        .filter(|p| p.ends_with(".html"))
        .map(|p| p.strip_suffix("index.html").unwrap_or(p).to_string())
        .collect();
    // The quiz with a result shown, and with unanswered questions pointed out.
    urls.push(format!("{QUIZ}#a=yynyn"));
    urls.push(format!("{QUIZ}#a=y-n--"));
    let server = Server::start(files);
    let chrome = chrome();
    // One scheme after the other, for the reason given in the 320 px test.
    let violations: Vec<String> = ["light", "dark"]
        .into_iter()
        .flat_map(|scheme| axe_violations(&chrome, &server, &urls, &axe, scheme))
        .collect();
    assert!(
        violations.is_empty(),
        "WCAG A/AA violations:\n{}",
        violations.join("\n")
    );
}

/// What axe-core finds on each of `urls` in the `scheme` colour scheme.
fn axe_violations(
    chrome: &Chrome,
    server: &Server,
    urls: &[String],
    axe: &str,
    scheme: &str,
) -> Vec<String> {
    let tab = chrome.tab();
    set_color_scheme(&tab, scheme);
    before_every_page(&tab, axe);
    let mut violations = Vec::new();
    for url in urls {
        open(&tab, &server.at(url));
        js(
            &tab,
            "(() => { const s = document.querySelector('#quiz button[type=submit]'); \
             if (s && location.hash.includes('-')) s.click(); return true; })()",
        );
        let found = tab
            .evaluate(
                "axe.run(document, { resultTypes: ['violations'], runOnly: { type: 'tag', values: \
                 ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } }) \
                 .then(r => JSON.stringify(r.violations.map(v => v.id + ': ' + \
                 v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))))",
                true,
            )
            .unwrap_or_else(|e| panic!("axe.run on {url}: {e}"));
        let text = found
            .value
            .as_ref()
            .and_then(|v| v.as_str())
            .unwrap_or("[]");
        let list: Vec<String> = serde_json::from_str(text).expect("axe's violations as JSON");
        violations.extend(list.into_iter().map(|v| format!("{url} ({scheme}): {v}")));
    }
    violations
}
