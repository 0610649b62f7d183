//! Nothing overwrites anything silently: two sources for one output file — even two that differ
//! only in case — are an error naming both, and a control character in a page is an error at
//! its line and column instead of a raw byte in the HTML.

use super::*;

/// The help every collision shares.
const HELP: &str =
    "  = help: rename or remove one of them; nothing may overwrite another file of the site\n";

#[test]
fn a_content_file_where_a_page_is_published_names_both() {
    // A link to the file left out is not reported a second time.
    let site = Site::fixture("minimal")
        .file("content/notes/first/index.html", "<p>mine</p>\n")
        .file(
            "content/linking.md",
            "+++\ntitle = \"Linking\"\n+++\nSee [mine](notes/first/index.html).\n",
        );
    site.run(["build"]).code(1).stderr(&format!(
        "error[output-clash]: `content/notes/first/index.html` and `content/notes/first.md` are both published as `notes/first/index.html`
--> content/notes/first/index.html
 = help: rename or remove one of them; nothing may overwrite another file of the site

{}",
        build_count_line(1)
    ));
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
        .stderr(&only(&format!(
            "error[output-clash]: `content/notes/first.md` and `content/notes/First.md` are published as `notes/first/index.html` and `notes/First/index.html`: one file on hosts that ignore case
 --> content/notes/first.md:1:1
  |
1 | +++
  | ^
  |
{HELP}"
        )));
}

#[test]
fn a_nul_byte_in_a_page_is_an_error_at_its_place() {
    Site::fixture("minimal")
        .file("content/nul.md", "+++\ntitle = \"N\"\n+++\nab\0c\n")
        .run(["check"])
        .code(1)
        .stderr(&only(
            "error[control-character]: this page holds the control character U+0000
 --> content/nul.md:4:3
  |
4 | ab\u{2400}c
  |   ^
  |
  = help: delete it: control characters are invisible in most editors and break the HTML
",
        ));
}

#[test]
fn under_a_subpath_a_content_robots_txt_is_the_site_s_own() {
    let site = Site::fixture("minimal").file("content/robots.txt", "User-agent: *\n");
    site.run(["build"]).code(0);
    assert_eq!(site.read("output/robots.txt"), "User-agent: *\n");
}
