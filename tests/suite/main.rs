//! The integration suite: the real `sre-guide` binary run on small fixture sites (and on the
//! guide itself) in temporary directories. `support` is the builder; each other module covers one
//! command.

// Tests may unwrap (Cargo.toml's `unwrap_used` lint is for the program itself).
#![allow(clippy::unwrap_used)]

mod browser;
mod build;
mod cli;
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
mod support;
