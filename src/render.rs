//! `Site` + `Theme` → `Output`: every page through its template, the quiz result pages, the 404
//! page, sitemap.xml, robots.txt, theme and content assets — all in memory. Never touches the
//! filesystem. Internal URLs are written with `ROOT_MARKER` and made relative per page at the end,
//! so one template context serves every depth.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde::Serialize;
use tera::{Context, Kwargs, State, Tera, Value};

use crate::chart;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::links::{self, PageIds};
use crate::model::{Page, ROOT_MARKER, Site, TocEntry, route_of};
use crate::theme::{self, Theme};

/// The files a build publishes, sorted by path.
#[derive(Debug, Default)]
pub(crate) struct Output {
    pub(crate) files: Vec<OutputFile>,
}

#[derive(Debug)]
pub(crate) struct OutputFile {
    /// Below the output root, with `/` separators: `phases/junior/index.html`.
    pub(crate) path: String,
    pub(crate) bytes: Vec<u8>,
}

#[allow(dead_code)] // `serve` (issue 5) looks files up by path
impl Output {
    pub(crate) fn get(&self, path: &str) -> Option<&OutputFile> {
        self.files
            .binary_search_by(|file| file.path.as_str().cmp(path))
            .ok()
            .map(|i| &self.files[i])
    }
}

/// The template a page uses when its front matter names none.
pub(crate) fn default_template(page: &Page) -> &'static str {
    if page.is_section() {
        "section.html"
    } else {
        "page.html"
    }
}

#[derive(Serialize)]
struct SiteContext<'a> {
    title: &'a str,
    description: &'a str,
    language: &'a str,
    base_url: &'a str,
}

#[derive(Serialize, Clone)]
struct Summary<'a> {
    title: &'a str,
    description: &'a str,
    url: String,
    route: &'a str,
    weight: i64,
    extra: &'a serde_json::Value,
}

#[derive(Serialize)]
struct Crumb<'a> {
    title: &'a str,
    url: String,
}

#[derive(Serialize)]
struct MenuEntry<'a> {
    title: &'a str,
    url: String,
    current: bool,
}

#[derive(Serialize)]
struct PageContext<'a> {
    title: &'a str,
    description: &'a str,
    template: &'a str,
    weight: i64,
    extra: &'a serde_json::Value,
    route: &'a str,
    source: &'a str,
    permalink: String,
    content: &'a str,
    toc: &'a [TocEntry],
    word_count: usize,
    reading_minutes: usize,
    is_section: bool,
    pages: Vec<Summary<'a>>,
    previous: Option<Summary<'a>>,
    next: Option<Summary<'a>>,
    breadcrumbs: Vec<Crumb<'a>>,
}

/// Where a page's links are made relative from; the URL of its `index.html`.
fn page_url(route: &str) -> String {
    format!("{ROOT_MARKER}{route}index.html")
}

/// The relative prefix from a route to the site root: `""`, `"../"`, `"../../"`.
fn relative_root(route: &str) -> String {
    "../".repeat(route.matches('/').count())
}

fn summary(page: &Page) -> Summary<'_> {
    Summary {
        title: &page.front.title,
        description: &page.front.description,
        url: page_url(&page.route),
        route: &page.route,
        weight: page.front.weight,
        extra: &page.front.extra,
    }
}

fn template_of(page: &Page) -> &str {
    page.front
        .template
        .as_ref()
        .map_or(default_template(page), |(name, _)| name.as_str())
}

fn by_weight(mut pages: Vec<&Page>) -> Vec<&Page> {
    pages.sort_by(|a, b| (a.front.weight, &a.path).cmp(&(b.front.weight, &b.path)));
    pages
}

fn page_context<'a>(site: &'a Site, page: &'a Page) -> PageContext<'a> {
    let parent = page.parent_route();
    let children = if page.is_section() {
        by_weight(
            site.pages
                .iter()
                .filter(|p| p.parent_route().as_deref() == Some(&page.route))
                .collect(),
        )
    } else {
        Vec::new()
    };
    let (previous, next) = if page.is_section() {
        (None, None)
    } else {
        let siblings = by_weight(
            site.pages
                .iter()
                .filter(|p| !p.is_section() && p.parent_route() == parent && !p.route.is_empty())
                .collect(),
        );
        let at = siblings.iter().position(|p| p.path == page.path);
        (
            at.and_then(|i| i.checked_sub(1))
                .map(|i| summary(siblings[i])),
            at.and_then(|i| siblings.get(i + 1)).map(|p| summary(p)),
        )
    };
    let mut breadcrumbs = Vec::new();
    if !page.route.is_empty() {
        let mut route = String::new();
        if let Some(home) = site.pages.iter().find(|p| p.route.is_empty()) {
            breadcrumbs.push(Crumb {
                title: &home.front.title,
                url: page_url(""),
            });
        }
        let parts: Vec<&str> = page.route.trim_end_matches('/').split('/').collect();
        for part in &parts[..parts.len() - 1] {
            route.push_str(part);
            route.push('/');
            if let Some(section) = site.pages.iter().find(|p| p.route == route) {
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
        pages: children.into_iter().map(summary).collect(),
        previous,
        next,
        breadcrumbs,
    }
}

fn menu<'a>(site: &'a Site, current: &str) -> Vec<MenuEntry<'a>> {
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

/// A link a template asked `url()` for that carries an anchor, checked once all pages exist.
struct AnchorRequest {
    template: String,
    written: String,
    page: String,
    anchor: String,
}

pub(crate) fn site(site: &Arc<Site>, theme: &Theme) -> Result<Output, Diagnostics> {
    let mut tera = theme.tera.clone();
    let requests: Arc<Mutex<Vec<AnchorRequest>>> = Arc::default();
    register_functions(&mut tera, site, theme, &requests);
    let data = crate::view::data(site);
    tera.global_context().insert(
        "site",
        &SiteContext {
            title: &site.config.title,
            description: &site.config.description,
            language: &site.config.language,
            base_url: &site.config.base_url,
        },
    );
    tera.global_context().insert_value("data", data.clone());
    tera.global_context()
        .insert("root", &ROOT_MARKER.to_string());

    let mut out = Diagnostics::default();
    let mut files = Vec::new();
    let mut ids = PageIds::new();
    let rendered = render_pages(site, &tera, theme);
    for (page, result) in site.pages.iter().zip(rendered) {
        match result {
            Ok(html) => {
                ids.insert(page.path.clone(), links::ids_in(&html));
                files.push(OutputFile {
                    path: format!("{}index.html", page.route),
                    bytes: relative_urls(&html, &relative_root(&page.route)).into_bytes(),
                });
            }
            Err(diagnostic) => out.push(diagnostic),
        }
    }
    extra_pages(site, &tera, theme, &data, &mut files, &mut out);
    out.extend(links::anchors(site, &ids));
    for request in requests
        .lock()
        .expect("no render thread panics holding the lock")
        .iter()
    {
        let known = ids
            .get(&request.page)
            .is_some_and(|ids| ids.contains(&request.anchor));
        if !known {
            let file = theme.templates.get(&request.template);
            let diagnostic = match file.and_then(|f| f.text.find(&request.written).map(|i| (f, i)))
            {
                Some((file, i)) => Diagnostic::at(
                    file,
                    i..i + request.written.len(),
                    format!("`{}` has no anchor `#{}`", request.page, request.anchor),
                ),
                None => Diagnostic::in_file(
                    format!("templates/{}", request.template),
                    format!(
                        "url(path=\"{}\"): `{}` has no anchor `#{}`",
                        request.written, request.page, request.anchor
                    ),
                ),
            };
            out.push(diagnostic.help("link to an id the target page has"));
        }
    }
    if !out.is_empty() {
        return Err(out);
    }

    for file in theme.assets.values() {
        files.push(OutputFile {
            path: file.published.clone(),
            bytes: file.bytes.clone(),
        });
    }
    for asset in &site.assets {
        match std::fs::read(&asset.source) {
            Ok(bytes) => files.push(OutputFile {
                path: asset.path.clone(),
                bytes,
            }),
            Err(error) => out.push(Diagnostic::in_file(
                format!("content/{}", asset.path),
                format!("cannot read: {error}"),
            )),
        }
    }
    files.push(sitemap(site, &files));
    files.push(OutputFile {
        path: "robots.txt".into(),
        bytes: format!(
            "User-agent: *\nAllow: /\nSitemap: {}sitemap.xml\n",
            site.config.base_url
        )
        .into_bytes(),
    });
    files.sort_by(|a, b| a.path.cmp(&b.path));
    out.into_result()?;
    Ok(Output { files })
}

/// Renders every page, split across the machine's cores; results keep the pages' order.
fn render_pages(site: &Site, tera: &Tera, theme: &Theme) -> Vec<Result<String, Diagnostic>> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    let chunk = site.pages.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let workers: Vec<_> = site
            .pages
            .chunks(chunk)
            .map(|pages| {
                scope.spawn(move || {
                    pages
                        .iter()
                        .map(|page| render_page(site, tera, theme, page))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| worker.join().expect("rendering never panics"))
            .collect()
    })
}

fn render_page(site: &Site, tera: &Tera, theme: &Theme, page: &Page) -> Result<String, Diagnostic> {
    let mut context = Context::new();
    context.insert("page", &page_context(site, page));
    context.insert("menu", &menu(site, &page.route));
    if let Some((level_id, _)) = &page.front.level
        && let Some(ladder) = &site.data.ladder
    {
        let views = crate::view::ladder(site, ladder);
        if let Some(level) = views.levels.iter().find(|l| l.id == *level_id) {
            context.insert("level", level);
        }
        if let Some(phase) = views.phases.iter().find(|p| p.level == *level_id) {
            context.insert("phase", phase);
        }
    }
    render_template(tera, theme, template_of(page), &context, &page.file.path)
}

fn render_template(
    tera: &Tera,
    theme: &Theme,
    template: &str,
    context: &Context,
    for_page: &str,
) -> Result<String, Diagnostic> {
    tera.render(template, context).map_err(|error| {
        let diagnostic = theme::template_error(&theme.templates, &error)
            .unwrap_or_else(|| Diagnostic::in_file(for_page, error.to_string()));
        let help = format!("while rendering {for_page}");
        match diagnostic.help {
            Some(_) => diagnostic,
            None => diagnostic.help(help),
        }
    })
}

/// Replaces the root marker with the page's relative root.
fn relative_urls(html: &str, root: &str) -> String {
    html.replace(ROOT_MARKER, root)
}

/// The quiz's static result pages and the 404 page.
fn extra_pages(
    site: &Site,
    tera: &Tera,
    theme: &Theme,
    data: &Value,
    files: &mut Vec<OutputFile>,
    out: &mut Diagnostics,
) {
    let _ = data;
    if let Some(quiz) = &site.data.quiz
        && theme.templates.contains_key("quiz-result.html")
    {
        let views = crate::view::quiz(site, quiz);
        for quiz_page in site.pages.iter().filter(|p| template_of(p) == "quiz.html") {
            for rule in &views.rules {
                let route = format!("{}{}/", quiz_page.route, rule.id);
                let mut context = Context::new();
                let mut page = page_context(site, quiz_page);
                page.permalink = format!("{}{}", site.config.base_url, route);
                page.route = &route;
                page.template = "quiz-result.html";
                let mut crumbs = page.breadcrumbs;
                crumbs.push(Crumb {
                    title: &quiz_page.front.title,
                    url: page_url(&quiz_page.route),
                });
                page.breadcrumbs = crumbs;
                context.insert("page", &page);
                context.insert("menu", &menu(site, &quiz_page.route));
                context.insert("result", rule);
                match render_template(
                    tera,
                    theme,
                    "quiz-result.html",
                    &context,
                    &quiz_page.file.path,
                ) {
                    Ok(html) => files.push(OutputFile {
                        path: format!("{route}index.html"),
                        bytes: relative_urls(&html, &relative_root(&route)).into_bytes(),
                    }),
                    Err(diagnostic) => out.push(diagnostic),
                }
            }
        }
    }
    if theme.templates.contains_key("404.html") {
        // A 404 page is served at any depth, so its links start from the site's path.
        let root = site_path(&site.config.base_url);
        let toc = Vec::new();
        let extra = serde_json::Value::Object(Default::default());
        let page = PageContext {
            title: "Page not found",
            description: "",
            template: "404.html",
            weight: 0,
            extra: &extra,
            route: "404.html",
            source: "",
            permalink: format!("{}404.html", site.config.base_url),
            content: "",
            toc: &toc,
            word_count: 0,
            reading_minutes: 0,
            is_section: false,
            pages: Vec::new(),
            previous: None,
            next: None,
            breadcrumbs: Vec::new(),
        };
        let mut context = Context::new();
        context.insert("page", &page);
        context.insert("menu", &menu(site, "404.html"));
        match render_template(tera, theme, "404.html", &context, "404.html") {
            Ok(html) => files.push(OutputFile {
                path: "404.html".into(),
                bytes: relative_urls(&html, &root).into_bytes(),
            }),
            Err(diagnostic) => out.push(diagnostic),
        }
    }
}

/// `https://example.org/guide/` → `/guide/`.
fn site_path(base_url: &str) -> String {
    match base_url.split_once("://") {
        Some((_, rest)) => rest
            .find('/')
            .map_or("/".to_string(), |i| rest[i..].to_string()),
        None if base_url.starts_with('/') => base_url.to_string(),
        None => "/".to_string(),
    }
}

fn sitemap(site: &Site, files: &[OutputFile]) -> OutputFile {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let mut routes: Vec<&str> = files
        .iter()
        .filter_map(|f| f.path.strip_suffix("index.html"))
        .collect();
    routes.sort_unstable();
    for route in routes {
        let mut loc = String::new();
        pulldown_cmark_escape::escape_html(&mut loc, &format!("{}{route}", site.config.base_url))
            .expect("writing to a String cannot fail");
        xml.push_str(&format!("  <url><loc>{loc}</loc></url>\n"));
    }
    xml.push_str("</urlset>\n");
    OutputFile {
        path: "sitemap.xml".into(),
        bytes: xml.into_bytes(),
    }
}

fn register_functions(
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
            let mut url = page_url(&page.route);
            if let Some(anchor) = anchor {
                url.push('#');
                url.push_str(anchor);
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
                    .expect("no render thread panics holding the lock")
                    .push(AnchorRequest {
                        template,
                        written: written.clone(),
                        page: page.path.clone(),
                        anchor: anchor.to_string(),
                    });
            }
            Ok(url)
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
                Some(published) => Ok(format!("{ROOT_MARKER}{published}")),
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
    tera.register_function(
        "page_data",
        move |kwargs: Kwargs, _: &State| -> tera::TeraResult<Value> {
            let path = kwargs.must_get::<&str>("path")?.trim_start_matches('/');
            match pages.page(path) {
                Some(page) => Ok(Value::from_serializable(&page_context(&pages, page))),
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
    let ladder = site.data.ladder.as_ref();
    let names: Vec<(String, String)> = match ladder {
        Some(ladder) => ladder
            .levels
            .iter()
            .map(|l| (l.id.clone(), l.name.clone()))
            .collect(),
        None => compensation
            .ranges
            .iter()
            .map(|r| (r.level.id.clone(), r.level.id.clone()))
            .collect(),
    };
    let bars: Vec<chart::Bar> = names
        .iter()
        .map(|(id, name)| chart::Bar {
            label: name,
            range: compensation
                .ranges
                .iter()
                .find(|r| &r.level.id == id)
                .map(|r| (r.min, r.max)),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_are_relative_to_the_page_depth() {
        assert_eq!(relative_root(""), "");
        assert_eq!(relative_root("faq/"), "../");
        assert_eq!(relative_root("phases/junior/"), "../../");
        assert_eq!(
            relative_urls("<a href=\"\u{1}faq/index.html\">", "../"),
            "<a href=\"../faq/index.html\">"
        );
    }

    #[test]
    fn the_site_path_comes_from_base_url() {
        assert_eq!(site_path("https://example.org/"), "/");
        assert_eq!(site_path("https://example.org/guide/"), "/guide/");
        assert_eq!(site_path("https://example.org"), "/");
    }
}
