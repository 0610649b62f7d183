//! Facts from the data files reach the HTML: the ladder, the phase pages, the checklists, the
//! pay table and chart, and the timelines.

use super::*;

#[test]
fn the_guide_builds_every_page() {
    let have: Vec<&str> = pages().map(|(path, _)| path).collect();
    for expected in [
        "404.html",
        "index.html",
        "compensation/index.html",
        "faq/index.html",
        "guide/index.html",
        "phases/index.html",
        "phases/junior/index.html",
        "phases/mid-level/index.html",
        "phases/senior/index.html",
        "phases/staff/index.html",
        "resources/index.html",
        "roadblocks/index.html",
        "where-are-you-now/index.html",
        "where-are-you-now/phase-1/index.html",
        "where-are-you-now/phase-2/index.html",
        "where-are-you-now/phase-3/index.html",
        "where-are-you-now/phase-4/index.html",
    ] {
        assert!(have.contains(&expected), "no {expected} in {have:?}");
    }
}

#[test]
fn every_level_tenure_unlock_and_plateau_reaches_the_ladder() {
    let ladder = data("ladder");
    let levels = tables(&ladder, "levels");
    let names: Vec<&str> = levels.iter().map(|l| str_of(l, "name")).collect();
    assert_eq!(
        names,
        SOURCE_LEVELS.map(|(name, _)| name),
        "ladder.toml holds the source's five levels, lowest first"
    );
    for page in [HOME, GUIDE] {
        let html = file(page);
        let text = page_text(page);
        for (level, (name, tenure)) in levels.iter().zip(SOURCE_LEVELS) {
            // The tenure label, from the data, exactly as the site formats it.
            let tenure_table = level["tenure"].as_table().expect("tenure table");
            let min = int_of(tenure_table, "min").expect("tenure.min");
            let label = match int_of(tenure_table, "max") {
                Some(max) => format!("{min}–{max} years"),
                None => format!("{min}+ years"),
            };
            assert_eq!(label, tenure, "{name}'s tenure in ladder.toml");
            // One row per level: its name, tenure, unlock and plateau side by side.
            let id = str_of(level, "id");
            let row_start = html
                .find(&format!("id=\"level-{id}\""))
                .or_else(|| html.find(&format!("id=\"g-level-{id}\"")))
                .unwrap_or_else(|| panic!("{page} has no ladder row for `{id}`"));
            let row = &html[row_start..row_start + html[row_start..].find("</tr>").expect("row")];
            let row = text_of_fragment(row);
            for fact in [
                name,
                tenure,
                str_of(level, "unlocks"),
                str_of(level, "plateau"),
            ] {
                assert_has(
                    &row,
                    &plain(fact),
                    &format!("{page}'s ladder row for {name}"),
                );
            }
            assert_has(text, name, page);
        }
    }
}

fn text_of_fragment(html: &str) -> String {
    readable(&format!("<{html}"))
}

#[test]
fn every_phase_page_shows_its_level_tenure_comparison_and_checklist() {
    let ladder = data("ladder");
    let levels = tables(&ladder, "levels");
    let phases = tables(&ladder, "phases");
    assert_eq!(phases.len(), 4, "four phases: Junior to Staff");
    for (i, phase) in phases.iter().enumerate() {
        let page = page_of(str_of(phase, "page"));
        let html = file(&page);
        let text = page_text(&page);
        let level = levels
            .iter()
            .find(|l| str_of(l, "id") == str_of(phase, "level"))
            .expect("the phase's level exists");
        let (name, tenure) = SOURCE_LEVELS[i];
        assert_eq!(str_of(level, "name"), name);
        assert_has(text, name, &page);
        assert_has(text, tenure, &page);
        assert_has(text, &format!("Phase {}", i + 1), &page);
        assert_has(text, &plain(str_of(phase, "title")), &page);
        for dimension in tables(phase, "dimensions") {
            for key in ["name", "before", "now"] {
                assert_has(text, &plain(str_of(dimension, key)), &page);
                assert_has(page_text(GUIDE), &plain(str_of(dimension, key)), GUIDE);
            }
        }
        let checklist = phase["checklist"].as_table().expect("[phases.checklist]");
        let items = tables(checklist, "items");
        assert_eq!(
            items.len(),
            4,
            "the source gives four checklist items per phase"
        );
        for item in &items {
            let id = str_of(item, "id");
            let item_text = plain(str_of(item, "text"));
            // A real, labelled checkbox keyed by the item's stable id.
            let input = tags(html)
                .into_iter()
                .find(|t| t.name == "input" && t.attr("data-check-id") == Some(id))
                .unwrap_or_else(|| panic!("{page} has no checkbox for `{id}`"));
            assert_eq!(input.attr("type"), Some("checkbox"), "{id}");
            let input_id = input.attr("id").expect("the checkbox has an id");
            let label = tags(html)
                .into_iter()
                .find(|t| t.name == "label" && t.attr("for") == Some(input_id))
                .unwrap_or_else(|| panic!("{page}: no <label for={input_id}>"));
            let label_text = readable(
                &html[label.end..label.end + html[label.end..].find("</label>").expect("closed")],
            );
            assert_eq!(label_text, item_text, "{page}: the label of `{id}`");
            assert_has(page_text(GUIDE), &item_text, GUIDE);
        }
        assert_has(text, &format!("0 of {} done", items.len()), &page);
    }
}

#[test]
fn every_checklist_item_of_the_source_reaches_the_site() {
    // The source's own items, by the words that make each one what it is.
    let source: [(&str, &[&str]); 16] = [
        (
            "phases/junior/index.html",
            &["at least 3", "incident commander"],
        ),
        (
            "phases/junior/index.html",
            &["automation script", "production"],
        ),
        ("phases/junior/index.html", &["blameless post-mortem"]),
        (
            "phases/junior/index.html",
            &["full on-call rotation cycle", "page escalation"],
        ),
        (
            "phases/mid-level/index.html",
            &["SLO ownership", "error budget policy"],
        ),
        ("phases/mid-level/index.html", &["recurring toil"]),
        (
            "phases/mid-level/index.html",
            &["post-mortem", "shipped engineering improvement"],
        ),
        (
            "phases/mid-level/index.html",
            &["team lead", "reliability decision"],
        ),
        (
            "phases/senior/index.html",
            &["at least two other engineering teams"],
        ),
        (
            "phases/senior/index.html",
            &["SLO framework", "chaos testing cadence", "on-call playbook"],
        ),
        (
            "phases/senior/index.html",
            &["mentoring", "junior or mid-level"],
        ),
        (
            "phases/senior/index.html",
            &["manager", "platform-level reliability improvement"],
        ),
        (
            "phases/staff/index.html",
            &["org-wide SLO framework", "multiple teams"],
        ),
        (
            "phases/staff/index.html",
            &[
                "observability infrastructure",
                "deployment systems",
                "incident management tooling",
            ],
        ),
        (
            "phases/staff/index.html",
            &["roadmap", "architecture", "engineering leadership"],
        ),
        (
            "phases/staff/index.html",
            &["mentoring", "Senior level and above"],
        ),
    ];
    for (page, words) in source {
        let html = file(page);
        let labels: Vec<String> = elements(html, "label").into_iter().map(readable).collect();
        assert!(
            labels.iter().any(|l| words.iter().all(|w| l.contains(w))),
            "{page}: no checklist item holds all of {words:?}; the labels are {labels:#?}"
        );
    }
}

#[test]
fn every_dollar_figure_reaches_the_site_exactly() {
    let comp = data("compensation");
    let ranges = tables(&comp, "ranges");
    let ladder = data("ladder");
    let levels = tables(&ladder, "levels");
    let dollars = |n: i64| {
        let digits = n.to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        format!("${out}")
    };
    // The data file holds the source's figures, and nothing for Principal.
    let from_data: Vec<(String, String, String)> = ranges
        .iter()
        .map(|r| {
            let level = levels
                .iter()
                .find(|l| str_of(l, "id") == str_of(r, "level"))
                .expect("a level of ladder.toml");
            (
                str_of(level, "name").to_string(),
                dollars(int_of(r, "min").expect("min")),
                dollars(int_of(r, "max").expect("max")),
            )
        })
        .collect();
    let source: Vec<(String, String, String)> = SOURCE_PAY
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect();
    assert_eq!(from_data, source, "compensation.toml against the source");

    for page in ["compensation/index.html", GUIDE, HOME] {
        let text = page_text(page);
        for (name, min, max) in SOURCE_PAY {
            for figure in [min, max] {
                assert_has(text, figure, page);
            }
            assert_has(text, name, page);
        }
    }
    // Table rows: level, min, max in one row.
    for page in ["compensation/index.html", GUIDE] {
        let rows = table_rows(file(page), "pay-table");
        for (name, min, max) in SOURCE_PAY {
            assert!(
                rows.contains(&vec![name.to_string(), min.to_string(), max.to_string()]),
                "{page}: no pay row [{name}, {min}, {max}] in {rows:?}"
            );
        }
    }
}

#[test]
fn principal_has_no_published_range_and_no_invented_figure() {
    for page in ["compensation/index.html", GUIDE] {
        let rows = table_rows(file(page), "pay-table");
        let principal = rows
            .iter()
            .find(|r| r.first().is_some_and(|c| c == "Principal SRE"))
            .unwrap_or_else(|| panic!("{page}: no Principal SRE row in {rows:?}"));
        let rest = principal[1..].join(" ");
        assert!(
            rest.to_lowercase().contains("no published range"),
            "{page}: the Principal row says {principal:?}"
        );
        assert!(
            !rest.contains('$'),
            "{page}: a figure for Principal: {principal:?}"
        );
    }
    // The chart says so too, and draws no bar for Principal.
    let html = file("compensation/index.html");
    let svg = chart_of(html);
    let desc = readable(element_by_id(svg, "comp-chart-desc"));
    assert_has(
        &desc,
        "Principal SRE: no published range",
        "the chart's <desc>",
    );
    let bars = tags(svg)
        .into_iter()
        .filter(|t| t.name == "rect" && t.attr("class") == Some("range-bar"))
        .count();
    assert_eq!(bars, SOURCE_PAY.len(), "one bar per level with a range");
    // No dollar figure anywhere on the site other than the source's.
    let allowed: Vec<&str> = SOURCE_PAY.iter().flat_map(|(_, a, b)| [*a, *b]).collect();
    for (page, _) in pages() {
        let text = page_text(page);
        for (at, _) in text.match_indices('$') {
            let figure: String = text[at..]
                .chars()
                .take_while(|c| *c == '$' || c.is_ascii_digit() || *c == ',')
                .collect();
            let figure = figure.trim_end_matches(',');
            if figure.len() > 1 && figure.contains(',') {
                assert!(
                    allowed.contains(&figure),
                    "{page}: invented figure {figure}"
                );
            }
        }
    }
}

/// The compensation chart's HTML: its text, bar strips and axis, up to the figure's caption.
fn chart_of(html: &str) -> &str {
    let start = html
        .find("class=\"range-chart\"")
        .expect("the compensation chart");
    let end = html[start..]
        .find("<figcaption")
        .expect("the chart's caption");
    &html[start..start + end]
}

/// The inner HTML of the element with this id.
fn element_by_id<'a>(html: &'a str, id: &str) -> &'a str {
    let tag = tags(html)
        .into_iter()
        .find(|t| t.attr("id") == Some(id))
        .unwrap_or_else(|| panic!("no #{id}"));
    let close = format!("</{}>", tag.name);
    let end = html[tag.end..].find(&close).expect("closed");
    &html[tag.end..tag.end + end]
}

#[test]
fn the_chart_draws_exactly_the_table_figures() {
    let html = file("compensation/index.html");
    let parse = |s: &str| -> i64 {
        s.trim_start_matches('$')
            .replace(',', "")
            .parse()
            .unwrap_or_else(|e| panic!("not a figure {s:?}: {e}"))
    };
    let table: Vec<(i64, i64)> = table_rows(html, "pay-table")
        .into_iter()
        .filter(|row| row.len() == 3 && row[1].starts_with('$'))
        .map(|row| (parse(&row[1]), parse(&row[2])))
        .collect();
    let svg = chart_of(html);
    let chart: Vec<(i64, i64)> = tags(svg)
        .into_iter()
        .filter(|t| t.name == "rect" && t.attr("class") == Some("range-bar"))
        .map(|t| {
            (
                parse(t.attr("data-min").expect("data-min")),
                parse(t.attr("data-max").expect("data-max")),
            )
        })
        .collect();
    assert_eq!(chart.len(), 4, "one bar per published range");
    assert_eq!(chart, table, "chart bars against table rows, in order");
    // And both equal the data file.
    let comp = data("compensation");
    let from_data: Vec<(i64, i64)> = tables(&comp, "ranges")
        .iter()
        .map(|r| {
            (
                int_of(r, "min").expect("min"),
                int_of(r, "max").expect("max"),
            )
        })
        .collect();
    assert_eq!(table, from_data);
    // The chart is an accessible image with a title and a description naming every figure.
    let chart_tag = tags(html)
        .into_iter()
        .find(|t| t.attr("class") == Some("range-chart"))
        .expect("the chart");
    assert_eq!(chart_tag.attr("role"), Some("img"));
    let title = readable(element_by_id(svg, "comp-chart-title"));
    assert!(!title.is_empty(), "the chart has a <title>");
    let desc = readable(element_by_id(svg, "comp-chart-desc"));
    for (name, min, max) in SOURCE_PAY {
        assert_has(
            &desc,
            &format!("{name}: {min} to {max}"),
            "the chart's <desc>",
        );
    }
    // Colours come from CSS custom properties (so dark mode applies), not fixed fills alone.
    for tag in tags(svg).into_iter().filter(|t| t.name == "rect") {
        let style = tag.attr("style").unwrap_or_default();
        assert!(
            style.contains("var(--"),
            "a bar coloured without a custom property: {tag:?}"
        );
    }
}

#[test]
fn the_timelines_reach_the_home_page() {
    let ladder = data("ladder");
    let milestones = tables(&ladder, "milestones");
    let labels: Vec<String> = milestones
        .iter()
        .map(|m| {
            let years = m["years"].as_table().expect("years");
            format!(
                "{}–{} years",
                int_of(years, "min").expect("min"),
                int_of(years, "max").expect("max")
            )
        })
        .collect();
    assert_eq!(
        labels,
        ["4–7 years", "3–5 years"],
        "the source's two timelines"
    );
    let text = page_text(HOME);
    for (m, label) in milestones.iter().zip(&labels) {
        assert_has(text, label, HOME);
        if let Some(note) = m.get("note").and_then(|n| n.as_str()) {
            assert_has(text, &plain(note), HOME);
        }
    }
    assert_has(text, "Junior", HOME);
    assert_has(text, "Staff", HOME);
    // The whole guide carries both, at least in its prose.
    let guide = dashes(page_text(GUIDE));
    assert_has(&guide, "4-7 years", GUIDE);
    assert_has(&guide, "3-5", GUIDE);
}
