//! What a client of the preview may hold and for how long: the sizes and times every connection
//! is held to, in one place so the connection layer and the byte guard agree. Sizes are
//! constants; the two timeouts a stalling client meets are [`Timeouts`], which `serve`'s hidden
//! `--head-timeout` and `--write-timeout` shorten for tests of them.

use std::time::Duration;

/// The longest request line answered (nginx's default): longer gets 414.
pub(super) const MAX_LINE: usize = 8 * 1024;
/// All header fields together: more gets 431.
pub(super) const MAX_HEADERS: usize = 16 * 1024;
/// Header fields per request: more gets 431 (hyper's own check).
pub(super) const MAX_FIELDS: usize = 100;
/// Connections asking for pages at once. When all are open, the one idle longest is closed to
/// make room; only when every one is mid-request does a newcomer wait in the listen backlog.
/// With `MAX_STREAMS`, memory and file descriptors stay bounded (under the usual 1,024).
pub(super) const MAX_CONNECTIONS: usize = 512;
/// Connections accepted and waiting for a place (every open one is mid-request); past it, new
/// ones wait in the listen backlog.
pub(super) const MAX_WAITING: usize = 512;
/// Connections the system holds until `serve` accepts them (the kernel may cap it lower:
/// `net.core.somaxconn`).
pub(super) const BACKLOG: u32 = 4096;
/// Event streams (open pages) at once, apart from the connections above; more get 503 and the
/// page's script retries.
pub(super) const MAX_STREAMS: usize = 256;
/// Messages queued for one event stream; a page that falls this far behind is dropped (it
/// reconnects and catches up from the current state).
pub(super) const STREAM_QUEUE: usize = 16;
/// Proxies drop silent connections; a ping keeps event streams open and finds dead ones.
/// Longest a request waits for its file while the first build runs (a large site's first build
/// takes seconds; the page asked for is rendered first).
pub(super) const FIRST_BUILD_WAIT: Duration = Duration::from_secs(60);
pub(super) const PING: Duration = Duration::from_secs(15);

/// `PING`, or in debug builds the milliseconds `SRE_GUIDE_PING_MS` names (tests of a page that
/// stops answering).
pub(super) fn ping() -> Duration {
    let hook = cfg!(debug_assertions)
        .then(|| std::env::var("SRE_GUIDE_PING_MS").ok()?.parse().ok())
        .flatten();
    hook.map_or(PING, Duration::from_millis)
}

/// How long a client may stall before it is disconnected.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Timeouts {
    /// A client that has not sent a whole request head by then is disconnected.
    pub(crate) head: Duration,
    /// A client that stops reading what it asked for is disconnected after this long, so it
    /// cannot hold a connection slot (or an event stream's queue) for ever.
    pub(crate) write_stall: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            head: Duration::from_secs(10),
            write_stall: Duration::from_secs(10),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tests of the limits shorten them; what `serve` uses unless told otherwise stays 10 s.
    #[test]
    fn a_stalling_client_is_given_ten_seconds_by_default() {
        let defaults = Timeouts::default();
        assert_eq!(defaults.head, Duration::from_secs(10));
        assert_eq!(defaults.write_stall, Duration::from_secs(10));
    }
}
