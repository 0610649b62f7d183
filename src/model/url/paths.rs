//! The three kinds of path the build handles: a [`ContentPath`] (a file below `content/`), a
//! [`Route`] (where a page is published) and an [`OutputPath`] (a published file below the output
//! root). Each is made here and only here, from the walk, a content path, a route, a theme or
//! content asset or a named generated file. Pure: no I/O.

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::model::source::hex;

/// A file below `content/`, with `/` separators: `phases/junior.md`, `img/logo.png`. Made by
/// `of` from what the walk found or an editor wrote (site.toml, data, templates), or by
/// `resolve` from a link on a page; it reads as the `str` it is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub(crate) struct ContentPath(String);

impl ContentPath {
    /// The path as the walk found it or an editor wrote it, relative to `content/`; a leading
    /// `/` (`/faq.md`, "from `content/`") is dropped.
    pub(crate) fn of(relative: &str) -> ContentPath {
        ContentPath(relative.trim_start_matches('/').to_string())
    }

    /// The link `link` on this page leads to: joined to this page's folder (or to `content/`
    /// when it starts with `/`), `.` and `..` folded. `None` when it climbs out of `content/`.
    pub(crate) fn resolve(&self, link: &str) -> Option<ContentPath> {
        // Built in place, one allocation (every link of every page comes through here): a
        // `..` cuts the path back to its last `/`.
        let mut path = String::with_capacity(self.0.len() + link.len());
        if !link.starts_with('/')
            && let Some((dir, _)) = self.0.rsplit_once('/')
        {
            path.push_str(dir);
        }
        for part in link.split('/') {
            match part {
                "" | "." => {}
                ".." if path.is_empty() => return None,
                ".." => path.truncate(path.rfind('/').unwrap_or(0)),
                part => {
                    if !path.is_empty() {
                        path.push('/');
                    }
                    path.push_str(part);
                }
            }
        }
        Some(ContentPath(path))
    }

    /// A Markdown page (`.md`), as opposed to a file published as it is.
    pub(crate) fn is_page(&self) -> bool {
        self.0.ends_with(".md")
    }

    /// A section's own page: `_index.md` at any depth.
    pub(crate) fn is_section(&self) -> bool {
        self.0 == "_index.md" || self.0.ends_with("/_index.md")
    }

    /// The path relative to the site root, as messages name files: `content/phases/junior.md`.
    pub(crate) fn in_site(&self) -> String {
        format!("content/{}", self.0)
    }
}

/// A published file below the output root, with `/` separators: `phases/junior/index.html`,
/// `static/style.1a2b3c4d.css`. Made only from a route, a theme or content asset, or a file
/// the build generates; it reads as the `str` it is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct OutputPath(String);

/// The files the build writes that come from no source file of their own.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Generated<'a> {
    /// `sitemap.xml`.
    Sitemap,
    /// `robots.txt`.
    Robots,
    /// `_headers`, for hosts that read it (Netlify, Cloudflare Pages).
    Headers,
    /// `404.html`, which hosts serve for a missing file.
    NotFound,
    /// `static/search-index.<hash>.js`, named by a hash of its bytes.
    SearchIndex(&'a [u8]),
    /// `sw.js`: the service worker of `[offline] enabled = true`, at the root so its scope is
    /// the whole site.
    ServiceWorker,
    /// `<stem>.json`: a typed data file (`ladder`, `compensation`, `quiz`) as JSON.
    Data(&'a str),
    /// `<stem>.schema.json`: the JSON Schema of `Data(stem)`.
    DataSchema(&'a str),
    /// `static/og/<name>.png`: a link preview image, its name a hash of what it shows.
    OgImage(&'a str),
}

/// Where link preview images are published.
pub(crate) const OG_IMAGE_FOLDER: &str = "static/og/";

impl OutputPath {
    /// The page at `route`: its `index.html` (`phases/junior/index.html`, `index.html`).
    pub(crate) fn page(route: &Route) -> OutputPath {
        let mut path = String::with_capacity(route.0.len() + "index.html".len());
        path.push_str(&route.0);
        path.push_str("index.html");
        OutputPath(path)
    }

    /// A file under `content/` that is published as it is, at the same path.
    pub(crate) fn content_asset(path: &ContentPath) -> OutputPath {
        OutputPath(path.0.clone())
    }

    /// A theme's static file (`below_static` is its path below `static/`): under `static/`,
    /// stylesheets and scripts with a hash of `bytes` before the extension, so browsers may
    /// cache them for ever (`css/site.css` → `static/css/site.1a2b3c4d.css`).
    pub(crate) fn theme_asset(below_static: &str, bytes: &[u8]) -> OutputPath {
        let fingerprinted = below_static.ends_with(".css") || below_static.ends_with(".js");
        OutputPath(match below_static.rsplit_once('.') {
            Some((stem, ext)) if fingerprinted => {
                format!("static/{stem}.{}.{ext}", fingerprint(bytes))
            }
            _ => format!("static/{below_static}"),
        })
    }

    /// A file the build generates.
    pub(crate) fn generated(file: Generated) -> OutputPath {
        OutputPath(match file {
            Generated::Sitemap => "sitemap.xml".to_string(),
            Generated::Robots => "robots.txt".to_string(),
            Generated::Headers => "_headers".to_string(),
            Generated::NotFound => "404.html".to_string(),
            Generated::ServiceWorker => "sw.js".to_string(),
            Generated::Data(stem) => format!("{stem}.json"),
            Generated::DataSchema(stem) => format!("{stem}.schema.json"),
            Generated::SearchIndex(bytes) => {
                format!("static/search-index.{}.js", fingerprint(bytes))
            }
            Generated::OgImage(name) => format!("{OG_IMAGE_FOLDER}{name}.png"),
        })
    }

    /// A path another sre-guide process made with the constructors above and sent over the
    /// build process's channel ([`crate::serve::build_process::protocol`]); nothing else may call
    /// this.
    pub(crate) fn received(path: String) -> OutputPath {
        OutputPath(path)
    }

    /// The route whose page this is, if it is a page's `index.html`.
    pub(crate) fn route(&self) -> Option<Route> {
        self.0
            .strip_suffix("index.html")
            .filter(|route| route.is_empty() || route.ends_with('/'))
            .map(|route| Route(route.to_string()))
    }
}

/// The first four bytes of SHA-256, in hex: enough to tell versions of one file apart.
fn fingerprint(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes)[..4])
}

/// Lets a path type read as the `str` it wraps: `as_str`, `Deref`, `Borrow`, `AsRef`,
/// comparison with `str` and `Display`.
macro_rules! reads_as_str {
    ($($path:ty),*) => {$(
        impl $path {
            /// The path as text: `"phases/junior.md"`.
            pub(crate) fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl Deref for $path {
            type Target = str;

            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl Borrow<str> for $path {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $path {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl PartialEq<str> for $path {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $path {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl fmt::Display for $path {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    )*};
}

reads_as_str!(ContentPath, OutputPath);

/// Where a page is published below the site root: `phases/junior/`, `""` for the home page.
/// Made from a content path (`Route::of`), below another route (`below`), or from the page
/// file a build wrote (`OutputPath::route`); it reads as the `str` it is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub(crate) struct Route(String);

impl Route {
    /// `a/b.md` → `a/b/`, `a/_index.md` → `a/`, `index.md` → `""`.
    pub(crate) fn of(content_path: &ContentPath) -> Route {
        let without_ext = content_path
            .strip_suffix(".md")
            .unwrap_or(content_path.as_str());
        let folder = match without_ext.rsplit_once('/') {
            Some((dir, "_index" | "index")) => dir,
            None if without_ext == "_index" || without_ext == "index" => return Route::default(),
            _ => without_ext,
        };
        let mut route = String::with_capacity(folder.len() + 1);
        route.push_str(folder);
        route.push('/');
        Route(route)
    }

    /// The folder a request to the dev server names (`phases/junior/`, `""` for the root), whose
    /// page it wants; `None` when the path names a file.
    pub(crate) fn requested(path: &str) -> Option<Route> {
        (path.is_empty() || path.ends_with('/')).then(|| Route(path.to_string()))
    }

    /// A page made below this one, as a quiz's result page (`where-are-you-now/phase-1/`).
    pub(crate) fn below(&self, slug: &str) -> Route {
        Route(format!("{}{slug}/", self.0))
    }

    /// The section this route is in (`phases/` for `phases/junior/`); none for the home page.
    pub(crate) fn parent(&self) -> Option<Route> {
        self.parent_str().map(|parent| Route(parent.to_string()))
    }

    /// [`Route::parent`] without a copy: a parent route is always the start of its child's.
    pub(crate) fn parent_str(&self) -> Option<&str> {
        if self.0.is_empty() {
            return None;
        }
        let trimmed = self.0.trim_end_matches('/');
        Some(trimmed.rfind('/').map_or("", |i| &self.0[..=i]))
    }

    /// The sections above this route, outermost first, the home page left out.
    pub(crate) fn ancestors(&self) -> Vec<Route> {
        let mut ancestors = Vec::new();
        let mut route = self.parent();
        while let Some(parent) = route.filter(|r| !r.0.is_empty()) {
            route = parent.parent();
            ancestors.push(parent);
        }
        ancestors.reverse();
        ancestors
    }

    /// The relative prefix from this route to the site root: `""`, `"../"`, `"../../"`.
    pub(crate) fn relative_root(&self) -> String {
        relative_root(&self.0)
    }
}

/// The same for a route that came back as text (a template context's `page.route`), or for a
/// published file's path: `""` for `index.html`, `"../../"` for `phases/junior/` and for
/// `phases/junior/index.html`.
pub(crate) fn relative_root(route: &str) -> String {
    "../".repeat(route.matches('/').count())
}

impl Deref for Route {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for Route {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::url::SiteUrl;

    #[test]
    fn content_paths_come_from_the_walk_and_resolve_links() {
        let senior = ContentPath::of("phases/senior.md");
        assert_eq!(senior, "phases/senior.md");
        assert_eq!(ContentPath::of("/faq.md"), "faq.md");
        assert_eq!(senior.in_site(), "content/phases/senior.md");
        assert!(senior.is_page() && !senior.is_section());
        assert!(ContentPath::of("_index.md").is_section());
        assert!(ContentPath::of("phases/_index.md").is_section());
        assert!(!ContentPath::of("img/_index.md.png").is_page());
        let resolve = |link: &str| senior.resolve(link).map(|p| p.to_string());
        assert_eq!(resolve("../faq.md").as_deref(), Some("faq.md"));
        assert_eq!(resolve("./staff.md").as_deref(), Some("phases/staff.md"));
        assert_eq!(resolve("/index.md").as_deref(), Some("index.md"));
        assert_eq!(ContentPath::of("index.md").resolve("../x.md"), None);
    }

    /// Resolving in place agrees with folding a list of the path's parts, the plain way, on
    /// links of every shape: `.`, `..` (past the top too), empty parts, doubled slashes.
    #[test]
    fn resolving_in_place_agrees_with_folding_the_parts() {
        fn folded(page: &str, link: &str) -> Option<String> {
            let mut parts: Vec<&str> = if link.starts_with('/') {
                Vec::new()
            } else {
                let mut dir: Vec<&str> = page.split('/').collect();
                dir.pop();
                dir
            };
            for part in link.split('/') {
                match part {
                    "" | "." => {}
                    ".." => {
                        parts.pop()?;
                    }
                    part => parts.push(part),
                }
            }
            Some(parts.join("/").trim_start_matches('/').to_string())
        }
        let pieces = ["a", "b.md", "..", ".", "", "_index.md", "x y"];
        let mut rng = fastrand::Rng::with_seed(3);
        for _ in 0..20_000 {
            let path = |rng: &mut fastrand::Rng, n: usize| {
                (0..n)
                    .map(|_| pieces[rng.usize(..pieces.len())])
                    .collect::<Vec<_>>()
                    .join("/")
            };
            let (page_parts, link_parts) = (1 + rng.usize(..4), 1 + rng.usize(..5));
            let page = ContentPath::of(&path(&mut rng, page_parts));
            let lead = if rng.bool() { "/" } else { "" };
            let link = format!("{lead}{}", path(&mut rng, link_parts));
            assert_eq!(
                page.resolve(&link).map(|p| p.to_string()),
                folded(&page, &link),
                "{page} + {link}"
            );
        }
    }

    #[test]
    fn a_routes_parent_is_the_section_above_it() {
        let route = |path: &str| Route::of(&ContentPath::of(path));
        let parent = |path: &str| route(path).parent().map(|p| p.to_string());
        assert_eq!(
            parent("phases/senior/lead.md").as_deref(),
            Some("phases/senior/")
        );
        assert_eq!(
            parent("phases/senior/_index.md").as_deref(),
            Some("phases/")
        );
        assert_eq!(parent("phases/junior.md").as_deref(), Some("phases/"));
        assert_eq!(parent("faq.md").as_deref(), Some(""));
        assert_eq!(parent("_index.md"), None);
        let lead = route("phases/senior/lead.md");
        assert_eq!(
            lead.ancestors(),
            [route("phases/_index.md"), route("phases/senior/_index.md")]
        );
    }

    #[test]
    fn output_paths_come_from_routes_assets_and_generated_files() {
        let junior = Route::of(&ContentPath::of("phases/junior.md"));
        let page = OutputPath::page(&junior);
        assert_eq!(page, "phases/junior/index.html");
        assert_eq!(page.route(), Some(junior));
        let home = OutputPath::page(&Route::of(&ContentPath::of("index.md")));
        assert_eq!(home, "index.html");
        assert_eq!(home.route(), Some(Route::default()));
        let asset = OutputPath::content_asset(&ContentPath::of("files/myindex.html"));
        assert_eq!(asset, "files/myindex.html");
        assert_eq!(asset.route(), None);

        let css = OutputPath::theme_asset("css/site.css", b"body{}");
        assert!(css.starts_with("static/css/site.") && css.ends_with(".css"));
        assert_eq!(css.len(), "static/css/site.12345678.css".len());
        assert_ne!(css, OutputPath::theme_asset("css/site.css", b"p{}"));
        assert_eq!(
            OutputPath::theme_asset("img/logo.svg", b"<svg/>"),
            "static/img/logo.svg"
        );

        let named = |file| OutputPath::generated(file).to_string();
        assert_eq!(named(Generated::Sitemap), "sitemap.xml");
        assert_eq!(named(Generated::Robots), "robots.txt");
        assert_eq!(named(Generated::Headers), "_headers");
        assert_eq!(named(Generated::NotFound), "404.html");
        assert_eq!(named(Generated::ServiceWorker), "sw.js");
        assert_eq!(named(Generated::Data("quiz")), "quiz.json");
        assert_eq!(named(Generated::DataSchema("quiz")), "quiz.schema.json");
        assert_eq!(named(Generated::OgImage("0a1b")), "static/og/0a1b.png");
        let index = named(Generated::SearchIndex(b"[]"));
        assert!(index.starts_with("static/search-index.") && index.ends_with(".js"));
        assert_ne!(index, named(Generated::SearchIndex(b"[1]")));
        assert_eq!(OutputPath::received("a/b.txt".into()), "a/b.txt");
    }

    #[test]
    fn awkward_names_are_kept_in_paths_and_encoded_in_urls() {
        let awkward = "a b/q?m#h%20ü\"'";
        let page = ContentPath::of(&format!("{awkward}.md"));
        let route = Route::of(&page);
        assert_eq!(&*route, "a b/q?m#h%20ü\"'/");
        let output = OutputPath::page(&route);
        assert_eq!(output, "a b/q?m#h%20ü\"'/index.html");
        assert_eq!(
            SiteUrl::file(&output).relative_to(""),
            "a%20b/q%3Fm%23h%2520%C3%BC%22%27/index.html"
        );
        let asset = OutputPath::content_asset(&ContentPath::of(&format!("{awkward}.png")));
        assert_eq!(
            SiteUrl::file(&asset).relative_to("../"),
            "../a%20b/q%3Fm%23h%2520%C3%BC%22%27.png"
        );
    }
}
