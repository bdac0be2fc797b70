//! `needlesim serve`: the live training page on a local web server.

use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

use needlesim::io::scenario::{self, Override};
use needlesim::serve::{self, ServeConfig, ServeLimits};

/// The scenario served when none is given: the built-in default face with the full-face
/// session's pen (see README "Face maps").
const DEFAULT_SCENARIO: &str = include_str!("../../scenarios/full-face.toml");

#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  needlesim serve   # the default face\n  needlesim serve scenarios/default.toml --port 8080   # the flat patch\n  needlesim serve --port 0   # any free port; the URL is printed"
)]
/// Serve the live training page: draw strokes in a browser and watch punctures and coverage build up.
pub struct ServeArgs {
    /// Scenario whose pen, halo and area are the page's defaults (default: the built-in default face).
    pub scenario: Option<PathBuf>,
    /// TCP port (0 = any free port).
    #[arg(long, default_value_t = 8737)]
    pub port: u16,
    /// Address to listen on. The default serves this machine only; another address exposes the page to the network.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Directory that receives exports (each in a fresh sub-directory).
    #[arg(long, default_value = "output/live")]
    pub export_dir: PathBuf,
    /// Most sessions (browser tabs) at once.
    #[arg(long, default_value_t = ServeLimits::default().max_sessions)]
    pub max_sessions: usize,
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
    let map = config.map.name.clone();
    let addr = SocketAddr::new(a.bind, a.port);
    serve::run(config, addr, |local| {
        // A closed stdout (the launcher stopped reading) must not stop the server.
        let mut out = std::io::stdout().lock();
        let _ = writeln!(
            out,
            "needlesim serve: open http://{local}/ in a browser ({map}; scenario: {label}; exports under {})",
            a.export_dir.display()
        );
        if !local.ip().is_loopback() {
            let _ = writeln!(out, "  warning: listening on {} — other machines on the network can reach this page", local.ip());
        }
        let _ = writeln!(out, "  stop with Ctrl-C");
        let _ = out.flush();
    })?;
    Ok(ExitCode::SUCCESS)
}
