//! Shared by the test binaries: `tests/suite` (everything but the browser) and `tests/browser`
//! (Chromium). Each includes this folder with `#[path = "../support/mod.rs"] mod support;`.
//!
//! - `site`: the builder — a throwaway copy of a fixture site, edits on top, the real binary run
//!   against it, its output asserted;
//! - `guide`: the repository's own guide built once per test binary, and its variants;
//! - `sites`: fixture sites both binaries build on;
//! - `preview`: a running `sre-guide serve` driven over raw HTTP and its event stream;
//! - `at_exit`: folders a static keeps for the whole run, removed when the binary exits.

// Each binary uses part of this folder; what one leaves unused the other needs.
#![allow(dead_code)]

pub mod at_exit;
pub mod guide;
pub mod preview;
mod site;
pub mod sites;

pub use site::*;
