//! Content lints on a page body, read from the events of the one parse `markdown::read` makes:
//! images without alternative text, headings that skip a level or repeat the h1 (the template
//! shows the page title as the h1), link text that does not say where a link goes, tables
//! without a header row, and words in capitals outside code. Markdown and raw HTML alike; each
//! problem points at what the editor wrote, at the level site.toml's `[lints]` gives it.

mod raw_html;
pub(crate) mod words;

use std::ops::Range;
use std::sync::Arc;

use pulldown_cmark::{CowStr, Event, LinkType, Tag, TagEnd};

use crate::model::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::html::{Tag as HtmlTag, attribute};
use crate::model::lints::Lints;
use crate::model::source::{SourceFile, Span};
use raw_html::{RawHtml, RawPiece};
use words::{CapitalRuns, VagueText, capitals, located, quoted_run, vague_link_text};

/// Raw HTML elements whose text is code (or not prose): never checked for capitals.
const CODE_ELEMENTS: &[&str] = &[
    "code", "kbd", "pre", "samp", "script", "style", "textarea", "var",
];

/// The lints over one body, fed its events (with spans into `file`) one at a time, so they
/// share the one parse the body's other readers make.
pub(super) struct Linting<'a, 'e> {
    linter: Linter<'a>,
    /// The raw HTML block being read: its pieces are read as one.
    block: Vec<(CowStr<'e>, usize)>,
}

impl<'a, 'e> Linting<'a, 'e> {
    pub(super) fn new(
        file: &'a Arc<SourceFile>,
        lints: &'a Lints,
        out: &'a mut Diagnostics,
    ) -> Self {
        Linting {
            linter: Linter::new(file, lints, out),
            block: Vec::new(),
        }
    }

    pub(super) fn event(&mut self, event: &Event<'e>, span: &Range<usize>) {
        match event {
            Event::Html(html) => self.block.push((html.clone(), span.start)),
            Event::End(TagEnd::HtmlBlock) => self.end_block(),
            // One tag each: most (`<em>`, `<br>`) matter to no lint and are not tokenized.
            Event::InlineHtml(html) if matters(html) => {
                self.linter
                    .raw(&RawHtml::new([(html.as_ref(), span.start)]));
            }
            Event::InlineHtml(_) => {}
            event => self.linter.event(event, span),
        }
    }

    fn end_block(&mut self) {
        let joined = RawHtml::new(
            self.block
                .iter()
                .map(|(html, start)| (html.as_ref(), *start)),
        );
        self.linter.raw(&joined);
        self.block.clear();
    }

    pub(super) fn finish(mut self) {
        if !self.block.is_empty() {
            self.end_block();
        }
        self.linter.finish();
    }
}

/// Raw HTML elements a lint reads (an image's `alt`, a heading's level, a link's text, a table's
/// header cells, text that is code or an abbreviation).
const READ_ELEMENTS: &[&str] = &[
    "img", "h1", "h2", "h3", "h4", "h5", "h6", "a", "table", "th", "abbr",
];

/// Whether an inline HTML tag (`<em>`, `</a>`, `<!-- … -->`) is one a lint reads.
fn matters(tag: &str) -> bool {
    let name = tag.trim_start_matches(['<', '/']);
    let end = name
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(name.len());
    let name = name[..end].to_ascii_lowercase();
    READ_ELEMENTS.contains(&name.as_str()) || CODE_ELEMENTS.contains(&name.as_str())
}

/// A link being read: where it is, where it goes, and its text so far.
struct OpenLink {
    span: Span,
    destination: String,
    text: String,
    /// Written as raw `<a href>` rather than Markdown.
    raw: bool,
    /// Holds an image, whose alt text names the link (a missing one is reported as such).
    image: bool,
}

/// What the lints remember while walking one body.
struct Linter<'a> {
    file: &'a Arc<SourceFile>,
    lints: &'a Lints,
    out: &'a mut Diagnostics,
    /// The level of the heading before and its span; the page title (the h1) comes first.
    previous_heading: (u8, Option<Span>),
    /// Images open (an image's alt text may hold another), and the outermost one's alt text.
    images: Vec<Span>,
    alt: String,
    links: Vec<OpenLink>,
    /// The Markdown table being read, and while its header row is read whether it has text.
    table: Option<Span>,
    header_text: Option<bool>,
    /// Raw `<table>`s open: each start tag's span and whether a `<th>` was met.
    raw_tables: Vec<(Span, bool)>,
    /// How many code blocks and code elements (`<code>`, `<pre>`, …) the text is inside.
    code: usize,
    /// How many `<abbr>` elements the text is inside: an abbreviation marked as such.
    abbr: usize,
    capitals: CapitalRuns,
}

impl<'a> Linter<'a> {
    fn new(file: &'a Arc<SourceFile>, lints: &'a Lints, out: &'a mut Diagnostics) -> Self {
        Linter {
            file,
            lints,
            out,
            previous_heading: (1, None),
            images: Vec::new(),
            alt: String::new(),
            links: Vec::new(),
            table: None,
            header_text: None,
            raw_tables: Vec::new(),
            code: 0,
            abbr: 0,
            capitals: CapitalRuns::default(),
        }
    }

    fn text(&self) -> &'a str {
        self.file.text()
    }

    fn event(&mut self, event: &Event, span: &Span) {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                let marker = self.heading_marker(span);
                self.heading(*level as u8, marker, false);
            }
            Event::Start(Tag::Image { .. }) => {
                if self.images.is_empty() {
                    self.alt.clear();
                }
                self.images.push(span.clone());
                self.links.iter_mut().for_each(|link| link.image = true);
            }
            Event::End(TagEnd::Image) => self.end_image(),
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                ..
            }) => self.links.push(OpenLink {
                span: span.clone(),
                // An email address is what a mail link's text should say.
                destination: match link_type {
                    LinkType::Email => format!("mailto:{dest_url}"),
                    _ => dest_url.to_string(),
                },
                text: String::new(),
                raw: false,
                image: false,
            }),
            Event::End(TagEnd::Link) => {
                if let Some(at) = self.links.iter().rposition(|link| !link.raw) {
                    let link = self.links.remove(at);
                    self.end_link(link);
                }
            }
            Event::Start(Tag::Table(_)) => self.table = Some(span.clone()),
            Event::Start(Tag::TableHead) => self.header_text = Some(false),
            Event::End(TagEnd::TableHead) => self.end_table_head(),
            Event::Start(Tag::CodeBlock(_)) => self.code += 1,
            Event::End(TagEnd::CodeBlock) => self.code = self.code.saturating_sub(1),
            Event::Text(text) => {
                self.content(text);
                self.prose(text, span);
            }
            Event::Code(code) => self.content(code),
            _ => {}
        }
    }

    /// Text that names what it belongs to: an image's alt text, a link's text, a header cell.
    fn content(&mut self, text: &str) {
        if self.images.is_empty() {
            for link in &mut self.links {
                link.text.push_str(text);
            }
        } else {
            self.alt.push_str(text);
        }
        if let Some(found) = &mut self.header_text {
            *found |= !text.trim().is_empty();
        }
    }

    /// Prose text at `span`: its words in capitals, unless it is code or an abbreviation.
    fn prose(&mut self, text: &str, span: &Span) {
        if self.code > 0 || self.abbr > 0 || !self.lints.is_on(Code::AllCaps) {
            return;
        }
        let words = capitals(text, self.lints);
        let written = self.text().get(span.clone()).unwrap_or_default();
        for found in located(text, &words, written) {
            let at = found.map_or(span.clone(), |r| span.start + r.start..span.start + r.end);
            self.capitals.push(at, self.text());
        }
    }

    /// Raw HTML: its tags and text.
    fn raw(&mut self, raw: &RawHtml) {
        raw.walk(|piece| match piece {
            RawPiece::Start(tag, span) => self.raw_start(tag, span),
            RawPiece::End(name) => self.raw_end(name),
            RawPiece::Text(text, from) => {
                self.content(text);
                if self.code == 0 && self.abbr == 0 && self.lints.is_on(Code::AllCaps) {
                    let words = capitals(text, self.lints);
                    for found in raw.source_words(text, &words, from).into_iter().flatten() {
                        self.capitals.push(found, self.file.text());
                    }
                }
            }
        });
    }

    fn raw_start(&mut self, tag: &HtmlTag, span: Span) {
        let name: &str = &tag.name;
        match name {
            "img" => {
                self.links.iter_mut().for_each(|link| link.image = true);
                self.raw_image(tag, span);
            }
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                let level = name[1..].parse().unwrap_or(1);
                self.heading(level, span, true);
            }
            "a" if attribute(tag, "href").is_some() => self.links.push(OpenLink {
                span,
                destination: attribute(tag, "href").unwrap_or_default().to_string(),
                text: String::new(),
                raw: true,
                image: false,
            }),
            "table" => self.raw_tables.push((span, false)),
            "th" => {
                if let Some(table) = self.raw_tables.last_mut() {
                    table.1 = true;
                }
            }
            "abbr" => self.abbr += 1,
            name if CODE_ELEMENTS.contains(&name) && !tag.self_closing => self.code += 1,
            _ => {}
        }
    }

    fn raw_end(&mut self, name: &str) {
        match name {
            "a" => {
                if let Some(at) = self.links.iter().rposition(|link| link.raw) {
                    let link = self.links.remove(at);
                    self.end_link(link);
                }
            }
            "table" => {
                if let Some(table) = self.raw_tables.pop() {
                    self.end_raw_table(table);
                }
            }
            "abbr" => self.abbr = self.abbr.saturating_sub(1),
            name if CODE_ELEMENTS.contains(&name) => self.code = self.code.saturating_sub(1),
            _ => {}
        }
    }

    /// What is left open at the end of the body: raw tables, runs of capitals.
    fn finish(mut self) {
        while let Some(table) = self.raw_tables.pop() {
            self.end_raw_table(table);
        }
        let runs = std::mem::take(&mut self.capitals).finish();
        for run in runs {
            self.all_caps(run);
        }
    }

    fn report(&mut self, diagnostic: Diagnostic) {
        self.lints.report(diagnostic, self.out);
    }

    /// The span of a Markdown heading's `#`s, or of its first line (an underlined heading).
    fn heading_marker(&self, span: &Span) -> Span {
        let line = first_line(self.text(), span);
        let written = self.text().get(line.clone()).unwrap_or_default();
        match written.len() - written.trim_start_matches('#').len() {
            0 => line,
            hashes => line.start..line.start + hashes,
        }
    }
}

/// The problems, each with its help.
impl Linter<'_> {
    /// A heading of `level` at `span` (`raw`: written as an `<hN>` tag), against the one before.
    fn heading(&mut self, level: u8, span: Span, raw: bool) {
        let (before, before_span) =
            std::mem::replace(&mut self.previous_heading, (level, Some(span.clone())));
        let as_written = |level: u8| match raw {
            true => format!("`<h{level}>`"),
            false => format!("`{} …`", "#".repeat(usize::from(level))),
        };
        if level == 1 {
            let diagnostic = Diagnostic::at(
                Code::H1InBody,
                self.file,
                span,
                "a second h1: the template already shows the page's title as its h1",
            )
            .help(format!(
                "make it an h2, {}, or delete it if it repeats the title (front matter `title` is the page's h1)",
                as_written(2)
            ));
            self.report(diagnostic);
        } else if level > before + 1 {
            let after = match before_span {
                Some(_) => format!("an h{before}"),
                None => "the page's title (its h1)".to_string(),
            };
            let wanted = before + 1;
            let mut diagnostic = Diagnostic::at(
                Code::HeadingLevelSkipped,
                self.file,
                span,
                format!("heading level skipped: an h{level} right after {after}"),
            )
            .help(format!(
                "make it an h{wanted}, {}, or put an h{wanted} between them: screen-reader users move through a page by heading level",
                as_written(wanted)
            ));
            if let Some(before_span) = before_span {
                diagnostic = diagnostic.label(before_span, format!("the h{before} before it"));
            }
            self.report(diagnostic);
        }
    }

    /// The end of a Markdown image: its alt text, which also names a link around it.
    fn end_image(&mut self) {
        let Some(span) = self.images.pop() else {
            return;
        };
        if !self.images.is_empty() {
            return;
        }
        let alt = std::mem::take(&mut self.alt);
        self.content(&alt);
        if alt.trim().is_empty() {
            let span = first_line(self.text(), &span);
            self.report(
                Diagnostic::at(Code::AltTextMissing, self.file, span, "this image has no alternative text")
                    .help("say what it shows between the brackets, `![Error budget burn over one week](burn.png)`; an image that is only decoration is written `<img src=\"…\" alt=\"\">`"),
            );
        }
    }

    /// A raw `<img>`: `alt=""` marks decoration; no `alt`, or only spaces, is a problem.
    fn raw_image(&mut self, tag: &HtmlTag, span: Span) {
        let message = match attribute(tag, "alt") {
            None => "this `<img>` has no `alt` attribute",
            Some(alt) if !alt.is_empty() && alt.trim().is_empty() => {
                "this `<img>`'s `alt` holds only spaces"
            }
            Some(alt) => {
                self.content(alt);
                return;
            }
        };
        self.report(
            Diagnostic::at(Code::AltTextMissing, self.file, span, message)
                .help("write what the image shows, `alt=\"Error budget burn over one week\"`, or `alt=\"\"` if it is only decoration"),
        );
    }

    fn end_link(&mut self, link: OpenLink) {
        let Some(why) = vague_link_text(&link.text, &link.destination) else {
            return;
        };
        if why == VagueText::Empty && link.image {
            return; // The image's missing alt text is the problem, and is reported.
        }
        let text = link.text.trim();
        let (message, help) = match why {
            VagueText::Empty => (
                "this link has no text".to_string(),
                "write text that names where it goes: a screen reader can only read out the address".to_string(),
            ),
            VagueText::Phrase => (
                format!("link text `{text}` does not say where the link goes"),
                format!("name the target in the text, as in `[the on-call FAQ](faq.md)`: screen readers list a page's links on their own, where `{text}` says nothing"),
            ),
            VagueText::Url => (
                format!("link text `{}` is a bare web address", quoted_run(text)),
                "write what it links to as the text, as in `[the incident review template](https://…)`: screen readers spell an address out".to_string(),
            ),
        };
        let span = first_line(self.text(), &link.span);
        self.report(Diagnostic::at(Code::LinkTextVague, self.file, span, message).help(help));
    }

    /// The end of a Markdown table's header row: is there any text in it?
    fn end_table_head(&mut self) {
        let empty = self.header_text.take() == Some(false);
        if let (true, Some(table)) = (empty, self.table.take()) {
            let span = first_line(self.text(), &table);
            self.report(
                Diagnostic::at(Code::TableHeaderMissing, self.file, span, "this table's header row is empty")
                    .help("name each column in the first row, `| Level | Years |`: screen readers announce every cell with its column's name"),
            );
        }
    }

    fn end_raw_table(&mut self, (span, has_header): (Span, bool)) {
        if !has_header {
            self.report(
                Diagnostic::at(Code::TableHeaderMissing, self.file, span, "this `<table>` has no header cells (`<th>`)")
                    .help("make the cells that name the columns `<th>`, `<th scope=\"col\">Level</th>`, or write the table in Markdown, whose first row is its header"),
            );
        }
    }

    fn all_caps(&mut self, span: Span) {
        let run = self.text().get(span.clone()).unwrap_or_default();
        let message = format!("`{}` is written in capitals", quoted_run(run));
        self.report(Diagnostic::at(Code::AllCaps, self.file, span, message).help(ALL_CAPS_HELP));
    }
}

/// How to fix words in capitals, wherever they are written.
pub(crate) const ALL_CAPS_HELP: &str = "write it in lower case (`**…**` for emphasis): screen readers may spell capitals out letter by letter; an acronym can be added to `acronyms` under `[lints]` in site.toml";

/// The part of `span` on its first line (a problem is marked on one line).
fn first_line(text: &str, span: &Span) -> Span {
    let rest = text.get(span.clone()).unwrap_or_default();
    let end = rest.find('\n').map_or(span.end, |i| span.start + i);
    let end = match text.get(span.start..end) {
        Some(line) => span.start + line.trim_end_matches('\r').len(),
        None => span.start,
    };
    span.start..end
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::lints::LintLevel;
    use crate::model::url::ContentPath;

    /// `code line:col message` of each problem the lints find in `body` (a page's whole file).
    fn linted_with(body: &str, lints: &Lints) -> Vec<String> {
        let file = SourceFile::new("content/a.md", body);
        let mut out = Diagnostics::default();
        let budget = crate::markdown::HtmlBudget::new(0);
        crate::markdown::read(&file, 0, &ContentPath::of("a.md"), lints, &budget, &mut out);
        out.sorted()
            .iter()
            .filter(|d| d.code.is_lint())
            .map(|d| format!("{} {}", d.code, d.located()))
            .collect()
    }

    fn linted(body: &str) -> Vec<String> {
        linted_with(body, &Lints::default())
    }

    #[test]
    fn images_need_alt_text_unless_raw_html_marks_them_decorative() {
        assert_eq!(
            linted("![](a.png) ![ ](b.png)\n\n![A pager](c.png)\n"),
            [
                "alt-text-missing 1:1 this image has no alternative text",
                "alt-text-missing 1:12 this image has no alternative text",
            ]
        );
        assert_eq!(
            linted(
                "<img src=a.png>\n<IMG SRC=b.png ALT=\"  \">\n<img src=c.png alt=\"\"> <img src=d.png alt> <img src=e.png alt=\"A pager\">\n"
            ),
            [
                "alt-text-missing 1:1 this `<img>` has no `alt` attribute",
                "alt-text-missing 2:1 this `<img>`'s `alt` holds only spaces",
            ]
        );
    }

    #[test]
    fn headings_may_not_skip_a_level_or_repeat_the_h1() {
        assert_eq!(
            linted("## Tenure\n\n#### Details\n\n## Next\n\n### Fine\n"),
            ["heading-level-skipped 3:1 heading level skipped: an h4 right after an h2"]
        );
        assert_eq!(
            linted("### First\n\n# Title\n\nTitle again\n===\n\n<h2>Raw</h2>\n<h5>Deep</h5>\n"),
            [
                "heading-level-skipped 1:1 heading level skipped: an h3 right after the page's title (its h1)",
                "h1-in-body 3:1 a second h1: the template already shows the page's title as its h1",
                "h1-in-body 5:1 a second h1: the template already shows the page's title as its h1",
                "heading-level-skipped 9:1 heading level skipped: an h5 right after an h2",
            ]
        );
    }

    #[test]
    fn a_skipped_level_points_at_the_heading_before_it() {
        let file = SourceFile::new("content/a.md", "## Tenure\n\n#### Details\n");
        let mut out = Diagnostics::default();
        crate::markdown::read(
            &file,
            0,
            &ContentPath::of("a.md"),
            &Lints::default(),
            &crate::markdown::HtmlBudget::new(0),
            &mut out,
        );
        assert_eq!(out.0[0].span(), Some(&(11..15)), "the `####`");
        assert_eq!(out.0[0].labels()[0].span, 0..2, "the `##` before");
    }

    #[test]
    fn link_text_must_say_where_the_link_goes() {
        let body = "[Click here!](a.md), [here](b.md) and <https://sre.google/>.\n\n\
                    [The on-call FAQ](faq.md), <sre@example.org>, [![A pager](p.png)](p.md)\n\n\
                    <a href=\"x.md\">read more</a> [](e.md) [![](q.png)](q.md)\n";
        assert_eq!(
            linted(body),
            [
                "link-text-vague 1:1 link text `Click here!` does not say where the link goes",
                "link-text-vague 1:22 link text `here` does not say where the link goes",
                "link-text-vague 1:39 link text `https://sre.google/` is a bare web address",
                "link-text-vague 5:1 link text `read more` does not say where the link goes",
                "link-text-vague 5:30 this link has no text",
                "alt-text-missing 5:40 this image has no alternative text",
            ]
        );
    }

    #[test]
    fn tables_need_a_header_row() {
        let body = "| | |\n|---|---|\n| a | b |\n\n| Level | |\n|---|---|\n| a | b |\n\n\
                    <table>\n<tr><td>a</td></tr>\n</table>\n\n<table><tr><th scope=row>A</th><td>1</td></tr></table>\n";
        assert_eq!(
            linted(body),
            [
                "table-header-missing 1:1 this table's header row is empty",
                "table-header-missing 9:1 this `<table>` has no header cells (`<th>`)",
            ]
        );
    }

    #[test]
    fn words_in_capitals_are_found_outside_code_and_abbreviations() {
        let body = "## OUTAGE REVIEW\n\nNEVER **EVER** ESCALATE, `ESCALATE`, SLO and MTTR.\n\n\
                    ```\nNEVER\n```\n\n<p>LOUDLY <code>QUIET</code> <abbr title=\"x\">FAANG</abbr> <abbr>ABCDE</abbr></p>\n\n\
                    ![AN IMAGE](x.png) [Links](HTTPS.md)\n";
        assert_eq!(
            linted(body),
            [
                "all-caps 1:4 `OUTAGE REVIEW` is written in capitals",
                "all-caps 3:1 `NEVER **EVER** ESCALATE` is written in capitals",
                "all-caps 9:4 `LOUDLY` is written in capitals",
                "all-caps 11:6 `IMAGE` is written in capitals",
            ]
        );
    }

    #[test]
    fn inline_tags_no_lint_reads_are_not_tokenized() {
        for read in [
            "<IMG src=x>",
            "</a>",
            "<a href=x>",
            "<h3>",
            "<abbr title=x>",
            "<code>",
            "<th>",
        ] {
            assert!(matters(read), "{read}");
        }
        for skipped in [
            "<em>",
            "</strong>",
            "<br/>",
            "<!-- IMG -->",
            "<span class=a>",
        ] {
            assert!(!matters(skipped), "{skipped}");
        }
    }

    #[test]
    fn site_toml_sets_the_level_of_each_lint() {
        let body = "![](a.png)\n\nNEVER AGAIN\n";
        let mut lints = Lints::default();
        lints.set(Code::AltTextMissing, LintLevel::Warning);
        lints.set(Code::AllCaps, LintLevel::Allow);
        let file = SourceFile::new("content/a.md", body);
        let mut out = Diagnostics::default();
        let budget = crate::markdown::HtmlBudget::new(0);
        crate::markdown::read(
            &file,
            0,
            &ContentPath::of("a.md"),
            &lints,
            &budget,
            &mut out,
        );
        let found: Vec<_> = out.0.iter().map(|d| (d.code, d.severity)).collect();
        assert_eq!(
            found,
            [(
                Code::AltTextMissing,
                crate::model::diagnostic::Severity::Warning
            )]
        );
    }

    #[test]
    fn a_shown_body_is_not_linted_again() {
        let file = SourceFile::new("content/a.md", "# Title\n\n![](a.png)\n");
        let path = ContentPath::of("a.md");
        let mut out = Diagnostics::default();
        let root = crate::model::url::Route::of(&path).relative_root();
        crate::markdown::render_at(
            &file,
            0,
            &path,
            &root,
            crate::markdown::Embedding::NONE,
            &mut out,
        );
        assert!(out.0.is_empty(), "{:?}", out.0);
    }
}
