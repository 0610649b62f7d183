//! Accessibility, checked by axe-core (the engine behind Lighthouse's accessibility audit).

use super::*;

#[test]
#[ignore = "needs Chromium and axe-core (AXE_JS)"]
fn every_page_passes_axe_wcag_a_and_aa_rules_in_light_and_dark() {
    let axe = axe_source();
    let urls = every_page_and_quiz_state();
    let server = guide();
    let chrome = chrome();
    let violations = in_both_schemes(|scheme| axe_violations(&chrome, server, &urls, &axe, scheme));
    assert!(
        violations.is_empty(),
        "WCAG A/AA violations:\n{}",
        violations.join("\n")
    );
}

/// What axe-core finds on each of `urls` in the `scheme` colour scheme.
fn axe_violations(
    chrome: &Chrome,
    server: &Server,
    urls: &[String],
    axe: &str,
    scheme: &str,
) -> Vec<String> {
    let tab = chrome.tab();
    set_color_scheme(&tab, scheme);
    before_every_page(&tab, axe);
    let mut violations = Vec::new();
    for url in urls {
        open(&tab, &server.at(url));
        js(
            &tab,
            "(() => { const s = document.querySelector('#quiz button[type=submit]'); \
             if (s && location.hash.includes('-')) s.click(); return true; })()",
        );
        violations.extend(
            run_axe(&tab, url)
                .into_iter()
                .map(|v| format!("{url} ({scheme}): {v}")),
        );
    }
    violations
}

/// axe-core's script, from the file `AXE_JS` names.
pub(super) fn axe_source() -> String {
    let path = std::env::var("AXE_JS")
        .expect("AXE_JS must name axe.min.js (bash .ci/run installs axe-core from npm)");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path}: {e}"))
}

/// What axe-core (already in the page) finds in the document as it is now, by WCAG A/AA rule.
pub(super) fn run_axe(tab: &Tab, what: &str) -> Vec<String> {
    let found = tab
        .evaluate(
            "axe.run(document, { resultTypes: ['violations'], runOnly: { type: 'tag', values: \
             ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } }) \
             .then(r => JSON.stringify(r.violations.map(v => v.id + ': ' + \
             v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))))",
            true,
        )
        .unwrap_or_else(|e| panic!("axe.run on {what}: {e}"));
    let text = found
        .value
        .as_ref()
        .and_then(|v| v.as_str())
        .unwrap_or("[]");
    serde_json::from_str(text).expect("axe's violations as JSON")
}
