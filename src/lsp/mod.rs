//! `sre-guide lsp`: a language server over stdio (rust-analyzer's `lsp-server` and `lsp-types`)
//! that brings the build's own checks into the editor. Above `build`, like `serve`: every answer
//! comes from the pipeline run over the site on disk with the open documents' unsaved texts in
//! place of their files (`analysis.rs`), so messages and codes are the terminal's. Diagnostics
//! are published a short debounce after the last change, only for files whose diagnostics
//! changed; requests wait for a pending analysis, so they never answer from stale text. It never
//! writes a file, answers every request even when a handler fails, and exits on `shutdown` and
//! `exit`.

mod analysis;
mod complete;
mod context;
mod documents;
mod memory;
mod navigate;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{self, Notification as _};
use lsp_types::request::{self, Request as _};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionProviderCapability, CompletionOptions,
    InitializeParams, OneOf, PositionEncodingKind, PublishDiagnosticsParams, ServerCapabilities,
    ServerInfo, TextDocumentSyncCapability, TextDocumentSyncKind,
};
use serde_json::Value;

use analysis::Analysis;
use documents::{Documents, Encoding, path_of, uri_of};

/// How long after the last change the site is analysed again: a burst of keystrokes is one
/// analysis, and a pause is answered well within 100 ms.
const DEBOUNCE: Duration = Duration::from_millis(25);

/// Serves the language server protocol on stdin and stdout until `exit`. `root` is the site
/// root; without it, the client's workspace folder (or the working directory).
pub(crate) fn run(root: Option<PathBuf>) -> anyhow::Result<()> {
    let (connection, io_threads) = Connection::stdio();
    serve(&connection, root)?;
    drop(connection);
    io_threads
        .join()
        .context("the language server's input or output failed")?;
    Ok(())
}

/// The whole session on one connection: initialize, then messages until `exit`.
pub(crate) fn serve(connection: &Connection, root: Option<PathBuf>) -> anyhow::Result<()> {
    let (id, params) = connection.initialize_start()?;
    let params: InitializeParams = serde_json::from_value(params).unwrap_or_default();
    let encoding = encoding(&params);
    let root = site_root(root, &params)?;
    let result = serde_json::json!({
        "capabilities": capabilities(encoding),
        "serverInfo": ServerInfo {
            name: "sre-guide".to_string(),
            version: Some(env!("CARGO_PKG_VERSION").to_string()),
        },
    });
    connection.initialize_finish(id, result)?;
    let mut server = Server {
        root,
        encoding,
        documents: Documents::default(),
        analysis: None,
        schemas: crate::load::schemas::all()
            .into_iter()
            .map(|file| (file.name, file.schema.to_value()))
            .collect(),
        published: HashMap::new(),
        changed_at: Some(Instant::now()),
        memory: memory::PageCache::default(),
    };
    server.main_loop(connection)
}

/// The position encoding both sides speak: UTF-8 when the client offers it (no conversion),
/// else the protocol's default, UTF-16.
fn encoding(params: &InitializeParams) -> Encoding {
    let offered = params
        .capabilities
        .general
        .as_ref()
        .and_then(|general| general.position_encodings.as_ref());
    if offered.is_some_and(|kinds| kinds.contains(&PositionEncodingKind::UTF8)) {
        Encoding::Utf8
    } else {
        Encoding::Utf16
    }
}

/// `--root`, else the first workspace folder, else the client's root URI, else `.`; made
/// absolute, since documents are matched to files by path.
fn site_root(given: Option<PathBuf>, params: &InitializeParams) -> anyhow::Result<PathBuf> {
    #[allow(deprecated, reason = "older clients send only rootUri")]
    let from_client = params
        .workspace_folders
        .as_ref()
        .and_then(|folders| folders.first())
        .map(|folder| &folder.uri)
        .or(params.root_uri.as_ref())
        .and_then(path_of);
    let root = given.or(from_client).unwrap_or_else(|| PathBuf::from("."));
    root.canonicalize()
        .with_context(|| format!("cannot open the site root {}", root.display()))
}

fn capabilities(encoding: Encoding) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(match encoding {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }),
        text_document_sync: Some(TextDocumentSyncCapability::Kind(
            TextDocumentSyncKind::INCREMENTAL,
        )),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(["(", "#", "/", "\""].map(String::from).to_vec()),
            ..CompletionOptions::default()
        }),
        definition_provider: Some(OneOf::Left(true)),
        hover_provider: Some(lsp_types::HoverProviderCapability::Simple(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            ..CodeActionOptions::default()
        })),
        ..ServerCapabilities::default()
    }
}

pub(crate) struct Server {
    /// The site root, absolute and canonical.
    pub(crate) root: PathBuf,
    pub(crate) encoding: Encoding,
    pub(crate) documents: Documents,
    /// The last analysis of the site, with the documents as they were then.
    pub(crate) analysis: Option<Analysis>,
    /// The JSON Schemas of the TOML files, by file name (`ladder.schema.json`).
    schemas: HashMap<&'static str, Value>,
    /// What each file's diagnostics were when last published.
    published: HashMap<PathBuf, Vec<lsp_types::Diagnostic>>,
    /// When a document last changed, while no analysis has seen it.
    changed_at: Option<Instant>,
    /// Pages parsed by earlier analyses, reused while their file is unchanged.
    memory: memory::PageCache,
}

impl Server {
    fn main_loop(&mut self, connection: &Connection) -> anyhow::Result<()> {
        loop {
            let received = match self.changed_at {
                Some(changed) => match connection.receiver.recv_deadline(changed + DEBOUNCE) {
                    Ok(message) => Some(message),
                    Err(crossbeam_timeout) if crossbeam_timeout.is_timeout() => None,
                    Err(_) => return Ok(()),
                },
                None => match connection.receiver.recv() {
                    Ok(message) => Some(message),
                    Err(_) => return Ok(()),
                },
            };
            match received {
                None => self.refresh(connection)?,
                Some(Message::Request(request)) => {
                    if connection.handle_shutdown(&request)? {
                        return Ok(());
                    }
                    if self.changed_at.is_some() {
                        self.refresh(connection)?;
                    }
                    connection.sender.send(self.respond(request).into())?;
                }
                Some(Message::Notification(note)) if note.method == notification::Exit::METHOD => {
                    return Ok(());
                }
                Some(Message::Notification(note)) => self.notice(note),
                Some(Message::Response(_)) => {}
            }
        }
    }

    /// Analyses the site again and publishes the diagnostics that changed.
    fn refresh(&mut self, connection: &Connection) -> anyhow::Result<()> {
        self.changed_at = None;
        let analysed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            analysis::analyse(&self.root, &self.documents, self.encoding, &self.memory)
        }));
        let analysis = match analysed {
            Ok(Ok(analysis)) => analysis,
            Ok(Err(error)) => return log(connection, &format!("{error:#}")),
            Err(_) => return log(connection, "the analysis of the site failed unexpectedly"),
        };
        let mut now: HashMap<PathBuf, Vec<lsp_types::Diagnostic>> = analysis
            .diagnostics
            .iter()
            .map(|(path, found)| {
                (
                    path.clone(),
                    found.iter().map(|p| p.diagnostic.clone()).collect(),
                )
            })
            .collect();
        let mut paths: Vec<PathBuf> = now.keys().chain(self.published.keys()).cloned().collect();
        paths.sort();
        paths.dedup();
        for path in paths {
            let diagnostics = now.remove(&path).unwrap_or_default();
            if self
                .published
                .get(&path)
                .map_or(diagnostics.is_empty(), |old| *old == diagnostics)
            {
                continue;
            }
            let Some(uri) = uri_of(&path) else { continue };
            let params = PublishDiagnosticsParams {
                uri,
                diagnostics: diagnostics.clone(),
                version: self.documents.get(&path).map(|d| d.version),
            };
            let note = Notification::new(notification::PublishDiagnostics::METHOD.into(), params);
            connection.sender.send(note.into())?;
            if diagnostics.is_empty() {
                self.published.remove(&path);
            } else {
                self.published.insert(path, diagnostics);
            }
        }
        self.analysis = Some(analysis);
        Ok(())
    }

    /// Open, change, close and save notifications; anything else is ignored.
    fn notice(&mut self, note: Notification) {
        match note.method.as_str() {
            notification::DidOpenTextDocument::METHOD => {
                if let Ok(params) = note.extract::<lsp_types::DidOpenTextDocumentParams>(
                    notification::DidOpenTextDocument::METHOD,
                ) && let Some(path) = path_of(&params.text_document.uri)
                {
                    let document = params.text_document;
                    self.documents.open(path, document.text, document.version);
                }
            }
            notification::DidChangeTextDocument::METHOD => {
                if let Ok(params) = note.extract::<lsp_types::DidChangeTextDocumentParams>(
                    notification::DidChangeTextDocument::METHOD,
                ) && let Some(path) = path_of(&params.text_document.uri)
                {
                    let version = params.text_document.version;
                    self.documents
                        .change(&path, version, params.content_changes, self.encoding);
                }
            }
            notification::DidCloseTextDocument::METHOD => {
                if let Ok(params) = note.extract::<lsp_types::DidCloseTextDocumentParams>(
                    notification::DidCloseTextDocument::METHOD,
                ) && let Some(path) = path_of(&params.text_document.uri)
                {
                    self.documents.close(&path);
                }
            }
            notification::DidSaveTextDocument::METHOD
            | notification::DidChangeWatchedFiles::METHOD => {}
            _ => return,
        }
        self.changed_at = Some(Instant::now());
    }

    /// The answer to one request; a handler that fails answers with an error, never silence.
    fn respond(&self, request: Request) -> Response {
        let id = request.id.clone();
        let answered =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.answer(request)));
        match answered {
            Ok(Ok(result)) => Response::new_ok(id, result),
            Ok(Err((code, message))) => Response::new_err(id, code as i32, message),
            Err(_) => Response::new_err(
                id,
                ErrorCode::InternalError as i32,
                "the request failed unexpectedly".into(),
            ),
        }
    }

    fn answer(&self, request: Request) -> Result<Value, (ErrorCode, String)> {
        let method = request.method.clone();
        let position = |params: &lsp_types::TextDocumentPositionParams| {
            let path = path_of(&params.text_document.uri)?;
            let text = self.text_of(&path)?;
            let offset = documents::offset(&text, params.position, self.encoding);
            Some((path, text, offset))
        };
        let json = |value: Result<Value, serde_json::Error>| {
            value.map_err(|e| (ErrorCode::InternalError, e.to_string()))
        };
        match method.as_str() {
            request::Completion::METHOD => {
                let params: lsp_types::CompletionParams = params(request)?;
                let items = position(&params.text_document_position)
                    .map(|(path, text, offset)| self.completions(&path, &text, offset))
                    .unwrap_or_default();
                json(serde_json::to_value(items))
            }
            request::GotoDefinition::METHOD => {
                let params: lsp_types::GotoDefinitionParams = params(request)?;
                let found = position(&params.text_document_position_params)
                    .and_then(|(path, text, offset)| self.definition(&path, &text, offset));
                json(serde_json::to_value(found))
            }
            request::HoverRequest::METHOD => {
                let params: lsp_types::HoverParams = params(request)?;
                let found = position(&params.text_document_position_params)
                    .and_then(|(path, text, offset)| self.hover(&path, &text, offset));
                json(serde_json::to_value(found))
            }
            request::DocumentSymbolRequest::METHOD => {
                let params: lsp_types::DocumentSymbolParams = params(request)?;
                let symbols = path_of(&params.text_document.uri)
                    .and_then(|path| Some(self.symbols(&path, &self.text_of(&path)?)))
                    .unwrap_or_default();
                json(serde_json::to_value(symbols))
            }
            request::CodeActionRequest::METHOD => {
                let params: lsp_types::CodeActionParams = params(request)?;
                let actions = path_of(&params.text_document.uri)
                    .map(|path| self.code_actions(&path, params.range))
                    .unwrap_or_default();
                json(serde_json::to_value(actions))
            }
            _ => Err((ErrorCode::MethodNotFound, format!("no method {method}"))),
        }
    }

    /// The root schema of a TOML document: site.toml, a typed data file, or a page's front matter.
    pub(crate) fn schema_for(&self, path: &Path) -> Option<&Value> {
        let relative = path.strip_prefix(&self.root).ok()?.to_str()?;
        let name = match relative {
            "content/site.toml" => "site.schema.json",
            "content/data/ladder.toml" => "ladder.schema.json",
            "content/data/compensation.toml" => "compensation.schema.json",
            "content/data/quiz.toml" => "quiz.schema.json",
            _ if relative.starts_with("content/") && relative.ends_with(".md") => {
                "front-matter.schema.json"
            }
            _ => return None,
        };
        self.schemas.get(name)
    }
}

fn params<P: serde::de::DeserializeOwned>(request: Request) -> Result<P, (ErrorCode, String)> {
    serde_json::from_value(request.params).map_err(|e| (ErrorCode::InvalidParams, e.to_string()))
}

/// A message in the client's log (why there is no analysis, say).
fn log(connection: &Connection, message: &str) -> anyhow::Result<()> {
    let params = lsp_types::LogMessageParams {
        typ: lsp_types::MessageType::WARNING,
        message: format!("sre-guide: {message}"),
    };
    let note = Notification::new(notification::LogMessage::METHOD.into(), params);
    connection.sender.send(note.into())?;
    Ok(())
}
