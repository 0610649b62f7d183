//! Heading ids and self-links, planned before the body is written: each heading's id is unique
//! against every id the page will have (other headings, footnotes, raw HTML, the theme's), and a
//! heading that holds interactive content gets its self-link beside the text. Also the toc.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::Arc;

use pulldown_cmark::{CowStr, Event, HeadingLevel, Tag, TagEnd};
use pulldown_cmark_escape::escape_href;

use crate::model::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::html::ids::ids_in;
use crate::model::source::SourceFile;
use crate::model::url;
use crate::model::{HeadingPlan, TocEntry};

/// Ids the default theme gives its own elements; a heading's slug never takes one, and a
/// `{#id}` naming one is an error.
pub(super) const THEME_IDS: &[&str] = &[
    "comp-ranges",
    "compare",
    "compare-a",
    "compare-b",
    "compare-out",
    "compare-rows",
    "compare-status",
    "evidence-template",
    "g-comp-ranges",
    "g-ladder",
    "home-journey",
    "home-ladder",
    "home-milestones",
    "home-pay",
    "home-phases",
    "home-start",
    "home-timeline",
    "home-title",
    "main",
    "packet-file",
    "packet-level",
    "packet-markdown",
    "phase-checklist",
    "phase-comparison",
    "progress-code",
    "quiz",
    "quiz-data",
    "quiz-errors",
    "quiz-errors-title",
    "quiz-key",
    "quiz-key-title",
    "quiz-result",
    "quiz-result-template",
    "quiz-title",
    "section-pages",
    "theme-choice",
    "toc-title",
];

/// Elements that are interactive content whatever their attributes: a link may not contain
/// them, so a heading holding one gets its self-link beside the text.
const INTERACTIVE: &[&str] = &[
    "a", "button", "details", "embed", "iframe", "input", "label", "select", "textarea",
];

/// Whether a link may not contain `tag` (HTML's content model of `a`): interactive content —
/// the elements above, `audio`/`video` with controls, `img`/`object` with a `usemap` — or
/// any element with a `tabindex`.
fn is_interactive(tag: &crate::model::html::Tag) -> bool {
    let name = tag.name.as_ref();
    let has = |attribute: &str| crate::model::html::attribute(tag, attribute).is_some();
    INTERACTIVE.contains(&name)
        || (matches!(name, "audio" | "video") && has("controls"))
        || (matches!(name, "img" | "object") && has("usemap"))
        || has("tabindex")
}

/// A heading as planned before writing: its anchor (unique id, where its self-link goes), and
/// what the toc shows of it.
pub(super) struct Heading {
    pub(super) level: u8,
    pub(super) anchor: Anchor<'static>,
    text: String,
    /// Where the heading is written in its file.
    span: Range<usize>,
}

/// A heading's id on its page and how its self-link is written.
#[derive(Clone)]
pub(super) struct Anchor<'a> {
    pub(super) id: Cow<'a, str>,
    /// Holds interactive content (see [`HeadingPlan::interactive`]).
    pub(super) interactive: bool,
}

/// Every heading's anchor in order, from the toc's ids and the rest of the page's plan.
pub(super) fn anchors<'p>(toc: &'p [TocEntry], plan: &'p HeadingPlan) -> Vec<Anchor<'p>> {
    fn in_order<'t>(toc: &'t [TocEntry], ids: &mut Vec<&'t str>) {
        for entry in toc {
            ids.push(&entry.id);
            in_order(&entry.children, ids);
        }
    }
    let mut listed = Vec::new();
    in_order(toc, &mut listed);
    let mut listed = listed.into_iter();
    let mut top_level = plan.top_level.iter().peekable();
    let mut anchors = Vec::with_capacity(listed.len() + plan.top_level.len());
    loop {
        let place = anchors.len();
        let id = match top_level.next_if(|(at, _)| *at == place) {
            Some((_, id)) => id.as_str(),
            None => match listed.next() {
                Some(id) => id,
                None => return anchors,
            },
        };
        anchors.push(Anchor {
            id: Cow::Borrowed(id),
            interactive: plan.interactive.binary_search(&place).is_ok(),
        });
    }
}

/// What the toc does not hold of `headings`' plan.
pub(super) fn plan_of(headings: &[Heading]) -> HeadingPlan {
    let mut plan = HeadingPlan::default();
    for (place, heading) in headings.iter().enumerate() {
        if heading.level <= 1 {
            plan.top_level.push((place, heading.anchor.id.to_string()));
        }
        if heading.anchor.interactive {
            plan.interactive.push(place);
        }
    }
    plan
}

impl Anchor<'_> {
    /// The same heading inside another page, its id prefixed (see [`Embedding`](crate::markdown::Embedding)).
    pub(super) fn prefixed(&self, prefix: &str) -> Anchor<'static> {
        Anchor {
            id: Cow::Owned(format!("{prefix}{}", self.id)),
            interactive: self.interactive,
        }
    }

    /// The heading's start with its id, then the opening of its self-link when its text can be
    /// the link (the theme shows a "#" on hover and focus).
    pub(super) fn start<'e>(
        &self,
        level: HeadingLevel,
        classes: Vec<CowStr<'e>>,
        attrs: Vec<(CowStr<'e>, Option<CowStr<'e>>)>,
    ) -> [Option<Event<'e>>; 2] {
        let id = Some(CowStr::from(self.id.to_string()));
        // Out of the Tab order: the page's contents and the heading's own text reach it, and a
        // page of headings should not cost a keyboard reader a Tab press each.
        let self_link = (!self.interactive).then(|| {
            Event::InlineHtml(format!("<a href=\"{}\" tabindex=\"-1\">", self.href()).into())
        });
        [
            Some(Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            })),
            self_link,
        ]
    }

    /// What goes before the heading's end: the self-link's close, or, when the heading holds
    /// interactive content (which a link cannot contain), a separate "#" link after a no-break
    /// space, so it never wraps onto a line of its own.
    pub(super) fn end(&self) -> Event<'static> {
        if !self.interactive {
            return Event::InlineHtml("</a>".into());
        }
        let link = format!(
            "&nbsp;<a class=\"self-link\" href=\"{}\" tabindex=\"-1\" aria-label=\"Link to this section\">#</a>",
            self.href()
        );
        Event::InlineHtml(link.into())
    }

    fn href(&self) -> String {
        let mut href = String::new();
        escape_href(&mut href, &url::fragment_of_id(&self.id))
            .expect("writing to a String cannot fail");
        href
    }
}

/// Reads the whole stream once before anything is written, so a heading's id can avoid every id
/// on the page (footnotes and raw HTML further down, the theme's), and counts the words.
#[cfg(test)]
pub(super) fn plan_headings<'a>(
    events: impl IntoIterator<Item = (Event<'a>, Range<usize>)>,
    file: &Arc<SourceFile>,
    diagnostics: &mut Diagnostics,
) -> (Vec<Heading>, usize) {
    let mut scan = Scan::default();
    for (event, span) in events {
        scan.event(&event, &span);
    }
    scan.plan(file, diagnostics)
}

/// A heading as the body's events show it, before it has an id.
struct HeadingSeen {
    level: u8,
    span: Range<usize>,
    /// The `{#id}` written, with its span.
    explicit: Option<(String, Range<usize>)>,
    text: String,
    interactive: bool,
}

/// What one pass over a page's events finds for planning its ids, fed one event at a time.
#[derive(Default)]
pub(super) struct Scan {
    found: Vec<HeadingSeen>,
    /// Every raw HTML fragment of the page, for the ids written in it.
    raw_html: String,
    footnotes: HashSet<String>,
    word_count: usize,
    in_heading: bool,
}

impl Scan {
    pub(super) fn event(&mut self, event: &Event, span: &Range<usize>) {
        let in_heading = self.in_heading;
        match event {
            Event::Start(Tag::Heading { level, id, .. }) => {
                self.in_heading = true;
                self.found.push(HeadingSeen {
                    level: *level as u8,
                    span: span.clone(),
                    explicit: id.as_ref().map(|id| (id.to_string(), span.clone())),
                    text: String::new(),
                    interactive: false,
                });
            }
            Event::End(TagEnd::Heading(_)) => self.in_heading = false,
            Event::Text(text) | Event::Code(text) => {
                self.word_count += word_count(text);
                if let Some(heading) = self.found.last_mut().filter(|_| in_heading) {
                    heading.text.push_str(text);
                }
            }
            Event::Html(html) | Event::InlineHtml(html) => {
                self.raw_html.push_str(html);
                if let Some(heading) = self.found.last_mut().filter(|_| in_heading) {
                    crate::model::html::start_tags(html, |tag| {
                        heading.interactive |= is_interactive(tag);
                    });
                }
            }
            Event::Start(Tag::Link { .. }) | Event::FootnoteReference(_) => {
                if let Some(heading) = self.found.last_mut().filter(|_| in_heading) {
                    heading.interactive = true;
                }
            }
            Event::Start(Tag::FootnoteDefinition(label)) => {
                self.footnotes.insert(label.to_string());
            }
            _ => {}
        }
    }

    /// Each heading's id, unique on the page (conflicting `{#id}`s reported), and the words.
    pub(super) fn plan(
        self,
        file: &Arc<SourceFile>,
        diagnostics: &mut Diagnostics,
    ) -> (Vec<Heading>, usize) {
        let in_html = ids_in(&self.raw_html);
        // The theme's ids are taken too: `unique_id` never gives one out.
        let mut taken: HashSet<String> = HashSet::new();
        taken.extend(self.footnotes.iter().cloned());
        taken.extend(in_html.iter().cloned());
        taken.extend(check_written_ids(&self, &in_html, file, diagnostics));

        let mut next_suffix: HashMap<String, usize> = HashMap::new();
        let headings = self
            .found
            .into_iter()
            .map(|f| {
                let id = match f.explicit {
                    Some((id, _)) => id,
                    None => unique_slug(&f.text, &mut taken, &mut next_suffix),
                };
                Heading {
                    level: f.level,
                    anchor: Anchor {
                        id: Cow::Owned(id),
                        interactive: f.interactive,
                    },
                    text: f.text.trim().to_string(),
                    span: f.span,
                }
            })
            .collect();
        (headings, self.word_count)
    }
}

/// The whitespace-separated words of `text`, as `split_whitespace` counts them; ASCII text (most
/// prose) as the starts of words among its bytes, which compiles to vector code.
fn word_count(text: &str) -> usize {
    if !text.is_ascii() {
        return text.split_whitespace().count();
    }
    // `char::is_whitespace` in ASCII: tab, line feed, vertical tab, form feed, return, space.
    let space = |b: u8| b == b' ' || b.wrapping_sub(b'\t') < 5;
    let bytes = text.as_bytes();
    let first = bytes.first().is_some_and(|&b| !space(b));
    // Counted in bytes, 255 pairs at a time, so sixteen bytes go through at once.
    let mut starts = 0;
    for from in (1..bytes.len()).step_by(255) {
        let to = (from + 255).min(bytes.len());
        let pairs = bytes[from - 1..to - 1].iter().zip(&bytes[from..to]);
        starts += usize::from(pairs.fold(0u8, |n, (&before, &at)| {
            n + u8::from(space(before) & !space(at))
        }));
    }
    usize::from(first) + starts
}

/// Reports each written `{#id}` that another id on the page already has; returns them all.
fn check_written_ids(
    scan: &Scan,
    in_html: &HashSet<String>,
    file: &Arc<SourceFile>,
    diagnostics: &mut Diagnostics,
) -> Vec<String> {
    let mut explicit: HashSet<&str> = HashSet::new();
    for (id, span) in scan.found.iter().filter_map(|f| f.explicit.as_ref()) {
        let problem = if THEME_IDS.contains(&id.as_str()) {
            Some(format!("heading id `{id}` is an id the theme uses"))
        } else if scan.footnotes.contains(id) {
            Some(format!("heading id `{id}` is also a footnote's id"))
        } else if in_html.contains(id) {
            Some(format!(
                "heading id `{id}` is also an id in this page's HTML"
            ))
        } else if !explicit.insert(id) {
            Some(format!("heading id `{id}` is used twice on this page"))
        } else {
            None
        };
        if let Some(message) = problem {
            diagnostics.push(
                Diagnostic::at(Code::HeadingIdConflict, file, span.clone(), message)
                    .help("give this heading another `{#id}`; links to it must stay unique"),
            );
        }
    }
    explicit.into_iter().map(str::to_string).collect()
}

/// The first heading with a slug keeps it; later ones get `-2`, `-3`, … in order, skipping ids
/// already on the page. One counter per slug keeps this linear.
fn unique_slug(
    text: &str,
    taken: &mut HashSet<String>,
    next_suffix: &mut HashMap<String, usize>,
) -> String {
    let mut base = slug::slugify(text);
    if base.is_empty() {
        base = "section".to_string();
    }
    unique_id(base, taken, next_suffix)
}

fn unique_id(
    base: String,
    taken: &mut HashSet<String>,
    next_suffix: &mut HashMap<String, usize>,
) -> String {
    // Free: not the theme's (a sorted list) and not yet on the page; then taken.
    let mut take =
        |id: &String| THEME_IDS.binary_search(&id.as_str()).is_err() && taken.insert(id.clone());
    if take(&base) {
        return base;
    }
    let n = next_suffix.entry(base.clone()).or_insert(2);
    loop {
        let id = format!("{base}-{n}");
        *n += 1;
        if take(&id) {
            return id;
        }
    }
}

/// Turns flat headings into a tree: h3s under the h2 before them, and so on.
pub(super) fn nest_toc(headings: &[Heading]) -> Vec<TocEntry> {
    fn insert(into: &mut Vec<TocEntry>, entry: TocEntry) {
        match into.last_mut() {
            Some(last) if last.level < entry.level => insert(&mut last.children, entry),
            _ => into.push(entry),
        }
    }
    /// Lists at their length: a page keeps its contents until the build ends, and a list
    /// grown an entry at a time has room for up to twice its entries (~1.2 KB a page of the
    /// benchmark's, half of it spare).
    fn fit(entries: &mut Vec<TocEntry>) {
        entries.shrink_to_fit();
        entries
            .iter_mut()
            .for_each(|entry| fit(&mut entry.children));
    }
    let mut toc = Vec::new();
    for heading in headings.iter().filter(|heading| heading.level > 1) {
        insert(
            &mut toc,
            TocEntry {
                level: heading.level,
                id: heading.anchor.id.to_string(),
                title: heading.text.clone(),
                children: Vec::new(),
                span: heading.span.clone(),
            },
        );
    }
    fit(&mut toc);
    toc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_counted_as_split_whitespace_counts_them() {
        for text in [
            "",
            " ",
            "one",
            " two  words ",
            "tab\tand\nlines\x0bvt\x0cff\r\nend",
            "é non-ASCII  text\u{a0}here",
            &"a b  ".repeat(300),
        ] {
            assert_eq!(
                word_count(text),
                text.split_whitespace().count(),
                "{text:?}"
            );
        }
    }

    #[test]
    fn many_identical_headings_take_linear_time() {
        // One counter per slug: 100,000 duplicates cost 100,000 steps (milliseconds), where
        // trying every suffix from 2 again would cost 5 billion (hours).
        let (mut taken, mut next_suffix) = (HashSet::new(), HashMap::new());
        let started = std::time::Instant::now();
        let last = (0..100_000)
            .map(|_| unique_id("same".to_string(), &mut taken, &mut next_suffix))
            .last();
        assert_eq!(last.as_deref(), Some("same-100000"));
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
    }

    #[test]
    fn the_theme_ids_list_names_every_fixed_id_of_the_default_theme() {
        let templates = concat!(env!("CARGO_MANIFEST_DIR"), "/themes/default/templates");
        let mut fixed = HashSet::new();
        for entry in std::fs::read_dir(templates).expect("templates") {
            let text = std::fs::read_to_string(entry.expect("entry").path()).expect("read");
            fixed.extend(
                ids_in(&without_tera_tags(&text))
                    .into_iter()
                    .filter(|id| !id.contains('{')),
            );
        }
        let mut fixed: Vec<String> = fixed.into_iter().collect();
        fixed.sort();
        assert_eq!(fixed, THEME_IDS);
    }

    /// A template with its `{{ }}`, `{% %}` and `{# #}` tags blanked to `{}`, so quotes inside
    /// expressions (`replace(from='"', …)`) cannot end an attribute for the HTML tokenizer.
    fn without_tera_tags(template: &str) -> String {
        let mut out = String::with_capacity(template.len());
        let mut rest = template;
        while let Some(start) = rest.find(['{']) {
            let close = match rest[start..].chars().nth(1) {
                Some('{') => "}}",
                Some('%') => "%}",
                Some('#') => "#}",
                _ => {
                    out.push_str(&rest[..=start]);
                    rest = &rest[start + 1..];
                    continue;
                }
            };
            out.push_str(&rest[..start]);
            out.push_str("{}");
            rest = rest[start + 2..]
                .find(close)
                .map_or("", |end| &rest[start + 2 + end + 2..]);
        }
        out.push_str(rest);
        out
    }
}
