//! The site as plain data: what `load` produces and every later stage reads. No I/O, no parsing.
//! Relations between pages are content paths (`phases/junior.md`), never references.

pub(crate) mod source;
pub(crate) mod url;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use serde::Serialize;

use crate::model::source::{SourceFile, Span};
use crate::model::url::{ContentPath, Route};

#[derive(Debug)]
pub(crate) struct Site {
    pub(crate) root: PathBuf,
    pub(crate) config: SiteConfig,
    /// Sorted by content path; drafts are already left out of a build.
    pub(crate) pages: Vec<Page>,
    pub(crate) data: Data,
    /// Files under `content/` that are not pages or data, copied as they are.
    pub(crate) assets: Vec<Asset>,
    /// Index of `pages` by route.
    pub(crate) by_route: HashMap<Route, usize>,
    /// Index of `pages` by content path: links and data name pages this way, many times a page.
    by_path: HashMap<ContentPath, usize>,
    /// The pages directly below each route, by weight then path (indices into `pages`).
    pub(crate) children: HashMap<Route, Vec<usize>>,
    /// Content paths of pages that exist but could not be loaded (already a diagnostic), so
    /// links to them are not reported a second time as missing.
    pub(crate) unloadable: BTreeSet<ContentPath>,
    /// Content paths of draft pages, left out of the site; a link to one says so.
    pub(crate) drafts: BTreeSet<ContentPath>,
    /// Previous/next in reading order, worked out once on first use (see `context`).
    pub(crate) reading: std::sync::OnceLock<HashMap<usize, Neighbours>>,
}

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
        let mut by_route = HashMap::with_capacity(pages.len());
        let mut by_path = HashMap::with_capacity(pages.len());
        let mut children: HashMap<Route, Vec<usize>> = HashMap::new();
        for (index, page) in pages.iter().enumerate() {
            by_route.entry(page.route.clone()).or_insert(index);
            by_path.insert(page.path.clone(), index);
            if let Some(parent) = page.parent_route() {
                children.entry(parent).or_default().push(index);
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

    pub(crate) fn page_at(&self, route: &str) -> Option<&Page> {
        self.by_route.get(route).map(|&index| &self.pages[index])
    }

    /// The pages directly below `route`, by weight.
    pub(crate) fn children_of(&self, route: &str) -> impl Iterator<Item = &Page> {
        self.children
            .get(route)
            .into_iter()
            .flatten()
            .map(|&index| &self.pages[index])
    }

    pub(crate) fn page(&self, path: &str) -> Option<&Page> {
        self.by_path.get(path).map(|&index| &self.pages[index])
    }
}

/// A page's previous and next page in reading order (indices into `Site::pages`).
pub(crate) type Neighbours = (Option<usize>, Option<usize>);

#[derive(Debug)]
pub(crate) struct SiteConfig {
    pub(crate) title: String,
    pub(crate) description: String,
    /// Always ends with `/`.
    pub(crate) base_url: String,
    pub(crate) language: String,
    pub(crate) theme: String,
    pub(crate) menu: Vec<MenuItem>,
    /// "Edit this page" link template (`{path}` → `content/…md`); no link without it.
    pub(crate) edit_url: Option<String>,
    /// `[publish] headers = true`: publish a `_headers` file (see `headers.rs`).
    pub(crate) publish_headers: bool,
    /// How long one page may render (`timeout` in site.toml): past it the build fails.
    pub(crate) timeout: std::time::Duration,
    /// `[offline] enabled = true`: publish a service worker that keeps every file of the build.
    pub(crate) offline: bool,
    /// `[search] synonyms`: groups of lower-case words search treats as one.
    pub(crate) search_synonyms: Vec<Vec<String>>,
}

#[derive(Debug)]
pub(crate) struct MenuItem {
    pub(crate) title: String,
    pub(crate) page: PageRef,
}

/// A reference to a page by content path, with where it was written (for "does not exist").
#[derive(Debug, Clone)]
pub(crate) struct PageRef {
    pub(crate) path: ContentPath,
    pub(crate) file: Arc<SourceFile>,
    pub(crate) span: Span,
}

#[derive(Debug)]
pub(crate) struct Page {
    pub(crate) file: Arc<SourceFile>,
    /// Relative to `content/`: `phases/junior.md`.
    pub(crate) path: ContentPath,
    /// The URL path below the site root: `phases/junior/`, `""` for the home page.
    pub(crate) route: Route,
    pub(crate) front: FrontMatter,
    /// Where the Markdown body starts in `file`. The body's HTML is not kept: it is rendered
    /// again where a page is shown (`markdown::body_html`), so memory holds metadata, not text
    /// twice over.
    pub(crate) body_start: usize,
    pub(crate) toc: Vec<TocEntry>,
    pub(crate) links: Vec<Link>,
    pub(crate) word_count: usize,
}

impl Page {
    pub(crate) fn is_section(&self) -> bool {
        self.path.is_section()
    }

    /// The route of the section this page belongs to (`phases/` for `phases/junior.md`).
    pub(crate) fn parent_route(&self) -> Option<Route> {
        self.route.parent()
    }
}

#[derive(Debug)]
pub(crate) struct FrontMatter {
    pub(crate) title: String,
    pub(crate) description: String,
    pub(crate) template: Option<(String, Span)>,
    pub(crate) weight: i64,
    pub(crate) draft: bool,
    pub(crate) extra: serde_json::Value,
    /// `[extra] level`, kept with its span because it must name a ladder level.
    pub(crate) level: Option<(String, Span)>,
    pub(crate) kind: PageKind,
}

/// What a page is for, from front matter `kind`: special pages are found by it, never by the
/// name of their template.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum PageKind {
    #[default]
    Page,
    /// The "Where are you now?" quiz: it also gets one static result page per rule.
    Quiz,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct TocEntry {
    pub(crate) level: u8,
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) children: Vec<TocEntry>,
}

#[derive(Debug, Clone)]
pub(crate) struct Link {
    pub(crate) target: LinkTarget,
    pub(crate) anchor: Option<String>,
    /// The link's destination as written, for messages.
    pub(crate) written: String,
    pub(crate) span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum LinkTarget {
    /// `#anchor` on the same page.
    SamePage,
    /// Another page, by content path (`phases/staff.md`).
    Page(ContentPath),
    /// A non-Markdown file under `content/`, by content path.
    Asset(ContentPath),
}

#[derive(Debug, Clone)]
pub(crate) struct Asset {
    /// Relative to `content/`.
    pub(crate) path: ContentPath,
    pub(crate) bytes: Vec<u8>,
}

#[derive(Debug, Default)]
pub(crate) struct Data {
    pub(crate) ladder: Option<Ladder>,
    pub(crate) compensation: Option<Compensation>,
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

#[derive(Debug)]
pub(crate) struct Ladder {
    pub(crate) levels: Vec<Level>,
    pub(crate) milestones: Vec<Milestone>,
    pub(crate) phases: Vec<Phase>,
    /// Ids of levels left out for a problem of their own (already reported), so references to
    /// them are dropped without a second report.
    pub(crate) left_out: BTreeSet<String>,
}

impl Ladder {
    pub(crate) fn level(&self, id: &str) -> Option<&Level> {
        self.levels.iter().find(|level| level.id == id)
    }
}

#[derive(Debug)]
pub(crate) struct Level {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) tenure: Years,
    pub(crate) unlocks: String,
    pub(crate) plateau: String,
}

/// A span of years; `max` is open-ended when absent ("10+").
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Years {
    pub(crate) min: u32,
    pub(crate) max: Option<u32>,
}

impl Years {
    pub(crate) fn label(&self) -> String {
        match self.max {
            Some(max) => format!("{}–{} years", self.min, max),
            None => format!("{}+ years", self.min),
        }
    }
}

#[derive(Debug)]
pub(crate) struct Milestone {
    pub(crate) from: LevelRef,
    pub(crate) to: LevelRef,
    pub(crate) years: Years,
    pub(crate) note: String,
}

/// A level id with where it was written, so a missing level can be pointed at.
#[derive(Debug, Clone)]
pub(crate) struct LevelRef {
    pub(crate) id: String,
    pub(crate) file: Arc<SourceFile>,
    pub(crate) span: Span,
}

#[derive(Debug)]
pub(crate) struct Phase {
    pub(crate) id: String,
    pub(crate) number: u32,
    pub(crate) level: LevelRef,
    pub(crate) page: PageRef,
    pub(crate) title: String,
    pub(crate) baseline: Option<String>,
    pub(crate) dimensions: Vec<Dimension>,
    pub(crate) checklist: Checklist,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Dimension {
    pub(crate) name: String,
    pub(crate) before: String,
    pub(crate) now: String,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Checklist {
    pub(crate) kind: ChecklistKind,
    pub(crate) items: Vec<ChecklistItem>,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
#[serde(rename_all = "lowercase")]
pub(crate) enum ChecklistKind {
    /// What to have done before moving on.
    Exit,
    /// What working at the level looks like (the top phase).
    Operating,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct ChecklistItem {
    pub(crate) id: String,
    pub(crate) text: String,
}

#[derive(Debug)]
pub(crate) struct Compensation {
    pub(crate) currency: String,
    pub(crate) region: String,
    pub(crate) note: String,
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

#[derive(Debug)]
pub(crate) struct PayRange {
    pub(crate) level: LevelRef,
    pub(crate) min: u64,
    pub(crate) max: u64,
}

#[derive(Debug)]
pub(crate) struct Quiz {
    pub(crate) questions: Vec<Question>,
    pub(crate) rules: Vec<Rule>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Question {
    pub(crate) id: String,
    pub(crate) text: String,
    pub(crate) hint: String,
}

#[derive(Debug)]
pub(crate) struct Rule {
    pub(crate) id: String,
    pub(crate) min: u32,
    pub(crate) max: u32,
    pub(crate) page: PageRef,
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
