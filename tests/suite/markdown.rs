//! The Markdown stage against plain pulldown-cmark: every case of `tests/fixtures/markdown-corpus/`
//! is built as a page by the real binary and must equal `pulldown_cmark::html::push_html` of the
//! same text with the same options, once the two documented additions are put in or taken out:
//! internal links get their page-relative URLs, and headings their ids and self-links.

use std::collections::BTreeMap;
use std::path::Path;

use pulldown_cmark::{CowStr, Event, LinkType, Parser, Tag};

use crate::support::{Site, assert_valid_html, html_files};

fn corpus() -> BTreeMap<String, String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/markdown-corpus");
    std::fs::read_dir(&dir)
        .expect("the corpus")
        .map(|entry| {
            let path = entry.expect("an entry").path();
            let name = path
                .file_name()
                .expect("a name")
                .to_string_lossy()
                .into_owned();
            (name, std::fs::read_to_string(&path).expect("a UTF-8 case"))
        })
        .collect()
}

/// The corpus as pages of `site` under `content/corpus/`, with the files its links name.
fn with_corpus(mut site: Site) -> Site {
    // Weights give the pages a reading order, so the build has nothing to warn about.
    for (weight, (name, body)) in corpus().into_iter().enumerate() {
        let title = name.trim_end_matches(".md");
        let page = format!("+++\ntitle = \"{title}\"\nweight = {weight}\n+++\n{body}");
        site = site.file(&format!("content/corpus/{name}"), page);
    }
    site.file("content/corpus/files/notes.txt", "notes\n")
        .file("content/corpus/pixel.png", [0x89, b'P', b'N', b'G'])
}

/// The corpus shows every construct, those the content lints report included (a second h1,
/// autolinks, images without alt text): its sites allow them all.
const LINTS_ALLOWED: &str = "\n[lints]\nalt-text-missing = \"allow\"\nheading-level-skipped = \"allow\"\n\
    h1-in-body = \"allow\"\nlink-text-vague = \"allow\"\ntable-header-missing = \"allow\"\n\
    all-caps = \"allow\"\n";

/// A site whose pages are their Markdown body and nothing else.
fn bare_site() -> Site {
    with_corpus(Site::empty())
        .file(
            "content/site.toml",
            format!(
                "title = \"Corpus\"\ndescription = \"\"\nbase_url = \"https://example.org/\"\n\
                 language = \"en\"\ntheme = \"bare\"\n{LINTS_ALLOWED}"
            ),
        )
        .file("content/index.md", "+++\ntitle = \"Home\"\n+++\n")
        .file(
            "themes/bare/templates/page.html",
            "{{ page.content | safe }}",
        )
}

/// The options sre-guide documents for Markdown: the very definition the build uses.
use sre_guide::markdown::options;

/// Addition 1, written out by hand: what each internal destination of the corpus becomes on a
/// page at `corpus/<case>/` (two folders below the root). Anything else stays as written.
fn published(dest: &str) -> Option<&'static str> {
    Some(match dest {
        "other.md" | "./other.md" => "../../corpus/other/index.html",
        "other.md#sec" => "../../corpus/other/index.html#sec",
        "other.md?tab=1#sec" => "../../corpus/other/index.html?tab=1#sec",
        "/corpus/other.md#top" => "../../corpus/other/index.html#top",
        "../index.md" => "../../index.html",
        "other page.md" => "../../corpus/other%20page/index.html",
        "files/notes.txt" => "../../corpus/files/notes.txt",
        "files/notes.txt?v=2#top" => "../../corpus/files/notes.txt?v=2#top",
        "pixel.png" => "../../corpus/pixel.png",
        _ => return None,
    })
}

/// pulldown-cmark's HTML for `body`, with internal destinations published and each heading given
/// the id sre-guide chose where the author set none.
fn expected(body: &str, ids: &[String]) -> String {
    let mut ids = ids.iter();
    let events = Parser::new_ext(body, options()).map(|event| match event {
        Event::Start(tag @ (Tag::Link { .. } | Tag::Image { .. })) => Event::Start(publish(tag)),
        Event::Start(Tag::Heading {
            level,
            id,
            classes,
            attrs,
        }) => {
            let chosen = ids.next().expect("sre-guide wrote as many headings");
            Event::Start(Tag::Heading {
                level,
                id: Some(id.unwrap_or_else(|| chosen.clone().into())),
                classes,
                attrs,
            })
        }
        other => other,
    });
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events);
    assert!(ids.next().is_none(), "sre-guide wrote more headings");
    html
}

fn destination(link_type: LinkType, dest: CowStr<'_>) -> CowStr<'_> {
    match link_type {
        LinkType::Autolink | LinkType::Email => dest,
        _ => published(&dest).map_or(dest, CowStr::from),
    }
}

fn publish(tag: Tag<'_>) -> Tag<'_> {
    match tag {
        Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        } => Tag::Link {
            dest_url: destination(link_type, dest_url),
            link_type,
            title,
            id,
        },
        Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        } => Tag::Image {
            dest_url: destination(link_type, dest_url),
            link_type,
            title,
            id,
        },
        other => other,
    }
}

/// Addition 2 taken out: the self-link around a heading's text, or beside it. Returns the HTML
/// without them and the heading ids in order (entity-decoded).
fn without_self_links(html: &str) -> (String, Vec<String>) {
    const BESIDE_START: &str = "&nbsp;<a class=\"self-link\" href=\"#";
    const BESIDE_END: &str = "\" tabindex=\"-1\" aria-label=\"Link to this section\">#</a>";
    let mut out = String::new();
    let mut ids = Vec::new();
    let mut rest = html;
    while let Some(start) = find_heading(rest) {
        let open_end = start + rest[start..].find('>').expect("a closed tag") + 1;
        let level = &rest[start + 2..start + 3];
        let close = format!("</h{level}>");
        let end = open_end + rest[open_end..].find(&close).expect("a closed heading");
        let open = &rest[start..open_end];
        let id = open.split('"').nth(1).expect("every heading has an id");
        ids.push(id.replace("&amp;", "&").replace("&quot;", "\""));
        let inner = &rest[open_end..end];
        let inner = match inner.rfind(BESIDE_START) {
            Some(beside) if inner.ends_with(BESIDE_END) => &inner[..beside],
            _ => {
                let wrapped = inner
                    .strip_prefix("<a href=\"#")
                    .expect("wrapped in a self-link");
                let text = &wrapped[wrapped.find("\">").expect("a closed a") + 2..];
                text.strip_suffix("</a>")
                    .expect("the self-link closes last")
            }
        };
        out.push_str(&rest[..open_end]);
        out.push_str(inner);
        rest = &rest[end..];
    }
    out.push_str(rest);
    (out, ids)
}

fn find_heading(html: &str) -> Option<usize> {
    (1..=6)
        .filter_map(|level| html.find(&format!("<h{level} id=\"")))
        .min()
}

#[test]
fn every_case_is_pulldown_cmark_plus_only_the_documented_additions() {
    let site = bare_site();
    site.run(["build"]).code(0).stderr("");
    let cases = corpus();
    assert!(cases.len() >= 9, "the corpus covers each construct class");
    for (name, body) in &cases {
        let route = name.trim_end_matches(".md");
        let built = site.read(&format!("output/corpus/{route}/index.html"));
        let (ours, ids) = without_self_links(&built);
        assert_eq!(ours, expected(body, &ids), "{name}");
    }
}

#[test]
#[ignore = "needs vnu (VNU_JAR) and Java"]
fn pages_built_from_the_corpus_are_valid_html() {
    let site = with_corpus(Site::repo());
    let config = site.read("content/site.toml") + LINTS_ALLOWED;
    let site = site.file("content/site.toml", config);
    site.run(["build"]).code(0).stderr("");
    let pages = html_files(&site.path("output/corpus"));
    assert_eq!(pages.len(), corpus().len());
    assert_valid_html(&site, &pages);
}
