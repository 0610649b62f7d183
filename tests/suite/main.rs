//! The integration suite: the real `sre-guide` binary run on small fixture sites (and on the
//! guide itself) in temporary directories. `support` is the builder; each other module covers one
//! command.

mod browser;
mod build;
mod fuzz;
mod guide;
mod markdown;
mod rng;
mod serve;
mod support;
