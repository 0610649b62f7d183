//! What a demanding reader meets on a phone and a desk: the header at 320 px in both schemes,
//! self-link marks on touch screens and in the ladder table, and reading order.

use super::*;

/// The header's height at 320 px for each colour scheme and theme choice.
#[test]
#[ignore = "needs Chromium"]
fn the_header_is_compact_at_320_px_and_the_same_height_in_every_scheme() {
    let server = guide();
    let chrome = chrome();
    let tab = chrome.tab();
    set_viewport(&tab, 320, 640);
    for page in ["", "phases/junior/", "where-are-you-now/"] {
        let mut heights = Vec::new();
        for (scheme, choice) in [
            ("light", ""),
            ("dark", ""),
            ("light", "dark"),
            ("dark", "light"),
        ] {
            set_color_scheme(&tab, scheme);
            open(&tab, &server.at(page));
            choose_theme(&tab, choice);
            let seen = js(
                &tab,
                "({ header: document.querySelector('.site-header').getBoundingClientRect().height, \
                    choice: !document.querySelector('[data-theme-choice]').hidden, \
                    title: document.querySelector('.site-title').getBoundingClientRect().top, \
                    select: document.getElementById('theme-choice').getBoundingClientRect().top })",
            );
            assert_eq!(
                seen["choice"],
                json!(true),
                "{page}: the theme choice shows"
            );
            let height = seen["header"].as_f64().expect("height");
            assert!(
                height <= 110.0,
                "{page} ({scheme}, {choice:?}): the header is {height} px high"
            );
            // The choice sits on the title's row, not under it.
            let (title, select) = (seen["title"].as_f64(), seen["select"].as_f64());
            assert!(
                (title.expect("title") - select.expect("select")).abs() < 12.0,
                "{page}: the theme choice wrapped under the title: {seen}"
            );
            heights.push(height);
        }
        assert!(
            heights.windows(2).all(|w| w[0] == w[1]),
            "{page}: the header's height changes with the scheme: {heights:?}"
        );
        choose_theme(&tab, "");
    }
}

#[test]
#[ignore = "needs Chromium"]
fn self_link_marks_do_not_show_permanently_on_touch_screens() {
    let server = guide();
    let chrome = chrome();
    let tab = chrome.tab();
    set_viewport(&tab, 390, 800);
    emulate(&tab, "", &[("hover", "none"), ("pointer", "coarse")]);
    let shown = "[...document.querySelectorAll('.self-link, :is(h1,h2,h3,h4,h5,h6)[id] > a[href^=\"#\"]:only-child')] \
         .filter(a => getComputedStyle(a, a.classList.contains('self-link') ? null : '::after').opacity !== '0') \
         .map(a => a.textContent)";
    for page in ["", "phases/junior/", "roadblocks/"] {
        open(&tab, &server.at(page));
        assert!(js_bool(&tab, "matchMedia('(hover: none)').matches"));
        assert_eq!(
            js(&tab, shown),
            json!([]),
            "{page}: '#' marks shown without a tap"
        );
    }
    // The followed link shows its mark.
    open(&tab, &server.at("roadblocks/#stuck-at-senior"));
    assert_eq!(js(&tab, shown), json!(["Stuck at Senior for 3+ years"]));
}

#[test]
#[ignore = "needs Chromium"]
fn the_ladder_tables_hash_never_wraps_alone() {
    let server = guide();
    let chrome = chrome();
    let tab = chrome.tab();
    for width in [320, 700, 1024, 1280] {
        set_viewport(&tab, width, 900);
        open(&tab, &server.at(""));
        // The "#" sits on the same line as the last line of the level's name.
        let alone = js(
            &tab,
            "[...document.querySelectorAll('table.ladder tbody th')].filter(th => { \
               const r = document.createRange(); r.selectNodeContents(th.firstChild); \
               const rects = r.getClientRects(), last = rects[rects.length - 1]; \
               const mark = th.querySelector('.self-link').getBoundingClientRect(); \
               return Math.abs(mark.top - last.top) > 4; }).map(th => th.textContent)",
        );
        assert_eq!(
            alone,
            json!([]),
            "at {width} px a '#' wrapped to a line of its own"
        );
    }
}

#[test]
#[ignore = "needs Chromium"]
fn a_shared_answers_link_brings_the_result_into_view_and_focus_at_320_px() {
    let server = guide();
    let chrome = chrome();
    let tab = chrome.tab();
    let errors = watch_errors(&tab);
    set_viewport(&tab, 320, 640);
    let (ids, key) = quiz_key();
    for answers in ["yyyyy", "nnnnn", "yynyn"] {
        assert_eq!(answers.len(), ids.len());
        open(&tab, &server.at(&format!("{QUIZ}#a={answers}")));
        wait_until(
            &tab,
            "document.activeElement && document.activeElement.id === 'quiz-result'",
            "focus on the result",
        );
        assert_result(&tab, server, answers, &key);
        // In view, its start at least 100 px above the bottom (the scroll that comes with the
        // focus lands with the next frame).
        wait_until(
            &tab,
            "(() => { const r = document.getElementById('quiz-result').getBoundingClientRect(); \
               return r.top >= 0 && r.top < innerHeight - 100; })()",
            &format!("{answers}: the result in view"),
        );
    }
    assert_no_errors(&errors);
}

#[test]
#[ignore = "needs Chromium"]
fn an_empty_submission_is_summed_up_in_one_line_with_links() {
    let server = guide();
    let chrome = chrome();
    let tab = chrome.tab();
    set_viewport(&tab, 320, 640);
    // Focusing the summary scrolls smoothly; a click during the scroll would miss its target.
    emulate(&tab, "", &[("prefers-reduced-motion", "reduce")]);
    let (ids, _) = quiz_key();
    open(&tab, &server.at(QUIZ));
    click(&tab, "#quiz button[type=submit]");
    wait_until(
        &tab,
        "!document.getElementById('quiz-errors').hidden",
        "the error summary",
    );
    let summary = js(
        &tab,
        "(() => { const e = document.getElementById('quiz-errors'); \
           return { text: e.innerText.replace(/\\s+/g, ' '), height: e.getBoundingClientRect().height, \
             links: [...e.querySelectorAll('li:not([hidden]) a')].map(a => [a.textContent, a.getAttribute('href')]) }; })()",
    );
    let text = summary["text"].as_str().expect("text");
    assert!(
        text.contains(&format!("Answer questions 1–{}", ids.len())),
        "{text}"
    );
    let links: Vec<Value> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| json!([format!("Question {}", i + 1), format!("#quiz-q-{id}")]))
        .collect();
    assert_eq!(summary["links"], json!(links));
    // Five full questions in bold made a wall over 600 px high; now well under half the screen.
    let height = summary["height"].as_f64().expect("height");
    assert!(height < 280.0, "the summary is {height} px high at 320 px");
    // One answered in the middle: the rest read as runs.
    click(&tab, &format!("input[name=\"q-{}\"][value=\"y\"]", ids[1]));
    click(&tab, "#quiz button[type=submit]");
    let text = js_str(&tab, "document.getElementById('quiz-errors').innerText");
    assert!(
        text.contains(&format!("Answer questions 1 and 3–{}", ids.len())),
        "{text}"
    );
}

#[test]
#[ignore = "needs Chromium"]
fn every_page_names_an_icon_that_exists_and_favicon_ico_is_there_too() {
    let files = output();
    let pages: Vec<String> = files
        .keys()
        .filter(|p| p.ends_with("index.html"))
        .map(|p| p.trim_end_matches("index.html").to_string())
        .collect();
    let server = guide();
    let chrome = chrome();
    let tab = chrome.tab();
    let fetch = |url: &str| {
        let url = serde_json::to_string(url).expect("JSON");
        let script = format!(
            "fetch({url}).then(r => JSON.stringify([r.status, r.headers.get('content-type')]))"
        );
        let text = tab
            .evaluate(&script, true)
            .ok()
            .and_then(|r| r.value)
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        serde_json::from_str::<Value>(&text).unwrap_or(Value::Null)
    };
    for page in &pages {
        open(&tab, &server.at(page));
        let icon = js_str(&tab, "document.querySelector('link[rel=icon]').href");
        assert_eq!(
            fetch(&icon),
            json!([200, "image/svg+xml"]),
            "{page}: {icon}"
        );
    }
    let ico = fetch(&server.at("favicon.ico"));
    assert_eq!(ico[0], json!(200), "/favicon.ico: {ico}");
    assert!(
        ico[1].as_str().unwrap_or_default().starts_with("image/"),
        "{ico}"
    );
}

#[test]
#[ignore = "needs Chromium"]
fn the_whole_guide_prints_like_a_book() {
    let server = guide();
    let chrome = chrome();
    let tab = chrome.tab();
    open(&tab, &server.at("guide/"));
    emulate_media(&tab, "print", "dark");
    let seen = js(
        &tab,
        "(() => { const toc = document.querySelector('.guide-toc'), part = document.querySelector('.guide-part'); \
           const rules = [...document.styleSheets].flatMap(s => [...s.cssRules]) \
             .flatMap(r => r.media && r.media.mediaText === 'print' ? [...r.cssRules] : [r]) \
             .filter(r => r instanceof CSSPageRule).flatMap(r => [...r.cssRules]) \
             .filter(m => m.style.content).map(m => [m.name, m.style.content]); \
           return { toc: getComputedStyle(toc).display, \
             first: !!(toc.compareDocumentPosition(part) & Node.DOCUMENT_POSITION_FOLLOWING), \
             entries: toc.querySelectorAll('li').length, parts: document.querySelectorAll('.guide-part').length, \
             headings: [...document.querySelectorAll('main :is(h2, h3, h4)')].map(h => getComputedStyle(h).breakAfter) \
               .filter(b => b !== 'avoid').length, \
             after: getComputedStyle(document.querySelector('.guide-part h3 + *')).breakBefore, \
             margins: Object.fromEntries(rules), title: document.querySelector('.site-title').textContent }; })()",
    );
    assert_ne!(
        seen["toc"],
        json!("none"),
        "the contents are printed: {seen}"
    );
    assert_eq!(
        seen["first"],
        json!(true),
        "the contents come before the parts"
    );
    assert_eq!(seen["entries"], seen["parts"], "one entry per part");
    assert_eq!(
        seen["headings"],
        json!(0),
        "every heading keeps to its text: {seen}"
    );
    assert_eq!(seen["after"], json!("avoid"));
    // The top margin shows the title, which the page hands the stylesheet as a CSS string.
    assert_eq!(
        seen["margins"]["top-center"],
        json!("var(--print-title)"),
        "{seen}"
    );
    let title = seen["title"].as_str().expect("title");
    assert_eq!(
        js_str(
            &tab,
            "getComputedStyle(document.documentElement).getPropertyValue('--print-title')"
        ),
        format!("\"{title}\""),
    );
    let footer = seen["margins"]["bottom-center"]
        .as_str()
        .unwrap_or_default();
    assert!(
        footer.contains("counter(page)") && footer.contains("counter(pages)"),
        "{seen}"
    );
    emulate_media(&tab, "", "light");
    // Chromium lays the book out: several pages.
    let pdf = tab.print_to_pdf(json!({})).expect("print to PDF");
    let pages = String::from_utf8_lossy(&pdf)
        .matches("/Type /Page\n")
        .count()
        + String::from_utf8_lossy(&pdf)
            .matches("/Type /Page>>")
            .count()
        + String::from_utf8_lossy(&pdf)
            .matches("/Type /Page ")
            .count();
    assert!(pdf.starts_with(b"%PDF") && pages > 5, "{pages} pages");
}

#[test]
#[ignore = "needs Chromium"]
fn the_compensation_chart_is_legible_fills_its_box_and_keeps_gridlines_off_text() {
    let server = guide();
    let chrome = chrome();
    let tab = chrome.tab();
    for width in [320, 375, 480, 768, 1024, 1440] {
        set_viewport(&tab, width, 900);
        open(&tab, &server.at("compensation/"));
        let seen = js(
            &tab,
            "(() => { const chart = document.querySelector('.range-chart'), box = chart.parentElement; \
               const texts = [...chart.querySelectorAll('*')].filter(e => e.getClientRects().length && \
                 [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())); \
               const small = texts.filter(e => parseFloat(getComputedStyle(e).fontSize) < 12).map(e => e.textContent); \
               const inner = box.clientWidth - parseFloat(getComputedStyle(box).paddingLeft) - parseFloat(getComputedStyle(box).paddingRight); \
               const rects = texts.map(e => e.getBoundingClientRect()); \
               const hit = [...chart.querySelectorAll('svg')].filter(s => { const r = s.getBoundingClientRect(); \
                 return rects.some(t => t.left < r.right && r.left < t.right && t.top < r.bottom && r.top < t.bottom); }).length; \
               const svg = getComputedStyle(chart.querySelector('svg')); \
               return { texts: texts.length, small, fill: chart.getBoundingClientRect().width / inner, hit, \
                 bars: chart.querySelectorAll('rect.range-bar').length, scale: svg.width }; })()",
        );
        assert!(
            seen["texts"].as_u64().expect("texts") > 10,
            "{width}: {seen}"
        );
        assert_eq!(seen["small"], json!([]), "{width} px: text under 12 px");
        let fill = seen["fill"].as_f64().expect("fill");
        assert!(fill > 0.99, "{width} px: the chart fills {fill} of its box");
        assert_eq!(
            seen["hit"],
            json!(0),
            "{width} px: a strip of gridlines crosses text"
        );
        assert_eq!(seen["bars"], json!(4));
    }
}

#[test]
#[ignore = "needs Chromium"]
fn the_time_between_levels_spans_what_the_data_says_on_an_axis() {
    let server = guide();
    let chrome = chrome();
    let tab = chrome.tab();
    set_viewport(&tab, 1024, 900);
    open(&tab, &server.at(""));
    // From the data: a move's window starts when the move into its level could have landed.
    let ladder = data("ladder");
    let years = |t: &toml::Table, key: &str| t[key].as_integer();
    let mut windows: Vec<(i64, i64)> = Vec::new();
    let mut previous: Option<(String, i64, i64)> = None;
    for m in array(&ladder, "milestones") {
        let y = m["years"].as_table().expect("years");
        let (min, max) = (years(y, "min").expect("min"), years(y, "max").expect("max"));
        let from = string(m, "from");
        let start = array(&ladder, "levels")
            .iter()
            .find(|l| string(l, "id") == from)
            .and_then(|l| years(l["tenure"].as_table().expect("tenure"), "min"))
            .expect("the level");
        let (a, b) = match &previous {
            Some((to, a, b)) if to == from => (*a, *b),
            _ => (start, start),
        };
        windows.push((a + min, b + max));
        previous = Some((string(m, "to").to_string(), a + min, b + max));
    }
    assert_eq!(
        windows.last(),
        Some(&(7, 12)),
        "Senior → Staff, as the source says"
    );
    let drawn = js(
        &tab,
        "(() => { const list = document.getElementById('home-milestones').nextElementSibling; \
           const axis = list.nextElementSibling, ticks = [...axis.querySelectorAll('span')]; \
           const year = (x) => { const n = parseInt(ticks[ticks.length - 1].textContent); \
             return Math.round((x - axis.getBoundingClientRect().left) / axis.getBoundingClientRect().width * n * 10) / 10; }; \
           return { axis: axis.className, labels: ticks.map(t => t.textContent), \
             windows: [...list.querySelectorAll('.tl-window')].map(w => { const r = w.getBoundingClientRect(); \
               return [year(r.left), year(r.right)]; }), \
             text: list.innerText }; })()",
    );
    assert_eq!(
        drawn["axis"],
        json!("tl-axis"),
        "an axis under the chart: {drawn}"
    );
    let expected: Vec<Value> = windows.iter().map(|(a, b)| json!([a, b])).collect();
    assert_eq!(drawn["windows"], json!(expected), "{drawn}");
    assert!(
        drawn["text"]
            .as_str()
            .expect("text")
            .contains("7–12 years from entry"),
        "{drawn}"
    );
}

#[test]
#[ignore = "needs Chromium"]
fn next_leads_through_the_guide_in_menu_order() {
    let server = guide();
    let chrome = chrome();
    let tab = chrome.tab();
    // The expected order, from site.toml's menu with the phases section standing for its pages.
    let site_toml: toml::Table = toml::from_str(
        &std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content/site.toml"),
        )
        .expect("site.toml"),
    )
    .expect("parse site.toml");
    let ladder = data("ladder");
    let mut expected = Vec::new();
    for item in array(&site_toml, "menu") {
        let page = string(item, "page");
        if page == "phases/_index.md" {
            for phase in array(&ladder, "phases") {
                expected.push(format!(
                    "{}/",
                    string(phase, "page").trim_end_matches(".md")
                ));
            }
        } else if page != "where-are-you-now.md" {
            expected.push(format!("{}/", page.trim_end_matches(".md")));
        }
    }
    open(&tab, &server.at(&expected[0]));
    let mut seen = vec![expected[0].clone()];
    while js_bool(&tab, "!!document.querySelector('a[rel=next]')") {
        assert!(seen.len() <= expected.len(), "Next loops: {seen:?}");
        // The first page's own URL has no index.html, so a test of the path could pass on it:
        // the next page is the next document, loaded.
        navigate(&tab, "the next page", || {
            click(&tab, "a[rel=next]");
            Ok(())
        });
        let path = js_str(&tab, "location.pathname");
        seen.push(
            path.trim_start_matches('/')
                .trim_end_matches("index.html")
                .to_string(),
        );
    }
    assert_eq!(seen, expected);
}
