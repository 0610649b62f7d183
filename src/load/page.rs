//! One `content/**/*.md` file → [`Page`]: splits the `+++` TOML front matter from the body, parses
//! and checks the front matter, refuses control characters, and reads the Markdown body for what
//! later stages need ([`markdown::read`]). Problems become diagnostics at file:line:col; reads no
//! files itself.

use std::sync::Arc;

use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

use crate::load::strings::check_strings;
use crate::markdown::{self, HtmlBudget};
use crate::model::diagnostic::toml_errors::parse_toml;
use crate::model::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::lints::Lints;
use crate::model::source::{SourceFile, is_control_character};
use crate::model::url::{ContentPath, Route};
use crate::model::{FrontMatter, Page, PageKind};

/// A page's front matter: the TOML between the two `+++` lines that open every page.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "Page front matter")]
struct RawFrontMatter {
    /// The page's title: its `<title>`, its heading, and how menus, lists and search name it.
    title: String,
    /// One sentence about the page, for search results and link previews.
    #[serde(default)]
    description: String,
    /// The theme's template that renders the page [default: `page.html`, `section.html` for
    /// `_index.md`].
    #[schemars(with = "Option<String>", regex(pattern = r"\.html$"))]
    template: Option<Spanned<String>>,
    /// Order among the pages of its section: lower comes first.
    #[serde(default)]
    weight: i64,
    /// Leave the page out of the site unless `--drafts` is given.
    #[serde(default)]
    draft: bool,
    /// What the page is for: `page`, or `quiz` for the "Where are you now?" page.
    #[serde(default)]
    kind: PageKind,
    /// Anything else templates read as `page.extra`; `level` names a level of
    /// `data/ladder.toml`.
    #[serde(default)]
    #[schemars(with = "RawExtraSchema")]
    extra: RawExtra,
}

/// The shape of `[extra]` as a schema states it: free-form, with `level` a level id.
#[derive(JsonSchema)]
#[schemars(rename = "Extra")]
#[allow(dead_code, reason = "only its schema is used")]
struct RawExtraSchema {
    /// The id of a level in `data/ladder.toml` (phase pages).
    #[schemars(regex(pattern = crate::load::data::STABLE_ID))]
    level: Option<String>,
    #[serde(flatten)]
    rest: serde_json::Map<String, serde_json::Value>,
}

/// The JSON Schema of a page's front matter, from the type it is read into.
pub(crate) fn front_matter_schema(generator: schemars::SchemaGenerator) -> schemars::Schema {
    generator.into_root_schema_for::<RawFrontMatter>()
}

/// `[extra]`: a free-form table, of which `level` is also kept with its span (for
/// diagnostics) when it is a string. Read in the same parse as the rest of the front matter.
#[derive(Default)]
struct RawExtra {
    table: toml::Table,
    level: Option<(String, std::ops::Range<usize>)>,
}

impl<'de> Deserialize<'de> for RawExtra {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(RawExtraVisitor)
    }
}

struct RawExtraVisitor;

impl<'de> serde::de::Visitor<'de> for RawExtraVisitor {
    type Value = RawExtra;

    fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
        // As `toml::Table` says it, so a wrong `extra` reads as it always did.
        formatter.write_str("a map")
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<RawExtra, E> {
        Ok(RawExtra::default())
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<RawExtra, A::Error> {
        let mut extra = RawExtra::default();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value::<Spanned<toml::Value>>()?;
            if key == "level"
                && let toml::Value::String(level) = value.get_ref()
            {
                extra.level = Some((level.clone(), value.span()));
            }
            if extra.table.contains_key(&key) {
                return Err(serde::de::Error::custom(format!("duplicate key: `{key}`")));
            }
            extra.table.insert(key, value.into_inner());
        }
        Ok(extra)
    }
}

/// Splits `+++` front matter from the body, parses it, and reads the Markdown; both are linted
/// as `lints` says. A page holding a control character is reported and left out: it would
/// reach the HTML raw.
pub(crate) fn page(
    file: &Arc<SourceFile>,
    content_path: &ContentPath,
    lints: &Lints,
    budget: &HtmlBudget,
    out: &mut Diagnostics,
) -> Option<Page> {
    let text = file.text();
    if let Some(diagnostic) = control_character(file) {
        out.push(diagnostic);
        return None;
    }
    let opening = text.trim_start_matches(' ');
    let lead = text.len() - opening.len();
    if !(opening.starts_with("+++\n") || opening.starts_with("+++\r\n")) {
        out.push(
            Diagnostic::at(
                Code::FrontMatterMissing,
                file,
                lead..lead,
                "this page has no front matter",
            )
            .help(
                "start the file with a `+++` line, then `title = \"…\"`, then another `+++` line",
            ),
        );
        return None;
    }
    let toml_start = lead + opening.find('\n').map_or(3, |i| i + 1);
    let Some((toml_end, body_start)) = closing_fence(text, toml_start) else {
        out.push(
            Diagnostic::at(
                Code::FrontMatterUnclosed,
                file,
                lead..lead + 3,
                "front matter is never closed",
            )
            .help("add a line holding only `+++` after the last front matter key"),
        );
        return None;
    };
    let front_text = &text[toml_start..toml_end];
    let raw: RawFrontMatter = parse_toml(file, toml_start, front_text, out)?;
    check_strings(file, toml_start, front_text, lints, out);
    let level = raw
        .extra
        .level
        .map(|(level, span)| (level, toml_start + span.start..toml_start + span.end));
    let rendered = markdown::read(file, body_start, content_path, lints, budget, out);
    Some(Page {
        file: Arc::clone(file),
        path: content_path.clone(),
        route: Route::of(content_path),
        front: FrontMatter {
            title: raw.title,
            description: raw.description,
            template: raw.template.map(|t| {
                let span = t.span();
                (
                    t.into_inner(),
                    toml_start + span.start..toml_start + span.end,
                )
            }),
            weight: raw.weight,
            draft: raw.draft,
            extra: serde_json::to_value(&raw.extra.table)
                .expect("a TOML table is always representable as JSON"),
            level,
            kind: raw.kind,
        },
        body_start,
        html: rendered.html,
        toc: rendered.toc,
        headings: rendered.headings,
        links: rendered.links,
        word_count: rendered.word_count,
        linted_with: lints.fingerprint(),
    })
}

/// The first control character (NUL, escape, …; tabs and line ends are text), as a diagnostic.
fn control_character(file: &Arc<SourceFile>) -> Option<Diagnostic> {
    // Bytes first, for the common page that has none: a control character starts with a byte
    // below 0x20, 0x7F, or 0xC2 (U+0080–U+009F).
    // Folded without branches, a block at a time, so it compiles to vector code.
    let suspect =
        |b: u8| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) | matches!(b, 0x7f | 0xc2);
    let clean = |block: &[u8]| !block.iter().fold(false, |found, &b| found | suspect(b));
    if file.text().as_bytes().chunks(256).all(clean) {
        return None;
    }
    let (at, found) = file
        .text()
        .char_indices()
        .find(|(_, c)| is_control_character(*c))?;
    let more = file.text()[at + found.len_utf8()..]
        .chars()
        .filter(|c| is_control_character(*c))
        .count();
    let also = match more {
        0 => String::new(),
        1 => " (and 1 more)".to_string(),
        n => format!(" (and {n} more)"),
    };
    Some(
        Diagnostic::at(
            Code::ControlCharacter,
            file,
            at..at + found.len_utf8(),
            format!(
                "this page holds the control character U+{:04X}{also}",
                u32::from(found)
            ),
        )
        .help("delete it: control characters are invisible in most editors and break the HTML"),
    )
}

/// Finds the `+++` line that closes front matter: (end of the TOML, start of the body).
fn closing_fence(text: &str, from: usize) -> Option<(usize, usize)> {
    let mut offset = from;
    for line in text[from..].split_inclusive('\n') {
        if line.trim_end() == "+++" {
            return Some((offset, offset + line.len()));
        }
        offset += line.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_page(text: &str) -> (Option<Page>, Vec<Diagnostic>) {
        let file = SourceFile::new("content/a.md", text);
        let mut out = Diagnostics::default();
        let budget = HtmlBudget::new(HtmlBudget::BYTES);
        let page = page(
            &file,
            &ContentPath::of("a.md"),
            &Lints::default(),
            &budget,
            &mut out,
        );
        (page, out.0)
    }

    #[test]
    fn front_matter_and_body_are_split() {
        let (page, out) =
            load_page("+++\ntitle = \"A\"\nweight = 2\n[extra]\nlevel = \"junior\"\n+++\n## Hi\n");
        assert!(out.is_empty());
        let page = page.expect("loaded");
        assert_eq!(page.front.title, "A");
        assert_eq!(page.front.weight, 2);
        assert_eq!(
            page.front.level.as_ref().map(|l| l.0.as_str()),
            Some("junior")
        );
        assert!(
            crate::markdown::body_html(
                &page,
                &page.route.relative_root(),
                crate::markdown::Embedding::NONE,
            )
            .expect("in memory")
            .contains("<h2 id=\"hi\">")
        );
    }

    #[test]
    fn extra_level_keeps_its_span_and_the_rest_of_extra() {
        let text = "+++\ntitle = \"A\"\n[extra]\nlevel = \"senior\"\nteam = 3\n+++\n";
        let (page, out) = load_page(text);
        assert!(out.is_empty(), "{out:?}");
        let page = page.expect("loaded");
        let (level, span) = page.front.level.expect("a level");
        assert_eq!((level.as_str(), &text[span]), ("senior", "\"senior\""));
        assert_eq!(page.front.extra["level"], "senior");
        assert_eq!(page.front.extra["team"], 3);
        // A level that is not a string is no level, but stays in `extra` for templates.
        let (page, out) = load_page("+++\ntitle = \"A\"\nextra = { level = 2 }\n+++\n");
        let page = page.expect("loaded");
        assert!(out.is_empty() && page.front.level.is_none());
        assert_eq!(page.front.extra["level"], 2);
    }

    #[test]
    fn a_wrong_extra_is_reported_as_a_plain_table_would_be() {
        #[derive(Deserialize, Debug)]
        #[allow(dead_code)]
        struct Plain {
            title: String,
            extra: toml::Table,
        }
        for front in ["title = \"A\"\nextra = 3\n", "title = \"A\"\nextra = [1]\n"] {
            let plain = toml::from_str::<Plain>(front).expect_err("extra is no table");
            let (page, out) = load_page(&format!("+++\n{front}+++\n"));
            assert!(page.is_none());
            assert_eq!(out.len(), 1);
            assert_eq!(out[0].message, plain.message().trim_end());
        }
    }

    #[test]
    fn unknown_key_points_at_it_with_a_suggestion() {
        let (_, out) = load_page("+++\ntitel = \"A\"\n+++\n");
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].line_col(), Some((2, 1)));
        assert_eq!(out[0].help.as_deref(), Some("did you mean `title`?"));
    }

    #[test]
    fn a_control_character_is_an_error_at_its_place() {
        let (page, out) = load_page("+++\ntitle = \"A\"\n+++\nab\u{0}c\u{1b}\n");
        assert!(page.is_none());
        assert_eq!(
            out.iter().map(Diagnostic::located).collect::<Vec<_>>(),
            ["4:3 this page holds the control character U+0000 (and 1 more)"]
        );
        let (page, out) = load_page("+++\ntitle = \"A\"\n+++\n\ta\r\n");
        assert!(page.is_some() && out.is_empty(), "{out:?}");
    }

    #[test]
    fn unclosed_and_missing_front_matter_are_diagnostics() {
        let (_, out) = load_page("+++\ntitle = \"A\"\n");
        assert_eq!(out[0].message, "front matter is never closed");
        let (_, out) = load_page("");
        assert_eq!(out[0].message, "this page has no front matter");
        let (_, out) = load_page("# just markdown");
        assert_eq!(out[0].message, "this page has no front matter");
    }

    /// In-process fuzzing: thousands of mutations of the guide's real files through every parser
    /// that reads editor input, each resulting diagnostic rendered too. Nothing may panic. The
    /// seed is fixed so a failure reproduces; the failing input is in the panic message.
    #[test]
    fn mutated_sources_never_panic() {
        const SEEDS: [(&str, &str); 4] = [
            (
                "content/phases/junior.md",
                include_str!("../../content/phases/junior.md"),
            ),
            (
                "content/data/ladder.toml",
                include_str!("../../content/data/ladder.toml"),
            ),
            (
                "content/data/quiz.toml",
                include_str!("../../content/data/quiz.toml"),
            ),
            (
                "content/data/compensation.toml",
                include_str!("../../content/data/compensation.toml"),
            ),
        ];
        const PIECES: [&str; 18] = [
            "+++\n", "\n", "[", "]]", "=", "\"", "#", "{#", "}", "é", "\u{1}", "`", "|", "](",
            "../", "%", "\r\n", "\u{feff}",
        ];
        let mut rng = fastrand::Rng::with_seed(0x5eed);
        let mut next = move |below: usize| rng.usize(..below);
        for round in 0..8_000 {
            let (path, seed) = SEEDS[round % SEEDS.len()];
            let mut text = seed.to_string();
            for _ in 0..1 + next(4) {
                let at = crate::model::source::floor_char_boundary(&text, next(text.len() + 1));
                match next(4) {
                    0 => text.insert_str(at, PIECES[next(PIECES.len())]),
                    1 => {
                        let end =
                            crate::model::source::floor_char_boundary(&text, at + next(40)).max(at);
                        text.replace_range(at..end, "");
                    }
                    2 => text.truncate(at),
                    _ => {
                        let end =
                            crate::model::source::floor_char_boundary(&text, at + next(60)).max(at);
                        let copy = text[at..end].to_string();
                        text.insert_str(at, &copy);
                    }
                }
            }
            let file = SourceFile::new(path, text.clone());
            let mut out = Diagnostics::default();
            let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                match path.rsplit_once('/').map(|(_, name)| name) {
                    Some("ladder.toml") => drop(crate::load::data::ladder(&file, &mut out)),
                    Some("quiz.toml") => drop(crate::load::quiz::parse(&file, &mut out)),
                    Some("compensation.toml") => {
                        drop(crate::load::compensation::parse(&file, &mut out))
                    }
                    _ => drop(page(
                        &file,
                        &ContentPath::of("phases/junior.md"),
                        &Lints::default(),
                        &HtmlBudget::new(HtmlBudget::BYTES),
                        &mut out,
                    )),
                }
                for diagnostic in &out.0 {
                    diagnostic.render(false);
                    diagnostic.to_overlay();
                }
            }));
            assert!(run.is_ok(), "round {round} panicked on {path}:\n{text:?}");
        }
    }
}
