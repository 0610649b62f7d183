//! The `sre-guide` binary: parses the command line and hands it to the library ([`sre_guide::cli`]).

use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    sre_guide::cli::run(sre_guide::cli::Cli::parse())
}
