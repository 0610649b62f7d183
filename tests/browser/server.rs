//! A static file server over loopback, serving a built site from memory as a host would (with the
//! headers of its `_headers`, when it has one). [`guide`] is the one server over the guide that
//! every test which only reads it shares; [`Server::start`] is a private one, for a test that
//! swaps the files it serves or serves a site of its own.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock, RwLock};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::support::guide::{Files, HEADERS, guide_with, output};

/// Requests are answered by this many threads, so tests side by side never queue behind each
/// other.
const WORKERS: usize = 4;

/// Serves files at `http://127.0.0.1:<port>/`; a private one stops when dropped.
pub struct Server {
    pub url: String,
    files: Arc<RwLock<Files>>,
    stop: Arc<AtomicBool>,
    workers: Vec<JoinHandle<()>>,
}

/// The guide as built, served for the whole run.
pub fn guide() -> &'static Server {
    static GUIDE: OnceLock<Server> = OnceLock::new();
    GUIDE.get_or_init(|| Server::start(output().clone()))
}

/// The guide built with `[publish] headers = true`, served with its `_headers` for the whole run.
pub fn guide_with_headers() -> &'static Server {
    static GUIDE: OnceLock<Server> = OnceLock::new();
    GUIDE.get_or_init(|| Server::start(headers_files().clone()))
}

/// The files of the guide built with `[publish] headers = true`.
pub fn headers_files() -> &'static Files {
    let built = guide_with(HEADERS);
    built.build.clone().code(0);
    &built.files
}

impl Server {
    pub fn start(files: Files) -> Server {
        let http = Arc::new(tiny_http::Server::http("127.0.0.1:0").expect("bind 127.0.0.1:0"));
        let port = http.server_addr().to_ip().expect("an IP listener").port();
        let files = Arc::new(RwLock::new(files));
        let stop = Arc::new(AtomicBool::new(false));
        let mut workers: Vec<JoinHandle<()>> = (0..WORKERS)
            .map(|_| {
                let (http, files, stop) = (http.clone(), files.clone(), stop.clone());
                std::thread::spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        match http.recv_timeout(Duration::from_millis(50)) {
                            Ok(Some(request)) => {
                                respond(request, &files.read().expect("files"), port)
                            }
                            Ok(None) => {}
                            Err(_) => break,
                        }
                    }
                })
            })
            .collect();
        workers.push(nudge_connections(port, stop.clone()));
        Server {
            url: format!("http://127.0.0.1:{port}/"),
            files,
            stop,
            workers,
        }
    }

    /// The URL of a path below the site root (`phases/junior/`).
    pub fn at(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    /// Serves `files` from now on: same origin, new output, as after a rebuild.
    pub fn replace(&self, files: Files) {
        *self.files.write().expect("files") = files;
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
    }
}

/// Connects to the server and hangs up at once, every 100 ms until `stop`.
///
/// tiny_http 0.12 reads each connection on a thread of its pool, for as long as the browser keeps
/// the connection open, and can lose the wake-up of a new connection: when more connections
/// arrive together than threads wait (a page opening three for its style sheets and scripts
/// beside two kept-alive ones), the last is queued with no thread told, and its request is
/// never read until another connection arrives (a page's blocking script pending for the whole
/// wait: the csp test, in 5 of 9 runs of this binary one day). Each connection made here is
/// such an arrival: it wakes an idle thread for the queue's first connection, or starts a new
/// thread that, its own empty connection done, takes the queue's next.
fn nudge_connections(port: u16, stop: Arc<AtomicBool>) -> JoinHandle<()> {
    std::thread::spawn(move || {
        while !stop.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(100));
            drop(std::net::TcpStream::connect(("127.0.0.1", port)));
        }
    })
}

/// The last requests the servers got and answered (2,000 lines, oldest first): a wait that
/// times out shows its server's.
static RECENT: std::sync::Mutex<std::collections::VecDeque<String>> =
    std::sync::Mutex::new(std::collections::VecDeque::new());

fn note(line: String) {
    let mut recent = RECENT.lock().unwrap_or_else(|e| e.into_inner());
    if recent.len() == 2000 {
        recent.pop_front();
    }
    recent.push_back(line);
}

/// What [`RECENT`] holds, one request a line.
pub fn recent_requests(text_with_url: &str) -> String {
    let port: String = text_with_url
        .split("127.0.0.1:")
        .nth(1)
        .unwrap_or("")
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let recent = RECENT.lock().unwrap_or_else(|e| e.into_inner());
    let mine: Vec<&String> = recent
        .iter()
        .filter(|line| line.starts_with(&port))
        .collect();
    mine[mine.len().saturating_sub(40)..]
        .iter()
        .map(|l| l.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

fn respond(request: tiny_http::Request, files: &Files, port: u16) {
    static START: OnceLock<std::time::Instant> = OnceLock::new();
    let start = *START.get_or_init(std::time::Instant::now);
    let (url, peer) = (request.url().to_string(), request.remote_addr().copied());
    note(format!(
        "{port} {:>8.3}s {peer:?} got {url}",
        start.elapsed().as_secs_f64()
    ));
    answer(request, files);
    note(format!(
        "{port} {:>8.3}s {peer:?} answered {url}",
        start.elapsed().as_secs_f64()
    ));
}

fn answer(request: tiny_http::Request, files: &Files) {
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
    for (name, value) in site_wide_headers(files) {
        response.add_header(tiny_http::Header::from_bytes(name, value).expect("a valid header"));
    }
    let _ = request.respond(response);
}

/// The headers `_headers` sets for every path (its `/*` rule), as a host would send them.
pub fn site_wide_headers(files: &Files) -> Vec<(String, String)> {
    let Some(text) = files.get("_headers") else {
        return Vec::new();
    };
    let text = String::from_utf8_lossy(text);
    text.split("\n/")
        .find_map(|block| block.strip_prefix("*\n"))
        .into_iter()
        .flat_map(|block| block.lines().map_while(|line| line.strip_prefix("  ")))
        .filter_map(|line| line.split_once(": "))
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect()
}
