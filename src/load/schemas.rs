//! JSON Schemas (draft 2020-12) of the files an editor writes — `site.toml`, page front matter
//! and the typed data files — derived from the very serde types the loader reads them into
//! (schemars), so they can never disagree about a key: descriptions come from the types' doc
//! comments, closed sets are enums, unknown keys are refused as the loader refuses them, and ids
//! and page paths carry the patterns the checks enforce. `sre-guide schema` writes them;
//! docs/schemas/ holds the guide's copy, which a test keeps equal to these.

use schemars::generate::SchemaSettings;
use schemars::transform::RecursiveTransform;
use schemars::{Schema, SchemaGenerator};

/// One schema and the file it describes.
pub(crate) struct SchemaFile {
    /// The file name it is written as: `ladder.schema.json`.
    pub(crate) name: &'static str,
    /// What it describes, relative to the site root.
    pub(crate) describes: &'static str,
    pub(crate) schema: Schema,
}

/// Every schema, in a stable order.
pub(crate) fn all() -> Vec<SchemaFile> {
    let file = |name, describes, schema| SchemaFile {
        name,
        describes,
        schema,
    };
    vec![
        file(
            "site.schema.json",
            "content/site.toml",
            crate::load::config::schema(generator()),
        ),
        file(
            "front-matter.schema.json",
            "the `+++` front matter of content/**/*.md",
            crate::load::page::front_matter_schema(generator()),
        ),
        file(
            "ladder.schema.json",
            "content/data/ladder.toml",
            crate::load::data::ladder_schema(generator()),
        ),
        file(
            "compensation.schema.json",
            "content/data/compensation.toml",
            crate::load::compensation::schema(generator()),
        ),
        file(
            "quiz.schema.json",
            "content/data/quiz.toml",
            crate::load::quiz::schema(generator()),
        ),
    ]
}

/// A generator for draft 2020-12 that leaves `null` out: TOML has no null, so a key that may be
/// left out is optional, never `null`.
fn generator() -> SchemaGenerator {
    let no_null = |schema: &mut Schema| {
        if let Some(types) = schema.get_mut("type").and_then(|t| t.as_array_mut()) {
            types.retain(|t| t != "null");
            if let [single] = types.as_slice() {
                let single = single.clone();
                schema.insert("type".into(), single);
            }
        }
        if let Some(any_of) = schema.get_mut("anyOf").and_then(|a| a.as_array_mut()) {
            any_of.retain(|option| option.get("type").is_none_or(|t| t != "null"));
            if let [single] = any_of.as_slice() {
                let single = single.clone();
                schema.remove("anyOf");
                if let Some(fields) = single.as_object() {
                    for (key, value) in fields {
                        schema.insert(key.clone(), value.clone());
                    }
                }
            }
        }
    };
    let mut settings = SchemaSettings::draft2020_12();
    settings
        .transforms
        .push(Box::new(RecursiveTransform(no_null)));
    SchemaGenerator::new(settings)
}

impl SchemaFile {
    /// The schema as it is written to disk: pretty JSON ending in a newline.
    pub(crate) fn text(&self) -> String {
        let mut text = serde_json::to_string_pretty(&self.schema).expect("a schema is always JSON");
        text.push('\n');
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// docs/schemas/ is what the loader's types generate; `SRE_GUIDE_UPDATE=1` rewrites it.
    #[test]
    fn the_committed_schemas_are_up_to_date() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/schemas");
        let update = std::env::var_os("SRE_GUIDE_UPDATE").is_some();
        for file in all() {
            let path = dir.join(file.name);
            if update {
                std::fs::create_dir_all(&dir).expect("create docs/schemas");
                std::fs::write(&path, file.text()).expect("write a schema");
            }
            let committed = std::fs::read_to_string(&path).unwrap_or_default();
            assert!(
                committed == file.text(),
                "docs/schemas/{} differs from the loader's types; run `SRE_GUIDE_UPDATE=1 cargo \
                 test the_committed_schemas` and review the diff",
                file.name
            );
        }
    }

    #[test]
    fn schemas_are_draft_2020_12_and_refuse_unknown_keys() {
        for file in all() {
            let schema = file.schema.as_value();
            assert_eq!(
                schema["$schema"], "https://json-schema.org/draft/2020-12/schema",
                "{}",
                file.name
            );
            assert_eq!(schema["additionalProperties"], false, "{}", file.name);
            assert!(schema["description"].is_string(), "{}", file.name);
        }
        let front = &all()[1].schema;
        let front = front.as_value();
        assert_eq!(front["properties"]["kind"]["$ref"], "#/$defs/PageKind");
        assert_eq!(
            front["$defs"]["Extra"]["additionalProperties"], true,
            "extra is free-form"
        );
        assert_eq!(
            front["properties"]["template"]["type"], "string",
            "an optional key is never null in TOML"
        );
    }
}
