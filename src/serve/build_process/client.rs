//! `serve`'s side of the build process: starts it (`sre-guide build-process`), hands it requests
//! and reads its frames ([`protocol`](super::protocol)) on a thread of its own, storing each file
//! as it arrives, and keeps the last good build's link preview images for the next process. In:
//! requests; out: [`Report`]s for the rebuild coordinator ([`coordinate`](super::coordinate)).

use std::io::{self, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Arc;

use parking_lot::Mutex;
use std::thread;

use crate::build::BuildOptions;
use crate::output::OutputFile;
use crate::serve::build_process::protocol::{
    Delta, Frame, Outcome, Request, encode_reusable, read_frame,
};
use crate::serve::store::{Store, StoredFile, unpack};

/// What the process's reader thread hands on: a frame, its files stored, or the process's end.
pub(crate) enum Report {
    Frame(u64, Outcome<StoredFile>),
    Ended,
}

/// A running build process; `stop` kills it.
pub(crate) struct BuildProcess {
    child: Child,
    stdin: ChildStdin,
}

impl BuildProcess {
    /// Starts a build process for `options`; `report` gets each frame it sends, its files put
    /// in `store` as they arrive, then [`Report::Ended`], on a thread of its own.
    pub(crate) fn start(
        options: &BuildOptions,
        store: Arc<Store>,
        report: impl Fn(Report) + Send + 'static,
    ) -> io::Result<BuildProcess> {
        let mut command = Command::new(std::env::current_exe()?);
        command
            .arg("build-process")
            .arg("--root")
            .arg(&options.root);
        if options.drafts {
            command.arg("--drafts");
        }
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let mut stdin = child.stdin.take().ok_or(io::ErrorKind::BrokenPipe)?;
        stdin.write_all(&encode_reusable(&last_previews()))?;
        let mut stdout = io::BufReader::new(child.stdout.take().ok_or(io::ErrorKind::BrokenPipe)?);
        thread::Builder::new()
            .name("build-result".into())
            .spawn(move || {
                // What a pass sent ahead of its verdict: the generation, its files (stored), the
                // link preview images among them, and why storing one failed.
                let mut pass = Pieces::default();
                while let Some((generation, frame)) = read_frame(&mut stdout) {
                    if pass.generation != generation {
                        pass = Pieces {
                            generation,
                            ..Pieces::default()
                        };
                    }
                    match frame {
                        Frame::Piece(file) => pass.store(&store, file),
                        Frame::Outcome(outcome) => {
                            let (outcome, stored) =
                                std::mem::take(&mut pass).finish(&store, outcome);
                            report(Report::Frame(generation, outcome));
                            if !stored {
                                // This process believes `serve` holds files it lost: end it,
                                // so the next save's fresh process sends every file again.
                                break;
                            }
                            pass.generation = generation;
                        }
                    }
                }
                report(Report::Ended);
            })?;
        Ok(BuildProcess { child, stdin })
    }

    /// Hands the process a request; false when it is gone.
    pub(crate) fn request(&mut self, request: &Request) -> bool {
        let body = serde_json::to_vec(request).unwrap_or_default();
        let mut frame = (body.len() as u64).to_le_bytes().to_vec();
        frame.extend_from_slice(&body);
        self.stdin
            .write_all(&frame)
            .and_then(|()| self.stdin.flush())
            .is_ok()
    }

    /// Reaps a process that has ended, or ends it: its reports are no longer read.
    pub(crate) fn finish(self) {
        let BuildProcess { mut child, stdin } = self;
        drop(stdin);
        let _ = child.kill();
        let _ = child.wait();
    }
}

/// A pass's files, stored as they arrive, until its verdict.
#[derive(Default)]
struct Pieces {
    generation: u64,
    files: Vec<StoredFile>,
    previews: Vec<Preview>,
    failed: Option<io::Error>,
}

impl Pieces {
    fn store(&mut self, store: &Store, file: OutputFile) {
        if file.path.starts_with(crate::model::url::OG_IMAGE_FOLDER)
            && let Some(bytes) = unpack(&file.bytes)
        {
            self.previews.push((file.path.to_string(), Arc::new(bytes)));
        }
        if self.failed.is_some() {
            return;
        }
        match store.put(&file.bytes) {
            Ok(stored) => self.files.push(StoredFile {
                path: file.path,
                stored,
            }),
            Err(error) => self.failed = Some(error),
        }
    }

    /// The verdict with every file of the pass stored, sorted by path; false when a file could
    /// not be stored (the verdict then says why).
    fn finish(mut self, store: &Store, outcome: Outcome) -> (Outcome<StoredFile>, bool) {
        let stored = |delta: Delta, pieces: &mut Self| {
            for file in delta.files {
                pieces.store(store, file);
            }
            if let Some(error) = &pieces.failed {
                return Err(format!(
                    "cannot keep the preview's files in {}: {error}; free some space there or \
                     set TMPDIR to another folder",
                    std::env::temp_dir().display()
                ));
            }
            keep_previews(delta.complete, &delta.removed, &pieces.previews);
            let mut files = std::mem::take(&mut pieces.files);
            files.sort_by(|a, b| a.path.cmp(&b.path));
            Ok(Delta {
                files,
                removed: delta.removed,
                complete: delta.complete,
            })
        };
        let outcome = match outcome {
            Outcome::Shown(delta) => {
                stored(delta, &mut self).map_or_else(Outcome::Environment, Outcome::Shown)
            }
            Outcome::Built {
                delta,
                pages,
                warnings,
            } => {
                stored(delta, &mut self).map_or_else(Outcome::Environment, |delta| Outcome::Built {
                    delta,
                    pages,
                    warnings,
                })
            }
            Outcome::Failed(diagnostics) => Outcome::Failed(diagnostics),
            Outcome::Environment(message) => Outcome::Environment(message),
            Outcome::Internal(message) => Outcome::Internal(message),
        };
        (outcome, self.failed.is_none())
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

/// Applies a pass's changes to the link preview images: `complete` replaces them all.
fn keep_previews(complete: bool, removed: &[String], drawn: &[Preview]) {
    let mut previews = previews().lock();
    if complete {
        previews.clear();
    }
    previews.retain(|(path, _)| !removed.contains(path));
    for (drawn_path, bytes) in drawn {
        previews.retain(|(path, _)| path != drawn_path);
        previews.push((drawn_path.clone(), Arc::clone(bytes)));
    }
}

fn last_previews() -> Vec<Preview> {
    previews().lock().clone()
}
