//! Link previews: every page of the guide and every quiz result page names a 1200×630 PNG card by
//! an absolute URL from `base_url`; cards are the same bytes on every build and change name only
//! when what they show changes.

use std::collections::BTreeMap;

use super::*;

const BASE: &str = "https://previews.example/guide/";

/// `content` of the first `<meta {attribute}="{name}" content="…">` in `html`.
fn meta<'a>(html: &'a str, attribute: &str, name: &str) -> Option<&'a str> {
    let start = html.find(&format!("<meta {attribute}=\"{name}\" content=\""))?;
    let rest = &html[start..];
    let rest = &rest[rest.find("content=\"")? + 9..];
    Some(&rest[..rest.find('"')?])
}

/// Width and height from the IHDR chunk, after checking the PNG signature.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    assert_eq!(&bytes[12..16], b"IHDR", "a PNG starts with IHDR");
    let word = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    (word(16), word(20))
}

/// The cards of a built output folder (path → bytes).
fn cards(tree: &BTreeMap<String, Vec<u8>>) -> BTreeMap<String, Vec<u8>> {
    tree.iter()
        .filter(|(path, _)| path.starts_with("static/og/") && !path.ends_with('/'))
        .map(|(path, bytes)| (path.clone(), bytes.clone()))
        .collect()
}

#[test]
fn every_page_and_every_quiz_result_names_a_1200_by_630_card_from_base_url() {
    let site = Site::repo();
    site.run(["build", "--base-url", BASE]).code(0);
    let output = site.tree("output");
    let mut result_pages = 0;
    let mut used = Vec::new();
    for (path, bytes) in &output {
        if !path.ends_with(".html") || path == "404.html" {
            continue;
        }
        let html = std::str::from_utf8(bytes).unwrap();
        let image =
            meta(html, "property", "og:image").unwrap_or_else(|| panic!("{path} has no og:image"));
        let file = image
            .strip_prefix(BASE)
            .unwrap_or_else(|| panic!("{path}: og:image {image} is not absolute from base_url"));
        assert_eq!(
            meta(html, "name", "twitter:card"),
            Some("summary_large_image"),
            "{path}"
        );
        let png = output
            .get(file)
            .unwrap_or_else(|| panic!("{path} names {file}, which was not written"));
        assert_eq!(png_size(png), (1200, 630), "{file}");
        if path.starts_with("where-are-you-now/phase-") {
            result_pages += 1;
        }
        used.push(file.to_string());
    }
    assert_eq!(result_pages, 4, "the quiz has four result pages");
    used.sort();
    used.dedup();
    let written: Vec<String> = cards(&output).into_keys().collect();
    assert_eq!(written, used, "exactly the cards pages use are published");
    assert!(used.len() >= 16, "one card per page: {used:?}");
}

#[test]
fn cards_are_byte_identical_across_builds_and_renamed_only_when_their_text_changes() {
    let site = Site::repo();
    site.run(["build", "--output", "first"]).code(0);
    site.run(["build", "--output", "second"]).code(0);
    let first = cards(&site.tree("first"));
    assert!(!first.is_empty());
    assert_eq!(
        first,
        cards(&site.tree("second")),
        "two fresh builds draw the same bytes"
    );

    let faq = site
        .read("content/faq.md")
        .replacen("title = \"", "title = \"Frequently asked: ", 1);
    let site = site.file("content/faq.md", faq);
    site.run(["build", "--output", "second"]).code(0);
    let changed = cards(&site.tree("second"));
    let gone: Vec<_> = first.keys().filter(|k| !changed.contains_key(*k)).collect();
    let new: Vec<_> = changed.keys().filter(|k| !first.contains_key(*k)).collect();
    assert_eq!(
        (gone.len(), new.len()),
        (1, 1),
        "only the FAQ's card changes"
    );
    let faq_html = site.read("second/faq/index.html");
    assert!(faq_html.contains(new[0].as_str()));
}

#[test]
fn a_card_of_the_same_name_in_the_previous_output_is_reused_not_drawn_again() {
    let site = Site::repo();
    site.run(["build"]).code(0);
    let before = cards(&site.tree("output"));
    let mut names = before.keys();
    let (first, second) = (names.next().unwrap(), names.next().unwrap());
    // Put another valid card's bytes under the first name: a rebuild that reuses keeps them.
    std::fs::write(site.path(&format!("output/{first}")), &before[second]).unwrap();
    site.run(["build"]).code(0);
    let after = cards(&site.tree("output"));
    assert_eq!(after[first], before[second], "the previous file was reused");
    // Something that is not a 1200×630 PNG is drawn again instead.
    std::fs::write(site.path(&format!("output/{first}")), b"not a png").unwrap();
    site.run(["build"]).code(0);
    assert_eq!(cards(&site.tree("output"))[first], before[first]);
}

#[test]
fn a_theme_without_a_font_is_told_where_to_put_one() {
    let site = Site::fixture("minimal");
    let page = site.read("themes/default/templates/page.html").replace(
        "<h1>{{ page.title }}</h1>",
        "<h1>{{ page.title }}</h1><img alt=\"\" src=\"{{ og_image(title=page.title) }}\">",
    );
    let site = site.file("themes/default/templates/page.html", page);
    site.run(["check"]).code(1).stderr(str![[r#"
error[template-render]: og_image(): the theme has no font to draw with; add a .ttf or .otf file (and its licence) to the theme's fonts/ folder
 --> themes/default/templates/page.html:3:46
  |
3 | <h1>{{ page.title }}</h1><img alt="" src="{{ og_image(title=page.title) }}">
  |                                              ^^^^^^^^^^^^^^^^^^^^^^^^^^
  |
  = note: while rendering content/index.md and 2 other pages
  = help: the template fails here while rendering; Tera's syntax and built-ins: https://keats.github.io/tera/docs/

error: found 1 problem

"#]]);
}

#[test]
fn a_font_file_that_is_not_a_font_is_named() {
    let site = Site::fixture("minimal").file("themes/default/fonts/Brand.ttf", "not a font");
    site.run(["check"]).code(1).stderr(str![[r#"
error[font-invalid]: this is not a TrueType or OpenType font with a family name
--> themes/default/fonts/Brand.ttf
 = help: link previews are drawn with the first .ttf or .otf file in the theme's fonts/ folder; replace it with a font file

error: found 1 problem

"#]]);
}
