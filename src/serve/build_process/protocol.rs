//! The frames between `serve` and its build process. To the process, on its stdin: the link
//! preview images of the last good build, then one [`Request`] per burst of saves. From it, on its
//! stdout: each changed file as it is rendered (a piece), then the request's [`Outcome`]. Encoding
//! and decoding only; starting the process and reading its frames is [`client`](super::client)'s.

use std::collections::HashMap;
use std::io::{self, Read, Write};

use serde::{Deserialize, Serialize};

use crate::diagnostic::OverlayDiagnostic;
use crate::model::url::OutputPath;
use crate::output::OutputFile;

/// Files that changed since the build process's previous frame: [`OutputFile`]s on the pipe,
/// [`StoredFile`](crate::serve::store::StoredFile)s once `serve` has stored them.
#[derive(Debug)]
pub(crate) struct Delta<F = OutputFile> {
    /// New and changed files, sorted by path, their bytes `pack`ed.
    pub(crate) files: Vec<F>,
    /// Files no longer published.
    pub(crate) removed: Vec<String>,
    /// `files` is the whole site (a new process's first build): anything else goes.
    pub(crate) complete: bool,
}

/// What a build process reports about one request.
#[derive(Debug)]
pub(crate) enum Outcome<F = OutputFile> {
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
    /// The environment failed (an unreadable folder): the message.
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
    /// Debug builds only: the message the build of this request panics with (tests).
    pub(crate) panic: Option<String>,
}

/// Writes one frame: its length, then the request's generation and the outcome.
pub(crate) fn send(generation: u64, outcome: &Outcome) {
    write_frame(generation, &encode(outcome));
}

/// Sends one changed file of a pass as soon as it is rendered, so the build process never holds a
/// whole site's files; `serve` keeps them until the pass's [`Outcome::Built`] frame, and drops them
/// when the pass fails or is stopped.
pub(crate) fn send_piece(generation: u64, file: &OutputFile) {
    let mut body = vec![b'P'];
    for part in [file.path.as_bytes(), &file.bytes] {
        body.extend_from_slice(&(part.len() as u64).to_le_bytes());
        body.extend_from_slice(part);
    }
    write_frame(generation, &body);
}

fn write_frame(generation: u64, body: &[u8]) {
    let mut frame = Vec::with_capacity(body.len() + 16);
    frame.extend_from_slice(&(body.len() as u64 + 8).to_le_bytes());
    frame.extend_from_slice(&generation.to_le_bytes());
    frame.extend_from_slice(body);
    let mut stdout = io::stdout().lock();
    let _ = stdout.write_all(&frame).and_then(|()| stdout.flush());
}

pub(crate) fn read_request(input: &mut impl Read) -> io::Result<Option<Request>> {
    let mut length = [0; 8];
    match input.read_exact(&mut length) {
        Err(error) if error.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        other => other?,
    }
    let mut bytes = Vec::new();
    input
        .take(u64::from_le_bytes(length))
        .read_to_end(&mut bytes)?;
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|error| io::Error::new(io::ErrorKind::InvalidData, error))
}

/// What a frame on the build process's stdout holds.
pub(crate) enum Frame {
    Piece(OutputFile),
    Outcome(Outcome),
}

pub(crate) fn read_frame(input: &mut impl Read) -> Option<(u64, Frame)> {
    let mut length = [0; 8];
    input.read_exact(&mut length).ok()?;
    let length = usize::try_from(u64::from_le_bytes(length)).ok()?;
    let mut bytes = vec![0; length];
    input.read_exact(&mut bytes).ok()?;
    let (generation, rest) = bytes.split_first_chunk::<8>()?;
    let frame = match rest.split_first() {
        Some((b'P', mut piece)) => {
            let path = String::from_utf8(chunk(&mut piece)?.to_vec()).ok()?;
            let bytes = chunk(&mut piece)?.to_vec();
            if !piece.is_empty() {
                return None;
            }
            Frame::Piece(OutputFile {
                path: OutputPath::received(path),
                bytes,
            })
        }
        _ => Frame::Outcome(decode(rest)?),
    };
    Some((u64::from_le_bytes(*generation), frame))
}

/// The frame on stdin: the file count, then each file as length-prefixed path and bytes.
pub(crate) fn encode_reusable(files: &[(String, std::sync::Arc<Vec<u8>>)]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&(files.len() as u64).to_le_bytes());
    for (path, bytes) in files {
        for part in [path.as_bytes(), bytes.as_slice()] {
            out.extend_from_slice(&(part.len() as u64).to_le_bytes());
            out.extend_from_slice(part);
        }
    }
    out
}

pub(crate) fn read_reusable(input: &mut impl Read) -> io::Result<HashMap<String, Vec<u8>>> {
    fn read_number(input: &mut impl Read) -> io::Result<u64> {
        let mut bytes = [0; 8];
        input.read_exact(&mut bytes)?;
        Ok(u64::from_le_bytes(bytes))
    }
    fn read_part(input: &mut impl Read) -> io::Result<Vec<u8>> {
        let length = read_number(input)?;
        let mut bytes = Vec::new();
        input.take(length).read_to_end(&mut bytes)?;
        if bytes.len() as u64 != length {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        Ok(bytes)
    }
    let mut files = HashMap::new();
    for _ in 0..read_number(input)? {
        let path = String::from_utf8(read_part(input)?)
            .map_err(|error| io::Error::new(io::ErrorKind::InvalidData, error))?;
        files.insert(path, read_part(input)?);
    }
    Ok(files)
}

// A frame's outcome: one tag byte, then for `S` the delta; for `B` the page count, the delta
// and the warnings' JSON (length-prefixed); for `F` the overlay's JSON; for `E` and `I` the message. A delta is a byte (1 when
// complete), the file count, each file as length-prefixed path and bytes, the removed count and
// each removed path length-prefixed.

pub(crate) fn encode(outcome: &Outcome) -> Vec<u8> {
    let mut out = Vec::new();
    let chunk = |out: &mut Vec<u8>, bytes: &[u8]| {
        out.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
        out.extend_from_slice(bytes);
    };
    let delta = |out: &mut Vec<u8>, delta: &Delta| {
        out.push(u8::from(delta.complete));
        out.extend_from_slice(&(delta.files.len() as u64).to_le_bytes());
        for file in &delta.files {
            chunk(out, file.path.as_bytes());
            chunk(out, &file.bytes);
        }
        out.extend_from_slice(&(delta.removed.len() as u64).to_le_bytes());
        for path in &delta.removed {
            chunk(out, path.as_bytes());
        }
    };
    match outcome {
        Outcome::Shown(shown) => {
            out.push(b'S');
            delta(&mut out, shown);
        }
        Outcome::Built {
            delta: built,
            pages,
            warnings,
        } => {
            out.push(b'B');
            out.extend_from_slice(&(*pages as u64).to_le_bytes());
            delta(&mut out, built);
            let json = serde_json::to_vec(warnings).unwrap_or_else(|_| b"[]".to_vec());
            chunk(&mut out, &json);
        }
        Outcome::Failed(diagnostics) => {
            out.push(b'F');
            let json = serde_json::to_vec(diagnostics).unwrap_or_else(|_| b"[]".to_vec());
            out.extend_from_slice(&json);
        }
        Outcome::Environment(message) => {
            out.push(b'E');
            out.extend_from_slice(message.as_bytes());
        }
        Outcome::Internal(message) => {
            out.push(b'I');
            out.extend_from_slice(message.as_bytes());
        }
    }
    out
}

pub(crate) fn decode(bytes: &[u8]) -> Option<Outcome> {
    let (tag, mut rest) = bytes.split_first()?;
    let text = |rest: &[u8]| String::from_utf8_lossy(rest).into_owned();
    let delta = |rest: &mut &[u8]| -> Option<Delta> {
        let (complete, tail) = rest.split_first()?;
        *rest = tail;
        let mut files = Vec::new();
        for _ in 0..number(rest)? {
            let path = String::from_utf8(chunk(rest)?.to_vec()).ok()?;
            let bytes = chunk(rest)?.to_vec();
            files.push(OutputFile {
                path: OutputPath::received(path),
                bytes,
            });
        }
        let mut removed = Vec::new();
        for _ in 0..number(rest)? {
            removed.push(String::from_utf8(chunk(rest)?.to_vec()).ok()?);
        }
        Some(Delta {
            files,
            removed,
            complete: *complete == 1,
        })
    };
    let outcome = match tag {
        b'S' => Outcome::Shown(delta(&mut rest)?),
        b'B' => {
            let pages = usize::try_from(number(&mut rest)?).ok()?;
            let delta = delta(&mut rest)?;
            let warnings = serde_json::from_slice(chunk(&mut rest)?).ok()?;
            Outcome::Built {
                delta,
                pages,
                warnings,
            }
        }
        b'F' => return serde_json::from_slice(rest).ok().map(Outcome::Failed),
        b'E' => return Some(Outcome::Environment(text(rest))),
        b'I' => return Some(Outcome::Internal(text(rest))),
        _ => return None,
    };
    rest.is_empty().then_some(outcome)
}

fn number(rest: &mut &[u8]) -> Option<u64> {
    let (head, tail) = rest.split_first_chunk::<8>()?;
    *rest = tail;
    Some(u64::from_le_bytes(*head))
}

fn chunk<'a>(rest: &mut &'a [u8]) -> Option<&'a [u8]> {
    let length = usize::try_from(number(rest)?).ok()?;
    if length > rest.len() {
        return None;
    }
    let (head, tail) = rest.split_at(length);
    *rest = tail;
    Some(head)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::model::url::Route;

    #[test]
    fn reusable_previews_survive_their_frame_and_a_cut_frame_is_an_error() {
        let files = vec![
            ("static/og/a.png".to_string(), Arc::new(vec![1, 2, 3])),
            ("static/og/b.png".to_string(), Arc::new(Vec::new())),
        ];
        let bytes = encode_reusable(&files);
        let read = read_reusable(&mut bytes.as_slice()).expect("a whole frame");
        assert_eq!(read.len(), 2);
        assert_eq!(read["static/og/a.png"], vec![1, 2, 3]);
        assert!(read["static/og/b.png"].is_empty());
        assert!(read_reusable(&mut &bytes[..bytes.len() - 1]).is_err());
        let none = read_reusable(&mut encode_reusable(&[]).as_slice()).expect("empty");
        assert!(none.is_empty());
    }

    #[test]
    fn outcomes_survive_the_frame_and_a_cut_frame_is_refused() {
        let built = Outcome::Built {
            delta: Delta {
                files: vec![
                    OutputFile {
                        path: OutputPath::page(&Route::default()),
                        bytes: b"<p>hi</p>".to_vec(),
                    },
                    OutputFile {
                        path: OutputPath::theme_asset("logo.png", b""),
                        bytes: vec![0, 255, 10],
                    },
                ],
                removed: vec!["gone/index.html".into()],
                complete: false,
            },
            pages: 1,
            warnings: vec![OverlayDiagnostic::message("a warning")],
        };
        let bytes = encode(&built);
        let Some(Outcome::Built {
            delta,
            pages,
            warnings,
        }) = decode(&bytes)
        else {
            panic!("not decoded");
        };
        assert_eq!(pages, 1);
        assert_eq!(warnings[0].message, "a warning");
        assert_eq!(delta.files[1].path, "static/logo.png");
        assert_eq!(delta.files[1].bytes, [0, 255, 10]);
        assert_eq!(delta.removed, ["gone/index.html"]);
        assert!(!delta.complete);
        assert!(decode(&bytes[..bytes.len() - 1]).is_none(), "a cut frame");
        assert!(decode(b"").is_none());
        let shown = encode(&Outcome::Shown(Delta {
            files: Vec::new(),
            removed: Vec::new(),
            complete: true,
        }));
        let Some(Outcome::Shown(delta)) = decode(&shown) else {
            panic!("not decoded");
        };
        assert!(delta.complete && delta.files.is_empty());
        let failed = encode(&Outcome::Failed(vec![OverlayDiagnostic::message("bad")]));
        let Some(Outcome::Failed(list)) = decode(&failed) else {
            panic!("not decoded");
        };
        assert_eq!(list[0].message, "bad");
        let Some(Outcome::Internal(message)) = decode(&encode(&Outcome::Internal("x".into())))
        else {
            panic!("not decoded");
        };
        assert_eq!(message, "x");
        // Frames on a stream: length and generation first.
        let mut stream = Vec::new();
        let body = encode(&Outcome::Environment("gone".into()));
        stream.extend_from_slice(&(body.len() as u64 + 8).to_le_bytes());
        stream.extend_from_slice(&7u64.to_le_bytes());
        stream.extend_from_slice(&body);
        let Some((7, Frame::Outcome(Outcome::Environment(message)))) =
            read_frame(&mut stream.as_slice())
        else {
            panic!("not read");
        };
        assert_eq!(message, "gone");
    }
}
