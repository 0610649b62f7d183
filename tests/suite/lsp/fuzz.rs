//! Random edits to the guide's pages and data files, as a hurried editor (or a confused client)
//! sends them — pieces of syntax inserted anywhere, ranges deleted, ranges past the end or
//! reversed, positions inside a character — each followed by a request at a random position.
//! The server must answer every request with a result, keep publishing diagnostics, write
//! nothing, and still shut down cleanly. The seed is fixed so a failure reproduces.

use serde_json::{Value, json};

use super::{Client, uri};
use crate::support::{Site, tree};

const FILES: [&str; 4] = [
    "content/phases/senior.md",
    "content/data/ladder.toml",
    "content/data/quiz.toml",
    "content/site.toml",
];

const PIECES: [&str; 20] = [
    "+++\n",
    "\n",
    "[",
    "]]",
    "=",
    "\"",
    "#",
    "{#",
    "}",
    "é",
    "😀",
    "](",
    "../",
    "[x](",
    "level = \"",
    "page = \"",
    "\r\n",
    "\u{feff}",
    "\u{1}",
    "[[levels]]\n",
];

const REQUESTS: [&str; 5] = [
    "textDocument/completion",
    "textDocument/hover",
    "textDocument/definition",
    "textDocument/documentSymbol",
    "textDocument/codeAction",
];

fn random_position(rng: &mut fastrand::Rng) -> Value {
    json!({"line": rng.u32(..120), "character": rng.u32(..90)})
}

#[test]
fn random_edits_and_requests_never_break_the_server() {
    let site = Site::repo();
    let root = site.root().canonicalize().unwrap();
    let before = tree(&root);
    let (mut client, _) = Client::start(&root);
    for (version, path) in FILES.iter().enumerate() {
        client.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri(&root.join(path)), "languageId": "x", "version": version, "text": site.read(path)}}),
        );
    }
    let mut rng = fastrand::Rng::with_seed(0x15e);
    let mut version = 10;
    for round in 0..150 {
        let path = FILES[rng.usize(..FILES.len())];
        let document = uri(&root.join(path));
        let changes: Vec<Value> = (0..1 + rng.usize(..3))
            .map(|_| {
                let (start, end) = (random_position(&mut rng), random_position(&mut rng));
                let text = if rng.bool() {
                    PIECES[rng.usize(..PIECES.len())].to_string()
                } else {
                    String::new()
                };
                json!({"range": {"start": start, "end": end}, "text": text})
            })
            .collect();
        version += 1;
        client.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": document, "version": version}, "contentChanges": changes}),
        );
        let method = REQUESTS[rng.usize(..REQUESTS.len())];
        let position = random_position(&mut rng);
        let mut params = json!({"textDocument": {"uri": document}, "position": position});
        if method == "textDocument/codeAction" {
            params["range"] = json!({"start": position, "end": random_position(&mut rng)});
            params["context"] = json!({"diagnostics": []});
        }
        let response = client.request_raw(method, params);
        assert!(
            response.get("error").is_none(),
            "round {round}: {method} on {path} answered {response}"
        );
    }
    // Still analysing: a page made whole again is diagnosed clean.
    version += 1;
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri(&root.join(FILES[0])), "version": version}, "contentChanges": [{"text": site.read(FILES[0])}]}),
    );
    let symbols = client.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri(&root.join(FILES[0]))}}),
    );
    assert_eq!(symbols[0]["name"], "Why Senior is hardest to leave");
    client.shut_down();
    assert!(
        tree(&root) == before,
        "the language server wrote to the site"
    );
}
