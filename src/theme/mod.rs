//! `themes/<name>/` → [`Theme`]: every template under `templates/` parsed by Tera, and every file
//! under `static/` read and given its published name (`.css` and `.js` get a content hash, so
//! browsers may cache them forever; both are minified first). Template errors are diagnostics
//! at file:line:col ([`tera_errors`]); nothing outside the site root is read.

pub(crate) mod font;
pub(crate) mod reads;
pub(crate) mod tera_errors;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;

use crate::load::walk::{WalkError, relative};
use crate::model::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::source::SourceFile;
use crate::model::url::OutputPath;
use crate::model::{Page, Site};
use crate::theme::tera_errors::{FUNCTIONS, load_failures, template_error};

pub(crate) struct Theme {
    pub(crate) tera: tera::Tera,
    /// Template name (`page.html`) → its source, for locating render errors.
    pub(crate) templates: BTreeMap<String, Arc<SourceFile>>,
    /// Templates Tera could not load (a reported problem of their own or of a template they
    /// extend or include); pages using them are not rendered, so nothing echoes the problem.
    pub(crate) broken: BTreeSet<String>,
    /// Static file path below `static/` (`style.css`) → what is published.
    pub(crate) assets: BTreeMap<String, StaticFile>,
    /// The font `og_image` draws link preview images with (`fonts/`), if the theme has one.
    pub(crate) og_font: Option<font::Font>,
    /// What the templates read of a page's context: rendering builds only that.
    pub(crate) reads: reads::Reads,
}

impl Theme {
    /// Whether Tera has `name` loaded and ready to render.
    pub(crate) fn renders(&self, name: &str) -> bool {
        self.templates.contains_key(name) && !self.broken.contains(name)
    }
}

pub(crate) struct StaticFile {
    /// Below the output root: `static/style.1a2b3c4d.css`.
    pub(crate) published: OutputPath,
    pub(crate) bytes: Vec<u8>,
}

/// The template a page uses when its front matter names none.
pub(crate) fn default_template(page: &Page) -> &'static str {
    if page.is_section() {
        "section.html"
    } else {
        "page.html"
    }
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
        broken: BTreeSet::new(),
        assets: BTreeMap::new(),
        og_font: font::font(&site.root, &dir, &mut diagnostics)?,
        reads: reads::Reads::default(),
    };
    let plain_name =
        !name.is_empty() && !matches!(name.as_str(), "." | "..") && !name.contains(['/', '\\']);
    if !plain_name {
        diagnostics.push(
            Diagnostic::in_file(
                Code::ThemeNotFound,
                "content/site.toml",
                format!("theme `{name}` is not the name of a folder under themes/"),
            )
            .help("write the folder's name alone, e.g. `theme = \"default\"`"),
        );
        return Ok((theme, diagnostics));
    }
    if !dir.join("templates").is_dir() {
        diagnostics.push(
            Diagnostic::in_file(
                Code::ThemeNotFound,
                "content/site.toml",
                format!("theme `{name}` has no folder `themes/{name}/templates/`"),
            )
            .help("set `theme` in content/site.toml to a folder under themes/"),
        );
        return Ok((theme, diagnostics));
    }
    let mut refused = Vec::new();
    for (path, bytes) in files(&site.root, &dir.join("templates"), &mut refused)? {
        let shown = relative(&site.root, &dir.join("templates").join(&path));
        match template_text(&shown, bytes) {
            Ok(file) => {
                theme.templates.insert(path, file);
            }
            Err(diagnostic) => {
                diagnostics.push(*diagnostic);
                theme.broken.insert(path);
            }
        }
    }
    // A template behind a link that leads out of the site is reported as that, once: pages using
    // it are not rendered, and nothing calls it missing.
    for (path, outside) in refused {
        diagnostics.push(outside);
        theme.broken.insert(path);
    }
    add_templates(&mut theme, &mut diagnostics);
    theme.reads = reads::Reads::of(theme.templates.values().map(|file| file.text()));

    let static_dir = dir.join("static");
    if static_dir.is_dir() {
        let mut refused = Vec::new();
        let static_files = files(&site.root, &static_dir, &mut refused)?;
        diagnostics.extend(refused.into_iter().map(|(_, outside)| outside));
        for (path, bytes) in static_files {
            let bytes = minified(&path, bytes);
            let published = OutputPath::theme_asset(&path, &bytes);
            theme.assets.insert(path, StaticFile { published, bytes });
        }
    }
    Ok((theme, diagnostics))
}

fn tera_with_functions() -> tera::Tera {
    let mut tera = tera::Tera::new();
    // `{{ id | fragment }}`: an element's id as the URL fragment that reaches it, percent-encoded
    // ("50%" -> "#50%25") as the Markdown self-links write theirs. Pure, so the real one.
    tera.register_filter("fragment", |id: &str, _: tera::Kwargs, _: &tera::State| {
        crate::model::url::fragment_of_id(id)
    });
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

/// Every file below `dir` (relative path → bytes), sorted, editor files skipped; links that lead
/// out of the site go to `refused` (their path below `dir`, and the error that names them). A
/// folder or file that cannot be read fails the whole build once, naming it.
fn files(
    root: &Path,
    dir: &Path,
    refused: &mut Vec<(String, Diagnostic)>,
) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let mut out = Vec::new();
    let below = format!("{}/", relative(root, dir));
    for entry in crate::load::walk::below(root, dir) {
        let entry = match entry {
            Ok(entry) => entry,
            Err(WalkError::Outside { link, target }) => {
                let path = link.strip_prefix(&below).unwrap_or(&link).to_string();
                refused.push((path, WalkError::outside(&link, &target)));
                continue;
            }
            Err(WalkError::NotUtf8(shown)) => {
                let path = shown.strip_prefix(&below).unwrap_or(&shown).to_string();
                refused.push((path, WalkError::not_utf8(&shown)));
                continue;
            }
            Err(error) => return Err(error.into()),
        };
        if entry.file_type().is_file() {
            let bytes = std::fs::read(entry.path())
                .with_context(|| format!("cannot read {}", relative(root, entry.path())))?;
            out.push((relative(dir, entry.path()), bytes));
        }
    }
    Ok(out)
}

/// Stylesheets and scripts without comments and spare whitespace (they count against every
/// page's weight budget); other files as they are. CSS the minifier cannot read is published as
/// written: browsers recover from errors it rejects, so a page must not lose its styles over it.
fn minified(path: &str, bytes: Vec<u8>) -> Vec<u8> {
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return bytes;
    };
    let smaller = if path.ends_with(".css") {
        minifier::css::minify(text).map(|css| tighter_css(&css.to_string()))
    } else if path.ends_with(".js") {
        minifier::js::minify(text).map(|js| js.to_string())
    } else {
        return bytes;
    };
    match smaller {
        Ok(text) => text.trim().as_bytes().to_vec(),
        Err(_) => bytes,
    }
}

/// A template's text: UTF-8 without a byte-order mark (Tera would count the invisible mark as
/// text before `{% extends %}`), or a diagnostic at the first byte that is not UTF-8.
fn template_text(shown: &str, bytes: Vec<u8>) -> Result<Arc<SourceFile>, Box<Diagnostic>> {
    match String::from_utf8(bytes) {
        Ok(text) => Ok(SourceFile::new(
            shown,
            text.strip_prefix('\u{feff}').unwrap_or(&text),
        )),
        Err(error) => {
            let valid = error.utf8_error().valid_up_to();
            let file = SourceFile::new(shown, String::from_utf8_lossy(error.as_bytes()));
            let offset = crate::model::source::floor_char_boundary(file.text(), valid);
            Err(Box::new(
                Diagnostic::at(
                    Code::NotUtf8,
                    &file,
                    offset..offset,
                    "this template is not valid UTF-8 text",
                )
                .help("save it as UTF-8"),
            ))
        }
    }
}

/// Gives Tera every template that can be loaded. Each template is parsed alone first, so every
/// syntax error is reported; then the rest are added together, and a template whose parent or
/// include is missing, or which takes part in a cycle, is reported and set aside until the
/// others load. A template failing only because one it needs is broken is not reported again.
fn add_templates(theme: &mut Theme, diagnostics: &mut Diagnostics) {
    for (name, file) in &theme.templates {
        if let Err(error) = tera_with_functions().add_raw_template(name, file.text())
            && matches!(error.kind(), tera::ErrorKind::SyntaxError(_))
        {
            diagnostics.push(template_error(&theme.templates, &error));
            theme.broken.insert(name.clone());
        }
    }
    // Each round sets at least one template aside, so this ends.
    for _ in 0..=theme.templates.len() {
        let mut tera = tera_with_functions();
        let sources = theme
            .templates
            .iter()
            .filter(|(name, _)| !theme.broken.contains(*name))
            .map(|(name, file)| (name.as_str(), file.text()));
        let Err(error) = tera.add_raw_templates(sources) else {
            theme.tera = tera;
            return;
        };
        let before = theme.broken.len();
        for (culprits, diagnostic) in load_failures(&theme.templates, &theme.broken, &error) {
            theme.broken.extend(culprits);
            diagnostics.extend(Diagnostics(diagnostic.into_iter().collect()));
        }
        if theme.broken.len() == before {
            // Nothing to set aside: report it once, and load no template.
            diagnostics.push(template_error(&theme.templates, &error));
            theme.broken.extend(theme.templates.keys().cloned());
        }
    }
}

/// What the CSS minifier leaves that a browser does not need: the `;` before a `}` and a space
/// before `>` or `!important` (outside strings). Every page loads style.css, so bytes count.
fn tighter_css(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut quote = None;
    let mut chars = css.chars().peekable();
    while let Some(c) = chars.next() {
        let next = chars.peek().copied();
        match quote {
            Some(q) => {
                out.push(c);
                if c == '\\' {
                    out.extend(chars.next());
                } else if c == q {
                    quote = None;
                }
            }
            None if c == '"' || c == '\'' => {
                quote = Some(c);
                out.push(c);
            }
            None if c == ';' && next == Some('}') => {}
            None if c == ' ' && matches!(next, Some('>' | '!')) => {}
            None => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn css_and_js_are_minified_and_unreadable_css_is_kept_as_written() {
        let css = "/* why */\n.a > b {\n  width: calc(100% - 2rem);\n}\n";
        let out = String::from_utf8(minified("x.css", css.as_bytes().to_vec())).unwrap();
        assert_eq!(out, ".a>b{width:calc(100% - 2rem)}");
        let out = minified(
            "x.css",
            b"[id] > a { color: red !important; content: \"; } >\"; }".to_vec(),
        );
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "[id]>a{color:red!important;content:\"; } >\"}"
        );
        let broken = b"a { content: \"unclosed }".to_vec();
        assert_eq!(minified("x.css", broken.clone()), broken);
        let js = "/* why */\nvar a = 1;\nif (/^[a-z]+$/.test(x)) {\n  a = \"two  words\";\n}\n";
        let out = String::from_utf8(minified("x.js", js.as_bytes().to_vec())).unwrap();
        assert_eq!(out, "var a=1;if(/^[a-z]+$/.test(x)){a=\"two  words\";}");
        let svg = b"<svg>  <!-- kept --> </svg>".to_vec();
        assert_eq!(minified("x.svg", svg.clone()), svg);
    }

    #[test]
    fn syntax_errors_point_into_the_template() {
        let mut templates = BTreeMap::new();
        let file = SourceFile::new("themes/t/templates/a.html", "<p>\n{{ page.title }\n");
        templates.insert("a.html".to_string(), Arc::clone(&file));
        let error = tera::Tera::new()
            .add_raw_template("a.html", file.text())
            .expect_err("bad syntax");
        let diagnostic = template_error(&templates, &error);
        assert_eq!(diagnostic.path(), "themes/t/templates/a.html");
        assert_eq!(diagnostic.line_col().map(|(line, _)| line), Some(2));
    }
}
