//! The command line: `build`, `check`, `serve`, `new`, `explain`, `schema` and `completions`. Parses
//! flags, runs the pipeline, prints diagnostics (all of them, in the rustc layout or as
//! `--message-format` asks) and maps the outcome to an exit code: 0 ok, 1 content errors,
//! 2 environment or internal failure.

mod explain;
pub(crate) mod new;
mod report;
mod schema;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{Args, CommandFactory, Parser, Subcommand};
use report::{MessageFormat, Reporter};

use crate::build::{self, BuildOptions, Failure};
use crate::serve::{self, build_process};
use crate::{output, render};

/// Builds the SRE career guide (or any tree of Markdown pages) into a static site.
#[derive(Parser)]
#[command(name = "sre-guide", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The folder a command works on; every command takes it the same way.
#[derive(Args)]
struct SiteRoot {
    /// The site root: the folder holding content/ and themes/.
    #[arg(short, long, value_name = "DIR", default_value = ".")]
    root: PathBuf,
}

#[derive(Subcommand)]
enum Command {
    /// Load, check and render the site, then replace the output folder atomically.
    Build(BuildArgs),
    /// Run every check a build runs, and write nothing.
    Check(CheckArgs),
    /// Internal: the build process `serve` starts and talks to (see src/serve/build_process/).
    #[command(hide = true)]
    BuildProcess(BuildProcessArgs),
    /// Serve a live preview that rebuilds and reloads the browser on every save.
    Serve(ServeArgs),
    /// Start a page (or a section, `…/_index.md`) with valid front matter, last in its section.
    New(NewArgs),
    /// Run a language server on stdin and stdout: the build's checks, completion and
    /// navigation in any editor (docs/editors.md).
    Lsp(LspArgs),
    /// Explain a diagnostic code (`error[CODE]`): why it is a problem, an example, and the fix.
    Explain(explain::ExplainArgs),
    /// Write JSON Schemas of site.toml, front matter and the data files, for TOML editors.
    Schema(schema::SchemaArgs),
    /// Print a shell completion script (see README: "Shell completions").
    Completions {
        /// The shell to complete for.
        shell: clap_complete::Shell,
    },
}

#[derive(Args)]
struct BuildArgs {
    #[command(flatten)]
    site: SiteRoot,
    /// Where to write the site [default: ROOT/output]
    #[arg(short, long, value_name = "DIR")]
    output: Option<PathBuf>,
    /// Override site.toml's base_url (only canonical URLs, the sitemap and robots.txt use it).
    #[arg(short, long, value_name = "URL")]
    base_url: Option<String>,
    /// Include pages marked `draft = true`, each with a "Draft" banner.
    #[arg(short = 'D', long)]
    drafts: bool,
    /// How problems are printed: for people, as JSON lines, or as GitHub annotations.
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t)]
    message_format: MessageFormat,
    /// Print every problem (by default, past 50 of one code a line counts the rest).
    #[arg(long)]
    all_errors: bool,
    /// How long to wait while another build writes the same output folder, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    lock_timeout: u64,
}

#[derive(Args)]
struct CheckArgs {
    #[command(flatten)]
    site: SiteRoot,
    /// Include pages marked `draft = true`, each with a "Draft" banner.
    #[arg(short = 'D', long)]
    drafts: bool,
    /// How problems are printed: for people, as JSON lines, or as GitHub annotations.
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t)]
    message_format: MessageFormat,
    /// Print every problem (by default, past 50 of one code a line counts the rest).
    #[arg(long)]
    all_errors: bool,
}

#[derive(Args)]
struct BuildProcessArgs {
    #[arg(long)]
    root: PathBuf,
    #[arg(long)]
    drafts: bool,
}

#[derive(Args)]
struct ServeArgs {
    #[command(flatten)]
    site: SiteRoot,
    /// The port to listen on; 0 picks a free one.
    #[arg(short, long, default_value_t = 1111)]
    port: u16,
    /// The address to listen on. Anything but loopback exposes the preview to the network.
    #[arg(long, value_name = "ADDRESS", default_value = "127.0.0.1")]
    bind: String,
    /// Poll for changes instead of using OS notifications (network mounts, some VMs).
    #[arg(long)]
    poll: bool,
    /// Open the preview in the default browser (or $BROWSER) once it is listening.
    #[arg(short = 'O', long)]
    open: bool,
    /// Include pages marked `draft = true`, each with a "Draft" banner.
    #[arg(short = 'D', long)]
    drafts: bool,
    /// Seconds a client may take to send a whole request head [default: 10]. For tests of the
    /// limit, which need not wait the real one out.
    #[arg(long, value_name = "SECONDS", hide = true, value_parser = seconds)]
    head_timeout: Option<Duration>,
    /// Seconds a client may leave an answer unread before it is disconnected [default: 10]. For
    /// tests of the limit, like `--head-timeout`.
    #[arg(long, value_name = "SECONDS", hide = true, value_parser = seconds)]
    write_timeout: Option<Duration>,
}

/// A positive number of seconds, fractions allowed (`0.5`).
fn seconds(text: &str) -> Result<Duration, String> {
    match text.parse::<f64>() {
        Ok(seconds) if seconds > 0.0 && seconds <= 3600.0 => Ok(Duration::from_secs_f64(seconds)),
        _ => Err(format!(
            "`{text}` is not a number of seconds between 0 and 3600"
        )),
    }
}

#[derive(Args)]
struct LspArgs {
    /// The site root [default: the editor's workspace folder]
    #[arg(short, long, value_name = "DIR")]
    root: Option<PathBuf>,
}

#[derive(Args)]
struct NewArgs {
    /// The new file, relative to content/: `phases/principal.md`, `tools/_index.md`.
    #[arg(value_name = "PATH")]
    path: String,
    /// The page title [default: from the file name]
    #[arg(short, long)]
    title: Option<String>,
    /// One sentence for search results and link previews [default: none]
    #[arg(short, long, default_value = "", hide_default_value = true)]
    description: String,
    #[command(flatten)]
    site: SiteRoot,
}

/// Runs the command `cli` names and maps its outcome to an exit code.
pub fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Build(args) => build(args),
        Command::Check(args) => check(args),
        Command::BuildProcess(args) => build_process::process::build_process(BuildOptions {
            root: args.root,
            base_url: None,
            drafts: args.drafts,
            spill_in: None,
        }),
        Command::Serve(args) => serve(args),
        Command::New(args) => new(&args),
        Command::Explain(args) => explain::explain(&args),
        Command::Lsp(args) => match crate::lsp::run(args.root) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => environment_failure(&error),
        },
        Command::Schema(args) => schema::schema(&args),
        Command::Completions { shell } => {
            let mut stdout = std::io::stdout();
            clap_complete::generate(shell, &mut Cli::command(), "sre-guide", &mut stdout);
            ExitCode::SUCCESS
        }
    }
}

/// `build`: the pipeline into a staging folder that replaces the output only when all is well.
fn build(args: BuildArgs) -> ExitCode {
    let reporter = Reporter::new(args.message_format, &args.site.root).all_errors(args.all_errors);
    let root = args.site.root;
    let started = Instant::now();
    let target = args.output.unwrap_or_else(|| root.join("output"));
    let patience = std::time::Duration::from_secs(args.lock_timeout);
    let staging = match output::write::Staging::create(&root, &target, patience) {
        Ok(staging) => staging,
        Err(error) => return environment_failure(&error),
    };
    let options = BuildOptions {
        root,
        base_url: args.base_url,
        drafts: args.drafts,
        // An unnamed file: nothing of it is ever seen in the folder, or committed.
        spill_in: Some(staging.dir().to_path_buf()),
    };
    let late = reporter.clone();
    render::deadline::exit_when_overdue(move |overdue| {
        late.failure(&[overdue], "; nothing was written")
    });
    // A failed build drops the staging folder, leaving the previous output untouched.
    let counts = match build::build_once(&options, &staging) {
        Ok(counts) => counts,
        Err(failure) => return report(&reporter, failure, "; nothing was written"),
    };
    if let Err(error) = staging.commit() {
        return environment_failure(&error);
    }
    reporter.problems(&counts.warnings);
    reporter.summary(format_args!(
        "built {} pages, {} files in {} ms → {}",
        counts.pages,
        counts.files,
        started.elapsed().as_millis(),
        target.display()
    ));
    ExitCode::SUCCESS
}

/// `check`: the whole pipeline into a sink that keeps nothing.
fn check(args: CheckArgs) -> ExitCode {
    let reporter = Reporter::new(args.message_format, &args.site.root).all_errors(args.all_errors);
    let started = Instant::now();
    let options = BuildOptions {
        root: args.site.root,
        base_url: None,
        drafts: args.drafts,
        spill_in: None,
    };
    let late = reporter.clone();
    render::deadline::exit_when_overdue(move |overdue| late.failure(&[overdue], ""));
    match build::build_once(&options, &output::Discard) {
        Ok(counts) => {
            reporter.problems(&counts.warnings);
            let found = match counts.warnings.len() {
                0 => "no problems".to_string(),
                1 => "no errors, 1 warning".to_string(),
                n => format!("no errors, {n} warnings"),
            };
            reporter.summary(format_args!(
                "checked {} pages in {} ms: {found}",
                counts.pages,
                started.elapsed().as_millis()
            ));
            ExitCode::SUCCESS
        }
        Err(failure) => report(&reporter, failure, ""),
    }
}

/// `serve`: the live preview until Ctrl-C.
fn serve(args: ServeArgs) -> ExitCode {
    let options = serve::ServeOptions {
        build: BuildOptions {
            root: args.site.root,
            base_url: None,
            drafts: args.drafts,
            spill_in: None,
        },
        port: args.port,
        bind: args.bind,
        poll: args.poll,
        timeouts: {
            let defaults = serve::limits::Timeouts::default();
            serve::limits::Timeouts {
                head: args.head_timeout.unwrap_or(defaults.head),
                write_stall: args.write_timeout.unwrap_or(defaults.write_stall),
            }
        },
        on_listening: args
            .open
            .then(|| Box::new(open_in_browser) as serve::OnListening),
    };
    match serve::run(options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => environment_failure(&error),
    }
}

/// `new`: one page with valid front matter, printed by its path.
fn new(args: &NewArgs) -> ExitCode {
    let request = new::NewPage {
        root: &args.site.root,
        path: &args.path,
        title: args.title.as_deref(),
        description: &args.description,
    };
    match new::new_page(&request) {
        Ok(created) => {
            println!("{created}");
            ExitCode::SUCCESS
        }
        Err(failure) => report(&Reporter::human(), failure, "; nothing was written"),
    }
}

/// `serve --open`: a browser that cannot be started is worth a warning, not the preview.
fn open_in_browser(url: &str) {
    if let Err(error) = opener::open_browser(url) {
        eprintln!("warning: cannot open a browser ({error}); open {url} yourself");
    }
}

/// `outcome` finishes the count line: what became of the output.
fn report(reporter: &Reporter, failure: Failure, outcome: &str) -> ExitCode {
    match failure {
        Failure::Content(diagnostics) => {
            reporter.failure(&diagnostics, outcome);
            ExitCode::from(1)
        }
        Failure::Environment(error) => environment_failure(&error),
    }
}

fn environment_failure(error: &anyhow::Error) -> ExitCode {
    eprintln!("error: {error:#}");
    ExitCode::from(2)
}
