//! One Chromium for the whole test binary, and a private profile for each test. Debian's
//! `/usr/bin/chromium` (never a downloaded browser) starts at the first [`chrome`] call and stops
//! when this binary exits; each [`chrome`] is an incognito browser context of its own — its own
//! storage, cookies, cache and history — so tests run side by side in the one browser and share
//! nothing. Dropping a [`Chrome`] closes its tabs.

use std::ffi::OsStr;
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::cdp::{Browser, Tab, lock};
use crate::support::at_exit::until_exit;

pub const CHROMIUM: &str = "/usr/bin/chromium";

/// The longest any single wait in these tests may take: a bound, reached only when something is
/// wrong. On two cores shared with other builds (load average 5 and more) a page that loads axe
/// before its own scripts has taken over 10 s to finish loading.
pub const WAIT: Duration = Duration::from_secs(30);

/// A test starts its browser work only while fewer tabs than this are open (see [`chrome`]).
const MAX_OPEN_TABS: usize = 6;

/// Headless, sandbox off (CI runs as root), no background networking (there is no network), no
/// throttling of tabs in the background (tests run side by side, so most tabs are), and none of
/// what a person's browser does on its own: sync, extensions, crash reports, default apps.
const FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
    "--disable-breakpad",
    "--disable-client-side-phishing-detection",
    "--disable-default-apps",
    "--disable-dev-shm-usage",
    "--disable-extensions",
    "--disable-hang-monitor",
    "--disable-ipc-flooding-protection",
    "--disable-popup-blocking",
    "--disable-prompt-on-repost",
    "--disable-sync",
    "--disable-features=TranslateUI",
    "--force-color-profile=srgb",
    "--metrics-recording-only",
    "--password-store=basic",
    "--use-mock-keychain",
    "--enable-automation",
    "--window-size=1024,768",
    "--remote-debugging-port=0",
];

/// The test's own browser profile: an incognito context and the tabs it opened there.
pub struct Chrome {
    context: String,
    tabs: Mutex<Vec<Arc<Tab>>>,
    /// Tabs counted against [`MAX_OPEN_TABS`] for this profile; released on drop.
    counted: Mutex<usize>,
}

/// Tabs open across the binary, and the signal that some closed.
static OPEN_TABS: (Mutex<usize>, Condvar) = (Mutex::new(0), Condvar::new());

/// A fresh profile in the shared browser. Waits while [`MAX_OPEN_TABS`] tabs are open, then counts
/// one for this test; tabs a running test opens beyond that never wait (two tests each holding
/// some and waiting for more would wait forever).
pub fn chrome() -> Chrome {
    // Made before anything is counted: if Chromium cannot make it, nothing stays counted.
    let mut profile = profile();
    let (open, closed) = &OPEN_TABS;
    let mut count = lock(open);
    while *count >= MAX_OPEN_TABS {
        count = closed.wait(count).unwrap_or_else(|p| p.into_inner());
    }
    *count += 1;
    *profile.counted.get_mut().unwrap_or_else(|p| p.into_inner()) = 1;
    profile
}

/// A context without counting it (its tabs count as they open).
fn profile() -> Chrome {
    Chrome {
        context: browser()
            .new_context()
            .expect("Target.createBrowserContext"),
        tabs: Mutex::new(Vec::new()),
        counted: Mutex::new(0),
    }
}

impl Chrome {
    /// A new tab in this profile, in a window of its own, focused as far as the page can tell
    /// (tests run side by side, and only one window of the browser can really have the focus).
    pub fn tab(&self) -> Arc<Tab> {
        let tab = browser()
            .new_tab(&self.context, 1024, 768)
            .expect("a new tab");
        let mut tabs = lock(&self.tabs);
        let mut counted = lock(&self.counted);
        if tabs.len() >= *counted {
            *lock(&OPEN_TABS.0) += 1;
            *counted += 1;
        }
        tabs.push(tab.clone());
        tab.call(
            "Emulation.setFocusEmulationEnabled",
            json!({ "enabled": true }),
        )
        .expect("Emulation.setFocusEmulationEnabled");
        tab
    }

    /// Another profile in the same browser, as another device would be: its own storage. It
    /// belongs to this test, so it never waits for tabs to close.
    pub fn another_device(&self) -> Chrome {
        profile()
    }
}

impl Drop for Chrome {
    fn drop(&mut self) {
        for tab in self
            .tabs
            .get_mut()
            .unwrap_or_else(|p| p.into_inner())
            .drain(..)
        {
            let _ = tab.close();
        }
        let _ = browser().dispose_context(&self.context);
        let counted = *self.counted.get_mut().unwrap_or_else(|p| p.into_inner());
        let (open, closed) = &OPEN_TABS;
        *lock(open) -= counted;
        closed.notify_all();
    }
}

/// The binary's one browser, started on first use.
fn browser() -> &'static Browser {
    static BROWSER: OnceLock<Browser> = OnceLock::new();
    BROWSER.get_or_init(launch)
}

/// Starts Chromium under a shell that stops it and removes its profile when this binary exits
/// (a static is never dropped), and connects to it.
fn launch() -> Browser {
    assert!(
        Path::new(CHROMIUM).exists(),
        "{CHROMIUM} is missing: apt-get install -y chromium"
    );
    let profile = tempfile::Builder::new()
        .prefix("sre-guide-chromium-")
        .tempdir()
        .expect("a profile dir")
        .keep();
    let user_data_dir = format!("--user-data-dir={}", profile.display());
    let mut args: Vec<&OsStr> = vec![profile.as_os_str(), OsStr::new(CHROMIUM)];
    args.extend(FLAGS.iter().map(OsStr::new));
    args.push(OsStr::new(&user_data_dir));
    let script =
        r#"profile=$1; shift; "$@" & read -r _; kill "$!"; wait "$!"; rm -rf -- "$profile""#;
    let (mut shell, pipe) = until_exit(script, &args);
    // Held open until the process exits: then the shell's `read` returns and it cleans up.
    std::mem::forget(pipe);

    // Chromium writes its DevTools port and browser path into the profile once it listens.
    let started = Instant::now();
    let address = loop {
        let written =
            std::fs::read_to_string(profile.join("DevToolsActivePort")).unwrap_or_default();
        if let Some((port, path)) = written.split_once('\n')
            && path.starts_with("/devtools/browser/")
        {
            break format!("ws://127.0.0.1:{port}{}", path.trim_end());
        }
        if let Ok(Some(status)) = shell.try_wait() {
            panic!("Chromium exited at start: {status}");
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "Chromium did not start listening within 30 s"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    Browser::connect(&address).expect("connect to Chromium")
}
