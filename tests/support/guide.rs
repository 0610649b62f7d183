//! The repository's own guide (`content/` and `themes/`), built by the real binary once per test
//! binary and kept on disk for the whole run; each variant (site.toml with lines added) built once
//! too. Tests read these builds and never change them: a test that edits the guide starts from
//! its own copy (`Site::repo()`, [`guide_site_with`]).

use std::collections::BTreeMap;
use std::sync::{Mutex, OnceLock};

use super::at_exit::remove_at_exit;
use super::{Output, Site};

/// Every file of an `output/` folder (path → bytes), folders left out.
pub type Files = BTreeMap<String, Vec<u8>>;

/// One build, kept until the test binary exits.
pub struct Built {
    /// The site it was built in: `output/` is beside `content/` and `themes/`.
    pub site: Site,
    /// What `build` printed and its exit code.
    pub build: Output,
    /// The files it wrote.
    pub files: Files,
}

fn build(site: Site) -> Built {
    remove_at_exit(site.root());
    let build = site.run(["build"]);
    let files = site
        .tree("output")
        .into_iter()
        .filter(|(path, _)| !path.ends_with('/'))
        .collect();
    Built { site, build, files }
}

/// The guide as it is, built once; it must build without a warning.
pub fn guide() -> &'static Built {
    static GUIDE: OnceLock<Built> = OnceLock::new();
    GUIDE.get_or_init(|| {
        let built = build(Site::repo());
        let run = built.build.clone().code(0);
        assert!(
            !run.stderr.contains("warning"),
            "the guide must build without warnings:\n{}",
            run.stderr
        );
        built
    })
}

/// Every file of the guide's `output/` (path → bytes).
pub fn output() -> &'static Files {
    &guide().files
}

/// The guide with `lines` added to its site.toml, built once per distinct `lines` (a second test
/// asking for the same variant waits for the first build and reads it).
pub fn guide_with(lines: &str) -> &'static Built {
    static VARIANTS: Mutex<BTreeMap<String, &'static OnceLock<Built>>> =
        Mutex::new(BTreeMap::new());
    let cell: &'static OnceLock<Built> = VARIANTS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .entry(lines.to_string())
        .or_insert_with(|| Box::leak(Box::new(OnceLock::new())));
    cell.get_or_init(|| build(guide_site_with(lines)))
}

/// The lines that make the guide publish `_headers` (cache policy and CSP).
pub const HEADERS: &str = "[publish]\nheaders = true\n";

/// A fresh copy of the guide with `lines` added to its site.toml after the top-level keys (before
/// `[[menu]]`), not built: for tests that build it themselves or edit it further.
pub fn guide_site_with(lines: &str) -> Site {
    let site = Site::repo();
    let config = site.read("content/site.toml");
    let (keys, tables) = config
        .split_once("\n[[menu]]")
        .expect("a [[menu]] in site.toml");
    site.file(
        "content/site.toml",
        format!("{keys}\n{lines}\n[[menu]]{tables}"),
    )
}
