//! Nothing overwrites anything silently: two sources for one output file — even two that differ
//! only in case — are an error naming both, and a control character in a page, or written as an
//! escape in a TOML string, is an error at its line and column instead of a raw byte in the HTML.

use super::*;

#[test]
fn a_content_file_where_a_page_is_published_names_both() {
    // A link to the file left out is not reported a second time.
    let site = Site::fixture("minimal")
        .file("content/notes/first/index.html", "<p>mine</p>\n")
        .file(
            "content/linking.md",
            "+++\ntitle = \"Linking\"\n+++\nSee [mine](notes/first/index.html).\n",
        );
    site.run(["build"]).code(1).stderr(str![[r#"
error[output-clash]: `content/notes/first/index.html` and `content/notes/first.md` are both published as `notes/first/index.html`
--> content/notes/first/index.html
 = help: rename or remove one of them; nothing may overwrite another file of the site

error: found 1 problem; nothing was written

"#]]);
}

#[test]
fn content_robots_and_sitemap_collide_with_the_generated_ones() {
    // robots.txt is generated only for a site at a domain root.
    let site = Site::fixture("minimal");
    let config = site
        .read("content/site.toml")
        .replace("https://example.org/guide/", "https://example.org/");
    let out = site
        .file("content/site.toml", config)
        .file("content/robots.txt", "User-agent: *\n")
        .file("content/sitemap.xml", "<urlset/>\n")
        .run(["check"])
        .code(1);
    let one = |name: &str| {
        format!(
            "error[output-clash]: `content/{name}` and the generated `{name}` are both published as `{name}`
--> content/{name}
 = help: rename or remove one of them; nothing may overwrite another file of the site

"
        )
    };
    assert_eq!(
        out.stderr,
        format!(
            "{}{}{}",
            one("robots.txt"),
            one("sitemap.xml"),
            count_line(2)
        )
    );
}

#[test]
fn pages_differing_only_in_case_collide() {
    Site::fixture("minimal")
        .file("content/notes/First.md", "+++\ntitle = \"Big\"\n+++\n")
        .run(["check"])
        .code(1)
        .stderr(str![[r#"
error[output-clash]: `content/notes/first.md` and `content/notes/First.md` are published as `notes/first/index.html` and `notes/First/index.html`: one file on hosts that ignore case
 --> content/notes/first.md:1:1
  |
1 | +++
  | ^
  |
  = help: rename or remove one of them; nothing may overwrite another file of the site

error: found 1 problem

"#]]);
}

#[test]
fn a_nul_byte_in_a_page_is_an_error_at_its_place() {
    Site::fixture("minimal")
        .file("content/nul.md", "+++\ntitle = \"N\"\n+++\nab\0c\n")
        .run(["check"])
        .code(1)
        .stderr(str![[r#"
error[control-character]: this page holds the control character U+0000
 --> content/nul.md:4:3
  |
4 | ab␀c
  |   ^
  |
  = help: delete it: control characters are invisible in most editors and break the HTML

error: found 1 problem

"#]]);
}

#[test]
fn a_control_character_written_as_a_toml_escape_is_an_error_and_nothing_is_published() {
    // U+0001 would have been taken for the root marker: "Home" on the home page, "Ho../me" below.
    let site = Site::fixture("minimal")
        .file(
            "content/notes/escaped.md",
            "+++\ntitle = \"Ho\\u0001me\"\n+++\nText.\n",
        )
        .file(
            "content/data/facts.toml",
            "answer = 42\nnames = [\"ada\", \"gr\\u001bace\"]\n",
        );
    site.run(["build"]).code(1).stderr(str![[r#"
error[control-character]: this string holds the control character U+001B, written as an escape
 --> content/data/facts.toml:2:17
  |
2 | names = ["ada", "gr\u001bace"]
  |                 ^^^^^^^^^^^^^
  |
  = help: delete the escape: control characters are not text, break the HTML and may be taken for sre-guide's own markers

error[control-character]: this string holds the control character U+0001, written as an escape
 --> content/notes/escaped.md:2:9
  |
2 | title = "Ho\u0001me"
  |         ^^^^^^^^^^^^
  |
  = help: delete the escape: control characters are not text, break the HTML and may be taken for sre-guide's own markers

error: found 2 problems; nothing was written

"#]]);
    assert!(!site.path("output").exists(), "nothing published");
}

#[test]
fn under_a_subpath_a_content_robots_txt_is_the_site_s_own() {
    let site = Site::fixture("minimal").file("content/robots.txt", "User-agent: *\n");
    site.run(["build"]).code(0);
    assert_eq!(site.read("output/robots.txt"), "User-agent: *\n");
}

#[test]
fn names_that_are_not_utf8_are_errors_that_show_their_bytes() {
    use std::os::unix::ffi::OsStrExt;
    let site = Site::fixture("minimal");
    for name in [&b"bad\xffname.md"[..], b"bad\xfename.md", b"pic\xe9.png"] {
        let path = site
            .path("content/notes")
            .join(std::ffi::OsStr::from_bytes(name));
        std::fs::write(path, "+++\ntitle = \"Bad\"\n+++\nHi\n").expect("write");
    }
    // Two such names are told apart, and neither is published under a lossy name.
    site.run(["build"]).code(1).stderr(str![[r#"
error[not-utf8]: `content/notes/bad\xfename.md` has a name that is not UTF-8 text, so it cannot be published
--> content/notes/bad\xfename.md
 = help: rename it: a page's or file's name becomes its URL, which must be UTF-8

error[not-utf8]: `content/notes/bad\xffname.md` has a name that is not UTF-8 text, so it cannot be published
--> content/notes/bad\xffname.md
 = help: rename it: a page's or file's name becomes its URL, which must be UTF-8

error[not-utf8]: `content/notes/pic\xe9.png` has a name that is not UTF-8 text, so it cannot be published
--> content/notes/pic\xe9.png
 = help: rename it: a page's or file's name becomes its URL, which must be UTF-8

error: found 3 problems; nothing was written

"#]]);
    assert!(!site.path("output").exists());
}
