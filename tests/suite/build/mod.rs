//! `sre-guide build` and `sre-guide check` on the minimal fixture and on the guide itself: exit
//! codes, whole diagnostics (file:line:col, the caret line, help), and the files written — pretty
//! URLs, relative links that resolve on disk and under a subpath, atomic and reproducible output.

use std::path::Path;

use snapbox::str;

use crate::support::{Site, tree};

mod collisions;
mod data_files;
mod diagnostics;
mod fragments;
mod offline;
mod og_image;
mod output;
mod pipeline;
mod reading_order;
mod search;
mod symlinks;
mod templates;
mod urls;
mod writing;

/// What stderr ends with when `check` found `n` problems.
fn count_line(n: usize) -> String {
    format!(
        "error: found {n} problem{}\n",
        if n == 1 { "" } else { "s" }
    )
}

/// What stderr ends with when `build` found `n` problems.
fn build_count_line(n: usize) -> String {
    count_line(n).replace('\n', "; nothing was written\n")
}
