//! The build benchmark: generates sites of 1,000, 10,000 and 50,000 pages (`corpus.rs`) and builds
//! each with four tools, runs interleaved so a shared machine's noise hits all alike: sre-guide
//! (the release binary), `lean` (the same binary and pages with a theme that shows the page and
//! nothing else, no sibling list), the floor (`floor.rs`: read + pulldown-cmark + write of the
//! same files on every core, no templates) and Hugo when installed. Reports per tool the median
//! wall time, pages/s, CPU time and CPU ÷ wall, peak RSS and output size, then sre-guide ÷ floor,
//! sre-guide ÷ Hugo and lean ÷ floor.
//!
//! Run: `cargo bench --bench build` (peak RSS needs /usr/bin/time: `apt-get install time`; optional
//! Hugo: `apt-get install hugo`). `SRE_GUIDE_BENCH_SIZES=1000,10000` picks the sizes,
//! `SRE_GUIDE_BENCH_RUNS=5` the runs per tool (default 3), `SRE_GUIDE_BENCH_TOOLS=lean,floor` the
//! tools (default all four: at 100,000 pages the benchmark's theme and Hugo write ~10 GB each),
//! `SRE_GUIDE_BENCH_KEEP=1` keeps the generated sites and the last run's output for inspection
//! (otherwise all is removed).
//!
//! A run's output is moved aside, not deleted, until every size is measured: deleting tens of
//! thousands of files makes ext4 pass over the freed inodes for minutes, which slowed file
//! creation — and so whichever tool ran next — by up to 20× on this project's machine. Deleted
//! files also leave unused entries in the kernel's directory cache, which slow every path lookup
//! once they number in the millions: the benchmark says so when there are many.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use nix::sys::resource::{UsageWho, getrusage};
use nix::sys::time::TimeValLike as _;

#[path = "build/corpus.rs"]
mod corpus;

#[path = "build/floor.rs"]
mod floor;

const DEFAULT_SIZES: [usize; 3] = [1_000, 10_000, 50_000];
const DEFAULT_RUNS: usize = 3;
/// Disk per page for both copies of the Markdown (~12 KB).
const SOURCES_PER_PAGE: u64 = 15_000;
/// Disk per page for one run of a tool, by its name: sre-guide ~100 KB and Hugo ~85 KB with 1,000
/// siblings a page, lean ~7 KB and the floor ~6 KB (716 MB and 633 MB at 100,000 pages).
fn output_per_page(tool: &str) -> u64 {
    match tool {
        "sre-guide" | "hugo" => 110_000,
        _ => 10_000,
    }
}
/// The bench binary re-runs itself with this argument to be the floor's process.
const FLOOR_ARG: &str = "--floor";

/// A program that builds the generated site in `dir` into `output`.
struct Tool {
    name: &'static str,
    program: PathBuf,
    args: Vec<String>,
    output: PathBuf,
}

/// One timed build.
struct Sample {
    wall: Duration,
    /// User + system time of the process and its threads and children (`getrusage`).
    cpu: Duration,
    peak_kb: Option<u64>,
}

/// What one tool did over all its runs at one size.
struct Measured {
    samples: Vec<Sample>,
    files: usize,
    output_bytes: u64,
    failed: Option<String>,
}

/// Unused directory entries past which the benchmark says the machine is slowed: 1.4 million,
/// left by a morning of deleted outputs, made the 10,000-page floor on tmpfs 2-3x slower (0.21-0.30
/// s, 0.10 s once dropped) and took `__d_lookup_rcu` from 3% to 9% of a lean build's samples.
const UNUSED_DENTRIES_NOTED: u64 = 500_000;

/// `/proc/sys/fs/dentry-state`'s second field: cached directory entries no file holds.
fn unused_dentries() -> Option<u64> {
    let state = fs::read_to_string("/proc/sys/fs/dentry-state").ok()?;
    state.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    let mut args = std::env::args().skip(1);
    if let Some(first) = args.next() {
        match first.as_str() {
            FLOOR_ARG => return run_floor(args.collect()),
            // `cargo test --benches` lists the targets' tests: there are none.
            "--list" => return,
            _ => {}
        }
    }
    let sizes: Vec<usize> = std::env::var("SRE_GUIDE_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| DEFAULT_SIZES.to_vec());
    let runs = std::env::var("SRE_GUIDE_BENCH_RUNS")
        .ok()
        .and_then(|n| n.trim().parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(DEFAULT_RUNS);
    let keep = std::env::var_os("SRE_GUIDE_BENCH_KEEP").is_some();
    let chosen: Option<Vec<String>> = std::env::var("SRE_GUIDE_BENCH_TOOLS")
        .ok()
        .map(|s| s.split(',').map(|t| t.trim().to_string()).collect());
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_sre-guide"));
    let wanted = chosen
        .as_ref()
        .is_none_or(|c| c.iter().any(|t| t == "hugo"));
    let hugo = which("hugo").filter(|_| wanted);
    println!("sre-guide: {}", binary.display());
    match &hugo {
        Some(path) => println!("hugo: {}", version_of(path)),
        None if !wanted => println!("hugo: left out (SRE_GUIDE_BENCH_TOOLS)"),
        None => println!("hugo: not installed (apt-get install hugo) — no comparison"),
    }
    if !Path::new("/usr/bin/time").exists() {
        println!("note: /usr/bin/time is missing (apt-get install time); peak RSS not measured");
    }
    if let Some(unused) = unused_dentries().filter(|&n| n > UNUSED_DENTRIES_NOTED) {
        println!(
            "note: the kernel caches {unused} unused directory entries (deleted outputs leave \
             them); every path lookup pays for them, the floor's most: `sync; echo 2 > \
             /proc/sys/vm/drop_caches` (root) before measuring"
        );
    }
    println!(
        "cores: {}; {runs} runs per tool, interleaved; every run starts from an empty output folder",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    // Removed at the end, after every measurement (see the header).
    let mut measured_sites = Vec::new();
    for pages in sizes {
        measured_sites.extend(bench_size(
            pages,
            runs,
            keep,
            &binary,
            hugo.as_deref(),
            chosen.as_deref(),
        ));
    }
    drop(measured_sites);
}

/// `bench --floor CONTENT OUTPUT`: the floor's own process.
fn run_floor(args: Vec<String>) {
    let [content, output] = args.as_slice() else {
        panic!("usage: {FLOOR_ARG} CONTENT OUTPUT");
    };
    if let Err(error) = floor::build(Path::new(content), Path::new(output)) {
        eprintln!("floor: {error}");
        std::process::exit(1);
    }
}

/// Measures one size; returns the folder holding its site and outputs, to be removed once every
/// size is measured (`None` when the size was skipped or is kept).
fn bench_size(
    pages: usize,
    runs: usize,
    keep: bool,
    binary: &Path,
    hugo: Option<&Path>,
    chosen: Option<&[String]>,
) -> Option<tempfile::TempDir> {
    let dir = tempfile::Builder::new()
        .prefix("sre-guide-bench-")
        .tempdir()
        .expect("temp dir");
    let free = free_bytes(dir.path()).unwrap_or(u64::MAX);
    let pages_bytes = pages as u64;
    let mut tools = tools(dir.path(), binary, hugo);
    if let Some(chosen) = chosen {
        tools.retain(|tool| chosen.iter().any(|name| name == tool.name));
    }
    let outputs_per_page: u64 = tools.iter().map(|tool| output_per_page(tool.name)).sum();
    let one_run = pages_bytes * (SOURCES_PER_PAGE + outputs_per_page);
    // Outputs are kept until the end when they fit; otherwise each is deleted after its run.
    let set_aside = free >= pages_bytes * (SOURCES_PER_PAGE + runs as u64 * outputs_per_page);
    if free < one_run {
        println!(
            "\n{pages} pages: skipped — needs ~{:.1} GB free in {}, has {:.1} GB (set TMPDIR to a larger disk)",
            one_run as f64 / 1e9,
            dir.path().parent().unwrap_or(dir.path()).display(),
            free as f64 / 1e9
        );
        return None;
    }
    let generated = Instant::now();
    let corpus = corpus::generate(dir.path(), pages);
    println!(
        "\n{pages} pages in {} sections (~{} words each, {:.1} MB of Markdown), generated in {:.1?}",
        corpus.sections,
        corpus.words_per_page,
        corpus.markdown_bytes as f64 / 1e6,
        generated.elapsed()
    );
    let mut measured: Vec<Measured> = tools
        .iter()
        .map(|_| Measured {
            samples: Vec::new(),
            files: 0,
            output_bytes: 0,
            failed: None,
        })
        .collect();
    for run in 0..runs {
        // Rotate the order too, so no tool always follows the same one.
        for k in 0..tools.len() {
            let index = (run + k) % tools.len();
            let (tool, result) = (&tools[index], &mut measured[index]);
            if result.failed.is_some() {
                continue;
            }
            match run_once(tool, dir.path()) {
                Ok(sample) => result.samples.push(sample),
                // sre-guide or the floor failing is a bug; Hugo may fail (memory, version).
                Err(error) if tool.name == "hugo" => result.failed = Some(error),
                Err(error) => panic!("{} failed:\n{error}", tool.name),
            }
            if run == 0 {
                (result.files, result.output_bytes) = output_size(&tool.output);
            }
            if keep && run + 1 == runs {
                continue;
            }
            let aside = dir.path().join(format!("measured/{}-{run}", tool.name));
            let moved = set_aside
                && fs::create_dir_all(dir.path().join("measured")).is_ok()
                && fs::rename(&tool.output, &aside).is_ok();
            if !moved {
                let _ = fs::remove_dir_all(&tool.output);
            }
        }
    }
    report(pages, &tools, &measured);
    if !set_aside {
        println!("  (outputs deleted between runs: not enough disk to set them aside)");
    }
    if keep {
        println!("  kept: {}", dir.keep().display());
        return None;
    }
    Some(dir)
}

fn tools(dir: &Path, binary: &Path, hugo: Option<&Path>) -> Vec<Tool> {
    let path = |relative: &str| dir.join(relative).to_string_lossy().into_owned();
    let mut tools = vec![
        Tool {
            name: "sre-guide",
            program: binary.to_path_buf(),
            args: vec!["build".into(), "--root".into(), path("")],
            output: dir.join("output"),
        },
        Tool {
            name: "lean",
            program: binary.to_path_buf(),
            args: vec!["build".into(), "--root".into(), path("lean")],
            output: dir.join("lean/output"),
        },
        Tool {
            name: "floor",
            program: std::env::current_exe().expect("the bench's own path"),
            args: vec![FLOOR_ARG.into(), path("content"), path("floor")],
            output: dir.join("floor"),
        },
    ];
    if let Some(hugo) = hugo {
        tools.push(Tool {
            name: "hugo",
            program: hugo.to_path_buf(),
            args: vec!["--source".into(), path("hugo"), "--quiet".into()],
            output: dir.join("hugo/public"),
        });
    }
    tools
}

/// Runs the tool under `/usr/bin/time -v` (when present) for its peak RSS; its CPU time is what
/// `getrusage` adds to this process's reaped children during the run.
fn run_once(tool: &Tool, dir: &Path) -> Result<Sample, String> {
    let time = Path::new("/usr/bin/time");
    let report = dir.join("time.txt");
    let _ = fs::remove_file(&report);
    let mut command = if time.exists() {
        let mut c = Command::new(time);
        c.arg("-v").arg("-o").arg(&report).arg(&tool.program);
        c
    } else {
        Command::new(&tool.program)
    };
    command.args(&tool.args).current_dir(dir);
    let cpu_before = children_cpu();
    let started = Instant::now();
    let output = command
        .output()
        .map_err(|error| format!("cannot run {}: {error}", tool.program.display()))?;
    let wall = started.elapsed();
    let cpu = children_cpu().saturating_sub(cpu_before);
    if !output.status.success() {
        return Err(format!(
            "{} {:?}: {}\n{}",
            tool.program.display(),
            tool.args,
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let peak_kb = fs::read_to_string(&report).ok().and_then(|text| {
        text.lines()
            .find_map(|line| {
                line.trim()
                    .strip_prefix("Maximum resident set size (kbytes): ")
            })
            .and_then(|n| n.trim().parse().ok())
    });
    Ok(Sample { wall, cpu, peak_kb })
}

/// User + system time of every child this process has waited for, threads included.
fn children_cpu() -> Duration {
    let usage = getrusage(UsageWho::RUSAGE_CHILDREN).expect("getrusage");
    let micros = usage.user_time().num_microseconds() + usage.system_time().num_microseconds();
    Duration::from_micros(micros.try_into().unwrap_or(0))
}

/// Available bytes on the file system holding `dir`, from POSIX `df`.
fn free_bytes(dir: &Path) -> Option<u64> {
    let output = Command::new("df").arg("-Pk").arg(dir).output().ok()?;
    let text = String::from_utf8_lossy(&output.stdout);
    let kb: u64 = text
        .lines()
        .nth(1)?
        .split_whitespace()
        .nth(3)?
        .parse()
        .ok()?;
    Some(kb * 1024)
}

fn output_size(dir: &Path) -> (usize, u64) {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|entry| entry.file_type().is_file())
        .fold((0, 0), |(files, bytes), entry| {
            (files + 1, bytes + entry.metadata().map_or(0, |m| m.len()))
        })
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(program))
            .find(|path| path.is_file())
    })
}

fn version_of(hugo: &Path) -> String {
    Command::new(hugo)
        .arg("version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

/// Medians over a tool's runs (peak RSS: the highest), for the report and the ratios.
struct Summary {
    wall: Duration,
    min_wall: Duration,
    max_wall: Duration,
    cpu: Duration,
    cpu_per_wall: f64,
    peak_kb: Option<u64>,
}

fn summarise(samples: &[Sample]) -> Option<Summary> {
    let mut walls: Vec<Duration> = samples.iter().map(|s| s.wall).collect();
    let mut cpus: Vec<Duration> = samples.iter().map(|s| s.cpu).collect();
    let mut ratios: Vec<f64> = samples
        .iter()
        .map(|s| s.cpu.as_secs_f64() / s.wall.as_secs_f64())
        .collect();
    walls.sort();
    cpus.sort();
    ratios.sort_by(f64::total_cmp);
    Some(Summary {
        wall: *walls.get(walls.len() / 2)?,
        min_wall: *walls.first()?,
        max_wall: *walls.last()?,
        cpu: *cpus.get(cpus.len() / 2)?,
        cpu_per_wall: *ratios.get(ratios.len() / 2)?,
        peak_kb: samples.iter().filter_map(|s| s.peak_kb).max(),
    })
}

fn report(pages: usize, tools: &[Tool], measured: &[Measured]) {
    println!(
        "  {:<9}  {:>10}  {:>8}  {:>10}  {:>8}  {:>8}  {:>17}  output",
        "tool", "wall", "pages/s", "CPU", "CPU÷wall", "peak RSS", "wall range"
    );
    let summaries: Vec<Option<Summary>> = measured.iter().map(|m| summarise(&m.samples)).collect();
    for ((tool, result), summary) in tools.iter().zip(measured).zip(&summaries) {
        if let Some(error) = &result.failed {
            println!("  {:<9}  failed: {}", tool.name, error.trim());
        }
        let Some(s) = summary else { continue };
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "  {:<9}  {:>7.0} ms  {:>8.0}  {:>7.0} ms  {:>8.2}  {:>8}  {:>17}  {} files, {:.0} MB",
            tool.name,
            ms(s.wall),
            pages as f64 / s.wall.as_secs_f64(),
            ms(s.cpu),
            s.cpu_per_wall,
            s.peak_kb
                .map_or("n/a".into(), |kb| format!("{:.0} MB", kb as f64 / 1024.0)),
            format!("{:.0}–{:.0} ms", ms(s.min_wall), ms(s.max_wall)),
            result.files,
            result.output_bytes as f64 / 1e6,
        );
    }
    let summary = |name: &str| {
        let index = tools.iter().position(|tool| tool.name == name)?;
        summaries[index].as_ref()
    };
    for (ours, theirs) in [
        ("sre-guide", "floor"),
        ("sre-guide", "hugo"),
        ("lean", "floor"),
    ] {
        let (Some(a), Some(b)) = (summary(ours), summary(theirs)) else {
            continue;
        };
        let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64();
        let rss = match (a.peak_kb, b.peak_kb) {
            (Some(a), Some(b)) => format!(", peak RSS {:.2}×", a as f64 / b as f64),
            _ => String::new(),
        };
        println!(
            "  {ours} ÷ {theirs:<5}  wall {:.2}×, CPU {:.2}×{rss}",
            ratio(a.wall, b.wall),
            ratio(a.cpu, b.cpu),
        );
    }
}
