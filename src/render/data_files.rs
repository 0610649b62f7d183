//! The guide's typed data published beside the pages, so others can build on it: `ladder.json`,
//! `compensation.json` and `quiz.json` (each data file as the build read it) with their JSON
//! Schemas (`<stem>.schema.json`, the same schemas `sre-guide schema` writes, from the very serde
//! types that read the TOML: `load::schemas`). A file the site does not have, or could not read,
//! is not published.

use crate::model::Site;
use crate::model::url::{Generated, OutputPath};

/// Each published data file and its schema, as (path, bytes).
pub(crate) fn files(site: &Site) -> Vec<(OutputPath, Vec<u8>)> {
    let schemas = crate::load::schemas::all();
    let mut files = Vec::new();
    for stem in site.data.typed_stems() {
        let name = format!("{stem}.schema.json");
        let (Some(data), Some(schema)) = (
            site.data.raw.get(stem),
            schemas.iter().find(|schema| schema.name == name),
        ) else {
            continue;
        };
        let mut json = serde_json::to_vec_pretty(data).expect("a JSON value always serialises");
        json.push(b'\n');
        files.push((OutputPath::generated(Generated::Data(stem)), json));
        files.push((
            OutputPath::generated(Generated::DataSchema(stem)),
            schema.text().into_bytes(),
        ));
    }
    files
}
