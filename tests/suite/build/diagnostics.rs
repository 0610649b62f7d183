//! Diagnostics an editor can cause, asserted whole: file:line:col, the caret line and the help.

use super::*;

#[test]
fn unknown_front_matter_key_points_at_it_with_a_did_you_mean() {
    Site::fixture("minimal")
        .file("content/extra.md", "+++\ntitel = \"Extra\"\n+++\n")
        .run(["check"])
        .code(1)
        .stderr(str![[r#"
error[unknown-key]: unknown field `titel`, expected one of `title`, `description`, `template`, `weight`, `draft`, `kind`, `extra`
 --> content/extra.md:2:1
  |
2 | titel = "Extra"
  | ^^^^^
  |
  = help: did you mean `title`?

error: found 1 problem

"#]]);
}

#[test]
fn missing_title_is_an_error_with_help() {
    Site::fixture("minimal")
        .file(
            "content/extra.md",
            "+++\ndescription = \"No title\"\n+++\nBody.\n",
        )
        .run(["check"])
        .code(1)
        .stderr(str![[r#"
error[missing-key]: missing field `title`
 --> content/extra.md:2:1
  |
2 | description = "No title"
  | ^
  |
  = help: add `title = …` here; README.md, "Content model", lists every key

error: found 1 problem

"#]]);
}

#[test]
fn front_matter_never_closed_points_at_the_opening_fence() {
    Site::fixture("minimal")
        .file("content/extra.md", "+++\ntitle = \"Open\"\nBody.\n")
        .run(["check"])
        .code(1)
        .stderr(str![[r#"
error[front-matter-unclosed]: front matter is never closed
 --> content/extra.md:1:1
  |
1 | +++
  | ^^^
  |
  = help: add a line holding only `+++` after the last front matter key

error: found 1 problem

"#]]);
}

#[test]
fn a_page_without_front_matter_is_an_error() {
    Site::fixture("minimal")
        .file("content/extra.md", "# Just Markdown\n")
        .run(["check"])
        .code(1)
        .stderr(str![[r#"
error[front-matter-missing]: this page has no front matter
 --> content/extra.md:1:1
  |
1 | # Just Markdown
  | ^
  |
  = help: start the file with a `+++` line, then `title = "…"`, then another `+++` line

error: found 1 problem

"#]]);
}

#[test]
fn an_empty_page_is_a_diagnostic_not_a_panic() {
    Site::fixture("minimal")
        .file("content/extra.md", "")
        .run(["check"])
        .code(1)
        .stderr(str![[r#"
error[front-matter-missing]: this page has no front matter
 --> content/extra.md:1:1
  |
1 |
  | ^
  |
  = help: start the file with a `+++` line, then `title = "…"`, then another `+++` line

error: found 1 problem

"#]]);
}

#[test]
fn invalid_utf8_points_at_the_first_bad_byte() {
    Site::fixture("minimal")
        .file("content/extra.md", b"+++\ntitle = \"caf\xe9\"\n+++\n")
        .run(["check"])
        .code(1)
        .stderr(str![[r#"
error[not-utf8]: this file is not valid UTF-8 text
 --> content/extra.md:2:13
  |
2 | title = "caf�"
  |             ^
  |
  = help: save it as UTF-8; binary files that are not pages belong outside .md names

error: found 1 problem

"#]]);
}

/// Deterministic "binary" bytes: every byte value, NULs and invalid UTF-8 included.
fn binary_bytes() -> Vec<u8> {
    let mut bytes = b"\x7fELF\x02\x01\x01\x00".to_vec();
    bytes.extend((0..=255u8).cycle().take(600));
    bytes
}

#[test]
fn a_binary_file_named_md_is_a_diagnostic() {
    let out = Site::fixture("minimal")
        .file("content/blob.md", binary_bytes())
        .run(["build"])
        .code(1)
        .stderr_contains(
            "error[not-utf8]: this file is not valid UTF-8 text\n --> content/blob.md:2:",
        )
        .stderr_contains(
            "= help: save it as UTF-8; binary files that are not pages belong outside .md names",
        );
    assert!(out.stderr.ends_with(&build_count_line(1)), "{}", out.stderr);
}

#[test]
fn a_binary_file_that_is_not_a_page_is_copied_as_it_is() {
    let site = Site::fixture("minimal").file("content/files/blob.bin", binary_bytes());
    site.run(["build"]).code(0).stdout_contains("built 4 pages");
    assert_eq!(
        std::fs::read(site.path("output/files/blob.bin")).expect("copied"),
        binary_bytes()
    );
}

#[test]
fn a_symlink_loop_under_content_is_a_diagnostic() {
    Site::fixture("minimal")
        .symlink("..", "content/notes/loop")
        .run(["check"])
        .code(1)
        .stderr(str![[r#"
error[symlink-broken]: `content/notes/loop` is a symbolic link to a folder that contains it
--> content/notes/loop
 = help: remove the link, or point it outside this folder

error: found 1 problem

"#]]);
}

#[test]
fn a_page_that_cannot_be_read_is_a_diagnostic() {
    // A dangling symlink cannot be read even by root, unlike a chmod 000 file.
    Site::fixture("minimal")
        .symlink("nowhere.md", "content/notes/gone.md")
        .run(["check"])
        .code(1)
        .stderr(str![[r#"
error[symlink-broken]: `content/notes/gone.md` is a symbolic link to `nowhere.md`, which does not exist
--> content/notes/gone.md
 = help: point the link at an existing file, or remove it

error: found 1 problem

"#]]);
}

#[test]
fn a_page_without_read_permission_is_a_diagnostic_unless_the_os_allows_reading_it() {
    use std::os::unix::fs::PermissionsExt;
    let site = Site::fixture("minimal").file("content/locked.md", "+++\ntitle = \"L\"\n+++\n");
    let path = site.path("content/locked.md");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    if std::fs::read(&path).is_ok() {
        // Root (CAP_DAC_OVERRIDE) reads it anyway, and so does sre-guide: the page is fine.
        eprintln!("note: running with read-anything privileges; chmod 000 does not block reads");
        site.run(["check"]).code(0);
        return;
    }
    site.run(["check"])
        .code(1)
        .stderr_contains(
            "error[file-unreadable]: cannot read `content/locked.md`: Permission denied",
        )
        .stderr_contains("= help: check the file's permissions");
}

#[test]
fn a_toml_syntax_error_in_a_data_file_is_at_file_line_col() {
    Site::fixture("minimal")
        .file(
            "content/data/facts.toml",
            "answer = 42\nnames = [\"ada\",\n  \"grace\" \"x\"]\n",
        )
        .run(["check"])
        .code(1)
        .stderr(str![[r#"
error[toml-syntax]: missing comma between array elements, expected `,`
 --> content/data/facts.toml:3:11
  |
3 |   "grace" "x"]
  |           ^
  |
  = help: separate the items of a list with commas: `["a", "b"]`

error: found 1 problem

"#]]);
}

#[test]
fn a_broken_internal_link_suggests_the_nearest_page() {
    Site::fixture("minimal")
        .file(
            "content/notes/third.md",
            "+++\ntitle = \"Third\"\n+++\nSee [the first](frist.md).\n",
        )
        .run(["check"])
        .code(1)
        .stderr(str![[r#"
error[link-target-missing]: link target `notes/frist.md` does not exist
 --> content/notes/third.md:4:17
  |
4 | See [the first](frist.md).
  |                 ^^^^^^^^
  |
  = help: did you mean `first.md`?

error: found 1 problem

"#]]);
}

#[test]
fn a_missing_anchor_suggests_the_nearest_id() {
    Site::fixture("minimal")
        .file(
            "content/notes/third.md",
            "+++\ntitle = \"Third\"\n+++\nSee [details](first.md#detail) and [the end](#nope).\n",
        )
        .run(["check"])
        .code(1)
        .stderr(str![[r#"
error[anchor-missing]: `notes/first.md` has no anchor `#detail`
 --> content/notes/third.md:4:15
  |
4 | See [details](first.md#detail) and [the end](#nope).
  |               ^^^^^^^^^^^^^^^
  |
  = help: did you mean `#details`?

error[anchor-missing]: `notes/third.md` has no anchor `#nope`
 --> content/notes/third.md:4:46
  |
4 | See [details](first.md#detail) and [the end](#nope).
  |                                              ^^^^^
  |
  = help: link to a heading's id (shown by its # link), or set one with `## Heading {#id}`

error: found 2 problems

"#]]);
}

#[test]
fn a_link_outside_content_is_an_error() {
    Site::fixture("minimal")
        .file(
            "content/notes/third.md",
            "+++\ntitle = \"Third\"\n+++\n[up](../../README.md)\n",
        )
        .run(["check"])
        .code(1)
        .stderr(str![[r#"
error[link-outside-content]: link `../../README.md` points outside `content/`
 --> content/notes/third.md:4:6
  |
4 | [up](../../README.md)
  |      ^^^^^^^^^^^^^^^
  |
  = help: link to a page's .md file inside content/, e.g. `/faq.md`

error: found 1 problem

"#]]);
}

#[test]
fn two_sources_for_one_url_name_both_files() {
    // Neither is rendered (their template would fail: a second error), and a link to one of
    // them is not a second error either.
    Site::fixture("minimal")
        .file(
            "themes/default/templates/boom.html",
            "{{ page.nothing.here }}",
        )
        .file(
            "content/a.md",
            "+++\ntitle = \"A\"\ntemplate = \"boom.html\"\n+++\n",
        )
        .file(
            "content/a/_index.md",
            "+++\ntitle = \"A again\"\ntemplate = \"boom.html\"\n+++\n",
        )
        .file("content/b.md", "+++\ntitle = \"B\"\n+++\nSee [A](a.md).\n")
        .run(["check"])
        .code(1)
        .stderr(str![[r#"
error[output-clash]: `content/a.md` and `content/a/_index.md` are both published at /a/
 --> content/a/_index.md:1:1
  |
1 | +++
  | ^
  |
  = help: rename or remove one of them

error: found 1 problem

"#]]);
}

#[test]
fn a_template_syntax_error_is_at_template_file_line_col() {
    Site::fixture("minimal")
        .file(
            "themes/default/templates/section.html",
            "{% extends \"base.html\" %}\n{% block content %}\n<h1>{{ page.title }</h1>\n{% endblock content %}\n",
        )
        .run(["check"])
        .code(1)
        .stderr(str![[r#"
error[template-syntax]: Found `}` but expected }}.
 --> themes/default/templates/section.html:3:19
  |
3 | <h1>{{ page.title }</h1>
  |                   ^
  |
  = help: Tera writes expressions as {{ … }}, tags as {% … %} and comments as {# … #}; see https://keats.github.io/tera/docs/

error: found 1 problem

"#]]);
}

#[test]
fn a_template_calling_url_with_a_missing_page_points_at_the_call_once() {
    let site = Site::fixture("minimal");
    let base = site
        .read("themes/default/templates/base.html")
        .replace("url(path='index.md')", "url(path='notes/thrid.md')");
    site.file("themes/default/templates/base.html", base)
        .run(["check"])
        .code(1)
        .stderr(str![[r#"
error[template-render]: url(): page `notes/thrid.md` does not exist
  --> themes/default/templates/base.html:13:13
   |
13 | <a href="{{ url(path='notes/thrid.md') }}">{{ site.title }}</a>
   |             ^^^^^^^^^^^^^^^^^^^^^^^^^^
   |
   = note: while rendering content/index.md and 3 other pages
   = help: did you mean `notes/first.md`?

error: found 1 problem

"#]]);
}

#[test]
fn a_template_asking_page_data_for_an_unlike_page_says_how_to_name_one() {
    let site = Site::fixture("minimal");
    let base = site
        .read("themes/default/templates/base.html")
        .replace("url(path='index.md')", "page_data(path='zzz')");
    site.file("themes/default/templates/base.html", base)
        .run(["check"])
        .code(1)
        .stderr(str![[r#"
error[template-render]: page_data(): page `zzz` does not exist
  --> themes/default/templates/base.html:13:13
   |
13 | <a href="{{ page_data(path='zzz') }}">{{ site.title }}</a>
   |             ^^^^^^^^^^^^^^^^^^^^^
   |
   = note: while rendering content/index.md and 3 other pages
   = help: name a page by its path below content/, e.g. `phases/junior.md`

error: found 1 problem

"#]]);
}

#[test]
fn a_page_that_fails_to_load_is_not_also_a_missing_link_target() {
    // notes/first.md links to `/index.md`; the one problem is index.md's front matter.
    Site::fixture("minimal")
        .file("content/index.md", "+++\ntitel = \"Home\"\n+++\n")
        .run(["check"])
        .code(1)
        .stderr_contains("help: did you mean `title`?")
        .stderr_lacks("link target `index.md` does not exist")
        .stderr_contains(&count_line(1));
}

#[test]
fn a_missing_anchor_asked_of_url_in_a_parent_template_points_at_the_call() {
    let site = Site::fixture("minimal");
    let base = site
        .read("themes/default/templates/base.html")
        .replace("url(path='index.md')", "url(path='notes/first.md#nope')");
    site.file("themes/default/templates/base.html", base)
        .run(["check"])
        .code(1)
        .stderr(str![[r#"
error[anchor-missing]: `notes/first.md` has no anchor `#nope`
  --> themes/default/templates/base.html:13:23
   |
13 | <a href="{{ url(path='notes/first.md#nope') }}">{{ site.title }}</a>
   |                       ^^^^^^^^^^^^^^^^^^^
   |
   = help: link to an id the target page has

error: found 1 problem

"#]]);
}

#[test]
fn an_unknown_template_in_front_matter_suggests_the_nearest() {
    Site::fixture("minimal")
        .file(
            "content/notes/third.md",
            "+++\ntitle = \"Third\"\ntemplate = \"pgae.html\"\n+++\n",
        )
        .run(["check"])
        .code(1)
        .stderr(str![[r#"
error[page-template-missing]: template `pgae.html` is not in the theme
 --> content/notes/third.md:3:12
  |
3 | template = "pgae.html"
  |            ^^^^^^^^^^^
  |
  = help: did you mean `page.html`?

error: found 1 problem

"#]]);
}

#[test]
fn every_error_of_a_run_is_reported_sorted_then_the_count() {
    Site::fixture("minimal")
        .file(
            "content/e.md",
            "+++\ntitle = \"E\"\nweight = \"heavy\"\n+++\n",
        )
        .file("content/data/bad.toml", "x = \n")
        .file("content/f.md", "+++\ntitle = \"F\"\n+++\n[a](nope.md)\n")
        .run(["build"])
        .code(1)
        .stderr(str![[r#"
error[toml-syntax]: string values must be quoted, expected literal string
 --> content/data/bad.toml:1:5
  |
1 | x = 
  |     ^
  |
  = help: put text in double quotes: `x = ""`

error[wrong-type]: invalid type: string "heavy", expected i64
 --> content/e.md:3:10
  |
3 | weight = "heavy"
  |          ^^^^^^^
  |
  = help: write a whole number, without quotes: `weight = 2`

error[link-target-missing]: link target `nope.md` does not exist
 --> content/f.md:4:5
  |
4 | [a](nope.md)
  |     ^^^^^^^
  |
  = help: name a .md file under content/, relative to content/ (e.g. `phases/junior.md`)

error: found 3 problems; nothing was written

"#]]);
}

#[test]
fn a_missing_content_folder_is_an_environment_failure() {
    let site = Site::fixture("minimal").remove("content");
    for command in ["check", "build"] {
        site.run([command]).code(2).stderr(str![[r#"
error: no `content/` folder in $ROOT; run sre-guide in a site root or pass --root DIR

"#]]);
    }
    assert!(!site.path("output").exists());
}

#[test]
fn diagnostics_are_plain_text_without_a_terminal() {
    // The runner sets NO_COLOR and stderr is a file: no escape sequences either way.
    let out = Site::fixture("minimal")
        .file("content/extra.md", "")
        .run(["check"])
        .code(1);
    assert!(!out.stderr.contains('\u{1b}'), "{:?}", out.stderr);
}

#[test]
fn past_fifty_problems_of_a_code_one_line_counts_the_rest_and_all_errors_shows_them() {
    let links: String = (0..60)
        .map(|n| format!("[l{n}](missing-{n}.md)\n"))
        .collect();
    let site = Site::fixture("minimal")
        .file(
            "content/many.md",
            format!("+++\ntitle = \"Many\"\n+++\n{links}"),
        )
        .file(
            "content/other.md",
            "+++\ntitle = \"Other\"\ntemplate = \"nope.html\"\n+++\n",
        );
    let all = site.run(["check", "--all-errors"]).code(1);
    let reports: Vec<&str> = all.stderr.split("\n\n").collect();
    assert_eq!(reports.len(), 62, "60 links, 1 template, the count line");
    assert_eq!(reports[61], "error: found 61 problems\n");
    // Capped: the first 50 links as `--all-errors` prints them, the template problem, then one
    // line for the other 10 links, and the same count.
    let expected = format!(
        "{}\n\n{}\n\nnote: 10 more [link-target-missing] problems not shown; `--all-errors` \
         shows them\n\n{}",
        reports[..50].join("\n\n"),
        reports[60],
        reports[61]
    );
    assert!(
        reports[60].contains("template `nope.html`"),
        "{}",
        reports[60]
    );
    site.run(["check"]).code(1).stderr(expected);
    site.run(["build"])
        .code(1)
        .stderr_contains("note: 10 more [link-target-missing] problems not shown")
        .stderr_contains("error: found 61 problems; nothing was written");
}
