//! `themes/<name>/` → `Theme`: every template under `templates/` parsed by Tera, and every file
//! under `static/` read and given its published name (`.css` and `.js` get a content hash, so
//! browsers may cache them forever; `.css` is minified first). Template syntax errors are
//! diagnostics at file:line:col.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use anyhow::bail;
use sha2::{Digest, Sha256};

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::load::{is_ignored, relative};
use crate::model::Site;
use crate::source::SourceFile;

pub(crate) struct Theme {
    pub(crate) tera: tera::Tera,
    /// Template name (`page.html`) → its source, for locating render errors.
    pub(crate) templates: BTreeMap<String, Arc<SourceFile>>,
    /// Static file path below `static/` (`style.css`) → what is published.
    pub(crate) assets: BTreeMap<String, StaticFile>,
    /// The font `og_image` draws link preview images with (`fonts/`), if the theme has one.
    pub(crate) og_font: Option<crate::og_image::Font>,
}

pub(crate) struct StaticFile {
    /// Below the output root: `static/style.1a2b3c4d.css`.
    pub(crate) published: String,
    pub(crate) bytes: Vec<u8>,
}

/// Loads the theme `site.toml` names. A missing theme folder is an editor mistake in site.toml,
/// so it is a diagnostic; an unreadable one is an environment error.
pub(crate) fn load(site: &Site) -> anyhow::Result<(Theme, Diagnostics)> {
    let name = &site.config.theme;
    let dir = site.root.join("themes").join(name);
    let mut diagnostics = Diagnostics::default();
    let mut theme = Theme {
        tera: tera_with_functions(),
        templates: BTreeMap::new(),
        assets: BTreeMap::new(),
        og_font: crate::og_image::font(&site.root, &dir, &mut diagnostics)?,
    };
    if !dir.join("templates").is_dir() {
        diagnostics.push(
            Diagnostic::in_file(
                "content/site.toml",
                format!("theme `{name}` has no folder `themes/{name}/templates/`"),
            )
            .help("set `theme` in content/site.toml to a folder under themes/"),
        );
        return Ok((theme, diagnostics));
    }
    for (path, bytes) in files(&dir.join("templates"))? {
        let shown = relative(&site.root, &dir.join("templates").join(&path));
        match String::from_utf8(bytes) {
            Ok(text) => {
                theme.templates.insert(path, SourceFile::new(shown, text));
            }
            Err(_) => diagnostics.push(
                Diagnostic::in_file(shown, "this template is not valid UTF-8 text")
                    .help("save it as UTF-8"),
            ),
        }
    }
    let sources = theme
        .templates
        .iter()
        .map(|(name, file)| (name.as_str(), file.text.as_str()));
    if let Err(error) = theme.tera.add_raw_templates(sources) {
        // Tera stops at the first problem; parse each template alone to report every syntax error.
        let mut found = false;
        for (name, file) in &theme.templates {
            if let Err(error) = tera_with_functions().add_raw_template(name, &file.text)
                && matches!(error.kind(), tera::ErrorKind::SyntaxError(_))
                && let Some(diagnostic) = template_error(&theme.templates, &error)
            {
                diagnostics.push(diagnostic);
                found = true;
            }
        }
        if !found {
            diagnostics.push(template_error(&theme.templates, &error).unwrap_or_else(|| {
                Diagnostic::in_file(format!("themes/{name}/templates/"), error.to_string())
            }));
        }
    }

    let static_dir = dir.join("static");
    if static_dir.is_dir() {
        for (path, bytes) in files(&static_dir)? {
            let bytes = minified(&path, bytes);
            let published = published_name(&path, &bytes);
            theme.assets.insert(path, StaticFile { published, bytes });
        }
    }
    Ok((theme, diagnostics))
}

/// The functions templates may call (see README.md, "Templates"). Tera checks calls when it
/// parses a template, so placeholders stand in here; `render` registers the real ones.
pub(crate) const FUNCTIONS: [&str; 6] = [
    "url",
    "asset",
    "page_data",
    "compensation_chart",
    "og_image",
    "search_index",
];

fn tera_with_functions() -> tera::Tera {
    let mut tera = tera::Tera::new();
    for name in FUNCTIONS {
        tera.register_function(
            name,
            |_: tera::Kwargs, _: &tera::State| -> tera::TeraResult<tera::Value> {
                Err(tera::Error::message("called before the site was loaded"))
            },
        );
    }
    tera
}

/// Every file below `dir` (relative path → bytes), sorted, editor files skipped.
fn files(dir: &Path) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_ignored(e.file_name()))
    {
        let entry = entry?;
        if entry.file_type().is_file() {
            let bytes = std::fs::read(entry.path())
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", entry.path().display()))?;
            out.push((relative(dir, entry.path()), bytes));
        }
    }
    if out.is_empty() && !dir.exists() {
        bail!("{} does not exist", dir.display());
    }
    Ok(out)
}

/// A stylesheet without comments and spare whitespace (it is the largest asset most pages load);
/// other files as they are. CSS the minifier cannot read is published as written: browsers
/// recover from errors the minifier rejects, so the page must not lose its styles over it.
fn minified(path: &str, bytes: Vec<u8>) -> Vec<u8> {
    if !path.ends_with(".css") {
        return bytes;
    }
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return bytes;
    };
    match minifier::css::minify(text) {
        Ok(css) => css.to_string().trim().as_bytes().to_vec(),
        Err(_) => bytes,
    }
}

/// `css/site.css` → `static/css/site.<hash>.css`; other files keep their name.
fn published_name(path: &str, bytes: &[u8]) -> String {
    let fingerprinted = path.ends_with(".css") || path.ends_with(".js");
    match path.rsplit_once('.') {
        Some((stem, ext)) if fingerprinted => {
            let digest = Sha256::digest(bytes);
            let hash: String = digest.iter().take(4).map(|b| format!("{b:02x}")).collect();
            format!("static/{stem}.{hash}.{ext}")
        }
        _ => format!("static/{path}"),
    }
}

/// A Tera error as a diagnostic at the template's file:line:col, when Tera located it.
pub(crate) fn template_error(
    templates: &BTreeMap<String, Arc<SourceFile>>,
    error: &tera::Error,
) -> Option<Diagnostic> {
    use std::error::Error as _;
    let report = match error.kind() {
        tera::ErrorKind::SyntaxError(report) | tera::ErrorKind::RenderingError(report) => report,
        tera::ErrorKind::MissingParent { current, parent } => {
            let file = templates.get(current)?;
            let span = file
                .text
                .find(parent.as_str())
                .map_or(0..0, |i| i..i + parent.len());
            return Some(
                Diagnostic::at(
                    file,
                    span,
                    format!("`{current}` extends `{parent}`, which does not exist"),
                )
                .help(format!(
                    "add templates/{parent} to the theme, or extend another template"
                )),
            );
        }
        _ => {
            let mut message = error.to_string();
            let mut source = error.source();
            while let Some(inner) = source {
                message = format!("{message}: {inner}");
                source = inner.source();
            }
            return Some(Diagnostic::in_file("themes/", message));
        }
    };
    let file = templates.get(report.filename())?;
    let mut message = report.message().to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        message = format!("{message}: {inner}");
        source = inner.source();
    }
    let (message, mut help) = undefined_name_help(&message);
    if help.is_none() && matches!(error.kind(), tera::ErrorKind::SyntaxError(_)) {
        help = Some("Tera writes expressions as {{ … }}, tags as {% … %} and comments as {# … #}; see https://keats.github.io/tera/docs/".to_string());
    }
    let diagnostic = Diagnostic::at(file, report.span().range.clone(), message);
    Some(match help {
        Some(help) => diagnostic.help(help),
        None => diagnostic,
    })
}

/// Tera lists what exists after "Variable/Field `x` is not defined."; keep the message short
/// and turn the list into a did-you-mean (or a shorter list).
fn undefined_name_help(message: &str) -> (String, Option<String>) {
    let Some((head, available)) = message
        .split_once(" Available fields: ")
        .or_else(|| message.split_once(" Available variables: "))
    else {
        return (message.to_string(), None);
    };
    let name = head.split('`').nth(1).unwrap_or_default();
    let names: Vec<&str> = available.split(", ").map(str::trim).collect();
    let help = match crate::diagnostic::did_you_mean(name, names.iter().copied()) {
        Some(near) => format!("did you mean `{near}`?"),
        None => format!("available here: {}", names.join(", ")),
    };
    (head.trim_end_matches('.').to_string(), Some(help))
}

#[cfg(test)]
mod tests {
    #[test]
    fn undefined_fields_get_a_suggestion() {
        let (message, help) = super::undefined_name_help(
            "Field `titel` is not defined. Available fields: content, title",
        );
        assert_eq!(message, "Field `titel` is not defined");
        assert_eq!(help.as_deref(), Some("did you mean `title`?"));
    }

    use super::*;

    #[test]
    fn css_is_minified_and_unreadable_css_is_kept_as_written() {
        let css = "/* why */\n.a > b {\n  width: calc(100% - 2rem);\n}\n";
        let out = String::from_utf8(minified("x.css", css.as_bytes().to_vec())).unwrap();
        assert_eq!(out, ".a>b{width:calc(100% - 2rem);}");
        let broken = b"a { content: \"unclosed }".to_vec();
        assert_eq!(minified("x.css", broken.clone()), broken);
        let js = b"/* kept */ var a = 1;".to_vec();
        assert_eq!(minified("x.js", js.clone()), js);
    }

    #[test]
    fn css_and_js_are_fingerprinted_others_keep_their_name() {
        let css = published_name("style.css", b"body{}");
        assert!(
            css.starts_with("static/style.")
                && css.ends_with(".css")
                && css.len() == "static/style.12345678.css".len()
        );
        assert_ne!(css, published_name("style.css", b"body{color:red}"));
        assert_eq!(
            published_name("img/logo.svg", b"<svg/>"),
            "static/img/logo.svg"
        );
    }

    #[test]
    fn syntax_errors_point_into_the_template() {
        let mut templates = BTreeMap::new();
        let file = SourceFile::new("themes/t/templates/a.html", "<p>\n{{ page.title }\n");
        templates.insert("a.html".to_string(), Arc::clone(&file));
        let error = tera::Tera::new()
            .add_raw_template("a.html", &file.text)
            .expect_err("bad syntax");
        let diagnostic = template_error(&templates, &error).expect("located");
        assert_eq!(diagnostic.path(), Some("themes/t/templates/a.html"));
        assert_eq!(diagnostic.line_col().map(|(line, _)| line), Some(2));
    }
}
