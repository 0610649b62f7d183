//! `sre-guide explain CODE`: the explanation of one diagnostic code, as `rustc --explain` does;
//! without a code, the list of codes; with `--all`, the whole reference page that
//! docs/diagnostics.md holds. Reads nothing but the registry.

use std::io::Write;
use std::process::ExitCode;

use crate::model::diagnostic::{Code, suggest};

#[derive(clap::Args)]
pub(crate) struct ExplainArgs {
    /// The code, as shown in brackets: `link-target-missing` [default: list every code]
    #[arg(value_name = "CODE")]
    code: Option<String>,
    /// Print every explanation, as docs/diagnostics.md holds them.
    #[arg(long, conflicts_with = "code")]
    all: bool,
}

pub(crate) fn explain(args: &ExplainArgs) -> ExitCode {
    if args.all {
        return print(&crate::model::diagnostic::codes::reference());
    }
    let Some(written) = &args.code else {
        let width = Code::ALL.iter().map(|c| c.name().len()).max().unwrap_or(0);
        let list: String = Code::ALL
            .iter()
            .map(|code| format!("{:width$}  {}\n", code.name(), code.summary()))
            .collect();
        return print(&list);
    };
    // `error[link-target-missing]` pasted whole works too.
    let name = written
        .trim()
        .trim_end_matches(':')
        .rsplit('[')
        .next()
        .unwrap_or_default()
        .trim_end_matches(']');
    match Code::from_name(name) {
        Some(code) => print(code.explanation()),
        None => {
            let help = suggest(
                name,
                Code::ALL.iter().map(|c| c.name()),
                "`sre-guide explain` lists every code",
            );
            eprintln!("error: `{name}` is not a diagnostic code\n  = help: {help}");
            ExitCode::from(2)
        }
    }
}

/// Prints to stdout; a reader that stops early (`| head`) is not an error.
fn print(text: &str) -> ExitCode {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
    ExitCode::SUCCESS
}
