//! Rendered files → the output folder, atomically ([`Staging`], a [`Sink`]): everything is written
//! to a temporary sibling folder, which then replaces the old output in two renames, so a failed or
//! killed build leaves the previous site as it was and files no longer produced disappear. Refuses
//! any target whose replacement could destroy the editor's work.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::model::url::OutputPath;
use crate::output::Sink;

/// Written into every output folder so a later build knows it may replace that folder.
pub(crate) const OUTPUT_MARKER: &str = ".sre-guide-output";

/// A new site being written next to the target folder. Files go in as they are rendered;
/// `commit` swaps the folder in, and dropping it uncommitted removes it, leaving the previous
/// output as it was.
pub(crate) struct Staging {
    dir: PathBuf,
    target: PathBuf,
    name: String,
    committed: bool,
    /// Held until the staging folder is committed or removed; dropped last (fields drop after
    /// `Drop::drop` has cleaned up).
    _lock: fs::File,
}

impl Staging {
    /// Refuses unsafe targets before anything is written, then creates the staging folder;
    /// waits up to `patience` for another build of the same target to finish.
    pub(crate) fn create(
        root: &Path,
        target: &Path,
        patience: Duration,
    ) -> anyhow::Result<Staging> {
        let target = absolute(target)?;
        refuse_unsafe_target(root, &target)?;
        let parent = target
            .parent()
            .with_context(|| format!("{} has no parent folder", target.display()))?;
        fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
        let name = target
            .file_name()
            .with_context(|| format!("{} has no folder name", target.display()))?
            .to_string_lossy()
            .into_owned();
        let lock = lock(parent, &name, patience)?;
        // Another build may have changed the target while this one waited.
        refuse_unsafe_target(root, &target)?;
        remove_leftovers(parent, &name);
        let dir = parent.join(format!(".{name}.tmp-{}", std::process::id()));
        let staging = Staging {
            dir,
            target,
            name,
            committed: false,
            _lock: lock,
        };
        fs::create_dir_all(&staging.dir)
            .with_context(|| format!("cannot create {}", staging.dir.display()))?;
        fs::write(staging.dir.join(OUTPUT_MARKER), b"")
            .with_context(|| format!("cannot write in {}", staging.dir.display()))?;
        Ok(staging)
    }

    /// The staging folder, on the target's file system.
    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    /// Replaces the target with everything written so far.
    pub(crate) fn commit(mut self) -> anyhow::Result<()> {
        swap_in(&self.dir, &self.target, &self.name)?;
        self.committed = true;
        Ok(())
    }
}

impl Sink for Staging {
    fn put(&self, path: &OutputPath, bytes: Vec<u8>) -> anyhow::Result<()> {
        let path = self.dir.join(path.as_str());
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        }
        fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))
    }

    /// Only from an output folder this program wrote (it carries the marker).
    fn previous(&self, path: &OutputPath) -> Option<Vec<u8>> {
        if !self.target.join(OUTPUT_MARKER).is_file() {
            return None;
        }
        fs::read(self.target.join(path.as_str())).ok()
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// Writes a whole in-memory `output` to `target`, replacing what a previous build left there.
#[cfg(test)]
pub(crate) fn output(
    output: &crate::output::Output,
    root: &Path,
    target: &Path,
) -> anyhow::Result<()> {
    let staging = Staging::create(root, target, Duration::ZERO)?;
    for file in &output.files {
        staging.put(&file.path, file.bytes.clone())?;
    }
    staging.commit()
}

fn absolute(path: &Path) -> anyhow::Result<PathBuf> {
    let path =
        std::path::absolute(path).with_context(|| format!("cannot resolve {}", path.display()))?;
    // Resolve symlinks in the part that exists, so `out -> .` cannot hide the site root.
    let mut existing = path.as_path();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => break,
        }
    }
    let mut resolved = existing
        .canonicalize()
        .unwrap_or_else(|_| existing.to_path_buf());
    for name in rest.iter().rev() {
        resolved.push(name);
    }
    Ok(resolved)
}

fn refuse_unsafe_target(root: &Path, target: &Path) -> anyhow::Result<()> {
    let root = root
        .canonicalize()
        .with_context(|| format!("cannot resolve {}", root.display()))?;
    let refuse = |why: &str| -> anyhow::Result<()> {
        bail!(
            "refusing to write the site to {}: {why}; nothing was deleted. Pass another --output DIR",
            target.display()
        )
    };
    if root.starts_with(target) {
        return refuse("it is the site root or a folder containing it");
    }
    for protected in ["content", "themes"] {
        if target.starts_with(root.join(protected)) {
            return refuse(&format!(
                "it is inside {protected}/, which holds the site's sources"
            ));
        }
    }
    if target.is_file() {
        return refuse("it is a file");
    }
    if target.is_dir() && !target.join(OUTPUT_MARKER).exists() {
        let mut entries =
            fs::read_dir(target).with_context(|| format!("cannot read {}", target.display()))?;
        if entries.next().is_some() {
            return refuse(
                "it is a non-empty folder that an earlier sre-guide build did not write",
            );
        }
    }
    Ok(())
}

fn swap_in(staging: &Path, target: &Path, name: &str) -> anyhow::Result<()> {
    let parent = target.parent().expect("checked by the caller");
    let old = parent.join(format!(".{name}.old-{}", std::process::id()));
    let had_old = target.exists();
    if had_old {
        fs::rename(target, &old)
            .with_context(|| format!("cannot move {} aside", target.display()))?;
    }
    if let Err(error) = fs::rename(staging, target) {
        if had_old {
            let _ = fs::rename(&old, target);
        }
        return Err(error)
            .with_context(|| format!("cannot move the new site into {}", target.display()));
    }
    if had_old {
        fs::remove_dir_all(&old)
            .with_context(|| format!("cannot remove the previous site at {}", old.display()))?;
    }
    Ok(())
}

/// Takes the advisory lock `.NAME.lock` beside the target (the OS releases it when the process
/// ends, even killed), waiting up to `patience` while another build of the same target holds it.
fn lock(parent: &Path, name: &str, patience: Duration) -> anyhow::Result<fs::File> {
    let path = parent.join(format!(".{name}.lock"));
    let file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("cannot create the lock file {}", path.display()))?;
    let target = parent.join(name);
    let deadline = Instant::now() + patience;
    let mut said = false;
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(file),
            Err(fs::TryLockError::WouldBlock) if Instant::now() < deadline => {}
            Err(fs::TryLockError::WouldBlock) => bail!(
                "another sre-guide build of {} still holds {} after {} s; let it finish and \
                 build again, or wait longer with `--lock-timeout <SECONDS>`",
                target.display(),
                path.display(),
                patience.as_secs()
            ),
            Err(fs::TryLockError::Error(error)) => {
                return Err(error).with_context(|| format!("cannot lock {}", path.display()));
            }
        }
        if !said {
            said = true;
            let _ = writeln!(
                std::io::stderr(),
                "waiting for another sre-guide build of {} to finish (it holds {}); giving up \
                 after {} s (`--lock-timeout`)",
                target.display(),
                path.display(),
                patience.as_secs()
            );
        }
        std::thread::sleep(LOCK_POLL);
    }
}

/// How often a waiting build tries the lock again.
const LOCK_POLL: Duration = Duration::from_millis(100);

/// Whether `file_name` is a staging or old folder of a build of `name`: `.NAME.tmp-PID` or
/// `.NAME.old-PID`. Only builds make these names.
fn is_leftover(file_name: &str, name: &str) -> bool {
    [".tmp-", ".old-"].iter().any(|kind| {
        file_name
            .strip_prefix(&format!(".{name}{kind}"))
            .is_some_and(|pid| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
    })
}

/// Staging and old folders of builds that were killed before they finished. Runs under the lock,
/// so no other build is using them; recognised by name alone, because a kill during their
/// removal may already have taken the marker.
fn remove_leftovers(parent: &Path, name: &str) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        if is_leftover(&file_name, name) && entry.file_type().is_ok_and(|t| t.is_dir()) {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::{Output, OutputFile};

    fn site_with(files: &[(&str, &str)]) -> Output {
        Output {
            files: files
                .iter()
                .map(|(path, text)| OutputFile {
                    path: OutputPath::content_asset(&crate::model::url::ContentPath::of(path)),
                    bytes: text.as_bytes().to_vec(),
                })
                .collect(),
        }
    }

    #[test]
    fn replaces_the_previous_output_and_drops_stale_files() {
        let root = tempfile::tempdir().expect("temp dir");
        let target = root.path().join("output");
        output(
            &site_with(&[("a/index.html", "1"), ("old.html", "x")]),
            root.path(),
            &target,
        )
        .expect("first");
        output(&site_with(&[("a/index.html", "2")]), root.path(), &target).expect("second");
        assert_eq!(
            fs::read_to_string(target.join("a/index.html")).expect("read"),
            "2"
        );
        assert!(!target.join("old.html").exists());
        let leftovers: Vec<_> = fs::read_dir(root.path())
            .expect("list")
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(
            leftovers.len(),
            2,
            "only the output and its lock: {leftovers:?}"
        );
        assert!(root.path().join(".output.lock").is_file());
    }

    #[test]
    fn leftovers_are_recognised_by_their_own_name_pattern() {
        assert!(is_leftover(".output.tmp-123", "output"));
        assert!(is_leftover(".output.old-9", "output"));
        for other in [
            ".output.tmp-",
            ".output.tmp-12a",
            "output.tmp-1",
            ".site.tmp-1",
            ".output.lock",
        ] {
            assert!(!is_leftover(other, "output"), "{other}");
        }
    }

    #[test]
    fn refuses_the_root_its_ancestors_sources_and_foreign_folders() {
        let root = tempfile::tempdir().expect("temp dir");
        fs::create_dir_all(root.path().join("content")).expect("mkdir");
        fs::create_dir_all(root.path().join("docs")).expect("mkdir");
        fs::write(root.path().join("docs/keep.txt"), "mine").expect("write");
        let site = site_with(&[("index.html", "x")]);
        for target in [
            root.path().to_path_buf(),
            root.path().join(".."),
            root.path().join("content"),
            root.path().join("themes/x"),
            root.path().join("docs"),
        ] {
            let error = output(&site, root.path(), &target).expect_err("refused");
            assert!(error.to_string().contains("refusing"), "{error}");
        }
        assert_eq!(
            fs::read_to_string(root.path().join("docs/keep.txt")).expect("kept"),
            "mine"
        );
    }
}
