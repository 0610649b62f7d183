//! `sre-guide lsp` driven over stdio as an editor drives it (`client.rs`, shared with the
//! latency bench): `session` checks each feature on the guide, `fuzz` sends random edits,
//! `neovim` uses a real editor.

mod client;
mod fuzz;
mod neovim;
mod session;

pub use client::{Client, position, uri};
