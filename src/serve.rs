//! `sre-guide serve`: the live preview (to be written).

use crate::build::BuildOptions;

#[allow(dead_code)] // read once `serve` exists (issue 5)
pub(crate) struct ServeOptions {
    pub(crate) build: BuildOptions,
    pub(crate) port: u16,
    pub(crate) bind: String,
    pub(crate) poll: bool,
}

pub(crate) fn run(_options: ServeOptions) -> anyhow::Result<()> {
    anyhow::bail!("`serve` is not available yet")
}
