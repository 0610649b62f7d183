//! `build` and `check --message-format`: `json` prints one object per problem on stdout and
//! nothing else there, `github` prints GitHub Actions annotations on stdout beside the human
//! report on stderr, and both give every problem its code, its range and its suggestions.

use serde_json::{Value, json};

use crate::support::Site;

/// The `minimal` fixture with five kinds of problem in four files.
fn five_problems() -> Site {
    Site::fixture("minimal")
        .file("content/notes/third.md", "+++\ntitel = \"Third\"\n+++\nText.\n")
        .file(
            "content/notes/fourth.md",
            "+++\ntitle = \"Fourth\"\n+++\nSee [one](frist.md) and [two](first.md#detail).\n",
        )
        .file(
            "content/notes/fifth.md",
            "+++\ntitle = \"Fifth\"\nweight = \"5\"\n+++\nText.\n",
        )
        .file(
            "content/site.toml",
            "title = \"Minimal\"\nbase_url = \"https://example.org/guide/\"\n\n[[menu]]\ntitle = \"Notes\"\npage = \"note/_index.md\"\n",
        )
}

fn range(start: (u64, u64, u64), end: (u64, u64, u64)) -> Value {
    json!({
        "start": {"line": start.0, "column": start.1, "offset": start.2},
        "end": {"line": end.0, "column": end.1, "offset": end.2},
    })
}

#[test]
fn json_prints_one_parsable_line_per_problem_with_code_range_and_suggestions() {
    let out = five_problems()
        .run(["check", "--message-format", "json"])
        .code(1)
        .stderr("error: found 5 problems\n");
    let lines: Vec<Value> = out
        .stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    let codes: Vec<&str> = lines.iter().map(|l| l["code"].as_str().unwrap()).collect();
    assert_eq!(
        codes,
        [
            "wrong-type",
            "link-target-missing",
            "anchor-missing",
            "unknown-key",
            "page-missing"
        ]
    );
    let link = &lines[1];
    assert_eq!(link["severity"], "error");
    assert_eq!(link["file"], "content/notes/fourth.md");
    assert_eq!(
        link["message"],
        "link target `notes/frist.md` does not exist"
    );
    assert_eq!(link["range"], range((4, 11, 35), (4, 19, 43)));
    assert_eq!(link["help"], "did you mean `first.md`?");
    assert_eq!(link["labels"], json!([]));
    assert_eq!(link["note"], Value::Null);
    assert_eq!(
        link["suggestions"],
        json!([{"range": range((4, 11, 35), (4, 19, 43)), "replacement": "first.md"}])
    );
    assert_eq!(
        link["rendered"],
        "error[link-target-missing]: link target `notes/frist.md` does not exist\n --> content/notes/fourth.md:4:11\n  |\n4 | See [one](frist.md) and [two](first.md#detail).\n  |           ^^^^^^^^\n  |\n  = help: did you mean `first.md`?"
    );
    // The anchor's suggestion replaces the fragment only; the quoted page path keeps its quotes.
    assert_eq!(
        lines[2]["suggestions"],
        json!([{"range": range((4, 39, 63), (4, 46, 70)), "replacement": "#details"}])
    );
    assert_eq!(lines[3]["suggestions"][0]["replacement"], "title");
    assert_eq!(
        lines[4]["suggestions"],
        json!([{"range": range((6, 8, 91), (6, 24, 107)), "replacement": "\"notes/_index.md\""}])
    );
    assert_eq!(
        lines[0]["suggestions"],
        json!([]),
        "no did-you-mean for a type"
    );
}

#[test]
fn json_on_success_keeps_stdout_for_json_and_reports_warnings_as_objects() {
    let out = Site::fixture("minimal")
        .file(
            "content/notes/third.md",
            "+++\ntitle = \"Third\"\nweight = 2\n+++\nText.\n",
        )
        .run(["check", "--message-format", "json"])
        .code(0);
    let warning: Value = serde_json::from_str(out.stdout.trim_end()).expect("one JSON line");
    assert_eq!(warning["code"], "reading-order-tie");
    assert_eq!(warning["severity"], "warning");
    assert!(
        out.stderr.starts_with("checked 5 pages in ")
            && out.stderr.ends_with(" ms: no errors, 1 warning\n"),
        "the summary moves to stderr: {}",
        out.stderr
    );
}

#[test]
fn github_prints_annotations_on_stdout_and_the_report_on_stderr() {
    let site = five_problems();
    let out = site
        .run(["build", "--message-format", "github"])
        .code(1)
        .stderr_contains("error[unknown-key]: unknown field `titel`")
        .stderr_contains("error: found 5 problems; nothing was written\n");
    let root = site.root().display().to_string();
    assert_eq!(
        out.stdout.replace(&root, "$ROOT"),
        "::error file=$ROOT/content/notes/fifth.md,line=3,col=10,endLine=3,endColumn=13,title=wrong-type::invalid type: string \"5\", expected i64%0Ahelp: write a whole number, without quotes: `weight = 2`
::error file=$ROOT/content/notes/fourth.md,line=4,col=11,endLine=4,endColumn=19,title=link-target-missing::link target `notes/frist.md` does not exist%0Ahelp: did you mean `first.md`?
::error file=$ROOT/content/notes/fourth.md,line=4,col=31,endLine=4,endColumn=46,title=anchor-missing::`notes/first.md` has no anchor `#detail`%0Ahelp: did you mean `#details`?
::error file=$ROOT/content/notes/third.md,line=2,col=1,endLine=2,endColumn=6,title=unknown-key::unknown field `titel`, expected one of `title`, `description`, `template`, `weight`, `draft`, `kind`, `extra`%0Ahelp: did you mean `title`?
::error file=$ROOT/content/site.toml,line=6,col=8,endLine=6,endColumn=24,title=page-missing::page `note/_index.md` does not exist%0Ahelp: did you mean `notes/_index.md`?
"
    );
}

#[test]
fn github_names_files_from_the_working_directory() {
    let site = Site::fixture("minimal");
    std::fs::create_dir(site.path("site")).unwrap();
    for folder in ["content", "themes"] {
        std::fs::rename(site.path(folder), site.path(&format!("site/{folder}"))).unwrap();
    }
    let site = site.file(
        "site/content/notes/third.md",
        "+++\ntitle = \"Third\"\n+++\n[x](nope.md)\n",
    );
    let out = site
        .run_in(
            site.root(),
            ["check", "--root", "./site", "--message-format=github"],
        )
        .code(1);
    assert_eq!(
        out.stdout,
        "::error file=site/content/notes/third.md,line=4,col=5,endLine=4,endColumn=12,title=link-target-missing::link target `notes/nope.md` does not exist%0Ahelp: did you mean `second.md`?\n"
    );
}
