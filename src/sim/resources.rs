//! The resource guard: one estimate of a run's grid and working memory, checked against
//! [`Limits`] before anything large is allocated. Patch runs, face sessions and
//! [`super::coverage_of_points`] all use it, so one rule decides for all three.
//!
//! **Invariant:** the estimate depends on the workload only, never on the machine: it
//! assumes [`ASSUMED_WORKERS`] accumulation workers whatever the real thread count, so a
//! scenario is accepted or refused alike everywhere.

use crate::error::{Error, Result};
use crate::geometry::Rect;
use crate::needle::footprint::{MAX_TILT_DEG, tilt_depth_factor};
use crate::needle::puncture::Puncture;
use crate::pen::device::Device;
use crate::raster::accumulate;
use crate::raster::grid::GridSpec;
use crate::technique::hand::Hand;

/// Largest picture side, pixels (the picture is down-sampled from the grid to fit).
pub const PICTURE_MAX_PX: usize = 1000;

/// Worker count the memory estimate assumes, whatever the real thread count, so that the
/// same scenario is accepted or refused identically on every machine and thread count.
pub const ASSUMED_WORKERS: usize = 16;

/// Bytes held per puncture at the peak: the puncture, one filtered or drag-free copy (depth
/// levels, coverage without drag), its region label (`u16`) and real depth (`f64`).
pub const BYTES_PER_PUNCTURE: usize = 2 * std::mem::size_of::<Puncture>() + 2 + 8;

/// Limits checked before anything large is allocated.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limits {
    /// Largest estimated working memory, MB.
    pub max_memory_mb: f64,
    /// Largest number of grid cells (measured area / resolution²).
    pub max_cells: f64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_memory_mb: 2048.0, max_cells: 4.0e9 }
    }
}

/// What a run will measure, for the estimate.
#[derive(Clone, Copy, Debug)]
pub struct Workload {
    /// The measured box (the patch, or the face map's bounds), mm.
    pub bounds: Rect,
    pub grid: GridSpec,
    /// Expected punctures (stamps × needles).
    pub punctures: f64,
    /// Largest likely half-extent of one footprint, mm ([`footprint_reach_mm`]).
    pub reach_mm: f64,
    /// Passes the accumulator tells apart (pictures budgeted: the hits picture + one a pass).
    pub passes: usize,
}

/// A [`Workload`]'s estimated needs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    /// Grid cells over the measured box (area / resolution²).
    pub cells: f64,
    /// Working memory, MB (10⁶ bytes): punctures, accumulation bins, per-worker workspaces,
    /// pictures.
    pub memory_mb: f64,
}

/// How to word a refusal: where the limits are set and what to shrink.
#[derive(Clone, Copy, Debug)]
pub struct Advice<'a> {
    /// True when the limits are the scenario's `[limits]` keys (the message names them);
    /// false for a command with fixed limits.
    pub keyed: bool,
    /// What is measured, e.g. "the patch" or "the map's box".
    pub measured: &'a str,
    /// The resolution setting to coarsen, e.g. "grid.resolution_mm".
    pub coarsen: &'a str,
    /// How to need fewer punctures, e.g. "shrink the patch".
    pub shrink: &'a str,
}

/// Largest likely half-extent of one footprint, mm: the treated-zone radius `radius_mm`
/// stretched by the tilt (mean + 3 sd, clipped at [`MAX_TILT_DEG`]) plus the drag at a fast
/// (+3 sd) hand moving at `max_speed_mm_s`.
pub fn footprint_reach_mm(radius_mm: f64, device: &Device, hand: &Hand, max_speed_mm_s: f64) -> f64 {
    let tilt = (90.0 - device.angle_deg + hand.tilt_mean_deg + 3.0 * hand.tilt_sd_deg).min(MAX_TILT_DEG);
    let speed = max_speed_mm_s * (3.0 * hand.speed_sd_fraction).exp();
    let drag = device.contact_duty.map_or(0.0, |d| speed * d * (1.0 + 3.0 * hand.frequency_jitter_fraction) / device.frequency_hz);
    radius_mm / tilt_depth_factor(tilt) + drag
}

/// Estimated grid cells and working memory of `w`.
///
/// # Runtime
/// O(1): arithmetic on the workload's figures; nothing is allocated.
pub fn estimate(w: &Workload) -> Estimate {
    let res = w.grid.resolution_mm;
    let cells = w.bounds.area() / (res * res);
    let tile = w.grid.tile_mm();
    let tiles = (w.bounds.width() / tile + 2.0) * (w.bounds.height() / tile + 2.0);
    let accum = accumulate::estimate_bytes(
        w.punctures,
        &w.grid,
        w.reach_mm,
        tiles,
        ASSUMED_WORKERS,
        PICTURE_MAX_PX * PICTURE_MAX_PX * (1 + w.passes),
    );
    Estimate { cells, memory_mb: (w.punctures * BYTES_PER_PUNCTURE as f64 + accum) / 1e6 }
}

/// Refuse a workload whose grid or memory would exceed `limits` ([`Error::TooLarge`] with
/// the figures, the limit and the key to raise).
///
/// # Runtime
/// O(1), as [`estimate`].
pub fn check(w: &Workload, limits: &Limits, advice: &Advice) -> Result<()> {
    let e = estimate(w);
    let limit = |key: &str, v: String| if advice.keyed { format!("limits.{key} = {v}") } else { v };
    if e.cells > limits.max_cells {
        return Err(Error::TooLarge {
            what: format!("a {} mm grid over {}: {:.0} mm²", w.grid.resolution_mm, advice.measured, w.bounds.area()),
            needed: format!("{:.3e} cells", e.cells),
            limit: limit("max_cells", format!("{:.3e}", limits.max_cells)),
            hint: if advice.keyed {
                format!("raise limits.max_cells or coarsen {}", advice.coarsen)
            } else {
                format!("coarsen {} or {}", advice.coarsen, advice.shrink)
            },
        });
    }
    if e.memory_mb > limits.max_memory_mb {
        let mb = e.memory_mb;
        return Err(Error::TooLarge {
            what: format!("{:.3e} punctures", w.punctures),
            needed: if mb < 1e6 { format!("about {mb:.1} MB") } else { format!("about {mb:.3e} MB") },
            limit: limit("max_memory_mb", limits.max_memory_mb.to_string()),
            hint: if advice.keyed {
                format!("raise limits.max_memory_mb, {} or speed up the hand", advice.shrink)
            } else {
                advice.shrink.to_string()
            },
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn work(punctures: f64) -> Workload {
        Workload { bounds: Rect::new(0.0, 0.0, 40.0, 30.0), grid: GridSpec::new(0.01).unwrap(), punctures, reach_mm: 0.1, passes: 3 }
    }

    #[test]
    fn refusals_name_the_key_to_raise() {
        let advice = Advice { keyed: true, measured: "the patch", coarsen: "grid.resolution_mm", shrink: "shrink the patch" };
        assert!(check(&work(1e5), &Limits::default(), &advice).is_ok());
        let msg = check(&work(1e5), &Limits { max_cells: 1e6, ..Limits::default() }, &advice).unwrap_err().to_string();
        assert!(msg.contains("limits.max_cells") && msg.contains("1.200e7 cells"), "{msg}");
        let msg = check(&work(1e9), &Limits::default(), &advice).unwrap_err().to_string();
        assert!(msg.contains("limits.max_memory_mb = 2048") && msg.contains("shrink the patch"), "{msg}");
    }

    #[test]
    fn tilt_and_drag_stretch_the_reach() {
        let device = Device::default();
        let still = footprint_reach_mm(0.1, &device, &Hand::default(), 50.0);
        assert!((still - 0.1).abs() < 1e-12);
        let tilted = Hand { tilt_mean_deg: 60.0, ..Hand::default() };
        assert!((footprint_reach_mm(0.1, &device, &tilted, 50.0) - 0.2).abs() < 1e-12);
        let dragging = Device { contact_duty: Some(0.5), ..Device::default() };
        assert!(footprint_reach_mm(0.1, &dragging, &Hand::default(), 50.0) > 0.1);
    }
}
