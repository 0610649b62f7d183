//! Facts of the prose and the quiz reach the HTML: roadblocks, resources, FAQ, the questions and
//! routing key, every other figure, and the whole guide on one page.

use super::*;

#[test]
fn every_roadblock_reaches_the_roadblocks_page() {
    let page = "roadblocks/index.html";
    let html = file(page);
    let text = page_text(page);
    let headings: Vec<String> = elements(html, "h2")
        .into_iter()
        .map(text_of_heading)
        .filter(|h| h != "On this page")
        .collect();
    assert_eq!(headings.len(), 6, "six roadblocks: {headings:?}");
    for (words, moves) in SOURCE_ROADBLOCKS {
        assert!(
            headings.iter().any(|h| words.iter().all(|w| h.contains(w))),
            "no roadblock heading holds {words:?}: {headings:?}"
        );
        assert_has(text, moves, page);
        assert_has(page_text(GUIDE), moves, GUIDE);
    }
    for fact in [
        "3+ years",
        "40%",
        "AWS",
        "MTTD",
        "Distinguished Engineer",
        "decoration",
    ] {
        assert_has(text, fact, page);
    }
}

/// A heading's text without its self-link.
fn text_of_heading(inner: &str) -> String {
    let inner = inner
        .find("<a class=\"self-link\"")
        .map_or(inner, |at| &inner[..at]);
    readable(inner)
}

#[test]
fn every_resource_reaches_the_resources_page_with_the_links_the_source_gives() {
    let page = "resources/index.html";
    let html = file(page);
    let text = page_text(page).to_lowercase();
    for (name, link) in SOURCE_RESOURCES {
        assert_has(&text, &name.to_lowercase(), page);
        assert_has(
            &page_text(GUIDE).to_lowercase(),
            &name.to_lowercase(),
            GUIDE,
        );
        if let Some(link) = link {
            assert!(
                tags(html)
                    .iter()
                    .any(|t| t.name == "a" && t.attr("href") == Some(link)),
                "{page} has no <a href={link:?}>"
            );
        }
    }
    // Resources are grouped by phase, as in the source.
    let headings: Vec<String> = elements(html, "h2")
        .into_iter()
        .map(text_of_heading)
        .collect();
    for phase in ["Phases 1-2", "Phase 3", "Phase 4"] {
        assert!(
            headings.iter().any(|h| dashes(h).contains(phase)),
            "no heading for {phase}: {headings:?}"
        );
    }
}

#[test]
fn all_five_faq_reach_the_faq_page() {
    let page = "faq/index.html";
    let html = file(page);
    let questions: Vec<String> = elements(html, "h2")
        .into_iter()
        .map(text_of_heading)
        .filter(|h| h.ends_with('?'))
        .collect();
    assert_eq!(questions.len(), 5, "five questions: {questions:?}");
    for words in SOURCE_FAQ {
        assert!(
            questions
                .iter()
                .any(|q| words.iter().all(|w| q.contains(w))),
            "no FAQ holds {words:?}: {questions:?}"
        );
    }
    let text = dashes(page_text(page));
    for fact in [
        "4-7 years",
        "4 years",
        "7 years",
        "AWS, GCP and CKA",
        "three years",
        "three other teams",
        "SRE Manager",
        "VP of Infrastructure",
        "Distinguished",
        "Mid-level SRE",
        "IaC",
        "CI/CD",
    ] {
        assert_has(&text, fact, page);
    }
    for q in &questions {
        assert_has(page_text(GUIDE), q, GUIDE);
    }
}

#[test]
fn every_quiz_question_and_the_routing_key_reach_the_quiz_page() {
    let quiz = data("quiz");
    let questions = tables(&quiz, "questions");
    assert_eq!(questions.len(), 5, "the source asks five questions");
    let html = file(QUIZ);
    let text = page_text(QUIZ);
    let legends: Vec<String> = elements(html, "legend").into_iter().map(readable).collect();
    for q in &questions {
        let id = str_of(q, "id");
        let question = plain(str_of(q, "text"));
        assert!(
            legends.iter().any(|l| l.contains(&question)),
            "no <legend> holds {question:?}: {legends:#?}"
        );
        if let Some(hint) = q.get("hint").and_then(|h| h.as_str()) {
            assert_has(text, &plain(hint), QUIZ);
        }
        // Two labelled radio buttons, yes and no.
        let radios: Vec<Tag> = tags(html)
            .into_iter()
            .filter(|t| t.name == "input" && t.attr("name") == Some(&format!("q-{id}")))
            .collect();
        assert_eq!(radios.len(), 2, "two radios for `{id}`");
        assert!(radios.iter().all(|r| r.attr("type") == Some("radio")));
    }
    // The routing key: the data agrees with the source and the table shows every row.
    let rules = tables(&quiz, "rules");
    let key: Vec<(u32, u32, u32, String)> = rules
        .iter()
        .map(|r| {
            let phase = str_of(r, "id")
                .trim_start_matches("phase-")
                .parse()
                .expect("phase-N");
            (
                int_of(r, "min").expect("min") as u32,
                int_of(r, "max").expect("max") as u32,
                phase,
                str_of(r, "label").to_string(),
            )
        })
        .collect();
    let source: Vec<(u32, u32, u32, String)> = SOURCE_KEY
        .iter()
        .map(|(a, b, c, d)| (*a, *b, *c, d.to_string()))
        .collect();
    assert_eq!(
        key, source,
        "quiz.toml's rules against the source's routing key"
    );
    let rows = table_rows(html, "reflow");
    for (min, max, phase, label) in SOURCE_KEY {
        let count = match max - min {
            0 => min.to_string(),
            1 => format!("{min} or {max}"),
            _ => format!("{min} to {max}"),
        };
        assert!(
            rows.iter().any(|r| r.len() == 3
                && r[0] == count
                && r[1] == label
                && r[2].starts_with(&format!("Phase {phase}"))),
            "no routing key row [{count}, {label}, Phase {phase}…] in {rows:#?}"
        );
    }
    // One static result page per rule, with its own title and Open Graph tags.
    for (_, _, phase, label) in SOURCE_KEY {
        let page = format!("where-are-you-now/phase-{phase}/index.html");
        let html = file(&page);
        let text = page_text(&page);
        assert_has(text, label, &page);
        assert_has(text, &format!("Phase {phase}"), &page);
        let og_title = tags(html)
            .into_iter()
            .find(|t| t.name == "meta" && t.attr("property") == Some("og:title"))
            .and_then(|t| t.attr("content").map(str::to_string))
            .unwrap_or_else(|| panic!("{page}: no og:title"));
        assert!(
            og_title.contains(&format!("Phase {phase}")),
            "{page}: og:title {og_title:?}"
        );
    }
}

#[test]
fn every_figure_of_the_source_reaches_the_site() {
    let all = dashes(&site_text()).to_lowercase();
    for figure in SOURCE_FIGURES {
        assert!(
            all.contains(&dashes(figure).to_lowercase()),
            "the site never says {figure:?}"
        );
    }
    for (name, tenure) in SOURCE_LEVELS {
        assert!(all.contains(&name.to_lowercase()));
        assert!(
            all.contains(&dashes(tenure)),
            "the site never says {tenure:?}"
        );
    }
    for (_, min, max) in SOURCE_PAY {
        assert!(all.contains(min) && all.contains(max));
    }
    for term in ["toil-trap", "cert-stack", "aws", "gcp", "cka"] {
        assert!(all.contains(term), "the site never says {term:?}");
    }
}

#[test]
fn the_whole_guide_page_holds_every_part() {
    let text = page_text(GUIDE);
    // Every part's title, as its own heading.
    let headings: Vec<String> = elements(file(GUIDE), "h2")
        .into_iter()
        .map(text_of_heading)
        .collect();
    for part in [
        "index.md",
        "phases/junior.md",
        "phases/mid-level.md",
        "phases/senior.md",
        "phases/staff.md",
        "roadblocks.md",
        "resources.md",
        "faq.md",
        "compensation.md",
        "where-are-you-now.md",
    ] {
        let source = repo_file(&format!("content/{part}"));
        let title = source
            .lines()
            .find_map(|l| l.strip_prefix("title = \""))
            .and_then(|t| t.strip_suffix('"'))
            .unwrap_or_else(|| panic!("content/{part} has a title"));
        assert!(
            headings.iter().any(|h| h == title),
            "the whole guide has no part titled {title:?} (from {part}): {headings:?}"
        );
    }
    // The self-assessment too: its questions and its routing key.
    for q in tables(&data("quiz"), "questions") {
        assert_has(text, &plain(str_of(q, "text")), GUIDE);
    }
    for (_, _, _, label) in SOURCE_KEY {
        assert_has(text, label, GUIDE);
    }
}
