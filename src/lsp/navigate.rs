//! Go to definition (a link → its file and heading; a level id → its entry in ladder.toml; a
//! page path → the page), hover (a link → the target's title and description; a level → its
//! name and tenure; a TOML key → its description from the schema), document symbols (a page's
//! heading outline, a TOML file's tables) and code actions (each did-you-mean as a quick fix).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, DocumentSymbol, Hover, HoverContents,
    Location, MarkupContent, MarkupKind, Range, SymbolKind, WorkspaceEdit,
};
use pulldown_cmark::{Event, Parser, Tag, TagEnd};

use crate::lsp::Server;
use crate::lsp::context::{self, string_at};
use crate::lsp::documents::{range, uri_of};
use crate::model::{Link, LinkTarget, Page, TocEntry};

/// Where a link or a reference leads: a file and a span in it.
struct Target {
    path: PathBuf,
    span: std::ops::Range<usize>,
}

impl Server {
    pub(crate) fn definition(&self, path: &Path, text: &str, offset: usize) -> Option<Location> {
        let target = match self.link_at(path, offset) {
            Some((page, link)) => self.link_target(page, &link)?,
            None => self.reference_target(text, offset)?,
        };
        let target_text = self.text_of(&target.path)?;
        let uri = uri_of(&target.path)?;
        Some(Location::new(
            uri,
            range(&target_text, &target.span, self.encoding),
        ))
    }

    pub(crate) fn hover(&self, path: &Path, text: &str, offset: usize) -> Option<Hover> {
        let site = &self.analysis.as_ref()?.site;
        let markdown = if let Some((page, link)) = self.link_at(path, offset) {
            let target = match &link.target {
                LinkTarget::SamePage => page,
                LinkTarget::Page(target) => site.page(target)?,
                LinkTarget::Asset(asset) => return Some(hover(format!("`content/{asset}`"))),
            };
            let heading = link
                .anchor
                .as_deref()
                .and_then(|anchor| heading(&target.toc, anchor))
                .map(|entry| format!(" › {}", entry.title))
                .unwrap_or_default();
            format!(
                "**{}**{heading}\n\n{}\n\n`{}`",
                target.front.title, target.front.description, target.file.path
            )
        } else {
            let (key, value, _) = string_at(text, offset)?;
            match key.as_str() {
                "level" | "from" | "to" => {
                    let level = site.data.ladder.as_ref()?.level(&value)?;
                    format!(
                        "**{}** ({})\n\nUnlocks: {}\n\nPlateau: {}",
                        level.name,
                        level.tenure.label(),
                        level.unlocks,
                        level.plateau
                    )
                }
                "page" => {
                    let page = site.page(&value)?;
                    format!("**{}**\n\n{}", page.front.title, page.front.description)
                }
                _ => return None,
            }
        };
        Some(hover(markdown))
    }

    /// The link whose destination holds `offset`, in the analysed page at `path`.
    fn link_at(&self, path: &Path, offset: usize) -> Option<(&Page, Link)> {
        let site = &self.analysis.as_ref()?.site;
        let relative = path.strip_prefix(&self.root).ok()?.to_str()?;
        let page = site.pages.iter().find(|page| page.file.path == relative)?;
        let link = page
            .links
            .iter()
            .find(|link| link.span.start <= offset && offset <= link.span.end)?;
        Some((page, link.clone()))
    }

    fn link_target(&self, page: &Page, link: &Link) -> Option<Target> {
        let site = &self.analysis.as_ref()?.site;
        let target = match &link.target {
            LinkTarget::SamePage => page,
            LinkTarget::Page(path) => site.page(path)?,
            LinkTarget::Asset(path) => {
                return Some(Target {
                    path: self.root.join(path.in_site()),
                    span: 0..0,
                });
            }
        };
        let span = link
            .anchor
            .as_deref()
            .and_then(|anchor| heading(&target.toc, anchor))
            .map_or(0..0, |entry| entry.span.clone());
        Some(Target {
            path: self.root.join(&target.file.path),
            span,
        })
    }

    /// A level id's entry in ladder.toml, a page path's page, a template's file.
    fn reference_target(&self, text: &str, offset: usize) -> Option<Target> {
        let (key, value, _) = string_at(text, offset)?;
        match key.as_str() {
            "level" | "from" | "to" => {
                let path = self.root.join("content/data/ladder.toml");
                let ladder = self.text_of(&path)?;
                let span = level_entry(&ladder, &value)?;
                Some(Target { path, span })
            }
            "page" => {
                let path = self.root.join("content").join(&value);
                path.is_file().then_some(Target { path, span: 0..0 })
            }
            "template" => {
                let theme = &self.analysis.as_ref()?.site.config.theme;
                let path = self
                    .root
                    .join("themes")
                    .join(theme)
                    .join("templates")
                    .join(&value);
                path.is_file().then_some(Target { path, span: 0..0 })
            }
            _ => None,
        }
    }

    /// A file's text as the editor has it: the open document, else the file on disk.
    pub(crate) fn text_of(&self, path: &Path) -> Option<String> {
        match self.documents.get(path) {
            Some(document) => Some(document.text.clone()),
            None => std::fs::read_to_string(path).ok(),
        }
    }

    /// The outline: a page's headings nested by level; a TOML file's tables.
    pub(crate) fn symbols(&self, path: &Path, text: &str) -> Vec<DocumentSymbol> {
        let found = if path.extension().is_some_and(|e| e == "md") {
            headings(text)
        } else {
            tables(text)
        };
        let flat = found
            .into_iter()
            .map(|(level, name, span)| {
                (
                    level,
                    symbol(name, range(text, &span, self.encoding), level),
                )
            })
            .collect();
        outline(flat)
    }

    /// Quick fixes for the diagnostics of `path` that `requested` touches.
    pub(crate) fn code_actions(&self, path: &Path, requested: Range) -> Vec<CodeActionOrCommand> {
        let (Some(analysis), Some(uri)) = (&self.analysis, uri_of(path)) else {
            return Vec::new();
        };
        let published = analysis.diagnostics.get(path).into_iter().flatten();
        published
            .filter(|p| {
                p.diagnostic.range.start <= requested.end
                    && requested.start <= p.diagnostic.range.end
            })
            .flat_map(|p| {
                p.fixes.iter().map(|(title, edit)| {
                    CodeActionOrCommand::CodeAction(CodeAction {
                        title: title.clone(),
                        kind: Some(CodeActionKind::QUICKFIX),
                        diagnostics: Some(vec![p.diagnostic.clone()]),
                        edit: Some(WorkspaceEdit {
                            changes: Some(HashMap::from([(uri.clone(), vec![edit.clone()])])),
                            ..WorkspaceEdit::default()
                        }),
                        is_preferred: Some(true),
                        ..CodeAction::default()
                    })
                })
            })
            .collect()
    }
}

fn hover(markdown: String) -> Hover {
    Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: markdown,
        }),
        range: None,
    }
}

/// The heading with id `anchor` (percent-decoded, as browsers look it up).
fn heading<'a>(toc: &'a [TocEntry], anchor: &str) -> Option<&'a TocEntry> {
    let anchor = percent_encoding::percent_decode_str(anchor).decode_utf8_lossy();
    toc.iter().find_map(|entry| {
        (entry.id == anchor)
            .then_some(entry)
            .or_else(|| heading(&entry.children, &anchor))
    })
}

/// The span of `id = "…"` of the `[[levels]]` entry with that id.
fn level_entry(ladder: &str, id: &str) -> Option<std::ops::Range<usize>> {
    let mut offset = 0;
    let mut in_levels = false;
    for line in ladder.split_inclusive('\n') {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            in_levels = trimmed == "[[levels]]";
        } else if in_levels
            && let Some((key, value)) = trimmed.split_once('=')
            && key.trim() == "id"
            && value.trim().trim_matches('"') == id
        {
            return Some(offset..offset + line.trim_end().len());
        }
        offset += line.len();
    }
    None
}

/// A page's headings (the body only): level, text and span.
fn headings(text: &str) -> Vec<(u8, String, std::ops::Range<usize>)> {
    let body_start = context::front_matter(text).map_or(0, |front| {
        text[front.end..]
            .find('\n')
            .map_or(text.len(), |i| front.end + i + 1)
    });
    let body = text.get(body_start..).unwrap_or_default();
    let mut found = Vec::new();
    let mut open: Option<(u8, String, std::ops::Range<usize>)> = None;
    for (event, span) in Parser::new_ext(body, crate::markdown::options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                open = Some((
                    level as u8,
                    String::new(),
                    body_start + span.start..body_start + span.end,
                ));
            }
            Event::Text(text) | Event::Code(text) => {
                if let Some((_, name, _)) = &mut open {
                    name.push_str(&text);
                }
            }
            Event::End(TagEnd::Heading(_)) => found.extend(open.take()),
            _ => {}
        }
    }
    found
}

/// A TOML file's table headers, each named by the `id` or `title` its entry has, if any.
fn tables(text: &str) -> Vec<(u8, String, std::ops::Range<usize>)> {
    let mut found: Vec<(u8, String, std::ops::Range<usize>)> = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            let depth = trimmed
                .trim_start_matches('[')
                .split(']')
                .next()
                .unwrap_or_default()
                .matches('.')
                .count();
            let level = u8::try_from(depth + 1).unwrap_or(u8::MAX);
            found.push((
                level,
                trimmed.to_string(),
                offset..offset + line.trim_end().len(),
            ));
        } else if let Some((key, value)) = trimmed.split_once('=')
            && matches!(key.trim(), "id" | "title")
            && let Some((_, name, span)) = found.last_mut()
            && name.starts_with('[')
            && !name.contains(" ")
        {
            name.push_str(&format!(" {}", value.trim()));
            span.end = offset + line.trim_end().len();
        }
        offset += line.len();
    }
    found
}

#[allow(
    deprecated,
    reason = "DocumentSymbol's `deprecated` field must still be given"
)]
fn symbol(name: String, range: Range, level: u8) -> DocumentSymbol {
    DocumentSymbol {
        name: if name.trim().is_empty() {
            "(untitled)".into()
        } else {
            name
        },
        detail: None,
        kind: if level == 0 {
            SymbolKind::FILE
        } else {
            SymbolKind::STRING
        },
        tags: None,
        deprecated: None,
        range,
        selection_range: range,
        children: None,
    }
}

/// Nests symbols by level: each under the nearest one before it of a lower level.
fn outline(flat: Vec<(u8, DocumentSymbol)>) -> Vec<DocumentSymbol> {
    fn close(open: &mut Vec<(u8, DocumentSymbol)>, roots: &mut Vec<DocumentSymbol>) {
        if let Some((_, done)) = open.pop() {
            match open.last_mut() {
                Some((_, parent)) => parent.children.get_or_insert_with(Vec::new).push(done),
                None => roots.push(done),
            }
        }
    }
    let mut roots = Vec::new();
    let mut open: Vec<(u8, DocumentSymbol)> = Vec::new();
    for (level, symbol) in flat {
        while open.last().is_some_and(|(last, _)| *last >= level) {
            close(&mut open, &mut roots);
        }
        open.push((level, symbol));
    }
    while !open.is_empty() {
        close(&mut open, &mut roots);
    }
    roots
}
