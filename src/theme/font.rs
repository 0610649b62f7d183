//! The theme's font for link-preview cards: the first `.ttf` or `.otf` file (by name) in
//! `themes/<name>/fonts/`, read once with the theme, never a system font, so every machine draws
//! the same bytes. A file that is not a font is a diagnostic; no font means no
//! [`og_image`](crate::render::og_image).

use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;
use sha2::{Digest, Sha256};
use skrifa::MetadataProvider as _;

use crate::load::walk::relative;
use crate::model::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::source::hex;

/// The font cards are drawn with: the first `.ttf` or `.otf` file (by name) in the theme's
/// `fonts/` folder, which also holds its licence.
pub(crate) struct Font {
    pub(crate) bytes: Arc<Vec<u8>>,
    pub(crate) family: String,
    /// A hash of the file, part of every card's name: a new font makes new cards.
    pub(crate) digest: String,
}

/// Reads the theme's font, if it has one: `None` when there is no `fonts/` folder or no font in
/// it (the theme then cannot call `og_image`), or when the file is not a font (a diagnostic).
pub(crate) fn font(
    root: &Path,
    theme_dir: &Path,
    diagnostics: &mut Diagnostics,
) -> anyhow::Result<Option<Font>> {
    let dir = theme_dir.join("fonts");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Ok(None);
    };
    let mut names: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| {
            path.extension().is_some_and(|ext| {
                ext.eq_ignore_ascii_case("ttf") || ext.eq_ignore_ascii_case("otf")
            })
        })
        .collect();
    names.sort();
    let Some(path) = names.first() else {
        return Ok(None);
    };
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let family = skrifa::FontRef::new(&bytes).ok().and_then(|font| {
        font.localized_strings(skrifa::string::StringId::FAMILY_NAME)
            .english_or_first()
            .map(|name| name.chars().collect::<String>())
    });
    let Some(family) = family else {
        diagnostics.push(
            Diagnostic::in_file(
                Code::FontInvalid,
                relative(root, path),
                "this is not a TrueType or OpenType font with a family name",
            )
            .help("link previews are drawn with the first .ttf or .otf file in the theme's fonts/ folder; replace it with a font file"),
        );
        return Ok(None);
    };
    Ok(Some(Font {
        digest: hex(&Sha256::digest(&bytes)),
        bytes: Arc::new(bytes),
        family,
    }))
}
