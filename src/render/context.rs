//! What a template sees of the site and the page: `site`, `page` (with its section's pages,
//! neighbours, breadcrumbs and edit link) and `menu`, as `Serialize` structs borrowed from the
//! `Site`. URLs come from `url.rs` and carry its root marker; `render` makes them relative per page.
//! Previous and next follow the reading order: the menu first, then every other page by section
//! and weight.

use std::collections::HashMap;

use serde::Serialize;

use crate::check::reading_order::reading_order;
use crate::model::url::{self, Route, SiteUrl};
use crate::model::{Page, Site, TocEntry};
use crate::theme::default_template;

#[derive(Serialize)]
pub(crate) struct SiteContext<'a> {
    pub(crate) title: &'a str,
    pub(crate) description: &'a str,
    pub(crate) language: &'a str,
    pub(crate) base_url: &'a str,
    /// `[offline] enabled`: the build publishes `sw.js` for the theme to register.
    pub(crate) offline: bool,
}

#[derive(Serialize, Clone)]
pub(crate) struct Summary<'a> {
    pub(crate) title: &'a str,
    pub(crate) description: &'a str,
    pub(crate) url: String,
    pub(crate) route: &'a str,
    pub(crate) weight: i64,
    pub(crate) extra: &'a serde_json::Value,
}

#[derive(Serialize)]
pub(crate) struct Crumb<'a> {
    pub(crate) title: &'a str,
    pub(crate) url: String,
}

#[derive(Serialize)]
pub(crate) struct MenuEntry<'a> {
    pub(crate) title: &'a str,
    pub(crate) url: String,
    pub(crate) current: bool,
}

#[derive(Serialize)]
pub(crate) struct PageContext<'a> {
    pub(crate) title: &'a str,
    pub(crate) description: &'a str,
    pub(crate) template: &'a str,
    pub(crate) weight: i64,
    /// Marked `draft = true` (present only with `--drafts`); the theme shows a banner.
    pub(crate) draft: bool,
    pub(crate) extra: &'a serde_json::Value,
    pub(crate) route: &'a str,
    pub(crate) source: &'a str,
    pub(crate) permalink: String,
    pub(crate) content: &'a str,
    pub(crate) toc: &'a [TocEntry],
    pub(crate) word_count: usize,
    pub(crate) reading_minutes: usize,
    pub(crate) is_section: bool,
    pub(crate) pages: Vec<Summary<'a>>,
    pub(crate) previous: Option<Summary<'a>>,
    pub(crate) next: Option<Summary<'a>>,
    pub(crate) breadcrumbs: Vec<Crumb<'a>>,
    /// Where to edit the page's source (`site.toml`'s `edit_url`); absent without one.
    pub(crate) edit_url: Option<String>,
}

/// A page's URL for templates (marked; `render` makes it relative to the page it lands on).
pub(crate) fn page_url(route: &Route) -> String {
    SiteUrl::page(route).marked()
}

pub(crate) fn summary(page: &Page) -> Summary<'_> {
    Summary {
        title: &page.front.title,
        description: &page.front.description,
        url: page_url(&page.route),
        route: &page.route,
        weight: page.front.weight,
        extra: &page.front.extra,
    }
}

pub(crate) fn template_of(page: &Page) -> &str {
    page.front
        .template
        .as_ref()
        .map_or(default_template(page), |(name, _)| name.as_str())
}

/// The context a template sees as `page`, showing `content` as the page's body HTML.
pub(crate) fn page_context<'a>(
    site: &'a Site,
    page: &'a Page,
    content: &'a str,
) -> PageContext<'a> {
    let children: Vec<Summary> = if page.is_section() {
        site.children_of(&page.route).map(summary).collect()
    } else {
        Vec::new()
    };
    let (previous, next) = neighbours(site, page);
    let mut breadcrumbs = Vec::new();
    if !page.route.is_empty() {
        if let Some(home) = site.page_at("") {
            breadcrumbs.push(Crumb {
                title: &home.front.title,
                url: page_url(&home.route),
            });
        }
        for route in page.route.ancestors() {
            if let Some(section) = site.page_at(&route) {
                breadcrumbs.push(Crumb {
                    title: &section.front.title,
                    url: page_url(&route),
                });
            }
        }
    }
    PageContext {
        title: &page.front.title,
        description: &page.front.description,
        template: template_of(page),
        weight: page.front.weight,
        draft: page.front.draft,
        extra: &page.front.extra,
        route: &page.route,
        source: &page.file.path,
        permalink: SiteUrl::folder(&page.route).absolute(&site.config.base_url),
        content,
        toc: &page.toc,
        word_count: page.word_count,
        reading_minutes: page.word_count.div_ceil(200).max(1),
        is_section: page.is_section(),
        pages: children,
        previous,
        next,
        breadcrumbs,
        edit_url: site
            .config
            .edit_url
            .as_deref()
            .map(|template| url::edit_url(template, &page.file.path)),
    }
}

fn neighbours<'a>(site: &'a Site, page: &Page) -> (Option<Summary<'a>>, Option<Summary<'a>>) {
    let links = site.reading.get_or_init(|| {
        let order = reading_order(site);
        let mut links = HashMap::new();
        for (at, &index) in order.iter().enumerate() {
            let before = at.checked_sub(1).map(|i| order[i]);
            links.insert(index, (before, order.get(at + 1).copied()));
        }
        links
    });
    let index = site
        .pages
        .binary_search_by(|p| p.path.as_str().cmp(&page.path))
        .ok();
    match index.and_then(|i| links.get(&i)) {
        Some(&(before, after)) => (
            before.map(|i| summary(&site.pages[i])),
            after.map(|i| summary(&site.pages[i])),
        ),
        None => (None, None),
    }
}

pub(crate) fn menu<'a>(site: &'a Site, current: &str) -> Vec<MenuEntry<'a>> {
    site.config
        .menu
        .iter()
        .map(|item| {
            let route = Route::of(&item.page.path);
            MenuEntry {
                title: &item.title,
                current: &*route == current || (!route.is_empty() && current.starts_with(&*route)),
                url: page_url(&route),
            }
        })
        .collect()
}
