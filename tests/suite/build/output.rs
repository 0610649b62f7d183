//! What a build writes: pretty URLs, drafts left out, sections, data, heading ids, hashed assets,
//! the sitemap and the 404 page.

use super::*;

#[test]
fn build_writes_pretty_urls_and_prints_one_summary_line() {
    let site = Site::fixture("minimal");
    let out = site.run(["build"]).code(0).stderr("");
    assert_eq!(out.stdout.lines().count(), 1, "{}", out.stdout);
    assert!(
        out.stdout.starts_with("built 4 pages, 10 files in "),
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
            "sitemap.xml",
            "static/",
            "static/app.2846f686.js",
            "static/logo.svg",
            "static/style.0cbb43e2.css",
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
        .stderr(str![[r#"
error[link-to-draft]: `notes/draft.md` is a draft; `--drafts` includes it
 --> content/notes/teaser.md:4:19
  |
4 | Soon: [the draft](draft.md).
  |                   ^^^^^^^^
  |
  = help: remove `draft = true` from content/notes/draft.md to publish it, or link elsewhere

error: found 1 problem

"#]]);
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
    // An h1 in the body gets its id too, once the lint against a second h1 allows it.
    let config = site.read("content/site.toml") + "\n[lints]\nh1-in-body = \"allow\"\n";
    let site = site.file("content/site.toml", config);
    site.run(["build"]).code(0);
    let html = site.read("output/h/index.html");
    for expected in [
        // A heading's text links to the heading itself...
        "<h1 id=\"top\"><a href=\"#top\" tabindex=\"-1\">Top</a></h1>",
        "<h2 id=\"same\"><a href=\"#same\" tabindex=\"-1\">Same</a></h2>",
        "<h2 id=\"same-2\"><a href=\"#same-2\" tabindex=\"-1\">Same</a></h2>",
        "<h3 id=\"deep-em\"><a href=\"#deep-em\" tabindex=\"-1\">Deep <em>em</em></a></h3>",
        "<h2 id=\"mine\"><a href=\"#mine\" tabindex=\"-1\">Custom</a></h2>",
        // ...unless it holds a link already: links cannot nest, so a separate "#" follows.
        "<h2 id=\"back-to-top\">Back to <a href=\"#top\">top</a>&nbsp;<a class=\"self-link\" href=\"#back-to-top\" tabindex=\"-1\" aria-label=\"Link to this section\">#</a></h2>",
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
        .stderr_contains("error[heading-id-conflict]: heading id `x` is used twice on this page\n --> content/h.md:5:")
        .stderr_contains("= help: give this heading another `{#id}`");
}

#[test]
fn css_and_js_get_content_hashed_names_and_asset_returns_them() {
    let site = Site::fixture("minimal");
    site.run(["build"]).code(0);
    let css = "static/style.0cbb43e2.css";
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
            "error[template-render]: asset(): the theme has no static/ap.js
 --> themes/default/templates/base.html:9:17",
        )
        .stderr_contains("= help: did you mean `app.js`?");
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
    // Under a subpath crawlers never read robots.txt (publish.rs tests the domain root).
    assert!(!site.path("output/robots.txt").exists());
    let not_found = site.read("output/404.html");
    assert!(not_found.contains("<h1>Page not found</h1>"), "{not_found}");
    // Served at any depth, so its links start from the site's path, not from the page.
    assert!(not_found.contains("href=\"/guide/static/style.0cbb43e2.css\""));
    assert!(not_found.contains("<a href=\"/guide/index.html\">Home</a>"));
}
