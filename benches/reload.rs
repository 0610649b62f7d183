//! Reload latency of `sre-guide serve`: the time from writing a page's Markdown to the `reload`
//! event reaching an open live-reload stream, and to the edited page being served (watcher
//! debounce, rebuild and publish included). Sites, each copied or generated into a temp dir:
//! this repository's guide, and the generated sites of `benches/build/corpus.rs` (1,000 and
//! 10,000 pages; `SRE_GUIDE_BENCH_SIZES` picks others), where `hugo server` (when installed) is
//! timed on the same edits, interleaved with ours, each edit starting with both servers idle.
//! Also `serve`'s RSS (with its build process) after start, after the timed edits and after
//! `SRE_GUIDE_RELOAD_SAVES` more saves (default 50), beside `build`'s peak. Run with `cargo bench --bench reload`; `SRE_GUIDE_RELOAD_RUNS` sets the
//! number of timed edits per site (default 21; 15 from 10,000 pages). Prints medians and spreads.
//! Before the edits, cold start to the first page: from starting the server to the edited page's
//! first answer, beside `hugo server`'s.
//! Then, where `wrk` is installed, keep-alive throughput and median latency of one page
//! (`wrk -t2 -c32 -d10s`) in a minimal shell and with the benchmark's theme, and the same from
//! `hugo server` where Hugo is installed.

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::{Duration, Instant};

#[path = "build/corpus.rs"]
mod corpus;

const EVENT_TIMEOUT: Duration = Duration::from_secs(60);

fn main() {
    let runs: Option<usize> = std::env::var("SRE_GUIDE_RELOAD_RUNS")
        .ok()
        .and_then(|v| v.parse().ok());
    let saves: usize = std::env::var("SRE_GUIDE_RELOAD_SAVES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50);
    let sizes: Vec<usize> = std::env::var("SRE_GUIDE_BENCH_SIZES")
        .ok()
        .map(|v| v.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1_000, 10_000]);
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let hugo = installed("hugo");
    if !hugo {
        println!("hugo server: not installed (apt-get install hugo) — not measured");
    }

    let guide = tempfile::tempdir().expect("temp dir");
    for folder in ["content", "themes"] {
        copy_tree(&repo.join(folder), &guide.path().join(folder));
    }
    let mut server = Server::start(guide.path());
    let guide_ms = measure(
        &mut server,
        guide.path(),
        "content/faq.md",
        "faq/",
        runs.unwrap_or(21),
    );
    server.stop();
    report("the guide", &guide_ms.event);

    let mut keep_alive_site = None;
    for pages in sizes {
        let site = tempfile::tempdir().expect("temp dir");
        let corpus = corpus::generate(site.path(), pages);
        println!(
            "{pages} generated pages: {} sections, ~{} words a page, {} MB of Markdown",
            corpus.sections,
            corpus.words_per_page,
            corpus.markdown_bytes / 1_000_000
        );
        bench_size(
            site.path(),
            pages,
            runs.unwrap_or(if pages >= 10_000 { 15 } else { 21 }),
            saves,
            hugo,
        );
        if keep_alive_site.is_none() {
            keep_alive_site = Some((site, pages));
        }
    }

    let Some((generated, pages)) = keep_alive_site else {
        return;
    };
    if !installed("wrk") {
        println!("keep-alive: wrk not installed (apt-get install wrk) — not measured");
        return;
    }
    // One page two ways: in a minimal shell (the lean theme, and Hugo's equal layout), and
    // with the benchmark's theme (its 1,000 sibling links: ~100 KB), each server on its own.
    let page = middle_page(pages);
    let lean_page = fs::metadata(
        generated
            .path()
            .join("lean/content")
            .join(format!("{page}.md")),
    )
    .map_or(0, |meta| meta.len() / 1000);
    println!("keep-alive, one page ({page}, {lean_page} KB of Markdown), wrk -t2 -c32 -d10s:");
    let mut server = Server::start(&generated.path().join("lean"));
    let ours = wrk(&format!("http://{}/{page}/", server.address));
    server.stop();
    println!("  in a minimal shell, sre-guide serve:            {ours}");
    if hugo {
        let hugo = hugo_keep_alive(generated.path(), &page);
        println!("  in a minimal shell, hugo server:                {hugo}");
    }
    let mut server = Server::start(generated.path());
    let ours = wrk(&format!("http://{}/{page}/", server.address));
    server.stop();
    println!("  with the benchmark's theme, sre-guide serve:    {ours}");
    if hugo {
        let mut hugo = HugoServer::start(&generated.path().join("hugo"));
        let theirs = wrk(&format!("http://{}/{page}/", hugo.address));
        hugo.stop();
        println!("  with the benchmark's theme, hugo server:        {theirs}");
    }
}

/// The page edited at `pages` pages, as its route: `s05/p00500`.
fn middle_page(pages: usize) -> String {
    let page = pages / 2;
    let sections = 10.max(pages.div_ceil(1_000));
    format!("s{:02}/p{page:05}", page * sections / pages)
}

/// Edits of one page of a generated site, timed with `serve` and `hugo server` in turns, then
/// `serve`'s memory over more saves.
fn bench_size(site: &Path, pages: usize, runs: usize, saves: usize, hugo: bool) {
    let page = middle_page(pages);
    let source = format!("content/{page}.md");
    assert!(site.join(&source).is_file(), "{source} was generated");
    let build_peak = build_peak_mb(site);
    cold_starts(site, &page, hugo);
    let mut server = Server::start(site);
    let started_rss = server.rss_mb();
    let mut hugo_server = hugo.then(|| HugoServer::start(&site.join("hugo")));
    let mut ours = Timings::default();
    let mut theirs = Vec::new();
    // Each edit starts with both servers idle: neither still finishing the other's last edit
    // (Hugo goes on rendering and collecting garbage after it serves the page).
    let mut pids = vec![server.child.id()];
    pids.extend(hugo_server.as_ref().map(|hugo| hugo.child.id()));
    for run in 0..runs {
        // Turns alternate which server goes first, so a noisy moment hits both alike.
        let hugo_first = run % 2 == 1;
        if hugo_first && let Some(hugo) = &hugo_server {
            wait_idle(&pids);
            theirs.push(hugo.edit(&site.join("hugo").join(&source), &page, run));
        }
        wait_idle(&pids);
        let timed = measure(&mut server, site, &source, &format!("{page}/"), 1);
        ours.event.extend(timed.event);
        ours.served.extend(timed.served);
        if !hugo_first && let Some(hugo) = &hugo_server {
            wait_idle(&pids);
            theirs.push(hugo.edit(&site.join("hugo").join(&source), &page, run));
        }
    }
    let edited_rss = server.rss_mb();
    // More saves, each waited for: memory must stay flat, not grow with the number of builds.
    let path = site.join(&source);
    let original = fs::read_to_string(&path).expect("read the page");
    for save in 0..saves {
        fs::write(&path, format!("{original}\nSave {save}.\n")).expect("save");
        server.wait_verdict();
    }
    let saved_rss = server.rss_mb();
    server.stop();
    if let Some(hugo) = &mut hugo_server {
        hugo.stop();
    }
    let label = format!("{pages} generated pages");
    report(&format!("{label}, reload event"), &ours.event);
    report(&format!("{label}, edited page served"), &ours.served);
    if !theirs.is_empty() {
        report(
            &format!("{label}, hugo server, edited page served"),
            &theirs,
        );
        let ratio = median(&ours.served) / median(&theirs);
        println!("  sre-guide ÷ hugo server (edited page served, medians): {ratio:.2}");
    }
    println!(
        "  serve's RSS with its build process: {started_rss} MB after start, {edited_rss} MB after \
         {runs} edits, {saved_rss} MB after {saves} more saves; build's peak {build_peak}"
    );
}

/// Cold start to first page: from starting the server to the first answer of the edited page,
/// asked for every 5 ms from the start as a browser opened with the command would be: `serve`
/// 3 times (the median), `hugo server` once.
fn cold_starts(site: &Path, page: &str, hugo: bool) {
    let route = format!("{page}/");
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for run in 0..3 {
        let binary = Path::new(env!("CARGO_BIN_EXE_sre-guide"));
        let args = ["serve", "--root", &site.to_string_lossy()];
        ours.push(first_page(binary, &args, "--port", &route));
        // Once: Hugo renders the whole site before it answers, tens of seconds at 10,000 pages.
        if hugo && run == 0 {
            let hugo_site = site.join("hugo").to_string_lossy().into_owned();
            let args = ["server", "--bind", "127.0.0.1", "--source", &hugo_site];
            theirs.push(first_page(Path::new("hugo"), &args, "--port", &route));
        }
    }
    report("cold start to the first page, serve", &ours);
    if !theirs.is_empty() {
        report("cold start to the first page, hugo server", &theirs);
    }
}

/// Milliseconds from starting `program` with `args` and a free port to its first 200 answer
/// of `route`; the server is stopped after.
fn first_page(program: &Path, args: &[&str], port_flag: &str, route: &str) -> f64 {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let started = Instant::now();
    let mut child = Command::new(program)
        .args(args)
        .args([port_flag, &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the server");
    let address = format!("127.0.0.1:{port}");
    while !get(&address, route).starts_with("HTTP/1.1 200") {
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "{} never served {route}",
            program.display()
        );
        thread::sleep(Duration::from_millis(5));
    }
    let took = started.elapsed().as_secs_f64() * 1000.0;
    let _ = child.kill();
    let _ = child.wait();
    took
}

/// Waits (at most 20 s) until the processes `pids` and their children use less than 2% of a
/// core over 250 ms, from /proc.
fn wait_idle(pids: &[u32]) {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut before = cpu_ticks(pids);
    loop {
        thread::sleep(Duration::from_millis(250));
        let now = cpu_ticks(pids);
        // Clock ticks are 10 ms: at most one tick in 250 ms is idle enough.
        if now.saturating_sub(before) <= 1 || Instant::now() > deadline {
            return;
        }
        before = now;
    }
}

/// User + system clock ticks of `pids` and their direct children.
fn cpu_ticks(pids: &[u32]) -> u64 {
    let ticks = |pid: u32| {
        let stat = fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        // Fields after the command name (which may hold spaces): utime and stime are 12th and 13th.
        let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
        let fields: Vec<&str> = after.split_whitespace().collect();
        let field = |i: usize| {
            fields
                .get(i)
                .and_then(|f| f.parse::<u64>().ok())
                .unwrap_or(0)
        };
        field(11) + field(12)
    };
    pids.iter()
        .flat_map(|&pid| with_children(pid))
        .map(ticks)
        .sum()
}

/// `pid` and its direct children, from /proc (`serve`'s build process is a child of whichever
/// of its threads started it).
fn with_children(pid: u32) -> Vec<u32> {
    let mut pids = vec![pid];
    pids.extend(
        fs::read_dir(format!("/proc/{pid}/task"))
            .into_iter()
            .flatten()
            .filter_map(|task| fs::read_to_string(task.ok()?.path().join("children")).ok())
            .flat_map(|list| {
                list.split_whitespace()
                    .filter_map(|child| child.parse().ok())
                    .collect::<Vec<u32>>()
            }),
    );
    pids
}

/// `build`'s peak RSS on the site, from `/usr/bin/time -v` when installed.
fn build_peak_mb(site: &Path) -> String {
    let output = site.join("bench-output");
    let time = Path::new("/usr/bin/time");
    let mut command = if time.exists() {
        let mut c = Command::new(time);
        c.arg("-v").arg(env!("CARGO_BIN_EXE_sre-guide"));
        c
    } else {
        Command::new(env!("CARGO_BIN_EXE_sre-guide"))
    };
    let result = command
        .args(["build", "--root"])
        .arg(site)
        .arg("--output")
        .arg(&output)
        .stdout(Stdio::null())
        .output()
        .expect("run build");
    assert!(result.status.success(), "build failed");
    let _ = fs::remove_dir_all(&output);
    String::from_utf8_lossy(&result.stderr)
        .lines()
        .find_map(|line| {
            line.trim()
                .strip_prefix("Maximum resident set size (kbytes): ")
        })
        .and_then(|kb| kb.trim().parse::<u64>().ok())
        .map_or_else(
            || "not measured (apt-get install time)".into(),
            |kb| format!("{} MB", kb / 1024),
        )
}

/// Whether `program` runs at all (both print their version for `--version`).
fn installed(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

/// `wrk -t2 -c32 -d10s` on one URL, with keep-alive: requests per second and median latency.
fn wrk(url: &str) -> String {
    let output = Command::new("wrk")
        .args(["-t2", "-c32", "-d10s", "--latency", url])
        .output()
        .expect("run wrk");
    let text = String::from_utf8_lossy(&output.stdout);
    let field = |prefix: &str| {
        text.lines()
            .map(str::trim)
            .find_map(|line| line.strip_prefix(prefix))
            .map_or("?", str::trim)
            .to_string()
    };
    let errors = if text.contains("Non-2xx") || text.contains("Socket errors") {
        " (with errors!)"
    } else {
        ""
    };
    format!(
        "{} req/s, p50 {}{errors}",
        field("Requests/sec:"),
        field("50%")
    )
}

/// The same page from `hugo server` (rendering to memory, live reload on, as ours): the page's
/// Markdown under a layout like the lean theme's shell.
fn hugo_keep_alive(generated: &Path, page: &str) -> String {
    let site = tempfile::tempdir().expect("temp dir");
    let root = site.path();
    let source = format!("content/{page}.md");
    fs::create_dir_all(root.join(&source).parent().expect("a folder")).expect("mkdir");
    fs::create_dir_all(root.join("layouts/_default")).expect("mkdir");
    fs::copy(generated.join(&source), root.join(&source)).expect("copy the page");
    fs::write(
        root.join("hugo.toml"),
        "baseURL = \"https://example.org/\"\ntitle = \"Generated\"\n",
    )
    .expect("write hugo.toml");
    let layout = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
                  <title>{{ .Title }} · {{ site.Title }}</title>\n\
                  <meta name=\"description\" content=\"{{ .Description }}\">\n</head>\n<body>\n\
                  <main>\n<h1>{{ .Title }}</h1>\n{{ .Content }}\n</main>\n</body>\n</html>\n";
    for name in ["single.html", "list.html"] {
        fs::write(root.join("layouts/_default").join(name), layout).expect("write a layout");
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let mut child = Command::new("hugo")
        .args(["server", "--bind", "127.0.0.1", "--port", &port.to_string()])
        .arg("--source")
        .arg(root)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start hugo server");
    let url = format!("http://127.0.0.1:{port}/{page}/");
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "hugo server did not start"
        );
        thread::sleep(Duration::from_millis(100));
    }
    let result = wrk(&url);
    let _ = child.kill();
    let _ = child.wait();
    result
}

fn median(samples: &[f64]) -> f64 {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[sorted.len() / 2]
}

fn report(what: &str, samples: &[f64]) {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let at = |q: f64| sorted[((sorted.len() - 1) as f64 * q).round() as usize];
    println!(
        "{what}: median {:.1} ms (min {:.1}, p90 {:.1}, max {:.1}; {} runs)",
        at(0.5),
        at(0.0),
        at(0.9),
        at(1.0),
        sorted.len()
    );
}

#[derive(Default)]
struct Timings {
    /// Save → `reload` event on an open stream, ms.
    event: Vec<f64>,
    /// Save → the page served with the edit, ms.
    served: Vec<f64>,
}

/// Times `runs` edits of `page` on a running `serve`: to the reload event, and to the edited
/// page being served at `route`. Each edit waits for the build's verdict before the next.
fn measure(server: &mut Server, root: &Path, page: &str, route: &str, runs: usize) -> Timings {
    let events = server.events();
    let path = root.join(page);
    let original = fs::read_to_string(&path).expect("read the page");
    let mut timings = Timings::default();
    for _ in 0..runs {
        thread::sleep(Duration::from_millis(150));
        while events.try_recv().is_ok() {}
        server.edits += 1;
        let marker = format!("Edit number {} for the reload benchmark.", server.edits);
        let started = Instant::now();
        fs::write(&path, format!("{original}\n{marker}\n")).expect("edit the page");
        let mut event = None;
        let mut served = None;
        while event.is_none() || served.is_none() {
            assert!(
                started.elapsed() < EVENT_TIMEOUT,
                "no reload within {EVENT_TIMEOUT:?}"
            );
            if event.is_none() && events.try_recv().is_ok_and(|name| name == "reload") {
                event = Some(started.elapsed());
            }
            if served.is_none() && get(&server.address, route).contains(&marker) {
                served = Some(started.elapsed());
            }
            thread::sleep(Duration::from_millis(2));
        }
        let ms = |d: Option<Duration>| d.map_or(0.0, |d| d.as_secs_f64() * 1000.0);
        timings.event.push(ms(event));
        timings.served.push(ms(served));
        server.wait_verdict();
    }
    fs::write(&path, original).expect("restore the page");
    server.wait_verdict();
    timings
}

/// A GET of `route` on `address`, the body as text (empty on any failure).
fn get(address: &str, route: &str) -> String {
    let Ok(mut stream) = TcpStream::connect(address) else {
        return String::new();
    };
    let request = format!("GET /{route} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
    let mut body = Vec::new();
    if stream.write_all(request.as_bytes()).is_err() || stream.read_to_end(&mut body).is_err() {
        return String::new();
    }
    String::from_utf8_lossy(&body).into_owned()
}

/// `hugo server` on the corpus's Hugo copy (rendering to memory, fast render mode: its default).
struct HugoServer {
    child: Child,
    address: String,
}

impl HugoServer {
    fn start(site: &Path) -> HugoServer {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new("hugo")
            .args(["server", "--bind", "127.0.0.1", "--port", &port.to_string()])
            .arg("--source")
            .arg(site)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start hugo server");
        let address = format!("127.0.0.1:{port}");
        let started = Instant::now();
        while get(&address, "").is_empty() {
            assert!(
                started.elapsed() < Duration::from_secs(600),
                "hugo server did not start"
            );
            thread::sleep(Duration::from_millis(100));
        }
        HugoServer { child, address }
    }

    /// Times one edit of `source` until `route` serves it.
    fn edit(&self, source: &Path, route: &str, run: usize) -> f64 {
        let route = format!("{route}/");
        // Hugo's fast render mode re-renders the pages browsers asked for: ask first.
        get(&self.address, &route);
        let original = fs::read_to_string(source).expect("read the page");
        let marker = format!("Hugo edit number {run} for the reload benchmark.");
        let started = Instant::now();
        fs::write(source, format!("{original}\n{marker}\n")).expect("edit the page");
        while !get(&self.address, &route).contains(&marker) {
            assert!(
                started.elapsed() < EVENT_TIMEOUT,
                "hugo never served the edit"
            );
            thread::sleep(Duration::from_millis(2));
        }
        let took = started.elapsed().as_secs_f64() * 1000.0;
        // Let its rebuild settle before the other server's turn.
        thread::sleep(Duration::from_millis(300));
        fs::write(source, original).expect("restore the page");
        thread::sleep(Duration::from_millis(600));
        took
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Server {
    child: Child,
    address: String,
    lines: Receiver<String>,
    edits: usize,
}

impl Server {
    fn start(root: &Path) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_sre-guide"))
            .args(["serve", "--port", "0", "--root"])
            .arg(root)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start sre-guide serve");
        let stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        let (send, lines) = mpsc::channel();
        thread::spawn(move || {
            for line in stdout.lines().map_while(Result::ok) {
                let _ = send.send(line);
            }
        });
        let address = loop {
            let line = lines
                .recv_timeout(Duration::from_secs(60))
                .expect("serve printed its address");
            if let Some(rest) = line.strip_prefix("serving http://") {
                break rest.split('/').next().expect("an address").to_string();
            }
        };
        Server {
            child,
            address,
            lines,
            edits: 0,
        }
    }

    /// Waits for the line `serve` prints when a build is done (its verdict).
    fn wait_verdict(&self) {
        loop {
            let line = self
                .lines
                .recv_timeout(EVENT_TIMEOUT)
                .expect("serve printed the build's verdict");
            if line.starts_with("rebuilt") || line.starts_with("build failed") {
                return;
            }
        }
    }

    /// Resident memory of `serve` and its build process, MB (from /proc).
    fn rss_mb(&self) -> u64 {
        let rss_kb = |pid: u32| {
            fs::read_to_string(format!("/proc/{pid}/status"))
                .ok()
                .and_then(|status| {
                    let line = status
                        .lines()
                        .find(|l| l.starts_with("VmRSS:"))?
                        .to_string();
                    line.split_whitespace().nth(1)?.parse::<u64>().ok()
                })
                .unwrap_or(0)
        };
        with_children(self.child.id())
            .into_iter()
            .map(rss_kb)
            .sum::<u64>()
            / 1024
    }

    /// The names of the events arriving on a fresh live-reload stream (a WebSocket).
    fn events(&self) -> Receiver<String> {
        let stream = TcpStream::connect(&self.address).expect("connect");
        let url = format!("ws://{}/__sre-guide/events", self.address);
        let (mut socket, _) =
            tungstenite::client::client(url.as_str(), stream).expect("WebSocket handshake");
        let (send, events) = mpsc::channel();
        thread::spawn(move || {
            while let Ok(message) = socket.read() {
                if let tungstenite::Message::Text(text) = message {
                    let json: serde_json::Value =
                        serde_json::from_str(text.as_str()).expect("JSON");
                    let name = json["event"].as_str().unwrap_or_default().to_string();
                    if send.send(name).is_err() {
                        return;
                    }
                }
            }
        });
        events
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("walk");
        let target = to.join(entry.path().strip_prefix(from).expect("below the root"));
        if entry.file_type().is_dir() {
            fs::create_dir_all(&target).expect("mkdir");
        } else {
            fs::copy(entry.path(), &target).expect("copy");
        }
    }
}
