//! Answering one request from the current [`State`]. In: a request's method,
//! target and headers. Out: a page, a file, a redirect, the 404 page, a 304, or a 400 for an unsafe
//! path. The path is decoded once and only ever used as a key into the stored files: nothing here
//! reads the site's folders. Event streams and limits are [`http`](super::http)'s.

use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use percent_encoding::percent_decode_str;

use hyper::body::Bytes;

use super::hot::HotFiles;
use super::live::{Live, State};
use super::livereload::{EVENTS, LIVERELOAD_JS, SCRIPT};
use super::reply::{Body, Reply};
use super::store::{Facts, Stored};
use crate::model::source::content_hash;
use crate::model::url::{Generated, OutputPath, Route, relative_root};

pub(super) fn request<B>(live: &Live, request: &Request<B>) -> Reply {
    if let Some(refused) = refused(live, request) {
        return refused;
    }
    // An absolute-form target (`GET http://localhost:1111/docs/ HTTP/1.1`, RFC 9112 §3.2.2) is
    // answered as its path; its host took the Host header's place in `refused`.
    if let Some(scheme) = request.uri().scheme_str()
        && !scheme.eq_ignore_ascii_case("http")
        && !scheme.eq_ignore_ascii_case("https")
    {
        return text(
            400,
            "400 bad request: the target must be a path or an http URL\n",
        );
    }
    let url = request.uri().path_and_query().map_or("/", |p| p.as_str());
    let target = match Target::parse(url) {
        Ok(target) => target,
        Err(reason) => return text(400, &format!("400 bad request: {reason}\n")),
    };
    if target.path == EVENTS {
        return text(
            400,
            "400 bad request: the event stream is a WebSocket; pages open it by themselves\n",
        );
    }
    let state = live.current();
    respond(&state, &live.hot, &target, request)
}

/// While the first build runs, waits for the file a request asks for, the build process asked
/// to render its page first ([`Live::first_build`]); at once after that.
pub(super) async fn first_build<B>(live: &Live, request: &Request<B>) {
    let url = request.uri().path_and_query().map_or("/", |p| p.as_str());
    let Ok(target) = Target::parse(url) else {
        return;
    };
    if target.path == EVENTS || target.path == SCRIPT {
        return;
    }
    let route = Route::requested(&target.path);
    let key = match &route {
        Some(route) => OutputPath::page(route).to_string(),
        None => target.path.clone(),
    };
    let route = route.map(|route| route.to_string());
    live.first_build(&key, route, super::limits::FIRST_BUILD_WAIT)
        .await;
}

/// The answer to a request the preview refuses: it answers GET and HEAD only, and (bound to
/// loopback) only to loopback host names.
pub(super) fn refused<B>(live: &Live, request: &Request<B>) -> Option<Reply> {
    if request.method() != Method::GET && request.method() != Method::HEAD {
        let mut reply = text(
            405,
            "405 method not allowed: the preview answers GET and HEAD\n",
        );
        reply
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return Some(reply);
    }
    if live.loopback_only && !host_is_loopback(request) {
        return Some(text(
            403,
            "403 forbidden: this preview listens on loopback and answers only to localhost or \
             127.0.0.1 (a guard against DNS rebinding); to reach it by another name, pass \
             --bind\n",
        ));
    }
    None
}

fn respond<B>(state: &State, hot: &HotFiles, target: &Target, request: &Request<B>) -> Reply {
    let prefix = relative_root(&target.path);
    if target.path == SCRIPT {
        let etag = format!("\"{:016x}\"", content_hash(LIVERELOAD_JS.as_bytes()));
        return file(request, Body::whole(LIVERELOAD_JS), SCRIPT, etag);
    }
    let Some(site) = &state.site else {
        let listing = state.failure.as_ref().map_or("", |f| f.listing.as_str());
        let page = inject(first_build_failed(listing).as_bytes(), &prefix, state.build);
        let html = [("content-type", "text/html; charset=utf-8")];
        return reply(500, Body::whole(page), &html);
    };
    let key = match Route::requested(&target.path) {
        Some(route) => OutputPath::page(&route).to_string(),
        None => target.path.clone(),
    };
    if let Some(stored) = site.stored(&key) {
        let mut etag = format!("\"{:016x}", stored.hash);
        let body = if key.ends_with(".html") {
            // The page carries the build id, so its ETag must too.
            etag.push_str(&format!("-{}", state.build));
            with_script(hot, stored, &prefix, state.build)
        } else {
            stored_body(hot, stored, None)
        };
        etag.push('"');
        return file(request, body, &key, etag);
    }
    let folder = Route::requested(&format!("{}/", target.path));
    if !target.path.is_empty()
        && !target.path.ends_with('/')
        && folder.is_some_and(|route| site.stored(&OutputPath::page(&route)).is_some())
    {
        // Relative, so it stays right behind a proxy that serves the site under a subpath.
        let last = target.raw_path.rsplit('/').next().unwrap_or_default();
        let location = match target.query {
            Some(query) => format!("./{last}/?{query}"),
            None => format!("./{last}/"),
        };
        if location.bytes().all(|b| b.is_ascii_graphic()) {
            return reply(301, Body::empty(), &[("location", &location)]);
        }
    }
    match site.stored(&OutputPath::generated(Generated::NotFound)) {
        Some(page) => reply(
            404,
            with_script(hot, page, &prefix, state.build),
            &[("content-type", "text/html; charset=utf-8")],
        ),
        None => text(404, "404 not found\n"),
    }
}

/// A stored page with the live-reload script before its last `</body>`.
fn with_script(hot: &HotFiles, page: &Stored, prefix: &str, build: u64) -> Body {
    let tag = script_tag(prefix, build);
    stored_body(hot, page, Some((page.facts.body_end, tag.into())))
}

/// A stored file's answer: from memory when it is small enough to be kept hot, else inflated
/// from the pack as it is sent.
fn stored_body(hot: &HotFiles, stored: &Stored, insert: Option<(u64, Bytes)>) -> Body {
    match hot.get(stored) {
        Some(bytes) => Body::spliced(bytes, insert),
        None => Body::stored(stored.clone(), insert),
    }
}

/// A file with its type and validator; `If-None-Match` with the same ETag gets a bodiless 304.
fn file<B>(request: &Request<B>, body: Body, key: &str, etag: String) -> Reply {
    let fresh = request
        .headers()
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .any(|value| etag_matches(value, &etag));
    let content_type = content_type(key);
    let mut headers = vec![
        ("etag", etag.as_str()),
        ("x-content-type-options", "nosniff"),
    ];
    if fresh {
        return reply(304, Body::empty(), &headers);
    }
    headers.push(("content-type", &content_type));
    reply(200, body, &headers)
}

/// A response that is never cached without asking (`no-cache`). Every header value passed here
/// is built by this module from printable ASCII, or checked to be.
fn reply(status: u16, body: Body, headers: &[(&'static str, &str)]) -> Reply {
    let mut reply = Response::new(body);
    *reply.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let map = reply.headers_mut();
    map.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    for (name, value) in headers {
        if let Ok(value) = HeaderValue::from_str(value) {
            map.insert(*name, value);
        }
    }
    reply
}

fn etag_matches(if_none_match: &str, etag: &str) -> bool {
    if_none_match
        .split(',')
        .map(|tag| tag.trim().trim_start_matches("W/"))
        .any(|tag| tag == "*" || tag == etag)
}

fn content_type(key: &str) -> String {
    let mime = mime_guess::from_path(key).first_or_octet_stream();
    let textual = mime.type_() == mime_guess::mime::TEXT
        || matches!(
            mime.essence_str(),
            "application/javascript" | "application/json" | "application/xml" | "image/svg+xml"
        );
    if textual {
        format!("{}; charset=utf-8", mime.essence_str())
    } else {
        mime.essence_str().to_string()
    }
}

pub(super) fn text(status: u16, body: &str) -> Reply {
    reply(
        status,
        Body::whole(body.as_bytes().to_vec()),
        &[("content-type", "text/plain; charset=utf-8")],
    )
}

/// A request target that passed every check: `path` is percent-decoded exactly once, relative to
/// the site root (no leading `/`), and can only be used as a key into the in-memory output.
#[derive(Debug, PartialEq)]
struct Target<'a> {
    path: String,
    raw_path: &'a str,
    query: Option<&'a str>,
}

/// Checks a request target. Anything that could name a file outside the site, or mean something
/// different after a second decoding, is refused rather than normalised.
impl<'a> Target<'a> {
    fn parse(url: &'a str) -> Result<Target<'a>, &'static str> {
        let url = url.split_once('#').map_or(url, |(before, _)| before);
        let (raw_path, query) = match url.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (url, None),
        };
        let Some(relative) = raw_path.strip_prefix('/') else {
            return Err("the path must start with `/`");
        };
        if relative.starts_with('/') {
            return Err("the path must not start with `//`");
        }
        let decoded = percent_decode_str(relative)
            .decode_utf8()
            .map_err(|_| "the path is not UTF-8 once decoded")?;
        refuse_unsafe(&decoded)?;
        if decoded.matches('/').count() != relative.matches('/').count() {
            return Err("the path has an encoded `/`");
        }
        // Decoding once more must not reveal anything that the checks above would refuse.
        let twice = percent_decode_str(&decoded).decode_utf8_lossy();
        if twice != decoded {
            refuse_unsafe(&twice).map_err(|_| "the path is encoded twice")?;
            if twice.matches('/').count() != decoded.matches('/').count() {
                return Err("the path is encoded twice");
            }
        }
        Ok(Target {
            path: decoded.into_owned(),
            raw_path,
            query,
        })
    }
}

fn refuse_unsafe(path: &str) -> Result<(), &'static str> {
    if path.contains('\0') {
        return Err("the path has a NUL byte");
    }
    if path.contains('\\') {
        return Err("the path has a backslash");
    }
    if path.contains("//") {
        return Err("the path has an empty segment");
    }
    if path
        .split('/')
        .any(|segment| segment == ".." || segment == ".")
    {
        return Err("the path has a `.` or `..` segment");
    }
    if path.starts_with('/') {
        return Err("the path is absolute");
    }
    Ok(())
}

pub(super) fn query_value<'a>(query: Option<&'a str>, name: &str) -> Option<&'a str> {
    query?
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// The live-reload script's tag, for a page `prefix` below the root, from build `build`.
fn script_tag(prefix: &str, build: u64) -> String {
    format!(r#"<script src="{prefix}{SCRIPT}" data-build="{build}"></script>"#)
}

/// Adds the live-reload script before `</body>` (or at the end when there is none), where the
/// store would put it (`Facts::body_end`).
fn inject(html: &[u8], prefix: &str, build: u64) -> Vec<u8> {
    let tag = script_tag(prefix, build);
    let at = Facts::of(html).body_end as usize;
    let mut page = Vec::with_capacity(html.len() + tag.len());
    page.extend_from_slice(&html[..at]);
    page.extend_from_slice(tag.as_bytes());
    page.extend_from_slice(&html[at..]);
    page
}

/// The page every URL shows until a build succeeds: the problems as text, and the overlay script.
fn first_build_failed(listing: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>Build failed · sre-guide serve</title></head>\n<body>\n\
         <h1>The site does not build yet</h1>\n<pre>{}</pre>\n\
         <p>Fix the files and save; this page reloads by itself.</p>\n</body></html>\n",
        crate::model::html::escape(listing)
    )
}

/// Whether the request's host names this machine: `localhost`, `*.localhost`, `127.x.x.x` or
/// `[::1]`, with any port. The host is an absolute-form target's, else the Host header's (RFC
/// 9112 §3.2.2); a request without either (HTTP/1.0 tools) is let through.
fn host_is_loopback<B>(request: &Request<B>) -> bool {
    if let Some(authority) = request.uri().authority() {
        return loopback_name(&authority.host().to_ascii_lowercase());
    }
    let Some(host) = request.headers().get(header::HOST) else {
        return true;
    };
    let Ok(host) = host.to_str().map(str::to_ascii_lowercase) else {
        return false;
    };
    loopback_name(&host)
}

fn loopback_name(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or_default(),
        None => host.rsplit_once(':').map_or(host, |(name, _)| name),
    };
    name == "localhost"
        || name.ends_with(".localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_loopback_host_names_pass() {
        for host in [
            "localhost:1111",
            "127.0.0.1:8080",
            "[::1]:1111",
            "docs.localhost",
            "127.1.2.3",
        ] {
            assert!(super::loopback_name(host), "{host}");
        }
        for host in [
            "evil.example:1111",
            "192.168.1.2:1111",
            "localhost.evil.example",
            "[::2]:80",
        ] {
            assert!(!super::loopback_name(host), "{host}");
        }
    }

    use super::*;

    #[test]
    fn safe_paths_are_decoded_once() {
        let target = Target::parse("/phases/junior/?build=3").expect("safe");
        assert_eq!(target.path, "phases/junior/");
        assert_eq!(target.query, Some("build=3"));
        assert_eq!(Target::parse("/").expect("safe").path, "");
        assert_eq!(Target::parse("/a%20b.html").expect("safe").path, "a b.html");
        assert_eq!(Target::parse("/caf%C3%A9/").expect("safe").path, "café/");
        assert_eq!(Target::parse("/x#frag").expect("safe").path, "x");
    }

    #[test]
    fn traversal_and_odd_paths_are_refused() {
        for url in [
            "/../Cargo.toml",
            "/a/../../b",
            "/%2e%2e/Cargo.toml",
            "/%2E%2E/",
            "/..%2fCargo.toml",
            "/a%2Fb",
            "/%252e%252e/Cargo.toml",
            "/%252f",
            "/%255c",
            "/a\\b",
            "/%5c",
            "/%00",
            "/a%00.html",
            "//etc/passwd",
            "/a//b",
            "/./index.html",
            "/%ff",
            "etc/passwd",
            "http://host/etc/passwd",
        ] {
            assert!(Target::parse(url).is_err(), "{url} should be refused");
        }
    }

    #[test]
    fn the_prefix_leads_back_to_the_root() {
        assert_eq!(relative_root(""), "");
        assert_eq!(relative_root("index.html"), "");
        assert_eq!(relative_root("faq/"), "../");
        assert_eq!(relative_root("phases/junior/"), "../../");
        assert_eq!(relative_root("phases/junior/index.html"), "../../");
        assert_eq!(relative_root("no/such/page"), "../../");
    }

    #[test]
    fn the_script_goes_before_the_last_closing_body() {
        let page = inject(b"<html><BODY>x</Body></html>", "../", 7);
        assert_eq!(
            String::from_utf8(page).expect("UTF-8"),
            r#"<html><BODY>x<script src="../__sre-guide/livereload.js" data-build="7"></script></Body></html>"#
        );
        let fragment = inject(b"<p>no body", "", 1);
        assert!(fragment.ends_with(b"data-build=\"1\"></script>"));
        assert!(inject(b"", "", 1).starts_with(b"<script"));
    }

    #[test]
    fn etags_match_lists_weak_tags_and_stars() {
        assert!(etag_matches("\"a\"", "\"a\""));
        assert!(etag_matches("\"b\", W/\"a\"", "\"a\""));
        assert!(etag_matches("*", "\"a\""));
        assert!(!etag_matches("\"b\"", "\"a\""));
        assert_eq!(content_hash(b"same"), content_hash(b"same"));
        assert_ne!(content_hash(b"same"), content_hash(b"other"));
    }

    #[test]
    fn text_types_say_utf_8() {
        assert_eq!(content_type("index.html"), "text/html; charset=utf-8");
        assert_eq!(
            content_type("static/style.1a2b3c4d.css"),
            "text/css; charset=utf-8"
        );
        assert_eq!(content_type("sitemap.xml"), "text/xml; charset=utf-8");
        assert_eq!(content_type("static/logo.png"), "image/png");
        assert_eq!(
            content_type("static/logo.svg"),
            "image/svg+xml; charset=utf-8"
        );
        assert!(content_type("static/quiz.1a2b3c4d.js").ends_with("javascript; charset=utf-8"));
    }

    #[test]
    fn the_page_before_any_good_build_escapes_the_diagnostics() {
        let page = first_build_failed("content/a.md:1:1: bad <script>\n");
        assert!(page.contains("bad &lt;script&gt;"));
        assert!(!page.contains("<script>"));
    }
}
