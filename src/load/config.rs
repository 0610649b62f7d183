//! `content/site.toml` → [`SiteConfig`]: the site's name and address, its menu, theme, the render
//! time budget and the `[publish]`, `[offline]`, `[lints]` and `[search]` tables (the last two read
//! by [`crate::load::lints`] and [`crate::load::search`]).

use std::sync::Arc;

use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

use crate::load::strings::check_strings;
use crate::load::{data, lints, search};
use crate::model::diagnostic::toml_errors::parse_toml;
use crate::model::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::lints::Lints;
use crate::model::source::SourceFile;
use crate::model::{MenuItem, SiteConfig};

/// `content/site.toml`: what every page of the site needs.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "site.toml")]
struct RawConfig {
    /// The site's name: every page's `<title>`, the header, link previews.
    title: String,
    /// One sentence about the site, for search results and link previews.
    #[serde(default)]
    description: String,
    /// Where the site will be published, as an absolute URL ending in `/`:
    /// `https://example.org/guide/`. Only canonical links, `og:url`, `sitemap.xml` and
    /// `robots.txt` use it; `--base-url` overrides it.
    #[schemars(with = "String", regex(pattern = r"^https?://[^/\s]+"))]
    base_url: Spanned<String>,
    /// The language of the pages, as an HTML `lang` tag: `en`, `en-GB`, `de`.
    #[serde(default = "default_language")]
    language: String,
    /// The folder under `themes/` whose templates render the site.
    #[serde(default = "default_theme")]
    #[schemars(regex(pattern = r"^[^/\\.][^/\\]*$"))]
    theme: String,
    /// The site's main navigation, in order.
    #[serde(default)]
    menu: Vec<RawMenuItem>,
    /// Where "Edit this page" links go: the page's source path replaces `{path}` (or is appended).
    #[schemars(with = "Option<String>", regex(pattern = r"^https?://[^/\s]+"))]
    edit_url: Option<Spanned<String>>,
    /// What `build` publishes beside the pages.
    #[serde(default)]
    publish: RawPublish,
    /// Seconds one page may take to render before the build fails naming it.
    #[serde(default = "default_timeout")]
    timeout: u64,
    /// Each content lint's level (`error`, `warning` or `allow`), and the acronyms allowed in
    /// capitals.
    #[serde(default)]
    #[schemars(schema_with = "lints::schema")]
    lints: lints::RawLints,
    /// Reading the guide without a network.
    #[serde(default)]
    offline: RawOffline,
    /// How search treats the words a reader types.
    #[serde(default)]
    search: search::RawSearch,
}

/// `[offline]`: the service worker `build` may publish.
#[derive(Deserialize, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawOffline {
    /// Publish `sw.js`, a service worker that stores every file of the build for reading
    /// offline; off by default.
    #[serde(default)]
    enabled: bool,
}

/// `[publish]`: files `build` writes for the host.
#[derive(Deserialize, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawPublish {
    /// Write `_headers` (Netlify, Cloudflare Pages): cache policy and security headers.
    #[serde(default)]
    headers: bool,
}

fn default_language() -> String {
    "en".to_string()
}

fn default_timeout() -> u64 {
    30
}

fn default_theme() -> String {
    "default".to_string()
}

/// One `[[menu]]` entry: a link to a page.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawMenuItem {
    /// The link's text.
    title: String,
    /// The page, by its path below `content/`: `phases/_index.md`.
    #[schemars(with = "String", regex(pattern = crate::load::data::PAGE_PATH))]
    page: Spanned<String>,
}

/// The JSON Schema of `content/site.toml`, from the type it is read into.
pub(crate) fn schema(generator: schemars::SchemaGenerator) -> schemars::Schema {
    generator.into_root_schema_for::<RawConfig>()
}

/// What stands in for a `site.toml` that could not be read.
pub(super) fn empty() -> SiteConfig {
    SiteConfig {
        title: String::new(),
        description: String::new(),
        base_url: "/".into(),
        language: default_language(),
        theme: default_theme(),
        menu: Vec::new(),
        edit_url: None,
        publish_headers: false,
        timeout: std::time::Duration::from_secs(default_timeout()),
        lints: Lints::default(),
        offline: false,
        search_synonyms: Vec::new(),
    }
}

/// `https://host/…` or `http://host/…`: what canonical links and the sitemap need.
pub(super) fn is_absolute_url(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    rest.is_some_and(|rest| {
        let host = rest.split('/').next().unwrap_or_default();
        !host.is_empty() && !url.chars().any(char::is_whitespace)
    })
}

/// Parses and checks `site.toml`; `base_url` (from `--base-url`) replaces the file's.
pub(super) fn parse(
    file: &Arc<SourceFile>,
    base_url: Option<&str>,
    out: &mut Diagnostics,
) -> Option<SiteConfig> {
    let raw: RawConfig = parse_toml(file, 0, file.text(), out)?;
    let lints = lints::lints(file, raw.lints, out);
    check_strings(file, 0, file.text(), &lints, out);
    if base_url.is_none() && !is_absolute_url(raw.base_url.get_ref()) {
        out.push(
            Diagnostic::at(Code::UrlNotAbsolute, file, raw.base_url.span(), format!("base_url `{}` is not an absolute http(s) URL", raw.base_url.get_ref()))
                .help("write where the site will live, e.g. `base_url = \"https://example.org/guide/\"`; only canonical links and the sitemap use it"),
        );
    }
    let mut base_url = base_url.unwrap_or(raw.base_url.get_ref()).to_string();
    if !base_url.ends_with('/') {
        base_url.push('/');
    }
    if let Some(edit_url) = &raw.edit_url
        && !is_absolute_url(edit_url.get_ref())
    {
        out.push(
            Diagnostic::at(Code::UrlNotAbsolute, file, edit_url.span(), format!("edit_url `{}` is not an absolute http(s) URL", edit_url.get_ref()))
                .help("write where a page's source can be edited, e.g. `edit_url = \"https://github.com/you/guide/edit/main/{path}\"`; `{path}` becomes `content/…md`"),
        );
    }
    let menu = raw
        .menu
        .into_iter()
        .map(|item| MenuItem {
            title: item.title,
            page: data::page_ref(file, item.page),
        })
        .collect();
    Some(SiteConfig {
        title: raw.title,
        description: raw.description,
        base_url,
        language: raw.language,
        theme: raw.theme,
        menu,
        edit_url: raw.edit_url.map(Spanned::into_inner),
        publish_headers: raw.publish.headers,
        timeout: std::time::Duration::from_secs(raw.timeout),
        lints,
        offline: raw.offline.enabled,
        search_synonyms: search::synonyms(file, raw.search, out),
    })
}
