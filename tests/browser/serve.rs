//! `sre-guide serve` in a real Chromium: the page follows edits on disk without anyone touching
//! the browser.

use std::thread;
use std::time::{Duration, Instant};

use crate::chromium::chrome;
use crate::support::preview::{EVENT, Edit, Preview, site};
use crate::{before_every_page, wait_until};

/// Counts, in every page the tab opens, the live-reload WebSockets that opened and the messages
/// they brought: a test waits for the connection, or for a message to have been handled, instead
/// of sleeping.
const COUNT_SOCKETS: &str = "window.__opened = 0; window.__messages = 0; \
    window.WebSocket = class extends WebSocket { constructor(...args) { super(...args); \
      this.addEventListener('open', () => window.__opened++); \
      this.addEventListener('message', () => setTimeout(() => window.__messages++)); } };";

/// A tab of `chrome` that counts its page's WebSockets and messages.
fn counting_tab(chrome: &crate::chromium::Chrome) -> std::sync::Arc<crate::cdp::Tab> {
    let tab = chrome.tab();
    before_every_page(&tab, COUNT_SOCKETS);
    tab
}

/// Waits until the page's live-reload WebSocket is open, so a save from now on reaches it.
fn connected(tab: &crate::cdp::Tab) {
    wait_until(
        tab,
        "window.__opened > 0",
        "the live-reload WebSocket to open",
    );
}

/// The number of live-reload messages the page has handled so far.
fn messages(tab: &crate::cdp::Tab) -> u64 {
    crate::js(tab, "window.__messages")
        .as_u64()
        .expect("a count")
}

fn eventually(tab: &crate::cdp::Tab, script: &str, wanted: &str) -> String {
    poll(tab, script, |value| {
        value.contains(wanted).then(|| value.to_string())
    })
}

/// Evaluates `script` (which returns a string) until `accept` takes its value.
fn poll<T>(tab: &crate::cdp::Tab, script: &str, accept: impl Fn(&str) -> Option<T>) -> T {
    let deadline = Instant::now() + EVENT;
    loop {
        let value = tab
            .evaluate(script, false)
            .ok()
            .and_then(|r| r.value)
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        if let Some(accepted) = accept(&value) {
            return accepted;
        }
        assert!(
            Instant::now() < deadline,
            "{script} never gave what was wanted; last: {value:?}"
        );
        thread::sleep(Duration::from_millis(50));
    }
}

#[test]
#[ignore = "needs Chromium"]
fn a_browser_follows_edits_and_shows_the_overlay() {
    let site = site();
    let preview = Preview::start(&site);
    let chrome = chrome();
    let tab = counting_tab(&chrome);
    crate::open(&tab, &format!("http://{}/docs/first/", preview.address));
    let text = "document.body.innerText";
    eventually(&tab, text, "The first page says hello.");
    connected(&tab);

    // A long page, scrolled down: the reload keeps the scroll position.
    let long = "Filler paragraph.\n\n".repeat(200);
    site.write(
        "content/docs/first.md",
        &format!("+++\ntitle = \"First\"\n+++\nEdited on disk.\n\n{long}"),
    );
    eventually(&tab, text, "Edited on disk.");
    // Scrolled once the reloaded page has finished restoring its own position.
    crate::loaded(&tab);
    tab.evaluate("window.scrollTo(0, 600)", false)
        .expect("scroll");
    eventually(&tab, "String(window.scrollY)", "600");
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
    // Laid out as the terminal shows it: the source line, and a marker under the whole key.
    assert!(shown.contains("3 | titel = 2\n"), "{shown}");
    assert!(shown.contains("| ^^^^^\n"), "{shown}");
    let close = "document.querySelector('sre-guide-overlay').shadowRoot\
                 .querySelector('button').getAttribute('aria-label')";
    eventually(&tab, close, "Close the build errors");

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

/// Warnings show in a closed panel in a corner, never over the page, and go with their cause.
#[test]
#[ignore = "needs Chromium"]
fn a_browser_shows_warnings_in_a_panel_beside_the_page() {
    let site = site();
    let preview = Preview::start(&site);
    let chrome = crate::chrome();
    let tab = counting_tab(&chrome);
    crate::open(&tab, &format!("http://{}/docs/first/", preview.address));
    eventually(
        &tab,
        "document.body.innerText",
        "The first page says hello.",
    );
    connected(&tab);

    site.write(
        "content/docs/first.md",
        "+++\ntitle = \"First\"\n+++\nRead [more](second.md).\n",
    );
    eventually(&tab, "document.body.innerText", "Read more.");
    let panel = "(document.querySelector('sre-guide-warnings') || {shadowRoot: {textContent: ''}})\
                 .shadowRoot.textContent";
    let shown = eventually(&tab, panel, "1 warning from the build");
    assert!(
        shown.contains(
            "warning[link-text-vague]: link text `more` does not say where the link goes"
        ),
        "{shown}"
    );
    let state = "(r => [r.querySelector('[role=status]') !== null, r.querySelector('details').open, \
                 r.querySelector('button').getAttribute('aria-label')].join())\
                 (document.querySelector('sre-guide-warnings').shadowRoot)";
    eventually(&tab, state, "true,false,Close the build warnings");
    assert!(
        tab.evaluate(
            "String(document.querySelector('sre-guide-overlay') === null)",
            false
        )
        .expect("evaluate")
        .value
            == Some(serde_json::Value::String("true".into())),
        "no overlay for warnings"
    );

    site.write(
        "content/docs/first.md",
        "+++\ntitle = \"First\"\n+++\nRead [the second page](second.md).\n",
    );
    eventually(&tab, "document.body.innerText", "Read the second page.");
    eventually(
        &tab,
        "String(document.querySelector('sre-guide-warnings') === null)",
        "true",
    );
}

/// The time from navigation start to the end of the load event, as the page itself measured it
/// (waiting for a free connection counts too).
fn load_ms(tab: &crate::cdp::Tab) -> f64 {
    let script = "String(performance.getEntriesByType('navigation')[0].loadEventEnd)";
    poll(tab, script, |value| {
        value.parse::<f64>().ok().filter(|ms| *ms > 0.0)
    })
}

fn open(tab: &crate::cdp::Tab, url: &str) -> f64 {
    crate::open(tab, url);
    let ms = load_ms(tab);
    assert!(ms < 1000.0, "{url} took {ms} ms to load");
    ms
}

#[test]
#[ignore = "needs Chromium"]
fn twenty_tabs_and_thirty_navigations_stay_fast_and_all_follow_the_next_save() {
    let site = site();
    let preview = Preview::start(&site);
    let chrome = chrome();
    let pages = ["", "docs/", "docs/first/", "docs/second/"];
    let url = |i: usize| {
        format!(
            "http://{}/{}?n={i}",
            preview.address,
            pages[i % pages.len()]
        )
    };

    let tabs: Vec<_> = (0..20)
        .map(|i| {
            let tab = counting_tab(&chrome);
            open(&tab, &url(i));
            tab
        })
        .collect();

    // One tab walks through 30 pages with the back/forward cache on (as browsers ship it).
    let walker = &tabs[0];
    let mut slowest: f64 = 0.0;
    for n in 1..=30 {
        if n == 30 {
            walker
                .evaluate(
                    "addEventListener('pageshow', e => { if (e.persisted) window.fromCache = 'yes'; })",
                    false,
                )
                .expect("listen for pageshow");
        }
        slowest = slowest.max(open(walker, &url(100 + n)));
    }
    eprintln!("30 navigations beside 19 open tabs: slowest load {slowest:.0} ms");
    // Going back restores the page from the cache: the cache is on and the page is eligible.
    walker.evaluate("history.back()", false).expect("back");
    eventually(walker, "String(window.fromCache)", "yes");

    // Every open tab follows the next save, which changes every page (the site's title is in
    // each page's <title>). The page back from the cache opened a second WebSocket.
    wait_until(
        walker,
        "window.__opened > 1",
        "the restored page to reconnect",
    );
    for tab in &tabs {
        connected(tab);
        tab.evaluate("window.beforeSave = 'here'", false)
            .expect("mark the page");
    }
    let config = site.read("content/site.toml");
    site.write(
        "content/site.toml",
        &config.replace("Serve fixture", "Every tab reloads"),
    );
    for tab in &tabs {
        eventually(tab, "String(window.beforeSave)", "undefined");
    }
}

#[test]
#[ignore = "needs Chromium"]
fn a_save_reloads_only_the_pages_it_changed_or_that_loaded_a_changed_file() {
    let dot = |fill: &str| {
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"8\" height=\"8\">\
             <rect width=\"8\" height=\"8\" fill=\"{fill}\"/></svg>\n"
        )
    };
    let site = site().file("content/docs/dot.svg", dot("red")).file(
        "content/docs/second.md",
        "+++\ntitle = \"Second\"\n+++\nA dot: ![dot](dot.svg)\n",
    );
    let preview = Preview::start(&site);
    let chrome = chrome();
    let open = |route: &str| {
        let tab = counting_tab(&chrome);
        crate::open(&tab, &format!("http://{}/{route}", preview.address));
        tab
    };
    let (first, second) = (open("docs/first/"), open("docs/second/"));
    eventually(&second, "String(document.images[0].complete)", "true");
    connected(&first);
    connected(&second);
    // Marks a page; returns how many live-reload messages it had handled by then.
    let mark = |tab: &crate::cdp::Tab| {
        tab.evaluate("window.mark = 'here'", false)
            .expect("mark the page");
        messages(tab)
    };
    let marked = "String(window.mark)";
    // Every page hears of every save; one that must not reload has handled that message and is
    // still the marked page, with no reload asked for (live reload saves the scroll position
    // under this key just before it reloads).
    let still_marked = |tab: &crate::cdp::Tab, heard: u64| {
        wait_until(
            tab,
            &format!("window.__messages > {heard}"),
            "the message about the save",
        );
        let value = tab
            .evaluate(
                "String(window.mark) + (sessionStorage.getItem('sre-guide:scroll:' + location.pathname) === null ? '' : ' reloading')",
                false,
            )
            .expect("evaluate")
            .value;
        assert_eq!(value, Some(serde_json::Value::String("here".into())));
    };

    // A page's own edit reloads it, and only it.
    mark(&first);
    let heard = mark(&second);
    site.write(
        "content/docs/first.md",
        "+++\ntitle = \"First\"\nweight = 1\n+++\nOnly this page changed.\n",
    );
    eventually(&first, "document.body.innerText", "Only this page changed.");
    still_marked(&second, heard);

    // A file a page loaded reloads that page, not the others.
    connected(&first);
    let heard = mark(&first);
    site.write("content/docs/dot.svg", &dot("blue"));
    eventually(&second, marked, "undefined");
    still_marked(&first, heard);
}
