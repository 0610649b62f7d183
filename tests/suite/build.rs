//! `sre-guide build` and `sre-guide check` on the minimal fixture and on the guide itself: exit
//! codes, whole diagnostics (file:line:col, the caret line, help), and the files written — pretty
//! URLs, relative links that resolve on disk and under a subpath, atomic and reproducible output.

use std::path::Path;

use crate::support::{Site, tree};

/// What stderr ends with when `check` found `n` problems.
fn count_line(n: usize) -> String {
    format!(
        "error: found {n} problem{}\n",
        if n == 1 { "" } else { "s" }
    )
}

/// What stderr ends with when `build` found `n` problems.
fn build_count_line(n: usize) -> String {
    count_line(n).replace('\n', "; nothing was written\n")
}

/// The whole stderr of a `check` that found exactly the one problem `report`.
fn only(report: &str) -> String {
    format!("{report}\n{}", count_line(1))
}

// ---------------------------------------------------------------------------------------------
// Diagnostics an editor can cause, asserted whole.
// ---------------------------------------------------------------------------------------------

#[test]
fn unknown_front_matter_key_points_at_it_with_a_did_you_mean() {
    Site::fixture("minimal")
        .file("content/extra.md", "+++\ntitel = \"Extra\"\n+++\n")
        .run(["check"])
        .code(1)
        .stderr(&only(
            r#"error: unknown field `titel`, expected one of `title`, `description`, `template`, `weight`, `draft`, `extra`
 --> content/extra.md:2:1
  |
2 | titel = "Extra"
  | ^^^^^
  |
  = help: did you mean `title`?
"#,
        ));
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
        .stderr(&only(
            r#"error: missing field `title`
 --> content/extra.md:2:1
  |
2 | description = "No title"
  | ^
  |
  = help: add `title = …` here; README.md, "Content model", lists every key
"#,
        ));
}

#[test]
fn front_matter_never_closed_points_at_the_opening_fence() {
    Site::fixture("minimal")
        .file("content/extra.md", "+++\ntitle = \"Open\"\nBody.\n")
        .run(["check"])
        .code(1)
        .stderr(&only(
            r#"error: front matter is never closed
 --> content/extra.md:1:1
  |
1 | +++
  | ^^^
  |
  = help: add a line holding only `+++` after the last front matter key
"#,
        ));
}

#[test]
fn a_page_without_front_matter_is_an_error() {
    Site::fixture("minimal")
        .file("content/extra.md", "# Just Markdown\n")
        .run(["check"])
        .code(1)
        .stderr(&only(
            r#"error: this page has no front matter
 --> content/extra.md:1:1
  |
1 | # Just Markdown
  | ^
  |
  = help: start the file with a `+++` line, then `title = "…"`, then another `+++` line
"#,
        ));
}

#[test]
fn an_empty_page_is_a_diagnostic_not_a_panic() {
    Site::fixture("minimal")
        .file("content/extra.md", "")
        .run(["check"])
        .code(1)
        .stderr(&only(
            r#"error: this page has no front matter
 --> content/extra.md:1:1
  |
1 |
  | ^
  |
  = help: start the file with a `+++` line, then `title = "…"`, then another `+++` line
"#,
        ));
}

#[test]
fn invalid_utf8_points_at_the_first_bad_byte() {
    Site::fixture("minimal")
        .file("content/extra.md", b"+++\ntitle = \"caf\xe9\"\n+++\n")
        .run(["check"])
        .code(1)
        .stderr(&only(
            "error: this file is not valid UTF-8 text
 --> content/extra.md:2:13
  |
2 | title = \"caf\u{fffd}\"
  |             ^
  |
  = help: save it as UTF-8; binary files that are not pages belong outside .md names
",
        ));
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
        .stderr_contains("error: this file is not valid UTF-8 text\n --> content/blob.md:2:")
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
        .stderr(&only(
            "error: `content/notes/loop` is a symbolic link to a folder that contains it
 --> content/notes/loop
 |
 = help: remove the link, or point it outside this folder
",
        ));
}

#[test]
fn a_page_that_cannot_be_read_is_a_diagnostic() {
    // A dangling symlink cannot be read even by root, unlike a chmod 000 file.
    Site::fixture("minimal")
        .symlink("nowhere.md", "content/notes/gone.md")
        .run(["check"])
        .code(1)
        .stderr(&only(
            "error: `content/notes/gone.md` is a symbolic link to `nowhere.md`, which does not exist
 --> content/notes/gone.md
 |
 = help: point the link at an existing file, or remove it
",
        ));
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
        .stderr_contains("error: cannot read `content/locked.md`: Permission denied")
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
        .stderr(&only(
            r#"error: missing comma between array elements, expected `,`
 --> content/data/facts.toml:3:11
  |
3 |   "grace" "x"]
  |           ^
  |
  = help: separate the items of a list with commas: `["a", "b"]`
"#,
        ));
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
        .stderr(&only(
            "error: link target `notes/frist.md` does not exist
 --> content/notes/third.md:4:17
  |
4 | See [the first](frist.md).
  |                 ^^^^^^^^
  |
  = help: did you mean `first.md`?
",
        ));
}

#[test]
fn a_missing_anchor_suggests_the_nearest_id() {
    Site::fixture("minimal")
        .file(
            "content/notes/third.md",
            "+++\ntitle = \"Third\"\n+++\nSee [details](first.md#detail) and [here](#nope).\n",
        )
        .run(["check"])
        .code(1)
        .stderr(&format!(
            "{}\n{}\n{}",
            "error: `notes/first.md` has no anchor `#detail`
 --> content/notes/third.md:4:15
  |
4 | See [details](first.md#detail) and [here](#nope).
  |               ^^^^^^^^^^^^^^^
  |
  = help: did you mean `#details`?
",
            "error: `notes/third.md` has no anchor `#nope`
 --> content/notes/third.md:4:43
  |
4 | See [details](first.md#detail) and [here](#nope).
  |                                           ^^^^^
  |
  = help: link to a heading's id (shown by its # link), or set one with `## Heading {#id}`
",
            count_line(2)
        ));
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
        .stderr(&only(
            "error: link `../../README.md` points outside `content/`
 --> content/notes/third.md:4:6
  |
4 | [up](../../README.md)
  |      ^^^^^^^^^^^^^^^
  |
  = help: link to a page's .md file inside content/, e.g. `/faq.md`
",
        ));
}

#[test]
fn two_sources_for_one_url_name_both_files() {
    Site::fixture("minimal")
        .file("content/a.md", "+++\ntitle = \"A\"\n+++\n")
        .file("content/a/_index.md", "+++\ntitle = \"A again\"\n+++\n")
        .run(["check"])
        .code(1)
        .stderr(&only(
            "error: `content/a.md` and `content/a/_index.md` are both published at /a/
 --> content/a/_index.md:1:1
  |
1 | +++
  | ^
  |
  = help: rename or remove one of them
",
        ));
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
        .stderr(&only(
            "error: Found `}` but expected }}.
 --> themes/default/templates/section.html:3:19
  |
3 | <h1>{{ page.title }</h1>
  |                   ^
  |
  = help: Tera writes expressions as {{ … }}, tags as {% … %} and comments as {# … #}; see https://keats.github.io/tera/docs/
",
        ));
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
        .stderr(&only(
            "error: url(): page `notes/thrid.md` does not exist; did you mean `notes/first.md`?
  --> themes/default/templates/base.html:13:13
   |
13 | <a href=\"{{ url(path='notes/thrid.md') }}\">{{ site.title }}</a>
   |             ^^^^^^^^^^^^^^^^^^^^^^^^^^
   |
   = note: while rendering content/index.md and 3 other pages
",
        ));
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
        .stderr(&only(
            "error: `notes/first.md` has no anchor `#nope`
  --> themes/default/templates/base.html:13:23
   |
13 | <a href=\"{{ url(path='notes/first.md#nope') }}\">{{ site.title }}</a>
   |                       ^^^^^^^^^^^^^^^^^^^
   |
   = help: link to an id the target page has
",
        ));
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
        .stderr(&only(
            r#"error: template `pgae.html` is not in the theme
 --> content/notes/third.md:3:12
  |
3 | template = "pgae.html"
  |            ^^^^^^^^^^^
  |
  = help: did you mean `page.html`?
"#,
        ));
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
        .stderr(&format!(
            "{}\n{}\n{}\n{}",
            "error: string values must be quoted, expected literal string
 --> content/data/bad.toml:1:5
  |
1 | x = 
  |     ^
  |
  = help: put text in double quotes: `x = \"\"`
",
            r#"error: invalid type: string "heavy", expected i64
 --> content/e.md:3:10
  |
3 | weight = "heavy"
  |          ^^^^^^^
  |
  = help: write a whole number, without quotes: `weight = 2`
"#,
            "error: link target `nope.md` does not exist
 --> content/f.md:4:5
  |
4 | [a](nope.md)
  |     ^^^^^^^
  |
  = help: name a .md file under content/, relative to content/ (e.g. `phases/junior.md`)
",
            build_count_line(3)
        ));
}

#[test]
fn a_missing_content_folder_is_an_environment_failure() {
    let site = Site::fixture("minimal").remove("content");
    for command in ["check", "build"] {
        site.run([command]).code(2).stderr(
            "error: no `content/` folder in $ROOT; run sre-guide in a site root or pass --root DIR\n",
        );
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

// ---------------------------------------------------------------------------------------------
// What a build writes.
// ---------------------------------------------------------------------------------------------

#[test]
fn build_writes_pretty_urls_and_prints_one_summary_line() {
    let site = Site::fixture("minimal");
    let out = site.run(["build"]).code(0).stderr("");
    assert_eq!(out.stdout.lines().count(), 1, "{}", out.stdout);
    assert!(
        out.stdout.starts_with("built 4 pages, 11 files in "),
        "{}",
        out.stdout
    );
    let files: Vec<String> = site.tree("output").into_keys().collect();
    assert_eq!(
        files,
        [
            ".sre-guide-output",
            "404.html",
            "files/",
            "files/handout.txt",
            "index.html",
            "notes/",
            "notes/first/",
            "notes/first/index.html",
            "notes/index.html",
            "notes/second/",
            "notes/second/index.html",
            "robots.txt",
            "sitemap.xml",
            "static/",
            "static/app.eea23c62.js",
            "static/logo.svg",
            "static/style.10553ac4.css",
        ]
    );
    let first = site.read("output/notes/first/index.html");
    assert!(
        first.contains("<title>First note · Minimal</title>"),
        "{first}"
    );
    assert!(first.contains("<a href=\"../../notes/index.html\">the notes</a>"));
    assert!(first.contains("<a href=\"../../index.html\">home</a>"));
    assert!(first.contains("<a href=\"../../notes/second/index.html#summary\">"));
}

#[test]
fn drafts_are_left_out_of_the_build() {
    let site = Site::fixture("minimal").file(
        "content/notes/draft.md",
        "+++\ntitle = \"Unfinished\"\ndraft = true\n+++\nNot yet.\n",
    );
    site.run(["build"]).code(0).stdout_contains("built 4 pages");
    assert!(!site.path("output/notes/draft").exists());
    assert!(!site.read("output/notes/index.html").contains("Unfinished"));
    assert!(!site.read("output/sitemap.xml").contains("draft"));
}

#[test]
fn a_link_to_a_draft_says_it_is_a_draft() {
    Site::fixture("minimal")
        .file(
            "content/notes/draft.md",
            "+++\ntitle = \"Unfinished\"\ndraft = true\n+++\nNot yet.\n",
        )
        .file(
            "content/notes/teaser.md",
            "+++\ntitle = \"Teaser\"\n+++\nSoon: [the draft](draft.md).\n",
        )
        .run(["check"])
        .code(1)
        .stderr(&only(
            "error: `notes/draft.md` is a draft, so it is not part of the site
 --> content/notes/teaser.md:4:19
  |
4 | Soon: [the draft](draft.md).
  |                   ^^^^^^^^
  |
  = help: remove `draft = true` from content/notes/draft.md to publish it, or link elsewhere
",
        ));
}

#[test]
fn sections_list_their_pages_by_weight_then_path() {
    let site = Site::fixture("minimal")
        .file(
            "content/notes/zeta.md",
            "+++\ntitle = \"Zeta\"\nweight = 1\n+++\n",
        )
        .file(
            "content/notes/alpha.md",
            "+++\ntitle = \"Alpha\"\nweight = 3\n+++\n",
        )
        .file("content/notes/nil.md", "+++\ntitle = \"Unweighted\"\n+++\n");
    site.run(["build"]).code(0);
    let section = site.read("output/notes/index.html");
    let list = section
        .split("<ol class=\"pages\">")
        .nth(1)
        .and_then(|rest| rest.split("</ol>").next())
        .expect("the section lists its pages");
    let titles: Vec<&str> = list
        .split("\">")
        .skip(1)
        .filter_map(|s| s.split("</a>").next())
        .collect();
    // weight 0, then 1 (second before zeta by path), 2, 3.
    assert_eq!(
        titles,
        ["Unweighted", "Second note", "Zeta", "First note", "Alpha"]
    );
    assert!(list.contains("<a href=\"../notes/second/index.html\">Second note</a>"));
}

#[test]
fn data_files_reach_templates_as_data_dot_stem() {
    let site = Site::fixture("minimal")
        .file("content/data/facts.toml", "answer = 7\nnames = [\"x\"]\n")
        .file(
            "themes/default/templates/data.html",
            "{{ data.facts.answer }}|{{ data.facts.names | join(sep=',') }}|{{ data.more.nested.key }}",
        )
        .file("content/data/more.toml", "[nested]\nkey = \"deep\"\n")
        .file("content/d.md", "+++\ntitle = \"D\"\ntemplate = \"data.html\"\n+++\n");
    site.run(["build"]).code(0);
    assert_eq!(site.read("output/d/index.html"), "7|x|deep");
    assert!(site.read("output/index.html").contains("The answer is 7."));
}

#[test]
fn headings_get_unique_ids_self_links_and_a_toc() {
    let site = Site::fixture("minimal").file(
        "content/h.md",
        "+++\ntitle = \"H\"\n+++\n# Top\n## Same\n## Same\n### Deep *em*\n## Custom {#mine}\n## Back to [top](#top)\n",
    );
    site.run(["build"]).code(0);
    let html = site.read("output/h/index.html");
    for expected in [
        // A heading's text links to the heading itself...
        "<h1 id=\"top\"><a href=\"#top\">Top</a></h1>",
        "<h2 id=\"same\"><a href=\"#same\">Same</a></h2>",
        "<h2 id=\"same-2\"><a href=\"#same-2\">Same</a></h2>",
        "<h3 id=\"deep-em\"><a href=\"#deep-em\">Deep <em>em</em></a></h3>",
        "<h2 id=\"mine\"><a href=\"#mine\">Custom</a></h2>",
        // ...unless it holds a link already: links cannot nest, so a separate "#" follows.
        "<h2 id=\"back-to-top\">Back to <a href=\"#top\">top</a> <a class=\"self-link\" href=\"#back-to-top\" aria-label=\"Link to this section\">#</a></h2>",
        // The toc: h2s at the top, the h3 under the h2 before it; the h1 is the page title.
        "<li><a href=\"#same\">Same</a></li>\n<li><a href=\"#same-2\">Same</a> <a href=\"#deep-em\">Deep em</a></li>\n<li><a href=\"#mine\">Custom</a></li>",
    ] {
        assert!(html.contains(expected), "missing {expected:?} in\n{html}");
    }
}

#[test]
fn a_duplicate_explicit_heading_id_is_an_error() {
    Site::fixture("minimal")
        .file(
            "content/h.md",
            "+++\ntitle = \"H\"\n+++\n## One {#x}\n## Two {#x}\n",
        )
        .run(["check"])
        .code(1)
        .stderr_contains("error: heading id `x` is used twice on this page\n --> content/h.md:5:")
        .stderr_contains("= help: give this heading another `{#id}`");
}

#[test]
fn css_and_js_get_content_hashed_names_and_asset_returns_them() {
    let site = Site::fixture("minimal");
    site.run(["build"]).code(0);
    let css = "static/style.10553ac4.css";
    // Stylesheets are published minified: the same rules without comments and spare spaces.
    let source = site.read("themes/default/static/style.css");
    let published = site.read(&format!("output/{css}"));
    assert!(published.len() < source.len(), "{published}");
    let squeezed = |css: &str| css.replace([' ', '\n', ';'], "");
    assert_eq!(squeezed(&published), squeezed(&source));
    assert_eq!(
        site.read("output/static/logo.svg"),
        site.read("themes/default/static/logo.svg")
    );
    assert!(
        site.read("output/index.html")
            .contains(&format!("href=\"{css}\""))
    );
    assert!(
        site.read("output/notes/first/index.html")
            .contains(&format!("href=\"../../{css}\""))
    );
    // New content, new name; the old name is gone from the output.
    let site = site.file("themes/default/static/style.css", "body { color: red; }\n");
    site.run(["build"]).code(0);
    assert!(!site.path(&format!("output/{css}")).exists());
    let html = site.read("output/index.html");
    let published = html
        .split("href=\"static/style.")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a stylesheet link");
    assert_eq!(published.len(), "12345678.css".len(), "{published}");
    assert!(
        site.path(&format!("output/static/style.{published}"))
            .is_file()
    );
}

#[test]
fn an_unknown_asset_in_a_template_suggests_the_nearest() {
    let site = Site::fixture("minimal");
    let base = site
        .read("themes/default/templates/base.html")
        .replace("asset(path='app.js')", "asset(path='ap.js')");
    site.file("themes/default/templates/base.html", base)
        .run(["check"])
        .code(1)
        .stderr_contains(
            "error: asset(): the theme has no static/ap.js; did you mean `app.js`?
 --> themes/default/templates/base.html:9:17",
        );
}

#[test]
fn sitemap_robots_and_404_are_generated() {
    let site = Site::fixture("minimal");
    site.run(["build"]).code(0);
    assert_eq!(
        site.read("output/sitemap.xml"),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>https://example.org/guide/</loc></url>
  <url><loc>https://example.org/guide/notes/</loc></url>
  <url><loc>https://example.org/guide/notes/first/</loc></url>
  <url><loc>https://example.org/guide/notes/second/</loc></url>
</urlset>
"#
    );
    assert_eq!(
        site.read("output/robots.txt"),
        "User-agent: *\nAllow: /\nSitemap: https://example.org/guide/sitemap.xml\n"
    );
    let not_found = site.read("output/404.html");
    assert!(not_found.contains("<h1>Page not found</h1>"), "{not_found}");
    // Served at any depth, so its links start from the site's path, not from the page.
    assert!(not_found.contains("href=\"/guide/static/style.10553ac4.css\""));
    assert!(not_found.contains("<a href=\"/guide/index.html\">Home</a>"));
}

// ---------------------------------------------------------------------------------------------
// Relative URLs: the output works opened from disk, at a domain root and under a subpath.
// ---------------------------------------------------------------------------------------------

/// Every `href="…"` and `src="…"` value in an HTML document, entity-decoded.
fn urls_in(html: &str) -> Vec<String> {
    let mut urls = Vec::new();
    for attribute in [" href=\"", " src=\"", "\nhref=\"", "\nsrc=\""] {
        let mut rest = html;
        while let Some(i) = rest.find(attribute) {
            rest = &rest[i + attribute.len()..];
            let end = rest.find('"').expect("attribute values are closed");
            urls.push(
                rest[..end]
                    .replace("&amp;", "&")
                    .replace("&#39;", "'")
                    .replace("&quot;", "\""),
            );
            rest = &rest[end..];
        }
    }
    urls
}

fn is_external(url: &str) -> bool {
    url.starts_with("//")
        || url
            .split_once(':')
            .is_some_and(|(scheme, _)| !scheme.is_empty() && !scheme.contains('/'))
}

fn percent_decoded(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(byte) = path
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// RFC 3986 reference resolution for paths: `reference` against the absolute path `base`.
/// `None` when `..` climbs above `/`.
fn resolve(base: &str, reference: &str) -> Option<String> {
    let joined = if reference.starts_with('/') {
        reference.to_string()
    } else {
        let dir = &base[..=base.rfind('/').expect("absolute base")];
        format!("{dir}{reference}")
    };
    let mut out: Vec<&str> = Vec::new();
    let segments: Vec<&str> = joined[1..].split('/').collect();
    for (i, segment) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        match *segment {
            "." if last => out.push(""),
            "." => {}
            ".." => {
                out.pop()?;
                if last {
                    out.push("");
                }
            }
            other => out.push(other),
        }
    }
    Some(format!("/{}", out.join("/")))
}

/// Splits `path#fragment` (and drops `?query`).
fn split_fragment(url: &str) -> (&str, Option<&str>) {
    let (rest, fragment) = match url.split_once('#') {
        Some((rest, fragment)) => (rest, Some(fragment)),
        None => (url, None),
    };
    (rest.split('?').next().unwrap_or_default(), fragment)
}

fn has_id(html: &str, id: &str) -> bool {
    html.contains(&format!(" id=\"{id}\""))
}

/// Every internal URL of every HTML page but 404.html resolves to a file on disk relative to the
/// page (no `index.html` added: a browser opening files does not), fragments included, and none
/// starts with `/`. Returns how many URLs were checked.
fn assert_links_resolve_on_disk(output: &Path) -> usize {
    let files = tree(output);
    let mut checked = 0;
    let mut problems = Vec::new();
    for (path, bytes) in &files {
        if !path.ends_with(".html") || path == "404.html" {
            continue;
        }
        let html = String::from_utf8_lossy(bytes);
        for url in urls_in(&html) {
            if is_external(&url) {
                continue;
            }
            checked += 1;
            if url.starts_with('/') {
                problems.push(format!("{path}: root-absolute URL {url:?}"));
                continue;
            }
            let (target, fragment) = split_fragment(&url);
            let target_html = if target.is_empty() {
                Some(html.to_string())
            } else {
                match resolve(&format!("/{path}"), &percent_decoded(target)) {
                    Some(resolved) if files.contains_key(&resolved[1..]) => {
                        let bytes = &files[&resolved[1..]];
                        Some(String::from_utf8_lossy(bytes).into_owned())
                    }
                    Some(resolved) => {
                        problems.push(format!("{path}: {url:?} → {resolved} is not a file"));
                        None
                    }
                    None => {
                        problems.push(format!("{path}: {url:?} climbs out of the output"));
                        None
                    }
                }
            };
            if let (Some(target_html), Some(fragment)) = (target_html, fragment)
                && !fragment.is_empty()
                && target.ends_with(".html") | target.is_empty()
                && !has_id(&target_html, &percent_decoded(fragment))
            {
                problems.push(format!("{path}: {url:?} names a missing id"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    checked
}

#[test]
fn every_internal_url_resolves_on_disk_relative_to_its_page() {
    let site = Site::fixture("minimal");
    site.run(["build"]).code(0);
    let checked = assert_links_resolve_on_disk(&site.path("output"));
    assert!(checked >= 30, "only {checked} URLs checked");
}

/// Serves `output/` at `/guide/` (a page at its directory URL, as a static host does) and
/// resolves every internal URL the way a browser would, 404.html at an arbitrary depth.
fn assert_links_resolve_under_subpath(output: &Path, subpath: &str) {
    let files = tree(output);
    let mut problems = Vec::new();
    for (path, bytes) in &files {
        if !path.ends_with(".html") {
            continue;
        }
        let served_at = if path == "404.html" {
            format!("{subpath}some/missing/deep/page")
        } else {
            format!("{subpath}{}", path.trim_end_matches("index.html"))
        };
        for url in urls_in(&String::from_utf8_lossy(bytes)) {
            if is_external(&url) {
                continue;
            }
            let (target, _) = split_fragment(&url);
            if target.is_empty() {
                continue;
            }
            let Some(resolved) = resolve(&served_at, &percent_decoded(target)) else {
                problems.push(format!("{path}: {url:?} climbs above the host root"));
                continue;
            };
            let Some(inside) = resolved.strip_prefix(subpath) else {
                problems.push(format!("{path}: {url:?} → {resolved} leaves {subpath}"));
                continue;
            };
            let file = if inside.is_empty() || inside.ends_with('/') {
                format!("{inside}index.html")
            } else {
                inside.to_string()
            };
            if !files.contains_key(&file) {
                problems.push(format!("{path}: {url:?} → {resolved} is not served"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_same_output_works_under_a_subpath_and_at_a_domain_root() {
    let site = Site::fixture("minimal");
    site.run(["build"]).code(0);
    // base_url's path is /guide/: the 404 page's links are absolute from there.
    assert_links_resolve_under_subpath(&site.path("output"), "/guide/");
    // At a domain root only 404.html depends on the base path; build for that host.
    site.run(["build", "--base-url", "https://example.net/"])
        .code(0);
    assert_links_resolve_under_subpath(&site.path("output"), "/");
}

#[test]
fn base_url_flag_changes_only_canonical_og_url_and_the_sitemap() {
    let a = Site::fixture("minimal");
    a.run(["build"]).code(0);
    let b = Site::fixture("minimal");
    b.run(["build", "--base-url", "https://mirror.test/guide"])
        .code(0);
    let (a, b) = (a.tree("output"), b.tree("output"));
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "same files"
    );
    let mut differing = Vec::new();
    for (path, before) in &a {
        let (before, after) = (
            String::from_utf8_lossy(before),
            String::from_utf8_lossy(&b[path]),
        );
        for (x, y) in before.lines().zip(after.lines()) {
            if x != y {
                assert_eq!(y, x.replace("https://example.org/", "https://mirror.test/"));
                differing.push(format!("{path}: {y}"));
            }
        }
    }
    for line in &differing {
        assert!(
            line.contains("<link rel=\"canonical\"")
                || line.contains("<meta property=\"og:url\"")
                || line.starts_with("sitemap.xml: ")
                || line.starts_with("robots.txt: Sitemap: "),
            "base_url leaked into {line}"
        );
    }
    assert!(differing.iter().any(|l| l.contains("canonical")));
    assert!(differing.iter().any(|l| l.contains("og:url")));
    assert!(differing.iter().any(|l| l.starts_with("sitemap.xml")));
}

// ---------------------------------------------------------------------------------------------
// Writing: atomic, stale-free, reproducible, and never over the editor's work.
// ---------------------------------------------------------------------------------------------

#[test]
fn previous_output_is_intact_after_a_failed_build() {
    let site = Site::fixture("minimal");
    site.run(["build"]).code(0);
    let before = site.tree("output");
    let site = site.file("content/notes/first.md", "+++\ntitle = \"Broken\"\n");
    site.run(["build"]).code(1);
    assert_eq!(site.tree("output"), before);
    let siblings: Vec<_> = std::fs::read_dir(site.root())
        .expect("list")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with('.'))
        .collect();
    assert!(siblings.is_empty(), "left behind: {siblings:?}");
}

#[test]
fn a_stale_file_is_removed_by_the_next_build() {
    let site = Site::fixture("minimal").file("content/notes/old.md", "+++\ntitle = \"Old\"\n+++\n");
    site.run(["build"]).code(0);
    assert!(site.path("output/notes/old/index.html").is_file());
    let site = site
        .remove("content/notes/old.md")
        .file("output/stray.txt", "left by hand");
    site.run(["build"]).code(0);
    assert!(!site.path("output/notes/old").exists());
    assert!(!site.path("output/stray.txt").exists());
    assert!(!site.read("output/sitemap.xml").contains("old"));
}

#[test]
fn two_builds_of_the_same_input_are_byte_identical() {
    let site = Site::fixture("minimal");
    site.run(["build"]).code(0);
    let first = site.tree("output");
    site.run(["build"]).code(0);
    assert_eq!(site.tree("output"), first);
    // From another folder too: no absolute path or time leaks into the output.
    let elsewhere = Site::fixture("minimal");
    elsewhere.run(["build"]).code(0);
    assert_eq!(elsewhere.tree("output"), first);
}

#[test]
fn iterating_a_table_in_a_template_is_in_a_stable_order() {
    // Tera's maps are hash maps unless told to keep order; every build must list them alike.
    let keys: String = (0..24).map(|i| format!("k{i:02} = {i}\n")).collect();
    let site = Site::fixture("minimal")
        .file("content/data/many.toml", &keys)
        .file(
            "themes/default/templates/section.html",
            "{% extends \"base.html\" %}{% block content %}{% for key, value in data.many %}{{ key }}={{ value }};{% endfor %}{% endblock content %}",
        );
    site.run(["build"]).code(0);
    let first = site.read("output/notes/index.html");
    assert!(
        first.contains("k00=0;k01=1;k02=2;"),
        "in the file's order: {first}"
    );
    for _ in 0..3 {
        site.run(["build"]).code(0);
        assert_eq!(site.read("output/notes/index.html"), first);
    }
}

#[test]
fn the_guide_builds_byte_identically_twice() {
    let site = Site::repo();
    site.run(["build"]).code(0);
    let first = site.tree("output");
    site.run(["build"]).code(0);
    assert_eq!(site.tree("output"), first);
}

#[test]
fn unsafe_output_folders_are_refused_with_nothing_deleted() {
    let site = Site::fixture("minimal").file("docs/keep.txt", "mine");
    let before = site.tree("");
    let parent = site
        .root()
        .canonicalize()
        .expect("canonical")
        .parent()
        .expect("a temp dir has a parent")
        .to_string_lossy()
        .into_owned();
    let cases = [
        (
            site.root().to_path_buf(),
            "$ROOT: it is the site root or a folder containing it".to_string(),
        ),
        (
            site.root().join(".."),
            format!("{parent}: it is the site root or a folder containing it"),
        ),
        (
            site.path("content"),
            "$ROOT/content: it is inside content/, which holds the site's sources".to_string(),
        ),
        (
            site.path("content/notes"),
            "$ROOT/content/notes: it is inside content/, which holds the site's sources"
                .to_string(),
        ),
        (
            site.path("themes"),
            "$ROOT/themes: it is inside themes/, which holds the site's sources".to_string(),
        ),
        (
            site.path("docs"),
            "$ROOT/docs: it is a non-empty folder that an earlier sre-guide build did not write"
                .to_string(),
        ),
    ];
    for (target, why) in cases {
        site.run([
            std::ffi::OsStr::new("build"),
            "--output".as_ref(),
            target.as_os_str(),
        ])
        .code(2)
        .stderr(&format!(
            "error: refusing to write the site to {why}; nothing was deleted. Pass another --output DIR\n"
        ));
        assert_eq!(site.tree(""), before, "after --output {}", target.display());
    }
}

#[test]
fn an_empty_folder_or_a_previous_output_may_be_the_target() {
    let site = Site::fixture("minimal");
    std::fs::create_dir(site.path("public")).expect("mkdir");
    let args = [
        std::ffi::OsString::from("build"),
        "--output".into(),
        site.path("public").into(),
    ];
    site.run(&args).code(0);
    assert!(site.path("public/index.html").is_file());
    site.run(&args).code(0);
    assert!(site.path("public/index.html").is_file());
}

#[test]
fn check_writes_nothing() {
    let site = Site::fixture("minimal");
    let before = site.tree("");
    site.run(["check"])
        .code(0)
        .stderr("")
        .stdout_contains("checked 4 pages in ");
    assert_eq!(site.tree(""), before);
    let site = site.file("content/extra.md", "");
    let before = site.tree("");
    site.run(["check"]).code(1);
    assert_eq!(site.tree(""), before);
}

// ---------------------------------------------------------------------------------------------
// The guide itself: the largest fixture.
// ---------------------------------------------------------------------------------------------

#[test]
fn the_guide_checks_clean() {
    Site::repo()
        .run(["check"])
        .code(0)
        .stderr("")
        .stdout_contains(": no problems");
}

#[test]
fn the_guide_builds_with_zero_diagnostics_and_links_that_resolve() {
    let site = Site::repo();
    site.run(["build"]).code(0).stderr("");
    let output = site.path("output");
    let checked = assert_links_resolve_on_disk(&output);
    assert!(checked > 100, "only {checked} URLs checked");
    let base = site.read("content/site.toml");
    let base_path = base
        .lines()
        .find_map(|l| l.strip_prefix("base_url = \""))
        .and_then(|l| l.strip_suffix('"'))
        .and_then(|url| url.split_once("://"))
        .map(|(_, rest)| rest.find('/').map_or("/", |i| &rest[i..]).to_string())
        .expect("site.toml has a base_url");
    assert_links_resolve_under_subpath(&output, &base_path);
    for file in ["sitemap.xml", "robots.txt", "404.html"] {
        assert!(output.join(file).is_file(), "{file}");
    }
}
