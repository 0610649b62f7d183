//! The guide in a real browser: Debian's Chromium (headless, never downloaded) driven over the
//! DevTools protocol against the built site, served from memory over loopback HTTP by a small
//! server here. Covers what only a browser can show: the quiz's routing, URL state and keyboard use
//! (`quiz`), the checklists' saved progress (`checklists`), layout at 320 px, the colour schemes,
//! print styles, the compare view and self-links (`layout`), and axe-core's WCAG rules (`axe`).
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

mod axe;
mod checklists;
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
mod urls;

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
    let path = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
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
    let mut response = tiny_http::Response::from_data(body)
        .with_status_code(status)
        .with_header(
            tiny_http::Header::from_bytes("Content-Type", mime.essence_str())
                .expect("a valid header"),
        )
        .with_header(
            tiny_http::Header::from_bytes("Cache-Control", "no-store").expect("a valid header"),
        );
    // A site built with `[publish] headers = true` is served as its host would: with `_headers`.
    for (name, value) in csp::site_wide_headers(files) {
        response.add_header(tiny_http::Header::from_bytes(name, value).expect("a valid header"));
    }
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
        // A page between documents (a reload, Back) reads as "not yet", not as a failure: its
        // script may throw, or DevTools may say the page it asked navigated away.
        let probe =
            format!("(() => {{ try {{ return !!({expr}); }} catch (e) {{ return false; }} }})()");
        let answer = tab.evaluate(&probe, false).ok().and_then(|r| r.value);
        if answer == Some(Value::Bool(true)) {
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
    let point = loop {
        let point = js(
            tab,
            &format!(
                "(() => {{ const e = document.querySelector({selector_json}); if (!e) return null; \
                   e.scrollIntoView({{ block: 'center', inline: 'center', behavior: 'instant' }}); \
                   const r = e.{rect}; \
                   return r && r.width && r.height ? [r.left + r.width / 2, r.top + r.height / 2] : null; }})()"
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
    let method: Emulation::SetEmulatedMedia =
        serde_json::from_value(json!({ "media": media, "features": features }))
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
