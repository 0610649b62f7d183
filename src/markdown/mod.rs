//! Markdown body → HTML by pulldown-cmark's own writer, with two documented changes to its event
//! stream: headings get unique ids and self-links ([`headings`]), and links to pages and content
//! files get percent-encoded URLs relative to the page shown ([`destinations`]). A page is read
//! once at load time ([`read`]): the toc, every internal link with its span, the content lints
//! ([`lints`]) and, within the load's [`HtmlBudget`], the body's HTML, all from one parse;
//! [`write`](mod@write) writes a body again where that HTML was not kept. No I/O but that
//! module's reading a page's file again; whether a link target exists is
//! [`crate::check::links`]'s job.

use std::cell::Cell;
use std::ops::Range;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use pulldown_cmark::{Event, Tag};

use crate::model::diagnostic::Diagnostics;
use crate::model::lints::Lints;
use crate::model::loaded_html::Spill;
use crate::model::source::SourceFile;
use crate::model::url::{ContentPath, Route};
use crate::model::{HeadingPlan, Link, LoadedHtml, TocEntry};

mod destinations;
mod headings;
pub(crate) mod lints;
mod options;
pub(crate) mod typography;
mod write;

use destinations::PageLinks;
#[cfg(test)]
use headings::plan_headings;
use headings::{Anchor, Scan, nest_toc, plan_of};
pub use options::options;
use options::{events, without_root_marker};
#[cfg(test)]
pub(crate) use write::render_at;
use write::write_events;
pub(crate) use write::{Embedding, body_html, own_body_html};

/// What `read` finds in a body.
pub(crate) struct RenderedBody {
    pub(crate) toc: Vec<TocEntry>,
    /// What the toc does not say of the headings' planned ids (`Page::headings`).
    pub(crate) headings: HeadingPlan,
    pub(crate) links: Vec<Link>,
    pub(crate) word_count: usize,
    /// The body's HTML on its own page, unless the load's [`HtmlBudget`] had no room for it.
    pub(crate) html: LoadedHtml,
}

/// How many bytes of HTML one load may write and hold in memory for its pages' first renders
/// ([`LoadedHtml`]), and where the HTML of the pages past it waits instead: a [`Spill`] file
/// (`build`), or nowhere, each such page then parsed again when rendered (`check`, `serve`, `lsp`).
/// `build` and `check` have [`HtmlBudget::BYTES`] in memory; `serve` and `lsp`, whose processes
/// live on, none. Holding every page's in memory would add about 6.5 KB a page to a build's peak
/// (the HTML runs a little longer than its Markdown); the budget keeps a build within 100 MB at
/// 10,000 pages and 300 MB at 50,000.
pub(crate) struct HtmlBudget {
    left: AtomicUsize,
    spill: Option<Arc<Spill>>,
}

impl HtmlBudget {
    /// The in-memory budget of one load of a site.
    pub(crate) const BYTES: usize = 40 << 20;

    /// `bytes` in memory and no spill.
    pub(crate) fn new(bytes: usize) -> Self {
        HtmlBudget::spilling(bytes, None)
    }

    /// `bytes` in memory, the rest to `spill`.
    pub(crate) fn spilling(bytes: usize, spill: Option<Arc<Spill>>) -> Self {
        HtmlBudget {
            left: AtomicUsize::new(bytes),
            spill,
        }
    }

    /// Takes `bytes` from what is left, if that many are.
    fn reserve(&self, bytes: usize) -> bool {
        self.left
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
                left.checked_sub(bytes)
            })
            .is_ok()
    }

    /// Gives back what a reservation did not use.
    fn give_back(&self, bytes: usize) {
        self.left.fetch_add(bytes, Ordering::Relaxed);
    }

    /// Where the HTML of a body `len` bytes long goes, memory reserved for it if there.
    fn keep(&self, len: usize) -> Keep {
        let reserved = len + len / 4;
        match &self.spill {
            // A page's events take about eight times its Markdown while they are kept: a long
            // page is written from a second parse instead.
            _ if len > KEPT_BODY_MAX => Keep::Not,
            _ if self.reserve(reserved) => Keep::InMemory { reserved },
            Some(spill) => Keep::Spilled(Arc::clone(spill)),
            None => Keep::Not,
        }
    }

    /// The HTML `write` writes, held where `keep` says.
    fn hold(&self, keep: Keep, write: impl FnOnce() -> String) -> LoadedHtml {
        match keep {
            Keep::InMemory { reserved } => {
                let mut html = write();
                // Held until the page is written, with other pages': no spare capacity.
                html.shrink_to_fit();
                self.give_back(reserved.saturating_sub(html.len()));
                LoadedHtml::in_memory(html)
            }
            Keep::Spilled(spill) => LoadedHtml::spilled(&spill, &write()),
            Keep::Not => LoadedHtml::default(),
        }
    }
}

/// Where `read` puts a body's HTML.
enum Keep {
    /// With the bytes reserved for it, given back once its length is known.
    InMemory {
        reserved: usize,
    },
    Spilled(Arc<Spill>),
    /// Written when the page is rendered, from a second parse.
    Not,
}

impl Keep {
    /// Whether `read` writes the HTML (and so keeps the events and makes the links' hrefs).
    fn writes(&self) -> bool {
        !matches!(self, Keep::Not)
    }
}

/// Reads the body of `file` that starts at byte `body_start` for what later stages need — its
/// table of contents, links, word count and problems, the content lints' at the levels `lints`
/// sets among them — and its HTML on its own page, held as `budget` says.
/// `content_path` is the page's path below `content/`, against which relative links resolve.
pub(crate) fn read(
    file: &Arc<SourceFile>,
    body_start: usize,
    content_path: &ContentPath,
    lints: &Lints,
    budget: &HtmlBudget,
    diagnostics: &mut Diagnostics,
) -> RenderedBody {
    let root = Route::of(content_path).relative_root();
    let body = without_root_marker(file.text().get(body_start..).unwrap_or_default());
    let keep = budget.keep(body.len());
    // One parse: the headings' plan, the lints and the links each read every event as it comes;
    // the events are kept (links already rewritten) to write the HTML once the plan has every
    // heading's id, which a later heading can change.
    let (mut lint_problems, mut link_problems) = (Diagnostics::default(), Diagnostics::default());
    let mut scan = Scan::default();
    let mut linting = lints::Linting::new(file, lints, &mut lint_problems);
    let mut page = PageLinks {
        file,
        text: file.text(),
        content_path,
        root: &root,
        id_prefix: "",
        links: Vec::new(),
        diagnostics: &mut link_problems,
        // The hrefs are wanted only when the HTML is written here.
        urls: keep.writes(),
        record: true,
    };
    let mut kept = recycled(KEPT.take());
    for (event, span) in events(&body, body_start) {
        scan.event(&event, &span);
        linting.event(&event, &span);
        let event = match event {
            Event::Start(tag @ (Tag::Link { .. } | Tag::Image { .. })) => {
                Event::Start(page.rewrite(tag, &span))
            }
            other => other,
        };
        if keep.writes() {
            kept.push((event, span));
        }
    }
    linting.finish();
    let mut links = page.links;
    // Kept with the page until the build ends: at its length, not with room to grow.
    links.shrink_to_fit();
    let (headings, word_count) = scan.plan(file, diagnostics);
    diagnostics.extend(lint_problems.0);
    diagnostics.extend(link_problems.0);
    let html = budget.hold(keep, || {
        let anchors: Vec<Anchor> = headings.iter().map(|h| h.anchor.clone()).collect();
        write_events(
            kept.drain(..),
            &anchors,
            Embedding::NONE,
            |tag, _| tag,
            body.len(),
        )
    });
    KEPT.set(recycled(kept));
    RenderedBody {
        toc: nest_toc(&headings),
        headings: plan_of(&headings),
        links,
        word_count,
        html,
    }
}

/// The longest body whose events `read` keeps to write its HTML (1 MiB of Markdown, ~8 MB of
/// events).
const KEPT_BODY_MAX: usize = 1 << 20;

thread_local! {
    /// The buffer `read` keeps a page's events in, emptied, for the next page read on this
    /// thread: a page's ~50 KB of events is not allocated and given back to the allocator each
    /// time.
    static KEPT: Cell<Vec<(Event<'static>, Range<usize>)>> = const { Cell::new(Vec::new()) };
}

/// `events`' buffer, emptied, for events that borrow from another text. Collecting an emptied
/// vector's iterator into one of the same layout reuses its allocation.
fn recycled<'a, 'b>(mut events: Vec<(Event<'a>, Range<usize>)>) -> Vec<(Event<'b>, Range<usize>)> {
    events.clear();
    events
        .into_iter()
        .map(|_| unreachable!("emptied"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::headings::anchors;
    use super::*;
    use crate::model::url::ROOT_MARKER;

    /// The HTML loading writes from its one parse is the HTML rendering the body again writes,
    /// for headings whose ids a later heading decides, links of every kind, footnotes, raw HTML
    /// and the root marker; and a render takes it, leaving the next render to parse again.
    #[test]
    fn the_html_written_at_load_is_the_html_written_again() {
        let text = "+++\ntitle = \"A\"\n+++\n# Top\n\n## Scope\n\nSee [staff](../phases/staff.md#scope), \
            [same](#scope), [file](img/x.png?v=1), [out](https://sre.google/) and <https://a.b/>.\n\n\
            ## Scope\n\n### Later {#scope-2}\n\n## A [link](faq.md) <button>x</button>\n\n\
            Text[^1] with ![alt](../pic.png \"t\") and <b id=\"raw\">raw</b> and __SRE_ROOT__.\n\n\
            [^1]: A note.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- [ ] task\n";
        let text = text.replace("__SRE_ROOT__", &ROOT_MARKER.to_string());
        let body_start = text.find("# Top").expect("body");
        let file = SourceFile::new("content/guide/a.md", text.as_str());
        let path = ContentPath::of("guide/a.md");
        let loaded = read(
            &file,
            body_start,
            &path,
            &Lints::default(),
            &HtmlBudget::new(usize::MAX),
            &mut Diagnostics::default(),
        );
        let root = Route::of(&path).relative_root();
        let mut again = Diagnostics::default();
        let shown = render_at(&file, body_start, &path, &root, Embedding::NONE, &mut again)
            .expect("in memory");
        let html = loaded.html.take().expect("within the budget");
        assert_eq!(html, shown.html);
        assert!(html.contains("id=\"scope-3\""), "{html}");
        assert!(html.contains("href=\"../../phases/staff/index.html#scope\""));
        // A budget without room for the page writes no HTML at load and keeps what it had.
        let small = HtmlBudget::new(100);
        let lints = Lints::default();
        let loaded = read(
            &file,
            body_start,
            &path,
            &lints,
            &small,
            &mut Diagnostics::default(),
        );
        assert!(loaded.html.take().is_none());
        assert!(small.reserve(100), "nothing of it used");
        // Past the budget, a spill holds it; the HTML comes back the same.
        let dir = tempfile::tempdir().expect("temp dir");
        let spill = Spill::create_in(dir.path()).expect("spill");
        let spilling = HtmlBudget::spilling(100, Some(spill));
        let loaded = read(
            &file,
            body_start,
            &path,
            &lints,
            &spilling,
            &mut Diagnostics::default(),
        );
        assert_eq!(loaded.html.take().as_deref(), Some(html.as_str()));
        assert!(spilling.reserve(100), "nothing of the memory used");
        // A page as loading keeps it (one without lint errors, which would leave it out).
        let file = SourceFile::new("content/guide/b.md", "+++\ntitle = \"B\"\n+++\n## Hi\n");
        let path = ContentPath::of("guide/b.md");
        let page = crate::load::page::page(
            &file,
            &path,
            &Lints::default(),
            &HtmlBudget::new(HtmlBudget::BYTES),
            &mut Diagnostics::default(),
        )
        .expect("a page");
        let written = "<h2 id=\"hi\"><a href=\"#hi\" tabindex=\"-1\">Hi</a></h2>\n";
        let copy = page.clone();
        assert_eq!(copy.html.peek(str::to_string).as_deref(), Some(written));
        assert_eq!(own_body_html(&page).expect("held"), written);
        assert!(copy.html.peek(str::len).is_none(), "taken from every clone");
        assert_eq!(own_body_html(&copy).expect("parsed again"), written);
    }

    /// The buffer a page's events were kept in serves the next page's, whatever text they
    /// borrow; a body too long to keep its events is written from a second parse, the same,
    /// whatever room the budget and its spill have.
    #[test]
    fn kept_events_reuse_one_buffer_and_long_bodies_are_not_kept() {
        let text = String::from("a *b* [c](d.md)\n");
        let mut kept: Vec<(Event, Range<usize>)> = events(&text, 0).collect();
        kept.reserve(100);
        let capacity = kept.capacity();
        let other: Vec<(Event, Range<usize>)> = recycled(kept);
        assert!(other.is_empty());
        assert_eq!(other.capacity(), capacity);
        let long = format!("{}\n", "word ".repeat(KEPT_BODY_MAX / 5 + 1));
        let file = SourceFile::new("content/long.md", long.as_str());
        let path = ContentPath::of("long.md");
        let dir = tempfile::tempdir().expect("temp dir");
        let spill = Spill::create_in(dir.path()).expect("spill");
        let budget = HtmlBudget::spilling(usize::MAX, Some(spill));
        let loaded = read(
            &file,
            0,
            &path,
            &Lints::default(),
            &budget,
            &mut Diagnostics::default(),
        );
        assert!(loaded.html.take().is_none(), "written when rendered");
    }

    /// The page keeps only what its toc lacks of the plan; with the toc it gives every heading,
    /// `#` ones and interactive ones included, the id and self-link it was planned with.
    #[test]
    fn the_plan_kept_on_the_page_gives_every_heading_its_anchor_again() {
        let text = "# Top\n\n## A [link](x.md)\n\n### B\n\n# Second\n\n#### Deep\n\n## C <button>x</button>\n";
        let file = SourceFile::new("content/a.md", text);
        let path = ContentPath::of("a.md");
        let mut out = Diagnostics::default();
        let loaded = read(
            &file,
            0,
            &path,
            &Lints::default(),
            &HtmlBudget::new(0),
            &mut out,
        );
        let (planned, _) = plan_headings(events(text, 0), &file, &mut Diagnostics::default());
        let pairs = |anchors: &mut dyn Iterator<Item = &Anchor>| {
            anchors
                .map(|anchor| (anchor.id.to_string(), anchor.interactive))
                .collect::<Vec<_>>()
        };
        let again = anchors(&loaded.toc, &loaded.headings);
        assert_eq!(
            pairs(&mut again.iter()),
            pairs(&mut planned.iter().map(|heading| &heading.anchor))
        );
        assert_eq!(
            pairs(&mut again.iter()),
            [
                ("top".to_string(), false),
                ("a-link".to_string(), true),
                ("b".to_string(), false),
                ("second".to_string(), false),
                ("deep".to_string(), false),
                ("c-x".to_string(), true),
            ]
        );
    }
}
