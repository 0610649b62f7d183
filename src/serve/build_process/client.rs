//! `serve`'s side of the build process: starts it (`sre-guide build-process`), hands it requests
//! and reads its frames ([`protocol`]) on a thread of its own, storing each file
//! as it arrives, and keeps the last good build's link preview images for the next process. In:
//! requests; out: [`Report`]s for the rebuild coordinator ([`coordinate`](super::coordinate)).

use std::borrow::Cow;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Child, ExitStatus};
use std::sync::Arc;

use std::thread;
use std::time::{Duration, Instant};

use crate::build::BuildOptions;
use crate::serve::build_process::channel::{self, Reader, Writer};
use crate::serve::build_process::protocol::{
    self, FrameError, FromBuild, Outcome, Request, ToBuild, Verdict, WireFile,
};
use crate::serve::store::{Facts, Store, StoredFile};

/// What the process's reader thread hands on: a sign of life, a verdict with its files stored,
/// or the end of its channel.
pub(crate) enum Report {
    Alive,
    Frame(u64, Outcome<StoredFile>),
    Ended(Ending),
}

/// Why a build process's channel is no longer read.
pub(crate) enum Ending {
    /// The process closed it: it ended.
    Closed,
    /// It carried something that is not a frame: why.
    Corrupt(String),
    /// A file could not be stored; the process believes `serve` holds it, so it must not be
    /// asked again.
    Unstored(io::Error),
}

/// A running build process; `end` stops it.
pub(crate) struct BuildProcess {
    child: Child,
    requests: Writer,
}

impl BuildProcess {
    /// Starts `program` (this `sre-guide`, as it was when `serve` started) as the build process
    /// for `options`, handing it `previews` (link preview images to reuse); `report` gets each
    /// frame it sends, its files put in `store` as they arrive, then `Ended`, on a thread of its
    /// own.
    pub(crate) fn start(
        program: &Path,
        options: &BuildOptions,
        store: Arc<Store>,
        previews: Vec<(String, Vec<u8>)>,
        report: impl Fn(Report) + Send + 'static,
    ) -> io::Result<BuildProcess> {
        let mut args = vec![
            "build-process".as_ref(),
            "--root".as_ref(),
            options.root.as_os_str(),
        ];
        if options.drafts {
            args.push("--drafts".as_ref());
        }
        let (child, frames, mut requests) = channel::spawn(program, &args)?;
        let files = previews
            .iter()
            .map(|(path, bytes)| WireFile {
                path: Cow::Borrowed(path.as_str()),
                bytes: Cow::Borrowed(bytes.as_slice()),
            })
            .collect();
        if protocol::write(&mut requests, &ToBuild::Previews(files)).is_err() {
            // Too many to send at once: the process draws them again.
            protocol::write(&mut requests, &ToBuild::Previews(Vec::new()))?;
        }
        thread::Builder::new()
            .name("build-result".into())
            .spawn(move || {
                let why = read_reports(frames, &store, &report);
                report(Report::Ended(why));
            })?;
        Ok(BuildProcess { child, requests })
    }

    /// Tells the process which routes a browser waits for (see [`ToBuild::Wanted`]).
    pub(crate) fn want(&mut self, routes: Vec<String>) -> bool {
        protocol::write(&mut self.requests, &ToBuild::Wanted(routes)).is_ok()
    }

    /// Hands the process a request; false when it is gone.
    pub(crate) fn request(&mut self, request: Request) -> bool {
        protocol::write(&mut self.requests, &ToBuild::Request(request)).is_ok()
    }

    /// Ends the process (its channel closes, so it exits by itself; a stopped or stuck one is
    /// killed) and says how it ended.
    pub(crate) fn end(self) -> Option<ExitStatus> {
        let BuildProcess {
            mut child,
            requests,
        } = self;
        drop(requests);
        let deadline = Instant::now() + Duration::from_millis(500);
        while Instant::now() < deadline {
            match child.try_wait() {
                Ok(Some(status)) => return Some(status),
                Ok(None) => thread::sleep(Duration::from_millis(10)),
                Err(_) => break,
            }
        }
        let _ = child.kill();
        child.wait().ok()
    }

    /// Kills the process at once: it has not answered, or sent what is not a frame.
    pub(crate) fn kill(self) {
        let BuildProcess {
            mut child,
            requests,
        } = self;
        drop(requests);
        let _ = child.kill();
        let _ = child.wait();
    }
}

/// Reads frames until the channel closes, carries something that is not a frame, or a file
/// cannot be stored. Each pass's pieces are stored as they arrive and handed on with its verdict.
fn read_reports(mut frames: Reader, store: &Store, report: &impl Fn(Report)) -> Ending {
    let mut pass = Pieces::default();
    loop {
        let body = match protocol::read_body(&mut frames) {
            Ok(body) => body,
            Err(FrameError::Closed) => return Ending::Closed,
            Err(error) => return Ending::Corrupt(error.to_string()),
        };
        let (generation, frame) = match protocol::decode(&body) {
            Ok(FromBuild::Alive) => {
                report(Report::Alive);
                continue;
            }
            Ok(FromBuild::Piece {
                generation,
                file,
                facts,
            }) => (generation, Ok((file, facts))),
            Ok(FromBuild::Verdict {
                generation,
                verdict,
            }) => (generation, Err(verdict)),
            Err(error) => return Ending::Corrupt(error.to_string()),
        };
        if pass.generation != generation {
            pass = Pieces {
                generation,
                ..Pieces::default()
            };
        }
        match frame {
            Ok((file, facts)) => pass.store(store, &file.path, &file.bytes, facts),
            Err(verdict) => {
                let outcome = std::mem::take(&mut pass).finish(verdict);
                match outcome {
                    Ok(outcome) => report(Report::Frame(generation, outcome)),
                    Err(error) => return Ending::Unstored(error),
                }
                pass.generation = generation;
            }
        }
    }
}

/// How a build process that gave no result ended, for the terminal and the overlay; `None` for
/// an end that is no news (it stopped itself so a fresh one takes over a runaway render).
pub(crate) fn describe_end(status: Option<ExitStatus>) -> Option<String> {
    let status = status?;
    #[cfg(unix)]
    if let Some(signal) = std::os::unix::process::ExitStatusExt::signal(&status) {
        return Some(format!("the build process was killed (signal {signal})"));
    }
    match status.code() {
        Some(crate::serve::build_process::process::OVERTAKEN_RUNAWAY) => None,
        Some(code) => Some(format!("the build process ended with exit status {code}")),
        None => Some("the build process ended".to_string()),
    }
}

/// The program a build process runs: this very `sre-guide`, found once at the start, so a
/// binary removed while `serve` runs is named in the error.
pub(crate) fn program() -> io::Result<PathBuf> {
    std::env::current_exe()
}

/// A pass's files, stored as they arrive, until its verdict.
#[derive(Default)]
struct Pieces {
    generation: u64,
    files: Vec<StoredFile>,
    failed: Option<io::Error>,
}

impl Pieces {
    fn store(&mut self, store: &Store, path: &str, packed: &[u8], facts: Facts) {
        if self.failed.is_some() {
            return;
        }
        match store.put(packed, facts) {
            Ok(stored) => self.files.push(StoredFile {
                path: crate::model::url::OutputPath::received(path.to_string()),
                stored,
            }),
            Err(error) => self.failed = Some(error),
        }
    }

    /// The verdict with every file of the pass stored, sorted by path; why not when a file
    /// could not be stored.
    fn finish(mut self, verdict: Verdict) -> io::Result<Outcome<StoredFile>> {
        if let Some(error) = self.failed {
            return Err(error);
        }
        self.files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(verdict.into_outcome(self.files))
    }
}
