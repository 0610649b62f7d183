//! Who may hold what, so no client starves another. Connections that ask for pages share one
//! budget (`MAX_CONNECTIONS`); event streams have their own (`MAX_STREAMS`), so open pages never
//! keep a request out. When the connection budget is full, the connection idle longest (asked
//! nothing since it was answered, or never asked) is closed to make room, as nginx closes its
//! keep-alive connections when it runs short; only when every connection is busy mid-request
//! does a newcomer wait. A per-address limit would not help: every local client is 127.0.0.1.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::Instant;

use parking_lot::Mutex;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};

/// The budgets of one server.
pub(super) struct Budget {
    open: Mutex<Open>,
    /// Wakes a newcomer waiting for room: a connection ended or went idle.
    changed: Notify,
    streams: Arc<Semaphore>,
    max_connections: usize,
    started: Instant,
}

/// Milliseconds a connection must have been idle to be closed for room: a response's last bytes
/// may still be on their way.
const SETTLED: u64 = 100;
/// Milliseconds a connection that has sent nothing yet must wait to be closed for room: on a
/// busy server its first request may be waiting to be read.
const SILENT_SETTLED: u64 = 500;

#[derive(Default)]
struct Open {
    next: u64,
    /// By id, so by age.
    connections: BTreeMap<u64, Arc<Connection>>,
}

/// What the budget knows of one open connection; its byte guard and its requests keep it true.
pub(super) struct Connection {
    id: u64,
    /// Requests being answered (their responses not yet all sent).
    answering: AtomicUsize,
    /// Bytes of a request have arrived, and its answer is not yet all sent.
    mid_request: AtomicBool,
    /// It has sent something.
    heard: AtomicBool,
    /// When it last did anything, in milliseconds since the budget started.
    last_active: AtomicU64,
    /// Told to close, to make room.
    close: Notify,
    closing: AtomicBool,
}

/// A connection's place in the budget, given back when it is dropped.
pub(super) struct Ticket {
    budget: Arc<Budget>,
    pub(super) connection: Arc<Connection>,
}

impl Budget {
    pub(super) fn new(max_connections: usize, max_streams: usize) -> Arc<Budget> {
        Arc::new(Budget {
            open: Mutex::default(),
            changed: Notify::new(),
            streams: Arc::new(Semaphore::new(max_streams)),
            max_connections,
            started: Instant::now(),
        })
    }

    /// A place for one more connection: at once while the budget has room; else the connection
    /// idle longest is told to close and gives up its place; else (every one busy) after one
    /// ends or goes idle.
    pub(super) async fn admit(self: &Arc<Self>) -> Ticket {
        loop {
            let changed = self.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            if let Some(ticket) = self.try_admit() {
                return ticket;
            }
            // A connection that went idle becomes a candidate once settled.
            let settling = tokio::time::sleep(std::time::Duration::from_millis(SETTLED));
            tokio::select! {
                () = changed => {}
                () = settling => {}
            }
        }
    }

    fn try_admit(self: &Arc<Self>) -> Option<Ticket> {
        let mut open = self.open.lock();
        if open.connections.len() >= self.max_connections {
            let now = self.now();
            let idlest = open
                .connections
                .values()
                .filter(|connection| connection.is_settled(now))
                .min_by_key(|connection| connection.last_active.load(Ordering::Relaxed))?
                .id;
            if let Some(closing) = open.connections.remove(&idlest) {
                closing.closing.store(true, Ordering::Relaxed);
                closing.close.notify_one();
            }
        }
        open.next += 1;
        let connection = Arc::new(Connection {
            id: open.next,
            answering: AtomicUsize::new(0),
            mid_request: AtomicBool::new(false),
            heard: AtomicBool::new(false),
            last_active: AtomicU64::new(self.now()),
            close: Notify::new(),
            closing: AtomicBool::new(false),
        });
        open.connections
            .insert(connection.id, Arc::clone(&connection));
        Some(Ticket {
            budget: Arc::clone(self),
            connection,
        })
    }

    /// A place for one more event stream, if the stream budget has one.
    pub(super) fn stream(&self) -> Option<OwnedSemaphorePermit> {
        Arc::clone(&self.streams).try_acquire_owned().ok()
    }

    fn now(&self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }

    #[cfg(test)]
    fn open(&self) -> usize {
        self.open.lock().connections.len()
    }
}

impl Connection {
    /// Idle, and for long enough (at `now`) that closing it loses nothing.
    fn is_settled(&self, now: u64) -> bool {
        let idle = self.answering.load(Ordering::Relaxed) == 0
            && !self.mid_request.load(Ordering::Relaxed);
        let wait = if self.heard.load(Ordering::Relaxed) {
            SETTLED
        } else {
            SILENT_SETTLED
        };
        idle && self.last_active.load(Ordering::Relaxed) + wait <= now
    }

    /// Resolves when the budget tells this connection to close.
    pub(super) async fn closed(&self) {
        if self.closing.load(Ordering::Relaxed) {
            return;
        }
        self.close.notified().await;
    }
}

impl Ticket {
    /// Bytes of a request arrived: the connection is busy until its answer is sent.
    pub(super) fn read(&self) {
        let now = self.budget.now();
        self.connection.last_active.store(now, Ordering::Relaxed);
        self.connection.mid_request.store(true, Ordering::Relaxed);
        self.connection.heard.store(true, Ordering::Relaxed);
    }

    /// A clone of this ticket's view of the budget, for the request side of the connection.
    pub(super) fn share(&self) -> Shared {
        Shared {
            budget: Arc::clone(&self.budget),
            connection: Arc::clone(&self.connection),
        }
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        self.budget
            .open
            .lock()
            .connections
            .remove(&self.connection.id);
        self.budget.changed.notify_waiters();
    }
}

/// The budget as a connection's request side sees it: it marks requests being answered.
#[derive(Clone)]
pub(super) struct Shared {
    budget: Arc<Budget>,
    connection: Arc<Connection>,
}

impl Shared {
    /// The connection leaves the budget (it became an event stream, counted in its own).
    pub(super) fn leave(&self) {
        self.budget
            .open
            .lock()
            .connections
            .remove(&self.connection.id);
        self.budget.changed.notify_waiters();
    }

    /// A request is being answered until the returned guard is dropped (its response sent).
    pub(super) fn answering(&self) -> Answering {
        let now = self.budget.now();
        self.connection.last_active.store(now, Ordering::Relaxed);
        self.connection.answering.fetch_add(1, Ordering::Relaxed);
        Answering {
            budget: Arc::clone(&self.budget),
            connection: Arc::clone(&self.connection),
        }
    }
}

/// Held while a response is being sent.
pub(super) struct Answering {
    budget: Arc<Budget>,
    connection: Arc<Connection>,
}

impl Drop for Answering {
    fn drop(&mut self) {
        let now = self.budget.now();
        self.connection.last_active.store(now, Ordering::Relaxed);
        if self.connection.answering.fetch_sub(1, Ordering::Relaxed) == 1 {
            self.connection.mid_request.store(false, Ordering::Relaxed);
            self.budget.changed.notify_waiters();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn a_full_budget_closes_the_connection_idle_longest() {
        let budget = Budget::new(2, 1);
        let first = budget.admit().await;
        let second = budget.admit().await;
        second.read(); // mid-request: not idle
        tokio::time::sleep(Duration::from_millis(SILENT_SETTLED + 20)).await;
        // Full: the first (idle) gives up its place.
        let third = tokio::time::timeout(Duration::from_secs(1), budget.admit())
            .await
            .expect("admitted at once");
        tokio::time::timeout(Duration::from_secs(1), first.connection.closed())
            .await
            .expect("the idle one is told to close");
        assert_eq!(budget.open(), 2);
        // Now both are busy: a newcomer waits until one is idle.
        let answering = third.share().answering();
        third.read();
        let waiting = tokio::spawn({
            let budget = Arc::clone(&budget);
            async move { budget.admit().await }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(
            !waiting.is_finished(),
            "admitted while every connection was busy"
        );
        drop(answering);
        let fourth = tokio::time::timeout(Duration::from_secs(1), waiting)
            .await
            .expect("admitted once one went idle")
            .expect("the task");
        tokio::time::timeout(Duration::from_secs(1), third.connection.closed())
            .await
            .expect("the idle one closes");
        drop((first, second, fourth));
        assert_eq!(budget.open(), 0);
    }

    #[test]
    fn streams_have_a_budget_of_their_own() {
        let budget = Budget::new(1, 2);
        let one = budget.stream().expect("room");
        let _two = budget.stream().expect("room");
        assert!(budget.stream().is_none(), "full");
        drop(one);
        assert!(budget.stream().is_some());
    }
}
