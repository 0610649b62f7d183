//! The guide's typed data published beside the pages, so others can build on it: `ladder.json`,
//! `compensation.json` and `quiz.json` (each data file as the build read it) with their JSON
//! Schemas (`<stem>.schema.json`, from the very serde types that read the TOML). A file the site
//! does not have, or could not read, is not published.

use crate::model::Site;
use crate::model::url::{Generated, OutputPath};

/// Each published data file and its schema, as (path, bytes).
pub(crate) fn files(site: &Site) -> Vec<(OutputPath, Vec<u8>)> {
    let mut files = Vec::new();
    for stem in site.data.typed_stems() {
        let (Some(data), Some(schema)) = (site.data.raw.get(stem), crate::load::data_schema(stem))
        else {
            continue;
        };
        files.push((OutputPath::generated(Generated::Data(stem)), pretty(data)));
        files.push((
            OutputPath::generated(Generated::DataSchema(stem)),
            pretty(&schema),
        ));
    }
    files
}

fn pretty(value: &serde_json::Value) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(value).expect("a JSON value always serialises");
    bytes.push(b'\n');
    bytes
}
