//! Rebuilding on save. In: the site root's `content/` and `themes/` folders, watched recursively
//! with notify-debouncer-full (folders, never single files, so atomic saves and new or renamed
//! files are seen). Out: one build per burst of edits, each in a process of its own
//! (`worker.rs`), the newest handed to the caller's `post_build` (as mdBook's
//! `rebuild_on_change`). Files the build's walk skips
//! (`walk::is_site_path`: dotfiles, editor temp files) and access events never trigger one;
//! nothing here writes a file or answers a request.

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
use crate::walk;
use crate::worker::{Outcome, Worker};

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
    pub(crate) outcome: Outcome,
    /// The saved paths that started it (relative to the root), none for the first build.
    pub(crate) changed: Vec<String>,
    pub(crate) took: Duration,
}

/// Watches `content/` and `themes/` below the root and rebuilds (on a thread of its own) after
/// each burst of relevant changes, calling `post_build` with each build that is not overtaken.
pub(crate) fn start(
    poll: bool,
    options: Arc<BuildOptions>,
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
        .spawn(move || coordinate(post_build, &options, &sender, &messages))
        .context("cannot start the rebuild thread")?;
    Ok(Watching {
        _debouncer: debouncer,
        rebuilds,
    })
}

/// What the rebuild coordinator hears: a burst of saves (empty for the first build, with a
/// channel to say when it is published), or a build process's outcome.
enum Message {
    Changed(Vec<String>, Option<mpsc::Sender<()>>),
    Done(u64, Outcome),
}

/// The build whose result will be published, if it finishes before a newer save arrives.
struct Running {
    generation: u64,
    worker: Option<Worker>,
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

/// Newest save wins: each burst of saves starts a fresh build process; one still running when a
/// newer save arrives is killed, so its result is never published and a template that loops for
/// ever costs nothing once the fix is saved. The build process itself ends a render past its
/// time budget, and reports a panic as an internal error.
fn coordinate(
    mut post_build: impl FnMut(Rebuilt),
    options: &Arc<BuildOptions>,
    sender: &mpsc::Sender<Message>,
    messages: &mpsc::Receiver<Message>,
) {
    let mut generation = 0;
    let mut running: Option<Running> = None;
    while let Ok(message) = messages.recv() {
        match message {
            Message::Changed(mut changed, mut first) => {
                // Saves that queued up behind this one join it: one build per burst.
                while let Ok(Message::Changed(more, also_first)) = messages.try_recv() {
                    changed.extend(more);
                    first = first.or(also_first);
                }
                dedup_keeping_order(&mut changed);
                generation += 1;
                let overtaken = running.take();
                let first = first.or_else(|| overtaken.as_ref().and_then(|r| r.first.clone()));
                if let Some(worker) = overtaken.and_then(|r| r.worker) {
                    worker.stop();
                }
                running = Some(start_build(generation, options, sender, changed, first));
            }
            Message::Done(done, outcome) => {
                if let Some(current) = running.take_if(|r| r.generation == done) {
                    if let Some(worker) = current.worker {
                        worker.finish();
                    }
                    post_build(Rebuilt {
                        outcome,
                        changed: current.changed,
                        took: current.started.elapsed(),
                    });
                    if let Some(first) = current.first {
                        let _ = first.send(());
                    }
                }
            }
        }
    }
}

fn start_build(
    generation: u64,
    options: &BuildOptions,
    sender: &mpsc::Sender<Message>,
    changed: Vec<String>,
    first: Option<mpsc::Sender<()>>,
) -> Running {
    let done = sender.clone();
    let report = move |outcome| {
        let _ = done.send(Message::Done(generation, outcome));
    };
    let worker = match Worker::start(options, panic_requested(&changed), report) {
        Ok(worker) => Some(worker),
        Err(error) => {
            let message = format!("cannot start a build process: {error}");
            let _ = sender.send(Message::Done(generation, Outcome::Environment(message)));
            None
        }
    };
    Running {
        generation,
        worker,
        changed,
        started: Instant::now(),
        first,
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
}
