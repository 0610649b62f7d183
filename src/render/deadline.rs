//! The render time budget. In: which page each render thread is on ([`rendering`]), and the budget
//! (`timeout` in site.toml). Out: a diagnostic naming the page and its template once one runs
//! past it. It cannot stop a render: Tera 2 has no way to interrupt one (its loops and macros
//! check nothing between steps) and Rust cannot kill a thread, so callers abandon the build.
//! Only time the process runs counts: a process stopped (SIGSTOP, a laptop asleep) finds, when
//! it runs again, a gap between the watcher's ticks, and the gap counts as one tick.

use std::cell::RefCell;
use std::sync::Arc;

use parking_lot::Mutex;
use std::time::{Duration, Instant};

use crate::model::diagnostic::{Code, Diagnostic};

/// How often a watcher looks at the renders in progress.
pub(crate) const TICK: Duration = Duration::from_millis(100);

/// A gap between ticks longer than this means the process did not run meanwhile.
const STOPPED: Duration = Duration::from_millis(1000);

/// A render's budget until the site's `timeout` is known.
const DEFAULT_BUDGET: Duration = Duration::from_secs(30);

/// The renders in progress of one build, and the budget each gets.
#[derive(Default)]
pub(crate) struct Progress {
    renders: Mutex<Vec<Render>>,
    next: Mutex<u64>,
    budget: Mutex<Option<Duration>>,
}

struct Render {
    id: u64,
    page: String,
    template: String,
    /// Running time counted up to `seen`.
    used: Duration,
    seen: Instant,
    budget: Duration,
}

impl Render {
    fn used(&self, now: Instant) -> Duration {
        self.used + now.saturating_duration_since(self.seen)
    }
}

thread_local! {
    static CURRENT: RefCell<Option<Arc<Progress>>> = const { RefCell::new(None) };
}

/// The build this thread works for, to hand to the threads it spawns.
pub(crate) fn current() -> Option<Arc<Progress>> {
    CURRENT.with(|current| current.borrow().clone())
}

/// Makes this thread's renders count towards `progress`.
pub(crate) fn adopt(progress: Option<Arc<Progress>>) {
    CURRENT.with(|current| *current.borrow_mut() = progress);
}

/// Sets the budget of every later render of this thread's build (`timeout` in site.toml).
pub(crate) fn set_budget(budget: Duration) {
    if let Some(progress) = current() {
        *progress.budget.lock() = Some(budget);
    }
}

/// Marks `page` as rendering with `template` until the guard is dropped.
pub(crate) fn rendering(page: &str, template: &str) -> Option<Rendering> {
    let progress = current()?;
    let budget = progress.budget.lock().unwrap_or(DEFAULT_BUDGET);
    let id = {
        let mut next = progress.next.lock();
        *next += 1;
        *next
    };
    progress.renders.lock().push(Render {
        id,
        page: page.to_string(),
        template: template.to_string(),
        used: Duration::ZERO,
        seen: Instant::now(),
        budget,
    });
    Some(Rendering { progress, id })
}

pub(crate) struct Rendering {
    progress: Arc<Progress>,
    id: u64,
}

impl Drop for Rendering {
    fn drop(&mut self) {
        self.progress
            .renders
            .lock()
            .retain(|render| render.id != self.id);
    }
}

impl Progress {
    /// Counts the time since the last tick (`gap` ago) towards every render in progress; a gap
    /// past `STOPPED` is time the process did not run, and counts as one tick.
    fn tick(&self, now: Instant, gap: Duration) {
        let mut renders = self.renders.lock();
        for render in renders.iter_mut() {
            let since = now.saturating_duration_since(render.seen);
            render.used += if gap > STOPPED {
                since.min(TICK)
            } else {
                since
            };
            render.seen = now;
        }
    }

    /// The first render past its budget, as the error the editor sees.
    pub(crate) fn overdue(&self) -> Option<Diagnostic> {
        let renders = self.renders.lock();
        let now = Instant::now();
        let late = renders
            .iter()
            .find(|render| render.used(now) > render.budget)?;
        Some(
            Diagnostic::in_file(
                Code::RenderTimeout,
                &late.page,
                format!(
                    "rendering `{}` with the template `{}` took longer than {} s",
                    late.page,
                    late.template,
                    late.budget.as_secs()
                ),
            )
            .help(format!(
                "look in `{}` and the templates it uses for a loop or a recursive macro that never \
                 ends; to allow more time, raise `timeout` (seconds) in content/site.toml",
                late.template
            )),
        )
    }
}

/// For `build`, `check` and `serve`'s build process: a watcher that, once a render on this
/// thread (or threads it hands its progress to) runs past its budget, calls `report` and ends
/// the process with status 1, since the render itself cannot be stopped.
pub(crate) fn exit_when_overdue(report: impl FnOnce(Diagnostic) + Send + 'static) {
    let progress = Arc::new(Progress::default());
    adopt(Some(Arc::clone(&progress)));
    let watcher = std::thread::Builder::new()
        .name("deadline".into())
        .spawn(move || {
            let mut last = Instant::now();
            loop {
                std::thread::sleep(TICK);
                let now = Instant::now();
                progress.tick(now, now - last);
                last = now;
                if let Some(late) = progress.overdue() {
                    report(late);
                    std::process::exit(1);
                }
            }
        });
    if let Err(error) = watcher {
        eprintln!("warning: cannot watch render times: {error}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_render_past_its_budget_is_named_with_its_template() {
        let progress = Arc::new(Progress::default());
        adopt(Some(Arc::clone(&progress)));
        let quick = rendering("content/a.md", "page.html");
        assert!(progress.overdue().is_none());
        set_budget(Duration::ZERO);
        let slow = rendering("content/b.md", "slow.html");
        std::thread::sleep(Duration::from_millis(5));
        let late = progress.overdue().expect("overdue");
        assert_eq!(late.path(), "content/b.md");
        assert!(late.span().is_none());
        assert!(late.message.contains("`slow.html`"), "{}", late.message);
        drop(slow);
        drop(quick);
        assert!(progress.overdue().is_none());
        adopt(None);
        assert!(rendering("content/c.md", "page.html").is_none());
    }

    #[test]
    fn time_the_process_was_stopped_does_not_count() {
        let progress = Arc::new(Progress::default());
        adopt(Some(Arc::clone(&progress)));
        set_budget(Duration::from_secs(1));
        let render = rendering("content/a.md", "page.html");
        let start = progress.renders.lock()[0].seen;
        // Ticks every 100 ms for 0.5 s, then a 30 s gap (stopped), then ticks again.
        let mut now = start;
        for _ in 0..5 {
            now += TICK;
            progress.tick(now, TICK);
        }
        now += Duration::from_secs(30);
        progress.tick(now, Duration::from_secs(30));
        let used = progress.renders.lock()[0].used;
        assert_eq!(used, TICK * 6, "the stopped 30 s count as one tick");
        // Running on, it is late once it has run past its budget.
        for _ in 0..5 {
            now += TICK;
            progress.tick(now, TICK);
        }
        let used = progress.renders.lock()[0].used;
        assert!(used > Duration::from_secs(1), "{used:?}");
        drop(render);
        adopt(None);
    }
}
