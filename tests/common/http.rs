//! A minimal HTTP/1.1 client over `std::net` (JSON APIs and WebDriver speak it), and a
//! `needlesim serve` child process on a free loopback port, called with its token (read from
//! the URL it prints). Loopback only.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::time::Duration;

use serde_json::Value;

/// A response: status code, head fields (names in lower case) and body text.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// The first head field `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// One request to `host:port` (`addr`) with a JSON content type, connection closed after it.
pub fn request(addr: &str, method: &str, path: &str, body: Option<&[u8]>) -> std::io::Result<Response> {
    request_with(addr, method, path, &[("Content-Type", "application/json")], body)
}

/// One request with the head fields `fields` (a `Host` among them replaces `addr`), connection
/// closed after it.
pub fn request_with(addr: &str, method: &str, path: &str, fields: &[(&str, &str)], body: Option<&[u8]>) -> std::io::Result<Response> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(60)))?;
    let body = body.unwrap_or(b"");
    let mut head = format!("{method} {path} HTTP/1.1\r\n");
    if !fields.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
        head.push_str(&format!("Host: {addr}\r\n"));
    }
    for (k, v) in fields {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!("Connection: close\r\nContent-Length: {}\r\n\r\n", body.len()));
    s.write_all(head.as_bytes())?;
    s.write_all(body)?;
    // Read the head, then exactly Content-Length bytes (some servers keep the connection
    // open whatever the request says), else a chunked body to its end, else to EOF.
    let mut raw = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    let split = loop {
        if let Some(p) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break p;
        }
        let n = s.read(&mut buf)?;
        if n == 0 {
            return Err(std::io::Error::other("connection closed before the end of the head"));
        }
        raw.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let lower = head.to_ascii_lowercase();
    let mut payload = raw[split + 4..].to_vec();
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("bad status line: {head}")))?;
    let length = lower.lines().find_map(|l| l.strip_prefix("content-length:").and_then(|v| v.trim().parse::<usize>().ok()));
    if let Some(len) = length {
        while payload.len() < len {
            let n = s.read(&mut buf)?;
            if n == 0 {
                break;
            }
            payload.extend_from_slice(&buf[..n]);
        }
        payload.truncate(len);
    } else if lower.contains("transfer-encoding: chunked") {
        while !payload.ends_with(b"0\r\n\r\n") {
            let n = s.read(&mut buf)?;
            if n == 0 {
                break;
            }
            payload.extend_from_slice(&buf[..n]);
        }
        payload = dechunk(&payload);
    } else {
        s.read_to_end(&mut payload)?;
    }
    let headers =
        head.lines().skip(1).filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned())).collect();
    Ok(Response { status, headers, body: String::from_utf8_lossy(&payload).into_owned() })
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = b.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(String::from_utf8_lossy(&b[..eol]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.extend_from_slice(&b[eol + 2..eol + 2 + size]);
        b = &b[eol + 2 + size + 2..];
    }
    out
}

/// `request` with a JSON body, panicking on connection errors.
pub fn call(addr: &str, method: &str, path: &str, body: Option<&Value>) -> Response {
    let bytes = body.map(|v| serde_json::to_vec(v).unwrap());
    request(addr, method, path, bytes.as_deref()).unwrap_or_else(|e| panic!("{method} {path}: {e}"))
}

/// A `needlesim serve` child on a free loopback port; killed on drop.
pub struct Server {
    pub child: Child,
    /// `127.0.0.1:PORT`
    pub addr: String,
    /// The URL it printed: `http://127.0.0.1:PORT/?token=…` (no query with `--no-token`).
    pub url: String,
    /// The token of that URL (empty with `--no-token`).
    pub token: String,
    /// The first line it printed.
    pub banner: String,
    pub export_dir: tempfile::TempDir,
}

impl Server {
    /// Start the server with extra arguments; waits for it to print its URL.
    pub fn start(extra: &[&str]) -> Server {
        Server::start_with(extra, &[])
    }

    /// Start the server with extra arguments and environment variables. However it is bound,
    /// it is called on 127.0.0.1 at the port of the URL it prints.
    pub fn start_with(extra: &[&str], envs: &[(&str, &str)]) -> Server {
        let export_dir = tempfile::tempdir().unwrap();
        let mut child = super::bin()
            .args(["serve", "--port", "0", "--export-dir", export_dir.path().to_str().unwrap()])
            .args(extra)
            .env_remove("NEEDLESIM_TOKEN")
            .envs(envs.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("needlesim serve starts");
        let mut reader = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        // Keep draining the server's output so it never writes into a closed pipe.
        std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
        let url = line.split_whitespace().find(|w| w.starts_with("http://")).unwrap_or_else(|| panic!("no URL in {line:?}")).to_owned();
        let rest = url.trim_start_matches("http://");
        let (host, query) = rest.split_once('/').unwrap_or((rest, ""));
        let port = host.rsplit_once(':').and_then(|(_, p)| p.parse::<u16>().ok()).unwrap_or_else(|| panic!("no port in {url}"));
        let token = query.strip_prefix("?token=").unwrap_or("").to_owned();
        Server { child, addr: format!("127.0.0.1:{port}"), url, token, banner: line, export_dir }
    }

    /// `Authorization: Bearer <token>` (nothing with `--no-token`).
    pub fn auth(&self) -> Vec<(&'static str, String)> {
        if self.token.is_empty() { Vec::new() } else { vec![("Authorization", format!("Bearer {}", self.token))] }
    }

    /// A request with the token and a JSON content type, raw body.
    pub fn request(&self, method: &str, path: &str, body: Option<&[u8]>) -> std::io::Result<Response> {
        let auth = self.auth();
        let mut fields: Vec<(&str, &str)> = auth.iter().map(|(k, v)| (*k, v.as_str())).collect();
        fields.push(("Content-Type", "application/json"));
        request_with(&self.addr, method, path, &fields, body)
    }

    /// A request with the token and a JSON body, panicking on connection errors.
    pub fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Response {
        let bytes = body.map(|v| serde_json::to_vec(v).unwrap());
        self.request(method, path, bytes.as_deref()).unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }

    /// A new session; returns its id.
    pub fn session(&self) -> String {
        let r = self.call("POST", "/api/sessions", Some(&serde_json::json!({})));
        assert_eq!(r.status, 200, "{}", r.body);
        r.json()["session"].as_str().unwrap().to_owned()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A free loopback port (bound, then released).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Samples `[t_ms, x, y]` along a straight line at `speed_mm_s`, one every `dt_ms`.
pub fn line_samples(t0_ms: f64, a: (f64, f64), b: (f64, f64), speed_mm_s: f64, dt_ms: f64) -> Vec<[f64; 3]> {
    let len = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
    let dur_ms = len / speed_mm_s * 1000.0;
    let n = (dur_ms / dt_ms).ceil().max(1.0) as usize;
    (0..=n)
        .map(|i| {
            let f = i as f64 / n as f64;
            [t0_ms + f * dur_ms, a.0 + f * (b.0 - a.0), a.1 + f * (b.1 - a.1)]
        })
        .collect()
}
