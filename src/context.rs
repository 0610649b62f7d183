//! What a template sees of the site and the page: `site`, `page` (with its section's pages,
//! neighbours, breadcrumbs and edit link) and `menu`, as `Serialize` structs borrowed from the `Site`.
//! URLs carry `ROOT_MARKER`; `render` makes them relative once the page is rendered.

use serde::Serialize;

use crate::model::{Page, ROOT_MARKER, Site, TocEntry, route_of};

/// The template a page uses when its front matter names none.
pub(crate) fn default_template(page: &Page) -> &'static str {
    if page.is_section() {
        "section.html"
    } else {
        "page.html"
    }
}

#[derive(Serialize)]
pub(crate) struct SiteContext<'a> {
    pub(crate) title: &'a str,
    pub(crate) description: &'a str,
    pub(crate) language: &'a str,
    pub(crate) base_url: &'a str,
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

/// Characters a path segment cannot carry as they are (RFC 3986 `pchar`, minus `%` itself).
const PATH_SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// `https://…/edit/main/{path}` + `content/faq.md` → `https://…/edit/main/content/faq.md`; a
/// template without `{path}` gets the path appended.
pub(crate) fn edit_url(template: &str, source: &str) -> String {
    let path: Vec<String> = source
        .split('/')
        .map(|segment| percent_encoding::utf8_percent_encode(segment, PATH_SEGMENT).to_string())
        .collect();
    let path = path.join("/");
    if template.contains("{path}") {
        template.replace("{path}", &path)
    } else if template.ends_with('/') {
        format!("{template}{path}")
    } else {
        format!("{template}/{path}")
    }
}

/// Where a page's links are made relative from; the URL of its `index.html`.
pub(crate) fn page_url(route: &str) -> String {
    format!("{ROOT_MARKER}{route}index.html")
}

/// The relative prefix from a route to the site root: `""`, `"../"`, `"../../"`.
pub(crate) fn relative_root(route: &str) -> String {
    "../".repeat(route.matches('/').count())
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

pub(crate) fn page_context<'a>(site: &'a Site, page: &'a Page) -> PageContext<'a> {
    let children: Vec<Summary> = if page.is_section() {
        site.children_of(&page.route).map(summary).collect()
    } else {
        Vec::new()
    };
    let (previous, next) = match page.parent_route() {
        Some(parent) if !page.is_section() => {
            let siblings: Vec<&Page> = site
                .children_of(&parent)
                .filter(|p| !p.is_section())
                .collect();
            let at = siblings.iter().position(|p| p.path == page.path);
            (
                at.and_then(|i| i.checked_sub(1))
                    .map(|i| summary(siblings[i])),
                at.and_then(|i| siblings.get(i + 1)).map(|p| summary(p)),
            )
        }
        _ => (None, None),
    };
    let mut breadcrumbs = Vec::new();
    if !page.route.is_empty() {
        if let Some(home) = site.page_at("") {
            breadcrumbs.push(Crumb {
                title: &home.front.title,
                url: page_url(""),
            });
        }
        let mut route = String::new();
        let parts: Vec<&str> = page.route.trim_end_matches('/').split('/').collect();
        for part in &parts[..parts.len() - 1] {
            route.push_str(part);
            route.push('/');
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
        extra: &page.front.extra,
        route: &page.route,
        source: &page.file.path,
        permalink: format!("{}{}", site.config.base_url, page.route),
        content: &page.content,
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
            .map(|template| edit_url(template, &page.file.path)),
    }
}

pub(crate) fn menu<'a>(site: &'a Site, current: &str) -> Vec<MenuEntry<'a>> {
    site.config
        .menu
        .iter()
        .map(|item| {
            let route = route_of(&item.page.path);
            MenuEntry {
                title: &item.title,
                current: route == current || (!route.is_empty() && current.starts_with(&route)),
                url: page_url(&route),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

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
