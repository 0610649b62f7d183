//! An answer to one request, what the responder makes and the connection layer sends: its body
//! either small and whole, or a stored file inflated as it is sent, with the reload script put
//! in as it passes, so a request costs a slice of the file at a time, never the whole page. A
//! leaf, so both sides can use it without importing each other.

use std::collections::VecDeque;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use hyper::Response;
use hyper::body::{Bytes, Frame, SizeHint};

use super::store::Stored;

/// One response.
pub(super) type Reply = Response<Body>;

/// A response body.
pub(super) enum Body {
    /// Small and whole (taken by the first poll).
    Whole(Option<Bytes>),
    /// Pieces already in memory (a hot file, and the script put in it), sent in turn.
    Pieces(VecDeque<Bytes>),
    Inflating(Box<Inflating>),
}

impl Body {
    pub(super) fn whole(bytes: impl Into<Bytes>) -> Body {
        Body::Whole(Some(bytes.into()))
    }

    pub(super) fn empty() -> Body {
        Body::Whole(None)
    }

    /// `bytes` (a file already inflated) with `insert` put in at its offset when given; the
    /// pieces share `bytes`, nothing is copied.
    pub(super) fn spliced(bytes: Bytes, insert: Option<(u64, Bytes)>) -> Body {
        let pieces = match insert {
            Some((at, inserted)) => {
                let at = usize::try_from(at).unwrap_or(usize::MAX).min(bytes.len());
                [bytes.slice(..at), inserted, bytes.slice(at..)].into()
            }
            None => [bytes].into(),
        };
        let mut pieces: VecDeque<Bytes> = pieces;
        pieces.retain(|piece| !piece.is_empty());
        Body::Pieces(pieces)
    }

    /// The file `stored`, inflated as it is sent, with `insert` put in at `at` (inflated bytes
    /// from the start) when given.
    pub(super) fn stored(stored: Stored, insert: Option<(u64, Bytes)>) -> Body {
        Body::Inflating(Box::new(Inflating::new(stored, insert)))
    }
}

impl hyper::body::Body for Body {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        // Each poll does a bounded piece of work (one slice read and inflated), so a large file
        // holds a thread no longer than a small answer does.
        let next = match self.get_mut() {
            Body::Whole(bytes) => Ok(bytes.take()),
            Body::Pieces(pieces) => Ok(pieces.pop_front()),
            Body::Inflating(inflating) => inflating.next_slice(),
        };
        Poll::Ready(next.map(|bytes| bytes.map(Frame::data)).transpose())
    }

    fn is_end_stream(&self) -> bool {
        match self {
            Body::Whole(bytes) => bytes.is_none(),
            Body::Pieces(pieces) => pieces.is_empty(),
            Body::Inflating(inflating) => inflating.left() == 0,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            Body::Whole(bytes) => {
                SizeHint::with_exact(bytes.as_ref().map_or(0, |b| b.len() as u64))
            }
            Body::Pieces(pieces) => {
                SizeHint::with_exact(pieces.iter().map(|piece| piece.len() as u64).sum())
            }
            Body::Inflating(inflating) => SizeHint::with_exact(inflating.left()),
        }
    }
}

/// Inflated bytes sent per slice.
const SLICE: usize = 64 * 1024;
/// Packed bytes read from the pack at a time.
const READ: usize = 16 * 1024;

/// A stored file being inflated, a slice at a time.
pub(super) struct Inflating {
    stored: Stored,
    inflater: flate2::Decompress,
    /// Packed bytes read but not yet inflated: `input[used..]`.
    input: Vec<u8>,
    used: usize,
    /// Packed bytes read from the pack so far.
    read: u64,
    /// Inflated bytes sent so far.
    sent: u64,
    /// What to put in, and where.
    insert: Option<(u64, Bytes)>,
    /// Bytes still to send, `insert` included.
    left: u64,
}

impl Inflating {
    fn new(stored: Stored, insert: Option<(u64, Bytes)>) -> Inflating {
        let extra = insert.as_ref().map_or(0, |(_, bytes)| bytes.len() as u64);
        let insert = insert.map(|(at, bytes)| (at.min(stored.facts.size), bytes));
        Inflating {
            left: stored.facts.size + extra,
            stored,
            inflater: flate2::Decompress::new(false),
            input: Vec::new(),
            used: 0,
            read: 0,
            sent: 0,
            insert,
        }
    }

    fn left(&self) -> u64 {
        self.left
    }

    /// The next slice of the answer; `None` at its end.
    fn next_slice(&mut self) -> io::Result<Option<Bytes>> {
        if self.insert.as_ref().is_some_and(|(at, _)| *at == self.sent) {
            let (_, bytes) = self.insert.take().unwrap_or_default();
            self.left -= bytes.len() as u64;
            return Ok(Some(bytes));
        }
        let size = self.stored.facts.size;
        // Up to the insertion point, if it comes first.
        let until = self.insert.as_ref().map_or(size, |(at, _)| *at);
        let want = (until - self.sent).min(SLICE as u64) as usize;
        if want == 0 {
            return Ok(None);
        }
        let mut out = vec![0; want];
        let mut filled = 0;
        while filled < want {
            if self.used == self.input.len() && self.read < self.stored.packed_len() {
                self.refill()?;
            }
            // Called with no input left too: the inflater may hold output it had no room for.
            let (before_in, before_out) = (self.inflater.total_in(), self.inflater.total_out());
            let status = self
                .inflater
                .decompress(
                    &self.input[self.used..],
                    &mut out[filled..],
                    flate2::FlushDecompress::None,
                )
                .map_err(|error| io::Error::new(io::ErrorKind::InvalidData, error))?;
            let consumed = (self.inflater.total_in() - before_in) as usize;
            let made = (self.inflater.total_out() - before_out) as usize;
            self.used += consumed;
            filled += made;
            if status == flate2::Status::StreamEnd || consumed + made == 0 {
                break;
            }
        }
        if filled == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the stored file is shorter than its recorded size",
            ));
        }
        out.truncate(filled);
        self.sent += filled as u64;
        self.left -= filled as u64;
        Ok(Some(Bytes::from(out)))
    }

    /// Reads the next packed bytes from the pack.
    fn refill(&mut self) -> io::Result<()> {
        let rest = self.stored.packed_len() - self.read;
        self.input.resize(READ.min(rest as usize), 0);
        self.stored.read_packed(self.read, &mut self.input)?;
        self.read += self.input.len() as u64;
        self.used = 0;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::serve::store::{Facts, Store, pack};

    /// Everything `body` sends, and the size it announced first.
    fn drain(mut body: Body) -> (u64, Vec<u8>, usize) {
        use hyper::body::Body as _;
        let announced = body.size_hint().exact().expect("an exact size");
        let (mut sent, mut slices) = (Vec::new(), 0);
        let waker = std::task::Waker::noop();
        let mut context = Context::from_waker(waker);
        while let Poll::Ready(Some(frame)) = Pin::new(&mut body).poll_frame(&mut context) {
            let data = frame.expect("a slice").into_data().expect("data");
            assert!(data.len() <= SLICE);
            sent.extend_from_slice(&data);
            slices += 1;
        }
        assert!(body.is_end_stream());
        (announced, sent, slices)
    }

    fn stored(store: &Store, bytes: &[u8]) -> Stored {
        store.put(&pack(bytes), Facts::of(bytes)).expect("stored")
    }

    #[test]
    fn a_stored_page_is_sent_inflated_a_slice_at_a_time_with_the_script_in_place() {
        let store = Store::new().expect("a temporary file");
        // A page of ~1 MB that does not deflate much, so it spans many reads and slices.
        let mut page: Vec<u8> = b"<html><body>".to_vec();
        page.extend(crate::serve::build_process::protocol::noise(1 << 20));
        page.extend_from_slice(b"</BODY></html>\n");
        let file = stored(&store, &page);
        let tag = Bytes::from_static(b"<script></script>");
        let insert = Some((file.facts.body_end, tag.clone()));
        let (announced, sent, slices) = drain(Body::stored(file.clone(), insert));
        let at = page.len() - b"</BODY></html>\n".len();
        let expected = [&page[..at], &tag[..], &page[at..]].concat();
        assert_eq!(announced, expected.len() as u64);
        assert!(
            sent == expected,
            "the page arrives whole, the script before </BODY>"
        );
        assert!(slices > 16, "{slices} slices");
        // Without an insertion, and for an empty file.
        assert_eq!(drain(Body::stored(file, None)).1, page);
        let empty = stored(&store, b"");
        assert_eq!(drain(Body::stored(empty.clone(), None)), (0, Vec::new(), 0));
        let (_, sent, _) = drain(Body::stored(empty, Some((0, tag.clone()))));
        assert_eq!(sent, tag);
        assert_eq!(drain(Body::whole("hi")).1, b"hi");
        // From memory (a hot file is at most a slice or so), the same bytes.
        let small = b"<html><body><p>hot</p></body></html>";
        let whole = Bytes::from_static(small);
        let insert = Some((22, tag.clone()));
        let expected = [&small[..22], &tag[..], &small[22..]].concat();
        assert_eq!(drain(Body::spliced(whole.clone(), insert)).1, expected);
        assert_eq!(drain(Body::spliced(whole, None)).1, small);
        let (_, sent, _) = drain(Body::spliced(Bytes::new(), Some((0, tag.clone()))));
        assert_eq!(sent, tag);
    }
}
