//! `content/` → `Site`: reads `site.toml`, every page (front matter + Markdown through
//! `markdown.rs`), every `data/*.toml`, and lists the other files as assets. Whatever an editor
//! can get wrong becomes a diagnostic and loading goes on, so one run reports everything; only
//! a missing `content/` folder is an environment error.

use std::path::Path;
use std::sync::Arc;

use anyhow::bail;
use serde::Deserialize;
use toml::Spanned;

use crate::data;
use crate::diagnostic::{Diagnostic, Diagnostics, parse_toml};
use crate::markdown;
use crate::model::{Asset, Data, FrontMatter, MenuItem, Page, PageRef, Site, SiteConfig, route_of};
use crate::source::SourceFile;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    title: String,
    #[serde(default)]
    description: String,
    base_url: Spanned<String>,
    #[serde(default = "default_language")]
    language: String,
    #[serde(default = "default_theme")]
    theme: String,
    #[serde(default)]
    menu: Vec<RawMenuItem>,
    /// Where "Edit this page" links go: the page's source path replaces `{path}` (or is appended).
    edit_url: Option<Spanned<String>>,
    #[serde(default)]
    publish: RawPublish,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawPublish {
    /// Write `_headers` (Netlify, Cloudflare Pages): cache policy and security headers.
    #[serde(default)]
    headers: bool,
}

fn default_language() -> String {
    "en".to_string()
}

fn default_theme() -> String {
    "default".to_string()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMenuItem {
    title: String,
    page: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFrontMatter {
    title: String,
    #[serde(default)]
    description: String,
    template: Option<Spanned<String>>,
    #[serde(default)]
    weight: i64,
    #[serde(default)]
    draft: bool,
    #[serde(default)]
    extra: toml::Table,
}

/// Only `[extra] level`, read again with its span: the rest of `extra` is free-form.
#[derive(Deserialize)]
struct RawExtraLevel {
    #[serde(default)]
    extra: Option<RawLevelOnly>,
}

#[derive(Deserialize)]
struct RawLevelOnly {
    level: Option<Spanned<String>>,
}

pub(crate) struct LoadOptions<'a> {
    pub(crate) root: &'a Path,
    pub(crate) base_url: Option<&'a str>,
}

/// Loads the site below `root`. Diagnostics come back beside a site that holds everything that
/// could be read, so later checks can still run on the rest.
pub(crate) fn site(options: &LoadOptions) -> anyhow::Result<(Site, Diagnostics)> {
    let root = options.root;
    if let Some(url) = options.base_url
        && !is_absolute_url(url)
    {
        bail!(
            "--base-url `{url}` is not an absolute http(s) URL; e.g. --base-url https://example.org/guide/"
        );
    }
    let content = root.join("content");
    if !content.is_dir() {
        bail!(
            "no `content/` folder in {}; run sre-guide in a site root or pass --root DIR",
            root.display()
        );
    }
    let mut diagnostics = Vec::new();
    let config_path = content.join("site.toml");
    let config = match read(root, &config_path, &mut diagnostics) {
        Some(file) => config(&file, options.base_url, &mut diagnostics),
        None if !config_path.exists() => {
            diagnostics.push(
                Diagnostic::in_file("content/site.toml", "the site has no `content/site.toml`")
                    .help(
                        "create it with at least `title = \"…\"` and `base_url = \"https://…/\"`",
                    ),
            );
            None
        }
        None => None,
    };

    let mut pages = Vec::new();
    let mut assets = Vec::new();
    let mut unloadable = std::collections::BTreeSet::new();
    let mut drafts = std::collections::BTreeSet::new();
    let mut data = Data::default();
    for entry in walkdir::WalkDir::new(&content)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| entry.depth() == 0 || !is_ignored(entry.file_name()))
    {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                diagnostics.push(walk_error(root, &error));
                continue;
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let path = entry.path();
        let content_path = relative(&content, path);
        if content_path == "site.toml" {
            continue;
        }
        if let Some(stem) = content_path
            .strip_prefix("data/")
            .and_then(|p| p.strip_suffix(".toml"))
        {
            match read(root, path, &mut diagnostics) {
                Some(file) => load_data(stem, &file, &mut data, &mut diagnostics),
                None => {
                    data.broken.insert(stem.to_string());
                }
            }
        } else if content_path.ends_with(".md") {
            match read(root, path, &mut diagnostics)
                .and_then(|file| page(&file, &content_path, &mut diagnostics))
            {
                Some(page) if page.front.draft => {
                    drafts.insert(content_path);
                }
                Some(page) => pages.push(page),
                None => {
                    unloadable.insert(content_path);
                }
            }
        } else if !content_path.starts_with("data/") {
            match std::fs::read(path) {
                Ok(bytes) => assets.push(Asset {
                    path: content_path,
                    bytes,
                }),
                Err(error) => diagnostics.push(
                    Diagnostic::in_file(relative(root, path), format!("cannot read: {error}"))
                        .help("check the file's permissions"),
                ),
            }
        }
    }
    pages.sort_by(|a, b| a.path.cmp(&b.path));
    report_shared_routes(&pages, &mut diagnostics);

    let config = config.unwrap_or_else(|| SiteConfig {
        title: String::new(),
        description: String::new(),
        base_url: "/".into(),
        language: default_language(),
        theme: default_theme(),
        menu: Vec::new(),
        edit_url: None,
        publish_headers: false,
    });
    let mut site = Site::new(root.to_path_buf(), config, pages, data, assets);
    site.unloadable = unloadable;
    site.drafts = drafts;
    Ok((site, Diagnostics(diagnostics)))
}

/// `https://host/…` or `http://host/…`: what canonical links and the sitemap need.
fn is_absolute_url(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    rest.is_some_and(|rest| {
        let host = rest.split('/').next().unwrap_or_default();
        !host.is_empty() && !url.chars().any(char::is_whitespace)
    })
}

/// Why an entry under content/ could not be visited, in the editor's terms.
fn walk_error(root: &Path, error: &walkdir::Error) -> Diagnostic {
    let Some(path) = error.path() else {
        return Diagnostic::in_file("content/", format!("cannot read content/: {error}"));
    };
    let shown = relative(root, path);
    if error.loop_ancestor().is_some() {
        return Diagnostic::in_file(
            &shown,
            format!("`{shown}` is a symbolic link to a folder that contains it"),
        )
        .help("remove the link, or point it outside this folder");
    }
    if let Ok(target) = std::fs::read_link(path)
        && !path.exists()
    {
        return Diagnostic::in_file(
            &shown,
            format!(
                "`{shown}` is a symbolic link to `{}`, which does not exist",
                target.display()
            ),
        )
        .help("point the link at an existing file, or remove it");
    }
    let reason = error
        .io_error()
        .map_or_else(|| error.to_string(), ToString::to_string);
    Diagnostic::in_file(&shown, format!("cannot read `{shown}`: {reason}"))
        .help("check the permissions of the file or folder")
}

/// Dotfiles, editor backups and swap files are never part of the site.
pub(crate) fn is_ignored(name: &std::ffi::OsStr) -> bool {
    let name = name.to_string_lossy();
    name.starts_with('.')
        || name.ends_with('~')
        || name == "4913"
        || (name.starts_with('#') && name.ends_with('#'))
}

/// `path` relative to `base`, with `/` separators whatever the platform.
pub(crate) fn relative(base: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(base).unwrap_or(path);
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Reads a text file; unreadable and non-UTF-8 files become diagnostics.
fn read(root: &Path, path: &Path, out: &mut Vec<Diagnostic>) -> Option<Arc<SourceFile>> {
    let shown = relative(root, path);
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) => {
            if path.exists() {
                out.push(
                    Diagnostic::in_file(&shown, format!("cannot read `{shown}`: {error}"))
                        .help("check the file's permissions"),
                );
            }
            return None;
        }
    };
    match String::from_utf8(bytes) {
        Ok(mut text) => {
            if text.starts_with('\u{feff}') {
                // A byte-order mark is invisible to editors; replace it with a same-size blank
                // so spans keep pointing at the right bytes.
                text.replace_range(..3, "   ");
            }
            Some(SourceFile::new(shown, text))
        }
        Err(error) => {
            let valid = error.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(error.as_bytes()).into_owned();
            let file = SourceFile::new(&shown, text);
            let offset = crate::source::floor_char_boundary(&file.text, valid);
            out.push(
                Diagnostic::at(&file, offset..offset, "this file is not valid UTF-8 text").help(
                    "save it as UTF-8; binary files that are not pages belong outside .md names",
                ),
            );
            None
        }
    }
}

fn config(
    file: &Arc<SourceFile>,
    base_url: Option<&str>,
    out: &mut Vec<Diagnostic>,
) -> Option<SiteConfig> {
    let raw: RawConfig = parse_toml(file, 0, &file.text, out)?;
    if base_url.is_none() && !is_absolute_url(raw.base_url.get_ref()) {
        out.push(
            Diagnostic::at(file, raw.base_url.span(), format!("base_url `{}` is not an absolute http(s) URL", raw.base_url.get_ref()))
                .help("write where the site will live, e.g. `base_url = \"https://example.org/guide/\"`; only canonical links and the sitemap use it"),
        );
    }
    let mut base_url = base_url.unwrap_or(raw.base_url.get_ref()).to_string();
    if !base_url.ends_with('/') {
        base_url.push('/');
    }
    if let Some(edit_url) = &raw.edit_url
        && !is_absolute_url(edit_url.get_ref())
    {
        out.push(
            Diagnostic::at(file, edit_url.span(), format!("edit_url `{}` is not an absolute http(s) URL", edit_url.get_ref()))
                .help("write where a page's source can be edited, e.g. `edit_url = \"https://github.com/you/guide/edit/main/{path}\"`; `{path}` becomes `content/…md`"),
        );
    }
    let menu = raw
        .menu
        .into_iter()
        .map(|item| MenuItem {
            title: item.title,
            page: PageRef {
                span: item.page.span(),
                path: item.page.into_inner().trim_start_matches('/').to_string(),
                file: Arc::clone(file),
            },
        })
        .collect();
    Some(SiteConfig {
        title: raw.title,
        description: raw.description,
        base_url,
        language: raw.language,
        theme: raw.theme,
        menu,
        edit_url: raw.edit_url.map(Spanned::into_inner),
        publish_headers: raw.publish.headers,
    })
}

fn load_data(stem: &str, file: &Arc<SourceFile>, data: &mut Data, out: &mut Vec<Diagnostic>) {
    let Some(table) = parse_toml::<toml::Table>(file, 0, &file.text, out) else {
        data.broken.insert(stem.to_string());
        return;
    };
    // The typed schemas parse the text again: only the text deserializer carries the spans their
    // diagnostics point at. The files are small; the table is what templates get as `data.<stem>`.
    let typed = match stem {
        "ladder" => {
            data.ladder = data::ladder(file, out);
            data.ladder.is_some()
        }
        "compensation" => {
            data.compensation = data::compensation(file, out);
            data.compensation.is_some()
        }
        "quiz" => {
            data.quiz = crate::quiz::parse(file, out);
            data.quiz.is_some()
        }
        _ => true,
    };
    if !typed {
        data.broken.insert(stem.to_string());
    }
    let json = serde_json::to_value(&table).expect("a TOML table is always representable as JSON");
    data.raw.insert(stem.to_string(), json);
}

/// Splits `+++` front matter from the body, parses it, and renders the Markdown.
fn page(file: &Arc<SourceFile>, content_path: &str, out: &mut Vec<Diagnostic>) -> Option<Page> {
    let text = file.text.as_str();
    let opening = text.trim_start_matches(' ');
    let lead = text.len() - opening.len();
    if !(opening.starts_with("+++\n") || opening.starts_with("+++\r\n")) {
        out.push(
            Diagnostic::at(file, lead..lead, "this page has no front matter").help(
                "start the file with a `+++` line, then `title = \"…\"`, then another `+++` line",
            ),
        );
        return None;
    }
    let toml_start = lead + opening.find('\n').map_or(3, |i| i + 1);
    let Some((toml_end, body_start)) = closing_fence(text, toml_start) else {
        out.push(
            Diagnostic::at(file, lead..lead + 3, "front matter is never closed")
                .help("add a line holding only `+++` after the last front matter key"),
        );
        return None;
    };
    let front_text = &text[toml_start..toml_end];
    let raw: RawFrontMatter = parse_toml(file, toml_start, front_text, out)?;
    let level = toml::from_str::<RawExtraLevel>(front_text)
        .ok()
        .and_then(|raw| raw.extra)
        .and_then(|extra| extra.level)
        .map(|level| {
            let span = level.span();
            (
                level.into_inner(),
                toml_start + span.start..toml_start + span.end,
            )
        });
    let mut diagnostics = Vec::new();
    let rendered = markdown::render(file, body_start, content_path, &mut diagnostics);
    out.extend(diagnostics);
    Some(Page {
        file: Arc::clone(file),
        path: content_path.to_string(),
        route: route_of(content_path),
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
            extra: serde_json::to_value(&raw.extra)
                .expect("a TOML table is always representable as JSON"),
            level,
        },
        content: rendered.html,
        toc: rendered.toc,
        links: rendered.links,
        word_count: rendered.word_count,
    })
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

fn report_shared_routes(pages: &[Page], out: &mut Vec<Diagnostic>) {
    let mut by_route: std::collections::HashMap<&str, &Page> = std::collections::HashMap::new();
    for page in pages {
        if let Some(first) = by_route.insert(&page.route, page) {
            out.push(
                Diagnostic::at(
                    &page.file,
                    0..0,
                    format!(
                        "`{}` and `{}` are both published at /{}",
                        first.file.path, page.file.path, page.route
                    ),
                )
                .help("rename or remove one of them"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_page(text: &str) -> (Option<Page>, Vec<Diagnostic>) {
        let file = SourceFile::new("content/a.md", text);
        let mut out = Vec::new();
        (page(&file, "a.md", &mut out), out)
    }

    #[test]
    fn front_matter_and_body_are_split() {
        let (page, out) =
            load_page("+++\ntitle = \"A\"\nweight = 2\n[extra]\nlevel = \"junior\"\n+++\n# Hi\n");
        assert!(out.is_empty());
        let page = page.expect("loaded");
        assert_eq!(page.front.title, "A");
        assert_eq!(page.front.weight, 2);
        assert_eq!(
            page.front.level.as_ref().map(|l| l.0.as_str()),
            Some("junior")
        );
        assert!(page.content.contains("<h1 id=\"hi\">"));
    }

    #[test]
    fn unknown_key_points_at_it_with_a_suggestion() {
        let (_, out) = load_page("+++\ntitel = \"A\"\n+++\n");
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].line_col(), Some((2, 1)));
        assert_eq!(out[0].help.as_deref(), Some("did you mean `title`?"));
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
                include_str!("../content/phases/junior.md"),
            ),
            (
                "content/data/ladder.toml",
                include_str!("../content/data/ladder.toml"),
            ),
            (
                "content/data/quiz.toml",
                include_str!("../content/data/quiz.toml"),
            ),
            (
                "content/data/compensation.toml",
                include_str!("../content/data/compensation.toml"),
            ),
        ];
        const PIECES: [&str; 18] = [
            "+++\n", "\n", "[", "]]", "=", "\"", "#", "{#", "}", "é", "\u{1}", "`", "|", "](",
            "../", "%", "\r\n", "\u{feff}",
        ];
        let mut rng = crate::rng::Rng::new(0x5eed);
        let mut next = move |below: usize| rng.below(below);
        for round in 0..12_000 {
            let (path, seed) = SEEDS[round % SEEDS.len()];
            let mut text = seed.to_string();
            for _ in 0..1 + next(4) {
                let at = crate::source::floor_char_boundary(&text, next(text.len() + 1));
                match next(4) {
                    0 => text.insert_str(at, PIECES[next(PIECES.len())]),
                    1 => {
                        let end = crate::source::floor_char_boundary(&text, at + next(40)).max(at);
                        text.replace_range(at..end, "");
                    }
                    2 => text.truncate(at),
                    _ => {
                        let end = crate::source::floor_char_boundary(&text, at + next(60)).max(at);
                        let copy = text[at..end].to_string();
                        text.insert_str(at, &copy);
                    }
                }
            }
            let file = SourceFile::new(path, text.clone());
            let mut out = Vec::new();
            let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                match path.rsplit_once('/').map(|(_, name)| name) {
                    Some("ladder.toml") => drop(crate::data::ladder(&file, &mut out)),
                    Some("quiz.toml") => drop(crate::quiz::parse(&file, &mut out)),
                    Some("compensation.toml") => drop(crate::data::compensation(&file, &mut out)),
                    _ => drop(page(&file, "phases/junior.md", &mut out)),
                }
                for diagnostic in &out {
                    diagnostic.render(false);
                    diagnostic.to_overlay();
                }
            }));
            assert!(run.is_ok(), "round {round} panicked on {path}:\n{text:?}");
        }
    }

    #[test]
    fn base_urls_must_be_absolute() {
        assert!(is_absolute_url("https://example.org/guide/"));
        assert!(is_absolute_url("http://localhost:1111"));
        for bad in [
            "/guide/",
            "example.org",
            "https://",
            "https:// x",
            "ftp://x/",
        ] {
            assert!(!is_absolute_url(bad), "{bad}");
        }
    }

    #[test]
    fn editor_files_are_ignored() {
        for name in [".x.md.swp", "a.md~", "4913", ".#a.md", "#a.md#"] {
            assert!(is_ignored(std::ffi::OsStr::new(name)), "{name}");
        }
        assert!(!is_ignored(std::ffi::OsStr::new("a.md")));
    }
}
