//! `sre-guide serve` end to end: the real binary on a free loopback port, driven over raw HTTP and
//! over its event stream (helpers in `support/preview.rs`; the preview in a real browser is the
//! browser binary's `serve.rs`).

mod budgets;
mod faults;
mod hostile;
mod identity;
mod large;
mod rebuilds;

pub(crate) use crate::support::preview;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use preview::{EVENT, Edit, Events, IO, Preview, START, eventually_contains, site};

#[test]
fn serves_pages_with_type_etag_and_the_live_reload_script() {
    let site = site();
    let preview = Preview::start(&site);

    let home = preview.get("/");
    assert_eq!(home.status, 200);
    assert_eq!(
        home.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(home.header("cache-control"), Some("no-cache"));
    assert!(home.body.contains("Welcome home"));
    assert!(
        home.body
            .contains(r#"<script src="__sre-guide/livereload.js""#)
    );
    assert!(
        home.body.contains("</script></body>"),
        "injected before </body>"
    );

    let page = preview.get("/docs/first/");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("The first page says hello."));
    assert!(
        page.body
            .contains(r#"src="../../__sre-guide/livereload.js""#)
    );
    let etag = page.header("etag").expect("an ETag").to_string();
    let same = preview.request("GET", "/docs/first/", &[("If-None-Match", &etag)]);
    assert_eq!(same.status, 304);
    assert!(same.body.is_empty());
    let stale = preview.request("GET", "/docs/first/", &[("If-None-Match", "\"other\"")]);
    assert_eq!(stale.status, 200);
    assert_eq!(
        preview.get("/docs/first/index.html").body,
        page.body,
        "the file name and the pretty URL are the same page"
    );

    let head = preview.request("HEAD", "/docs/first/", &[]);
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(head.header("etag"), Some(etag.as_str()));
    assert_eq!(
        head.header("content-length"),
        Some(page.body.len().to_string().as_str())
    );

    let css_path = page
        .body
        .split("href=\"../../")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a stylesheet link");
    let css = preview.get(&format!("/{css_path}"));
    assert_eq!(css.status, 200);
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
    assert!(!css.body.contains("<script"), "only HTML gets the script");
    assert!(css.header("etag").is_some());
    let sitemap = preview.get("/sitemap.xml");
    assert_eq!(
        sitemap.header("content-type"),
        Some("text/xml; charset=utf-8")
    );
    let script = preview.get("/__sre-guide/livereload.js");
    assert_eq!(script.status, 200);
    assert!(script.body.contains("new WebSocket("));

    let redirect = preview.get("/docs/first?x=1");
    assert_eq!(redirect.status, 301);
    assert_eq!(redirect.header("location"), Some("./first/?x=1"));

    let missing = preview.get("/no/such/page");
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("Nothing here (fixture 404)"));
    assert!(
        missing
            .body
            .contains(r#"src="../../__sre-guide/livereload.js""#)
    );

    let post = preview.request("POST", "/", &[]);
    assert_eq!(post.status, 405);
    assert_eq!(post.header("allow"), Some("GET, HEAD"));
}

#[test]
fn answers_only_to_loopback_host_names_against_dns_rebinding() {
    use std::io::{Read, Write};
    let preview = Preview::start(&site());
    let ask = |host: &str| {
        let mut stream = preview.connect();
        let request = format!("GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).expect("send request");
        let mut raw = String::new();
        stream.read_to_string(&mut raw).expect("read response");
        raw
    };
    let rebound = ask("attacker.example:1111");
    assert!(rebound.starts_with("HTTP/1.1 403"), "{rebound}");
    assert!(
        !rebound.contains("The first page"),
        "no page content for a foreign host"
    );
    for host in ["localhost:1111", "127.0.0.1", "[::1]:1111"] {
        assert!(
            ask(host).starts_with("HTTP/1.1 200"),
            "{host} is this machine"
        );
    }
}

#[test]
fn never_serves_anything_outside_the_site() {
    let site = site()
        .file("Cargo.toml", "[package]\nname = \"secret-outside\"\n")
        .file("etc/passwd", "root:secret-outside\n");
    let preview = Preview::start(&site);
    for target in [
        "/../Cargo.toml",
        "/%2e%2e/Cargo.toml",
        "/%2E%2E/%2e%2e/etc/passwd",
        "/%252e%252e/Cargo.toml",
        "/..%2fCargo.toml",
        "/docs/..%2f..%2fCargo.toml",
        "/docs/%2e%2e/%2e%2e/Cargo.toml",
        "/a\\b",
        "/..\\Cargo.toml",
        "/%5c..%5cCargo.toml",
        "/%00",
        "/index.html%00.css",
        "//etc/passwd",
        "/%2fetc/passwd",
        "/./index.html",
        "/content/index.md",
        "/Cargo.toml",
        "/etc/passwd",
        "http://evil.example/etc/passwd",
        "http://localhost/../Cargo.toml",
    ] {
        let reply = preview.get(target);
        assert!(
            [400, 403, 404].contains(&reply.status),
            "{target}: {}",
            reply.status
        );
        assert!(!reply.body.contains("secret-outside"), "{target} leaked");
        assert!(!reply.body.contains("+++"), "{target} served a source file");
    }
    assert_eq!(preview.get("/../Cargo.toml").status, 400);
    assert_eq!(preview.get("/%252e%252e/Cargo.toml").status, 400);
}

#[test]
fn an_edit_reloads_open_pages() {
    let site = site();
    let preview = Preview::start(&site);
    let events = preview.events("");
    assert_eq!(events.status, 101, "a WebSocket");

    site.write(
        "content/docs/first.md",
        "+++\ntitle = \"First\"\n+++\nFreshly edited.\n",
    );
    events.wait("reload");
    eventually_contains(&preview, "/docs/first/", "Freshly edited.");
    let line = preview.wait_line(EVENT, |l| l.starts_with("rebuilt"));
    assert!(line.contains("4 pages"), "{line}");
    assert!(line.ends_with(" · content/docs/first.md"), "{line}");
}

#[test]
fn a_page_from_an_older_build_reloads_when_it_connects() {
    let site = site();
    let preview = Preview::start(&site);
    let events = preview.events("?build=1");
    events.wait("reload");
}

#[test]
fn a_broken_edit_shows_the_overlay_and_the_fix_reloads() {
    let site = site();
    let preview = Preview::start(&site);
    let events = preview.events("");

    site.write(
        "content/docs/first.md",
        "+++\ntitle = \"First\"\ntitel = 1\n+++\nBroken.\n",
    );
    let error = events.wait("error");
    let report: serde_json::Value = serde_json::from_str(&error).expect("JSON diagnostics");
    let first = &report["diagnostics"][0];
    assert_eq!(first["path"], "content/docs/first.md");
    assert_eq!(first["line"], 3);
    assert_eq!(first["column"], 1);
    assert_eq!(first["source_line"], "titel = 1");
    assert_eq!(first["help"], "did you mean `title`?");
    assert_eq!(first["code"], "unknown-key");
    // The overlay shows each problem as the terminal does, the marker under the whole span.
    let text = first["text"].as_str().expect("the terminal layout");
    assert!(text.starts_with("error[unknown-key]: "), "{text}");
    assert!(text.contains("--> content/docs/first.md:3:1\n"), "{text}");
    assert!(text.contains("3 | titel = 1\n"), "{text}");
    assert!(text.contains("| ^^^^^\n"), "{text}");
    assert!(text.contains("= help: did you mean `title`?"), "{text}");
    preview.wait_line(EVENT, |l| l.starts_with("build failed: "));
    preview.wait_stderr("--> content/docs/first.md:3:1");

    // The last good site is still served, and a page opened now gets the overlay at once.
    let page = preview.get("/docs/first/");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("The first page says hello."));
    let late = preview.events("");
    assert!(late.wait("error").contains("content/docs/first.md"));

    site.write(
        "content/docs/first.md",
        "+++\ntitle = \"First\"\n+++\nFixed.\n",
    );
    events.wait("reload");
    late.wait("reload");
    eventually_contains(&preview, "/docs/first/", "Fixed.");
}

#[test]
fn a_first_build_that_fails_still_serves_the_diagnostics() {
    let site = site().file("content/index.md", "+++\ntitle = [\n+++\nHome\n");
    let preview = Preview::start(&site);
    let page = preview.get("/docs/first/");
    assert_eq!(page.status, 500);
    assert!(page.body.contains("content/index.md:2:"), "{}", page.body);
    assert!(page.body.contains("__sre-guide/livereload.js"));
    let events = preview.events("");
    assert!(events.wait("error").contains("content/index.md"));

    site.write("content/index.md", "+++\ntitle = \"Home\"\n+++\nBack.\n");
    events.wait("reload");
    assert!(eventually_contains(&preview, "/", "Back.").status == 200);
}

/// Lint warnings do not stop a build: the terminal prints them, open pages show them in a panel
/// beside the page, a page opened later gets them at once, and a change to site.toml's `[lints]`
/// alone (no page saved) takes them away.
#[test]
fn lint_warnings_reach_the_terminal_and_a_panel_beside_open_pages() {
    let site = site();
    let preview = Preview::start(&site);
    let events = preview.events("");
    site.write(
        "content/docs/first.md",
        "+++\ntitle = \"First\"\nweight = 1\n+++\nNEVER skip [here](second.md).\n",
    );
    let report: serde_json::Value =
        serde_json::from_str(&events.wait("warnings")).expect("JSON diagnostics");
    let shown: Vec<(&str, &str)> = report["diagnostics"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|d| (d["code"].as_str().unwrap(), d["text"].as_str().unwrap()))
        .collect();
    assert_eq!(shown.len(), 2, "{report}");
    assert_eq!(shown[0].0, "all-caps");
    assert!(
        shown[0].1.starts_with(
            "warning[all-caps]: `NEVER` is written in capitals\n --> content/docs/first.md:5:1\n"
        ),
        "{}",
        shown[0].1
    );
    assert_eq!(shown[1].0, "link-text-vague");
    preview.wait_line(EVENT, |l| {
        l.starts_with("rebuilt ") && l.contains(", 2 warnings")
    });
    preview.wait_stderr("warning[link-text-vague]: link text `here`");
    eventually_contains(&preview, "/docs/first/", "skip");
    let late = preview.events("");
    assert!(late.wait("warnings").contains("all-caps"));

    let config = site.read("content/site.toml")
        + "\n[lints]\nall-caps = \"allow\"\nlink-text-vague = \"allow\"\n";
    site.write("content/site.toml", &config);
    let cleared: serde_json::Value =
        serde_json::from_str(&events.wait("warnings")).expect("JSON diagnostics");
    assert_eq!(cleared["diagnostics"], serde_json::json!([]));
}

#[test]
fn a_stylesheet_change_swaps_the_stylesheet_without_a_reload() {
    let site = site();
    let preview = Preview::start(&site);
    let events = preview.events("");
    site.write("themes/plain/static/style.css", "body { color: #005; }\n");
    let data = events.wait("css");
    let css: serde_json::Value = serde_json::from_str(&data).expect("JSON");
    let change = &css["changes"][0];
    let (from, to) = (
        change["from"].as_str().unwrap(),
        change["to"].as_str().unwrap(),
    );
    assert!(from.starts_with("static/style.") && to.starts_with("static/style."));
    assert_ne!(from, to);
    assert!(preview.get(&format!("/{to}")).body.contains("#005"));
    assert_eq!(preview.get(&format!("/{from}")).status, 404);
    assert_eq!(
        events.none_within(Duration::from_millis(300)),
        None,
        "no reload"
    );
}

#[test]
fn a_thousand_rapid_writes_rebuild_a_handful_of_times() {
    let site = site();
    let preview = Preview::start(&site);
    let path = site.path("content/docs/first.md");
    for i in 0..1000 {
        std::fs::write(
            &path,
            format!("+++\ntitle = \"First\"\n+++\nWrite number {i}.\n"),
        )
        .expect("write");
    }
    eventually_contains(&preview, "/docs/first/", "Write number 999.");
    thread::sleep(Duration::from_millis(500));
    let rebuilds = preview
        .stdout_lines()
        .iter()
        .filter(|l| l.starts_with("rebuilt"))
        .count();
    eprintln!("1,000 writes: {rebuilds} rebuilds");
    assert!((1..=10).contains(&rebuilds), "{rebuilds} rebuilds");
}

#[test]
fn an_atomic_save_is_picked_up() {
    let site = site();
    let preview = Preview::start(&site);
    let events = preview.events("");
    let temp = site.path("content/docs/.first.md.tmp1234");
    std::fs::write(&temp, "+++\ntitle = \"First\"\n+++\nSaved atomically.\n").expect("write");
    std::fs::rename(&temp, site.path("content/docs/first.md")).expect("rename");
    events.wait("reload");
    eventually_contains(&preview, "/docs/first/", "Saved atomically.");
    // And again: an editor renames over the file on every save.
    std::fs::write(&temp, "+++\ntitle = \"First\"\n+++\nSaved twice.\n").expect("write");
    std::fs::rename(&temp, site.path("content/docs/first.md")).expect("rename");
    events.wait("reload");
    eventually_contains(&preview, "/docs/first/", "Saved twice.");
}

#[test]
fn new_deleted_and_renamed_pages_and_folders_are_seen() {
    let site = site();
    let preview = Preview::start(&site);
    let events = preview.events("");

    std::fs::remove_file(site.path("content/docs/second.md")).expect("delete");
    events.wait("reload");
    let deadline = Instant::now() + EVENT;
    while preview.get("/docs/second/").status != 404 {
        assert!(
            Instant::now() < deadline,
            "the deleted page is still served"
        );
        thread::sleep(Duration::from_millis(20));
    }

    std::fs::create_dir_all(site.path("content/guides")).expect("mkdir");
    site.write(
        "content/guides/_index.md",
        "+++\ntitle = \"Guides\"\n+++\nNew section.\n",
    );
    eventually_contains(&preview, "/guides/", "New section.");

    std::fs::rename(site.path("content/guides"), site.path("content/howtos")).expect("rename");
    eventually_contains(&preview, "/howtos/", "New section.");
    assert_eq!(preview.get("/guides/").status, 404);

    // Editor droppings and dotfiles, which the build skips, never cause a rebuild (measured
    // once the rename's rebuilds are done).
    thread::sleep(Duration::from_millis(300));
    let before = preview.stdout_lines().len();
    site.write("content/docs/first.md~", "backup");
    site.write("content/docs/.first.md.swp", "swap");
    site.write("content/docs/4913", "");
    site.write("content/.well-known.md", "+++\ntitle = \"Hidden\"\n+++\n");
    std::fs::create_dir_all(site.path("content/.git")).expect("mkdir");
    site.write("content/.git/HEAD", "ref: refs/heads/main\n");
    thread::sleep(Duration::from_millis(400));
    assert_eq!(
        preview.stdout_lines().len(),
        before,
        "{:?}",
        preview.stdout_lines()
    );
}

#[test]
fn polling_sees_edits_too() {
    let site = site();
    let preview = Preview::start_with(&site, &["--poll"]);
    let events = preview.events("");
    site.write(
        "content/docs/first.md",
        "+++\ntitle = \"First\"\n+++\nPolled.\n",
    );
    events.wait("reload");
    eventually_contains(&preview, "/docs/first/", "Polled.");
    std::fs::remove_file(site.path("content/docs/second.md")).expect("delete");
    events.wait("reload");
}

#[test]
fn twelve_keep_alive_clients_and_fifty_event_streams_are_served_promptly() {
    let site = site();
    let preview = Preview::start(&site);
    let streams: Vec<Events> = (0..50).map(|_| preview.events("")).collect();

    let started = Instant::now();
    let clients: Vec<_> = (0..12)
        .map(|_| {
            let mut stream = preview.connect();
            let host = preview.address.clone();
            thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                for target in ["/", "/docs/", "/docs/first/", "/docs/second/"].repeat(5) {
                    let request = format!(
                        "GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: keep-alive\r\n\r\n"
                    );
                    stream.write_all(request.as_bytes()).expect("send");
                    let mut length = 0;
                    let mut status = String::new();
                    reader.read_line(&mut status).expect("status");
                    assert!(status.starts_with("HTTP/1.1 200"), "{target}: {status}");
                    loop {
                        let mut line = String::new();
                        reader.read_line(&mut line).expect("header");
                        if line == "\r\n" {
                            break;
                        }
                        if let Some(value) =
                            line.to_ascii_lowercase().strip_prefix("content-length:")
                        {
                            length = value.trim().parse().expect("length");
                        }
                    }
                    let mut body = vec![0; length];
                    reader.read_exact(&mut body).expect("body");
                }
            })
        })
        .collect();
    for client in clients {
        client.join().expect("a keep-alive client failed");
    }
    let elapsed = started.elapsed();
    eprintln!("12 keep-alive clients, 240 requests beside 50 event streams: {elapsed:?}");
    assert!(
        elapsed < Duration::from_secs(5),
        "240 requests took {elapsed:?}"
    );

    site.write(
        "content/docs/first.md",
        "+++\ntitle = \"First\"\n+++\nEveryone reloads.\n",
    );
    for stream in &streams {
        stream.wait("reload");
    }
}

#[test]
fn a_port_in_use_is_an_error_naming_the_port() {
    let site = site();
    let taken = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("address").port().to_string();
    let mut child = Command::new(env!("CARGO_BIN_EXE_sre-guide"))
        .args(["serve", "--port", &port, "--root"])
        .arg(site.root())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start");
    let deadline = Instant::now() + START;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("serve did not exit on a port in use");
        }
        thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert_eq!(status.code(), Some(2));
    assert_eq!(
        stderr,
        format!(
            "error: port {port} on 127.0.0.1 is already in use; choose another with \
             `--port <PORT>` (`--port 0` picks a free one)\n"
        )
    );
}

#[test]
fn a_temp_folder_that_cannot_be_written_is_an_error_naming_it() {
    let site = site();
    let missing = site.path("no-such-folder");
    let output = Command::new(env!("CARGO_BIN_EXE_sre-guide"))
        .args(["serve", "--port", "0", "--root"])
        .arg(site.root())
        .env("TMPDIR", &missing)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("run serve");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with(&format!(
            "error: cannot create the preview's temporary file in {} (",
            missing.display()
        )) && stderr.ends_with("); set TMPDIR to a writable folder\n"),
        "{stderr}"
    );
}

#[test]
fn a_bind_beyond_loopback_warns() {
    let site = site();
    let preview = Preview::start_with(&site, &["--bind", "0.0.0.0"]);
    let deadline = Instant::now() + IO;
    while !preview
        .stderr
        .lock()
        .unwrap()
        .contains("reachable from the network")
    {
        assert!(Instant::now() < deadline, "no warning");
        thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn ctrl_c_exits_cleanly() {
    let site = site();
    let mut preview = Preview::start(&site);
    let _open = preview.events("");
    let pid = preview.child.id().to_string();
    let sent = Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .expect("kill");
    assert!(sent.success());
    let deadline = Instant::now() + Duration::from_secs(5);
    let status = loop {
        if let Some(status) = preview.child.try_wait().expect("wait") {
            break status;
        }
        assert!(Instant::now() < deadline, "serve ignored Ctrl-C");
        thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0));
}

#[test]
fn the_output_folder_is_never_touched() {
    let site = site().file("output/keep.txt", "mine");
    let preview = Preview::start(&site);
    site.write(
        "content/docs/first.md",
        "+++\ntitle = \"First\"\n+++\nEdited.\n",
    );
    eventually_contains(&preview, "/docs/first/", "Edited.");
    let output = site.tree("output");
    assert_eq!(output.keys().collect::<Vec<_>>(), ["keep.txt"]);
}
