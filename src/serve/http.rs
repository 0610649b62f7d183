//! The connection layer of the preview. In: the listening socket. Out: hyper HTTP/1.1 connections
//! whose requests go to [`respond`], and WebSocket event streams fed from
//! [`Live`]. It enforces the limits a hostile client meets
//! ([`limits`](super::limits): line, headers, bodies, stalls, connections; [`guard`](super::guard)
//! watches the raw bytes) before any request is answered; it never reads or buffers a request body.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use hyper::body::{Bytes, Incoming};
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::upgrade::Upgraded;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, mpsc};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};

use super::budget::{Answering, Budget, Shared as Seat};
use super::guard::Guarded;
use super::limits::{
    MAX_CONNECTIONS, MAX_FIELDS, MAX_HEADERS, MAX_LINE, MAX_STREAMS, MAX_WAITING, STREAM_QUEUE,
    Timeouts,
};
use super::live::Live;
use super::livereload::EVENTS;
use super::reply::{Body, Reply};
use super::respond;

/// Accepts connections until the listener fails; each is served by its own task, in the budget
/// (`budget.rs`): when it is full, the connection idle longest makes room.
pub(super) async fn accept(
    listener: TcpListener,
    live: Arc<Live>,
    timeouts: Timeouts,
) -> std::io::Error {
    let budget = Budget::new(MAX_CONNECTIONS, MAX_STREAMS);
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(timeouts.head)
        .max_headers(MAX_FIELDS)
        // Room for the longest line and headers answered, so longer ones get our 414/431; a head
        // that outgrows this buffer unfinished gets hyper's 431 and the connection closes.
        .max_buf_size(MAX_LINE + MAX_HEADERS + 8 * 1024)
        .keep_alive(true);
    let http = Arc::new(http);
    // Connections accepted and waiting for a place: the listen queue is emptied as fast as
    // connections come, so a burst of them never makes the system drop a newcomer's.
    let waiting = Arc::new(Semaphore::new(MAX_WAITING));
    loop {
        let Ok(waits) = Arc::clone(&waiting).acquire_owned().await else {
            return std::io::Error::other("the connection queue was closed");
        };
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            // Running out of descriptors or a connection reset before accept: try again shortly.
            Err(error) if transient(&error) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
            Err(error) => return error,
        };
        // Without it, Nagle's algorithm meets delayed ACKs and keep-alive answers take ~40 ms.
        let _ = stream.set_nodelay(true);
        let (live, http, budget) = (Arc::clone(&live), Arc::clone(&http), Arc::clone(&budget));
        tokio::spawn(async move {
            let ticket = budget.admit().await;
            drop(waits);
            let seat = ticket.share();
            let connection = Arc::clone(&ticket.connection);
            let service = hyper::service::service_fn(move |request| {
                let (live, budget, seat) = (Arc::clone(&live), Arc::clone(&budget), seat.clone());
                async move {
                    let answering = seat.answering();
                    respond::first_build(&live, &request).await;
                    let reply = answer(&live, request, &budget, &seat);
                    Ok::<_, Infallible>(reply.map(|body| Counted {
                        body,
                        _answering: answering,
                    }))
                }
            });
            // Errors here are the client's (a reset, a timeout, a malformed head hyper answered).
            // The ticket goes with the connection (or with its upgrade, to the stream budget).
            let guarded = Guarded::new(stream, timeouts.write_stall, ticket);
            let serving = http
                .serve_connection(TokioIo::new(guarded), service)
                .with_upgrades();
            tokio::select! {
                _ = serving => {}
                () = connection.closed() => {} // idle, and its place was needed
            }
        });
    }
}

/// A response body, counted as being answered until it is sent (or dropped): while it is, its
/// connection is busy and is not closed to make room.
struct Counted {
    body: Body,
    _answering: Answering,
}

impl hyper::body::Body for Counted {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<Bytes>, std::io::Error>>> {
        std::pin::Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        self.body.size_hint()
    }
}

fn transient(error: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(
        error.kind(),
        ConnectionAborted | ConnectionReset | Interrupted | WouldBlock
    ) || error
        .raw_os_error()
        .is_some_and(|code| code == 23 || code == 24) // ENFILE, EMFILE
}

fn answer(live: &Arc<Live>, request: Request<Incoming>, budget: &Budget, seat: &Seat) -> Reply {
    if let Some(refused) = over_limits(&request) {
        return refused;
    }
    if request.uri().path().strip_prefix('/') == Some(EVENTS) && is_websocket(request.headers()) {
        return upgrade(live, request, budget, seat);
    }
    respond::request(live, &request)
}

/// The limits checked before anything else. A body is never read: a request that has one is
/// answered and the connection closed, so its bytes are never waited for nor buffered.
fn over_limits<B>(request: &Request<B>) -> Option<Reply> {
    let line = request.method().as_str().len()
        + request
            .uri()
            .path_and_query()
            .map_or(0, |p| p.as_str().len())
        + request.uri().authority().map_or(0, |a| a.as_str().len())
        + " HTTP/1.1".len()
        + 1;
    if line > MAX_LINE {
        return Some(closing(
            StatusCode::URI_TOO_LONG,
            "414 URI too long: the preview answers request lines up to 8 KiB\n",
        ));
    }
    let headers: usize = request
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    if headers > MAX_HEADERS {
        return Some(closing(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "431 request header fields too large: the preview answers up to 16 KiB of headers\n",
        ));
    }
    let announced = request.headers().contains_key(header::TRANSFER_ENCODING)
        || request
            .headers()
            .get_all(header::CONTENT_LENGTH)
            .iter()
            .any(|length| length.as_bytes() != b"0");
    if announced {
        return Some(closing(
            StatusCode::PAYLOAD_TOO_LARGE,
            "413 content too large: the preview answers GET and HEAD and reads no request body\n",
        ));
    }
    None
}

/// A plain-text answer after which the connection is closed (hyper honours `Connection: close`).
fn closing(status: StatusCode, text: &'static str) -> Reply {
    let mut reply = respond::text(status.as_u16(), text);
    reply
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    reply
}

fn is_websocket(headers: &HeaderMap) -> bool {
    let has = |name: header::HeaderName, token: &str| {
        headers.get_all(name).iter().any(|value| {
            value
                .to_str()
                .is_ok_and(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case(token)))
        })
    };
    has(header::CONNECTION, "upgrade") && has(header::UPGRADE, "websocket")
}

/// Accepts the WebSocket handshake and hands the connection to a task that streams events: it
/// leaves the connection budget for the stream budget.
fn upgrade(
    live: &Arc<Live>,
    mut request: Request<Incoming>,
    budget: &Budget,
    seat: &Seat,
) -> Reply {
    if let Some(refused) = respond::refused(live, &request) {
        return refused;
    }
    let headers = request.headers();
    let Some(key) = headers.get(header::SEC_WEBSOCKET_KEY) else {
        return respond::text(400, "400 bad request: a WebSocket handshake needs a key\n");
    };
    if headers
        .get(header::SEC_WEBSOCKET_VERSION)
        .is_none_or(|v| v != "13")
    {
        return respond::text(400, "400 bad request: WebSocket version 13 only\n");
    }
    // Browsers send any page's WebSocket to any host; only pages of the preview may listen.
    if !same_origin(headers) {
        return respond::text(
            403,
            "403 forbidden: the event stream serves preview pages only\n",
        );
    }
    let Some(place) = budget.stream() else {
        let mut refused = respond::text(
            503,
            &format!(
                "503 service unavailable: the preview keeps at most {MAX_STREAMS} event streams \
                 open; close some of its pages (this one retries by itself)\n"
            ),
        );
        let headers = refused.headers_mut();
        headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        // Closed at once: a flood of attempts does not linger as idle connections.
        headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
        return refused;
    };
    seat.leave();
    let accept = derive_accept_key(key.as_bytes());
    let query = request.uri().query().unwrap_or_default();
    let page_build = respond::query_value(Some(query), "build").and_then(|b| b.parse().ok());
    // The page's route below the site root, as the page reports it: only a hint of what to
    // render first, so it need not be trusted.
    let page = respond::query_value(Some(query), "page")
        .filter(|page| page.len() <= 1024)
        .and_then(|page| {
            let page = page.replace('+', " ");
            let decoded = percent_encoding::percent_decode_str(&page)
                .decode_utf8()
                .ok()?;
            Some(decoded.into_owned())
        });
    let events = live.subscribe(page_build, page, STREAM_QUEUE);
    let upgrading = hyper::upgrade::on(&mut request);
    tokio::spawn(async move {
        if let Ok(upgraded) = upgrading.await {
            // Pages send nothing but control frames: a client's message may not grow large.
            let config = WebSocketConfig::default()
                .read_buffer_size(4 * 1024)
                .max_message_size(Some(4 * 1024))
                .max_frame_size(Some(4 * 1024));
            let io = TokioIo::new(upgraded);
            let socket = WebSocketStream::from_raw_socket(io, Role::Server, Some(config)).await;
            stream_events(socket, events).await;
            drop(place);
        }
    });
    let mut reply = Response::new(Body::empty());
    *reply.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let headers = reply.headers_mut();
    headers.insert(header::CONNECTION, HeaderValue::from_static("upgrade"));
    headers.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
    if let Ok(accept) = HeaderValue::from_str(&accept) {
        headers.insert(header::SEC_WEBSOCKET_ACCEPT, accept);
    }
    reply
}

/// The `Origin` a browser sends must name the host the request went to; tools send none.
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let origin_host = origin
        .to_str()
        .ok()
        .and_then(|o| o.split_once("://"))
        .map(|(_, rest)| rest.trim_end_matches('/'));
    matches!((origin_host, host), (Some(o), Some(h)) if o.eq_ignore_ascii_case(h))
}

/// Sends each event as a text message and pings every `PING`; ends when the page goes away, or
/// has answered nothing (a ping needs a pong) for two pings, giving its place to another.
async fn stream_events(
    mut socket: WebSocketStream<TokioIo<Upgraded>>,
    mut events: mpsc::Receiver<Arc<str>>,
) {
    use futures_util::{SinkExt, StreamExt};
    let ping = super::limits::ping();
    let mut heard = tokio::time::Instant::now();
    let mut pings = tokio::time::interval_at(heard + ping, ping);
    loop {
        tokio::select! {
            event = events.recv() => {
                let Some(event) = event else { break };
                if socket.send(Message::text(event.as_ref())).await.is_err() {
                    return;
                }
            }
            incoming = socket.next() => match incoming {
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
                Some(Ok(_)) => heard = tokio::time::Instant::now(),
            },
            _ = pings.tick() => {
                if heard.elapsed() > ping * 2 {
                    break; // the page stopped answering: its place goes to another
                }
                if socket.send(Message::Ping(Bytes::new())).await.is_err() {
                    return;
                }
            }
        }
    }
    let _ = socket.close(None).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(target: &str, headers: &[(&str, &str)]) -> Request<()> {
        let mut builder = Request::get(target);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(()).expect("a request")
    }

    fn status(request: &Request<()>) -> Option<u16> {
        over_limits(request).map(|reply| reply.status().as_u16())
    }

    #[test]
    fn lines_headers_and_bodies_over_the_limits_are_refused() {
        assert_eq!(status(&request("/docs/", &[("Host", "localhost")])), None);
        let long = format!("/{}", "a".repeat(MAX_LINE));
        assert_eq!(status(&request(&long, &[])), Some(414));
        let just_fits = format!("/{}", "a".repeat(MAX_LINE - 30));
        assert_eq!(status(&request(&just_fits, &[])), None);
        let big = "b".repeat(MAX_HEADERS);
        assert_eq!(status(&request("/", &[("X-Big", &big)])), Some(431));
        assert_eq!(status(&request("/", &[("Content-Length", "0")])), None);
        for body in [("Content-Length", "1"), ("Transfer-Encoding", "chunked")] {
            let refused = over_limits(&request("/", &[body])).expect("refused");
            assert_eq!(refused.status(), 413);
            assert_eq!(refused.headers()[header::CONNECTION], "close");
        }
    }

    #[test]
    fn only_same_origin_pages_open_the_event_stream() {
        let headers = |pairs: &[(&str, &str)]| request("/", pairs).headers().clone();
        assert!(same_origin(&headers(&[("Host", "127.0.0.1:1111")])));
        assert!(same_origin(&headers(&[
            ("Host", "127.0.0.1:1111"),
            ("Origin", "http://127.0.0.1:1111")
        ])));
        assert!(!same_origin(&headers(&[
            ("Host", "127.0.0.1:1111"),
            ("Origin", "https://evil.example")
        ])));
        assert!(!same_origin(&headers(&[(
            "Origin",
            "http://127.0.0.1:1111"
        )])));
        assert!(is_websocket(&headers(&[
            ("Connection", "keep-alive, Upgrade"),
            ("Upgrade", "websocket")
        ])));
        assert!(!is_websocket(&headers(&[("Upgrade", "websocket")])));
    }
}
