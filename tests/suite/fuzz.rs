//! Bad input never panics: a few hundred generated and mutated inputs (random bytes, truncated
//! and random front matter, random TOML, deep Markdown, huge headings, odd links, odd site.toml,
//! compensation figures swapped, negative or huge)
//! run through `sre-guide check`, which must answer 0 or 1 — never 101 (a panic) or 2. The
//! generator is a fixed-seed PRNG, so any failure reproduces; the failing input is printed.

use std::time::{Duration, Instant};

use crate::support::Site;
use fastrand::Rng;

/// Input-picking helpers on top of the seeded generator.
trait Draw {
    /// A number in `0..n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize;
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str;
    fn bytes(&mut self, len: usize) -> Vec<u8>;
}

impl Draw for Rng {
    fn below(&mut self, n: usize) -> usize {
        self.usize(..n)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.u8(..)).collect()
    }
}

const PAGE: &str = "+++\ntitle = \"Fuzz\"\ndescription = \"d\"\nweight = 3\n[extra]\nmood = \"x\"\n+++\n# Head\n\n## Sub {#sub}\n\nSee [first](first.md#details), [home](/index.md) and [here](#sub).\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- [ ] task\n- [x] done\n\n> quote[^1]\n\n[^1]: note\n";

const WEIRD_LINKS: &[&str] = &[
    "%",
    "#",
    "../../..",
    "?q",
    "/",
    ".md",
    "%ff.md",
    "#%",
    "#%ff",
    "<>",
    "first.md#%FF",
    "...",
    "//",
    "./",
    "..",
    "../",
    "/..",
    "first.md?x#details",
    "first.md#",
    "#details#again",
    "second.md%23summary",
    "notes/",
    "_index.md",
    "/notes/_index.md#",
    "a b.md",
    "\u{1}first.md",
    "first.md\u{0}",
    "mailto:",
    ":",
    "C:\\x.md",
    "file:///etc/passwd",
    "%2e%2e/%2e%2e/x.md",
    "data/facts.toml",
    "../files/handout.txt",
    "/files/handout.txt#x",
];

const TOML_TOKENS: &[&str] = &[
    "title",
    "description",
    "template",
    "weight",
    "draft",
    "extra",
    "level",
    "\"quoted key\"",
    "a.b.c",
    " = ",
    "=",
    "\n",
    "\n",
    "\"str\"",
    "'lit'",
    "\"\"\"multi\nline\"\"\"",
    "\"esc \\u0000 \\uD800\"",
    "\"\\",
    "9223372036854775807",
    "-9223372036854775809",
    "1e999",
    "nan",
    "inf",
    "0x",
    "1979-05-27T07:32:00Z",
    "true",
    "[",
    "]",
    "[[x]]",
    "[extra]",
    "[extra.level]",
    "{ a = 1 }",
    "{",
    "}",
    ",",
    "#",
    "\u{feff}",
    "é",
    "\r\n",
    "+++",
    "template = \"../../../etc/passwd\"",
    "template = \"\"",
    "weight = -1",
    "title = \"\"",
];

fn toml_fragment(rng: &mut Rng) -> String {
    (0..1 + rng.below(24))
        .map(|_| rng.pick(TOML_TOKENS))
        .collect()
}

/// One generated case: a description, and the files to write over the fixture.
struct Case {
    kind: &'static str,
    files: Vec<(&'static str, Vec<u8>)>,
}

fn page(bytes: impl Into<Vec<u8>>) -> Vec<(&'static str, Vec<u8>)> {
    vec![("content/notes/fuzz.md", bytes.into())]
}

fn mutate(rng: &mut Rng, text: &[u8]) -> Vec<u8> {
    let mut bytes = text.to_vec();
    for _ in 0..1 + rng.below(8) {
        if bytes.is_empty() {
            break;
        }
        let at = rng.below(bytes.len());
        match rng.below(4) {
            0 => bytes[at] = rng.u8(..),
            1 => {
                bytes.remove(at);
            }
            2 => bytes.insert(
                at,
                *b"+#[]()`*>\n|{}\"=".get(rng.below(15)).expect("in range"),
            ),
            _ => bytes.truncate(at),
        }
    }
    bytes
}

fn generate(rng: &mut Rng, site_toml: &str) -> Case {
    let front = |body: &str| format!("+++\ntitle = \"Fuzz\"\n+++\n{body}");
    match rng.below(11) {
        10 => {
            // The chart and the compensation table: no figure may crash or stall them.
            let figure = |rng: &mut Rng| {
                rng.pick(&[
                    "0",
                    "1",
                    "-1",
                    "100000",
                    "200000",
                    "49999",
                    "18446744073709551615",
                    "9223372036854775807",
                    "1e9",
                    "\"x\"",
                ])
            };
            let mut text = String::from("currency = \"USD\"\nregion = \"R\"\n");
            for _ in 0..rng.below(4) {
                let level = rng.pick(&["junior", "junior", "mid", ""]);
                let (min, max) = (figure(rng), figure(rng));
                text.push_str(&format!(
                    "[[ranges]]\nlevel = \"{level}\"\nmin = {min}\nmax = {max}\n"
                ));
            }
            let ladder = "[[levels]]\nid = \"junior\"\nname = \"J\"\ntenure = { min = 0, max = 2 }\nunlocks = \"u\"\nplateau = \"p\"\n\n[[levels]]\nid = \"mid\"\nname = \"M\"\ntenure = { min = 2 }\nunlocks = \"u\"\nplateau = \"p\"\n";
            Case {
                kind: "random compensation figures",
                files: vec![
                    ("content/data/compensation.toml", text.into_bytes()),
                    ("content/data/ladder.toml", ladder.as_bytes().to_vec()),
                ],
            }
        }
        0 => {
            let len = rng.below(2000);
            Case {
                kind: "random bytes as a page",
                files: page(rng.bytes(len)),
            }
        }
        1 => Case {
            kind: "a mutated page",
            files: page(mutate(rng, PAGE.as_bytes())),
        },
        2 => {
            let cut = rng.below(PAGE.len());
            Case {
                kind: "a truncated page",
                files: page(&PAGE.as_bytes()[..cut]),
            }
        }
        3 => {
            let fragment = toml_fragment(rng);
            Case {
                kind: "random TOML as front matter",
                files: page(format!("+++\ntitle = \"T\"\n{fragment}\n+++\nbody\n")),
            }
        }
        4 => {
            let fragment = toml_fragment(rng);
            Case {
                kind: "random TOML as a data file",
                files: vec![("content/data/fuzz.toml", fragment.into_bytes())],
            }
        }
        5 => {
            let depth = 1 + rng.below(5000);
            let unit = rng.pick(&[
                "> ", "- ", "1. ", "[", "*", "_", "`", "  ", "<div>", "![", "(", "~~",
            ]);
            Case {
                kind: "deeply nested Markdown",
                files: page(front(&format!("{}text\n", unit.repeat(depth)))),
            }
        }
        6 => {
            let len = 1 + rng.below(100_000);
            let level = "#".repeat(1 + rng.below(7));
            let attrs = rng.pick(&["", " {#}", " {#x}", " {.c}", " {#a #b}", " {", " {#é}"]);
            Case {
                kind: "a huge heading",
                files: page(front(&format!(
                    "{level} {}{attrs}\n\n{level} {}{attrs}\n",
                    "w".repeat(len),
                    "é".repeat(len / 4)
                ))),
            }
        }
        7 => {
            let links: String = (0..1 + rng.below(6))
                .map(|_| {
                    let dest = rng.pick(WEIRD_LINKS);
                    match rng.below(4) {
                        0 => format!("![i]({dest}) "),
                        1 => format!("[x]: {dest}\n[x] "),
                        2 => format!("<{dest}> "),
                        _ => format!("[x]({dest}) "),
                    }
                })
                .collect();
            Case {
                kind: "weird links",
                files: page(front(&format!("{links}\n"))),
            }
        }
        8 => Case {
            kind: "a mutated site.toml",
            files: vec![("content/site.toml", mutate(rng, site_toml.as_bytes()))],
        },
        _ => {
            let key = rng.pick(&["theme", "base_url", "title", "language"]);
            let value = rng.pick(&[
                "\"../..\"",
                "\"\"",
                "\"/\"",
                "\"nope\"",
                "\"https://x.test\"",
                "\"%\"",
                "1",
                "\"\u{1}\"",
            ]);
            let menu = rng
                .pick(WEIRD_LINKS)
                .replace('\\', "\\\\")
                .replace('"', "\\\"");
            let mut text: String = site_toml
                .lines()
                .filter(|line| !line.starts_with(key))
                .map(|line| format!("{line}\n"))
                .collect();
            text = format!("{key} = {value}\n{text}\n[[menu]]\ntitle = \"m\"\npage = \"{menu}\"\n");
            Case {
                kind: "site.toml with odd values",
                files: vec![("content/site.toml", text.into_bytes())],
            }
        }
    }
}

/// The files a case may add to the fixture, removed before the next case.
const LEFTOVERS: [&str; 4] = [
    "content/notes/fuzz.md",
    "content/data/fuzz.toml",
    "content/data/compensation.toml",
    "content/data/ladder.toml",
];

#[test]
fn no_input_makes_check_panic() {
    const CASES: usize = 200;
    let budget = Duration::from_secs(120);
    let started = Instant::now();
    let site = Site::fixture("minimal");
    let site_toml = site.read("content/site.toml");
    let mut rng = Rng::with_seed(0x5eed_2024_0001);
    let mut failures = Vec::new();
    let mut clean = 0;
    let mut diagnosed = 0;
    for number in 0..CASES {
        assert!(
            started.elapsed() < budget,
            "the fuzz run exceeded {budget:?} after {number} cases"
        );
        let case = generate(&mut rng, &site_toml);
        std::fs::write(site.path("content/site.toml"), &site_toml).expect("restore site.toml");
        for leftover in LEFTOVERS {
            let _ = std::fs::remove_file(site.path(leftover));
        }
        for (path, bytes) in &case.files {
            std::fs::write(site.path(path), bytes).expect("write the case");
        }
        let out = site.run(["check"]);
        match out.exit_code() {
            Some(0) => clean += 1,
            Some(1) => diagnosed += 1,
            _ => {}
        }
        let ok = matches!(out.exit_code(), Some(0 | 1)) && !out.stderr.contains("panicked");
        if !ok {
            let shown: Vec<String> = case
                .files
                .iter()
                .map(|(path, bytes)| {
                    let text = String::from_utf8_lossy(bytes);
                    let text: String = text.chars().take(600).collect();
                    format!("{path} ({} bytes): {text:?}", bytes.len())
                })
                .collect();
            failures.push(format!(
                "case {number} ({}): exit {:?}\n  input: {}\n  stderr: {}",
                case.kind,
                out.exit_code(),
                shown.join("\n  "),
                out.stderr.chars().take(1500).collect::<String>()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {CASES} inputs failed:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    // The generator must reach both sides: inputs that pass and inputs that are diagnosed.
    assert!(
        clean >= 10 && diagnosed >= 10,
        "{clean} clean, {diagnosed} diagnosed"
    );
    // Unharmed: the fixture still checks clean afterwards.
    std::fs::write(site.path("content/site.toml"), &site_toml).expect("restore site.toml");
    for leftover in LEFTOVERS {
        let _ = std::fs::remove_file(site.path(leftover));
    }
    site.run(["check"]).code(0);
}
