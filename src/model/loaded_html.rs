//! A page body's HTML as loading wrote it, from the load to its page's first render, so a
//! build parses each page's Markdown once: in memory while the load's budget lasts
//! ([`crate::markdown::HtmlBudget`]), then in a [`Spill`] file on the output's file system — the
//! page cache holds it as it holds the output, and a page past both is parsed again when
//! rendered. Also the positioned reads and writes the spill and `serve`'s pack share.

use std::fs::File;
use std::io;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// A page's body HTML as loading wrote it (for the page itself: its relative root, not
/// embedded). The first render of the page takes it: HTML is held from load until its page is
/// written, never for the life of a `serve` session. Shared by a page's clones (`serve`'s page
/// memory), so taking it once empties all; a page rendered again parses its body again
/// ([`crate::markdown::own_body_html`]).
#[derive(Clone, Default)]
pub(crate) struct LoadedHtml(Arc<parking_lot::Mutex<Held>>);

/// Where a [`LoadedHtml`] keeps its HTML.
#[derive(Default)]
enum Held {
    /// None written, or taken.
    #[default]
    Nothing,
    /// Within the load's in-memory budget.
    InMemory(String),
    /// Past it, in the load's spill.
    Spilled {
        /// The spill.
        spill: Arc<Spill>,
        /// Where the HTML starts in it.
        at: SpillAt,
        /// Its length in bytes.
        len: usize,
    },
}

impl LoadedHtml {
    /// `html` held in memory for the page's first render (`default()`: loading wrote none).
    pub(crate) fn in_memory(html: String) -> Self {
        LoadedHtml::holding(Held::InMemory(html))
    }

    /// `html` written to `spill` for the page's first render; none if the write failed (the
    /// page is then parsed again, as if the spill were full).
    pub(crate) fn spilled(spill: &Arc<Spill>, html: &str) -> Self {
        LoadedHtml::holding(match spill.append(html.as_bytes()) {
            Ok(at) => Held::Spilled {
                spill: Arc::clone(spill),
                at,
                len: html.len(),
            },
            Err(_) => Held::Nothing,
        })
    }

    /// A new holder of `held`, shared by the page's clones.
    fn holding(held: Held) -> Self {
        LoadedHtml(Arc::new(parking_lot::Mutex::new(held)))
    }

    /// The HTML, leaving none behind. `None` also when the spill cannot give it back: the
    /// caller writes the body again, as for a page loading wrote none for.
    pub(crate) fn take(&self) -> Option<String> {
        match std::mem::take(&mut *self.0.lock()) {
            Held::Nothing => None,
            Held::InMemory(html) => Some(html),
            Held::Spilled { spill, at, len } => spill.read(at, len).ok(),
        }
    }

    /// `read` applied to the HTML while it is held (spilled HTML is read from the file for it,
    /// and again by the `take` that follows: the search index peeks before pages render).
    pub(crate) fn peek<R>(&self, read: impl FnOnce(&str) -> R) -> Option<R> {
        match &*self.0.lock() {
            Held::Nothing => None,
            Held::InMemory(html) => Some(read(html)),
            Held::Spilled { spill, at, len } => spill.read(*at, *len).ok().map(|h| read(&h)),
        }
    }
}

impl std::fmt::Debug for LoadedHtml {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &*self.0.lock() {
            Held::Nothing => f.write_str("LoadedHtml(none)"),
            Held::InMemory(html) => write!(f, "LoadedHtml({} bytes)", html.len()),
            Held::Spilled { len, .. } => write!(f, "LoadedHtml({len} bytes spilled)"),
        }
    }
}

/// Unnamed temporary files that loaded pages' HTML past the in-memory budget waits in for
/// their renders, one for each loading thread: the file system locks a file while it is
/// written, so threads appending to one file would wait for each other. Each part is appended to
/// by its thread (each write reserving its own range) and read back once per page. Gone when
/// the last page holding a part of it lets go, or with the process.
pub(crate) struct Spill {
    /// One for each thread of the loading pool (threads outside it share the first).
    parts: Box<[SpillPart]>,
}

/// One file of a [`Spill`].
struct SpillPart {
    /// Unnamed: deleted by the OS once closed.
    file: File,
    /// The end of what has been reserved.
    end: AtomicU64,
}

/// Where [`Spill::append`] wrote: which part, and where in it.
#[derive(Clone, Copy)]
pub(crate) struct SpillAt {
    /// The index of the part in [`Spill::parts`].
    part: usize,
    /// Where the bytes start in that part's file.
    offset: u64,
}

impl Spill {
    /// A spill in `dir`, which should be on the file system the output is written to: a part
    /// for each thread of the pool that loads.
    pub(crate) fn create_in(dir: &Path) -> io::Result<Arc<Spill>> {
        let parts = (0..rayon::current_num_threads().max(1))
            .map(|_| {
                Ok(SpillPart {
                    file: tempfile::tempfile_in(dir)?,
                    end: AtomicU64::new(0),
                })
            })
            .collect::<io::Result<_>>()?;
        Ok(Arc::new(Spill { parts }))
    }

    /// Writes `bytes` after everything reserved so far in this thread's part; returns where.
    fn append(&self, bytes: &[u8]) -> io::Result<SpillAt> {
        let part = rayon::current_thread_index().unwrap_or(0) % self.parts.len();
        let SpillPart { file, end } = &self.parts[part];
        let offset = end.fetch_add(bytes.len() as u64, Ordering::Relaxed);
        write_at(file, bytes, offset)?;
        Ok(SpillAt { part, offset })
    }

    /// The `len` bytes at `at`, which an `append` wrote from a `str`.
    fn read(&self, at: SpillAt, len: usize) -> io::Result<String> {
        let mut bytes = vec![0; len];
        read_at(&self.parts[at.part].file, &mut bytes, at.offset)?;
        String::from_utf8(bytes).map_err(|error| io::Error::new(io::ErrorKind::InvalidData, error))
    }
}

/// Fills `bytes` from `file` at `offset`, leaving the file's cursor alone (so threads can share
/// the file).
#[cfg(unix)]
pub(crate) fn read_at(file: &File, bytes: &mut [u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, bytes, offset)
}

/// Writes all of `bytes` to `file` at `offset`, leaving the file's cursor alone.
#[cfg(unix)]
pub(crate) fn write_at(file: &File, bytes: &[u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, bytes, offset)
}

/// Fills `bytes` from `file` at `offset` (Windows moves the cursor; no caller relies on it).
#[cfg(windows)]
pub(crate) fn read_at(file: &File, mut bytes: &mut [u8], mut offset: u64) -> io::Result<()> {
    while !bytes.is_empty() {
        match std::os::windows::fs::FileExt::seek_read(file, bytes, offset)? {
            0 => return Err(io::ErrorKind::UnexpectedEof.into()),
            read => {
                bytes = &mut bytes[read..];
                offset += read as u64;
            }
        }
    }
    Ok(())
}

/// Writes all of `bytes` to `file` at `offset` (Windows moves the cursor; no caller relies on
/// it).
#[cfg(windows)]
pub(crate) fn write_at(file: &File, mut bytes: &[u8], mut offset: u64) -> io::Result<()> {
    while !bytes.is_empty() {
        match std::os::windows::fs::FileExt::seek_write(file, bytes, offset)? {
            0 => return Err(io::ErrorKind::WriteZero.into()),
            written => {
                bytes = &bytes[written..];
                offset += written as u64;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pages written to one spill from the loading pool's threads at once (a part each, and
    /// plain threads sharing the first) each read back their own HTML, once: the take empties
    /// every clone.
    #[test]
    fn spilled_html_comes_back_whole_to_the_page_that_wrote_it() {
        use rayon::prelude::*;
        let dir = tempfile::tempdir().expect("temp dir");
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(4)
            .build()
            .expect("pool");
        let html_of = |n: usize| format!("<p>page {n}: é</p>").repeat(n % 7 + 1);
        let (spill, mut pages) = pool.install(|| {
            let spill = Spill::create_in(dir.path()).expect("spill");
            let pages: Vec<(String, LoadedHtml)> = (0..800)
                .into_par_iter()
                .map(|n| (html_of(n), LoadedHtml::spilled(&spill, &html_of(n))))
                .collect();
            (spill, pages)
        });
        assert_eq!(spill.parts.len(), 4);
        std::thread::scope(|scope| {
            let spill = &spill;
            let workers: Vec<_> = (800..1000)
                .map(|n| scope.spawn(move || (html_of(n), LoadedHtml::spilled(spill, &html_of(n)))))
                .collect();
            pages.extend(workers.into_iter().map(|w| w.join().expect("thread")));
        });
        assert!(
            std::fs::read_dir(dir.path()).expect("dir").next().is_none(),
            "the spill has no name"
        );
        for (html, held) in &pages {
            let copy = held.clone();
            assert_eq!(held.peek(str::len), Some(html.len()));
            assert_eq!(copy.take().as_deref(), Some(html.as_str()));
            assert!(held.take().is_none(), "taken from every clone");
        }
    }

    /// A spill that cannot give the HTML back yields none, and the page is written again.
    #[test]
    fn a_spill_that_cannot_be_read_gives_nothing() {
        let dir = tempfile::tempdir().expect("temp dir");
        let spill = Spill::create_in(dir.path()).expect("spill");
        let held = LoadedHtml::spilled(&spill, "<p>a</p>");
        for part in &spill.parts {
            part.file.set_len(0).expect("truncate");
        }
        assert!(held.take().is_none());
        assert!(held.take().is_none());
    }
}
