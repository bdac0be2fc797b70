//! `needlesim serve` lets in only the page the trainer opened (issue 18): real HTTP against
//! the built binary on 127.0.0.1 (ephemeral ports, loopback only, every loop bounded).
//! Without the token 401, with a wrong one 403; the printed URL's token sets an HttpOnly,
//! SameSite=Strict cookie; a foreign Host (DNS rebinding) or Origin (another site's page) is
//! 403 and a non-JSON body 415, storing nothing; `--no-token` is refused off loopback;
//! exports are capped per session (429) and in bytes (507) without leaving half a folder.

mod common;

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::http::{Server, line_samples, request_with};
use serde_json::{Value, json};

/// Sessions open on `s` (the count endpoint, with the token).
fn open_sessions(s: &Server) -> u64 {
    let r = s.call("GET", "/api/sessions", None);
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["open"].as_u64().unwrap()
}

/// A raw request to `s` with exactly these head fields.
fn raw(s: &Server, method: &str, path: &str, fields: &[(&str, &str)], body: &str) -> common::http::Response {
    request_with(&s.addr, method, path, fields, Some(body.as_bytes())).unwrap_or_else(|e| panic!("{method} {path}: {e}"))
}

fn error(r: &common::http::Response) -> String {
    r.json()["error"].as_str().unwrap_or_else(|| panic!("no error message: {}", r.body)).to_owned()
}

#[test]
fn the_printed_url_carries_a_fresh_token_or_the_one_given() {
    let a = Server::start(&["scenarios/default.toml"]);
    let b = Server::start(&["scenarios/default.toml"]);
    let port = a.addr.rsplit_once(':').unwrap().1;
    assert_eq!(a.url, format!("http://127.0.0.1:{port}/?token={}", a.token), "{}", a.banner);
    assert!(a.token.len() == 32 && a.token.chars().all(|c| c.is_ascii_hexdigit()), "{}", a.token);
    assert_ne!(a.token, b.token, "each start makes a new token");
    // The token of one server does not open another.
    let r = raw(&b, "GET", "/api/config", &[("Authorization", &format!("Bearer {}", a.token))], "");
    assert_eq!(r.status, 403);

    let given = Server::start(&["scenarios/default.toml", "--token", "classroom-token-42"]);
    assert_eq!(given.token, "classroom-token-42");
    assert_eq!(given.call("GET", "/api/config", None).status, 200);
    let env = Server::start_with(&["scenarios/default.toml"], &[("NEEDLESIM_TOKEN", "from-the-environment")]);
    assert_eq!(env.token, "from-the-environment");
    assert_eq!(env.call("GET", "/api/config", None).status, 200);
}

#[test]
fn no_token_is_401_a_wrong_one_403_the_right_bearer_200() {
    let s = Server::start(&["scenarios/default.toml"]);
    let json_type = ("Content-Type", "application/json");
    for (method, path, body) in [("GET", "/api/config", ""), ("GET", "/", ""), ("POST", "/api/sessions", "{}"), ("GET", "/app.js", "")] {
        let none = raw(&s, method, path, &[json_type], body);
        assert_eq!(none.status, 401, "{method} {path} without a token: {}", none.body);
        assert!(none.body.contains("no token") && none.body.contains("?token="), "{}", none.body);
        assert_eq!(none.header("www-authenticate"), Some("Bearer realm=\"needlesim\""));
        let wrong = raw(&s, method, path, &[json_type, ("Authorization", "Bearer 0123456789abcdef0123456789abcdef")], body);
        assert_eq!(wrong.status, 403, "{method} {path} with a wrong token: {}", wrong.body);
        assert!(wrong.body.contains("wrong token"), "{}", wrong.body);
        let other_scheme = raw(&s, method, path, &[json_type, ("Authorization", &format!("Basic {}", s.token))], body);
        assert_eq!(other_scheme.status, 401, "{method} {path}: only Bearer carries the token");
    }
    // The page says what to do, as a page.
    let page = raw(&s, "GET", "/", &[], "");
    assert!(page.header("content-type").unwrap().starts_with("text/html"), "{:?}", page.headers);
    // Nothing was created by the refused requests; the token opens everything.
    assert_eq!(open_sessions(&s), 0);
    assert_eq!(s.call("GET", "/api/config", None).status, 200);
    assert_eq!(s.call("GET", "/", None).status, 200);
    let id = s.session();
    assert_eq!(open_sessions(&s), 1);
    // Another tab's id does not get around the token.
    let r = raw(&s, "POST", &format!("/api/sessions/{id}/clear"), &[json_type], "");
    assert_eq!(r.status, 401);
}

#[test]
fn opening_the_token_url_sets_an_httponly_strict_cookie_that_lets_the_page_in() {
    let s = Server::start(&["scenarios/default.toml"]);
    let path = format!("/?token={}", s.token);
    let r = raw(&s, "GET", &path, &[], "");
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.header("location"), Some("/"));
    let set = r.header("set-cookie").expect("a cookie").to_owned();
    let port = s.addr.rsplit_once(':').unwrap().1;
    let pair = format!("needlesim-token-{port}={}", s.token);
    assert!(set.starts_with(&format!("{pair};")), "{set}");
    for attr in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(set.split(';').any(|a| a.trim() == attr), "{attr} missing from {set}");
    }
    // The cookie (beside others) opens the page and the API.
    let cookie = format!("theme=dark; {pair}");
    let page = raw(&s, "GET", "/", &[("Cookie", &cookie)], "");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<canvas id=\"map\""));
    let host = s.addr.clone();
    let origin = format!("http://{host}");
    let fields = [("Cookie", cookie.as_str()), ("Origin", origin.as_str()), ("Content-Type", "application/json")];
    let r = raw(&s, "POST", "/api/sessions", &fields, "{}");
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(open_sessions(&s), 1);
    // A wrong token in the URL: 403, no cookie. Another port's cookie is not this server's.
    let r = raw(&s, "GET", "/?token=not-the-token-at-all", &[], "");
    assert_eq!(r.status, 403);
    assert_eq!(r.header("set-cookie"), None);
    let r = raw(&s, "GET", "/api/config", &[("Cookie", &format!("needlesim-token-1={}", s.token))], "");
    assert_eq!(r.status, 401);
    let r = raw(&s, "GET", "/api/config", &[("Cookie", &format!("needlesim-token-{port}=stale-token-from-before"))], "");
    assert_eq!(r.status, 403);
}

#[test]
fn a_foreign_host_origin_or_content_type_is_refused_and_stores_nothing() {
    let s = Server::start(&["scenarios/default.toml"]);
    let port = s.addr.rsplit_once(':').unwrap().1;
    let evil_host = format!("evil.example:{port}");
    let bearer = format!("Bearer {}", s.token);
    assert_eq!(open_sessions(&s), 0);

    // The request of the issue: a rebound name, another site's Origin, text/plain.
    let issue = [("Host", evil_host.as_str()), ("Origin", "http://evil.example"), ("Content-Type", "text/plain")];
    let r = raw(&s, "POST", "/api/sessions", &issue, "{}");
    assert_eq!(r.status, 403, "{}", r.body);
    assert!(error(&r).contains("evil.example") && error(&r).contains("--allow-host"), "{}", r.body);
    // Even with the token, a foreign Host is refused (DNS rebinding), for the page too.
    let json_type = ("Content-Type", "application/json");
    let r = raw(&s, "POST", "/api/sessions", &[("Host", &evil_host), ("Authorization", &bearer), json_type], "{}");
    assert_eq!(r.status, 403, "{}", r.body);
    let r = raw(&s, "GET", "/", &[("Host", &evil_host), ("Authorization", &bearer)], "");
    assert_eq!(r.status, 403);
    let r = raw(&s, "GET", &format!("/?token={}", s.token), &[("Host", &evil_host)], "");
    assert_eq!(r.status, 403);
    assert_eq!(r.header("set-cookie"), None, "no cookie for a foreign name");
    assert_eq!(open_sessions(&s), 0);

    // With the token and this Host: another Origin is refused, this one is not.
    let own = format!("http://{}", s.addr);
    let with = |origin: &str, ct: &str| {
        raw(&s, "POST", "/api/sessions", &[("Authorization", &bearer), ("Origin", origin), ("Content-Type", ct)], "{}")
    };
    for origin in ["http://evil.example", &format!("http://evil.example:{port}"), "null", &format!("https://{}", s.addr)] {
        let r = with(origin, "application/json");
        assert_eq!(r.status, 403, "Origin {origin}: {}", r.body);
        assert!(error(&r).contains("Origin"), "{}", r.body);
    }
    assert_eq!(open_sessions(&s), 0);
    // Bodies are JSON only: text/plain, a form, no type at all: 415.
    for ct in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"] {
        let r = with(&own, ct);
        assert_eq!(r.status, 415, "{ct}: {}", r.body);
        assert!(error(&r).contains("application/json"), "{}", r.body);
    }
    let r = raw(&s, "POST", "/api/sessions", &[("Authorization", &bearer)], "{}");
    assert_eq!(r.status, 415, "{}", r.body);
    assert_eq!(open_sessions(&s), 0);
    // The page's own request is let in; `localhost` names this server too.
    assert_eq!(with(&own, "application/json; charset=utf-8").status, 200);
    let lh = format!("localhost:{port}");
    let r = raw(
        &s,
        "POST",
        "/api/sessions",
        &[("Host", &lh), ("Origin", &format!("http://{lh}")), ("Authorization", &bearer), json_type],
        "{}",
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(open_sessions(&s), 2);

    // A state change on an existing session from another Origin changes nothing.
    let id = s.session();
    let samples = line_samples(0.0, (5.0, 5.0), (30.0, 8.0), 40.0, 16.0);
    let body = json!({"stroke": 1, "pass": 0, "samples": samples, "end": true}).to_string();
    let r = raw(
        &s,
        "POST",
        &format!("/api/sessions/{id}/strokes"),
        &[("Authorization", &bearer), ("Origin", "http://evil.example"), json_type],
        &body,
    );
    assert_eq!(r.status, 403);
    let r = raw(&s, "DELETE", &format!("/api/sessions/{id}"), &[("Authorization", &bearer), ("Origin", "http://evil.example")], "");
    assert_eq!(r.status, 403);
    assert_eq!(open_sessions(&s), 3, "the session is still there");
    let m = s.call("POST", &format!("/api/sessions/{id}/strokes"), Some(&json!({"stroke": 9, "pass": 0, "samples": [], "end": true})));
    assert_eq!(m.json()["metrics"]["punctures"], 0, "no stroke was stored");
}

/// Run `needlesim serve` with `args` and wait (at most 60 s) for it to exit.
fn exits(args: &[&str]) -> (Option<i32>, String) {
    let mut child = common::bin().args(args).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
            return (status.code(), err);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("needlesim {args:?} kept running");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn no_token_is_refused_off_loopback_and_bad_tokens_are_bad_input() {
    let (code, err) = exits(&["serve", "scenarios/default.toml", "--no-token", "--bind", "0.0.0.0", "--port", "0"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("--no-token") && err.contains("loopback"), "{err}");
    let (code, err) = exits(&["serve", "scenarios/default.toml", "--token", "short", "--port", "0"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("--token") && err.contains("12 to 256"), "{err}");
    let (code, err) = exits(&["serve", "scenarios/default.toml", "--allow-host", "http://x/", "--port", "0"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("--allow-host"), "{err}");

    // On loopback it serves without a token, and the Host and Origin rules still hold.
    let s = Server::start(&["scenarios/default.toml", "--no-token"]);
    assert!(s.token.is_empty() && s.url.ends_with('/'), "{}", s.url);
    let json_type = ("Content-Type", "application/json");
    assert_eq!(raw(&s, "POST", "/api/sessions", &[json_type], "{}").status, 200);
    assert_eq!(raw(&s, "POST", "/api/sessions", &[json_type, ("Origin", "http://evil.example")], "{}").status, 403);
    assert_eq!(raw(&s, "POST", "/api/sessions", &[json_type, ("Host", "evil.example")], "{}").status, 403);
    assert_eq!(raw(&s, "POST", "/api/sessions", &[("Content-Type", "text/plain")], "{}").status, 415);
    assert_eq!(open_sessions(&s), 1);
}

/// A session on `s` with one stroke drawn.
fn drawn_session(s: &Server) -> String {
    let id = s.session();
    let samples = line_samples(0.0, (5.0, 5.0), (30.0, 8.0), 40.0, 16.0);
    let r = s.call("POST", &format!("/api/sessions/{id}/strokes"), Some(&json!({"stroke": 1, "pass": 0, "samples": samples, "end": true})));
    assert_eq!(r.status, 200, "{}", r.body);
    id
}

fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    v.sort();
    v
}

#[test]
fn exports_are_capped_per_session_and_in_bytes_without_half_written_folders() {
    // Per session: the second export is 429, the first stays whole.
    let s = Server::start(&["scenarios/default.toml", "--max-exports-per-session", "1"]);
    let id = drawn_session(&s);
    let first = s.call("POST", &format!("/api/sessions/{id}/export"), None);
    assert_eq!(first.status, 200, "{}", first.body);
    let second = s.call("POST", &format!("/api/sessions/{id}/export"), None);
    assert_eq!(second.status, 429, "{}", second.body);
    assert!(error(&second).contains("--max-exports-per-session 1"), "{}", second.body);
    let dirs = entries(s.export_dir.path());
    assert_eq!(dirs.len(), 1, "{dirs:?}");
    let files = entries(&s.export_dir.path().join(&dirs[0]));
    for f in ["summary.json", "report.html", "trace.csv", "strokes.csv", "scenario.toml"] {
        assert!(files.contains(&f.to_string()), "{f} missing: {files:?}");
    }
    // Another session has its own count.
    let other = drawn_session(&s);
    assert_eq!(s.call("POST", &format!("/api/sessions/{other}/export"), None).status, 200);
    assert_eq!(entries(s.export_dir.path()).len(), 2);

    // In bytes: an export bigger than the cap is written, measured and discarded whole.
    let s = Server::start(&["scenarios/default.toml", "--max-export-mb", "0.01"]);
    let id = drawn_session(&s);
    let r = s.call("POST", &format!("/api/sessions/{id}/export"), None);
    assert_eq!(r.status, 507, "{}", r.body);
    let msg = error(&r);
    assert!(msg.contains("--max-export-mb") && msg.contains("0.01 MB") && msg.contains("with this export ("), "{msg}");
    assert_eq!(entries(s.export_dir.path()), Vec::<String>::new(), "nothing left, not even the staging folder");

    // A directory already at its cap refuses before writing anything.
    // (An export of this session is about 1.2 MB.)
    let s = Server::start(&["scenarios/default.toml", "--max-export-mb", "3"]);
    std::fs::write(s.export_dir.path().join("old.bin"), vec![0u8; 3_500_000]).unwrap();
    let id = drawn_session(&s);
    let r = s.call("POST", &format!("/api/sessions/{id}/export"), None);
    assert_eq!(r.status, 507, "{}", r.body);
    assert!(error(&r).contains("holds 3.50 MB, more than its cap of 3.00 MB"), "{}", r.body);
    assert_eq!(entries(s.export_dir.path()), vec!["old.bin".to_string()]);
    // Once room is made, the same session exports (a refusal did not use up its count).
    std::fs::remove_file(s.export_dir.path().join("old.bin")).unwrap();
    let r = s.call("POST", &format!("/api/sessions/{id}/export"), None);
    assert_eq!(r.status, 200, "{}", r.body);
    let v: Value = r.json();
    assert!(v["dir"].as_str().unwrap().ends_with("-001"), "{v}");
}
