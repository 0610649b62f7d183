//! Every fragment the theme writes is percent-encoded, as the Markdown self-links are: ids such
//! as ``a`b``, `50%` or `q"r` reach the page's contents as `#a%60b`, `#50%25` and `#q%22r`.

use super::*;
use crate::support::{assert_valid_html, html_files};

fn odd_ids() -> Site {
    let site = Site::repo().file(
        "content/odd.md",
        "+++\ntitle = \"Odd ids\"\nweight = 90\n+++\n\nIntro.\n\n## Back tick {#a`b}\n\nText.\n\n\
         ## Fifty {#50%}\n\nText.\n\n## Quoted {#q\"r}\n\nText.\n\n### Über uns {#über}\n\nText.\n",
    );
    site.run(["build"]).code(0).stderr("");
    site
}

#[test]
fn the_contents_link_every_heading_by_its_percent_encoded_fragment() {
    let site = odd_ids();
    let html = site.read("output/odd/index.html");
    let toc = html
        .split_once("<nav class=\"toc\"")
        .and_then(|(_, rest)| rest.split_once("</nav>"))
        .map(|(toc, _)| toc)
        .expect("the page's contents");
    for (id, fragment) in [
        ("a`b", "#a%60b"),
        ("50%", "#50%25"),
        ("q&quot;r", "#q%22r"),
        ("über", "#%C3%BCber"),
    ] {
        assert!(
            toc.contains(&format!("href=\"{fragment}\"")),
            "{fragment}: {toc}"
        );
        // The heading's own self-link says the same.
        assert!(
            html.contains(&format!(
                "id=\"{id}\"><a href=\"{fragment}\" tabindex=\"-1\">"
            )),
            "{id}: {html}"
        );
    }
}

#[test]
#[ignore = "needs vnu (VNU_JAR) and Java"]
fn a_page_with_odd_ids_is_valid_html() {
    let site = odd_ids();
    let pages: Vec<_> = html_files(&site.path("output"))
        .into_iter()
        .filter(|p| p.ends_with("odd/index.html"))
        .collect();
    assert_eq!(pages.len(), 1);
    assert_valid_html(&site, &pages);
}
