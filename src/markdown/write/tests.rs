//! `write`'s tests: bodies written to HTML — heading ids and self-links, link destinations,
//! embedding in another page, the dialect's extensions and raw HTML.

use super::*;
use crate::model::LinkTarget;
use crate::model::url::{ROOT_MARKER, Route};

fn render_str(markdown: &str) -> (Shown, Vec<Diagnostic>) {
    let file = SourceFile::new("content/phases/senior.md", markdown);
    let mut diagnostics = Diagnostics::default();
    let path = ContentPath::of("phases/senior.md");
    let root = Route::of(&path).relative_root();
    let rendered =
        render_at(&file, 0, &path, &root, Embedding::NONE, &mut diagnostics).expect("in memory");
    (rendered, diagnostics.0)
}

fn html(markdown: &str) -> String {
    let (out, diagnostics) = render_str(markdown);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    out.html
}

#[test]
fn headings_get_unique_ids_self_links_and_a_nested_toc() {
    let (out, diagnostics) = render_str("## Scope\n### Why\n## Scope\n### Mine {#custom}\n");
    assert!(diagnostics.is_empty());
    assert!(
        out.html
            .contains("<h2 id=\"scope\"><a href=\"#scope\" tabindex=\"-1\">Scope</a></h2>")
    );
    assert!(out.html.contains("<h2 id=\"scope-2\">"));
    assert!(
        out.html
            .contains("<h3 id=\"custom\"><a href=\"#custom\" tabindex=\"-1\">Mine</a>")
    );
    assert_eq!(out.toc.len(), 2);
    assert_eq!(out.toc[0].children[0].id, "why");
    assert_eq!(out.toc[1].children[0].title, "Mine");
}

#[test]
fn duplicate_explicit_ids_are_reported() {
    let (_, diagnostics) = render_str("## A {#x}\n## B {#x}\n");
    assert_eq!(diagnostics.len(), 1);
    assert_eq!(diagnostics[0].line_col(), Some((2, 1)));
}

#[test]
fn page_links_become_relative_urls_with_spans() {
    let (out, diagnostics) = render_str(
        "See [staff](staff.md#scope) and [faq](/faq.md) and [x](https://sre.google/).\n",
    );
    assert!(diagnostics.is_empty());
    assert!(
        out.html
            .contains("href=\"../../phases/staff/index.html#scope\""),
        "{}",
        out.html
    );
    assert!(out.html.contains("href=\"../../faq/index.html\""));
    assert!(out.html.contains("href=\"https://sre.google/\""));
    assert_eq!(out.links.len(), 2);
    assert_eq!(
        out.links[0].target,
        LinkTarget::Page(ContentPath::of("phases/staff.md"))
    );
    assert_eq!(out.links[0].anchor.as_deref(), Some("scope"));
    assert_eq!(out.links[0].span, 12..26, "points at the destination");
}

#[test]
fn another_page_can_show_the_body_at_its_own_depth() {
    let file = SourceFile::new("content/phases/senior.md", "[faq](../faq.md)\n");
    let out = render_at(
        &file,
        0,
        &ContentPath::of("phases/senior.md"),
        "../",
        Embedding::NONE,
        &mut Diagnostics::default(),
    )
    .expect("in memory");
    assert_eq!(out.html, "<p><a href=\"../faq/index.html\">faq</a></p>\n");
}

/// Shown inside another page, headings go deeper and ids and the links to them get the
/// prefix — in the event stream, so text that merely looks like markup is left alone.
#[test]
fn an_embedded_body_shifts_headings_and_prefixes_its_ids() {
    let markdown = "# Top\n\n###### Deep\n\nSee [top](#top), a note[^n] and \
        `<h1 id=\"x\">` href=\"#y\".\n\n[^n]: The note.\n";
    let file = SourceFile::new("content/faq.md", markdown);
    let embedding = Embedding {
        heading_offset: 1,
        id_prefix: "g-faq-",
    };
    let out = render_at(
        &file,
        0,
        &ContentPath::of("faq.md"),
        "",
        embedding,
        &mut Diagnostics::default(),
    )
    .expect("in memory");
    let html = out.html;
    assert!(
        html.contains("<h2 id=\"g-faq-top\"><a href=\"#g-faq-top\" tabindex=\"-1\">Top</a></h2>"),
        "{html}"
    );
    assert!(
        html.contains("<h6 id=\"g-faq-deep\">"),
        "h6 stays h6: {html}"
    );
    assert!(html.contains("<a href=\"#g-faq-top\">top</a>"), "{html}");
    assert!(
        html.contains("href=\"#g-faq-n\"") && html.contains("id=\"g-faq-n\""),
        "{html}"
    );
    assert!(
        html.contains("<code>&lt;h1 id=\"x\"&gt;</code> href=“#y”"),
        "{html}"
    );
}

#[test]
fn links_out_of_content_are_errors() {
    let (_, diagnostics) = render_str("[x](../../../etc/passwd.md)\n");
    assert_eq!(diagnostics.len(), 1);
    assert!(diagnostics[0].message.contains("outside `content/`"));
}

#[test]
fn gfm_extensions_are_on() {
    let out = html(
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n\n~~old~~ \"quoted\"[^1]\n\n[^1]: note\n",
    );
    assert!(out.contains("<table>"));
    assert!(out.contains("type=\"checkbox\""));
    assert!(out.contains("<del>old</del>"));
    assert!(out.contains("“quoted”"));
    assert!(out.contains("footnote"));
}

#[test]
fn the_root_marker_cannot_be_smuggled_in() {
    let out = html("a\u{1}b\n");
    assert!(!out.contains(ROOT_MARKER));
}

// The cases of issue #14, one test each.

#[test]
fn email_autolinks_keep_mailto_and_are_not_checked() {
    let (out, diagnostics) = render_str("<foo@bar.example.com> and <https://e.org/a.md>\n");
    assert!(diagnostics.is_empty());
    assert!(out.links.is_empty(), "{:?}", out.links);
    assert_eq!(
        out.html,
        "<p><a href=\"mailto:foo@bar.example.com\">foo@bar.example.com</a> and \
         <a href=\"https://e.org/a.md\">https://e.org/a.md</a></p>\n"
    );
}

#[test]
fn a_link_inside_an_image_description_is_plain_alt_text() {
    let out = html("![foo [bar](/faq.md)](/x.png)\n");
    assert_eq!(out, "<p><img src=\"../../x.png\" alt=\"foo bar\" /></p>\n");
}

#[test]
fn author_heading_attributes_reach_the_html() {
    let out = html("## Bonjour {#bonjour lang=fr}\n## Hi {.big .loud data-x=1}\n");
    assert!(
        out.contains(
            "<h2 id=\"bonjour\" lang=\"fr\"><a href=\"#bonjour\" tabindex=\"-1\">Bonjour</a></h2>"
        ),
        "{out}"
    );
    assert!(
        out.contains(
            "<h2 id=\"hi\" class=\"big loud\" data-x=\"1\"><a href=\"#hi\" tabindex=\"-1\">Hi</a></h2>"
        ),
        "{out}"
    );
}

#[test]
fn self_link_hrefs_are_percent_encoded_fragments() {
    let out = html("# A {#50%}\n# B {#`code`}\n# C {#a\u{b}b}\n# D {#q&a}\n");
    assert!(
        out.contains("id=\"50%\"><a href=\"#50%25\" tabindex=\"-1\">"),
        "{out}"
    );
    assert!(
        out.contains("id=\"`code`\"><a href=\"#%60code%60\" tabindex=\"-1\">"),
        "{out}"
    );
    assert!(out.contains("<a href=\"#a%0Bb\" tabindex=\"-1\">"), "{out}");
    assert!(
        out.contains("id=\"q&amp;a\"><a href=\"#q%26a\" tabindex=\"-1\">"),
        "{out}"
    );
}

#[test]
fn headings_with_interactive_content_get_the_self_link_beside_the_text() {
    for heading in [
        "# <button>Go</button>",
        "# <A HREF=\"https://e.org/\">Ext</A> heading",
        "# [Link](https://e.org/) heading",
        "# Pick <SELECT><option>x</option></SELECT>",
        "# <Details>x</Details>",
        "# <label>x</label> <input> <textarea></textarea>",
        "# Title[^a]\n\n[^a]: note",
        "# Map <iframe src=\"map.html\" title=\"Map\"></iframe>",
        "# Plugin <EMBED src=\"x.svg\">",
        "# Talk <audio controls src=\"t.ogg\"></audio>",
        "# Demo <video CONTROLS src=\"d.webm\"></video>",
        "# Floor <img src=\"f.png\" alt=\"Floor\" usemap=\"#floor\">",
        "# Focus <span tabindex=\"0\">me</span>",
        "# Old <object data=\"o.svg\" usemap=\"#o\"></object>",
    ] {
        let out = html(&format!("{heading}\n"));
        let open = out.find("<h1").expect("a heading");
        let close = out.find("</h1>").expect("closed");
        let inside = &out[open..close];
        assert!(
            inside.contains("&nbsp;<a class=\"self-link\" href=\"#")
                && inside.ends_with("tabindex=\"-1\" aria-label=\"Link to this section\">#</a>"),
            "{heading}: {out}"
        );
        let id = inside.split('"').nth(1).expect("an id");
        assert!(
            !inside.contains(&format!("<a href=\"#{id}\" tabindex")),
            "not wrapped: {out}"
        );
    }
    // Not interactive without the attribute that makes them so: the text stays the link.
    for heading in [
        "# Talk <audio src=\"t.ogg\"></audio>",
        "# Demo <video src=\"d.webm\"></video>",
        "# Floor <img src=\"f.png\" alt=\"Floor\">",
    ] {
        let out = html(&format!("{heading}\n"));
        assert!(!out.contains("self-link"), "{heading}: {out}");
    }
    assert!(
        html("# <em>Plain</em> <abbr>OK</abbr>\n")
            .contains("<h1 id=\"plain-ok\"><a href=\"#plain-ok\" tabindex=\"-1\">")
    );
}

#[test]
fn footnotes_in_headings_are_numbered_with_the_body() {
    let out = html("# Title[^a]\n\nBody[^b] and again[^a]\n\n[^a]: A\n[^b]: B\n");
    assert!(out.contains("<a href=\"#a\">1</a>"), "{out}");
    assert!(
        out.contains("Body<sup class=\"footnote-reference\"><a href=\"#b\">2</a>"),
        "{out}"
    );
    assert!(
        out.contains("again<sup class=\"footnote-reference\"><a href=\"#a\">1</a>"),
        "{out}"
    );
    assert!(
        out.contains("id=\"a\"><sup class=\"footnote-definition-label\">1</sup>"),
        "{out}"
    );
    assert!(
        out.contains("id=\"b\"><sup class=\"footnote-definition-label\">2</sup>"),
        "{out}"
    );
}

#[test]
fn heading_ids_never_take_a_footnote_theme_or_html_id() {
    let (out, diagnostics) = render_str(
        "## Note\n\nText[^note]\n\n## TOC title\n\n## Main\n\n## Kept\n\n<div id=\"kept\"></div>\n\n[^note]: n\n",
    );
    assert!(diagnostics.is_empty());
    let out = out.html;
    assert!(out.contains("<h2 id=\"note-2\">"), "{out}");
    assert!(out.contains("<h2 id=\"toc-title-2\">"), "{out}");
    assert!(out.contains("<h2 id=\"main-2\">"), "{out}");
    assert!(out.contains("<h2 id=\"kept-2\">"), "{out}");
    let (_, diagnostics) = render_str(
        "## A {#main}\n## B {#n}\n\n<p id=\"h\"></p>\n\n## C {#h}\n\nx[^n]\n\n[^n]: n\n",
    );
    let messages: Vec<&str> = diagnostics.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "heading id `main` is an id the theme uses",
            "heading id `n` is also a footnote's id",
            "heading id `h` is also an id in this page's HTML",
        ]
    );
}

#[test]
fn suffixes_follow_a_stable_rule_and_skip_taken_ids() {
    let out = html("## A\n## A\n## A-2 {#x}\n## A\n## A 2\n");
    let ids: Vec<&str> = out
        .split("<h2 id=\"")
        .skip(1)
        .map(|rest| &rest[..rest.find('"').expect("closed")])
        .collect();
    assert_eq!(ids, ["a", "a-2", "x", "a-3", "a-2-2"]);
}

#[test]
fn raw_html_is_left_exactly_as_written() {
    let raw = "<img src=\"%01x.png\" alt=\"\">\n<a href=\"other.md\">raw</a>\n";
    assert_eq!(html(raw), raw);
}

#[test]
fn query_strings_are_kept_on_links_to_files_and_pages() {
    let out = html("[f](file.txt?v=2#top) [p](other.md?tab=1#sec) [q](?x=1)\n");
    assert!(
        out.contains("href=\"../../phases/file.txt?v=2#top\""),
        "{out}"
    );
    assert!(
        out.contains("href=\"../../phases/other/index.html?tab=1#sec\""),
        "{out}"
    );
    assert!(out.contains("href=\"?x=1\""), "{out}");
}

#[test]
fn awkward_file_names_are_percent_encoded() {
    let out = html("[a](q%3Fm.md) [b](hash%23tag.md) [c](<pct%2520x ü.md#a b>)\n");
    // Written raw, `?` and `#` start the query and fragment; `%3F` and `%23` are in the name.
    assert!(
        out.contains("href=\"../../phases/q%3Fm/index.html\""),
        "{out}"
    );
    assert!(
        out.contains("href=\"../../phases/hash%23tag/index.html\""),
        "{out}"
    );
    assert!(
        out.contains("href=\"../../phases/pct%2520x%20%C3%BC/index.html#a%20b\""),
        "{out}"
    );
}

#[test]
fn a_heading_in_a_list_item_starts_on_its_own_line() {
    assert_eq!(
        html("- # In a list\n"),
        "<ul>\n<li>\n<h1 id=\"in-a-list\"><a href=\"#in-a-list\" tabindex=\"-1\">In a list</a></h1>\n</li>\n</ul>\n"
    );
}
