//! The build process: one long-lived `sre-guide` child of `serve` that remembers the site across
//! saves and builds on request, so that a runaway render can be stopped by ending the process
//! (Tera cannot interrupt a render and Rust cannot kill a thread). [`client`] is serve's side of
//! it (start, request, read reports); [`protocol`] the frames between the two and [`channel`]
//! what they travel on; [`process`] is the child itself; [`memory`] is its memory of loaded
//! pages; [`coordinate`] decides which save is built and when a process is started again.

pub(crate) mod channel;
pub(crate) mod client;
pub(crate) mod coordinate;
pub(crate) mod memory;
pub(crate) mod process;
pub(crate) mod protocol;
