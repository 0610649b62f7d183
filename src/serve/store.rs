//! Where `serve` keeps the files it publishes: packed ([`pack`], deflated) and appended to one
//! temporary file, which the system removes when `serve` ends, however it ends. Memory holds
//! where each file is, not the site, so `serve` stays near `build`'s size at any site size.
//! Files of older builds stay in the pack until they outweigh the live ones; then the live
//! ones move to a fresh pack, and the old one goes when the last request reading it is done.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read, Write};
use std::sync::Arc;

use parking_lot::Mutex;

use crate::model::source::content_hash;
use crate::model::url::OutputPath;

/// One temporary file of packed files, read and written at given offsets (never through a
/// shared cursor), so requests read it side by side.
pub(crate) struct Pack {
    file: File,
    /// Its length: where the next file goes.
    end: Mutex<u64>,
}

/// A file in a pack.
#[derive(Clone)]
pub(crate) struct Stored {
    pack: Arc<Pack>,
    offset: u64,
    len: u64,
    /// Of the packed bytes (packing is deterministic): equal files have equal hashes.
    pub(crate) hash: u64,
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
    /// Garbage a pack may hold beyond its live bytes before they move (`SLACK`).
    slack: u64,
}

/// Garbage a pack may hold beyond its live bytes before they move to a fresh one.
const SLACK: u64 = 64 << 20;

impl Store {
    pub(crate) fn new() -> io::Result<Store> {
        Ok(Store {
            current: Mutex::new(Pack::new()?),
            slack: SLACK,
        })
    }

    /// Appends `packed` to the current pack.
    pub(crate) fn put(&self, packed: &[u8]) -> io::Result<Stored> {
        let pack = Arc::clone(&self.current.lock());
        pack.append(packed)
    }

    /// Moves `files` (the whole published site) to a fresh pack when the current one holds more
    /// garbage than live bytes (and more than `SLACK`), so the disk it takes stays bounded.
    pub(crate) fn compact<K>(&self, files: &mut HashMap<K, Stored>) -> io::Result<()> {
        let mut current = self.current.lock();
        let live: u64 = files.values().map(|stored| stored.len).sum();
        if current.len() <= 2 * live + self.slack {
            return Ok(());
        }
        let fresh = Pack::new()?;
        for stored in files.values_mut() {
            *stored = fresh.append(&stored.packed()?)?;
        }
        *current = fresh;
        Ok(())
    }
}

impl Pack {
    fn new() -> io::Result<Arc<Pack>> {
        Ok(Arc::new(Pack {
            file: tempfile::tempfile()?,
            end: Mutex::new(0),
        }))
    }

    fn len(&self) -> u64 {
        *self.end.lock()
    }

    fn append(self: &Arc<Self>, packed: &[u8]) -> io::Result<Stored> {
        let mut end = self.end.lock();
        let offset = *end;
        write_at(&self.file, packed, offset)?;
        *end += packed.len() as u64;
        Ok(Stored {
            pack: Arc::clone(self),
            offset,
            len: packed.len() as u64,
            hash: content_hash(packed),
        })
    }
}

impl Stored {
    /// The packed bytes.
    pub(crate) fn packed(&self) -> io::Result<Vec<u8>> {
        let len = usize::try_from(self.len).map_err(|_| io::ErrorKind::OutOfMemory)?;
        let mut bytes = vec![0; len];
        read_at(&self.pack.file, &mut bytes, self.offset)?;
        Ok(bytes)
    }

    /// The file's bytes; `None` when the pack cannot be read back.
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

#[cfg(unix)]
fn read_at(file: &File, bytes: &mut [u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, bytes, offset)
}

#[cfg(unix)]
fn write_at(file: &File, bytes: &[u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, bytes, offset)
}

#[cfg(windows)]
fn read_at(file: &File, mut bytes: &mut [u8], mut offset: u64) -> io::Result<()> {
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

#[cfg(windows)]
fn write_at(file: &File, mut bytes: &[u8], mut offset: u64) -> io::Result<()> {
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
        let a = store.put(&pack(b"first file")).expect("stored");
        let b = store.put(&pack(b"second file")).expect("stored");
        assert_eq!(a.bytes().as_deref(), Some(&b"first file"[..]));
        assert_eq!(b.bytes().as_deref(), Some(&b"second file"[..]));
        assert_ne!(a.hash, b.hash);
        assert_eq!(
            store.put(&pack(b"first file")).expect("stored").hash,
            a.hash
        );

        // Little garbage: nothing moves.
        let mut live = HashMap::from([("b", b.clone())]);
        store.compact(&mut live).expect("compact");
        assert!(Arc::ptr_eq(&live["b"].pack, &b.pack));

        // Garbage beyond the slack: the live file moves to a fresh pack, and reads the same.
        store.put(&[7; 1_001]).expect("stored");
        store.compact(&mut live).expect("compact");
        assert!(!Arc::ptr_eq(&live["b"].pack, &b.pack));
        assert_eq!(live["b"].pack.len(), live["b"].len);
        assert_eq!(live["b"].bytes().as_deref(), Some(&b"second file"[..]));
        assert_eq!(live["b"].hash, b.hash);
        // A reader of the old site still reads the old pack.
        assert_eq!(b.bytes().as_deref(), Some(&b"second file"[..]));
    }
}
