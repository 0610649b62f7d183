//! Layout at 320 px, the colour schemes, print styles, the compare view and self-links.

use super::checklists::{checklist_ids, tick};
use super::*;

#[test]
#[ignore = "needs Chromium"]
fn no_page_scrolls_horizontally_at_320_px_in_light_or_dark() {
    // Pages in the states scripts put them in, and the 404 page.
    let mut urls = every_page_and_quiz_state();
    urls.push("no/such/page/".to_string());
    let server = guide();
    let chrome = chrome();
    let wide = in_both_schemes(|scheme| wide_pages(&chrome, server, &urls, scheme));
    assert!(
        wide.is_empty(),
        "pages that scroll sideways at 320 px:\n{}",
        wide.join("\n")
    );
}

/// The pages among `urls` wider than a 320 px viewport in the `scheme` colour scheme.
fn wide_pages(chrome: &Chrome, server: &Server, urls: &[String], scheme: &str) -> Vec<String> {
    let mut wide = Vec::new();
    let tab = chrome.tab();
    set_viewport(&tab, 320, 640);
    set_color_scheme(&tab, scheme);
    for url in urls {
        open(&tab, &server.at(url));
        // Scripted states too: open <details>, a submitted partial quiz.
        let seen = js(
            &tab,
            &format!(
                "(() => {{ document.querySelectorAll('details').forEach(d => d.open = true); \
                   const submit = document.querySelector('#quiz button[type=submit]'); \
                   if (submit && location.hash.includes('-')) submit.click(); \
                   return {{ scheme: matchMedia('(prefers-color-scheme: {scheme})').matches, \
                     viewport: innerWidth, width: document.documentElement.scrollWidth, \
                     wide: [...document.querySelectorAll('body *')] \
                       .filter(e => e.getBoundingClientRect().right > 320.5).slice(-3) \
                       .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)) }}; }})()"
            ),
        );
        assert_eq!(
            seen["scheme"],
            json!(true),
            "the {scheme} scheme is emulated"
        );
        assert_eq!(seen["viewport"], json!(320), "the viewport is 320 px wide");
        let width = seen["width"].as_u64().expect("a width");
        if width > 320 {
            wide.push(format!("{scheme} {url}: {width} px wide; {}", seen["wide"]));
        }
    }
    tab.close().expect("close");
    wide
}

#[test]
#[ignore = "needs Chromium"]
fn the_theme_choice_is_remembered_before_first_paint_and_can_follow_the_system_again() {
    let server = guide();
    let chrome = chrome();
    let tab = chrome.tab();
    let errors = watch_errors(&tab);
    set_color_scheme(&tab, "light");
    // Record data-theme the moment <body> is parsed (before anything is painted) and at
    // DOMContentLoaded.
    before_every_page(
        &tab,
        "window.__theme = {}; \
         document.addEventListener('DOMContentLoaded', () => { \
           window.__theme.ready = document.documentElement.getAttribute('data-theme'); }); \
         new MutationObserver((_, o) => { if (document.body) { \
           window.__theme.body = document.documentElement.getAttribute('data-theme'); o.disconnect(); } }) \
           .observe(document, { childList: true, subtree: true });",
    );
    open(&tab, &server.at(""));
    let background = "getComputedStyle(document.body).backgroundColor";
    let choice = "document.getElementById('theme-choice').value";
    let light = js_str(&tab, background);
    assert_eq!(js_str(&tab, choice), "", "the system's scheme by default");
    assert!(js_bool(
        &tab,
        "!document.querySelector('[data-theme-choice]').hidden"
    ));
    choose_theme(&tab, "dark");
    assert_eq!(
        js_str(&tab, "document.documentElement.getAttribute('data-theme')"),
        "dark"
    );
    let dark = js_str(&tab, background);
    assert_ne!(light, dark, "the choice changes the colours");

    for page in ["", "phases/junior/", "compensation/"] {
        open(&tab, &server.at(page));
        assert_eq!(
            js(&tab, "window.__theme"),
            json!({ "body": "dark", "ready": "dark" }),
            "{page}: the dark theme is set before <body> is parsed"
        );
        assert_eq!(js_str(&tab, background), dark, "{page}: dark colours");
        assert_eq!(js_str(&tab, choice), "dark", "{page}: the select says so");
    }
    reload(&tab);
    assert_eq!(
        js(&tab, "window.__theme"),
        json!({ "body": "dark", "ready": "dark" })
    );
    // Light: remembered as well, over a system preference for dark.
    set_color_scheme(&tab, "dark");
    choose_theme(&tab, "light");
    reload(&tab);
    assert_eq!(
        js(&tab, "window.__theme"),
        json!({ "body": "light", "ready": "light" })
    );
    assert_eq!(
        js_str(&tab, background),
        light,
        "light colours over a dark system preference"
    );
    // And back to following the system: nothing is stored, the system's dark applies.
    choose_theme(&tab, "");
    reload(&tab);
    assert_eq!(
        js(&tab, "window.__theme"),
        json!({ "body": null, "ready": null })
    );
    assert_eq!(
        js_str(&tab, "localStorage.getItem('sre-guide:v1:theme') || ''"),
        ""
    );
    assert_eq!(js_str(&tab, background), dark, "the system's dark scheme");
    assert_eq!(js_str(&tab, choice), "");
    assert_no_errors(&errors);
}

// ------------------------------------------------------------------------------------------------
// The ladder compare view and self-links

/// The two level names and their "Scope" the compare view shows.
fn compared(tab: &Tab) -> Value {
    js(
        tab,
        "(() => { const t = document.querySelector('#compare-out table'); \
           const heads = [...t.querySelectorAll('thead th')].slice(1).map(th => th.textContent); \
           const scope = [...t.querySelectorAll('tbody tr')].find(tr => tr.querySelector('th').firstChild.textContent === 'Scope'); \
           const cells = [...scope.querySelectorAll('td')].map(td => td.textContent); \
           return heads.map((h, i) => [h, cells[i]]); })()",
    )
}

#[test]
#[ignore = "needs Chromium"]
fn the_compare_view_puts_any_two_levels_side_by_side() {
    let server = guide();
    let chrome = chrome();
    let tab = chrome.tab();
    let errors = watch_errors(&tab);
    set_viewport(&tab, 1024, 900);
    open(&tab, &server.at(""));
    let ladder = data("ladder");
    let levels = array(&ladder, "levels");
    // A level's scope is its phase's; a level no phase covers says so.
    let scope = |i: usize| {
        array(&ladder, "phases")
            .into_iter()
            .find(|p| string(p, "level") == string(levels[i], "id"))
            .and_then(|p| {
                array(p, "dimensions")
                    .into_iter()
                    .find(|d| string(d, "name") == "Scope")
                    .map(|d| string(d, "now").to_string())
            })
            .unwrap_or_else(|| "Not described: no phase of the guide covers it".to_string())
    };
    let card = |i: usize| json!([string(levels[i], "name"), scope(i)]);
    let id = |i: usize| string(levels[i], "id").to_string();
    assert!(js_bool(&tab, "!document.getElementById('compare').hidden"));
    assert_eq!(
        compared(&tab),
        json!([card(0), card(1)]),
        "the first two levels"
    );
    // Choose the last level (Principal) against the fourth, as a reader would with the keyboard.
    let choose = |select: &str, index: usize| {
        js(
            &tab,
            &format!(
                "(() => {{ const s = document.getElementById('{select}'); s.focus(); \
                   s.selectedIndex = {index}; s.dispatchEvent(new Event('change', {{ bubbles: true }})); }})()"
            ),
        );
    };
    choose("compare-a", levels.len() - 1);
    choose("compare-b", 3);
    assert_eq!(compared(&tab), json!([card(levels.len() - 1), card(3)]));
    // The choice is in the URL, and announced.
    let shared = format!("#compare={},{}", id(levels.len() - 1), id(3));
    assert_eq!(js_str(&tab, "location.hash"), shared);
    assert_eq!(
        js_str(
            &tab,
            "document.getElementById('compare-status').textContent"
        ),
        format!(
            "Comparing {} with {}.",
            string(levels[levels.len() - 1], "name"),
            string(levels[3], "name")
        )
    );
    assert_eq!(
        js_str(
            &tab,
            "document.getElementById('compare-status').getAttribute('role')"
        ),
        "status"
    );
    // What differs is marked: the tenures' figures at least.
    let marks = js(
        &tab,
        "[...document.querySelectorAll('#compare-out tbody tr')[0].querySelectorAll('mark')].map(m => m.textContent)",
    );
    let years = |i: usize| {
        let tenure = levels[i]["tenure"].as_table().expect("tenure");
        let min = tenure["min"].as_integer().expect("min");
        match tenure.get("max").and_then(|m| m.as_integer()) {
            Some(max) => format!("{min}–{max}"),
            None => format!("{min}+"),
        }
    };
    assert_eq!(marks, json!([years(levels.len() - 1), years(3)]));
    // A level cannot be compared with itself: the second select never offers the first's.
    assert!(js_bool(
        &tab,
        "[...document.getElementById('compare-b').options].filter(o => o.disabled).map(o => o.value).join() \
           === document.getElementById('compare-a').value"
    ));
    choose("compare-a", 3);
    let (a, b) = (
        js_str(&tab, "document.getElementById('compare-a').value"),
        js_str(&tab, "document.getElementById('compare-b').value"),
    );
    assert_ne!(a, b, "choosing the other's level moves the second on");
    // A shared link opens on the same comparison, in view.
    open(&tab, &server.at(&shared));
    assert_eq!(compared(&tab), json!([card(levels.len() - 1), card(3)]));
    assert!(js_bool(
        &tab,
        "(() => { const r = document.getElementById('compare').getBoundingClientRect(); \
           return r.top > -1 && r.top < innerHeight; })()"
    ));
    // A link naming one level twice is not honoured.
    open(&tab, &server.at(&format!("#compare={0},{0}", id(2))));
    assert_eq!(compared(&tab), json!([card(0), card(1)]));
    // The full table is still there for every level, and the view is not a second copy of it.
    assert_eq!(
        js(
            &tab,
            "document.querySelectorAll('table.ladder tbody tr').length"
        ),
        json!(levels.len())
    );
    // Its rows are the tenure and the phases' dimensions, not the table's rows again.
    let rows = js(
        &tab,
        "[...document.querySelectorAll('#compare-out tbody th')].map(th => th.firstChild.textContent)",
    );
    assert!(
        rows.as_array().is_some_and(|r| r.len() >= 5) && rows[0] == json!("Typical tenure"),
        "{rows}"
    );
    assert_no_errors(&errors);
}

#[test]
#[ignore = "needs Chromium"]
fn a_focused_heading_shows_its_self_link_mark_and_links_to_itself() {
    let server = guide();
    let chrome = chrome();
    let tab = chrome.tab();
    open(&tab, &server.at("roadblocks/"));
    let link = "document.querySelector('h2[id] > a[href^=\"#\"]')";
    let mark = format!("getComputedStyle({link}, '::after')");
    assert!(js_str(&tab, &format!("{mark}.content")).contains('#'));
    js(&tab, &format!("{link}.focus()"));
    assert_eq!(
        js_str(&tab, &format!("{mark}.opacity")),
        "1",
        "shown on focus"
    );
    click(&tab, "h2[id] > a[href^=\"#\"]");
    assert_eq!(
        js_str(&tab, "location.hash"),
        js_str(&tab, &format!("'#' + {link}.parentElement.id"))
    );
    // A checklist item's "#" is a link with a name of its own.
    open(&tab, &server.at("phases/junior/"));
    let item = "document.querySelector('li[id^=\"item-\"] a.self-link')";
    assert_eq!(
        js_str(&tab, &format!("{item}.getAttribute('href')")),
        js_str(&tab, &format!("'#' + {item}.closest('li').id"))
    );
    assert_eq!(
        js_str(&tab, &format!("{item}.getAttribute('aria-label')")),
        "Link to this item"
    );
}

#[test]
#[ignore = "needs Chromium"]
fn the_print_stylesheet_hides_navigation_shows_link_targets_and_keeps_ticks() {
    let server = guide();
    let chrome = chrome();
    let tab = chrome.tab();
    let style = |selector: &str, pseudo: &str, property: &str| {
        js_str(
            &tab,
            &format!(
                "getComputedStyle(document.querySelector({}), {}).{property}",
                serde_json::to_string(selector).expect("JSON"),
                serde_json::to_string(pseudo).expect("JSON"),
            ),
        )
    };
    // Printed in dark mode too: print colours are always black on white.
    set_color_scheme(&tab, "dark");
    open(&tab, &server.at("phases/junior/"));
    let first = &checklist_ids(0)[0];
    tick(&tab, first);
    emulate_media(&tab, "print", "dark");
    for hidden in [
        ".site-header",
        ".breadcrumbs",
        ".toc",
        ".pager",
        "[data-reset]",
        ".evidence",
        ".js-only",
    ] {
        assert_eq!(
            style(hidden, "", "display"),
            "none",
            "{hidden} is not printed"
        );
    }
    // The reader's ticks print as ticked boxes.
    let checkbox = format!("#check-{first}");
    assert_ne!(style(&checkbox, "", "display"), "none");
    assert!(js_bool(
        &tab,
        &format!("document.querySelector('{checkbox}').checked")
    ));
    assert_eq!(
        style("tr", "", "breakInside"),
        "avoid",
        "a table may run over a page, its rows are not split"
    );
    assert_eq!(
        style("h2[id] > a", "::after", "content"),
        "none",
        "no '#' marks"
    );
    assert_eq!(style("body", "", "backgroundColor"), "rgb(255, 255, 255)");
    assert_eq!(style("body", "", "color"), "rgb(0, 0, 0)");
    // Links to other sites print their address.
    open(&tab, &server.at("resources/"));
    assert!(
        style("a[href^='https://sre.google']", "::after", "content")
            .contains("https://sre.google/"),
        "a printed link shows where it goes"
    );
    // The whole guide's parts flow on from page to page, with no rule over them.
    open(&tab, &server.at("guide/"));
    assert_eq!(style(".guide-part", "", "breakBefore"), "auto");
    assert_eq!(style(".guide-part", "", "borderTopStyle"), "none");
    emulate_media(&tab, "", "light");
}
