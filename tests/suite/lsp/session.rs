//! One editing session on a copy of the guide, every answer checked: diagnostics for unsaved
//! text (same message and code as the terminal) and how soon they come, the quick fix, link,
//! anchor, front-matter and data completion, definition, hover, symbols, a clean shutdown, and
//! not a byte written to the site.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::{Client, position, uri};
use crate::support::{Site, tree};

const SENIOR: &str = "content/phases/senior.md";

/// Opens `path` with its text on disk; returns the text.
fn open(client: &mut Client, site: &Site, root: &std::path::Path, path: &str) -> String {
    let text = site.read(path);
    let language = if path.ends_with(".md") {
        "markdown"
    } else {
        "toml"
    };
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri(&root.join(path)), "languageId": language, "version": 1, "text": text}}),
    );
    text
}

/// Replaces the whole text of `path` (an unsaved edit).
fn change(client: &mut Client, root: &std::path::Path, path: &str, version: i32, text: &str) {
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri(&root.join(path)), "version": version}, "contentChanges": [{"text": text}]}),
    );
}

fn at(root: &std::path::Path, path: &str, text: &str, offset: usize) -> Value {
    json!({"textDocument": {"uri": uri(&root.join(path))}, "position": position(text, offset)})
}

fn labels(items: &Value) -> Vec<String> {
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["label"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_session_on_the_guide_gets_every_answer_right_and_writes_nothing() {
    let site = Site::repo();
    let root = site.root().canonicalize().unwrap();
    let before = tree(&root);
    let (mut client, init) = Client::start(&root);
    let capabilities = &init["capabilities"];
    assert_eq!(capabilities["positionEncoding"], "utf-16");
    assert_eq!(capabilities["textDocumentSync"], 2, "incremental sync");
    assert_eq!(capabilities["definitionProvider"], true);

    let mut text = open(&mut client, &site, &root, SENIOR);
    broken_link_is_diagnosed_and_fixed(&mut client, &root, &mut text);
    links_and_anchors_complete(&mut client, &root, &text);
    links_lead_to_their_heading(&mut client, &root, &text);
    front_matter_knows_the_ladder(&mut client, &root, &text);
    data_files_are_checked_as_typed(&mut client, &site, &root);
    let symbols = client.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri(&root.join(SENIOR))}}),
    );
    let names: Vec<&str> = symbols
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert!(
        names.starts_with(&[
            "Why Senior is hardest to leave",
            "The toil-trap at its worst"
        ]),
        "{names:?}"
    );
    client.shut_down();
    assert!(
        tree(&root) == before,
        "the language server wrote to the site"
    );
}

fn broken_link_is_diagnosed_and_fixed(
    client: &mut Client,
    root: &std::path::Path,
    text: &mut String,
) {
    let broken = "\nSee [Staff](staf.md) next.\n";
    text.push_str(broken);
    let typed = Instant::now();
    change(client, root, SENIOR, 2, text);
    let diagnostics = client
        .diagnostics_for(root, SENIOR, Duration::from_secs(30), |d| {
            d.as_array().is_some_and(|d| !d.is_empty())
        })
        .expect("a diagnostic for the broken link");
    let latency = typed.elapsed();
    let diagnostic = &diagnostics[0];
    assert_eq!(diagnostic["code"], "link-target-missing");
    assert_eq!(diagnostic["source"], "sre-guide");
    assert_eq!(diagnostic["severity"], 1);
    assert_eq!(
        diagnostic["message"],
        "link target `phases/staf.md` does not exist\nhelp: did you mean `staff.md`?"
    );
    let start = text.len() - broken.len() + "\nSee [Staff](".len();
    assert_eq!(diagnostic["range"]["start"], position(text, start));
    assert_eq!(
        diagnostic["range"]["end"],
        position(text, start + "staf.md".len())
    );
    // Debug builds on a shared machine are slow; the release figure is in docs/editors.md.
    assert!(latency < Duration::from_secs(10), "{latency:?}");

    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri(&root.join(SENIOR))}, "range": diagnostic["range"], "context": {"diagnostics": [diagnostic]}}),
    );
    let action = &actions[0];
    assert_eq!(action["title"], "Replace with `staff.md`");
    assert_eq!(action["kind"], "quickfix");
    let edit = &action["edit"]["changes"][uri(&root.join(SENIOR))][0];
    assert_eq!(edit["newText"], "staff.md");
    assert_eq!(edit["range"], diagnostic["range"]);

    // The fix, typed in: the diagnostic goes away (an empty list is published).
    *text = text.replace("(staf.md)", "(staff.md)");
    change(client, root, SENIOR, 3, text);
    client
        .diagnostics_for(root, SENIOR, Duration::from_secs(30), |d| d == &json!([]))
        .expect("the diagnostic is cleared");
}

fn links_and_anchors_complete(client: &mut Client, root: &std::path::Path, text: &str) {
    let typing = format!("{text}\nRead [the FAQ](../fa");
    change(client, root, SENIOR, 4, &typing);
    let items = client.request(
        "textDocument/completion",
        at(root, SENIOR, &typing, typing.len()),
    );
    let found = labels(&items);
    for expected in [
        "../faq.md",
        "staff.md",
        "../roadblocks.md",
        "../favicon.ico",
    ] {
        assert!(
            found.contains(&expected.to_string()),
            "{expected} in {found:?}"
        );
    }
    let faq = items
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["label"] == "../faq.md")
        .unwrap();
    assert_eq!(faq["detail"], "Frequently asked questions");
    // The edit replaces what was typed after `](`.
    let typed_at = typing.len() - "../fa".len();
    assert_eq!(
        faq["textEdit"]["range"]["start"],
        position(&typing, typed_at)
    );

    let typing = format!("{text}\nRead [why](../faq.md#ic");
    change(client, root, SENIOR, 5, &typing);
    let items = client.request(
        "textDocument/completion",
        at(root, SENIOR, &typing, typing.len()),
    );
    let found = labels(&items);
    for id in ["time-to-senior", "certifications", "ic-or-management"] {
        assert!(found.contains(&id.to_string()), "{id} in {found:?}");
    }
    change(client, root, SENIOR, 6, text);
}

fn links_lead_to_their_heading(client: &mut Client, root: &std::path::Path, text: &str) {
    let link = text.find("../roadblocks.md#stuck-at-senior").unwrap() + 3;
    let location = client.request("textDocument/definition", at(root, SENIOR, text, link));
    assert_eq!(location["uri"], uri(&root.join("content/roadblocks.md")));
    let roadblocks = std::fs::read_to_string(root.join("content/roadblocks.md")).unwrap();
    let heading = roadblocks.find("## Stuck at Senior").unwrap();
    assert_eq!(location["range"]["start"], position(&roadblocks, heading));

    let hover = client.request("textDocument/hover", at(root, SENIOR, text, link));
    let shown = hover["contents"]["value"].as_str().unwrap();
    assert!(
        shown.starts_with("**Common roadblocks** › Stuck at Senior for 3+ years\n"),
        "{shown}"
    );
}

fn front_matter_knows_the_ladder(client: &mut Client, root: &std::path::Path, text: &str) {
    let level = text.find("level = \"senior\"").unwrap() + "level = \"se".len();
    let hover = client.request("textDocument/hover", at(root, SENIOR, text, level));
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .starts_with("**Senior SRE** ("),
        "{hover}"
    );
    let location = client.request("textDocument/definition", at(root, SENIOR, text, level));
    assert_eq!(location["uri"], uri(&root.join("content/data/ladder.toml")));
    let ladder = std::fs::read_to_string(root.join("content/data/ladder.toml")).unwrap();
    let entry = ladder.find("id = \"senior\"").unwrap();
    assert_eq!(location["range"]["start"], position(&ladder, entry));

    // A value being typed: level ids; a key being typed: the front matter's keys.
    let typing = text.replacen("level = \"senior\"", "level = \"s", 1);
    change(client, root, SENIOR, 7, &typing);
    let offset = typing.find("level = \"s").unwrap() + "level = \"s".len();
    let found =
        labels(&client.request("textDocument/completion", at(root, SENIOR, &typing, offset)));
    assert!(
        ["junior", "mid-level", "senior", "staff"]
            .iter()
            .all(|id| found.contains(&id.to_string())),
        "{found:?}"
    );
    let typing = text.replacen("weight = 3\n", "weight = 3\ndr\n", 1);
    change(client, root, SENIOR, 8, &typing);
    let offset = typing.find("\ndr\n").unwrap() + 3;
    let items = client.request("textDocument/completion", at(root, SENIOR, &typing, offset));
    let draft = items
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["label"] == "draft")
        .unwrap_or_else(|| panic!("draft in {items}"));
    assert_eq!(
        draft["documentation"]["value"],
        "Leave the page out of the site unless `--drafts` is given."
    );
    let typing = text.replacen("template = \"phase.html\"", "template = \"ph", 1);
    change(client, root, SENIOR, 9, &typing);
    let offset = typing.find("template = \"ph").unwrap() + "template = \"ph".len();
    let found =
        labels(&client.request("textDocument/completion", at(root, SENIOR, &typing, offset)));
    assert!(found.contains(&"phase.html".to_string()), "{found:?}");
    change(client, root, SENIOR, 10, text);
}

fn data_files_are_checked_as_typed(client: &mut Client, site: &Site, root: &std::path::Path) {
    const PAY: &str = "content/data/compensation.toml";
    let text = open(client, site, root, PAY);
    let typo = text.replacen("level = \"junior\"", "level = \"juinor\"", 1);
    change(client, root, PAY, 2, &typo);
    let diagnostics = client
        .diagnostics_for(root, PAY, Duration::from_secs(30), |d| {
            d.as_array().is_some_and(|d| !d.is_empty())
        })
        .expect("a diagnostic in the data file");
    assert_eq!(diagnostics[0]["code"], "unknown-level");
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri(&root.join(PAY))}, "range": diagnostics[0]["range"], "context": {"diagnostics": []}}),
    );
    assert_eq!(
        actions[0]["edit"]["changes"][uri(&root.join(PAY))][0]["newText"],
        "\"junior\""
    );
    // Keys of the table the cursor is in, from the schema.
    let typing = typo.replacen("[[ranges]]\n", "[[ranges]]\nma\n", 1);
    change(client, root, PAY, 3, &typing);
    let offset = typing.find("\nma\n").unwrap() + 3;
    let found = labels(&client.request("textDocument/completion", at(root, PAY, &typing, offset)));
    assert_eq!(found, ["level", "min", "max"]);
}
