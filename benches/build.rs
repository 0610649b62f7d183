//! The build benchmark: generates sites of 1,000 and 10,000 pages in 10 sections (each page ~800
//! words with h2/h3 headings, a table, a task list, a blockquote and three links to other pages;
//! a theme whose page template lists the page's section siblings), builds each with the release
//! binary 3 times and reports the median wall time, pages per second and peak memory. When `hugo`
//! is installed, the same content is built with Hugo side by side.
//!
//! Run: `cargo bench --bench build` (needs /usr/bin/time: `apt-get install time`; optional Hugo:
//! `apt-get install hugo`). `SRE_GUIDE_BENCH_SIZES=1000` limits the sizes;
//! `SRE_GUIDE_BENCH_KEEP=1` keeps the generated sites and their output for inspection.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const SECTIONS: usize = 10;
const RUNS: usize = 3;

// The same SplitMix64 as the tests, so every run generates the same site.
#[path = "../tests/suite/rng.rs"]
mod rng;
use rng::Rng;

const WORDS: &[&str] = &[
    "reliability",
    "incident",
    "latency",
    "budget",
    "service",
    "engineer",
    "on-call",
    "alert",
    "capacity",
    "rollout",
    "canary",
    "dashboard",
    "postmortem",
    "toil",
    "automation",
    "error",
    "objective",
    "indicator",
    "system",
    "team",
    "the",
    "a",
    "of",
    "and",
    "to",
    "in",
    "with",
    "for",
    "while",
    "every",
    "careful",
    "quickly",
    "measured",
    "durable",
    "review",
    "change",
    "release",
    "traffic",
    "region",
    "failover",
    "backup",
    "restore",
    "queue",
    "cache",
    "database",
    "network",
    "kernel",
    "deploy",
    "pipeline",
    "owner",
    "runbook",
    "pager",
    "signal",
    "noise",
    "threshold",
    "trend",
    "forecast",
    "growth",
    "scope",
    "influence",
    "mentor",
    "design",
    "doc",
    "decision",
    "tradeoff",
    "risk",
    "cost",
    "outage",
    "recovery",
    "practice",
    "habit",
    "level",
];

fn sentence(rng: &mut Rng, words: usize) -> String {
    let mut out = String::new();
    for i in 0..words {
        let word = WORDS[rng.below(WORDS.len())];
        if i == 0 {
            let mut chars = word.chars();
            if let Some(first) = chars.next() {
                out.extend(first.to_uppercase());
                out.push_str(chars.as_str());
            }
        } else {
            out.push(' ');
            out.push_str(word);
        }
    }
    out.push('.');
    out
}

fn paragraph(rng: &mut Rng, words: usize) -> String {
    let mut out = String::new();
    let mut left = words;
    while left > 0 {
        let n = left.min(8 + rng.below(10));
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&sentence(rng, n));
        left -= n;
    }
    out
}

fn section_of(page: usize, pages: usize) -> usize {
    page * SECTIONS / pages
}

fn page_path(page: usize, pages: usize) -> String {
    format!("s{:02}/p{page:05}", section_of(page, pages))
}

/// The Markdown body of page `i`: ~800 words, headings, a table, a task list, a blockquote and
/// root-relative links to three other pages (`/s03/p00042.md`).
fn page_body(rng: &mut Rng, i: usize, pages: usize) -> String {
    let links = [(i + 1) % pages, (i + 7) % pages, (i * 31 + 5) % pages]
        .map(|target| format!("/{}.md", page_path(target, pages)));
    let mut body = String::new();
    let p = |rng: &mut Rng, words| paragraph(rng, words);
    let _ = write!(
        body,
        "{intro}\n\n## Where this starts\n\n{a} See [the next page]({l0}) for more.\n\n### The first signal\n\n{b}\n\n> {quote}\n\n## Measuring it\n\n| Level | Scope | Signal |\n|---|---|---|\n| Junior | one service | pages acknowledged |\n| Mid | a team's services | toil removed |\n| Senior | a product area | budgets kept |\n| Staff | the organisation | incidents prevented |\n\n{c} Compare [a related page]({l1}).\n\n### Checklist\n\n- [x] {t1}\n- [ ] {t2}\n- [ ] {t3}\n\n{d}\n\n## What comes next\n\n{e} Then read [another page]({l2}).\n",
        intro = p(rng, 80),
        a = p(rng, 110),
        l0 = links[0],
        b = p(rng, 110),
        quote = p(rng, 40),
        c = p(rng, 120),
        l1 = links[1],
        t1 = sentence(rng, 6),
        t2 = sentence(rng, 6),
        t3 = sentence(rng, 6),
        d = p(rng, 120),
        e = p(rng, 150),
        l2 = links[2],
    );
    body
}

/// Writes the same content for sre-guide (`content/` + `themes/bench/`) and for Hugo
/// (`hugo/content/` + `hugo/layouts/`): Hugo reads `+++` TOML front matter as well.
fn generate(dir: &Path, pages: usize) -> usize {
    let mut rng = Rng::new(0xbe7c_4000 + pages as u64);
    let content = dir.join("content");
    let hugo_content = dir.join("hugo/content");
    let mut words = 0;
    let write_both = |relative: &str, text: &str| {
        for base in [&content, &hugo_content] {
            let path = base.join(relative);
            fs::create_dir_all(path.parent().expect("has a parent")).expect("mkdir");
            fs::write(&path, text).expect("write page");
        }
    };
    write_both(
        "_index.md",
        "+++\ntitle = \"Benchmark site\"\n+++\nThe home page of a generated site.\n",
    );
    for section in 0..SECTIONS {
        write_both(
            &format!("s{section:02}/_index.md"),
            &format!(
                "+++\ntitle = \"Section {section}\"\nweight = {section}\n+++\nSection {section}.\n"
            ),
        );
    }
    for i in 0..pages {
        let section = section_of(i, pages);
        let body = page_body(&mut rng, i, pages);
        words += body.split_whitespace().count();
        let text = format!(
            "+++\ntitle = \"Page {i}: {title}\"\ndescription = \"{description}\"\nweight = {weight}\n[extra]\nsection = \"s{section:02}\"\n+++\n{body}",
            title = sentence(&mut rng, 4).trim_end_matches('.'),
            description = sentence(&mut rng, 12),
            weight = rng.below(100),
        );
        write_both(&format!("{}.md", page_path(i, pages)), &text);
    }
    fs::write(
        content.join("site.toml"),
        "title = \"Benchmark\"\nbase_url = \"https://bench.example/\"\ntheme = \"bench\"\n",
    )
    .expect("site.toml");
    write_sre_guide_theme(&dir.join("themes/bench"));
    write_hugo_site(&dir.join("hugo"));
    words / pages.max(1)
}

fn write_files(dir: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let path = dir.join(path);
        fs::create_dir_all(path.parent().expect("has a parent")).expect("mkdir");
        fs::write(&path, text).expect("write theme file");
    }
}

fn write_sre_guide_theme(dir: &Path) {
    write_files(
        dir,
        &[
            (
                "templates/base.html",
                r##"<!DOCTYPE html>
<html lang="{{ site.language }}">
<head>
<meta charset="utf-8">
<title>{{ page.title }} · {{ site.title }}</title>
<meta name="description" content="{{ page.description }}">
<link rel="canonical" href="{{ page.permalink }}">
<link rel="stylesheet" href="{{ asset(path='style.css') }}">
</head>
<body>
<header><a href="{{ url(path='_index.md') }}">{{ site.title }}</a></header>
<main>
{% block content %}{% endblock content %}
</main>
</body>
</html>
"##,
            ),
            (
                "templates/page.html",
                r##"{% extends "base.html" %}
{% block content %}
<article>
<h1>{{ page.title }}</h1>
<nav class="toc"><ul>
{%- for entry in page.toc %}
<li><a href="#{{ entry.id }}">{{ entry.title }}</a>{% if entry.children %}<ul>{% for child in entry.children %}<li><a href="#{{ child.id }}">{{ child.title }}</a></li>{% endfor %}</ul>{% endif %}</li>
{%- endfor %}
</ul></nav>
{{ page.content | safe }}
</article>
{% set section = page_data(path=page.extra.section ~ "/_index.md") %}
<nav class="siblings"><h2>In {{ section.title }}</h2><ul>
{%- for sibling in section.pages %}
<li><a href="{{ sibling.url }}">{{ sibling.title }}</a></li>
{%- endfor %}
</ul></nav>
{% endblock content %}
"##,
            ),
            (
                "templates/section.html",
                r##"{% extends "base.html" %}
{% block content %}
<h1>{{ page.title }}</h1>
{{ page.content | safe }}
<ul>
{%- for p in page.pages %}
<li><a href="{{ p.url }}">{{ p.title }}</a></li>
{%- endfor %}
</ul>
{% endblock content %}
"##,
            ),
            (
                "templates/404.html",
                "<!DOCTYPE html><title>Not found</title><h1>Not found</h1>\n",
            ),
            (
                "static/style.css",
                "body { max-width: 40rem; margin: auto; }\n",
            ),
        ],
    );
}

/// Hugo's equivalent: the same pages, a sibling list per page, a render hook that resolves (and
/// checks) `.md` links the way sre-guide does, sitemap and robots.txt on.
fn write_hugo_site(dir: &Path) {
    write_files(
        dir,
        &[
            (
                "config.toml",
                "baseURL = \"https://bench.example/\"\ntitle = \"Benchmark\"\nenableRobotsTXT = true\ndisableKinds = [\"taxonomy\", \"term\", \"RSS\"]\n[markup.goldmark.extensions]\ntypographer = true\n[markup.tableOfContents]\nstartLevel = 2\nendLevel = 3\n",
            ),
            (
                "layouts/_default/baseof.html",
                r##"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{ .Title }} · {{ site.Title }}</title>
<meta name="description" content="{{ .Description }}">
<link rel="canonical" href="{{ .Permalink }}">
{{ $css := resources.Get "style.css" | fingerprint }}<link rel="stylesheet" href="{{ $css.RelPermalink }}">
</head>
<body>
<header><a href="{{ site.Home.RelPermalink }}">{{ site.Title }}</a></header>
<main>
{{ block "main" . }}{{ end }}
</main>
</body>
</html>
"##,
            ),
            (
                "layouts/_default/single.html",
                r##"{{ define "main" }}
<article>
<h1>{{ .Title }}</h1>
{{ .TableOfContents }}
{{ .Content }}
</article>
<nav class="siblings"><h2>In {{ .CurrentSection.Title }}</h2><ul>
{{- range .CurrentSection.RegularPages }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>
{{- end }}
</ul></nav>
{{ end }}
"##,
            ),
            (
                "layouts/_default/list.html",
                r##"{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ .Content }}
<ul>
{{- range .Pages }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>
{{- end }}
</ul>
{{ end }}
"##,
            ),
            (
                "layouts/_default/_markup/render-link.html",
                r##"{{- $dest := .Destination -}}
{{- if strings.HasSuffix $dest ".md" -}}
{{- with site.GetPage (strings.TrimSuffix ".md" $dest) -}}<a href="{{ .RelPermalink }}">{{- else -}}{{- errorf "broken link %s" $dest -}}{{- end -}}
{{- else -}}<a href="{{ $dest | safeURL }}">{{- end -}}
{{- .Text | safeHTML -}}</a>"##,
            ),
            (
                "layouts/404.html",
                "<!DOCTYPE html><title>Not found</title><h1>Not found</h1>\n",
            ),
            (
                "assets/style.css",
                "body { max-width: 40rem; margin: auto; }\n",
            ),
        ],
    );
}

struct Run {
    wall: Duration,
    peak_kb: Option<u64>,
}

/// Runs `program args` under `/usr/bin/time -v` (when present) for its peak RSS.
fn measure(program: &Path, args: &[&str], dir: &Path) -> Run {
    let time = Path::new("/usr/bin/time");
    let report = dir.join("time.txt");
    let mut command = if time.exists() {
        let mut c = Command::new(time);
        c.arg("-v").arg("-o").arg(&report).arg(program);
        c
    } else {
        Command::new(program)
    };
    command.args(args).current_dir(dir);
    let started = Instant::now();
    let output = command.output().expect("run the build");
    let wall = started.elapsed();
    assert!(
        output.status.success(),
        "{} {args:?} failed:\n{}",
        program.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    let peak_kb = fs::read_to_string(&report).ok().and_then(|text| {
        text.lines()
            .find_map(|line| {
                line.trim()
                    .strip_prefix("Maximum resident set size (kbytes): ")
            })
            .and_then(|n| n.trim().parse().ok())
    });
    Run { wall, peak_kb }
}

fn median(mut runs: Vec<Run>) -> Run {
    runs.sort_by_key(|r| r.wall);
    let peak_kb = runs.iter().filter_map(|r| r.peak_kb).max();
    let middle = runs.swap_remove(runs.len() / 2);
    Run {
        wall: middle.wall,
        peak_kb,
    }
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(program))
            .find(|path| path.is_file())
    })
}

fn output_files(dir: &Path) -> usize {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .count()
}

fn main() {
    // `cargo bench` passes `--bench`; a plain `cargo test --benches` passes nothing we need.
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_sre-guide"));
    let hugo = which("hugo");
    if !Path::new("/usr/bin/time").exists() {
        println!("note: /usr/bin/time is missing (apt-get install time); peak memory not measured");
    }
    let sizes: Vec<usize> = std::env::var("SRE_GUIDE_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1_000, 10_000]);
    println!("sre-guide: {}", binary.display());
    match &hugo {
        Some(path) => {
            let version = Command::new(path).arg("version").output();
            let version = version
                .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
                .unwrap_or_default();
            println!("hugo: {version}");
        }
        None => println!("hugo: not installed (apt-get install hugo) — no comparison"),
    }
    println!(
        "cores: {}",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    for pages in sizes {
        let dir = tempfile::Builder::new()
            .prefix("sre-guide-bench-")
            .tempdir()
            .expect("temp dir");
        let generated = Instant::now();
        let words = generate(dir.path(), pages);
        println!(
            "\n{pages} pages in {SECTIONS} sections (~{words} words each), generated in {:.1?}",
            generated.elapsed()
        );
        let root = dir.path().to_string_lossy().into_owned();
        let runs = (0..RUNS)
            .map(|_| measure(&binary, &["build", "--root", &root], dir.path()))
            .collect();
        let ours = median(runs);
        let files = output_files(&dir.path().join("output"));
        report("sre-guide", pages, &ours, files);
        if let Some(hugo) = &hugo {
            let source = dir.path().join("hugo");
            let source = source.to_string_lossy().into_owned();
            let runs = (0..RUNS)
                .map(|_| {
                    measure(
                        hugo,
                        &["--source", &source, "--quiet", "--cleanDestinationDir"],
                        dir.path(),
                    )
                })
                .collect();
            let theirs = median(runs);
            let files = output_files(&dir.path().join("hugo/public"));
            report("hugo", pages, &theirs, files);
            println!(
                "  sre-guide / hugo wall time: {:.2}×",
                ours.wall.as_secs_f64() / theirs.wall.as_secs_f64()
            );
        }
        if std::env::var_os("SRE_GUIDE_BENCH_KEEP").is_some() {
            println!("  kept: {}", dir.keep().display());
        }
    }
}

fn report(name: &str, pages: usize, run: &Run, files: usize) {
    let seconds = run.wall.as_secs_f64();
    let peak = run.peak_kb.map_or("n/a".to_string(), |kb| {
        format!("{:.0} MB", kb as f64 / 1024.0)
    });
    println!(
        "  {name:<9} median of {RUNS}: {:>8.0} ms  {:>8.0} pages/s  peak {peak:>7}  ({files} files)",
        seconds * 1000.0,
        pages as f64 / seconds
    );
}
