//! `serve`'s builds (started by `watch.rs`), each in a process of its own (`sre-guide serve-build`), so that a build can be
//! stopped: Tera cannot interrupt a render and Rust cannot kill a thread, but a process can be
//! killed. In: the build options as flags, and on stdin the last good build's link preview images
//! (costly to draw, so each process reuses them). Out: the built site or its problems, framed on
//! the process's stdout; diagnostics go to stderr (the terminal) exactly as `build` prints them.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::panic::AssertUnwindSafe;
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;

use crate::build::{self, BuildOptions, Failure};
use crate::deadline;
use crate::diagnostic::{Diagnostic, OverlayDiagnostic};
use crate::output::{Output, OutputFile};
use crate::url::{OG_IMAGE_FOLDER, OutputPath};

/// What a build process reports.
#[derive(Debug)]
pub(crate) enum Outcome {
    Built {
        output: Output,
        pages: usize,
    },
    /// Problems an editor can fix, already printed to the terminal by the build process.
    Failed(Vec<OverlayDiagnostic>),
    /// The environment failed (an unreadable folder): the message.
    Environment(String),
    /// A bug in sre-guide: a panic's message, or why the process gave no result.
    Internal(String),
}

/// Set (debug builds only) to make the build process panic, for the tests of the panic guard.
pub(crate) const TEST_PANIC: &str = "SRE_GUIDE_TEST_PANIC";

/// The build process: builds once, writes the outcome to stdout, exits. It also exits when its
/// parent goes away (stdin closes), so a killed `serve` leaves no build running.
pub(crate) fn build_process(options: BuildOptions) -> ExitCode {
    let reusable = read_reusable(&mut io::stdin().lock()).unwrap_or_default();
    let _ = thread::Builder::new().name("parent".into()).spawn(|| {
        let _ = io::stdin().read_to_end(&mut Vec::new());
        std::process::exit(3);
    });
    deadline::exit_when_overdue(|late| send(&failed(&[late])));
    let build = AssertUnwindSafe(|| {
        if cfg!(debug_assertions)
            && let Ok(message) = std::env::var(TEST_PANIC)
        {
            panic!("{message}");
        }
        build::build(&options, reusable)
    });
    let outcome = match std::panic::catch_unwind(build) {
        Ok(Ok(built)) => Outcome::Built {
            output: built.output,
            pages: built.pages,
        },
        Ok(Err(Failure::Content(diagnostics))) => failed(&diagnostics),
        Ok(Err(Failure::Environment(error))) => Outcome::Environment(format!("{error:#}")),
        Err(payload) => Outcome::Internal(panic_message(payload.as_ref())),
    };
    send(&outcome);
    ExitCode::SUCCESS
}

/// Prints the problems as `build` does and keeps what the overlay shows.
fn failed(diagnostics: &[Diagnostic]) -> Outcome {
    crate::diagnostic::eprint_all(diagnostics, crate::diagnostic::Severity::Error);
    Outcome::Failed(diagnostics.iter().map(Diagnostic::to_overlay).collect())
}

pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".to_string())
}

fn send(outcome: &Outcome) {
    let bytes = encode(outcome);
    let mut stdout = io::stdout().lock();
    let _ = stdout.write_all(&bytes).and_then(|()| stdout.flush());
}

/// A running build process; `stop` kills it.
pub(crate) struct Worker {
    child: Child,
}

impl Worker {
    /// Starts a build of `options`; `done` gets its outcome (or why there was none) once the
    /// process ends, on a thread of its own.
    pub(crate) fn start(
        options: &BuildOptions,
        test_panic: Option<String>,
        done: impl FnOnce(Outcome) + Send + 'static,
    ) -> io::Result<Worker> {
        let mut command = Command::new(std::env::current_exe()?);
        command.arg("serve-build").arg("--root").arg(&options.root);
        if options.drafts {
            command.arg("--drafts");
        }
        if let Some(message) = test_panic {
            command.env(TEST_PANIC, message);
        }
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        // The process reads these before it builds; stdin then stays open until it is stopped.
        if let Some(stdin) = child.stdin.as_mut() {
            let _ = stdin.write_all(&encode_reusable(&last_previews()));
        }
        let mut stdout = child.stdout.take().ok_or(io::ErrorKind::BrokenPipe)?;
        thread::Builder::new()
            .name("build-result".into())
            .spawn(move || {
                let mut bytes = Vec::new();
                let outcome = match stdout.read_to_end(&mut bytes) {
                    Ok(_) => decode(&bytes).unwrap_or_else(|| {
                        Outcome::Internal("the build process ended without a result".into())
                    }),
                    Err(error) => Outcome::Internal(format!("reading the build's result: {error}")),
                };
                if let Outcome::Built { output, .. } = &outcome {
                    keep_previews(output);
                }
                done(outcome);
            })?;
        Ok(Worker { child })
    }

    /// Ends the process (an overtaken build) and reaps it.
    pub(crate) fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Reaps a process that has reported its outcome.
    pub(crate) fn finish(mut self) {
        let _ = self.child.wait();
    }
}

/// A published path and its bytes.
type Preview = (String, Arc<Vec<u8>>);

/// The link preview images of the newest good build, offered to the next build process. One per
/// `serve` process: builds of one site follow each other, and only a good build replaces them.
fn previews() -> &'static Mutex<Vec<Preview>> {
    static PREVIEWS: std::sync::OnceLock<Mutex<Vec<Preview>>> = std::sync::OnceLock::new();
    PREVIEWS.get_or_init(Mutex::default)
}

fn keep_previews(output: &Output) {
    let kept = output
        .files
        .iter()
        .filter(|file| file.path.starts_with(OG_IMAGE_FOLDER))
        .map(|file| (file.path.to_string(), Arc::new(file.bytes.clone())))
        .collect();
    *previews().lock().unwrap_or_else(PoisonError::into_inner) = kept;
}

fn last_previews() -> Vec<Preview> {
    previews()
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone()
}

/// The frame on stdin: the file count, then each file as length-prefixed path and bytes.
fn encode_reusable(files: &[Preview]) -> Vec<u8> {
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

fn read_reusable(input: &mut impl Read) -> io::Result<HashMap<String, Vec<u8>>> {
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

// The frame on stdout: one tag byte, then for `B` the page count, the file count and each file as
// length-prefixed path and bytes; for `F` the overlay's JSON; for `E` and `I` the message.

fn encode(outcome: &Outcome) -> Vec<u8> {
    let mut out = Vec::new();
    let chunk = |out: &mut Vec<u8>, bytes: &[u8]| {
        out.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
        out.extend_from_slice(bytes);
    };
    match outcome {
        Outcome::Built { output, pages } => {
            out.push(b'B');
            out.extend_from_slice(&(*pages as u64).to_le_bytes());
            out.extend_from_slice(&(output.files.len() as u64).to_le_bytes());
            for file in &output.files {
                chunk(&mut out, file.path.as_bytes());
                chunk(&mut out, &file.bytes);
            }
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

fn decode(bytes: &[u8]) -> Option<Outcome> {
    let (tag, mut rest) = bytes.split_first()?;
    let text = || String::from_utf8_lossy(rest).into_owned();
    match tag {
        b'B' => {
            let pages = number(&mut rest)?;
            let count = number(&mut rest)?;
            let mut files = Vec::new();
            for _ in 0..count {
                let path = String::from_utf8(chunk(&mut rest)?.to_vec()).ok()?;
                let path = OutputPath::received(path);
                let bytes = chunk(&mut rest)?.to_vec();
                files.push(OutputFile { path, bytes });
            }
            rest.is_empty().then_some(Outcome::Built {
                output: Output { files },
                pages: usize::try_from(pages).ok()?,
            })
        }
        b'F' => serde_json::from_slice(rest).ok().map(Outcome::Failed),
        b'E' => Some(Outcome::Environment(text())),
        b'I' => Some(Outcome::Internal(text())),
        _ => None,
    }
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
    use super::*;
    use crate::url::Route;

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
            output: Output {
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
            },
            pages: 1,
        };
        let bytes = encode(&built);
        let Some(Outcome::Built { output, pages }) = decode(&bytes) else {
            panic!("not decoded");
        };
        assert_eq!(pages, 1);
        assert_eq!(output.files[1].path, "static/logo.png");
        assert_eq!(output.files[1].bytes, [0, 255, 10]);
        assert!(decode(&bytes[..bytes.len() - 1]).is_none(), "a cut frame");
        assert!(decode(b"").is_none());
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
    }

    #[test]
    fn panic_messages_are_kept_whatever_their_type() {
        let text = std::panic::catch_unwind(|| panic!("plain")).expect_err("panicked");
        assert_eq!(panic_message(text.as_ref()), "plain");
        let formatted =
            std::panic::catch_unwind(|| panic!("{} {}", "formatted", 1)).expect_err("panicked");
        assert_eq!(panic_message(formatted.as_ref()), "formatted 1");
        let other = std::panic::catch_unwind(|| std::panic::panic_any(7)).expect_err("panicked");
        assert_eq!(panic_message(other.as_ref()), "no message");
    }
}
