//! The integration suite: the real `sre-guide` binary run on small fixture sites (and on the
//! guide itself) in temporary directories. `support` (shared with `tests/browser`) is the builder;
//! each other module covers one command. The tests in Chromium are the `browser` test binary.

// Tests may unwrap (Cargo.toml's `unwrap_used` lint is for the program itself).
#![allow(clippy::unwrap_used)]

mod build;
mod cli;
mod docs_examples;
mod explain;
mod fuzz;
mod guide;
mod lints;
mod lsp;
mod markdown;
mod message_format;
mod module_graph;
mod publish;
mod schemas;
mod serve;
#[path = "../support/mod.rs"]
mod support;
