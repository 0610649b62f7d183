//! The guide itself: the repository's `content/` and default theme built by the real binary (once
//! per test binary) and read back. Every fact of the source guide must reach the HTML, the data
//! views must agree with the data files, and every page must keep the theme's promises (no other
//! host, size budget, headings, landmarks, tables, valid HTML). Data errors are fixture edits of the
//! same site run with `check`.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

use crate::support::Site;

mod copying;
mod data_errors;
mod data_views;
mod prose;
mod search;
mod theme;
mod typography;

// ------------------------------------------------------------------------------------------------
// The built site, in memory

/// Every file of `output/` after one `build` of the repository's site (path → bytes), built once
/// per test binary.
pub(crate) fn output() -> &'static BTreeMap<String, Vec<u8>> {
    crate::support::guide::output()
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
        let Some(semi) = rest.bytes().take(12).position(|b| b == b';') else {
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
// Helpers more than one test file uses

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

/// The repository's file with the first `from` replaced by `to` (which must be there).
fn edited(relative: &str, from: &str, to: &str) -> String {
    let original = repo_file(relative);
    assert!(
        original.contains(from),
        "{relative} no longer holds {from:?}; update this test"
    );
    original.replacen(from, to, 1)
}
