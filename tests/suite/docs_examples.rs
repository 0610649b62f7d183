//! Every example in README.md and docs/ is checked against the real loader: each `site.toml`,
//! front matter and data example is written into a copy of the guide and `check` must find no
//! problem in it; each shell command that runs offline (`sre-guide …`, `cargo run -- …`, and the
//! `sed` that reads their output) is run on a copy of the guide and must succeed. A block this
//! test cannot place is a failure, so a new example is checked from the start.

use std::path::Path;

use crate::support::Site;

/// One fenced block of a Markdown file.
#[derive(Debug)]
struct Block {
    /// `docs/publishing.md:62`.
    place: String,
    lang: String,
    text: String,
    /// The nearest heading above it.
    heading: String,
    /// The paragraph just above it.
    before: String,
}

/// What an example is, so it can be checked.
#[derive(Debug, PartialEq)]
enum Example {
    /// A whole `content/site.toml`.
    SiteToml,
    /// Tables to add to a `content/site.toml` (`[publish] headers = true`).
    SiteTables,
    /// `content/data/<name>.toml`.
    Data(String),
    /// A page: front matter and Markdown.
    Page,
    /// Shell commands.
    Shell,
    /// Not a file of the site: a directory listing, terminal output, another tool's file.
    Other,
}

fn blocks(file: &str, markdown: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let (mut heading, mut paragraph, mut last) = (String::new(), Vec::<&str>::new(), String::new());
    let mut lines = markdown.lines().enumerate();
    while let Some((number, line)) = lines.next() {
        if let Some(lang) = line.strip_prefix("```") {
            let text: Vec<&str> = lines
                .by_ref()
                .map(|(_, line)| line)
                .take_while(|line| !line.starts_with("```"))
                .collect();
            if !paragraph.is_empty() {
                last = paragraph.join(" ");
            }
            blocks.push(Block {
                place: format!("{file}:{}", number + 1),
                lang: lang.trim().to_string(),
                text: text.join("\n") + "\n",
                heading: heading.clone(),
                before: std::mem::take(&mut last),
            });
            paragraph.clear();
        } else if line.starts_with('#') {
            heading = line.trim_start_matches('#').trim().to_string();
            (paragraph, last) = (Vec::new(), String::new());
        } else if line.trim().is_empty() {
            if !paragraph.is_empty() {
                last = paragraph.join(" ");
            }
            paragraph.clear();
        } else {
            paragraph.push(line);
        }
    }
    blocks
}

fn classify(block: &Block) -> Example {
    let data = block
        .heading
        .strip_prefix("`data/")
        .and_then(|rest| rest.strip_suffix(".toml`"));
    // Another program's TOML file, named in the paragraph before the block.
    let foreign = ["netlify.toml", "languages.toml", ".taplo.toml"]
        .iter()
        .any(|name| block.before.contains(name));
    match block.lang.as_str() {
        "toml" if block.heading == "site.toml" => Example::SiteToml,
        "toml" if let Some(name) = data => Example::Data(name.to_string()),
        "toml" if foreign => Example::Other,
        // site.toml's own tables.
        "toml"
            if ["[publish]", "[[menu]]", "[lints]", "[offline]"]
                .iter()
                .any(|t| block.text.starts_with(t)) =>
        {
            Example::SiteTables
        }
        // A schema line for the top of a file: a TOML comment.
        "toml" if block.text.lines().all(|line| line.starts_with("#:schema ")) => Example::Other,
        "markdown" if block.text.starts_with("+++\n") => Example::Page,
        "sh" => Example::Shell,
        // Listings, terminal output, JSON lines, and editors' and servers' configuration.
        "" | "text" | "json" | "lua" | "elisp" | "nginx" | "caddyfile" | "rust" => Example::Other,
        _ => panic!(
            "{}: a ```{} block this test cannot check",
            block.place, block.lang
        ),
    }
}

/// Every block of README.md and docs/*.md.
fn all_blocks() -> Vec<Block> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![root.join("README.md")];
    let mut docs: Vec<_> = std::fs::read_dir(root.join("docs"))
        .expect("docs/")
        .map(|entry| entry.expect("an entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "md"))
        .collect();
    docs.sort();
    // The reference of diagnostic codes shows broken examples on purpose: tests/suite/explain.rs
    // checks each one gives the report it shows.
    docs.retain(|path| !path.ends_with("diagnostics.md"));
    files.extend(docs);
    files
        .iter()
        .flat_map(|path| {
            let shown = path.strip_prefix(root).expect("in the repository");
            let text = std::fs::read_to_string(path).expect("a doc");
            blocks(&shown.to_string_lossy(), &text)
        })
        .collect()
}

/// The files named by `check`'s reports (`--> content/x.md:1:2`).
fn reported_files(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter_map(|line| line.trim_start().strip_prefix("--> "))
        .map(|at| at.split(':').next().unwrap_or(at).to_string())
        .collect()
}

/// What is wrong with `block` as an example, if anything. Shell commands run in `shell`, a copy
/// of the guide kept for every block of one doc, so a command may read what an earlier one wrote.
fn problems_with(block: &Block, shell: &Site) -> Option<String> {
    let (site, written) = match classify(block) {
        Example::SiteToml => (
            Site::repo().file("content/site.toml", &block.text),
            "content/site.toml".to_string(),
        ),
        Example::SiteTables => {
            let site = Site::fixture("minimal");
            let config = site.read("content/site.toml") + "\n" + &block.text;
            (
                site.file("content/site.toml", config),
                "content/site.toml".to_string(),
            )
        }
        Example::Data(name) => {
            let path = format!("content/data/{name}.toml");
            (Site::repo().file(&path, &block.text), path)
        }
        Example::Page => {
            let path = "content/docs-example.md".to_string();
            (Site::repo().file(&path, &block.text), path)
        }
        Example::Shell => return shell_problems(block, shell),
        Example::Other => return None,
    };
    let out = site.run(["check"]);
    let theirs = reported_files(&out.stderr).contains(&written);
    (theirs || out.stderr.contains("panicked")).then(|| {
        format!(
            "{} ({:?}) is not accepted as {written}:\n{}",
            block.place,
            classify(block),
            out.stderr
        )
    })
}

/// A copy of the guide for a doc's shell commands, with `_headers` on (`docs/publishing.md` reads
/// it after turning it on).
fn shell_site() -> Site {
    let site = Site::repo();
    let config = site.read("content/site.toml") + "\n[publish]\nheaders = true\n";
    site.file("content/site.toml", config)
}

/// An environment variable's name: capitals, digits and `_`.
fn is_env_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// Runs each command of a shell block that runs offline, in `site`.
fn shell_problems(block: &Block, site: &Site) -> Option<String> {
    let mut problems = Vec::new();
    // Continued lines joined, comments and blank lines dropped.
    let text = block.text.replace("\\\n", " ");
    for line in text
        .lines()
        .filter(|line| !line.trim_start().starts_with('#'))
    {
        let command = line.split(" # ").next().unwrap_or(line).trim();
        // A pipeline: sre-guide's part runs; what it feeds is another tool's.
        let command = command.split(" | ").next().unwrap_or(command).trim();
        // Settings for one command (`SNAPSHOTS=overwrite cargo test`) come before its name.
        let words: Vec<&str> = command
            .split_whitespace()
            .skip_while(|word| {
                word.split_once('=')
                    .is_some_and(|(name, _)| is_env_name(name))
            })
            .collect();
        let args: Vec<String> = match words[..] {
            // A synopsis (`[-r DIR]`), not a command.
            _ if command.contains('[') => continue,
            ["sre-guide", "serve", ..] | ["cargo", "run", "--release", "--", "serve", ..] => {
                continue; // runs until stopped; tests/suite/serve.rs drives it
            }
            ["sre-guide", ref rest @ ..] | ["cargo", "run", "--release", "--", ref rest @ ..] => {
                rest.iter().map(|arg| offline_path(site, arg)).collect()
            }
            ["sed", ..] => {
                let out = std::process::Command::new("sh")
                    .arg("-c")
                    .arg(command)
                    .current_dir(site.root())
                    .output()
                    .expect("run sed");
                if !out.status.success() || out.stdout.is_empty() {
                    problems.push(format!("`{command}` printed nothing"));
                }
                continue;
            }
            // Installing, CI, version control, test binaries and other services' tools: not
            // offline, or not ours to run here.
            ["cargo", ..] | ["bash", ..] | ["aws", ..] | ["git", ..] | [] => continue,
            [program, ..] if program.starts_with("target/") => continue,
            _ => {
                problems.push(format!("`{command}`: a command this test does not know"));
                continue;
            }
        };
        let out = site.run(&args);
        if out.exit_code() != Some(0) {
            problems.push(format!("`{command}` failed:\n{}", out.stderr));
        }
    }
    (!problems.is_empty()).then(|| format!("{}: {}", block.place, problems.join("\n")))
}

/// An absolute output folder of an example (`/srv/www/guide`) moved into the test's site.
fn offline_path(site: &Site, arg: &str) -> String {
    if arg.starts_with('/') {
        site.path(arg.trim_start_matches('/'))
            .to_string_lossy()
            .into_owned()
    } else {
        arg.to_string()
    }
}

#[test]
fn every_example_in_the_docs_is_accepted() {
    let blocks = all_blocks();
    let checked = blocks
        .iter()
        .filter(|block| classify(block) != Example::Other)
        .count();
    assert!(checked >= 8, "only {checked} examples found");
    let mut shells: std::collections::HashMap<&str, Site> = std::collections::HashMap::new();
    let problems: Vec<String> = blocks
        .iter()
        .filter_map(|block| {
            let doc = block.place.split(':').next().unwrap_or_default();
            problems_with(block, shells.entry(doc).or_insert_with(shell_site))
        })
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

#[test]
fn a_broken_example_is_caught() {
    let broken = |lang: &str, heading: &str, text: &str| Block {
        place: "broken.md:1".into(),
        lang: lang.into(),
        text: text.into(),
        heading: heading.into(),
        before: String::new(),
    };
    // The README's old example: `timeout` written after `[publish]` belongs to that table.
    let site_toml = "title = \"T\"\nbase_url = \"https://example.org/\"\n[publish]\nheaders = true\ntimeout = 30\n";
    let shell = shell_site();
    let problem = problems_with(&broken("toml", "site.toml", site_toml), &shell).expect("caught");
    assert!(problem.contains("unknown field `timeout`"), "{problem}");
    let data = "[[levels]]\nid = \"junior\"\nname = \"Junior\"\ntenure = { min = 3, max = 1 }\nunlocks = \"\"\nplateau = \"\"\n";
    assert!(problems_with(&broken("toml", "`data/ladder.toml`", data), &shell).is_some());
    let page = "+++\ntitle = \"T\"\ntemplate = \"nope.html\"\n+++\nHi\n";
    assert!(problems_with(&broken("markdown", "Pages", page), &shell).is_some());
    let command = "sre-guide build --no-such-flag\n";
    assert!(problems_with(&broken("sh", "Build", command), &shell).is_some());
}
