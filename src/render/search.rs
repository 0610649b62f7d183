//! `Site` → the search index: one entry per heading of every page's Markdown (its title and the
//! text below it, paragraphs, lists and tables), one per page for the text before its first
//! heading, and one per checklist item of the ladder. Published as compact JSON under a content-
//! hashed name that `search_index()` gives templates; the theme's search.js loads it on first use.

use serde::Serialize;
use tera::{Kwargs, State, Tera};

use crate::html::{self, Piece};
use crate::model::Site;
use crate::model::url::{Generated, OutputPath, ROOT_MARKER, SiteUrl};
use crate::theme::Theme;

/// The published index: its path below the output root and its bytes.
pub(crate) struct Index {
    pub(crate) path: OutputPath,
    pub(crate) bytes: Vec<u8>,
}

/// What search.js reads: `pages[i] = [route, title]`, `entries[j] = [page index, anchor,
/// title, text]` (an empty anchor is the top of the page). Arrays, not objects, to keep it small.
#[derive(Serialize)]
struct Json<'a> {
    pages: Vec<(&'a str, &'a str)>,
    entries: Vec<(usize, String, String, String)>,
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

fn build(site: &Site) -> Index {
    let mut json = Json {
        pages: Vec::new(),
        entries: Vec::new(),
    };
    for page in &site.pages {
        let number = json.pages.len();
        json.pages.push((&page.route, &page.front.title));
        // A page changed since it was loaded fails to render, and says so.
        let html = crate::markdown::body_html(
            page,
            &page.route.relative_root(),
            crate::markdown::Embedding::NONE,
        )
        .unwrap_or_default();
        for section in sections(&html) {
            if section.anchor.is_empty() && section.text.is_empty() {
                continue;
            }
            let title = if section.anchor.is_empty() {
                page.front.title.clone()
            } else {
                section.title
            };
            json.entries
                .push((number, section.anchor, title, section.text));
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
                ));
            }
        }
    }
    let bytes = serde_json::to_vec(&json).expect("strings and numbers always serialise");
    let path = OutputPath::generated(Generated::SearchIndex(&bytes));
    Index { path, bytes }
}

/// Registers `search_index()`: the index's URL relative to the page.
pub(crate) fn register(tera: &mut Tera, index: Option<&Index>) {
    let url = index.map_or(String::new(), |index| SiteUrl::file(&index.path).marked());
    tera.register_function(
        "search_index",
        move |_: Kwargs, _: &State| -> tera::TeraResult<String> { Ok(url.clone()) },
    );
}

/// A heading's anchor and title, and the text up to the next heading.
#[derive(Debug, Default, PartialEq)]
struct Section {
    anchor: String,
    title: String,
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
                } else if is_heading(name) {
                    let anchor = html::attribute(tag, "id").unwrap_or_default().to_string();
                    sections.push(Section {
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
                } else if is_heading(name) {
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

fn is_heading(name: &str) -> bool {
    matches!(name, "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
}

/// Elements inside a line of text: no word break around them.
fn is_inline(name: &str) -> bool {
    matches!(
        name,
        "a" | "abbr"
            | ""
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
            | "su"
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
        let html = "<p>Intro <em>text</em>.</p>\n<h2 id=\"toil\"><a href=\"#toil\">Toil &amp; trouble</a></h2>\n<p>Why it\nhappens.</p><ul><li>one</li><li>two</li></ul><svg><text>chart</text></svg>";
        assert_eq!(
            sections(html),
            vec![
                Section {
                    anchor: String::new(),
                    title: String::new(),
                    text: "Intro text.".into()
                },
                Section {
                    anchor: "toil".into(),
                    title: "Toil & trouble".into(),
                    text: "Why it happens. one two".into()
                },
            ]
        );
    }

    #[test]
    fn hostile_markup_neither_panics_nor_leaks_script_text() {
        let sections = sections("<h2 id=\"a\"><script>alert(1)</script>T</h2><p>x</h2></h3><p");
        assert_eq!(sections[1].title, "T");
        assert!(!sections.iter().any(|s| s.text.contains("alert")));
    }
}
