//! Writing: atomic, stale-free, reproducible, and never over the editor's work.

use super::*;

#[test]
fn previous_output_is_intact_after_a_failed_build() {
    let site = Site::fixture("minimal");
    site.run(["build"]).code(0);
    let before = site.tree("output");
    let site = site.file("content/notes/first.md", "+++\ntitle = \"Broken\"\n");
    site.run(["build"]).code(1);
    assert_eq!(site.tree("output"), before);
    let siblings: Vec<_> = std::fs::read_dir(site.root())
        .expect("list")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with('.'))
        .collect();
    // Only the lock file stays beside the output; no staging folder is left behind.
    assert_eq!(siblings, [".output.lock"], "left behind: {siblings:?}");
}

#[test]
fn a_stale_file_is_removed_by_the_next_build() {
    let site = Site::fixture("minimal").file("content/notes/old.md", "+++\ntitle = \"Old\"\n+++\n");
    site.run(["build"]).code(0);
    assert!(site.path("output/notes/old/index.html").is_file());
    let site = site
        .remove("content/notes/old.md")
        .file("output/stray.txt", "left by hand");
    site.run(["build"]).code(0);
    assert!(!site.path("output/notes/old").exists());
    assert!(!site.path("output/stray.txt").exists());
    assert!(!site.read("output/sitemap.xml").contains("old"));
}

#[test]
fn two_builds_of_the_same_input_are_byte_identical() {
    let site = Site::fixture("minimal");
    site.run(["build"]).code(0);
    let first = site.tree("output");
    site.run(["build"]).code(0);
    assert_eq!(site.tree("output"), first);
    // From another folder too: no absolute path or time leaks into the output.
    let elsewhere = Site::fixture("minimal");
    elsewhere.run(["build"]).code(0);
    assert_eq!(elsewhere.tree("output"), first);
}

#[test]
fn iterating_a_table_in_a_template_is_in_a_stable_order() {
    // Tera's maps are hash maps unless told to keep order; every build must list them alike.
    let keys: String = (0..24).map(|i| format!("k{i:02} = {i}\n")).collect();
    let site = Site::fixture("minimal")
        .file("content/data/many.toml", &keys)
        .file(
            "themes/default/templates/section.html",
            "{% extends \"base.html\" %}{% block content %}{% for key, value in data.many %}{{ key }}={{ value }};{% endfor %}{% endblock content %}",
        );
    site.run(["build"]).code(0);
    let first = site.read("output/notes/index.html");
    assert!(
        first.contains("k00=0;k01=1;k02=2;"),
        "in the file's order: {first}"
    );
    for _ in 0..3 {
        site.run(["build"]).code(0);
        assert_eq!(site.read("output/notes/index.html"), first);
    }
}

#[test]
fn the_guide_builds_byte_identically_twice() {
    let site = Site::repo();
    site.run(["build"]).code(0);
    let first = site.tree("output");
    site.run(["build"]).code(0);
    assert_eq!(site.tree("output"), first);
}

#[test]
fn unsafe_output_folders_are_refused_with_nothing_deleted() {
    let site = Site::fixture("minimal").file("docs/keep.txt", "mine");
    let before = site.tree("");
    let parent = site
        .root()
        .canonicalize()
        .expect("canonical")
        .parent()
        .expect("a temp dir has a parent")
        .to_string_lossy()
        .into_owned();
    let cases = [
        (
            site.root().to_path_buf(),
            "$ROOT: it is the site root or a folder containing it".to_string(),
        ),
        (
            site.root().join(".."),
            format!("{parent}: it is the site root or a folder containing it"),
        ),
        (
            site.path("content"),
            "$ROOT/content: it is inside content/, which holds the site's sources".to_string(),
        ),
        (
            site.path("content/notes"),
            "$ROOT/content/notes: it is inside content/, which holds the site's sources"
                .to_string(),
        ),
        (
            site.path("themes"),
            "$ROOT/themes: it is inside themes/, which holds the site's sources".to_string(),
        ),
        (
            site.path("docs"),
            "$ROOT/docs: it is a non-empty folder that an earlier sre-guide build did not write"
                .to_string(),
        ),
    ];
    for (target, why) in cases {
        site.run([
            std::ffi::OsStr::new("build"),
            "--output".as_ref(),
            target.as_os_str(),
        ])
        .code(2)
        .stderr(format!(
            "error: refusing to write the site to {why}; nothing was deleted. Pass another --output DIR\n"
        ));
        assert_eq!(site.tree(""), before, "after --output {}", target.display());
    }
}

#[test]
fn an_empty_folder_or_a_previous_output_may_be_the_target() {
    let site = Site::fixture("minimal");
    std::fs::create_dir(site.path("public")).expect("mkdir");
    let args = [
        std::ffi::OsString::from("build"),
        "--output".into(),
        site.path("public").into(),
    ];
    site.run(&args).code(0);
    assert!(site.path("public/index.html").is_file());
    site.run(&args).code(0);
    assert!(site.path("public/index.html").is_file());
}

#[test]
fn check_writes_nothing() {
    let site = Site::fixture("minimal");
    let before = site.tree("");
    site.run(["check"])
        .code(0)
        .stderr("")
        .stdout_contains("checked 4 pages in ");
    assert_eq!(site.tree(""), before);
    let site = site.file("content/extra.md", "");
    let before = site.tree("");
    site.run(["check"]).code(1);
    assert_eq!(site.tree(""), before);
}

/// The folders beside the output other than the sources: what builds leave in the site root.
fn beside_output(site: &Site) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(site.root())
        .expect("list")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| !matches!(name.as_str(), "content" | "themes"))
        .collect();
    names.sort();
    names
}

#[test]
fn simultaneous_builds_take_turns_and_leave_a_valid_output() {
    let site = Site::fixture("minimal");
    for round in 0..10 {
        let (first, second) = std::thread::scope(|scope| {
            let first = scope.spawn(|| site.run(["build"]));
            let second = scope.spawn(|| site.run(["build"]));
            (
                first.join().expect("first build"),
                second.join().expect("second build"),
            )
        });
        for out in [first, second] {
            assert_eq!(out.exit_code(), Some(0), "round {round}: {}", out.stderr);
        }
        assert!(
            site.path("output/.sre-guide-output").is_file(),
            "round {round}: the output lost its marker"
        );
        assert!(site.path("output/notes/first/index.html").is_file());
        assert_eq!(
            beside_output(&site),
            [".output.lock", "output"],
            "round {round}"
        );
    }
    site.run(["build"]).code(0);
}

#[test]
fn leftovers_of_killed_builds_are_removed_by_name_even_without_a_marker() {
    let site = Site::fixture("minimal")
        .file(".output.tmp-999999/half-written.html", "<p>")
        .file(".output.old-12/index.html", "<p>old")
        .file(".output.tmp-notapid/mine.txt", "an editor's folder");
    site.run(["build"]).code(0);
    assert_eq!(
        beside_output(&site),
        [".output.lock", ".output.tmp-notapid", "output"]
    );
}

#[test]
fn a_build_killed_midway_leaves_nothing_the_next_build_trips_on() {
    let mut site = Site::fixture("minimal");
    for n in 0..150 {
        site = site.file(
            &format!("content/notes/bulk-{n}.md"),
            format!(
                "+++\ntitle = \"Bulk {n}\"\n+++\n{}\n",
                "Words to render. ".repeat(200)
            ),
        );
    }
    site.run(["build"]).code(0);
    let mut interrupted = 0;
    for delay_ms in [5, 10, 20, 60, 150] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_sre-guide"))
            .args(["build", "--root"])
            .arg(site.root())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start a build");
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        child.kill().expect("kill it");
        child.wait().expect("reap it");
        if beside_output(&site).len() > 2 {
            interrupted += 1;
        }
        // The OS released the killed build's lock; its staging folder goes by name.
        site.run(["build"]).code(0);
        assert_eq!(
            beside_output(&site),
            [".output.lock", "output"],
            "{delay_ms} ms"
        );
        assert!(site.path("output/.sre-guide-output").is_file());
    }
    assert!(
        interrupted > 0,
        "no kill landed while a staging folder existed"
    );
}

#[test]
fn a_build_waits_for_the_lock_says_on_what_and_gives_up_after_lock_timeout() {
    let site = Site::fixture("minimal");
    site.run(["build"]).code(0);
    let held = std::fs::OpenOptions::new()
        .write(true)
        .open(site.path(".output.lock"))
        .expect("the lock file");
    held.lock().expect("hold the lock as another build would");
    let started = std::time::Instant::now();
    let out = site.run(["build", "--lock-timeout", "1"]).code(2);
    let waited = started.elapsed();
    // The test harness writes the site's folder as `$ROOT`.
    assert_eq!(
        out.stderr,
        "waiting for another sre-guide build of $ROOT/output to finish (it holds \
         $ROOT/.output.lock); giving up after 1 s (`--lock-timeout`)\nerror: another sre-guide \
         build of $ROOT/output still holds $ROOT/.output.lock after 1 s; let it finish and build \
         again, or wait longer with `--lock-timeout <SECONDS>`\n"
    );
    assert!(
        waited >= std::time::Duration::from_secs(1) && waited < std::time::Duration::from_secs(5),
        "{waited:?}"
    );
    // Released while a build waits (the default, 60 s): it goes ahead at once.
    let waiting = std::thread::spawn({
        let root = site.root().to_path_buf();
        move || {
            std::process::Command::new(env!("CARGO_BIN_EXE_sre-guide"))
                .args(["build", "--root"])
                .arg(root)
                .output()
                .expect("run build")
        }
    });
    std::thread::sleep(std::time::Duration::from_millis(500));
    drop(held);
    let out = waiting.join().expect("the waiting build");
    assert_eq!(out.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&out.stderr).starts_with("waiting for another sre-guide build")
    );
}
