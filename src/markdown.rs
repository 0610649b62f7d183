//! Markdown body → HTML with stable heading ids and self-links, the table of contents, and every
//! link with its span. Links to `.md` files become `ROOT_MARKER` + route, so the same HTML works
//! from any page depth. Pure: no I/O, and whether a link target exists is `links.rs`'s job.

use std::collections::HashSet;
use std::sync::Arc;

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};
use pulldown_cmark_escape::{escape_href, escape_html};

use crate::diagnostic::Diagnostic;
use crate::model::{Link, LinkTarget, ROOT_MARKER, TocEntry, route_of};
use crate::source::SourceFile;

pub(crate) struct Rendered {
    pub(crate) html: String,
    pub(crate) toc: Vec<TocEntry>,
    pub(crate) links: Vec<Link>,
    pub(crate) word_count: usize,
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_SMART_PUNCTUATION
}

/// Renders the body of `file` that starts at byte `body_start`; `content_path` is the page's path
/// below `content/`, against which relative links resolve.
pub(crate) fn render(
    file: &Arc<SourceFile>,
    body_start: usize,
    content_path: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Rendered {
    // The marker must never come from the source; a same-length stand-in keeps spans exact.
    let body = file.text[body_start..].replace(ROOT_MARKER, " ");
    let mut links = Vec::new();
    let mut word_count = 0;
    let mut ids = HashSet::new();
    let mut headings: Vec<(u8, String, String)> = Vec::new();
    let mut events: Vec<Event> = Vec::new();
    let mut heading: Option<OpenHeading> = None;

    for (event, range) in Parser::new_ext(&body, options()).into_offset_iter() {
        let span = body_start + range.start..body_start + range.end;
        let event = match event {
            Event::Start(Tag::Link {
                dest_url, title, ..
            }) => {
                let href = link_href(
                    &dest_url,
                    content_path,
                    file,
                    &span,
                    &mut links,
                    diagnostics,
                );
                let mut tag = format!("<a href=\"{}\"", attribute(&href, true));
                if !title.is_empty() {
                    tag.push_str(&format!(" title=\"{}\"", attribute(&title, false)));
                }
                tag.push('>');
                Event::InlineHtml(tag.into())
            }
            Event::End(TagEnd::Link) => Event::InlineHtml("</a>".into()),
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let href = link_href(
                    &dest_url,
                    content_path,
                    file,
                    &span,
                    &mut links,
                    diagnostics,
                );
                Event::Start(Tag::Image {
                    link_type,
                    dest_url: href.into(),
                    title,
                    id,
                })
            }
            Event::Start(Tag::Heading {
                level, id, classes, ..
            }) => {
                heading = Some(OpenHeading {
                    level: heading_number(level),
                    explicit_id: id.map(|id| (id.to_string(), span.clone())),
                    classes: classes.iter().map(|c| c.to_string()).collect(),
                    events: Vec::new(),
                    text: String::new(),
                });
                continue;
            }
            Event::End(TagEnd::Heading(_)) => {
                let Some(open) = heading.take() else {
                    continue;
                };
                let id = heading_id(&open, &mut ids, file, diagnostics);
                let mut inner = String::new();
                html::push_html(&mut inner, open.events.into_iter());
                let class = if open.classes.is_empty() {
                    String::new()
                } else {
                    format!(" class=\"{}\"", attribute(&open.classes.join(" "), false))
                };
                let id_attr = attribute(&id, false);
                let level = open.level;
                // The heading's text is its own self-link (the theme shows a "#" on hover and
                // focus); a heading that already holds a link cannot nest another, so it gets a
                // separate "#" link instead.
                let html = if inner.contains("<a ") || inner.contains("<a>") {
                    format!(
                        "<h{level} id=\"{id_attr}\"{class}>{inner} <a class=\"self-link\" href=\"#{id_attr}\" aria-label=\"Link to this section\">#</a></h{level}>\n"
                    )
                } else {
                    format!(
                        "<h{level} id=\"{id_attr}\"{class}><a href=\"#{id_attr}\">{inner}</a></h{level}>\n"
                    )
                };
                headings.push((open.level, id, open.text.trim().to_string()));
                events.push(Event::Html(html.into()));
                continue;
            }
            other => other,
        };
        if let Event::Text(text) | Event::Code(text) = &event {
            word_count += text.split_whitespace().count();
            if let Some(open) = heading.as_mut() {
                open.text.push_str(text);
            }
        }
        match heading.as_mut() {
            Some(open) => open.events.push(event),
            None => events.push(event),
        }
    }

    let mut out = String::with_capacity(body.len() * 3 / 2);
    html::push_html(&mut out, events.into_iter());
    // Images go through pulldown-cmark's writer, which percent-escapes the marker.
    let out = out.replace("src=\"%01", "src=\"\u{1}");
    Rendered {
        html: out,
        toc: nest_toc(&headings),
        links,
        word_count,
    }
}

struct OpenHeading<'a> {
    level: u8,
    explicit_id: Option<(String, std::ops::Range<usize>)>,
    classes: Vec<String>,
    events: Vec<Event<'a>>,
    text: String,
}

fn heading_number(level: HeadingLevel) -> u8 {
    level as u8
}

/// The heading's id: as written with `{#id}`, else a slug of its text made unique on the page.
fn heading_id(
    open: &OpenHeading<'_>,
    seen: &mut HashSet<String>,
    file: &Arc<SourceFile>,
    diagnostics: &mut Vec<Diagnostic>,
) -> String {
    if let Some((id, span)) = &open.explicit_id {
        if !seen.insert(id.clone()) {
            diagnostics.push(
                Diagnostic::at(
                    file,
                    span.clone(),
                    format!("heading id `{id}` is used twice on this page"),
                )
                .help("give this heading another `{#id}`; links to it must stay unique"),
            );
        }
        return id.clone();
    }
    let mut base = slug::slugify(&open.text);
    if base.is_empty() {
        base = "section".to_string();
    }
    let mut id = base.clone();
    let mut n = 2;
    while !seen.insert(id.clone()) {
        id = format!("{base}-{n}");
        n += 1;
    }
    id
}

/// Turns flat (level, id, title) headings into a tree: h3s under the h2 before them, and so on.
fn nest_toc(headings: &[(u8, String, String)]) -> Vec<TocEntry> {
    fn insert(into: &mut Vec<TocEntry>, entry: TocEntry) {
        match into.last_mut() {
            Some(last) if last.level < entry.level => insert(&mut last.children, entry),
            _ => into.push(entry),
        }
    }
    let mut toc = Vec::new();
    for (level, id, title) in headings.iter().filter(|(level, ..)| *level > 1) {
        insert(
            &mut toc,
            TocEntry {
                level: *level,
                id: id.clone(),
                title: title.clone(),
                children: Vec::new(),
            },
        );
    }
    toc
}

/// Escapes text for a double-quoted attribute; hrefs also get URL-safe percent-escaping.
fn attribute(value: &str, is_href: bool) -> String {
    let mut out = String::new();
    let result = match value.strip_prefix(ROOT_MARKER) {
        // The marker is ours, not part of the URL: keep it out of the percent-escaping.
        Some(rest) if is_href => {
            out.push(ROOT_MARKER);
            escape_href(&mut out, rest)
        }
        _ if is_href => escape_href(&mut out, value),
        _ => escape_html(&mut out, value),
    };
    result.expect("writing to a String cannot fail");
    out
}

/// Classifies a link destination, records internal ones, and returns the href to emit.
fn link_href(
    dest: &CowStr,
    content_path: &str,
    file: &Arc<SourceFile>,
    span: &std::ops::Range<usize>,
    links: &mut Vec<Link>,
    diagnostics: &mut Vec<Diagnostic>,
) -> String {
    let dest: &str = dest;
    if dest.is_empty() || is_external(dest) {
        return dest.to_string();
    }
    let span = dest_span(file, span, dest);
    let (path_part, anchor) = match dest.split_once('#') {
        Some((path, anchor)) => (path, Some(anchor.to_string())),
        None => (dest, None),
    };
    let path_part = path_part.split('?').next().unwrap_or_default();
    if path_part.is_empty() {
        links.push(Link {
            target: LinkTarget::SamePage,
            anchor,
            written: dest.to_string(),
            span,
        });
        return dest.to_string();
    }
    let decoded = percent_encoding::percent_decode_str(path_part).decode_utf8_lossy();
    let Some(resolved) = resolve(content_path, &decoded) else {
        diagnostics.push(
            Diagnostic::at(
                file,
                span,
                format!("link `{dest}` points outside `content/`"),
            )
            .help("link to a page's .md file inside content/, e.g. `/faq.md`"),
        );
        return dest.to_string();
    };
    let fragment = anchor.as_ref().map_or(String::new(), |a| format!("#{a}"));
    let (target, href) = if resolved.ends_with(".md") {
        let href = format!("{ROOT_MARKER}{}index.html{fragment}", route_of(&resolved));
        (LinkTarget::Page(resolved), href)
    } else {
        let href = format!("{ROOT_MARKER}{resolved}{fragment}");
        (LinkTarget::Asset(resolved), href)
    };
    links.push(Link {
        target,
        anchor,
        written: dest.to_string(),
        span,
    });
    href
}

/// `https:`, `mailto:`, `//host` and the like leave the site and are not checked.
fn is_external(dest: &str) -> bool {
    if dest.starts_with("//") {
        return true;
    }
    match dest.split_once(':') {
        Some((scheme, _)) => {
            !scheme.is_empty()
                && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => false,
    }
}

/// Points at the destination inside `[text](dest)` when it is written there, else at the link.
fn dest_span(
    file: &SourceFile,
    link: &std::ops::Range<usize>,
    dest: &str,
) -> std::ops::Range<usize> {
    let written = file.text.get(link.clone()).unwrap_or_default();
    match written.rfind(dest) {
        Some(i) => link.start + i..link.start + i + dest.len(),
        None => link.clone(),
    }
}

/// Joins a link path to the linking page's folder (or to `content/` when it starts with `/`),
/// folding `.` and `..`. `None` when it climbs out of `content/`.
pub(crate) fn resolve(from_page: &str, link: &str) -> Option<String> {
    let mut parts: Vec<&str> = if link.starts_with('/') {
        Vec::new()
    } else {
        let mut dir: Vec<&str> = from_page.split('/').collect();
        dir.pop();
        dir
    };
    for part in link.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render_str(markdown: &str) -> (Rendered, Vec<Diagnostic>) {
        let file = SourceFile::new("content/phases/senior.md", markdown);
        let mut diagnostics = Vec::new();
        let rendered = render(&file, 0, "phases/senior.md", &mut diagnostics);
        (rendered, diagnostics)
    }

    #[test]
    fn headings_get_unique_ids_self_links_and_a_nested_toc() {
        let (out, diagnostics) = render_str("## Scope\n### Why\n## Scope\n### Mine {#custom}\n");
        assert!(diagnostics.is_empty());
        assert!(
            out.html
                .contains("<h2 id=\"scope\"><a href=\"#scope\">Scope</a></h2>")
        );
        assert!(out.html.contains("<h2 id=\"scope-2\">"));
        assert!(
            out.html
                .contains("<h3 id=\"custom\"><a href=\"#custom\">Mine</a>")
        );
        assert_eq!(out.toc.len(), 2);
        assert_eq!(out.toc[0].children[0].id, "why");
        assert_eq!(out.toc[1].children[0].title, "Mine");
    }

    #[test]
    fn duplicate_explicit_ids_are_reported() {
        let (_, diagnostics) = render_str("## A {#x}\n## B {#x}\n");
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].line_col(), Some((2, 1)));
    }

    #[test]
    fn page_links_become_root_relative_markers_with_spans() {
        let (out, diagnostics) = render_str(
            "See [staff](staff.md#scope) and [faq](/faq.md) and [x](https://sre.google/).\n",
        );
        assert!(diagnostics.is_empty());
        assert!(
            out.html
                .contains("href=\"\u{1}phases/staff/index.html#scope\""),
            "{}",
            out.html
        );
        assert!(out.html.contains("href=\"\u{1}faq/index.html\""));
        assert!(out.html.contains("href=\"https://sre.google/\""));
        assert_eq!(out.links.len(), 2);
        assert_eq!(
            out.links[0].target,
            LinkTarget::Page("phases/staff.md".into())
        );
        assert_eq!(out.links[0].anchor.as_deref(), Some("scope"));
        assert_eq!(out.links[0].span, 12..26, "points at the destination");
    }

    #[test]
    fn links_out_of_content_are_errors() {
        let (_, diagnostics) = render_str("[x](../../../etc/passwd.md)\n");
        assert_eq!(diagnostics.len(), 1);
        assert!(diagnostics[0].message.contains("outside `content/`"));
    }

    #[test]
    fn gfm_extensions_are_on() {
        let (out, _) = render_str(
            "| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n\n~~old~~ \"quoted\"[^1]\n\n[^1]: note\n",
        );
        assert!(out.html.contains("<table>"));
        assert!(out.html.contains("type=\"checkbox\""));
        assert!(out.html.contains("<del>old</del>"));
        assert!(out.html.contains("“quoted”"));
        assert!(out.html.contains("footnote"));
    }

    #[test]
    fn the_root_marker_cannot_be_smuggled_in() {
        let (out, _) = render_str("a\u{1}b\n");
        assert!(!out.html.contains(ROOT_MARKER));
    }

    #[test]
    fn resolve_folds_dots() {
        assert_eq!(
            resolve("phases/senior.md", "../faq.md").as_deref(),
            Some("faq.md")
        );
        assert_eq!(
            resolve("phases/senior.md", "./staff.md").as_deref(),
            Some("phases/staff.md")
        );
        assert_eq!(
            resolve("phases/senior.md", "/index.md").as_deref(),
            Some("index.md")
        );
        assert_eq!(resolve("index.md", "../x.md"), None);
    }
}
