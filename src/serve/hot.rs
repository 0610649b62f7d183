//! The files open browsers ask for most, kept inflated in memory: a cache bounded in bytes, the
//! least recently asked-for file leaving first. In: a stored file; out: its bytes, inflated once
//! and shared by every answer until it leaves the cache. Keyed by what the bytes are (the packed
//! bytes' hash and lengths), so a file a build did not change stays hot across builds, and a
//! changed one is a new entry. Files too large for a slice of the budget are never kept: they
//! stream from the pack as before ([`reply`](super::reply)).

use std::collections::HashMap;

use hyper::body::Bytes;
use parking_lot::Mutex;

use super::store::Stored;

/// What the cache holds at most, inflated: a few hundred pages of a large site.
pub(super) const BUDGET: usize = 24 << 20;

/// The largest file kept: bigger ones stream, so one file never takes the cache, and inflating
/// one whole holds a thread about as long as a slice of a streamed one (~1 ms).
const LARGEST: usize = 512 << 10;

/// A file by its bytes: the packed bytes' hash, their length and the inflated length.
type Key = (u64, u64, u64);

/// Inflated files, bounded in bytes.
pub(super) struct HotFiles {
    budget: usize,
    inner: Mutex<Entries>,
}

#[derive(Default)]
struct Entries {
    files: HashMap<Key, Entry>,
    /// Bytes held by `files`.
    held: usize,
    /// Counts uses: an entry's `used` is the count at its last use.
    clock: u64,
}

struct Entry {
    bytes: Bytes,
    used: u64,
}

impl HotFiles {
    pub(super) fn new(budget: usize) -> HotFiles {
        HotFiles {
            budget,
            inner: Mutex::default(),
        }
    }

    /// The inflated bytes of `stored`, from memory, or inflated now and kept when the file is
    /// small enough; `None` for a file too large to keep or a pack that cannot be read (it then
    /// streams, and reports its own error).
    pub(super) fn get(&self, stored: &Stored) -> Option<Bytes> {
        let key = (stored.hash, stored.packed_len(), stored.facts.size);
        {
            let mut entries = self.inner.lock();
            entries.clock += 1;
            let clock = entries.clock;
            if let Some(entry) = entries.files.get_mut(&key) {
                entry.used = clock;
                return Some(entry.bytes.clone());
            }
        }
        let size = usize::try_from(stored.facts.size).ok()?;
        if size > LARGEST.min(self.budget) {
            return None;
        }
        // Inflated outside the lock: other answers go on meanwhile.
        let bytes = Bytes::from(stored.bytes()?);
        if bytes.len() != size {
            return None;
        }
        let mut entries = self.inner.lock();
        entries.make_room(size, self.budget);
        let clock = entries.clock;
        if let Some(old) = entries.files.insert(
            key,
            Entry {
                bytes: bytes.clone(),
                used: clock,
            },
        ) {
            entries.held -= old.bytes.len();
        }
        entries.held += size;
        Some(bytes)
    }

    /// Bytes held now.
    #[cfg(test)]
    fn held(&self) -> usize {
        self.inner.lock().held
    }
}

impl Entries {
    /// Lets the least recently used files go until `size` more bytes fit in `budget`.
    fn make_room(&mut self, size: usize, budget: usize) {
        while self.held + size > budget {
            let Some((&oldest, _)) = self.files.iter().min_by_key(|(_, entry)| entry.used) else {
                return;
            };
            if let Some(entry) = self.files.remove(&oldest) {
                self.held -= entry.bytes.len();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::serve::store::{Facts, Store, pack};

    fn stored(store: &Store, bytes: &[u8]) -> Stored {
        store.put(&pack(bytes), Facts::of(bytes)).expect("stored")
    }

    #[test]
    fn files_are_inflated_once_and_the_least_recently_used_leave_first() {
        let store = Store::new().expect("a temporary file");
        let hot = HotFiles::new(3_000);
        let a = stored(&store, &[b'a'; 1_000]);
        let b = stored(&store, &[b'b'; 1_000]);
        let c = stored(&store, &[b'c'; 1_000]);
        assert_eq!(hot.get(&a).as_deref(), Some(&[b'a'; 1_000][..]));
        let first = hot.get(&a).expect("kept");
        assert_eq!(
            first.as_ptr(),
            hot.get(&a).expect("kept").as_ptr(),
            "shared, not inflated again"
        );
        hot.get(&b).expect("kept");
        hot.get(&c).expect("kept");
        assert_eq!(hot.held(), 3_000);
        // `a` was used after `b`: `b` leaves for `d`.
        hot.get(&a).expect("kept");
        let d = stored(&store, &[b'd'; 1_000]);
        assert_eq!(hot.get(&d).as_deref(), Some(&[b'd'; 1_000][..]));
        assert_eq!(hot.held(), 3_000);
        let entries = hot.inner.lock();
        let kept: Vec<u8> = {
            let mut kept: Vec<u8> = entries.files.values().map(|e| e.bytes[0]).collect();
            kept.sort_unstable();
            kept
        };
        assert_eq!(kept, b"acd");
    }

    #[test]
    fn a_file_too_large_for_the_budget_is_not_kept() {
        let store = Store::new().expect("a temporary file");
        let hot = HotFiles::new(1_000);
        let large = stored(&store, &[b'x'; 2_000]);
        assert!(hot.get(&large).is_none());
        assert_eq!(hot.held(), 0);
    }
}
