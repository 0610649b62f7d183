//! The shared heart of the preview: what is served now ([`State`], swapped whole, so a request
//! sees one consistent build) and the open event streams. Publishing a build's files or its
//! failure swaps the state and tells every open page what to do ([`changes`](super::changes)
//! decides what). In: published deltas and failures; out: the state requests are answered from, and
//! events.

use std::io::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use parking_lot::{Mutex, RwLock};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;
use tokio::sync::mpsc;

use crate::model::diagnostic::OverlayDiagnostic;
use crate::serve::build_process::protocol::Delta;
use crate::serve::changes::{Change, catch_up, changed, compare, reload};
use crate::serve::hot::HotFiles;
use crate::serve::store::{Files, Store, Stored, StoredFile};

/// What is served now. Swapped whole, so a request sees one consistent build.
pub(super) struct State {
    /// Identifies the site pages were served from; a page that connects with another id reloads.
    pub(super) build: u64,
    /// The last good site, if any build has succeeded yet.
    pub(super) site: Option<Arc<Served>>,
    /// The diagnostics of the latest build, when it failed.
    pub(super) failure: Option<Arc<Failed>>,
    /// The warnings of the last good build, as the event pages show them beside the page
    /// (`{"event": "warnings", "diagnostics": […]}`); `None` when it had none.
    warnings: Option<Arc<str>>,
}

pub(super) struct Failed {
    /// What the overlay shows: `{"event": "error", "diagnostics": [OverlayDiagnostic…]}`.
    json: String,
    /// One `file:line:col: message` line per problem, for the page shown before any good build.
    pub(super) listing: String,
}

pub(super) struct Served {
    pub(super) files: Files,
}

impl Served {
    /// Where the file at `path` is kept.
    pub(super) fn stored(&self, path: &str) -> Option<&Stored> {
        self.files.get(path)
    }
}

/// The shared heart of the preview: the current state and the open event streams.
pub(super) struct Live {
    state: RwLock<Arc<State>>,
    /// Where published files are kept.
    pub(super) store: Arc<Store>,
    /// The files asked for most, inflated.
    pub(super) hot: HotFiles,
    /// Whether a build's verdict was published (until then requests wait for their file).
    settled: AtomicBool,
    /// Woken at each publish: requests waiting on the first build look again.
    published: tokio::sync::Notify,
    /// Asks the build process to render a route first (the rebuild coordinator's way in).
    ask_first: std::sync::OnceLock<Box<dyn Fn(Vec<String>) + Send + Sync>>,
    /// Open event streams, each with the page it is open on (its route, as the page says);
    /// publishing and subscribing both hold this lock, so no event is missed.
    clients: Mutex<Vec<Client>>,
    next_build: AtomicU64,
    /// The newest request's saved pages were published ahead of its verdict.
    pub(super) shown: AtomicBool,
    /// Bound to loopback: answer only requests addressed to a loopback name, so a web page
    /// elsewhere cannot read the preview through a DNS name rebound to 127.0.0.1.
    pub(super) loopback_only: bool,
}

/// Most pages a rebuild renders first because browsers show them.
const VIEWED_FIRST: usize = 16;

struct Client {
    events: mpsc::Sender<Arc<str>>,
    page: Option<String>,
}

/// What a published build changed, as the watcher reports it.
pub(super) enum Published {
    Unchanged,
    Stylesheets,
    Reload,
}

impl Live {
    pub(super) fn new(loopback_only: bool, store: Arc<Store>) -> Self {
        // Ids start from the clock, so a page left open across a restart of `serve` reloads.
        let start = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(1, |d| d.as_millis() as u64);
        Live {
            state: RwLock::new(Arc::new(State {
                build: start,
                site: None,
                failure: None,
                warnings: None,
            })),
            store,
            hot: HotFiles::new(crate::serve::hot::BUDGET),
            settled: AtomicBool::new(false),
            published: tokio::sync::Notify::new(),
            ask_first: std::sync::OnceLock::new(),
            clients: Mutex::new(Vec::new()),
            next_build: AtomicU64::new(start + 1),
            shown: AtomicBool::new(false),
            loopback_only,
        }
    }

    pub(super) fn current(&self) -> Arc<State> {
        Arc::clone(&self.state.read())
    }

    /// Serves the site with `delta` applied from now on and tells open pages how to catch up.
    /// Only a build's verdict (`good`) removes the overlay; pages shown ahead of it keep it.
    pub(super) fn publish_site(&self, delta: Delta<StoredFile>, good: bool) -> Published {
        // Publishing happens on one thread (the rebuild coordinator's), so the state read here
        // is still current when it is swapped below; the clients lock is taken only for that
        // swap, never while files are compared or moved.
        let old = self.current();
        let mut files = match &old.site {
            Some(site) if !delta.complete => site.files.clone(),
            _ => Files::new(),
        };
        for path in &delta.removed {
            files.remove(path);
        }
        for file in delta.files {
            files.insert(file.path.to_string(), file.stored);
        }
        let changed = old.site.as_ref().map(|site| changed(&site.files, &files));
        let change = match (&old.site, &changed) {
            (Some(site), Some(changed)) => compare(&site.files, &files, changed),
            _ => Change::Reload,
        };
        if let Err(error) = self.store.compact(&mut files, false) {
            // The files stay where they are: only the disk they take is not given back.
            let _ = writeln!(
                std::io::stderr(),
                "warning: cannot compact the preview's temporary file: {error}"
            );
        }
        let (published, build, message) = match change {
            Change::None if old.failure.is_none() || !good => {
                (Published::Unchanged, old.build, None)
            }
            Change::Css(changes) if old.failure.is_none() => {
                let build = self.next_build.fetch_add(1, Ordering::Relaxed);
                let json =
                    serde_json::json!({ "event": "css", "build": build, "changes": changes });
                (Published::Stylesheets, build, Some(json.to_string()))
            }
            _ => {
                let build = self.next_build.fetch_add(1, Ordering::Relaxed);
                (Published::Reload, build, None)
            }
        };
        // Pages that did not change need not reload: each is told what did (`catch_up`).
        let catching_up =
            changed.filter(|_| matches!(published, Published::Reload) && old.failure.is_none());
        let site = Arc::new(Served { files });
        let mut clients = self.clients.lock();
        self.swap(State {
            build,
            site: Some(Arc::clone(&site)),
            failure: if good { None } else { old.failure.clone() },
            warnings: old.warnings.clone(),
        });
        match (message, catching_up) {
            (Some(message), _) => broadcast(&mut clients, &message),
            (None, Some(changed)) => clients.retain(|client| {
                let event = catch_up(client.page.as_deref(), &changed, &site.files, build);
                client.events.try_send(event.into()).is_ok()
            }),
            (None, None) if matches!(published, Published::Reload) => {
                broadcast(&mut clients, &reload(build));
            }
            (None, None) => {}
        }
        published
    }

    /// Keeps serving the last good site and shows `diagnostics` on every open page.
    pub(super) fn publish_failure(&self, diagnostics: &[OverlayDiagnostic]) {
        self.publish_overlay("error", diagnostics);
    }

    /// Shows on every open page that a save waits on a silent build process (`warning`), until
    /// the next build's verdict replaces it.
    pub(super) fn publish_waiting(&self, warning: &str) {
        let diagnostic = OverlayDiagnostic {
            text: format!("warning: {warning}"),
            ..OverlayDiagnostic::message(warning)
        };
        self.publish_overlay("waiting", &[diagnostic]);
    }

    /// Keeps serving the last good site and shows the overlay `event` (`error` or `waiting`)
    /// with `diagnostics` on every open page, and on every page opened until the next verdict.
    fn publish_overlay(&self, event: &'static str, diagnostics: &[OverlayDiagnostic]) {
        #[derive(Serialize)]
        struct OverlayEvent<'a> {
            event: &'static str,
            diagnostics: &'a [OverlayDiagnostic],
        }
        let report = OverlayEvent { event, diagnostics };
        let failed = Failed {
            json: serde_json::to_string(&report)
                .unwrap_or_else(|_| r#"{"event":"error","diagnostics":[]}"#.to_string()),
            listing: diagnostics
                .iter()
                .map(|d| format!("{}:{}:{}: {}\n", d.path, d.line, d.column, d.message))
                .collect(),
        };
        let mut clients = self.clients.lock();
        let old = self.current();
        let message = failed.json.clone();
        self.swap(State {
            build: old.build,
            site: old.site.clone(),
            failure: Some(Arc::new(failed)),
            warnings: old.warnings.clone(),
        });
        broadcast(&mut clients, &message);
    }

    /// Shows the warnings of the build just published beside every open page (an empty list
    /// takes them away). Warnings do not stop a build, so they never cover the page as a
    /// failure's overlay does; pages opened later get them when they connect.
    pub(super) fn publish_warnings(&self, diagnostics: &[OverlayDiagnostic]) {
        let event = serde_json::json!({ "event": "warnings", "diagnostics": diagnostics });
        let message: Arc<str> = event.to_string().into();
        let mut clients = self.clients.lock();
        let old = self.current();
        let unchanged = match &old.warnings {
            Some(shown) => **shown == *message,
            None => diagnostics.is_empty(),
        };
        if unchanged {
            return;
        }
        self.swap(State {
            build: old.build,
            site: old.site.clone(),
            failure: old.failure.clone(),
            warnings: (!diagnostics.is_empty()).then(|| Arc::clone(&message)),
        });
        broadcast(&mut clients, &message);
    }

    /// Gives back the disk that old files take, at once: the served files move to a fresh pack;
    /// when even that finds no room, the site is no longer served (pages say so) until the next
    /// build, and every pack can go. The caller then builds again from scratch.
    pub(super) fn reclaim(&self) -> std::io::Result<()> {
        let old = self.current();
        let Some(site) = &old.site else {
            return self.store.start_fresh();
        };
        let mut files = site.files.clone();
        let site = match self.store.compact(&mut files, true) {
            Ok(()) => Some(Arc::new(Served { files })),
            Err(_) => {
                drop(files);
                self.store.start_fresh()?;
                None
            }
        };
        let _clients = self.clients.lock();
        self.swap(State {
            build: old.build,
            site,
            failure: old.failure.clone(),
            warnings: old.warnings.clone(),
        });
        Ok(())
    }

    fn swap(&self, state: State) {
        *self.state.write() = Arc::new(state);
        self.published.notify_waiters();
    }

    /// How the preview asks the build process for routes a browser waits for.
    pub(super) fn ask_first_with(&self, ask: Box<dyn Fn(Vec<String>) + Send + Sync>) {
        let _ = self.ask_first.set(ask);
    }

    /// A build's verdict is served: requests no longer wait for the first build.
    pub(super) fn settle(&self) {
        self.settled.store(true, Ordering::Relaxed);
        self.published.notify_waiters();
    }

    /// Until the first build's verdict: waits (at most `patience`) for the file at `key` to be
    /// served, having asked the build process to render `route` first. A request that comes
    /// while the first build runs is answered as soon as its page is ready, not after the
    /// whole site.
    pub(super) async fn first_build(
        &self,
        key: &str,
        route: Option<String>,
        patience: std::time::Duration,
    ) {
        let ready = || {
            let state = self.current();
            self.settled.load(Ordering::Relaxed)
                || state.failure.is_some()
                || state
                    .site
                    .as_ref()
                    .is_some_and(|site| site.stored(key).is_some())
        };
        if ready() {
            return;
        }
        if let (Some(route), Some(ask)) = (route, self.ask_first.get()) {
            ask(vec![route]);
        }
        let waiting = async {
            loop {
                let published = self.published.notified();
                tokio::pin!(published);
                published.as_mut().enable();
                if ready() {
                    return;
                }
                published.await;
            }
        };
        let _ = tokio::time::timeout(patience, waiting).await;
    }

    /// A new event stream: its first message brings a page up to date (the overlay, or a
    /// reload when the page comes from another build); then every event, in order. A stream that
    /// falls `queue` messages behind is dropped, so a stalled page never holds memory.
    pub(super) fn subscribe(
        &self,
        page_build: Option<u64>,
        page: Option<String>,
        queue: usize,
    ) -> mpsc::Receiver<Arc<str>> {
        let (sender, receiver) = mpsc::channel(queue);
        let mut clients = self.clients.lock();
        let state = self.current();
        let first = match &state.failure {
            Some(failure) => Some(failure.json.clone()),
            None if page_build.is_some_and(|build| build != state.build) => {
                Some(reload(state.build))
            }
            None => state.warnings.as_deref().map(str::to_string),
        };
        if let Some(first) = first {
            let _ = sender.try_send(first.into());
        }
        clients.push(Client {
            events: sender,
            page,
        });
        receiver
    }

    /// The routes open pages show (a few), for the next rebuild to render first.
    pub(super) fn viewing(&self) -> Vec<String> {
        let clients = self.clients.lock();
        let mut routes: Vec<String> = Vec::new();
        for client in clients.iter().rev().filter(|c| !c.events.is_closed()) {
            if let Some(page) = &client.page
                && !routes.contains(page)
                && routes.len() < VIEWED_FIRST
            {
                routes.push(page.clone());
            }
        }
        routes
    }
}

fn broadcast(clients: &mut Vec<Client>, message: &str) {
    let message: Arc<str> = message.into();
    clients.retain(|client| client.events.try_send(Arc::clone(&message)).is_ok());
}
