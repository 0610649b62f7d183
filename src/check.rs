//! Rules that span files: pages named in `site.toml` and the data files exist, levels named by
//! pages and compensation exist in the ladder, templates named by pages exist in the theme.
//! Reads the loaded site and theme; returns diagnostics; writes nothing.

use crate::diagnostic::{Diagnostic, Diagnostics, did_you_mean};
use crate::model::{LevelRef, PageRef, Site};
use crate::theme::Theme;

pub(crate) fn site(site: &Site, theme: &Theme) -> Diagnostics {
    let mut out = Diagnostics::default();
    for item in &site.config.menu {
        page_exists(site, &item.page, &mut out);
    }
    if let Some(ladder) = &site.data.ladder {
        for phase in &ladder.phases {
            page_exists(site, &phase.page, &mut out);
        }
    }
    if let Some(compensation) = &site.data.compensation {
        for range in &compensation.ranges {
            level_exists(site, &range.level, &mut out);
        }
    }
    if let Some(quiz) = &site.data.quiz {
        for rule in &quiz.rules {
            page_exists(site, &rule.page, &mut out);
        }
    }
    let has_templates = !theme.templates.is_empty();
    for page in &site.pages {
        if let Some((level, span)) = &page.front.level {
            let level = LevelRef {
                id: level.clone(),
                file: page.file.clone(),
                span: span.clone(),
            };
            level_exists(site, &level, &mut out);
        }
        let (template, span) = match &page.front.template {
            Some((name, span)) => (name.as_str(), span.clone()),
            None => (crate::context::default_template(page), 0..0),
        };
        if has_templates && !theme.templates.contains_key(template) {
            let names: Vec<&str> = theme.templates.keys().map(String::as_str).collect();
            let mut diagnostic = Diagnostic::at(
                &page.file,
                span,
                format!("template `{template}` is not in the theme"),
            );
            diagnostic = match did_you_mean(template, names.iter().copied()) {
                Some(near) => diagnostic.help(format!("did you mean `{near}`?")),
                None => diagnostic.help(format!(
                    "add themes/{}/templates/{template}, or use one of {}",
                    site.config.theme,
                    names.join(", ")
                )),
            };
            out.push(diagnostic);
        }
    }
    out
}

/// A content path named in a data file or site.toml must be a (non-draft) page.
fn page_exists(site: &Site, page: &PageRef, out: &mut Diagnostics) {
    if site.page(&page.path).is_some() || site.unloadable.contains(&page.path) {
        return;
    }
    if site.drafts.contains(&page.path) {
        out.push(crate::links::draft_target(
            &page.file,
            page.span.clone(),
            &page.path,
        ));
        return;
    }
    let diagnostic = Diagnostic::at(
        &page.file,
        page.span.clone(),
        format!("page `{}` does not exist", page.path),
    );
    out.push(suggest_page(site, &page.path, diagnostic));
}

pub(crate) fn suggest_page(site: &Site, path: &str, diagnostic: Diagnostic) -> Diagnostic {
    let paths = site.pages.iter().map(|p| p.path.as_str());
    match did_you_mean(path, paths) {
        Some(near) => diagnostic.help(format!("did you mean `{near}`?")),
        None => diagnostic
            .help("name a .md file under content/, relative to content/ (e.g. `phases/junior.md`)"),
    }
}

fn level_exists(site: &Site, level: &LevelRef, out: &mut Diagnostics) {
    let Some(ladder) = &site.data.ladder else {
        if site.data.broken.contains("ladder") {
            return;
        }
        out.push(
            Diagnostic::at(
                &level.file,
                level.span.clone(),
                format!(
                    "level `{}` is named, but there is no content/data/ladder.toml",
                    level.id
                ),
            )
            .help("add data/ladder.toml with the [[levels]], or remove the level"),
        );
        return;
    };
    if ladder.level(&level.id).is_some() {
        return;
    }
    let ids: Vec<&str> = ladder.levels.iter().map(|l| l.id.as_str()).collect();
    let diagnostic = Diagnostic::at(
        &level.file,
        level.span.clone(),
        format!("no level has the id `{}`", level.id),
    );
    out.push(match did_you_mean(&level.id, ids.iter().copied()) {
        Some(near) => diagnostic.help(format!("did you mean `{near}`?")),
        None => diagnostic.help(format!(
            "use one of the level ids in data/ladder.toml: {}",
            ids.join(", ")
        )),
    });
}
