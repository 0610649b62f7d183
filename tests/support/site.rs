//! The test builder: a throwaway copy of a fixture site (or of the repository's own site), files
//! written or removed on top of it, and the real `sre-guide` binary run against it. Assertions
//! read like the site an editor sees: exit code, exact stderr with the temp dir shown as `$ROOT`,
//! and the files written. Also the Nu Html Checker over written pages.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// No single run of the binary may take longer than this; a hang is a failure, not a stuck suite.
const RUN_TIMEOUT: Duration = Duration::from_secs(60);

/// A site in a temporary directory, removed when dropped.
pub struct Site {
    dir: tempfile::TempDir,
}

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from).sort_by_file_name() {
        let entry = entry.unwrap_or_else(|e| panic!("walking {}: {e}", from.display()));
        let relative = entry.path().strip_prefix(from).expect("below the root");
        let target = to.join(relative);
        if entry.file_type().is_dir() {
            fs::create_dir_all(&target)
                .unwrap_or_else(|e| panic!("mkdir {}: {e}", target.display()));
        } else {
            fs::copy(entry.path(), &target)
                .unwrap_or_else(|e| panic!("copy {}: {e}", entry.path().display()));
        }
    }
}

impl Site {
    /// A copy of `tests/fixtures/<name>`.
    pub fn fixture(name: &str) -> Site {
        let site = Site::empty();
        copy_tree(
            &manifest_dir().join("tests/fixtures").join(name),
            site.root(),
        );
        site
    }

    /// A copy of the repository's own `content/` and `themes/`: the guide itself.
    pub fn repo() -> Site {
        let site = Site::empty();
        for folder in ["content", "themes"] {
            copy_tree(&manifest_dir().join(folder), &site.root().join(folder));
        }
        site
    }

    /// An empty directory: a site root with nothing in it.
    pub fn empty() -> Site {
        Site {
            dir: tempfile::Builder::new()
                .prefix("sre-guide-test-")
                .tempdir()
                .expect("create a temp dir"),
        }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.root().join(relative)
    }

    /// Writes (or overwrites) a file, creating its folders.
    pub fn file(self, relative: &str, contents: impl AsRef<[u8]>) -> Self {
        let path = self.path(relative);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("create parent folders");
        }
        fs::write(&path, contents).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        self
    }

    /// Removes a file or a whole folder.
    pub fn remove(self, relative: &str) -> Self {
        let path = self.path(relative);
        if path.is_dir() {
            fs::remove_dir_all(&path)
        } else {
            fs::remove_file(&path)
        }
        .unwrap_or_else(|e| panic!("remove {}: {e}", path.display()));
        self
    }

    /// Creates a symbolic link at `link` pointing at `target` (written as given).
    pub fn symlink(self, target: &str, link: &str) -> Self {
        let path = self.path(link);
        std::os::unix::fs::symlink(target, &path)
            .unwrap_or_else(|e| panic!("symlink {}: {e}", path.display()));
        self
    }

    /// Runs `sre-guide <args> --root <site>` with `NO_COLOR=1`.
    pub fn run<I, S>(&self, args: I) -> Output
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut all: Vec<std::ffi::OsString> =
            args.into_iter().map(|a| a.as_ref().to_owned()).collect();
        all.push("--root".into());
        all.push(self.root().into());
        self.run_in(self.root(), all)
    }

    /// Runs `sre-guide <args>` exactly as given (no `--root`), from `cwd`.
    pub fn run_in<I, S>(&self, cwd: &Path, args: I) -> Output
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let args: Vec<std::ffi::OsString> =
            args.into_iter().map(|a| a.as_ref().to_owned()).collect();
        let out_dir = tempfile::tempdir().expect("temp dir for the child's output");
        let stdout_path = out_dir.path().join("stdout");
        let stderr_path = out_dir.path().join("stderr");
        let mut child = Command::new(env!("CARGO_BIN_EXE_sre-guide"))
            .args(&args)
            .current_dir(cwd)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(fs::File::create(&stdout_path).expect("stdout file"))
            .stderr(fs::File::create(&stderr_path).expect("stderr file"))
            .spawn()
            .expect("run sre-guide");
        let started = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait for sre-guide") {
                break status;
            }
            if started.elapsed() > RUN_TIMEOUT {
                let _ = child.kill();
                let _ = child.wait();
                panic!("sre-guide {args:?} did not finish within {RUN_TIMEOUT:?}");
            }
            std::thread::sleep(Duration::from_millis(2));
        };
        let read = |path: &Path| {
            String::from_utf8_lossy(&fs::read(path).expect("read the child's output")).into_owned()
        };
        Output {
            args: args
                .iter()
                .map(|a| a.to_string_lossy().into_owned())
                .collect(),
            code: status.code(),
            stdout: read(&stdout_path),
            stderr: self.normalise(&read(&stderr_path)),
        }
    }

    /// Replaces the site's temp dir (as given and canonical) with `$ROOT`.
    fn normalise(&self, text: &str) -> String {
        let mut text = text.to_string();
        let given = self.root().to_string_lossy().into_owned();
        if let Ok(canonical) = self.root().canonicalize() {
            text = text.replace(&*canonical.to_string_lossy(), "$ROOT");
        }
        text.replace(&given, "$ROOT")
    }

    /// A file of the site as text.
    pub fn read(&self, relative: &str) -> String {
        let path = self.path(relative);
        fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
    }

    /// Every file below `relative` (path → bytes), for byte-exact comparisons of whole trees.
    pub fn tree(&self, relative: &str) -> BTreeMap<String, Vec<u8>> {
        tree(&self.path(relative))
    }
}

/// Every file below `dir` (path relative to `dir` → bytes); symlinks are recorded, not followed.
pub fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir).min_depth(1).sort_by_file_name() {
        let entry = entry.unwrap_or_else(|e| panic!("walking {}: {e}", dir.display()));
        let relative = entry
            .path()
            .strip_prefix(dir)
            .expect("below the root")
            .to_string_lossy()
            .into_owned();
        if entry.file_type().is_symlink() {
            let target = fs::read_link(entry.path()).expect("read link");
            files.insert(
                format!("{relative} -> symlink"),
                target.to_string_lossy().into_owned().into_bytes(),
            );
        } else if entry.file_type().is_file() {
            files.insert(relative, fs::read(entry.path()).expect("read file"));
        } else if entry.file_type().is_dir() {
            files.insert(format!("{relative}/"), Vec::new());
        }
    }
    files
}

/// The outcome of one run, with chainable assertions that print everything on failure.
#[derive(Debug, Clone)]
pub struct Output {
    args: Vec<String>,
    code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    fn fail(&self, what: &str) -> ! {
        panic!(
            "{what}\n--- sre-guide {}\n--- exit: {:?}\n--- stdout:\n{}\n--- stderr:\n{}",
            self.args.join(" "),
            self.code,
            self.stdout,
            self.stderr
        )
    }

    #[track_caller]
    pub fn code(self, expected: i32) -> Self {
        if self.code != Some(expected) {
            self.fail(&format!("expected exit code {expected}"));
        }
        self
    }

    /// The whole stderr, exactly: a snapshot. Written as `str![[r#"…"#]]` beside the call, it is
    /// rewritten in place by `SNAPSHOTS=overwrite cargo test …` when the output changes on
    /// purpose (review the diff); otherwise a difference fails with a diff. Plain text (`""`,
    /// `&format!(…)`) is compared the same way but never rewritten.
    #[track_caller]
    pub fn stderr(self, expected: impl snapbox::IntoData) -> Self {
        assert_exact(&self, &self.stderr, expected);
        self
    }

    /// The whole stdout, exactly: a snapshot like [`Output::stderr`].
    #[track_caller]
    pub fn stdout(self, expected: impl snapbox::IntoData) -> Self {
        assert_exact(&self, &self.stdout, expected);
        self
    }

    #[track_caller]
    pub fn stderr_contains(self, needle: &str) -> Self {
        if !self.stderr.contains(needle) {
            self.fail(&format!("stderr lacks {needle:?}"));
        }
        self
    }

    #[track_caller]
    pub fn stdout_contains(self, needle: &str) -> Self {
        if !self.stdout.contains(needle) {
            self.fail(&format!("stdout lacks {needle:?}"));
        }
        self
    }

    #[track_caller]
    pub fn stderr_lacks(self, needle: &str) -> Self {
        if self.stderr.contains(needle) {
            self.fail(&format!("stderr unexpectedly has {needle:?}"));
        }
        self
    }

    pub fn exit_code(&self) -> Option<i32> {
        self.code
    }
}

/// Compares `actual` (stdout or stderr of `run`) with `expected` byte for byte: no wildcards, no
/// path or other normalisation (only `\r\n` is read as `\n`). The run is printed first when
/// they differ, so the failure shows the command and its exit code beside the diff.
#[track_caller]
fn assert_exact(run: &Output, actual: &str, expected: impl snapbox::IntoData) {
    let expected = expected.into_data().raw();
    if expected.render().as_deref() != Some(actual) {
        eprintln!(
            "--- sre-guide {}\n--- exit: {:?}",
            run.args.join(" "),
            run.code
        );
    }
    snapbox::Assert::new()
        .action_env(snapbox::assert::DEFAULT_ACTION_ENV)
        .eq(actual.to_string(), expected);
}

/// The HTML files below `dir`, sorted.
pub fn html_files(dir: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.expect("walk output").into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .collect()
}

/// Runs the Nu Html Checker (`VNU_JAR`) on `files` of `site` and fails with its report, paths
/// shown below `$ROOT`, when it finds any error.
pub fn assert_valid_html(site: &Site, files: &[PathBuf]) {
    let jar = std::env::var("VNU_JAR").expect(
        "set VNU_JAR to vnu.jar (npm install vnu-jar; .ci/run does) to check the HTML with the Nu Html Checker",
    );
    assert!(Path::new(&jar).is_file(), "VNU_JAR={jar} is not a file");
    let out = Command::new("java")
        .arg("-jar")
        .arg(&jar)
        .arg("--errors-only")
        .args(files)
        .output()
        .expect("run java -jar $VNU_JAR");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
    .replace(&*site.root().to_string_lossy(), "$ROOT");
    assert!(
        out.status.success() && report.trim().is_empty(),
        "vnu finds errors:\n{report}"
    );
}
