//! Publishing: `_headers` on request (cache policy and CSP for Netlify and Cloudflare Pages),
//! robots.txt only at a domain root, sitemap.xml against the sitemaps.org schema, and "Edit this
//! page" links. The guide under its own CSP in Chromium is the browser binary's `csp.rs`.

use std::collections::BTreeSet;
use std::process::Command;

use base64::Engine;
use sha2::{Digest, Sha256};
use snapbox::str;

use crate::support::Site;
use crate::support::guide::{HEADERS, guide, guide_site_with, guide_with};

/// `_headers` as (pattern, header lines) rules, in file order.
fn rules(text: &str) -> Vec<(String, Vec<String>)> {
    let mut rules: Vec<(String, Vec<String>)> = Vec::new();
    for line in text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
    {
        match (line.strip_prefix("  "), rules.last_mut()) {
            (Some(header), Some((_, headers))) => headers.push(header.to_string()),
            (Some(_), None) => panic!("a header before any path: {line}"),
            (None, _) => rules.push((line.to_string(), Vec::new())),
        }
    }
    rules
}

/// Netlify's and Cloudflare's matching for the patterns sre-guide writes: exact, or `prefix*`.
fn matches(pattern: &str, url_path: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => url_path.starts_with(prefix),
        None => pattern == url_path,
    }
}

#[test]
fn headers_give_every_file_one_cache_policy_and_every_page_the_security_headers() {
    let built = guide_with(HEADERS);
    built.build.clone().code(0).stderr("");
    let site = &built.site;
    let text = site.read("output/_headers");
    let rules = rules(&text);
    let files: Vec<String> = site
        .tree("output")
        .into_keys()
        .filter(|path| !path.ends_with('/') && path != "_headers" && path != ".sre-guide-output")
        .collect();
    assert!(files.len() > 20, "{files:?}");
    let mut urls: Vec<String> = files.iter().map(|path| format!("/{path}")).collect();
    // Pages are also reached by their pretty URL.
    urls.extend(
        files
            .iter()
            .filter_map(|path| path.strip_suffix("index.html"))
            .map(|route| format!("/{route}")),
    );
    for url in &urls {
        let headers: Vec<&String> = rules
            .iter()
            .filter(|(pattern, _)| matches(pattern, url))
            .flat_map(|(_, headers)| headers)
            .collect();
        let cache: Vec<&&String> = headers
            .iter()
            .filter(|h| h.starts_with("Cache-Control:"))
            .collect();
        // Hosts join a header set by two matching rules with a comma: exactly one must match.
        assert_eq!(cache.len(), 1, "{url}: {cache:?}");
        let hashed = url.starts_with("/static/")
            && (url.ends_with(".css") || url.ends_with(".js"))
            && url.matches('.').count() == 2;
        let expected = if hashed {
            "Cache-Control: public, max-age=31536000, immutable"
        } else {
            "Cache-Control: no-cache"
        };
        assert_eq!(cache[0].as_str(), expected, "{url}");
        for header in [
            "X-Content-Type-Options: nosniff",
            "Referrer-Policy: strict-origin-when-cross-origin",
        ] {
            assert!(headers.iter().any(|h| *h == header), "{url} lacks {header}");
        }
        assert!(
            headers.iter().any(|h| h.starts_with(
                "Content-Security-Policy: default-src 'self'; script-src 'self'; style-src 'self' "
            )),
            "{url}: {headers:?}"
        );
    }
    // Cloudflare Pages reads at most 100 rules and 2,000 characters a line.
    assert!(rules.len() <= 100, "{} rules", rules.len());
    assert!(text.lines().all(|line| line.len() <= 2000));
}

/// Every inline `style` attribute in the output (found here by plain text search) is allowed by
/// its own hash, and the CSP allows nothing from elsewhere.
#[test]
fn the_policy_allows_each_inline_style_of_the_site_and_nothing_else() {
    let built = guide_with(HEADERS);
    built.build.clone().code(0);
    let site = &built.site;
    let policy = site
        .read("output/_headers")
        .lines()
        .find_map(|line| line.strip_prefix("  Content-Security-Policy: "))
        .expect("a CSP")
        .to_string();
    let mut styles = BTreeSet::new();
    for (path, bytes) in site.tree("output") {
        if path.ends_with(".html") {
            let html = String::from_utf8(bytes).expect("UTF-8");
            for piece in html.split(" style=\"").skip(1) {
                // The browser hashes the attribute's value, entities decoded.
                let written = piece.split('"').next().unwrap_or("");
                let value = written
                    .replace("&quot;", "\"")
                    .replace("&#39;", "'")
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&amp;", "&");
                styles.insert(value);
            }
        }
    }
    assert!(
        !styles.is_empty(),
        "the guide has inline styles (chart, timeline)"
    );
    let mut allowed: BTreeSet<String> = BTreeSet::new();
    for style in &styles {
        let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(style));
        allowed.insert(format!("'sha256-{hash}'"));
    }
    let listed: BTreeSet<String> = policy
        .split([' ', ';'])
        .filter(|token| token.starts_with("'sha256-"))
        .map(str::to_string)
        .collect();
    assert_eq!(listed, allowed);
    for directive in policy.split("; ") {
        let sources: Vec<&str> = directive.split(' ').skip(1).collect();
        assert!(
            sources
                .iter()
                .all(|s| ["'self'", "'none'", "'unsafe-hashes'"].contains(s)
                    || s.starts_with("'sha256-")),
            "{directive}"
        );
    }
}

#[test]
fn headers_are_never_published_unless_asked_for() {
    let site = Site::fixture("minimal");
    site.run(["build"]).code(0);
    assert!(!site.path("output/_headers").exists());
    let site = Site::fixture("minimal");
    let config = site.read("content/site.toml");
    let site = site.file(
        "content/site.toml",
        config.replace(
            "theme = \"default\"\n",
            "theme = \"default\"\n[publish]\nheaders = false\n",
        ),
    );
    site.run(["build"]).code(0).stderr("");
    assert!(!site.path("output/_headers").exists());
}

#[test]
fn a_misspelt_publish_key_is_an_error_at_its_place() {
    let site = Site::fixture("minimal");
    let config = site.read("content/site.toml");
    let site = site.file(
        "content/site.toml",
        config.replace(
            "theme = \"default\"\n",
            "theme = \"default\"\n[publish]\nheader = true\n",
        ),
    );
    site.run(["build"]).code(1).stderr(str![[r#"
error[unknown-key]: unknown field `header`, expected `headers`
 --> content/site.toml:7:1
  |
7 | header = true
  | ^^^^^^
  |
  = help: did you mean `headers`?

error: found 1 problem; nothing was written

"#]]);
}

#[test]
fn robots_txt_is_written_only_at_a_domain_root() {
    let site = Site::fixture("minimal");
    site.run(["build", "--base-url", "https://example.org"])
        .code(0);
    assert_eq!(
        site.read("output/robots.txt"),
        "User-agent: *\nAllow: /\nSitemap: https://example.org/sitemap.xml\n"
    );
    site.run(["build", "--base-url", "https://example.org/guide/"])
        .code(0);
    assert!(!site.path("output/robots.txt").exists());
}

/// Every rule sitemaps.org's schema (sitemap.xsd, 0.9) states for what sre-guide writes: the
/// XML declaration in UTF-8; a `urlset` root in the sitemap namespace; one or more `url`
/// children, each with exactly one `loc` first (and nothing else sre-guide writes); `loc` an
/// absolute URI of 12 to 2,048 characters with `&`, `<`, `>` escaped; at most 50,000 URLs.
#[test]
fn the_sitemap_follows_every_rule_of_the_sitemaps_org_schema() {
    let built = guide();
    let site = &built.site;
    let xml = site.read("output/sitemap.xml");
    let body = xml
        .strip_prefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        .expect("the XML declaration");
    let inner = body
        .strip_prefix("<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n")
        .and_then(|rest| rest.strip_suffix("</urlset>\n"))
        .expect("one urlset in the sitemap namespace");
    let urls: Vec<&str> = inner.lines().collect();
    assert!(!urls.is_empty() && urls.len() <= 50_000);
    let pages = site
        .tree("output")
        .into_keys()
        .filter(|path| path.ends_with("index.html"))
        .count();
    assert_eq!(urls.len(), pages, "one url per published page");
    for url in urls {
        let loc = url
            .strip_prefix("  <url><loc>")
            .and_then(|rest| rest.strip_suffix("</loc></url>"))
            .unwrap_or_else(|| panic!("not a url with one loc: {url}"));
        assert!((12..=2048).contains(&loc.len()), "{loc}");
        assert!(loc.starts_with("https://sre-guide.example.org/"), "{loc}");
        assert!(!loc.contains(['<', '>', '"', ' ']), "{loc}");
        assert!(loc.replace("&amp;", "").find('&').is_none(), "{loc}");
    }
}

/// The real schema, with xmllint (Debian's libxml2-utils). `SITEMAP_XSD` names sitemap.xsd as
/// the npm package `sitemap` ships it (a copy of sitemaps.org's); `.ci/run` installs both.
#[test]
#[ignore = "needs xmllint and SITEMAP_XSD"]
fn the_sitemap_is_valid_against_sitemap_xsd() {
    let xsd = std::env::var("SITEMAP_XSD").expect("SITEMAP_XSD names sitemap.xsd");
    let site = Site::repo();
    site.run(["build", "--base-url", "https://example.org/a&b/"])
        .code(0);
    let out = Command::new("xmllint")
        .args(["--noout", "--nonet", "--schema", &xsd])
        .arg(site.path("output/sitemap.xml"))
        .output()
        .expect("run xmllint (apt-get install libxml2-utils)");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("validates"), "{stderr}");
}

#[test]
fn edit_url_links_every_page_to_its_source_and_is_checked() {
    let site = guide_site_with("edit_url = \"https://git.example/guide/edit/main/{path}\"");
    site.run(["build"]).code(0).stderr("");
    let link = |source: &str| {
        format!("<a href=\"https://git.example/guide/edit/main/{source}\">Edit this page</a>")
    };
    let mut checked = 0;
    for path in site.tree("content").into_keys() {
        let Some(stem) = path.strip_suffix(".md") else {
            continue;
        };
        let route = match stem.strip_suffix("_index").or(stem.strip_suffix("index")) {
            Some(folder) => folder.to_string(),
            None => format!("{stem}/"),
        };
        let html = site.read(&format!("output/{route}index.html"));
        assert!(
            html.contains(&link(&format!("content/{path}"))),
            "{route} lacks its edit link"
        );
        checked += 1;
    }
    assert!(checked >= 12, "{checked} pages");
    // A quiz result page is edited in the quiz page's source.
    let result = site.read("output/where-are-you-now/phase-1/index.html");
    assert!(result.contains(&link("content/where-are-you-now.md")));

    for (path, bytes) in &guide().files {
        assert!(
            !String::from_utf8_lossy(bytes).contains("Edit this page"),
            "{path} has an edit link without edit_url"
        );
    }

    guide_site_with("edit_url = \"github.com/x/edit/{path}\"")
        .run(["check"])
        .code(1)
        .stderr(str![[r#"
error[url-not-absolute]: edit_url `github.com/x/edit/{path}` is not an absolute http(s) URL
 --> content/site.toml:8:12
  |
8 | edit_url = "github.com/x/edit/{path}"
  |            ^^^^^^^^^^^^^^^^^^^^^^^^^^
  |
  = help: write where a page's source can be edited, e.g. `edit_url = "https://github.com/you/guide/edit/main/{path}"`; `{path}` becomes `content/…md`

error: found 1 problem

"#]]);
}
