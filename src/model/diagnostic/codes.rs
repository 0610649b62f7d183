//! The registry of diagnostic codes: one stable kebab-case name per kind of problem, its group,
//! its default severity, a one-line summary and a longer explanation with an example and its
//! fix (`explanations/<name>.md`). Every channel — the terminal, `--message-format json|github`,
//! the preview's overlay, the language server — shows the same code, and `sre-guide explain
//! NAME` prints its explanation. Names never change once released: tools match on them.

/// Declares every code once: its variant, name, group, default severity and summary; the
/// explanation is read from `explanations/<name>.md` at compile time, so a code cannot exist
/// without one.
macro_rules! codes {
    ($($variant:ident = $name:literal, $group:ident, $severity:ident, $summary:literal;)*) => {
        /// One kind of problem. Copy, cheap, and named by `name()` wherever it is shown.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub(crate) enum Code {
            $($variant,)*
        }

        impl Code {
            /// Every code, in the order the documentation lists them.
            pub(crate) const ALL: &[Code] = &[$(Code::$variant,)*];

            /// The stable name: `link-target-missing`.
            pub(crate) fn name(self) -> &'static str {
                match self {
                    $(Code::$variant => $name,)*
                }
            }

            pub(crate) fn group(self) -> Group {
                match self {
                    $(Code::$variant => Group::$group,)*
                }
            }

            /// The severity a problem of this kind has unless configuration says otherwise.
            pub(crate) fn default_severity(self) -> Severity {
                match self {
                    $(Code::$variant => Severity::$severity,)*
                }
            }

            /// One line: what the problem is.
            pub(crate) fn summary(self) -> &'static str {
                match self {
                    $(Code::$variant => $summary,)*
                }
            }

            /// Markdown: why it is a problem, an example with the report it gives, and the fix.
            pub(crate) fn explanation(self) -> &'static str {
                match self {
                    $(Code::$variant => include_str!(concat!("explanations/", $name, ".md")),)*
                }
            }
        }
    };
}

codes! {
    FileUnreadable = "file-unreadable", Files, Error, "a file of the site cannot be read";
    NotUtf8 = "not-utf8", Files, Error, "a text file is not valid UTF-8";
    ControlCharacter = "control-character", Files, Error, "a page or a TOML string holds an invisible control character";
    SymlinkOutsideSite = "symlink-outside-site", Files, Error, "a symbolic link points outside the site";
    SymlinkBroken = "symlink-broken", Files, Error, "a symbolic link points nowhere, or at a folder that holds it";
    FileChanged = "file-changed", Files, Error, "a page changed while the site was being built";

    SiteTomlMissing = "site-toml-missing", Site, Error, "the site has no content/site.toml";
    UrlNotAbsolute = "url-not-absolute", Site, Error, "base_url or edit_url is not an absolute http(s) URL";
    ThemeNotFound = "theme-not-found", Site, Error, "the theme named in site.toml is not a folder with templates";

    TomlSyntax = "toml-syntax", Toml, Error, "TOML that cannot be read: a quote, bracket or comma is missing";
    UnknownKey = "unknown-key", Toml, Error, "a key the file does not have";
    MissingKey = "missing-key", Toml, Error, "a required key is missing";
    WrongType = "wrong-type", Toml, Error, "a value of the wrong type: text for a number, a number for text";
    InvalidValue = "invalid-value", Toml, Error, "a value outside the allowed ones";

    FrontMatterMissing = "front-matter-missing", Pages, Error, "a page does not start with `+++` front matter";
    FrontMatterUnclosed = "front-matter-unclosed", Pages, Error, "a page's front matter has no closing `+++`";
    PageTemplateMissing = "page-template-missing", Pages, Error, "a page names a template the theme does not have";
    HeadingIdConflict = "heading-id-conflict", Pages, Error, "a heading's `{#id}` is already taken on its page";
    RepeatedId = "repeated-id", Pages, Error, "a rendered page has two elements with one id";
    OutputClash = "output-clash", Pages, Error, "two sources would be published at one path";
    ReadingOrderTie = "reading-order-tie", Pages, Warning, "pages of a section share a weight, so file names decide their order";

    LinkTargetMissing = "link-target-missing", Links, Error, "a link names a page that does not exist";
    LinkToDraft = "link-to-draft", Links, Error, "a link names a draft page, which the site leaves out";
    LinkFileMissing = "link-file-missing", Links, Error, "a link names a file that is not under content/";
    LinkOutsideContent = "link-outside-content", Links, Error, "a link climbs out of content/";
    AnchorMissing = "anchor-missing", Links, Error, "a link's #anchor is not an id on the target page";
    PageMissing = "page-missing", Links, Error, "site.toml or a data file names a page that does not exist";

    UnknownLevel = "unknown-level", Data, Error, "a level id that data/ladder.toml does not have";
    LadderMissing = "ladder-missing", Data, Error, "a level is named, but there is no data/ladder.toml";
    InvalidId = "invalid-id", Data, Error, "an id that is not lowercase letters, digits and `-`";
    DuplicateId = "duplicate-id", Data, Error, "an id used twice in one file";
    EmptyText = "empty-text", Data, Error, "an entry the reader would see as empty";
    MinAboveMax = "min-above-max", Data, Error, "a range whose `min` is above its `max`";
    LevelsOutOfOrder = "levels-out-of-order", Data, Error, "levels are not listed from the most junior up";
    TenureOverlap = "tenure-overlap", Data, Error, "a level's tenure starts before the previous one ends";
    PhaseNumberRepeated = "phase-number-repeated", Data, Error, "two phases have one number";
    QuizCountOutOfRange = "quiz-count-out-of-range", Data, Error, "a quiz rule counts more yes answers than there are questions";
    QuizRulesOverlap = "quiz-rules-overlap", Data, Error, "two quiz rules route the same number of yes answers";
    QuizRulesGap = "quiz-rules-gap", Data, Error, "no quiz rule routes some number of yes answers";

    AltTextMissing = "alt-text-missing", Lints, Error, "an image has no alternative text";
    HeadingLevelSkipped = "heading-level-skipped", Lints, Error, "a heading skips a level: an h4 straight after an h2";
    H1InBody = "h1-in-body", Lints, Error, "a page's body has an h1 of its own, beside the title the template shows as h1";
    LinkTextVague = "link-text-vague", Lints, Warning, "a link's text does not say where it goes: \"here\", \"read more\", a bare URL";
    TableHeaderMissing = "table-header-missing", Lints, Error, "a table has no header row";
    AllCaps = "all-caps", Lints, Warning, "a word of more than four letters is written in capitals";

    TemplateSyntax = "template-syntax", Theme, Error, "a template Tera cannot parse";
    TemplateUnknown = "template-unknown", Theme, Error, "a template calls a filter, test or function that does not exist";
    TemplateNotFound = "template-not-found", Theme, Error, "a template includes or imports one the theme does not have";
    TemplateParentMissing = "template-parent-missing", Theme, Error, "a template extends one the theme does not have";
    TemplateCycle = "template-cycle", Theme, Error, "templates that extend or include each other in a circle";
    TemplateRender = "template-render", Theme, Error, "a template fails while rendering a page";
    TemplateCrash = "template-crash", Theme, Error, "the template engine crashed while rendering a page";
    RenderTimeout = "render-timeout", Theme, Error, "a page took longer to render than `timeout` allows";
    FontInvalid = "font-invalid", Theme, Error, "the theme's font for link previews is not a font";

    NewPathInvalid = "new-path-invalid", New, Error, "`new` was given a path that is not a page below content/";
    NewPageExists = "new-page-exists", New, Error, "`new` was asked for a page that already exists";
    NewRouteTaken = "new-route-taken", New, Error, "`new` was asked for a page another page's URL already has";
    NewTitleEmpty = "new-title-empty", New, Error, "`new` was given an empty title";
}

/// How much a problem matters: an error fails the build, a warning is reported and the build
/// goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Severity {
    /// Fails the build (exit 1); the preview shows it over the page.
    Error,
    /// Reported; the build goes on and is published.
    Warning,
}

impl Severity {
    /// As machine-readable output writes it: `error`, `warning`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// Where a problem comes from, for the documentation's sections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Group {
    /// Reading the site's files and folders.
    Files,
    /// `content/site.toml`'s own rules.
    Site,
    /// TOML syntax and shapes, wherever TOML is written.
    Toml,
    /// Pages: front matter, Markdown, ids.
    Pages,
    /// Links between pages and files, and their anchors.
    Links,
    /// The typed data files (ladder, compensation, quiz).
    Data,
    /// Accessibility of the content, each configurable in site.toml's `[lints]`.
    Lints,
    /// The theme's templates and files.
    Theme,
    /// `sre-guide new`.
    New,
}

impl Group {
    /// The group's section title in docs/diagnostics.md.
    pub(crate) fn title(self) -> &'static str {
        match self {
            Group::Files => "Files",
            Group::Site => "site.toml",
            Group::Toml => "TOML: front matter, site.toml and data files",
            Group::Pages => "Pages",
            Group::Links => "Links and page references",
            Group::Data => "Data files",
            Group::Lints => "Lints: accessible content",
            Group::Theme => "Themes and templates",
            Group::New => "`sre-guide new`",
        }
    }
}

impl Code {
    /// The code named `name`, if there is one.
    pub(crate) fn from_name(name: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|code| code.name() == name)
    }

    /// Whether site.toml's `[lints]` may set this code's level (`error`, `warning`, `allow`).
    pub(crate) fn is_lint(self) -> bool {
        self.group() == Group::Lints
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The reference page `docs/diagnostics.md`: every code by group, each with its explanation.
/// Generated from this registry; a test keeps the committed page equal to it.
pub(crate) fn reference() -> String {
    let mut page = String::from(
        "# Diagnostic codes\n\n\
         <!-- Generated by `sre-guide explain --all`; edit src/model/diagnostic/explanations/ instead. -->\n\n\
         Every problem `sre-guide` reports carries a stable code, shown in brackets on the \
         terminal (`error[link-target-missing]: …`), as `code` in `--message-format json`, as the \
         title of a GitHub annotation, and as the code of a language-server diagnostic. \
         `sre-guide explain CODE` prints one of the explanations below. Codes are kebab-case \
         names that never change once released; new kinds of problem get new names.\n\n\
         The examples are real: a test writes each example's files into a small site (pages \
         `index.md`, `notes/_index.md`, `notes/first.md` with headings Overview and Details, \
         `notes/second.md`, the file `files/handout.txt` and a `default` theme), runs the \
         commands shown (`sre-guide check` when none are) and compares the report.\n",
    );
    let mut group = None;
    for code in Code::ALL {
        if group != Some(code.group()) {
            group = Some(code.group());
            page.push_str(&format!("\n## {}\n\n", code.group().title()));
            for listed in Code::ALL.iter().filter(|c| c.group() == code.group()) {
                page.push_str(&format!(
                    "- [`{}`](#{}): {}\n",
                    listed.name(),
                    listed.name(),
                    listed.summary()
                ));
            }
        }
        page.push('\n');
        page.push_str(&explanation_in_reference(*code));
    }
    page
}

/// An explanation with its headings one level deeper, under the code's own heading.
fn explanation_in_reference(code: Code) -> String {
    let mut text = String::new();
    let mut in_fence = false;
    for line in code.explanation().lines() {
        if line.starts_with("```") {
            in_fence = !in_fence;
        }
        if !in_fence && line.starts_with('#') {
            text.push_str("##");
        }
        text.push_str(line);
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_kebab_case_and_found_again() {
        let mut seen = std::collections::HashSet::new();
        for code in Code::ALL {
            let name = code.name();
            assert!(seen.insert(name), "{name} twice");
            assert!(
                !name.is_empty()
                    && name.split('-').all(|part| !part.is_empty()
                        && part
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())),
                "{name} is not kebab-case"
            );
            assert_eq!(Code::from_name(name), Some(*code));
        }
        assert_eq!(Code::from_name("no-such-code"), None);
    }

    /// Each explanation opens with `# name`, says what the problem is, and has an example and
    /// a fix, so `explain` and the reference page read alike for every code.
    #[test]
    fn every_explanation_has_a_title_an_example_and_a_fix() {
        for code in Code::ALL {
            let text = code.explanation();
            let title = format!("# `{}`\n\n{}", code.name(), upper_first(code.summary()));
            assert!(
                text.starts_with(&title),
                "explanations/{}.md must start with {title:?}",
                code.name()
            );
            assert!(
                text.contains("\n## Example\n"),
                "{}: no `## Example`",
                code.name()
            );
            assert!(text.contains("\n## Fix\n"), "{}: no `## Fix`", code.name());
            assert!(
                text.ends_with('\n') && !text.ends_with("\n\n"),
                "{}",
                code.name()
            );
        }
    }

    fn upper_first(text: &str) -> String {
        let mut chars = text.chars();
        chars
            .next()
            .map(|first| first.to_uppercase().chain(chars).collect())
            .unwrap_or_default()
    }

    /// The committed reference page is what the registry generates; `SRE_GUIDE_UPDATE=1`
    /// rewrites it after a change.
    #[test]
    fn the_committed_reference_page_is_up_to_date() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/diagnostics.md");
        let generated = reference();
        if std::env::var_os("SRE_GUIDE_UPDATE").is_some() {
            std::fs::write(&path, &generated).expect("write docs/diagnostics.md");
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == generated,
            "docs/diagnostics.md differs from the registry; run `SRE_GUIDE_UPDATE=1 cargo test \
             the_committed_reference_page` and review the diff"
        );
    }
}
