//! The wording is the project's own: no run of words on any page is the source guide's.

use sha2::Digest;

use super::*;

/// How many words in a row the site may share with the source guide: the facts carry over, the
/// sentences do not. Names and figures are shorter than this; a copied clause is not.
const COPY_WINDOW: usize = 8;

/// Where the source guide's fingerprints are kept: hashes of every run of `COPY_WINDOW` words,
/// so the check runs anywhere without the repository holding the source's sentences.
const FINGERPRINTS: &str = "tests/fixtures/source-fingerprints.txt";

/// The source guide, beside the checkout (or where SOURCE_GUIDE says), when this machine has it.
fn source_guide() -> Option<String> {
    let path = std::env::var_os("SOURCE_GUIDE").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/source-guide.txt"),
        Into::into,
    );
    std::fs::read_to_string(path).ok()
}

/// Lower-case runs of letters and digits: how the copy check sees text.
fn words(text: &str) -> Vec<String> {
    plain(text)
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// A short hash of each run of `COPY_WINDOW` words.
fn fingerprints(words: &[String]) -> Vec<String> {
    words
        .windows(COPY_WINDOW)
        .map(|run| {
            let digest = sha2::Sha256::digest(run.join(" ").as_bytes());
            digest.iter().take(6).map(|b| format!("{b:02x}")).collect()
        })
        .collect()
}

/// The text of each block (paragraph, list item, cell, heading…) of `html`, so that runs of
/// words never span two cells of a table or a heading and the paragraph after it.
fn blocks(html: &str) -> Vec<String> {
    const BLOCK: [&str; 22] = [
        "p",
        "li",
        "td",
        "th",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "caption",
        "dt",
        "dd",
        "div",
        "title",
        "legend",
        "label",
        "summary",
        "option",
        "button",
        "figcaption",
        "blockquote",
    ];
    // Not a newline: the source's line breaks inside a paragraph are only whitespace.
    const BREAK: &str = "\u{1e}";
    let text = without_tags(html, |name| if BLOCK.contains(&name) { BREAK } else { "" });
    decode(&text).split(BREAK).map(str::to_string).collect()
}

fn stored_fingerprints() -> std::collections::BTreeSet<String> {
    repo_file(FINGERPRINTS)
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn no_sentence_of_the_source_is_copied() {
    let source = stored_fingerprints();
    let mut copied = Vec::new();
    for (page, html) in pages() {
        for block in blocks(html) {
            let words = words(&block);
            for (at, print) in fingerprints(&words).iter().enumerate() {
                if source.contains(print) {
                    copied.push(format!("{page}: {}", words[at..at + COPY_WINDOW].join(" ")));
                }
            }
        }
    }
    assert!(
        copied.is_empty(),
        "{} runs of {COPY_WINDOW} words are the source's own; reword them:\n{}",
        copied.len(),
        copied.join("\n")
    );
}

/// Keeps the stored fingerprints in step with the source guide where it is at hand; run with
/// UPDATE_FINGERPRINTS=1 to rewrite them after the source changes.
#[test]
fn the_source_fingerprints_are_current() {
    let stored = stored_fingerprints();
    let Some(text) = source_guide() else {
        assert!(stored.len() > 1_000, "{FINGERPRINTS} looks truncated");
        eprintln!("the source guide is not beside the checkout; using {FINGERPRINTS} as stored");
        return;
    };
    let current: std::collections::BTreeSet<String> =
        fingerprints(&words(&text)).into_iter().collect();
    if std::env::var_os("UPDATE_FINGERPRINTS").is_some() {
        let mut file = format!(
            "# Hashes (first 6 bytes of SHA-256) of every run of {COPY_WINDOW} words in the source\n\
             # guide, lower-cased; see tests/suite/guide/copying.rs.\n"
        );
        for print in &current {
            file.push_str(print);
            file.push('\n');
        }
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(FINGERPRINTS);
        std::fs::write(&path, file).expect("write the fingerprints");
        return;
    }
    assert!(
        stored == current,
        "{FINGERPRINTS} is out of date with the source guide; rerun with UPDATE_FINGERPRINTS=1"
    );
}
