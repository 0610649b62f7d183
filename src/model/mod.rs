//! The values every stage shares. Here: the site as plain data, what [`load`](crate::load)
//! produces and every later stage reads; no I/O, no parsing. Beside it: [`source`] files,
//! [`url`]s and paths, the problems an editor can fix ([`diagnostic`]), and markup read as
//! browsers read it ([`html`]). Relations between pages are content paths (`phases/junior.md`), never
//! references. Templates never see these types directly: [`crate::render::context`] (`site`,
//! `page`, `menu`) and [`crate::render::view`] (`data`) shape them for templates.
#![warn(clippy::missing_docs_in_private_items)]

pub(crate) mod diagnostic;
pub(crate) mod html;
pub(crate) mod lints;
pub(crate) mod source;
pub(crate) mod url;

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
    /// Index of `pages` by route (the first page of a route), hashed with `hasher`; the keys
    /// are the pages' own, not copies.
    by_route: HashTable<usize>,
    /// Index of `pages` by content path: links and data name pages this way, many times a page.
    by_path: HashTable<usize>,
    /// Hashes the keys of `by_route` and `by_path`.
    hasher: foldhash::fast::RandomState,
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
        let hasher = foldhash::fast::RandomState::default();
        let hash = |key: &str| hasher.hash_one(key);
        let mut by_route: HashTable<usize> = HashTable::with_capacity(pages.len());
        let mut by_path: HashTable<usize> = HashTable::with_capacity(pages.len());
        let mut children: FastMap<Route, Vec<usize>> = FastMap::default();
        for (index, page) in pages.iter().enumerate() {
            let (route, path) = (&*page.route, page.path.as_str());
            by_route
                .entry(
                    hash(route),
                    |&i| *pages[i].route == *route,
                    |&i| hash(&pages[i].route),
                )
                .or_insert(index);
            by_path
                .entry(
                    hash(path),
                    |&i| pages[i].path == path,
                    |&i| hash(pages[i].path.as_str()),
                )
                .or_insert(index);
            match page
                .route
                .parent_str()
                .map(|parent| children.get_mut(parent))
            {
                Some(Some(siblings)) => siblings.push(index),
                Some(None) => {
                    children.extend(page.parent_route().map(|parent| (parent, vec![index])));
                }
                None => {}
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
            hasher,
            children,
            unloadable: BTreeSet::new(),
            drafts: BTreeSet::new(),
            reading: std::sync::OnceLock::new(),
        }
    }

    /// The page published at `route` (`"phases/junior/"`, `""` for the home page), if any.
    pub(crate) fn page_at(&self, route: &str) -> Option<&Page> {
        let hash = self.hasher.hash_one(route);
        let index = self
            .by_route
            .find(hash, |&i| *self.pages[i].route == *route)?;
        Some(&self.pages[*index])
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
        let hash = self.hasher.hash_one(path);
        let index = self.by_path.find(hash, |&i| self.pages[i].path == path)?;
        Some(&self.pages[*index])
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

/// A reference to a page by content path, with where it was written (for "does not exist").
#[derive(Debug, Clone)]
pub(crate) struct PageRef {
    /// The page named: `phases/junior.md`.
    pub(crate) path: ContentPath,
    /// The file that names it (`content/site.toml`, `content/data/ladder.toml`, …).
    pub(crate) file: Arc<SourceFile>,
    /// Where in `file` the path is written.
    pub(crate) span: Span,
}

/// One `content/**/*.md` file: its front matter, where it is published and what later stages
/// need of its Markdown (headings, links, word count), but not its text.
#[derive(Debug, Clone)]
pub(crate) struct Page {
    /// The source file, named relative to the site root (`content/phases/junior.md`); its text
    /// is let go of once loaded and read again where the page is shown.
    pub(crate) file: Arc<SourceFile>,
    /// Relative to `content/`: `phases/junior.md`.
    pub(crate) path: ContentPath,
    /// The URL path below the site root: `phases/junior/`, `""` for the home page.
    pub(crate) route: Route,
    /// The page's `+++` front matter.
    pub(crate) front: FrontMatter,
    /// Where the Markdown body starts in `file`. The body's HTML is not kept: it is rendered
    /// again where a page is shown ([`crate::markdown::body_html`]), so memory holds metadata,
    /// not text twice over.
    pub(crate) body_start: usize,
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

/// `data/ladder.toml`: the career levels, the moves between them and one phase per level.
#[derive(Debug)]
pub(crate) struct Ladder {
    /// `content/data/ladder.toml` itself, where problems with its entries are reported.
    pub(crate) file: Arc<SourceFile>,
    /// `[[levels]]`, lowest first.
    pub(crate) levels: Vec<Level>,
    /// `[[milestones]]`: the career timeline, in the order written.
    pub(crate) milestones: Vec<Milestone>,
    /// `[[phases]]`, in the order written.
    pub(crate) phases: Vec<Phase>,
    /// Ids of levels left out for a problem of their own (already reported), so references to
    /// them are dropped without a second report.
    pub(crate) left_out: BTreeSet<String>,
}

impl Ladder {
    /// The level with id `id` (`"senior"`), unless it is missing or was left out.
    pub(crate) fn level(&self, id: &str) -> Option<&Level> {
        self.levels.iter().find(|level| level.id == id)
    }
}

/// One `[[levels]]` entry of `data/ladder.toml`.
#[derive(Debug)]
pub(crate) struct Level {
    /// Stable id, `[a-z0-9-]`: `"junior"`. Pages name it in `[extra] level`.
    pub(crate) id: String,
    /// Where `id` is written in `data/ladder.toml`, for problems with the ids made of it.
    pub(crate) id_span: Span,
    /// The level's name as shown: `"Junior SRE"`.
    pub(crate) name: String,
    /// Typical years at this level: `{min = 0, max = 2}`.
    pub(crate) tenure: Years,
    /// What unlocks advancement from this level (prose, typeset when shown).
    pub(crate) unlocks: String,
    /// The most common plateau at this level (prose, typeset when shown).
    pub(crate) plateau: String,
}

/// A span of years; `max` is open-ended when absent ("10+").
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Years {
    /// The first year of the span: `4`.
    pub(crate) min: u32,
    /// The last year, `None` for an open end: `Some(7)`.
    pub(crate) max: Option<u32>,
}

impl Years {
    /// The span as every page writes it: `"4–7 years"`, `"10+ years"`.
    pub(crate) fn label(&self) -> String {
        match self.max {
            Some(max) => format!("{}–{} years", self.min, max),
            None => format!("{}+ years", self.min),
        }
    }
}

/// One `[[milestones]]` entry of `data/ladder.toml`: a typical move from one level to another.
#[derive(Debug)]
pub(crate) struct Milestone {
    /// The level the move starts from: `"junior"`.
    pub(crate) from: LevelRef,
    /// The level the move reaches: `"senior"`.
    pub(crate) to: LevelRef,
    /// How long the move typically takes: `{min = 4, max = 7}`.
    pub(crate) years: Years,
    /// A remark about the move (prose); empty when absent.
    pub(crate) note: String,
}

/// A level id with where it was written, so a missing level can be pointed at.
#[derive(Debug, Clone)]
pub(crate) struct LevelRef {
    /// The level id as written: `"senior"`.
    pub(crate) id: String,
    /// The data file that names it.
    pub(crate) file: Arc<SourceFile>,
    /// Where in `file` the id is written.
    pub(crate) span: Span,
}

/// One `[[phases]]` entry of `data/ladder.toml`: what it takes to advance from one level.
#[derive(Debug)]
pub(crate) struct Phase {
    /// Stable id: `"phase-1"`.
    pub(crate) id: String,
    /// The phase's number as shown: `1` for "Phase 1".
    pub(crate) number: u32,
    /// The level this phase is about: `"junior"`.
    pub(crate) level: LevelRef,
    /// The phase's page, by content path: `"phases/junior.md"`.
    pub(crate) page: PageRef,
    /// The phase's title: `"Owning a failure from end to end"`.
    pub(crate) title: String,
    /// The header of the comparison's "before" column (`"Day one, before this phase"`); `None`
    /// shows the previous level's name.
    pub(crate) baseline: Option<String>,
    /// `[[phases.dimensions]]`: the comparison with the level before, dimension by dimension.
    pub(crate) dimensions: Vec<Dimension>,
    /// `[phases.checklist]`.
    pub(crate) checklist: Checklist,
}

/// One row of a phase's comparison with the level before:
/// `{name: "Scope", before: "…", now: "…"}`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Dimension {
    /// What is compared: `"Scope"`.
    pub(crate) name: String,
    /// What it looks like at the level before (prose).
    pub(crate) before: String,
    /// What it looks like in this phase (prose).
    pub(crate) now: String,
}

/// A phase's checklist, as templates see it in `phase.checklist`:
/// `{kind: "exit", items: [{id, text}, …]}`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Checklist {
    /// `"exit"` or `"operating"`.
    pub(crate) kind: ChecklistKind,
    /// The items, in the order written.
    pub(crate) items: Vec<ChecklistItem>,
}

/// What a checklist is for, serialized lowercase (`"exit"`, `"operating"`).
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
#[serde(rename_all = "lowercase")]
pub(crate) enum ChecklistKind {
    /// What to have done before moving on.
    Exit,
    /// What working at the level looks like (the top phase).
    Operating,
}

/// One checklist item: `{id: "led-three-incidents-as-commander", text: "…"}`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ChecklistItem {
    /// Stable id (`"led-three-incidents-as-commander"`): the browser stores a reader's tick under
    /// it, so rewording or reordering items keeps progress. The theme gives the item the id
    /// `item-<id>`.
    pub(crate) id: String,
    /// The item's text (prose).
    pub(crate) text: String,
    /// Where `id` is written in `data/ladder.toml`, for problems with the ids made of it.
    #[serde(skip)]
    pub(crate) id_span: Span,
}

/// `data/compensation.toml`: pay ranges by level.
#[derive(Debug)]
pub(crate) struct Compensation {
    /// A currency code: `"USD"` (amounts show as `$87,500`; any other code as `EUR 87,500`).
    pub(crate) currency: String,
    /// Where the figures apply: `"United States, general market"`.
    pub(crate) region: String,
    /// What the figures are (prose); empty when absent.
    pub(crate) note: String,
    /// `[[ranges]]`, at most one per level; a level may have none.
    pub(crate) ranges: Vec<PayRange>,
}

impl Compensation {
    /// One row per level, in ladder order, with its range if one is published (a level may have
    /// none). Without a ladder, one row per range, named by its level id.
    pub(crate) fn rows<'a>(
        &'a self,
        ladder: Option<&'a Ladder>,
    ) -> Vec<(&'a str, &'a str, Option<&'a PayRange>)> {
        let range_of = |id: &str| self.ranges.iter().find(|r| r.level.id == id);
        match ladder {
            Some(ladder) => ladder
                .levels
                .iter()
                .map(|l| (l.id.as_str(), l.name.as_str(), range_of(&l.id)))
                .collect(),
            None => self
                .ranges
                .iter()
                .map(|r| (r.level.id.as_str(), r.level.id.as_str(), Some(r)))
                .collect(),
        }
    }
}

/// One `[[ranges]]` entry of `data/compensation.toml`: a level's yearly pay.
#[derive(Debug)]
pub(crate) struct PayRange {
    /// The level it is for: `"junior"`.
    pub(crate) level: LevelRef,
    /// The low end, in whole units of the currency: `87500`.
    pub(crate) min: u64,
    /// The high end, at least `min`: `126500`.
    pub(crate) max: u64,
}

/// `data/quiz.toml`: the "Where are you now?" questions and the rules that route a count of yes
/// answers to a phase.
#[derive(Debug)]
pub(crate) struct Quiz {
    /// `[[questions]]`, in the order asked.
    pub(crate) questions: Vec<Question>,
    /// `[[rules]]`: together they cover every count from 0 to the number of questions once.
    pub(crate) rules: Vec<Rule>,
}

/// One yes/no question of the quiz: `{id: "owns-on-call", text: "…", hint: "…"}`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Question {
    /// Stable id: `"owns-on-call"`.
    pub(crate) id: String,
    /// The question (prose).
    pub(crate) text: String,
    /// A line of help under the question (prose); empty when absent.
    pub(crate) hint: String,
}

/// One `[[rules]]` entry of `data/quiz.toml`: a range of yes counts and where it sends a reader.
#[derive(Debug)]
pub(crate) struct Rule {
    /// Stable id, also the slug of its static result page: `"phase-1"`.
    pub(crate) id: String,
    /// The fewest yes answers it routes, inclusive: `0`.
    pub(crate) min: u32,
    /// The most yes answers it routes, inclusive: `1`.
    pub(crate) max: u32,
    /// Where to start, by content path: `"phases/junior.md"`.
    pub(crate) page: PageRef,
    /// Who the reader likely is: `"Junior SRE or early Mid-level"`.
    pub(crate) label: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenure_labels_show_open_ends() {
        assert_eq!(
            Years {
                min: 0,
                max: Some(2)
            }
            .label(),
            "0–2 years"
        );
        assert_eq!(Years { min: 10, max: None }.label(), "10+ years");
    }
}
