//! The DevTools protocol as the browser tests speak it: JSON messages (serde_json) over one
//! WebSocket (tungstenite) to Chromium, each tab attached as a flat session of that connection.
//! Every call has a deadline ([`CALL`]), so a browser that stops answering fails the test that
//! asked, never the whole binary; a connection that ends fails every call at once.
//!
//! Why not a driver crate: the tests use about twenty of the protocol's methods, and the crates
//! that drive Chromium generate types for all of it — headless_chrome was the largest crate of a
//! fresh compile (~80 s of CPU, checked and built, on the critical path of every CI run), and its
//! transport gave up for good on a connection it found idle. The WebSocket framing stays
//! tungstenite's and the JSON serde_json's; what is here is matching answers to questions.

use std::collections::HashMap;
use std::net::TcpStream;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use base64::Engine;
use serde_json::{Value, json};
use tungstenite::protocol::Role;
use tungstenite::{Message, WebSocket};

/// The longest one DevTools call may go unanswered: past any page's load or axe run on a busy
/// machine, and a fraction of what a hung browser would otherwise cost.
pub const CALL: Duration = Duration::from_secs(60);

/// Something Chromium told a session without being asked: `Runtime.exceptionThrown`, …
pub struct Event {
    pub method: String,
    pub params: Value,
}

pub type Listener = Arc<dyn Fn(&Event) + Send + Sync>;

/// What the reader thread and the callers share.
#[derive(Default)]
struct State {
    /// Calls waiting for their answer, by id.
    waiting: HashMap<u64, mpsc::Sender<Result<Value>>>,
    /// Event listeners by session id.
    listeners: HashMap<String, Vec<Listener>>,
    /// Why the connection ended, once it has.
    ended: Option<String>,
}

/// One connection to Chromium's browser endpoint.
pub struct Connection {
    writer: Mutex<WebSocket<TcpStream>>,
    next_id: AtomicU64,
    state: Arc<Mutex<State>>,
}

/// A lock that a panicking test left behind is still good: what it guards stays consistent.
pub fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

impl Connection {
    /// Connects to `url` (`ws://127.0.0.1:PORT/devtools/browser/…`) and starts reading.
    pub fn open(url: &str) -> Result<Arc<Connection>> {
        let address = url
            .strip_prefix("ws://")
            .and_then(|rest| rest.split('/').next())
            .with_context(|| format!("not a ws:// URL: {url}"))?;
        let stream = TcpStream::connect(address).with_context(|| format!("connect to {url}"))?;
        stream.set_nodelay(true)?;
        // The handshake and all reading on one handle of the socket, all writing on another:
        // a call never waits for the reader. (Chromium sends no pings, so the reading side
        // never has a frame of its own to write.)
        let writer = stream.try_clone()?;
        let (reader, _) =
            tungstenite::client(url, stream).map_err(|e| anyhow!("handshake with {url}: {e}"))?;
        let connection = Arc::new(Connection {
            writer: Mutex::new(WebSocket::from_raw_socket(writer, Role::Client, None)),
            next_id: AtomicU64::new(1),
            state: Arc::default(),
        });
        let state = connection.state.clone();
        std::thread::spawn(move || read(reader, &state));
        Ok(connection)
    }

    /// Calls `method` in `session` (or on the browser) and waits for its result.
    pub fn call(&self, session: Option<&str>, method: &str, params: Value) -> Result<Value> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (answer, answered) = mpsc::channel();
        {
            let mut state = lock(&self.state);
            if let Some(why) = &state.ended {
                bail!("{method}: {why}");
            }
            state.waiting.insert(id, answer);
        }
        let mut message = json!({ "id": id, "method": method, "params": params });
        if let Some(session) = session {
            message["sessionId"] = session.into();
        }
        let sent = lock(&self.writer).send(Message::text(message.to_string()));
        if let Err(e) = sent {
            lock(&self.state).waiting.remove(&id);
            bail!("{method}: send to Chromium: {e}");
        }
        match answered.recv_timeout(CALL) {
            Ok(result) => result.with_context(|| method.to_string()),
            Err(_) => {
                lock(&self.state).waiting.remove(&id);
                bail!("{method}: Chromium did not answer within {CALL:?}")
            }
        }
    }

    fn listen(&self, session: &str, listener: Listener) {
        lock(&self.state)
            .listeners
            .entry(session.to_string())
            .or_default()
            .push(listener);
    }

    fn forget(&self, session: &str) {
        lock(&self.state).listeners.remove(session);
    }
}

/// The reader thread: hands each answer to its caller and each event to its session's
/// listeners until the connection ends, then fails every call still waiting.
fn read(mut socket: WebSocket<TcpStream>, state: &Mutex<State>) {
    let why = loop {
        match socket.read() {
            Ok(Message::Text(text)) => match serde_json::from_str::<Value>(&text) {
                Ok(message) => dispatch(message, state),
                Err(e) => break format!("Chromium sent what is not JSON ({e})"),
            },
            Ok(Message::Close(_)) => break "Chromium closed the DevTools connection".to_string(),
            Ok(_) => {}
            Err(e) => break format!("the DevTools connection failed: {e}"),
        }
    };
    let mut state = lock(state);
    for (_, caller) in state.waiting.drain() {
        let _ = caller.send(Err(anyhow!("{why}")));
    }
    state.ended = Some(why);
}

fn dispatch(mut message: Value, state: &Mutex<State>) {
    if let Some(id) = message.get("id").and_then(Value::as_u64) {
        let Some(caller) = lock(state).waiting.remove(&id) else {
            return; // its caller gave up waiting
        };
        let result = match message.get_mut("error") {
            Some(error) => Err(anyhow!("Chromium: {error}")),
            None => Ok(message
                .get_mut("result")
                .map(Value::take)
                .unwrap_or(Value::Null)),
        };
        let _ = caller.send(result);
    } else if let Some(method) = message.get("method").and_then(Value::as_str) {
        let session = message
            .get("sessionId")
            .and_then(Value::as_str)
            .unwrap_or("");
        // Listeners run outside the lock: one may call back into the connection.
        let listeners = lock(state)
            .listeners
            .get(session)
            .cloned()
            .unwrap_or_default();
        if listeners.is_empty() {
            return;
        }
        let event = Event {
            method: method.to_string(),
            params: message
                .get_mut("params")
                .map(Value::take)
                .unwrap_or(Value::Null),
        };
        for listener in listeners {
            listener(&event);
        }
    }
}

/// The browser as a whole: contexts (profiles) and the tabs in them.
pub struct Browser {
    connection: Arc<Connection>,
}

impl Browser {
    pub fn connect(url: &str) -> Result<Browser> {
        Ok(Browser {
            connection: Connection::open(url)?,
        })
    }

    /// A new incognito context: storage, cookies, cache and history of its own.
    pub fn new_context(&self) -> Result<String> {
        let made = self
            .connection
            .call(None, "Target.createBrowserContext", json!({}))?;
        string(&made, "browserContextId")
    }

    pub fn dispose_context(&self, context: &str) -> Result<()> {
        self.connection.call(
            None,
            "Target.disposeBrowserContext",
            json!({ "browserContextId": context }),
        )?;
        Ok(())
    }

    /// A blank tab in `context`, in a window of its own (the front tab of a window is the only
    /// one Chromium renders, and a page that is not rendered never scrolls to a fragment or to
    /// what takes focus), attached and with its page events on.
    pub fn new_tab(&self, context: &str, width: u32, height: u32) -> Result<Arc<Tab>> {
        let made = self.connection.call(
            None,
            "Target.createTarget",
            json!({
                "url": "about:blank", "browserContextId": context, "newWindow": true,
                "background": false, "width": width, "height": height,
            }),
        )?;
        let target = string(&made, "targetId")?;
        let attached = self.connection.call(
            None,
            "Target.attachToTarget",
            json!({ "targetId": target, "flatten": true }),
        )?;
        let tab = Arc::new(Tab {
            connection: self.connection.clone(),
            session: string(&attached, "sessionId")?,
            target,
        });
        tab.call("Page.enable", json!({}))?;
        Ok(tab)
    }
}

fn string(value: &Value, key: &str) -> Result<String> {
    value
        .get(key)
        .and_then(Value::as_str)
        .map(str::to_string)
        .with_context(|| format!("no {key} in {value}"))
}

/// A tab (a page target) and its session.
pub struct Tab {
    connection: Arc<Connection>,
    session: String,
    target: String,
}

/// What `Runtime.evaluate` gave back, by value.
pub struct Evaluated {
    /// The result as JSON; `None` for `undefined` (and for what JSON cannot hold).
    pub value: Option<Value>,
}

impl Tab {
    /// Calls a method of the protocol in this tab's session.
    pub fn call(&self, method: &str, params: Value) -> Result<Value> {
        self.connection.call(Some(&self.session), method, params)
    }

    /// Calls `listener` with each event of this tab from now on.
    pub fn add_event_listener(&self, listener: Listener) {
        self.connection.listen(&self.session, listener);
    }

    /// Evaluates `expression` in the page, waiting for the promise it returns if
    /// `await_promise`; an exception it throws is an error.
    pub fn evaluate(&self, expression: &str, await_promise: bool) -> Result<Evaluated> {
        let mut answer = self.call(
            "Runtime.evaluate",
            json!({ "expression": expression, "awaitPromise": await_promise, "returnByValue": true }),
        )?;
        if let Some(details) = answer.get("exceptionDetails") {
            let what = details
                .pointer("/exception/description")
                .or_else(|| details.get("text"))
                .and_then(Value::as_str)
                .unwrap_or("an exception");
            bail!("{what}");
        }
        Ok(Evaluated {
            value: answer.pointer_mut("/result/value").map(Value::take),
        })
    }

    /// Starts loading `url` (without waiting for it: see the tests' `open`).
    pub fn navigate_to(&self, url: &str) -> Result<()> {
        let answer = self.call("Page.navigate", json!({ "url": url }))?;
        match answer.get("errorText").and_then(Value::as_str) {
            Some(error) if !error.is_empty() => bail!("navigate to {url}: {error}"),
            _ => Ok(()),
        }
    }

    pub fn reload(&self) -> Result<()> {
        self.call("Page.reload", json!({}))?;
        Ok(())
    }

    pub fn bring_to_front(&self) -> Result<()> {
        self.call("Page.bringToFront", json!({}))?;
        Ok(())
    }

    pub fn close(&self) -> Result<()> {
        self.connection.forget(&self.session);
        self.connection.call(
            None,
            "Target.closeTarget",
            json!({ "targetId": self.target }),
        )?;
        Ok(())
    }

    /// Presses and releases `key` as a keyboard would: a name ("Tab", "Enter", "ArrowDown", …)
    /// or one character.
    pub fn press_key(&self, key: &str) -> Result<()> {
        self.press(key, key_definition(key)?)
    }

    fn press(
        &self,
        key: &str,
        (code, key_code, text): (String, u32, Option<String>),
    ) -> Result<()> {
        let mut down = json!({
            "type": if text.is_some() { "keyDown" } else { "rawKeyDown" },
            "key": key, "code": code,
            "windowsVirtualKeyCode": key_code, "nativeVirtualKeyCode": key_code,
        });
        if let Some(text) = text {
            down["text"] = text.clone().into();
            down["unmodifiedText"] = text.into();
        }
        self.call("Input.dispatchKeyEvent", down)?;
        self.call(
            "Input.dispatchKeyEvent",
            json!({
                "type": "keyUp", "key": key, "code": code,
                "windowsVirtualKeyCode": key_code, "nativeVirtualKeyCode": key_code,
            }),
        )?;
        Ok(())
    }

    /// Types `text` a key at a time (a character with no key of its own is inserted as text).
    pub fn type_str(&self, text: &str) -> Result<()> {
        for c in text.chars() {
            let c = c.to_string();
            match key_definition(&c) {
                Ok(definition) => self.press(&c, definition)?,
                Err(_) => {
                    self.call("Input.insertText", json!({ "text": c }))?;
                }
            }
        }
        Ok(())
    }

    /// The page printed to PDF with `options` (`Page.printToPDF`'s parameters).
    pub fn print_to_pdf(&self, options: Value) -> Result<Vec<u8>> {
        let printed = self.call("Page.printToPDF", options)?;
        let data = string(&printed, "data")?;
        Ok(base64::engine::general_purpose::STANDARD.decode(data)?)
    }

    /// Chooses `files` in the file field `selector`, as a reader picking them would.
    pub fn set_input_files(&self, selector: &str, files: &[&str]) -> Result<()> {
        let selector_json = serde_json::to_string(selector)?;
        let found = self.call(
            "Runtime.evaluate",
            json!({ "expression": format!("document.querySelector({selector_json})") }),
        )?;
        let object = found
            .pointer("/result/objectId")
            .and_then(Value::as_str)
            .with_context(|| format!("no element {selector}"))?;
        self.call(
            "DOM.setFileInputFiles",
            json!({ "files": files, "objectId": object }),
        )?;
        Ok(())
    }
}

/// A key's `code`, Windows key code and the text it types, for the keys the tests press.
fn key_definition(key: &str) -> Result<(String, u32, Option<String>)> {
    let named = |code: &str, key_code: u32, text: Option<&str>| {
        Ok((code.to_string(), key_code, text.map(str::to_string)))
    };
    match key {
        "Backspace" => named("Backspace", 8, None),
        "Tab" => named("Tab", 9, None),
        "Enter" => named("Enter", 13, Some("\r")),
        "Escape" => named("Escape", 27, None),
        " " => named("Space", 32, Some(" ")),
        "ArrowLeft" => named("ArrowLeft", 37, None),
        "ArrowUp" => named("ArrowUp", 38, None),
        "ArrowRight" => named("ArrowRight", 39, None),
        "ArrowDown" => named("ArrowDown", 40, None),
        "/" => named("Slash", 191, Some("/")),
        _ => {
            let mut chars = key.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) if c.is_ascii_lowercase() => named(
                    &format!("Key{}", c.to_ascii_uppercase()),
                    c.to_ascii_uppercase() as u32,
                    Some(key),
                ),
                (Some(c), None) if c.is_ascii_digit() => {
                    named(&format!("Digit{c}"), c as u32, Some(key))
                }
                _ => bail!("no key definition for {key:?}"),
            }
        }
    }
}
