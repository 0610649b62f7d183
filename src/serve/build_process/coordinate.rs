//! The rebuild coordinator: newest save wins. In: bursts of saved paths (from the watcher) and
//! the first build's request. Out: requests to the one build process (started, and started
//! again when it ends), and each finished build that no newer save overtook, handed to the
//! caller's `post_build` (as mdBook's `rebuild_on_change`). It builds nothing itself and never
//! waits on a render: a runaway one ends its process, and a fresh one takes the newest request.

use std::sync::{Arc, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::Context as _;

use crate::build::BuildOptions;
use crate::serve::build_process::client::{BuildProcess, Report};
use crate::serve::build_process::protocol::{Outcome, Request};
use crate::serve::store::{Store, StoredFile};

/// A finished build that no newer save overtook, for the caller to publish.
pub(crate) struct Rebuilt {
    pub(crate) outcome: Outcome<StoredFile>,
    /// The saved paths that started it (relative to the root), none for the first build.
    pub(crate) changed: Vec<String>,
    pub(crate) took: Duration,
}

/// Starts the coordinator on a thread of its own: `viewing` names the routes browsers show, which
/// a rebuild renders first; built files go to `store`; each finished build goes to `post_build`.
pub(crate) fn start(
    options: Arc<BuildOptions>,
    store: Arc<Store>,
    viewing: impl Fn() -> Vec<String> + Send + 'static,
    post_build: impl FnMut(Rebuilt) + Send + 'static,
) -> anyhow::Result<Rebuilds> {
    let (sender, messages) = mpsc::channel::<Message>();
    let rebuilds = Rebuilds(sender.clone());
    thread::Builder::new()
        .name("rebuild".into())
        .spawn(move || coordinate(post_build, &viewing, &options, &store, &sender, &messages))
        .context("cannot start the rebuild thread")?;
    Ok(rebuilds)
}

/// What the rebuild coordinator hears: a burst of saves (empty for the first build, with a
/// channel to say when it is published), or what the build process `epoch` reported.
enum Message {
    Changed(Vec<String>, Option<mpsc::Sender<()>>),
    Report(u64, Report),
}

/// The newest request, until the build process has finished it.
struct Pending {
    generation: u64,
    /// Its saves, and those of the requests it overtook.
    changed: Vec<String>,
    started: Instant,
    first: Option<mpsc::Sender<()>>,
}

/// The way in to the coordinator: saves, and the first build.
#[derive(Clone)]
pub(crate) struct Rebuilds(mpsc::Sender<Message>);

impl Rebuilds {
    /// Asks for the first build and waits until its outcome is served.
    pub(crate) fn first_build(&self) {
        let (done, published) = mpsc::channel();
        if self
            .0
            .send(Message::Changed(Vec::new(), Some(done)))
            .is_ok()
        {
            let _ = published.recv();
        }
    }

    /// A burst of saves (paths relative to the root): a new request, newest wins.
    pub(crate) fn changed(&self, paths: Vec<String>) {
        let _ = self.0.send(Message::Changed(paths, None));
    }
}

/// The one build process and what it is working on.
struct Coordinator<'a> {
    options: &'a BuildOptions,
    store: &'a Arc<Store>,
    viewing: &'a dyn Fn() -> Vec<String>,
    sender: &'a mpsc::Sender<Message>,
    process: Option<BuildProcess>,
    /// Counts build processes, so reports of a stopped one are ignored.
    epoch: u64,
    pending: Option<Pending>,
    /// The request a fresh process was started for after its predecessor ended without a word.
    restarted_for: u64,
}

/// Newest save wins: each burst of saves is a request to the build process, which stops the
/// pass it is working on between pages and starts the new one; a render that never ends (a
/// runaway template) makes the process end itself, and a fresh one builds the newest request.
/// Every file a process reports is published, overtaken or not, so what `serve` holds is what
/// the process believes it holds; only the newest request's verdict is printed.
fn coordinate(
    mut post_build: impl FnMut(Rebuilt),
    viewing: &dyn Fn() -> Vec<String>,
    options: &Arc<BuildOptions>,
    store: &Arc<Store>,
    sender: &mpsc::Sender<Message>,
    messages: &mpsc::Receiver<Message>,
) {
    let mut generation = 0;
    let mut coordinator = Coordinator {
        options,
        store,
        viewing,
        sender,
        process: None,
        epoch: 0,
        pending: None,
        restarted_for: 0,
    };
    while let Ok(message) = messages.recv() {
        match message {
            Message::Changed(mut changed, mut first) => {
                dedup_keeping_order(&mut changed);
                generation += 1;
                let mut all = Vec::new();
                if let Some(overtaken) = coordinator.pending.take() {
                    first = first.or(overtaken.first);
                    all = overtaken.changed;
                }
                all.extend(changed.iter().cloned());
                dedup_keeping_order(&mut all);
                coordinator.pending = Some(Pending {
                    generation,
                    changed: all,
                    started: Instant::now(),
                    first,
                });
                coordinator.request(generation, changed, &mut post_build);
            }
            Message::Report(epoch, report) if epoch == coordinator.epoch => {
                coordinator.report(report, &mut post_build);
            }
            Message::Report(..) => {} // from a process that was replaced
        }
    }
}

impl Coordinator<'_> {
    /// Hands the request to the build process, starting one if there is none.
    fn request(&mut self, generation: u64, changed: Vec<String>, post: &mut impl FnMut(Rebuilt)) {
        if self.process.is_none() {
            self.epoch += 1;
            let (epoch, sender) = (self.epoch, self.sender.clone());
            let report = move |report| {
                let _ = sender.send(Message::Report(epoch, report));
            };
            match BuildProcess::start(self.options, Arc::clone(self.store), report) {
                Ok(process) => self.process = Some(process),
                Err(error) => {
                    let message = format!("cannot start a build process: {error}");
                    self.finish(Outcome::Environment(message), post);
                    return;
                }
            }
        }
        let request = Request {
            generation,
            panic: panic_requested(&changed),
            changed,
            viewing: (self.viewing)(),
        };
        if let Some(process) = &mut self.process {
            // A process that is gone says so with `Ended`, which starts a fresh one.
            process.request(&request);
        }
    }

    fn report(&mut self, report: Report, post: &mut impl FnMut(Rebuilt)) {
        let Report::Frame(generation, outcome) = report else {
            if let Some(process) = self.process.take() {
                process.finish();
            }
            let Some(pending) = &self.pending else { return };
            if self.restarted_for == pending.generation {
                let message = "the build process ended without a result".to_string();
                self.finish(Outcome::Internal(message), post);
            } else {
                self.restarted_for = pending.generation;
                self.request(pending.generation, Vec::new(), post);
            }
            return;
        };
        let current = self
            .pending
            .as_ref()
            .filter(|pending| pending.generation == generation);
        let took = current.map_or(Duration::ZERO, |pending| pending.started.elapsed());
        match outcome {
            Outcome::Shown(delta) | Outcome::Built { delta, .. } if current.is_none() => {
                // An overtaken request's files: served, its verdict not printed.
                post(Rebuilt {
                    outcome: Outcome::Shown(delta),
                    changed: Vec::new(),
                    took,
                });
            }
            Outcome::Shown(delta) => post(Rebuilt {
                outcome: Outcome::Shown(delta),
                changed: Vec::new(),
                took,
            }),
            outcome if current.is_some() => self.finish(outcome, post),
            _ => {} // an overtaken request's failure
        }
    }

    /// Publishes the newest request's verdict.
    fn finish(&mut self, outcome: Outcome<StoredFile>, post: &mut impl FnMut(Rebuilt)) {
        let Some(pending) = self.pending.take() else {
            return;
        };
        post(Rebuilt {
            outcome,
            changed: pending.changed,
            took: pending.started.elapsed(),
        });
        if let Some(first) = pending.first {
            let _ = first.send(());
        }
    }
}

/// For tests of the panic guard only (debug builds): `SRE_GUIDE_PANIC_ON=name` makes the build
/// triggered by a save of a file called `name` panic.
fn panic_requested(changed: &[String]) -> Option<String> {
    if !cfg!(debug_assertions) {
        return None;
    }
    let name = std::env::var("SRE_GUIDE_PANIC_ON").ok()?;
    changed
        .iter()
        .find(|path| path.rsplit('/').next() == Some(name.as_str()))
        .map(|path| format!("test hook: a save of {path}"))
}

/// Drops repeated paths, keeping each one's first place.
pub(crate) fn dedup_keeping_order(paths: &mut Vec<String>) {
    let mut seen = std::collections::HashSet::new();
    paths.retain(|path| seen.insert(path.clone()));
}
