//! What a theme's templates read of the context, found in their source: which `page.*` fields and
//! which other top-level names (`menu`, `level`, `phase`). Rendering builds only those, so a
//! shell that shows a title and a body does not pay for a table of contents, breadcrumbs and
//! neighbours it never prints. The scan is conservative: `page` used any other way than
//! `page.field` (passed to a macro, filtered, indexed with `[`, set to another name), or Tera's
//! dump of the whole context (`__tera_context`), means every field, so no template can see less
//! than it asks for.

use std::collections::BTreeSet;

/// The names and `page` fields some template of the theme reads.
#[derive(Debug, Clone, Default)]
pub(crate) struct Reads {
    /// `page` is used whole somewhere: every field is built.
    whole_page: bool,
    /// `page.<field>` read somewhere.
    page_fields: BTreeSet<String>,
    /// Every identifier the templates' code names, `page` included.
    names: BTreeSet<String>,
}

impl Reads {
    /// Everything: for contexts whose reader is unknown (`page_data()` returns one to any
    /// template variable).
    pub(crate) fn everything() -> Reads {
        Reads {
            whole_page: true,
            ..Reads::default()
        }
    }

    /// What `sources` (every template of a theme) read.
    pub(crate) fn of<'a>(sources: impl IntoIterator<Item = &'a str>) -> Reads {
        let mut reads = Reads::default();
        for source in sources {
            for code in code_spans(source) {
                reads.scan(code);
            }
        }
        reads
    }

    /// Whether a template may read `page.<field>`.
    pub(crate) fn page_field(&self, field: &str) -> bool {
        self.whole_page || self.page_fields.contains(field)
    }

    /// Whether a template may read the top-level name `name` (`menu`).
    pub(crate) fn name(&self, name: &str) -> bool {
        self.whole_page || self.names.contains(name)
    }

    fn scan(&mut self, code: &str) {
        let bytes = code.as_bytes();
        let mut at = 0;
        while at < bytes.len() {
            if !is_ident_start(bytes[at]) {
                at += 1;
                continue;
            }
            let start = at;
            while at < bytes.len() && is_ident(bytes[at]) {
                at += 1;
            }
            // A name after `.` is a field of something else, not a top-level name.
            let after_dot = start > 0 && bytes[start - 1] == b'.';
            let word = &code[start..at];
            if after_dot {
                continue;
            }
            self.names.insert(word.to_string());
            // Tera's dump of the whole context (`{{ __tera_context }}`) shows every field.
            if word == "__tera_context" {
                self.whole_page = true;
            }
            if word != "page" {
                continue;
            }
            let field_start = at + 1;
            let mut field_end = field_start;
            while field_end < bytes.len() && is_ident(bytes[field_end]) {
                field_end += 1;
            }
            if bytes.get(at) == Some(&b'.') && field_end > field_start {
                self.page_fields
                    .insert(code[field_start..field_end].to_string());
            } else {
                self.whole_page = true;
            }
        }
    }
}

fn is_ident_start(byte: u8) -> bool {
    byte.is_ascii_alphabetic() || byte == b'_'
}

fn is_ident(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

/// The insides of `{{ … }}` and `{% … %}` in a template (comments and text left out); an
/// unclosed one runs to the end.
fn code_spans(source: &str) -> impl Iterator<Item = &str> {
    let mut rest = source;
    std::iter::from_fn(move || {
        loop {
            let open = rest.find('{')?;
            let close = match rest.as_bytes().get(open + 1) {
                Some(b'{') => "}}",
                Some(b'%') => "%}",
                _ => {
                    rest = &rest[open + 1..];
                    continue;
                }
            };
            let inside = &rest[open + 2..];
            let end = inside.find(close).unwrap_or(inside.len());
            rest = inside.get(end + close.len()..).unwrap_or("");
            return Some(&inside[..end]);
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_read_with_a_dot_are_all_a_shell_needs() {
        let reads = Reads::of([
            "<title>{{ page.title }} · {{ site.title }}</title>{{ page.content | safe }}",
            "{% if page.toc %}{% for e in page.toc %}{{ e.title }}{% endfor %}{% endif %}",
            "<p>This page has {# page #} text about the page.</p>",
        ]);
        assert!(reads.page_field("title") && reads.page_field("content"));
        assert!(reads.page_field("toc"));
        assert!(!reads.page_field("breadcrumbs") && !reads.page_field("previous"));
        assert!(reads.name("site") && !reads.name("menu"));
        // `e.title` is a field of `e`, not a name of its own.
        assert!(!reads.name("title"));
    }

    #[test]
    fn page_used_whole_means_every_field() {
        for source in [
            "{{ macros::card(page=page) }}",
            "{{ page | json_encode }}",
            "{{ page[\"toc\"] }}",
            "{% set p = page %}{{ p.toc }}",
            "{{ page }}",
            "{{ page.",
            "<pre>{{ __tera_context }}</pre>",
        ] {
            let reads = Reads::of([source]);
            assert!(reads.page_field("breadcrumbs"), "{source}");
            assert!(reads.name("menu"), "{source}");
        }
        assert!(Reads::everything().page_field("next"));
    }

    #[test]
    fn names_inside_words_or_after_a_dot_do_not_count() {
        let reads = Reads::of(["{{ page_data(path='a.md').title }}{{ section.pages }}{{ menus }}"]);
        assert!(!reads.name("page") && !reads.name("menu") && !reads.name("pages"));
        assert!(!reads.page_field("title"));
    }
}
