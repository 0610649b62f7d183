//! Rebuilding on save. In: the site root's `content/` and `themes/` folders, watched recursively
//! with notify-debouncer-full (folders, never single files, so atomic saves and new or renamed
//! files are seen). Out: one request per burst of edits to the build process (`worker.rs`),
//! which stays alive across saves; what it reports is handed to the caller's `post_build` (as
//! mdBook's `rebuild_on_change`). Files the build's walk skips (`walk::is_site_path`: dotfiles,
//! editor temp files) and access events never trigger one; nothing here writes a file or
//! answers a request.

use std::path::{Path, PathBuf};
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::Context;
use notify_debouncer_full::notify::{
    self, EventKind, PollWatcher, RecommendedWatcher, RecursiveMode,
};
use notify_debouncer_full::{
    DebounceEventResult, DebouncedEvent, NoCache, RecommendedCache, new_debouncer_opt,
};

use crate::build::BuildOptions;
use crate::load::walk;
use crate::serve::build_process::client::{Outcome, Report, Request, Worker};
use crate::serve::store::{Store, StoredFile};

/// How long a path must stay quiet before its events are delivered. Editors save in a burst of
/// events within a few milliseconds; this is short enough to keep a reload well under 100 ms.
pub(crate) const DEBOUNCE: Duration = Duration::from_millis(20);
/// How often `--poll` looks at every file: polling cost grows with the site, so not too often.
const POLL_INTERVAL: Duration = Duration::from_millis(250);

/// Keeps the watcher running; watching stops when it is dropped.
pub(crate) struct Watching {
    _debouncer: Box<dyn Send>,
    rebuilds: Rebuilds,
}

/// A finished build that no newer save overtook, for the caller to publish.
pub(crate) struct Rebuilt {
    pub(crate) outcome: Outcome<StoredFile>,
    /// The saved paths that started it (relative to the root), none for the first build.
    pub(crate) changed: Vec<String>,
    pub(crate) took: Duration,
}

/// Watches `content/` and `themes/` below the root and rebuilds (on a thread of its own) after
/// each burst of relevant changes, calling `post_build` with what each build reports;
/// `viewing` names the routes browsers show, which a rebuild renders first; built files go to
/// `store`.
pub(crate) fn start(
    poll: bool,
    options: Arc<BuildOptions>,
    store: Arc<Store>,
    viewing: impl Fn() -> Vec<String> + Send + 'static,
    post_build: impl FnMut(Rebuilt) + Send + 'static,
) -> anyhow::Result<Watching> {
    let root = options.root.clone();
    let folders: Vec<PathBuf> = ["content", "themes"]
        .iter()
        .map(|folder| root.join(folder))
        .filter(|folder| folder.is_dir())
        .collect();
    if !folders.contains(&root.join("content")) {
        anyhow::bail!(
            "cannot serve {}: it has no content/ folder; pass the site's folder with `--root`",
            root.display()
        );
    }
    let (sender, messages) = mpsc::channel::<Message>();
    let (changes, changes_for_first) = (sender.clone(), sender.clone());
    let handler_root = root.clone();
    let handler = move |result: DebounceEventResult| match result {
        Ok(events) => {
            let paths = relevant_paths(&handler_root, &events);
            if !paths.is_empty() {
                let _ = changes.send(Message::Changed(paths, None));
            }
        }
        Err(errors) => {
            for error in errors {
                eprintln!("warning: watching for changes: {error}");
            }
        }
    };
    let debouncer: Box<dyn Send> = if poll {
        // PollWatcher compares modification times in whole seconds, so two saves within a second
        // would look like one; comparing contents too catches every save.
        let config = notify::Config::default()
            .with_poll_interval(POLL_INTERVAL)
            .with_compare_contents(true);
        let mut debouncer = new_debouncer_opt::<_, PollWatcher, NoCache>(
            DEBOUNCE,
            None,
            handler,
            NoCache::new(),
            config,
        )
        .context("cannot start polling for changes")?;
        for folder in &folders {
            debouncer
                .watch(folder, RecursiveMode::Recursive)
                .with_context(|| format!("cannot watch {}", folder.display()))?;
        }
        Box::new(debouncer)
    } else {
        let mut debouncer = new_debouncer_opt::<_, RecommendedWatcher, RecommendedCache>(
            DEBOUNCE,
            None,
            handler,
            RecommendedCache::new(),
            notify::Config::default(),
        )
        .context("cannot start watching for changes")?;
        for folder in &folders {
            debouncer
                .watch(folder, RecursiveMode::Recursive)
                .with_context(|| {
                    format!(
                        "cannot watch {} (on a network mount or in a VM, try `--poll`)",
                        folder.display()
                    )
                })?;
        }
        Box::new(debouncer)
    };
    let rebuilds = Rebuilds(changes_for_first);
    thread::Builder::new()
        .name("rebuild".into())
        .spawn(move || coordinate(post_build, &viewing, &options, &store, &sender, &messages))
        .context("cannot start the rebuild thread")?;
    Ok(Watching {
        _debouncer: debouncer,
        rebuilds,
    })
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

/// Asks for the first build and waits until its outcome is served.
pub(crate) struct Rebuilds(mpsc::Sender<Message>);

impl Watching {
    pub(crate) fn first_build(&self) {
        let (done, published) = mpsc::channel();
        if self
            .rebuilds
            .0
            .send(Message::Changed(Vec::new(), Some(done)))
            .is_ok()
        {
            let _ = published.recv();
        }
    }
}

/// The one build process and what it is working on.
struct Builder<'a> {
    options: &'a BuildOptions,
    store: &'a Arc<Store>,
    viewing: &'a dyn Fn() -> Vec<String>,
    sender: &'a mpsc::Sender<Message>,
    worker: Option<Worker>,
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
    let mut builder = Builder {
        options,
        store,
        viewing,
        sender,
        worker: None,
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
                if let Some(overtaken) = builder.pending.take() {
                    first = first.or(overtaken.first);
                    all = overtaken.changed;
                }
                all.extend(changed.iter().cloned());
                dedup_keeping_order(&mut all);
                builder.pending = Some(Pending {
                    generation,
                    changed: all,
                    started: Instant::now(),
                    first,
                });
                builder.request(generation, changed, &mut post_build);
            }
            Message::Report(epoch, report) if epoch == builder.epoch => {
                builder.report(report, &mut post_build);
            }
            Message::Report(..) => {} // from a process that was replaced
        }
    }
}

impl Builder<'_> {
    /// Hands the request to the build process, starting one if there is none.
    fn request(&mut self, generation: u64, changed: Vec<String>, post: &mut impl FnMut(Rebuilt)) {
        if self.worker.is_none() {
            self.epoch += 1;
            let (epoch, sender) = (self.epoch, self.sender.clone());
            let report = move |report| {
                let _ = sender.send(Message::Report(epoch, report));
            };
            match Worker::start(self.options, Arc::clone(self.store), report) {
                Ok(worker) => self.worker = Some(worker),
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
        if let Some(worker) = &mut self.worker {
            // A process that is gone says so with `Ended`, which starts a fresh one.
            worker.request(&request);
        }
    }

    fn report(&mut self, report: Report, post: &mut impl FnMut(Rebuilt)) {
        let Report::Frame(generation, outcome) = report else {
            if let Some(worker) = self.worker.take() {
                worker.finish();
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

/// The paths (relative to the root, `/`-separated) of the events worth a rebuild.
fn relevant_paths(root: &Path, events: &[DebouncedEvent]) -> Vec<String> {
    if events.iter().any(|event| event.need_rescan()) {
        // The watcher lost events (its queue overflowed): anything may have changed.
        return vec!["content".to_string(), "themes".to_string()];
    }
    let mut paths: Vec<String> = events
        .iter()
        .filter(|event| !matches!(event.kind, EventKind::Access(_)))
        .flat_map(|event| event.paths.iter())
        .filter(|path| path.starts_with(root))
        .map(|path| walk::relative(root, path))
        // The very rule the build's walk uses, so a save rebuilds exactly when it can matter.
        .filter(|path| walk::is_site_path(path))
        .collect();
    dedup_keeping_order(&mut paths);
    paths
}

fn dedup_keeping_order(paths: &mut Vec<String>) {
    let mut seen = std::collections::HashSet::new();
    paths.retain(|path| seen.insert(path.clone()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_events_and_temp_files_do_not_count() {
        use notify::event::{AccessKind, CreateKind, ModifyKind, RenameMode};
        let root = Path::new("/site");
        let event = |kind, paths: &[&str]| {
            let mut event = notify::Event::new(kind);
            for path in paths {
                event = event.add_path(PathBuf::from(path));
            }
            DebouncedEvent::new(event, Instant::now())
        };
        let events = [
            event(EventKind::Access(AccessKind::Any), &["/site/content/a.md"]),
            event(
                EventKind::Create(CreateKind::File),
                &["/site/content/.a.md.swp"],
            ),
            // An atomic save: the temp file renamed over the page.
            event(
                EventKind::Modify(ModifyKind::Name(RenameMode::Both)),
                &["/site/content/.a.md.tmp~", "/site/content/a.md"],
            ),
            event(EventKind::Modify(ModifyKind::Any), &["/site/content/a.md"]),
            // A dotfile the build's walk skips, and a path outside the root.
            event(
                EventKind::Modify(ModifyKind::Any),
                &["/site/content/.well-known.md", "/elsewhere/b.md", "/site"],
            ),
            event(
                EventKind::Modify(ModifyKind::Any),
                &["/site/content/phases/#1.md", "/site/content/#b.md#"],
            ),
        ];
        assert_eq!(
            relevant_paths(root, &events),
            ["content/a.md", "content/phases/#1.md"]
        );
    }

    #[test]
    fn lost_events_rebuild_everything() {
        use notify::event::{Flag, ModifyKind};
        let rescan = notify::Event::new(EventKind::Other).set_flag(Flag::Rescan);
        let events = [
            DebouncedEvent::new(rescan, Instant::now()),
            DebouncedEvent::new(
                notify::Event::new(EventKind::Modify(ModifyKind::Any))
                    .add_path(PathBuf::from("/site/content/a.md")),
                Instant::now(),
            ),
        ];
        assert_eq!(
            relevant_paths(Path::new("/site"), &events),
            ["content", "themes"]
        );
    }
}
