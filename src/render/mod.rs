//! [`CheckedSite`] + [`Theme`] → every output file, handed to a [`Sink`] as it is made: every page
//! through its template, the quiz result pages, the 404 page, sitemap.xml, robots.txt, `_headers`
//! on request ([`host_headers`]), theme and content assets. Never touches the filesystem itself.
//! Template URLs carry [`crate::model::url`]'s root marker ([`ROOT_MARKER`]) and are made relative
//! per page as Tera writes it ([`Resolving`]), so one template context serves every depth. What
//! templates see: [`context`] (`site`, `page`, `menu`), [`view`] (`data`, `level`, `phase`,
//! `result`) and the functions of [`functions`], [`og_image`] and [`search`].

pub(crate) mod chart;
pub(crate) mod context;
pub(crate) mod data_files;
pub(crate) mod deadline;
pub(crate) mod functions;
pub(crate) mod host_headers;
pub(crate) mod offline;
pub(crate) mod og_image;
pub(crate) mod search;
pub(crate) mod view;

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use parking_lot::Mutex;

use sha2::Digest;
use tera::{Context, Tera};

use crate::check::CheckedSite;
use crate::check::anchors::AnchorRequest;
use crate::model::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::html::ids::{FoundIds, PageIds, page_ids, surely_unique};
use crate::model::url::{
    self, ContentPath, Generated, OutputPath, ROOT_MARKER, Resolving, Route, SiteUrl,
};
use crate::model::{LinkTarget, Page, PageKind, Quiz, Site};
use crate::output::Sink;
use crate::render::context::{
    Crumb, PageContext, SiteContext, menu, page_context, page_url, template_of,
};
use crate::theme::Theme;

/// Forwards to the sink, remembering what was written (for the sitemap) and the first failure.
struct Writer<'a> {
    sink: &'a dyn Sink,
    paths: Mutex<Vec<OutputPath>>,
    failure: Mutex<Option<anyhow::Error>>,
    /// Inline `style` attributes seen in HTML, when `_headers` must allow them by hash.
    styles: Option<Mutex<BTreeSet<String>>>,
    /// Every file's SHA-256, when the service worker must list them (`[offline]`).
    digests: Option<Mutex<Vec<offline::Digested>>>,
}

impl Writer<'_> {
    fn put(&self, path: OutputPath, bytes: Vec<u8>) {
        if let Some(styles) = &self.styles
            && path.ends_with(".html")
        {
            let mut styles = styles.lock();
            host_headers::style_attributes(&String::from_utf8_lossy(&bytes), &mut styles);
        }
        if let Some(digests) = &self.digests {
            let digest = sha2::Sha256::digest(&bytes).into();
            digests.lock().push((path.clone(), digest));
        }
        if let Err(error) = self.sink.put(&path, bytes) {
            self.failure.lock().get_or_insert(error);
        }
        self.paths.lock().push(path);
    }
}

/// What rendering produced: the files, template failures, and what the anchor stage checks. The
/// caller decides what the diagnostics mean (a site with other problems may fail to render for
/// their sake; its anchor problems are still worth reporting).
pub(crate) struct Rendered {
    /// How many files went to the sink.
    pub(crate) files: usize,
    pub(crate) templates: Diagnostics,
    /// The ids of each rendered page.
    pub(crate) ids: PageIds,
    /// The anchors templates asked `url()` for.
    pub(crate) anchor_requests: Vec<AnchorRequest>,
}

/// Renders every page and every site-wide file of `checked` with `theme` into `sink`.
pub(crate) fn site(
    checked: &CheckedSite,
    theme: &Theme,
    sink: &dyn Sink,
) -> anyhow::Result<Rendered> {
    let site = checked.site();
    crate::render::deadline::set_budget(site.config.timeout);
    let requests: Arc<Mutex<Vec<AnchorRequest>>> = Arc::default();
    let cards = crate::render::og_image::CardRequests::default();
    let search_index = sink
        .search_index()
        .then(|| crate::render::search::index(site, theme))
        .flatten();
    let tera = templates(site, theme, &requests, &cards, search_index.as_ref());
    let writer = Writer {
        sink,
        paths: Mutex::default(),
        failure: Mutex::default(),
        styles: site.config.publish_headers.then(Mutex::default),
        digests: site.config.offline.then(Mutex::default),
    };
    let (mut ids, unread, mut out) = pages(checked, &tera, theme, &writer);
    extra_pages(site, &tera, theme, &writer, &mut out);
    // Collected first: rendering again calls `url()`, which records into `requests`.
    let asked: HashSet<ContentPath> = requests
        .lock()
        .iter()
        .map(|request| request.page.clone())
        .collect();
    read_asked_ids(site, &tera, theme, &unread, &asked, &mut ids);
    for (path, png) in crate::render::og_image::cards(&cards, theme.og_font.as_ref(), sink)? {
        writer.put(path, png.to_vec());
    }
    if sink.keeps_files() {
        site_files(site, theme, search_index, &writer);
    }
    if let Some(error) = writer.failure.into_inner() {
        return Err(error);
    }
    Ok(Rendered {
        files: writer.paths.into_inner().len(),
        templates: Diagnostics(
            merge_repeats(out)
                .0
                .into_iter()
                .filter_map(|diagnostic| checked.explain(diagnostic))
                .collect(),
        ),
        ids,
        anchor_requests: std::mem::take(&mut *requests.lock()),
    })
}

/// The theme's templates with this site's functions registered and its global context set:
/// `site`, `data` and `root` (the root marker, made relative per page as it is written).
fn templates(
    site: &Arc<Site>,
    theme: &Theme,
    requests: &Arc<Mutex<Vec<AnchorRequest>>>,
    cards: &crate::render::og_image::CardRequests,
    search_index: Option<&crate::render::search::Index>,
) -> Tera {
    let mut tera = theme.tera.clone();
    functions::register(&mut tera, site, theme, requests);
    functions::register_safe(&mut tera);
    let (title, base_url) = (&site.config.title, &site.config.base_url);
    crate::render::og_image::register(&mut tera, theme.og_font.as_ref(), title, base_url, cards);
    crate::render::search::register(&mut tera, search_index);
    tera.global_context().insert(
        "site",
        &SiteContext {
            title: &site.config.title,
            description: &site.config.description,
            language: &site.config.language,
            base_url: &site.config.base_url,
            offline: site.config.offline,
        },
    );
    tera.global_context()
        .insert_value("data", crate::render::view::data(site));
    tera.global_context()
        .insert("root", &ROOT_MARKER.to_string());
    tera
}

/// Every page through its template: the ids of those whose ids were read, the pages rendered
/// without reading them, and the pages' template problems.
fn pages<'a>(
    checked: &'a CheckedSite,
    tera: &Tera,
    theme: &Theme,
    writer: &Writer,
) -> (PageIds, Vec<&'a Page>, Diagnostics) {
    let site = checked.site();
    let mut out = Diagnostics::default();
    let mut ids = PageIds::new();
    let linked = linked_into(site);
    let mut unread = Vec::new();
    for (page, result) in site
        .pages
        .iter()
        .zip(render_pages(checked, tera, theme, writer, &linked))
    {
        match result {
            Ok(PageRender::PassedOver) => {}
            Ok(PageRender::Rendered(Some(found))) => {
                ids.insert(page.path.clone(), found.ids);
                // Like a template failure, most likely an echo when other problems exist.
                out.extend(repeated_ids(page, &found.repeated));
            }
            Ok(PageRender::Rendered(None)) => unread.push(page),
            Err(diagnostic) => out.push(diagnostic),
        }
    }
    (ids, unread, out)
}

/// A template's `url(path=…#anchor)` may point into a page rendered before it was asked for:
/// render that page again (it renders the same) to read its ids.
fn read_asked_ids(
    site: &Site,
    tera: &Tera,
    theme: &Theme,
    unread: &[&Page],
    asked: &HashSet<ContentPath>,
    ids: &mut PageIds,
) {
    for page in unread.iter().filter(|page| asked.contains(&page.path)) {
        if let Ok(html) = render_guarded(site, tera, theme, page) {
            let html = String::from_utf8_lossy(&html);
            ids.insert(page.path.clone(), page_ids(&html).ids);
        }
    }
}

/// The files that come from the whole site rather than one page: the search index, static
/// files, the data files with their schemas, the sitemap, robots.txt, `_headers` and the service
/// worker. Made only for a sink that keeps them.
fn site_files(
    site: &Site,
    theme: &Theme,
    search_index: Option<crate::render::search::Index>,
    writer: &Writer,
) {
    let index_path = search_index.as_ref().map(|index| index.path.clone());
    if let Some(index) = search_index {
        writer.put(index.path, index.bytes);
    }
    for file in theme.assets.values() {
        writer.put(file.published.clone(), file.bytes.clone());
    }
    for asset in &site.assets {
        writer.put(OutputPath::content_asset(&asset.path), asset.bytes.clone());
    }
    for (path, bytes) in data_files::files(site) {
        writer.put(path, bytes);
    }
    let sitemap = sitemap(site, &writer.paths.lock());
    writer.put(OutputPath::generated(Generated::Sitemap), sitemap);
    // Crawlers read only /robots.txt: a site under a subpath cannot own it (docs/publishing.md).
    if url::site_path(&site.config.base_url) == "/" {
        let robots = format!(
            "User-agent: *\nAllow: /\nSitemap: {}\n",
            SiteUrl::file(&OutputPath::generated(Generated::Sitemap))
                .absolute(&site.config.base_url)
        );
        writer.put(
            OutputPath::generated(Generated::Robots),
            robots.into_bytes(),
        );
    }
    if let Some(styles) = &writer.styles {
        let paths = writer.paths.lock().clone();
        let styles = styles.lock();
        writer.put(
            OutputPath::generated(Generated::Headers),
            host_headers::file(&paths, theme, index_path.as_ref(), &styles).into_bytes(),
        );
    }
    // Last: it lists every other file.
    if let Some(digests) = &writer.digests {
        let worker = offline::service_worker(&digests.lock());
        writer.put(OutputPath::generated(Generated::ServiceWorker), worker);
    }
}

/// One page's render: passed over (its template is missing, already reported), or rendered, with
/// its ids when they were read.
enum PageRender {
    PassedOver,
    Rendered(Option<FoundIds>),
}

/// The pages a Markdown link points into (`page.md#anchor`, `#anchor`): their ids are read.
fn linked_into(site: &Site) -> HashSet<&str> {
    site.pages
        .iter()
        .flat_map(|page| {
            page.links
                .iter()
                .filter(|link| link.anchor.is_some())
                .filter_map(move |link| match &link.target {
                    LinkTarget::SamePage => Some(page.path.as_str()),
                    LinkTarget::Page(path) => Some(path.as_str()),
                    LinkTarget::Asset(_) => None,
                })
        })
        .collect()
}

/// Renders every page on the machine's cores, each thread taking the next page as it finishes
/// one, so a slow page never leaves a core idle; results keep the pages' order. A page's ids are
/// read (tokenized) when a link in `linked` points into it or when the quick scan cannot prove
/// them unique; otherwise they are not needed.
fn render_pages(
    checked: &CheckedSite,
    tera: &Tera,
    theme: &Theme,
    writer: &Writer,
    linked: &HashSet<&str>,
) -> Vec<Result<PageRender, Diagnostic>> {
    let site = checked.site();
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8)
        .min(site.pages.len().max(1));
    let progress = crate::render::deadline::current();
    let next = AtomicUsize::new(0);
    let render_one = |page: &Page| {
        if !checked.renders(page) || !writer.sink.renders(&page.path) {
            return Ok(PageRender::PassedOver);
        }
        let html = render_guarded(site, tera, theme, page)?;
        let ids = (linked.contains(page.path.as_str()) || !surely_unique(&html))
            .then(|| page_ids(&String::from_utf8_lossy(&html)));
        writer.put(OutputPath::page(&page.route), html);
        Ok(PageRender::Rendered(ids))
    };
    let mut results: Vec<(usize, Result<PageRender, Diagnostic>)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                let progress = progress.clone();
                let (next, render_one) = (&next, &render_one);
                scope.spawn(move || {
                    crate::render::deadline::adopt(progress);
                    let mut done = Vec::new();
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let Some(page) = site.pages.get(index) else {
                            return done;
                        };
                        done.push((index, render_one(page)));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| worker.join().expect("pages render under catch_unwind"))
            .collect()
    });
    results.sort_unstable_by_key(|(index, _)| *index);
    results.into_iter().map(|(_, result)| result).collect()
}

/// Renders one page, its URLs made relative to it; a panic inside the template engine becomes a
/// diagnostic for that page instead of taking the whole build down.
fn render_guarded(
    site: &Site,
    tera: &Tera,
    theme: &Theme,
    page: &Page,
) -> Result<Vec<u8>, Diagnostic> {
    let render = std::panic::AssertUnwindSafe(|| render_page(site, tera, theme, page));
    std::panic::catch_unwind(render).unwrap_or_else(|_| {
        Err(Diagnostic::in_file(
            Code::TemplateCrash,
            &page.file.path,
            format!("the template engine crashed while rendering `{}`", page.file.path),
        )
        .help("this is a bug in sre-guide or Tera; simplify the page's template to work around it, and report it"))
    })
}

fn render_page(
    site: &Site,
    tera: &Tera,
    theme: &Theme,
    page: &Page,
) -> Result<Vec<u8>, Diagnostic> {
    let mut context = Context::new();
    let root = page.route.relative_root();
    let content = crate::markdown::own_body_html(page)?;
    context.insert("page", &page_context(site, page, &content, &theme.reads));
    // The context holds its own copy: a long page is not held three times while it renders.
    let at_least = content.len();
    drop(content);
    if theme.reads.name("menu") {
        context.insert("menu", &menu(site, &page.route));
    }
    if let Some((level_id, _)) = &page.front.level
        && let Some(ladder) = &site.data.ladder
    {
        let views = crate::render::view::ladder(site, ladder);
        if let Some(level) = views.levels.iter().find(|l| l.id == *level_id) {
            context.insert("level", level);
        }
        if let Some(phase) = views.phases.iter().find(|p| p.level == *level_id) {
            context.insert("phase", phase);
        }
    }
    let template = template_of(page);
    let written = Written {
        page: &page.file.path,
        root: &root,
        at_least,
    };
    render_template(tera, theme, template, &context, &written)
}

/// Where a rendered template goes: the page it is for (in diagnostics), its relative root, and
/// the bytes it takes at least (its body), so a long page's buffer is not grown and copied.
struct Written<'a> {
    page: &'a str,
    root: &'a str,
    at_least: usize,
}

/// Renders `template` with its URLs made relative to `root` as it is written.
fn render_template(
    tera: &Tera,
    theme: &Theme,
    template: &str,
    context: &Context,
    written: &Written,
) -> Result<Vec<u8>, Diagnostic> {
    // Pages of a site are much alike in size: start each where the last one ended, so the
    // buffer is rarely grown (and copied) while the page is written.
    static LAST_SIZE: AtomicUsize = AtomicUsize::new(16 * 1024);
    let Written {
        page: for_page,
        root,
        at_least,
    } = *written;
    let _timed = crate::render::deadline::rendering(for_page, template);
    let last = LAST_SIZE.load(Ordering::Relaxed);
    let mut page = Resolving::new(root, (last * 9 / 8).max(at_least + last.min(1 << 20)));
    match tera.render_to(template, context, &mut page) {
        Ok(()) => {
            LAST_SIZE.store(page.bytes.len(), Ordering::Relaxed);
            Ok(page.bytes)
        }
        Err(error) => {
            let mut diagnostic =
                crate::theme::tera_errors::render_error(&theme.templates, &error, template);
            diagnostic.context = Some(format!("while rendering {for_page}"));
            Err(diagnostic)
        }
    }
}

/// A page whose rendered HTML has an id twice, most often a heading that took an id its
/// template also gives an element (a checklist item, a level). Reported at the page: the
/// template's half has no line in it.
fn repeated_ids(page: &Page, repeated: &BTreeSet<String>) -> Diagnostics {
    let mut out = Diagnostics::default();
    for id in repeated {
        out.push(
            Diagnostic::in_file(
                Code::RepeatedId,
                &page.file.path,
                format!("the page has two elements with the id `{id}`"),
            )
            .help(
                "ids must be unique on a page: give a heading with it another one with \
                 `## Heading {#other-id}`, or change the template or the data that repeats it",
            ),
        );
    }
    out
}

/// One template mistake fails every page using the template; report it once, naming one page
/// and how many others.
fn merge_repeats(diagnostics: Diagnostics) -> Diagnostics {
    let mut merged: Vec<(Diagnostic, usize)> = Vec::new();
    for diagnostic in diagnostics.0 {
        let key = |d: &Diagnostic| (d.path().to_string(), d.span().cloned(), d.message.clone());
        match merged
            .iter_mut()
            .find(|(seen, _)| key(seen) == key(&diagnostic))
        {
            Some((_, count)) => *count += 1,
            None => merged.push((diagnostic, 1)),
        }
    }
    Diagnostics(
        merged
            .into_iter()
            .map(|(mut diagnostic, count)| {
                if count > 1 {
                    let others = count - 1;
                    let plural = if others == 1 { "" } else { "s" };
                    diagnostic.context = diagnostic
                        .context
                        .map(|c| format!("{c} and {others} other page{plural}"));
                }
                diagnostic
            })
            .collect(),
    )
}

/// The quiz's static result pages and the 404 page.
fn extra_pages(site: &Site, tera: &Tera, theme: &Theme, writer: &Writer, out: &mut Diagnostics) {
    if let Some(quiz) = &site.data.quiz
        && theme.renders("quiz-result.html")
    {
        quiz_result_pages(site, quiz, tera, theme, writer, out);
    }
    if theme.renders("404.html") {
        not_found_page(site, tera, theme, writer, out);
    }
}

/// One page per routing rule below each quiz page, so a result has a URL without JavaScript.
fn quiz_result_pages(
    site: &Site,
    quiz: &Quiz,
    tera: &Tera,
    theme: &Theme,
    writer: &Writer,
    out: &mut Diagnostics,
) {
    let views = crate::render::view::quiz(site, quiz);
    for quiz_page in site.pages.iter().filter(|p| p.front.kind == PageKind::Quiz) {
        for rule in &views.rules {
            let route = quiz_page.route.below(&rule.id);
            let mut context = Context::new();
            let (title, description) =
                crate::render::view::result_summary(rule, quiz.questions.len());
            let mut page = page_context(site, quiz_page, "", &theme.reads);
            page.title = &title;
            page.description = &description;
            page.content = "";
            page.toc = &[];
            page.permalink = SiteUrl::folder(&route).absolute(&site.config.base_url);
            page.route = &*route;
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
            let written = Written {
                page: &quiz_page.file.path,
                root: &route.relative_root(),
                at_least: 0,
            };
            match render_template(tera, theme, "quiz-result.html", &context, &written) {
                Ok(html) => writer.put(OutputPath::page(&route), html),
                Err(diagnostic) => out.push(diagnostic),
            }
        }
    }
}

/// The page a host serves for a missing path (`404.html`).
fn not_found_page(site: &Site, tera: &Tera, theme: &Theme, writer: &Writer, out: &mut Diagnostics) {
    // A 404 page is served at any depth, so its links start from the site's path.
    let root = url::site_path(&site.config.base_url);
    let not_found = OutputPath::generated(Generated::NotFound);
    let toc = Vec::new();
    let extra = serde_json::Value::Object(Default::default());
    let page = PageContext {
        title: "Page not found",
        description: "",
        template: "404.html",
        weight: 0,
        draft: false,
        extra: &extra,
        route: &not_found,
        source: "",
        permalink: SiteUrl::file(&not_found).absolute(&site.config.base_url),
        content: "",
        toc: &toc,
        word_count: 0,
        reading_minutes: 0,
        is_section: false,
        pages: Vec::new(),
        previous: None,
        next: None,
        breadcrumbs: Vec::new(),
        edit_url: None,
    };
    let mut context = Context::new();
    context.insert("page", &page);
    context.insert("menu", &menu(site, &not_found));
    let written = Written {
        page: &not_found,
        root: &root,
        at_least: 0,
    };
    match render_template(tera, theme, "404.html", &context, &written) {
        Ok(html) => writer.put(not_found, html),
        Err(diagnostic) => out.push(diagnostic),
    }
}

fn sitemap(site: &Site, paths: &[OutputPath]) -> Vec<u8> {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let mut routes: Vec<Route> = paths.iter().filter_map(OutputPath::route).collect();
    routes.sort_unstable();
    for route in routes {
        let loc =
            crate::model::html::escape(&SiteUrl::folder(&route).absolute(&site.config.base_url));
        xml.push_str(&format!("  <url><loc>{loc}</loc></url>\n"));
    }
    xml.push_str("</urlset>\n");
    xml.into_bytes()
}
