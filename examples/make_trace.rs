//! Writes the example recorded trace `scenarios/traces/example-hand.csv` (to stdout):
//!
//! ```sh
//! cargo run --example make_trace > scenarios/traces/example-hand.csv
//! ```
//!
//! A synthetic but hand-like recording, fully deterministic: a serpentine over a 24 × 15 mm
//! patch (5 lanes 3 mm apart, about one 12-needle track, joined by half-circle turns), at a
//! hand speed of 40 mm/s ± 15 % (a slow 0.7 Hz surge), with a lateral wobble of two
//! sinusoids (0.2 mm at 1.3 Hz, 0.1 mm at 3.7 Hz) and a tilt of 4° ± 2° (0.5 Hz), sampled
//! at 100 Hz as a motion tracker would. Every number here is **assumed**, chosen to look
//! like a careful practitioner; it is an example input, not a measurement.

use std::f64::consts::{PI, TAU};
use std::fmt::Write;

const LANES: usize = 5;
const SPACING_MM: f64 = 3.0;
const X0_MM: f64 = 2.0;
const X1_MM: f64 = 22.0;
const Y0_MM: f64 = 1.5;
const RATE_HZ: f64 = 100.0;

/// Point and unit direction of the planned serpentine at arc length `s`.
fn along(s: f64) -> Option<((f64, f64), (f64, f64))> {
    let lane = X1_MM - X0_MM;
    let turn = PI * SPACING_MM / 2.0;
    let mut s = s;
    for k in 0..LANES {
        let y = Y0_MM + k as f64 * SPACING_MM;
        let forward = k % 2 == 0;
        if s <= lane {
            return Some(if forward { ((X0_MM + s, y), (1.0, 0.0)) } else { ((X1_MM - s, y), (-1.0, 0.0)) });
        }
        s -= lane;
        if k + 1 == LANES {
            return None;
        }
        if s <= turn {
            // Half circle from this lane's end to the next lane's start.
            let r = SPACING_MM / 2.0;
            let a = s / r;
            let (cx, cy) = (if forward { X1_MM } else { X0_MM }, y + r);
            let sign = if forward { 1.0 } else { -1.0 };
            let p = (cx + sign * r * a.sin(), cy - r * a.cos());
            let d = (sign * a.cos(), a.sin());
            return Some((p, d));
        }
        s -= turn;
    }
    None
}

/// The trace CSV text.
pub fn trace_csv() -> String {
    let mut out =
        String::from("# Example hand recording, written by `cargo run --example make_trace` (synthetic, see examples/make_trace.rs)\n");
    out.push_str("t_s,x_mm,y_mm,tilt_deg\n");
    let dt = 1.0 / RATE_HZ;
    let mut s = 0.0;
    for k in 0.. {
        let t = k as f64 * dt;
        let Some(((x, y), (dx, dy))) = along(s) else { break };
        let wobble = 0.2 * (TAU * 1.3 * t).sin() + 0.1 * (TAU * 3.7 * t + 1.0).sin();
        let (px, py) = (x - dy * wobble, y + dx * wobble);
        let tilt = 4.0 + 2.0 * (TAU * 0.5 * t).sin();
        writeln!(out, "{t:.2},{px:.4},{py:.4},{tilt:.2}").unwrap();
        let speed = 40.0 * (1.0 + 0.15 * (TAU * 0.7 * t).sin());
        s += speed * dt;
    }
    out
}

#[allow(dead_code)]
fn main() {
    print!("{}", trace_csv());
}
