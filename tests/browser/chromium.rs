//! One Chromium for the whole test binary, and a private profile for each test. Debian's
//! `/usr/bin/chromium` (never a downloaded browser) starts at the first [`chrome`] call and stops
//! when this binary exits; each [`chrome`] is an incognito browser context of its own — its own
//! storage, cookies, cache and history — so tests run side by side in the one browser and share
//! nothing. Dropping a [`Chrome`] closes its tabs.

use std::ffi::OsStr;
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex, Once, OnceLock};
use std::time::{Duration, Instant};

use headless_chrome::protocol::cdp::{Emulation, Target};
use headless_chrome::{Browser, Tab};

use crate::support::at_exit::until_exit;

pub const CHROMIUM: &str = "/usr/bin/chromium";

/// The longest any single wait in these tests may take: a bound, reached only when something is
/// wrong. On two cores shared with other builds (load average 5 and more) a page that loads axe
/// before its own scripts has taken over 10 s to finish loading.
pub const WAIT: Duration = Duration::from_secs(30);

/// A test starts its browser work only while fewer tabs than this are open (see [`chrome`]).
const MAX_OPEN_TABS: usize = 6;

/// Headless, sandbox off (CI runs as root), no background networking (there is no network), and
/// no throttling of tabs in the background: tests run side by side, so most tabs are.
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
    let (open, closed) = &OPEN_TABS;
    let mut count = open.lock().unwrap_or_else(|p| p.into_inner());
    while *count >= MAX_OPEN_TABS {
        count = closed.wait(count).unwrap_or_else(|p| p.into_inner());
    }
    *count += 1;
    drop(count);
    let mut profile = profile();
    *profile.counted.get_mut().unwrap_or_else(|p| p.into_inner()) = 1;
    profile
}

/// A context without counting it (its tabs count as they open).
fn profile() -> Chrome {
    let context = browser()
        .new_context()
        .expect("Target.createBrowserContext");
    Chrome {
        context: context.get_id().to_string(),
        tabs: Mutex::new(Vec::new()),
        counted: Mutex::new(0),
    }
}

impl Chrome {
    /// A new tab in this profile, in a window of its own, ready for the helpers: bounded waits,
    /// no pauses between input events, and focused as far as the page can tell (tests run side
    /// by side, and only one window of the browser can really have the focus).
    pub fn tab(&self) -> Arc<Tab> {
        let tab = browser()
            .new_tab_with_options(Target::CreateTarget {
                url: "about:blank".to_string(),
                left: None,
                top: None,
                width: Some(1024),
                height: Some(768),
                window_state: None,
                browser_context_id: Some(self.context.clone()),
                enable_begin_frame_control: None,
                // A window of its own: the front tab of a window is the only one Chromium
                // renders, and a page that is not rendered never scrolls to a fragment or to
                // what takes focus.
                new_window: Some(true),
                background: Some(false),
                for_tab: None,
                hidden: None,
            })
            .expect("a new tab");
        let mut tabs = self.tabs.lock().unwrap_or_else(|p| p.into_inner());
        let mut counted = self.counted.lock().unwrap_or_else(|p| p.into_inner());
        if tabs.len() >= *counted {
            *OPEN_TABS.0.lock().unwrap_or_else(|p| p.into_inner()) += 1;
            *counted += 1;
        }
        tabs.push(tab.clone());
        prepare(tab)
    }

    /// Another profile in the same browser, as another device would be: its own storage. It
    /// belongs to this test, so it never waits for tabs to close.
    pub fn another_device(&self) -> Chrome {
        profile()
    }
}

pub fn prepare(tab: Arc<Tab>) -> Arc<Tab> {
    tab.set_default_timeout(WAIT);
    tab.set_slow_motion_multiplier(0.0);
    tab.call_method(Emulation::SetFocusEmulationEnabled { enabled: true })
        .expect("Emulation.setFocusEmulationEnabled");
    tab
}

impl Drop for Chrome {
    fn drop(&mut self) {
        // The context itself stays, empty, until Chromium exits (only the browser's own session
        // may dispose of one, and the driver keeps that to itself).
        for tab in self
            .tabs
            .get_mut()
            .unwrap_or_else(|p| p.into_inner())
            .drain(..)
        {
            let _ = tab.close_target();
        }
        let counted = *self.counted.get_mut().unwrap_or_else(|p| p.into_inner());
        let (open, closed) = &OPEN_TABS;
        *open.lock().unwrap_or_else(|p| p.into_inner()) -= counted;
        closed.notify_all();
    }
}

/// How long a call to Chromium may go unanswered before it fails: a browser that died or hung
/// fails the test that called it within this, not after a quarter of an hour.
const UNANSWERED: Duration = Duration::from_secs(120);

/// The driver drops a connection that hears nothing for [`UNANSWERED`]; between tests (a test
/// building a site before it opens a tab) a question this often keeps it open.
const KEEP_ALIVE: Duration = Duration::from_secs(20);

/// The binary's one browser, started on first use, and asked for its version every
/// [`KEEP_ALIVE`] for as long as it answers.
fn browser() -> &'static Browser {
    static BROWSER: OnceLock<Browser> = OnceLock::new();
    static KEPT_ALIVE: Once = Once::new();
    let browser = BROWSER.get_or_init(launch);
    KEPT_ALIVE.call_once(|| {
        std::thread::spawn(move || {
            while browser.get_version().is_ok() {
                std::thread::sleep(KEEP_ALIVE);
            }
        });
    });
    browser
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
    // What the tests have always run with: the driver library's usual switches, then ours.
    let mut args: Vec<&OsStr> = vec![profile.as_os_str(), OsStr::new(CHROMIUM)];
    args.extend(
        headless_chrome::browser::DEFAULT_ARGS
            .iter()
            .map(OsStr::new),
    );
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
    Browser::connect_with_timeout(address, UNANSWERED).expect("connect to Chromium")
}
