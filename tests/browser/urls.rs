//! Links to pages, folders and files named with `? # % space ü " '` work in Chromium, opened from
//! disk and from a static server: every link on the awkward site's pages leads to the page or file
//! it names, and its fragment to the element it names; a page's contents lead to headings with
//! odd ids by percent-encoded fragments. (`build::urls` checks that `serve` answers every one of
//! those URLs.)

use super::*;
use crate::support::sites::awkward_site;

/// Where each link on the awkward site's home page must lead: the title (or, for the text file,
/// the body) and the id the fragment selects.
const HOME_LINKS: &[(&str, &str, &str)] = &[
    ("folder", "Awkward folder · Minimal", ""),
    ("page", "Awkward page · Minimal", "q&a"),
    ("query", "Question mark · Minimal", "top"),
    ("hash", "Hash · Minimal", ""),
    ("percent", "Percent · Minimal", ""),
    ("file", "a file", ""),
    ("notes", "Notes · Minimal", ""),
];

/// The absolute URL (as the browser resolved it) and the text of every link in `main` and `nav`.
fn links_on(tab: &Tab) -> Vec<(String, String)> {
    let links = js(
        tab,
        "Array.from(document.querySelectorAll('main a[href], nav a[href]')).map(a => [a.href, a.textContent])",
    );
    serde_json::from_value(links).expect("pairs of strings")
}

/// Opens `url` and returns what it shows: the title, or the text of a non-HTML file, and the id
/// of the element its fragment selects.
fn landing(tab: &Tab, url: &str) -> (String, String) {
    open(tab, url);
    let shown = js_str(
        tab,
        "document.contentType === 'text/html' ? document.title : document.body.innerText.trim()",
    );
    let target = js_str(tab, "document.querySelector(':target')?.id ?? ''");
    (shown, target)
}

fn assert_links_work(tab: &Tab, home: &str, page: &str, folder: &str) {
    open(tab, home);
    let links = links_on(tab);
    for (text, title, target) in HOME_LINKS {
        let (href, _) = links
            .iter()
            .find(|(_, t)| t == text)
            .unwrap_or_else(|| panic!("no link `{text}` in {links:?}"));
        assert_eq!(
            landing(tab, href),
            (title.to_string(), target.to_string()),
            "`{text}` → {href}"
        );
    }
    // Every link on the awkward page and its folder (menu, breadcrumbs, the section's list,
    // relative links back) reaches a page of the site, and each fragment an element.
    for start in [page, folder] {
        open(tab, start);
        for (href, text) in links_on(tab) {
            if !href.starts_with(home.trim_end_matches("index.html")) {
                continue;
            }
            let (title, target) = landing(tab, &href);
            assert!(
                title.ends_with(" · Minimal") && !title.starts_with("Page not found"),
                "`{text}` on {start} → {href} shows {title:?}"
            );
            if let Some((_, fragment)) = href.split_once('#') {
                assert!(
                    !target.is_empty(),
                    "`{text}` → {href}: no element #{fragment}"
                );
            }
        }
    }
}

#[test]
#[ignore = "needs Chromium"]
fn links_to_awkward_names_work_from_disk_and_over_http() {
    let site = awkward_site();
    site.run(["build"]).code(0);
    let output = site.path("output");
    let encoded = "w%20%3F%23%25%C3%BC%22%27";
    let chrome = chrome();
    let tab = chrome.tab();

    let disk = format!("file://{}/", output.display());
    assert_links_work(
        &tab,
        &format!("{disk}index.html"),
        &format!("{disk}{encoded}/p%20{encoded}/index.html"),
        &format!("{disk}{encoded}/index.html"),
    );

    let server = Server::start(site.tree("output"));
    assert_links_work(
        &tab,
        &server.at(""),
        &server.at(&format!("{encoded}/p%20{encoded}/")),
        &server.at(&format!("{encoded}/")),
    );
}

/// The page's contents lead to every heading, however odd its id: each entry's fragment is
/// percent-encoded and selects the heading it names, from disk and over HTTP (issue 23: the theme wrote ``#a`b``, `#50%` and
/// `#q"r` as they stood).
#[test]
#[ignore = "needs Chromium"]
fn each_contents_entry_reaches_its_heading_whatever_its_id() {
    let site = Site::repo().file(
        "content/odd.md",
        "+++\ntitle = \"Odd ids\"\nweight = 90\n+++\n\nIntro.\n\n## Back tick {#a`b}\n\nText.\n\n\
         ## Fifty {#50%}\n\nText.\n\n## Quoted {#q\"r}\n\nText.\n\n### Über uns {#über}\n\nText.\n",
    );
    site.run(["build"]).code(0);
    let chrome = chrome();
    let tab = chrome.tab();
    let server = Server::start(
        site.tree("output")
            .into_iter()
            .filter(|(path, _)| !path.ends_with('/'))
            .collect(),
    );
    let disk = format!("file://{}/odd/index.html", site.path("output").display());
    for page in [disk, server.at("odd/")] {
        open(&tab, &page);
        let entries = js(
            &tab,
            "[...document.querySelectorAll('nav.toc a')].map(a => [a.getAttribute('href'), a.textContent])",
        );
        let entries: Vec<(String, String)> = serde_json::from_value(entries).expect("pairs");
        for (id, title, fragment) in [
            ("a`b", "Back tick", "#a%60b"),
            ("50%", "Fifty", "#50%25"),
            ("q\"r", "Quoted", "#q%22r"),
            ("über", "Über uns", "#%C3%BCber"),
        ] {
            let (href, _) = entries
                .iter()
                .find(|(_, text)| text == title)
                .unwrap_or_else(|| panic!("no contents entry {title:?}: {entries:?}"));
            // A valid URL fragment, as the Nu checker requires: percent-encoded.
            assert_eq!(href, fragment, "{title:?}");
            open(&tab, &page);
            click(
                &tab,
                &format!("nav.toc a[href=\"{}\"]", href.replace('"', "\\\"")),
            );
            let id_json = serde_json::to_string(id).expect("JSON");
            wait_until(
                &tab,
                &format!("document.querySelector(':target')?.id === {id_json}"),
                &format!("{title:?} ({href}) selecting #{id} on {page}"),
            );
        }
    }
}
