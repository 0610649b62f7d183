//! The guide's data as files: `ladder.json`, `compensation.json` and `quiz.json` beside the
//! pages, each the data file as the build read it, each accepted by the JSON Schema published
//! with it (and that schema refusing what the build refuses), linked from the pages that show
//! the data; a content file in their place is a collision; a site without them publishes none.

use serde_json::{Value, json};

use super::*;

const STEMS: [&str; 3] = ["ladder", "compensation", "quiz"];

/// The guide as built once for the whole run (read only).
fn built() -> &'static Site {
    &crate::support::guide::guide().site
}

fn json_of(site: &Site, path: &str) -> Value {
    serde_json::from_str(&site.read(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// What `schema` finds wrong with `data`, one line per problem.
fn problems(schema: &Value, data: &Value) -> Vec<String> {
    let validator = jsonschema::validator_for(schema).expect("a valid JSON Schema");
    validator
        .iter_errors(data)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn each_data_file_is_published_as_json_that_its_schema_accepts() {
    let site = built();
    for stem in STEMS {
        let data = json_of(site, &format!("output/{stem}.json"));
        let source: toml::Table = toml::from_str(&site.read(&format!("content/data/{stem}.toml")))
            .expect("the data file");
        assert_eq!(
            data,
            serde_json::to_value(&source).expect("JSON"),
            "{stem}.json is the file as read"
        );
        let schema = json_of(site, &format!("output/{stem}.schema.json"));
        assert_eq!(
            schema["$schema"],
            json!("https://json-schema.org/draft/2020-12/schema"),
            "{stem}"
        );
        assert_eq!(problems(&schema, &data), Vec::<String>::new(), "{stem}");
    }
}

#[test]
fn the_schemas_refuse_what_the_build_refuses() {
    let site = built();
    let schema = json_of(site, "output/ladder.schema.json");
    let ladder = json_of(site, "output/ladder.json");
    let broken = |change: &dyn Fn(&mut Value)| {
        let mut data = ladder.clone();
        change(&mut data);
        problems(&schema, &data)
    };
    // An unknown key (a typo), a missing one, an id out of its alphabet, a kind that is none.
    assert!(
        !broken(&|d| {
            d["levels"][0]["unlock"] = json!("…");
        })
        .is_empty()
    );
    assert!(
        !broken(&|d| {
            d["levels"][0].as_object_mut().unwrap().remove("name");
        })
        .is_empty()
    );
    assert!(
        !broken(&|d| {
            d["phases"][0]["checklist"]["items"][0]["id"] = json!("Led Three");
        })
        .is_empty()
    );
    assert!(
        !broken(&|d| {
            d["phases"][0]["checklist"]["kind"] = json!("finish");
        })
        .is_empty()
    );
    assert!(
        !broken(&|d| {
            d["levels"][0]["tenure"]["min"] = json!(-1);
        })
        .is_empty()
    );
    // What the build takes without it: an open tenure, no milestones.
    assert!(
        broken(&|d| {
            d["levels"][0]["tenure"]
                .as_object_mut()
                .unwrap()
                .remove("max");
        })
        .is_empty()
    );
    assert!(
        broken(&|d| {
            d.as_object_mut().unwrap().remove("milestones");
        })
        .is_empty()
    );
    // The build itself refuses the same typo, so the schema tells the truth about the TOML.
    let typo = site
        .read("content/data/ladder.toml")
        .replacen("unlocks =", "unlock =", 1);
    Site::repo()
        .file("content/data/ladder.toml", typo)
        .run(["check"])
        .code(1)
        .stderr_contains("unknown field `unlock`");
}

#[test]
fn the_pages_that_show_the_data_link_to_it_and_its_schema() {
    let site = built();
    for (page, stem, root) in [
        ("output/index.html", "ladder", ""),
        ("output/phases/senior/index.html", "ladder", "../../"),
        ("output/compensation/index.html", "compensation", "../"),
        ("output/where-are-you-now/index.html", "quiz", "../"),
    ] {
        let html = site.read(page);
        for file in [format!("{stem}.json"), format!("{stem}.schema.json")] {
            assert!(
                html.contains(&format!("href=\"{root}{file}\"")),
                "{page} does not link {file}"
            );
        }
    }
}

#[test]
fn a_content_file_in_a_data_files_place_is_a_collision() {
    let site = Site::repo().file("content/quiz.json", "{}\n");
    site.run(["build"]).code(1).stderr(format!(
        "error[output-clash]: `content/quiz.json` and the generated `quiz.json` are both published as `quiz.json`
--> content/quiz.json
 = help: rename or remove one of them; nothing may overwrite another file of the site

{}",
        build_count_line(1)
    ));
}

#[test]
fn a_site_without_the_data_files_publishes_none() {
    let site = Site::fixture("minimal");
    site.run(["build"]).code(0);
    let files = site.tree("output");
    assert!(
        !files.keys().any(|path| path.ends_with(".json")),
        "{:?}",
        files.keys()
    );
}
