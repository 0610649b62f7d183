//! Every Tera error is one diagnostic: the template's path from the site root, line:col, the
//! source line and help — never Tera's own report pasted inside ours, never a cascade.

use super::*;

/// `check` on the minimal site with its `section.html` replaced.
fn check_with_section(contents: impl AsRef<[u8]>) -> crate::support::Output {
    Site::fixture("minimal")
        .file("themes/default/templates/section.html", contents)
        .run(["check"])
        .code(1)
}

fn section(body: &str) -> String {
    format!(
        "{{% extends \"base.html\" %}}\n{{% block content %}}\n{body}\n{{% endblock content %}}\n"
    )
}

#[test]
fn an_unknown_function_suggests_the_nearest() {
    check_with_section(section("<h1>{{ urll(path=\"x\") }}</h1>")).stderr(str![[r#"
error[template-unknown]: Unknown function `urll`
 --> themes/default/templates/section.html:3:8
  |
3 | <h1>{{ urll(path="x") }}</h1>
  |        ^^^^^^^^^^^^^^
  |
  = help: did you mean `url`?

error: found 1 problem

"#]]);
}

#[test]
fn an_unknown_test_suggests_the_nearest() {
    check_with_section(section("{% if page.title is strng %}x{% endif %}")).stderr(str![[r#"
error[template-unknown]: Unknown test `strng`
 --> themes/default/templates/section.html:3:21
  |
3 | {% if page.title is strng %}x{% endif %}
  |                     ^^^^^
  |
  = help: did you mean `string`?

error: found 1 problem

"#]]);
}

#[test]
fn an_unknown_filter_is_one_diagnostic_with_a_suggestion() {
    check_with_section(section("<h1>{{ page.title | saef }}</h1>")).stderr(str![[r#"
error[template-unknown]: Unknown filter `saef`
 --> themes/default/templates/section.html:3:21
  |
3 | <h1>{{ page.title | saef }}</h1>
  |                     ^^^^
  |
  = help: did you mean `safe`?

error: found 1 problem

"#]]);
}

#[test]
fn a_missing_include_names_the_template() {
    check_with_section(section("{% include \"partial.html\" %}")).stderr(str![[r#"
error[template-not-found]: Unknown template `partial.html`
 --> themes/default/templates/section.html:3:12
  |
3 | {% include "partial.html" %}
  |            ^^^^^^^^^^^^^^
  |
  = help: add themes/default/templates/partial.html to the theme, or include another template

error: found 1 problem

"#]]);
}

#[test]
fn a_missing_parent_suggests_the_nearest() {
    check_with_section(
        "{% extends \"bse.html\" %}\n{% block content %}\nx\n{% endblock content %}\n",
    )
    .stderr(str![[r#"
error[template-parent-missing]: `section.html` extends `bse.html`, which does not exist
 --> themes/default/templates/section.html:1:13
  |
1 | {% extends "bse.html" %}
  |             ^^^^^^^^
  |
  = help: did you mean `base.html`?

error: found 1 problem

"#]]);
}

#[test]
fn a_circular_include_points_at_the_include() {
    check_with_section(section("{% include \"section.html\" %}")).stderr(str![[r#"
error[template-cycle]: `section.html` includes itself: section.html → section.html
 --> themes/default/templates/section.html:3:4
  |
3 | {% include "section.html" %}
  |    ^^^^^^^
  |
  = help: a template cannot include one that includes it; remove one `include` of the cycle

error: found 1 problem

"#]]);
}

#[test]
fn a_circular_extend_points_at_the_extends() {
    check_with_section(
        "{% extends \"section.html\" %}\n{% block content %}\nx\n{% endblock content %}\n",
    )
    .stderr(str![[r#"
error[template-cycle]: `section.html` extends itself: section.html → section.html
 --> themes/default/templates/section.html:1:4
  |
1 | {% extends "section.html" %}
  |    ^^^^^^^
  |
  = help: a template cannot extend one that extends it; remove one `extends` of the cycle

error: found 1 problem

"#]]);
}

#[test]
fn too_deep_nesting_points_at_the_limit() {
    let deep = format!("{{{{ {}1{} }}}}", "(".repeat(60), ")".repeat(60));
    check_with_section(section(&deep)).stderr(str![[r#"
error[template-syntax]: The expression is too complex
 --> themes/default/templates/section.html:3:43
  |
3 | {{ ((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((1)))))))))))))))))))))))))))))))))))))))))))))))))))))))))))) }}
  |                                           ^
  |
  = help: Tera allows 40 levels of nesting: split this into smaller expressions or tags, or compute the value in a variable first

error: found 1 problem

"#]]);
}

#[test]
fn invalid_utf8_in_a_template_is_one_diagnostic_at_the_byte() {
    let latin1 = b"{% extends \"base.html\" %}\n{% block content %}\n<p>caf\xe9</p>\n{% endblock content %}\n";
    check_with_section(latin1).stderr(str![[r#"
error[not-utf8]: this template is not valid UTF-8 text
 --> themes/default/templates/section.html:3:7
  |
3 | <p>caf�</p>
  |       ^
  |
  = help: save it as UTF-8

error: found 1 problem

"#]]);
}

#[test]
fn a_byte_order_mark_before_extends_is_ignored() {
    Site::fixture("minimal")
        .file(
            "themes/default/templates/section.html",
            format!("\u{feff}{}", section("<p>ok</p>")),
        )
        .run(["check"])
        .code(0);
}

#[test]
fn a_broken_parent_is_reported_once_not_for_every_child() {
    Site::fixture("minimal")
        .file(
            "themes/default/templates/base.html",
            "<html><body>{% block content %}{% endblock content %}{{ oops }</body></html>\n",
        )
        .run(["check"])
        .code(1)
        .stderr(str![[r#"
error[template-syntax]: Found `}` but expected }}.
 --> themes/default/templates/base.html:1:62
  |
1 | <html><body>{% block content %}{% endblock content %}{{ oops }</body></html>
  |                                                              ^
  |
  = help: Tera writes expressions as {{ … }}, tags as {% … %} and comments as {# … #}; see https://keats.github.io/tera/docs/

error: found 1 problem

"#]]);
}

#[test]
fn a_component_recursing_too_deep_names_the_template() {
    check_with_section(
        "{% extends \"base.html\" %}\n{% component Loop(n) %}<b>{{ n }}{{ <Loop n={n} /> }}</b>{% endcomponent Loop %}\n{% block content %}\n{{ <Loop n={1} /> }}\n{% endblock content %}\n",
    )
    .stderr(str![[r#"
error[template-render]: Maximum render recursion depth for components exceeded.
--> themes/default/templates/section.html
 = note: while rendering content/notes/_index.md
 = help: a component calls itself too many times (20 at most); give the recursion an end

error: found 1 problem

"#]]);
}
