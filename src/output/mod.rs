//! Where a build's files go: the [`Sink`]s that take each file as it is rendered — nowhere for
//! `check` ([`Discard`]; [`write`](mod@write) has the staging folder for `build`, and `serve`'s
//! build process ([`crate::serve::build_process::process`]) its sinks of changed files), and
//! `Output`, files in memory for tests. Nothing here renders or touches the disk.

pub(crate) mod write;

use crate::model::url::OutputPath;

/// The files a build publishes, sorted by path (tests write them).
#[cfg(test)]
#[derive(Debug, Default)]
pub(crate) struct Output {
    pub(crate) files: Vec<OutputFile>,
}

/// One file of an `Output`.
#[cfg(test)]
#[derive(Debug)]
pub(crate) struct OutputFile {
    /// Below the output root, with `/` separators: `phases/junior/index.html`.
    pub(crate) path: OutputPath,
    pub(crate) bytes: Vec<u8>,
}

/// Where rendered files go as they are made: memory for `serve`, the staging folder for `build`,
/// nowhere for `check`. Render threads call it concurrently, so a big site is never held whole.
pub(crate) trait Sink: Sync {
    fn put(&self, path: &OutputPath, bytes: Vec<u8>) -> anyhow::Result<()>;

    /// The file the previous build published at `path`, for reusing costly files (link preview
    /// images) whose name hashes what they show.
    fn previous(&self, _path: &OutputPath) -> Option<Vec<u8>> {
        None
    }

    /// False to pass over the page at `path` (below `content/`): `serve` rendering changed
    /// pages first, or stopping a pass a newer save overtook.
    fn renders(&self, _path: &str) -> bool {
        true
    }

    /// False when files other than pages are dropped unseen (`check`, and `serve` rendering
    /// changed pages first), so costly and site-wide ones need not be made.
    fn keeps_files(&self) -> bool {
        true
    }

    /// False when the pages need not link the search index (they are dropped unseen, or shown
    /// ahead of a full pass that links it), so it need not be made first.
    fn search_index(&self) -> bool {
        true
    }
}

/// Drops every file, for `check`.
pub(crate) struct Discard;

impl Sink for Discard {
    fn put(&self, _: &OutputPath, _: Vec<u8>) -> anyhow::Result<()> {
        Ok(())
    }

    fn keeps_files(&self) -> bool {
        false
    }

    fn search_index(&self) -> bool {
        false
    }
}
