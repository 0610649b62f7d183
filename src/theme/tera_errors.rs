//! Tera's errors → one diagnostic each, at the template's path relative to the site root, with
//! line:col and the source line where Tera knows them, and help. Tera reports some load problems
//! as text (unknown filters, includes): that text is read back into locations here, never shown
//! raw. Pure: reads the templates' sources, no I/O.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::model::diagnostic::{Code, Diagnostic, Location, suggest};
use crate::model::source::SourceFile;

type Templates = BTreeMap<String, Arc<SourceFile>>;

/// The functions templates may call (see docs/templates.md). Tera checks calls when it parses a
/// template, so [`crate::theme`] registers placeholders; [`crate::render`] registers the real
/// ones.
/// Listed here, beside Tera's own filters and tests, for did-you-mean on a misspelt call.
pub(crate) const FUNCTIONS: [&str; 6] = [
    "url",
    "asset",
    "page_data",
    "compensation_chart",
    "og_image",
    "search_index",
];

/// Tera's built-in filters and tests (tera 2.4) and the theme's `fragment` (registered in
/// `theme.rs`), for did-you-mean on a misspelt one.
const FILTERS: [&str; 38] = [
    "fragment",
    "safe",
    "default",
    "upper",
    "lower",
    "wordcount",
    "escape",
    "escape_html",
    "escape_xml",
    "newlines_to_br",
    "pluralize",
    "trim",
    "trim_start",
    "trim_end",
    "replace",
    "capitalize",
    "title",
    "truncate",
    "indent",
    "str",
    "int",
    "float",
    "length",
    "reverse",
    "split",
    "abs",
    "round",
    "first",
    "last",
    "nth",
    "join",
    "sort",
    "unique",
    "get",
    "values",
    "keys",
    "pairs",
    "group_by",
];
const TESTS: [&str; 17] = [
    "string",
    "number",
    "map",
    "bool",
    "array",
    "integer",
    "float",
    "none",
    "iterable",
    "defined",
    "undefined",
    "odd",
    "even",
    "divisible_by",
    "starting_with",
    "ending_with",
    "containing",
];
const DOCS: &str = "Tera's syntax and built-ins: https://keats.github.io/tera/docs/";

/// The templates' folder as the editor sees it (`themes/default/templates/`).
fn folder(templates: &Templates) -> String {
    templates
        .values()
        .next()
        .and_then(|file| {
            let (dir, _) = file.path.rsplit_once('/')?;
            Some(format!("{dir}/"))
        })
        .unwrap_or_else(|| "themes/".to_string())
}

/// `name` as a diagnostic location: its source when the theme has it, else its path.
fn at_template(
    code: Code,
    templates: &Templates,
    name: &str,
    find: &str,
    message: String,
) -> Diagnostic {
    match templates.get(name) {
        Some(file) => {
            let span = file.text().find(find).map_or(0..0, |i| i..i + find.len());
            Diagnostic::at(code, file, span, message)
        }
        None => Diagnostic::in_file(code, format!("{}{name}", folder(templates)), message),
    }
}

/// One Tera error (from loading or rendering) as one diagnostic.
pub(crate) fn template_error(templates: &Templates, error: &tera::Error) -> Diagnostic {
    use std::error::Error as _;
    match error.kind() {
        tera::ErrorKind::SyntaxError(report) | tera::ErrorKind::RenderingError(report) => {
            let mut message = report.message().to_string();
            let mut source = error.source();
            while let Some(inner) = source {
                message = format!("{message}: {inner}");
                source = inner.source();
            }
            let syntax = matches!(error.kind(), tera::ErrorKind::SyntaxError(_));
            let code = if syntax {
                Code::TemplateSyntax
            } else {
                Code::TemplateRender
            };
            let (message, help) = split_help(&message, syntax);
            let diagnostic = match templates.get(report.filename()) {
                Some(file) => Diagnostic::at(code, file, report.span().range.clone(), message),
                None => Diagnostic::in_file(
                    code,
                    format!("{}{}", folder(templates), report.filename()),
                    message,
                ),
            };
            diagnostic.help(help)
        }
        tera::ErrorKind::MissingParent { current, parent } => at_template(
            Code::TemplateParentMissing,
            templates,
            current,
            parent,
            format!("`{current}` extends `{parent}`, which does not exist"),
        )
        .help(suggest(
            parent,
            templates.keys().map(String::as_str),
            format!("add templates/{parent} to the theme, or extend another template"),
        )),
        tera::ErrorKind::CircularExtend {
            tpl,
            inheritance_chain,
        } => at_template(
            Code::TemplateCycle,
            templates,
            tpl,
            "extends",
            format!(
                "`{tpl}` extends itself: {tpl} → {}",
                inheritance_chain.join(" → ")
            ),
        )
        .help("a template cannot extend one that extends it; remove one `extends` of the cycle"),
        tera::ErrorKind::CircularInclude { tpl, include_chain } => at_template(
            Code::TemplateCycle,
            templates,
            tpl,
            "include",
            format!("`{tpl}` includes itself: {}", include_chain.join(" → ")),
        )
        .help("a template cannot include one that includes it; remove one `include` of the cycle"),
        tera::ErrorKind::TemplateNotFound(name) => Diagnostic::in_file(
            Code::TemplateNotFound,
            format!("{}{name}", folder(templates)),
            format!("template `{name}` does not exist"),
        )
        .help(format!("add {}{name} to the theme", folder(templates))),
        _ => {
            let text = error.to_string();
            match reports(&text).into_iter().next() {
                Some(report) => located(templates, &report),
                None => {
                    let first = text.trim_start_matches("error: ").lines().next();
                    let (message, help) = split_help(first.unwrap_or_default(), false);
                    Diagnostic::in_file(Code::TemplateSyntax, folder(templates), message).help(help)
                }
            }
        }
    }
}

/// A Tera error met while rendering `template`: as `template_error`, but an error Tera could
/// not place (a component recursing too deep) names the template being rendered.
pub(crate) fn render_error(
    templates: &Templates,
    error: &tera::Error,
    template: &str,
) -> Diagnostic {
    let mut diagnostic = template_error(templates, error);
    // Templates were parsed when the theme was loaded: what fails now fails rendering.
    if diagnostic.code == Code::TemplateSyntax {
        diagnostic.code = Code::TemplateRender;
    }
    if diagnostic.span().is_none()
        && let Some(file) = templates.get(template)
    {
        diagnostic.location = Location::File(file.path.clone());
    }
    diagnostic
}

/// What a failed load of several templates says about each: the templates to set aside, and
/// the diagnostic to report (`None` when the failure only echoes a template already broken).
/// Empty when the error names no template to blame.
pub(crate) fn load_failures(
    templates: &Templates,
    broken: &BTreeSet<String>,
    error: &tera::Error,
) -> Vec<(Vec<String>, Option<Diagnostic>)> {
    let diagnostic = || Some(template_error(templates, error));
    match error.kind() {
        tera::ErrorKind::MissingParent { current, parent } => {
            let echo = broken.contains(parent);
            vec![(
                vec![current.clone()],
                if echo { None } else { diagnostic() },
            )]
        }
        tera::ErrorKind::CircularExtend {
            tpl,
            inheritance_chain: chain,
        }
        | tera::ErrorKind::CircularInclude {
            tpl,
            include_chain: chain,
        } => {
            let mut culprits = chain.clone();
            culprits.push(tpl.clone());
            vec![(culprits, diagnostic())]
        }
        tera::ErrorKind::Msg(text) => reports(text)
            .into_iter()
            .map(|report| {
                let echo = report
                    .message
                    .strip_prefix("Unknown template `")
                    .and_then(|rest| rest.strip_suffix('`'))
                    .is_some_and(|name| broken.contains(name));
                let diagnostic = (!echo).then(|| located(templates, &report));
                (vec![report.template], diagnostic)
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// One problem Tera wrote as text: `error: MESSAGE` / `--> NAME:LINE:COL` / … / `^^^`.
struct TextError {
    message: String,
    template: String,
    line: usize,
    column: usize,
    width: usize,
}

fn reports(text: &str) -> Vec<TextError> {
    text.split("\n\n")
        .filter_map(|chunk| {
            let mut lines = chunk.lines();
            let message = lines.next()?.strip_prefix("error: ")?.to_string();
            let place = lines.next()?.trim_start().strip_prefix("--> ")?;
            let mut parts = place.rsplitn(3, ':');
            let column = parts.next()?.parse().ok()?;
            let line = parts.next()?.parse().ok()?;
            let template = parts.next()?.to_string();
            let width = chunk.lines().last().map_or(1, |l| l.matches('^').count());
            Some(TextError {
                message,
                template,
                line,
                column,
                width: width.max(1),
            })
        })
        .collect()
}

fn located(templates: &Templates, report: &TextError) -> Diagnostic {
    let help = help_for(templates, &report.message);
    let code = if report.message.starts_with("Unknown template `") {
        Code::TemplateNotFound
    } else if ["Unknown filter `", "Unknown test `", "Unknown function `"]
        .iter()
        .any(|prefix| report.message.starts_with(prefix))
    {
        Code::TemplateUnknown
    } else {
        Code::TemplateSyntax
    };
    let Some(file) = templates.get(&report.template) else {
        return Diagnostic::in_file(
            code,
            format!("{}{}", folder(templates), report.template),
            report.message.clone(),
        )
        .help(help);
    };
    let line_start: usize = file
        .text()
        .split_inclusive('\n')
        .take(report.line.saturating_sub(1))
        .map(str::len)
        .sum();
    let offset = |column: usize| {
        file.text()[line_start.min(file.text().len())..]
            .char_indices()
            .nth(column)
            .map_or(file.text().len(), |(i, _)| line_start + i)
    };
    let start = offset(report.column.saturating_sub(1));
    let end = offset(report.column.saturating_sub(1) + report.width).max(start);
    Diagnostic::at(code, file, start..end, report.message.clone()).help(help)
}

/// Advice for the problems Tera finds when it loads templates.
fn help_for(templates: &Templates, message: &str) -> String {
    let named = |prefix: &str| {
        message
            .strip_prefix(prefix)
            .and_then(|rest| rest.strip_suffix('`'))
    };
    if let Some(name) = named("Unknown filter `") {
        return suggest(
            name,
            FILTERS,
            format!("there is no filter `{name}`; {DOCS}"),
        );
    }
    if let Some(name) = named("Unknown test `") {
        return suggest(name, TESTS, format!("there is no test `{name}`; {DOCS}"));
    }
    if let Some(name) = named("Unknown function `") {
        let known = FUNCTIONS.into_iter().chain(["range", "throw"]);
        return suggest(
            name,
            known,
            format!(
                "the functions are {}, range and throw",
                FUNCTIONS.join(", ")
            ),
        );
    }
    if let Some(name) = named("Unknown template `") {
        return suggest(
            name,
            templates.keys().map(String::as_str),
            format!(
                "add {}{name} to the theme, or include another template",
                folder(templates)
            ),
        );
    }
    if message.starts_with("Block `") {
        return "define the block in the template this one extends, or remove it here".to_string();
    }
    DOCS.to_string()
}

/// Separates a template function's message from its help inside the one string a Tera error
/// carries; `split_help` takes them apart again.
const FUNCTION_HELP: &str = "; help: ";

/// The error a template function (`url()`, `asset()`, …) returns: its help becomes the
/// diagnostic's help.
pub(crate) fn function_error(message: String, help: String) -> tera::Error {
    tera::Error::message(format!("{message}{FUNCTION_HELP}{help}"))
}

/// Splits advice out of a message: Tera's list of defined names becomes a did-you-mean, and a
/// function's own help (`function_error`) becomes the help.
fn split_help(message: &str, syntax: bool) -> (String, String) {
    if let Some((head, available)) = message
        .split_once(" Available fields: ")
        .or_else(|| message.split_once(" Available variables: "))
    {
        let name = head.split('`').nth(1).unwrap_or_default();
        let names: Vec<&str> = available.split(", ").map(str::trim).collect();
        let help = suggest(
            name,
            names.iter().copied(),
            format!("available here: {}", names.join(", ")),
        );
        return (head.trim_end_matches('.').to_string(), help);
    }
    if let Some(head) = message.strip_suffix(" is not defined.") {
        return (
            format!("{head} is not defined"),
            format!("check the name's spelling; {DOCS}"),
        );
    }
    if let Some((head, help)) = message.split_once(FUNCTION_HELP) {
        return (head.to_string(), help.to_string());
    }
    let help = if message.starts_with("The expression is too complex")
        || message.starts_with("The template nesting is too deep")
    {
        "Tera allows 40 levels of nesting: split this into smaller expressions or tags, or compute the value in a variable first".to_string()
    } else if message.starts_with("Maximum render recursion depth") {
        "a component calls itself too many times (20 at most); give the recursion an end"
            .to_string()
    } else if syntax {
        "Tera writes expressions as {{ … }}, tags as {% … %} and comments as {# … #}; see https://keats.github.io/tera/docs/".to_string()
    } else {
        format!("the template fails here while rendering; {DOCS}")
    };
    (message.to_string(), help)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undefined_fields_get_a_suggestion() {
        let (message, help) = split_help(
            "Field `titel` is not defined. Available fields: content, title",
            false,
        );
        assert_eq!(message, "Field `titel` is not defined");
        assert_eq!(help, "did you mean `title`?");
    }

    #[test]
    fn reports_written_as_text_are_read_back_into_locations() {
        let text = "error: Unknown filter `saef`\n  --> page.html:10:19\n   |\n10 | {{ x | saef }}\n   |        ^^^^\n\nerror: Unknown test `od`\n --> a.html:1:4\n  |\n1 | x\n  | ^^";
        let found = reports(text);
        assert_eq!(found.len(), 2);
        assert_eq!(
            (
                found[0].template.as_str(),
                found[0].line,
                found[0].column,
                found[0].width
            ),
            ("page.html", 10, 19, 4)
        );
        assert_eq!(found[1].message, "Unknown test `od`");
    }
}
