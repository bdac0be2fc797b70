//! Who may use the server, after Jupyter's conventions: only the page the trainer opened.
//!
//! Every request passes [`guard`] before any handler runs, so a refused request stores
//! nothing. In order:
//!
//! 0. **Head size**: a request whose target and header fields exceed [`MAX_HEAD_BYTES`]
//!    (32 KiB) is 431, whatever else it carries.
//! 1. **Host allow-list** (against DNS rebinding): the `Host` header must name this server:
//!    `localhost`, the bound address, a loopback address when bound to loopback, any IP
//!    literal when bound to all interfaces (`0.0.0.0`/`::`; a rebinding attack needs a DNS
//!    name, never an IP literal), or a name given with `--allow-host`. Else 403.
//! 2. **Token**: a random 128-bit token per server start (or one given). Opening
//!    `/?token=…` sets an `HttpOnly; SameSite=Strict` cookie (named after the port, so two
//!    servers on one machine keep theirs) and redirects (303) to `/`. Every other request
//!    must carry the cookie or `Authorization: Bearer <token>`: none is 401, a wrong one 403.
//!    Tokens are compared in constant time (SHA-256 of both, then every byte).
//! 3. **Origin** on state-changing requests (anything but GET/HEAD/OPTIONS): an `Origin`
//!    header, when present, must be this server's own (`http://` + the allowed `Host`). Else
//!    403.
//! 4. **JSON bodies only** on those requests: a `Content-Type` other than
//!    `application/json`, or a body without one, is 415 (a cross-site form or a `text/plain`
//!    fetch cannot send it without a CORS preflight, which this server never grants).
//!
//! An error answer of the router itself (a method a route does not take: 405; a path it
//! cannot decode: 400) gets a JSON `{"error": …}` message too, like every handler's refusal.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::Json;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rand::TryRng;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// Environment variable that fixes the token when `--token` is not given.
pub const TOKEN_ENV: &str = "NEEDLESIM_TOKEN";
/// Shortest token accepted from the user (a generated one has 32 hex digits).
pub const MIN_TOKEN_LEN: usize = 12;
/// Longest token accepted from the user.
pub const MAX_TOKEN_LEN: usize = 256;

/// The secret a request must carry. Its `Debug` does not show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// 128 bits from the operating system's random source, as 32 hex digits.
    pub fn random() -> Result<Token> {
        let mut bytes = [0u8; 16];
        rand::rngs::SysRng
            .try_fill_bytes(&mut bytes)
            .map_err(|e| Error::io("the operating system's random source", std::io::Error::other(e.to_string())))?;
        Ok(Token(bytes.iter().map(|b| format!("{b:02x}")).collect()))
    }

    /// A token chosen by the user (`--token`, [`TOKEN_ENV`]): `key` names where it came from.
    /// It travels in a URL and a cookie, so only letters, digits and `-._~` are allowed.
    pub fn new(key: &str, value: &str) -> Result<Token> {
        let n = value.chars().count();
        let ok_chars = value.chars().all(|c| c.is_ascii_alphanumeric() || "-._~".contains(c));
        if !(MIN_TOKEN_LEN..=MAX_TOKEN_LEN).contains(&n) || !ok_chars {
            let shown =
                if n > 40 { format!("{}… ({n} characters)", value.chars().take(40).collect::<String>()) } else { format!("{value:?}") };
            return Err(Error::invalid(
                key,
                shown,
                format!("{MIN_TOKEN_LEN} to {MAX_TOKEN_LEN} characters, only letters, digits and - . _ ~ (leave it out for a random one)"),
            ));
        }
        Ok(Token(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `candidate` is this token, in time independent of where they differ (and of
    /// the candidate's length): both are hashed, then every byte of the digests compared.
    pub fn matches(&self, candidate: &str) -> bool {
        let (a, b) = (Sha256::digest(self.0.as_bytes()), Sha256::digest(candidate.as_bytes()));
        let diff = a.iter().zip(b.iter()).fold(0u8, |acc, (x, y)| acc | (x ^ y));
        std::hint::black_box(diff) == 0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(…)")
    }
}

/// Who may use the server (part of [`super::ServeConfig`]).
#[derive(Clone, Debug)]
pub struct Access {
    /// `None`: no token at all (`--no-token`), allowed with a loopback bind only.
    pub token: Option<Token>,
    /// Names besides `localhost` and the bound address that the `Host` header may carry
    /// (`--allow-host`), e.g. the machine's name on the classroom network.
    pub allow_hosts: Vec<String>,
}

impl Access {
    /// A fresh random token, no extra host names.
    pub fn random() -> Result<Access> {
        Ok(Access { token: Some(Token::random()?), allow_hosts: Vec::new() })
    }

    /// Refuse to serve without a token on an address other machines can reach.
    pub fn check_bind(&self, bind: IpAddr) -> Result<()> {
        if self.token.is_none() && !bind.is_loopback() {
            return Err(Error::invalid(
                "--no-token",
                format!("with --bind {bind}"),
                "only with a loopback --bind (127.0.0.1 or ::1): on another address anyone on the network could use the page; keep the token and hand out the printed URL",
            ));
        }
        for h in &self.allow_hosts {
            if h.is_empty() || !h.chars().all(|c| c.is_ascii_alphanumeric() || "-.".contains(c)) {
                return Err(Error::invalid(
                    "--allow-host",
                    format!("{h:?}"),
                    "a host name (letters, digits, - and .), without port or scheme",
                ));
            }
        }
        Ok(())
    }
}

/// Why a request was refused. Nothing is stored for it.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Denied {
    #[error(
        "Host {host:?} does not name this server (allowed: {allowed}); to reach it under another name, start it with --allow-host NAME"
    )]
    Host { host: String, allowed: String },
    #[error(
        "no token: open the URL that `needlesim serve` printed (it ends in ?token=…), or send the header Authorization: Bearer <token>"
    )]
    NoToken,
    #[error("wrong token: open the URL that this run of `needlesim serve` printed (each start makes a new token unless --token is given)")]
    WrongToken,
    #[error("Origin {origin:?} is not this server's ({own}): only the page itself may change anything")]
    Origin { origin: String, own: String },
    #[error("Content-Type {found}: request bodies must be JSON, sent with Content-Type: application/json")]
    NotJson { found: String },
    #[error("request head of {bytes} bytes (path and header fields): at most {MAX_HEAD_BYTES} bytes are accepted")]
    HeadTooLarge { bytes: usize },
}

/// The largest request head (target plus header fields) the server reads, bytes. Browsers
/// send a few kB; hyper alone would take ≈ 400 kB.
pub const MAX_HEAD_BYTES: usize = 32 * 1024;

/// Bytes of a request head as sent: the target, and each field as `name: value\r\n`.
fn head_bytes(req: &Request) -> usize {
    let target = req.uri().path_and_query().map_or(0, |p| p.as_str().len());
    target + req.headers().iter().map(|(k, v)| k.as_str().len() + v.len() + 4).sum::<usize>()
}

impl Denied {
    pub fn status(&self) -> StatusCode {
        match self {
            Denied::NoToken => StatusCode::UNAUTHORIZED,
            Denied::NotJson { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Denied::HeadTooLarge { .. } => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            Denied::Host { .. } | Denied::WrongToken | Denied::Origin { .. } => StatusCode::FORBIDDEN,
        }
    }
}

/// The rules in force on a bound server.
#[derive(Debug)]
pub struct Guard {
    token: Option<Token>,
    bound: IpAddr,
    allow_hosts: Vec<String>,
    cookie: String,
}

impl Guard {
    pub fn new(access: &Access, bound: SocketAddr) -> Guard {
        Guard {
            token: access.token.clone(),
            bound: bound.ip(),
            allow_hosts: access.allow_hosts.iter().map(|h| h.trim_end_matches('.').to_ascii_lowercase()).collect(),
            cookie: format!("needlesim-token-{}", bound.port()),
        }
    }

    /// The name of the cookie that carries the token.
    pub fn cookie_name(&self) -> &str {
        &self.cookie
    }

    /// Whether a `Host` header value names this server.
    pub fn host_allowed(&self, host: &str) -> bool {
        let name = host_name(host);
        if name == "localhost" || self.allow_hosts.contains(&name) {
            return true;
        }
        match name.parse::<IpAddr>() {
            Ok(ip) => ip == self.bound || self.bound.is_unspecified() || (ip.is_loopback() && self.bound.is_loopback()),
            Err(_) => false,
        }
    }

    fn allowed_list(&self) -> String {
        let mut v = vec!["localhost".to_string()];
        if self.bound.is_unspecified() {
            v.push("this machine's IP addresses".into());
        } else {
            v.push(self.bound.to_string());
        }
        v.extend(self.allow_hosts.iter().cloned());
        v.join(", ")
    }

    /// Check a request's head (everything but the token-URL redirect, see [`guard`]).
    pub fn check(&self, method: &Method, headers: &HeaderMap) -> std::result::Result<(), Denied> {
        let host = header_str(headers, header::HOST).unwrap_or_default();
        if !self.host_allowed(host) {
            return Err(Denied::Host { host: host.to_owned(), allowed: self.allowed_list() });
        }
        if let Some(token) = &self.token {
            let given = match header_str(headers, header::AUTHORIZATION) {
                Some(auth) => bearer(auth),
                None => cookie(headers, &self.cookie),
            };
            match given {
                None => return Err(Denied::NoToken),
                Some(t) if !token.matches(t) => return Err(Denied::WrongToken),
                Some(_) => {}
            }
        }
        if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
            return Ok(());
        }
        let own = format!("http://{}", host.to_ascii_lowercase());
        if let Some(origin) = headers.get(header::ORIGIN) {
            let origin = origin.to_str().unwrap_or("(not text)");
            if origin.to_ascii_lowercase() != own {
                return Err(Denied::Origin { origin: origin.to_owned(), own });
            }
        }
        match headers.get(header::CONTENT_TYPE) {
            Some(ct) => {
                let text = ct.to_str().unwrap_or("");
                let essence = text.split(';').next().unwrap_or("").trim();
                if !essence.eq_ignore_ascii_case("application/json") {
                    return Err(Denied::NotJson { found: format!("{text:?}") });
                }
            }
            None => {
                let length = header_str(headers, header::CONTENT_LENGTH).and_then(|v| v.trim().parse::<u64>().ok());
                if headers.contains_key(header::TRANSFER_ENCODING) || length.is_some_and(|n| n > 0) {
                    return Err(Denied::NotJson { found: "missing".into() });
                }
            }
        }
        Ok(())
    }
}

fn header_str(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The host of a `Host` header value, lower case, without port, brackets or final dot.
fn host_name(host: &str) -> String {
    let host = host.trim();
    let name = if let Some(rest) = host.strip_prefix('[') {
        // `[v6]` or `[v6]:port`; anything else names nothing.
        match rest.split_once(']') {
            Some((ip, tail)) if tail.is_empty() || tail.strip_prefix(':').is_some_and(|p| p.chars().all(|c| c.is_ascii_digit())) => ip,
            _ => return String::new(),
        }
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) => name,
            _ => host,
        }
    };
    name.trim_end_matches('.').to_ascii_lowercase()
}

/// The token of an `Authorization: Bearer …` header (`None` for another scheme).
fn bearer(auth: &str) -> Option<&str> {
    let (scheme, rest) = auth.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
}

/// The value of cookie `name`.
fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
}

/// The `token` parameter of a query string.
fn query_token(query: &str) -> Option<&str> {
    query.split('&').filter_map(|kv| kv.split_once('=')).find(|(k, _)| *k == "token").map(|(_, v)| v)
}

/// A refusal: JSON `{"error": …}` for the API, a short HTML page for the page itself.
fn refuse(denied: Denied, page: bool) -> Response {
    let status = denied.status();
    let mut r = if page {
        let text = denied.to_string().replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
        let html = format!(
            "<!doctype html><meta charset=\"utf-8\"><title>needlesim serve</title>\
             <h1>needlesim serve: {} {}</h1><p>{text}</p>",
            status.as_u16(),
            status.canonical_reason().unwrap_or("")
        );
        (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
    } else {
        (status, Json(json!({ "error": denied.to_string() }))).into_response()
    };
    if status == StatusCode::UNAUTHORIZED {
        r.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"needlesim\""));
    }
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// The middleware: `GET /?token=…` with the right token sets the cookie and redirects to
/// `/`; every other request passes [`Guard::check`] or is refused.
pub async fn guard(State(g): State<Arc<Guard>>, req: Request, next: Next) -> Response {
    let page = req.uri().path() == "/";
    let bytes = head_bytes(&req);
    if bytes > MAX_HEAD_BYTES {
        return refuse(Denied::HeadTooLarge { bytes }, page);
    }
    if page
        && req.method() == Method::GET
        && let Some(given) = req.uri().query().and_then(query_token)
    {
        let host = header_str(req.headers(), header::HOST).unwrap_or_default();
        if !g.host_allowed(host) {
            return refuse(Denied::Host { host: host.to_owned(), allowed: g.allowed_list() }, true);
        }
        let mut r = (StatusCode::SEE_OTHER, [(header::LOCATION, "/"), (header::CACHE_CONTROL, "no-store")]).into_response();
        match &g.token {
            Some(token) if token.matches(given) => {
                let c = format!("{}={}; Path=/; HttpOnly; SameSite=Strict", g.cookie, token.as_str());
                if let Ok(v) = HeaderValue::from_str(&c) {
                    r.headers_mut().insert(header::SET_COOKIE, v);
                }
            }
            Some(_) => return refuse(Denied::WrongToken, true),
            None => {}
        }
        return r;
    }
    match g.check(req.method(), req.headers()) {
        Ok(()) => with_message(next.run(req).await).await,
        Err(denied) => refuse(denied, page),
    }
}

/// An error answer of the router itself (a method the route does not take: an empty 405; a
/// path it cannot decode: a `text/plain` 400) gets a JSON `{"error": …}` message like every
/// handler's refusal; head fields such as `Allow` are kept.
async fn with_message(r: Response) -> Response {
    let status = r.status();
    let json = r.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || json {
        return r;
    }
    let (mut parts, body) = r.into_parts();
    let text = axum::body::to_bytes(body, 16 * 1024).await.map(|b| String::from_utf8_lossy(&b).trim().to_owned()).unwrap_or_default();
    let message = match status {
        _ if !text.is_empty() => text,
        StatusCode::METHOD_NOT_ALLOWED => {
            let allow = parts.headers.get(header::ALLOW).and_then(|v| v.to_str().ok()).unwrap_or("");
            format!("this route does not take that method; allowed: {allow}")
        }
        _ => format!("{} {}", status.as_u16(), status.canonical_reason().unwrap_or("error")),
    };
    let (body_parts, body) = Json(json!({ "error": message })).into_response().into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    for (k, v) in &body_parts.headers {
        parts.headers.insert(k.clone(), v.clone());
    }
    Response::from_parts(parts, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard_on(bound: &str, token: Option<&str>, allow: &[&str]) -> Guard {
        let access =
            Access { token: token.map(|t| Token::new("token", t).unwrap()), allow_hosts: allow.iter().map(|s| s.to_string()).collect() };
        Guard::new(&access, bound.parse().unwrap())
    }

    fn head(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(header::HeaderName::from_bytes(k.as_bytes()).unwrap(), HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn tokens_are_random_hex_and_compare_exactly() {
        let (a, b) = (Token::random().unwrap(), Token::random().unwrap());
        assert_eq!(a.as_str().len(), 32);
        assert!(a.as_str().chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
        assert!(a.matches(a.as_str()));
        assert!(!a.matches(b.as_str()));
        assert!(!a.matches(&a.as_str()[..31]));
        assert!(!a.matches(""));
        assert_eq!(format!("{a:?}"), "Token(…)");
        assert!(Token::new("--token", "short").unwrap_err().to_string().contains("12 to 256 characters"));
        assert!(Token::new("--token", "has space in it").is_err());
        assert!(Token::new("--token", "class-room_2024.a").is_ok());
    }

    #[test]
    fn hosts_are_the_bound_address_localhost_and_allowed_names() {
        let g = guard_on("127.0.0.1:8737", Some("abcdefghijklmnop"), &["Trainer-PC.local"]);
        for ok in ["127.0.0.1:8737", "localhost:8737", "LOCALHOST", "[::1]:8737", "127.0.0.2", "trainer-pc.local:8737", "localhost."] {
            assert!(g.host_allowed(ok), "{ok}");
        }
        for bad in ["evil.example:8737", "192.168.1.5:8737", "", "localhost.evil.example", "[::1", "[::1]x", "[::1]:80:80"] {
            assert!(!g.host_allowed(bad), "{bad}");
        }
        let lan = guard_on("0.0.0.0:8737", Some("abcdefghijklmnop"), &[]);
        assert!(lan.host_allowed("192.168.1.5:8737") && lan.host_allowed("[fe80::1]:8737"));
        assert!(!lan.host_allowed("evil.example:8737"));
        let one = guard_on("192.168.1.5:8737", Some("abcdefghijklmnop"), &[]);
        assert!(one.host_allowed("192.168.1.5:8737") && !one.host_allowed("192.168.1.6:8737") && !one.host_allowed("127.0.0.1:8737"));
    }

    #[test]
    fn the_checks_come_in_order_and_say_why() {
        let g = guard_on("127.0.0.1:8737", Some("abcdefghijklmnop"), &[]);
        let host = ("host", "127.0.0.1:8737");
        let auth = ("authorization", "Bearer abcdefghijklmnop");
        let json = ("content-type", "application/json; charset=utf-8");
        let post = Method::POST;
        assert_eq!(g.check(&Method::GET, &head(&[host, auth])), Ok(()));
        assert!(matches!(g.check(&post, &head(&[("host", "evil.example:8737"), auth, json])), Err(Denied::Host { .. })));
        assert_eq!(g.check(&post, &head(&[host, json])), Err(Denied::NoToken));
        assert_eq!(g.check(&post, &head(&[host, ("authorization", "Basic eDp5"), json])), Err(Denied::NoToken));
        assert_eq!(g.check(&post, &head(&[host, ("authorization", "Bearer nope"), json])), Err(Denied::WrongToken));
        let c = ("cookie", "a=b; needlesim-token-8737=abcdefghijklmnop");
        assert_eq!(g.check(&post, &head(&[host, c, json])), Ok(()));
        assert_eq!(g.check(&post, &head(&[host, ("cookie", "needlesim-token-9999=abcdefghijklmnop"), json])), Err(Denied::NoToken));
        assert!(matches!(g.check(&post, &head(&[host, auth, json, ("origin", "http://evil.example")])), Err(Denied::Origin { .. })));
        assert_eq!(g.check(&post, &head(&[host, auth, json, ("origin", "http://127.0.0.1:8737")])), Ok(()));
        assert!(matches!(g.check(&post, &head(&[host, auth, ("content-type", "text/plain")])), Err(Denied::NotJson { .. })));
        assert!(matches!(g.check(&post, &head(&[host, auth, ("content-length", "2")])), Err(Denied::NotJson { .. })));
        assert_eq!(g.check(&Method::DELETE, &head(&[host, auth, ("content-length", "0")])), Ok(()));
        // A GET never changes anything: no Origin or type rule.
        assert_eq!(g.check(&Method::GET, &head(&[host, auth, ("origin", "http://evil.example")])), Ok(()));
        let open = guard_on("127.0.0.1:8737", None, &[]);
        assert_eq!(open.check(&post, &head(&[host, json])), Ok(()));
        assert!(matches!(open.check(&post, &head(&[host, json, ("origin", "null")])), Err(Denied::Origin { .. })));
    }

    #[test]
    fn no_token_needs_a_loopback_bind() {
        let open = Access { token: None, allow_hosts: vec![] };
        assert!(open.check_bind("127.0.0.1".parse().unwrap()).is_ok());
        let e = open.check_bind("0.0.0.0".parse().unwrap()).unwrap_err();
        assert!(e.is_bad_input() && e.to_string().contains("--no-token"), "{e}");
        let bad = Access { token: None, allow_hosts: vec!["http://x".into()] };
        assert!(bad.check_bind("127.0.0.1".parse().unwrap()).is_err());
    }
}
