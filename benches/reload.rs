//! Reload latency of `sre-guide serve`: the time from writing a page's Markdown to the `reload`
//! event reaching an open live-reload stream (watcher debounce, rebuild and publish included).
//! Two sites, each copied or generated into a temp dir: this repository's guide, and a generated
//! site of 1,000 pages. Run with `cargo bench --bench reload`; `SRE_GUIDE_RELOAD_RUNS` sets the
//! number of edits per site (default 21). Prints the median and the spread.
//! Then, where `wrk` is installed, keep-alive throughput and median latency of one page
//! (`wrk -t2 -c32 -d10s`), and the same page from `hugo server` where Hugo is installed.

use std::fmt::Write as _;
use std::fs;
use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::{Duration, Instant};

const EVENT_TIMEOUT: Duration = Duration::from_secs(30);

fn main() {
    let runs: usize = std::env::var("SRE_GUIDE_RELOAD_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(21);
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));

    let guide = tempfile::tempdir().expect("temp dir");
    for folder in ["content", "themes"] {
        copy_tree(&repo.join(folder), &guide.path().join(folder));
    }
    let guide_ms = measure(guide.path(), "content/faq.md", runs);
    report("the guide", 100.0, &guide_ms);

    let generated = tempfile::tempdir().expect("temp dir");
    generate(generated.path(), 1_000);
    let generated_ms = measure(generated.path(), "content/s05/p0500.md", runs);
    report("1,000 generated pages", 300.0, &generated_ms);

    if !installed("wrk") {
        println!("keep-alive: wrk not installed (apt-get install wrk) — not measured");
        return;
    }
    let mut server = Server::start(generated.path());
    let ours = wrk(&format!("http://{}/s05/p0500/", server.address));
    server.stop();
    println!("keep-alive, sre-guide serve: {ours}");
    if installed("hugo") {
        let hugo = hugo_keep_alive(generated.path());
        println!("keep-alive, hugo server:     {hugo}");
    } else {
        println!("keep-alive, hugo server: not installed (apt-get install hugo)");
    }
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
/// Markdown under a minimal layout.
fn hugo_keep_alive(generated: &Path) -> String {
    let site = tempfile::tempdir().expect("temp dir");
    let root = site.path();
    fs::create_dir_all(root.join("content/s05")).expect("mkdir");
    fs::create_dir_all(root.join("layouts/_default")).expect("mkdir");
    fs::copy(
        generated.join("content/s05/p0500.md"),
        root.join("content/s05/p0500.md"),
    )
    .expect("copy the page");
    fs::write(
        root.join("hugo.toml"),
        "baseURL = \"https://example.org/\"\ntitle = \"Generated\"\n",
    )
    .expect("write hugo.toml");
    let layout = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
                  <title>{{ .Title }}</title></head><body><main>{{ .Content }}</main></body></html>";
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
    let url = format!("http://127.0.0.1:{port}/s05/p0500/");
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

fn report(site: &str, budget: f64, samples: &[f64]) {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let at = |q: f64| sorted[((sorted.len() - 1) as f64 * q).round() as usize];
    println!(
        "reload latency, {site}: median {:.1} ms (min {:.1}, p90 {:.1}, max {:.1}; {} edits; budget {budget} ms)",
        at(0.5),
        at(0.0),
        at(0.9),
        at(1.0),
        sorted.len()
    );
}

/// Starts `serve` on `root`, opens an event stream, and times `runs` edits of `page`.
fn measure(root: &Path, page: &str, runs: usize) -> Vec<f64> {
    let mut server = Server::start(root);
    let events = server.events();
    let path = root.join(page);
    let original = fs::read_to_string(&path).expect("read the page");
    let mut samples = Vec::with_capacity(runs);
    for run in 0..runs {
        // Let the previous rebuild settle so each edit is timed on its own.
        thread::sleep(Duration::from_millis(150));
        while events.try_recv().is_ok() {}
        let edited = format!("{original}\nEdit number {run} for the reload benchmark.\n");
        let started = Instant::now();
        fs::write(&path, edited).expect("edit the page");
        loop {
            let event = events
                .recv_timeout(EVENT_TIMEOUT)
                .unwrap_or_else(|_| panic!("no reload event within {EVENT_TIMEOUT:?}"));
            if event == "reload" {
                break;
            }
        }
        samples.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    server.stop();
    samples
}

struct Server {
    child: Child,
    address: String,
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
        // Keep draining stdout (one line per rebuild) so the server never blocks on a full pipe.
        thread::spawn(move || while lines.recv().is_ok() {});
        Server { child, address }
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

/// A site of `pages` pages in ten sections, each page a few hundred words with headings, a list,
/// a table and links to its neighbours, on a small theme of its own.
fn generate(root: &Path, pages: usize) {
    let write = |relative: &str, text: &str| {
        let path: PathBuf = root.join(relative);
        fs::create_dir_all(path.parent().expect("has a parent")).expect("mkdir");
        fs::write(path, text).expect("write");
    };
    write(
        "content/site.toml",
        "title = \"Generated\"\ndescription = \"A generated site.\"\n\
         base_url = \"https://example.org/\"\nlanguage = \"en\"\ntheme = \"plain\"\n",
    );
    write(
        "content/index.md",
        "+++\ntitle = \"Home\"\n+++\nA generated site.\n",
    );
    let per_section = pages.div_ceil(10);
    for section in 0..10 {
        write(
            &format!("content/s{section:02}/_index.md"),
            &format!(
                "+++\ntitle = \"Section {section}\"\nweight = {section}\n+++\nSection {section}.\n"
            ),
        );
    }
    let lorem = "Reliability work is mostly about making the system boring for the people who run it \
                 and the people who depend on it, and about knowing which risks are worth taking.";
    for i in 0..pages {
        let section = i / per_section;
        let mut body = format!("+++\ntitle = \"Page {i}\"\nweight = {i}\n+++\n");
        for part in 0..4 {
            let _ = write!(body, "\n## Part {part} of page {i}\n\n{lorem} {lorem}\n\n");
            let _ = write!(
                body,
                "- first point\n- second point with `code`\n- third point\n\n"
            );
        }
        let _ = write!(
            body,
            "| level | years |\n|---|---|\n| junior | 0-2 |\n| senior | 5-8 |\n\n"
        );
        if i + 1 < pages && (i + 1) / per_section == section {
            let _ = writeln!(
                body,
                "Next: [page {}](p{:04}.md#part-1-of-page-{}).",
                i + 1,
                i + 1,
                i + 1
            );
        }
        write(&format!("content/s{section:02}/p{i:04}.md"), &body);
    }
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/serve-site/themes"),
        &root.join("themes"),
    );
}
