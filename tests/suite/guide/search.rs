//! The search index the build publishes: what it covers (headings, FAQ questions, roadblocks,
//! checklist items, paragraphs), that every anchor it names exists, and what search costs.

use serde_json::Value;

use super::*;

/// The published index and its path: a script that hands the page its data as JSON.
pub(super) fn index() -> (&'static str, Value) {
    let (path, bytes) = output()
        .iter()
        .find(|(path, _)| path.starts_with("static/search-index.") && path.ends_with(".js"))
        .expect("the build publishes static/search-index.<hash>.js");
    let text = std::str::from_utf8(bytes).expect("UTF-8");
    let json = text
        .strip_prefix("window.sreSearchIndex=")
        .and_then(|rest| rest.strip_suffix(";\n"))
        .unwrap_or_else(|| panic!("{path} assigns the index: {}", &text[..60]));
    (path, serde_json::from_str(json).expect("the index is JSON"))
}

/// Every entry as (page file, anchor, title, text).
fn entries() -> Vec<(String, String, String, String)> {
    let (_, index) = index();
    let pages = index["pages"].as_array().expect("pages");
    index["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|entry| {
            let page = &pages[entry[0].as_u64().expect("a page number") as usize];
            let route = page[0].as_str().expect("a route");
            let text = |i: usize| entry[i].as_str().expect("a string").to_string();
            (format!("{route}index.html"), text(1), text(2), text(3))
        })
        .collect()
}

/// `## Heading {#id}` lines of a content file as (id, heading).
fn headings(content_path: &str) -> Vec<(String, String)> {
    repo_file(content_path)
        .lines()
        .filter_map(|line| line.strip_prefix("## "))
        .filter_map(|line| {
            let (title, id) = line.split_once(" {#")?;
            Some((id.trim_end_matches('}').to_string(), title.to_string()))
        })
        .collect()
}

#[test]
fn every_anchor_in_the_index_exists_on_its_page() {
    let entries = entries();
    assert!(entries.len() > 40, "{} entries", entries.len());
    for (page, anchor, title, _) in entries {
        let html = file(&page);
        assert!(
            !title.is_empty(),
            "{page}#{anchor}: an entry without a title"
        );
        if !anchor.is_empty() {
            assert!(
                html.contains(&format!(" id=\"{anchor}\"")),
                "{page} has no #{anchor} (from the index)"
            );
        }
    }
}

#[test]
fn faq_questions_roadblocks_checklist_items_and_paragraphs_are_all_findable() {
    let entries = entries();
    let has = |page: &str, anchor: &str, title: &str| {
        entries
            .iter()
            .any(|(p, a, t, _)| p == page && a == anchor && plain(t) == plain(title))
    };
    for source in ["content/faq.md", "content/roadblocks.md"] {
        let found = headings(source);
        assert!(found.len() >= 5, "{source}: {found:?}");
        for (id, heading) in found {
            assert!(
                has(&page_of(&source["content/".len()..]), &id, &heading),
                "{source}: {heading}"
            );
        }
    }
    let ladder = data("ladder");
    let mut items = 0;
    for phase in tables(&ladder, "phases") {
        let page = page_of(str_of(phase, "page"));
        let checklist = phase["checklist"].as_table().expect("a checklist");
        for item in tables(checklist, "items") {
            let id = format!("item-{}", str_of(item, "id"));
            assert!(has(&page, &id, str_of(item, "text")), "{page}#{id}");
            items += 1;
        }
    }
    assert!(items >= 12, "{items} checklist items");
    // A paragraph before the first heading is found, on its page's top.
    let intro = repo_file("content/roadblocks.md");
    let first_line = intro
        .split("+++")
        .nth(2)
        .expect("a body")
        .trim()
        .lines()
        .next()
        .expect("a line");
    assert!(
        entries
            .iter()
            .any(|(p, a, _, text)| p == "roadblocks/index.html"
                && a.is_empty()
                && text.starts_with(first_line)),
        "the roadblocks page's first paragraph ({first_line:?})"
    );
}

#[test]
fn search_costs_under_40_kb_and_pages_load_only_its_small_first_step() {
    let (index_path, _) = index();
    let asset = |prefix: &str, ext: &str| {
        let (path, bytes) = output()
            .iter()
            .find(|(p, _)| {
                p.starts_with(prefix)
                    && p.ends_with(ext)
                    && p[prefix.len()..p.len() - ext.len()]
                        .chars()
                        .all(|c| c.is_ascii_hexdigit())
            })
            .unwrap_or_else(|| panic!("no {prefix}<hash>{ext}"));
        (path.as_str(), bytes.len())
    };
    let first_step = asset("static/search.", ".js");
    let ui = asset("static/search-ui.", ".js");
    let css = asset("static/search.", ".css");
    let total = output()[index_path].len() + first_step.1 + ui.1 + css.1;
    assert!(total < 40_000, "index + script + styles = {total} bytes");
    assert!(
        first_step.1 < 1_500,
        "the script on every page is {} bytes",
        first_step.1
    );
    let ui_text = std::str::from_utf8(&output()[ui.0]).expect("UTF-8");
    assert!(
        ui_text.contains("script.src=indexUrl")
            && ui_text.contains("indexUrl=link.getAttribute(\"data-search-index\")")
            && !ui_text.contains("fetch("),
        "search-ui.js loads only the index its page names, as a script (which works from disk)"
    );
    for (page, html) in pages() {
        for tag in tags(html) {
            if let Some(url) = tag.attr("data-search-index") {
                assert!(
                    url.ends_with(index_path) && !url.contains(':'),
                    "{page}: {url}"
                );
            }
        }
        assert!(
            html.contains(&format!("{}\" defer>", first_step.0)),
            "{page}: no deferred search.js"
        );
        // The rest is named only in data- attributes, loaded on first use.
        for lazy in [ui.0, css.0, index_path] {
            assert!(
                !html.contains(&format!("src=\"{lazy}"))
                    && !html.contains(&format!("href=\"{lazy}"))
            );
        }
    }
}
