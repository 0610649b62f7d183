//! Where a build's files go: `Output` (the files in memory, sorted by path) and the `Sink`s that
//! take each file as it is rendered — memory for `serve`, nowhere for `check` (`write.rs` has the
//! staging folder for `build`). Nothing here renders or touches the filesystem.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use crate::url::OutputPath;

/// The files a build publishes, sorted by path.
#[derive(Debug, Default)]
pub(crate) struct Output {
    pub(crate) files: Vec<OutputFile>,
}

#[derive(Debug)]
pub(crate) struct OutputFile {
    /// Below the output root, with `/` separators: `phases/junior/index.html`.
    pub(crate) path: OutputPath,
    pub(crate) bytes: Vec<u8>,
}

impl Output {
    pub(crate) fn get(&self, path: &str) -> Option<&OutputFile> {
        self.files
            .binary_search_by(|file| file.path.as_str().cmp(path))
            .ok()
            .map(|i| &self.files[i])
    }
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

    /// False when files are dropped unseen (`check`), so costly ones need not be made.
    fn keeps_files(&self) -> bool {
        true
    }
}

/// Keeps every file in memory, for `serve`, reusing costly files the previous build made.
#[derive(Default)]
pub(crate) struct Collect {
    files: Mutex<Vec<OutputFile>>,
    reusable: HashMap<String, Vec<u8>>,
}

impl Sink for Collect {
    fn put(&self, path: &OutputPath, bytes: Vec<u8>) -> anyhow::Result<()> {
        let file = OutputFile {
            path: path.clone(),
            bytes,
        };
        self.files
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(file);
        Ok(())
    }

    fn previous(&self, path: &OutputPath) -> Option<Vec<u8>> {
        self.reusable.get(path.as_str()).cloned()
    }
}

impl Collect {
    /// A sink that offers `reusable` (path → bytes of the previous build) to `previous`.
    pub(crate) fn reusing(reusable: HashMap<String, Vec<u8>>) -> Collect {
        Collect {
            files: Mutex::default(),
            reusable,
        }
    }

    pub(crate) fn into_output(self) -> Output {
        let mut files = self
            .files
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Output { files }
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
}
