//! `serve`'s memory of loaded pages: each page file's parsed `Page` and diagnostics, kept with
//! the file's size and modification time and lent to the next build while both are unchanged
//! (moved, not copied: the build gives its pages back), so a save re-reads and re-renders the
//! Markdown of the saved files only. A path the watcher reports changed is forgotten whatever
//! its stamp says; a page not given back (a build stopped midway) is simply read again.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Mutex, PoisonError};
use std::time::SystemTime;

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::load::PageMemory;
use crate::model::Page;

enum Kept {
    Page(Box<Page>),
    /// The file is not a page (its problems are the diagnostics).
    Unloadable,
    /// With the build running now.
    Lent,
}

#[derive(Default)]
pub(crate) struct PageCache {
    entries: Mutex<HashMap<String, Entry>>,
    /// Counts loads, so entries no load asked for (deleted, renamed) can be swept.
    pass: Mutex<u64>,
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
        let pass = *self.pass.lock().unwrap_or_else(PoisonError::into_inner);
        // Stamped before reading: a save in between is read now and seen again next time.
        let stamp = std::fs::metadata(path)
            .ok()
            .and_then(|meta| Some((meta.len(), meta.modified().ok()?)));
        if let Some(stamp) = stamp {
            let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(entry) = entries.get_mut(content_path)
                && entry.stamp == stamp
            {
                let page = match std::mem::replace(&mut entry.page, Kept::Lent) {
                    Kept::Page(page) => Some(Some(*page)),
                    Kept::Unloadable => Some(None),
                    Kept::Lent => None,
                };
                if let Some(page) = page {
                    entry.page = if page.is_some() {
                        Kept::Lent
                    } else {
                        Kept::Unloadable
                    };
                    entry.pass = pass;
                    return (page, Diagnostics(entry.diagnostics.clone()));
                }
            }
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
            self.entries
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(content_path.to_string(), entry);
        }
        (page, diagnostics)
    }
}

impl PageCache {
    /// Takes back the pages a build was lent, to lend them again while their file is unchanged.
    pub(crate) fn give_back(&self, pages: Vec<Page>) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        for page in pages {
            if let Some(entry) = entries.get_mut(page.path.as_str())
                && matches!(entry.page, Kept::Lent)
            {
                entry.page = Kept::Page(Box::new(page));
            }
        }
    }

    /// Forgets the pages at these paths (relative to the site root, as the watcher reports them).
    pub(crate) fn forget(&self, changed: &[String]) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        for path in changed {
            if let Some(content_path) = path.strip_prefix("content/") {
                entries.remove(content_path);
                // A folder renamed or deleted: everything below it.
                let folder = format!("{content_path}/");
                entries.retain(|key, _| !key.starts_with(&folder));
            }
        }
    }

    /// Starts a load: entries that this load does not ask for are dropped by `sweep`.
    pub(crate) fn begin(&self) {
        *self.pass.lock().unwrap_or_else(PoisonError::into_inner) += 1;
    }

    /// Drops the pages of files the last load did not find (deleted or renamed), so memory
    /// follows the site as it is.
    pub(crate) fn sweep(&self) {
        let pass = *self.pass.lock().unwrap_or_else(PoisonError::into_inner);
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|_, entry| entry.pass == pass);
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::url::ContentPath;

    /// The page's body, from the text it was loaded with.
    fn body(page: &Page) -> String {
        crate::markdown::body_html(page, "", crate::markdown::Embedding::NONE).expect("in memory")
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
                let text = std::fs::read_to_string(&path).expect("read");
                let file = crate::source::SourceFile::new("content/a.md", text);
                let mut diagnostics = Diagnostics::default();
                (
                    crate::page::page(&file, &ContentPath::of("a.md"), &mut diagnostics),
                    diagnostics,
                )
            })
        };
        cache.begin();
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
                Some(cache.entries.lock().expect("lock")["a.md"].stamp.1),
                "only a save within the same clock tick may look unchanged"
            );
        }
        cache.forget(&["content/a.md".to_string()]);
        let (page, _) = load(&cache);
        assert!(body(&page.expect("loads")).contains("Other."));
        std::fs::write(&path, "+++\ntitle = \"A\"\n+++\nA longer body now.\n").expect("write");
        let (page, _) = load(&cache);
        assert!(body(&page.expect("loads")).contains("A longer body now."));
        cache.begin();
        cache.sweep();
        assert_eq!(cache.len(), 0, "a page no load asked for is dropped");
    }
}
