//! Completion: link targets after `](` (every page and file, written relative to the current
//! page), anchors after `#` (the target page's real heading ids), TOML keys of the table the
//! cursor is in (from the file's JSON Schema, with its descriptions), and values: level ids,
//! page paths, templates, themes and the closed sets the schema lists.

use std::path::Path;

use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionTextEdit, Documentation, MarkupContent,
    MarkupKind, TextEdit,
};
use serde_json::Value;

use crate::check::links::relative_link;
use crate::lsp::Server;
use crate::lsp::context::{self, Cursor};
use crate::lsp::documents::range;
use crate::model::TocEntry;
use crate::model::url::ContentPath;

impl Server {
    /// The completions at byte `offset` of the document at `path`, whose text is `text`.
    pub(crate) fn completions(
        &self,
        path: &Path,
        text: &str,
        offset: usize,
    ) -> Vec<CompletionItem> {
        let edit = |start: usize, label: &str| {
            CompletionTextEdit::Edit(TextEdit::new(
                range(text, &(start..offset), self.encoding),
                label.to_string(),
            ))
        };
        let candidates = match context::at(path, text, offset) {
            Cursor::Link { typed, start } => self.link_candidates(path, typed, start),
            Cursor::Key { table, start, .. } => self
                .schema_for(path)
                .and_then(|schema| table_schema(schema, &table))
                .map(|table| keys(table, start))
                .unwrap_or_default(),
            Cursor::Value {
                table, key, start, ..
            } => self.value_candidates(path, &table, &key, start),
            Cursor::Nothing => Vec::new(),
        };
        candidates
            .into_iter()
            .map(|candidate| CompletionItem {
                text_edit: Some(edit(candidate.start, &candidate.label)),
                filter_text: Some(candidate.label.clone()),
                label: candidate.label,
                kind: Some(candidate.kind),
                detail: candidate.detail,
                documentation: candidate.documentation.map(|text| {
                    Documentation::MarkupContent(MarkupContent {
                        kind: MarkupKind::Markdown,
                        value: text,
                    })
                }),
                ..CompletionItem::default()
            })
            .collect()
    }

    /// Pages and files as the link from this page would name them, or, after `#`, the ids of
    /// the page the link names.
    fn link_candidates(&self, path: &Path, typed: &str, start: usize) -> Vec<Candidate> {
        let (Some(analysis), Some(from)) = (&self.analysis, self.content_path(path)) else {
            return Vec::new();
        };
        let site = &analysis.site;
        if let Some((page_part, _)) = typed.split_once('#') {
            let target = if page_part.is_empty() {
                Some(from.clone())
            } else {
                from.resolve(page_part)
            };
            let Some(page) = target.and_then(|target| site.page(&target)) else {
                return Vec::new();
            };
            let mut ids = Vec::new();
            flatten(&page.toc, &mut ids);
            let at = start + page_part.len() + 1;
            return ids
                .into_iter()
                .map(|entry| {
                    Candidate::new(&entry.id, at, CompletionItemKind::REFERENCE)
                        .detail(&entry.title)
                })
                .collect();
        }
        let pages = site.pages.iter().map(|page| {
            Candidate::new(
                &relative_link(&from, &page.path),
                start,
                CompletionItemKind::FILE,
            )
            .detail(&page.front.title)
            .documentation(&page.front.description)
        });
        let files = site.assets.iter().map(|asset| {
            Candidate::new(
                &relative_link(&from, &asset.path),
                start,
                CompletionItemKind::FILE,
            )
        });
        pages.chain(files).collect()
    }

    /// Values for `key`: what the site has (levels, pages, templates, themes), else the closed
    /// set the schema lists.
    fn value_candidates(
        &self,
        path: &Path,
        table: &[String],
        key: &str,
        start: usize,
    ) -> Vec<Candidate> {
        let Some(analysis) = &self.analysis else {
            return Vec::new();
        };
        let site = &analysis.site;
        match key {
            "level" | "from" | "to" => site
                .data
                .ladder
                .iter()
                .flat_map(|ladder| &ladder.levels)
                .map(|level| {
                    Candidate::new(&level.id, start, CompletionItemKind::ENUM_MEMBER)
                        .detail(&format!("{} ({})", level.name, level.tenure.label()))
                })
                .collect(),
            "page" => site
                .pages
                .iter()
                .map(|page| {
                    Candidate::new(&page.path, start, CompletionItemKind::FILE)
                        .detail(&page.front.title)
                })
                .collect(),
            "template" => analysis
                .templates
                .iter()
                .map(|name| Candidate::new(name, start, CompletionItemKind::FILE))
                .collect(),
            "theme" => self
                .themes()
                .iter()
                .map(|name| Candidate::new(name, start, CompletionItemKind::FOLDER))
                .collect(),
            _ => {
                let Some(schema) = self.schema_for(path) else {
                    return Vec::new();
                };
                let property =
                    table_schema(schema, table).and_then(|table| table.get("properties")?.get(key));
                let mut values = Vec::new();
                if let Some(property) = property {
                    closed_set(schema, property, &mut values);
                }
                values
                    .iter()
                    .map(|value| Candidate::new(value, start, CompletionItemKind::ENUM_MEMBER))
                    .collect()
            }
        }
    }

    /// The folders under `themes/`.
    fn themes(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.root.join("themes"))
            .into_iter()
            .flatten()
            .flatten()
            .filter(|entry| entry.path().is_dir())
            .filter_map(|entry| entry.file_name().to_str().map(str::to_string))
            .collect();
        names.sort();
        names
    }

    /// The page's path below `content/`, for a file under it.
    pub(crate) fn content_path(&self, path: &Path) -> Option<ContentPath> {
        let relative = path.strip_prefix(self.root.join("content")).ok()?;
        Some(ContentPath::of(relative.to_str()?))
    }
}

/// One completion before it is made an LSP item.
struct Candidate {
    label: String,
    start: usize,
    kind: CompletionItemKind,
    detail: Option<String>,
    documentation: Option<String>,
}

impl Candidate {
    fn new(label: &str, start: usize, kind: CompletionItemKind) -> Candidate {
        Candidate {
            label: label.to_string(),
            start,
            kind,
            detail: None,
            documentation: None,
        }
    }

    fn detail(mut self, detail: &str) -> Candidate {
        self.detail = Some(detail.to_string()).filter(|d| !d.is_empty());
        self
    }

    fn documentation(mut self, text: &str) -> Candidate {
        self.documentation = Some(text.to_string()).filter(|d| !d.is_empty());
        self
    }
}

fn flatten<'a>(toc: &'a [TocEntry], into: &mut Vec<&'a TocEntry>) {
    for entry in toc {
        into.push(entry);
        flatten(&entry.children, into);
    }
}

/// The keys a table takes, with their descriptions.
fn keys(table: &Value, start: usize) -> Vec<Candidate> {
    let Some(properties) = table.get("properties").and_then(Value::as_object) else {
        return Vec::new();
    };
    properties
        .iter()
        .map(|(key, property)| {
            let description = property
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or_default();
            Candidate::new(key, start, CompletionItemKind::PROPERTY).documentation(description)
        })
        .collect()
}

/// The schema of the table at `path` (a header's keys) inside the root `schema`: each key's
/// property, through `$ref`s and array items.
pub(crate) fn table_schema<'s>(schema: &'s Value, path: &[String]) -> Option<&'s Value> {
    let mut current = resolve(schema, schema);
    for key in path {
        current = resolve(schema, current.get("properties")?.get(key)?);
        if let Some(items) = current.get("items") {
            current = resolve(schema, items);
        }
    }
    Some(current)
}

/// `{"$ref": "#/$defs/X"}` → the definition; anything else as it is.
fn resolve<'s>(root: &'s Value, schema: &'s Value) -> &'s Value {
    schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|reference| reference.strip_prefix("#/$defs/"))
        .and_then(|name| root.get("$defs")?.get(name))
        .unwrap_or(schema)
}

/// The values an `enum`, `const` or `oneOf` of them allows.
fn closed_set(root: &Value, schema: &Value, into: &mut Vec<String>) {
    let schema = resolve(root, schema);
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        into.extend(values.iter().filter_map(Value::as_str).map(str::to_string));
    }
    if let Some(value) = schema.get("const").and_then(Value::as_str) {
        into.push(value.to_string());
    }
    for options in ["oneOf", "anyOf"] {
        for option in schema
            .get(options)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            closed_set(root, option, into);
        }
    }
}
