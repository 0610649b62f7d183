//! How a newly published build differs from the one served, and what each open page is told:
//! a stylesheet swap when only stylesheets changed, else a reload for the pages that changed
//! and, for the others, the changed files (`livereload.js` reloads if it loaded one).

use std::collections::HashSet;

use serde::Serialize;

use crate::serve::store::Files;

pub(super) fn reload(build: u64) -> String {
    serde_json::json!({ "event": "reload", "build": build }).to_string()
}

/// What a published build changed, for telling each open page whether it must reload.
pub(super) struct Changed {
    /// Every path added, removed or with other bytes.
    paths: HashSet<String>,
    /// Of those, the ones that are not documents: what a page may have loaded. (A page is never
    /// made of another page's HTML.)
    files: Vec<String>,
}

/// Most files a `changed` event names; a wider change reloads every page.
const NAMED_FILES: usize = 64;

/// The paths added, removed or with other bytes from `old` to `new`.
pub(super) fn changed(old: &Files, new: &Files) -> Changed {
    let mut paths: HashSet<String> = old
        .keys()
        .filter(|path| !new.contains_key(*path))
        .cloned()
        .collect();
    for (path, stored) in new {
        if old
            .get(path)
            .is_none_or(|before| before.hash != stored.hash)
        {
            paths.insert(path.clone());
        }
    }
    let mut files: Vec<String> = paths
        .iter()
        .filter(|path| !path.ends_with(".html"))
        .cloned()
        .collect();
    files.sort();
    Changed { paths, files }
}

/// The event that brings the page open at `page` up to date with build `build`: a reload when
/// the page itself changed (or is no page of the site, or nobody knows which page it is), else
/// `changed` with the other files that changed, and the page reloads only if it loaded one
/// (`livereload.js`). A save of one page no longer reloads every open page, nor twice the page
/// shown ahead of the rest.
pub(super) fn catch_up(page: Option<&str>, changed: &Changed, files: &Files, build: u64) -> String {
    let own = page
        .and_then(crate::model::url::Route::requested)
        .map(|route| crate::model::url::OutputPath::page(&route).to_string());
    let unchanged =
        own.is_some_and(|own| files.contains_key(&own) && !changed.paths.contains(&own));
    if !unchanged || changed.files.len() > NAMED_FILES {
        return reload(build);
    }
    serde_json::json!({ "event": "changed", "build": build, "files": changed.files }).to_string()
}

/// How a new build differs from the one served.
#[derive(Debug, PartialEq)]
pub(super) enum Change {
    None,
    /// Only stylesheets changed (and, with them, their fingerprinted names in the pages).
    Css(Vec<CssChange>),
    Reload,
}

#[derive(Debug, PartialEq, Serialize)]
pub(super) struct CssChange {
    from: String,
    to: String,
}

/// Whether `changed` (from `old` to `new`) is stylesheets alone, only the changed paths read.
pub(super) fn compare(old: &Files, new: &Files, changed: &Changed) -> Change {
    let gone = changed.paths.iter().filter(|path| !new.contains_key(*path));
    let mut added: Vec<&String> = changed
        .paths
        .iter()
        .filter(|path| !old.contains_key(*path))
        .collect();
    added.sort();
    let mut changes = Vec::new();
    for path in added {
        let stem = css_stem(path);
        let from = gone
            .clone()
            .find(|gone| stem.is_some() && css_stem(gone) == stem);
        match from {
            Some(from) => changes.push(CssChange {
                from: from.clone(),
                to: path.clone(),
            }),
            None => return Change::Reload,
        }
    }
    if gone.count() != changes.len() {
        return Change::Reload;
    }
    // Every other changed file must be the old one but for the stylesheets' fingerprints: told
    // by a hash that leaves them out, so no file is inflated to compare.
    for path in &changed.paths {
        let (Some(before), Some(after)) = (old.get(path), new.get(path)) else {
            continue; // a stylesheet renamed
        };
        if path.ends_with(".css")
            || changes.is_empty()
            || before.facts.css_blind_hash != after.facts.css_blind_hash
        {
            return Change::Reload;
        }
    }
    if changes.is_empty() {
        Change::None
    } else {
        Change::Css(changes)
    }
}

/// `static/style.1a2b3c4d.css` → `static/style`: a stylesheet's name without its fingerprint.
fn css_stem(path: &str) -> Option<&str> {
    let name = path.strip_suffix(".css")?;
    let (stem, hash) = name.rsplit_once('.')?;
    hash.bytes().all(|b| b.is_ascii_hexdigit()).then_some(stem)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::serve::store::{Facts, Store, pack};

    fn output(files: &[(&str, &str)]) -> Files {
        static STORE: std::sync::OnceLock<Store> = std::sync::OnceLock::new();
        let store = STORE.get_or_init(|| Store::new().expect("a temporary file"));
        files
            .iter()
            .map(|(path, text)| {
                let stored = store
                    .put(&pack(text.as_bytes()), Facts::of(text.as_bytes()))
                    .expect("stored");
                (path.to_string(), stored)
            })
            .collect()
    }

    #[test]
    fn a_stylesheet_change_alone_is_a_css_swap() {
        let old = output(&[
            ("index.html", r#"<link href="static/style.11111111.css">"#),
            ("static/style.11111111.css", "a{}"),
        ]);
        let new = output(&[
            ("index.html", r#"<link href="static/style.22222222.css">"#),
            ("static/style.22222222.css", "b{}"),
        ]);
        assert_eq!(
            compare(&old, &new, &changed(&old, &new)),
            Change::Css(vec![CssChange {
                from: "static/style.11111111.css".into(),
                to: "static/style.22222222.css".into(),
            }])
        );
        assert_eq!(compare(&old, &old, &changed(&old, &old)), Change::None);
        let also_text = output(&[
            (
                "index.html",
                r#"<link href="static/style.22222222.css"> new"#,
            ),
            ("static/style.22222222.css", "b{}"),
        ]);
        assert_eq!(
            compare(&old, &also_text, &changed(&old, &also_text)),
            Change::Reload
        );
        let new_page = output(&[
            ("index.html", r#"<link href="static/style.11111111.css">"#),
            ("static/style.11111111.css", "a{}"),
            ("faq/index.html", ""),
        ]);
        assert_eq!(
            compare(&old, &new_page, &changed(&old, &new_page)),
            Change::Reload
        );
        assert_eq!(
            compare(&new_page, &old, &changed(&new_page, &old)),
            Change::Reload
        );
    }

    #[test]
    fn only_pages_that_changed_or_loaded_a_changed_file_are_told_to_reload() {
        let old = output(&[
            ("index.html", "home"),
            ("docs/first/index.html", "first"),
            ("docs/second/index.html", "second"),
            ("docs/pic.png", "png"),
            ("search.1.json", "[]"),
        ]);
        let new = output(&[
            ("index.html", "home"),
            ("docs/first/index.html", "first, edited"),
            ("docs/second/index.html", "second"),
            ("docs/pic.png", "png"),
            ("search.2.json", "[1]"),
        ]);
        let edit = changed(&old, &new);
        let event = |page| -> serde_json::Value {
            serde_json::from_str(&catch_up(page, &edit, &new, 7)).expect("JSON")
        };
        assert_eq!(event(Some("docs/first/"))["event"], "reload");
        let second = event(Some("docs/second/"));
        assert_eq!(second["event"], "changed");
        assert_eq!(second["build"], 7);
        assert_eq!(
            second["files"],
            serde_json::json!(["search.1.json", "search.2.json"])
        );
        assert_eq!(event(Some(""))["event"], "changed");
        // Not a page of the site (the 404 page), or a page nobody named: reload.
        assert_eq!(event(Some("nope/"))["event"], "reload");
        assert_eq!(event(None)["event"], "reload");
        assert_eq!(event(Some("docs/pic.png"))["event"], "reload");
        // A change too wide to name reloads everything.
        let many: Vec<(String, String)> = (0..=NAMED_FILES)
            .map(|i| (format!("f{i}.png"), i.to_string()))
            .collect();
        let many: Vec<(&str, &str)> = many.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let wide = changed(
            &old,
            &output(&[&many[..], &[("index.html", "home")]].concat()),
        );
        assert!(catch_up(Some(""), &wide, &new, 8).contains("reload"));
    }
}
