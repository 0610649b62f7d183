//! `sre-guide schema [-o DIR]`: writes the JSON Schemas of site.toml, front matter and the typed
//! data files (`load/schemas.rs`) into DIR, one file each, for editors that validate and complete
//! TOML (Taplo, Even Better TOML) through a `#:schema` line.

use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub(crate) struct SchemaArgs {
    /// The folder to write the schemas into (created if needed).
    #[arg(short, long, value_name = "DIR", default_value = "schemas")]
    output: PathBuf,
}

pub(crate) fn schema(args: &SchemaArgs) -> ExitCode {
    if let Err(error) = std::fs::create_dir_all(&args.output) {
        eprintln!("error: cannot create {}: {error}", args.output.display());
        return ExitCode::from(2);
    }
    for file in crate::load::schemas::all() {
        let path = args.output.join(file.name);
        if let Err(error) = std::fs::write(&path, file.text()) {
            eprintln!("error: cannot write {}: {error}", path.display());
            return ExitCode::from(2);
        }
        println!("{} ({})", path.display(), file.describes);
    }
    ExitCode::SUCCESS
}
