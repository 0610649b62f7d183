//! Diagnostics latency of `sre-guide lsp`: the time from sending a keystroke's `didChange` (an
//! unsaved edit that breaks or fixes a link) to receiving the `publishDiagnostics` that reflects
//! it — the 25 ms debounce, the analysis of the whole site and both pipes included. On this
//! repository's guide, then on the generated sites of `benches/build/corpus.rs` (1,000 pages by
//! default; `SRE_GUIDE_BENCH_SIZES` picks others). Each edit starts with the server idle.
//! Run with `cargo bench --bench lsp`; `SRE_GUIDE_LSP_RUNS` sets the number of edits per site
//! (default 21). Prints the median, the 90th percentile and the maximum.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::json;

#[path = "build/corpus.rs"]
#[allow(dead_code, reason = "the bench uses only the generator")]
mod corpus;

#[path = "../tests/suite/lsp/client.rs"]
#[allow(dead_code, reason = "the bench uses only part of the test client")]
mod client;

use client::{Client, uri};

fn main() {
    let runs: usize = std::env::var("SRE_GUIDE_LSP_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(21);
    let sizes: Vec<usize> = std::env::var("SRE_GUIDE_BENCH_SIZES")
        .ok()
        .map(|v| v.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1_000]);
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));

    let guide = tempfile::tempdir().expect("temp dir");
    for folder in ["content", "themes"] {
        copy_tree(&repo.join(folder), &guide.path().join(folder));
    }
    report("the guide", &measure(guide.path(), "content/faq.md", runs));

    for pages in sizes {
        let site = tempfile::tempdir().expect("temp dir");
        corpus::generate(site.path(), pages);
        let page = walkdir::WalkDir::new(site.path().join("content"))
            .into_iter()
            .filter_map(Result::ok)
            .find(|e| {
                e.path().extension().is_some_and(|x| x == "md") && !e.path().ends_with("_index.md")
            })
            .expect("a page");
        let relative = page
            .path()
            .strip_prefix(site.path())
            .expect("inside")
            .to_string_lossy()
            .into_owned();
        report(
            &format!("{pages} generated pages"),
            &measure(site.path(), &relative, runs),
        );
    }
}

/// Times `runs` edits of `page`: each appends a broken link or takes it away again.
fn measure(root: &Path, page: &str, runs: usize) -> Vec<Duration> {
    let root = root.canonicalize().expect("canonical root");
    let (mut client, _) = Client::start(&root);
    let text = std::fs::read_to_string(root.join(page)).expect("read page");
    let document = uri(&root.join(page));
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": document, "languageId": "markdown", "version": 0, "text": text}}),
    );
    // The first analysis (at start and open) is not a keystroke's.
    client.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": document}}),
    );
    let mut times = Vec::with_capacity(runs);
    for run in 0..runs {
        let broken = run % 2 == 0;
        let new_text = if broken {
            format!("{text}\n[x](nope.md)\n")
        } else {
            text.clone()
        };
        std::thread::sleep(Duration::from_millis(150));
        let sent = Instant::now();
        client.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": document, "version": run + 1}, "contentChanges": [{"text": new_text}]}),
        );
        client
            .diagnostics_for(&root, page, Duration::from_secs(60), |d| {
                d.as_array().is_some_and(|d| d.is_empty() != broken)
            })
            .expect("diagnostics for the edit");
        times.push(sent.elapsed());
    }
    client.shut_down();
    times
}

fn report(site: &str, times: &[Duration]) {
    let mut ms: Vec<f64> = times.iter().map(|t| t.as_secs_f64() * 1000.0).collect();
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| ms[((ms.len() - 1) as f64 * q).round() as usize];
    println!(
        "{site}: keystroke → diagnostics median {:.0} ms, p90 {:.0} ms, max {:.0} ms ({} edits)",
        at(0.5),
        at(0.9),
        at(1.0),
        ms.len()
    );
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("walk");
        let target = to.join(entry.path().strip_prefix(from).expect("inside"));
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}
