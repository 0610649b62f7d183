//! A huge page costs `serve` a slice of it per request, not the page: four concurrent GETs of a
//! 100 MB page keep the server under 300 MB (it used to hold the whole page, inflated, per
//! request, and copy it to add the reload script), and each arrives whole, the script in place.

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use super::preview::{Preview, heavy, site};

/// ~100 MB of HTML paragraphs, deflating about as real pages do.
fn huge_page() -> Vec<u8> {
    let words = [
        "reliability",
        "toil",
        "pager",
        "latency",
        "budget",
        "error",
        "incident",
        "review",
        "service",
        "level",
        "objective",
        "capacity",
        "deploy",
        "rollback",
        "canary",
        "alert",
    ];
    let mut page = b"<!doctype html><html><head><title>Huge</title></head><body>\n".to_vec();
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    while page.len() < 100_000_000 {
        page.extend_from_slice(b"<p>");
        for _ in 0..12 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            page.extend_from_slice(words[(state % 16) as usize].as_bytes());
            page.push(b' ');
        }
        page.extend_from_slice(b"</p>\n");
    }
    page.extend_from_slice(b"</body></html>\n");
    page
}

#[test]
fn four_concurrent_gets_of_a_100_mb_page_keep_serve_under_300_mb() {
    let _alone = heavy();
    let page = huge_page();
    let site = site().file("content/docs/huge.html", &page);
    let preview = Preview::start_within(&site, Duration::from_secs(120));
    let started = Instant::now();
    let readers: Vec<_> = (0..4)
        .map(|_| {
            let mut stream = preview.connect();
            let request = format!(
                "GET /docs/huge.html HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
                preview.address
            );
            stream.write_all(request.as_bytes()).expect("send");
            stream
                .set_read_timeout(Some(Duration::from_secs(60)))
                .expect("timeout");
            std::thread::spawn(move || {
                // Read as a browser would, keeping only the head and the last bytes.
                let (mut total, mut head, mut tail) = (0, Vec::new(), Vec::new());
                let mut buffer = vec![0; 256 * 1024];
                loop {
                    let n = stream.read(&mut buffer).expect("read");
                    if n == 0 {
                        break;
                    }
                    if head.len() < 1024 {
                        head.extend_from_slice(&buffer[..n.min(1024)]);
                    }
                    tail.extend_from_slice(&buffer[..n]);
                    let keep = tail.len().saturating_sub(512);
                    tail.drain(..keep);
                    total += n;
                }
                (total, head, tail)
            })
        })
        .collect();
    let mut peak = 0;
    while readers.iter().any(|reader| !reader.is_finished()) {
        peak = peak.max(preview.rss_mb());
        std::thread::sleep(Duration::from_millis(20));
    }
    eprintln!(
        "four GETs of a {} MB page: {:?}, serve's RSS at most {peak} MB",
        page.len() >> 20,
        started.elapsed()
    );
    for reader in readers {
        let (total, head, tail) = reader.join().expect("a reader");
        let head = String::from_utf8_lossy(&head);
        let (status, rest) = head.split_once("\r\n").expect("a status line");
        assert_eq!(status, "HTTP/1.1 200 OK");
        let length: usize = rest
            .lines()
            .find_map(|line| {
                line.to_ascii_lowercase()
                    .strip_prefix("content-length: ")
                    .map(str::to_string)
            })
            .and_then(|length| length.trim().parse().ok())
            .expect("a length");
        let body_start = head.find("\r\n\r\n").expect("a head") + 4;
        assert_eq!(total - body_start, length, "the whole page");
        let tail = String::from_utf8_lossy(&tail);
        let script = r#"<script src="../__sre-guide/livereload.js" data-build=""#;
        assert!(tail.contains(&format!("</p>\n{script}")), "{tail}");
        assert!(tail.ends_with("\"></script></body></html>\n"), "{tail}");
        assert!(length > page.len());
    }
    assert!(peak < 300, "serve peaked at {peak} MB");
}
