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

use std::net::{SocketAddr, TcpListener, ToSocketAddrs};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use anyhow::{Context, anyhow};
use tokio::sync::mpsc;

mod changes;
mod guard;
mod http;
mod limits;
mod live;
mod livereload;
mod reply;
mod respond;

use crate::build::BuildOptions;
use crate::diagnostic::OverlayDiagnostic;
use crate::serve::build_process::protocol::Outcome;
use crate::serve::store::Store;
use build_process::coordinate::{self, Rebuilt};
use live::{Live, Published};

pub(crate) struct ServeOptions {
    pub(crate) build: BuildOptions,
    pub(crate) port: u16,
    pub(crate) bind: String,
    pub(crate) poll: bool,
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
    let publishing = Arc::clone(&live);
    let viewed = Arc::clone(&live);
    let rebuilds = coordinate::start(
        build,
        Arc::clone(&live.store),
        move || viewed.viewing(),
        move |rebuilt| publish(&publishing, rebuilt),
    )?;
    // Watch before the first build, so an edit made while it runs is not lost.
    let _watching = watch::start(options.poll, &root, rebuilds.clone())?;
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
            // The build process has printed the warnings.
            let warned = match warnings.len() {
                0 => String::new(),
                1 => ", 1 warning".to_string(),
                n => format!(", {n} warnings"),
            };
            println!("{verb} {pages} pages in {ms} ms{warned}{note}{cause}");
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
