//! The byte-level guard on each connection, in front of hyper. In: the accepted socket. Out: the
//! same bytes, except that a request line past [`MAX_LINE`] is answered 414 and the connection
//! dropped (hyper would buffer up to its limit and answer 431), and a write the client has not
//! read for the write-stall timeout ([`Timeouts::write_stall`](super::limits::Timeouts)) fails. It
//! parses nothing else: hyper reads the requests; it tells the connection's budget ticket when a
//! request's bytes arrive, so an idle one can be told apart.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::Sleep;

use super::budget::Ticket;
use super::limits::MAX_LINE;

const TOO_LONG: &[u8] = b"HTTP/1.1 414 URI Too Long\r\nContent-Type: text/plain; charset=utf-8\r\n\
    Cache-Control: no-cache\r\nConnection: close\r\nContent-Length: 64\r\n\r\n\
    414 URI too long: the preview answers request lines up to 8 KiB\n";

pub(super) struct Guarded {
    stream: TcpStream,
    write_stall: Duration,
    stalled: Option<Pin<Box<Sleep>>>,
    lines: LineWatch,
    /// The connection's place in the budget, given back with the connection.
    ticket: Ticket,
}

impl Guarded {
    pub(super) fn new(stream: TcpStream, write_stall: Duration, ticket: Ticket) -> Self {
        Guarded {
            stream,
            write_stall,
            stalled: None,
            lines: LineWatch::default(),
            ticket,
        }
    }

    /// Passes `ready` on, starting the clock when the socket is not ready and failing when it
    /// has not been ready for `write_stall`.
    fn watch<T>(
        &mut self,
        cx: &mut Context<'_>,
        ready: Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        if ready.is_ready() {
            self.stalled = None;
            return ready;
        }
        let stalled = self
            .stalled
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(self.write_stall)));
        match stalled.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::ErrorKind::TimedOut.into())),
            Poll::Pending => Poll::Pending,
        }
    }
}

/// Where the bytes read so far stand: in a request line (and how long it is), or in headers.
/// The preview answers no request that has a body (it closes the connection), so on a connection
/// still open the bytes after a blank line are the next request line.
#[derive(Default)]
struct LineWatch {
    in_headers: bool,
    /// Bytes of the current line so far, not counting `\r`.
    line: usize,
}

impl LineWatch {
    /// False once a request line has grown past `MAX_LINE`.
    fn accept(&mut self, bytes: &[u8]) -> bool {
        for &byte in bytes {
            match byte {
                b'\n' => {
                    if self.in_headers && self.line == 0 {
                        self.in_headers = false; // the blank line: next comes a request line
                    } else if !self.in_headers && self.line > 0 {
                        self.in_headers = true;
                    }
                    self.line = 0;
                }
                b'\r' => {}
                _ => {
                    self.line += 1;
                    if !self.in_headers && self.line > MAX_LINE {
                        return false;
                    }
                }
            }
        }
        true
    }
}

impl AsyncRead for Guarded {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let read = Pin::new(&mut self.stream).poll_read(cx, buf);
        if matches!(read, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            if !self.lines.accept(&buf.filled()[before..]) {
                // Best effort: the answer fits any socket buffer; the connection ends either way.
                let _ = self.stream.try_write(TOO_LONG);
                return Poll::Ready(Err(io::ErrorKind::InvalidData.into()));
            }
            self.ticket.read();
        }
        read
    }
}

impl AsyncWrite for Guarded {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let ready = Pin::new(&mut self.stream).poll_write(cx, buf);
        self.watch(cx, ready)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let ready = Pin::new(&mut self.stream).poll_write_vectored(cx, bufs);
        self.watch(cx, ready)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let ready = Pin::new(&mut self.stream).poll_flush(cx);
        self.watch(cx, ready)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_request_lines_are_held_to_the_limit() {
        let mut watch = LineWatch::default();
        let long = "a".repeat(MAX_LINE);
        // Long header values are hyper's to judge (431); request lines are ours.
        let head = format!("GET / HTTP/1.1\r\nX-Long: {long}\r\n\r\n");
        assert!(watch.accept(head.as_bytes()));
        // The next request on the connection, split across reads.
        assert!(watch.accept(b"\r\nGET /"));
        assert!(watch.accept(&long.as_bytes()[..MAX_LINE - 10]));
        assert!(!watch.accept(b"0123456789 HTTP/1.1\r\n"));
        let mut fresh = LineWatch::default();
        assert!(!fresh.accept(format!("GET /{long}").as_bytes()));
    }

    #[test]
    fn the_canned_answer_says_its_length_right() {
        let text = String::from_utf8_lossy(TOO_LONG);
        let (head, body) = text.split_once("\r\n\r\n").expect("a head and a body");
        assert!(head.contains(&format!("Content-Length: {}", body.len())));
    }
}
