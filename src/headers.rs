//! `[publish] headers = true` → the `_headers` file Netlify and Cloudflare Pages read: a cache
//! policy (content-hashed files immutable for a year, everything else revalidated) and security
//! headers with a Content-Security-Policy that allows only the site itself. Pure text in, text
//! out: `render` feeds it the published paths and the HTML's inline `style` attributes.

use std::collections::BTreeSet;

use base64::Engine;
use sha2::{Digest, Sha256};

use crate::theme::Theme;

pub(crate) const FILE: &str = "_headers";

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "no-cache";

/// The `_headers` text. `paths` are every published file; `styles` the values of the inline
/// `style` attributes in the published HTML (the compensation chart, the timeline, aligned table
/// cells), allowed one by one by hash so no other inline style can run.
pub(crate) fn file(paths: &[String], theme: &Theme, styles: &BTreeSet<String>) -> String {
    let hashed: BTreeSet<&str> = theme
        .assets
        .iter()
        .filter(|(source, file)| file.published != format!("static/{source}"))
        .map(|(_, file)| file.published.as_str())
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
            None if path == FILE => false,
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

/// Adds the value of every `style="…"` attribute in `html` (entities decoded, as the browser
/// hashes it). A small tag scanner: attribute syntax only, text and raw-text elements skipped.
pub(crate) fn style_attributes(html: &str, found: &mut BTreeSet<String>) {
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        rest = &rest[open + 1..];
        let name_end = rest
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(rest.len());
        if name_end == 0 {
            continue; // a closing tag, a comment, or a `<` in text
        }
        let element = rest[..name_end].to_ascii_lowercase();
        rest = &rest[name_end..];
        loop {
            rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == '/');
            if rest.is_empty() || rest.starts_with('>') {
                break;
            }
            let name_end = rest
                .find(|c: char| c.is_ascii_whitespace() || matches!(c, '=' | '>' | '/'))
                .unwrap_or(rest.len());
            let name = &rest[..name_end];
            rest = rest[name_end..].trim_start_matches(|c: char| c.is_ascii_whitespace());
            let Some(after_equals) = rest.strip_prefix('=') else {
                continue;
            };
            rest = after_equals.trim_start_matches(|c: char| c.is_ascii_whitespace());
            let (value, after) = match rest.chars().next() {
                Some(quote @ ('"' | '\'')) => {
                    let inner = &rest[1..];
                    let end = inner.find(quote).unwrap_or(inner.len());
                    (&inner[..end], inner.get(end + 1..).unwrap_or(""))
                }
                _ => {
                    let end = rest
                        .find(|c: char| c.is_ascii_whitespace() || c == '>')
                        .unwrap_or(rest.len());
                    (&rest[..end], &rest[end..])
                }
            };
            if name.eq_ignore_ascii_case("style") {
                found.insert(decode_entities(value));
            }
            rest = after;
        }
        if element == "script" || element == "style" {
            let close = format!("</{element}");
            rest = rest.find(&close).map_or("", |at| &rest[at..]);
        }
    }
}

/// The character references HTML escapers write: `&amp;` `&lt;` `&gt;` `&quot;` and numeric ones.
fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let decoded = rest.find(';').and_then(|end| {
            let name = &rest[1..end];
            let character = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => name
                    .strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                    .or_else(|| name.strip_prefix('#').and_then(|dec| dec.parse().ok()))
                    .and_then(char::from_u32),
            };
            character.map(|c| (c, end + 1))
        });
        match decoded {
            Some((character, length)) => {
                out.push(character);
                rest = &rest[length..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
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
            decode_entities("a&amp;b &#x2F;&#47;&quot;&lt;&gt; &nope; &"),
            "a&b //\"<> &nope; &"
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
