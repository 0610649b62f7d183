//! `[offline] enabled = true` → `sw.js`, a service worker at the site's root that stores exactly
//! the files of this build and serves them without a network (`service_worker.js`). Its version
//! is a digest of every file's path and bytes, so any change a publish makes installs it anew;
//! nothing is written for a site that did not ask, so a site never caches by surprise.

use sha2::{Digest, Sha256};

use crate::model::source::hex;
use crate::model::url::{Generated, OutputPath};

const SCRIPT: &str = include_str!("service_worker.js");

/// A published file's path and the SHA-256 of its bytes.
pub(crate) type Digested = (OutputPath, [u8; 32]);

/// The service worker for `files` (every published path with the SHA-256 of its bytes). Files a
/// host does not serve as they are (`_headers`) and the worker itself are left out.
pub(crate) fn service_worker(files: &[Digested]) -> Vec<u8> {
    let worker = OutputPath::generated(Generated::ServiceWorker);
    let headers = OutputPath::generated(Generated::Headers);
    let mut kept: Vec<&Digested> = files
        .iter()
        .filter(|(path, _)| *path != worker && *path != headers)
        .collect();
    kept.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
    kept.dedup_by(|a, b| a.0 == b.0);
    let mut version = Sha256::new();
    for (path, digest) in &kept {
        version.update(path.as_str().as_bytes());
        version.update([0]);
        version.update(digest);
    }
    let paths: Vec<&str> = kept.iter().map(|(path, _)| path.as_str()).collect();
    let list = serde_json::to_string(&paths).expect("a list of strings always serialises");
    SCRIPT
        .replace("__VERSION__", &hex(&version.finalize()[..8]))
        .replace("__FILES__", &list)
        .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn built(files: &[(&str, &[u8])]) -> String {
        let path = |written: &str| match written {
            "sw.js" => OutputPath::generated(Generated::ServiceWorker),
            "_headers" => OutputPath::generated(Generated::Headers),
            other => OutputPath::content_asset(&crate::model::url::ContentPath::of(other)),
        };
        let files: Vec<Digested> = files
            .iter()
            .map(|(written, bytes)| (path(written), Sha256::digest(bytes).into()))
            .collect();
        String::from_utf8(service_worker(&files)).unwrap()
    }

    #[test]
    fn it_lists_every_file_but_itself_and_headers_in_order() {
        let sw = built(&[
            ("sw.js", b"old"),
            ("index.html", b"<p>"),
            ("_headers", b"/*"),
            ("a/index.html", b"<p>"),
        ]);
        assert!(
            sw.contains("const FILES = [\"a/index.html\",\"index.html\"];"),
            "{sw}"
        );
    }

    #[test]
    fn its_version_follows_every_byte_and_nothing_else() {
        let version = |sw: &str| {
            let start = sw.find("const VERSION = \"").expect("a version") + 17;
            sw[start..start + 16].to_string()
        };
        let one = built(&[("index.html", b"one"), ("b.css", b"x")]);
        assert_eq!(
            version(&one),
            version(&built(&[("b.css", b"x"), ("index.html", b"one")]))
        );
        assert_ne!(
            version(&one),
            version(&built(&[("index.html", b"two"), ("b.css", b"x")]))
        );
        assert_ne!(version(&one), version(&built(&[("index.html", b"one")])));
        assert!(!one.contains("__"), "every placeholder is filled: {one}");
    }
}
