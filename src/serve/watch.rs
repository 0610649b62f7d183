//! Watching for saves. In: the site root's `content/` and `themes/` folders, watched recursively
//! with notify-debouncer-full (folders, never single files, so atomic saves and new or renamed
//! files are seen). Out: each burst of relevant changes, as paths relative to the root, handed
//! to the rebuild coordinator ([`coordinate`](crate::serve::build_process::coordinate)). Files the
//! build's walk skips ([`is_site_path`](crate::load::walk::is_site_path): dotfiles, editor temp
//! files) and access events never count; nothing here builds, writes a file or answers a request.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use notify_debouncer_full::notify::{
    self, EventKind, PollWatcher, RecommendedWatcher, RecursiveMode,
};
use notify_debouncer_full::{
    DebounceEventResult, DebouncedEvent, NoCache, RecommendedCache, new_debouncer_opt,
};

use crate::load::walk;
use crate::serve::build_process::coordinate::{Rebuilds, dedup_keeping_order};

/// How old a path's events must be before they are delivered. Editors save in a burst of
/// events within a millisecond or two (write, rename, chmod); a burst split by a slow disk only
/// costs a second rebuild, which the newest-save-wins coordinator stops early.
pub(crate) const DEBOUNCE: Duration = Duration::from_millis(10);
/// How often the debouncer looks for events old enough: an event waits `DEBOUNCE` plus up to
/// one tick. Half of `DEBOUNCE` keeps an idle `serve` at 200 wake-ups a second, as the
/// debouncer's own default (a quarter of 20 ms) did.
const TICK: Duration = Duration::from_millis(5);
/// How often `--poll` looks at every file: polling cost grows with the site, so not too often.
const POLL_INTERVAL: Duration = Duration::from_millis(250);

/// Keeps the watcher running; watching stops when it is dropped.
pub(crate) struct Watching {
    _debouncer: Box<dyn Send>,
}

/// Watches `content/` and `themes/` below `root` and hands each burst of relevant changes to
/// `rebuilds`; `poll` watches by polling instead of OS notifications.
pub(crate) fn start(poll: bool, root: &Path, rebuilds: Rebuilds) -> anyhow::Result<Watching> {
    let root = root.to_path_buf();
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
    let handler_root = root.clone();
    let handler = move |result: DebounceEventResult| match result {
        Ok(events) => {
            let paths = relevant_paths(&handler_root, &events);
            if !paths.is_empty() {
                rebuilds.changed(paths);
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
            Some(TICK),
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
            Some(TICK),
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
    Ok(Watching {
        _debouncer: debouncer,
    })
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

#[cfg(test)]
mod tests {
    use std::time::Instant;

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
