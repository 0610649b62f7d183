//! Relative URLs: the output works opened from disk, at a domain root and under a subpath; the
//! guide itself (the largest fixture) checks clean and its links resolve both ways.

use super::*;
use crate::support::preview::Preview;
use crate::support::sites::{AWKWARD, awkward_site};

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
                    .replace("&#x27;", "'")
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
    html.contains(&format!(" id=\"{}\"", id.replace('&', "&amp;")))
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
    let built = crate::support::guide::guide();
    built.build.clone().code(0).stderr("");
    let site = &built.site;
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

// ------------------------------------------------------------------------------------------------
// Names that are not URLs as they are (the site is `support::sites::awkward_site`)

#[test]
fn awkward_names_check_clean_and_every_url_resolves() {
    let site = awkward_site();
    site.run(["check"]).code(0).stderr("");
    site.run(["build"]).code(0).stderr("");
    let output = site.path("output");
    assert!(
        output
            .join(format!("{AWKWARD}/p {AWKWARD}/index.html"))
            .is_file()
    );
    assert!(output.join("q?mark/index.html").is_file());
    let checked = assert_links_resolve_on_disk(&output);
    assert!(checked >= 40, "only {checked} URLs checked");
    assert_links_resolve_under_subpath(&output, "/guide/");

    let home = site.read("output/index.html");
    let encoded = "w%20%3F%23%25%C3%BC%22%27";
    for href in [
        format!("href=\"{encoded}/index.html\""),
        format!("href=\"{encoded}/p%20{encoded}/index.html#q%26a\""),
        "href=\"q%3Fmark/index.html?tab=1#top\"".to_string(),
        "href=\"hash%23tag/index.html\"".to_string(),
        "href=\"pct%2520x/index.html\"".to_string(),
        "href=\"files/re%20port%20%C3%BC%231.txt\"".to_string(),
    ] {
        assert!(home.contains(&href), "{href} in {home}");
    }
    let page = site.read(&format!("output/{AWKWARD}/p {AWKWARD}/index.html"));
    let permalink = format!("https://example.org/guide/{encoded}/p%20{encoded}/");
    assert!(page.contains(&format!("<link rel=\"canonical\" href=\"{permalink}\">")));
    assert!(page.contains(&format!(
        "<meta property=\"og:url\" content=\"{permalink}\">"
    )));
    assert!(
        page.contains("<h2 id=\"q&amp;a\"><a href=\"#q%26a\" tabindex=\"-1\">Über uns</a></h2>")
    );

    let sitemap = site.read("output/sitemap.xml");
    let locs: Vec<&str> = sitemap
        .split("<loc>")
        .skip(1)
        .map(|rest| &rest[..rest.find("</loc>").expect("closed")])
        .collect();
    assert!(locs.contains(&permalink.as_str()), "{sitemap}");
    assert!(
        locs.contains(&"https://example.org/guide/q%3Fmark/"),
        "{sitemap}"
    );
    for loc in locs {
        let path = loc
            .strip_prefix("https://example.org/guide/")
            .expect("below base_url");
        assert!(
            path.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~%/".contains(&b)),
            "{loc}"
        );
    }
}

#[test]
fn serve_answers_every_url_of_the_awkward_pages() {
    let site = awkward_site();
    let preview = Preview::start(&site);
    let encoded = "w%20%3F%23%25%C3%BC%22%27";
    let mut checked = 0;
    for page in [
        "/".to_string(),
        format!("/{encoded}/"),
        format!("/{encoded}/p%20{encoded}/"),
    ] {
        let reply = preview.get(&page);
        assert_eq!(reply.status, 200, "{page}");
        for url in urls_in(&reply.body) {
            let (target, _) = split_fragment(&url);
            if is_external(&url) || target.is_empty() {
                continue;
            }
            let resolved = resolve(&page, target).expect("inside the site");
            assert_eq!(preview.get(&resolved).status, 200, "{url} on {page}");
            checked += 1;
        }
    }
    assert!(checked >= 20, "only {checked} URLs checked");
}

#[test]
fn anchors_are_found_as_a_browser_finds_them() {
    let page = "+++\ntitle = \"Anchors\"\n+++\n## Q and A {#q&a}\n\n\
        <div ID=\"upper\"></div>\n\n<span id='single'></span> <b id=bare></b>\n\n\
        [a](#q&a) [b](#upper) [c](#single) [d](#bare) [e](#q%26a) [f](#Upper)\n";
    Site::fixture("minimal")
        .file("content/anchors.md", page)
        .run(["check"])
        .code(1)
        .stderr(str![[r#"
error[anchor-missing]: `anchors.md` has no anchor `#Upper`
  --> content/anchors.md:10:63
   |
10 | [a](#q&a) [b](#upper) [c](#single) [d](#bare) [e](#q%26a) [f](#Upper)
   |                                                               ^^^^^^
   |
   = help: did you mean `#upper`?

error: found 1 problem

"#]]);
}

/// The minimal fixture whose page template puts `html` after the page's content.
fn minimal_with_after_content(html: &str) -> Site {
    let page = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/minimal/themes/default/templates/page.html"),
    )
    .expect("the fixture's page template");
    let content = "{{ page.content | safe }}";
    Site::fixture("minimal").file(
        "themes/default/templates/page.html",
        page.replace(content, &format!("{content}{html}")),
    )
}

#[test]
fn template_anchors_are_looked_up_percent_decoded() {
    let site =
        minimal_with_after_content("<a href=\"{{ url(path='notes/first.md#over%76iew') }}\">o</a>");
    site.run(["build"]).code(0).stderr("");
    assert!(
        site.read("output/notes/second/index.html")
            .contains("<a href=\"../../notes/first/index.html#over%76iew\">o</a>")
    );
}

/// The home page is no Markdown link's anchor target, so its ids are read only once a template
/// asks `url()` for one of them (possibly after the page itself was rendered).
#[test]
fn template_anchors_into_a_page_no_markdown_link_points_into_are_checked() {
    let site = minimal_with_after_content(
        "<a href=\"{{ url(path='index.md#getting-started') }}\">a</a><a href=\"{{ url(path='index.md#nowhere') }}\">b</a>",
    );
    site.run(["check"])
        .code(1)
        .stderr_contains("error[anchor-missing]: `index.md` has no anchor `#nowhere`")
        .stderr_lacks("#getting-started`");
}

#[test]
fn an_id_the_page_has_twice_is_reported() {
    minimal_with_after_content("<p id=\"fixed\">x</p>")
        .file("content/dup.md", "+++\ntitle = \"Dup\"\n+++\n## Fixed\n")
        .run(["check"])
        .code(1)
        .stderr(str![[r#"
error[repeated-id]: the page has two elements with the id `fixed`
--> content/dup.md
 = help: ids must be unique on a page: give a heading with it another one with `## Heading {#other-id}`, or change the template or the data that repeats it

error: found 1 problem

"#]]);
}

#[test]
fn another_pages_body_links_from_wherever_it_is_shown() {
    let show_home = "{% set home = page_data(path='index.md') %}{{ home.content | safe }}";
    let page = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/minimal/themes/default/templates/404.html"),
    )
    .expect("the fixture's 404 template");
    let site =
        minimal_with_after_content(&format!("{{% if page.route %}}{show_home}{{% endif %}}")).file(
            "themes/default/templates/404.html",
            page.replace("</h1>", &format!("</h1>{show_home}")),
        );
    site.run(["build"]).code(0).stderr("");
    // The home page's link, on its own page, shown two folders down, and on the 404 page.
    let link = "notes/first/index.html#details\">details</a>";
    assert!(
        site.read("output/notes/first/index.html")
            .contains(&format!("\"../../{link}"))
    );
    assert!(
        site.read("output/index.html")
            .contains(&format!("\"{link}"))
    );
    assert!(
        site.read("output/404.html")
            .contains(&format!("\"/guide/{link}"))
    );
}
