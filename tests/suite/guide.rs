//! The guide itself: the repository's `content/` and default theme built by the real binary (once
//! per test binary) and read back. Every fact of the source guide must reach the HTML, the data
//! views must agree with the data files, and every page must keep the theme's promises (no other
//! host, size budget, headings, landmarks, tables, valid HTML). Data errors are fixture edits of the
//! same site run with `check`.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

use sha2::Digest;

use crate::support::Site;

// ------------------------------------------------------------------------------------------------
// The built site, in memory

/// Every file of `output/` after one `build` of the repository's site (path → bytes).
pub(crate) fn output() -> &'static BTreeMap<String, Vec<u8>> {
    static OUTPUT: OnceLock<BTreeMap<String, Vec<u8>>> = OnceLock::new();
    OUTPUT.get_or_init(|| {
        let site = Site::repo();
        let run = site.run(["build"]).code(0);
        assert!(
            !run.stderr.contains("warning"),
            "the guide must build without warnings:\n{}",
            run.stderr
        );
        site.tree("output")
            .into_iter()
            .filter(|(path, _)| !path.ends_with('/'))
            .collect()
    })
}

/// The HTML pages of the built site (output path → text), 404 and quiz result pages included.
fn pages() -> impl Iterator<Item = (&'static str, &'static str)> {
    output()
        .iter()
        .filter(|(path, _)| path.ends_with(".html"))
        .map(|(path, bytes)| {
            (
                path.as_str(),
                std::str::from_utf8(bytes).expect("pages are UTF-8"),
            )
        })
}

/// One output file as text.
fn file(path: &str) -> &'static str {
    let bytes = output()
        .get(path)
        .unwrap_or_else(|| panic!("the built site has no {path}; it has {:?}", output().keys()));
    std::str::from_utf8(bytes).expect("UTF-8")
}

/// A page's readable text (see [`text`]), cached per page.
fn page_text(path: &str) -> &'static str {
    static TEXTS: OnceLock<BTreeMap<String, String>> = OnceLock::new();
    TEXTS
        .get_or_init(|| {
            pages()
                .map(|(path, html)| (path.to_string(), readable(html)))
                .collect()
        })
        .get(path)
        .unwrap_or_else(|| panic!("no page {path}"))
}

/// The readable text of the whole site, every page one after the other.
fn site_text() -> String {
    pages()
        .map(|(path, _)| page_text(path))
        .collect::<Vec<_>>()
        .join("\n")
}

fn repo_file(relative: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

fn data(stem: &str) -> toml::Table {
    toml::from_str(&repo_file(&format!("content/data/{stem}.toml")))
        .unwrap_or_else(|e| panic!("content/data/{stem}.toml: {e}"))
}

/// An array of tables of a parsed data file.
fn tables<'a>(table: &'a toml::Table, key: &str) -> Vec<&'a toml::Table> {
    table
        .get(key)
        .and_then(|v| v.as_array())
        .unwrap_or_else(|| panic!("no [[{key}]] array"))
        .iter()
        .map(|v| v.as_table().expect("an array of tables"))
        .collect()
}

fn str_of<'a>(table: &'a toml::Table, key: &str) -> &'a str {
    table
        .get(key)
        .and_then(|v| v.as_str())
        .unwrap_or_else(|| panic!("no string `{key}` in {table:?}"))
}

fn int_of(table: &toml::Table, key: &str) -> Option<i64> {
    table.get(key).and_then(|v| v.as_integer())
}

// ------------------------------------------------------------------------------------------------
// A very small HTML reader: enough for the site's own, well-formed output

/// One start tag: its lower-case name, attributes (names lower-cased, values decoded) and the
/// byte offset just past its `>`.
#[derive(Debug)]
struct Tag {
    name: String,
    attrs: Vec<(String, String)>,
    end: usize,
}

impl Tag {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The start tags of `html` in order; comments, end tags and the contents of `<script>` and
/// `<style>` elements are skipped.
fn tags(html: &str) -> Vec<Tag> {
    let bytes = html.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(found) = html[i..].find('<') {
        let start = i + found;
        if html[start..].starts_with("<!--") {
            i = html[start..]
                .find("-->")
                .map_or(html.len(), |e| start + e + 3);
            continue;
        }
        let name_len = html[start + 1..]
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(0);
        if name_len == 0 || !bytes[start + 1].is_ascii_alphabetic() {
            i = start + 1;
            continue;
        }
        let name = html[start + 1..start + 1 + name_len].to_ascii_lowercase();
        let mut j = start + 1 + name_len;
        let mut attrs = Vec::new();
        loop {
            while j < bytes.len() && (bytes[j].is_ascii_whitespace() || bytes[j] == b'/') {
                j += 1;
            }
            if j >= bytes.len() || bytes[j] == b'>' {
                j += 1;
                break;
            }
            let attr_start = j;
            while j < bytes.len() && !b" \t\r\n=>/".contains(&bytes[j]) {
                j += 1;
            }
            let attr = html[attr_start..j].to_ascii_lowercase();
            let mut value = String::new();
            if j < bytes.len() && bytes[j] == b'=' {
                j += 1;
                if bytes[j] == b'"' || bytes[j] == b'\'' {
                    let quote = bytes[j] as char;
                    let end = html[j + 1..].find(quote).expect("closed quote") + j + 1;
                    value = decode(&html[j + 1..end]);
                    j = end + 1;
                } else {
                    let end = html[j..]
                        .find(|c: char| c.is_ascii_whitespace() || c == '>')
                        .map_or(html.len(), |e| j + e);
                    value = decode(&html[j..end]);
                    j = end;
                }
            }
            attrs.push((attr, value));
        }
        i = j;
        if name == "script" || name == "style" {
            let close = format!("</{name}");
            i = html[j..].find(&close).map_or(html.len(), |e| j + e);
        }
        out.push(Tag {
            name,
            attrs,
            end: j,
        });
    }
    out
}

/// Decodes the character references the generator and Markdown renderer write.
fn decode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let Some(semi) = rest[..rest.len().min(12)].find(';') else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..semi];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some('\u{a0}'),
            _ if entity.starts_with("#x") || entity.starts_with("#X") => {
                u32::from_str_radix(&entity[2..], 16)
                    .ok()
                    .and_then(char::from_u32)
            }
            _ if entity.starts_with('#') => entity[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// What a reader sees of `html`: tags, comments, scripts and styles removed, references decoded,
/// typographic quotes made plain and every run of whitespace one space.
fn readable(html: &str) -> String {
    // A tag boundary separates words the way the rendered page does (near enough).
    plain(&decode(&without_tags(html, |_| " ")))
}

/// `html` without its comments, tags and script and style contents; each tag (start or end) is
/// replaced by what `replace` returns for its lower-case name ("" for a comment).
fn without_tags(html: &str, replace: impl Fn(&str) -> &'static str) -> String {
    let mut text = String::new();
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        text.push_str(&rest[..lt]);
        rest = &rest[lt..];
        let name = rest[1..]
            .trim_start_matches('/')
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        let skip_to = if rest.starts_with("<!--") {
            "-->".to_string()
        } else if !rest.starts_with("</") && (name == "script" || name == "style") {
            format!("</{name}>")
        } else {
            ">".to_string()
        };
        let end = rest
            .find(&skip_to)
            .map_or(rest.len(), |e| e + skip_to.len());
        text.push_str(replace(&name));
        rest = &rest[end..];
    }
    text.push_str(rest);
    text
}

/// Whitespace collapsed and curly quotes straightened, so facts compare on their words.
fn plain(text: &str) -> String {
    text.replace(['\u{2019}', '\u{2018}'], "'")
        .replace(['\u{201c}', '\u{201d}'], "\"")
        .replace('\u{a0}', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// For prose figures only: a hyphen and an en dash between numbers read the same.
fn dashes(text: &str) -> String {
    text.replace('\u{2013}', "-")
}

/// The inner HTML of each `<name …>…</name>` element (not nested in itself).
fn elements<'a>(html: &'a str, name: &str) -> Vec<&'a str> {
    let close = format!("</{name}>");
    tags(html)
        .into_iter()
        .filter(|t| t.name == name)
        .map(|t| {
            let end = html[t.end..]
                .find(&close)
                .unwrap_or_else(|| panic!("<{name}> is never closed"));
            &html[t.end..t.end + end]
        })
        .collect()
}

#[track_caller]
fn assert_has(haystack: &str, needle: &str, where_: &str) {
    assert!(
        haystack.contains(needle),
        "{where_} lacks {needle:?}\n--- its text:\n{haystack}"
    );
}

/// The page of a content path as the site writes it (`phases/junior.md` → `phases/junior/index.html`).
fn page_of(content_path: &str) -> String {
    let stem = content_path.trim_end_matches(".md");
    match stem {
        "index" => "index.html".to_string(),
        _ if stem.ends_with("/_index") => {
            format!("{}/index.html", stem.trim_end_matches("/_index"))
        }
        _ => format!("{stem}/index.html"),
    }
}

const GUIDE: &str = "guide/index.html";
const HOME: &str = "index.html";
const QUIZ: &str = "where-are-you-now/index.html";

// ------------------------------------------------------------------------------------------------
// The source guide's facts, copied from it: the site must carry every one

/// The compensation arc, to the dollar, lowest level first; Principal has none.
const SOURCE_PAY: [(&str, &str, &str); 4] = [
    ("Junior SRE", "$87,500", "$126,500"),
    ("Mid-level SRE", "$112,503", "$172,910"),
    ("Senior SRE", "$129,181", "$190,000"),
    ("Staff SRE", "$220,000", "$320,000"),
];

/// The ladder: level and typical tenure as the site labels it (en dash, "10+ years").
const SOURCE_LEVELS: [(&str, &str); 5] = [
    ("Junior SRE", "0–2 years"),
    ("Mid-level SRE", "2–4 years"),
    ("Senior SRE", "4–7 years"),
    ("Staff SRE", "7–10 years"),
    ("Principal SRE", "10+ years"),
];

/// Every other figure the source states, as words the site must contain somewhere (compared
/// case-insensitively, with hyphens and en dashes between numbers treated alike).
const SOURCE_FIGURES: &[&str] = &[
    "4-7 years",          // Junior to Senior
    "3-5",                // Senior to Staff, more years
    "7-10 years",         // Phase 4: after 7-10 years in SRE
    "18 months",          // Phase 1: still shadowing on-call after 18 months
    "40%",                // roadblock: 40% of my time for platform work
    "under 5%",           // of mentor applicants are accepted
    "3+ years",           // stuck at Senior for 3+ years
    "at least 3",         // incident responses as incident commander
    "half",               // more than half your work is reactive ops
    "at least two other", // teams in the multi-service incident
    "three other teams",  // adopted it without you selling it
    "4 years",            // FAQ: can make Senior in 4 years
    "7 years",            // FAQ: 7 years of reactive work may not
    "three years",        // FAQ: certified and stuck at Mid-level
    "five",               // five main levels, five questions
    "mttd",               // reduce MTTD by X% by automating Y
];

/// The routing key: (min yes, max yes, phase, label).
const SOURCE_KEY: [(u32, u32, u32, &str); 4] = [
    (0, 1, 1, "Junior SRE or early Mid-level"),
    (2, 3, 2, "Mid-level to early Senior"),
    (4, 4, 3, "Senior SRE"),
    (5, 5, 4, "Senior approaching Staff"),
];

/// The six roadblocks: the words the site's heading must hold, and the anchor it uses, and a
/// phrase of what moves it.
const SOURCE_ROADBLOCKS: [(&[&str], &str); 6] = [
    (&["Stuck at Senior"], "40%"),
    (&["Certifications", "promotions"], "SLO/SLI/error-budget"),
    (&["visibility", "promotion"], "one tool, one framework"),
    (&["Toil", "not recognized"], "MTTD"),
    (
        &["IC", "management"],
        "Principal and Distinguished Engineer",
    ),
    (&["SLOs on paper", "not enforced"], "error budget"),
];

/// The five FAQ, by the words each question must hold.
const SOURCE_FAQ: [&[&str]; 5] = [
    &["How long", "Senior SRE"],
    &["certification", "advance"],
    &["Senior SRE", "Staff SRE"],
    &["IC track", "management track"],
    &["DevOps", "SRE", "reset"],
];

/// Every resource the source names, and the link it gives (if any).
const SOURCE_RESOURCES: [(&str, Option<&str>); 11] = [
    ("Google SRE Book", Some("https://sre.google/")),
    ("Google SRE Workbook", None),
    ("DevOps mentor", None),
    (
        "SREpath career progression series",
        Some("https://srepath.com/"),
    ),
    ("Kubernetes mentor", None),
    ("Cloud mentor", None),
    ("System design mentor", None),
    ("MentorCruise", None),
    ("SREcon", None),
    ("Chaos Conf", None),
    ("Google SRE blog", None),
];

// ------------------------------------------------------------------------------------------------
// Facts reach the HTML

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

/// The rows of the first `<table class="…{class}…">` of `html`, as the text of their cells.
fn table_rows(html: &str, class: &str) -> Vec<Vec<String>> {
    let table = tags(html)
        .into_iter()
        .find(|t| {
            t.name == "table"
                && t.attr("class")
                    .is_some_and(|c| c.split_whitespace().any(|c| c == class))
        })
        .unwrap_or_else(|| panic!("no <table class={class}>"));
    let body = &html[table.end..table.end + html[table.end..].find("</table>").expect("closed")];
    elements(body, "tr")
        .into_iter()
        .map(|row| {
            let mut cells = Vec::new();
            for tag in tags(row) {
                if tag.name == "td" || tag.name == "th" {
                    let rest = &row[tag.end..];
                    let end = [rest.find("</td>"), rest.find("</th>")]
                        .into_iter()
                        .flatten()
                        .min()
                        .expect("closed cell");
                    cells.push(readable(&rest[..end]));
                }
            }
            cells
        })
        .collect()
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
    let svg = elements(html, "svg")
        .into_iter()
        .next()
        .expect("an inline SVG chart");
    let desc = readable(&elements(svg, "desc").concat());
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
    let svg = elements(html, "svg")
        .into_iter()
        .next()
        .expect("an inline SVG chart");
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
    let svg_tag = tags(html)
        .into_iter()
        .find(|t| t.name == "svg")
        .expect("svg");
    assert_eq!(svg_tag.attr("role"), Some("img"));
    let title = readable(&elements(svg, "title").concat());
    assert!(!title.is_empty(), "the chart has a <title>");
    let desc = readable(&elements(svg, "desc").concat());
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

/// How many words in a row the site may share with the source guide: the facts carry over, the
/// sentences do not. Names and figures are shorter than this; a copied clause is not.
const COPY_WINDOW: usize = 8;

/// Where the source guide's fingerprints are kept: hashes of every run of `COPY_WINDOW` words,
/// so the check runs anywhere without the repository holding the source's sentences.
const FINGERPRINTS: &str = "tests/fixtures/source-fingerprints.txt";

/// The source guide, beside the checkout (or where SOURCE_GUIDE says), when this machine has it.
fn source_guide() -> Option<String> {
    let path = std::env::var_os("SOURCE_GUIDE").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/source-guide.txt"),
        Into::into,
    );
    std::fs::read_to_string(path).ok()
}

/// Lower-case runs of letters and digits: how the copy check sees text.
fn words(text: &str) -> Vec<String> {
    plain(text)
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// A short hash of each run of `COPY_WINDOW` words.
fn fingerprints(words: &[String]) -> Vec<String> {
    words
        .windows(COPY_WINDOW)
        .map(|run| {
            let digest = sha2::Sha256::digest(run.join(" ").as_bytes());
            digest.iter().take(6).map(|b| format!("{b:02x}")).collect()
        })
        .collect()
}

/// The text of each block (paragraph, list item, cell, heading…) of `html`, so that runs of
/// words never span two cells of a table or a heading and the paragraph after it.
fn blocks(html: &str) -> Vec<String> {
    const BLOCK: [&str; 22] = [
        "p",
        "li",
        "td",
        "th",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "caption",
        "dt",
        "dd",
        "div",
        "title",
        "legend",
        "label",
        "summary",
        "option",
        "button",
        "figcaption",
        "blockquote",
    ];
    // Not a newline: the source's line breaks inside a paragraph are only whitespace.
    const BREAK: &str = "\u{1e}";
    let text = without_tags(html, |name| if BLOCK.contains(&name) { BREAK } else { "" });
    decode(&text).split(BREAK).map(str::to_string).collect()
}

fn stored_fingerprints() -> std::collections::BTreeSet<String> {
    repo_file(FINGERPRINTS)
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn no_sentence_of_the_source_is_copied() {
    let source = stored_fingerprints();
    let mut copied = Vec::new();
    for (page, html) in pages() {
        for block in blocks(html) {
            let words = words(&block);
            for (at, print) in fingerprints(&words).iter().enumerate() {
                if source.contains(print) {
                    copied.push(format!("{page}: {}", words[at..at + COPY_WINDOW].join(" ")));
                }
            }
        }
    }
    assert!(
        copied.is_empty(),
        "{} runs of {COPY_WINDOW} words are the source's own; reword them:\n{}",
        copied.len(),
        copied.join("\n")
    );
}

/// Keeps the stored fingerprints in step with the source guide where it is at hand; run with
/// UPDATE_FINGERPRINTS=1 to rewrite them after the source changes.
#[test]
fn the_source_fingerprints_are_current() {
    let stored = stored_fingerprints();
    let Some(text) = source_guide() else {
        assert!(stored.len() > 1_000, "{FINGERPRINTS} looks truncated");
        eprintln!("the source guide is not beside the checkout; using {FINGERPRINTS} as stored");
        return;
    };
    let current: std::collections::BTreeSet<String> =
        fingerprints(&words(&text)).into_iter().collect();
    if std::env::var_os("UPDATE_FINGERPRINTS").is_some() {
        let mut file = format!(
            "# Hashes (first 6 bytes of SHA-256) of every run of {COPY_WINDOW} words in the source\n\
             # guide, lower-cased; see tests/suite/guide.rs, no_sentence_of_the_source_is_copied.\n"
        );
        for print in &current {
            file.push_str(print);
            file.push('\n');
        }
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(FINGERPRINTS);
        std::fs::write(&path, file).expect("write the fingerprints");
        return;
    }
    assert!(
        stored == current,
        "{FINGERPRINTS} is out of date with the source guide; rerun with UPDATE_FINGERPRINTS=1"
    );
}

// ------------------------------------------------------------------------------------------------
// Every page keeps the theme's promises

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
                        tag.attr("property") == Some("og:url") && value.starts_with(&base_url)
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
            bytes.len() < 4 * 1024,
            "{path} is {} bytes; the budget is 4 KB",
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
    assert!(texts.contains(&hostile), "the JSON's questions: {texts:#?}");
    assert_eq!(texts.len(), 5);
}

// ------------------------------------------------------------------------------------------------
// Data errors point at the file, line and column (issue 3 and 4)

/// The repository's file with the first `from` replaced by `to` (which must be there).
fn edited(relative: &str, from: &str, to: &str) -> String {
    let original = repo_file(relative);
    assert!(
        original.contains(from),
        "{relative} no longer holds {from:?}; update this test"
    );
    original.replacen(from, to, 1)
}

/// `--> path:line:col` of the start of `needle`'s `nth` (0-based) occurrence in `text`.
fn at(path: &str, text: &str, needle: &str, nth: usize) -> String {
    let offset = text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("{needle:?} occurs fewer than {} times", nth + 1))
        .0;
    let line = text[..offset].matches('\n').count() + 1;
    let col = text[..offset]
        .rsplit('\n')
        .next()
        .expect("a line")
        .chars()
        .count()
        + 1;
    format!("--> {path}:{line}:{col}")
}

/// Runs `check` on the repository's site with one file replaced: fails with exactly one problem.
fn check_fails(relative: &str, contents: &str) -> crate::support::Output {
    Site::repo()
        .file(relative, contents)
        .run(["check"])
        .code(1)
        .stderr_contains("found 1 problem")
}

#[test]
fn an_unknown_key_in_ladder_toml_points_at_it() {
    let path = "content/data/ladder.toml";
    let text = edited(path, "\nunlocks = ", "\nunlock = ");
    check_fails(path, &text)
        .stderr_contains("error: unknown field `unlock`")
        .stderr_contains(&at(path, &text, "unlock = ", 0))
        .stderr_contains("help: did you mean `unlocks`?")
        // ladder.toml is there, just wrong: nothing may claim it is missing.
        .stderr_lacks("there is no content/data/ladder.toml");
}

#[test]
fn an_unknown_level_in_compensation_toml_points_at_it() {
    let path = "content/data/compensation.toml";
    let text = edited(path, "level = \"senior\"", "level = \"senoir\"");
    check_fails(path, &text)
        .stderr_contains("error: no level has the id `senoir`")
        .stderr_contains(&at(path, &text, "\"senoir\"", 0))
        .stderr_contains("help: did you mean `senior`?");
}

#[test]
fn an_unknown_level_in_a_phase_page_points_at_it() {
    let path = "content/phases/staff.md";
    let text = edited(path, "level = \"staff\"", "level = \"stafff\"");
    check_fails(path, &text)
        .stderr_contains("error: no level has the id `stafff`")
        .stderr_contains(&at(path, &text, "\"stafff\"", 0))
        .stderr_contains("help: did you mean `staff`?");
}

#[test]
fn a_pay_range_with_min_above_max_points_at_it() {
    let path = "content/data/compensation.toml";
    let text = edited(path, "max = 126500", "max = 86000");
    check_fails(path, &text)
        .stderr_contains("error: range for `junior` has min 87500 above max 86000")
        .stderr_contains(&at(path, &text, "[[ranges]]", 0))
        .stderr_contains("help: swap `min` and `max`");
}

#[test]
fn overlapping_tenures_point_at_the_later_level() {
    let path = "content/data/ladder.toml";
    let text = edited(
        path,
        "tenure = { min = 2, max = 4 }",
        "tenure = { min = 1, max = 4 }",
    );
    check_fails(path, &text)
        .stderr_contains("error: tenure of `mid-level` (1) overlaps `junior` (up to 2 years)")
        .stderr_contains(&at(path, &text, "{ min = 1, max = 4 }", 0))
        .stderr_contains("help: start `mid-level` at 2 years or later");
}

#[test]
fn unordered_tenures_point_at_the_level_out_of_order() {
    let path = "content/data/ladder.toml";
    // Swap the tenures of Mid-level and Senior.
    let text = edited(
        path,
        "tenure = { min = 2, max = 4 }",
        "tenure = { min = 4, max = 7 }\n#swapped",
    );
    let text = text.replacen(
        "tenure = { min = 4, max = 7 }\nunlocks = \"Designing",
        "tenure = { min = 2, max = 4 }\nunlocks = \"Designing",
        1,
    );
    let text = text.replacen("\n#swapped", "", 1);
    assert!(
        text.contains("tenure = { min = 2, max = 4 }\nunlocks = \"Designing"),
        "Senior's tenure line moved; update this test"
    );
    check_fails(path, &text)
        .stderr_contains("error: levels are out of order: `senior` starts at 2 years, before `mid-level` (4 years)")
        .stderr_contains(&at(path, &text, "{ min = 2, max = 4 }", 0))
        .stderr_contains("help: list levels from the most junior to the most senior");
}

#[test]
fn a_gap_in_the_quiz_rules_is_an_error() {
    let path = "content/data/quiz.toml";
    let text = edited(path, "min = 2\n", "min = 3\n");
    let rules = text.matches("[[rules]]").count();
    check_fails(path, &text)
        .stderr_contains("error: no rule routes a reader with 2 yes answers")
        .stderr_contains(&at(path, &text, "[[rules]]", rules - 1))
        .stderr_contains("help: add a [[rules]] entry whose min..max covers 2");
}

#[test]
fn overlapping_quiz_rules_are_an_error() {
    let path = "content/data/quiz.toml";
    let text = edited(path, "max = 3\n", "max = 4\n");
    check_fails(path, &text)
        .stderr_contains("error: rules `phase-2` and `phase-3` both route 4 yes answers")
        .stderr_contains(&at(path, &text, "[[rules]]", 2))
        .stderr_contains("help: each count of yes answers must lead to exactly one phase; narrow one rule's min/max");
}

#[test]
fn a_quiz_rule_to_a_page_that_does_not_exist_is_an_error() {
    let path = "content/data/quiz.toml";
    let text = edited(
        path,
        "page = \"phases/senior.md\"",
        "page = \"phases/principal.md\"",
    );
    check_fails(path, &text)
        .stderr_contains("error: page `phases/principal.md` does not exist")
        .stderr_contains(&at(path, &text, "\"phases/principal.md\"", 0))
        .stderr_contains("help: did you mean `phases/senior.md`?");
}

#[test]
fn duplicate_question_ids_are_an_error() {
    let path = "content/data/quiz.toml";
    let text = edited(path, "id = \"explains-slos\"", "id = \"owns-on-call\"");
    let first_line = at(path, &text, "id = \"owns-on-call\"", 0);
    let first_line = first_line.rsplit(':').nth(1).expect("a line number");
    check_fails(path, &text)
        .stderr_contains("error: question id `owns-on-call` is used twice")
        .stderr_contains(&at(path, &text, "\"owns-on-call\"", 1))
        .stderr_contains(&format!(
            "help: it is first used on line {first_line}; ids must be unique"
        ));
}

#[test]
fn an_empty_question_is_an_error() {
    let path = "content/data/quiz.toml";
    let original = repo_file(path);
    let line = original
        .lines()
        .find(|l| l.starts_with("text = \"Is there automation"))
        .expect("the tooling question; update this test");
    for empty in ["\"\"", "\"   \""] {
        let text = original.replacen(line, &format!("text = {empty}"), 1);
        check_fails(path, &text)
            .stderr_contains("error: question has no text")
            .stderr_contains(&at(path, &text, empty, 0))
            .stderr_contains("help: write the question, or remove the [[questions]] entry");
    }
}

// ------------------------------------------------------------------------------------------------
// Valid HTML

#[test]
#[ignore = "needs vnu (VNU_JAR) and Java"]
fn every_page_is_valid_html() {
    let jar = std::env::var("VNU_JAR").expect(
        "set VNU_JAR to vnu.jar (npm install vnu-jar; .ci/run does) to check the HTML with the Nu Html Checker",
    );
    assert!(Path::new(&jar).is_file(), "VNU_JAR={jar} is not a file");
    let site = Site::repo();
    site.run(["build"]).code(0);
    let files: Vec<std::path::PathBuf> = walkdir::WalkDir::new(site.path("output"))
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.expect("walk output").into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .collect();
    assert!(files.len() >= 17, "only {} pages", files.len());
    let out = std::process::Command::new("java")
        .arg("-jar")
        .arg(&jar)
        .arg("--errors-only")
        .args(&files)
        .output()
        .expect("run java -jar $VNU_JAR");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
    .replace(&*site.root().to_string_lossy(), "$ROOT");
    assert!(
        out.status.success() && report.trim().is_empty(),
        "vnu finds errors:\n{report}"
    );
}
