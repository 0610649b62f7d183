//! The search index on a small site: built only for a theme that uses it, and relative to the
//! page that names it.

use super::*;

fn index_files(site: &Site) -> Vec<(String, Vec<u8>)> {
    site.tree("output")
        .into_iter()
        .filter(|(path, _)| path.starts_with("static/search-index."))
        .collect()
}

#[test]
fn a_theme_without_search_gets_no_index() {
    let site = Site::fixture("minimal");
    site.run(["build"]).code(0);
    assert!(index_files(&site).is_empty());
}

#[test]
fn a_theme_that_names_the_index_gets_one_with_every_heading() {
    let site = Site::fixture("minimal");
    let base = site.read("themes/default/templates/base.html").replace(
        "<main>",
        "<a href=\"#\" data-search-index=\"{{ search_index() }}\">Search</a>\n<main>",
    );
    let site = site
        .file("themes/default/templates/base.html", base)
        .file(
            "content/notes/third.md",
            "+++\ntitle = \"Third\"\n+++\nOpening words.\n\n## Toil & trouble {#toil}\n\nWhy it *happens*.\n",
        );
    site.run(["build"]).code(0);
    let files = index_files(&site);
    assert_eq!(files.len(), 1, "{files:?}");
    let (path, bytes) = &files[0];
    assert!(path.ends_with(".js"));
    let script = std::str::from_utf8(bytes).unwrap();
    let json = script
        .strip_prefix("window.sreSearchIndex=")
        .and_then(|rest| rest.strip_suffix(";\n"))
        .expect("a script that hands over the index");
    let index: serde_json::Value = serde_json::from_str(json).unwrap();
    let pages = index["pages"].as_array().unwrap();
    let third = pages
        .iter()
        .position(|p| p[0] == "notes/third/")
        .expect("the page is in the index");
    let entries: Vec<&serde_json::Value> = index["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e[0] == third)
        .collect();
    assert_eq!(
        entries,
        [
            &serde_json::json!([third, "", "Third", "Opening words.", 1]),
            &serde_json::json!([third, "toil", "Toil & trouble", "Why it happens.", 2]),
        ]
    );
    // Each page names the index relative to itself.
    let html = site.read("output/notes/third/index.html");
    assert!(
        html.contains(&format!("data-search-index=\"../../{path}\"")),
        "{html}"
    );
}

#[test]
fn the_synonym_groups_of_site_toml_reach_the_index_in_lower_case() {
    let site = Site::fixture("minimal");
    let base = site.read("themes/default/templates/base.html").replace(
        "<main>",
        "<a href=\"#\" data-search-index=\"{{ search_index() }}\">Search</a>\n<main>",
    );
    let config = site.read("content/site.toml")
        + "\n[search]\nsynonyms = [[\"Salary\", \"pay \", \"salary\"], [\"oncall\", \"on-call\"]]\n";
    let site = site
        .file("themes/default/templates/base.html", base)
        .file("content/site.toml", config);
    site.run(["build"]).code(0).stderr("");
    let (_, bytes) = &index_files(&site)[0];
    let script = std::str::from_utf8(bytes).unwrap();
    let index: serde_json::Value = serde_json::from_str(
        script
            .strip_prefix("window.sreSearchIndex=")
            .and_then(|rest| rest.strip_suffix(";\n"))
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        index["synonyms"],
        serde_json::json!([["salary", "pay"], ["oncall", "on-call"]])
    );
}

#[test]
fn a_synonym_group_of_one_word_is_pointed_at() {
    let site = Site::fixture("minimal");
    let config = site.read("content/site.toml") + "\n[search]\nsynonyms = [[\"pay\", \"PAY\"]]\n";
    let line = config.lines().count();
    site.file("content/site.toml", config)
        .run(["check"])
        .code(1)
        .stderr_contains("error[invalid-value]: a synonym group needs two different words or more")
        .stderr_contains(&format!("--> content/site.toml:{line}:13"))
        .stderr_contains("help: list words a reader may type for the same thing");
}
