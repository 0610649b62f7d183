//! A real Chromium: the page follows edits on disk without anyone touching the browser.

use std::thread;
use std::time::{Duration, Instant};

use super::preview::{EVENT, Edit, Preview, site};

fn eventually(tab: &headless_chrome::Tab, script: &str, wanted: &str) -> String {
    let deadline = Instant::now() + EVENT;
    loop {
        let value = tab
            .evaluate(script, false)
            .ok()
            .and_then(|r| r.value)
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        if value.contains(wanted) {
            return value;
        }
        assert!(
            Instant::now() < deadline,
            "never saw {wanted:?}; last: {value:?}"
        );
        thread::sleep(Duration::from_millis(50));
    }
}

#[test]
#[ignore = "needs Chromium"]
fn a_browser_follows_edits_and_shows_the_overlay() {
    let site = site();
    let preview = Preview::start(&site);
    let chrome = crate::support::chrome();
    let browser = &chrome.browser;
    let tab = browser.new_tab().expect("a tab");
    tab.navigate_to(&format!("http://{}/docs/first/", preview.address))
        .expect("navigate")
        .wait_until_navigated()
        .expect("loaded");
    let text = "document.body.innerText";
    eventually(&tab, text, "The first page says hello.");
    // Give the page's WebSocket a moment to connect before editing.
    thread::sleep(Duration::from_millis(300));

    // A long page, scrolled down: the reload keeps the scroll position.
    let long = "Filler paragraph.\n\n".repeat(200);
    site.write(
        "content/docs/first.md",
        &format!("+++\ntitle = \"First\"\n+++\nEdited on disk.\n\n{long}"),
    );
    eventually(&tab, text, "Edited on disk.");
    tab.evaluate("window.scrollTo(0, 600)", false)
        .expect("scroll");
    site.write(
        "content/docs/first.md",
        &format!("+++\ntitle = \"First\"\n+++\nEdited again.\n\n{long}"),
    );
    eventually(&tab, text, "Edited again.");
    eventually(&tab, "String(window.scrollY)", "600");

    // A stylesheet change swaps the stylesheet; the page is not reloaded.
    tab.evaluate("window.notReloaded = 'still here'", false)
        .expect("mark the page");
    site.write(
        "themes/plain/static/style.css",
        "body { color: rgb(0, 0, 85); }\n",
    );
    eventually(
        &tab,
        "getComputedStyle(document.body).color",
        "rgb(0, 0, 85)",
    );
    eventually(&tab, "String(window.notReloaded)", "still here");

    site.write(
        "content/docs/first.md",
        "+++\ntitle = \"First\"\ntitel = 2\n+++\nx\n",
    );
    let overlay = "(document.querySelector('sre-guide-overlay') || {shadowRoot: {textContent: ''}})\
                   .shadowRoot.textContent";
    let shown = eventually(&tab, overlay, "content/docs/first.md:3:1");
    assert!(shown.contains("did you mean `title`?"), "{shown}");
    assert!(shown.contains("titel = 2"), "{shown}");

    site.write(
        "content/docs/first.md",
        "+++\ntitle = \"First\"\n+++\nFixed in the browser.\n",
    );
    eventually(&tab, text, "Fixed in the browser.");
    let gone = tab
        .evaluate(
            "String(document.querySelector('sre-guide-overlay') === null)",
            false,
        )
        .expect("evaluate")
        .value;
    assert_eq!(gone, Some(serde_json::Value::String("true".into())));
}
