//! `serve`'s memory of loaded pages: each page file's parsed [`Page`] and diagnostics, kept with
//! the file's size and modification time and lent to the next build while both are unchanged
//! (moved, not copied: the build gives its pages back), so a save re-reads and re-renders the
//! Markdown of the saved files only. A path the watcher reports changed is forgotten whatever
//! its stamp says; a page not given back (a build stopped midway) is simply read again.
//! While the watcher reports only saves to files the last walk found, that walk is reused and
//! unchanged pages are lent without looking at their files: a save costs the saved files.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use parking_lot::Mutex;
use std::time::SystemTime;

use crate::load::{Found, PageMemory};
use crate::model::diagnostic::{Diagnostic, Diagnostics};
use crate::model::{FastMap, Page};

enum Kept {
    Page(Box<Page>),
    /// The file is not a page (its problems are the diagnostics).
    Unloadable,
    /// With the build running now.
    Lent,
}

#[derive(Default)]
pub(crate) struct PageCache {
    entries: Mutex<FastMap<String, Entry>>,
    /// Counts loads, so entries no load asked for (deleted, renamed) can be swept.
    pass: Mutex<u64>,
    /// The last walk of `content/` that the watcher can keep true.
    walk: Mutex<Option<LastWalk>>,
    /// This load reuses that walk and lends unchanged pages without a look at their files.
    trusted: AtomicBool,
}

struct LastWalk {
    found: Arc<[Found]>,
    /// The files it found, relative to the site root as the watcher names them.
    files: HashSet<String>,
}

struct Entry {
    stamp: (u64, SystemTime),
    page: Kept,
    diagnostics: Vec<Diagnostic>,
    /// The load that last asked for it.
    pass: u64,
}

impl PageMemory for PageCache {
    /// The page at `content_path` (below `content/`), from memory while its file's size and
    /// modification time are those it was read with, else `read` again.
    fn page(
        &self,
        path: &Path,
        content_path: &str,
        read: &dyn Fn() -> (Option<Page>, Diagnostics),
    ) -> (Option<Page>, Diagnostics) {
        // While the walk is trusted, `unchanged` has lent every page it may already.
        let pass = *self.pass.lock();
        // Stamped before reading: a save in between is read now and seen again next time.
        let stamp = std::fs::metadata(path)
            .ok()
            .and_then(|meta| Some((meta.len(), meta.modified().ok()?)));
        if let Some(stamp) = stamp
            && let Some(lent) = self.lend(content_path, Some(stamp), pass)
        {
            return lent;
        }
        let (page, diagnostics) = read();
        if let Some(stamp) = stamp {
            let entry = Entry {
                stamp,
                page: if page.is_some() {
                    Kept::Lent
                } else {
                    Kept::Unloadable
                },
                diagnostics: diagnostics.0.clone(),
                pass,
            };
            self.entries.lock().insert(content_path.to_string(), entry);
        }
        (page, diagnostics)
    }

    /// While the watcher vouches for the last walk, any remembered page not lent already.
    fn unchanged(&self, content_path: &str) -> Option<Lent> {
        if !self.trusted.load(Ordering::Relaxed) {
            return None;
        }
        let pass = *self.pass.lock();
        self.lend(content_path, None, pass)
    }

    fn walked(&self) -> Option<Arc<[Found]>> {
        if !self.trusted.load(Ordering::Relaxed) {
            return None;
        }
        self.walk
            .lock()
            .as_ref()
            .map(|walk| Arc::clone(&walk.found))
    }

    fn remember_walk(&self, found: Arc<[Found]>) {
        let files = found
            .iter()
            .filter_map(|found| match found {
                Found::Page(_, path) | Found::Asset(_, path) => Some(path.in_site()),
                Found::Data(_, stem) => Some(format!("content/data/{stem}.toml")),
                Found::Problem(_) => None,
            })
            .chain(["content/site.toml".to_string()])
            .collect();
        *self.walk.lock() = Some(LastWalk { found, files });
    }
}

type Lent = (Option<Page>, Diagnostics);

impl PageCache {
    /// Lends the remembered page at `content_path`, if its file still has `stamp` (any stamp
    /// when `None`) and it is not lent already; marks it asked for by load `pass`.
    fn lend(
        &self,
        content_path: &str,
        stamp: Option<(u64, SystemTime)>,
        pass: u64,
    ) -> Option<Lent> {
        let mut entries = self.entries.lock();
        let entry = entries
            .get_mut(content_path)
            .filter(|entry| stamp.is_none_or(|stamp| entry.stamp == stamp))?;
        let page = match std::mem::replace(&mut entry.page, Kept::Lent) {
            Kept::Page(page) => Some(*page),
            Kept::Unloadable => None,
            Kept::Lent => return None,
        };
        if page.is_none() {
            entry.page = Kept::Unloadable;
        }
        entry.pass = pass;
        Some((page, Diagnostics(entry.diagnostics.clone())))
    }

    /// Takes back the pages a build was lent, to lend them again while their file is unchanged.
    pub(crate) fn give_back(&self, pages: Vec<Page>) {
        let mut entries = self.entries.lock();
        for page in pages {
            if let Some(entry) = entries.get_mut(page.path.as_str())
                && matches!(entry.page, Kept::Lent)
            {
                entry.page = Kept::Page(Box::new(page));
            }
        }
    }

    /// Starts a load after the watcher reported `changed` (paths relative to `root`): forgets
    /// them, and trusts the last walk while every changed file under `content/` is one it found
    /// and still a file. Entries this load does not ask for are dropped by `sweep`.
    pub(crate) fn begin(&self, root: &Path, changed: &[String]) {
        self.forget(changed);
        *self.pass.lock() += 1;
        let mut walk = self.walk.lock();
        let trusted = walk.as_ref().is_some_and(|walk| {
            changed
                .iter()
                .filter(|path| path.starts_with("content/") || path.as_str() == "content")
                .all(|path| walk.files.contains(path) && root.join(path).is_file())
        });
        if !trusted {
            *walk = None;
        }
        self.trusted.store(trusted, Ordering::Relaxed);
    }

    /// Forgets the pages at these paths (relative to the site root, as the watcher reports them),
    /// and every page when site.toml changed: its `[lints]` decide what a page's lints report.
    fn forget(&self, changed: &[String]) {
        let mut entries = self.entries.lock();
        for path in changed {
            if path == "content" || path == "content/site.toml" {
                entries.clear();
            } else if let Some(content_path) = path.strip_prefix("content/") {
                entries.remove(content_path);
                // A folder renamed or deleted: everything below it.
                let folder = format!("{content_path}/");
                entries.retain(|key, _| !key.starts_with(&folder));
            }
        }
    }

    /// Drops the pages of files the last load did not find (deleted or renamed), so memory
    /// follows the site as it is.
    pub(crate) fn sweep(&self) {
        let pass = *self.pass.lock();
        self.entries.lock().retain(|_, entry| entry.pass == pass);
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries.lock().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::HtmlBudget;
    use crate::model::url::ContentPath;

    /// A page loaded from `text` as `content/a.md`, as loading makes it.
    fn loaded(text: &str) -> (Option<Page>, Diagnostics) {
        let file = crate::model::source::SourceFile::new("content/a.md", text);
        let mut diagnostics = Diagnostics::default();
        let page = crate::load::page::page(
            &file,
            &ContentPath::of("a.md"),
            &crate::model::lints::Lints::default(),
            &HtmlBudget::new(HtmlBudget::BYTES),
            &mut diagnostics,
        );
        (page, diagnostics)
    }

    /// The page's body, from the text it was loaded with.
    fn body(page: &Page) -> String {
        crate::markdown::body_html(page, "", crate::markdown::Embedding::NONE).expect("in memory")
    }

    /// A load that remembers its pages (`serve`, `lsp`) holds no HTML for their renders: its
    /// process lives on, and the allocator would keep that memory. A build's load does.
    #[test]
    fn a_remembering_load_holds_no_html_and_a_build_does() {
        let site = tempfile::tempdir().expect("temp dir");
        let root = site.path();
        std::fs::create_dir_all(root.join("content")).expect("mkdir");
        let config = "title = \"T\"\nbase_url = \"https://example.org/\"\n";
        std::fs::write(root.join("content/site.toml"), config).expect("write");
        std::fs::write(
            root.join("content/a.md"),
            "+++\ntitle = \"A\"\n+++\n## Hi\n",
        )
        .expect("write");
        let cache = PageCache::default();
        cache.begin(root, &[]);
        let held = |cache: Option<&dyn crate::load::PageMemory>| {
            let options = crate::load::LoadOptions {
                root,
                base_url: None,
                drafts: false,
                cache,
                unsaved: None,
                spill_in: None,
            };
            let (site, _) = crate::load::site(&options).expect("loads");
            site.pages[0].html.peek(str::len)
        };
        assert_eq!(held(Some(&cache)), None);
        assert!(held(None).is_some_and(|len| len > 0));
    }

    #[test]
    fn an_unchanged_page_comes_from_memory_and_a_changed_or_gone_one_does_not() {
        let site = tempfile::tempdir().expect("temp dir");
        let root = site.path();
        std::fs::create_dir_all(root.join("content")).expect("mkdir");
        let path = root.join("content/a.md");
        std::fs::write(&path, "+++\ntitle = \"A\"\n+++\nFirst.\n").expect("write");
        let cache = PageCache::default();
        // A page whose content is the file's text, as loading would make it.
        let load = |cache: &PageCache| {
            cache.page(&path, "a.md", &|| {
                loaded(&std::fs::read_to_string(&path).expect("read"))
            })
        };
        cache.begin(root, &[]);
        let (page, _) = load(&cache);
        let page = page.expect("loads");
        assert!(body(&page).contains("First."));
        // Lent and not given back: read again.
        let (again, _) = load(&cache);
        assert!(body(&again.expect("loads")).contains("First."));
        cache.give_back(vec![page]);
        // Same size, same stamp on a coarse clock: only `forget` can tell.
        std::fs::write(&path, "+++\ntitle = \"A\"\n+++\nOther.\n").expect("write");
        let modified = std::fs::metadata(&path).and_then(|m| m.modified()).ok();
        let cached = load(&cache).0.expect("loads");
        let stale_possible = body(&cached).contains("First.");
        cache.give_back(vec![cached]);
        if stale_possible {
            assert_eq!(
                modified,
                Some(cache.entries.lock()["a.md"].stamp.1),
                "only a save within the same clock tick may look unchanged"
            );
        }
        cache.forget(&["content/a.md".to_string()]);
        let (page, _) = load(&cache);
        assert!(body(&page.expect("loads")).contains("Other."));
        std::fs::write(&path, "+++\ntitle = \"A\"\n+++\nA longer body now.\n").expect("write");
        let (page, _) = load(&cache);
        assert!(body(&page.expect("loads")).contains("A longer body now."));
        cache.begin(root, &[]);
        cache.sweep();
        assert_eq!(cache.len(), 0, "a page no load asked for is dropped");
    }

    /// site.toml's `[lints]` decide what each page reports: a change to it reads every page again.
    #[test]
    fn a_change_to_site_toml_forgets_every_page() {
        let site = tempfile::tempdir().expect("temp dir");
        let path = site.path().join("a.md");
        std::fs::write(&path, "+++\ntitle = \"A\"\n+++\n").expect("write");
        let cache = PageCache::default();
        cache.begin(site.path(), &[]);
        let (page, _) = cache.page(&path, "a.md", &|| loaded("+++\ntitle = \"A\"\n+++\n"));
        cache.give_back(page.into_iter().collect());
        cache.forget(&["content/data/ladder.toml".to_string()]);
        assert_eq!(cache.len(), 1, "a data file does not change pages");
        cache.forget(&["content/site.toml".to_string()]);
        assert_eq!(cache.len(), 0);
    }

    /// While the watcher vouches for the walk, a remembered page is lent without a look at its
    /// file (a save the watcher has not reported yet is not seen); otherwise never.
    #[test]
    fn unchanged_pages_are_lent_only_while_the_walk_is_trusted() {
        let site = tempfile::tempdir().expect("temp dir");
        let root = site.path();
        std::fs::create_dir_all(root.join("content")).expect("mkdir");
        let path = root.join("content/a.md");
        std::fs::write(&path, "+++\ntitle = \"A\"\n+++\n").expect("write");
        let cache = PageCache::default();
        cache.begin(root, &[]);
        assert!(cache.unchanged("a.md").is_none(), "no walk to trust yet");
        let (page, _) = cache.page(&path, "a.md", &|| loaded("+++\ntitle = \"A\"\n+++\n"));
        cache.give_back(page.into_iter().collect());
        cache.remember_walk(vec![Found::Page(path.clone(), ContentPath::of("a.md"))].into());
        cache.begin(root, &[]);
        let (lent, _) = cache.unchanged("a.md").expect("lent while trusted");
        let lent = lent.expect("a page");
        assert_eq!(lent.front.title, "A");
        assert!(cache.unchanged("a.md").is_none(), "lent once");
        cache.give_back(vec![lent]);
        cache.begin(root, &["content/b.md".to_string()]);
        assert!(
            cache.unchanged("a.md").is_none(),
            "a new file: the walk is not trusted"
        );
    }

    #[test]
    fn the_walk_is_reused_only_while_the_watcher_names_known_files() {
        let site = tempfile::tempdir().expect("temp dir");
        let root = site.path();
        std::fs::create_dir_all(root.join("content")).expect("mkdir");
        std::fs::write(root.join("content/a.md"), "a").expect("write");
        std::fs::write(root.join("content/site.toml"), "").expect("write");
        let cache = PageCache::default();
        let remember = || {
            cache.remember_walk(
                vec![Found::Page(
                    root.join("content/a.md"),
                    crate::model::url::ContentPath::of("a.md"),
                )]
                .into(),
            )
        };
        cache.begin(root, &[]);
        assert!(cache.walked().is_none(), "nothing walked yet");
        remember();
        let reused = |changed: &[&str]| {
            let changed: Vec<String> = changed.iter().map(|path| path.to_string()).collect();
            cache.begin(root, &changed);
            cache.walked().is_some()
        };
        assert!(reused(&[
            "content/a.md",
            "themes/default/templates/page.html"
        ]));
        assert!(reused(&["content/site.toml"]), "read by every load");
        assert!(!reused(&["content/b.md"]), "a new file");
        assert!(!reused(&["content/a.md"]), "forgotten with the last one");
        remember();
        assert!(!reused(&["content"]), "events lost");
        remember();
        std::fs::remove_file(root.join("content/a.md")).expect("remove");
        assert!(!reused(&["content/a.md"]), "a file gone");
    }
}
