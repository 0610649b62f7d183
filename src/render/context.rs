//! What a template sees of the site and the page: `site` ([`SiteContext`]), `page`
//! ([`PageContext`], with its section's pages, neighbours, breadcrumbs and edit link) and `menu`
//! ([`MenuEntry`]), as `Serialize` structs borrowed from the [`Site`]. URLs come from
//! [`crate::model::url`] and carry its root marker ([`url::ROOT_MARKER`]); [`crate::render`]
//! makes them relative per page as it writes (a field documented as "relative" below reads
//! `"../../faq/index.html"` in the page). Previous and next follow the reading order
//! ([`crate::check::reading_order`]): the menu first, then every other page by section and weight.
//! `data` is [`crate::render::view`]'s; docs/templates.md lists the whole context.
#![warn(clippy::missing_docs_in_private_items)]

use std::collections::HashMap;

use serde::Serialize;

use crate::check::reading_order::reading_order;
use crate::model::url::{self, Route, SiteUrl};
use crate::model::{Page, Site, TocEntry};
use crate::theme::default_template;
use crate::theme::reads::Reads;

/// `site`: `content/site.toml`'s top-level keys, the same on every page.
#[derive(Serialize)]
pub(crate) struct SiteContext<'a> {
    /// `site.title`: `"SRE Career Guide"`.
    pub(crate) title: &'a str,
    /// `site.description`: one sentence about the site.
    pub(crate) description: &'a str,
    /// `site.language`: `"en"`, for `<html lang>`.
    pub(crate) language: &'a str,
    /// `site.base_url`: absolute, ending with `/` (`"https://sre-guide.example.org/"`); after
    /// `--base-url` if given.
    pub(crate) base_url: &'a str,
    /// `[offline] enabled`: the build publishes `sw.js` for the theme to register.
    pub(crate) offline: bool,
}

/// Another page in brief, as `page.pages[]`, `page.previous` and `page.next` show it:
/// `{title, description, url, route, weight, extra}`.
#[derive(Serialize, Clone)]
pub(crate) struct Summary<'a> {
    /// Its front matter `title`: `"Phase 1: Junior SRE"`.
    pub(crate) title: &'a str,
    /// Its front matter `description`; `""` when it has none.
    pub(crate) description: &'a str,
    /// Its URL relative to the page being rendered: `"../../phases/junior/index.html"` from
    /// `phases/senior/`.
    pub(crate) url: String,
    /// Where it is published: `"phases/junior/"` (`""` for the home page).
    pub(crate) route: &'a str,
    /// Its front matter `weight`: `1`.
    pub(crate) weight: i64,
    /// Its front matter `[extra]` table: `{"level": "junior"}`, `{}` when it has none.
    pub(crate) extra: &'a serde_json::Value,
}

/// One step of `page.breadcrumbs`: `{title: "The four phases", url: "../../phases/index.html"}`.
#[derive(Serialize)]
pub(crate) struct Crumb<'a> {
    /// The page's title: `"The four phases"`.
    pub(crate) title: &'a str,
    /// Its URL relative to the page being rendered: `"../../phases/index.html"` from
    /// `phases/junior/`.
    pub(crate) url: String,
}

/// One entry of `menu` (`site.toml`'s `[[menu]]`): `{title: "Phases", url: "…", current: true}`.
#[derive(Serialize)]
pub(crate) struct MenuEntry<'a> {
    /// The menu entry's `title`: `"Phases"`.
    pub(crate) title: &'a str,
    /// Its page's URL relative to the page being rendered: `"phases/index.html"` from the home
    /// page.
    pub(crate) url: String,
    /// Whether the page being rendered is this entry's page or below its section (`true` for
    /// "Phases" on `phases/junior/`).
    pub(crate) current: bool,
}

/// `page`: the page being rendered. A quiz result page has its quiz page's, with its own
/// `title`, `description`, `route`, `permalink` and `template`, empty `content` and `toc`, and the
/// quiz page added to `breadcrumbs`; the 404 page has only `title` (`"Page not found"`),
/// `template`, `route` (`"404.html"`) and `permalink`, every other field empty, zero or false.
#[derive(Serialize)]
pub(crate) struct PageContext<'a> {
    /// `page.title`, from front matter: `"Phase 1: Junior SRE"`.
    pub(crate) title: &'a str,
    /// `page.description`, from front matter; `""` when it has none.
    pub(crate) description: &'a str,
    /// `page.template`: the template rendering it, from front matter or the default
    /// (`"phase.html"`; `"page.html"`, `"section.html"` for an `_index.md`).
    pub(crate) template: &'a str,
    /// `page.weight`, from front matter: `1` (`0` when it has none).
    pub(crate) weight: i64,
    /// Marked `draft = true` (present only with `--drafts`); the theme shows a banner.
    pub(crate) draft: bool,
    /// `page.extra`: the front matter's `[extra]` table as written (`{"level": "junior"}`),
    /// `{}` when it has none.
    pub(crate) extra: &'a serde_json::Value,
    /// `page.route`: where the page is published below the site root, `"phases/junior/"`;
    /// `""` for the home page.
    pub(crate) route: &'a str,
    /// `page.source`: its file relative to the site root, `"content/phases/junior.md"`.
    pub(crate) source: &'a str,
    /// `page.permalink`: absolute, from `base_url`, as a folder:
    /// `"https://sre-guide.example.org/phases/junior/"`.
    pub(crate) permalink: String,
    /// `page.content`: the body's HTML, its links already relative to this page. Tera escapes
    /// it unless the template marks it: `{{ page.content | safe }}`.
    pub(crate) content: &'a str,
    /// `page.toc`: the `##`–`######` headings, nested (see [`TocEntry`]).
    pub(crate) toc: &'a [TocEntry],
    /// `page.word_count`: words in the body (code included): `830`.
    pub(crate) word_count: usize,
    /// `page.reading_minutes`: `word_count` at 200 words a minute, rounded up, at least `1`.
    pub(crate) reading_minutes: usize,
    /// `page.is_section`: whether the page is a section's `_index.md`.
    pub(crate) is_section: bool,
    /// `page.pages`: a section's own pages (not those of sections below it), by weight then
    /// path; empty for any other page.
    pub(crate) pages: Vec<Summary<'a>>,
    /// `page.previous`: the page before this one in reading order; none for the first.
    pub(crate) previous: Option<Summary<'a>>,
    /// `page.next`: the page after this one in reading order; none for the last.
    pub(crate) next: Option<Summary<'a>>,
    /// `page.breadcrumbs`: the home page, then each section above this page, outermost first
    /// (not the page itself); empty on the home page.
    pub(crate) breadcrumbs: Vec<Crumb<'a>>,
    /// `page.edit_url`: where to edit the page's source, from `site.toml`'s `edit_url`
    /// (`"https://github.com/you/guide/edit/main/content/faq.md"`); none without one.
    pub(crate) edit_url: Option<String>,
}

/// A page's URL for templates (marked; `render` makes it relative to the page it lands on).
pub(crate) fn page_url(route: &Route) -> String {
    SiteUrl::page(route).marked()
}

/// `page` in brief, for another page's `pages`, `previous` or `next`.
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

/// The template `page` renders with: its front matter's `template`, else the default for its
/// kind ([`default_template`]).
pub(crate) fn template_of(page: &Page) -> &str {
    page.front
        .template
        .as_ref()
        .map_or(default_template(page), |(name, _)| name.as_str())
}

/// The context a template sees as `page`, showing `content` as the page's body HTML. Of the
/// fields that take work to make (`toc`, `pages`, `previous`, `next`, `breadcrumbs`,
/// `permalink`, `edit_url`), only those the theme `reads` are made; the others stay empty.
pub(crate) fn page_context<'a>(
    site: &'a Site,
    page: &'a Page,
    content: &'a str,
    reads: &Reads,
) -> PageContext<'a> {
    let children: Vec<Summary> = if page.is_section() && reads.page_field("pages") {
        site.children_of(&page.route).map(summary).collect()
    } else {
        Vec::new()
    };
    let (previous, next) = if reads.page_field("previous") || reads.page_field("next") {
        neighbours(site, page)
    } else {
        (None, None)
    };
    let mut breadcrumbs = Vec::new();
    if !page.route.is_empty() && reads.page_field("breadcrumbs") {
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
        permalink: if reads.page_field("permalink") {
            SiteUrl::folder(&page.route).absolute(&site.config.base_url)
        } else {
            String::new()
        },
        content,
        toc: if reads.page_field("toc") {
            &page.toc
        } else {
            &[]
        },
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
            .filter(|_| reads.page_field("edit_url"))
            .map(|template| url::edit_url(template, &page.file.path)),
    }
}

/// `page`'s previous and next pages in reading order, worked out for the whole site on first
/// use ([`Site::reading`]).
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

/// `menu` as seen from the page at route `current`.
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
