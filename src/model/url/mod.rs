//! Content paths → routes → output files and URLs: the one place that makes them (the three path
//! types, [`ContentPath`], [`Route`] and [`OutputPath`], live in [`paths`]). Every URL the build
//! writes is percent-encoded here (RFC 3986) as a [`SiteUrl`]; template URLs carry
//! [`ROOT_MARKER`] until the page they land on is known. Pure string work: no I/O ([`Resolving`]
//! writes into memory), and whether a target exists is not its job.

use percent_encoding::{AsciiSet, CONTROLS, NON_ALPHANUMERIC, utf8_percent_encode};

mod paths;

pub(crate) use paths::{ContentPath, Generated, OG_IMAGE_FOLDER, OutputPath, Route, relative_root};

/// Stands in for the relative path to the site root in URLs that templates receive, so one
/// template context serves every page depth; [`Resolving`] replaces it as the page is written.
/// A template sees `"\u{1}phases/junior/index.html"`; the page `faq/` gets
/// `"../phases/junior/index.html"`.
pub(crate) const ROOT_MARKER: char = '\u{1}';

/// A path segment keeps only RFC 3986's unreserved characters: `:` would read as a scheme in a
/// relative URL, `'` and `&` would need HTML escaping, `?`, `#`, `%` and spaces would break it.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// What a fragment or query may not hold as it is (RFC 3986 `pchar / "/" / "?"`, less `'` and
/// `&`, which would need HTML escaping); non-ASCII is always encoded.
const FRAGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'\'')
    .add(b'&')
    .add(b'<')
    .add(b'>')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// A query keeps `&` and `=` (they separate its fields); the rest as in a fragment.
const QUERY: &AsciiSet = &FRAGMENT.remove(b'&');

/// What no part of a URL may hold as it is: `base_url` is written by an editor and may hold a
/// space or `ü`, while its `/`, `:`, `?` and the like mean what they say.
const NEVER_IN_A_URL: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'<')
    .add(b'>')
    .add(b'\\')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}')
    .add(b'%');

/// A URL from the site root to a page or file, percent-encoded, with its query and fragment.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SiteUrl(String);

impl SiteUrl {
    /// A page by route, as its `index.html` (so links work opened from disk).
    pub(crate) fn page(route: &Route) -> SiteUrl {
        // `OutputPath::page` without its own allocation: `index.html` needs no escaping.
        let mut url = encode_path(route);
        url.push_str("index.html");
        SiteUrl(url)
    }

    /// A page by route as its folder (`phases/junior/`), for absolute URLs on the web.
    pub(crate) fn folder(route: &Route) -> SiteUrl {
        SiteUrl(encode_path(route))
    }

    /// A published file.
    pub(crate) fn file(path: &OutputPath) -> SiteUrl {
        SiteUrl(encode_path(path))
    }

    /// Appends a query as written (without its `?`), keeping valid `%XX` escapes.
    pub(crate) fn query(mut self, written: &str) -> SiteUrl {
        self.0.push('?');
        encode_keeping_escapes(&mut self.0, written, QUERY);
        self
    }

    /// Appends a fragment as written (without its `#`), keeping valid `%XX` escapes.
    pub(crate) fn fragment(mut self, written: &str) -> SiteUrl {
        self.0.push('#');
        encode_keeping_escapes(&mut self.0, written, FRAGMENT);
        self
    }

    /// As seen from a page whose relative root is `root` (`"../../"`).
    pub(crate) fn relative_to(&self, root: &str) -> String {
        let mut url = String::with_capacity(root.len() + self.0.len());
        url.push_str(root);
        url.push_str(&self.0);
        url
    }

    /// For template values: the root marker stands in for the page's relative root.
    pub(crate) fn marked(&self) -> String {
        format!("{ROOT_MARKER}{}", self.0)
    }

    /// Absolute, below the site's `base_url` (which ends with `/`).
    pub(crate) fn absolute(&self, base_url: &str) -> String {
        let mut url = String::with_capacity(base_url.len() + self.0.len());
        encode_keeping_escapes(&mut url, base_url, NEVER_IN_A_URL);
        url.push_str(&self.0);
        url
    }
}

/// The same-page URL of an element id: `#` and the id percent-encoded as a fragment.
pub(crate) fn fragment_of_id(id: &str) -> String {
    format!("#{}", utf8_percent_encode(id, FRAGMENT))
}

/// Where a template renders a page to: each root marker becomes the page's relative root as the
/// engine writes, so the page is made in one pass instead of rendered and then rewritten. The
/// marker cannot come from content (`markdown` replaces it on input), only from template URLs.
pub(crate) struct Resolving<'a> {
    /// The page written so far, markers already replaced.
    pub(crate) bytes: Vec<u8>,
    /// The page's relative root (`"../../"`), written in place of each marker.
    root: &'a [u8],
}

impl<'a> Resolving<'a> {
    /// An empty page whose markers become `root`, with room for `capacity` bytes.
    pub(crate) fn new(root: &'a str, capacity: usize) -> Self {
        Resolving {
            bytes: Vec::with_capacity(capacity),
            root: root.as_bytes(),
        }
    }
}

impl std::io::Write for Resolving<'_> {
    fn write(&mut self, chunk: &[u8]) -> std::io::Result<usize> {
        let mut from = 0;
        for at in memchr::memchr_iter(ROOT_MARKER as u8, chunk) {
            self.bytes.extend_from_slice(&chunk[from..at]);
            self.bytes.extend_from_slice(self.root);
            from = at + 1;
        }
        self.bytes.extend_from_slice(&chunk[from..]);
        Ok(chunk.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// JSON escapes the marker as `\u0001`; this puts it back so [`Resolving`] finds it.
pub(crate) fn unescape_markers_in_json(json: &str) -> String {
    json.replace("\\u0001", &ROOT_MARKER.to_string())
}

/// `https://example.org/guide/` → `/guide/`: the root a page served at any depth links from.
pub(crate) fn site_path(base_url: &str) -> String {
    let path = match base_url.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("/", |i| &rest[i..]),
        None if base_url.starts_with('/') => base_url,
        None => "/",
    };
    let mut out = String::with_capacity(path.len());
    encode_keeping_escapes(&mut out, path, NEVER_IN_A_URL);
    out
}

/// `https://…/edit/main/{path}` + `content/faq.md` → `https://…/edit/main/content/faq.md`; a
/// template without `{path}` gets the path appended.
pub(crate) fn edit_url(template: &str, source: &str) -> String {
    let path = encode_path(source);
    if template.contains("{path}") {
        template.replace("{path}", &path)
    } else if template.ends_with('/') {
        format!("{template}{path}")
    } else {
        format!("{template}/{path}")
    }
}

/// Percent-encodes each `/`-separated segment of `path` (RFC 3986 unreserved characters kept).
fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for (i, segment) in path.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        out.extend(utf8_percent_encode(segment, SEGMENT));
    }
    out
}

/// Encodes what `set` names, except a `%` that already starts a valid escape.
fn encode_keeping_escapes(out: &mut String, written: &str, set: &'static AsciiSet) {
    let bytes = written.as_bytes();
    let mut start = 0;
    for (i, _) in written.match_indices('%') {
        let escape = bytes.get(i + 1..i + 3);
        if escape.is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit)) {
            out.extend(utf8_percent_encode(&written[start..i], set));
            out.push('%');
            start = i + 1;
        }
    }
    out.extend(utf8_percent_encode(&written[start..], set));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(content_path: &str) -> Route {
        Route::of(&ContentPath::of(content_path))
    }

    #[test]
    fn routes_come_from_content_paths() {
        assert_eq!(route("index.md").to_string(), "");
        assert_eq!(route("_index.md").to_string(), "");
        assert_eq!(route("faq.md").to_string(), "faq/");
        assert_eq!(route("phases/_index.md").to_string(), "phases/");
        assert_eq!(route("phases/junior.md").to_string(), "phases/junior/");
        assert_eq!(route("a/index.md").to_string(), "a/");
        let junior = route("phases/junior.md");
        assert_eq!(junior.below("x").to_string(), "phases/junior/x/");
        assert_eq!(Route::requested("phases/junior/"), Some(junior.clone()));
        assert_eq!(Route::requested(""), Some(Route::default()));
        assert_eq!(Route::requested("phases/junior"), None);
        assert_eq!(junior.parent(), Some(route("phases/_index.md")));
        assert_eq!(route("index.md").parent(), None);
        let deep = route("a/b/c/d.md");
        let ancestors: Vec<String> = deep.ancestors().iter().map(Route::to_string).collect();
        assert_eq!(ancestors, ["a/", "a/b/", "a/b/c/"]);
        assert_eq!(route("index.md").relative_root(), "");
        assert_eq!(route("faq.md").relative_root(), "../");
        assert_eq!(junior.relative_root(), "../../");
    }

    #[test]
    fn every_awkward_character_in_a_name_is_encoded() {
        let url = SiteUrl::page(&route("a b/q?m#h%20ü\"'&:x.md"));
        assert_eq!(
            url.relative_to("../"),
            "../a%20b/q%3Fm%23h%2520%C3%BC%22%27%26%3Ax/index.html"
        );
        assert_eq!(
            SiteUrl::folder(&route("index.md")).absolute("https://e.org/"),
            "https://e.org/"
        );
        assert_eq!(
            SiteUrl::folder(&route("ü.md")).absolute("https://e.org/g/"),
            "https://e.org/g/%C3%BC/"
        );
        let css = OutputPath::theme_asset("a.png", b"");
        assert_eq!(SiteUrl::file(&css).marked(), "\u{1}static/a.png");
    }

    #[test]
    fn queries_and_fragments_keep_valid_escapes_and_encode_the_rest() {
        let url = SiteUrl::page(&route("x.md"))
            .query("tab=1&q=a b%20c")
            .fragment("50%");
        assert_eq!(url.relative_to(""), "x/index.html?tab=1&q=a%20b%20c#50%25");
        assert_eq!(
            SiteUrl::file(&OutputPath::content_asset(&ContentPath::of("f.txt")))
                .fragment("q&a ü")
                .relative_to(""),
            "f.txt#q%26a%20%C3%BC"
        );
        assert_eq!(fragment_of_id("50%"), "#50%25");
        assert_eq!(fragment_of_id("`code`\u{b}"), "#%60code%60%0B");
        assert_eq!(fragment_of_id("scope"), "#scope");
    }

    #[test]
    fn markers_resolve_per_page() {
        use std::io::Write as _;
        let mut page = Resolving::new("../", 0);
        // Chunks as a template engine writes them: a marker at either end or alone.
        for chunk in [
            "<a href=\"\u{1}",
            "faq/index.html\">",
            "\u{1}",
            "<a href=x\u{1}>",
        ] {
            page.write_all(chunk.as_bytes()).expect("into memory");
        }
        assert_eq!(
            String::from_utf8(page.bytes).expect("UTF-8"),
            "<a href=\"../faq/index.html\">../<a href=x../>"
        );
        assert_eq!(
            unescape_markers_in_json("{\"u\":\"\\u0001x/\"}"),
            "{\"u\":\"\u{1}x/\"}"
        );
    }

    #[test]
    fn the_site_path_comes_from_base_url() {
        assert_eq!(site_path("https://example.org/"), "/");
        assert_eq!(site_path("https://example.org/guide/"), "/guide/");
        assert_eq!(site_path("https://example.org"), "/");
        assert_eq!(
            site_path("https://example.org/my guide ü/"),
            "/my%20guide%20%C3%BC/"
        );
        assert_eq!(
            SiteUrl::folder(&route("a.md")).absolute("https://e.org/my guide%20x/"),
            "https://e.org/my%20guide%20x/a/"
        );
    }

    #[test]
    fn edit_links_name_the_source_file() {
        let github = "https://github.com/o/r/edit/main/{path}";
        assert_eq!(
            edit_url(github, "content/phases/junior.md"),
            "https://github.com/o/r/edit/main/content/phases/junior.md"
        );
        assert_eq!(
            edit_url("https://git.example/-/edit/main/site", "content/a b/é.md"),
            "https://git.example/-/edit/main/site/content/a%20b/%C3%A9.md"
        );
    }
}
