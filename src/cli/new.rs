//! `sre-guide new`: a content path and a title → one new page (or section, `…/_index.md`) with
//! valid front matter, weighted after the last page of its section. Reads the site through
//! [`load`] to find the section; writes that one file and never overwrites or touches
//! anything else.

use std::io::Write;
use std::path::Path;

use crate::build::Failure;
use crate::load::walk::is_ignored;
use crate::load::{self, LoadOptions};
use crate::model::diagnostic::{Code, Diagnostic};
use crate::model::url::{ContentPath, Route};
use crate::model::{Page, Site};

pub(crate) struct NewPage<'a> {
    pub(crate) root: &'a Path,
    /// As typed: relative to `content/` (a leading `content/` is accepted too); a trailing `/`
    /// means the section's `_index.md`.
    pub(crate) path: &'a str,
    pub(crate) title: Option<&'a str>,
    pub(crate) description: &'a str,
}

/// Writes the page and returns what to tell the editor.
pub(crate) fn new_page(request: &NewPage) -> Result<String, Failure> {
    let path = content_path(request.path)?;
    let shown = path.in_site();
    if request.root.join(&shown).exists() {
        return Err(exists(&shown));
    }
    // Drafts count too: a new page must not take a draft's URL or weight.
    let (site, _) = load::site(&LoadOptions {
        root: request.root,
        base_url: None,
        drafts: true,
        cache: None,
        unsaved: None,
        spill_in: None,
    })?;
    let route = Route::of(&path);
    if let Some(other) = site.page_at(&route) {
        return Err(problem(
            Code::NewRouteTaken,
            &shown,
            format!(
                "`{shown}` would be published at /{route}, which content/{} already is",
                other.path
            ),
            "choose another name",
        ));
    }
    let title = match request.title {
        Some(title) if !title.trim().is_empty() => title.trim().to_string(),
        Some(_) => {
            return Err(problem(
                Code::NewTitleEmpty,
                &shown,
                "the title is empty",
                "give a title with `--title \"…\"`",
            ));
        }
        None => title_from(&path),
    };
    let last = last_sibling(&site, &route);
    let weight = next_weight(&site, &route);
    let text = front_matter(&title, request.description, weight);
    write_new(request.root, &shown, &text)?;

    let mut said = format!("created {shown} (weight {weight}");
    if let Some(last) = last {
        said.push_str(&format!(", after content/{}", last.path));
    }
    said.push(')');
    if let Some(section) = missing_section(request.root, &path) {
        said.push_str(&format!(
            "\nnote: content/{section}/ has no _index.md, so no section page lists the new page; \
             `sre-guide new {section}/_index.md` starts one"
        ));
    }
    Ok(said)
}

/// Checks the path an editor typed and returns it relative to `content/`.
fn content_path(typed: &str) -> Result<ContentPath, Failure> {
    let mut path = typed.strip_prefix("content/").unwrap_or(typed).to_string();
    if path.is_empty() || path.ends_with('/') {
        path.push_str("_index.md");
    }
    let shown = format!("content/{path}");
    let help = "write a path below content/ ending in .md, e.g. `phases/principal.md` or `tools/_index.md`";
    if !path.ends_with(".md") {
        return Err(problem(
            Code::NewPathInvalid,
            &shown,
            format!("`{typed}` is not a Markdown file name"),
            help,
        ));
    }
    let bad_part =
        |part: &str| part.is_empty() || part == ".." || part.contains('\\') || is_ignored(part);
    if path.starts_with('/') || path.split('/').any(bad_part) {
        return Err(problem(
            Code::NewPathInvalid,
            &shown,
            format!("`{typed}` is not a page path below content/"),
            format!("{help}; names starting with `.` or ending in `~` are ignored by the build"),
        ));
    }
    if path.starts_with("data/") {
        return Err(problem(
            Code::NewPathInvalid,
            &shown,
            "content/data/ holds the site's data files, not pages",
            help,
        ));
    }
    Ok(ContentPath::of(&path))
}

/// `phases/principal-sre.md` → "Principal sre"; `tools/_index.md` → "Tools".
fn title_from(path: &str) -> String {
    let stem = path.trim_end_matches(".md");
    let stem = match stem.rsplit_once('/') {
        Some((folder, "_index" | "index")) => folder.rsplit('/').next().unwrap_or(folder),
        Some((_, name)) => name,
        None if stem == "_index" || stem == "index" => "Home",
        None => stem,
    };
    let words = stem.replace(['-', '_'], " ");
    let mut chars = words.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn siblings<'a>(site: &'a Site, route: &Route) -> Vec<&'a Page> {
    route
        .parent()
        .map_or_else(Vec::new, |parent| site.children_of(&parent).collect())
}

fn last_sibling<'a>(site: &'a Site, route: &Route) -> Option<&'a Page> {
    siblings(site, route).into_iter().last()
}

/// After the heaviest sibling, keeping the section's step (1, 2, 3 → 4; 10, 20 → 30).
fn next_weight(site: &Site, route: &Route) -> i64 {
    let weights: Vec<i64> = siblings(site, route)
        .iter()
        .map(|page| page.front.weight)
        .collect();
    match weights.as_slice() {
        [] => 1,
        [only] => only.saturating_add(1),
        [.., before, last] => {
            let step = last.saturating_sub(*before);
            last.saturating_add(if step > 0 { step } else { 1 })
        }
    }
}

/// TOML front matter; the values are written by `toml` so any title is quoted correctly.
fn front_matter(title: &str, description: &str, weight: i64) -> String {
    let quote = |text: &str| toml::Value::String(text.to_string()).to_string();
    format!(
        "+++\ntitle = {}\ndescription = {}\nweight = {weight}\n+++\n\n",
        quote(title),
        quote(description)
    )
}

/// Creates the file only if nothing is there yet, so a race with an editor never clobbers a page.
fn write_new(root: &Path, shown: &str, text: &str) -> Result<(), Failure> {
    let path = root.join(shown);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|error| {
            anyhow::anyhow!("cannot create the folder {}: {error}", parent.display())
        })?;
    }
    let mut file = match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
    {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(exists(shown));
        }
        Err(error) => {
            return Err(anyhow::anyhow!("cannot create {}: {error}", path.display()).into());
        }
    };
    file.write_all(text.as_bytes())
        .map_err(|error| anyhow::anyhow!("cannot write {}: {error}", path.display()).into())
}

/// The folder of a new page when that folder is not a section (has no `_index.md`).
fn missing_section(root: &Path, path: &str) -> Option<String> {
    let (folder, name) = path.rsplit_once('/')?;
    let is_section = name == "_index.md";
    let has_index = root.join("content").join(folder).join("_index.md").exists();
    (!is_section && !has_index).then(|| folder.to_string())
}

fn exists(shown: &str) -> Failure {
    problem(
        Code::NewPageExists,
        shown,
        format!("`{shown}` already exists; `new` never overwrites a page"),
        "edit that file, or choose another name",
    )
}

fn problem(
    code: Code,
    shown: &str,
    message: impl Into<String>,
    help: impl Into<String>,
) -> Failure {
    Failure::Content(vec![Diagnostic::in_file(code, shown, message).help(help)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_come_from_the_file_name() {
        assert_eq!(title_from("phases/principal.md"), "Principal");
        assert_eq!(title_from("mid-level_notes.md"), "Mid level notes");
        assert_eq!(title_from("tools/_index.md"), "Tools");
        assert_eq!(title_from("a/b/_index.md"), "B");
        assert_eq!(title_from("_index.md"), "Home");
    }

    #[test]
    fn paths_are_checked_and_sections_understood() {
        assert_eq!(
            content_path("phases/x.md").ok().as_deref(),
            Some("phases/x.md")
        );
        assert_eq!(
            content_path("content/faq.md").ok().as_deref(),
            Some("faq.md")
        );
        assert_eq!(
            content_path("tools/").ok().as_deref(),
            Some("tools/_index.md")
        );
        for bad in [
            "x.txt",
            "/etc/x.md",
            "../x.md",
            "a//b.md",
            ".hidden.md",
            "a\\b.md",
            "data/x.md",
        ] {
            assert!(content_path(bad).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn front_matter_quotes_any_title() {
        let text = front_matter("Say \"hi\"\\now", "", 3);
        let toml_part = text
            .trim_start_matches("+++\n")
            .split("+++")
            .next()
            .unwrap_or("");
        let table: toml::Table = toml::from_str(toml_part).expect("valid TOML");
        assert_eq!(table["title"].as_str(), Some("Say \"hi\"\\now"));
        assert_eq!(table["weight"].as_integer(), Some(3));
    }
}
