//! sre-guide turns `content/` (Markdown pages and TOML data) and a theme (`themes/<name>/`) into a
//! static site, and previews it live. The modules are the pipeline, in the order a build runs them:
//!
//! - shared values, no stage: [`model`] — the site as data, its source files, paths and URLs,
//!   the problems an editor can fix ([`model::diagnostic`]) and markup read as browsers read it
//!   ([`model::html`]);
//! - [`markdown`]: a page body → HTML and what later stages need of it;
//! - [`load`]: `content/` → [`Site`](model::Site);
//! - [`theme`]: `themes/<name>/` → [`Theme`](theme::Theme);
//! - [`check`]: `Site` → [`CheckedSite`](check::CheckedSite) (cross-file rules, links before
//!   rendering, anchors after);
//! - [`render`]: `CheckedSite` + `Theme` → every output file, handed to a
//!   [`Sink`](output::Sink);
//! - [`output`]: the sinks — the staging folder swapped in atomically, or nothing for `check`;
//! - [`build`]: the stages above in a straight line, shared by every command;
//! - [`serve`]: the live preview, its store, watcher and long-lived build process;
//! - [`lsp`]: the language server, the same stages over an editor's unsaved texts;
//! - [`cli`]: the commands, one function each; `src/main.rs` only parses and calls [`cli::run`].
//!
//! A stage imports only shared values and earlier stages, never a later stage or a command
//! (`tests/suite/module_graph.rs` checks it). docs/architecture.md tells the whole story; what
//! templates see is [`render::context`], [`render::view`] and the template functions.
#![warn(missing_docs)]
// Public only for the binary, the tests and the benches: the docs that matter are the private
// ones (`cargo doc --document-private-items`, run in CI), so links into `pub(crate)` items are
// wanted. A link that resolves to nothing still fails the docs build.
#![allow(rustdoc::private_intra_doc_links)]

pub(crate) mod build;
pub(crate) mod check;
pub mod cli;
pub(crate) mod load;
pub(crate) mod lsp;
pub mod markdown;
pub(crate) mod model;
pub(crate) mod output;
pub(crate) mod render;
pub(crate) mod serve;
pub(crate) mod theme;
