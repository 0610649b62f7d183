//! The frames between `serve` and its build process, through one codec. Every frame is a magic
//! (`MAGIC`), a version byte, the body's length (8 bytes, little-endian, at most `MAX_FRAME`)
//! and the body: a serde value in postcard. To the process: the link preview images of the last
//! good build, then one `Request` per burst of saves. From it: `Alive` while it lives, each
//! changed file as it is rendered (a piece), then the request's [`Outcome`]. A frame that breaks
//! any of these rules is refused before a byte of it is kept ([`FrameError`]). Encoding and
//! decoding only; the channel they travel on is [`channel`](super::channel)'s.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::io::{self, Read, Write};

use serde::{Deserialize, Serialize};

use crate::model::diagnostic::OverlayDiagnostic;
use crate::model::url::OutputPath;
use crate::serve::store::{Facts, pack};

/// Opens every frame: a stray write, or a reader out of step, is caught at its first bytes.
const MAGIC: [u8; 4] = *b"SGbp";
/// Changes whenever a frame's body changes shape, so a build process from another version of
/// `sre-guide` (a binary replaced while `serve` runs) is refused, not misread.
const VERSION: u8 = 2;
/// The largest body taken: one packed file (pages are deflated, about a fifth of their size for
/// HTML) or one verdict. A length above it is corruption, and nothing is allocated for it.
pub(crate) const MAX_FRAME: u64 = 1 << 30;
const HEAD: usize = MAGIC.len() + 1 + 8;

/// A file as the build process sends it: packed, with what `serve` must know of it unpacked.
#[derive(Debug)]
pub(crate) struct PackedFile {
    pub(crate) path: OutputPath,
    pub(crate) packed: Vec<u8>,
    pub(crate) facts: Facts,
}

impl PackedFile {
    pub(crate) fn new(path: &OutputPath, bytes: &[u8]) -> PackedFile {
        PackedFile {
            path: path.clone(),
            packed: pack(bytes),
            facts: Facts::of(bytes),
        }
    }
}

/// Files that changed since the build process's previous frame: `PackedFile`s in the build
/// process, `StoredFile`s once `serve` has stored them.
#[derive(Debug)]
pub(crate) struct Delta<F = PackedFile> {
    /// New and changed files, sorted by path, their bytes `pack`ed.
    pub(crate) files: Vec<F>,
    /// Files no longer published.
    pub(crate) removed: Vec<String>,
    /// `files` is the whole site (a new process's first build): anything else goes.
    pub(crate) complete: bool,
}

/// What a build process reports about one request.
#[derive(Debug)]
pub(crate) enum Outcome<F = PackedFile> {
    /// The changed pages, rendered before the rest so the browser shows them at once.
    Shown(Delta<F>),
    /// The whole site is built: every other changed file, and the warnings it has (the
    /// preview shows them beside the page, not over it).
    Built {
        delta: Delta<F>,
        pages: usize,
        warnings: Vec<OverlayDiagnostic>,
    },
    /// Problems an editor can fix, already printed to the terminal by the build process.
    Failed(Vec<OverlayDiagnostic>),
    /// The environment failed (an unreadable folder, a broken build process): the message.
    Environment(String),
    /// A bug in sre-guide: a panic's message, or why the process gave no result.
    Internal(String),
}

/// One burst of saves, as the build process receives it.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct Request {
    pub(crate) generation: u64,
    /// Saved paths relative to the root.
    pub(crate) changed: Vec<String>,
    /// Routes browsers show, rendered first with the saved pages.
    pub(crate) viewing: Vec<String>,
    /// Debug builds only: what the build of this request does wrong on purpose (tests).
    pub(crate) fault: Option<Fault>,
}

/// Faults tests ask a debug build process for, to see `serve` survive them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) enum Fault {
    /// The build panics with this message.
    Panic(String),
    /// The process prints garbage to its stdout, as a stray `print!` in a dependency would.
    Print,
    /// A frame that announces a length of 2^64 − 1 bytes.
    HugeLength,
    /// 64 KiB of random bytes where a frame belongs.
    RandomBytes,
}

/// What `serve` sends its build process.
#[derive(Serialize, Deserialize)]
pub(crate) enum ToBuild<'a> {
    /// The link preview images of the last good build (costly to draw), first of all.
    Previews(#[serde(borrow)] Vec<WireFile<'a>>),
    Request(Request),
    /// Routes a browser waits for while the first build runs: rendered first, as soon as the
    /// site is loaded; never stops the pass.
    Wanted(Vec<String>),
}

/// What a build process sends `serve`.
#[derive(Serialize, Deserialize)]
pub(crate) enum FromBuild<'a> {
    /// The process runs: sent every `HEARTBEAT` whatever it is doing, so `serve` tells a busy
    /// process from a stopped one.
    Alive,
    /// One changed file of request `generation`, packed, as soon as it is rendered.
    Piece {
        generation: u64,
        #[serde(borrow)]
        file: WireFile<'a>,
        facts: Facts,
    },
    /// The verdict on request `generation`; the files went ahead as pieces.
    Verdict { generation: u64, verdict: Verdict },
}

/// A path and its bytes, borrowed from the frame they are read from.
#[derive(Serialize, Deserialize)]
pub(crate) struct WireFile<'a> {
    #[serde(borrow)]
    pub(crate) path: Cow<'a, str>,
    #[serde(borrow, with = "serde_bytes")]
    pub(crate) bytes: Cow<'a, [u8]>,
}

/// An `Outcome` without its files (they travel as pieces ahead of it).
#[derive(Serialize, Deserialize)]
pub(crate) enum Verdict {
    Shown,
    Built {
        pages: u64,
        removed: Vec<String>,
        complete: bool,
        /// The warnings as JSON, like `Failed`'s diagnostics.
        warnings: String,
    },
    /// The overlay's diagnostics as JSON, their own format (`OverlayDiagnostic`).
    Failed(String),
    Environment(String),
    Internal(String),
}

/// How often a build process says it is alive.
pub(crate) const HEARTBEAT: std::time::Duration = std::time::Duration::from_millis(500);

impl Verdict {
    /// The verdict on the wire for `outcome`, whose files are sent as pieces.
    pub(crate) fn of<F>(outcome: &Outcome<F>) -> Verdict {
        match outcome {
            Outcome::Shown(_) => Verdict::Shown,
            Outcome::Built {
                delta,
                pages,
                warnings,
            } => Verdict::Built {
                pages: *pages as u64,
                removed: delta.removed.clone(),
                complete: delta.complete,
                warnings: serde_json::to_string(warnings).unwrap_or_else(|_| "[]".to_string()),
            },
            Outcome::Failed(diagnostics) => Verdict::Failed(
                serde_json::to_string(diagnostics).unwrap_or_else(|_| "[]".to_string()),
            ),
            Outcome::Environment(message) => Verdict::Environment(message.clone()),
            Outcome::Internal(message) => Verdict::Internal(message.clone()),
        }
    }

    /// The outcome, with `files` (the pieces that went ahead of it) for a delta.
    pub(crate) fn into_outcome<F>(self, files: Vec<F>) -> Outcome<F> {
        match self {
            Verdict::Shown => Outcome::Shown(Delta {
                files,
                removed: Vec::new(),
                complete: false,
            }),
            Verdict::Built {
                pages,
                removed,
                complete,
                warnings,
            } => match serde_json::from_str(&warnings) {
                Ok(warnings) => Outcome::Built {
                    delta: Delta {
                        files,
                        removed,
                        complete,
                    },
                    pages: usize::try_from(pages).unwrap_or(usize::MAX),
                    warnings,
                },
                Err(error) => Outcome::Internal(format!("unreadable warnings: {error}")),
            },
            Verdict::Failed(json) => match serde_json::from_str(&json) {
                Ok(diagnostics) => Outcome::Failed(diagnostics),
                Err(error) => Outcome::Internal(format!("unreadable diagnostics: {error}")),
            },
            Verdict::Environment(message) => Outcome::Environment(message),
            Verdict::Internal(message) => Outcome::Internal(message),
        }
    }
}

impl<'a> WireFile<'a> {
    /// A packed file's path and packed bytes.
    pub(crate) fn of(file: &'a PackedFile) -> Self {
        WireFile {
            path: Cow::Borrowed(file.path.as_str()),
            bytes: Cow::Borrowed(&file.packed),
        }
    }
}

/// Why a frame was refused.
#[derive(Debug)]
pub(crate) enum FrameError {
    /// The channel closed between frames: the other side is gone.
    Closed,
    /// The channel closed inside a frame.
    Cut,
    /// The frame does not open with `MAGIC`.
    Magic([u8; 4]),
    Version(u8),
    TooLarge(u64),
    Io(io::Error),
    /// The body is not the value the frame should hold.
    Body(postcard::Error),
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FrameError::Closed => write!(f, "the channel closed"),
            FrameError::Cut => write!(f, "the channel closed inside a frame"),
            FrameError::Magic(bytes) => {
                write!(f, "a frame began with {bytes:02x?}, not the frame marker")
            }
            FrameError::Version(version) => write!(
                f,
                "a frame of protocol version {version}, not {VERSION}: the build process is \
                 another version of sre-guide (was the binary replaced?); restart `serve`"
            ),
            FrameError::TooLarge(length) => write!(
                f,
                "a frame announced {length} bytes, more than the {} MiB limit",
                MAX_FRAME >> 20
            ),
            FrameError::Io(error) => write!(f, "reading a frame failed: {error}"),
            FrameError::Body(error) => write!(f, "a frame's body is unreadable: {error}"),
        }
    }
}

/// Encodes `value` as one whole frame; `None` when its body would pass `MAX_FRAME`.
pub(crate) fn encode<T: Serialize>(value: &T) -> Option<Vec<u8>> {
    let body = postcard::to_stdvec(value).ok()?;
    if body.len() as u64 > MAX_FRAME {
        return None;
    }
    let mut frame = Vec::with_capacity(HEAD + body.len());
    frame.extend_from_slice(&MAGIC);
    frame.push(VERSION);
    frame.extend_from_slice(&(body.len() as u64).to_le_bytes());
    frame.extend_from_slice(&body);
    Some(frame)
}

/// Writes `value` as one frame; an `InvalidData` error when it is over `MAX_FRAME`.
pub(crate) fn write<T: Serialize>(output: &mut impl Write, value: &T) -> io::Result<()> {
    let frame = encode(value).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("more than the {} MiB a frame holds", MAX_FRAME >> 20),
        )
    })?;
    output.write_all(&frame)?;
    output.flush()
}

/// Reads one frame's body, checked for its magic, version and length.
pub(crate) fn read_body(input: &mut impl Read) -> Result<Vec<u8>, FrameError> {
    let mut head = [0; HEAD];
    let mut filled = 0;
    while filled < HEAD {
        match input.read(&mut head[filled..]) {
            Ok(0) if filled == 0 => return Err(FrameError::Closed),
            Ok(0) => return Err(FrameError::Cut),
            Ok(read) => filled += read,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            // The other side went away with bytes of ours unread: it is gone all the same.
            Err(error) if filled == 0 && error.kind() == io::ErrorKind::ConnectionReset => {
                return Err(FrameError::Closed);
            }
            Err(error) => return Err(FrameError::Io(error)),
        }
        // Checked as soon as they arrive, so garbage is refused without waiting for more.
        let magic = filled.min(MAGIC.len());
        if head[..magic] != MAGIC[..magic] {
            let mut seen = [0; 4];
            seen[..magic].copy_from_slice(&head[..magic]);
            return Err(FrameError::Magic(seen));
        }
    }
    if head[4] != VERSION {
        return Err(FrameError::Version(head[4]));
    }
    let mut length = [0; 8];
    length.copy_from_slice(&head[5..]);
    let length = u64::from_le_bytes(length);
    if length > MAX_FRAME {
        return Err(FrameError::TooLarge(length));
    }
    // Allocated as the bytes arrive, not as announced.
    let mut body = Vec::with_capacity(length.min(1 << 20) as usize);
    input
        .take(length)
        .read_to_end(&mut body)
        .map_err(FrameError::Io)?;
    if body.len() as u64 != length {
        return Err(FrameError::Cut);
    }
    Ok(body)
}

/// The value a body read by `read_body` holds, borrowing its bytes.
pub(crate) fn decode<'a, T: Deserialize<'a>>(body: &'a [u8]) -> Result<T, FrameError> {
    postcard::from_bytes(body).map_err(FrameError::Body)
}

/// Debug builds' faults: the bytes of a frame announcing 2^64 − 1 bytes, or 64 KiB of noise.
pub(crate) fn corrupt(fault: &Fault) -> Vec<u8> {
    match fault {
        Fault::HugeLength => {
            let mut frame = MAGIC.to_vec();
            frame.push(VERSION);
            frame.extend_from_slice(&u64::MAX.to_le_bytes());
            frame
        }
        _ => noise(64 * 1024),
    }
}

/// Bytes that look random (xorshift), for the debug faults.
pub(crate) fn noise(len: usize) -> Vec<u8> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

/// The previews frame's files, by path.
pub(crate) fn into_previews(files: Vec<WireFile<'_>>) -> HashMap<String, Vec<u8>> {
    files
        .into_iter()
        .map(|file| (file.path.into_owned(), file.bytes.into_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame_of(value: &FromBuild<'_>) -> Vec<u8> {
        encode(value).expect("under the limit")
    }

    #[test]
    fn pieces_and_verdicts_survive_their_frames() {
        let page = PackedFile {
            path: OutputPath::received("docs/index.html".into()),
            packed: vec![0, 255, 10],
            facts: Facts::of(b"<body></body>"),
        };
        let mut stream = frame_of(&FromBuild::Piece {
            generation: 7,
            file: WireFile::of(&page),
            facts: page.facts,
        });
        let built: Outcome = Outcome::Built {
            delta: Delta {
                files: Vec::new(),
                removed: vec!["gone/index.html".into()],
                complete: true,
            },
            pages: 3,
            warnings: vec![OverlayDiagnostic::message("vague")],
        };
        stream.extend(frame_of(&FromBuild::Verdict {
            generation: 7,
            verdict: Verdict::of(&built),
        }));
        stream.extend(frame_of(&FromBuild::Alive));
        let mut input = stream.as_slice();
        let body = read_body(&mut input).expect("a piece");
        let Ok(FromBuild::Piece {
            generation,
            file,
            facts,
        }) = decode(&body)
        else {
            panic!("not a piece");
        };
        assert_eq!((generation, facts.size, facts.body_end), (7, 13, 6));
        assert!(matches!(file.bytes, Cow::Borrowed(_)), "not copied");
        assert_eq!(
            (&*file.path, &*file.bytes),
            ("docs/index.html", &[0, 255, 10][..])
        );
        let body = read_body(&mut input).expect("a verdict");
        let Ok(FromBuild::Verdict { verdict, .. }) = decode(&body) else {
            panic!("not a verdict");
        };
        let Outcome::Built {
            delta,
            pages,
            warnings,
        } = verdict.into_outcome::<PackedFile>(Vec::new())
        else {
            panic!("not built");
        };
        assert_eq!(warnings[0].message, "vague");
        assert_eq!(
            (pages, delta.removed, delta.complete),
            (3, vec!["gone/index.html".to_string()], true)
        );
        assert!(matches!(
            decode(&read_body(&mut input).expect("alive")),
            Ok(FromBuild::Alive)
        ));
        assert!(matches!(read_body(&mut input), Err(FrameError::Closed)));
        let failed: Outcome = Outcome::Failed(vec![OverlayDiagnostic::message("bad")]);
        let Outcome::Failed(list) =
            decode::<Verdict>(&postcard::to_stdvec(&Verdict::of(&failed)).expect("encoded"))
                .expect("decoded")
                .into_outcome::<PackedFile>(Vec::new())
        else {
            panic!("not failed");
        };
        assert_eq!(list[0].message, "bad");
    }

    #[test]
    fn requests_and_previews_survive_their_frames() {
        let request = ToBuild::Request(Request {
            generation: 2,
            changed: vec!["content/a.md".into()],
            viewing: vec!["docs/".into()],
            fault: Some(Fault::Print),
        });
        let previews = ToBuild::Previews(vec![WireFile {
            path: Cow::Borrowed("static/og/a.png"),
            bytes: Cow::Borrowed(&[1, 2, 3]),
        }]);
        let mut stream = encode(&previews).expect("encoded");
        stream.extend(encode(&request).expect("encoded"));
        let mut input = stream.as_slice();
        let body = read_body(&mut input).expect("previews");
        let Ok(ToBuild::Previews(files)) = decode(&body) else {
            panic!("not previews");
        };
        assert_eq!(into_previews(files)["static/og/a.png"], [1, 2, 3]);
        let body = read_body(&mut input).expect("a request");
        let Ok(ToBuild::Request(request)) = decode(&body) else {
            panic!("not a request");
        };
        assert_eq!((request.generation, request.fault), (2, Some(Fault::Print)));
    }

    #[test]
    fn corrupt_frames_are_refused_without_allocating_what_they_announce() {
        let mut huge = MAGIC.to_vec();
        huge.push(VERSION);
        huge.extend_from_slice(&u64::MAX.to_le_bytes());
        let refused = read_body(&mut huge.as_slice()).expect_err("refused");
        assert!(matches!(refused, FrameError::TooLarge(u64::MAX)));
        assert_eq!(
            refused.to_string(),
            "a frame announced 18446744073709551615 bytes, more than the 1024 MiB limit"
        );
        let garbage = b"hello from a stray print!\n".repeat(100);
        let refused = read_body(&mut garbage.as_slice()).expect_err("refused");
        assert!(matches!(refused, FrameError::Magic(_)), "{refused}");
        let mut other = MAGIC.to_vec();
        other.push(VERSION + 1);
        other.extend_from_slice(&0u64.to_le_bytes());
        assert!(matches!(
            read_body(&mut other.as_slice()),
            Err(FrameError::Version(v)) if v == VERSION + 1
        ));
        let whole = encode(&FromBuild::Alive).expect("encoded");
        let cut = encode(&FromBuild::Verdict {
            generation: 1,
            verdict: Verdict::Internal("x".repeat(50)),
        })
        .expect("encoded");
        assert!(matches!(
            read_body(&mut &cut[..cut.len() - 1]),
            Err(FrameError::Cut)
        ));
        assert!(matches!(read_body(&mut &whole[..3]), Err(FrameError::Cut)));
        // A well-formed frame around a body that is no `FromBuild`.
        let mut wrong = MAGIC.to_vec();
        wrong.push(VERSION);
        wrong.extend_from_slice(&1u64.to_le_bytes());
        wrong.push(200);
        let body = read_body(&mut wrong.as_slice()).expect("framed");
        assert!(matches!(
            decode::<FromBuild<'_>>(&body),
            Err(FrameError::Body(_))
        ));
    }
}
