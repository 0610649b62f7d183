//! The guide offline: search from `file://`, progress links made from disk that open where the
//! guide is published, and the opt-in service worker — every page after one visit with the
//! network gone, a publish picked up on the next visit, nothing registered by default.

use std::sync::RwLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;

use super::checklists::{checklist_ids, tick};
use super::support::guide::{Files, guide_site_with, guide_with};
use super::*;

fn files_of(site: &Site) -> Files {
    site.tree("output")
        .into_iter()
        .filter(|(path, _)| !path.ends_with('/'))
        .collect()
}

const OFFLINE: &str = "[offline]\nenabled = true\n";

/// A host that can go away for good: each response closes its connection, and once stopped the
/// port refuses connections, as a network that is gone does (a kept-alive connection to the
/// harness's server would leave a request hanging instead).
struct Host {
    url: String,
    files: Arc<RwLock<Files>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Host {
    fn start(files: Files) -> Host {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        listener.set_nonblocking(true).expect("non-blocking");
        let url = format!("http://{}/", listener.local_addr().expect("an address"));
        let files = Arc::new(RwLock::new(files));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (files, stop) = (files.clone(), stop.clone());
            std::thread::spawn(move || {
                let started = Instant::now();
                while !stop.load(Ordering::Relaxed) && started.elapsed() < Duration::from_secs(300)
                {
                    match listener.accept() {
                        Ok((stream, _)) => answer(stream, &files.read().expect("files")),
                        Err(_) => std::thread::sleep(Duration::from_millis(5)),
                    }
                }
            })
        };
        Host {
            url,
            files,
            stop,
            thread: Some(thread),
        }
    }

    fn replace(&self, files: Files) {
        *self.files.write().expect("files") = files;
    }

    /// Stops answering: from now on the port refuses connections.
    fn go_away(mut self) -> String {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        self.url.clone()
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// One request: its path's file (a folder's index.html), else 404.html with status 404.
fn answer(mut stream: std::net::TcpStream, files: &Files) {
    use std::io::{BufRead, Write};
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let mut reader = std::io::BufReader::new(match stream.try_clone() {
        Ok(clone) => clone,
        Err(_) => return,
    });
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    let mut line = String::new();
    while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
        line.clear();
    }
    let target = request_line.split(' ').nth(1).unwrap_or("/");
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let mut path = percent_encoding::percent_decode_str(path)
        .decode_utf8_lossy()
        .trim_start_matches('/')
        .to_string();
    if path.is_empty() || path.ends_with('/') {
        path.push_str("index.html");
    }
    let (status, path) = if files.contains_key(&path) {
        ("200 OK", path)
    } else {
        ("404 Not Found", "404.html".to_string())
    };
    let body = files.get(&path).cloned().unwrap_or_default();
    let mime = mime_guess::from_path(&path).first_or_octet_stream();
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        mime.essence_str(),
        body.len()
    );
    let _ = stream
        .write_all(head.as_bytes())
        .and_then(|()| stream.write_all(&body));
    let _ = stream.shutdown(std::net::Shutdown::Both);
}

#[test]
#[ignore = "needs Chromium"]
fn search_for_toil_from_disk_shows_the_roadblock_and_goes_there() {
    let (id, heading) = super::search::toil_roadblock();
    let site = &support::guide::guide().site;
    let chrome = chrome();
    let tab = chrome.tab();
    let errors = watch_errors(&tab);
    open(
        &tab,
        &format!("file://{}", site.path("output/faq/index.html").display()),
    );
    super::search::slash_opens_search(&tab);
    assert!(
        js_str(&tab, "document.getElementById('search-hint').textContent").contains("Press / "),
        "the field's hint names the shortcut"
    );
    super::search::search_for(&tab, "toil");
    let first = super::search::first_result(&tab);
    assert_eq!(
        first,
        json!([format!("../roadblocks/index.html#{id}"), heading])
    );
    tab.press_key("Enter").expect("enter");
    wait_until(
        &tab,
        &format!("location.href.endsWith('/output/roadblocks/index.html#{id}')"),
        "the roadblock, from disk",
    );
    assert_no_errors(&errors);
}

#[test]
#[ignore = "needs Chromium"]
fn a_progress_link_made_from_disk_opens_where_the_guide_is_published() {
    let site = &support::guide::guide().site;
    let chrome = chrome();
    let tab = chrome.tab();
    let ids = checklist_ids(0);
    open(
        &tab,
        &format!(
            "file://{}",
            site.path("output/phases/junior/index.html").display()
        ),
    );
    wait_until(
        &tab,
        "!document.querySelector('[data-tools]').hidden",
        "the checklist tools",
    );
    tick(&tab, &ids[1]);
    click(&tab, "details.transfer summary");
    click(&tab, "button[data-export]");
    let link = js_str(&tab, "document.querySelector('[data-code]').value");
    let config: toml::Table = toml::from_str(&site.read("content/site.toml")).expect("site.toml");
    let base_url = string(&config, "base_url").to_string();
    assert_eq!(
        link,
        format!("{base_url}phases/junior/#progress={}", ids[1]),
        "a link another device can open"
    );
}

/// The service worker's answer to "status" in this page: {version, stored, files}.
fn worker_status(tab: &Tab) -> Value {
    let answer = tab
        .evaluate(
            "new Promise(done => { const sw = navigator.serviceWorker; \
               if (!sw.controller) return done('null'); \
               sw.addEventListener('message', e => done(JSON.stringify(e.data)), { once: true }); \
               sw.controller.postMessage('status'); })",
            true,
        )
        .expect("ask the worker");
    serde_json::from_str(
        answer
            .value
            .as_ref()
            .and_then(|v| v.as_str())
            .unwrap_or("null"),
    )
    .expect("JSON")
}

/// The files the worker stores, as its list names them.
fn worker_files(files: &Files) -> Vec<String> {
    let worker = String::from_utf8_lossy(&files["sw.js"]).into_owned();
    let list = worker
        .split_once("const FILES = ")
        .and_then(|(_, rest)| rest.split_once(";\n"))
        .map(|(list, _)| list)
        .expect("the list of files");
    serde_json::from_str(list).expect("a JSON list")
}

fn version_of(files: &Files) -> String {
    let worker = String::from_utf8_lossy(&files["sw.js"]).into_owned();
    let start = worker.find("const VERSION = \"").expect("a version") + 17;
    worker[start..start + 16].to_string()
}

/// Every page's path below the root and its title, from the files.
fn pages_and_titles(files: &Files) -> Vec<(String, String)> {
    files
        .iter()
        .filter(|(path, _)| path.ends_with(".html"))
        .map(|(path, bytes)| {
            let html = String::from_utf8_lossy(bytes);
            let title = html
                .split_once("<title>")
                .and_then(|(_, rest)| rest.split_once("</title>"))
                .map(|(title, _)| title.replace("&amp;", "&"))
                .expect("a title");
            (path.clone(), title)
        })
        .collect()
}

#[test]
#[ignore = "needs Chromium"]
fn with_the_service_worker_on_every_page_opens_with_the_network_gone_after_one_visit() {
    let files = guide_with(OFFLINE).files.clone();
    let pages = pages_and_titles(&files);
    assert!(pages.len() > 12, "{pages:?}");
    let server = Host::start(files.clone());
    let chrome = chrome();
    let tab = chrome.tab();
    let errors = watch_errors(&tab);
    open(&tab, &format!("{}phases/", server.url));
    wait_until(
        &tab,
        "document.querySelector('[data-offline-status]').textContent.startsWith('Ready offline')",
        "ready offline",
    );
    // Exactly the build's files: every file it wrote but the worker itself (the output folder's
    // own marker is no file of the site).
    let expected: Vec<String> = files
        .keys()
        .filter(|path| *path != "sw.js" && !path.starts_with('.'))
        .cloned()
        .collect();
    assert_eq!(worker_files(&files), expected);
    assert_eq!(
        worker_status(&tab),
        json!({ "version": version_of(&files), "stored": expected.len(), "files": expected.len() })
    );
    let url = server.go_away();
    for (path, title) in &pages {
        let at = path.strip_suffix("index.html").unwrap_or(path);
        open(&tab, &format!("{url}{at}"));
        let seen = js(
            &tab,
            "({ title: document.title, styled: getComputedStyle(document.querySelector('.site-header')).borderBottomStyle, \
                scripts: document.documentElement.classList.contains('js') })",
        );
        assert_eq!(
            seen,
            json!({ "title": title, "styled": "solid", "scripts": true }),
            "{at} without a network"
        );
    }
    // A page that never existed gets the site's 404 page, from the store too.
    open(&tab, &format!("{url}no/such/page/"));
    assert!(js_str(&tab, "document.title").starts_with("Page not found"));
    assert_no_errors(&errors);
}

#[test]
#[ignore = "needs Chromium"]
fn a_publish_reaches_the_stored_guide_within_a_few_visits() {
    let before = guide_with(OFFLINE).files.clone();
    let changed = guide_site_with(OFFLINE);
    let faq = changed.read("content/faq.md") + "\nA sentence only the second publish has.\n";
    let changed = changed.file("content/faq.md", faq);
    changed.run(["build"]).code(0);
    let after = files_of(&changed);
    assert_ne!(version_of(&before), version_of(&after));

    let server = Host::start(before);
    let chrome = chrome();
    let tab = chrome.tab();
    open(&tab, &server.url);
    wait_until(
        &tab,
        "document.querySelector('[data-offline-status]').textContent.startsWith('Ready offline')",
        "ready offline",
    );
    server.replace(after.clone());
    // The next visit: the browser sees a new worker, which stores the new files and takes over.
    open(&tab, &format!("{}roadblocks/", server.url));
    // Storing a whole build on a busy machine takes longer than one of the usual waits. The new
    // worker does not always take over after the first visit (about one run in three, idle as
    // well as busy, it needed one or two more): a reader's later visits, one every 10 s.
    let started = Instant::now();
    let mut visited = Instant::now();
    while worker_status(&tab)["version"] != json!(version_of(&after)) {
        assert!(
            started.elapsed() < 3 * WAIT,
            "the new worker never took over"
        );
        if visited.elapsed() > Duration::from_secs(10) {
            open(&tab, &format!("{}roadblocks/", server.url));
            visited = Instant::now();
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let url = server.go_away();
    open(&tab, &format!("{url}faq/"));
    assert!(
        js_str(&tab, "document.querySelector('main').innerText")
            .contains("A sentence only the second publish has."),
        "the stored FAQ is the second publish's"
    );
}

#[test]
#[ignore = "needs Chromium"]
fn without_offline_enabled_no_worker_is_published_or_registered() {
    let files = output();
    assert!(!files.contains_key("sw.js"));
    assert!(!files.keys().any(|p| p.starts_with("static/offline.")
        && files.iter().any(|(page, html)| page.ends_with(".html")
            && String::from_utf8_lossy(html).contains(p.as_str()))));
    let server = guide();
    let chrome = chrome();
    let tab = chrome.tab();
    open(&tab, &server.at(""));
    let registrations = tab
        .evaluate(
            "navigator.serviceWorker.getRegistrations().then(r => r.length)",
            true,
        )
        .expect("ask for registrations");
    assert_eq!(registrations.value, Some(json!(0)));
    assert!(!js_bool(
        &tab,
        "!!document.querySelector('[data-offline-status]')"
    ));
}
