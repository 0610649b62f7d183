//! The values every stage shares. Here: the site as plain data, what [`load`](crate::load)
//! produces and every later stage reads; no I/O, no parsing. Beside it: [`source`] files,
//! [`url`]s and paths, the problems an editor can fix ([`diagnostic`]), and markup read as
//! browsers read it ([`html`]); the typed data files' values ([`typed`]); a page's HTML from load
//! to render ([`loaded_html`]). Relations between pages are content paths (`phases/junior.md`), never
//! references. Templates never see these types directly: [`crate::render::context`] (`site`,
//! `page`, `menu`) and [`crate::render::view`] (`data`) shape them for templates.
#![warn(clippy::missing_docs_in_private_items)]

pub(crate) mod diagnostic;
pub(crate) mod html;
pub(crate) mod lints;
pub(crate) mod loaded_html;
pub(crate) mod source;
pub(crate) mod typed;
pub(crate) mod url;

pub(crate) use loaded_html::LoadedHtml;
pub(crate) use typed::{
    Checklist, ChecklistItem, ChecklistKind, Compensation, Dimension, Ladder, Level, LevelRef,
    Milestone, PageRef, PayRange, Phase, Question, Quiz, Rule, Years,
};

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use hashbrown::HashTable;
use serde::Serialize;
use std::hash::BuildHasher as _;

use crate::model::source::{SourceFile, Span};
use crate::model::url::{ContentPath, Route};

/// The whole site as loaded from `content/`: configuration, pages, data files and assets, with
/// the indexes every later stage looks pages up by. Only a
/// [`CheckedSite`](crate::check::CheckedSite) that wraps one can be rendered.
#[derive(Debug)]
pub(crate) struct Site {
    /// The site root: the folder holding `content/` and `themes/` (`--root`, default `.`).
    pub(crate) root: PathBuf,
    /// `content/site.toml`.
    pub(crate) config: SiteConfig,
    /// Sorted by content path; drafts are already left out of a build.
    pub(crate) pages: Vec<Page>,
    /// `content/data/*.toml`: the three typed files and every data file as parsed.
    pub(crate) data: Data,
    /// Files under `content/` that are not pages or data, copied as they are.
    pub(crate) assets: Vec<Asset>,
    /// Index of `pages` by route (the first page of a route).
    by_route: KeyIndex,
    /// Index of `pages` by content path: links and data name pages this way, many times a page.
    by_path: KeyIndex,
    /// The pages directly below each route, by weight then path (indices into `pages`).
    pub(crate) children: FastMap<Route, Vec<usize>>,
    /// Content paths of pages that exist but could not be loaded (already a diagnostic), so
    /// links to them are not reported a second time as missing.
    pub(crate) unloadable: BTreeSet<ContentPath>,
    /// Content paths of draft pages, left out of the site; a link to one says so.
    pub(crate) drafts: BTreeSet<ContentPath>,
    /// Previous/next in reading order, worked out once on first use (see
    /// [`crate::render::context`] and [`crate::check::reading_order`]).
    pub(crate) reading: std::sync::OnceLock<HashMap<usize, Neighbours>>,
}

/// A map keyed by paths the site itself names: foldhash, not SipHash (no key comes from a
/// client), since `serve` builds these indexes again on every save.
pub(crate) type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

impl Site {
    /// Assembles a site and indexes its pages by route and by section. `pages` must be sorted by
    /// path; a route published twice keeps its first page (the duplicate is a diagnostic).
    pub(crate) fn new(
        root: PathBuf,
        config: SiteConfig,
        pages: Vec<Page>,
        data: Data,
        assets: Vec<Asset>,
    ) -> Site {
        let by_route = KeyIndex::of(pages.len(), |i| &pages[i].route);
        let by_path = KeyIndex::of(pages.len(), |i| pages[i].path.as_str());
        let mut children: FastMap<Route, Vec<usize>> = FastMap::default();
        for (index, page) in pages.iter().enumerate() {
            let Some(parent) = page.route.parent_str() else {
                continue;
            };
            match children.get_mut(parent) {
                Some(siblings) => siblings.push(index),
                None => {
                    children.extend(page.parent_route().map(|parent| (parent, vec![index])));
                }
            }
        }
        for list in children.values_mut() {
            list.sort_by(|&a, &b| {
                (pages[a].front.weight, &pages[a].path)
                    .cmp(&(pages[b].front.weight, &pages[b].path))
            });
        }
        Site {
            root,
            config,
            pages,
            data,
            assets,
            by_route,
            by_path,
            children,
            unloadable: BTreeSet::new(),
            drafts: BTreeSet::new(),
            reading: std::sync::OnceLock::new(),
        }
    }

    /// The page published at `route` (`"phases/junior/"`, `""` for the home page), if any.
    pub(crate) fn page_at(&self, route: &str) -> Option<&Page> {
        let index = self.by_route.find(route, |i| &self.pages[i].route)?;
        Some(&self.pages[index])
    }

    /// The pages directly below `route`, by weight.
    pub(crate) fn children_of(&self, route: &str) -> impl Iterator<Item = &Page> {
        self.children
            .get(route)
            .into_iter()
            .flatten()
            .map(|&index| &self.pages[index])
    }

    /// The page at content path `path` (`"phases/junior.md"`), if it loaded.
    pub(crate) fn page(&self, path: &str) -> Option<&Page> {
        let index = self.by_path.find(path, |i| self.pages[i].path.as_str())?;
        Some(&self.pages[index])
    }
}

/// Positions in a list found by a text key each item has (a page's route or path), keeping no
/// copy of the keys: `key_of(i)` reads item `i`'s. The first item with a key wins.
#[derive(Debug)]
struct KeyIndex {
    /// Positions, hashed by their item's key.
    table: HashTable<usize>,
    /// Hashes the keys: foldhash, as [`FastMap`].
    hasher: foldhash::fast::RandomState,
}

impl KeyIndex {
    /// The index of items `0..len`.
    fn of<'a>(len: usize, key_of: impl Fn(usize) -> &'a str) -> KeyIndex {
        let hasher = foldhash::fast::RandomState::default();
        let mut table = HashTable::with_capacity(len);
        for index in 0..len {
            let key = key_of(index);
            table
                .entry(
                    hasher.hash_one(key),
                    |&i| key_of(i) == key,
                    |&i| hasher.hash_one(key_of(i)),
                )
                .or_insert(index);
        }
        KeyIndex { table, hasher }
    }

    /// The position of the first item whose key is `key`.
    fn find<'a>(&self, key: &str, key_of: impl Fn(usize) -> &'a str) -> Option<usize> {
        let hash = self.hasher.hash_one(key);
        self.table.find(hash, |&i| key_of(i) == key).copied()
    }
}

/// A page's previous and next page in reading order (indices into [`Site::pages`]).
pub(crate) type Neighbours = (Option<usize>, Option<usize>);

/// `content/site.toml`: the site's name, where it is published, its theme and menu.
#[derive(Debug)]
pub(crate) struct SiteConfig {
    /// The site's title: `"SRE Career Guide"`. Templates see it as `site.title`.
    pub(crate) title: String,
    /// One sentence about the site, for meta descriptions. Templates: `site.description`.
    pub(crate) description: String,
    /// Where the site's root is published, subpath included, always ending with `/`
    /// (`"https://example.org/guide/"`; `--base-url` overrides it). Only canonical links,
    /// `og:url`, link-preview images, `sitemap.xml` and `robots.txt` use it. Templates:
    /// `site.base_url`.
    pub(crate) base_url: String,
    /// The language of every page, for `<html lang>`: `"en"`. Templates: `site.language`.
    pub(crate) language: String,
    /// The theme's folder name below `themes/`: `"default"`.
    pub(crate) theme: String,
    /// `[[menu]]`, in order: what templates see as `menu`.
    pub(crate) menu: Vec<MenuItem>,
    /// "Edit this page" link template (`{path}` → `content/…md`); no link without it.
    pub(crate) edit_url: Option<String>,
    /// `[publish] headers = true`: publish a `_headers` file (see
    /// [`crate::render::host_headers`]).
    pub(crate) publish_headers: bool,
    /// How long one page may render (`timeout` in site.toml): past it the build fails.
    pub(crate) timeout: std::time::Duration,
    /// `[lints]`: each content lint's level, and the acronyms allowed in capitals.
    pub(crate) lints: lints::Lints,
    /// `[offline] enabled = true`: publish a service worker that keeps every file of the build.
    pub(crate) offline: bool,
    /// `[search] synonyms`: groups of lower-case words search treats as one.
    pub(crate) search_synonyms: Vec<Vec<String>>,
}

/// One `[[menu]]` entry of `site.toml`.
#[derive(Debug)]
pub(crate) struct MenuItem {
    /// The text of the menu link: `"Phases"`.
    pub(crate) title: String,
    /// The page it links to, by content path (`page = "phases/_index.md"`); checked to exist.
    pub(crate) page: PageRef,
}

/// One `content/**/*.md` file: its front matter, where it is published and what later stages
/// need of its Markdown (headings, links, word count), but not its text.
#[derive(Debug, Clone)]
pub(crate) struct Page {
    /// The source file, named relative to the site root (`content/phases/junior.md`); its text
    /// is let go of once loaded and read again where the body is shown again or quoted.
    pub(crate) file: Arc<SourceFile>,
    /// Relative to `content/`: `phases/junior.md`.
    pub(crate) path: ContentPath,
    /// The URL path below the site root: `phases/junior/`, `""` for the home page.
    pub(crate) route: Route,
    /// The page's `+++` front matter.
    pub(crate) front: FrontMatter,
    /// Where the Markdown body starts in `file`, for rendering the body again where it is shown
    /// other than on its own page ([`crate::markdown::body_html`]).
    pub(crate) body_start: usize,
    /// The body's HTML for its own page, written by the parse that loaded it and held only
    /// until the page is written.
    pub(crate) html: LoadedHtml,
    /// The table of contents: the page's `##`–`######` headings, nested by level. Templates:
    /// `page.toc`.
    pub(crate) toc: Vec<TocEntry>,
    /// What `toc` does not say of the headings' ids as planned when the page was read, so
    /// rendering the body writes them without reading the whole body first again.
    pub(crate) headings: HeadingPlan,
    /// Every link and image in the body that is not external (`https:`, `mailto:`, `//host`,
    /// autolinks): to an anchor of this page, another page or a file of `content/`; checked by
    /// [`crate::check::links`] and [`crate::check::anchors`].
    pub(crate) links: Vec<Link>,
    /// Words in the body's text (code included): `830`. Templates: `page.word_count`.
    pub(crate) word_count: usize,
    /// The [`lints::Lints::fingerprint`] of the `[lints]` the page was linted with: a page
    /// remembered from a load under other `[lints]` is read again.
    pub(crate) linted_with: u64,
}

impl Page {
    /// Whether this is a section's own page (`_index.md` at any depth).
    pub(crate) fn is_section(&self) -> bool {
        self.path.is_section()
    }

    /// The route of the section this page belongs to (`phases/` for `phases/junior.md`).
    pub(crate) fn parent_route(&self) -> Option<Route> {
        self.route.parent()
    }
}

/// The `+++` TOML block at the top of a page; an unknown key is an error.
#[derive(Debug, Clone)]
pub(crate) struct FrontMatter {
    /// `title`, required: `"Phase 1: Junior SRE"`. Templates: `page.title`.
    pub(crate) title: String,
    /// `description`, for the meta description and summaries; empty when absent.
    pub(crate) description: String,
    /// `template`, a file below the theme's `templates/` (`"phase.html"`) with where it is
    /// written; `None` uses `page.html`, or `section.html` for an `_index.md`.
    pub(crate) template: Option<(String, Span)>,
    /// `weight`, the order within its section (ascending, ties by path); `0` when absent.
    pub(crate) weight: i64,
    /// `draft = true`: left out of the site unless `--drafts` is given.
    pub(crate) draft: bool,
    /// `[extra]`, any table, as parsed (`{"level": "junior"}`); `{}` when absent. Templates:
    /// `page.extra`.
    pub(crate) extra: serde_json::Value,
    /// `[extra] level`, kept with its span because it must name a ladder level.
    pub(crate) level: Option<(String, Span)>,
    /// `kind`: `"page"` (the default) or `"quiz"`.
    pub(crate) kind: PageKind,
}

/// What a page is for, from front matter `kind`: special pages are found by it, never by the
/// name of their template.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum PageKind {
    /// An ordinary page (`kind = "page"`, the default).
    #[default]
    Page,
    /// The "Where are you now?" quiz: it also gets one static result page per rule.
    Quiz,
}

/// Each heading's id as planned once per load ([`crate::markdown`]), beside the toc: the toc
/// holds the ids of the `##`–`######` headings in order, and this the rest, so a page keeps a
/// few bytes for it, not a copy of every id.
#[derive(Debug, Clone, Default)]
pub(crate) struct HeadingPlan {
    /// The `#` headings (not in the toc): their place among all the page's headings, their id.
    pub(crate) top_level: Vec<(usize, String)>,
    /// The places (ascending) of the headings that hold interactive content (a link, a button,
    /// a footnote reference), which a link cannot contain: their self-link goes beside the text.
    pub(crate) interactive: Vec<usize>,
}

/// One heading in a page's table of contents, as templates see it in `page.toc`:
/// `{level: 2, id: "junior-what-counts", title: "Own a failure end to end", children: […]}`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct TocEntry {
    /// The heading's level, `2`–`6` (`2` for `##`; `#` headings are not listed).
    pub(crate) level: u8,
    /// The heading's id on the page, written `{#id}` or made from its text: `"junior-what-counts"`.
    pub(crate) id: String,
    /// The heading's text without its markup (smart punctuation applied): `"Own a failure end to
    /// end"`.
    pub(crate) title: String,
    /// The headings nested below this one (an `###` under an `##`).
    pub(crate) children: Vec<TocEntry>,
    /// Where the heading is written in the page's file (for editors; templates never see it).
    #[serde(skip)]
    pub(crate) span: Span,
}

/// A link or image in a page's body that names something of the site, resolved.
#[derive(Debug, Clone)]
pub(crate) struct Link {
    /// What it points at: this page, another page or a file.
    pub(crate) target: LinkTarget,
    /// The fragment after `#` as written (`certifications` in `faq.md#certifications`).
    pub(crate) anchor: Option<String>,
    /// The link's destination as written, for messages.
    pub(crate) written: String,
    /// Where the destination is written in the page's file.
    pub(crate) span: Span,
}

/// What a [`Link`] resolves to.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum LinkTarget {
    /// `#anchor` on the same page.
    SamePage,
    /// Another page, by content path (`phases/staff.md`).
    Page(ContentPath),
    /// A non-Markdown file under `content/`, by content path.
    Asset(ContentPath),
}

/// A file under `content/` that is neither a page nor data (an image, a PDF), published as it
/// is at the same path.
#[derive(Debug, Clone)]
pub(crate) struct Asset {
    /// Relative to `content/`: `img/ladder.png`.
    pub(crate) path: ContentPath,
    /// The file's contents.
    pub(crate) bytes: Vec<u8>,
}

/// Everything under `content/data/`. Templates see it as `data` (shaped by
/// [`crate::render::view::data`]).
#[derive(Debug, Default)]
pub(crate) struct Data {
    /// `data/ladder.toml`, typed and checked; `None` when absent or unreadable.
    pub(crate) ladder: Option<Ladder>,
    /// `data/compensation.toml`, typed and checked; `None` when absent or unreadable.
    pub(crate) compensation: Option<Compensation>,
    /// `data/quiz.toml`, typed and checked; `None` when absent or unreadable.
    pub(crate) quiz: Option<Quiz>,
    /// Every `data/*.toml` by stem, as parsed, for templates.
    pub(crate) raw: BTreeMap<String, serde_json::Value>,
    /// Stems of data files that exist but could not be read or parsed (already a diagnostic),
    /// so references into them are not reported a second time.
    pub(crate) broken: BTreeSet<String>,
}

impl Data {
    /// The typed data files that loaded (`ladder`, `compensation`, `quiz`): the build publishes
    /// each as JSON with its JSON Schema.
    pub(crate) fn typed_stems(&self) -> Vec<&'static str> {
        [
            ("ladder", self.ladder.is_some()),
            ("compensation", self.compensation.is_some()),
            ("quiz", self.quiz.is_some()),
        ]
        .into_iter()
        .filter(|(stem, loaded)| *loaded && self.raw.contains_key(*stem))
        .map(|(stem, _)| stem)
        .collect()
    }
}
