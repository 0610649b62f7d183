//! Clean-up for what lives as long as the test binary. Statics are never dropped, so a folder a
//! `OnceLock` keeps for the whole run (the built guide, Chromium's profile) would be left behind.
//! A small shell waits for this process to end — its stdin is a pipe only this process writes,
//! so it reads end-of-file when the process exits, however it exits — and then cleans up.

use std::io::Write;
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Mutex, OnceLock};

/// Starts `sh -c <script> sh <args>…` with its stdin a pipe held until this process exits; the
/// script's `read` returns at that moment. Returns the child and the pipe to keep.
pub fn until_exit(script: &str, args: &[&std::ffi::OsStr]) -> (Child, ChildStdin) {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg("sh")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start sh");
    let pipe = child.stdin.take().expect("a piped stdin");
    (child, pipe)
}

/// Removes `path` (a folder and everything in it) when this test binary exits.
pub fn remove_at_exit(path: &Path) {
    static JANITOR: OnceLock<Mutex<ChildStdin>> = OnceLock::new();
    let janitor = JANITOR.get_or_init(|| {
        // One path per line until end-of-file, then remove them all.
        let script = r#"while IFS= read -r path; do set -- "$@" "$path"; done; rm -rf -- "$@""#;
        let (_child, pipe) = until_exit(script, &[]);
        Mutex::new(pipe)
    });
    let line = format!("{}\n", path.display());
    assert!(!path.display().to_string().contains('\n'), "{path:?}");
    let mut pipe = janitor
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    pipe.write_all(line.as_bytes())
        .and_then(|()| pipe.flush())
        .expect("hand a path to the janitor");
}
