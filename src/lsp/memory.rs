//! The language server's memory of pages: each page file's parsed `Page` and diagnostics, kept
//! with the file's size and modification time and copied into the next analysis while both are
//! unchanged, so a keystroke re-reads only the pages open in the editor (their unsaved text is
//! never remembered) and the pages saved since. Like `serve`'s, but copied rather than lent:
//! the language server keeps each analysis for the requests that follow it.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::SystemTime;

use parking_lot::Mutex;

use crate::load::{Found, PageMemory};
use crate::model::Page;
use crate::model::diagnostic::{Diagnostic, Diagnostics};

type Stamp = (u64, SystemTime);

#[derive(Default)]
pub(crate) struct PageCache {
    entries: Mutex<HashMap<String, Entry>>,
}

struct Entry {
    stamp: Stamp,
    page: Option<Page>,
    diagnostics: Vec<Diagnostic>,
}

fn stamp(path: &Path) -> Option<Stamp> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.len(), meta.modified().ok()?))
}

impl PageMemory for PageCache {
    fn page(
        &self,
        path: &Path,
        content_path: &str,
        read: &dyn Fn() -> (Option<Page>, Diagnostics),
    ) -> (Option<Page>, Diagnostics) {
        // Stamped before reading: a save in between is read now and seen again next time.
        let Some(stamp) = stamp(path) else {
            return read();
        };
        if let Some(entry) = self.entries.lock().get(content_path)
            && entry.stamp == stamp
        {
            return (entry.page.clone(), Diagnostics(entry.diagnostics.clone()));
        }
        let (page, diagnostics) = read();
        let entry = Entry {
            stamp,
            page: page.clone(),
            diagnostics: diagnostics.0.clone(),
        };
        self.entries.lock().insert(content_path.to_string(), entry);
        (page, diagnostics)
    }

    /// Files come and go without the language server hearing of it: every analysis walks.
    fn walked(&self) -> Option<Arc<[Found]>> {
        None
    }

    fn remember_walk(&self, _: Arc<[Found]>) {}
}
