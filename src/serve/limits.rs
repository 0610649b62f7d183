//! What a client of the preview may hold and for how long: the sizes and times every connection
//! is held to, in one place so the connection layer and the byte guard agree. Constants only.

use std::time::Duration;

/// The longest request line answered (nginx's default): longer gets 414.
pub(super) const MAX_LINE: usize = 8 * 1024;
/// All header fields together: more gets 431.
pub(super) const MAX_HEADERS: usize = 16 * 1024;
/// Header fields per request: more gets 431 (hyper's own check).
pub(super) const MAX_FIELDS: usize = 100;
/// A client that has not sent a whole request head by then is disconnected.
pub(super) const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
/// Open connections (pages, tools, event streams) at once; more wait in the listen backlog, so
/// memory and file descriptors stay bounded whatever clients do.
pub(super) const MAX_CONNECTIONS: usize = 512;
/// Messages queued for one event stream; a page that falls this far behind is dropped (it
/// reconnects and catches up from the current state).
pub(super) const STREAM_QUEUE: usize = 16;
/// Proxies drop silent connections; a ping keeps event streams open and finds dead ones.
pub(super) const PING: Duration = Duration::from_secs(15);
/// A client that stops reading what it asked for is disconnected after this long, so it cannot
/// hold a connection slot (or an event stream's queue) for ever.
pub(super) const WRITE_STALL: Duration = Duration::from_secs(10);
