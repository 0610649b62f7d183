//! The pipeline as a straight line: load → theme → check → render. `build`, `check` and `serve`
//! all call `build`, so they can never disagree about what a site is; only what happens to the
//! resulting `Output` differs (written to disk, discarded, or served from memory).

use std::path::PathBuf;
use std::sync::Arc;

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::render::{Collect, Output, Sink};
use crate::{check, links, load, render, theme};

pub(crate) struct BuildOptions {
    pub(crate) root: PathBuf,
    pub(crate) base_url: Option<String>,
    /// Include pages marked `draft = true` (`--drafts`).
    pub(crate) drafts: bool,
}

/// A site built into memory (for `serve`).
pub(crate) struct Built {
    pub(crate) output: Output,
    pub(crate) pages: usize,
}

/// What a build handed to its sink.
pub(crate) struct Counts {
    pub(crate) pages: usize,
    pub(crate) files: usize,
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

/// Builds the site into memory.
pub(crate) fn build(options: &BuildOptions) -> Result<Built, Failure> {
    let collect = Collect::default();
    let counts = build_into(options, &collect)?;
    Ok(Built {
        output: collect.into_output(),
        pages: counts.pages,
    })
}

/// Builds the site, handing each file to `sink` as it is rendered. The sink may have received
/// files even when the build fails; the caller decides what to do with them.
pub(crate) fn build_into(options: &BuildOptions, sink: &dyn Sink) -> Result<Counts, Failure> {
    let (site, mut diagnostics) = load::site(&load::LoadOptions {
        root: &options.root,
        base_url: options.base_url.as_deref(),
        drafts: options.drafts,
    })?;
    let (theme, theme_diagnostics) = theme::load(&site)?;
    diagnostics.extend(theme_diagnostics);
    diagnostics.extend(check::site(&site, &theme));
    diagnostics.extend(links::targets(&site));
    let pages = site.pages.len();
    let site = Arc::new(site);
    let rendered = render::site(&site, &theme, sink)?;
    // With other problems known, template failures are most likely their echo; anchors are not.
    if diagnostics.is_empty() {
        diagnostics.extend(rendered.templates);
    }
    diagnostics.extend(rendered.anchors);
    diagnostics.into_result()?;
    Ok(Counts {
        pages,
        files: rendered.files,
    })
}
