//! The functions templates call: `url` (a checked link to a page, anchors checked after
//! rendering), `asset` (a static file's fingerprinted URL), `page_data` (another page's context,
//! its headings optionally shifted and ids prefixed for embedding)
//! and `compensation_chart` (the SVG from [`chart`]). Registered on a clone of the theme's Tera
//! by [`crate::render`], beside [`og_image`](crate::render::og_image::register) and
//! [`search_index`](crate::render::search::register). Every URL they return carries the root
//! marker ([`crate::model::url::ROOT_MARKER`]) and reaches the page relative to it.
#![warn(clippy::missing_docs_in_private_items)]

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use parking_lot::Mutex;

use tera::{Kwargs, State, Tera, Value};

use crate::check::anchors::AnchorRequest;
use crate::markdown;
use crate::model::Site;
use crate::model::diagnostic::suggest;
use crate::model::url::{self, ContentPath, OutputPath, Route, SiteUrl};
use crate::render::chart;
use crate::render::context::page_context;
use crate::theme::Theme;
use crate::theme::reads::Reads;
use crate::theme::tera_errors;

/// Replaces Tera's `safe` filter with one that marks a string safe without copying it: Tera's
/// copies it, and `{{ page.content | safe }}` is the longest string of every page.
pub(crate) fn register_safe(tera: &mut Tera) {
    tera.register_filter("safe", |value: Value, _: Kwargs, _: &State| -> Value {
        if value.is_string() {
            value.mark_safe()
        } else {
            Value::safe_string(&value.to_string())
        }
    });
}

/// Registers every template function of this site on `tera`; `url()`'s anchors go to `requests`.
pub(crate) fn register(
    tera: &mut Tera,
    site: &Arc<Site>,
    theme: &Theme,
    requests: &Arc<Mutex<Vec<AnchorRequest>>>,
) {
    register_url(tera, site, requests);
    register_asset(tera, theme);
    register_page_data(tera, site);
    register_compensation_chart(tera, site);
}

/// `url(path="phases/junior.md#anchor")`: the relative URL of a page
/// (`"../../phases/junior/index.html#anchor"` from `phases/senior/`); its anchor is recorded for
/// the anchor stage ([`crate::check::anchors`]), which checks it once every page is rendered. A
/// page that does not exist is a template error with a did-you-mean.
fn register_url(tera: &mut Tera, site: &Arc<Site>, requests: &Arc<Mutex<Vec<AnchorRequest>>>) {
    let pages = Arc::clone(site);
    let anchors = Arc::clone(requests);
    tera.register_function(
        "url",
        move |kwargs: Kwargs, state: &State| -> tera::TeraResult<String> {
            let written: String = kwargs.must_get::<&str>("path")?.to_string();
            let (path, anchor) = match written.split_once('#') {
                Some((path, anchor)) => (path, Some(anchor)),
                None => (written.as_str(), None),
            };
            let path = ContentPath::of(path);
            if pages.unloadable.contains(&path) {
                // The page exists but failed to load (reported at the page): its URL is known,
                // and the link will work once the page is fixed.
                return Ok(SiteUrl::page(&Route::of(&path)).marked());
            }
            let Some(page) = pages.page(&path) else {
                return Err(no_such_page("url", &path, &pages));
            };
            let mut url = SiteUrl::page(&page.route);
            if let Some(anchor) = anchor {
                url = url.fragment(anchor);
                let template = page_field(state, "template");
                anchors.lock().push(AnchorRequest {
                    template,
                    written: written.clone(),
                    page: page.path.clone(),
                    anchor: anchor.to_string(),
                });
            }
            Ok(url.marked())
        },
    );
}

/// `asset(path="style.css")`: the relative URL of a file below the theme's `static/`, under its
/// published name: stylesheets and scripts are content-hashed (`"../static/style.1a2b3c4d.css"`
/// from `faq/`), other files keep theirs (`"static/favicon.svg"` from the home page).
fn register_asset(tera: &mut Tera, theme: &Theme) {
    let assets: BTreeMap<String, OutputPath> = theme
        .assets
        .iter()
        .map(|(path, file)| (path.clone(), file.published.clone()))
        .collect();
    tera.register_function(
        "asset",
        move |kwargs: Kwargs, _: &State| -> tera::TeraResult<String> {
            let path = kwargs.must_get::<&str>("path")?;
            match assets.get(path.trim_start_matches('/')) {
                Some(published) => Ok(SiteUrl::file(published).marked()),
                None => Err(tera_errors::function_error(
                    format!("asset(): the theme has no static/{path}"),
                    suggest(
                        path,
                        assets.keys().map(String::as_str),
                        "name a file below the theme's static/ folder, e.g. `asset(path='style.css')`",
                    ),
                )),
            }
        },
    );
}

/// `page_data(path="faq.md", heading_offset=1, id_prefix="g-faq-")`: another page's whole
/// `page` object ([`PageContext`](crate::render::context::PageContext)), its body rendered for
/// embedding in the page calling it: headings shifted down by `heading_offset` (0 to 5, default
/// 0), heading and footnote ids and the same-page links to them prefixed with `id_prefix`
/// (default none).
fn register_page_data(tera: &mut Tera, site: &Arc<Site>) {
    let pages = Arc::clone(site);
    let contexts: Mutex<HashMap<(ContentPath, String, u8, String), Value>> = Mutex::default();
    tera.register_function(
        "page_data",
        move |kwargs: Kwargs, state: &State| -> tera::TeraResult<Value> {
            let path = ContentPath::of(kwargs.must_get::<&str>("path")?);
            let offset = kwargs.get::<i64>("heading_offset")?.unwrap_or(0);
            let prefix = kwargs.get::<&str>("id_prefix")?.unwrap_or_default();
            let offset = u8::try_from(offset)
                .ok()
                .filter(|o| *o <= 5)
                .ok_or_else(|| {
                    tera::Error::message(format!(
                        "page_data(): heading_offset must be 0 to 5, not {offset}"
                    ))
                })?;
            // Its content's links are relative to the page showing it, so one value per page,
            // depth and embedding serves every caller: a template listing a section on each of
            // its pages stays linear in the number of pages.
            let shown_on = page_field(state, "route");
            let root = if shown_on.is_empty() || shown_on.ends_with('/') {
                url::relative_root(&shown_on)
            } else {
                // The 404 page is served at any depth: its links start from the site's path.
                url::site_path(&pages.config.base_url)
            };
            let key = (path.clone(), root.clone(), offset, prefix.to_string());
            let mut cache = contexts.lock();
            if let Some(value) = cache.get(&key) {
                return Ok(value.clone());
            }
            let Some(page) = pages.page(&path) else {
                return Err(no_such_page("page_data", &path, &pages));
            };
            let embedding = markdown::Embedding {
                heading_offset: offset,
                id_prefix: prefix,
            };
            let body = markdown::body_html(page, &root, embedding)
                .map_err(|changed| tera::Error::message(changed.message))?;
            let context = page_context(&pages, page, &body, &Reads::everything());
            let value = Value::from_serializable(&context);
            cache.insert(key, value.clone());
            Ok(value)
        },
    );
}

/// `compensation_chart()`: the range chart of `data/compensation.toml` as inline HTML and SVG,
/// marked safe (Tera does not escape it), drawn once per build; an error without that file.
fn register_compensation_chart(tera: &mut Tera, site: &Site) {
    let chart = compensation_chart(site);
    tera.register_function(
        "compensation_chart",
        move |_: Kwargs, _: &State| -> tera::TeraResult<Value> {
            match &chart {
                Some(svg) => Ok(Value::safe_string(svg)),
                None => Err(tera::Error::message(
                    "compensation_chart(): there is no content/data/compensation.toml",
                )),
            }
        },
    );
}

/// `url()` or `page_data()` asked for a page the site does not have.
fn no_such_page(function: &str, path: &str, site: &Site) -> tera::Error {
    tera_errors::function_error(
        format!("{function}(): page `{path}` does not exist"),
        suggest(
            path,
            site.pages.iter().map(|page| page.path.as_str()),
            "name a page by its path below content/, e.g. `phases/junior.md`",
        ),
    )
}

/// A text field of the `page` being rendered (`route`, `template`); empty where there is none
/// (the 404 page has no route).
fn page_field(state: &State, field: &str) -> String {
    state
        .get::<Value>("page")
        .ok()
        .flatten()
        .and_then(|page| {
            page.get_from_path(field)
                .and_then(|value| value.as_str())
                .map(str::to_string)
        })
        .unwrap_or_default()
}

/// The chart's markup, with its accessible title and description (every range in words);
/// `None` without `data/compensation.toml`.
fn compensation_chart(site: &Site) -> Option<String> {
    let compensation = site.data.compensation.as_ref()?;
    let bars: Vec<chart::Bar> = compensation
        .rows(site.data.ladder.as_ref())
        .into_iter()
        .map(|(_, name, range)| chart::Bar {
            label: name,
            range: range.map(|r| (r.min, r.max)),
        })
        .collect();
    let description = bars
        .iter()
        .map(|bar| match bar.range {
            Some((min, max)) => format!(
                "{}: {} to {}",
                bar.label,
                chart::money(min, &compensation.currency),
                chart::money(max, &compensation.currency)
            ),
            None => format!("{}: no published range", bar.label),
        })
        .collect::<Vec<_>>()
        .join("; ");
    let title = format!(
        "Compensation ranges by level ({}, {})",
        compensation.region, compensation.currency
    );
    Some(chart::compensation(
        &bars,
        &compensation.currency,
        &title,
        &description,
    ))
}
