//! The theme under the Content-Security-Policy that `[publish] headers = true` publishes: every
//! page opens, and the quiz, a checklist, the compare view and the theme toggle work, with no
//! `securitypolicyviolation` event and no uncaught exception.

use super::*;

/// Records every CSP violation in `window.__csp`, from before the page's first byte is parsed.
pub(super) const LISTEN: &str = "window.__csp = []; document.addEventListener('securitypolicyviolation', \
    e => window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample}`));";

pub(super) fn violations(tab: &Tab) -> Vec<String> {
    serde_json::from_value(js(tab, "window.__csp")).expect("a list")
}

#[test]
#[ignore = "needs Chromium"]
fn every_page_and_feature_runs_under_the_published_csp_without_a_violation() {
    let files = headers_files();
    let headers = server::site_wide_headers(files);
    assert!(
        headers
            .iter()
            .any(|(name, _)| name == "Content-Security-Policy"),
        "{headers:?}"
    );
    let pages: Vec<String> = files
        .keys()
        .filter_map(|path| {
            path.strip_suffix("index.html")
                .map(str::to_string)
                .or_else(|| (path == "404.html").then(|| path.clone()))
        })
        .collect();
    assert!(pages.len() > 12, "{pages:?}");
    let server = guide_with_headers();
    let chrome = chrome();
    let tab = chrome.tab();
    let errors = watch_errors(&tab);
    before_every_page(&tab, LISTEN);
    let mut seen = Vec::new();
    for page in &pages {
        open(&tab, &server.at(page));
        for violation in violations(&tab) {
            seen.push(format!("{page}: {violation}"));
        }
    }

    // The theme toggle and the compare view, on the home page.
    open(&tab, &server.at(""));
    js(
        &tab,
        "(() => { const s = document.getElementById('theme-choice'); s.value = 'dark'; \
           s.dispatchEvent(new Event('change', { bubbles: true })); })()",
    );
    assert_eq!(
        js_str(&tab, "document.documentElement.getAttribute('data-theme')"),
        "dark"
    );
    // The compare table's second level column, and the words it marks as differing.
    let second_column = "(() => { const t = document.querySelector('#compare-out table'); \
           return [t.querySelector('thead th:last-child').textContent, \
                   t.querySelectorAll('tbody td:last-child mark').length, \
                   location.hash]; })()";
    let before = js(&tab, second_column);
    js(
        &tab,
        "(() => { const s = document.getElementById('compare-b'); s.selectedIndex = 3; \
           s.dispatchEvent(new Event('change', { bubbles: true })); })()",
    );
    let after = js(&tab, second_column);
    assert_ne!(before[0], after[0], "the compare view follows the choice");
    assert!(
        after[1].as_u64().unwrap_or(0) > 0,
        "differences are marked: {after}"
    );
    assert!(
        after[2].as_str().unwrap_or("").starts_with("#compare="),
        "the choice is in the URL: {after}"
    );
    seen.extend(
        violations(&tab)
            .into_iter()
            .map(|v| format!("home, toggled: {v}")),
    );

    // The quiz: all yes, submitted, routed.
    open(&tab, &server.at("where-are-you-now/"));
    let questions = js(&tab, "document.querySelectorAll('#quiz fieldset').length");
    assert!(questions.as_u64().unwrap_or(0) >= 5, "{questions}");
    js(
        &tab,
        "document.querySelectorAll('#quiz input[value=\"y\"]').forEach(i => i.click())",
    );
    click(&tab, "#quiz button[type=submit]");
    wait_until(
        &tab,
        "document.querySelector('#quiz-result a.quiz-go')",
        "the quiz result",
    );
    seen.extend(violations(&tab).into_iter().map(|v| format!("quiz: {v}")));

    // A checklist: one tick counts.
    open(&tab, &server.at("phases/junior/"));
    let first = js_str(
        &tab,
        "document.querySelector('input[data-check-id]').dataset.checkId",
    );
    checklists::tick(&tab, &first);
    wait_until(
        &tab,
        "document.querySelector('.progress-line').innerText.includes('1 of')",
        "one item done",
    );
    seen.extend(
        violations(&tab)
            .into_iter()
            .map(|v| format!("checklist: {v}")),
    );

    assert!(seen.is_empty(), "CSP violations:\n{}", seen.join("\n"));
    assert_no_errors(&errors);
}

/// The listener above does see violations: the same site without the inline styles' hashes
/// reports the timeline's and the chart's `style` attributes.
#[test]
#[ignore = "needs Chromium"]
fn a_policy_without_the_style_hashes_is_reported() {
    let mut files = headers_files().clone();
    let text = String::from_utf8(files["_headers"].clone()).expect("UTF-8");
    let start = text.find("style-src 'self'").expect("style-src") + "style-src 'self'".len();
    let end = start + text[start..].find(';').expect("the directive ends");
    files.insert(
        "_headers".into(),
        format!("{}{}", &text[..start], &text[end..]).into_bytes(),
    );
    let server = Server::start(files);
    let chrome = chrome();
    let tab = chrome.tab();
    before_every_page(&tab, LISTEN);
    open(&tab, &server.at(""));
    let seen = violations(&tab);
    assert!(
        seen.iter().any(|v| v.starts_with("style-src-attr inline")),
        "{seen:?}"
    );
}
