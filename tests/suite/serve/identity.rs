//! `serve` and `build` never disagree: after each step of a scripted edit session (edit, add,
//! rename and delete pages, change a data file and a template, break the build and fix it),
//! every file `build` writes is served with the same bytes, and every path an earlier step
//! published that `build` no longer writes answers 404.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::time::{Duration, Instant};

use super::preview::{EVENT, Edit, Preview, site};
use crate::support::Site;

/// The fixture site, with a data file and templates that list every page of a section, so an
/// edit of one page changes others too.
fn session_site() -> Site {
    site()
        .file("content/data/facts.toml", "motto = \"Boring is good\"\n")
        .file("content/docs/diagram.bin", [0u8, 159, 146, 150, 255, 10])
        .file(
            "themes/plain/templates/page.html",
            "{% extends \"base.html\" %}{% block content %}<h1>{{ page.title }}</h1>\
             <p>{{ data.facts.motto }}</p>\n{{ page.content | safe }}{% endblock content %}",
        )
        .file(
            "content/docs/_index.md",
            "+++\ntitle = \"Docs\"\n+++\nAll the docs.\n",
        )
}

/// The bytes `serve` sends for `path`, the live-reload script it adds to HTML taken out.
fn served(preview: &Preview, path: &str) -> (u16, Vec<u8>) {
    let mut stream = preview.connect();
    let request = format!(
        "GET /{path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        preview.address
    );
    stream.write_all(request.as_bytes()).expect("send");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a whole response");
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status");
    let mut body = raw[split + 4..].to_vec();
    if path.ends_with(".html") || path.ends_with('/') || path.is_empty() {
        body = without_script(&body);
    }
    (status, body)
}

/// Removes exactly the one `<script src="…__sre-guide/livereload.js" data-build="…"></script>`.
fn without_script(html: &[u8]) -> Vec<u8> {
    let text = String::from_utf8(html.to_vec()).expect("UTF-8 HTML");
    let end_tag = "</script>";
    let Some(at) = text.rfind("__sre-guide/livereload.js") else {
        return html.to_vec();
    };
    let start = text[..at]
        .rfind("<script src=\"")
        .expect("the script tag opens");
    let end = at + text[at..].find(end_tag).expect("the script tag closes") + end_tag.len();
    format!("{}{}", &text[..start], &text[end..]).into_bytes()
}

/// `build`'s files now, by path below `output/` (not its folders, nor the marker `build`
/// leaves to recognise its own output folder).
fn built(site: &Site) -> BTreeMap<String, Vec<u8>> {
    site.run(["build"]).code(0);
    let mut files = site.tree("output");
    files.retain(|path, _| !path.ends_with('/') && path != ".sre-guide-output");
    files
}

/// Waits until `serve` serves exactly what `build` wrote, and 404 for every other path ever
/// published. `index.html` files are also asked for by their folder, as browsers do.
pub(super) fn assert_identical(
    preview: &Preview,
    site: &Site,
    ever: &mut BTreeSet<String>,
    step: &str,
) {
    let expected = built(site);
    ever.extend(expected.keys().cloned());
    let deadline = Instant::now() + EVENT;
    loop {
        let mut differences = Vec::new();
        for (path, bytes) in &expected {
            let (status, body) = served(preview, path);
            if status != 200 || &body != bytes {
                differences.push(format!("{path}: {status}, {} bytes", body.len()));
            }
            if let Some(folder) = path.strip_suffix("index.html") {
                let (status, body) = served(preview, folder);
                if status != 200 || &body != bytes {
                    differences.push(format!("/{folder}: {status}"));
                }
            }
        }
        for path in ever.iter().filter(|path| !expected.contains_key(*path)) {
            let (status, _) = served(preview, path);
            if status != 404 {
                differences.push(format!("{path}: {status}, but build no longer writes it"));
            }
        }
        if differences.is_empty() {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "after {step}, serve differs from build:\n{}",
            differences.join("\n")
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn after_every_edit_rename_and_delete_serve_and_build_agree_byte_for_byte() {
    let site = session_site();
    let preview = Preview::start(&site);
    let events = preview.events("");
    let mut ever = BTreeSet::new();
    assert_identical(&preview, &site, &mut ever, "the first build");

    let first = "+++\ntitle = \"First, edited\"\nweight = 2\n+++\nNew words [next](second.md).\n";
    site.write("content/docs/first.md", first);
    events.wait("reload");
    assert_identical(
        &preview,
        &site,
        &mut ever,
        "an edit of a page's title and body",
    );

    site.write(
        "content/docs/third.md",
        "+++\ntitle = \"Third\"\nweight = 3\n+++\nA new page.\n",
    );
    events.wait("reload");
    assert_identical(&preview, &site, &mut ever, "a new page");

    std::fs::rename(
        site.path("content/docs/third.md"),
        site.path("content/docs/renamed.md"),
    )
    .expect("rename");
    events.wait("reload");
    assert_identical(&preview, &site, &mut ever, "a rename");

    std::fs::remove_file(site.path("content/docs/renamed.md")).expect("delete");
    events.wait("reload");
    assert_identical(&preview, &site, &mut ever, "a delete");

    site.write("content/data/facts.toml", "motto = \"Toil is a smell\"\n");
    events.wait("reload");
    assert_identical(&preview, &site, &mut ever, "a data file change");

    site.write(
        "themes/plain/templates/page.html",
        "{% extends \"base.html\" %}{% block content %}<h1 class=\"t\">{{ page.title }}</h1>\
         <p>{{ data.facts.motto }}</p>\n{{ page.content | safe }}{% endblock content %}",
    );
    events.wait("reload");
    assert_identical(&preview, &site, &mut ever, "a template change");

    site.write("themes/plain/static/style.css", "body { color: #222; }\n");
    events.wait("css");
    assert_identical(&preview, &site, &mut ever, "a stylesheet change");

    // A broken save keeps the last good site; the fix must bring back exactly build's output,
    // including the page edited while the build was broken.
    site.write(
        "content/docs/second.md",
        "+++\ntitle = \"Second\"\n+++\nA link to [nowhere](missing.md).\n",
    );
    events.wait("error");
    site.write(
        "content/docs/first.md",
        "+++\ntitle = \"First again\"\n+++\nEdited while broken.\n",
    );
    events.wait("error");
    site.write(
        "content/docs/second.md",
        "+++\ntitle = \"Second\"\n+++\nFixed: [first](first.md).\n",
    );
    events.wait("reload");
    assert_identical(&preview, &site, &mut ever, "a broken save and its fix");

    // Saves faster than builds: passes overtaken midway, requests merged.
    for round in 0..30 {
        let page = format!("content/docs/burst{}.md", round % 4);
        let text = format!("+++\ntitle = \"Burst {round}\"\n+++\nRound {round}.\n");
        site.write(&page, &text);
        if round % 7 == 6 {
            std::fs::remove_file(site.path(&page)).expect("delete");
        }
        site.write(
            "content/data/facts.toml",
            &format!("motto = \"Round {round}\"\n"),
        );
        // Some saves land while a pass runs, some after the debounce has merged others.
        std::thread::sleep(Duration::from_millis(round % 4 * 12));
    }
    assert_identical(&preview, &site, &mut ever, "a burst of saves");
    assert!(ever.len() > 8, "{ever:?}");
}

/// A data change alters every page: the page a browser shows is published (and reloaded)
/// ahead of the rest, then the rest follows without reloading that page again (it is told
/// what else changed); both end where `build` does.
#[test]
fn the_page_a_browser_shows_is_rebuilt_first_then_the_rest() {
    let site = session_site();
    let preview = Preview::start(&site);
    let viewer = preview.events("?page=docs/first/");
    let mut ever = BTreeSet::new();
    site.write("content/data/facts.toml", "motto = \"Page first\"\n");
    viewer.wait("reload");
    let rest = viewer.wait("changed");
    assert!(rest.contains(r#""files":[]"#), "{rest}");
    assert_identical(&preview, &site, &mut ever, "a data change");
    let lines = preview.stdout_lines();
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("rebuilt")).count(),
        1,
        "one verdict: {lines:?}"
    );
}
