//! The functions templates call: `url` (a checked link to a page, anchors checked after
//! rendering), `asset` (a static file's fingerprinted URL), `page_data` (another page's context)
//! and `compensation_chart` (the SVG from `chart.rs`). Registered on a clone of the theme's Tera.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError};

use tera::{Kwargs, State, Tera, Value};

use crate::chart;
use crate::context::page_context;
use crate::markdown;
use crate::model::Site;
use crate::theme::Theme;
use crate::url::{self, SiteUrl};

/// A link a template asked `url()` for that carries an anchor, checked once all pages exist.
pub(crate) struct AnchorRequest {
    pub(crate) template: String,
    pub(crate) written: String,
    pub(crate) page: String,
    pub(crate) anchor: String,
}

pub(crate) fn register(
    tera: &mut Tera,
    site: &Arc<Site>,
    theme: &Theme,
    requests: &Arc<Mutex<Vec<AnchorRequest>>>,
) {
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
            let path = path.trim_start_matches('/');
            let Some(page) = pages.page(path) else {
                let near = crate::diagnostic::did_you_mean(
                    path,
                    pages.pages.iter().map(|p| p.path.as_str()),
                );
                let hint = near.map_or(String::new(), |n| format!("; did you mean `{n}`?"));
                return Err(tera::Error::message(format!(
                    "url(): page `{path}` does not exist{hint}"
                )));
            };
            let mut url = SiteUrl::page(&page.route);
            if let Some(anchor) = anchor {
                url = url.fragment(anchor);
                let template = state
                    .get::<Value>("page")
                    .ok()
                    .flatten()
                    .and_then(|p| {
                        p.get_from_path("template")
                            .and_then(|t| t.as_str())
                            .map(str::to_string)
                    })
                    .unwrap_or_default();
                anchors
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(AnchorRequest {
                        template,
                        written: written.clone(),
                        page: page.path.clone(),
                        anchor: anchor.to_string(),
                    });
            }
            Ok(url.marked())
        },
    );

    let assets: BTreeMap<String, String> = theme
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
                None => {
                    let near =
                        crate::diagnostic::did_you_mean(path, assets.keys().map(String::as_str));
                    let hint = near.map_or(String::new(), |n| format!("; did you mean `{n}`?"));
                    Err(tera::Error::message(format!(
                        "asset(): the theme has no static/{path}{hint}"
                    )))
                }
            }
        },
    );

    let pages = Arc::clone(site);
    let contexts: Mutex<HashMap<(String, String), Value>> = Mutex::default();
    tera.register_function(
        "page_data",
        move |kwargs: Kwargs, state: &State| -> tera::TeraResult<Value> {
            let path = kwargs.must_get::<&str>("path")?.trim_start_matches('/');
            // Its content's links are relative to the page showing it, so one value per page
            // and depth serves every caller: a template listing a section on each of its pages
            // stays linear in the number of pages.
            let shown_on = state
                .get::<Value>("page")
                .ok()
                .flatten()
                .and_then(|p| {
                    p.get_from_path("route")
                        .and_then(|r| r.as_str())
                        .map(str::to_string)
                })
                .unwrap_or_default();
            let root = if shown_on.is_empty() || shown_on.ends_with('/') {
                url::relative_root(&shown_on)
            } else {
                // The 404 page is served at any depth: its links start from the site's path.
                url::site_path(&pages.config.base_url)
            };
            let key = (path.to_string(), root.clone());
            let mut cache = contexts.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(value) = cache.get(&key) {
                return Ok(value.clone());
            }
            match pages.page(path) {
                Some(page) => {
                    let mut context = page_context(&pages, page);
                    let content;
                    if root != page.route.relative_root() {
                        // Problems in the body were reported when the page itself was rendered.
                        let rendered = markdown::render_at(
                            &page.file,
                            page.body_start,
                            &page.path,
                            &root,
                            &mut Vec::new(),
                        );
                        content = rendered.html;
                        context.content = &content;
                    }
                    let value = Value::from_serializable(&context);
                    cache.insert(key, value.clone());
                    Ok(value)
                }
                None => Err(tera::Error::message(format!(
                    "page_data(): page `{path}` does not exist"
                ))),
            }
        },
    );

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
