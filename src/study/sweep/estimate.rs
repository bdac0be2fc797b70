//! The time and disk a sweep will take, told before it starts.
//!
//! **Model.** The first pending point is run alone on one thread and timed (its record is
//! kept, so nothing is wasted). Every other point is scaled by a cost read off its
//! simulation without running it: per accumulation (hole, and treated zone when the halo
//! is not 0), the cells of the area plus the punctures times the cells of one footprint,
//! `A/h² + P·π(r/h)²` (the two terms of `accumulate`'s runtime). Points that fail
//! validation cost nothing. The mean ratio over up to [`SAMPLE`] evenly spread points,
//! times the first point's time, times the points left, divided by the threads, is the
//! estimate. It is a rough figure: caches, turbo clocks and other jobs move it.

use super::Sweep;

/// Points whose cost is sampled.
pub const SAMPLE: usize = 200;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    /// Points still to run after the timed one.
    pub points: usize,
    pub threads: usize,
    /// Wall time of the timed point, s.
    pub first_s: f64,
    /// Estimated wall time of the rest, s.
    pub seconds: f64,
    /// Estimated bytes the rest adds (journal + results).
    pub bytes: u64,
}

/// Cost units of point `index` (see the module doc); 0 when it will fail validation.
pub fn cost(sweep: &Sweep, index: usize) -> f64 {
    let Ok(sim) = sweep.scenario_of(index).and_then(|f| f.to_simulation_in(&sweep.dir)) else {
        return 0.0;
    };
    let h = sim.grid.resolution_mm;
    let cells = sim.area.area() / (h * h);
    let punctures = sim.estimated_stamps() * sim.cartridge.needle_count() as f64;
    let radii = [Some(sim.cartridge.radius_mm()), (sim.halo_mm > 0.0).then(|| sim.cartridge.radius_mm() + sim.halo_mm)];
    radii.iter().flatten().map(|r| cells + punctures * std::f64::consts::PI * (r / h).powi(2)).sum()
}

/// Estimate the rest of a sweep from one timed point.
pub fn estimate(sweep: &Sweep, first: usize, first_s: f64, record_bytes: u64, rest: &[usize], threads: usize) -> Estimate {
    let c0 = cost(sweep, first);
    let step = (rest.len() / SAMPLE).max(1);
    let sample: Vec<f64> = rest.iter().step_by(step).take(SAMPLE).map(|&i| cost(sweep, i)).collect();
    let ratio = if c0 > 0.0 && !sample.is_empty() { sample.iter().sum::<f64>() / sample.len() as f64 / c0 } else { 1.0 };
    let threads = threads.max(1);
    Estimate {
        points: rest.len(),
        threads,
        first_s,
        seconds: first_s * ratio * rest.len() as f64 / threads.min(rest.len().max(1)) as f64,
        bytes: record_bytes * rest.len() as u64,
    }
}

/// `1 h 02 min`, `3 min 05 s`, `12.3 s`.
pub fn human_duration(s: f64) -> String {
    if !s.is_finite() {
        return "unknown".into();
    }
    let t = s.round() as u64;
    if t >= 3600 {
        format!("{} h {:02} min", t / 3600, (t % 3600) / 60)
    } else if t >= 60 {
        format!("{} min {:02} s", t / 60, t % 60)
    } else {
        format!("{s:.1} s")
    }
}

/// `512 B`, `3.4 kB`, `12.0 MB`, `1.2 GB`.
pub fn human_bytes(b: u64) -> String {
    let b = b as f64;
    match b {
        x if x < 1e3 => format!("{x:.0} B"),
        x if x < 1e6 => format!("{:.1} kB", x / 1e3),
        x if x < 1e9 => format!("{:.1} MB", x / 1e6),
        x => format!("{:.1} GB", x / 1e9),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_units() {
        assert_eq!(human_duration(12.34), "12.3 s");
        assert_eq!(human_duration(185.0), "3 min 05 s");
        assert_eq!(human_duration(3720.0), "1 h 02 min");
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(3_400), "3.4 kB");
        assert_eq!(human_bytes(12_000_000), "12.0 MB");
    }
}
