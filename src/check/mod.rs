//! Rules that span files: pages named in `site.toml` and the data files exist, levels named by
//! pages and compensation exist in the ladder, templates named by pages exist in the theme.
//! Takes the loaded [`Site`] and returns a [`CheckedSite`] — the only value
//! [`render`](crate::render) accepts — with every entry that failed a check left out, beside the
//! diagnostics. Writes nothing.

pub(crate) mod anchors;
mod data_ids;
pub(crate) mod links;
pub(crate) mod reading_order;

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::sync::Arc;

use crate::model::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::source::Span;
use crate::model::url::{ContentPath, Generated, OutputPath};
use crate::model::{Asset, FastMap, LevelRef, Page, PageRef, Site};
use crate::theme::Theme;

/// A site in which every entry passed its checks: what reaches templates and the chart. Entries
/// with problems are left out (their diagnostics are kept), so rendering still runs and finds
/// the template problems of the same build.
pub(crate) struct CheckedSite {
    site: Arc<Site>,
    /// Content paths of pages that cannot be rendered: their template is not in the theme.
    unrendered: BTreeSet<ContentPath>,
    /// Source files that lost entries to their problems; a template failing may be their echo.
    left_out: BTreeSet<String>,
    /// Content files left out because another file is published at their path (reported).
    clashing_assets: BTreeSet<ContentPath>,
    /// Levels taken off pages because the ladder lacks them (reported), by page index: put
    /// back by `into_site`, so `serve` remembers each page as its file says.
    unknown_levels: Vec<TakenLevel>,
}

/// A level taken off a page (its index in `site.pages`): the id written and its span.
type TakenLevel = (usize, (String, Span));

impl CheckedSite {
    pub(crate) fn site(&self) -> &Arc<Site> {
        &self.site
    }

    /// The site itself as loaded, when nothing else holds it (`serve` keeps its pages for the
    /// next build).
    pub(crate) fn into_site(self) -> Option<Site> {
        let mut site = Arc::try_unwrap(self.site).ok()?;
        for (index, level) in self.unknown_levels {
            site.pages[index].front.level = Some(level);
        }
        Some(site)
    }

    /// Content files left out for a clash (reported): links to them are not reported again.
    pub(crate) fn clashing_assets(&self) -> &BTreeSet<ContentPath> {
        &self.clashing_assets
    }

    /// Whether `page` goes through its template (else its template problem is reported).
    pub(crate) fn renders(&self, page: &Page) -> bool {
        !self.unrendered.contains(&page.path)
    }

    /// Says, on a template failure, that problems reported elsewhere left entries out of the
    /// site, so the failure may be their consequence rather than a mistake of its own.
    /// A template asking for a data file that could not be read at all (`data.facts`) only
    /// echoes that file's problem: `None`.
    pub(crate) fn explain(&self, mut diagnostic: Diagnostic) -> Option<Diagnostic> {
        let missing_data = diagnostic
            .message
            .strip_prefix("Field `")
            .and_then(|rest| rest.strip_suffix("` is not defined"))
            .is_some_and(|stem| self.site.data.broken.contains(stem));
        if missing_data {
            return None;
        }
        if self.left_out.is_empty() {
            return Some(diagnostic);
        }
        let files: Vec<&str> = self.left_out.iter().map(String::as_str).collect();
        let why = format!(
            "the problems of {} left entries out of the site, which may cause this",
            files.join(", ")
        );
        diagnostic.context = Some(match diagnostic.context {
            Some(context) => format!("{context}; {why}"),
            None => why,
        });
        Some(diagnostic)
    }
}

/// Checks `site` against itself and the theme. `found` holds the problems earlier stages found,
/// to name the files whose entries were left out.
pub(crate) fn site(
    mut site: Site,
    theme: &Theme,
    found: &Diagnostics,
) -> (CheckedSite, Diagnostics) {
    let mut out = Diagnostics::default();
    drop_missing_references(&mut site, &mut out);
    let clashing_assets = one_source_per_output(&mut site, theme, &mut out);
    let (mut unrendered, unknown_levels) = check_pages(&mut site, theme, &mut out);
    unrendered.extend(data_ids::check(&site, theme, &mut out));
    let mut left_out: BTreeSet<String> = site.unloadable.iter().map(ContentPath::in_site).collect();
    for diagnostic in found.0.iter().chain(&out.0) {
        let path = diagnostic.path();
        if path.starts_with("content/data/") || path == "content/site.toml" {
            left_out.insert(path.to_string());
        }
    }
    let checked = CheckedSite {
        site: Arc::new(site),
        unrendered,
        left_out,
        clashing_assets,
        unknown_levels,
    };
    (checked, out)
}

/// Leaves out the menu entries, phases and quiz rules naming a page the site lacks, and the
/// pay ranges naming a level the ladder lacks (each reported).
fn drop_missing_references(site: &mut Site, out: &mut Diagnostics) {
    let menu = std::mem::take(&mut site.config.menu);
    site.config.menu = menu
        .into_iter()
        .filter(|item| page_exists(site, &item.page, out))
        .collect();
    if let Some(mut ladder) = site.data.ladder.take() {
        ladder
            .phases
            .retain(|phase| page_exists(site, &phase.page, out));
        site.data.ladder = Some(ladder);
    }
    if let Some(mut compensation) = site.data.compensation.take() {
        compensation
            .ranges
            .retain(|range| level_exists(site, &range.level, out));
        site.data.compensation = Some(compensation);
    }
    if let Some(mut quiz) = site.data.quiz.take() {
        quiz.rules.retain(|rule| page_exists(site, &rule.page, out));
        site.data.quiz = Some(quiz);
    }
}

/// Each page's level and template: the pages that cannot be rendered (their template is not in
/// the theme), and the levels taken off pages because the ladder lacks them (both reported).
fn check_pages(
    site: &mut Site,
    theme: &Theme,
    out: &mut Diagnostics,
) -> (BTreeSet<ContentPath>, Vec<TakenLevel>) {
    let has_templates = !theme.templates.is_empty();
    let mut unrendered = BTreeSet::new();
    let mut unknown_levels = Vec::new();
    for (index, page) in site.pages.iter().enumerate() {
        if let Some((level, span)) = &page.front.level {
            let level = LevelRef {
                id: level.clone(),
                file: page.file.clone(),
                span: span.clone(),
            };
            if !level_exists(site, &level, out) {
                unknown_levels.push(index);
            }
        }
        let (template, written) = match &page.front.template {
            Some((name, span)) => (name.as_str(), Some(span.clone())),
            None => (crate::theme::default_template(page), None),
        };
        if !theme.renders(template) {
            unrendered.insert(page.path.clone());
        }
        // A template that exists but could not be read is reported where it is.
        if has_templates
            && !theme.templates.contains_key(template)
            && !theme.broken.contains(template)
        {
            let names: Vec<&str> = theme.templates.keys().map(String::as_str).collect();
            let diagnostic = Diagnostic::at(
                Code::PageTemplateMissing,
                &page.file,
                written.clone().unwrap_or(0..0),
                format!("template `{template}` is not in the theme"),
            );
            out.push(diagnostic.did_you_mean(
                template,
                names.iter().copied(),
                written,
                str::to_string,
                format!(
                    "add themes/{}/templates/{template}, or use one of {}",
                    site.config.theme,
                    names.join(", ")
                ),
            ));
        }
    }
    let unknown_levels = unknown_levels
        .into_iter()
        .filter_map(|index| Some((index, site.pages[index].front.level.take()?)))
        .collect();
    (unrendered, unknown_levels)
}

/// Something that writes one output file: where it comes from, and where to report it.
struct Claim<'a> {
    output: OutputPath,
    source: Source<'a>,
}

/// Where a claimed output comes from; described only when two claims meet, so a large site
/// pays one path per file, not a message.
enum Source<'a> {
    Generated,
    NotFoundTemplate,
    Page(&'a Page),
    QuizResult(&'a crate::model::Rule),
    ThemeAsset(&'a str),
    ContentAsset(&'a ContentPath),
}

impl Source<'_> {
    /// How a message names it, and the diagnostic that reports it.
    fn describe(&self, output: &OutputPath, theme: &str) -> (String, Diagnostic) {
        let placeholder = |path: &str| Diagnostic::in_file(Code::OutputClash, path, "");
        match self {
            Source::Generated => (format!("the generated `{output}`"), placeholder(output)),
            Source::NotFoundTemplate => (
                format!("`themes/{theme}/templates/404.html`"),
                placeholder(output),
            ),
            Source::Page(page) => (
                format!("`{}`", page.file.path),
                Diagnostic::at(Code::OutputClash, &page.file, 0..0, ""),
            ),
            Source::QuizResult(rule) => (
                format!("the result page of rule `{}`", rule.id),
                Diagnostic::at(
                    Code::OutputClash,
                    &rule.page.file,
                    rule.page.span.clone(),
                    "",
                ),
            ),
            Source::ThemeAsset(path) => {
                let source = format!("themes/{theme}/static/{path}");
                (format!("`{source}`"), placeholder(&source))
            }
            Source::ContentAsset(path) => {
                let source = path.in_site();
                (format!("`{source}`"), placeholder(&source))
            }
        }
    }
}

/// No output file has two sources, not even two that differ only in case (one file on Windows
/// and macOS hosts). The later source is reported; a content file that would overwrite another
/// output is left out, so nothing is overwritten silently; returns those left out.
fn one_source_per_output(
    site: &mut Site,
    theme: &Theme,
    out: &mut Diagnostics,
) -> BTreeSet<ContentPath> {
    let dropped_assets = clashing_assets(site, theme, out);
    let (dropped, kept) = std::mem::take(&mut site.assets)
        .into_iter()
        .partition(|asset| dropped_assets.contains(&OutputPath::content_asset(&asset.path)));
    site.assets = kept;
    dropped.into_iter().map(|asset: Asset| asset.path).collect()
}

/// Every output file the site would write and where it comes from, the content files last:
/// the claims, and the index of the first content file's.
fn claims<'a>(site: &'a Site, theme: &'a Theme) -> (Vec<Claim<'a>>, usize) {
    let mut claims = Vec::with_capacity(site.pages.len() + theme.assets.len() + site.assets.len());
    let mut generated = vec![Generated::Sitemap];
    if crate::model::url::site_path(&site.config.base_url) == "/" {
        generated.push(Generated::Robots);
    }
    if site.config.publish_headers {
        generated.push(Generated::Headers);
    }
    if site.config.offline {
        generated.push(Generated::ServiceWorker);
    }
    for stem in site.data.typed_stems() {
        generated.push(Generated::Data(stem));
        generated.push(Generated::DataSchema(stem));
    }
    for file in generated {
        claims.push(Claim {
            output: OutputPath::generated(file),
            source: Source::Generated,
        });
    }
    if theme.renders("404.html") {
        claims.push(Claim {
            output: OutputPath::generated(Generated::NotFound),
            source: Source::NotFoundTemplate,
        });
    }
    let quiz_results = theme.renders("quiz-result.html");
    for page in &site.pages {
        claims.push(Claim {
            output: OutputPath::page(&page.route),
            source: Source::Page(page),
        });
        if quiz_results && page.front.kind == crate::model::PageKind::Quiz {
            for rule in site.data.quiz.iter().flat_map(|quiz| &quiz.rules) {
                claims.push(Claim {
                    output: OutputPath::page(&page.route.below(&rule.id)),
                    source: Source::QuizResult(rule),
                });
            }
        }
    }
    for (path, file) in &theme.assets {
        claims.push(Claim {
            output: file.published.clone(),
            source: Source::ThemeAsset(path),
        });
    }
    let first_asset = claims.len();
    for asset in &site.assets {
        claims.push(Claim {
            output: OutputPath::content_asset(&asset.path),
            source: Source::ContentAsset(&asset.path),
        });
    }
    (claims, first_asset)
}

/// Reports every output claimed twice; returns the content files left out for it.
fn clashing_assets(site: &Site, theme: &Theme, out: &mut Diagnostics) -> BTreeSet<OutputPath> {
    let (claims, first_asset) = claims(site, theme);
    // An exact match is named before one that differs only in case.
    let mut exact: FastMap<&str, usize> =
        FastMap::with_capacity_and_hasher(claims.len(), Default::default());
    let mut folded: FastMap<Cow<str>, usize> =
        FastMap::with_capacity_and_hasher(claims.len(), Default::default());
    let mut dropped_assets = BTreeSet::new();
    let theme_name = &site.config.theme;
    for (index, claim) in claims.iter().enumerate() {
        let lower = folded_case(&claim.output);
        let Some(&first) = exact
            .get(claim.output.as_str())
            .or_else(|| folded.get(&lower))
        else {
            exact.insert(&claim.output, index);
            folded.insert(lower, index);
            continue;
        };
        exact.entry(&claim.output).or_insert(index);
        let earlier = &claims[first];
        let both_pages = matches!(
            (&earlier.source, &claim.source),
            (Source::Page(_), Source::Page(_))
        );
        if both_pages && earlier.output == claim.output {
            continue; // Two pages at one route: load reported them.
        }
        let (source, mut diagnostic) = claim.source.describe(&claim.output, theme_name);
        let (earlier_source, _) = earlier.source.describe(&earlier.output, theme_name);
        diagnostic.message = if earlier.output == claim.output {
            format!(
                "{source} and {earlier_source} are both published as `{}`",
                claim.output
            )
        } else {
            format!(
                "{source} and {earlier_source} are published as `{}` and `{}`: one file on hosts that ignore case",
                claim.output, earlier.output
            )
        };
        out.push(
            diagnostic.help(
                "rename or remove one of them; nothing may overwrite another file of the site",
            ),
        );
        if index >= first_asset {
            dropped_assets.insert(claim.output.clone());
        }
    }
    dropped_assets
}

/// `path` as hosts that ignore case see it; borrowed when it is lower-case ASCII already.
fn folded_case(path: &str) -> Cow<'_, str> {
    if path
        .bytes()
        .all(|b| b.is_ascii() && !b.is_ascii_uppercase())
    {
        Cow::Borrowed(path)
    } else {
        Cow::Owned(path.to_lowercase())
    }
}

/// A content path named in a data file or site.toml must be a (non-draft) page. `true` when
/// it is; a page that exists but failed to load is not reported again, and not kept either.
fn page_exists(site: &Site, page: &PageRef, out: &mut Diagnostics) -> bool {
    if site.page(&page.path).is_some() {
        return true;
    }
    if site.unloadable.contains(&page.path) {
        return false;
    }
    if site.drafts.contains(&page.path) {
        out.push(crate::check::links::draft_target(
            &page.file,
            page.span.clone(),
            &page.path,
        ));
        return false;
    }
    let diagnostic = Diagnostic::at(
        Code::PageMissing,
        &page.file,
        page.span.clone(),
        format!("page `{}` does not exist", page.path),
    );
    out.push(crate::check::links::suggest_page(
        site,
        &page.path,
        page.span.clone(),
        diagnostic,
    ));
    false
}

/// `true` when the ladder has the level; a level left out for its own problem is not
/// reported again.
fn level_exists(site: &Site, level: &LevelRef, out: &mut Diagnostics) -> bool {
    let Some(ladder) = &site.data.ladder else {
        if site.data.broken.contains("ladder") {
            return false;
        }
        out.push(
            Diagnostic::at(
                Code::LadderMissing,
                &level.file,
                level.span.clone(),
                format!(
                    "level `{}` is named, but there is no content/data/ladder.toml",
                    level.id
                ),
            )
            .help("add data/ladder.toml with the [[levels]], or remove the level"),
        );
        return false;
    };
    if ladder.level(&level.id).is_some() {
        return true;
    }
    if ladder.left_out.contains(&level.id) {
        return false;
    }
    let ids: Vec<&str> = ladder.levels.iter().map(|l| l.id.as_str()).collect();
    out.push(crate::load::data::unknown_level(
        &level.file,
        level.span.clone(),
        &level.id,
        &ids,
    ));
    false
}
