//! The rebuild coordinator: newest save wins. In: bursts of saved paths (from the watcher) and
//! the first build's request. Out: requests to the one build process (started, and started
//! again when it ends), and each finished build that no newer save overtook, handed to the
//! caller's `post_build` (as mdBook's `rebuild_on_change`). It builds nothing itself and never
//! waits on a render: a runaway one ends its process, and a fresh one takes the newest request.
//! A process that stops answering (stopped, or stuck outside a render) is reported after
//! `WARN_AFTER` and replaced after `REPLACE_AFTER`; one that ends without a result is named.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::Context as _;

use crate::build::BuildOptions;
use crate::serve::build_process::client::{self, BuildProcess, Ending, Report};
use crate::serve::build_process::protocol::{Fault, Outcome, Request};
use crate::serve::store::{Store, StoredFile};

/// A build process silent this long while a save waits on it is reported (`warning:`).
const WARN_AFTER: Duration = Duration::from_secs(2);
/// A build process silent this long while a save waits on it is replaced by a fresh one. It
/// says it is alive every half second while it runs, however busy, so only a stopped or
/// wedged process stays silent.
const REPLACE_AFTER: Duration = Duration::from_secs(6);

/// `WARN_AFTER` and `REPLACE_AFTER`, or in debug builds the seconds `SRE_GUIDE_SILENCE_S` names
/// as `warn,replace` (tests of a stopped build process, which would otherwise wait out 6 s).
fn silence_limits() -> (Duration, Duration) {
    static LIMITS: OnceLock<(Duration, Duration)> = OnceLock::new();
    *LIMITS.get_or_init(|| {
        let hook = cfg!(debug_assertions)
            .then(|| {
                let named = std::env::var("SRE_GUIDE_SILENCE_S").ok()?;
                let (warn, replace) = named.split_once(',')?;
                Some((
                    Duration::from_secs(warn.parse().ok()?),
                    Duration::from_secs(replace.parse().ok()?),
                ))
            })
            .flatten();
        hook.unwrap_or((WARN_AFTER, REPLACE_AFTER))
    })
}

/// How often the coordinator looks at the silence.
const TICK: Duration = Duration::from_millis(250);

/// A finished build that no newer save overtook, for the caller to publish.
pub(crate) struct Rebuilt {
    pub(crate) outcome: Outcome<StoredFile>,
    /// The saved paths that started it (relative to the root), none for the first build.
    pub(crate) changed: Vec<String>,
    pub(crate) took: Duration,
}

/// What the coordinator hands the caller: a finished build, or news of a silent build process.
pub(crate) enum Update {
    Rebuilt(Rebuilt),
    /// A save waits on a build process that does not answer: the warning.
    Waiting(String),
    /// Something the editor should know, for the terminal only.
    Warning(String),
}

/// Where the coordinator's work goes: the preview that serves it.
pub(crate) trait Publisher {
    /// The routes browsers show, which a rebuild renders first.
    fn viewing(&self) -> Vec<String>;
    /// A finished build, or news of a silent build process.
    fn publish(&mut self, update: Update);
    /// The store is full: give back the disk that old files take, now.
    fn reclaim(&mut self) -> std::io::Result<()>;
    /// The link preview images served now (costly to draw), by path, for a new build process
    /// to reuse.
    fn previews(&self) -> Vec<(String, Vec<u8>)>;
}

/// Starts the coordinator on a thread of its own: built files go to `store`; each finished
/// build, and each warning about a silent build process, goes to `publisher`.
pub(crate) fn start(
    options: Arc<BuildOptions>,
    store: Arc<Store>,
    publisher: impl Publisher + Send + 'static,
) -> anyhow::Result<Rebuilds> {
    let program = client::program().context("cannot find the sre-guide program to build with")?;
    let (sender, messages) = mpsc::channel::<Message>();
    let rebuilds = Rebuilds(sender.clone());
    thread::Builder::new()
        .name("rebuild".into())
        .spawn(move || {
            let mut coordinator = Coordinator {
                program,
                options: &options,
                store: &store,
                publisher,
                sender: &sender,
                process: None,
                epoch: 0,
                pending: None,
                restarted_for: 0,
                heard: Instant::now(),
                warned: false,
                wanted: Vec::new(),
            };
            coordinator.run(&messages);
        })
        .context("cannot start the rebuild thread")?;
    Ok(rebuilds)
}

/// What the rebuild coordinator hears: a burst of saves (empty for the first build, with a
/// channel to say when it is published), or what the build process `epoch` reported.
enum Message {
    Changed(Vec<String>, Option<mpsc::Sender<()>>),
    /// Routes a browser waits for while the first build runs.
    Wanted(Vec<String>),
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

    /// Routes a browser waits for while the first build runs, for the build process to render
    /// first.
    pub(crate) fn wanted(&self, routes: Vec<String>) {
        let _ = self.0.send(Message::Wanted(routes));
    }

    /// A burst of saves (paths relative to the root): a new request, newest wins.
    pub(crate) fn changed(&self, paths: Vec<String>) {
        let _ = self.0.send(Message::Changed(paths, None));
    }
}

/// The one build process and what it is working on.
struct Coordinator<'a, P> {
    program: PathBuf,
    options: &'a BuildOptions,
    store: &'a Arc<Store>,
    publisher: P,
    sender: &'a mpsc::Sender<Message>,
    process: Option<BuildProcess>,
    /// Counts build processes, so reports of a stopped one are ignored.
    epoch: u64,
    pending: Option<Pending>,
    /// The request a fresh process was started for after its predecessor ended without a word.
    restarted_for: u64,
    /// When the build process last said anything (or was handed a request).
    heard: Instant,
    /// Its silence was reported.
    warned: bool,
    /// Routes browsers asked for before there was a process to tell.
    wanted: Vec<String>,
}

impl<P: Publisher> Coordinator<'_, P> {
    /// Newest save wins: each burst of saves is a request to the build process, which stops the
    /// pass it is working on between pages and starts the new one; a render that never ends (a
    /// runaway template) makes the process end itself, and a fresh one builds the newest
    /// request. Every file a process reports is published, overtaken or not, so what `serve`
    /// holds is what the process believes it holds; only the newest request's verdict is
    /// printed.
    fn run(&mut self, messages: &mpsc::Receiver<Message>) {
        let mut generation = 0;
        loop {
            let message = match messages.recv_timeout(TICK) {
                Ok(message) => message,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    self.mind_the_silence();
                    continue;
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => return,
            };
            match message {
                Message::Changed(mut changed, mut first) => {
                    dedup_keeping_order(&mut changed);
                    generation += 1;
                    let mut all = Vec::new();
                    if let Some(overtaken) = self.pending.take() {
                        first = first.or(overtaken.first);
                        all = overtaken.changed;
                    }
                    all.extend(changed.iter().cloned());
                    dedup_keeping_order(&mut all);
                    self.pending = Some(Pending {
                        generation,
                        changed: all,
                        started: Instant::now(),
                        first,
                    });
                    self.request(generation, changed);
                }
                Message::Wanted(routes) => match &mut self.process {
                    Some(process) => {
                        let _ = process.want(routes);
                    }
                    // Asked before the first build's process started: it gets them first thing.
                    None => self.wanted.extend(routes),
                },
                Message::Report(epoch, report) if epoch == self.epoch => {
                    self.heard = Instant::now();
                    self.warned = false;
                    self.report(report);
                }
                Message::Report(..) => {} // from a process that was replaced
            }
        }
    }

    /// Reports a build process that a save has waited on in silence, and replaces it when the
    /// silence goes on.
    fn mind_the_silence(&mut self) {
        if self.pending.is_none() || self.process.is_none() {
            return;
        }
        let silent = self.heard.elapsed();
        let (warn_after, replace_after) = silence_limits();
        if silent >= replace_after {
            let Some(pending) = &self.pending else { return };
            let (generation, changed) = (pending.generation, pending.changed.clone());
            self.publisher.publish(Update::Waiting(format!(
                "the build process has not answered for {} s; a fresh one takes over",
                silent.as_secs()
            )));
            if let Some(process) = self.process.take() {
                process.kill();
            }
            self.request(generation, changed);
        } else if silent >= warn_after && !self.warned {
            self.warned = true;
            self.publisher.publish(Update::Waiting(format!(
                "waiting for the build process: no word from it for {} s (is it stopped?); a \
                 fresh one takes over after {} s",
                silent.as_secs(),
                replace_after.as_secs()
            )));
        }
    }

    /// Hands the request to the build process, starting one if there is none.
    fn request(&mut self, generation: u64, changed: Vec<String>) {
        if self.process.is_none() {
            self.epoch += 1;
            let (epoch, sender) = (self.epoch, self.sender.clone());
            let report = move |report| {
                let _ = sender.send(Message::Report(epoch, report));
            };
            let store = Arc::clone(self.store);
            let previews = self.publisher.previews();
            match BuildProcess::start(&self.program, self.options, store, previews, report) {
                Ok(mut process) => {
                    if !self.wanted.is_empty() {
                        process.want(std::mem::take(&mut self.wanted));
                    }
                    self.process = Some(process);
                }
                Err(error) => {
                    let message = cannot_start(&self.program, &error);
                    self.finish(Outcome::Environment(message));
                    return;
                }
            }
        }
        self.heard = Instant::now();
        self.warned = false;
        let request = Request {
            generation,
            fault: fault_requested(&changed),
            changed,
            viewing: self.publisher.viewing(),
        };
        if let Some(process) = &mut self.process {
            // A process that is gone says so with `Ended`, which starts a fresh one.
            process.request(request);
        }
    }

    fn report(&mut self, report: Report) {
        let (generation, outcome) = match report {
            Report::Alive => return,
            Report::Frame(generation, outcome) => (generation, outcome),
            Report::Ended(corrupt) => return self.ended(corrupt),
        };
        let current = self
            .pending
            .as_ref()
            .filter(|pending| pending.generation == generation);
        let took = current.map_or(Duration::ZERO, |pending| pending.started.elapsed());
        match outcome {
            // An overtaken request's files are served, its verdict not printed; the files of
            // the pages shown first are served ahead of the verdict.
            Outcome::Shown(delta) | Outcome::Built { delta, .. } if current.is_none() => {
                self.publisher.publish(Update::Rebuilt(Rebuilt {
                    outcome: Outcome::Shown(delta),
                    changed: Vec::new(),
                    took,
                }));
            }
            Outcome::Shown(delta) => self.publisher.publish(Update::Rebuilt(Rebuilt {
                outcome: Outcome::Shown(delta),
                changed: Vec::new(),
                took,
            })),
            outcome if current.is_some() => self.finish(outcome),
            _ => {} // an overtaken request's failure
        }
    }

    /// The build process's channel ended (`ending` says why). A process that sent what is not
    /// a frame is stopped and reported; one whose files found no room is stopped, the disk is
    /// reclaimed and the request built again from scratch; one that ended is replaced and its
    /// end reported when it is news. Each request is retried once.
    fn ended(&mut self, ending: Ending) {
        let Some(process) = self.process.take() else {
            return;
        };
        let retry = self
            .pending
            .as_ref()
            .filter(|pending| self.restarted_for != pending.generation)
            .map(|pending| (pending.generation, pending.changed.clone()));
        let outcome = match ending {
            Ending::Corrupt(why) => {
                process.kill();
                let message = format!(
                    "the build process sent a corrupt frame ({why}); it was stopped, and a \
                     fresh one builds the next save"
                );
                if self.pending.is_none() {
                    self.publisher.publish(Update::Rebuilt(Rebuilt {
                        outcome: Outcome::Environment(message),
                        changed: Vec::new(),
                        took: Duration::ZERO,
                    }));
                    return;
                }
                Outcome::Environment(message)
            }
            Ending::Unstored(error) => {
                process.kill();
                let reclaimed = self.publisher.reclaim();
                match (retry, reclaimed) {
                    (Some((generation, changed)), Ok(())) => {
                        self.restarted_for = generation;
                        return self.request(generation, changed);
                    }
                    // An overtaken request's files: the next save builds afresh.
                    _ if self.pending.is_none() => return,
                    _ => Outcome::Environment(no_room(&error, self.store.live_bytes())),
                }
            }
            Ending::Closed => {
                let end = client::describe_end(process.end());
                if let Some((generation, changed)) = retry {
                    // Once more on a fresh process: a runaway render ended its process, or the
                    // process was killed from outside.
                    self.restarted_for = generation;
                    if let Some(end) = &end {
                        let news = format!("{end}; a fresh one builds the save");
                        self.publisher.publish(Update::Waiting(news));
                    }
                    return self.request(generation, changed);
                }
                if self.pending.is_none() {
                    if let Some(end) = end {
                        let news = format!("{end}; the next save starts a fresh one");
                        self.publisher.publish(Update::Warning(news));
                    }
                    return;
                }
                match end {
                    Some(end) => {
                        Outcome::Environment(format!("{end}; the next save starts a fresh one"))
                    }
                    None => {
                        let message = "the build process ended without a result";
                        Outcome::Internal(message.to_string())
                    }
                }
            }
        };
        self.finish(outcome);
    }

    /// Publishes the newest request's verdict.
    fn finish(&mut self, outcome: Outcome<StoredFile>) {
        let Some(pending) = self.pending.take() else {
            return;
        };
        self.publisher.publish(Update::Rebuilt(Rebuilt {
            outcome,
            changed: pending.changed,
            took: pending.started.elapsed(),
        }));
        if let Some(first) = pending.first {
            let _ = first.send(());
        }
    }
}

/// What the editor is told when the preview's files find no room even after reclaiming.
fn no_room(error: &std::io::Error, live: u64) -> String {
    let folder = std::env::temp_dir();
    let needed = (2 * live).max(1 << 20).div_ceil(1 << 20);
    format!(
        "cannot keep the preview's files in {}: {error}; the preview needs about {needed} MiB \
         free there (the site's files, packed, twice while a build replaces them); free some \
         space there or set TMPDIR to another folder, and save again",
        folder.display()
    )
}

/// Why no build process could start: a binary gone since `serve` started needs a restart.
fn cannot_start(program: &std::path::Path, error: &std::io::Error) -> String {
    if error.kind() == std::io::ErrorKind::NotFound {
        format!(
            "cannot start a build process: the program {} is gone (removed or replaced since \
             `serve` started); restart `serve`",
            program.display()
        )
    } else {
        format!("cannot start a build process: {error}; restart `serve` if this persists")
    }
}

/// For tests only (debug builds): `SRE_GUIDE_FAULT_ON=kind:name` makes the build triggered by a
/// save of a file called `name` do a fault: `panic`, `print` (garbage on its stdout),
/// `huge-length` or `random-bytes` (a corrupt frame).
fn fault_requested(changed: &[String]) -> Option<Fault> {
    if !cfg!(debug_assertions) {
        return None;
    }
    let setting = std::env::var("SRE_GUIDE_FAULT_ON").ok()?;
    let (kind, name) = setting.split_once(':')?;
    let path = changed
        .iter()
        .find(|path| path.rsplit('/').next() == Some(name))?;
    match kind {
        "panic" => Some(Fault::Panic(format!("test hook: a save of {path}"))),
        "print" => Some(Fault::Print),
        "huge-length" => Some(Fault::HugeLength),
        "random-bytes" => Some(Fault::RandomBytes),
        _ => None,
    }
}

/// Drops repeated paths, keeping each one's first place.
pub(crate) fn dedup_keeping_order(paths: &mut Vec<String>) {
    let mut seen = std::collections::HashSet::new();
    paths.retain(|path| seen.insert(path.clone()));
}
