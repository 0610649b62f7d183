//! The ids a browser finds in HTML, read with `html.rs`'s tokenizer (no tree): headings check
//! their ids against the raw HTML a page holds, and the anchor stage against each rendered page.
//! Pure functions over text; nothing here reports a problem.

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::html;
use crate::url::ContentPath;

/// The ids of each rendered page, by content path.
pub(crate) type PageIds = HashMap<ContentPath, HashSet<String>>;

/// The ids a browser finds in `html`: every start tag's `id` attribute, whatever its case or
/// quoting, entities decoded; nothing inside comments, scripts, styles or `<textarea>`.
pub(crate) fn ids_in(html: &str) -> HashSet<String> {
    page_ids(html).ids
}

/// The ids of a rendered page, and those it has more than once (sorted).
pub(crate) struct FoundIds {
    pub(crate) ids: HashSet<String>,
    pub(crate) repeated: BTreeSet<String>,
}

pub(crate) fn page_ids(html: &str) -> FoundIds {
    let mut ids = HashSet::new();
    let mut repeated = BTreeSet::new();
    html::start_tags(html, |tag| {
        if let Some(id) = html::attribute(tag, "id").filter(|id| !id.is_empty())
            && !ids.insert(id.to_string())
        {
            repeated.insert(id.to_string());
        }
    });
    FoundIds { ids, repeated }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_read_as_a_browser_reads_them() {
        let ids = ids_in(concat!(
            "<h2 id=\"a\">x</h2><li id=\"check-b\"><div data-id=\"no\">",
            "<div ID=\"upper\"><span id='single'><p id=bare><a id=\"q&amp;a\">",
            "<!-- <p id=\"comment\"> --><script>var s = '<p id=\"script\">';</script>",
            "<textarea><b id=\"text\"></textarea><i id=\"\">",
        ));
        let mut ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        ids.sort_unstable();
        assert_eq!(ids, ["a", "bare", "check-b", "q&a", "single", "upper"]);
    }
}
