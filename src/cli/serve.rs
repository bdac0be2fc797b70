//! `needlesim serve`: the live training page on a local web server.

use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

use needlesim::io::scenario::{self, Override};
use needlesim::serve::access::TOKEN_ENV;
use needlesim::serve::{self, Access, ServeConfig, ServeLimits, Token};

/// The scenario served when none is given: the built-in default face with the full-face
/// session's pen (see README "Face maps").
const DEFAULT_SCENARIO: &str = include_str!("../../scenarios/flat-face.toml");

#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  needlesim serve   # the default face\n  needlesim serve scenarios/default.toml --port 8080   # the flat patch\n  needlesim serve --port 0   # any free port; the URL is printed\n  needlesim serve --bind 0.0.0.0   # a classroom: tablets on the local network open the printed URL\n\nAccess: the printed URL carries a token (?token=…); opening it lets that browser in (a cookie). Other clients send\n`Authorization: Bearer TOKEN`. Requests without it get 401, with a wrong one 403."
)]
/// Serve the live training page: draw strokes in a browser and watch punctures and coverage build up.
pub struct ServeArgs {
    /// Scenario whose pen, halo and area are the page's defaults (default: the built-in default face).
    pub scenario: Option<PathBuf>,
    /// TCP port (0 = any free port).
    #[arg(long, default_value_t = 8737)]
    pub port: u16,
    /// Address to listen on. The default serves this machine only; 0.0.0.0 serves the local network (with the token).
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// The access token (default: $NEEDLESIM_TOKEN, else a random one per start); 12–256 letters, digits or -._~.
    #[arg(long, value_name = "TOKEN", conflicts_with = "no_token")]
    pub token: Option<String>,
    /// Serve without a token (loopback --bind only): any program on this machine can then use the server.
    #[arg(long)]
    pub no_token: bool,
    /// Another name this server may be reached under (the Host header), e.g. trainer-pc.local (repeatable).
    #[arg(long = "allow-host", value_name = "NAME")]
    pub allow_host: Vec<String>,
    /// Directory that receives exports (each in a fresh sub-directory).
    #[arg(long, default_value = "output/live")]
    pub export_dir: PathBuf,
    /// Most sessions (browser tabs) at once.
    #[arg(long, default_value_t = ServeLimits::default().max_sessions)]
    pub max_sessions: usize,
    /// Most exports one session may write (past it: 429).
    #[arg(long, default_value_t = ServeLimits::default().max_exports_per_session)]
    pub max_exports_per_session: u32,
    /// Most megabytes (10^6 bytes) the export directory may hold; an export that would pass it is refused (507).
    #[arg(long, value_name = "MB", default_value_t = ServeLimits::default().max_export_bytes as f64 / 1e6)]
    pub max_export_mb: f64,
    /// Override a scenario key by dotted path, e.g. cartridge.depth_mm=1.5 (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
}

pub fn run(a: ServeArgs) -> anyhow::Result<ExitCode> {
    let overrides = a.set.iter().map(|s| s.parse::<Override>()).collect::<Result<Vec<_>, _>>()?;
    let (file, path, label) = match &a.scenario {
        Some(p) => (scenario::load(p, &overrides)?, p.clone(), p.display().to_string()),
        None => {
            let path = PathBuf::from("<built-in default scenario>");
            (scenario::parse(DEFAULT_SCENARIO, &path, &overrides)?, path, "the built-in default face scenario".into())
        }
    };
    let config = if file.is_face() {
        let face = scenario::load_face_map(&file, &path)?;
        ServeConfig::from_face_scenario(file, face, a.export_dir.clone())
    } else {
        ServeConfig::from_scenario(file, a.export_dir.clone())
    };
    let mut config = config.with_context(|| format!("invalid scenario {label}"))?;
    if a.max_sessions == 0 {
        return Err(needlesim::Error::invalid("--max-sessions", 0, "at least 1").into());
    }
    config.limits.max_sessions = a.max_sessions;
    if a.max_exports_per_session == 0 {
        return Err(needlesim::Error::invalid("--max-exports-per-session", 0, "at least 1").into());
    }
    config.limits.max_exports_per_session = a.max_exports_per_session;
    if !(a.max_export_mb.is_finite() && a.max_export_mb > 0.0 && a.max_export_mb <= 1e9) {
        return Err(needlesim::Error::invalid("--max-export-mb", a.max_export_mb, "a size in MB, 0 < MB ≤ 1e9").into());
    }
    config.limits.max_export_bytes = (a.max_export_mb * 1e6).round() as u64;
    config.access = access(&a)?;
    // Bound to every interface: the URL names this machine's address (or host name, which
    // the Host check must then allow).
    let public = if a.bind.is_unspecified() { serve::net::public_host(a.bind) } else { None };
    if let Some(name) = &public
        && name.parse::<IpAddr>().is_err()
    {
        config.access.allow_hosts.push(name.clone());
    }
    config.access.check_bind(a.bind)?;
    if config.access.token.is_none() {
        eprintln!(
            "warning: --no-token: any program on this machine can use the server (the Host and Origin checks still keep other web pages out)"
        );
    }
    let query = config.access.token.as_ref().map(|t| format!("?token={}", t.as_str())).unwrap_or_default();
    let map = config.map.name.clone();
    let addr = SocketAddr::new(a.bind, a.port);
    serve::run(config, addr, |local| {
        let port = local.port();
        let url = |host: &str| match host.parse::<IpAddr>() {
            Ok(ip) => format!("http://{}/{query}", SocketAddr::new(ip, port)),
            Err(_) => format!("http://{host}:{port}/{query}"),
        };
        let shown = match (&public, local.ip().is_unspecified()) {
            (Some(host), _) => url(host),
            (None, true) => url("127.0.0.1"),
            (None, false) => url(&local.ip().to_string()),
        };
        // A closed stdout (the launcher stopped reading) must not stop the server.
        let mut out = std::io::stdout().lock();
        let _ = writeln!(
            out,
            "needlesim serve: open {shown} in a browser ({map}; scenario: {label}; exports under {})",
            a.export_dir.display()
        );
        if !local.ip().is_loopback() {
            if local.ip().is_unspecified() {
                let _ = writeln!(out, "  on this machine: {}", url("127.0.0.1"));
                let others: Vec<String> = serve::net::local_addresses()
                    .into_iter()
                    .filter(|ip| ip.is_ipv4() || local.is_ipv6())
                    .map(|ip| url(&ip.to_string()))
                    .filter(|u| *u != shown)
                    .collect();
                if !others.is_empty() {
                    let _ = writeln!(out, "  also reachable at: {}", others.join("  "));
                }
            }
            let _ = writeln!(
                out,
                "  warning: listening on {} — other machines on the network can reach this page; anyone with the URL (its token) can use it, and it travels unencrypted (no TLS): use a network you trust",
                local.ip()
            );
        }
        let _ = writeln!(out, "  stop with Ctrl-C");
        let _ = out.flush();
    })?;
    Ok(ExitCode::SUCCESS)
}

/// The token: `--token`, else `$NEEDLESIM_TOKEN`, else a random one; none with `--no-token`.
fn access(a: &ServeArgs) -> anyhow::Result<Access> {
    let token = if a.no_token {
        None
    } else if let Some(t) = &a.token {
        Some(Token::new("--token", t)?)
    } else {
        match std::env::var(TOKEN_ENV) {
            Ok(t) if !t.is_empty() => Some(Token::new(TOKEN_ENV, &t)?),
            _ => Some(Token::random()?),
        }
    };
    Ok(Access { token, allow_hosts: a.allow_host.clone() })
}
