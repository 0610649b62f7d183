//! The connection layer of the preview. In: the listening socket. Out: hyper HTTP/1.1 connections
//! whose requests go to [`respond`], and WebSocket event streams fed from
//! [`Live`]. It enforces the limits a hostile client meets
//! ([`limits`](super::limits): line, headers, bodies, stalls, connections; [`guard`](super::guard)
//! watches the raw bytes) before any request is answered; it never reads or buffers a request body.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::upgrade::Upgraded;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};

use super::guard::Guarded;
use super::limits::{
    HEAD_TIMEOUT, MAX_CONNECTIONS, MAX_FIELDS, MAX_HEADERS, MAX_LINE, PING, STREAM_QUEUE,
};
use super::live::Live;
use super::livereload::EVENTS;
use super::reply::Reply;
use super::respond;

/// One of the `MAX_CONNECTIONS`; free again when every holder has dropped it.
type Slot = Arc<OwnedSemaphorePermit>;

/// Accepts connections until the listener fails; each is served by its own task.
pub(super) async fn accept(listener: TcpListener, live: Arc<Live>) -> std::io::Error {
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HEAD_TIMEOUT)
        .max_headers(MAX_FIELDS)
        // Room for the longest line and headers answered, so longer ones get our 414/431; a head
        // that outgrows this buffer unfinished gets hyper's 431 and the connection closes.
        .max_buf_size(MAX_LINE + MAX_HEADERS + 8 * 1024)
        .keep_alive(true);
    let http = Arc::new(http);
    loop {
        // Held by the connection, and by its event stream after an upgrade.
        let Ok(slot) = Arc::clone(&slots).acquire_owned().await.map(Arc::new) else {
            return std::io::Error::other("the connection limit was closed");
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
        let (live, http) = (Arc::clone(&live), Arc::clone(&http));
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request| {
                let live = Arc::clone(&live);
                let slot = Arc::clone(&slot);
                async move { Ok::<_, Infallible>(answer(&live, request, slot)) }
            });
            // Errors here are the client's (a reset, a timeout, a malformed head hyper answered).
            // The service, and with it this connection's slot, is dropped when it ends.
            let _ = http
                .serve_connection(TokioIo::new(Guarded::new(stream)), service)
                .with_upgrades()
                .await;
        });
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

fn answer(live: &Arc<Live>, request: Request<Incoming>, slot: Slot) -> Reply {
    if let Some(refused) = over_limits(&request) {
        return refused;
    }
    if request.uri().path().strip_prefix('/') == Some(EVENTS) && is_websocket(request.headers()) {
        return upgrade(live, request, slot);
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

/// Accepts the WebSocket handshake and hands the connection to a task that streams events.
fn upgrade(live: &Arc<Live>, mut request: Request<Incoming>, slot: Slot) -> Reply {
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
            drop(slot);
        }
    });
    let mut reply = Response::new(Full::new(Bytes::new()));
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

/// Sends each event as a text message and pings when idle; ends when the page goes away.
async fn stream_events(
    mut socket: WebSocketStream<TokioIo<Upgraded>>,
    mut events: mpsc::Receiver<Arc<str>>,
) {
    use futures_util::{SinkExt, StreamExt};
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
                Some(Ok(_)) => {}
            },
            () = tokio::time::sleep(PING) => {
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
