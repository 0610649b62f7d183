//! The content lints through the real binary: each lint's report exactly as the terminal prints
//! it, raw HTML as well as Markdown, `[lints]` in site.toml (levels, acronyms, misspellings),
//! the machine-readable formats, and the guide itself — clean as it is, and with the six problems
//! an editor could plant in it each reported at its place.

use serde_json::Value;

use crate::support::Site;
use snapbox::str;

/// The minimal fixture with one more note, `content/notes/third.md`, whose body is `body`
/// (from line 5: the front matter takes four).
fn note(body: &str) -> Site {
    Site::fixture("minimal").file(
        "content/notes/third.md",
        format!("+++\ntitle = \"Third\"\nweight = 3\n+++\n{body}"),
    )
}

/// What stderr ends with when `check` found `errors` problems and `warnings` warnings.
fn count_line(errors: usize, warnings: usize) -> String {
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    let mut line = format!("error: found {errors} problem{}", plural(errors));
    if warnings > 0 {
        line.push_str(&format!(" and {warnings} warning{}", plural(warnings)));
    }
    line + "\n"
}

/// The help of each lint, as every report of it ends.
const ALT_HELP: &str = "= help: say what it shows between the brackets, `![Error budget burn over one week](burn.png)`; an image that is only decoration is written `<img src=\"…\" alt=\"\">`";
const SKIP_HELP: &str = "= help: make it an h3, `### …`, or put an h3 between them: screen-reader users move through a page by heading level";
const H1_HELP: &str = "= help: make it an h2, `## …`, or delete it if it repeats the title (front matter `title` is the page's h1)";
const TABLE_HELP: &str = "= help: name each column in the first row, `| Level | Years |`: screen readers announce every cell with its column's name";
const RAW_TABLE_HELP: &str = "= help: make the cells that name the columns `<th>`, `<th scope=\"col\">Level</th>`, or write the table in Markdown, whose first row is its header";
const CAPS_HELP: &str = "= help: write it in lower case (`**…**` for emphasis): screen readers may spell capitals out letter by letter; an acronym can be added to `acronyms` under `[lints]` in site.toml";

fn vague_help(text: &str) -> String {
    format!(
        "= help: name the target in the text, as in `[the on-call FAQ](faq.md)`: screen readers list a page's links on their own, where `{text}` says nothing"
    )
}

#[test]
fn an_image_without_alt_text_is_an_error_and_raw_alt_empty_marks_decoration() {
    note("![](../files/handout.txt)\n\n<img src=\"a.png\"> <img src=\"b.png\" alt=\"\">\n")
        .run(["check"])
        .code(1)
        .stderr(str![[r#"
error[alt-text-missing]: this image has no alternative text
 --> content/notes/third.md:5:1
  |
5 | ![](../files/handout.txt)
  | ^^^^^^^^^^^^^^^^^^^^^^^^^
  |
  = help: say what it shows between the brackets, `![Error budget burn over one week](burn.png)`; an image that is only decoration is written `<img src="…" alt="">`

error[alt-text-missing]: this `<img>` has no `alt` attribute
 --> content/notes/third.md:7:1
  |
7 | <img src="a.png"> <img src="b.png" alt="">
  | ^^^^^^^^^^^^^^^^^
  |
  = help: write what the image shows, `alt="Error budget burn over one week"`, or `alt=""` if it is only decoration

error: found 2 problems

"#]]);
}

#[test]
fn a_heading_that_skips_a_level_points_at_the_one_before() {
    note("## Tenure\n\n#### Details\n")
        .run(["check"])
        .code(1)
        .stderr(str![[r#"
error[heading-level-skipped]: heading level skipped: an h4 right after an h2
 --> content/notes/third.md:7:1
  |
5 | ## Tenure
  | -- the h2 before it
6 |
7 | #### Details
  | ^^^^
  |
  = help: make it an h3, `### …`, or put an h3 between them: screen-reader users move through a page by heading level

error: found 1 problem

"#]]);
}

#[test]
fn a_body_with_its_own_h1_repeats_the_title() {
    note("# Third\n\nText.\n")
        .run(["check"])
        .code(1)
        .stderr(str![[r#"
error[h1-in-body]: a second h1: the template already shows the page's title as its h1
 --> content/notes/third.md:5:1
  |
5 | # Third
  | ^
  |
  = help: make it an h2, `## …`, or delete it if it repeats the title (front matter `title` is the page's h1)

error: found 1 problem

"#]]);
}

#[test]
fn vague_link_text_is_a_warning_in_any_case_and_a_bare_address_too() {
    note("[Read more…](first.md) or <https://sre.google/>.\n")
        .run(["check"])
        .code(0)
        .stderr(str![[r#"
warning[link-text-vague]: link text `Read more…` does not say where the link goes
 --> content/notes/third.md:5:1
  |
5 | [Read more…](first.md) or <https://sre.google/>.
  | ^^^^^^^^^^^^^^^^^^^^^^
  |
  = help: name the target in the text, as in `[the on-call FAQ](faq.md)`: screen readers list a page's links on their own, where `Read more…` says nothing

warning[link-text-vague]: link text `https://sre.google/` is a bare web address
 --> content/notes/third.md:5:27
  |
5 | [Read more…](first.md) or <https://sre.google/>.
  |                           ^^^^^^^^^^^^^^^^^^^^^
  |
  = help: write what it links to as the text, as in `[the incident review template](https://…)`: screen readers spell an address out


"#]])
        .stdout_contains(": no errors, 2 warnings");
}

#[test]
fn tables_without_a_header_row_are_errors_in_markdown_and_raw_html() {
    note("| | |\n|---|---|\n| Junior | 0–2 |\n\n<table>\n<tr><td>Senior</td></tr>\n</table>\n")
        .run(["check"])
        .code(1)
        .stderr(str![[r#"
error[table-header-missing]: this table's header row is empty
 --> content/notes/third.md:5:1
  |
5 | | | |
  | ^^^^^
  |
  = help: name each column in the first row, `| Level | Years |`: screen readers announce every cell with its column's name

error[table-header-missing]: this `<table>` has no header cells (`<th>`)
 --> content/notes/third.md:9:1
  |
9 | <table>
  | ^^^^^^^
  |
  = help: make the cells that name the columns `<th>`, `<th scope="col">Level</th>`, or write the table in Markdown, whose first row is its header

error: found 2 problems

"#]]);
}

#[test]
fn words_in_capitals_are_warnings_in_pages_and_data_but_not_in_code() {
    note("NEVER PAGE twice; `VERBOSE` is code, and MTTR an acronym.\n")
        .file(
            "content/data/facts.toml",
            "answer = 42\nmotto = \"ALWAYS be paging\"\n",
        )
        .run(["check"])
        .code(0)
        .stderr(str![[r#"
warning[all-caps]: `ALWAYS` is written in capitals
 --> content/data/facts.toml:2:10
  |
2 | motto = "ALWAYS be paging"
  |          ^^^^^^
  |
  = help: write it in lower case (`**…**` for emphasis): screen readers may spell capitals out letter by letter; an acronym can be added to `acronyms` under `[lints]` in site.toml

warning[all-caps]: `NEVER` is written in capitals
 --> content/notes/third.md:5:1
  |
5 | NEVER PAGE twice; `VERBOSE` is code, and MTTR an acronym.
  | ^^^^^
  |
  = help: write it in lower case (`**…**` for emphasis): screen readers may spell capitals out letter by letter; an acronym can be added to `acronyms` under `[lints]` in site.toml


"#]]);
}

#[test]
fn site_toml_sets_each_lint_to_error_warning_or_allow_and_adds_acronyms() {
    let site = note("[here](first.md) and ![](../files/handout.txt), ONCALL.\n");
    let config = site.read("content/site.toml")
        + "\n[lints]\nlink-text-vague = \"error\"\nalt-text-missing = \"allow\"\nacronyms = [\"ONCALL\"]\n";
    site.file("content/site.toml", config)
        .run(["check"])
        .code(1)
        .stderr(str![[r#"
error[link-text-vague]: link text `here` does not say where the link goes
 --> content/notes/third.md:5:1
  |
5 | [here](first.md) and ![](../files/handout.txt), ONCALL.
  | ^^^^^^^^^^^^^^^^
  |
  = help: name the target in the text, as in `[the on-call FAQ](faq.md)`: screen readers list a page's links on their own, where `here` says nothing

error: found 1 problem

"#]]);
}

#[test]
fn an_error_lint_set_to_warning_no_longer_fails_the_build() {
    let site = note("# Third\n");
    let config = site.read("content/site.toml") + "\n[lints]\nh1-in-body = \"warning\"\n";
    let site = site.file("content/site.toml", config);
    site.run(["build"])
        .code(0)
        .stderr_contains("warning[h1-in-body]: a second h1")
        .stdout_contains("built 5 pages");
    assert!(
        site.read("output/notes/third/index.html")
            .contains("<h1 id=\"third\">")
    );
}

#[test]
fn unknown_lints_and_levels_get_a_did_you_mean() {
    let site = Site::fixture("minimal");
    let config = site.read("content/site.toml")
        + "\n[lints]\nall-cap = \"allow\"\nh1-in-body = \"warn\"\nanchor-missing = \"allow\"\n";
    site.file("content/site.toml", config)
        .run(["check"])
        .code(1)
        .stderr(str![[r#"
error[unknown-key]: unknown lint `all-cap`
  --> content/site.toml:12:1
   |
12 | all-cap = "allow"
   | ^^^^^^^
   |
   = help: did you mean `all-caps`?

error[invalid-value]: `warn` is not a lint level
  --> content/site.toml:13:14
   |
13 | h1-in-body = "warn"
   |              ^^^^^^
   |
   = help: did you mean `warning`?

error[unknown-key]: `anchor-missing` is not a lint: only lints can be set in `[lints]`
  --> content/site.toml:14:1
   |
14 | anchor-missing = "allow"
   | ^^^^^^^^^^^^^^
   |
   = help: the lints are `alt-text-missing`, `heading-level-skipped`, `h1-in-body`, `link-text-vague`, `table-header-missing`, `all-caps`; `acronyms` lists words allowed in capitals

error: found 3 problems

"#]]);
}

#[test]
fn lints_reach_the_machine_readable_formats_with_their_codes() {
    let site = note("## Overview\n\n#### Deep\n\n[link](first.md)\n");
    let out = site.run(["check", "--message-format", "json"]).code(1);
    let found: Vec<(String, String, u64)> = out
        .stdout
        .lines()
        .map(|line| {
            let value: Value = serde_json::from_str(line).expect("a JSON line");
            (
                value["code"].as_str().unwrap_or_default().to_string(),
                value["severity"].as_str().unwrap_or_default().to_string(),
                value["range"]["start"]["line"].as_u64().unwrap_or_default(),
            )
        })
        .collect();
    let expected = [
        ("heading-level-skipped", "error", 7),
        ("link-text-vague", "warning", 9),
    ];
    let expected: Vec<(String, String, u64)> = expected
        .iter()
        .map(|(code, severity, line)| (code.to_string(), severity.to_string(), *line))
        .collect();
    assert_eq!(found, expected, "{}", out.stdout);
    let out = site.run(["check", "--message-format", "github"]).code(1);
    let root = site.root().display().to_string();
    assert!(
        out.stdout.replace(&root, "$ROOT").contains(
            "::warning file=$ROOT/content/notes/third.md,line=9,col=1,endLine=9,endColumn=17,title=link-text-vague::"
        ),
        "{}",
        out.stdout
    );
}

#[test]
fn the_guide_itself_has_nothing_to_lint() {
    let out = Site::repo().run(["check"]).code(0).stderr("");
    assert!(out.stdout.ends_with(" ms: no problems\n"), "{}", out.stdout);
}

/// A copy of the guide with the six problems the issue names: an image without alt text, a
/// skipped heading level, link text that says nothing, a table without a header row (Markdown
/// and raw HTML), a body with its own h1, and a data string and a heading in capitals.
fn guide_with_planted_problems() -> Site {
    let site = Site::repo();
    let ladder =
        site.read("content/data/ladder.toml")
            .replacen("plateau = \"", "plateau = \"NEVER ", 1);
    site.file("content/data/ladder.toml", ladder)
        .file("content/team.png", [0x89, b'P', b'N', b'G'])
        .file(
            "content/team.md",
            "+++\ntitle = \"The team\"\nweight = 50\n+++\n# The team\n\n![](team.png)\n\n\
             ## Tenure\n\n#### Details\n\n\
             Questions? [click here](phases/staff.md), read [here](faq.md) or follow [link](https://sre.google/).\n\n\
             | | |\n|---|---|\n| Junior | 0–2 years |\n\n\
             <table>\n  <tr><td>Senior</td><td>4–7 years</td></tr>\n</table>\n\n\
             ## ESCALATION POLICY\n",
        )
}

#[test]
fn the_six_planted_problems_are_each_reported_at_their_place_with_help() {
    let site = guide_with_planted_problems();
    let ladder = site.read("content/data/ladder.toml");
    let line = ladder
        .lines()
        .position(|line| line.contains("\"NEVER "))
        .expect("the planted plateau")
        + 1;
    let written = ladder.lines().nth(line - 1).expect("the line");
    let column = written.find("NEVER").expect("the word") + 1;
    let gutter = " ".repeat(line.to_string().len());
    let marker = " ".repeat(column - 1) + "^^^^^";
    let link = "Questions? [click here](phases/staff.md), read [here](faq.md) or follow [link](https://sre.google/).";
    site.run(["check"]).code(1).stderr(format!(
        "warning[all-caps]: `NEVER` is written in capitals
{gutter}--> content/data/ladder.toml:{line}:{column}
{gutter} |
{line} | {written}
{gutter} | {marker}
{gutter} |
{gutter} {CAPS_HELP}

error[h1-in-body]: a second h1: the template already shows the page's title as its h1
 --> content/team.md:5:1
  |
5 | # The team
  | ^
  |
  {H1_HELP}

error[alt-text-missing]: this image has no alternative text
 --> content/team.md:7:1
  |
7 | ![](team.png)
  | ^^^^^^^^^^^^^
  |
  {ALT_HELP}

error[heading-level-skipped]: heading level skipped: an h4 right after an h2
  --> content/team.md:11:1
   |
 9 | ## Tenure
   | -- the h2 before it
10 |
11 | #### Details
   | ^^^^
   |
   {SKIP_HELP}

warning[link-text-vague]: link text `click here` does not say where the link goes
  --> content/team.md:13:12
   |
13 | {link}
   |            ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
   |
   {}

warning[link-text-vague]: link text `here` does not say where the link goes
  --> content/team.md:13:48
   |
13 | {link}
   |                                                ^^^^^^^^^^^^^^
   |
   {}

warning[link-text-vague]: link text `link` does not say where the link goes
  --> content/team.md:13:73
   |
13 | {link}
   |                                                                         ^^^^^^^^^^^^^^^^^^^^^^^^^^^
   |
   {}

error[table-header-missing]: this table's header row is empty
  --> content/team.md:15:1
   |
15 | | | |
   | ^^^^^
   |
   {TABLE_HELP}

error[table-header-missing]: this `<table>` has no header cells (`<th>`)
  --> content/team.md:19:1
   |
19 | <table>
   | ^^^^^^^
   |
   {RAW_TABLE_HELP}

warning[all-caps]: `ESCALATION POLICY` is written in capitals
  --> content/team.md:23:4
   |
23 | ## ESCALATION POLICY
   |    ^^^^^^^^^^^^^^^^^
   |
   {CAPS_HELP}

{}",
        vague_help("click here"),
        vague_help("here"),
        vague_help("link"),
        count_line(5, 5)
    ));
}

#[test]
fn allowing_a_lint_in_site_toml_silences_it_in_the_planted_guide() {
    let site = guide_with_planted_problems();
    let config = site.read("content/site.toml") + "\n[lints]\nall-caps = \"allow\"\n";
    let out = site
        .file("content/site.toml", config)
        .run(["check"])
        .code(1)
        .stderr_lacks("all-caps")
        .stderr_contains("error[h1-in-body]")
        .stderr_contains("warning[link-text-vague]");
    assert!(out.stderr.ends_with(&count_line(5, 3)), "{}", out.stderr);
}

/// The committed schema of site.toml knows `[lints]` as the loader does: each lint's three
/// levels and `acronyms`, nothing else.
#[test]
fn the_site_schema_takes_the_lints_the_loader_takes() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/schemas/site.schema.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let validator = jsonschema::draft202012::new(&schema).expect("a valid schema");
    let site = |lints: &str| -> (bool, Option<i32>) {
        let text = format!(
            "title = \"Minimal\"\nbase_url = \"https://example.org/\"\ntheme = \"default\"\n\n[lints]\n{lints}"
        );
        let table: toml::Table = toml::from_str(&text).unwrap();
        let valid = validator.is_valid(&serde_json::to_value(table).unwrap());
        let loaded = Site::fixture("minimal")
            .file("content/site.toml", text)
            .run(["check"])
            .exit_code();
        (valid, loaded)
    };
    assert_eq!(
        site("all-caps = \"error\"\nh1-in-body = \"allow\"\nacronyms = [\"ONCALL\"]\n"),
        (true, Some(0))
    );
    for bad in [
        "all-caps = \"loud\"\n",
        "all-cap = \"allow\"\n",
        "anchor-missing = \"allow\"\n",
        "acronyms = \"ONCALL\"\n",
    ] {
        assert_eq!(site(bad), (false, Some(1)), "{bad}");
    }
}

/// The language server reports the lints of unsaved text as the terminal does: the same code,
/// message, help and place, errors as errors and warnings as warnings; a fix clears them.
#[test]
fn the_language_server_reports_lints_in_unsaved_text() {
    use crate::lsp::{Client, uri};
    let site = note("Text.\n");
    let root = site.root().canonicalize().unwrap();
    let (mut client, _) = Client::start(&root);
    let path = "content/notes/third.md";
    let linted = "+++\ntitle = \"Third\"\nweight = 3\n+++\n# Third\n\nSee [here](first.md).\n";
    client.notify(
        "textDocument/didOpen",
        serde_json::json!({"textDocument": {"uri": uri(&root.join(path)), "languageId": "markdown", "version": 1, "text": linted}}),
    );
    let within = std::time::Duration::from_secs(30);
    let found = client
        .diagnostics_for(&root, path, within, |d| {
            d.as_array().is_some_and(|d| d.len() == 2)
        })
        .expect("the lints of the unsaved text");
    let shown: Vec<(String, u64, u64, u64, String)> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or_default().to_string(),
                d["severity"].as_u64().unwrap_or_default(),
                d["range"]["start"]["line"].as_u64().unwrap_or_default(),
                d["range"]["start"]["character"]
                    .as_u64()
                    .unwrap_or_default(),
                d["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            (
                "h1-in-body".to_string(),
                1,
                4,
                0,
                format!(
                    "a second h1: the template already shows the page's title as its h1\nhelp: {}",
                    H1_HELP.trim_start_matches("= help: ")
                )
            ),
            (
                "link-text-vague".to_string(),
                2,
                6,
                4,
                format!(
                    "link text `here` does not say where the link goes\nhelp: {}",
                    vague_help("here").trim_start_matches("= help: ")
                )
            ),
        ]
    );
    client.notify(
        "textDocument/didChange",
        serde_json::json!({"textDocument": {"uri": uri(&root.join(path)), "version": 2}, "contentChanges": [{"text": "+++\ntitle = \"Third\"\nweight = 3\n+++\nSee [the first note](first.md).\n"}]}),
    );
    client
        .diagnostics_for(&root, path, within, |d| {
            d.as_array().is_some_and(Vec::is_empty)
        })
        .expect("the lints gone with the fix");
    client.shut_down();
}

/// A change to `[lints]` reaches pages the language server remembers from an earlier analysis
/// (a closed page's lints go when site.toml, unsaved, allows them).
#[test]
fn the_language_server_follows_a_change_to_the_lints_in_site_toml() {
    use crate::lsp::{Client, uri};
    let site = note("See [here](first.md).\n");
    let root = site.root().canonicalize().unwrap();
    let (mut client, _) = Client::start(&root);
    let within = std::time::Duration::from_secs(30);
    let config = site.read("content/site.toml");
    let open_config = serde_json::json!({"textDocument": {"uri": uri(&root.join("content/site.toml")), "languageId": "toml", "version": 1, "text": config}});
    client.notify("textDocument/didOpen", open_config);
    let page = "content/notes/third.md";
    client
        .diagnostics_for(&root, page, within, |d| {
            d[0]["code"] == "link-text-vague" && d.as_array().is_some_and(|d| d.len() == 1)
        })
        .expect("the closed page's lint");
    let allowed = config + "\n[lints]\nlink-text-vague = \"allow\"\n";
    client.notify(
        "textDocument/didChange",
        serde_json::json!({"textDocument": {"uri": uri(&root.join("content/site.toml")), "version": 2}, "contentChanges": [{"text": allowed}]}),
    );
    client
        .diagnostics_for(&root, page, within, |d| {
            d.as_array().is_some_and(Vec::is_empty)
        })
        .expect("the lint gone with `allow`");
    client.shut_down();
}
