//! The command line: `build`, `check` and `serve`. Parses flags, runs the pipeline, prints
//! diagnostics (all of them, in the rustc layout) and maps the outcome to an exit code:
//! 0 ok, 1 content errors, 2 environment or internal failure.

mod build;
mod chart;
mod check;
mod context;
mod data;
mod diagnostic;
mod functions;
mod links;
mod load;
mod markdown;
mod model;
mod quiz;
mod render;
#[cfg(test)]
#[path = "../tests/suite/rng.rs"]
mod rng;
mod serve;
mod source;
mod theme;
mod typography;
mod view;
mod watch;
mod write;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};

use crate::build::{BuildOptions, Failure};
use crate::diagnostic::Diagnostic;

/// Builds the SRE career guide (or any tree of Markdown pages) into a static site.
#[derive(Parser)]
#[command(name = "sre-guide", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Load, check and render the site, then replace the output folder atomically.
    Build {
        /// The site root: the folder holding content/ and themes/.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Where to write the site (default: ROOT/output).
        #[arg(long)]
        output: Option<PathBuf>,
        /// Override site.toml's base_url (used for canonical URLs and the sitemap only).
        #[arg(long)]
        base_url: Option<String>,
    },
    /// Run every check a build runs, and write nothing.
    Check {
        /// The site root: the folder holding content/ and themes/.
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Serve a live preview that rebuilds and reloads the browser on every save.
    Serve {
        /// The site root: the folder holding content/ and themes/.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// The port to listen on; 0 picks a free one.
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// The address to listen on. Anything but loopback exposes the preview to the network.
        #[arg(long, default_value = "127.0.0.1")]
        bind: String,
        /// Poll for changes instead of using OS notifications (network mounts, some VMs).
        #[arg(long)]
        poll: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build {
            root,
            output,
            base_url,
        } => {
            let started = Instant::now();
            let target = output.unwrap_or_else(|| root.join("output"));
            let staging = match write::Staging::create(&root, &target) {
                Ok(staging) => staging,
                Err(error) => return environment_failure(&error),
            };
            let options = BuildOptions { root, base_url };
            // A failed build drops the staging folder, leaving the previous output untouched.
            match build::build_into(&options, &staging) {
                Ok(counts) => match staging.commit() {
                    Ok(()) => {
                        print_warnings(&counts.warnings);
                        println!(
                            "built {} pages, {} files in {} ms → {}",
                            counts.pages,
                            counts.files,
                            started.elapsed().as_millis(),
                            target.display()
                        );
                        ExitCode::SUCCESS
                    }
                    Err(error) => environment_failure(&error),
                },
                Err(failure) => report(failure, "; nothing was written"),
            }
        }
        Command::Check { root } => {
            let started = Instant::now();
            let options = BuildOptions {
                root,
                base_url: None,
            };
            match build::build_into(&options, &render::Discard) {
                Ok(counts) => {
                    print_warnings(&counts.warnings);
                    println!(
                        "checked {} pages in {} ms: no problems",
                        counts.pages,
                        started.elapsed().as_millis()
                    );
                    ExitCode::SUCCESS
                }
                Err(failure) => report(failure, ""),
            }
        }
        Command::Serve {
            root,
            port,
            bind,
            poll,
        } => {
            let options = serve::ServeOptions {
                build: BuildOptions {
                    root,
                    base_url: None,
                },
                port,
                bind,
                poll,
            };
            match serve::run(options) {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => environment_failure(&error),
            }
        }
    }
}

/// Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org).
pub(crate) fn use_color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

pub(crate) fn print_diagnostics(diagnostics: &[Diagnostic], outcome: &str) {
    let color = use_color();
    for diagnostic in diagnostics {
        eprintln!("{}\n", diagnostic.render(color));
    }
    let count = diagnostics.len();
    let plural = if count == 1 { "" } else { "s" };
    eprintln!("error: found {count} problem{plural}{outcome}");
}

fn print_warnings(warnings: &[Diagnostic]) {
    let color = use_color();
    for warning in warnings {
        eprintln!("{}\n", warning.render_warning(color));
    }
}

/// `outcome` finishes the count line: what became of the output.
fn report(failure: Failure, outcome: &str) -> ExitCode {
    match failure {
        Failure::Content(diagnostics) => {
            print_diagnostics(&diagnostics, outcome);
            ExitCode::from(1)
        }
        Failure::Environment(error) => environment_failure(&error),
    }
}

fn environment_failure(error: &anyhow::Error) -> ExitCode {
    eprintln!("error: {error:#}");
    ExitCode::from(2)
}
