//! [`Site`] → the search index: one entry per page (its title and the text before its first
//! heading), one per heading of every page's Markdown (its title and the text below it:
//! paragraphs, lists and tables), and one per checklist item of the ladder, each with its kind so
//! search ranks a page's title and main headings above subheadings and checklist text; and the
//! synonym groups of `site.toml`'s `[search]`. Published as a content-hashed script
//! (`window.sreSearchIndex = {…}`): a page loads it with a `<script>` element, which works from
//! `file://` where `fetch` cannot, and within a `script-src 'self'` policy.
#![warn(clippy::missing_docs_in_private_items)]

use serde::Serialize;
use tera::{Kwargs, State, Tera};

use crate::model::Site;
use crate::model::html::{self, Piece};
use crate::model::url::{Generated, OutputPath, ROOT_MARKER, SiteUrl};
use crate::theme::Theme;

/// The published index: its path below the output root and its bytes.
pub(crate) struct Index {
    /// `static/search-index.<hash>.json`: `static/search-index.1a2b3c4d.json`.
    pub(crate) path: OutputPath,
    /// The compact JSON itself.
    pub(crate) bytes: Vec<u8>,
}

/// What an entry is, most important first: search.js weighs a title match by it.
#[derive(Clone, Copy)]
enum Kind {
    /// A page's title, with the text before its first heading.
    Page = 1,
    /// A heading of level 2 (a page's main sections).
    Main = 2,
    /// A heading of level 3 to 6 (or a page's own level 1 in its Markdown).
    Sub = 3,
    /// A checklist item: its text is the entry's title.
    Item = 4,
}

/// What search.js reads: `pages[i] = [route, title]`, `entries[j] = [page index, anchor,
/// title, text, kind]` (an empty anchor is the top of the page; kind as [`Kind`]), `synonyms`
/// the groups of words that find each other. Arrays, not objects, to keep it small.
#[derive(Serialize)]
struct Json<'a> {
    /// Every page as `[route, title]`: `["phases/junior/", "Phase 1: Junior SRE"]`.
    pages: Vec<(&'a str, &'a str)>,
    /// Every entry as `[page index, anchor, title, text, kind]`:
    /// `[3, "junior-what-counts", "Own a failure end to end", "…", 2]`.
    entries: Vec<(usize, String, String, String, u8)>,
    /// `[search] synonyms` of `site.toml`: groups of lower-case words that find each other.
    synonyms: &'a [Vec<String>],
}

/// The index, if a template of the theme uses it (a site whose theme has no search, such as the
/// benchmark's, does not pay for one).
pub(crate) fn index(site: &Site, theme: &Theme) -> Option<Index> {
    let used = theme
        .templates
        .values()
        .any(|template| template.text().contains("search_index("));
    used.then(|| build(site))
}

/// The index of every page's headings and text and every checklist item.
fn build(site: &Site) -> Index {
    let mut json = Json {
        pages: Vec::new(),
        entries: Vec::new(),
        synonyms: &site.config.search_synonyms,
    };
    for page in &site.pages {
        let number = json.pages.len();
        json.pages.push((&page.route, &page.front.title));
        // The HTML loading wrote, unless a render took it. A page changed since it was loaded
        // fails to render, and says so.
        let sections = page.html.peek(sections).unwrap_or_else(|| {
            let html = crate::markdown::body_html(
                page,
                &page.route.relative_root(),
                crate::markdown::Embedding::NONE,
            );
            sections(&html.unwrap_or_default())
        });
        for section in sections {
            // Every page has its top entry: its title is what a reader most often searches for.
            let (title, kind) = match section.level {
                0 => (page.front.title.clone(), Kind::Page),
                2 => (section.title, Kind::Main),
                _ => (section.title, Kind::Sub),
            };
            json.entries
                .push((number, section.anchor, title, section.text, kind as u8));
        }
    }
    if let Some(ladder) = &site.data.ladder {
        for phase in &ladder.phases {
            let Some(number) = site.pages.iter().position(|p| p.path == phase.page.path) else {
                continue;
            };
            for item in &phase.checklist.items {
                // phase.html gives each item the id `item-<id>`.
                json.entries.push((
                    number,
                    format!("item-{}", item.id),
                    item.text.clone(),
                    String::new(),
                    Kind::Item as u8,
                ));
            }
        }
    }
    let text = serde_json::to_string(&json).expect("strings and numbers always serialise");
    // JSON is a JavaScript expression (U+2028 and U+2029 included, since ES2019).
    let bytes = format!("window.sreSearchIndex={text};\n").into_bytes();
    let path = OutputPath::generated(Generated::SearchIndex(&bytes));
    Index { path, bytes }
}

/// Registers `search_index()`: the index's URL relative to the page, as every template URL
/// marked (`"../../static/search-index.1a2b3c4d.json"` on `phases/junior/`). The index is built
/// only when some template's text names `search_index(` ([`index`]).
pub(crate) fn register(tera: &mut Tera, index: Option<&Index>) {
    let url = index.map_or(String::new(), |index| SiteUrl::file(&index.path).marked());
    tera.register_function(
        "search_index",
        move |_: Kwargs, _: &State| -> tera::TeraResult<String> { Ok(url.clone()) },
    );
}

/// A heading's level (0 for the text before the first heading), anchor and title, and the text
/// up to the next heading.
#[derive(Debug, Default, PartialEq)]
struct Section {
    /// The heading's level (`2` for `h2`); 0 for the text before the first heading.
    level: u8,
    /// The heading's id (`"junior-what-counts"`); empty for the text before the first heading.
    anchor: String,
    /// The heading's text, whitespace squeezed.
    title: String,
    /// The text up to the next heading, whitespace squeezed.
    text: String,
}

/// Splits rendered Markdown at its headings. Text before the first heading is a section with
/// no anchor.
fn sections(html: &str) -> Vec<Section> {
    let mut sections = vec![Section::default()];
    let mut in_heading = false;
    let mut skipped = 0usize;
    html::walk(html, |piece| {
        let current = sections.last_mut().expect("never empty");
        match piece {
            Piece::Start(tag) => {
                let name = tag.name.as_ref();
                if matches!(name, "script" | "style" | "svg") && !tag.self_closing {
                    skipped += 1;
                } else if let Some(level) = heading_level(name) {
                    let anchor = html::attribute(tag, "id").unwrap_or_default().to_string();
                    sections.push(Section {
                        level,
                        anchor,
                        ..Section::default()
                    });
                    in_heading = true;
                } else if !is_inline(name) {
                    current.text.push(' ');
                }
            }
            Piece::End(tag) => {
                let name = tag.name.as_ref();
                if matches!(name, "script" | "style" | "svg") {
                    skipped = skipped.saturating_sub(1);
                } else if heading_level(name).is_some() {
                    in_heading = false;
                } else if !is_inline(name) {
                    current.text.push(' ');
                }
            }
            Piece::Text(text) if skipped == 0 => {
                let text = text.replace(ROOT_MARKER, "");
                if in_heading {
                    current.title.push_str(&text);
                } else {
                    current.text.push_str(&text);
                }
            }
            Piece::Text(_) => {}
        }
    });
    for section in &mut sections {
        section.title = squeeze(&section.title);
        section.text = squeeze(&section.text);
    }
    sections
}

/// `h1` … `h6` → 1 … 6.
fn heading_level(name: &str) -> Option<u8> {
    match name.as_bytes() {
        [b'h', level @ b'1'..=b'6'] => Some(level - b'0'),
        _ => None,
    }
}

/// Elements inside a line of text: no word break around them.
fn is_inline(name: &str) -> bool {
    matches!(
        name,
        "a" | "abbr"
            | "b"
            | "cite"
            | "code"
            | "em"
            | "i"
            | "kbd"
            | "mark"
            | "q"
            | "s"
            | "small"
            | "span"
            | "strong"
            | "sub"
            | "sup"
            | "time"
            | "u"
    )
}

/// Whitespace runs as one space, trimmed.
fn squeeze(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_splits_at_headings_with_their_anchors() {
        let html = "<p>Intro <em>text</em>.</p>\n<h2 id=\"toil\"><a href=\"#toil\" tabindex=\"-1\">Toil &amp; trouble</a></h2>\n<p>Why it\nhappens.</p><ul><li>one</li><li>two</li></ul><svg><text>chart</text></svg>";
        assert_eq!(
            sections(html),
            vec![
                Section {
                    level: 0,
                    anchor: String::new(),
                    title: String::new(),
                    text: "Intro text.".into()
                },
                Section {
                    level: 2,
                    anchor: "toil".into(),
                    title: "Toil & trouble".into(),
                    text: "Why it happens. one two".into()
                },
            ]
        );
    }

    #[test]
    fn inline_elements_keep_words_whole() {
        let text = &sections("<p>H<sub>2</sub>O is <b>bold</b>ly w<i>r</i>itten</p>")[0].text;
        assert_eq!(text, "H2O is boldly written");
    }

    #[test]
    fn hostile_markup_neither_panics_nor_leaks_script_text() {
        let sections = sections("<h2 id=\"a\"><script>alert(1)</script>T</h2><p>x</h2></h3><p");
        assert_eq!(sections[1].title, "T");
        assert!(!sections.iter().any(|s| s.text.contains("alert")));
    }
}
