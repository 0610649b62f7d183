//! `sre-guide serve`: the live preview. In: the site root and where to listen. Out: the site that
//! the very same build stages make, served over HTTP from the preview's own store (`store.rs`),
//! plus a WebSocket event stream (`reload`, `changed`, `css`, `error`) that the injected
//! `livereload.js` turns into reloads and an overlay. A request is only ever answered from the
//! stored files: never from the site's folders, and `output/` is never touched. Connections and
//! limits are `serve/http.rs`, answering one request is `serve/respond.rs`; watching is
//! `watch.rs`, and the build process it feeds sends the files each save changed, which `publish`
//! here applies; `serve/changes.rs` decides what each open page is told.

pub(crate) mod build_process;
pub(crate) mod store;
pub(crate) mod watch;

use std::collections::HashMap;
use std::net::{SocketAddr, TcpListener, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, anyhow};
use serde::Serialize;
use tokio::sync::mpsc;

mod changes;
mod guard;
mod http;
mod respond;

use crate::build::BuildOptions;
use crate::diagnostic::OverlayDiagnostic;
use crate::serve::build_process::client::{Delta, Outcome};
use crate::serve::store::{Store, Stored, StoredFile};
use changes::{Change, catch_up, changed, compare, reload};
use watch::Rebuilt;

pub(crate) struct ServeOptions {
    pub(crate) build: BuildOptions,
    pub(crate) port: u16,
    pub(crate) bind: String,
    pub(crate) poll: bool,
    /// Called once with the preview's URL when the server is listening (`serve --open`).
    pub(crate) on_listening: Option<OnListening>,
}

pub(crate) type OnListening = Box<dyn FnOnce(&str)>;

/// Where the page script and the event stream live, relative to the site root.
pub(super) const EVENTS: &str = "__sre-guide/events";
pub(super) const SCRIPT: &str = "__sre-guide/livereload.js";
pub(super) const LIVERELOAD_JS: &str = include_str!("livereload.js");
/// Threads answering requests: every connection is a task on these, so a stalled client holds
/// no thread, and the process's thread count stays fixed whatever the number of connections.
const WORKERS: usize = 2;

pub(crate) fn run(options: ServeOptions) -> anyhow::Result<()> {
    let root = options.build.root.canonicalize().with_context(|| {
        format!(
            "cannot serve {}: the folder does not exist",
            options.build.root.display()
        )
    })?;
    let listener = listen(&options.bind, options.port)?;
    let address = listener
        .local_addr()
        .context("cannot read the address the server listens on")?;
    let store = Store::new().map_err(|error| {
        anyhow!(
            "cannot create the preview's temporary file in {} ({error}); set TMPDIR to a writable folder",
            std::env::temp_dir().display()
        )
    })?;
    let live = Arc::new(Live::new(address.ip().is_loopback(), Arc::new(store)));
    let build = Arc::new(BuildOptions {
        root: root.clone(),
        ..options.build
    });
    // Watch before the first build, so an edit made while it runs is not lost.
    let publishing = Arc::clone(&live);
    let watching = Arc::clone(&live);
    let viewing = move || watching.viewing();
    let rebuilds = watch::start(
        options.poll,
        Arc::clone(&build),
        Arc::clone(&live.store),
        viewing,
        move |rebuilt| publish(&publishing, rebuilt),
    )?;
    rebuilds.first_build();

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(WORKERS)
        .max_blocking_threads(2)
        .thread_name("http")
        .enable_io()
        .enable_time()
        .build()
        .context("cannot start the HTTP server's threads")?;
    listener
        .set_nonblocking(true)
        .context("cannot make the listening socket non-blocking")?;
    let (stop, mut stopped) = mpsc::unbounded_channel::<anyhow::Result<()>>();
    let server_stop = stop.clone();
    let server_live = Arc::clone(&live);
    runtime.spawn(async move {
        let outcome = match tokio::net::TcpListener::from_std(listener) {
            Ok(listener) => http::accept(listener, server_live).await,
            Err(error) => error,
        };
        let _ = server_stop.send(Err(anyhow!("the HTTP server stopped: {outcome}")));
    });
    // Ctrl-C (and SIGTERM) end the wait below; returning from `run` ends the process cleanly.
    ctrlc::set_handler(move || {
        let _ = stop.send(Ok(()));
    })
    .context("cannot install the Ctrl-C handler")?;

    if !address.ip().is_loopback() {
        eprintln!(
            "warning: listening on {}: the preview is reachable from the network",
            address.ip()
        );
    }
    let url = format!("http://{address}/");
    println!("serving {url} (Ctrl-C to stop)");
    if let Some(on_listening) = options.on_listening {
        on_listening(&url);
    }
    let outcome = runtime.block_on(stopped.recv()).unwrap_or(Ok(()));
    runtime.shutdown_background();
    if outcome.is_ok() {
        println!("stopped");
    }
    outcome
}

/// Binds the listening socket ourselves, so "port in use" is an error that names the port.
fn listen(bind: &str, port: u16) -> anyhow::Result<TcpListener> {
    let address: SocketAddr = (bind, port)
        .to_socket_addrs()
        .with_context(|| format!("`--bind {bind}` is not an address to listen on"))?
        .next()
        .with_context(|| format!("`--bind {bind}` resolves to no address"))?;
    TcpListener::bind(address).map_err(|error| match error.kind() {
        std::io::ErrorKind::AddrInUse => anyhow!(
            "port {port} on {bind} is already in use; choose another with `--port <PORT>` \
             (`--port 0` picks a free one)"
        ),
        std::io::ErrorKind::AddrNotAvailable => {
            anyhow!("cannot listen on {bind}: no network interface has that address; see `--bind`")
        }
        _ => anyhow!("cannot listen on {address}: {error}"),
    })
}

/// What is served now. Swapped whole, so a request sees one consistent build.
pub(super) struct State {
    /// Identifies the site pages were served from; a page that connects with another id reloads.
    pub(super) build: u64,
    /// The last good site, if any build has succeeded yet.
    pub(super) site: Option<Arc<Site>>,
    /// The diagnostics of the latest build, when it failed.
    pub(super) failure: Option<Arc<Failed>>,
}

pub(super) struct Failed {
    /// What the overlay shows: `{"event": "error", "diagnostics": [OverlayDiagnostic…]}`.
    json: String,
    /// One `file:line:col: message` line per problem, for the page shown before any good build.
    pub(super) listing: String,
}

/// Served files by path; successive builds share the files they did not change.
pub(super) type Files = HashMap<String, Stored>;

pub(super) struct Site {
    pub(super) files: Files,
}

impl Site {
    /// Where the file at `path` is kept.
    pub(super) fn stored(&self, path: &str) -> Option<&Stored> {
        self.files.get(path)
    }

    /// The bytes of the file at `path`.
    pub(super) fn get(&self, path: &str) -> Option<Vec<u8>> {
        self.stored(path)?.bytes()
    }
}

/// The shared heart of the preview: the current state and the open event streams.
pub(crate) struct Live {
    state: RwLock<Arc<State>>,
    /// Where published files are kept.
    store: Arc<Store>,
    /// Open event streams, each with the page it is open on (its route, as the page says);
    /// publishing and subscribing both hold this lock, so no event is missed.
    clients: Mutex<Vec<Client>>,
    next_build: AtomicU64,
    /// The newest request's saved pages were published ahead of its verdict.
    shown: AtomicBool,
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
pub(crate) enum Published {
    Unchanged,
    Stylesheets,
    Reload,
}

impl Live {
    fn new(loopback_only: bool, store: Arc<Store>) -> Self {
        // Ids start from the clock, so a page left open across a restart of `serve` reloads.
        let start = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(1, |d| d.as_millis() as u64);
        Live {
            state: RwLock::new(Arc::new(State {
                build: start,
                site: None,
                failure: None,
            })),
            store,
            clients: Mutex::new(Vec::new()),
            next_build: AtomicU64::new(start + 1),
            shown: AtomicBool::new(false),
            loopback_only,
        }
    }

    pub(super) fn current(&self) -> Arc<State> {
        Arc::clone(&self.state.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Serves the site with `delta` applied from now on and tells open pages how to catch up.
    /// Only a build's verdict (`good`) removes the overlay; pages shown ahead of it keep it.
    pub(crate) fn publish_site(&self, delta: Delta<StoredFile>, good: bool) -> Published {
        let mut clients = self.clients.lock().unwrap_or_else(PoisonError::into_inner);
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
        if let Err(error) = self.store.compact(&mut files) {
            // The files stay where they are: only the disk they take is not given back.
            eprintln!("warning: cannot compact the preview's temporary file: {error}");
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
        let site = Arc::new(Site { files });
        self.swap(State {
            build,
            site: Some(Arc::clone(&site)),
            failure: if good { None } else { old.failure.clone() },
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
    pub(crate) fn publish_failure(&self, diagnostics: &[OverlayDiagnostic]) {
        #[derive(Serialize)]
        struct Report<'a> {
            event: &'static str,
            diagnostics: &'a [OverlayDiagnostic],
        }
        let report = Report {
            event: "error",
            diagnostics,
        };
        let failed = Failed {
            json: serde_json::to_string(&report)
                .unwrap_or_else(|_| r#"{"event":"error","diagnostics":[]}"#.to_string()),
            listing: diagnostics
                .iter()
                .map(|d| format!("{}:{}:{}: {}\n", d.path, d.line, d.column, d.message))
                .collect(),
        };
        let mut clients = self.clients.lock().unwrap_or_else(PoisonError::into_inner);
        let old = self.current();
        let message = failed.json.clone();
        self.swap(State {
            build: old.build,
            site: old.site.clone(),
            failure: Some(Arc::new(failed)),
        });
        broadcast(&mut clients, &message);
    }

    fn swap(&self, state: State) {
        *self.state.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(state);
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
        let mut clients = self.clients.lock().unwrap_or_else(PoisonError::into_inner);
        let state = self.current();
        let first = match &state.failure {
            Some(failure) => Some(failure.json.clone()),
            None if page_build.is_some_and(|build| build != state.build) => {
                Some(reload(state.build))
            }
            None => None,
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
    fn viewing(&self) -> Vec<String> {
        let clients = self.clients.lock().unwrap_or_else(PoisonError::into_inner);
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

/// Serves a build's outcome and prints one line (or the diagnostics).
fn publish(live: &Live, rebuilt: Rebuilt) {
    let ms = rebuilt.took.as_millis();
    let changed = &rebuilt.changed;
    let cause = describe(changed);
    match rebuilt.outcome {
        Outcome::Shown(delta) => {
            // The saved pages, ahead of the rest of the site; the verdict follows.
            if !matches!(live.publish_site(delta, false), Published::Unchanged) {
                live.shown.store(true, Ordering::Relaxed);
            }
        }
        Outcome::Built { delta, pages } => {
            let verb = if changed.is_empty() {
                "built"
            } else {
                "rebuilt"
            };
            let shown = live.shown.swap(false, Ordering::Relaxed);
            let note = match live.publish_site(delta, true) {
                Published::Unchanged if !changed.is_empty() && !shown => " (no change)",
                Published::Stylesheets => " (stylesheets only)",
                _ => "",
            };
            println!("{verb} {pages} pages in {ms} ms{note}{cause}");
        }
        Outcome::Failed(overlay) => {
            // The build process has printed the diagnostics.
            live.shown.store(false, Ordering::Relaxed);
            live.publish_failure(&overlay);
            let count = overlay.len();
            let s = if count == 1 { "" } else { "s" };
            println!("build failed: {count} problem{s}{cause}; the page shows them until fixed");
        }
        Outcome::Environment(message) => {
            live.publish_failure(&[OverlayDiagnostic::message(&message)]);
            eprintln!("error: {message}");
            println!("build failed{cause}; the page shows the error until fixed");
        }
        Outcome::Internal(panic) => {
            let message = format!("internal error while building: {panic}");
            live.publish_failure(&[OverlayDiagnostic::message(&message)]);
            eprintln!(
                "error: {message}\n  = note: this is a bug in sre-guide; the next save tries again"
            );
            println!("build failed{cause}; the page shows the error until fixed");
        }
    }
}

/// ` · content/faq.md (+2 more)`, or nothing for the first build.
fn describe(changed: &[String]) -> String {
    match changed {
        [] => String::new(),
        [one] => format!(" · {one}"),
        [first, rest @ ..] => format!(" · {first} (+{} more)", rest.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cause_names_the_first_path_and_counts_the_rest() {
        assert_eq!(describe(&[]), "");
        assert_eq!(describe(&["content/a.md".into()]), " · content/a.md");
        assert_eq!(
            describe(&["content/a.md".into(), "content/b.md".into(), "x".into()]),
            " · content/a.md (+2 more)"
        );
    }
}
