//! Connections that cannot starve others (loopback only, bounded in count and time): 600 idle
//! keep-alive connections, 600 that send nothing, 520 open event streams and a 10,000-attempt
//! upgrade flood each leave a normal GET answered within a second.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use super::preview::{Edit, Preview, heavy, site};

/// A normal GET must be answered this fast, whatever the other clients hold.
const PROMPT: Duration = Duration::from_secs(1);
/// A connection the kernel refused once (its listen backlog full) is retried after a second.
const CONNECT_WITH_ONE_RETRY: Duration = Duration::from_millis(2_500);
/// However the server behaves, a test stops opening connections after this long.
const ATTACK: Duration = Duration::from_secs(30);

/// Lets this process (and the `serve` it starts) hold the connections a test opens.
fn allow_files(wanted: u64) {
    use nix::sys::resource::{Resource, getrlimit, setrlimit};
    let (soft, hard) = getrlimit(Resource::RLIMIT_NOFILE).expect("the file limit");
    if soft < wanted {
        setrlimit(Resource::RLIMIT_NOFILE, wanted.min(hard), hard).expect("raise the file limit");
    }
}

/// How long a normal GET of a page takes on a fresh connection, answered in full.
fn normal_get(preview: &Preview) -> Duration {
    let started = Instant::now();
    let page = preview.get("/docs/first/");
    let took = started.elapsed();
    assert_eq!(page.status, 200);
    assert!(page.body.contains("The first page says hello."));
    took
}

/// Five normal GETs, one after another: the slowest.
fn slowest_get(preview: &Preview, when: &str) -> Duration {
    let slowest = (0..5).map(|_| normal_get(preview)).max().expect("five");
    eprintln!("{when}: the slowest of five GETs took {slowest:?}");
    assert!(slowest < PROMPT, "a normal GET took {slowest:?} {when}");
    slowest
}

fn connect(address: SocketAddr) -> Option<TcpStream> {
    let stream = TcpStream::connect_timeout(&address, Duration::from_secs(1)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    Some(stream)
}

fn address(preview: &Preview) -> SocketAddr {
    preview.address.parse().expect("an address")
}

#[test]
fn six_hundred_idle_keep_alive_connections_do_not_delay_a_get() {
    allow_files(4096);
    let site = site();
    let preview = Preview::start(&site);
    let request = format!("GET /docs/ HTTP/1.1\r\nHost: {}\r\n\r\n", preview.address);
    // All 600 ask at once, then read what they are answered, and stay open.
    let until = Instant::now() + ATTACK;
    let asked: Vec<TcpStream> = (0..600)
        .take_while(|_| Instant::now() < until)
        .filter_map(|_| {
            let mut stream = connect(address(&preview))?;
            stream.write_all(request.as_bytes()).ok()?;
            Some(stream)
        })
        .collect();
    let idle: Vec<TcpStream> = asked
        .into_iter()
        .filter_map(|mut stream| {
            let mut answer = [0; 1024];
            let n = stream.read(&mut answer).ok()?;
            answer[..n].starts_with(b"HTTP/1.1 200").then_some(stream)
        })
        .collect();
    eprintln!("{} keep-alive connections asked once and idle", idle.len());
    assert!(idle.len() > 500, "only {} connections answered", idle.len());
    slowest_get(&preview, "beside 600 idle keep-alive connections");
    drop(idle);
}

#[test]
fn six_hundred_connections_that_send_nothing_do_not_delay_a_get() {
    allow_files(4096);
    let site = site();
    let preview = Preview::start(&site);
    let silent: Vec<TcpStream> = (0..600)
        .filter_map(|_| connect(address(&preview)))
        .collect();
    assert_eq!(silent.len(), 600);
    // Silent for a second: one that has sent nothing yet is given half of one before it may be
    // closed for room (its first request may be waiting to be read).
    thread::sleep(Duration::from_secs(1));
    slowest_get(&preview, "beside 600 silent connections");
    drop(silent);
}

/// Opens an event stream as a page would; `None` when the server refused it.
fn open_stream(address: SocketAddr, host: &str) -> Option<TcpStream> {
    let mut stream = connect(address)?;
    let request = format!(
        "GET /__sre-guide/events HTTP/1.1\r\nHost: {host}\r\nConnection: Upgrade\r\n\
         Upgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
         Sec-WebSocket-Version: 13\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).ok()?;
    let mut head = [0; 512];
    let n = stream.read(&mut head).ok()?;
    head[..n].starts_with(b"HTTP/1.1 101").then_some(stream)
}

#[test]
fn five_hundred_twenty_open_event_streams_do_not_delay_a_get() {
    allow_files(4096);
    let site = site();
    let preview = Preview::start(&site);
    let until = Instant::now() + ATTACK;
    let streams: Vec<TcpStream> = (0..520)
        .take_while(|_| Instant::now() < until)
        .filter_map(|_| open_stream(address(&preview), &preview.address))
        .collect();
    eprintln!("520 event streams asked for: {} open", streams.len());
    assert!(
        streams.len() >= 200,
        "only {} streams opened",
        streams.len()
    );
    slowest_get(&preview, "beside 520 event streams");
    // A page opened now still gets its stream once others close.
    drop(streams);
    let deadline = Instant::now() + Duration::from_secs(5);
    while open_stream(address(&preview), &preview.address).is_none() {
        assert!(
            Instant::now() < deadline,
            "no stream after the others closed"
        );
        thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_flood_of_ten_thousand_upgrade_attempts_does_not_delay_a_get() {
    let _alone = heavy();
    allow_files(16_384);
    let site = site();
    let preview = Preview::start(&site);
    let (address, host) = (address(&preview), preview.address.clone());
    let flooding = Arc::new(AtomicBool::new(true));
    // Four clients, 2,500 attempts each, every socket kept open to the end.
    let flooders: Vec<_> = (0..4)
        .map(|_| {
            let host = host.clone();
            thread::spawn(move || {
                let request = format!(
                    "GET /__sre-guide/events HTTP/1.1\r\nHost: {host}\r\nConnection: Upgrade\r\n\
                     Upgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
                     Sec-WebSocket-Version: 13\r\n\r\n"
                );
                let mut held = Vec::new();
                let until = Instant::now() + ATTACK;
                for _ in 0..2_500 {
                    if Instant::now() > until {
                        break;
                    }
                    let Ok(mut stream) =
                        TcpStream::connect_timeout(&address, Duration::from_millis(200))
                    else {
                        continue;
                    };
                    let _ = stream.write_all(request.as_bytes());
                    held.push(stream);
                }
                held
            })
        })
        .collect();
    let watcher = {
        let flooding = Arc::clone(&flooding);
        let preview_address = preview.address.clone();
        // Loopback connections are made by the kernel alone, at a rate no server on two cores
        // can accept them: while the flood outruns `serve`, its listen backlog is full and the
        // kernel drops every new SYN, this one's too, and retries it after a second. So the
        // connection may take one retry; once made, `serve` must answer as promptly as ever.
        thread::spawn(move || {
            let (mut slowest_connect, mut slowest) = (Duration::ZERO, Duration::ZERO);
            let mut asked = 0;
            while flooding.load(Ordering::Relaxed) {
                let started = Instant::now();
                let stream = TcpStream::connect_timeout(
                    &preview_address.parse().expect("an address"),
                    CONNECT_WITH_ONE_RETRY,
                );
                slowest_connect = slowest_connect.max(started.elapsed());
                asked += 1;
                let Ok(mut stream) = stream else {
                    slowest_connect = Duration::MAX; // not even the retry was taken
                    continue;
                };
                let connected = Instant::now();
                stream
                    .set_read_timeout(Some(Duration::from_secs(2)))
                    .expect("a read timeout");
                let request = format!(
                    "GET /docs/first/ HTTP/1.1\r\nHost: {preview_address}\r\nConnection: close\r\n\r\n"
                );
                stream.write_all(request.as_bytes()).expect("send");
                let mut answer = String::new();
                let _ = stream.read_to_string(&mut answer);
                let took = if answer.starts_with("HTTP/1.1 200") {
                    connected.elapsed()
                } else {
                    Duration::MAX // not answered
                };
                slowest = slowest.max(took);
                thread::sleep(Duration::from_millis(50));
            }
            (asked, slowest_connect, slowest)
        })
    };
    let held: Vec<TcpStream> = flooders
        .into_iter()
        .flat_map(|flooder| flooder.join().expect("a flooder"))
        .collect();
    eprintln!("{} of 10,000 upgrade attempts connected", held.len());
    slowest_get(&preview, "beside 10,000 upgrade attempts");
    flooding.store(false, Ordering::Relaxed);
    let (asked, slowest_connect, slowest) = watcher.join().expect("the watcher");
    eprintln!(
        "during the flood: {asked} GETs, the slowest connection {slowest_connect:?} and answer {slowest:?}"
    );
    assert!(
        slowest_connect < CONNECT_WITH_ONE_RETRY,
        "a GET could not connect during the flood"
    );
    assert!(slowest < PROMPT, "a GET took {slowest:?} during the flood");
    drop(held);
}

#[test]
fn a_stream_whose_page_stops_answering_pings_is_closed_and_its_place_freed() {
    let site = site();
    // Pings every 200 ms (production: 15 s); two unanswered, and the stream is closed.
    let preview = Preview::start_env(&site, &[], &[("SRE_GUIDE_PING_MS", "200")]);
    let mut silent = open_stream(address(&preview), &preview.address).expect("a stream");
    // A page that answers (tungstenite answers pings while it reads) keeps its stream.
    let answering = preview.events("");
    silent
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    let started = Instant::now();
    let mut frames = Vec::new();
    let mut buffer = [0; 64];
    // Ping frames arrive, unanswered; then the server closes (a close frame, then the end).
    while let Ok(n @ 1..) = silent.read(&mut buffer) {
        frames.extend_from_slice(&buffer[..n]);
    }
    let closed_after = started.elapsed();
    eprintln!("an unanswering page's stream closed after {closed_after:?}");
    assert!(
        closed_after >= Duration::from_millis(300) && closed_after < Duration::from_secs(3),
        "{closed_after:?}"
    );
    assert_eq!(frames.first(), Some(&0x89), "a ping first");
    assert!(frames.contains(&0x88), "a close frame: {frames:?}");
    // The answering page is still followed.
    site.write(
        "content/docs/first.md",
        "+++\ntitle = \"First\"\n+++\nStill followed.\n",
    );
    answering.wait("reload");
}
