//! A minimal HTTP/1.1 request reader and response writer over any byte stream, with the limits
//! the control API enforces (header size, body size). Parsing is done by `httparse`; this module
//! only frames requests and never panics on bad input.

use std::io::{self, Read, Write};

/// Largest request head (request line + headers) accepted.
pub const MAX_HEAD: usize = 16 * 1024;
/// Largest request body accepted.
pub const MAX_BODY: usize = 1024 * 1024;
/// Most headers a request may carry.
const MAX_HEADERS: usize = 64;

/// One parsed request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// `GET`, `POST`, ...
    pub method: String,
    /// Path without the query string.
    pub path: String,
    /// The raw query string (after `?`), if any.
    pub query: Option<String>,
    /// Headers, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// The body (empty without `Content-Length`).
    pub body: Vec<u8>,
    /// False when the client asked to close (`Connection: close` or HTTP/1.0).
    pub keep_alive: bool,
}

impl Request {
    /// The first header with this (lower-case) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// Why a request could not be read; each maps to an HTTP status.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The peer closed the connection before sending anything.
    #[error("connection closed")]
    Closed,
    /// The socket failed or timed out.
    #[error("i/o: {0}")]
    Io(#[from] io::Error),
    /// The request is not valid HTTP/1.x.
    #[error("malformed request: {0}")]
    Malformed(String),
    /// The head is larger than [`MAX_HEAD`].
    #[error("request head larger than {MAX_HEAD} bytes")]
    HeadTooLarge,
    /// The body is larger than [`MAX_BODY`].
    #[error("request body larger than {MAX_BODY} bytes")]
    BodyTooLarge,
    /// A transfer encoding we do not accept (chunked uploads).
    #[error("transfer-encoding not supported; send Content-Length")]
    Unsupported,
}

impl ReadError {
    /// The status to answer with, if an answer still makes sense.
    pub fn status(&self) -> Option<u16> {
        match self {
            ReadError::Closed | ReadError::Io(_) => None,
            ReadError::Malformed(_) => Some(400),
            ReadError::HeadTooLarge => Some(431),
            ReadError::BodyTooLarge => Some(413),
            ReadError::Unsupported => Some(501),
        }
    }
}

/// Outcome of parsing the bytes buffered so far.
#[derive(Debug)]
pub enum Parsed {
    /// Need more bytes.
    Partial,
    /// A complete head was parsed: the request (without body) and the head's length in bytes,
    /// plus the body length announced.
    Head(Request, usize, usize),
}

/// Parses a request head from `buf` (sans-IO: used by [`RequestReader`] and fuzzed directly).
pub fn parse_head(buf: &[u8]) -> Result<Parsed, ReadError> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut headers);
    let status = req.parse(buf).map_err(|e| ReadError::Malformed(e.to_string()))?;
    let head_len = match status {
        httparse::Status::Partial => {
            return if buf.len() > MAX_HEAD { Err(ReadError::HeadTooLarge) } else { Ok(Parsed::Partial) }
        }
        httparse::Status::Complete(n) => n,
    };
    if head_len > MAX_HEAD {
        return Err(ReadError::HeadTooLarge);
    }
    let method = req.method.unwrap_or("").to_string();
    let target = req.path.unwrap_or("");
    let version = req.version.unwrap_or(1);
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p.to_string(), Some(q.to_string())),
        None => (target.to_string(), None),
    };
    let mut out_headers = Vec::with_capacity(req.headers.len());
    let mut content_length: Option<usize> = None;
    let mut keep_alive = version == 1;
    for h in req.headers.iter() {
        let name = h.name.to_ascii_lowercase();
        let value = String::from_utf8_lossy(h.value).trim().to_string();
        match name.as_str() {
            "content-length" => {
                let n: usize = value
                    .parse()
                    .map_err(|_| ReadError::Malformed(format!("bad Content-Length {value:?}")))?;
                if content_length.is_some_and(|c| c != n) {
                    return Err(ReadError::Malformed("conflicting Content-Length".into()));
                }
                content_length = Some(n);
            }
            "transfer-encoding" => return Err(ReadError::Unsupported),
            "connection" => {
                let v = value.to_ascii_lowercase();
                if v.contains("close") {
                    keep_alive = false;
                } else if v.contains("keep-alive") {
                    keep_alive = true;
                }
            }
            _ => {}
        }
        out_headers.push((name, value));
    }
    let body_len = content_length.unwrap_or(0);
    if body_len > MAX_BODY {
        return Err(ReadError::BodyTooLarge);
    }
    Ok(Parsed::Head(
        Request { method, path, query, headers: out_headers, body: Vec::new(), keep_alive },
        head_len,
        body_len,
    ))
}

/// Reads successive requests from one connection, keeping bytes that arrived early (pipelining).
pub struct RequestReader {
    buf: Vec<u8>,
}

impl Default for RequestReader {
    fn default() -> Self {
        Self::new()
    }
}

impl RequestReader {
    /// An empty reader.
    pub fn new() -> Self {
        RequestReader { buf: Vec::with_capacity(1024) }
    }

    /// Reads the next complete request from `r`.
    pub fn read_request(&mut self, r: &mut impl Read) -> Result<Request, ReadError> {
        let mut chunk = [0u8; 4096];
        let (mut req, head_len, body_len) = loop {
            if !self.buf.is_empty() {
                if let Parsed::Head(req, h, b) = parse_head(&self.buf)? {
                    break (req, h, b);
                }
            }
            let n = r.read(&mut chunk)?;
            if n == 0 {
                return if self.buf.is_empty() {
                    Err(ReadError::Closed)
                } else {
                    Err(ReadError::Malformed("connection closed mid-request".into()))
                };
            }
            self.buf.extend_from_slice(&chunk[..n]);
        };
        let total = head_len + body_len;
        while self.buf.len() < total {
            let n = r.read(&mut chunk)?;
            if n == 0 {
                return Err(ReadError::Malformed("connection closed mid-body".into()));
            }
            self.buf.extend_from_slice(&chunk[..n]);
        }
        req.body = self.buf[head_len..total].to_vec();
        self.buf.drain(..total);
        Ok(req)
    }
}

/// A complete (non-streaming) response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// `Content-Type`.
    pub content_type: &'static str,
    /// Extra headers.
    pub headers: Vec<(&'static str, String)>,
    /// Body.
    pub body: Vec<u8>,
}

impl Response {
    /// A JSON response.
    pub fn json(status: u16, value: &serde_json::Value) -> Self {
        let mut body = serde_json::to_vec(value).unwrap_or_else(|_| b"null".to_vec());
        body.push(b'\n');
        Response { status, content_type: "application/json", headers: Vec::new(), body }
    }

    /// A JSON error `{"error": msg}`.
    pub fn error(status: u16, msg: impl Into<String>) -> Self {
        Response::json(status, &serde_json::json!({ "error": msg.into() }))
    }

    /// A plain-text response.
    pub fn text(status: u16, content_type: &'static str, body: String) -> Self {
        Response { status, content_type, headers: Vec::new(), body: body.into_bytes() }
    }

    /// Writes the response; `keep_alive` decides the `Connection` header.
    pub fn write_to(&self, w: &mut impl Write, keep_alive: bool) -> io::Result<()> {
        let mut head = format!(
            "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: {}\r\n",
            self.status,
            reason(self.status),
            self.content_type,
            self.body.len(),
            if keep_alive { "keep-alive" } else { "close" }
        );
        for (k, v) in &self.headers {
            head.push_str(k);
            head.push_str(": ");
            head.push_str(v);
            head.push_str("\r\n");
        }
        head.push_str("\r\n");
        let mut out = head.into_bytes();
        out.extend_from_slice(&self.body);
        w.write_all(&out)?;
        w.flush()
    }
}

/// The reason phrase for a status code.
pub fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        413 => "Payload Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Entity",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        _ => "Unknown",
    }
}

/// Decodes `%XX` escapes and `+` in a query component.
pub fn percent_decode(s: &str) -> Result<String, String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let hex = b
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| format!("bad %-escape in {s:?}"))?;
                out.push(hex);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| format!("{s:?} is not UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_pipelined_requests() {
        let raw = b"GET /v1/status HTTP/1.1\r\nHost: x\r\n\r\nPOST /v1/commands HTTP/1.1\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}";
        let mut r = RequestReader::new();
        let mut src = &raw[..];
        let a = r.read_request(&mut src).unwrap();
        assert_eq!(a.path, "/v1/status");
        assert!(a.keep_alive);
        let b = r.read_request(&mut src).unwrap();
        assert_eq!(b.method, "POST");
        assert_eq!(b.body, b"{}");
        assert!(!b.keep_alive);
        assert!(matches!(r.read_request(&mut src), Err(ReadError::Closed)));
    }

    #[test]
    fn limits() {
        let big = format!("GET / HTTP/1.1\r\nX: {}\r\n\r\n", "a".repeat(MAX_HEAD));
        assert!(matches!(
            RequestReader::new().read_request(&mut big.as_bytes()),
            Err(ReadError::HeadTooLarge)
        ));
        let body = format!("POST / HTTP/1.1\r\nContent-Length: {}\r\n\r\n", MAX_BODY + 1);
        assert!(matches!(
            RequestReader::new().read_request(&mut body.as_bytes()),
            Err(ReadError::BodyTooLarge)
        ));
    }

    #[test]
    fn percent() {
        assert_eq!(percent_decode("a%20b+c").unwrap(), "a b c");
        assert!(percent_decode("%zz").is_err());
        assert!(percent_decode("%f").is_err());
    }

    proptest::proptest! {
        #[test]
        fn random_bytes_never_panic(data in proptest::collection::vec(proptest::num::u8::ANY, 0..2048)) {
            let _ = parse_head(&data);
            let _ = RequestReader::new().read_request(&mut &data[..]);
        }

        #[test]
        fn mutated_requests_never_panic(pos in 0usize..80, byte in proptest::num::u8::ANY) {
            let mut raw = b"POST /v1/commands?x=1 HTTP/1.1\r\nContent-Length: 5\r\nHost: a\r\n\r\nhello".to_vec();
            let p = pos % raw.len();
            raw[p] = byte;
            let _ = RequestReader::new().read_request(&mut &raw[..]);
        }
    }
}
