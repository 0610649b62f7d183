//! The rough edges a reader met (issue 23), each where it was seen: a "#" alone on a line at
//! 320, 412 and 1280 px and without JavaScript; self-links as Tab stops; a mark left on after a
//! tap; search's ranking and synonyms; compare marking nearly every word; the whole guide's
//! print; the header at 412 px; the quiz submitted without JavaScript; two Backs to leave a
//! result.

use std::sync::atomic::{AtomicUsize, Ordering};

use super::checklists::tick;
use super::*;

/// Marks ("#") on a line of their own: each self-link whose "#" does not share a line with
/// what comes before it (the last character of text, or an element such as a frame). A
/// heading's text link carries its "#" as `::after`, so its last line box holds the mark.
const ALONE: &str = "(() => { \
    const lastChar = (root, stop) => { const w = document.createTreeWalker(root, NodeFilter.SHOW_TEXT); let last = null; \
      while (w.nextNode()) { const n = w.currentNode; if (stop && stop.contains(n)) break; if (n.textContent.trim()) last = n; } \
      if (!last) return null; const t = last.textContent.replace(/\\s+$/, ''); const r = document.createRange(); \
      r.setStart(last, t.length - 1); r.setEnd(last, t.length); return r.getBoundingClientRect(); }; \
    const before = l => { let n = l.previousSibling; \
      while (n && n.nodeType === 3 && !n.textContent.trim()) n = n.previousSibling; \
      if (!n) return lastChar(l.parentNode, l); \
      if (n.nodeType === 3 || n.textContent.trim()) return lastChar(n.nodeType === 3 ? n.parentNode : n, n.nodeType === 3 ? l : null); \
      const rs = n.getClientRects(); return rs[rs.length - 1] || null; }; \
    const apart = (a, b) => !(a.top < b.bottom - 1 && b.top < a.bottom - 1); \
    const alone = []; \
    document.querySelectorAll(':is(h1,h2,h3,h4,h5,h6)[id] > a[href^=\"#\"]:only-child').forEach(a => { \
      const rects = a.getClientRects(); if (!rects.length) return; \
      const end = rects[rects.length - 1], text = lastChar(a); \
      if (text && apart(end, text)) alone.push(a.textContent.trim()); }); \
    document.querySelectorAll('.self-link').forEach(l => { \
      if (!l.getClientRects().length) return; \
      const prior = before(l); \
      if (prior && apart(l.getBoundingClientRect(), prior)) alone.push(l.parentNode.textContent.trim().slice(0, 60)); }); \
    return alone; })()";

#[test]
#[ignore = "needs Chromium"]
fn the_hash_never_wraps_onto_a_line_of_its_own() {
    let server = guide();
    let chrome = chrome();
    let tab = chrome.tab();
    let pages = ["", "phases/junior/", "phases/staff/", "faq/", "guide/"];
    let mut seen = Vec::new();
    for (width, scheme) in [
        (320, "light"),
        (320, "dark"),
        (412, "light"),
        (1280, "dark"),
    ] {
        set_viewport(&tab, width, 800);
        set_color_scheme(&tab, scheme);
        for page in pages {
            open(&tab, &server.at(page));
            for text in serde_json::from_value::<Vec<String>>(js(&tab, ALONE)).expect("a list") {
                seen.push(format!("{width} px {scheme} {page}: {text}"));
            }
        }
    }
    // Checklist items without JavaScript: a plain list, each item's "#" after its text.
    tab.call(
        "Emulation.setScriptExecutionDisabled",
        json!({ "value": true }),
    )
    .expect("disable JavaScript");
    for width in [320, 412] {
        set_viewport(&tab, width, 800);
        for page in [
            "phases/junior/",
            "phases/mid-level/",
            "phases/senior/",
            "phases/staff/",
        ] {
            open(&tab, &server.at(page));
            for text in serde_json::from_value::<Vec<String>>(js(&tab, ALONE)).expect("a list") {
                seen.push(format!("{width} px, no JavaScript, {page}: {text}"));
            }
        }
    }
    assert!(
        seen.is_empty(),
        "a '#' alone on a line:\n{}",
        seen.join("\n")
    );
}

#[test]
#[ignore = "needs Chromium"]
fn a_markdown_headings_own_hash_stays_beside_its_interactive_content() {
    let site = Site::repo().file(
        "content/interactive.md",
        "+++\ntitle = \"Interactive headings\"\n+++\n\n\
         ## A long heading that ends in a button to press <button type=\"button\">Press</button>\n\n\
         ## A long heading that ends with a frame <iframe src=\"about:blank\" title=\"Nothing\" width=\"40\" height=\"20\"></iframe>\n\n\
         ## A long heading that ends in a [link to the FAQ](faq.md)\n\n\
         ## A long heading that ends in focusable <span tabindex=\"0\">text</span>\n",
    );
    site.run(["build"]).code(0);
    let server = Server::start(
        site.tree("output")
            .into_iter()
            .filter(|(path, _)| !path.ends_with('/'))
            .collect(),
    );
    let chrome = chrome();
    let tab = chrome.tab();
    let mut seen = Vec::new();
    for width in [320, 360, 412, 1280] {
        set_viewport(&tab, width, 800);
        open(&tab, &server.at("interactive/"));
        assert_eq!(
            js(
                &tab,
                "document.querySelectorAll('main h2[id] > .self-link').length"
            ),
            json!(4),
            "each heading's '#' sits beside its text"
        );
        for text in serde_json::from_value::<Vec<String>>(js(&tab, ALONE)).expect("a list") {
            seen.push(format!("{width} px: {text}"));
        }
    }
    assert!(
        seen.is_empty(),
        "a '#' alone on a line:\n{}",
        seen.join("\n")
    );
}

#[test]
#[ignore = "needs Chromium"]
fn self_links_are_out_of_the_tab_order_and_the_first_checkbox_is_18_tabs_away() {
    let server = guide();
    let chrome = chrome();
    let tab = chrome.tab();
    set_viewport(&tab, 1280, 900);
    open(&tab, &server.at("phases/junior/"));
    wait_until(
        &tab,
        "!document.querySelector('[data-tools]').hidden",
        "the checklist",
    );
    let mut stops = Vec::new();
    let mut header = 0;
    loop {
        tab.press_key("Tab").expect("Tab");
        let focused = js(
            &tab,
            "(() => { const a = document.activeElement; return { tag: a.tagName, \
               header: !!a.closest('header, .skip-link') && !a.closest('.breadcrumbs'), \
               selfLink: a.matches('.self-link, :is(h1,h2,h3,h4,h5,h6)[id] > a[href^=\"#\"]'), \
               checkbox: a.matches('input[data-check-id]'), what: (a.id || a.getAttribute('href') || a.textContent).slice(0, 50) }; })()",
        );
        assert_eq!(
            focused["selfLink"],
            json!(false),
            "a self-link took focus: {focused}"
        );
        if focused["header"] == json!(true) {
            header += 1;
        }
        stops.push(focused["what"].as_str().unwrap_or_default().to_string());
        if focused["checkbox"] == json!(true) {
            break;
        }
        assert!(stops.len() <= 40, "no checkbox after 40 Tabs: {stops:?}");
    }
    assert!(
        stops.len() <= 18,
        "{} Tabs to the first checkbox: {stops:?}",
        stops.len()
    );
    assert_eq!(header, 11, "the header's stops: {stops:?}");
    // Every self-link of every page is out of the Tab order, and still a link.
    for page in ["", "phases/junior/", "faq/", "guide/", "where-are-you-now/"] {
        open(&tab, &server.at(page));
        let tabbable = js(
            &tab,
            "[...document.querySelectorAll('.self-link, :is(h1,h2,h3,h4,h5,h6)[id] > a[href^=\"#\"]')] \
               .filter(a => a.tabIndex !== -1 || !a.getAttribute('href')).map(a => a.outerHTML.slice(0, 80))",
        );
        assert_eq!(tabbable, json!([]), "{page}");
    }
}

#[test]
#[ignore = "needs Chromium"]
fn a_tap_leaves_no_hash_showing() {
    let server = guide();
    let chrome = chrome();
    let tab = chrome.tab();
    set_viewport(&tab, 412, 900);
    emulate(&tab, "", &[("hover", "none"), ("pointer", "coarse")]);
    let shown = "[...document.querySelectorAll('.self-link, :is(h1,h2,h3,h4,h5,h6)[id] > a[href^=\"#\"]:only-child')] \
         .filter(a => getComputedStyle(a, a.classList.contains('self-link') ? null : '::after').opacity !== '0') \
         .map(a => a.closest('[id]').id)";
    open(&tab, &server.at("phases/junior/"));
    wait_until(
        &tab,
        "!document.querySelector('[data-tools]').hidden",
        "the checklist",
    );
    // A tap on an item's text ticks it; its "#" stays hidden.
    let first = super::checklists::checklist_ids(0)[0].clone();
    tick(&tab, &first);
    assert_eq!(js(&tab, shown), json!([]), "after a tap on an item");
    // A tap on a heading's text, which is its link: the mark shows for the followed heading only.
    click(&tab, "#junior-evidence > a");
    wait_until(
        &tab,
        "location.hash === '#junior-evidence'",
        "the followed link",
    );
    assert_eq!(js(&tab, shown), json!(["junior-evidence"]));
    // On the home page, a tap in the ladder table.
    open(&tab, &server.at(""));
    click(&tab, "table.ladder tbody tr:nth-child(2) td:last-child");
    assert_eq!(js(&tab, shown), json!([]), "after a tap on a ladder row");
}

/// The results' hrefs for `query`, typed into the open search field.
fn results_for(tab: &Tab, query: &str) -> Vec<String> {
    let query_json = serde_json::to_string(query).expect("JSON");
    js(
        tab,
        &format!(
            "(() => {{ const i = document.getElementById('search-q'); i.value = {query_json}; \
               i.dispatchEvent(new Event('input', {{ bubbles: true }})); }})()"
        ),
    );
    wait_until(
        tab,
        &format!("document.getElementById('search-status').textContent.includes({query_json})"),
        "the results",
    );
    serde_json::from_value(js(
        tab,
        "[...document.querySelectorAll('.search-results a')].map(a => a.getAttribute('href'))",
    ))
    .expect("hrefs")
}

#[test]
#[ignore = "needs Chromium"]
fn search_ranks_titles_and_main_headings_first_and_knows_the_guides_synonyms() {
    let server = guide();
    let chrome = chrome();
    let tab = chrome.tab();
    let errors = watch_errors(&tab);
    open(&tab, &server.at("faq/"));
    tab.press_key("/").expect("/");
    wait_until(&tab, "document.activeElement.id === 'search-q'", "search");
    wait_until(&tab, "window.sreSearchIndex", "the index");

    // "Staff": Phase 4's page first, then its main sections among the first results.
    let staff = results_for(&tab, "Staff");
    assert_eq!(staff[0], "../phases/staff/index.html", "{staff:?}");
    let main_sections: Vec<&String> = staff
        .iter()
        .filter(|href| href.starts_with("../phases/staff/index.html#"))
        .collect();
    assert!(
        main_sections.len() >= 3,
        "Phase 4's main sections: {staff:?}"
    );

    // Pay by any of its names: the compensation page first.
    for query in ["salary", "pay", "compensation"] {
        let found = results_for(&tab, query);
        assert_eq!(
            found.first().map(String::as_str),
            Some("../compensation/index.html"),
            "{query}: {found:?}"
        );
    }
    // On-call, written either way; a section about it above a checklist item that mentions it.
    let on_call = results_for(&tab, "on-call");
    assert_eq!(
        results_for(&tab, "oncall"),
        on_call,
        "oncall finds what on-call finds"
    );
    let rotation = on_call
        .iter()
        .position(|href| href.ends_with("#junior-first-rotation"))
        .unwrap_or_else(|| panic!("“Your first rotation” for on-call: {on_call:?}"));
    if let Some(item) = on_call
        .iter()
        .position(|href| href.starts_with("../phases/senior/index.html#item-"))
    {
        assert!(rotation < item, "{on_call:?}");
    }
    assert_no_errors(&errors);
}

#[test]
#[ignore = "needs Chromium"]
fn compare_marks_real_differences_only_over_the_phase_dimensions() {
    let server = guide();
    let chrome = chrome();
    let tab = chrome.tab();
    let errors = watch_errors(&tab);
    set_viewport(&tab, 1280, 900);
    let ladder = data("ladder");
    let dimensions: Vec<String> = array(&ladder, "phases")
        .iter()
        .flat_map(|p| array(p, "dimensions"))
        .map(|d| string(d, "name").to_string())
        .collect();
    let levels: Vec<String> = array(&ladder, "levels")
        .iter()
        .map(|l| string(l, "id").to_string())
        .collect();
    for pair in levels
        .windows(2)
        .chain([&levels[0..1], &levels[3..4]].concat().windows(2))
    {
        open(
            &tab,
            &server.at(&format!("#compare={},{}", pair[0], pair[1])),
        );
        let rows = js(
            &tab,
            "[...document.querySelectorAll('#compare-out tbody tr')].map(tr => { \
               const key = w => w.toLowerCase().replace(/[^\\p{L}\\p{N}+–-]/gu, ''); \
               const cells = [...tr.querySelectorAll('td')]; \
               const words = td => td.textContent.split(/\\s+/).filter(Boolean).map(key); \
               const unmarked = td => { const c = td.cloneNode(true); c.querySelectorAll('mark').forEach(m => m.remove()); return words(c); }; \
               const marked = td => [...td.querySelectorAll('mark')].flatMap(m => m.textContent.split(/\\s+/)).filter(Boolean); \
               return { name: tr.querySelector('th').firstChild.textContent, note: (tr.querySelector('th span') || {}).textContent || '', \
                 cells: cells.map((td, i) => ({ words: words(td).length, marked: marked(td).length, \
                   strays: unmarked(td).filter(w => !words(cells[1 - i]).includes(w)) })) }; })",
        );
        let rows = rows.as_array().expect("rows");
        assert!(rows.len() >= 4, "{pair:?}: {rows:?}");
        for row in rows {
            let name = row["name"].as_str().expect("name");
            assert!(
                name == "Typical tenure" || dimensions.iter().any(|d| d == name),
                "{pair:?}: a row that is no phase dimension: {name}"
            );
            for cell in row["cells"].as_array().expect("cells") {
                let (words, marked) = (
                    cell["words"].as_u64().unwrap_or(0),
                    cell["marked"].as_u64().unwrap_or(0),
                );
                if row["note"] != json!("") {
                    assert_eq!(
                        marked, 0,
                        "{pair:?} {name}: a flagged row marks no words: {row}"
                    );
                } else if words > 0 {
                    // A word left unmarked is one both cells have.
                    assert_eq!(cell["strays"], json!([]), "{pair:?} {name}: {row}");
                    assert!(
                        marked * 10 <= words * 8,
                        "{pair:?} {name}: {marked} of {words} words marked: {row}"
                    );
                }
            }
        }
    }
    assert_no_errors(&errors);
}

#[test]
#[ignore = "needs Chromium"]
fn the_whole_guide_prints_in_12_a4_pages_or_fewer_with_its_contents_whole() {
    let server = guide();
    let chrome = chrome();
    let tab = chrome.tab();
    for scheme in ["light", "dark"] {
        set_color_scheme(&tab, scheme);
        open(&tab, &server.at("guide/"));
        let pages =
            super::packet::pdf_pages(&tab.print_to_pdf(super::packet::a4()).expect("print"));
        assert!(pages.len() <= 12, "{scheme}: {} pages", pages.len());
        let parts = js(&tab, "document.querySelectorAll('.guide-toc li').length")
            .as_u64()
            .expect("parts");
        assert!(parts >= 10, "{parts} parts");
        assert!(
            pages[0].contains(&format!("{parts}. Compensation by level")),
            "{scheme}: the contents' last entry, whole: {}",
            pages[0]
        );
        // No page under a third full but the last (the parts flow on).
        let fullest = pages.iter().map(String::len).max().unwrap_or(0);
        for (number, page) in pages.iter().enumerate().take(pages.len() - 1) {
            assert!(
                page.len() * 3 >= fullest,
                "{scheme}: page {} holds {} characters against {fullest}: {page}",
                number + 1,
                page.len()
            );
        }
        let all = pages.concat();
        for screen_only in [
            "stays in your browser",
            "Skip to content",
            "Tick what you have done",
            "Colour theme",
        ] {
            assert!(
                !all.contains(screen_only),
                "{scheme}: {screen_only:?} printed"
            );
        }
        emulate_media(&tab, "print", scheme);
        assert_eq!(
            js_str(
                &tab,
                "getComputedStyle(document.querySelector('.guide-part')).borderTopStyle"
            ),
            "none",
            "no rule over a part"
        );
        emulate_media(&tab, "", scheme);
    }
    // The Junior page: its checklist and footer end its last page; no page for the footer alone.
    open(&tab, &server.at("phases/junior/"));
    let pages = super::packet::pdf_pages(&tab.print_to_pdf(super::packet::a4()).expect("print"));
    let last = pages.last().expect("a page");
    assert!(
        pages.len() <= 2 && last.contains("Before you move to"),
        "{} pages; the last: {last}",
        pages.len()
    );
    assert!(!pages.concat().contains("Tick what you have done"));
}

#[test]
#[ignore = "needs Chromium"]
fn the_header_is_two_rows_at_412_px_as_at_320() {
    let server = guide();
    let chrome = chrome();
    let tab = chrome.tab();
    let header = "({ height: document.querySelector('.site-header').getBoundingClientRect().height, \
        title: document.querySelector('.site-title').getBoundingClientRect().top, \
        select: document.getElementById('theme-choice').getBoundingClientRect().top, \
        search: document.querySelector('.search-link').getBoundingClientRect().top, \
        nav: [...new Set([...document.querySelectorAll('.site-nav a')].map(a => Math.round(a.getBoundingClientRect().top)))].length })";
    for page in ["", "phases/junior/"] {
        for scheme in ["light", "dark"] {
            set_color_scheme(&tab, scheme);
            let mut heights = Vec::new();
            for width in [320, 412] {
                set_viewport(&tab, width, 800);
                open(&tab, &server.at(page));
                let seen = js(&tab, header);
                let top = |key: &str| seen[key].as_f64().expect("a top");
                assert!(
                    (top("select") - top("title")).abs() < 12.0
                        && (top("search") - top("title")).abs() < 12.0,
                    "{page} at {width} px ({scheme}): title, Search and theme on one row: {seen}"
                );
                assert!(
                    seen["nav"].as_u64().unwrap_or(9) <= 2,
                    "{page} at {width} px: {seen}"
                );
                heights.push(seen["height"].as_f64().expect("height"));
            }
            assert!(
                heights[1] <= heights[0],
                "{page} ({scheme}): 412 px {heights:?} against 320 px"
            );
        }
    }
}

#[test]
#[ignore = "needs Chromium"]
fn without_javascript_enter_on_an_answer_submits_nothing() {
    let server = guide();
    let chrome = chrome();
    let tab = chrome.tab();
    let (ids, _) = quiz_key();
    // Count the navigations the page asks for.
    let requested = Arc::new(AtomicUsize::new(0));
    let count = requested.clone();
    tab.add_event_listener(Arc::new(move |event: &Event| {
        if event.method == "Page.frameRequestedNavigation" {
            count.fetch_add(1, Ordering::SeqCst);
        }
    }));
    tab.call(
        "Emulation.setScriptExecutionDisabled",
        json!({ "value": true }),
    )
    .expect("disable JavaScript");
    let enter_on_an_answer = |tab: &Tab| {
        click(tab, &format!("input[name=\"q-{}\"][value=\"y\"]", ids[0]));
        tab.press_key("Enter").expect("Enter");
        js(tab, "document.readyState");
    };
    // The check can see a submission: with the button enabled, Enter submits.
    open(&tab, &server.at(QUIZ));
    js(
        &tab,
        "document.querySelector('#quiz [type=submit]').disabled = false",
    );
    requested.store(0, Ordering::SeqCst);
    enter_on_an_answer(&tab);
    assert!(
        requested.load(Ordering::SeqCst) > 0,
        "the request is seen by the time Enter is handled"
    );
    wait_until(
        &tab,
        "location.search.includes('q-')",
        "the submission this check must see",
    );
    // The page as published: Enter on an answer submits nothing and keeps the answer.
    open(&tab, &server.at(QUIZ));
    requested.store(0, Ordering::SeqCst);
    enter_on_an_answer(&tab);
    assert_eq!(
        requested.load(Ordering::SeqCst),
        0,
        "Enter asked for a navigation"
    );
    assert_eq!(js_str(&tab, "location.search"), "");
    assert!(js_bool(
        &tab,
        &format!(
            "document.querySelector('input[name=\"q-{}\"][value=\"y\"]').checked",
            ids[0]
        )
    ));
}

#[test]
#[ignore = "needs Chromium"]
fn one_back_leaves_a_quiz_result() {
    let server = guide();
    let chrome = chrome();
    let tab = chrome.tab();
    let errors = watch_errors(&tab);
    let (ids, _) = quiz_key();
    open(&tab, &server.at(""));
    click(&tab, ".cta a[href$='where-are-you-now/index.html']");
    wait_until(&tab, "document.getElementById('quiz')", "the quiz");
    loaded(&tab);
    for id in &ids {
        click(&tab, &format!("input[name=\"q-{id}\"][value=\"y\"]"));
    }
    click(&tab, "#quiz button[type=submit]");
    wait_until(
        &tab,
        "document.querySelector('#quiz-result a.quiz-go')",
        "the result",
    );
    // Later than this evaluation: Back leaves the page, which would cut it short.
    js(&tab, "setTimeout(() => history.back())");
    wait_until(
        &tab,
        "location.pathname === '/index.html' || location.pathname === '/'",
        "the page before the quiz",
    );
    js(&tab, "setTimeout(() => history.forward())");
    wait_until(
        &tab,
        "document.querySelector('#quiz-result a.quiz-go')",
        "the result again",
    );
    assert_no_errors(&errors);
}
