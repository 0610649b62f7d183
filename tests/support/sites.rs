//! Fixture sites more than one test binary builds on.

use super::Site;

/// A folder and a page named with every character that means something in a URL or in HTML.
pub const AWKWARD: &str = "w ?#%ü\"'";

/// The minimal fixture plus pages, a section and a file whose names hold `? # % space ü " '`,
/// linked from the home page (written as URL paths, as Markdown requires), from each other, and
/// from the menu.
pub fn awkward_site() -> Site {
    let page = format!("content/{AWKWARD}/p {AWKWARD}.md");
    Site::fixture("minimal")
        .file(
            "content/site.toml",
            "title = \"Minimal\"\ndescription = \"d\"\nbase_url = \"https://example.org/guide/\"\n\
             language = \"en\"\ntheme = \"default\"\n\n[[menu]]\ntitle = \"Awkward\"\n\
             page = \"w ?#%ü\\\"'/p w ?#%ü\\\"'.md\"\n",
        )
        .file(
            "content/index.md",
            "+++\ntitle = \"Home\"\n+++\n## Welcome\n\n\
             [folder](<w %3F%23%25ü\"'/_index.md>), \
             [page](<w %3F%23%25ü\"'/p w %3F%23%25ü\"'.md#q&a>), \
             [query](q%3Fmark.md?tab=1#top), [hash](hash%23tag.md), [percent](pct%2520x.md), \
             [file](<files/re port ü%231.txt>), [notes](notes/_index.md).\n",
        )
        .file(
            &format!("content/{AWKWARD}/_index.md"),
            "+++\ntitle = \"Awkward folder\"\nweight = 5\n+++\nIts pages are listed below.\n",
        )
        .file(
            &page,
            "+++\ntitle = \"Awkward page\"\n+++\n## Über uns {#q&a}\n\n\
             [home](../index.md), [same](#q&a), [sibling](<../q%3Fmark.md#top>), \
             [folder](_index.md).\n",
        )
        .file(
            "content/q?mark.md",
            "+++\ntitle = \"Question mark\"\nweight = 2\n+++\n## Top\n\n[back](index.md)\n",
        )
        .file(
            "content/hash#tag.md",
            "+++\ntitle = \"Hash\"\nweight = 3\n+++\nHash.\n",
        )
        .file(
            "content/pct%20x.md",
            "+++\ntitle = \"Percent\"\nweight = 4\n+++\nPercent.\n",
        )
        .file("content/files/re port ü#1.txt", "a file\n")
}
