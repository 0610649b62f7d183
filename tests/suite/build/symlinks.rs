//! Only the site is published: a symbolic link is followed when its target lies inside the site
//! root, and otherwise fails the build naming the link and where it points — never quoting the
//! target, never walking into an outside folder.

use super::*;

/// A folder outside the site holding a secret file, a folder with a page and a file, and a
/// dangling link inside that folder that would be reported if the walk ever entered it.
fn outside() -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix("sre-guide-outside-")
        .tempdir()
        .expect("temp dir");
    std::fs::write(dir.path().join("passwd"), "root:x:0:0:SECRET\n").expect("write");
    std::fs::create_dir(dir.path().join("folder")).expect("mkdir");
    std::fs::write(dir.path().join("folder/f.txt"), "SECRET2\n").expect("write");
    std::fs::write(dir.path().join("folder/p.md"), "+++\ntitle = \"P\"\n+++\n").expect("write");
    std::os::unix::fs::symlink("nowhere", dir.path().join("folder/dangling")).expect("link");
    dir
}

/// The one error an outside link gives, with the outside folder shown as `$OUTSIDE`.
fn outside_link_error(link: &str, target: &str) -> String {
    format!(
        "error[symlink-outside-site]: `{link}` is a symbolic link to `$OUTSIDE/{target}`, which is outside the site
--> {link}
 = help: sre-guide publishes only files inside the site root: copy the file or folder into the site, or remove the link
"
    )
}

fn shown(stderr: &str, outside: &tempfile::TempDir) -> String {
    stderr.replace(&*outside.path().to_string_lossy(), "$OUTSIDE")
}

#[test]
fn a_theme_file_linking_outside_fails_the_build_without_publishing_it() {
    let secret = outside();
    let target = secret.path().join("passwd");
    let site =
        Site::fixture("minimal").symlink(&target.to_string_lossy(), "themes/default/static/x.txt");
    let out = site.run(["build"]).code(1);
    assert_eq!(
        shown(&out.stderr, &secret),
        format!(
            "{}\n{}",
            outside_link_error("themes/default/static/x.txt", "passwd"),
            build_count_line(1)
        )
    );
    assert!(!out.stderr.contains("SECRET"));
    assert!(!site.path("output").exists());
}

#[test]
fn a_page_linking_outside_is_never_read() {
    let secret = outside();
    let target = secret.path().join("passwd");
    let site = Site::fixture("minimal").symlink(&target.to_string_lossy(), "content/x.md");
    let out = site.run(["check"]).code(1);
    assert_eq!(
        shown(&out.stderr, &secret),
        format!(
            "{}\n{}",
            outside_link_error("content/x.md", "passwd"),
            count_line(1)
        )
    );
}

#[test]
fn a_folder_linking_outside_is_never_walked() {
    let secret = outside();
    let target = secret.path().join("folder");
    for link in ["content/elsewhere", "themes/default/static/elsewhere"] {
        let site = Site::fixture("minimal").symlink(&target.to_string_lossy(), link);
        let out = site.run(["build"]).code(1);
        // Walking in would also report `folder/dangling` and publish f.txt and p.md.
        assert_eq!(
            shown(&out.stderr, &secret),
            format!(
                "{}\n{}",
                outside_link_error(link, "folder"),
                build_count_line(1)
            )
        );
    }
}

#[test]
fn links_to_files_and_folders_inside_the_site_are_followed() {
    let site = Site::fixture("minimal")
        .file("shared/extra.txt", "shared\n")
        .symlink("../files/handout.txt", "content/notes/handout.txt")
        .symlink("../shared", "content/shared");
    site.run(["build"]).code(0);
    assert_eq!(
        site.read("output/notes/handout.txt"),
        site.read("content/files/handout.txt")
    );
    assert_eq!(site.read("output/shared/extra.txt"), "shared\n");
}

#[test]
fn site_toml_linking_outside_is_never_read() {
    let secret = outside();
    let target = secret.path().join("passwd");
    let site = Site::fixture("minimal")
        .remove("content/site.toml")
        .symlink(&target.to_string_lossy(), "content/site.toml");
    let out = site.run(["check"]).code(1);
    assert_eq!(
        shown(&out.stderr, &secret),
        format!(
            "{}\n{}",
            outside_link_error("content/site.toml", "passwd"),
            count_line(1)
        )
    );
}

#[test]
fn a_theme_folder_linking_outside_is_named_once() {
    let elsewhere = outside();
    let site = Site::fixture("minimal");
    std::fs::rename(
        site.path("themes/default"),
        elsewhere.path().join("default"),
    )
    .expect("move the theme out");
    let target = elsewhere.path().join("default");
    let out = site
        .symlink(&target.to_string_lossy(), "themes/default")
        .run(["check"])
        .code(1);
    assert_eq!(
        shown(&out.stderr, &elsewhere),
        format!(
            "{}\n{}",
            outside_link_error("themes/default", "default"),
            count_line(1)
        )
    );
}

#[test]
fn a_theme_name_that_climbs_out_of_themes_is_refused() {
    let site = Site::fixture("minimal");
    let config = site
        .read("content/site.toml")
        .replace("theme = \"default\"", "theme = \"../..\"");
    site.file("content/site.toml", config)
        .run(["check"])
        .code(1)
        .stderr(str![[r#"
error[theme-not-found]: theme `../..` is not the name of a folder under themes/
--> content/site.toml
 = help: write the folder's name alone, e.g. `theme = "default"`

error: found 1 problem

"#]]);
}

#[test]
fn a_template_linking_outside_is_the_one_error() {
    let secret = outside();
    let target = secret.path().join("passwd");
    let site = Site::fixture("minimal")
        .remove("themes/default/templates/page.html")
        .symlink(
            &target.to_string_lossy(),
            "themes/default/templates/page.html",
        );
    // Not also "template `page.html` is not in the theme" for every page that uses it.
    let out = site.run(["check"]).code(1);
    assert_eq!(
        shown(&out.stderr, &secret),
        format!(
            "{}\n{}",
            outside_link_error("themes/default/templates/page.html", "passwd"),
            count_line(1)
        )
    );
}

#[test]
fn a_symlink_loop_is_named_with_its_chain_once() {
    let site = Site::fixture("minimal")
        .symlink("b.md", "content/notes/a.md")
        .symlink("a.md", "content/notes/b.md");
    site.run(["check"]).code(1).stderr(str![[r#"
error[symlink-broken]: `content/notes/a.md` is a symbolic link loop (a.md → b.md → a.md)
--> content/notes/a.md
 = help: point one of these links at a file, or remove them

error: found 1 problem

"#]]);
    let site = Site::fixture("minimal")
        .symlink("./self.md", "content/self.md")
        .symlink("../content/c.md", "content/b.md")
        .symlink("b.md", "content/c.md");
    site.run(["check"]).code(1).stderr(str![[r#"
error[symlink-broken]: `content/b.md` is a symbolic link loop (b.md → ../content/c.md → b.md)
--> content/b.md
 = help: point one of these links at a file, or remove them

error[symlink-broken]: `content/self.md` is a symbolic link loop (self.md → ./self.md)
--> content/self.md
 = help: point one of these links at a file, or remove them

error: found 2 problems

"#]]);
    // A link to nothing is still called that.
    let dangling = Site::fixture("minimal").symlink("gone.md", "content/notes/a.md");
    dangling.run(["check"]).code(1).stderr(str![[r#"
error[symlink-broken]: `content/notes/a.md` is a symbolic link to `gone.md`, which does not exist
--> content/notes/a.md
 = help: point the link at an existing file, or remove it

error: found 1 problem

"#]]);
}
