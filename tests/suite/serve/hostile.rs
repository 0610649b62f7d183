//! Hostile clients over loopback: huge announced bodies, stalled requests, oversized request lines
//! and headers. Throughout, a normal GET is answered within a second and the server's memory stays
//! small. Every connection count and wait here is bounded; the two stall limits are shortened
//! with `serve`'s hidden `--head-timeout` and `--write-timeout`, so no test waits out 10 s.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use super::preview::{Preview, site};

/// A normal page request must keep being answered this fast, whatever else is going on.
const PROMPT: Duration = Duration::from_secs(1);

fn prompt_get(preview: &Preview, when: &str) {
    let started = Instant::now();
    let page = preview.get("/docs/first/");
    let took = started.elapsed();
    assert_eq!(page.status, 200, "{when}");
    assert!(took < PROMPT, "a normal GET took {took:?} {when}");
}

/// Sends `head` raw and checks the answer's status and `Connection: close`; the connection is
/// left open for the caller.
fn expect_status(preview: &Preview, head: &[u8], code: &str) -> TcpStream {
    let mut stream = preview.connect();
    stream.write_all(head).expect("send");
    let mut answer = vec![0; 512];
    let n = stream.read(&mut answer).expect("an answer");
    let answer = String::from_utf8_lossy(&answer[..n]).to_ascii_lowercase();
    assert!(
        answer.starts_with(&format!("http/1.1 {code}")),
        "wanted {code}, got {answer}"
    );
    assert!(answer.contains("connection: close"), "{answer}");
    stream
}

/// After a refusal with `Connection: close` the server closes its side: reading ends, fast.
fn closes(mut stream: TcpStream) {
    stream
        .set_read_timeout(Some(Duration::from_secs(2)))
        .expect("timeout");
    let mut rest = Vec::new();
    let _ = stream.read_to_end(&mut rest);
}

#[test]
fn announced_bodies_are_refused_without_being_read() {
    let site = site();
    let mut preview = Preview::start(&site);
    let host = preview.address.clone();

    // A claimed length of ~100 GB, then the socket closes: 413, nothing allocated, no abort.
    let huge = format!("GET / HTTP/1.1\r\nHost: {host}\r\nContent-Length: 99999999999\r\n\r\n");
    closes(expect_status(&preview, huge.as_bytes(), "413"));
    prompt_get(&preview, "after a huge Content-Length");

    // 16 requests that announce 100,000 bytes and never send them: each answered at once.
    let stalled = format!("GET / HTTP/1.1\r\nHost: {host}\r\nContent-Length: 100000\r\n\r\n");
    let held: Vec<TcpStream> = (0..16)
        .map(|_| expect_status(&preview, stalled.as_bytes(), "413"))
        .collect();
    prompt_get(&preview, "beside 16 stalled bodies");
    let chunked = format!("POST / HTTP/1.1\r\nHost: {host}\r\nTransfer-Encoding: chunked\r\n\r\n");
    closes(expect_status(&preview, chunked.as_bytes(), "413"));
    drop(held);
    prompt_get(&preview, "after the stalled bodies");
    assert!(preview.rss_mb() < 100, "RSS {} MB", preview.rss_mb());
    assert!(preview.child.try_wait().expect("status").is_none(), "alive");
}

#[test]
fn oversized_lines_and_headers_get_414_and_431() {
    let site = site();
    let preview = Preview::start(&site);
    let host = &preview.address;

    let long_line = format!(
        "GET /{} HTTP/1.1\r\nHost: {host}\r\n\r\n",
        "a".repeat(9 * 1024)
    );
    closes(expect_status(&preview, long_line.as_bytes(), "414"));
    // Longer than any buffer, and never finished: still 414, after the first 8 KiB.
    let mut endless = preview.connect();
    endless.write_all(b"GET /").expect("send");
    let chunk = vec![b'a'; 64 * 1024];
    let mut sent = 0;
    while sent < 100 * 1024 * 1024 && endless.write_all(&chunk).is_ok() {
        sent += chunk.len();
    }
    assert!(sent < 100 * 1024 * 1024, "the server read the whole line");
    let mut answer = Vec::new();
    let _ = endless.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 414"), "{answer}");
    let big_headers = format!(
        "GET / HTTP/1.1\r\nHost: {host}\r\nX-Big: {}\r\n\r\n",
        "b".repeat(17 * 1024)
    );
    closes(expect_status(&preview, big_headers.as_bytes(), "431"));
    let fields: String = (0..101).map(|i| format!("X-Field-{i}: 1\r\n")).collect();
    let many = format!("GET / HTTP/1.1\r\nHost: {host}\r\n{fields}\r\n");
    closes(expect_status(&preview, many.as_bytes(), "431"));
    prompt_get(&preview, "after oversized heads");

    // Four clients each pour an unterminated header of up to 100 MB: the server stops reading
    // after a bounded buffer and closes, so writing fails long before 100 MB.
    let pourers: Vec<_> = (0..4)
        .map(|_| {
            let mut stream = preview.connect();
            let host = host.clone();
            std::thread::spawn(move || {
                let start = format!("GET / HTTP/1.1\r\nHost: {host}\r\nX-Endless: ");
                let _ = stream.write_all(start.as_bytes());
                let chunk = vec![b'x'; 64 * 1024];
                let mut sent = 0;
                while sent < 100 * 1024 * 1024 && stream.write_all(&chunk).is_ok() {
                    sent += chunk.len();
                }
                sent
            })
        })
        .collect();
    prompt_get(&preview, "while four clients pour endless headers");
    for pourer in pourers {
        let sent = pourer.join().expect("a pourer");
        assert!(sent < 100 * 1024 * 1024, "the server read {sent} bytes");
    }
    prompt_get(&preview, "after endless headers");
    assert!(preview.rss_mb() < 100, "RSS {} MB", preview.rss_mb());
}

/// The head timeout, shortened from its 10 s so the test need not wait that out.
const HEAD_TIMEOUT: Duration = Duration::from_secs(2);

#[test]
fn stalled_requests_hold_no_worker_and_time_out() {
    let site = site();
    let preview = Preview::start_with(&site, &["--head-timeout", "2"]);
    let host = &preview.address;
    // 32 clients stop halfway through their request head.
    let sent = Instant::now();
    let stalled: Vec<TcpStream> = (0..32)
        .map(|_| {
            let mut stream = preview.connect();
            let half = format!("GET /docs/ HTTP/1.1\r\nHost: {host}\r\nAccept: text/");
            stream.write_all(half.as_bytes()).expect("send half");
            stream
        })
        .collect();
    prompt_get(&preview, "beside 32 stalled requests");
    // Each is disconnected at the head timeout (allowing for a loaded machine), not before.
    for mut stream in stalled {
        stream
            .set_read_timeout(Some(HEAD_TIMEOUT + Duration::from_secs(5)))
            .expect("timeout");
        let mut rest = Vec::new();
        let closed = stream.read_to_end(&mut rest).is_ok();
        assert!(closed, "a stalled client was never disconnected");
    }
    let waited = sent.elapsed();
    assert!(
        waited < HEAD_TIMEOUT + Duration::from_secs(3),
        "took {waited:?}"
    );
    assert!(waited > HEAD_TIMEOUT / 2, "cut off too early: {waited:?}");
    prompt_get(&preview, "after the stalled requests");
}

#[test]
fn threads_stay_bounded_under_many_connections() {
    let site = site();
    let preview = Preview::start(&site);
    let open: Vec<TcpStream> = (0..200).map(|_| preview.connect()).collect();
    let events: Vec<_> = (0..50).map(|_| preview.events("")).collect();
    prompt_get(&preview, "beside 200 idle connections and 50 event streams");
    let status = std::fs::read_to_string(format!("/proc/{}/status", preview.child.id()))
        .expect("the server is running");
    let threads: usize = status
        .lines()
        .find_map(|line| line.strip_prefix("Threads:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("Threads");
    assert!(threads <= 64, "{threads} threads");
    drop((open, events));
}

#[test]
fn a_client_that_stops_reading_is_disconnected() {
    let site = site();
    // The write timeout shortened from its 10 s, so the test need not wait that out.
    let preview = Preview::start_with(&site, &["--write-timeout", "1"]);
    let request = format!(
        "GET /docs/first/ HTTP/1.1\r\nHost: {}\r\n\r\n",
        preview.address
    );
    let asked = 20_000;
    let mut stream = preview.connect();
    let writer = {
        let mut stream = stream.try_clone().expect("clone");
        let pipelined = request.repeat(asked);
        std::thread::spawn(move || {
            let _ = stream.write_all(pipelined.as_bytes());
        })
    };
    // Megabytes of answers pile up unread; the server gives up on this client (its side of the
    // connection is gone or closing), and answers others meanwhile.
    prompt_get(&preview, "beside a client that stopped reading");
    let ports = (
        stream.local_addr().expect("local address").port(),
        stream.peer_addr().expect("peer address").port(),
    );
    let deadline = Instant::now() + Duration::from_secs(15);
    while established(ports) {
        assert!(
            Instant::now() < deadline,
            "the server kept the stalled connection open"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    prompt_get(&preview, "after a client that stopped reading");
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    let mut answers = Vec::new();
    let ended = match stream.read_to_end(&mut answers) {
        Ok(_) => true,
        Err(error) => error.kind() == std::io::ErrorKind::ConnectionReset,
    };
    assert!(ended, "the server kept the stalled connection open");
    let served = String::from_utf8_lossy(&answers)
        .matches("HTTP/1.1 200")
        .count();
    assert!(served < asked, "all {served} answers were sent");
    let _ = writer.join();
}

/// Whether the kernel still has the loopback connection between these (local, peer) ports
/// established (`/proc/net/tcp`): asked without reading its data, which would let a stalled
/// server write on.
fn established((local, peer): (u16, u16)) -> bool {
    let table = std::fs::read_to_string("/proc/net/tcp").expect("/proc/net/tcp");
    table.lines().skip(1).any(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        fields.len() > 3
            && fields[1].ends_with(&format!(":{local:04X}"))
            && fields[2].ends_with(&format!(":{peer:04X}"))
            && fields[3] == "01"
    })
}

#[test]
fn pages_elsewhere_cannot_open_the_event_stream() {
    let site = site();
    let preview = Preview::start(&site);
    let handshake = |origin: &str| {
        let mut stream = preview.connect();
        let request = format!(
            "GET /__sre-guide/events HTTP/1.1\r\nHost: {}\r\nConnection: Upgrade\r\n\
             Upgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
             Sec-WebSocket-Version: 13\r\nOrigin: {origin}\r\n\r\n",
            preview.address
        );
        stream.write_all(request.as_bytes()).expect("send");
        let mut head = vec![0; 1024];
        let n = stream.read(&mut head).expect("an answer");
        String::from_utf8_lossy(&head[..n]).to_ascii_lowercase()
    };
    let refused = handshake("https://evil.example");
    assert!(refused.starts_with("http/1.1 403"), "{refused}");
    let accepted = handshake(&format!("http://{}", preview.address));
    assert!(accepted.starts_with("http/1.1 101"), "{accepted}");
    assert!(
        accepted.contains("sec-websocket-accept: s3pplmbitxaq9kygzzhzrbk+xoo="),
        "{accepted}"
    );
    // A plain GET of the stream is not a WebSocket: refused, not left hanging.
    assert_eq!(preview.get("/__sre-guide/events").status, 400);
}

#[test]
fn a_huge_websocket_message_closes_that_stream_only() {
    let site = site();
    let preview = Preview::start(&site);
    let stream = preview.connect();
    let url = format!("ws://{}/__sre-guide/events", preview.address);
    let (mut socket, _) = tungstenite::client::client(url.as_str(), stream).expect("handshake");
    // A 12 MB message (under the library's own 16 MiB frame limit): the server refuses it after a few KiB instead of buffering it, and
    // closes the stream (a timeout would mean it was still reading).
    let timed_out = |error: &tungstenite::Error| {
        matches!(error, tungstenite::Error::Io(io) if matches!(
            io.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        ))
    };
    let closed = match socket.send(tungstenite::Message::binary(vec![0u8; 12 * 1024 * 1024])) {
        Err(error) => !timed_out(&error),
        Ok(()) => loop {
            match socket.read() {
                Ok(tungstenite::Message::Close(_)) => break true,
                Ok(_) => continue,
                Err(error) => break !timed_out(&error),
            }
        },
    };
    assert!(closed, "the server kept reading the message");
    prompt_get(&preview, "after a huge WebSocket message");
    assert!(preview.rss_mb() < 100, "RSS {} MB", preview.rss_mb());
}

#[test]
fn absolute_form_targets_for_the_preview_are_answered_as_their_path() {
    let site = site();
    let preview = Preview::start(&site);
    let ask = |target: &str, host: &str| {
        let mut stream = preview.connect();
        let request = format!("GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).expect("send");
        let mut answer = String::new();
        stream.read_to_string(&mut answer).expect("an answer");
        answer
    };
    let address = preview.address.clone();
    // RFC 9112 §3.2.2: the target's host counts, not the Host header.
    for host in [address.as_str(), "elsewhere.example"] {
        let page = ask(&format!("http://{address}/docs/first/"), host);
        assert!(page.starts_with("HTTP/1.1 200"), "{page}");
        assert!(page.contains("The first page says hello."));
    }
    let localhost = ask("http://localhost/docs/first/?x=1", &address);
    assert!(localhost.starts_with("HTTP/1.1 200"), "{localhost}");
    // Another host, through a loopback Host header: refused as DNS rebinding is.
    let foreign = ask("http://evil.example/docs/first/", &address);
    assert!(foreign.starts_with("HTTP/1.1 403"), "{foreign}");
    let ftp = ask(&format!("ftp://{address}/docs/first/"), &address);
    assert!(ftp.starts_with("HTTP/1.1 400"), "{ftp}");
    assert!(
        ftp.contains("the target must be a path or an http URL"),
        "{ftp}"
    );
}
