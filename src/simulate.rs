//! The pipeline: a validated [`Simulation`] in, punctures and metrics out. No IO.
//!
//! Each pass draws from its own random stream: ChaCha8 seeded with the scenario seed, stream
//! number = pass index. Nothing depends on the thread count.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::accumulate::{self, Accumulation, MAX_PASSES, Request};
use crate::cartridge::Cartridge;
use crate::device::Device;
use crate::domain::RectDomain;
use crate::error::{Error, Result};
use crate::geometry::Rect;
use crate::grid::GridSpec;
use crate::metrics::{self, Coverage, Density};
use crate::motion::{self, PassPlan};
use crate::puncture::{self, Puncture};

/// Largest picture side, pixels (the picture is down-sampled from the grid to fit).
pub const PICTURE_MAX_PX: usize = 1000;

/// Narrowest lane spacing accepted, mm (a tenth of a needle: anything closer is a typo, and
/// it bounds the number of lanes a pass can have).
pub const MIN_LANE_SPACING_MM: f64 = 0.01;

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

/// Everything a run needs, validated.
#[derive(Clone, Debug, PartialEq)]
pub struct Simulation {
    pub name: String,
    pub seed: u64,
    pub cartridge: Cartridge,
    pub device: Device,
    /// The treated patch, mm.
    pub area: Rect,
    pub passes: Vec<PassPlan>,
    pub grid: GridSpec,
    /// Treated-zone halo around each hole, mm (0 = hole only).
    pub halo_mm: f64,
    /// Draw a down-sampled picture of the hit counts.
    pub picture: bool,
    pub limits: Limits,
}

/// What a run produced.
#[derive(Clone, Debug)]
pub struct RunResult {
    pub punctures: Vec<Puncture>,
    /// Stamps of each pass.
    pub stamps_per_pass: Vec<usize>,
    /// Time each pass takes at the set speed (path + travel between strokes), s.
    pub pass_time_s: Vec<f64>,
    /// Needle-hole footprint.
    pub hole: Accumulation,
    pub hole_coverage: Coverage,
    /// Footprint grown by the halo; `None` when the halo is 0.
    pub zone: Option<(Accumulation, Coverage)>,
    pub density: Density,
    /// Punctures whose centre fell outside the area (cartridge overhang at the edges).
    pub punctures_outside: u64,
    pub warnings: Vec<String>,
}

impl Simulation {
    /// Check the parts fit together; returns the warnings of a legal but risky setting.
    pub fn validate(&self) -> Result<Vec<String>> {
        self.cartridge.validate()?;
        self.device.validate()?;
        self.device.check_depth(self.cartridge.depth_mm)?;
        let a = &self.area;
        if !(a.x0.is_finite() && a.y0.is_finite() && a.x1.is_finite() && a.y1.is_finite()) || a.width() <= 0.0 || a.height() <= 0.0 {
            return Err(Error::invalid("patch", format!("{} × {} mm", a.width(), a.height()), "a finite rectangle with positive width and height"));
        }
        if self.passes.is_empty() || self.passes.len() > MAX_PASSES {
            return Err(Error::invalid("technique.passes", self.passes.len(), format!("1–{MAX_PASSES} passes")));
        }
        for (i, p) in self.passes.iter().enumerate() {
            if !(p.speed_mm_s.is_finite() && p.speed_mm_s > 0.0 && p.speed_mm_s <= 1000.0) {
                return Err(Error::invalid(format!("technique.passes[{i}].speed_mm_s"), p.speed_mm_s, "0 < speed ≤ 1000 mm/s"));
            }
            if !(p.lane_spacing_mm.is_finite() && p.lane_spacing_mm >= MIN_LANE_SPACING_MM && p.lane_spacing_mm <= 100.0) {
                return Err(Error::invalid(
                    format!("technique.passes[{i}].lane_spacing_mm"),
                    p.lane_spacing_mm,
                    format!("{MIN_LANE_SPACING_MM}–100 mm"),
                ));
            }
            if !(p.direction_deg.is_finite() && p.lane_offset_mm.is_finite()) {
                return Err(Error::invalid(format!("technique.passes[{i}].direction_deg"), p.direction_deg, "a finite angle"));
            }
        }
        let h = self.grid.resolution_mm;
        if !(h.is_finite() && h > 0.0 && h <= crate::grid::DEFAULT_RESOLUTION_MM * 5.0) {
            return Err(Error::invalid("grid.resolution_mm", h, "0 < resolution ≤ 0.05 mm"));
        }
        if !(self.halo_mm.is_finite() && self.halo_mm >= 0.0 && self.halo_mm <= 5.0) {
            return Err(Error::invalid("coverage.halo_mm", self.halo_mm, "0 ≤ halo ≤ 5 mm"));
        }
        let mut warnings = Vec::new();
        if self.passes.len() > 4 {
            warnings.push(format!(
                "{} passes over the same area: the sources advise no more than 3–4 passes over one place",
                self.passes.len()
            ));
        }
        for (i, p) in self.passes.iter().enumerate() {
            let w = self.cartridge.track_width_mm(p.direction_deg, self.device.rotation_deg);
            if p.pattern != crate::motion::Pattern::Random && p.lane_spacing_mm > w + 1e-9 {
                warnings.push(format!(
                    "pass {i}: lane spacing {:.3} mm is wider than the cartridge track ({w:.3} mm): untreated stripes between lanes",
                    p.lane_spacing_mm
                ));
            }
        }
        Ok(warnings)
    }

    /// Stamps and punctures of every pass (no accumulation).
    pub fn punctures(&self) -> (Vec<Puncture>, Vec<usize>, Vec<f64>) {
        let mut out = Vec::new();
        let mut stamps_per_pass = Vec::with_capacity(self.passes.len());
        let mut times = Vec::with_capacity(self.passes.len());
        for (i, plan) in self.passes.iter().enumerate() {
            let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
            rng.set_stream(i as u64);
            let stamps = motion::plan_pass(&self.area, plan, self.device.frequency_hz, &mut rng);
            let (down, up) = motion::path_length_mm(&motion::path(&self.area, plan));
            times.push((down + up) / plan.speed_mm_s);
            stamps_per_pass.push(stamps.len());
            puncture::place(&self.cartridge, &self.device, i as u16, &stamps, &mut out);
        }
        (out, stamps_per_pass, times)
    }

    /// Estimated stamps of the whole run, from the path lengths (no allocation).
    pub fn estimated_stamps(&self) -> f64 {
        self.passes
            .iter()
            .map(|p| {
                let (down, _) = motion::path_length_mm(&motion::path(&self.area, p));
                down / p.speed_mm_s * self.device.frequency_hz + 1.0
            })
            .sum()
    }

    /// Refuse a run whose grid or memory would exceed the limits, with the figures.
    pub fn check_resources(&self) -> Result<()> {
        let cells = self.area.area() / (self.grid.resolution_mm * self.grid.resolution_mm);
        if cells > self.limits.max_cells {
            return Err(Error::TooLarge {
                what: format!("a {} mm grid over {:.0} mm²", self.grid.resolution_mm, self.area.area()),
                needed: format!("{cells:.3e} cells"),
                limit: format!("limits.max_cells = {:.3e}", self.limits.max_cells),
                hint: "raise limits.max_cells or coarsen grid.resolution_mm".into(),
            });
        }
        let punctures = self.estimated_stamps() * self.cartridge.needle_count() as f64;
        let tiles = (self.area.width() / self.grid.tile_mm() + 2.0) * (self.area.height() / self.grid.tile_mm() + 2.0);
        let accum = accumulate::estimate_bytes(
            punctures,
            &self.grid,
            self.cartridge.radius_mm() + self.halo_mm,
            tiles,
            rayon::current_num_threads(),
            PICTURE_MAX_PX * PICTURE_MAX_PX,
        );
        let needed_mb = (punctures * std::mem::size_of::<Puncture>() as f64 + accum) / 1e6;
        if needed_mb > self.limits.max_memory_mb {
            return Err(Error::TooLarge {
                what: format!("{punctures:.3e} punctures"),
                needed: if needed_mb < 1e6 { format!("about {needed_mb:.1} MB") } else { format!("about {needed_mb:.3e} MB") },
                limit: format!("limits.max_memory_mb = {}", self.limits.max_memory_mb),
                hint: "raise limits.max_memory_mb, shrink the patch or speed up the hand".into(),
            });
        }
        Ok(())
    }

    /// Picture pixel in cells: the smallest divisor of the tile side that keeps the picture
    /// within [`PICTURE_MAX_PX`].
    fn picture_cells(&self) -> Option<usize> {
        if !self.picture {
            return None;
        }
        let t = self.grid.tile_cells;
        let side = self.area.width().max(self.area.height()) + 2.0 * self.grid.tile_mm();
        (1..=t).filter(|p| t % p == 0).find(|&p| side / (p as f64 * self.grid.resolution_mm) <= PICTURE_MAX_PX as f64).or(Some(t))
    }

    /// Run the whole pipeline.
    pub fn run(&self) -> Result<RunResult> {
        let mut warnings = self.validate()?;
        self.check_resources()?;
        let (punctures, stamps_per_pass, pass_time_s) = self.punctures();
        let domain = RectDomain(self.area);
        let accumulate_with = |radius_mm: f64, picture_cells: Option<usize>| {
            let acc = accumulate::accumulate(
                &punctures,
                &Request { grid: self.grid, radius_mm, passes: self.passes.len(), picture_cells, domain: &domain },
            );
            let cov = Coverage::from_tally(&acc.tallies[0], &self.grid);
            (acc, cov)
        };
        let (hole, hole_coverage) = accumulate_with(self.cartridge.radius_mm(), self.picture_cells());
        let zone = (self.halo_mm > 0.0).then(|| accumulate_with(self.cartridge.radius_mm() + self.halo_mm, None));
        let density = metrics::density(&punctures, &domain).remove(0);
        let punctures_outside = punctures.len() as u64 - density.punctures_inside;
        if hole_coverage.over_pass_limit_fraction > 0.0 {
            warnings.push(format!(
                "{:.2} % of the area was punctured on more than 4 passes",
                100.0 * hole_coverage.over_pass_limit_fraction
            ));
        }
        Ok(RunResult { punctures, stamps_per_pass, pass_time_s, hole, hole_coverage, zone, density, punctures_outside, warnings })
    }
}

