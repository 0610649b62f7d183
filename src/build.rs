//! The pipeline as a straight line: [`load`] → [`theme`] → [`check`] → [`links`] → [`render`] →
//! [`anchors`]. `build`, `check` and `serve` all call it, so they can never disagree about what a
//! site is; only what happens to the rendered files differs (written to disk, discarded, or served
//! from memory). `build` and `check` call [`build_once`]; `serve`'s build process
//! ([`crate::serve::build_process::process`]) runs the two halves itself ([`prepare`], then
//! [`finish`]) to render saved pages first.

use std::path::PathBuf;

use crate::check::CheckedSite;
use crate::model::diagnostic::{Diagnostic, Diagnostics};
use crate::output::Sink;
use crate::theme::Theme;
use crate::{check, check::anchors, check::links, load, render, theme};

pub(crate) struct BuildOptions {
    pub(crate) root: PathBuf,
    pub(crate) base_url: Option<String>,
    /// Include pages marked `draft = true` (`--drafts`).
    pub(crate) drafts: bool,
    /// Where loaded HTML past the in-memory budget may wait for its render: a folder on the
    /// output's file system (`build`: its staging folder), `None` where nothing is written.
    pub(crate) spill_in: Option<PathBuf>,
}

/// What a build handed to its sink.
pub(crate) struct Counts {
    pub(crate) pages: usize,
    pub(crate) files: usize,
    /// What the build went on with but an editor may want to change (reading order by file
    /// name, problems whose severity is `warning`).
    pub(crate) warnings: Vec<Diagnostic>,
}

#[derive(Debug)]
pub(crate) enum Failure {
    /// Problems in the site an editor can fix: all of them, sorted by file and position.
    Content(Vec<Diagnostic>),
    /// The environment failed us (a missing folder, an unreadable theme): exit 2.
    Environment(anyhow::Error),
}

impl From<anyhow::Error> for Failure {
    fn from(error: anyhow::Error) -> Self {
        Failure::Environment(error)
    }
}

impl From<Diagnostics> for Failure {
    fn from(diagnostics: Diagnostics) -> Self {
        Failure::Content(diagnostics.sorted())
    }
}

/// Builds the site, handing each file to `sink` as it is rendered, for a process that ends after
/// one build (`build`, `check`). The sink may have received files even when the build fails;
/// the caller decides what to do with them. Every stage runs whatever the earlier ones found, so
/// one run reports every problem: entries with problems are left out of the checked site, and
/// the rest is still rendered to find template problems. The loaded site is left to the
/// operating system instead of being freed page by page, which took ~4% of a 10,000-page build's
/// CPU on one thread after every file was written.
pub(crate) fn build_once(options: &BuildOptions, sink: &dyn Sink) -> Result<Counts, Failure> {
    let mut prepared = prepare(options, None)?;
    let counts = finish(&mut prepared, sink);
    std::mem::forget(prepared);
    counts
}

/// `build_once` freeing what it loaded: tests run many builds in one process.
#[cfg(test)]
pub(crate) fn build_into(options: &BuildOptions, sink: &dyn Sink) -> Result<Counts, Failure> {
    finish(&mut prepare(options, None)?, sink)
}

/// A site loaded, themed and checked: what rendering starts from.
pub(crate) struct Prepared {
    pub(crate) site: CheckedSite,
    pub(crate) theme: Theme,
    /// What loading and checking found; the build fails with them after rendering.
    pub(crate) diagnostics: Diagnostics,
}

/// load → theme → check, reusing unchanged pages from `cache` (`serve`).
pub(crate) fn prepare(
    options: &BuildOptions,
    cache: Option<&dyn load::PageMemory>,
) -> Result<Prepared, Failure> {
    prepare_unsaved(options, cache, None)
}

/// `prepare` with `unsaved` texts standing in for their files (`lsp`: an editor's buffers).
pub(crate) fn prepare_unsaved(
    options: &BuildOptions,
    cache: Option<&dyn load::PageMemory>,
    unsaved: Option<&load::Unsaved>,
) -> Result<Prepared, Failure> {
    let (site, mut diagnostics) = load::site(&load::LoadOptions {
        root: &options.root,
        base_url: options.base_url.as_deref(),
        drafts: options.drafts,
        cache,
        unsaved,
        spill_in: options.spill_in.as_deref(),
    })?;
    let (theme, theme_diagnostics) = theme::load(&site)?;
    diagnostics.extend(theme_diagnostics);
    let (site, check_diagnostics) = check::site(site, &theme, &diagnostics);
    diagnostics.extend(check_diagnostics);
    Ok(Prepared {
        site,
        theme,
        diagnostics,
    })
}

/// links → render → anchors: every file to `sink`, then the build's verdict (which takes the
/// diagnostics out of `prepared`; `serve` keeps the rest). Links are checked here, not in
/// `prepare`, so `serve` shows a saved page before the whole site's links are checked.
pub(crate) fn finish(prepared: &mut Prepared, sink: &dyn Sink) -> Result<Counts, Failure> {
    let mut diagnostics = std::mem::take(&mut prepared.diagnostics);
    let (site, theme) = (&prepared.site, &prepared.theme);
    diagnostics.extend(links::targets(site.site(), site.clashing_assets()));
    let rendered = render::site(site, theme, sink)?;
    diagnostics.extend(rendered.templates);
    // Anchors are checked against the pages as rendered, so ids templates make count too.
    diagnostics.extend(anchors::site(site.site(), &rendered.ids));
    diagnostics.extend(anchors::templates(
        &rendered.anchor_requests,
        &rendered.ids,
        theme,
    ));
    let mut warnings = diagnostics.into_result()?;
    warnings.extend(crate::check::reading_order::warnings(site.site()));
    Ok(Counts {
        pages: site.site().pages.len(),
        files: rendered.files,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::Discard;
    use fastrand::Rng;
    use toml::Value;

    /// A step into a TOML value: a key of a table or an index of an array.
    #[derive(Clone)]
    enum Step {
        Key(String),
        Index(usize),
    }

    /// Every path to a value inside `value`, tables and arrays included.
    fn paths(value: &Value, prefix: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
        out.push(prefix.clone());
        match value {
            Value::Table(table) => {
                for (key, inner) in table {
                    prefix.push(Step::Key(key.clone()));
                    paths(inner, prefix, out);
                    prefix.pop();
                }
            }
            Value::Array(items) => {
                for (index, inner) in items.iter().enumerate() {
                    prefix.push(Step::Index(index));
                    paths(inner, prefix, out);
                    prefix.pop();
                }
            }
            _ => {}
        }
    }

    fn at<'a>(value: &'a mut Value, path: &[Step]) -> Option<&'a mut Value> {
        path.iter().try_fold(value, |value, step| match step {
            Step::Key(key) => value.as_table_mut()?.get_mut(key),
            Step::Index(index) => value.as_array_mut()?.get_mut(*index),
        })
    }

    /// One field-level change an editor could make: swapped ranges, emptied lists, missing
    /// keys, huge, negative and odd values, repeated entries.
    fn mutate(rng: &mut Rng, root: &mut Value) {
        let mut all = Vec::new();
        paths(root, &mut Vec::new(), &mut all);
        // Half the time a table or list: that is where ranges get swapped and lists emptied.
        let containers: Vec<&Vec<Step>> = all
            .iter()
            .filter(|path| at(root, path).is_some_and(|v| v.is_table() || v.is_array()))
            .collect();
        let path = if rng.usize(..2) == 0 {
            containers[rng.usize(..containers.len())].clone()
        } else {
            all[rng.usize(..all.len())].clone()
        };
        if let (Some(Step::Key(key)), Some(parent)) =
            (path.last(), at(root, &path[..path.len().saturating_sub(1)]))
            && rng.usize(..5) == 0
            && let Some(table) = parent.as_table_mut()
        {
            table.remove(key);
            return;
        }
        let Some(value) = at(root, &path) else { return };
        match value {
            Value::Table(table) => {
                let min = table.get("min").cloned();
                let max = table.get("max").cloned();
                if let (Some(min), Some(max)) = (min, max) {
                    table.insert("min".into(), max);
                    table.insert("max".into(), min);
                } else {
                    table.clear();
                }
            }
            Value::Array(items) => match rng.usize(..4) {
                0 => items.clear(),
                1 if !items.is_empty() => {
                    let keep = items.swap_remove(rng.usize(..items.len()));
                    *items = vec![keep];
                }
                2 if !items.is_empty() => {
                    let copy = items[rng.usize(..items.len())].clone();
                    items.push(copy);
                }
                _ => items.reverse(),
            },
            _ => {
                *value = match rng.usize(..9) {
                    0 => Value::Integer(i64::MAX),
                    1 => Value::Integer(-1),
                    2 => Value::Integer(0),
                    3 => Value::Integer(4_000_000_000),
                    4 => Value::String(String::new()),
                    5 => Value::String("junior".into()),
                    6 => Value::String("phases/nope.md".into()),
                    7 => Value::String("<b>\u{1}é".repeat(50)),
                    _ => Value::Boolean(true),
                };
            }
        }
    }

    /// The whole pipeline, through rendering into a discarding sink, over the guide's real
    /// files with one data file or front matter changed field by field, several fields a round.
    /// No value may panic any stage, and every outcome is a build or a list of diagnostics.
    #[test]
    fn mutated_data_never_panics_any_stage() {
        let site = tempfile::tempdir().expect("temp dir");
        let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        for entry in walkdir::WalkDir::new(repo.join("content"))
            .into_iter()
            .chain(walkdir::WalkDir::new(repo.join("themes")))
        {
            let entry = entry.expect("walk the guide");
            let to = site
                .path()
                .join(entry.path().strip_prefix(repo).expect("inside"));
            if entry.file_type().is_dir() {
                std::fs::create_dir_all(&to).expect("mkdir");
            } else {
                std::fs::copy(entry.path(), &to).expect("copy");
            }
        }
        let options = BuildOptions {
            root: site.path().to_path_buf(),
            base_url: None,
            drafts: false,
            spill_in: None,
        };
        assert!(build_into(&options, &Discard).is_ok(), "the guide builds");
        const FILES: [&str; 4] = [
            "content/data/compensation.toml",
            "content/data/ladder.toml",
            "content/data/quiz.toml",
            "content/phases/junior.md",
        ];
        let mut rng = Rng::with_seed(0xda7a);
        let (mut built, mut diagnosed) = (0, 0);
        for round in 0..64 {
            let file = FILES[round % FILES.len()];
            let path = site.path().join(file);
            let original = std::fs::read_to_string(&path).expect("read");
            let (front, toml_text) = match original.strip_prefix("+++\n") {
                Some(rest) => {
                    let (toml_text, body) = rest.split_once("+++\n").expect("front matter");
                    (Some(body), toml_text)
                }
                None => (None, original.as_str()),
            };
            let mut value: Value = toml::from_str(toml_text).expect("the guide's TOML parses");
            for _ in 0..1 + rng.usize(..4) {
                mutate(&mut rng, &mut value);
            }
            let text = toml::to_string(&value).expect("TOML out");
            let text = match front {
                Some(body) => format!("+++\n{text}+++\n{body}"),
                None => text,
            };
            std::fs::write(&path, &text).expect("write");
            let run = std::panic::catch_unwind(|| build_into(&options, &Discard));
            std::fs::write(&path, &original).expect("restore");
            match run {
                Ok(Ok(_)) => built += 1,
                Ok(Err(Failure::Content(diagnostics))) => {
                    diagnosed += 1;
                    for diagnostic in &diagnostics {
                        diagnostic.render(false);
                    }
                }
                Ok(Err(Failure::Environment(error))) => {
                    panic!("round {round}, {file}: environment failure {error:#}\n{text}")
                }
                Err(_) => panic!("round {round} panicked on {file}:\n{text}"),
            }
        }
        assert!(
            built >= 3 && diagnosed >= 20,
            "{built} built, {diagnosed} diagnosed"
        );
    }
}
