//! Previous/Next follow the reading order (the menu, then sections by weight), and siblings whose
//! order only their file names decide get a warning that says so and how to choose.

use super::*;

/// The (rel, title) pairs of a built page's Previous/Next links.
fn pager(site: &Site, page: &str) -> Vec<(String, String)> {
    let html = site.read(page);
    html.split("rel=\"")
        .skip(1)
        .map(|rest| {
            let rel = rest.split('"').next().unwrap_or_default().to_string();
            let title = rest
                .split("<strong>")
                .nth(1)
                .and_then(|t| t.split("</strong>").next())
                .unwrap_or_default()
                .to_string();
            (rel, title)
        })
        .filter(|(rel, _)| rel == "prev" || rel == "next")
        .collect()
}

/// The minimal fixture with a page template that shows Previous/Next.
fn fixture() -> Site {
    Site::fixture("minimal").file(
        "themes/default/templates/page.html",
        "{% extends \"base.html\" %}{% block content %}<h1>{{ page.title }}</h1>{{ page.content | safe }}\
         {% if page.previous %}<a rel=\"prev\"><strong>{{ page.previous.title }}</strong></a>{% endif %}\
         {% if page.next %}<a rel=\"next\"><strong>{{ page.next.title }}</strong></a>{% endif %}\
         {% endblock content %}",
    )
}

fn pair(rel: &str, title: &str) -> (String, String) {
    (rel.to_string(), title.to_string())
}

#[test]
fn previous_and_next_follow_the_menu_then_weights_across_sections() {
    let site = fixture()
        .file(
            "content/site.toml",
            "title = \"Minimal\"\nbase_url = \"https://example.org/\"\n\
             [[menu]]\ntitle = \"About\"\npage = \"about.md\"\n\
             [[menu]]\ntitle = \"Notes\"\npage = \"notes/_index.md\"\n\
             [[menu]]\ntitle = \"Zebra\"\npage = \"zebra.md\"\n",
        )
        .file("content/about.md", "+++\ntitle = \"About\"\n+++\nHi.\n")
        .file("content/zebra.md", "+++\ntitle = \"Zebra\"\n+++\nLast.\n");
    site.run(["build"]).code(0).stderr("");
    // File names would put about, then notes, then zebra; the menu says the same here, so the
    // test that matters is across the section: the last note leads on to Zebra.
    assert_eq!(
        pager(&site, "output/about/index.html"),
        [pair("next", "Second note")]
    );
    assert_eq!(
        pager(&site, "output/notes/second/index.html"),
        [pair("prev", "About"), pair("next", "First note")]
    );
    assert_eq!(
        pager(&site, "output/notes/first/index.html"),
        [pair("prev", "Second note"), pair("next", "Zebra")]
    );
    assert_eq!(
        pager(&site, "output/zebra/index.html"),
        [pair("prev", "First note")]
    );
}

#[test]
fn the_menu_order_wins_over_file_names() {
    let site = fixture()
        .file(
            "content/site.toml",
            "title = \"Minimal\"\nbase_url = \"https://example.org/\"\n\
             [[menu]]\ntitle = \"Zebra\"\npage = \"zebra.md\"\n\
             [[menu]]\ntitle = \"About\"\npage = \"about.md\"\n",
        )
        .file("content/about.md", "+++\ntitle = \"About\"\n+++\nHi.\n")
        .file("content/zebra.md", "+++\ntitle = \"Zebra\"\n+++\nFirst.\n");
    site.run(["build"]).code(0).stderr("");
    assert_eq!(
        pager(&site, "output/zebra/index.html"),
        [pair("next", "About")]
    );
    // Pages the menu does not reach come after it, section by section.
    assert_eq!(
        pager(&site, "output/about/index.html"),
        [pair("prev", "Zebra"), pair("next", "Second note")]
    );
}

#[test]
fn siblings_without_weights_are_told_their_order_comes_from_file_names() {
    let site = fixture()
        .file(
            "content/notes/third.md",
            "+++\ntitle = \"Third\"\n+++\nC.\n",
        )
        .file(
            "content/notes/fourth.md",
            "+++\ntitle = \"Fourth\"\n+++\nD.\n",
        );
    site.run(["check"]).code(0).stderr(str![[r#"
warning[reading-order-tie]: 2 pages in `notes/` have the same weight (0), so their reading order (Previous/Next) is by file name: `notes/fourth.md`, `notes/third.md`
 --> content/notes/third.md:1:1
  |
1 | +++
  | ^
  |
  = help: give each a different `weight` in its front matter (lower comes first), or list them in order in site.toml's [[menu]]


"#]]);
    site.run(["build"]).code(0).stderr(str![[r#"
warning[reading-order-tie]: 2 pages in `notes/` have the same weight (0), so their reading order (Previous/Next) is by file name: `notes/fourth.md`, `notes/third.md`
 --> content/notes/third.md:1:1
  |
1 | +++
  | ^
  |
  = help: give each a different `weight` in its front matter (lower comes first), or list them in order in site.toml's [[menu]]


"#]]);
    assert_eq!(
        pager(&site, "output/notes/third/index.html"),
        [pair("prev", "Fourth"), pair("next", "Second note")]
    );
}

#[test]
fn a_section_with_many_ties_gets_one_warning() {
    let mut site = fixture();
    for name in ["a", "b", "c", "d", "e"] {
        let weight = if name < "c" { 5 } else { 7 };
        site = site.file(
            &format!("content/notes/{name}.md"),
            format!("+++\ntitle = \"{name}\"\nweight = {weight}\n+++\nText.\n"),
        );
    }
    site.run(["check"])
        .code(0)
        .stderr_contains("warning[reading-order-tie]: 2 pages in `notes/` have the same weight (5), so their reading order (Previous/Next) is by file name: `notes/a.md`, `notes/b.md` (and 3 more pages here tie with a sibling)\n --> content/notes/b.md:1:1");
    let out = site.run(["check"]);
    assert_eq!(out.stderr.matches("warning[").count(), 1, "{}", out.stderr);
}
