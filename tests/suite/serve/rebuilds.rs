//! Rebuilds that cannot wedge: a template that never finishes, a render past its time budget
//! (in `serve`, `build` and `check`), a panicking rebuild; and drafts with `--drafts`.

use std::time::{Duration, Instant};

use super::preview::{EVENT, Edit, Preview, eventually_contains, site};

/// Loops 10^10 times: a template that will not finish in any test's lifetime.
pub(super) const RUNAWAY: &str = "{% extends \"base.html\" %}{% block content %}\
    {% for i in range(end=100000) %}{% for j in range(end=100000) %}{% endfor %}{% endfor %}\
    {% endblock content %}";
pub(super) const FIXED: &str = "{% extends \"base.html\" %}{% block content %}<h1>Fixed {{ page.title }}</h1>\
    {{ page.content | safe }}{% endblock content %}";

#[test]
fn a_save_that_fixes_a_runaway_template_is_served_at_once() {
    let site = site();
    let preview = Preview::start(&site);
    let events = preview.events("");
    let runaway = children(preview.child.id());
    assert_eq!(runaway.len(), 1, "one build process: {runaway:?}");
    let idle = cpu_ticks(runaway[0]);
    site.write("themes/plain/templates/page.html", RUNAWAY);
    // The runaway build is going once its process has spun for a fifth of a second; then fix it.
    let deadline = Instant::now() + EVENT;
    while cpu_ticks(runaway[0]) < idle + 20 {
        assert!(Instant::now() < deadline, "the runaway build never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    let fixed = Instant::now();
    site.write("themes/plain/templates/page.html", FIXED);
    events.wait("reload");
    let page = eventually_contains(&preview, "/docs/first/", "Fixed First");
    let took = fixed.elapsed();
    assert_eq!(page.status, 200);
    assert!(took < Duration::from_secs(2), "recovered after {took:?}");
    // The runaway build ended, not left spinning: `serve` keeps one fresh build process.
    let deadline = Instant::now() + EVENT;
    while children(preview.child.id()).contains(&runaway[0]) {
        assert!(
            Instant::now() < deadline,
            "the runaway build process was left running"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(children(preview.child.id()).len() <= 1);
}

/// The CPU time `pid` has used, in clock ticks (a hundredth of a second), from /proc.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    // utime and stime, the 14th and 15th fields (11th and 12th after the name).
    after_name
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|ticks| ticks.parse::<u64>().ok())
        .sum()
}

/// The ids of the processes whose parent is `pid`, from /proc.
pub(super) fn children(pid: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|child| {
            std::fs::read_to_string(format!("/proc/{child}/stat"))
                .ok()
                .and_then(|stat| {
                    let after_name = stat.rsplit_once(')')?.1.to_string();
                    after_name.split_whitespace().nth(1)?.parse::<u32>().ok()
                })
                == Some(pid)
        })
        .collect()
}

#[test]
fn a_render_past_the_time_budget_fails_the_build_naming_page_and_template() {
    let site = site().file(
        "content/site.toml",
        "title = \"Serve fixture\"\nbase_url = \"https://example.org/\"\ntheme = \"plain\"\n\
         timeout = 1\n",
    );
    let preview = Preview::start(&site);
    let events = preview.events("");
    site.write("themes/plain/templates/page.html", RUNAWAY);
    let error = events.wait("error");
    assert!(
        error.contains("with the template `page.html` took longer than 1 s"),
        "{error}"
    );
    preview.wait_stderr("took longer than 1 s");
    preview.wait_line(EVENT, |l| l.starts_with("build failed: 1 problem"));
    site.write("themes/plain/templates/page.html", FIXED);
    events.wait("reload");
    eventually_contains(&preview, "/docs/first/", "Fixed First");
}

#[test]
fn build_and_check_stop_a_runaway_render_with_exit_1() {
    let site = site()
        .file(
            "content/site.toml",
            "title = \"Serve fixture\"\nbase_url = \"https://example.org/\"\ntheme = \"plain\"\n\
             timeout = 1\n",
        )
        .file("themes/plain/templates/page.html", RUNAWAY);
    for command in ["check", "build"] {
        let started = Instant::now();
        site.run([command])
            .code(1)
            .stderr_contains("error[render-timeout]: rendering `content/docs/")
            .stderr_contains("with the template `page.html` took longer than 1 s")
            .stderr_contains("raise `timeout` (seconds) in content/site.toml");
        assert!(started.elapsed() < Duration::from_secs(10), "{command}");
    }
    assert!(
        !site.path("output").exists(),
        "a failed build wrote nothing"
    );
}

#[test]
fn a_panicking_rebuild_is_reported_and_the_next_save_retries() {
    let site = site();
    let preview = Preview::start_env(&site, &[], &[("SRE_GUIDE_FAULT_ON", "panic:second.md")]);
    let events = preview.events("");
    site.write(
        "content/docs/second.md",
        "+++\ntitle = \"Second\"\n+++\nPanics.\n",
    );
    let error = events.wait("error");
    assert!(
        error
            .contains("internal error while building: test hook: a save of content/docs/second.md"),
        "{error}"
    );
    preview.wait_stderr("error: internal error while building: test hook");
    site.write(
        "content/docs/first.md",
        "+++\ntitle = \"First\"\n+++\nBuilt after the panic.\n",
    );
    events.wait("reload");
    eventually_contains(&preview, "/docs/first/", "Built after the panic.");
}

#[test]
fn drafts_are_served_with_a_banner_only_with_drafts() {
    let draft = "+++\ntitle = \"Unfinished\"\ndraft = true\n+++\nWork in progress.\n";
    let site = site().file("content/docs/draft.md", draft);
    let without = Preview::start(&site);
    assert_eq!(without.get("/docs/draft/").status, 404);
    drop(without);
    for flag in ["--drafts", "-D"] {
        let preview = Preview::start_with(&site, &[flag]);
        let page = preview.get("/docs/draft/");
        assert_eq!(page.status, 200, "{flag}");
        assert!(page.body.contains("Work in progress."));
        assert!(
            page.body.contains(">Draft: this page is published only"),
            "{flag}"
        );
        assert!(!preview.get("/docs/first/").body.contains(">Draft:"));
    }
    let linked = site.file(
        "content/docs/first.md",
        "+++\ntitle = \"First\"\n+++\nSee [the draft](draft.md).\n",
    );
    linked
        .run(["check"])
        .code(1)
        .stderr_contains("`docs/draft.md` is a draft; `--drafts` includes it");
    linked.run(["check", "--drafts"]).code(0);
    linked.run(["build", "-D"]).code(0);
    assert!(
        linked
            .read("output/docs/draft/index.html")
            .contains(">Draft:")
    );
}

#[test]
fn template_and_data_problems_reach_the_overlay_too() {
    let site = site();
    let preview = Preview::start(&site);
    let events = preview.events("");
    site.write(
        "themes/plain/templates/page.html",
        "{% extends \"base.html\" %}{% block content %}{{ page.title }{% endblock content %}",
    );
    let error = events.wait("error");
    assert!(
        error.contains("themes/plain/templates/page.html"),
        "{error}"
    );
    site.write("themes/plain/templates/page.html", FIXED);
    events.wait("reload");
    std::fs::create_dir_all(site.path("content/data")).expect("mkdir");
    site.write("content/data/extra.toml", "name = [\n");
    let error = events.wait("error");
    assert!(error.contains("content/data/extra.toml:"), "{error}");
}

#[test]
fn a_problem_stays_reported_when_another_file_is_saved() {
    let site = site();
    let preview = Preview::start(&site);
    let events = preview.events("");
    site.write(
        "content/docs/first.md",
        "+++\ntitle = \"First\"\nweight = 1\n[extra]\nlevel = \"nope\"\n+++\nHello.\n",
    );
    let error = events.wait("error");
    assert!(error.contains("content/docs/first.md"), "{error}");
    // The build process remembers the unchanged page as its file says, level and all.
    site.write(
        "content/docs/second.md",
        "+++\ntitle = \"Second\"\n+++\nEdited.\n",
    );
    let again = events.wait("error");
    assert!(again.contains("level `nope`"), "{again}");
}

#[test]
fn a_killed_serve_leaves_no_build_running() {
    let site = site();
    let mut preview = Preview::start(&site);
    site.write("themes/plain/templates/page.html", RUNAWAY);
    let root = site.root().to_string_lossy().to_string();
    let building = || {
        std::fs::read_dir("/proc")
            .into_iter()
            .flatten()
            .filter_map(|entry| std::fs::read(entry.ok()?.path().join("cmdline")).ok())
            .map(|cmdline| String::from_utf8_lossy(&cmdline).replace('\0', " "))
            .any(|cmdline| cmdline.contains("build-process") && cmdline.contains(&root))
    };
    let deadline = Instant::now() + EVENT;
    while !building() {
        assert!(Instant::now() < deadline, "the runaway build never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    preview.child.kill().expect("kill serve");
    preview.child.wait().expect("reap serve");
    let deadline = Instant::now() + EVENT;
    while building() {
        assert!(Instant::now() < deadline, "the build outlived serve");
        std::thread::sleep(Duration::from_millis(50));
    }
}
