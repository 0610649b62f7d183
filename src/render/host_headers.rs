//! `[publish] headers = true` → the `_headers` file Netlify and Cloudflare Pages read: a cache
//! policy (content-hashed files immutable for a year, everything else revalidated) and security
//! headers with a Content-Security-Policy that allows only the site itself. Pure text in, text
//! out: [`render`](crate::render) feeds it the published paths and the HTML's inline `style`
//! attributes.

use std::collections::BTreeSet;

use base64::Engine;
use sha2::{Digest, Sha256};

use crate::model::url::{Generated, OutputPath};
use crate::theme::Theme;

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "no-cache";

/// The `_headers` text. `paths` are every published file, `search_index` the index's (hashed)
/// path; `styles` the values of the inline
/// `style` attributes in the published HTML (the compensation chart, the timeline, aligned table
/// cells), allowed one by one by hash so no other inline style can run.
pub(crate) fn file(
    paths: &[OutputPath],
    theme: &Theme,
    search_index: Option<&OutputPath>,
    styles: &BTreeSet<String>,
) -> String {
    // The theme's fingerprinted assets and the search index, named by a hash of their bytes.
    let hashed: BTreeSet<&str> = theme
        .assets
        .iter()
        .filter(|(source, file)| file.published.strip_prefix("static/") != Some(source.as_str()))
        .map(|(_, file)| file.published.as_str())
        .chain(search_index.map(OutputPath::as_str))
        .collect();
    let mut text = String::from(
        "# Written by `sre-guide build` because content/site.toml has [publish] headers = true.\n\
         # Netlify and Cloudflare Pages apply it; other hosts: see docs/publishing.md.\n\
         # Each path gets one Cache-Control (hosts join repeated headers with commas).\n\n",
    );
    text.push_str("/*\n");
    text.push_str(&format!("  Content-Security-Policy: {}\n", policy(styles)));
    text.push_str("  X-Content-Type-Options: nosniff\n");
    text.push_str("  Referrer-Policy: strict-origin-when-cross-origin\n\n");

    text.push_str(
        "# Content-hashed: a changed file gets a new name, so browsers keep these a year.\n",
    );
    for path in &hashed {
        rule(&mut text, &format!("/{path}"), IMMUTABLE);
    }
    text.push_str(
        "\n# Pages, the sitemap and files kept under their own name: revalidated on each visit.\n",
    );
    rule(&mut text, "/", REVALIDATE);
    let mut others = BTreeSet::new();
    for path in paths.iter().filter(|path| !hashed.contains(path.as_str())) {
        match path.split_once('/') {
            Some(("static", _)) => others.insert(format!("/{path}")),
            Some((folder, _)) => others.insert(format!("/{folder}/*")),
            None if *path == OutputPath::generated(Generated::Headers) => false,
            None => others.insert(format!("/{path}")),
        };
    }
    for pattern in &others {
        rule(&mut text, pattern, REVALIDATE);
    }
    text
}

fn rule(text: &mut String, pattern: &str, cache_control: &str) {
    text.push_str(&format!("{pattern}\n  Cache-Control: {cache_control}\n"));
}

/// Scripts and styles from the site's own files only; inline `style` attributes by exact hash.
fn policy(styles: &BTreeSet<String>) -> String {
    let mut style_src = String::from("'self'");
    if !styles.is_empty() {
        style_src.push_str(" 'unsafe-hashes'");
        for style in styles {
            let digest = Sha256::digest(style.as_bytes());
            let hash = base64::engine::general_purpose::STANDARD.encode(digest);
            style_src.push_str(&format!(" 'sha256-{hash}'"));
        }
    }
    format!(
        "default-src 'self'; script-src 'self'; style-src {style_src}; img-src 'self'; \
         object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
    )
}

/// Adds the value of every `style="…"` attribute in `html`, entities decoded, as the browser
/// hashes it; text and raw-text elements (`<script>`) hold no attributes.
pub(crate) fn style_attributes(html: &str, found: &mut BTreeSet<String>) {
    crate::model::html::start_tags(html, |tag| {
        if let Some(style) = crate::model::html::attribute(tag, "style") {
            found.insert(style.to_string());
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn styles(html: &str) -> Vec<String> {
        let mut found = BTreeSet::new();
        style_attributes(html, &mut found);
        found.into_iter().collect()
    }

    #[test]
    fn style_attributes_are_found_in_any_quoting() {
        assert_eq!(
            styles(
                "<p>a <b style=\"--a:1\">x</b> <td align=left style='text-align: center'>\
                 <rect x=1 style=fill:red/><br/><img alt=\"style=&quot;no&quot;\">"
            ),
            ["--a:1", "fill:red/", "text-align: center"]
        );
    }

    #[test]
    fn text_and_scripts_are_not_attributes() {
        assert!(styles("<p>style=\"a\" &lt;b style=\"c\"&gt;</p>").is_empty());
        assert!(styles("<script>let s = '<b style=\"x\">';</script><p>").is_empty());
        assert!(styles("</div style=\"x\"><!-- -->a < b").is_empty());
    }

    #[test]
    fn entities_are_decoded_as_the_browser_does() {
        assert_eq!(
            styles("<b style=\"a&amp;b &#x2F;&#47;&quot;&lt;&gt; &nope; &\">"),
            ["a&b //\"<> &nope; &"]
        );
    }

    #[test]
    fn the_policy_names_each_style_by_its_sha256() {
        // `echo -n 'color:red' | openssl dgst -sha256 -binary | base64`
        let one: BTreeSet<String> = ["color:red".to_string()].into();
        assert!(policy(&one).contains(
            "style-src 'self' 'unsafe-hashes' 'sha256-8f935d27GvUutRyY9yWScUMiFUk4WTdZURISiYfPOeQ='"
        ));
        assert!(policy(&BTreeSet::new()).contains("style-src 'self';"));
    }
}
