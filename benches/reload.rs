//! Reload latency of `sre-guide serve`: the time from writing a page's Markdown to the `reload`
//! event reaching an open live-reload stream (watcher debounce, rebuild and publish included).
//! Two sites, each copied or generated into a temp dir: this repository's guide, and a generated
//! site of 1,000 pages. Run with `cargo bench --bench reload`; `SRE_GUIDE_RELOAD_RUNS` sets the
//! number of edits per site (default 21). Prints the median and the spread.

use std::fmt::Write as _;
use std::fs;
use std::io::{BufRead, BufReader, Write};
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

    /// The names of the events arriving on a fresh live-reload stream.
    fn events(&self) -> Receiver<String> {
        let mut stream = TcpStream::connect(&self.address).expect("connect");
        let request = format!(
            "GET /__sre-guide/events HTTP/1.1\r\nHost: {}\r\n\r\n",
            self.address
        );
        stream.write_all(request.as_bytes()).expect("open events");
        let (send, events) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                if let Some(name) = line.strip_prefix("event: ")
                    && send.send(name.to_string()).is_err()
                {
                    return;
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
