//! One run reports every problem of a build — content, data, template and rendering — and an
//! entry with a problem never reaches a template or the chart: it is left out, its diagnostic
//! kept, and the rest of the site is still rendered to find the template problems.

use super::*;

#[test]
fn a_swapped_compensation_range_is_a_diagnostic_not_a_crash() {
    // Was exit 101: the chart's axis ran from 200,000 down to 100,000.
    Site::repo()
        .file(
            "content/data/compensation.toml",
            "currency = \"USD\"\nregion = \"US\"\n\n[[ranges]]\nlevel = \"junior\"\nmin = 200000\nmax = 100000\n",
        )
        .run(["check"])
        .code(1)
        .stderr(str![[r#"
error[min-above-max]: range for `junior` has min 200000 above max 100000
 --> content/data/compensation.toml:4:1
  |
4 | [[ranges]]
  | ^^^^^^^^^^
  |
  = help: swap `min` and `max`

error: found 1 problem

"#]]);
}

#[test]
fn one_problem_of_each_kind_is_reported_in_one_run() {
    let site = Site::fixture("minimal");
    let section = site
        .read("themes/default/templates/section.html")
        .replace("{{ page.title }}", "{{ page.titel }}");
    let not_found = site
        .read("themes/default/templates/404.html")
        .replace("<h1>{{ page.title }}", "<h1>{{ page.title | upercase }}");
    let site = site
        .file("themes/default/templates/section.html", section)
        .file("themes/default/templates/404.html", not_found)
        .file("content/data/extra.toml", "answer = \n")
        .file(
            "content/notes/third.md",
            "+++\ntitle = \"Third\"\n+++\nSee [the first](frist.md).\n",
        );
    site.run(["build"])
        .code(1)
        .stderr(str![[r#"
error[toml-syntax]: string values must be quoted, expected literal string
 --> content/data/extra.toml:1:10
  |
1 | answer = 
  |          ^
  |
  = help: put text in double quotes: `answer = ""`

error[link-target-missing]: link target `notes/frist.md` does not exist
 --> content/notes/third.md:4:17
  |
4 | See [the first](frist.md).
  |                 ^^^^^^^^
  |
  = help: did you mean `first.md`?

error[template-unknown]: Unknown filter `upercase`
 --> themes/default/templates/404.html:9:21
  |
9 | <h1>{{ page.title | upercase }}</h1>
  |                     ^^^^^^^^
  |
  = help: did you mean `upper`?

error[template-render]: Field `titel` is not defined
 --> themes/default/templates/section.html:3:13
  |
3 | <h1>{{ page.titel }}</h1>
  |             ^^^^^
  |
  = note: while rendering content/notes/_index.md; the problems of content/data/extra.toml left entries out of the site, which may cause this
  = help: did you mean `title`?

error: found 4 problems; nothing was written

"#]]);
    assert!(!site.path("output").exists(), "nothing was written");
}

#[test]
fn a_misspelt_page_kind_suggests_the_nearest() {
    Site::fixture("minimal")
        .file("content/q.md", "+++\ntitle = \"Q\"\nkind = \"qiz\"\n+++\n")
        .run(["check"])
        .code(1)
        .stderr(str![[r#"
error[invalid-value]: unknown variant `qiz`, expected `page` or `quiz`
 --> content/q.md:3:8
  |
3 | kind = "qiz"
  |        ^^^^^
  |
  = help: did you mean `quiz`?

error: found 1 problem

"#]]);
}

#[test]
fn an_unreadable_folder_is_one_error_not_a_cascade() {
    use std::os::unix::fs::PermissionsExt;
    let site = Site::fixture("minimal");
    for entry in walkdir::WalkDir::new(site.root()) {
        let entry = entry.expect("walk");
        let mode = if entry.file_type().is_dir() {
            0o755
        } else {
            0o644
        };
        std::fs::set_permissions(entry.path(), std::fs::Permissions::from_mode(mode))
            .expect("chmod");
    }
    let notes = site.path("content/notes");
    std::fs::set_permissions(&notes, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    // Root reads anything: then the check runs as `nobody`, for whom the folder is closed, from
    // a copy of the binary that `nobody` may run wherever the build put the original.
    let runnable = tempfile::tempdir().expect("a temp dir");
    let mut command = if std::fs::read_dir(&notes).is_ok() {
        let binary = runnable.path().join("sre-guide");
        std::fs::copy(env!("CARGO_BIN_EXE_sre-guide"), &binary).expect("copy the binary");
        std::fs::set_permissions(runnable.path(), std::fs::Permissions::from_mode(0o755))
            .expect("chmod");
        assert!(
            std::path::Path::new("/usr/bin/setpriv").exists(),
            "running as root, the test needs setpriv (apt-get install util-linux) to run as nobody"
        );
        let mut command = std::process::Command::new("/usr/bin/setpriv");
        command.args(["--reuid=65534", "--regid=65534", "--clear-groups"]);
        command.arg(binary);
        command
    } else {
        std::process::Command::new(env!("CARGO_BIN_EXE_sre-guide"))
    };
    let out = command
        .args(["check", "--root"])
        .arg(site.root())
        .env("NO_COLOR", "1")
        .output()
        .expect("run sre-guide");
    std::fs::set_permissions(&notes, std::fs::Permissions::from_mode(0o755)).expect("chmod back");
    // The pages below it would otherwise come back as missing link targets, one each.
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: cannot read content/notes: Permission denied (os error 13); check the folder's permissions\n"
    );
    assert_eq!(out.status.code(), Some(2));
}
