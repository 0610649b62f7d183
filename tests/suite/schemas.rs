//! The JSON Schemas `sre-guide schema` writes (committed in docs/schemas/) accept the guide's own
//! TOML files and front matter, and an independent validator (the `jsonschema` crate) rejects
//! planted bad values there — each of which the loader rejects too. The files name their
//! schema with a `#:schema` line, as Taplo-based editors expect.

use std::path::Path;

use serde_json::Value;

use crate::support::Site;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn validator(name: &str) -> jsonschema::Validator {
    let text = std::fs::read_to_string(repo().join("docs/schemas").join(name)).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::draft202012::new(&schema).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn toml_as_json(text: &str) -> Value {
    let table: toml::Table = toml::from_str(text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    serde_json::to_value(table).unwrap()
}

/// The front matter of a page, between its `+++` lines.
fn front_matter(page: &str) -> &str {
    page.strip_prefix("+++\n")
        .and_then(|rest| rest.split_once("\n+++\n"))
        .map_or("", |(front, _)| front)
}

/// Each TOML file of the guide and the schema that describes it.
const FILES: [(&str, &str); 4] = [
    ("content/site.toml", "site.schema.json"),
    ("content/data/ladder.toml", "ladder.schema.json"),
    ("content/data/compensation.toml", "compensation.schema.json"),
    ("content/data/quiz.toml", "quiz.schema.json"),
];

fn errors(validator: &jsonschema::Validator, value: &Value) -> Vec<String> {
    validator
        .iter_errors(value)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

#[test]
fn the_guides_files_name_their_schema_and_pass_it() {
    for (file, schema) in FILES {
        let text = std::fs::read_to_string(repo().join(file)).unwrap();
        let depth = file.matches('/').count();
        let line = format!("#:schema {}docs/schemas/{schema}\n", "../".repeat(depth));
        assert!(text.starts_with(&line), "{file} starts with {line:?}");
        assert!(
            repo()
                .join(file)
                .parent()
                .unwrap()
                .join(&line[9..line.len() - 1])
                .is_file(),
            "{file}'s #:schema line names a file"
        );
        let found = errors(&validator(schema), &toml_as_json(&text));
        assert!(found.is_empty(), "{file}: {found:?}");
    }
    let front = validator("front-matter.schema.json");
    let mut pages = 0;
    for entry in walkdir::WalkDir::new(repo().join("content")) {
        let entry = entry.unwrap();
        if entry.path().extension().is_some_and(|e| e == "md") {
            let text = std::fs::read_to_string(entry.path()).unwrap();
            let found = errors(&front, &toml_as_json(front_matter(&text)));
            assert!(found.is_empty(), "{}: {found:?}", entry.path().display());
            pages += 1;
        }
    }
    assert!(pages >= 12, "{pages} pages checked");
}

/// A bad value planted in a copy of the guide: the schema rejects it, and so does the loader.
fn planted(file: &str, schema: &str, from: &str, to: &str, front: bool) {
    let site = Site::repo();
    let text = site.read(file);
    assert!(text.contains(from), "{file} holds {from:?}");
    let bad = text.replacen(from, to, 1);
    let value = if front {
        toml_as_json(front_matter(&bad))
    } else {
        toml_as_json(&bad)
    };
    let found = errors(&validator(schema), &value);
    assert!(!found.is_empty(), "the schema accepts {to:?} in {file}");
    let site = site.file(file, &bad);
    let out = site.run(["check"]);
    assert_eq!(
        out.exit_code(),
        Some(1),
        "the loader accepts {to:?} in {file}: {}",
        out.stderr
    );
}

#[test]
fn planted_bad_values_are_rejected_by_the_schema_and_by_the_loader() {
    // An id that is not a stable id (pattern).
    planted(
        "content/data/ladder.toml",
        "ladder.schema.json",
        "id = \"senior\"",
        "id = \"Senior SRE\"",
        false,
    );
    // A checklist kind outside its closed set (enum).
    planted(
        "content/data/ladder.toml",
        "ladder.schema.json",
        "kind = \"exit\"",
        "kind = \"exits\"",
        false,
    );
    // An unknown key (additionalProperties: false).
    planted(
        "content/data/compensation.toml",
        "compensation.schema.json",
        "currency = ",
        "curency = ",
        false,
    );
    // A base_url that is not absolute (pattern).
    planted(
        "content/site.toml",
        "site.schema.json",
        "base_url = \"https://",
        "base_url = \"/",
        false,
    );
    // A quiz rule's page that is not a page's .md file (pattern).
    planted(
        "content/data/quiz.toml",
        "quiz.schema.json",
        "page = \"phases/junior.md\"",
        "page = \"phases/junior\"",
        false,
    );
    // A front matter key misspelt, and a weight written as text.
    planted(
        "content/phases/senior.md",
        "front-matter.schema.json",
        "title = ",
        "titel = ",
        true,
    );
    planted(
        "content/phases/senior.md",
        "front-matter.schema.json",
        "weight = 3",
        "weight = \"3\"",
        true,
    );
}

#[test]
fn schema_writes_the_committed_schemas() {
    let site = Site::empty();
    let out = site.run_in(site.root(), ["schema", "-o", "out"]).code(0);
    assert!(
        out.stdout
            .contains("out/ladder.schema.json (content/data/ladder.toml)")
    );
    for (_, schema) in FILES.iter().chain(&[("", "front-matter.schema.json")]) {
        assert_eq!(
            site.read(&format!("out/{schema}")),
            std::fs::read_to_string(repo().join("docs/schemas").join(schema)).unwrap(),
            "{schema}"
        );
    }
}
