//! Driving a running `sre-guide serve`: start it on a free loopback port, send raw HTTP (so odd
//! request targets arrive exactly as written), follow its event stream. Every wait is bounded, and
//! the server is killed when the `Preview` is dropped.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use super::Site;

pub const START: Duration = Duration::from_secs(20);

/// Held by the tests that load the machine most (a flood of connections, a 100 MB page), so they
/// never run at the same time and each measures the server, not the other test.
pub static HEAVY: Mutex<()> = Mutex::new(());

/// Takes `HEAVY`, whatever another heavy test's panic left it as.
pub fn heavy() -> std::sync::MutexGuard<'static, ()> {
    HEAVY
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
pub const EVENT: Duration = Duration::from_secs(10);
pub const IO: Duration = Duration::from_secs(10);

/// A running `serve`, killed on drop.
pub struct Preview {
    pub child: Child,
    pub address: String,
    lines: Receiver<String>,
    stdout: Arc<Mutex<Vec<String>>>,
    pub stderr: Arc<Mutex<String>>,
}

impl Preview {
    pub fn start(site: &Site) -> Preview {
        Preview::start_with(site, &[])
    }

    pub fn start_with(site: &Site, extra: &[&str]) -> Preview {
        Preview::start_env(site, extra, &[])
    }

    pub fn start_env(site: &Site, extra: &[&str], env: &[(&str, &str)]) -> Preview {
        let program = std::path::Path::new(env!("CARGO_BIN_EXE_sre-guide"));
        Preview::start_program(program, site, extra, env)
    }

    /// `start` for a site whose first build takes longer than `START` (a huge page).
    pub fn start_within(site: &Site, wait: Duration) -> Preview {
        let program = std::path::Path::new(env!("CARGO_BIN_EXE_sre-guide"));
        Preview::launch(program, site, &[], &[], wait)
    }

    /// `start_env` with another copy of the binary.
    pub fn start_program(
        program: &std::path::Path,
        site: &Site,
        extra: &[&str],
        env: &[(&str, &str)],
    ) -> Preview {
        Preview::launch(program, site, extra, env, START)
    }

    fn launch(
        program: &std::path::Path,
        site: &Site,
        extra: &[&str],
        env: &[(&str, &str)],
        wait: Duration,
    ) -> Preview {
        let mut child = Command::new(program)
            .args(["serve", "--port", "0", "--root"])
            .arg(site.root())
            .args(extra)
            .envs(env.iter().copied())
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start sre-guide serve");
        let (send, lines) = mpsc::channel();
        let stdout = Arc::new(Mutex::new(Vec::new()));
        let out = BufReader::new(child.stdout.take().expect("piped stdout"));
        let all = Arc::clone(&stdout);
        thread::spawn(move || {
            for line in out.lines().map_while(Result::ok) {
                all.lock().unwrap().push(line.clone());
                let _ = send.send(line);
            }
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut err = child.stderr.take().expect("piped stderr");
        let collected = Arc::clone(&stderr);
        thread::spawn(move || {
            let mut buffer = [0; 4096];
            while let Ok(n @ 1..) = err.read(&mut buffer) {
                collected
                    .lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buffer[..n]));
            }
        });
        let mut preview = Preview {
            child,
            address: String::new(),
            lines,
            stdout,
            stderr,
        };
        let line = preview.wait_line(wait, |l| l.starts_with("serving http://"));
        preview.address = line["serving http://".len()..]
            .split('/')
            .next()
            .expect("an address")
            .to_string();
        preview
    }

    /// The next stdout line matching `wanted`, or a panic that shows what was printed.
    pub fn wait_line(&self, timeout: Duration, wanted: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if wanted(&line) => return line,
                Ok(_) => continue,
                Err(_) => panic!(
                    "no such line within {timeout:?}\nstdout:\n{}\nstderr:\n{}",
                    self.stdout.lock().unwrap().join("\n"),
                    self.stderr.lock().unwrap()
                ),
            }
        }
    }

    /// The server's resident memory, from /proc.
    pub fn rss_mb(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("the server is running");
        let kb: u64 = status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|value| value.split_whitespace().next())
            .and_then(|kb| kb.parse().ok())
            .expect("VmRSS");
        kb / 1024
    }

    /// Waits until stderr contains `text`: its reader thread may trail stdout's by a moment.
    pub fn wait_stderr(&self, text: &str) -> String {
        let deadline = Instant::now() + EVENT;
        loop {
            let stderr = self.stderr.lock().unwrap().clone();
            if stderr.contains(text) {
                return stderr;
            }
            assert!(
                Instant::now() < deadline,
                "stderr never showed {text:?}:\n{stderr}"
            );
            thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn stdout_lines(&self) -> Vec<String> {
        self.stdout.lock().unwrap().clone()
    }

    pub fn get(&self, target: &str) -> Reply {
        self.request("GET", target, &[])
    }

    pub fn request(&self, method: &str, target: &str, headers: &[(&str, &str)]) -> Reply {
        let mut stream = self.connect();
        let mut request = format!("{method} {target} HTTP/1.1\r\nHost: {}\r\n", self.address);
        for (name, value) in headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        request.push_str("Connection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).expect("send request");
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).expect("read response");
        Reply::parse(&raw)
    }

    pub fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(&self.address).expect("connect to serve");
        stream.set_read_timeout(Some(IO)).expect("timeout");
        stream.set_write_timeout(Some(IO)).expect("timeout");
        stream
    }

    /// An open live-reload stream, as a page's script would open it: a WebSocket.
    pub fn events(&self, query: &str) -> Events {
        let stream = self.connect();
        let url = format!("ws://{}/__sre-guide/events{query}", self.address);
        let (mut socket, response) =
            tungstenite::client::client(url.as_str(), stream.try_clone().expect("clone stream"))
                .expect("WebSocket handshake");
        stream.set_read_timeout(None).expect("no timeout");
        let (send, received) = mpsc::channel();
        thread::spawn(move || {
            while let Ok(message) = socket.read() {
                if let tungstenite::Message::Text(text) = message {
                    let json: serde_json::Value =
                        serde_json::from_str(text.as_str()).expect("events are JSON");
                    let name = json["event"].as_str().expect("an event name").to_string();
                    if send.send((name, text.to_string())).is_err() {
                        return;
                    }
                }
            }
        });
        Events {
            stream,
            status: response.status().as_u16(),
            received,
        }
    }
}

impl Drop for Preview {
    /// Stops `serve` as Ctrl-C would (SIGTERM), so it ends the way an editor ends it and writes
    /// what an instrumented build records at exit (a coverage run counts its lines); one that
    /// has not ended two seconds later is killed.
    fn drop(&mut self) {
        let pid = nix::unistd::Pid::from_raw(self.child.id() as i32);
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
        let until = Instant::now() + Duration::from_secs(2);
        while Instant::now() < until {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub struct Events {
    stream: TcpStream,
    pub status: u16,
    received: Receiver<(String, String)>,
}

impl Drop for Events {
    fn drop(&mut self) {
        let _ = self.stream.shutdown(std::net::Shutdown::Both);
    }
}

impl Events {
    /// The next event called `name` (its whole JSON message); other events before it are skipped.
    pub fn wait(&self, name: &str) -> String {
        let deadline = Instant::now() + EVENT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.received.recv_timeout(left) {
                Ok((event, data)) if event == name => return data,
                Ok(_) => continue,
                Err(_) => panic!("no `{name}` event within {EVENT:?}"),
            }
        }
    }

    pub fn none_within(&self, wait: Duration) -> Option<(String, String)> {
        self.received.recv_timeout(wait).ok()
    }
}

#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    fn parse(raw: &[u8]) -> Reply {
        let text = String::from_utf8_lossy(raw);
        let (head, body) = text.split_once("\r\n\r\n").expect("a complete response");
        let mut lines = head.lines();
        let status = lines.next().expect("a status line");
        let status = status.split(' ').nth(1).expect("a status code");
        Reply {
            status: status.parse().expect("a numeric status"),
            headers: lines
                .filter_map(|l| l.split_once(':'))
                .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
                .collect(),
            body: body.to_string(),
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

pub fn site() -> Site {
    Site::fixture("serve-site")
}

/// Edits while `serve` runs (the builder's `file` is for setting a site up).
pub trait Edit {
    fn write(&self, relative: &str, contents: &str);
}

impl Edit for Site {
    fn write(&self, relative: &str, contents: &str) {
        std::fs::write(self.path(relative), contents).expect("write a site file");
    }
}

/// Polls until `target` answers with a body containing `text` (the rebuild may still be running).
pub fn eventually_contains(preview: &Preview, target: &str, text: &str) -> Reply {
    let deadline = Instant::now() + EVENT;
    loop {
        let reply = preview.get(target);
        if reply.body.contains(text) {
            return reply;
        }
        assert!(
            Instant::now() < deadline,
            "{target} never showed {text:?}; last: {reply:?}"
        );
        thread::sleep(Duration::from_millis(20));
    }
}
