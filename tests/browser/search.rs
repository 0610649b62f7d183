//! Search: "/" opens it, typing finds headings across the guide, the arrow keys move through the
//! results, choosing one lands on its anchor; Escape closes it; without JavaScript the header's
//! Search link opens the whole guide; at 320 px nothing scrolls sideways.

use super::*;

/// The roadblock about toil: its id and heading, read from the content, never copied.
pub(super) fn toil_roadblock() -> (String, String) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content/roadblocks.md");
    let text = std::fs::read_to_string(path).expect("read roadblocks.md");
    text.lines()
        .filter_map(|line| line.strip_prefix("## "))
        .filter(|line| line.to_lowercase().starts_with("toil"))
        .find_map(|line| {
            let (title, id) = line.split_once(" {#")?;
            Some((id.trim_end_matches('}').to_string(), title.to_string()))
        })
        .expect("a roadblock heading that starts with \"Toil\"")
}

/// Presses "/" and waits for the search field to be open and focused.
pub(super) fn slash_opens_search(tab: &Tab) {
    tab.press_key("/").expect("press /");
    search_is_open(tab);
}

fn search_is_open(tab: &Tab) {
    wait_until(
        tab,
        "document.activeElement.id === 'search-q' && !document.getElementById('search-panel').hidden",
        "search to open with its field focused",
    );
}

/// Types `query` into the open search field and waits for its results (not those of a part of
/// it: a pause between keys longer than the search's own shows results as the query grows).
pub(super) fn search_for(tab: &Tab, query: &str) {
    tab.type_str(query).expect("type");
    let status = serde_json::to_string(&format!("for “{query}”.")).expect("JSON");
    wait_until(
        tab,
        &format!(
            "document.getElementById('search-status').textContent.endsWith({status}) && \
             document.querySelectorAll('.search-results mark').length > 0"
        ),
        "results for the whole query with its words marked",
    );
}

/// The first result's link and title, as `[href, title]`.
pub(super) fn first_result(tab: &Tab) -> Value {
    js(
        tab,
        "(() => { const a = document.querySelector('.search-results a'); \
           return [a.getAttribute('href'), a.querySelector('.search-title').textContent]; })()",
    )
}

fn focused(tab: &Tab) -> String {
    js_str(
        tab,
        "(document.activeElement.id || '') + '|' + (document.activeElement.getAttribute('href') || '')",
    )
}

#[test]
#[ignore = "needs Chromium"]
fn searching_toil_and_choosing_the_result_lands_on_the_roadblock() {
    let (id, heading) = toil_roadblock();
    let server = guide();
    let chrome = chrome();
    let tab = chrome.tab();
    let errors = watch_errors(&tab);
    open(&tab, &server.at("phases/junior/"));
    assert!(
        !js_bool(&tab, "!!document.getElementById('search-q')"),
        "the search UI loads only when used"
    );
    slash_opens_search(&tab);
    search_for(&tab, "toil");
    let first = first_result(&tab);
    assert_eq!(
        first,
        json!([format!("../../roadblocks/index.html#{id}"), heading]),
        "the roadblock is the first result"
    );
    let status = js_str(&tab, "document.getElementById('search-status').textContent");
    assert!(
        status.contains("result") && status.contains("toil"),
        "the status says what was found: {status:?}"
    );
    assert_eq!(
        js_str(
            &tab,
            "document.getElementById('search-status').getAttribute('role')"
        ),
        "status",
        "the count is announced"
    );

    // The keyboard: down into the list, down and up through it, up back to the field.
    let count = js(
        &tab,
        "document.querySelectorAll('.search-results a').length",
    )
    .as_u64()
    .expect("a count");
    assert!(
        count >= 2,
        "\"toil\" is on more than one heading or paragraph"
    );
    tab.press_key("ArrowDown").expect("down");
    let on_first = focused(&tab);
    assert!(on_first.ends_with(&format!("#{id}")), "{on_first}");
    tab.press_key("ArrowDown").expect("down");
    assert_ne!(focused(&tab), on_first, "the second result");
    tab.press_key("ArrowUp").expect("up");
    assert_eq!(focused(&tab), on_first);
    tab.press_key("ArrowUp").expect("up");
    assert_eq!(focused(&tab), "search-q|", "back in the field");

    // Escape closes and gives focus back to the Search link; "/" opens it again.
    tab.press_key("Escape").expect("escape");
    assert!(js_bool(
        &tab,
        "document.getElementById('search-panel').hidden && \
         document.activeElement.classList.contains('search-link') && \
         document.activeElement.getAttribute('aria-expanded') === 'false'"
    ));
    slash_opens_search(&tab);

    // Choosing the result (Enter goes to the first) lands on the roadblock's anchor, in view.
    tab.press_key("Enter").expect("enter");
    wait_until(
        &tab,
        &format!(
            "location.pathname.endsWith('/roadblocks/index.html') && location.hash === '#{id}'"
        ),
        "the roadblock's page and anchor",
    );
    loaded(&tab);
    wait_until(
        &tab,
        &format!(
            "(() => {{ const r = document.getElementById('{id}').getBoundingClientRect(); \
               return r.top >= 0 && r.top < innerHeight; }})()"
        ),
        "the roadblock in view",
    );
    assert_no_errors(&errors);
}

#[test]
#[ignore = "needs Chromium"]
fn a_click_opens_search_and_at_320_px_nothing_scrolls_sideways() {
    let server = guide();
    let chrome = chrome();
    let tab = chrome.tab();
    let errors = watch_errors(&tab);
    set_viewport(&tab, 320, 640);
    open(&tab, &server.at(""));
    let header_height = |tab: &Tab| {
        js(
            tab,
            "document.querySelector('.header-inner').getBoundingClientRect().height",
        )
        .as_f64()
        .expect("a height")
    };
    let before = header_height(&tab);
    click(&tab, ".search-link");
    search_is_open(&tab);
    search_for(&tab, "senior staff");
    assert!(
        js_bool(&tab, "document.documentElement.scrollWidth <= innerWidth"),
        "no horizontal scroll at 320 px with results open"
    );
    assert_eq!(
        header_height(&tab),
        before,
        "the header's own row keeps its height"
    );
    tab.type_str("zzqx").expect("type");
    wait_until(
        &tab,
        "document.getElementById('search-status').textContent.startsWith('No results')",
        "no results said aloud",
    );
    // A click on the link closes the panel again.
    click(&tab, ".search-link");
    assert!(js_bool(
        &tab,
        "document.getElementById('search-panel').hidden"
    ));
    assert_no_errors(&errors);
}

#[test]
#[ignore = "needs Chromium"]
fn without_javascript_search_is_a_link_to_the_whole_guide() {
    let server = guide();
    let chrome = chrome();
    let tab = chrome.tab();
    tab.call(
        "Emulation.setScriptExecutionDisabled",
        json!({ "value": true }),
    )
    .expect("disable JavaScript");
    open(&tab, &server.at("faq/"));
    click(&tab, ".search-link");
    wait_until(
        &tab,
        "location.pathname === '/guide/index.html'",
        "the whole-guide page",
    );
    assert!(
        !js_bool(&tab, "!!document.getElementById('search-q')"),
        "no search UI without JavaScript"
    );
}

#[test]
#[ignore = "needs Chromium and axe-core (AXE_JS)"]
fn open_search_with_results_passes_axe_in_light_and_dark() {
    let axe = super::axe::axe_source();
    let server = guide();
    let chrome = chrome();
    let mut violations = Vec::new();
    for scheme in ["light", "dark"] {
        let tab = chrome.tab();
        set_color_scheme(&tab, scheme);
        before_every_page(&tab, &axe);
        open(&tab, &server.at("faq/"));
        click(&tab, ".search-link");
        search_is_open(&tab);
        search_for(&tab, "toil");
        violations.extend(
            super::axe::run_axe(&tab, "faq/ with search open")
                .into_iter()
                .map(|v| format!("{scheme}: {v}")),
        );
    }
    assert!(violations.is_empty(), "{violations:#?}");
}

#[test]
#[ignore = "needs Chromium"]
fn search_runs_under_the_published_csp() {
    let server = guide_with_headers();
    let chrome = chrome();
    let tab = chrome.tab();
    let errors = watch_errors(&tab);
    before_every_page(&tab, super::csp::LISTEN);
    open(&tab, &server.at("compensation/"));
    slash_opens_search(&tab);
    search_for(&tab, "toil");
    assert!(
        js_bool(
            &tab,
            "getComputedStyle(document.getElementById('search-panel')).borderTopStyle === 'solid'"
        ),
        "search.css applied"
    );
    let seen = super::csp::violations(&tab);
    assert!(seen.is_empty(), "CSP violations: {seen:#?}");
    assert_no_errors(&errors);
}

#[test]
#[ignore = "needs Chromium"]
fn when_the_index_cannot_load_search_keeps_the_query_and_offers_the_whole_guide_with_it() {
    let site = Site::repo();
    site.run(["build"]).code(0);
    // The index gone (a broken upload, say): search cannot run here.
    for entry in std::fs::read_dir(site.path("output/static")).expect("static") {
        let path = entry.expect("entry").path();
        if path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("search-index."))
        {
            std::fs::remove_file(path).expect("remove the index");
        }
    }
    let page = site.path("output/faq/index.html");
    let chrome = chrome();
    let tab = chrome.tab();
    open(&tab, &format!("file://{}", page.display()));
    slash_opens_search(&tab);
    tab.type_str("toil").expect("type");
    // The link follows every keystroke: wait for the one made after the last.
    wait_until(
        &tab,
        "document.querySelector('#search-status a')?.getAttribute('href')?.endsWith('=toil')",
        "the fallback link with the whole query",
    );
    let href = js_str(
        &tab,
        "document.querySelector('#search-status a').getAttribute('href')",
    );
    assert_eq!(
        href, "../guide/index.html#:~:text=toil",
        "the query goes along"
    );
    assert_eq!(
        js_str(&tab, "document.getElementById('search-q').value"),
        "toil"
    );
    click(&tab, "#search-status a");
    wait_until(
        &tab,
        "location.pathname.endsWith('/output/guide/index.html')",
        "the whole guide, from disk",
    );
}
