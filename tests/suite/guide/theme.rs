//! Every page keeps the theme's promises: no other host, the size budget, self-links, headings,
//! landmarks, labelled controls, safe embedded data and valid HTML.

use super::*;

#[test]
fn every_table_has_a_caption_and_scoped_headers() {
    for (page, html) in pages() {
        for table in elements(html, "table") {
            assert!(
                table.contains("<caption"),
                "{page}: a table without <caption>"
            );
            let ths: Vec<Tag> = tags(table).into_iter().filter(|t| t.name == "th").collect();
            assert!(!ths.is_empty(), "{page}: a table without <th>");
            assert!(table.contains("<thead"), "{page}: a table without <thead>");
            for th in ths {
                assert!(
                    matches!(
                        th.attr("scope"),
                        Some("col" | "row" | "colgroup" | "rowgroup")
                    ),
                    "{page}: <th> without a scope: {th:?}"
                );
            }
        }
    }
}

/// Hosts the content links to (resources), allowed only as `<a href>`.
const RESOURCE_HOSTS: [&str; 2] = ["https://sre.google/", "https://srepath.com/"];
const SVG_NS: &str = "http://www.w3.org/2000/svg";

fn is_absolute(url: &str) -> bool {
    let url = url.trim().to_ascii_lowercase();
    url.starts_with("//") || url.contains("://")
}

#[test]
fn no_page_references_another_host() {
    let base_url = str_of(
        &toml::from_str(&repo_file("content/site.toml")).expect("site.toml"),
        "base_url",
    )
    .to_string();
    for (page, html) in pages() {
        for tag in tags(html) {
            for (attr, value) in &tag.attrs {
                let absolute = is_absolute(value)
                    || [
                        "src",
                        "href",
                        "action",
                        "srcset",
                        "poster",
                        "data",
                        "formaction",
                    ]
                    .contains(&attr.as_str())
                        && value.trim().to_ascii_lowercase().starts_with("http");
                if !absolute {
                    if attr == "style" {
                        assert!(!value.contains("url("), "{page}: style with url(): {tag:?}");
                    }
                    continue;
                }
                let allowed = match (tag.name.as_str(), attr.as_str()) {
                    ("a", "href") => RESOURCE_HOSTS.iter().any(|h| value.starts_with(h)),
                    ("link", "href") => {
                        tag.attr("rel") == Some("canonical") && value.starts_with(&base_url)
                    }
                    ("meta", "content") => {
                        // Link previews need absolute URLs: the page's own and its card's.
                        let absolute_ok = tag.attr("property") == Some("og:url")
                            || tag.attr("property") == Some("og:image");
                        absolute_ok && value.starts_with(&base_url)
                    }
                    ("svg", "xmlns") => value == SVG_NS,
                    _ => false,
                };
                assert!(
                    allowed,
                    "{page}: <{} {attr}={value:?}> points off-site",
                    tag.name
                );
            }
        }
        // Inline styles and scripts must not load anything either.
        for style in elements(html, "style") {
            assert!(
                !style.contains("url(") && !style.contains("@import"),
                "{page}: inline CSS loads something"
            );
        }
        for script in elements(html, "script") {
            assert!(
                !script.contains("http"),
                "{page}: an inline script mentions a URL"
            );
        }
    }
    for (path, bytes) in output() {
        let text = String::from_utf8_lossy(bytes);
        if path.ends_with(".css") {
            assert!(!text.contains("@import"), "{path}: @import");
            for (at, _) in text.match_indices("url(") {
                let arg = text[at + 4..].trim_start_matches(['"', '\'', ' ']);
                assert!(
                    !is_absolute(arg) && !arg.starts_with("http"),
                    "{path}: url() off-site: {}",
                    &text[at..at + 60.min(text.len() - at)]
                );
            }
        }
        if path.ends_with(".js") {
            for word in [
                "http:",
                "https:",
                "//cdn",
                "fetch(",
                "XMLHttpRequest",
                "sendBeacon",
                "WebSocket",
                "EventSource",
                "import(",
            ] {
                assert!(
                    !text.contains(word),
                    "{path}: {word} (no request to any host)"
                );
            }
        }
        if path.ends_with(".xml") || path.ends_with(".txt") {
            for (at, _) in text.match_indices("://") {
                let start = text[..at]
                    .rfind(|c: char| c == '>' || c.is_whitespace() || c == '"')
                    .map_or(0, |s| s + 1);
                let url = &text[start..];
                if url.starts_with("http://www.sitemaps.org/") {
                    continue;
                }
                assert!(
                    url.starts_with(&base_url),
                    "{path}: a URL off base_url: {}",
                    &url[..url.len().min(80)]
                );
            }
        }
    }
}

#[test]
fn every_page_with_its_css_and_js_stays_under_50_kb() {
    // 50 KB read the strict way (1,000 bytes a KB), for every page the whole guide included.
    const BUDGET: usize = 50 * 1000;
    for (page, html) in pages() {
        let budget = BUDGET;
        let dir = Path::new(page)
            .parent()
            .expect("a page has a folder")
            .to_path_buf();
        let mut total = html.len();
        let mut parts = vec![format!("{page}: {}", html.len())];
        for tag in tags(html) {
            let href = match (tag.name.as_str(), tag.attr("rel")) {
                ("link", Some("stylesheet")) => tag.attr("href"),
                ("script", _) => tag.attr("src"),
                _ => None,
            };
            let Some(href) = href else { continue };
            let resolved = resolve(&dir, href);
            let size = output()
                .get(&resolved)
                .unwrap_or_else(|| {
                    panic!("{page} loads {href} ({resolved}), which was not written")
                })
                .len();
            parts.push(format!("{resolved}: {size}"));
            total += size;
        }
        assert!(
            total < budget,
            "{page} weighs {total} bytes with its CSS and JS (budget {budget}): {parts:?}"
        );
    }
    let quiz_js: Vec<(&String, &Vec<u8>)> = output()
        .iter()
        .filter(|(p, _)| p.starts_with("static/quiz.") && p.ends_with(".js"))
        .collect();
    assert_eq!(quiz_js.len(), 1, "one quiz script");
    for (path, bytes) in quiz_js {
        assert!(
            // It summarises unanswered questions and focuses a shared result: still a few KB.
            bytes.len() < 5 * 1024,
            "{path} is {} bytes; the budget is 5 KB",
            bytes.len()
        );
    }
}

/// `href` resolved against the folder `dir` of the output (no query, no fragment).
fn resolve(dir: &Path, href: &str) -> String {
    let href = href.split(['?', '#']).next().unwrap_or_default();
    let mut parts: Vec<String> = dir
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    for part in href.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other.to_string()),
        }
    }
    parts.join("/")
}

/// Every section heading, ladder level and checklist item can be linked to: it has an id, and
/// inside it a link to that id (the heading's text itself, or a "#" self-link).
#[test]
fn every_heading_level_and_checklist_item_links_to_itself() {
    let mut checked = BTreeMap::<&str, usize>::new();
    for (page, html) in pages() {
        for tag in tags(html) {
            // Headings without an id are card titles linking to another page; the quiz's error
            // summary is a message, not a section to link to.
            let Some(id) = tag.attr("id").filter(|id| *id != "quiz-errors-title") else {
                continue;
            };
            let kind = match tag.name.as_str() {
                "h2" | "h3" => "heading",
                "tr" if id.contains("level-") => "level",
                "li" if id.starts_with("item-") => "item",
                _ => continue,
            };
            let close = format!("</{}>", tag.name);
            let inner = &html[tag.end..tag.end + html[tag.end..].find(&close).expect("closed")];
            let link = format!("href=\"#{id}\"");
            assert!(
                inner.contains(&link),
                "{page}: <{} id=\"{id}\"> has no link to itself: {inner}",
                tag.name
            );
            if kind != "heading" {
                assert!(
                    inner.contains("class=\"self-link\"") && inner.contains("aria-label=\"Link to"),
                    "{page}: {kind} #{id} has no labelled self-link: {inner}"
                );
            }
            *checked.entry(kind).or_default() += 1;
        }
    }
    // Five levels on the home page and the whole guide; 16 checklist items on the phase pages.
    assert!(checked["level"] >= 10, "{checked:?}");
    assert_eq!(checked["item"], 16, "{checked:?}");
    assert!(checked["heading"] > 50, "{checked:?}");
}

#[test]
fn every_page_has_one_h1_ordered_headings_lang_skip_link_and_landmarks() {
    for (page, html) in pages() {
        let all = tags(html);
        let html_tag = all.iter().find(|t| t.name == "html").expect("<html>");
        assert!(
            html_tag.attr("lang").is_some_and(|l| !l.is_empty()),
            "{page}: <html> without lang"
        );
        // Headings outside <template> (a template is not rendered until the quiz fills it).
        let visible = strip_templates(html);
        let levels: Vec<usize> = tags(&visible)
            .into_iter()
            .filter_map(|t| match t.name.as_bytes() {
                [b'h', d @ b'1'..=b'6'] => Some((d - b'0') as usize),
                _ => None,
            })
            .collect();
        assert_eq!(
            levels.iter().filter(|l| **l == 1).count(),
            1,
            "{page}: one <h1>: {levels:?}"
        );
        assert_eq!(
            levels.first(),
            Some(&1),
            "{page}: the first heading is the h1: {levels:?}"
        );
        for pair in levels.windows(2) {
            assert!(
                pair[1] <= pair[0] + 1,
                "{page}: heading levels skip from h{} to h{}: {levels:?}",
                pair[0],
                pair[1]
            );
        }
        for landmark in ["header", "nav", "main", "footer"] {
            assert!(
                all.iter().any(|t| t.name == landmark),
                "{page}: no <{landmark}>"
            );
        }
        assert_eq!(
            all.iter().filter(|t| t.name == "main").count(),
            1,
            "{page}: one <main>"
        );
        // The skip link is the first link of the body and lands on an element that exists.
        let body = all.iter().position(|t| t.name == "body").expect("<body>");
        let first_link = all[body..].iter().find(|t| t.name == "a").expect("a link");
        let target = first_link
            .attr("href")
            .and_then(|h| h.strip_prefix('#'))
            .unwrap_or_else(|| panic!("{page}: the first link is not a skip link: {first_link:?}"));
        assert!(
            all.iter()
                .any(|t| t.attr("id") == Some(target) && t.name == "main"),
            "{page}: the skip link's target #{target} is not the <main>"
        );
        let skip_text = readable(
            &html[first_link.end
                ..first_link.end + html[first_link.end..].find("</a>").expect("closed")],
        );
        assert!(
            skip_text.to_lowercase().contains("skip"),
            "{page}: skip link says {skip_text:?}"
        );
        // Titles, descriptions and social cards on every page.
        assert!(
            !readable(&elements(html, "title").concat()).is_empty(),
            "{page}: empty <title>"
        );
        assert!(
            all.iter().any(|t| t.name == "meta"
                && t.attr("name") == Some("description")
                && t.attr("content").is_some_and(|c| !c.is_empty())),
            "{page}: no description"
        );
        if page != "404.html" {
            for (attr, value) in [
                ("rel", "canonical"),
                ("property", "og:title"),
                ("property", "og:url"),
                ("name", "twitter:card"),
            ] {
                assert!(
                    all.iter().any(|t| t.attr(attr) == Some(value)),
                    "{page}: no {attr}={value}"
                );
            }
        }
    }
}

fn strip_templates(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(at) = rest.find("<template") {
        out.push_str(&rest[..at]);
        let end = rest[at..].find("</template>").expect("closed template");
        rest = &rest[at + end + "</template>".len()..];
    }
    out.push_str(rest);
    out
}

#[test]
fn every_form_control_is_labelled() {
    for (page, html) in pages() {
        let visible = strip_templates(html);
        let all = tags(&visible);
        for control in all
            .iter()
            .filter(|t| matches!(t.name.as_str(), "input" | "select" | "textarea"))
        {
            if control.attr("type") == Some("hidden") {
                continue;
            }
            let labelled_by_for = control.attr("id").is_some_and(|id| {
                all.iter()
                    .any(|t| t.name == "label" && t.attr("for") == Some(id))
            });
            // <label …><input …> Yes</label>: the nearest label opened before it is still open.
            let before = &visible[..control.end];
            let wrapped = before
                .rfind("<label")
                .is_some_and(|l| !before[l..].contains("</label>"));
            assert!(
                labelled_by_for
                    || wrapped
                    || control.attr("aria-label").is_some()
                    || control.attr("aria-labelledby").is_some(),
                "{page}: an unlabelled control {control:?}"
            );
        }
        for button in elements(&visible, "button") {
            assert!(
                !readable(button).is_empty(),
                "{page}: a button with no text"
            );
        }
    }
}

// ------------------------------------------------------------------------------------------------
// The quiz data embedding cannot close its script element

#[test]
fn a_question_cannot_break_out_of_the_embedded_quiz_data() {
    let hostile =
        r#"Do you write </script><script>alert(1)</script> & <b>bold</b> "quotes" or 'single'?"#;
    let quiz = edited(
        "content/data/quiz.toml",
        "text = \"Is there automation",
        &format!(
            "text = {}\nold_text = \"Is there automation",
            toml::Value::String(hostile.into())
        ),
    );
    // Keep the file valid: drop the renamed line again.
    let quiz: String = quiz
        .lines()
        .filter(|l| !l.starts_with("old_text = "))
        .map(|l| format!("{l}\n"))
        .collect();
    let site = Site::repo().file("content/data/quiz.toml", &quiz);
    site.run(["build"]).code(0);
    let html = site.read("output/where-are-you-now/index.html");
    assert!(
        !html.contains("</script><script>alert"),
        "the question closed the script element"
    );
    assert!(
        !html.to_lowercase().contains("<script>alert"),
        "a script element from data"
    );
    // The question reads as text in its legend …
    assert_has(&readable(&html), &plain(hostile), "the quiz page");
    // … and the embedded JSON parses back to it.
    let open = tags(&html)
        .into_iter()
        .find(|t| t.name == "script" && t.attr("type") == Some("application/json"))
        .expect("the embedded quiz data");
    let body = &html[open.end..open.end + html[open.end..].find("</script>").expect("closed")];
    for c in ['<', '>', '&'] {
        assert!(
            !body.contains(c),
            "the embedded JSON holds a raw {c:?}: {body}"
        );
    }
    let json: serde_json::Value = serde_json::from_str(body)
        .unwrap_or_else(|e| panic!("the embedded JSON does not parse: {e}\n{body}"));
    let texts: Vec<&str> = json["questions"]
        .as_array()
        .expect("questions")
        .iter()
        .filter_map(|q| q["text"].as_str())
        .collect();
    // Typeset like prose (curly quotes), and otherwise the very text.
    let typeset = hostile
        .replace("\"quotes\"", "“quotes”")
        .replace("'single'", "‘single’");
    assert!(
        texts.contains(&typeset.as_str()),
        "the JSON's questions: {texts:#?}"
    );
    assert_eq!(texts.len(), 5);
}

// ------------------------------------------------------------------------------------------------
// Valid HTML

#[test]
#[ignore = "needs vnu (VNU_JAR) and Java"]
fn every_page_is_valid_html() {
    let site = &crate::support::guide::guide().site;
    let files = crate::support::html_files(&site.path("output"));
    assert!(files.len() >= 17, "only {} pages", files.len());
    crate::support::assert_valid_html(site, &files);
}
