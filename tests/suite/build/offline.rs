//! `[offline] enabled = true`: a service worker at the root that lists exactly the build's files
//! and whose version follows every byte of them; nothing of it without the setting; pages under
//! 50 KB with it; its settings checked like every other key of `site.toml`.

use super::*;
use crate::support::guide::{guide_site_with, guide_with};

const OFFLINE: &str = "[offline]\nenabled = true\n";

/// The files the worker stores and its version, read from `sw.js`.
fn worker(site: &Site) -> (Vec<String>, String) {
    let text = site.read("output/sw.js");
    let list = text
        .split_once("const FILES = ")
        .and_then(|(_, rest)| rest.split_once(";\n"))
        .map(|(list, _)| list)
        .expect("the list of files");
    let version = text
        .split_once("const VERSION = \"")
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(version, _)| version.to_string())
        .expect("a version");
    (serde_json::from_str(list).expect("a JSON list"), version)
}

fn published(site: &Site) -> Vec<String> {
    site.tree("output")
        .into_keys()
        .filter(|path| !path.ends_with('/') && !path.starts_with('.') && path != "sw.js")
        .collect()
}

#[test]
fn the_worker_lists_exactly_the_files_of_the_build_and_its_version_follows_them() {
    // Its own copy: the test changes a page and builds again.
    let site = guide_site_with(&format!("{OFFLINE}[publish]\nheaders = true\n"));
    site.run(["build"]).code(0).stderr("");
    let (files, version) = worker(&site);
    // `_headers` is for the host, not for readers; every other file is listed.
    let expected: Vec<String> = published(&site)
        .into_iter()
        .filter(|path| path != "_headers")
        .collect();
    assert_eq!(files, expected);
    assert!(files.iter().any(|f| f == "index.html") && files.iter().any(|f| f == "404.html"));
    // Built again unchanged: the same worker, byte for byte.
    let first = site.read("output/sw.js");
    site.run(["build"]).code(0);
    assert_eq!(site.read("output/sw.js"), first);
    // One page changed: a new version (the browser installs it on the next visit).
    let faq = site.read("content/faq.md") + "\nOne more line.\n";
    let site = site.file("content/faq.md", faq);
    site.run(["build"]).code(0);
    assert_ne!(worker(&site).1, version);
    // _headers revalidates the worker: it must never be cached for a year.
    let headers = site.read("output/_headers");
    assert!(
        !headers.contains("/sw.js\n  Cache-Control: public, max-age=31536000"),
        "{headers}"
    );
}

#[test]
fn without_the_setting_nothing_of_it_is_published() {
    let site = Site::repo();
    site.run(["build"]).code(0);
    assert!(!site.path("output/sw.js").exists());
    for (path, bytes) in site.tree("output") {
        if path.ends_with(".html") {
            let html = String::from_utf8_lossy(&bytes);
            assert!(
                !html.contains("static/offline.") && !html.contains("sw.js"),
                "{path} registers a worker"
            );
        }
    }
}

#[test]
fn with_the_worker_every_page_and_the_worker_stay_under_50_kb() {
    let files = &guide_with(OFFLINE).files;
    assert!(
        files["sw.js"].len() < 50_000,
        "sw.js is {} bytes",
        files["sw.js"].len()
    );
    for (page, bytes) in files.iter().filter(|(path, _)| path.ends_with(".html")) {
        let html = String::from_utf8_lossy(bytes);
        assert!(
            html.contains("static/offline."),
            "{page} does not register the worker"
        );
        let dir = Path::new(page).parent().expect("a folder");
        let mut total = bytes.len();
        for piece in html
            .split("<link rel=\"stylesheet\" href=\"")
            .skip(1)
            .chain(html.split("<script src=\"").skip(1))
        {
            let href = piece.split('"').next().expect("an address");
            let mut parts: Vec<&str> = dir.iter().filter_map(|c| c.to_str()).collect();
            for part in href.split('/') {
                match part {
                    ".." => {
                        parts.pop();
                    }
                    "." | "" => {}
                    other => parts.push(other),
                }
            }
            total += files
                .get(&parts.join("/"))
                .unwrap_or_else(|| panic!("{page} loads {href}, which was not written"))
                .len();
        }
        assert!(
            total < 50_000,
            "{page} weighs {total} bytes with its CSS and JS"
        );
    }
}

#[test]
fn a_misspelt_offline_key_is_an_error_with_a_suggestion() {
    guide_site_with("[offline]\nenable = true\n")
        .run(["check"])
        .code(1)
        .stderr_contains("unknown field `enable`, expected `enabled`")
        .stderr_contains("--> content/site.toml:");
}
