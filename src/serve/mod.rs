//! `sre-guide serve`: the live preview. In: the site root and where to listen. Out: the site that
//! the very same build stages make, served over HTTP from the preview's own store ([`store`]), plus
//! a WebSocket event stream (`reload`, `changed`, `css`, `error`) that the injected `livereload.js`
//! ([`livereload`]) turns into reloads and an overlay. A request is only ever answered from the
//! stored files: never from the site's folders, and `output/` is never touched. Connections and
//! limits are [`http`] (with [`guard`] and [`limits`]), answering one request is [`respond`];
//! watching is [`watch`], and the build process it feeds ([`build_process`]) sends the files each
//! save changed, which [`publish`] here applies to [`live`]; [`changes`] decides what each open
//! page is told.

pub(crate) mod build_process;
pub(crate) mod store;
pub(crate) mod watch;

use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use anyhow::{Context, anyhow};
use tokio::net::{TcpListener, TcpSocket};
use tokio::sync::mpsc;

mod budget;
mod changes;
mod guard;
mod hot;
mod http;
pub(crate) mod limits;
mod live;
mod livereload;
mod reply;
mod respond;

use crate::build::BuildOptions;
use crate::model::diagnostic::OverlayDiagnostic;
use crate::serve::build_process::protocol::Outcome;
use crate::serve::store::Store;
use build_process::coordinate::{self, Rebuilt, Update};
use limits::BACKLOG;
use live::{Live, Published};

pub(crate) struct ServeOptions {
    pub(crate) build: BuildOptions,
    pub(crate) port: u16,
    pub(crate) bind: String,
    pub(crate) poll: bool,
    /// How long a stalling client is waited for (shortened only by tests of it).
    pub(crate) timeouts: limits::Timeouts,
    /// Called once with the preview's URL when the server is listening (`serve --open`).
    pub(crate) on_listening: Option<OnListening>,
}

pub(crate) type OnListening = Box<dyn FnOnce(&str)>;

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
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(WORKERS)
        .max_blocking_threads(2)
        .thread_name("http")
        .enable_io()
        .enable_time()
        .build()
        .context("cannot start the HTTP server's threads")?;
    let listener = {
        let _in_runtime = runtime.enter();
        listen(&options.bind, options.port)?
    };
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
    let rebuilds = coordinate::start(
        build,
        Arc::clone(&live.store),
        Publishing(Arc::clone(&live)),
    )?;
    let asking = rebuilds.clone();
    live.ask_first_with(Box::new(move |routes| asking.wanted(routes)));
    // Watch before the first build, so an edit made while it runs is not lost.
    let _watching = watch::start(options.poll, &root, rebuilds.clone())?;
    // Answering from the start: a page asked for while the first build runs is rendered first
    // and answered as soon as it is ready.
    let (stop, mut stopped) = mpsc::unbounded_channel::<anyhow::Result<()>>();
    let server_stop = stop.clone();
    let server_live = Arc::clone(&live);
    let timeouts = options.timeouts;
    runtime.spawn(async move {
        let outcome = http::accept(listener, server_live, timeouts).await;
        let _ = server_stop.send(Err(anyhow!("the HTTP server stopped: {outcome}")));
    });
    rebuilds.first_build();
    // Ctrl-C (and SIGTERM) end the wait below; returning from `run` ends the process cleanly.
    ctrlc::set_handler(move || {
        let _ = stop.send(Ok(()));
    })
    .context("cannot install the Ctrl-C handler")?;

    if !address.ip().is_loopback() {
        say_err(&format!(
            "warning: listening on {}: the preview is reachable from the network",
            address.ip()
        ));
    }
    let url = format!("http://{address}/");
    say(&format!("serving {url} (Ctrl-C to stop)"));
    if let Some(on_listening) = options.on_listening {
        on_listening(&url);
    }
    let outcome = runtime.block_on(stopped.recv()).unwrap_or(Ok(()));
    runtime.shutdown_background();
    if outcome.is_ok() {
        say("stopped");
    }
    outcome
}

/// Binds the listening socket ourselves, so "port in use" is an error that names the port, with
/// a backlog of `BACKLOG` (the standard library's 128 overflows under a burst of connections,
/// and a dropped connection attempt is retried only after a second). Inside the runtime.
fn listen(bind: &str, port: u16) -> anyhow::Result<TcpListener> {
    let address: SocketAddr = (bind, port)
        .to_socket_addrs()
        .with_context(|| format!("`--bind {bind}` is not an address to listen on"))?
        .next()
        .with_context(|| format!("`--bind {bind}` resolves to no address"))?;
    let socket = match address {
        SocketAddr::V4(_) => TcpSocket::new_v4(),
        SocketAddr::V6(_) => TcpSocket::new_v6(),
    }
    .context("cannot open a socket to listen on")?;
    // As the standard library does on Unix: a port a previous `serve` left is taken at once.
    #[cfg(unix)]
    socket
        .set_reuseaddr(true)
        .context("cannot set up the socket to listen on")?;
    let bound = socket.bind(address);
    bound
        .and_then(|()| socket.listen(BACKLOG))
        .map_err(|error| match error.kind() {
            std::io::ErrorKind::AddrInUse => anyhow!(
                "port {port} on {bind} is already in use; choose another with `--port <PORT>` \
             (`--port 0` picks a free one)"
            ),
            std::io::ErrorKind::AddrNotAvailable => {
                anyhow!(
                    "cannot listen on {bind}: no network interface has that address; see `--bind`"
                )
            }
            _ => anyhow!("cannot listen on {address}: {error}"),
        })
}

/// The rebuild coordinator's way into the preview.
struct Publishing(Arc<Live>);

impl coordinate::Publisher for Publishing {
    fn viewing(&self) -> Vec<String> {
        self.0.viewing()
    }

    fn previews(&self) -> Vec<(String, Vec<u8>)> {
        let state = self.0.current();
        let Some(site) = &state.site else {
            return Vec::new();
        };
        site.files
            .iter()
            .filter(|(path, _)| path.starts_with(crate::model::url::OG_IMAGE_FOLDER))
            .filter_map(|(path, stored)| Some((path.clone(), stored.bytes()?)))
            .collect()
    }

    fn publish(&mut self, update: Update) {
        match update {
            Update::Rebuilt(rebuilt) => publish(&self.0, rebuilt),
            Update::Waiting(message) => {
                say_err(&format!("warning: {message}"));
                self.0.publish_waiting(&message);
            }
            Update::Warning(message) => say_err(&format!("warning: {message}")),
        }
    }

    fn reclaim(&mut self) -> std::io::Result<()> {
        say_err(&format!(
            "warning: no room left for the preview's files in {}: it gives back the space its \
             old files take and builds again",
            std::env::temp_dir().display()
        ));
        self.0.reclaim()
    }
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
        Outcome::Built {
            delta,
            pages,
            warnings,
        } => {
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
            live.publish_warnings(&warnings);
            live.settle();
            // The build process has printed the warnings.
            let warned = match warnings.len() {
                0 => String::new(),
                1 => ", 1 warning".to_string(),
                n => format!(", {n} warnings"),
            };
            say(&format!(
                "{verb} {pages} pages in {ms} ms{warned}{note}{cause}"
            ));
        }
        Outcome::Failed(overlay) => {
            // The build process has printed the diagnostics.
            live.shown.store(false, Ordering::Relaxed);
            live.publish_failure(&overlay);
            live.settle();
            let count = overlay.len();
            let s = if count == 1 { "" } else { "s" };
            say(&format!(
                "build failed: {count} problem{s}{cause}; the page shows them until fixed"
            ));
        }
        Outcome::Environment(message) => {
            live.publish_failure(&[OverlayDiagnostic::message(&message)]);
            live.settle();
            say_err(&format!("error: {message}"));
            say(&format!(
                "build failed{cause}; the page shows the error until fixed"
            ));
        }
        Outcome::Internal(panic) => {
            let message = format!("internal error while building: {panic}");
            live.publish_failure(&[OverlayDiagnostic::message(&message)]);
            live.settle();
            say_err(&format!(
                "error: {message}\n  = note: this is a bug in sre-guide; the next save tries again"
            ));
            say(&format!(
                "build failed{cause}; the page shows the error until fixed"
            ));
        }
    }
}

/// Prints a line on stdout. A closed stdout (`serve | head -1`, a terminal gone) does not stop
/// the preview: the line is dropped, where `println!` would panic.
fn say(line: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stdout().lock(), "{line}");
}

/// `say` for stderr.
fn say_err(line: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr().lock(), "{line}");
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
