//! Walks a folder of the site (content/, a theme's templates/ or static/) in name order, skipping
//! editor files. A symbolic link is followed only when what it points at, resolved, lies inside
//! the site root: the walk never enters or yields anything outside it, and never reads a target.

use std::path::{Path, PathBuf};

use anyhow::bail;

use crate::model::diagnostic::{Code, Diagnostic};

/// Why an entry of the walk was not visited.
pub(crate) enum WalkError {
    /// A link whose target lies outside the site root (or cannot be resolved to decide).
    Outside { link: String, target: String },
    /// walkdir's own errors: a dangling link, a link loop, an unreadable folder.
    Walk(walkdir::Error),
    /// A file or folder whose name is not UTF-8 (it could not become a URL): its path below the
    /// root, the name's bytes escaped (`content/bad\xffname.md`).
    NotUtf8(String),
}

impl WalkError {
    /// An outside link, in the editor's terms; it names the link and what it points at, never
    /// what the target holds.
    pub(crate) fn outside(link: &str, target: &str) -> Diagnostic {
        Diagnostic::in_file(
            Code::SymlinkOutsideSite,
            link,
            format!("`{link}` is a symbolic link to `{target}`, which is outside the site"),
        )
        .help("sre-guide publishes only files inside the site root: copy the file or folder into the site, or remove the link")
    }

    /// Why an entry under content/ could not be visited, in the editor's terms. A folder that
    /// cannot be read fails the build as one environment error: every page below it would
    /// otherwise come back as a cascade of missing link targets.
    pub(crate) fn diagnostic(
        root: &Path,
        error: &walkdir::Error,
        a_loop: Option<LinkLoop>,
    ) -> anyhow::Result<Diagnostic> {
        let Some(path) = error.path() else {
            bail!("cannot read content/: {error}");
        };
        let shown = relative(root, path);
        if let Some(a_loop) = a_loop {
            return Ok(Diagnostic::in_file(
                Code::SymlinkBroken,
                &shown,
                format!(
                    "`{shown}` is a symbolic link loop ({})",
                    a_loop.chain.join(" → ")
                ),
            )
            .help("point one of these links at a file, or remove them"));
        }
        if error.loop_ancestor().is_some() {
            return Ok(Diagnostic::in_file(
                Code::SymlinkBroken,
                &shown,
                format!("`{shown}` is a symbolic link to a folder that contains it"),
            )
            .help("remove the link, or point it outside this folder"));
        }
        if let Ok(target) = std::fs::read_link(path)
            && !path.exists()
        {
            return Ok(Diagnostic::in_file(
                Code::SymlinkBroken,
                &shown,
                format!(
                    "`{shown}` is a symbolic link to `{}`, which does not exist",
                    target.display()
                ),
            )
            .help("point the link at an existing file, or remove it"));
        }
        let reason = error
            .io_error()
            .map_or_else(|| error.to_string(), ToString::to_string);
        bail!("cannot read {shown}: {reason}; check the folder's permissions")
    }
}

impl WalkError {
    /// A name that is not UTF-8, in the editor's terms: its bytes, and what to do.
    pub(crate) fn not_utf8(shown: &str) -> Diagnostic {
        Diagnostic::in_file(
            Code::NotUtf8,
            shown,
            format!("`{shown}` has a name that is not UTF-8 text, so it cannot be published"),
        )
        .help("rename it: a page's or file's name becomes its URL, which must be UTF-8")
    }
}

impl From<WalkError> for anyhow::Error {
    fn from(error: WalkError) -> Self {
        match error {
            WalkError::NotUtf8(shown) => {
                anyhow::anyhow!("{shown} has a name that is not UTF-8 text; rename it")
            }
            WalkError::Outside { link, target } => anyhow::anyhow!(
                "{link} is a symbolic link to {target}, which is outside the site; copy it into the site or remove the link"
            ),
            WalkError::Walk(error) => error.into(),
        }
    }
}

/// Every entry below `dir` (itself included), sorted by name, links checked against `root`.
pub(crate) fn below(root: &Path, dir: &Path) -> Walk {
    Walk {
        root: root.to_path_buf(),
        entries: walkdir::WalkDir::new(dir)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter(),
    }
}

pub(crate) struct Walk {
    root: PathBuf,
    entries: walkdir::IntoIter,
}

impl Iterator for Walk {
    type Item = Result<walkdir::DirEntry, WalkError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let entry = match self.entries.next()? {
                Ok(entry) => entry,
                Err(error) => return Some(Err(WalkError::Walk(error))),
            };
            if entry.depth() > 0 && is_ignored(&entry.file_name().to_string_lossy()) {
                if entry.file_type().is_dir() {
                    self.entries.skip_current_dir();
                }
                continue;
            }
            if entry.depth() > 0 && entry.file_name().to_str().is_none() {
                if entry.file_type().is_dir() {
                    self.entries.skip_current_dir();
                }
                return Some(Err(WalkError::NotUtf8(escaped(&self.root, entry.path()))));
            }
            // Below the start, only a link can lead out; the start itself may also lie behind a
            // link in its parents (`themes/default -> /elsewhere`).
            if entry.depth() == 0 || entry.path_is_symlink() {
                let Err(outside) = inside(&self.root, entry.path()) else {
                    return Some(Ok(entry));
                };
                if entry.file_type().is_dir() {
                    self.entries.skip_current_dir();
                }
                return Some(Err(outside));
            }
            return Some(Ok(entry));
        }
    }
}

/// `Ok` when `path`, every link on the way resolved, lies inside the site root; otherwise the
/// link that leads out (the path itself, or a folder above it) and what it points at.
pub(crate) fn inside(root: &Path, path: &Path) -> Result<(), WalkError> {
    let resolved_root = root.canonicalize().ok();
    let resolves_inside = |path: &Path| match (&resolved_root, path.canonicalize()) {
        (Some(root), Ok(target)) => target.starts_with(root),
        // A dangling link is the walk's to report; only an existing target can be outside.
        (Some(_), Err(_)) => !path.exists(),
        (None, _) => false,
    };
    if resolves_inside(path) {
        return Ok(());
    }
    let link = path
        .ancestors()
        .take_while(|ancestor| ancestor.starts_with(root) && *ancestor != root)
        .find(|ancestor| ancestor.is_symlink() && !resolves_inside(ancestor))
        .unwrap_or(path);
    let target =
        std::fs::read_link(link).map_or_else(|_| "?".to_string(), |t| t.display().to_string());
    Err(WalkError::Outside {
        link: relative(root, link),
        target,
    })
}

/// A chain of symbolic links that leads back to itself.
pub(crate) struct LinkLoop {
    /// The first link's name, then each link's target as written: `a.md → b.md → a.md`.
    pub(crate) chain: Vec<String>,
    /// Every link of the loop, as a path (to report one loop once, whichever link the walk met).
    pub(crate) links: Vec<PathBuf>,
}

/// The loop of symbolic links `path` starts, if it starts one (followed at most 40 links, as the
/// system does).
pub(crate) fn link_loop(path: &Path) -> Option<LinkLoop> {
    let name = path.file_name()?.to_string_lossy().into_owned();
    let mut found = LinkLoop {
        chain: vec![name],
        links: vec![lexical(path)],
    };
    let mut current = path.to_path_buf();
    for _ in 0..40 {
        let target = std::fs::read_link(&current).ok()?;
        found.chain.push(target.display().to_string());
        let next = lexical(&current.parent()?.join(&target));
        if found.links.contains(&next) {
            return Some(found);
        }
        found.links.push(next.clone());
        current = next;
    }
    None
}

/// `path` with `.` and `a/..` taken out, as written (links not followed).
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir if out.file_name().is_some() => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Dotfiles, editor backups and swap files (`*~`, Vim's `.x.swp` and `4913`, Emacs's `.#x` and
/// `#x#`) are never part of the site: the walk skips them and a save of one rebuilds nothing.
pub(crate) fn is_ignored(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || name == "4913"
        || (name.starts_with('#') && name.ends_with('#'))
}

/// Whether a `/`-separated path relative to the site root can be part of the site: no part of
/// it is a file or folder the walk skips.
pub(crate) fn is_site_path(path: &str) -> bool {
    !path.is_empty() && !path.split('/').any(is_ignored)
}

/// `path` relative to `base`, with `/` separators whatever the platform.
pub(crate) fn relative(base: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(base).unwrap_or(path);
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// `path` relative to `base`, `/`-separated, each byte that is not UTF-8 written `\xNN`.
pub(crate) fn escaped(base: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(base).unwrap_or(path);
    let parts: Vec<String> = relative
        .components()
        .map(|part| {
            let mut shown = String::new();
            for chunk in part.as_os_str().as_encoded_bytes().utf8_chunks() {
                shown.push_str(chunk.valid());
                for byte in chunk.invalid() {
                    shown.push_str(&format!("\\x{byte:02x}"));
                }
            }
            shown
        })
        .collect();
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editor_files_are_ignored() {
        for name in [
            ".x.md.swp",
            "a.md~",
            "4913",
            ".#a.md",
            "#a.md#",
            ".well-known.md",
        ] {
            assert!(is_ignored(name), "{name}");
        }
        assert!(!is_ignored("a.md"));
        assert!(!is_ignored("#1.md"));
    }

    #[test]
    fn a_site_path_has_no_ignored_part() {
        assert!(is_site_path("content/phases/junior.md"));
        assert!(!is_site_path("content/.git/HEAD"));
        assert!(!is_site_path("content/.well-known.md"));
        assert!(!is_site_path(""));
    }
}
