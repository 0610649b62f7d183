//! Where `serve` keeps the files it publishes: packed ([`pack`], deflated) and appended to one
//! temporary file, which the system removes when `serve` ends, however it ends. Memory holds
//! where each file is, not the site, so `serve` stays near `build`'s size at any site size.
//! Files of older builds stay in the pack until they outweigh the live ones (`compact`); then
//! the live ones move to a fresh pack, and the old one goes when the last request reading it is
//! done. So the disk taken stays within about twice the live files, and when the disk is full
//! anyway (a small TMPDIR) `serve` compacts at once and builds again.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use parking_lot::Mutex;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::model::loaded_html::{read_at, write_at};
use crate::model::source::content_hash;
use crate::model::url::OutputPath;

/// One temporary file of packed files, read and written at given offsets (never through a
/// shared cursor), so requests read it side by side.
pub(crate) struct Pack {
    file: File,
    /// Its length: where the next file goes.
    end: Mutex<u64>,
    /// What every pack of its store takes on disk, this one included.
    disk: Arc<Disk>,
}

/// The disk all packs of a store take, until each is dropped (and its file goes).
#[derive(Default)]
struct Disk {
    used: AtomicU64,
    /// Debug builds, for tests: a file (`SRE_GUIDE_TMP_LIMIT`) that holds the size, in bytes,
    /// of a disk this small: it is full past it.
    limit: Option<std::path::PathBuf>,
}

impl Disk {
    fn limit(&self) -> Option<u64> {
        std::fs::read_to_string(self.limit.as_ref()?)
            .ok()?
            .trim()
            .parse()
            .ok()
    }
}

/// A file in a pack.
#[derive(Clone)]
pub(crate) struct Stored {
    pack: Arc<Pack>,
    offset: u64,
    len: u64,
    /// Of the packed bytes (packing is deterministic): equal files have equal hashes.
    pub(crate) hash: u64,
    pub(crate) facts: Facts,
}

/// What `serve` knows of a stored file without inflating it, worked out by the build process
/// while it holds the bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Facts {
    /// The file's length, inflated.
    pub(crate) size: u64,
    /// Where the reload script goes in an HTML file: before its last `</body>`, or at the end.
    pub(crate) body_end: u64,
    /// A hash of the bytes with every fingerprint of a stylesheet's name (`style.1a2b3c4d.css`)
    /// left out: two versions of a page that differ only in the stylesheets they link have the
    /// same one.
    pub(crate) css_blind_hash: u64,
}

impl Facts {
    pub(crate) fn of(bytes: &[u8]) -> Facts {
        let body_end = memchr::memmem::rfind_iter(bytes, b"</")
            .find(|&at| {
                bytes[at..]
                    .get(..7)
                    .is_some_and(|tag| tag.eq_ignore_ascii_case(b"</body>"))
            })
            .unwrap_or(bytes.len());
        Facts {
            size: bytes.len() as u64,
            body_end: body_end as u64,
            css_blind_hash: css_blind_hash(bytes),
        }
    }
}

/// `Facts::css_blind_hash`: the bytes hashed around each `.` + 8 hex digits before `.css`.
fn css_blind_hash(bytes: &[u8]) -> u64 {
    use std::hash::Hasher as _;
    let mut hasher = std::hash::DefaultHasher::new();
    let mut from = 0;
    for at in memchr::memmem::find_iter(bytes, b".css") {
        let Some(start) = at.checked_sub(9) else {
            continue;
        };
        let fingerprint = &bytes[start..at];
        if start >= from
            && fingerprint[0] == b'.'
            && fingerprint[1..].iter().all(u8::is_ascii_hexdigit)
        {
            hasher.write(&bytes[from..start]);
            from = at;
        }
    }
    hasher.write(&bytes[from..]);
    hasher.finish()
}

/// Served files by path; successive builds share the files they did not change.
pub(crate) type Files = HashMap<String, Stored>;

/// A published file and where it is kept.
pub(crate) struct StoredFile {
    pub(crate) path: OutputPath,
    pub(crate) stored: Stored,
}

/// The pack new files go to.
pub(crate) struct Store {
    current: Mutex<Arc<Pack>>,
    disk: Arc<Disk>,
    /// Garbage a pack may hold beyond its live bytes before they move (`SLACK`).
    slack: u64,
    /// The live bytes at the last compaction: what a full site takes.
    live: AtomicU64,
    /// Debug builds, for tests: each compaction takes at least this long
    /// (`SRE_GUIDE_SLOW_COMPACTION`, in milliseconds), and every publish compacts.
    slow: Option<Duration>,
}

/// Garbage a pack may hold beyond twice its live bytes before they move to a fresh one: small,
/// so a small temp folder is not filled by garbage.
const SLACK: u64 = 1 << 20;

impl Store {
    pub(crate) fn new() -> io::Result<Store> {
        let hook = |name| {
            cfg!(debug_assertions)
                .then(|| std::env::var_os(name))
                .flatten()
        };
        let disk = Arc::new(Disk {
            used: AtomicU64::new(0),
            limit: hook("SRE_GUIDE_TMP_LIMIT").map(Into::into),
        });
        Ok(Store {
            current: Mutex::new(Pack::new(&disk)?),
            disk,
            slack: SLACK,
            live: AtomicU64::new(0),
            slow: hook("SRE_GUIDE_SLOW_COMPACTION")
                .and_then(|ms| ms.to_str()?.parse().ok())
                .map(Duration::from_millis),
        })
    }

    /// Appends `packed` (a file `pack` made, with its `facts`) to the current pack.
    pub(crate) fn put(&self, packed: &[u8], facts: Facts) -> io::Result<Stored> {
        let pack = Arc::clone(&self.current.lock());
        pack.append(packed, facts)
    }

    /// Moves `files` (the whole published site) to a fresh pack when the current one holds more
    /// garbage than live bytes (and more than `SLACK`), or always when `now`; so the disk it
    /// takes stays within about twice the live files. Only the caller's thread waits: no lock
    /// is held while files are copied, and new files still go to the old pack meanwhile.
    pub(crate) fn compact<K: Clone + Eq + std::hash::Hash>(
        &self,
        files: &mut HashMap<K, Stored>,
        now: bool,
    ) -> io::Result<()> {
        let current = Arc::clone(&self.current.lock());
        let live: u64 = files.values().map(|stored| stored.len).sum();
        self.live.store(live, Ordering::Relaxed);
        if !now && self.slow.is_none() && current.len() <= 2 * live + self.slack {
            return Ok(());
        }
        if let Some(slow) = self.slow {
            let _ = writeln!(
                io::stderr(),
                "compacting (test hook: {} ms)",
                slow.as_millis()
            );
            std::thread::sleep(slow);
        }
        let fresh = Pack::new(&self.disk)?;
        let mut moved = files.clone();
        for stored in moved.values_mut() {
            *stored = fresh.copy(stored)?;
        }
        *files = moved;
        *self.current.lock() = fresh;
        Ok(())
    }

    /// Starts a fresh, empty pack: once the files of the old one are no longer served, its
    /// disk is given back.
    pub(crate) fn start_fresh(&self) -> io::Result<()> {
        *self.current.lock() = Pack::new(&self.disk)?;
        Ok(())
    }

    /// The packed bytes of the site last compacted or checked (see `compact`).
    pub(crate) fn live_bytes(&self) -> u64 {
        self.live.load(Ordering::Relaxed)
    }
}

impl Pack {
    fn new(disk: &Arc<Disk>) -> io::Result<Arc<Pack>> {
        Ok(Arc::new(Pack {
            file: tempfile::tempfile()?,
            end: Mutex::new(0),
            disk: Arc::clone(disk),
        }))
    }

    fn len(&self) -> u64 {
        *self.end.lock()
    }

    fn append(self: &Arc<Self>, packed: &[u8], facts: Facts) -> io::Result<Stored> {
        let mut end = self.end.lock();
        let offset = *end;
        self.room_for(packed.len() as u64)?;
        write_at(&self.file, packed, offset)?;
        *end += packed.len() as u64;
        self.disk
            .used
            .fetch_add(packed.len() as u64, Ordering::Relaxed);
        Ok(Stored {
            pack: Arc::clone(self),
            offset,
            len: packed.len() as u64,
            hash: content_hash(packed),
            facts,
        })
    }

    /// Copies `stored` from its pack to the end of this one, a slice at a time, so a large file
    /// never sits in memory whole.
    fn copy(self: &Arc<Self>, stored: &Stored) -> io::Result<Stored> {
        let mut end = self.end.lock();
        let offset = *end;
        self.room_for(stored.len)?;
        let mut slice = vec![0; COPY_SLICE.min(stored.len) as usize];
        let mut done = 0;
        while done < stored.len {
            let part = &mut slice[..COPY_SLICE.min(stored.len - done) as usize];
            stored.read_packed(done, part)?;
            write_at(&self.file, part, offset + done)?;
            done += part.len() as u64;
        }
        *end += stored.len;
        self.disk.used.fetch_add(stored.len, Ordering::Relaxed);
        Ok(Stored {
            pack: Arc::clone(self),
            offset,
            ..stored.clone()
        })
    }

    /// Whether the disk has room for `grown` more bytes: a test's small disk may not.
    fn room_for(&self, grown: u64) -> io::Result<()> {
        match self.disk.limit() {
            Some(limit) if self.disk.used.load(Ordering::Relaxed) + grown > limit => {
                Err(io::ErrorKind::StorageFull.into())
            }
            _ => Ok(()),
        }
    }
}

impl Drop for Pack {
    fn drop(&mut self) {
        let len = *self.end.get_mut();
        self.disk.used.fetch_sub(len, Ordering::Relaxed);
    }
}

/// Large files are copied (and read to be sent) this much at a time.
const COPY_SLICE: u64 = 256 * 1024;

impl Stored {
    /// The packed bytes, whole (see [`Stored::bytes`]).
    pub(crate) fn packed(&self) -> io::Result<Vec<u8>> {
        let mut bytes = vec![0; self.len as usize];
        self.read_packed(0, &mut bytes)?;
        Ok(bytes)
    }

    /// The file's length packed.
    pub(crate) fn packed_len(&self) -> u64 {
        self.len
    }

    /// Fills `bytes` with the packed bytes from `from` on.
    pub(crate) fn read_packed(&self, from: u64, bytes: &mut [u8]) -> io::Result<()> {
        if from + bytes.len() as u64 > self.len {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        read_at(&self.pack.file, bytes, self.offset + from)
    }

    /// The file's bytes, whole: only for small files (link preview images handed to a new build
    /// process, tests); `None` when the pack cannot be read.
    pub(crate) fn bytes(&self) -> Option<Vec<u8>> {
        unpack(&self.packed().ok()?)
    }
}

/// Deflates a file's bytes (fast level): files cross the pipe and stay in `serve`'s memory
/// packed, a fifth of their size for HTML, so a large site is not held whole.
pub(crate) fn pack(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::DeflateEncoder::new(
        Vec::with_capacity(bytes.len() / 4),
        flate2::Compression::fast(),
    );
    let mut packed = encoder
        .write_all(bytes)
        .and_then(|()| encoder.finish())
        .expect("deflating into memory cannot fail");
    // Kept for as long as the file is served: no spare capacity.
    packed.shrink_to_fit();
    packed
}

/// The bytes `pack` packed; `None` for bytes it did not make.
pub(crate) fn unpack(packed: &[u8]) -> Option<Vec<u8>> {
    let mut bytes = Vec::with_capacity(packed.len() * 5);
    flate2::read::DeflateDecoder::new(packed)
        .read_to_end(&mut bytes)
        .ok()?;
    Some(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_bytes_unpack_to_themselves() {
        let page = b"<li><a href=\"../p1/\">Page 1</a></li>".repeat(1000);
        let packed = pack(&page);
        assert!(packed.len() * 10 < page.len(), "{} bytes", packed.len());
        assert_eq!(unpack(&packed).expect("unpacks"), page);
        assert_eq!(unpack(&pack(b"")).expect("unpacks"), b"");
        assert!(unpack(b"\xff\xff not deflate").is_none());
    }

    #[test]
    fn files_read_back_as_stored_and_compaction_keeps_only_the_live_ones() {
        let store = Store {
            slack: 1_000,
            ..Store::new().expect("a temporary file")
        };
        let a = store
            .put(&pack(b"first file"), Facts::of(b"first file"))
            .expect("stored");
        let b = store
            .put(&pack(b"second file"), Facts::of(b"second file"))
            .expect("stored");
        assert_eq!(a.bytes().as_deref(), Some(&b"first file"[..]));
        assert_eq!(b.bytes().as_deref(), Some(&b"second file"[..]));
        assert_ne!(a.hash, b.hash);
        assert_eq!(
            store
                .put(&pack(b"first file"), Facts::of(b"first file"))
                .expect("stored")
                .hash,
            a.hash
        );

        // Little garbage: nothing moves.
        let mut live = HashMap::from([("b", b.clone())]);
        store.compact(&mut live, false).expect("compact");
        assert!(Arc::ptr_eq(&live["b"].pack, &b.pack));

        // Garbage beyond the slack: the live file moves to a fresh pack, and reads the same.
        store.put(&[7; 1_001], Facts::default()).expect("stored");
        store.compact(&mut live, false).expect("compact");
        assert!(!Arc::ptr_eq(&live["b"].pack, &b.pack));
        assert_eq!(live["b"].pack.len(), live["b"].len);
        assert_eq!(live["b"].bytes().as_deref(), Some(&b"second file"[..]));
        assert_eq!(live["b"].hash, b.hash);
        // A reader of the old site still reads the old pack.
        assert_eq!(b.bytes().as_deref(), Some(&b"second file"[..]));
        // Asked to, it compacts whatever the garbage.
        let before = Arc::clone(&live["b"].pack);
        store.compact(&mut live, true).expect("compact");
        assert!(!Arc::ptr_eq(&live["b"].pack, &before));
        assert_eq!(store.live_bytes(), live["b"].len);
    }

    #[test]
    fn facts_place_the_script_and_see_past_stylesheet_fingerprints() {
        let page = b"<html><body><p>a</body> x</Body>\n</html>";
        assert_eq!(
            Facts::of(page).body_end,
            25,
            "before the last </body>, any case"
        );
        assert_eq!(Facts::of(b"<p>no body").body_end, 10);
        assert_eq!(Facts::of(page).size, page.len() as u64);
        let linking = |name: &str| format!("<link href=\"static/{name}\"><p>text</p>");
        let blind = |text: String| Facts::of(text.as_bytes()).css_blind_hash;
        assert_eq!(
            blind(linking("style.1a2b3c4d.css")),
            blind(linking("style.99ff0011.css"))
        );
        assert_ne!(
            blind(linking("style.1a2b3c4d.css")),
            blind(linking("other.1a2b3c4d.css"))
        );
        assert_ne!(
            blind(linking("style.1a2b3c4d.css")),
            blind(linking("style.1a2b3c4d.js"))
        );
        assert_ne!(blind(linking("a.css")), blind(linking("b.css")));
    }

    #[test]
    fn the_disk_taken_is_given_back_with_the_pack() {
        let store = Store::new().expect("a temporary file");
        let used = || store.disk.used.load(Ordering::Relaxed);
        let kept = store.put(&[1; 100], Facts::default()).expect("stored");
        let garbage = store.put(&[2; 300], Facts::default()).expect("stored");
        assert_eq!(used(), 400);
        drop(garbage);
        let mut live = HashMap::from([("a", kept)]);
        store.compact(&mut live, true).expect("compact");
        // The old pack goes with the last file that points into it.
        assert_eq!(used(), 100);
        store.start_fresh().expect("a fresh pack");
        drop(live);
        assert_eq!(used(), 0);
    }
}
