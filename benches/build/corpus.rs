//! The benchmark corpus: a site of N pages in sections of at most 1,000 pages (each page ~830
//! words with h2/h3 headings, a table, a task list, a blockquote and links to three other pages),
//! written once for sre-guide (`content/`, `themes/bench/`) and once for Hugo (`hugo/`); and the
//! same pages again (hard links) in `lean/` with a theme that shows a page and nothing else, to
//! compare like with like against the floor. Same seed, same bytes on every run; it writes only
//! below the folder it is given.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use fastrand::Rng;

/// Up to 10,000 pages the site has 10 sections (the corpus docs/performance.md's tables were
/// measured on); above that, sections of 1,000 pages, so a page's sibling list — and the work and
/// bytes per page — stay as at 10,000 pages instead of growing with the site.
const PAGES_PER_SECTION: usize = 1_000;
const MIN_SECTIONS: usize = 10;

/// What `generate` wrote, for the report.
pub(crate) struct Corpus {
    pub(crate) sections: usize,
    pub(crate) words_per_page: usize,
    /// Bytes of Markdown in the sre-guide copy (front matter included).
    pub(crate) markdown_bytes: u64,
}

fn sections_for(pages: usize) -> usize {
    MIN_SECTIONS.max(pages.div_ceil(PAGES_PER_SECTION))
}

const WORDS: &[&str] = &[
    "reliability",
    "incident",
    "latency",
    "budget",
    "service",
    "engineer",
    "on-call",
    "alert",
    "capacity",
    "rollout",
    "canary",
    "dashboard",
    "postmortem",
    "toil",
    "automation",
    "error",
    "objective",
    "indicator",
    "system",
    "team",
    "the",
    "a",
    "of",
    "and",
    "to",
    "in",
    "with",
    "for",
    "while",
    "every",
    "careful",
    "quickly",
    "measured",
    "durable",
    "review",
    "change",
    "release",
    "traffic",
    "region",
    "failover",
    "backup",
    "restore",
    "queue",
    "cache",
    "database",
    "network",
    "kernel",
    "deploy",
    "pipeline",
    "owner",
    "runbook",
    "pager",
    "signal",
    "noise",
    "threshold",
    "trend",
    "forecast",
    "growth",
    "scope",
    "influence",
    "mentor",
    "design",
    "doc",
    "decision",
    "tradeoff",
    "risk",
    "cost",
    "outage",
    "recovery",
    "practice",
    "habit",
    "level",
];

fn sentence(rng: &mut Rng, words: usize) -> String {
    let mut out = String::new();
    for i in 0..words {
        let word = WORDS[rng.usize(..WORDS.len())];
        if i == 0 {
            let mut chars = word.chars();
            if let Some(first) = chars.next() {
                out.extend(first.to_uppercase());
                out.push_str(chars.as_str());
            }
        } else {
            out.push(' ');
            out.push_str(word);
        }
    }
    out.push('.');
    out
}

fn paragraph(rng: &mut Rng, words: usize) -> String {
    let mut out = String::new();
    let mut left = words;
    while left > 0 {
        let n = left.min(8 + rng.usize(..10));
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&sentence(rng, n));
        left -= n;
    }
    out
}

fn section_of(page: usize, pages: usize) -> usize {
    page * sections_for(pages) / pages
}

fn page_path(page: usize, pages: usize) -> String {
    format!("s{:02}/p{page:05}", section_of(page, pages))
}

/// The Markdown body of page `i`: ~800 words, headings, a table, a task list, a blockquote and
/// root-relative links to three other pages (`/s03/p00042.md`).
fn page_body(rng: &mut Rng, i: usize, pages: usize) -> String {
    let links = [(i + 1) % pages, (i + 7) % pages, (i * 31 + 5) % pages]
        .map(|target| format!("/{}.md", page_path(target, pages)));
    let mut body = String::new();
    let p = |rng: &mut Rng, words| paragraph(rng, words);
    let _ = write!(
        body,
        "{intro}\n\n## Where this starts\n\n{a} See [the next page]({l0}) for more.\n\n### The first signal\n\n{b}\n\n> {quote}\n\n## Measuring it\n\n| Level | Scope | Signal |\n|---|---|---|\n| Junior | one service | pages acknowledged |\n| Mid | a team's services | toil removed |\n| Senior | a product area | budgets kept |\n| Staff | the organisation | incidents prevented |\n\n{c} Compare [a related page]({l1}).\n\n### Checklist\n\n- [x] {t1}\n- [ ] {t2}\n- [ ] {t3}\n\n{d}\n\n## What comes next\n\n{e} Then read [another page]({l2}).\n",
        intro = p(rng, 80),
        a = p(rng, 110),
        l0 = links[0],
        b = p(rng, 110),
        quote = p(rng, 40),
        c = p(rng, 120),
        l1 = links[1],
        t1 = sentence(rng, 6),
        t2 = sentence(rng, 6),
        t3 = sentence(rng, 6),
        d = p(rng, 120),
        e = p(rng, 150),
        l2 = links[2],
    );
    body
}

/// Writes the same content for sre-guide (`content/` + `themes/bench/`) and for Hugo
/// (`hugo/content/` + `hugo/layouts/`): Hugo reads `+++` TOML front matter as well.
pub(crate) fn generate(dir: &Path, pages: usize) -> Corpus {
    let mut rng = Rng::with_seed(0xbe7c_4000 + pages as u64);
    let content = dir.join("content");
    let hugo_content = dir.join("hugo/content");
    let sections = sections_for(pages);
    let mut words = 0;
    let mut markdown_bytes = 0;
    let mut write_both = |relative: &str, text: &str| {
        markdown_bytes += text.len() as u64;
        for base in [&content, &hugo_content] {
            let path = base.join(relative);
            fs::create_dir_all(path.parent().expect("has a parent")).expect("mkdir");
            fs::write(&path, text).expect("write page");
        }
    };
    write_both(
        "_index.md",
        "+++\ntitle = \"Benchmark site\"\n+++\nThe home page of a generated site.\n",
    );
    for section in 0..sections {
        write_both(
            &format!("s{section:02}/_index.md"),
            &format!(
                "+++\ntitle = \"Section {section}\"\nweight = {section}\n+++\nSection {section}.\n"
            ),
        );
    }
    for i in 0..pages {
        let section = section_of(i, pages);
        let body = page_body(&mut rng, i, pages);
        words += body.split_whitespace().count();
        let text = format!(
            "+++\ntitle = \"Page {i}: {title}\"\ndescription = \"{description}\"\nweight = {weight}\n[extra]\nsection = \"s{section:02}\"\n+++\n{body}",
            title = sentence(&mut rng, 4).trim_end_matches('.'),
            description = sentence(&mut rng, 12),
            weight = rng.usize(..100),
        );
        write_both(&format!("{}.md", page_path(i, pages)), &text);
    }
    fs::write(
        content.join("site.toml"),
        "title = \"Benchmark\"\nbase_url = \"https://bench.example/\"\ntheme = \"bench\"\n",
    )
    .expect("site.toml");
    write_sre_guide_theme(&dir.join("themes/bench"));
    write_hugo_site(&dir.join("hugo"));
    write_lean_site(dir);
    Corpus {
        sections,
        words_per_page: words / pages.max(1),
        markdown_bytes,
    }
}

fn write_files(dir: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let path = dir.join(path);
        fs::create_dir_all(path.parent().expect("has a parent")).expect("mkdir");
        fs::write(&path, text).expect("write theme file");
    }
}

fn write_sre_guide_theme(dir: &Path) {
    write_files(
        dir,
        &[
            (
                "templates/base.html",
                r##"<!DOCTYPE html>
<html lang="{{ site.language }}">
<head>
<meta charset="utf-8">
<title>{{ page.title }} · {{ site.title }}</title>
<meta name="description" content="{{ page.description }}">
<link rel="canonical" href="{{ page.permalink }}">
<link rel="stylesheet" href="{{ asset(path='style.css') }}">
</head>
<body>
<header><a href="{{ url(path='_index.md') }}">{{ site.title }}</a></header>
<main>
{% block content %}{% endblock content %}
</main>
</body>
</html>
"##,
            ),
            (
                "templates/page.html",
                r##"{% extends "base.html" %}
{% block content %}
<article>
<h1>{{ page.title }}</h1>
<nav class="toc"><ul>
{%- for entry in page.toc %}
<li><a href="#{{ entry.id }}">{{ entry.title }}</a>{% if entry.children %}<ul>{% for child in entry.children %}<li><a href="#{{ child.id }}">{{ child.title }}</a></li>{% endfor %}</ul>{% endif %}</li>
{%- endfor %}
</ul></nav>
{{ page.content | safe }}
</article>
{% set section = page_data(path=page.extra.section ~ "/_index.md") %}
<nav class="siblings"><h2>In {{ section.title }}</h2><ul>
{%- for sibling in section.pages %}
<li><a href="{{ sibling.url }}">{{ sibling.title }}</a></li>
{%- endfor %}
</ul></nav>
{% endblock content %}
"##,
            ),
            (
                "templates/section.html",
                r##"{% extends "base.html" %}
{% block content %}
<h1>{{ page.title }}</h1>
{{ page.content | safe }}
<ul>
{%- for p in page.pages %}
<li><a href="{{ p.url }}">{{ p.title }}</a></li>
{%- endfor %}
</ul>
{% endblock content %}
"##,
            ),
            (
                "templates/404.html",
                "<!DOCTYPE html><title>Not found</title><h1>Not found</h1>\n",
            ),
            (
                "static/style.css",
                "body { max-width: 40rem; margin: auto; }\n",
            ),
        ],
    );
}

/// `lean/`: the same content (hard-linked, copied where links are not possible) and a theme whose
/// page is the floor's work in a page shell: title, description, stylesheet, the Markdown.
fn write_lean_site(dir: &Path) {
    let lean = dir.join("lean");
    for entry in walkdir::WalkDir::new(dir.join("content")) {
        let entry = entry.expect("walk the content");
        let relative = entry.path().strip_prefix(dir).expect("below the folder");
        let to = lean.join(relative);
        if entry.file_type().is_dir() {
            fs::create_dir_all(&to).expect("mkdir");
        } else if relative != Path::new("content/site.toml") {
            fs::hard_link(entry.path(), &to)
                .or_else(|_| fs::copy(entry.path(), &to).map(drop))
                .expect("link a page");
        }
    }
    fs::write(
        lean.join("content/site.toml"),
        "title = \"Benchmark\"\nbase_url = \"https://bench.example/\"\ntheme = \"lean\"\n",
    )
    .expect("site.toml");
    let shell = |body: &str| {
        format!(
            r#"<!DOCTYPE html>
<html lang="{{{{ site.language }}}}">
<head>
<meta charset="utf-8">
<title>{{{{ page.title }}}} · {{{{ site.title }}}}</title>
<meta name="description" content="{{{{ page.description }}}}">
<link rel="stylesheet" href="{{{{ asset(path='style.css') }}}}">
</head>
<body>
<main>
<h1>{{{{ page.title }}}}</h1>
{body}
</main>
</body>
</html>
"#
        )
    };
    let page = shell("{{ page.content | safe }}");
    let section = shell("{{ page.content | safe }}");
    write_files(
        &lean.join("themes/lean"),
        &[
            ("templates/page.html", &page),
            ("templates/section.html", &section),
            (
                "templates/404.html",
                "<!DOCTYPE html><title>Not found</title><h1>Not found</h1>\n",
            ),
            (
                "static/style.css",
                "body { max-width: 40rem; margin: auto; }\n",
            ),
        ],
    );
}

/// Hugo's equivalent: the same pages, a sibling list per page, a render hook that resolves (and
/// checks) `.md` links the way sre-guide does, sitemap and robots.txt on.
fn write_hugo_site(dir: &Path) {
    write_files(
        dir,
        &[
            (
                "config.toml",
                "baseURL = \"https://bench.example/\"\ntitle = \"Benchmark\"\nenableRobotsTXT = true\ndisableKinds = [\"taxonomy\", \"term\", \"RSS\"]\n[markup.goldmark.extensions]\ntypographer = true\n[markup.tableOfContents]\nstartLevel = 2\nendLevel = 3\n",
            ),
            (
                "layouts/_default/baseof.html",
                r##"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{ .Title }} · {{ site.Title }}</title>
<meta name="description" content="{{ .Description }}">
<link rel="canonical" href="{{ .Permalink }}">
{{ $css := resources.Get "style.css" | fingerprint }}<link rel="stylesheet" href="{{ $css.RelPermalink }}">
</head>
<body>
<header><a href="{{ site.Home.RelPermalink }}">{{ site.Title }}</a></header>
<main>
{{ block "main" . }}{{ end }}
</main>
</body>
</html>
"##,
            ),
            (
                "layouts/_default/single.html",
                r##"{{ define "main" }}
<article>
<h1>{{ .Title }}</h1>
{{ .TableOfContents }}
{{ .Content }}
</article>
<nav class="siblings"><h2>In {{ .CurrentSection.Title }}</h2><ul>
{{- range .CurrentSection.RegularPages }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>
{{- end }}
</ul></nav>
{{ end }}
"##,
            ),
            (
                "layouts/_default/list.html",
                r##"{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ .Content }}
<ul>
{{- range .Pages }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>
{{- end }}
</ul>
{{ end }}
"##,
            ),
            (
                "layouts/_default/_markup/render-link.html",
                r##"{{- $dest := .Destination -}}
{{- if strings.HasSuffix $dest ".md" -}}
{{- with site.GetPage (strings.TrimSuffix ".md" $dest) -}}<a href="{{ .RelPermalink }}">{{- else -}}{{- errorf "broken link %s" $dest -}}{{- end -}}
{{- else -}}<a href="{{ $dest | safeURL }}">{{- end -}}
{{- .Text | safeHTML -}}</a>"##,
            ),
            (
                "layouts/404.html",
                "<!DOCTYPE html><title>Not found</title><h1>Not found</h1>\n",
            ),
            (
                "assets/style.css",
                "body { max-width: 40rem; margin: auto; }\n",
            ),
        ],
    );
}
