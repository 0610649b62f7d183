//! `sre-guide explain`, and the examples of every diagnostic code run for real: each
//! explanation's example files are written over the `minimal` fixture, its commands run, and
//! the report shown in the explanation must be exactly what the binary prints. So the
//! documentation (docs/diagnostics.md, generated from the same explanations) cannot drift from
//! the messages. `SRE_GUIDE_UPDATE=1` writes the reports the binary prints into the
//! explanations, for review.

use std::path::Path;

use crate::support::Site;

/// Codes whose example cannot be reproduced by writing files and running commands here.
const NOT_RUN: [(&str, &str); 5] = [
    (
        "file-unreadable",
        "needs a file the test user cannot read, and tests may run as root",
    ),
    (
        "not-utf8",
        "needs bytes that are not UTF-8, which a Markdown example cannot hold",
    ),
    (
        "file-changed",
        "needs a save landing in the middle of a build",
    ),
    ("template-crash", "needs a bug in the template engine"),
    (
        "control-character",
        "an invisible character in an example would be invisible in the documentation too",
    ),
];

/// The codes `sre-guide explain` lists.
fn codes() -> Vec<String> {
    let listed = Site::empty().run_in(Path::new("."), ["explain"]).code(0);
    listed
        .stdout
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

/// One explanation's example: files to write, commands to run, and the report it shows.
#[derive(Default, Debug)]
struct Example {
    files: Vec<(String, String)>,
    commands: Vec<Vec<String>>,
    report: Option<String>,
}

/// Reads the `## Example` section: a fenced block whose info string names a path
/// (```` ```md content/faq.md ````) is a file; a ```` ```console ```` block holds `$ rm PATH`,
/// `$ ln -s TARGET LINK` and `$ sre-guide ARGS` lines; a ```` ```text ```` block is the report.
fn example(explanation: &str) -> Example {
    let section = section(explanation, "## Example");
    let mut example = Example::default();
    let mut blocks = section.split("```").skip(1).step_by(2);
    for block in blocks.by_ref() {
        let (info, body) = block.split_once('\n').unwrap_or((block, ""));
        let mut words = info.split_whitespace();
        match (words.next(), words.next()) {
            (Some("console"), _) => {
                for line in body.lines() {
                    let line = line
                        .strip_prefix("$ ")
                        .expect("console lines start with `$ `");
                    example
                        .commands
                        .push(line.split_whitespace().map(str::to_string).collect());
                }
            }
            (Some("text"), None) => example.report = Some(body.to_string()),
            (Some(_), Some(path)) => example.files.push((path.to_string(), body.to_string())),
            _ => {}
        }
    }
    if example.commands.is_empty() {
        example
            .commands
            .push(vec!["sre-guide".into(), "check".into()]);
    }
    example
}

/// The lines under `heading` up to the next heading of its level, fenced blocks kept whole
/// (a Markdown example may hold `## ` lines of its own).
fn section(markdown: &str, heading: &str) -> String {
    let mut in_fence = false;
    let mut inside = false;
    let mut text = String::new();
    for line in markdown.lines() {
        if line.starts_with("```") {
            in_fence = !in_fence;
        } else if !in_fence && line.starts_with("## ") {
            inside = line == heading;
            continue;
        }
        if inside {
            text.push_str(line);
            text.push('\n');
        }
    }
    text
}

/// The reports of `code` in `stderr` (each report is followed by a blank line).
fn reports_of(stderr: &str, code: &str) -> Vec<String> {
    stderr
        .split("\n\n")
        .filter(|chunk| {
            chunk.starts_with(&format!("error[{code}]"))
                || chunk.starts_with(&format!("warning[{code}]"))
        })
        .map(|chunk| format!("{chunk}\n"))
        .collect()
}

/// Runs one example; returns the first report of its code, or why there is none.
fn run(code: &str, example: &Example) -> Result<String, String> {
    let mut site = Site::fixture("minimal");
    for (path, text) in &example.files {
        site = site.file(path, text);
    }
    let mut stderr = String::new();
    for command in &example.commands {
        match command
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .as_slice()
        {
            ["rm", path] => site = site.remove(path),
            ["ln", "-s", target, link] => site = site.symlink(target, link),
            ["sre-guide", args @ ..] => {
                let root = site.root().to_path_buf();
                let mut all: Vec<&str> = args.to_vec();
                let root = root.to_str().expect("a UTF-8 temp dir");
                all.extend(["--root", root]);
                stderr.push_str(&site.run_in(site.root(), &all).stderr);
            }
            other => return Err(format!("{code}: cannot run {other:?}")),
        }
    }
    reports_of(&stderr, code)
        .into_iter()
        .next()
        .ok_or_else(|| format!("{code}: the example reports no `{code}`; stderr:\n{stderr}"))
}

#[test]
fn every_example_in_the_explanations_gives_the_report_it_shows() {
    let update = std::env::var_os("SRE_GUIDE_UPDATE").is_some();
    let mut failures = Vec::new();
    let mut ran = 0;
    let codes = codes();
    assert!(codes.len() > 40, "explain lists the codes: {codes:?}");
    for code in &codes {
        if NOT_RUN.iter().any(|(name, _)| name == code) {
            continue;
        }
        let explanation = Site::empty()
            .run_in(Path::new("."), ["explain", code])
            .code(0)
            .stdout;
        let example = example(&explanation);
        let Some(shown) = &example.report else {
            failures.push(format!("{code}: the example shows no ```text report"));
            continue;
        };
        ran += 1;
        match run(code, &example) {
            Ok(report) if &report == shown => {}
            Ok(report) if update => rewrite_report(code, shown, &report),
            Ok(report) => failures.push(format!(
                "{code}: the explanation shows\n{shown}\nbut the binary prints\n{report}"
            )),
            Err(why) => failures.push(why),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert_eq!(ran, codes.len() - NOT_RUN.len(), "every other example ran");
}

/// Writes the report the binary printed into the explanation's source (update mode).
fn rewrite_report(code: &str, shown: &str, report: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src/model/diagnostic/explanations")
        .join(format!("{code}.md"));
    let text = std::fs::read_to_string(&path).unwrap();
    let fence = format!("```text\n{shown}```");
    assert!(text.contains(&fence), "{code}: report block not found");
    std::fs::write(
        &path,
        text.replacen(&fence, &format!("```text\n{report}```"), 1),
    )
    .unwrap();
}

#[test]
fn explain_prints_one_explanation_and_suggests_a_near_code() {
    let site = Site::empty();
    let out = site
        .run_in(Path::new("."), ["explain", "error[link-target-missing]:"])
        .code(0);
    assert!(
        out.stdout
            .starts_with("# `link-target-missing`\n\nA link names a page that does not exist"),
        "{}",
        out.stdout
    );
    site.run_in(Path::new("."), ["explain", "link-taget-missing"])
        .code(2)
        .stderr(
            "error: `link-taget-missing` is not a diagnostic code\n  = help: did you mean `link-target-missing`?\n",
        );
}

#[test]
fn explain_all_is_the_committed_reference_page() {
    let out = Site::empty()
        .run_in(Path::new("."), ["explain", "--all"])
        .code(0);
    let committed =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/diagnostics.md"))
            .unwrap();
    assert!(
        out.stdout == committed,
        "docs/diagnostics.md is out of date"
    );
    for code in codes() {
        assert!(
            committed.contains(&format!("\n### `{code}`\n")),
            "docs/diagnostics.md lacks {code}"
        );
    }
}
