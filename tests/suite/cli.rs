//! The command line itself: `new` (pages and sections with valid front matter, never overwriting),
//! `completions` for each shell, `--version`, short flags and how defaults are shown, and
//! `serve --open` handing the listening URL to `$BROWSER`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

use snapbox::str;
use std::time::{Duration, Instant};

use crate::support::Site;

/// Front matter of a file written by `new`, parsed back as TOML.
fn front_matter(site: &Site, relative: &str) -> toml::Table {
    let text = site.read(relative);
    let inner = text
        .strip_prefix("+++\n")
        .and_then(|rest| rest.split_once("+++\n"))
        .unwrap_or_else(|| panic!("no front matter in {text:?}"))
        .0;
    toml::from_str(inner).unwrap_or_else(|e| panic!("{relative} is not TOML: {e}\n{text}"))
}

#[test]
fn new_writes_a_page_last_in_its_section_that_builds() {
    let site = Site::repo();
    site.run([
        "new",
        "phases/principal.md",
        "--title",
        "Phase 5: \"Principal\" SRE",
    ])
    .code(0)
    .stderr("")
    .stdout_contains(
        "created content/phases/principal.md (weight 5, after content/phases/staff.md)",
    );
    let front = front_matter(&site, "content/phases/principal.md");
    assert_eq!(front["title"].as_str(), Some("Phase 5: \"Principal\" SRE"));
    assert_eq!(front["description"].as_str(), Some(""));
    assert_eq!(front["weight"].as_integer(), Some(5));
    site.run(["build"]).code(0).stderr("");
    let section = site.read("output/phases/index.html");
    let staff = section.find("staff/index.html").expect("staff is listed");
    let principal = section
        .find("principal/index.html")
        .expect("the new page is listed in its section");
    assert!(staff < principal, "the new page comes after the last one");
}

#[test]
fn new_refuses_to_overwrite_and_says_so_like_every_error() {
    let site = Site::fixture("minimal");
    let before = site.read("content/notes/first.md");
    site.run(["new", "notes/first.md", "-t", "Again"])
        .code(1)
        .stderr(str![[r#"
error[new-page-exists]: `content/notes/first.md` already exists; `new` never overwrites a page
--> content/notes/first.md
 = help: edit that file, or choose another name

error: found 1 problem; nothing was written

"#]]);
    assert_eq!(site.read("content/notes/first.md"), before);
}

#[test]
fn new_understands_sections_and_keeps_the_step_between_weights() {
    let site = Site::fixture("minimal")
        .file("content/guides/_index.md", "+++\ntitle = \"Guides\"\n+++\n")
        .file(
            "content/guides/one.md",
            "+++\ntitle = \"One\"\nweight = 10\n+++\n",
        )
        .file(
            "content/guides/two.md",
            "+++\ntitle = \"Two\"\nweight = 20\n+++\n",
        );
    site.run(["new", "content/guides/third-one.md"])
        .code(0)
        .stdout_contains("(weight 30, after content/guides/two.md)");
    assert_eq!(
        front_matter(&site, "content/guides/third-one.md")["title"].as_str(),
        Some("Third one")
    );

    // A trailing slash means the folder's section page; it is weighted among the top sections.
    site.run(["new", "tools/", "--title", "Tools", "-d", "What we use."])
        .code(0)
        .stdout_contains("created content/tools/_index.md (weight ");
    let section = front_matter(&site, "content/tools/_index.md");
    assert_eq!(section["description"].as_str(), Some("What we use."));
    site.run(["new", "tools/pager.md"])
        .code(0)
        .stdout_contains("created content/tools/pager.md (weight 1)");
    site.run(["build"]).code(0).stderr("");
    assert!(site.read("output/tools/index.html").contains("Pager"));

    // A page in a folder without a section page is fine, and the editor hears why it is unlisted.
    site.run(["new", "loose/page.md"]).code(0).stdout_contains(
        "note: content/loose/ has no _index.md, so no section page lists the new page; \
         `sre-guide new loose/_index.md` starts one",
    );
}

#[test]
fn new_rejects_paths_outside_content_and_routes_taken() {
    let site = Site::fixture("minimal");
    site.run(["new", "../escape.md"])
        .code(1)
        .stderr_contains(
            "error[new-path-invalid]: `../escape.md` is not a page path below content/",
        )
        .stderr_contains("= help: write a path below content/ ending in .md");
    site.run(["new", "notes/first.txt"])
        .code(1)
        .stderr_contains("error[new-path-invalid]: `notes/first.txt` is not a Markdown file name");
    site.run(["new", "notes/first/_index.md"])
        .code(1)
        .stderr_contains(
            "error[new-route-taken]: `content/notes/first/_index.md` would be published at /notes/first/, which \
             content/notes/first.md already is",
        );
    assert!(!site.path("content/escape.md").exists());
    assert!(!site.path("../escape.md").exists());
    assert!(!site.path("content/notes/first").exists());
    Site::empty()
        .run(["new", "a.md"])
        .code(2)
        .stderr_contains("error: no `content/` folder in ");
}

#[test]
fn completions_are_printed_for_every_shell() {
    let site = Site::empty();
    let expected = [
        ("bash", "complete -F _sre__guide"),
        ("zsh", "#compdef sre-guide"),
        ("fish", "complete -c sre-guide"),
        ("powershell", "Register-ArgumentCompleter"),
    ];
    for (shell, marker) in expected {
        let out = site
            .run_in(site.root(), ["completions", shell])
            .code(0)
            .stderr("");
        assert!(out.stdout.contains(marker), "{shell}: {}", out.stdout);
        for word in ["build", "serve", "new", "base-url", "open"] {
            assert!(out.stdout.contains(word), "{shell} completion lacks {word}");
        }
    }
    site.run_in(site.root(), ["completions", "tcsh"])
        .code(2)
        .stderr_contains("invalid value 'tcsh'");
}

#[test]
fn bash_accepts_the_completion_script() {
    let site = Site::empty();
    let out = site.run_in(site.root(), ["completions", "bash"]).code(0);
    let script = site.path("sre-guide.bash");
    std::fs::write(&script, &out.stdout).expect("write the script");
    let status = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "source {} && complete -p sre-guide",
            script.display()
        ))
        .stdout(Stdio::null())
        .status()
        .expect("run bash");
    assert!(status.success(), "bash rejected the script");
}

#[test]
fn version_and_help_follow_the_conventions() {
    let site = Site::empty();
    site.run_in(site.root(), ["--version"])
        .code(0)
        .stdout_contains(concat!("sre-guide ", env!("CARGO_PKG_VERSION")));
    let help = site.run_in(site.root(), ["build", "--help"]).code(0);
    for flag in [
        "-r, --root <DIR>",
        "-o, --output <DIR>",
        "-b, --base-url <URL>",
        "[default: .]",
        "[default: ROOT/output]",
    ] {
        assert!(
            help.stdout.contains(flag),
            "build --help lacks {flag}:\n{}",
            help.stdout
        );
    }
    let help = site.run_in(site.root(), ["serve", "--help"]).code(0);
    for flag in ["-p, --port <PORT>", "[default: 1111]", "-O, --open"] {
        assert!(
            help.stdout.contains(flag),
            "serve --help lacks {flag}:\n{}",
            help.stdout
        );
    }
}

#[test]
fn short_flags_work() {
    let site = Site::fixture("minimal");
    let elsewhere = Site::empty();
    let out_dir = elsewhere.path("public");
    site.run_in(
        elsewhere.root(),
        [
            "build".as_ref(),
            "-r".as_ref(),
            site.root().as_os_str(),
            "-o".as_ref(),
            out_dir.as_os_str(),
            "-b".as_ref(),
            "https://short.example/".as_ref(),
        ],
    )
    .code(0);
    assert!(
        std::fs::read_to_string(out_dir.join("sitemap.xml"))
            .expect("a sitemap")
            .contains("<loc>https://short.example/notes/</loc>")
    );
}

/// `serve --open` with `$BROWSER` set to a script that records its argument: the URL it gets must
/// already answer.
#[test]
fn serve_open_hands_the_listening_url_to_the_browser() {
    let site = Site::fixture("minimal");
    let opened = site.path("opened.txt");
    let browser = site.path("browser.sh");
    std::fs::write(
        &browser,
        format!(
            "#!/bin/sh\nprintf '%s' \"$1\" > '{}.part' && mv '{0}.part' '{0}'\n",
            opened.display()
        ),
    )
    .expect("write the fake browser");
    let mut permissions = std::fs::metadata(&browser).expect("metadata").permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
    std::fs::set_permissions(&browser, permissions).expect("chmod");

    let mut child = Command::new(env!("CARGO_BIN_EXE_sre-guide"))
        .args(["serve", "-p", "0", "--open", "-r"])
        .arg(site.root())
        .env("BROWSER", &browser)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start serve");
    let stdout = lines_of(child.stdout.take().expect("stdout"));
    let deadline = Instant::now() + Duration::from_secs(20);
    while !opened.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let url = std::fs::read_to_string(&opened).unwrap_or_default();
    let answer = url
        .strip_prefix("http://")
        .and_then(|rest| rest.strip_suffix('/'))
        .and_then(|address| TcpStream::connect(address).ok())
        .map(|mut stream| {
            let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
            let _ =
                stream.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
            let mut reply = String::new();
            let _ = stream.read_to_string(&mut reply);
            reply
        });
    let serving = line_starting(&stdout, "serving", Duration::from_secs(10));
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(serving, format!("serving {url} (Ctrl-C to stop)"));
    let answer = answer.unwrap_or_else(|| panic!("the browser got {url:?}, which does not answer"));
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[test]
fn serve_open_without_a_browser_warns_and_keeps_serving() {
    let site = Site::fixture("minimal");
    let mut child = Command::new(env!("CARGO_BIN_EXE_sre-guide"))
        .args(["serve", "-p", "0", "-O", "-r"])
        .arg(site.root())
        .env("BROWSER", site.path("no-such-browser"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start serve");
    let _stdout = lines_of(child.stdout.take().expect("stdout"));
    let stderr = lines_of(child.stderr.take().expect("stderr"));
    let warning = line_starting(&stderr, "warning:", Duration::from_secs(20));
    let still_running = child.try_wait().map(|status| status.is_none());
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        warning.starts_with("warning: cannot open a browser (")
            && warning.contains("open http://127.0.0.1:"),
        "{warning}"
    );
    assert_eq!(
        still_running.ok(),
        Some(true),
        "serve stopped after the warning"
    );
}

/// The lines a child prints, read on a thread (to its end, so the child never writes into a
/// closed pipe) so that every wait for one is bounded.
fn lines_of(stream: impl Read + Send + 'static) -> std::sync::mpsc::Receiver<String> {
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            let _ = send.send(line);
        }
    });
    receive
}

/// The first line starting with `prefix` within `wait`.
fn line_starting(
    lines: &std::sync::mpsc::Receiver<String>,
    prefix: &str,
    wait: Duration,
) -> String {
    let deadline = Instant::now() + wait;
    while let Ok(line) = lines.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
        if line.starts_with(prefix) {
            return line;
        }
    }
    String::new()
}
