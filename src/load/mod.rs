//! `content/` → [`Site`]: reads `site.toml`, every page (through [`page`], or
//! unchanged from `serve`'s [`PageMemory`]), every `data/*.toml`, and lists the other files as
//! assets. Whatever an editor can get wrong becomes a diagnostic and loading goes on, so one run
//! reports everything; only a missing or unreadable `content/` folder is an environment error.

pub(crate) mod compensation;
pub(crate) mod config;
pub(crate) mod data;
mod lints;
pub(crate) mod page;
pub(crate) mod quiz;
pub(crate) mod schemas;
mod search;
pub(crate) mod strings;
pub(crate) mod walk;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::bail;
use rayon::prelude::*;

use crate::load::strings::check_strings;
use crate::load::walk::{WalkError, relative};
use crate::markdown::HtmlBudget;
use crate::model::diagnostic::toml_errors::parse_toml;
use crate::model::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::lints::Lints;
use crate::model::loaded_html::Spill;
use crate::model::source::SourceFile;
use crate::model::url::ContentPath;
use crate::model::{Asset, Data, FastMap, Page, Site, SiteConfig};

pub(crate) struct LoadOptions<'a> {
    pub(crate) root: &'a Path,
    pub(crate) base_url: Option<&'a str>,
    /// Keep `draft = true` pages in the site (`--drafts`).
    pub(crate) drafts: bool,
    /// `serve`'s pages of earlier builds, reused while their file is unchanged.
    pub(crate) cache: Option<&'a dyn PageMemory>,
    /// Texts that stand in for files on disk (`lsp`: an editor's unsaved buffers).
    pub(crate) unsaved: Option<&'a Unsaved>,
    /// A folder on the output's file system, where the HTML loading writes past its in-memory
    /// budget waits for its page's render (`build`); without one such pages are parsed again.
    pub(crate) spill_in: Option<&'a Path>,
}

/// Unsaved texts of files under `content/`, by the path the walk finds them at (the site root
/// joined with `content/…`). A file must exist on disk to be found; its text is read from here.
pub(crate) type Unsaved = std::collections::HashMap<PathBuf, String>;

impl LoadOptions<'_> {
    fn unsaved(&self, path: &Path) -> Option<&str> {
        self.unsaved?.get(path).map(String::as_str)
    }
}

/// Pages remembered from earlier loads, for `serve`
/// ([`crate::serve::build_process::memory`]).
pub(crate) trait PageMemory: Sync {
    /// The page at `content_path` (file `path`), remembered or else `read`.
    fn page(
        &self,
        path: &Path,
        content_path: &str,
        read: &dyn Fn() -> (Option<Page>, Diagnostics),
    ) -> (Option<Page>, Diagnostics);

    /// The page at `content_path` when this load may take it without looking at its file
    /// (the watcher vouches that it is unchanged); `None` leaves it to [`PageMemory::page`].
    /// Asked on one thread for every page before any is read: a save lends thousands of pages,
    /// and two threads taking turns at the memory's lock cost more than the lending itself.
    fn unchanged(&self, _content_path: &str) -> Option<(Option<Page>, Diagnostics)> {
        None
    }

    /// What the previous walk of `content/` found, while no file can have been added, removed
    /// or renamed since (the watcher says so); `None` walks again.
    fn walked(&self) -> Option<Arc<[Found]>>;

    /// Remembers what this load's walk found, for `walked`.
    fn remember_walk(&self, found: Arc<[Found]>);
}

/// Loads the site below `root`. Diagnostics come back beside a site that holds everything that
/// could be read, so later checks can still run on the rest.
pub(crate) fn site(options: &LoadOptions) -> anyhow::Result<(Site, Diagnostics)> {
    let root = options.root;
    let content = content_folder(options)?;
    let mut diagnostics = Diagnostics::default();
    let config = site_config(options, &content, &mut diagnostics)?;
    let config = config.unwrap_or_else(config::empty);
    let found = walk_content(options, &content)?;
    let gathered = gather(options, &found, &config.lints, &mut diagnostics);
    let Gathered {
        mut pages,
        assets,
        data,
        mut unloadable,
        drafts,
    } = gathered;
    pages.sort_by(|a, b| a.path.cmp(&b.path));
    // Pages that share a route are reported once and neither is rendered: which one the site
    // would show is not the editor's choice yet. Links to either still resolve.
    let shared = report_shared_routes(&pages, &mut diagnostics);
    pages.retain(|page| {
        let keep = !shared.contains(&*page.route);
        if !keep {
            unloadable.insert(page.path.clone());
        }
        keep
    });

    let mut site = Site::new(root.to_path_buf(), config, pages, data, assets);
    site.unloadable = unloadable;
    site.drafts = drafts;
    Ok((site, diagnostics))
}

/// The site's `content/` folder, once the options are known to be usable.
fn content_folder(options: &LoadOptions) -> anyhow::Result<PathBuf> {
    if let Some(url) = options.base_url
        && !config::is_absolute_url(url)
    {
        bail!(
            "--base-url `{url}` is not an absolute http(s) URL; e.g. --base-url https://example.org/guide/"
        );
    }
    let content = options.root.join("content");
    if !content.is_dir() {
        bail!(
            "no `content/` folder in {}; run sre-guide in a site root or pass --root DIR",
            options.root.display()
        );
    }
    Ok(content)
}

/// `content/site.toml`, checked; `None` (with a diagnostic) when it is missing or unusable.
fn site_config(
    options: &LoadOptions,
    content: &Path,
    diagnostics: &mut Diagnostics,
) -> anyhow::Result<Option<SiteConfig>> {
    let root = options.root;
    let config_path = content.join("site.toml");
    // Read before the walk, so checked here: its text would be quoted in TOML errors.
    let readable = match crate::load::walk::inside(root, &config_path) {
        Ok(()) => read(options, &config_path, diagnostics),
        Err(WalkError::Outside { link, target }) => {
            diagnostics.push(WalkError::outside(&link, &target));
            None
        }
        Err(error) => return Err(error.into()),
    };
    Ok(match readable {
        Some(file) => config::parse(&file, options.base_url, diagnostics),
        None if !config_path.exists() => {
            diagnostics.push(
                Diagnostic::in_file(
                    Code::SiteTomlMissing,
                    "content/site.toml",
                    "the site has no `content/site.toml`",
                )
                .help("create it with at least `title = \"…\"` and `base_url = \"https://…/\"`"),
            );
            None
        }
        None => None,
    })
}

/// What is below `content/`, in walk order: walked now, or the walk `serve` remembers.
fn walk_content(options: &LoadOptions, content: &Path) -> anyhow::Result<Arc<[Found]>> {
    if let Some(found) = options.cache.and_then(PageMemory::walked) {
        return Ok(found);
    }
    let (found, reusable) = found_below(options.root, content)?;
    let found: Arc<[Found]> = found.into();
    if let (Some(cache), true) = (options.cache, reusable) {
        cache.remember_walk(Arc::clone(&found));
    }
    Ok(found)
}

/// What the walk found, read: pages (drafts set aside), data, assets, and the pages that could
/// not be loaded at all.
#[derive(Default)]
struct Gathered {
    pages: Vec<Page>,
    assets: Vec<Asset>,
    data: Data,
    unloadable: BTreeSet<ContentPath>,
    drafts: BTreeSet<ContentPath>,
}

/// Reads everything the walk found, linting it as `lints` says. Reading, front matter and
/// Markdown are per-file work: all cores do it, and the results are merged in walk order, so
/// diagnostics come out as a sequential load gives them.
fn gather(
    options: &LoadOptions,
    found: &[Found],
    lints: &Lints,
    diagnostics: &mut Diagnostics,
) -> Gathered {
    let root = options.root;
    let loaded = load_pages(options, found, lints);
    let mut gathered = Gathered::default();
    // Pages are large: growing the vector 50,000 pages long copied them over and over.
    gathered
        .pages
        .reserve_exact(loaded.iter().filter(|slot| slot.is_some()).count());
    for (found, loaded) in found.iter().zip(loaded) {
        match found {
            Found::Problem(diagnostic) => diagnostics.push(diagnostic.clone()),
            Found::Data(path, stem) => match read(options, path, diagnostics) {
                Some(file) => {
                    check_strings(&file, 0, file.text(), lints, diagnostics);
                    load_data(stem, &file, &mut gathered.data, diagnostics);
                }
                None => {
                    gathered.data.broken.insert(stem.clone());
                }
            },
            Found::Page(_, content_path) => {
                let (page, page_diagnostics) = loaded.expect("every page is loaded above");
                diagnostics.extend(page_diagnostics.0);
                match page {
                    Some(page) if page.front.draft && !options.drafts => {
                        gathered.drafts.insert(content_path.clone());
                    }
                    Some(page) => gathered.pages.push(page),
                    None => {
                        gathered.unloadable.insert(content_path.clone());
                    }
                }
            }
            Found::Asset(path, content_path) => match std::fs::read(path) {
                Ok(bytes) => gathered.assets.push(Asset {
                    path: content_path.clone(),
                    bytes,
                }),
                Err(error) => diagnostics.push(
                    Diagnostic::in_file(
                        Code::FileUnreadable,
                        relative(root, path),
                        format!("cannot read: {error}"),
                    )
                    .help("check the file's permissions"),
                ),
            },
        }
    }
    gathered
}

/// Every page the walk found, loaded (one slot per found entry, `None` for what is not a page),
/// on all cores; with a memory of earlier loads (`serve`, `lsp`), the pages it lends first, on
/// this thread.
fn load_pages(
    options: &LoadOptions,
    found: &[Found],
    lints: &Lints,
) -> Vec<Option<(Option<Page>, Diagnostics)>> {
    let Some(memory) = options.cache else {
        // A spill that cannot be made only costs time: pages past the budget are parsed again.
        let budget = HtmlBudget::spilling(
            HtmlBudget::BYTES,
            options.spill_in.and_then(|dir| Spill::create_in(dir).ok()),
        );
        // Straight into their slots, on all cores: making 50,000 empty slots first (~20 MB)
        // took ~10 ms on this thread.
        return found
            .par_iter()
            .map(|found| match found {
                Found::Page(path, content_path) => {
                    Some(load_page(options, path, content_path, lints, &budget))
                }
                _ => None,
            })
            .collect();
    };
    // A process that remembers pages between loads (`serve`'s build process, `lsp`) lives on:
    // the allocator would keep the memory the HTML took after the renders gave it back (+40 MB
    // resident for `serve` at 10,000 pages), for a render that is not what it waits on.
    let budget = HtmlBudget::new(0);
    let fingerprint = lints.fingerprint();
    // Linted under other `[lints]`: its diagnostics are stale.
    let current = |(page, diagnostics): (Option<Page>, Diagnostics)| match page {
        Some(page) if page.linted_with != fingerprint => None,
        page => Some((page, diagnostics)),
    };
    let mut loaded: Vec<Option<(Option<Page>, Diagnostics)>> = found
        .iter()
        .map(|found| match found {
            Found::Page(path, content_path) if options.unsaved(path).is_none() => {
                memory.unchanged(content_path).and_then(current)
            }
            _ => None,
        })
        .collect();
    found
        .par_iter()
        .zip(loaded.par_iter_mut())
        .for_each(|(found, slot)| {
            let (Found::Page(path, content_path), None) = (found, &slot) else {
                return;
            };
            let read = || load_page(options, path, content_path, lints, &budget);
            *slot = Some(match options.unsaved(path) {
                None => current(memory.page(path, content_path, &read)).unwrap_or_else(read),
                Some(_) => read(),
            });
        });
    loaded
}

/// One file the walk of `content/` found, or a problem it met, in walk order.
pub(crate) enum Found {
    Problem(Diagnostic),
    /// `data/<stem>.toml`.
    Data(PathBuf, String),
    /// A `.md` page and its path below `content/`.
    Page(PathBuf, ContentPath),
    /// Any other file, published as is.
    Asset(PathBuf, ContentPath),
}

/// Walks `content/` (sequentially: [`walk`] decides which paths may be read) and sorts what it
/// finds; reads nothing. A folder that cannot be read is an environment error. Also says
/// whether the watcher's reports keep the result true: not when the walk met a problem or a
/// symbolic link (a save to a link's target is reported under the target's path).
fn found_below(root: &Path, content: &Path) -> anyhow::Result<(Vec<Found>, bool)> {
    let mut found = Vec::new();
    let mut reusable = true;
    let mut looped = Vec::new();
    for entry in crate::load::walk::below(root, content) {
        let entry = match entry {
            Ok(entry) => entry,
            Err(WalkError::Outside { link, target }) => {
                found.push(Found::Problem(WalkError::outside(&link, &target)));
                reusable = false;
                continue;
            }
            Err(WalkError::NotUtf8(shown)) => {
                found.push(Found::Problem(WalkError::not_utf8(&shown)));
                reusable = false;
                continue;
            }
            Err(WalkError::Walk(error)) => {
                reusable = false;
                // A loop of links is met once per link: reported once.
                let a_loop = error.path().and_then(crate::load::walk::link_loop);
                if let Some(a_loop) = &a_loop {
                    if a_loop.links.iter().any(|link| looped.contains(link)) {
                        continue;
                    }
                    looped.extend(a_loop.links.iter().cloned());
                }
                found.push(Found::Problem(WalkError::diagnostic(root, &error, a_loop)?));
                continue;
            }
        };
        reusable &= !entry.path_is_symlink();
        if !entry.file_type().is_file() {
            continue;
        }
        let path = entry.path().to_path_buf();
        let content_path = ContentPath::of(&relative(content, &path));
        if content_path == "site.toml" {
            continue;
        }
        if let Some(stem) = content_path
            .strip_prefix("data/")
            .and_then(|p| p.strip_suffix(".toml"))
        {
            found.push(Found::Data(path, stem.to_string()));
        } else if content_path.is_page() {
            found.push(Found::Page(path, content_path));
        } else if !content_path.starts_with("data/") {
            found.push(Found::Asset(path, content_path));
        }
    }
    Ok((found, reusable))
}

/// Reads, parses and lints one page, with the diagnostics it caused; runs on any thread.
pub(crate) fn load_page(
    options: &LoadOptions,
    path: &Path,
    content_path: &ContentPath,
    lints: &Lints,
    budget: &HtmlBudget,
) -> (Option<Page>, Diagnostics) {
    let mut diagnostics = Diagnostics::default();
    let page = read(options, path, &mut diagnostics).and_then(|file| {
        let mut page =
            crate::load::page::page(&file, content_path, lints, budget, &mut diagnostics)?;
        // Later stages need the page's metadata, not its text: the text is read again where
        // the page is rendered or quoted, so memory does not grow with the site's text. An
        // unsaved text has no file to be read again from.
        if options.unsaved(path).is_none() {
            page.file = file.let_go(path);
        }
        Some(page)
    });
    (page, diagnostics)
}

/// Reads a text file; unreadable and non-UTF-8 files become diagnostics.
fn read(options: &LoadOptions, path: &Path, out: &mut Diagnostics) -> Option<Arc<SourceFile>> {
    let shown = relative(options.root, path);
    if let Some(text) = options.unsaved(path) {
        let mut text = text.to_string();
        crate::model::source::blank_byte_order_mark(&mut text);
        return Some(SourceFile::new(shown, text));
    }
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) => {
            if path.exists() {
                out.push(
                    Diagnostic::in_file(
                        Code::FileUnreadable,
                        &shown,
                        format!("cannot read `{shown}`: {error}"),
                    )
                    .help("check the file's permissions"),
                );
            }
            return None;
        }
    };
    match String::from_utf8(bytes) {
        Ok(mut text) => {
            crate::model::source::blank_byte_order_mark(&mut text);
            Some(SourceFile::new(shown, text))
        }
        Err(error) => {
            let valid = error.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(error.as_bytes()).into_owned();
            let file = SourceFile::new(&shown, text);
            let offset = crate::model::source::floor_char_boundary(file.text(), valid);
            out.push(
                Diagnostic::at(
                    Code::NotUtf8,
                    &file,
                    offset..offset,
                    "this file is not valid UTF-8 text",
                )
                .help("save it as UTF-8; binary files that are not pages belong outside .md names"),
            );
            None
        }
    }
}

fn load_data(stem: &str, file: &Arc<SourceFile>, data: &mut Data, out: &mut Diagnostics) {
    let Some(table) = parse_toml::<toml::Table>(file, 0, file.text(), out) else {
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
            data.compensation = compensation::parse(file, out);
            data.compensation.is_some()
        }
        "quiz" => {
            data.quiz = crate::load::quiz::parse(file, out);
            data.quiz.is_some()
        }
        _ => true,
    };
    if !typed {
        // Its raw table lacks what the typed view derives; templates would only echo that.
        data.broken.insert(stem.to_string());
        return;
    }
    let json = serde_json::to_value(&table).expect("a TOML table is always representable as JSON");
    data.raw.insert(stem.to_string(), json);
}

/// Reports each route two pages share, once per later page; returns the shared routes.
fn report_shared_routes(pages: &[Page], out: &mut Diagnostics) -> BTreeSet<String> {
    let mut by_route: FastMap<&str, &Page> =
        FastMap::with_capacity_and_hasher(pages.len(), Default::default());
    let mut shared = BTreeSet::new();
    for page in pages {
        if let Some(first) = by_route.insert(&page.route, page) {
            shared.insert(page.route.to_string());
            out.push(
                Diagnostic::at(
                    Code::OutputClash,
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
    shared
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_must_be_absolute() {
        assert!(config::is_absolute_url("https://example.org/guide/"));
        assert!(config::is_absolute_url("http://localhost:1111"));
        for bad in [
            "/guide/",
            "example.org",
            "https://",
            "https:// x",
            "ftp://x/",
        ] {
            assert!(!config::is_absolute_url(bad), "{bad}");
        }
    }
}
