//! The build process misbehaving, and the machine failing `serve`: garbage printed on the build
//! process's stdout, corrupt frames on its channel, a build process stopped (SIGSTOP) or killed
//! from outside, a binary removed while serving, a temp folder with no room, a closed stdout, a
//! slow compaction of the store. Debug builds let a test ask the build process for a fault
//! (`SRE_GUIDE_FAULT_ON=kind:file`, on a save of that file). Every wait is bounded.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::identity::assert_identical;
use super::preview::{EVENT, Edit, Preview, eventually_contains, site};
use super::rebuilds::{FIXED, RUNAWAY, children};

fn page(text: &str) -> String {
    format!("+++\ntitle = \"First\"\n+++\n{text}\n")
}

/// The one build process of `preview`, once it is running.
fn build_process(preview: &Preview) -> u32 {
    let deadline = Instant::now() + EVENT;
    loop {
        if let [pid] = children(preview.child.id())[..] {
            return pid;
        }
        assert!(Instant::now() < deadline, "no single build process");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn signal(pid: u32, name: &str) {
    let sent = Command::new("kill")
        .args([&format!("-{name}"), &pid.to_string()])
        .status()
        .expect("kill");
    assert!(sent.success(), "kill -{name} {pid}");
}

/// The lines of `serve`'s stderr, once it has printed `wanted`.
fn stderr_lines(preview: &Preview, wanted: &str) -> Vec<String> {
    preview
        .wait_stderr(wanted)
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn garbage_on_the_build_process_stdout_does_not_stop_serving() {
    let site = site();
    let preview = Preview::start_env(&site, &[], &[("SRE_GUIDE_FAULT_ON", "print:first.md")]);
    let events = preview.events("");
    site.write(
        "content/docs/first.md",
        &page("Printed garbage, built anyway."),
    );
    events.wait("reload");
    eventually_contains(&preview, "/docs/first/", "Printed garbage, built anyway.");
    // It went to the terminal (serve's stderr), not into the frames.
    preview.wait_stderr("a stray print from a dependency");
    site.write("content/docs/first.md", &page("And again."));
    events.wait("reload");
    eventually_contains(&preview, "/docs/first/", "And again.");
    // (A `warning:` that the build process was slow to answer may come on a loaded machine.)
    let stderr = preview.stderr.lock().unwrap().clone();
    assert!(!stderr.contains("error:"), "{stderr}");
    assert!(!stderr.contains("corrupt"), "{stderr}");
}

#[test]
fn a_corrupt_frame_ends_that_build_process_and_the_next_save_gets_a_fresh_one() {
    let cases = [
        (
            "huge-length",
            "a frame announced 18446744073709551615 bytes, more than the 1024 MiB limit",
        ),
        (
            "random-bytes",
            "a frame began with [0b, 02, e5, 36], not the frame marker",
        ),
    ];
    for (fault, why) in cases {
        let site = site();
        let fault_on = format!("{fault}:second.md");
        let preview = Preview::start_env(&site, &[], &[("SRE_GUIDE_FAULT_ON", &fault_on)]);
        let events = preview.events("");
        let corrupted = build_process(&preview);
        site.write(
            "content/docs/second.md",
            "+++\ntitle = \"Second\"\n+++\nCorrupted.\n",
        );
        let message = format!(
            "the build process sent a corrupt frame ({why}); it was stopped, and a fresh one \
             builds the next save"
        );
        let overlay = events.wait("error");
        let overlay: serde_json::Value = serde_json::from_str(&overlay).expect("JSON");
        assert_eq!(
            overlay["diagnostics"][0]["text"],
            format!("error: {message}")
        );
        assert_eq!(
            stderr_lines(&preview, "corrupt frame"),
            [format!("error: {message}")],
            "{fault}"
        );
        preview.wait_line(EVENT, |line| {
            line == "build failed · content/docs/second.md; the page shows the error until fixed"
        });
        assert!(
            !children(preview.child.id()).contains(&corrupted),
            "{fault}: not stopped"
        );
        // The last good site is still served, and the next save builds on a fresh process.
        assert_eq!(preview.get("/docs/first/").status, 200);
        site.write("content/docs/first.md", &page("After the corrupt frame."));
        events.wait("reload");
        eventually_contains(&preview, "/docs/first/", "After the corrupt frame.");
    }
}

#[test]
fn a_stopped_build_process_is_reported_and_replaced() {
    let site = site();
    // Reported after 1 s of silence and replaced after 2 (by default 2 s and 6 s); the build
    // process says it is alive every half second.
    let preview = Preview::start_env(&site, &[], &[("SRE_GUIDE_SILENCE_S", "1,2")]);
    let events = preview.events("");
    let stopped = build_process(&preview);
    signal(stopped, "STOP");
    let saved = Instant::now();
    site.write("content/docs/first.md", &page("Built by a fresh process."));
    let waiting = events.wait("waiting");
    let noticed = saved.elapsed();
    let warning = "waiting for the build process: no word from it for 1 s (is it stopped?); a \
                   fresh one takes over after 2 s";
    let overlay: serde_json::Value = serde_json::from_str(&waiting).expect("JSON");
    assert_eq!(
        overlay["diagnostics"][0]["text"],
        format!("warning: {warning}")
    );
    assert!(
        noticed >= Duration::from_secs(1) && noticed < Duration::from_secs(3),
        "noticed after {noticed:?}"
    );
    assert_eq!(
        stderr_lines(&preview, warning),
        [format!("warning: {warning}")]
    );
    // Still silent: a fresh process takes over and builds the save.
    events.wait("reload");
    eventually_contains(&preview, "/docs/first/", "Built by a fresh process.");
    let took = saved.elapsed();
    assert!(took < Duration::from_secs(10), "built after {took:?}");
    preview
        .wait_stderr("warning: the build process has not answered for 2 s; a fresh one takes over");
    assert!(
        !children(preview.child.id()).contains(&stopped),
        "the stopped process was left"
    );
}

#[test]
fn a_build_process_killed_from_outside_is_named_not_called_a_bug() {
    let site = site();
    let preview = Preview::start(&site);
    let events = preview.events("");
    // Killed while idle: the next save starts a fresh one.
    signal(build_process(&preview), "KILL");
    preview.wait_stderr(
        "warning: the build process was killed (signal 9); the next save starts a fresh one",
    );
    site.write("content/docs/first.md", &page("After a kill."));
    events.wait("reload");
    eventually_contains(&preview, "/docs/first/", "After a kill.");
    // Killed twice while a save waits on it (a runaway render keeps it busy).
    site.write("themes/plain/templates/page.html", RUNAWAY);
    std::thread::sleep(Duration::from_millis(300));
    let first = build_process(&preview);
    signal(first, "KILL");
    let retried = "warning: the build process was killed (signal 9); a fresh one builds the save";
    preview.wait_stderr(retried);
    let deadline = Instant::now() + EVENT;
    let second = loop {
        if let Some(&pid) = children(preview.child.id())
            .iter()
            .find(|pid| **pid != first)
        {
            break pid;
        }
        assert!(Instant::now() < deadline, "no fresh build process");
        std::thread::sleep(Duration::from_millis(20));
    };
    signal(second, "KILL");
    let message = "the build process was killed (signal 9); the next save starts a fresh one";
    let error = events.wait("error");
    assert!(error.contains(&format!("error: {message}")), "{error}");
    let lines = stderr_lines(&preview, &format!("error: {message}"));
    assert_eq!(
        lines,
        [
            format!("warning: {message}"),
            retried.to_string(),
            format!("error: {message}"),
        ]
    );
    assert!(!lines.iter().any(|line| line.contains("bug")), "{lines:?}");
    site.write("themes/plain/templates/page.html", FIXED);
    events.wait("reload");
    eventually_contains(&preview, "/docs/first/", "Fixed First");
}

#[test]
fn a_binary_removed_while_serving_says_to_restart_serve() {
    let site = site();
    let folder = tempfile::tempdir().expect("temp dir");
    let copy = folder.path().join("sre-guide");
    std::fs::copy(env!("CARGO_BIN_EXE_sre-guide"), &copy).expect("copy the binary");
    let mut preview = Preview::start_program(&copy, &site, &[], &[]);
    let events = preview.events("");
    std::fs::remove_file(&copy).expect("remove the binary");
    signal(build_process(&preview), "KILL");
    preview.wait_stderr("the next save starts a fresh one");
    site.write("content/docs/first.md", &page("Never built."));
    let message = format!(
        "cannot start a build process: the program {} is gone (removed or replaced since \
         `serve` started); restart `serve`",
        copy.display()
    );
    assert!(events.wait("error").contains(&message));
    preview.wait_stderr(&format!("error: {message}"));
    // Still serving the last good site.
    assert_eq!(preview.get("/docs/first/").status, 200);
    assert!(preview.child.try_wait().expect("status").is_none());
    let _ = preview.child.kill();
}

#[test]
fn a_full_temp_folder_heals_without_a_restart() {
    let site = site();
    let limit_file = tempfile::NamedTempFile::new().expect("a temp file");
    let set_limit =
        |bytes: u64| std::fs::write(limit_file.path(), bytes.to_string()).expect("write");
    // Room for the site a few times over, no more: garbage must be given back as it grows.
    set_limit(60_000);
    let limit = limit_file.path().to_string_lossy().to_string();
    let preview = Preview::start_env(&site, &[], &[("SRE_GUIDE_TMP_LIMIT", &limit)]);
    let events = preview.events("");
    let mut ever = std::collections::BTreeSet::new();
    for save in 0..40 {
        // Each save adds ~10 KB of packed garbage.
        let noise: String = (0..2000)
            .map(|i| format!("{:x}", (i * 7919 + save * 104_729) % 65_521))
            .collect();
        site.write(
            "content/docs/first.md",
            &page(&format!("Save {save}. {noise}")),
        );
        events.wait("reload");
        eventually_contains(&preview, "/docs/first/", &format!("Save {save}."));
    }
    assert_identical(
        &preview,
        &site,
        &mut ever,
        "40 saves in a small temp folder",
    );
    let stderr = preview.stderr.lock().unwrap().clone();
    assert!(!stderr.contains("cannot keep"), "{stderr}");
    let reclaimed = stderr.matches("warning: no room left").count();
    eprintln!("40 saves in 60 kB: the space was reclaimed {reclaimed} times");
    assert!(reclaimed >= 1, "the folder never filled up: {stderr}");

    // Too small even for the site: the error says how much room it needs, and where.
    set_limit(1_000);
    site.write("content/docs/first.md", &page("No room."));
    let error = events.wait("error");
    assert!(
        error.contains("the preview needs about 1 MiB free there"),
        "{error}"
    );
    let line = preview.wait_stderr("error: cannot keep the preview's files in ");
    assert!(
        line.contains("set TMPDIR to another folder, and save again"),
        "{line}"
    );
    // Room again: the next save works, no restart.
    set_limit(10_000_000);
    site.write("content/docs/first.md", &page("Room again."));
    events.wait("reload");
    eventually_contains(&preview, "/docs/first/", "Room again.");
    assert_identical(&preview, &site, &mut ever, "space freed");
}

#[test]
fn a_compaction_does_not_delay_a_new_event_stream() {
    let site = site();
    let preview = Preview::start_env(&site, &[], &[("SRE_GUIDE_SLOW_COMPACTION", "3000")]);
    let hook = "compacting (test hook: 3000 ms)";
    preview.wait_stderr(hook);
    let before = preview.stderr.lock().unwrap().matches(hook).count();
    site.write("content/docs/first.md", &page("Compacted."));
    let deadline = Instant::now() + EVENT;
    while preview.stderr.lock().unwrap().matches(hook).count() == before {
        assert!(Instant::now() < deadline, "no compaction");
        std::thread::sleep(Duration::from_millis(10));
    }
    // The compaction takes 3 s; a page connecting meanwhile is answered at once.
    let started = Instant::now();
    let events = preview.events("");
    let connected = started.elapsed();
    assert_eq!(events.status, 101);
    assert!(
        connected < Duration::from_millis(500),
        "connected after {connected:?}"
    );
    let started = Instant::now();
    assert_eq!(preview.get("/docs/second/").status, 200);
    assert!(started.elapsed() < Duration::from_millis(500));
    events.wait("reload");
    eventually_contains(&preview, "/docs/first/", "Compacted.");
}

#[test]
fn a_closed_stdout_does_not_stop_serving() {
    let site = site();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_sre-guide"))
        .args(["serve", "--port", &port.to_string(), "--root"])
        .arg(site.root())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start serve");
    drop(child.stdout.take()); // closed before `serve` prints a line
    let get = |target: &str| -> Option<String> {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
        stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
        let request =
            format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).ok()?;
        let mut answer = String::new();
        stream.read_to_string(&mut answer).ok()?;
        Some(answer)
    };
    let deadline = Instant::now() + EVENT;
    let mut shown = |text: &str| loop {
        if get("/docs/first/").is_some_and(|answer| answer.contains(text)) {
            return;
        }
        assert!(child.try_wait().expect("status").is_none(), "serve exited");
        assert!(Instant::now() < deadline, "never served {text:?}");
        std::thread::sleep(Duration::from_millis(50));
    };
    shown("The first page says hello.");
    site.write(
        "content/docs/first.md",
        &page("Rebuilt with nowhere to print."),
    );
    shown("Rebuilt with nowhere to print.");
    let _ = child.kill();
    let _ = child.wait();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("read");
    assert!(!stderr.contains("panicked"), "{stderr}");
}
