//! Link previews: `og_image(title=…, phase=…)` in a template → the absolute URL of a 1200×630 PNG
//! card (site title, page title, optional phase), drawn after the pages by resvg with the one
//! font file the theme ships in `fonts/`, never a system font, so every machine draws the same
//! bytes. Names hash what a card shows; a card already drawn under its name is reused.
#![warn(clippy::missing_docs_in_private_items)]

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, OnceLock};

use parking_lot::Mutex;

use anyhow::Context as _;
use resvg::{tiny_skia, usvg};
use sha2::{Digest, Sha256};
use skrifa::MetadataProvider as _;
use tera::{Kwargs, State, Tera};

use crate::model::html;
use crate::model::source::hex;
use crate::model::url::{Generated, OutputPath, SiteUrl};
use crate::output::Sink;
use crate::theme::font::Font;

/// A card's width in pixels: the size link previews (`summary_large_image`) show best.
pub(crate) const WIDTH: u32 = 1200;
/// A card's height in pixels.
pub(crate) const HEIGHT: u32 = 630;
/// Bumped whenever the layout below changes, so old cards are not reused under new names.
const LAYOUT_VERSION: &str = "og-card-2";
/// Space left and right of the text, in pixels.
const MARGIN: f32 = 80.0;

/// What one card shows.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Card {
    /// `site.toml`'s `title`, at the top (left out when it is also the page's title).
    pub(crate) site_title: String,
    /// The template's `title` argument: `"Phase 1: Junior SRE"`.
    pub(crate) title: String,
    /// The template's `phase` argument (`"Phase 1 · Owning a failure from end to end"`), at the
    /// foot; empty when not given.
    pub(crate) phase: String,
}

/// Cards the templates asked for during one render, by published path.
pub(crate) type CardRequests = Arc<Mutex<BTreeMap<OutputPath, Card>>>;

/// Registers `og_image(title, phase="")`, which returns the card's absolute URL (from
/// `base_url`, as link previews need) and records the card to draw:
/// `og_image(title=page.title, phase="Phase 1 · …")` →
/// `"https://example.org/guide/static/og/3f2a9c0e1b7d4a56.png"`. Without a font in the theme's
/// `fonts/` the call is a template error.
pub(crate) fn register(
    tera: &mut Tera,
    font: Option<&Font>,
    site_title: &str,
    base_url: &str,
    requests: &CardRequests,
) {
    let digest = font.map(|f| f.digest.clone());
    let site_title = site_title.to_string();
    let base_url = base_url.to_string();
    let requests = Arc::clone(requests);
    tera.register_function(
        "og_image",
        move |kwargs: Kwargs, _: &State| -> tera::TeraResult<String> {
            let Some(digest) = &digest else {
                return Err(tera::Error::message(
                    "og_image(): the theme has no font to draw with; add a .ttf or .otf file (and its licence) to the theme's fonts/ folder",
                ));
            };
            let card = Card {
                site_title: site_title.clone(),
                title: kwargs.must_get::<&str>("title")?.to_string(),
                phase: kwargs.get::<&str>("phase")?.unwrap_or_default().to_string(),
            };
            let path = published_path(&card, digest);
            let url = SiteUrl::file(&path).absolute(&base_url);
            requests
                .lock()
                .insert(path, card);
            Ok(url)
        },
    );
}

/// `static/og/<hash>.png`, the hash over everything that decides the card's pixels.
fn published_path(card: &Card, font_digest: &str) -> OutputPath {
    let mut hasher = Sha256::new();
    for part in [
        LAYOUT_VERSION,
        font_digest,
        &card.site_title,
        &card.title,
        &card.phase,
    ] {
        hasher.update(part.len().to_le_bytes());
        hasher.update(part.as_bytes());
    }
    let digest = hasher.finalize();
    OutputPath::generated(Generated::OgImage(&hex(&digest)[..16]))
}

/// Cards drawn by this process, kept for the next rebuild of `serve` (only the last build's).
fn drawn() -> &'static Mutex<HashMap<OutputPath, Arc<Vec<u8>>>> {
    static DRAWN: OnceLock<Mutex<HashMap<OutputPath, Arc<Vec<u8>>>>> = OnceLock::new();
    DRAWN.get_or_init(Mutex::default)
}

/// Cards drawn by an earlier process (`serve` hands a new build process the ones it serves),
/// for the next render to reuse as if this process had drawn them. Anything that is not a card
/// is passed over.
pub(crate) fn remember(cards: impl IntoIterator<Item = (String, Vec<u8>)>) {
    let mut drawn = drawn().lock();
    for (path, png) in cards {
        if path.starts_with(crate::model::url::OG_IMAGE_FOLDER) && is_card_png(&png) {
            drawn.insert(OutputPath::received(path), Arc::new(png));
        }
    }
}

/// Every requested card as (path, PNG): reused from this process's last build or from the
/// previous output when one has the same name (the name hashes all the card shows), else drawn,
/// across the machine's cores. None for a sink that drops files (`check`).
pub(crate) fn cards(
    requests: &CardRequests,
    font: Option<&Font>,
    sink: &dyn Sink,
) -> anyhow::Result<Vec<(OutputPath, Arc<Vec<u8>>)>> {
    let requests = std::mem::take(&mut *requests.lock());
    let Some(font) = font.filter(|_| sink.keeps_files()) else {
        return Ok(Vec::new());
    };
    let known = std::mem::take(&mut *drawn().lock());
    let mut ready = Vec::new();
    let mut to_draw = Vec::new();
    for (path, card) in requests {
        let reused = known.get(&path).cloned().or_else(|| {
            sink.previous(&path)
                .filter(|b| is_card_png(b))
                .map(Arc::new)
        });
        match reused {
            Some(bytes) => ready.push((path, bytes)),
            None => to_draw.push((path, card)),
        }
    }
    ready.extend(draw_all(&to_draw, font)?);
    ready.sort_by(|a, b| a.0.cmp(&b.0));
    *drawn().lock() = ready.iter().cloned().collect();
    Ok(ready)
}

/// Draws `cards` across the machine's cores, keeping their order.
fn draw_all(
    cards: &[(OutputPath, Card)],
    font: &Font,
) -> anyhow::Result<Vec<(OutputPath, Arc<Vec<u8>>)>> {
    if cards.is_empty() {
        return Ok(Vec::new());
    }
    let options = options(font);
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    let chunk = cards.len().div_ceil(threads).max(1);
    let drawn = std::thread::scope(|scope| {
        let workers: Vec<_> = cards
            .chunks(chunk)
            .map(|cards| {
                let options = &options;
                scope.spawn(move || {
                    cards
                        .iter()
                        .map(|(path, card)| {
                            Ok((path.clone(), Arc::new(draw(card, font, options)?)))
                        })
                        .collect::<anyhow::Result<Vec<_>>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|worker| {
                worker.join().unwrap_or_else(|_| {
                    Err(anyhow::anyhow!("drawing a link preview image crashed"))
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()
    })?;
    Ok(drawn.into_iter().flatten().collect())
}

/// A previous file is reused only if it is a PNG of the card's size.
fn is_card_png(bytes: &[u8]) -> bool {
    png_size(bytes) == Some((WIDTH, HEIGHT))
}

/// Width and height from a PNG's IHDR chunk.
fn png_size(bytes: &[u8]) -> Option<(u32, u32)> {
    if bytes.len() < 24 || &bytes[..8] != b"\x89PNG\r\n\x1a\n" || &bytes[12..16] != b"IHDR" {
        return None;
    }
    let word =
        |at: usize| u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    Some((word(16), word(20)))
}

/// How resvg lays out text: with the theme's one font and nothing else.
fn options(font: &Font) -> usvg::Options<'static> {
    let mut db = usvg::fontdb::Database::new();
    db.load_font_data(font.bytes.as_ref().clone());
    usvg::Options {
        font_family: font.family.clone(),
        fontdb: Arc::new(db),
        ..usvg::Options::default()
    }
}

/// One card as PNG bytes.
fn draw(card: &Card, font: &Font, options: &usvg::Options) -> anyhow::Result<Vec<u8>> {
    let svg = svg(card, &Measure::new(&font.bytes));
    let tree = usvg::Tree::from_str(&svg, options).context("laying out a link preview image")?;
    let mut pixmap =
        tiny_skia::Pixmap::new(WIDTH, HEIGHT).context("allocating a link preview image")?;
    resvg::render(
        &tree,
        tiny_skia::Transform::identity(),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .context("encoding a link preview image as PNG")
}

/// Text widths from the font's advance widths (no kerning: lines come out slightly wide,
/// never too long).
struct Measure<'a> {
    /// The font, or `None` if skrifa cannot read it (widths are then estimated).
    font: Option<skrifa::FontRef<'a>>,
}

impl<'a> Measure<'a> {
    /// Measures with the font file `bytes`.
    fn new(bytes: &'a [u8]) -> Self {
        Measure {
            font: skrifa::FontRef::new(bytes).ok(),
        }
    }

    /// The width of `text` set at `size` pixels, in pixels.
    fn width(&self, text: &str, size: f32) -> f32 {
        let Some(font) = &self.font else {
            return text.chars().count() as f32 * size * 0.6;
        };
        let charmap = font.charmap();
        let metrics = font.glyph_metrics(
            skrifa::instance::Size::new(size),
            skrifa::instance::LocationRef::default(),
        );
        text.chars()
            .map(|c| {
                charmap
                    .map(c)
                    .and_then(|glyph| metrics.advance_width(glyph))
                    .unwrap_or(size * 0.6)
            })
            .sum()
    }
}

/// Splits `text` into lines no wider than `width`; `None` if it needs more than `max_lines`.
fn wrap(
    text: &str,
    size: f32,
    width: f32,
    max_lines: usize,
    measure: &Measure,
) -> Option<Vec<String>> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(line) if measure.width(&format!("{line} {word}"), size) <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    let fits = lines.iter().all(|line| measure.width(line, size) <= width);
    (lines.len() <= max_lines && fits).then_some(lines)
}

/// The card as SVG: the site title at the top (unless it is the page's), the page title as
/// large as fits in three lines, the phase (if any) at the foot.
fn svg(card: &Card, measure: &Measure) -> String {
    let width = WIDTH as f32 - 2.0 * MARGIN;
    let (size, lines) = [72.0, 60.0, 50.0, 42.0]
        .iter()
        .find_map(|&size| wrap(&card.title, size, width, 3, measure).map(|lines| (size, lines)))
        .unwrap_or_else(|| (42.0, clipped(&card.title, 42.0, width, measure)));
    let mut text = String::new();
    let line_height = size * 1.18;
    let top = 250.0 + size * 0.35;
    for (i, line) in lines.iter().enumerate() {
        text.push_str(&format!(
            r#"<text x="{MARGIN}" y="{:.1}" font-size="{size}" fill="{TITLE}">{}</text>"#,
            top + i as f32 * line_height,
            html::escape(line)
        ));
    }
    // The home page's title is the site's: say it once.
    let site = if card.title == card.site_title {
        String::new()
    } else {
        clipped(&card.site_title, 34.0, width, measure).join(" ")
    };
    let phase = clipped(&card.phase, 38.0, width, measure).join(" ");
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}"><rect width="{WIDTH}" height="{HEIGHT}" fill="{BACKGROUND}"/><rect width="{WIDTH}" height="14" fill="{ACCENT}"/><text x="{MARGIN}" y="130" font-size="34" fill="{MUTED}">{}</text><rect x="{MARGIN}" y="160" width="120" height="6" fill="{ACCENT}"/>{text}<text x="{MARGIN}" y="{}" font-size="38" fill="{ACCENT}">{}</text></svg>"#,
        html::escape(&site),
        HEIGHT - 70,
        html::escape(&phase),
    )
}

/// The card's background colour.
const BACKGROUND: &str = "#0f2537";
/// The colour of the page title.
const TITLE: &str = "#ffffff";
/// The colour of the site title.
const MUTED: &str = "#b8cde0";
/// The colour of the phase, the top band and the rule under the site title.
const ACCENT: &str = "#f4b860";

/// The first line of `text` that fits, ending in "…" when words had to go.
fn clipped(text: &str, size: f32, width: f32, measure: &Measure) -> Vec<String> {
    let mut line = String::new();
    for word in text.split_whitespace() {
        let longer = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if measure.width(&format!("{longer} …"), size) > width {
            line.push_str(" …");
            return vec![line.trim_start().to_string()];
        }
        line = longer;
    }
    vec![line]
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::model::diagnostic::Diagnostics;

    fn theme_font() -> Font {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default");
        let mut diagnostics = Diagnostics::default();
        let font = crate::theme::font::font(&dir, &dir, &mut diagnostics).unwrap();
        assert!(diagnostics.0.is_empty());
        font.expect("the default theme ships a font")
    }

    /// Keeps every file, and has no earlier build to reuse from.
    struct Keeps;

    impl Sink for Keeps {
        fn put(&self, _: &OutputPath, _: Vec<u8>) -> anyhow::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn cards_an_earlier_process_drew_are_reused_not_drawn_again() {
        let font = theme_font();
        let card = Card {
            site_title: "Guide".into(),
            title: "Remembered across build processes".into(),
            phase: String::new(),
        };
        let path = published_path(&card, &font.digest);
        // A card's size in a PNG header, and nothing a drawing would give: a reuse shows.
        let mut handed = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        handed.extend_from_slice(&WIDTH.to_be_bytes());
        handed.extend_from_slice(&HEIGHT.to_be_bytes());
        remember([
            (path.to_string(), handed.clone()),
            ("static/og/not-a-card.png".to_string(), b"junk".to_vec()),
        ]);
        let requests = CardRequests::default();
        requests.lock().insert(path.clone(), card);
        let ready = cards(&requests, Some(&font), &Keeps).unwrap();
        assert_eq!(ready, [(path, Arc::new(handed))]);
    }

    #[test]
    fn names_change_with_the_text_and_only_with_it() {
        let card = Card {
            site_title: "Guide".into(),
            title: "FAQ".into(),
            phase: String::new(),
        };
        let name = published_path(&card, "f");
        assert!(name.starts_with("static/og/") && name.ends_with(".png"));
        assert_eq!(name, published_path(&card.clone(), "f"));
        let other = Card {
            title: "FAQs".into(),
            ..card.clone()
        };
        assert_ne!(name, published_path(&other, "f"));
        assert_ne!(name, published_path(&card, "another font"));
    }

    #[test]
    fn long_titles_wrap_within_the_card_and_very_long_ones_are_clipped() {
        let font = theme_font();
        let measure = Measure::new(&font.bytes);
        let width = WIDTH as f32 - 2.0 * MARGIN;
        let lines = wrap(
            "Building the reliability muscle, one incident at a time",
            72.0,
            width,
            3,
            &measure,
        )
        .unwrap();
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| measure.width(l, 72.0) <= width));
        let endless = "word ".repeat(200);
        let clipped = clipped(&endless, 42.0, width, &measure);
        assert!(clipped[0].ends_with('…') && measure.width(&clipped[0], 42.0) <= width);
        let svg = svg(
            &Card {
                site_title: "A & B".into(),
                title: endless,
                phase: "<Phase 1>".into(),
            },
            &measure,
        );
        assert!(svg.contains("A &amp; B") && svg.contains("&lt;Phase 1&gt;"));
    }

    #[test]
    fn a_card_is_a_1200_by_630_png_drawn_the_same_every_time() {
        let font = theme_font();
        let options = options(&font);
        let card = Card {
            site_title: "SRE career guide".into(),
            title: "Start at Phase 2: Owning services".into(),
            phase: "Phase 2 · Mid-level SRE".into(),
        };
        let png = draw(&card, &font, &options).unwrap();
        assert_eq!(png_size(&png), Some((WIDTH, HEIGHT)));
        assert_eq!(png, draw(&card, &font, &options).unwrap());
    }
}
