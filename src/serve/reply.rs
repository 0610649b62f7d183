//! A whole answer to one request, its body in memory: what the responder makes and the
//! connection layer sends. A leaf, so both can use it without importing each other.

use http_body_util::Full;
use hyper::Response;
use hyper::body::Bytes;

/// One response with its whole body.
pub(super) type Reply = Response<Full<Bytes>>;
