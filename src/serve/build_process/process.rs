//! `sre-guide build-process`: the build process `serve` starts ([`client`](super::client)), which
//! remembers the site across saves. In: requests (the saved paths, the routes browsers show) on
//! its [`channel`]. Out, on the same channel: per request, those pages' files first, then every
//! other file whose bytes changed since the last frame, or the build's problems (printed to
//! stderr as `build` prints them); and [`FromBuild::Alive`] every [`HEARTBEAT`]. Unchanged
//! Markdown is never re-read; a newer request stops the current pass between pages.

use std::collections::{HashMap, HashSet};
use std::io::{self, Write as _};
use std::panic::AssertUnwindSafe;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use parking_lot::{Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use crate::build::{self, BuildOptions, Failure, Prepared};
use crate::model::diagnostic::{Diagnostic, Severity};
use crate::model::source::content_hash;
use crate::model::url::OutputPath;
use crate::output::Sink;
use crate::serve::build_process::channel::{self, Writer};
use crate::serve::build_process::memory::PageCache;
use crate::serve::build_process::protocol::{
    self, Delta, Fault, FromBuild, HEARTBEAT, Outcome, PackedFile, Request, ToBuild, Verdict,
    WireFile,
};

/// How long an overtaken pass may go on rendering before the process ends itself: a stopped
/// pass renders no new page, so only a render that never returns (a runaway template) takes
/// longer, and `serve` then starts a fresh process. Loading and checking are not limited: they
/// end by themselves, and the pass then stops before rendering.
const GRACE: Duration = Duration::from_millis(1500);

/// The exit status of a process that ended itself in an overtaken runaway render.
pub(crate) const OVERTAKEN_RUNAWAY: i32 = 4;

/// Requests from `serve`, newest wins: ones that arrive while a pass runs are merged into one
/// and stop that pass.
#[derive(Clone, Default)]
pub(crate) struct RequestQueue(Arc<Shared>);

#[derive(Default)]
struct Shared {
    queue: Mutex<Queue>,
    arrived: Condvar,
    cancelled: AtomicBool,
    /// Since when the running pass renders, if it does.
    rendering: Mutex<Option<Instant>>,
    /// Routes browsers wait for before the first build is done ([`ToBuild::Wanted`]).
    wanted: Mutex<Vec<String>>,
}

#[derive(Default)]
struct Queue {
    waiting: Option<Request>,
    /// The generation of the pass running now.
    running: Option<u64>,
}

impl RequestQueue {
    pub(crate) fn push(&self, request: Request) {
        let mut queue = self.0.queue.lock();
        match &mut queue.waiting {
            Some(waiting) => {
                waiting.generation = request.generation;
                waiting.changed.extend(request.changed);
                waiting.viewing = request.viewing;
                waiting.fault = request.fault.or(waiting.fault.take());
            }
            None => queue.waiting = Some(request),
        }
        if let Some(running) = queue.running {
            self.0.cancelled.store(true, Ordering::Relaxed);
            let requests = self.clone();
            let overtaken = Instant::now();
            let _ = std::thread::Builder::new()
                .name("overtaken".into())
                .spawn(move || {
                    while requests.running() == Some(running) {
                        std::thread::sleep(GRACE / 10);
                        let rendering = *requests.0.rendering.lock();
                        if rendering.is_some_and(|since| since.max(overtaken).elapsed() > GRACE) {
                            // Stuck in a render that never returns: `serve` starts a fresh process.
                            std::process::exit(OVERTAKEN_RUNAWAY);
                        }
                    }
                });
        }
        self.0.arrived.notify_one();
    }

    /// Notes routes a browser waits for, to be rendered first; the pass goes on.
    pub(crate) fn want(&self, routes: Vec<String>) {
        self.0.wanted.lock().extend(routes);
    }

    /// The routes browsers waited for since the last call.
    fn take_wanted(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.wanted.lock())
    }

    /// The generation of the request being built, if any.
    pub(crate) fn running(&self) -> Option<u64> {
        self.0.queue.lock().running
    }

    /// Waits for the next request; `carried` are the saves of a pass that was overtaken.
    fn next(&self, carried: Vec<String>) -> Request {
        let mut queue = self.0.queue.lock();
        loop {
            if let Some(mut request) = queue.waiting.take() {
                queue.running = Some(request.generation);
                self.0.cancelled.store(false, Ordering::Relaxed);
                let mut changed = carried;
                changed.append(&mut request.changed);
                request.changed = changed;
                return request;
            }
            self.0.arrived.wait(&mut queue);
        }
    }

    fn done(&self) {
        self.0.queue.lock().running = None;
    }

    fn cancelled(&self) -> bool {
        self.0.cancelled.load(Ordering::Relaxed)
    }

    /// Runs `render`, marked as rendering for the watch on overtaken passes.
    fn rendering<T>(&self, render: impl FnOnce() -> T) -> T {
        *self.0.rendering.lock() = Some(Instant::now());
        let rendered = render();
        *self.0.rendering.lock() = None;
        rendered
    }
}

/// The build process: answers requests until its parent goes away (its channel closes), so a
/// killed `serve` leaves no build running.
pub(crate) fn build_process(options: BuildOptions) -> ExitCode {
    let (mut input, output) = match channel::of_build_process() {
        Ok(channel) => channel,
        Err(error) => {
            eprintln!("error: the build process has no channel to `serve`: {error}");
            return ExitCode::from(2);
        }
    };
    let frames = Arc::new(Frames(Mutex::new(output)));
    match protocol::read_body(&mut input) {
        Ok(body) => {
            if let Ok(ToBuild::Previews(files)) = protocol::decode(&body) {
                crate::render::og_image::remember(protocol::into_previews(files));
            }
        }
        Err(_) => return ExitCode::from(3),
    }
    let requests = RequestQueue::default();
    let reader = requests.clone();
    let _ = thread::Builder::new().name("parent".into()).spawn(move || {
        loop {
            let request =
                protocol::read_body(&mut input).and_then(|body| match protocol::decode(&body)? {
                    ToBuild::Request(request) => Ok(Some(request)),
                    ToBuild::Wanted(routes) => {
                        reader.want(routes);
                        Ok(None)
                    }
                    ToBuild::Previews(_) => Ok(None),
                });
            match request {
                Ok(Some(request)) => reader.push(request),
                Ok(None) => {}
                Err(protocol::FrameError::Closed) => break,
                Err(error) => {
                    eprintln!("error: the build process cannot read a request: {error}");
                    break;
                }
            }
        }
        std::process::exit(3);
    });
    let alive = Arc::clone(&frames);
    let _ = thread::Builder::new().name("alive".into()).spawn(move || {
        // A `serve` that stopped reading is gone: so is its build process.
        while alive.send(&FromBuild::Alive).is_ok() {
            thread::sleep(HEARTBEAT);
        }
        std::process::exit(3);
    });
    let rendering = requests.clone();
    let late_frames = Arc::clone(&frames);
    crate::render::deadline::exit_when_overdue(move |late| {
        late_frames.outcome(rendering.running().unwrap_or_default(), &failed(&[late]));
    });
    serve_requests(options, &requests, &frames)
}

/// The build process's end of its frames to `serve`: one whole frame at a time, from any thread.
pub(crate) struct Frames(Mutex<Writer>);

impl Frames {
    fn send(&self, frame: &FromBuild<'_>) -> io::Result<()> {
        protocol::write(&mut *self.0.lock(), frame)
    }

    /// Sends one changed file of request `generation` as soon as it is rendered, so the build
    /// process never holds a whole site's files; `serve` keeps them until the request's verdict.
    fn piece(&self, generation: u64, file: &PackedFile) -> io::Result<()> {
        let facts = file.facts;
        let file = WireFile::of(file);
        self.send(&FromBuild::Piece {
            generation,
            file,
            facts,
        })
    }

    /// Sends `outcome`: its files as pieces, then the verdict.
    fn outcome(&self, generation: u64, outcome: &Outcome) {
        let files = match outcome {
            Outcome::Shown(delta) | Outcome::Built { delta, .. } => delta.files.as_slice(),
            _ => &[],
        };
        for file in files {
            if let Err(error) = self.piece(generation, file) {
                let message = format!("cannot send `{}` to `serve`: {error}", file.path);
                let _ = self.send(&FromBuild::Verdict {
                    generation,
                    verdict: Verdict::Environment(message),
                });
                return;
            }
        }
        let verdict = Verdict::of(outcome);
        let _ = self.send(&FromBuild::Verdict {
            generation,
            verdict,
        });
    }

    /// Debug builds: does `fault` (tests of `serve`'s side). A panic is left to the pass.
    fn fault(&self, fault: &Fault) {
        match fault {
            Fault::Panic(_) => {}
            Fault::Print => {
                let mut stdout = io::stdout().lock();
                let _ = stdout.write_all(&protocol::noise(4096));
                let _ = writeln!(stdout, "a stray print from a dependency");
                let _ = stdout.flush();
            }
            Fault::HugeLength | Fault::RandomBytes => {
                let bytes = protocol::corrupt(fault);
                let _ = self.0.lock().write_all(&bytes);
            }
        }
    }
}

/// Answers requests until the process ends. A panic is reported and ends the process: what it
/// remembers may be torn, so `serve` starts a fresh one on the next save.
pub(crate) fn serve_requests(
    options: BuildOptions,
    requests: &RequestQueue,
    frames: &Frames,
) -> ExitCode {
    let mut session = Session {
        options,
        pages: PageCache::default(),
        published: HashMap::new(),
        sent_any: false,
    };
    let mut carried = Vec::new();
    loop {
        let request = requests.next(std::mem::take(&mut carried));
        let generation = request.generation;
        if cfg!(debug_assertions)
            && let Some(fault) = &request.fault
        {
            frames.fault(fault);
        }
        let pass = std::panic::catch_unwind(AssertUnwindSafe(|| {
            session.pass(&request, requests, frames)
        }));
        requests.done();
        match pass {
            Ok(Pass::Done) => {}
            Ok(Pass::Overtaken) => carried = request.changed,
            Err(payload) => {
                frames.outcome(
                    generation,
                    &Outcome::Internal(panic_message(payload.as_ref())),
                );
                return ExitCode::SUCCESS;
            }
        }
    }
}

enum Pass {
    Done,
    /// A newer request arrived: nothing more is sent for this one.
    Overtaken,
}

struct Session {
    options: BuildOptions,
    pages: PageCache,
    /// A hash of every file `serve` holds from this process, by path.
    published: HashMap<String, u64>,
    /// Whether any files were sent: the first build sends the whole site.
    sent_any: bool,
}

impl Session {
    fn pass(&mut self, request: &Request, requests: &RequestQueue, frames: &Frames) -> Pass {
        if cfg!(debug_assertions)
            && let Some(Fault::Panic(message)) = &request.fault
        {
            panic!("{message}");
        }
        let generation = request.generation;
        let send = &mut |outcome: &Outcome| frames.outcome(generation, outcome);
        self.pages.begin(&self.options.root, &request.changed);
        let mut prepared = match build::prepare(&self.options, Some(&self.pages)) {
            Ok(prepared) => prepared,
            Err(failure) => {
                send(&outcome_of(failure));
                return Pass::Done;
            }
        };
        self.pages.sweep();
        let errors = prepared
            .diagnostics
            .0
            .iter()
            .any(|d| d.severity == Severity::Error);
        if !errors && !requests.cancelled() {
            // On the first build, the pages browsers already wait for; then the saved and
            // viewed ones. The search index is made after them on the first build.
            let wanted = requests.take_wanted();
            let first = match self.sent_any {
                true => Some((request.viewing.as_slice(), true)),
                false => (!wanted.is_empty()).then_some((wanted.as_slice(), false)),
            };
            if let Some((viewing, search_index)) = first {
                let first = First {
                    viewing,
                    search_index,
                };
                self.show_changed_first(&prepared, request, &first, requests, send);
            }
        }
        let sink = Changes {
            generation,
            frames,
            published: &self.published,
            requests,
            seen: Mutex::default(),
        };
        let result = requests.rendering(|| build::finish(&mut prepared, &sink));
        if let Some(site) = prepared.site.into_site() {
            self.pages.give_back(site.pages);
        }
        if requests.cancelled() {
            return Pass::Overtaken;
        }
        match result {
            Ok(counts) => {
                let seen = sink.seen.into_inner();
                let mut removed: Vec<String> = self
                    .published
                    .keys()
                    .filter(|path| !seen.contains_key(*path))
                    .cloned()
                    .collect();
                removed.sort();
                // The changed files went ahead, one frame each (`send_piece`).
                // The first build's whole site, unless pages browsers waited for went ahead
                // (`serve` holds those, and `removed` covers the rest).
                let delta = Delta {
                    files: Vec::new(),
                    removed,
                    complete: !self.sent_any && self.published.is_empty(),
                };
                self.published = seen;
                self.sent_any = true;
                // Printed as `build` prints them; the preview shows them beside the page.
                crate::model::diagnostic::eprint_all(&counts.warnings);
                send(&Outcome::Built {
                    delta,
                    pages: counts.pages,
                    warnings: counts.warnings.iter().map(Diagnostic::to_overlay).collect(),
                });
            }
            Err(failure) => send(&outcome_of(failure)),
        }
        Pass::Done
    }

    /// Renders the saved pages and those browsers show alone, and sends those that changed,
    /// before the rest of the site: the browser shows an edit without waiting for every other
    /// page (Hugo's fast render mode). The full pass that follows sends whatever else changed.
    /// Not for a theme's static files: a stylesheet swap needs its new file and the pages at once.
    fn show_changed_first(
        &mut self,
        prepared: &Prepared,
        request: &Request,
        shown: &First,
        requests: &RequestQueue,
        send: &mut dyn FnMut(&Outcome),
    ) {
        if request
            .changed
            .iter()
            .any(|path| path.starts_with("themes/") && path.contains("/static/"))
        {
            return;
        }
        let saved: HashSet<&str> = request
            .changed
            .iter()
            .filter_map(|path| path.strip_prefix("content/"))
            .filter(|path| path.ends_with(".md"))
            .collect();
        let first: HashSet<&str> = prepared
            .site
            .site()
            .pages
            .iter()
            .filter(|page| {
                saved.contains(page.path.as_str())
                    || shown.viewing.iter().any(|route| **route == *page.route)
            })
            .map(|page| page.path.as_str())
            .collect();
        let outputs: HashSet<String> = prepared
            .site
            .site()
            .pages
            .iter()
            .filter(|page| first.contains(page.path.as_str()))
            .map(|page| OutputPath::page(&page.route).to_string())
            .collect();
        if outputs.is_empty() {
            return;
        }
        let sink = FirstPages {
            first: &first,
            outputs: &outputs,
            requests,
            files: Mutex::default(),
            search_index: shown.search_index,
        };
        let render = || crate::render::site(&prepared.site, &prepared.theme, &sink);
        let Ok(rendered) = requests.rendering(render) else {
            return;
        };
        if !rendered.templates.0.is_empty() || requests.cancelled() {
            return; // the full pass reports it
        }
        let mut files = Vec::new();
        for (hash, file) in sink.files.into_inner() {
            if self.published.get(file.path.as_str()) != Some(&hash) {
                self.published.insert(file.path.to_string(), hash);
                files.push(file);
            }
        }
        if files.is_empty() {
            return;
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
        send(&Outcome::Shown(Delta {
            files,
            removed: Vec::new(),
            complete: false,
        }));
    }
}

fn outcome_of(failure: Failure) -> Outcome {
    match failure {
        Failure::Content(diagnostics) => failed(&diagnostics),
        Failure::Environment(error) => Outcome::Environment(format!("{error:#}")),
    }
}

/// Sends the files whose bytes differ from what `serve` holds, and notes every file's hash.
struct Changes<'a> {
    generation: u64,
    frames: &'a Frames,
    published: &'a HashMap<String, u64>,
    requests: &'a RequestQueue,
    seen: Mutex<HashMap<String, u64>>,
}

impl Sink for Changes<'_> {
    fn put(&self, path: &OutputPath, bytes: Vec<u8>) -> anyhow::Result<()> {
        let hash = content_hash(&bytes);
        self.seen.lock().insert(path.to_string(), hash);
        if self.published.get(path.as_str()) != Some(&hash) && !self.requests.cancelled() {
            let file = PackedFile::new(path, &bytes);
            self.frames
                .piece(self.generation, &file)
                .map_err(|error| anyhow::anyhow!("cannot send `{path}` to `serve`: {error}"))?;
        }
        Ok(())
    }

    fn renders(&self, _path: &str) -> bool {
        !self.requests.cancelled()
    }
}

/// The pages a pass renders before the rest: those browsers show (`viewing`, as routes), with
/// or without the search index (on the first build it comes after them).
struct First<'a> {
    viewing: &'a [String],
    search_index: bool,
}

/// Keeps only the files of the pages rendered first.
struct FirstPages<'a> {
    first: &'a HashSet<&'a str>,
    outputs: &'a HashSet<String>,
    requests: &'a RequestQueue,
    /// Each file's hash (of its bytes), and the file packed.
    files: Mutex<Vec<(u64, PackedFile)>>,
    /// Whether the pages get the search index's URL (made first), or none until the full pass.
    search_index: bool,
}

impl Sink for FirstPages<'_> {
    fn put(&self, path: &OutputPath, bytes: Vec<u8>) -> anyhow::Result<()> {
        if self.outputs.contains(path.as_str()) {
            let file = PackedFile::new(path, &bytes);
            self.files.lock().push((content_hash(&bytes), file));
        }
        Ok(())
    }

    fn renders(&self, path: &str) -> bool {
        self.first.contains(path) && !self.requests.cancelled()
    }

    /// Only the pages count here: the full pass that follows makes every other file.
    fn keeps_files(&self) -> bool {
        false
    }

    fn search_index(&self) -> bool {
        self.search_index
    }
}

/// Prints the problems as `build` does and keeps what the overlay shows.
fn failed(diagnostics: &[Diagnostic]) -> Outcome {
    // The terminal gets the first of each code; the overlay, every one.
    crate::model::diagnostic::eprint_first(diagnostics, crate::model::diagnostic::PER_KIND);
    Outcome::Failed(diagnostics.iter().map(Diagnostic::to_overlay).collect())
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(generation: u64, changed: &[&str]) -> Request {
        Request {
            generation,
            changed: changed.iter().map(|path| path.to_string()).collect(),
            ..Request::default()
        }
    }

    #[test]
    fn requests_that_queue_up_are_one_and_a_newer_one_stops_the_pass() {
        let requests = RequestQueue::default();
        requests.push(request(1, &["content/a.md"]));
        requests.push(request(2, &["content/b.md"]));
        let first = requests.next(vec!["content/stopped.md".into()]);
        assert_eq!(first.generation, 2);
        assert_eq!(
            first.changed,
            ["content/stopped.md", "content/a.md", "content/b.md"]
        );
        assert_eq!(requests.running(), Some(2));
        assert!(!requests.cancelled());
        requests.push(request(3, &["content/c.md"]));
        assert!(requests.cancelled(), "a newer request stops the pass");
        requests.done();
        let next = requests.next(Vec::new());
        assert_eq!((next.generation, next.changed.len()), (3, 1));
        assert!(!requests.cancelled());
    }

    #[test]
    fn panic_messages_are_kept_whatever_their_type() {
        let text = std::panic::catch_unwind(|| panic!("plain")).expect_err("panicked");
        assert_eq!(panic_message(text.as_ref()), "plain");
        let formatted =
            std::panic::catch_unwind(|| panic!("{} {}", "formatted", 1)).expect_err("panicked");
        assert_eq!(panic_message(formatted.as_ref()), "formatted 1");
        let other = std::panic::catch_unwind(|| std::panic::panic_any(7)).expect_err("panicked");
        assert_eq!(panic_message(other.as_ref()), "no message");
    }
}
