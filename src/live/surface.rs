//! A live session on a curved face ([`SurfaceFace`]): strokes drawn on the skin (chart points
//! with the pointer's times), stamped by true 3D arc length at the pen's frequency and landed
//! with the pen at 90° to the local skin ([`crate::surface::trace`], the same core as a surface
//! `run`), accumulated incrementally in the chart ([`LiveAccumulator::push_shaped`], labels =
//! triangles) and weighted by each triangle's true skin area, so coverage is per mm² of skin.
//!
//! **Grid.** The chart grid of [`SurfaceGrid::choose`] for the needle radius over every region
//! at [`super::LIVE_RESOLUTION_MM`], coarsened to at least [`SURFACE_LIVE_RESOLUTION_MM`] and
//! so the chart bounds hold at most [`SURFACE_LIVE_MAX_CELLS`] cells (as the flat live grid
//! is on a whole face); its fewest cells across a hole radius on the most stretched region
//! triangle is reported ([`SurfaceLiveMap::min_cells_across_radius`]). Centre sampling is
//! unbiased over many holes, noisy per hole on a coarse grid (see the flat live grid's note in
//! [`super`]). The exact figures at a scenario's resolution come from the core on the trace.
//!
//! **Figures.** Per region: hole coverage per skin area (`Σ_t w_t · tally_t` over its
//! triangles, [`crate::surface::measure::weights`]), punctures whose centre landed on it and
//! their density per cm² of skin. **Warnings:** a no-go zone reached by a needle (the landed
//! triangle is in the zone, or the needle's skin point is within its radius of the zone's
//! triangles, 3D), punctures off the regions, more than 4 passes on a spot, pen-on time
//! beyond the procedure limit. Undo removes the last stroke exactly (integer tallies).

use std::sync::Arc;

use crate::error::{Error, Result};
use crate::face::surface_face::SurfaceFace;
use crate::geometry::Vec2;
use crate::metrics::Coverage;
use crate::raster::accumulate::{PASS_LIMIT, Tally};
use crate::raster::grid::GridSpec;
use crate::surface::chart::Chart;
use crate::surface::clearance::Clearance;
use crate::surface::measure::{self, SurfaceGrid};
use crate::surface::place::{Landing, NO_TRIANGLE};
use crate::surface::trace::{self, SurfaceSample, SurfaceStamper, TraceStroke};

use super::session::{PROCEDURE_LIMIT_MIN, SessionLimits};
use super::{LIVE_PASSES, LIVE_RESOLUTION_MM, LayerSpec, LiveAccumulator, PenSettings, accumulator, stroke_continues, too_many};

/// What a trainer can do when this session is full.
const FULL_HINT: &str = "undo strokes, export, or start a new session";

/// Coarsest cell side of the live chart grid, mm: about 2 cells across the 0.09 mm needle's
/// radius where the chart is isometric (fewer on stretched triangles, reported). Finer would
/// cost more memory per touched tile (5 bytes a cell) than a class server should hold.
pub const SURFACE_LIVE_RESOLUTION_MM: f64 = 0.04;
/// Most cells of the live chart grid over the chart's bounds (the empty-chart baseline is
/// computed once per map over all of them).
pub const SURFACE_LIVE_MAX_CELLS: f64 = 150.0e6;

/// A face surface served live: its chart, live grid, cell weights and no-go geometry, built
/// once and shared by every session on it.
pub struct SurfaceLiveMap {
    pub face: Arc<SurfaceFace>,
    pub chart: Arc<Chart>,
    pub grid: GridSpec,
    /// Fewest grid cells across a needle hole's radius on the most stretched region triangle.
    pub min_cells_across_radius: f64,
    /// Integer weight of a cell of each triangle; one unit is `unit_mm2` of skin.
    pub weights: Vec<u64>,
    pub unit_mm2: f64,
    /// True skin area per mesh group, mm².
    pub group_areas_mm2: Vec<f64>,
    /// Every no-go triangle, and each zone's own.
    no_go_all: Clearance,
    no_go_zones: Vec<Clearance>,
    baseline: Arc<Vec<Tally>>,
    needle_radius_mm: f64,
}

impl SurfaceLiveMap {
    /// The live map of `face` for needles of radius `needle_radius_mm`.
    pub fn new(face: SurfaceFace, needle_radius_mm: f64) -> Result<Self> {
        let chart = Chart::new(&face.mesh, &format!("surface {:?}", face.name))?;
        let regions: Vec<u32> = (0..face.regions.len() as u32).collect();
        let b = chart.chart_bounds();
        let floor = (b.area() / SURFACE_LIVE_MAX_CELLS).sqrt().max(SURFACE_LIVE_RESOLUTION_MM);
        let floor = (floor / 0.005).ceil() * 0.005;
        let chosen = SurfaceGrid::choose(&chart, &regions, needle_radius_mm, LIVE_RESOLUTION_MM)?;
        let grid = if chosen.grid.resolution_mm < floor { GridSpec::new(floor)? } else { chosen.grid };
        let stretch = chart.tris.iter().filter(|t| (t.group as usize) < face.regions.len()).map(|t| t.stretch.0).fold(0.0, f64::max);
        let min_cells_across_radius = if stretch > 0.0 { needle_radius_mm / stretch / grid.resolution_mm } else { f64::INFINITY };
        let weights = measure::weights(&chart);
        let unit_mm2 = grid.cell_area_mm2() / (1u64 << measure::WEIGHT_BITS) as f64;
        let r = face.regions.len();
        let zones: Vec<u32> = (0..face.no_go.len()).map(|k| (r + k) as u32).collect();
        let no_go_all = Clearance::new(&chart, &zones, needle_radius_mm);
        let no_go_zones = zones.iter().map(|&g| Clearance::new(&chart, &[g], needle_radius_mm)).collect();
        let baseline = Arc::new(accumulator::baseline(&chart, grid, LIVE_PASSES));
        let group_areas_mm2 = face.group_areas_mm2();
        Ok(SurfaceLiveMap {
            face: Arc::new(face),
            chart: Arc::new(chart),
            grid,
            min_cells_across_radius,
            weights,
            unit_mm2,
            group_areas_mm2,
            no_go_all,
            no_go_zones,
            baseline,
            needle_radius_mm,
        })
    }

    pub fn needle_radius_mm(&self) -> f64 {
        self.needle_radius_mm
    }

    /// The no-go zone a needle at chart point `p` on triangle `tri` reaches, if any.
    fn zone_reached(&self, p: Vec2, tri: u32) -> Option<usize> {
        if tri == NO_TRIANGLE {
            return None;
        }
        let t = &self.chart.tris[tri as usize];
        let r = self.face.regions.len();
        if (t.group as usize) >= r && (t.group as usize) < r + self.face.no_go.len() {
            return Some(t.group as usize - r);
        }
        let skin = t.to_skin(p);
        if self.no_go_all.clear(skin, self.needle_radius_mm) {
            return None;
        }
        self.no_go_zones.iter().position(|z| !z.clear(skin, self.needle_radius_mm))
    }
}

/// One stroke on the surface as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct SurfaceStrokeRecord {
    pub id: u64,
    pub pass: u16,
    /// Samples with their times since the session's first sample, s (see `origin_s`).
    pub samples: Vec<SurfaceSample>,
    pub first_puncture: usize,
    pub stamps: usize,
    pub skin_length_mm: f64,
    /// Punctures that reached each no-go zone.
    pub no_go: Vec<u64>,
}

/// Live figures of one region.
#[derive(Clone, Debug, PartialEq)]
pub struct SurfaceRegionLive {
    pub name: String,
    pub skin_area_mm2: f64,
    /// Punctures whose centre landed on the region.
    pub punctures: u64,
    pub density_per_cm2: f64,
    /// Hole coverage per skin area.
    pub coverage: Coverage,
}

/// The live figures after a change.
#[derive(Clone, Debug, PartialEq)]
pub struct SurfaceLiveMetrics {
    pub punctures: usize,
    pub stamps: usize,
    pub strokes: usize,
    pub regions: Vec<SurfaceRegionLive>,
    /// Hole coverage over the regions touched by some puncture centre.
    pub treated: Coverage,
    /// Punctures per no-go zone (names in `SurfaceFace::no_go`).
    pub no_go: Vec<u64>,
    /// Punctures whose centre is on no region (a no-go zone, unassigned skin, off the mesh).
    pub off_regions: u64,
    /// Pen-on time, s.
    pub pen_on_s: f64,
    pub warnings: Vec<String>,
}

/// What one batch did.
#[derive(Clone, Debug, PartialEq)]
pub struct SurfaceBatch {
    /// New punctures: chart point and triangle.
    pub punctures: Vec<(Vec2, u32)>,
    /// New punctures that reached a no-go zone: (zone, chart point).
    pub no_go: Vec<(usize, Vec2)>,
    pub stamps: usize,
}

/// One trainer's session on a face surface.
pub struct SurfaceLiveSession {
    map: Arc<SurfaceLiveMap>,
    pen: PenSettings,
    limits: SessionLimits,
    acc: LiveAccumulator,
    landing: Landing,
    strokes: Vec<SurfaceStrokeRecord>,
    open: Option<SurfaceStamper>,
    stamps_per_pass: [u32; LIVE_PASSES],
    samples: usize,
    /// Time of the session's first sample (the pointer's clock), s: samples are stored and
    /// stamped on times since it, exactly the times trace.csv writes, so a `run` of the
    /// export stamps the same floats.
    origin_s: Option<f64>,
}

impl SurfaceLiveSession {
    /// A new session with pen `pen` (validated; the pen is at 90° to the skin, so its tilt
    /// must be 0, and its needle radius the map's).
    pub fn new(map: Arc<SurfaceLiveMap>, pen: PenSettings, limits: SessionLimits) -> Result<Self> {
        check_pen(&map, &pen)?;
        let layer = LayerSpec { grid: map.grid, radius_mm: map.needle_radius_mm, baseline: map.baseline.clone() };
        let acc = LiveAccumulator::new(map.chart.clone(), vec![layer], LIVE_PASSES);
        Ok(SurfaceLiveSession {
            map,
            pen,
            limits,
            acc,
            landing: Landing::default(),
            strokes: Vec::new(),
            open: None,
            stamps_per_pass: [0; LIVE_PASSES],
            samples: 0,
            origin_s: None,
        })
    }

    pub fn map(&self) -> &Arc<SurfaceLiveMap> {
        &self.map
    }
    pub fn pen(&self) -> &PenSettings {
        &self.pen
    }
    pub fn strokes(&self) -> &[SurfaceStrokeRecord] {
        &self.strokes
    }
    pub fn punctures(&self) -> &[crate::needle::puncture::Puncture] {
        self.acc.punctures()
    }
    pub fn landing(&self) -> &Landing {
        &self.landing
    }
    /// Per-triangle hole tallies (cells), the accumulator's.
    pub fn triangle_tallies(&self) -> &[Tally] {
        self.acc.tallies(0)
    }

    /// Change the pen (the open stroke ends first). Nothing changes on an error.
    pub fn set_pen(&mut self, pen: PenSettings) -> Result<()> {
        check_pen(&self.map, &pen)?;
        self.open = None;
        self.pen = pen;
        Ok(())
    }

    /// End the open stroke, if any.
    pub fn end_stroke(&mut self) {
        self.open = None;
    }

    /// Continue stroke `id` in `pass` with `samples` (chart mm, the pointer's times; stored
    /// as times since the session's first sample). A new id
    /// ends the open stroke and starts another. All-or-nothing.
    pub fn add_samples(&mut self, id: u64, pass: u16, samples: &[SurfaceSample]) -> Result<SurfaceBatch> {
        if samples.is_empty() {
            return Err(Error::invalid("samples", "[]", "at least one sample"));
        }
        let last = self.strokes.last().map(|s| (s.id, s.pass));
        let continuing = stroke_continues(last, self.open.is_some(), self.strokes.len(), self.limits.max_strokes, (id, pass), FULL_HINT)?;
        if self.samples + samples.len() > self.limits.max_samples {
            return Err(too_many("pointer samples", self.samples + samples.len(), self.limits.max_samples, FULL_HINT));
        }
        let origin_s = self.origin_s.unwrap_or(samples[0].t_s);
        let shifted: Vec<SurfaceSample> = samples.iter().map(|s| SurfaceSample { t_s: s.t_s - origin_s, at_mm: s.at_mm }).collect();
        let samples = shifted.as_slice();
        let mut stamper = if continuing { self.open.clone().expect("open") } else { SurfaceStamper::new(self.pen.device.frequency_hz) };
        let stamps = stamper.feed(&self.map.chart, samples)?;
        let needles = self.pen.cartridge.needle_count();
        if self.acc.punctures().len() + stamps.len() * needles > self.limits.max_punctures {
            return Err(too_many("punctures", self.acc.punctures().len() + stamps.len() * needles, self.limits.max_punctures, FULL_HINT));
        }
        // Committed from here on.
        self.origin_s = Some(origin_s);
        let mut new = Vec::with_capacity(stamps.len() * needles);
        let mut landing = Landing::default();
        let first = self.stamps_per_pass[pass as usize];
        trace::place_trace(&self.map.chart, &self.pen.cartridge, &self.pen.device, pass, first, &stamps, &mut new, &mut landing);
        self.stamps_per_pass[pass as usize] += stamps.len() as u32;
        self.acc.push_shaped(&new, &landing.shape);
        let zones = self.map.face.no_go.len();
        let mut batch = SurfaceBatch { punctures: Vec::with_capacity(new.len()), no_go: Vec::new(), stamps: stamps.len() };
        let mut touched = vec![0u64; zones];
        for (p, &tri) in new.iter().zip(&landing.tri) {
            let at = Vec2::new(p.x_mm, p.y_mm);
            batch.punctures.push((at, tri));
            if let Some(z) = self.map.zone_reached(at, tri) {
                touched[z] += 1;
                batch.no_go.push((z, at));
            }
        }
        let start = self.acc.punctures().len() - new.len();
        self.landing.append(landing);
        if !continuing {
            self.strokes.push(SurfaceStrokeRecord {
                id,
                pass,
                samples: Vec::new(),
                first_puncture: start,
                stamps: 0,
                skin_length_mm: 0.0,
                no_go: vec![0; zones],
            });
        }
        let rec = self.strokes.last_mut().expect("just pushed or open");
        rec.samples.extend_from_slice(samples);
        rec.stamps += stamps.len();
        rec.skin_length_mm = stamper.skin_length_mm();
        for (a, b) in rec.no_go.iter_mut().zip(&touched) {
            *a += b;
        }
        self.samples += samples.len();
        self.open = Some(stamper);
        Ok(batch)
    }

    /// Remove the last stroke; `false` when there is none.
    pub fn undo(&mut self) -> bool {
        let Some(last) = self.strokes.pop() else { return false };
        self.open = None;
        self.acc.truncate(last.first_puncture);
        let n = last.first_puncture;
        self.landing.tri.truncate(n);
        self.landing.stamp_tri.truncate(n);
        self.landing.shape.truncate(n);
        self.landing.surface_tilt_deg.truncate(n);
        self.stamps_per_pass[last.pass as usize] -= last.stamps as u32;
        self.samples -= last.samples.len();
        if self.strokes.is_empty() {
            self.origin_s = None;
        }
        true
    }

    /// The recorded strokes as a trace (what an export writes and a replay stamps).
    pub fn trace(&self) -> Vec<TraceStroke> {
        self.strokes.iter().map(|s| TraceStroke { pass: s.pass, samples: s.samples.clone() }).collect()
    }

    /// Region tallies (weight units) from the per-triangle tallies.
    fn region_tallies(&self) -> Vec<Tally> {
        let face = &self.map.face;
        let mut out = vec![Tally::new(LIVE_PASSES); face.regions.len()];
        for ((t, tally), &w) in self.map.chart.tris.iter().zip(self.acc.tallies(0)).zip(&self.map.weights) {
            if let Some(r) = out.get_mut(t.group as usize) {
                r.add_scaled(tally, w);
            }
        }
        out
    }

    fn coverage_of(&self, t: &Tally) -> Coverage {
        let mut c = Coverage::from_tally(t, &self.map.grid);
        c.sampled_area_mm2 = t.cells as f64 * self.map.unit_mm2;
        c
    }

    /// Covered fraction of each triangle's measured cells (0 for a triangle with no cell):
    /// the viewer's coverage colours.
    pub fn triangle_coverage(&self) -> Vec<f32> {
        self.acc.tallies(0).iter().map(|t| if t.cells == 0 { 0.0 } else { t.covered() as f32 / t.cells as f32 }).collect()
    }

    /// The live figures and warnings.
    pub fn metrics(&self) -> SurfaceLiveMetrics {
        let face = &self.map.face;
        let tallies = self.region_tallies();
        let mut inside = vec![0u64; face.regions.len()];
        let mut off_regions = 0;
        for &tri in &self.landing.tri {
            match (tri != NO_TRIANGLE).then(|| self.map.chart.tris[tri as usize].group as usize).filter(|&g| g < inside.len()) {
                Some(g) => inside[g] += 1,
                None => off_regions += 1,
            }
        }
        let regions: Vec<SurfaceRegionLive> = face
            .regions
            .iter()
            .enumerate()
            .map(|(g, info)| {
                let area = self.map.group_areas_mm2[g];
                SurfaceRegionLive {
                    name: info.name.clone(),
                    skin_area_mm2: area,
                    punctures: inside[g],
                    density_per_cm2: if area > 0.0 { inside[g] as f64 / (area / 100.0) } else { 0.0 },
                    coverage: self.coverage_of(&tallies[g]),
                }
            })
            .collect();
        let mut treated = Tally::new(LIVE_PASSES);
        for (g, t) in tallies.iter().enumerate() {
            if inside[g] > 0 {
                treated.add_scaled(t, 1);
            }
        }
        let zones = face.no_go.len();
        let mut no_go = vec![0u64; zones];
        for s in &self.strokes {
            for (a, b) in no_go.iter_mut().zip(&s.no_go) {
                *a += b;
            }
        }
        let pen_on_s: f64 = self
            .strokes
            .iter()
            .map(|s| match (s.samples.first(), s.samples.last()) {
                (Some(a), Some(b)) => b.t_s - a.t_s,
                _ => 0.0,
            })
            .sum();
        let mut warnings = Vec::new();
        for (name, &n) in face.no_go.iter().zip(&no_go) {
            if n > 0 {
                warnings.push(format!("{n} punctures reached the no-go zone {name:?}"));
            }
        }
        if off_regions > 0 {
            warnings.push(format!("{off_regions} punctures landed off the face's regions (a no-go zone, unassigned skin or a hole of the mesh): they count in no region"));
        }
        let over: Vec<&str> = regions.iter().filter(|r| r.coverage.over_pass_limit_fraction > 0.0).map(|r| r.name.as_str()).collect();
        if !over.is_empty() {
            warnings.push(format!("spots punctured on more than {PASS_LIMIT} passes in {}", over.join(", ")));
        }
        if pen_on_s > PROCEDURE_LIMIT_MIN * 60.0 {
            warnings.push(format!("pen-on time {:.1} min is beyond the {PROCEDURE_LIMIT_MIN}-minute procedure", pen_on_s / 60.0));
        }
        SurfaceLiveMetrics {
            punctures: self.acc.punctures().len(),
            stamps: self.strokes.iter().map(|s| s.stamps).sum(),
            strokes: self.strokes.len(),
            treated: self.coverage_of(&treated),
            regions,
            no_go,
            off_regions,
            pen_on_s,
            warnings,
        }
    }
}

fn check_pen(map: &SurfaceLiveMap, pen: &PenSettings) -> Result<()> {
    pen.validate()?;
    if pen.tilt_deg != 0.0 {
        return Err(Error::invalid("tilt_deg", pen.tilt_deg, "0 on the surface face: the pen is held at 90° to the local skin"));
    }
    if (pen.cartridge.radius_mm() - map.needle_radius_mm).abs() > 1e-12 {
        return Err(Error::invalid(
            "cartridge.needle_diameter_mm",
            pen.cartridge.needle_diameter_mm,
            format!("the surface map's needle diameter ({} mm)", 2.0 * map.needle_radius_mm),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::face::RegionInfo;
    use crate::pen::cartridge::Cartridge;
    use crate::pen::device::Device;
    use crate::raster::accumulate::{Request, accumulate_shaped};
    use crate::surface::shapes::{flat_rect, half_cylinder};

    fn pen() -> PenSettings {
        let mut cartridge = Cartridge::preset(12, 1.0).unwrap();
        cartridge.depth_mm = 0.5;
        PenSettings { cartridge, device: Device { frequency_hz: 120.0, rotation_deg: 18.0, ..Device::default() }, tilt_deg: 0.0 }
    }

    fn region(name: &str) -> RegionInfo {
        let flat = crate::face::default_face().unwrap();
        RegionInfo { name: name.into(), ..flat.regions()[0].clone() }
    }

    fn cylinder_face() -> SurfaceFace {
        SurfaceFace::new("cylinder", half_cylinder(30.0, 40.0, 64, 16, 1.0), vec![region("cylinder")], vec![], vec![]).unwrap()
    }

    fn samples(pts: &[(f64, f64, f64)]) -> Vec<SurfaceSample> {
        pts.iter().map(|&(t, u, v)| SurfaceSample { t_s: t, at_mm: Vec2::new(u, v) }).collect()
    }

    fn wiggle(b: crate::geometry::Rect, t0: f64, n: usize, phase: f64) -> Vec<SurfaceSample> {
        (0..n)
            .map(|k| {
                let f = k as f64 / n as f64;
                SurfaceSample {
                    t_s: t0 + k as f64 * 0.016,
                    at_mm: Vec2::new(b.x0 + 4.0 + f * (b.width() - 8.0), b.y0 + 0.5 * b.height() + 8.0 * (f * 9.0 + phase).sin()),
                }
            })
            .collect()
    }

    #[test]
    fn live_tallies_equal_the_core_on_the_replayed_trace_and_undo_restores_them() {
        let p = pen();
        let map = Arc::new(SurfaceLiveMap::new(cylinder_face(), p.cartridge.radius_mm()).unwrap());
        let b = map.chart.chart_bounds();
        let mut s = SurfaceLiveSession::new(map.clone(), p.clone(), SessionLimits::default()).unwrap();
        let a = wiggle(b, 0.0, 60, 0.0);
        // Stroke 1 in three batches, stroke 2 (pass 1) whole, stroke 3 (pass 0) whole.
        s.add_samples(1, 0, &a[..13]).unwrap();
        s.add_samples(1, 0, &a[13..40]).unwrap();
        s.add_samples(1, 0, &a[40..]).unwrap();
        s.add_samples(2, 1, &wiggle(b, 2.0, 45, 1.3)).unwrap();
        let before = s.triangle_tallies().to_vec();
        let m_before = s.metrics();
        s.add_samples(3, 0, &wiggle(b, 4.0, 30, 2.1)).unwrap();
        // The replayed trace: the same punctures, bit for bit.
        let replay = trace::run_trace(&map.chart, &p.cartridge, &p.device, &s.trace()).unwrap();
        assert_eq!(replay.punctures, s.punctures());
        assert_eq!(replay.landing.tri, s.landing().tri);
        // The core accumulation of those punctures on the live grid: the same integer tallies.
        let core = accumulate_shaped(
            &replay.punctures,
            Some(&replay.landing.shape),
            &Request {
                grid: map.grid,
                radius_mm: map.needle_radius_mm(),
                passes: LIVE_PASSES,
                picture_cells: None,
                domain: map.chart.as_ref(),
                layers: Default::default(),
            },
        );
        assert_eq!(core.tallies.as_slice(), s.triangle_tallies());
        // Conservation.
        let stamps: usize = s.strokes().iter().map(|r| r.stamps).sum();
        assert_eq!(s.punctures().len(), stamps * p.cartridge.needle_count());
        assert!(s.undo());
        assert_eq!(s.triangle_tallies(), before.as_slice());
        assert_eq!(s.metrics(), m_before);
    }

    #[test]
    fn region_coverage_is_per_skin_area_and_matches_the_weighted_core_measure() {
        let p = pen();
        let map = Arc::new(SurfaceLiveMap::new(cylinder_face(), p.cartridge.radius_mm()).unwrap());
        let b = map.chart.chart_bounds();
        let mut s = SurfaceLiveSession::new(map.clone(), p.clone(), SessionLimits::default()).unwrap();
        s.add_samples(1, 0, &wiggle(b, 0.0, 80, 0.4)).unwrap();
        let m = s.metrics();
        let sg = SurfaceGrid { grid: map.grid, min_cells_across_radius: 0.0, worst_hole_error: 0.0, unit_mm2: map.unit_mm2 };
        let landing = s.landing();
        let core = measure::measure(
            &map.chart,
            1,
            s.punctures(),
            &landing.shape,
            &sg,
            None,
            map.needle_radius_mm(),
            LIVE_PASSES,
            None,
            Default::default(),
        );
        let mut c = Coverage::from_tally(&core.groups[0], &map.grid);
        c.sampled_area_mm2 = core.groups[0].cells as f64 * map.unit_mm2;
        assert_eq!(m.regions[0].coverage, c);
        assert!(m.regions[0].coverage.coverage > 0.0);
        // The measured skin area is the cylinder's π r h within the grid's sampling.
        let truth = std::f64::consts::PI * 30.0 * 40.0;
        assert!((m.regions[0].coverage.sampled_area_mm2 / truth - 1.0).abs() < 0.01, "{}", m.regions[0].coverage.sampled_area_mm2);
        assert_eq!(m.regions[0].punctures as usize, s.punctures().len());
        assert!((m.regions[0].density_per_cm2 - s.punctures().len() as f64 / (m.regions[0].skin_area_mm2 / 100.0)).abs() < 1e-9);
    }

    #[test]
    fn a_straight_stroke_on_the_flat_square_mesh_makes_the_flat_live_sessions_punctures() {
        let p = pen();
        let face = SurfaceFace::new("flat", flat_rect(40.0, 30.0, 10, 6, "patch"), vec![region("patch")], vec![], vec![]).unwrap();
        let map = Arc::new(SurfaceLiveMap::new(face, p.cartridge.radius_mm()).unwrap());
        let mut s = SurfaceLiveSession::new(map, p.clone(), SessionLimits::default()).unwrap();
        let flat_map = Arc::new(super::super::LiveMap::patch(crate::geometry::Rect::new(0.0, 0.0, 40.0, 30.0)));
        let mut f = super::super::LiveSession::new(flat_map, p, 0.0, SessionLimits::default()).unwrap();
        let pts: Vec<(f64, f64, f64)> = (0..50).map(|k| (1.0 + k as f64 * 0.013, 4.0 + k as f64 * 0.6, 7.0 + k as f64 * 0.3)).collect();
        s.add_samples(1, 0, &samples(&pts)).unwrap();
        let flat: Vec<crate::technique::firing::TimedSample> =
            pts.iter().map(|&(t, x, y)| crate::technique::firing::TimedSample { t_s: t, at_mm: Vec2::new(x, y) }).collect();
        f.add_samples(1, 0, &flat).unwrap();
        assert_eq!(s.punctures().len(), f.punctures().len());
        for (a, b) in s.punctures().iter().zip(f.punctures()) {
            assert_eq!((a.pass, a.stamp, a.needle), (b.pass, b.stamp, b.needle));
            assert!((a.x_mm - b.x_mm).abs() < 1e-9 && (a.y_mm - b.y_mm).abs() < 1e-9, "{a:?} vs {b:?}");
            // Both sessions keep times since their first sample (the pointer's clock starts at 1 s here).
            assert!((a.t_s - b.t_s).abs() < 1e-9, "{} vs {}", a.t_s, b.t_s);
        }
    }

    #[test]
    fn the_built_in_face_warns_of_an_eye_and_not_of_a_cheek() {
        let p = pen();
        let face = crate::face::surface::builtin_surface_face(&[]).unwrap();
        let map = Arc::new(SurfaceLiveMap::new(face, p.cartridge.radius_mm()).unwrap());
        // The live grid: the coarsest allowed, ≥ 2 cells across a hole radius where the chart is
        // isometric; the most stretched region triangle has fewer (reported, not hidden).
        assert!(map.grid.resolution_mm <= SURFACE_LIVE_RESOLUTION_MM + 1e-12, "{}", map.grid.resolution_mm);
        assert!(map.needle_radius_mm() / map.grid.resolution_mm >= 2.0);
        assert!(map.min_cells_across_radius > 0.0 && map.min_cells_across_radius < map.needle_radius_mm() / map.grid.resolution_mm);
        let names = &map.face.mesh.groups;
        // The chart centroid of a group's triangles.
        let centroid = |name: &str| {
            let g = names.iter().position(|n| n == name).unwrap() as u32;
            let (mut c, mut w) = (Vec2::zeros(), 0.0);
            for t in map.chart.tris.iter().filter(|t| t.group == g) {
                let a = crate::surface::plan::area(&t.chart);
                c += (t.chart[0] + t.chart[1] + t.chart[2]) * (a / 3.0);
                w += a;
            }
            c / w
        };
        let mut s = SurfaceLiveSession::new(map.clone(), p, SessionLimits::default()).unwrap();
        let cheek = centroid("cheek_left");
        let line =
            |c: Vec2, t0: f64| samples(&(0..20).map(|k| (t0 + k as f64 * 0.02, c.x - 5.0 + k as f64 * 0.5, c.y)).collect::<Vec<_>>());
        s.add_samples(1, 0, &line(cheek, 0.0)).unwrap();
        let m = s.metrics();
        let k = m.regions.iter().position(|r| r.name == "cheek_left").unwrap();
        assert!(m.regions[k].coverage.coverage > 0.0 && m.regions[k].punctures > 0);
        assert!(m.no_go.iter().all(|&n| n == 0), "{:?}", m.warnings);
        // Across the left eye's zone: from the upper to the lower periorbital region.
        let (up, down) = (centroid("periorbital_upper_left"), centroid("periorbital_lower_left"));
        let pts: Vec<(f64, f64, f64)> = (0..=30)
            .map(|k| (1.0 + k as f64 * 0.02, up.x + (down.x - up.x) * k as f64 / 30.0, up.y + (down.y - up.y) * k as f64 / 30.0))
            .collect();
        let on: Vec<(f64, f64, f64)> = pts.into_iter().filter(|&(_, u, v)| map.chart.locate(Vec2::new(u, v)).is_some()).collect();
        s.add_samples(2, 0, &samples(&on)).unwrap();
        let m = s.metrics();
        let eye = map.face.no_go.iter().position(|n| n == "eye_left").unwrap();
        assert!(m.no_go[eye] > 0, "{:?}", m.no_go);
        assert!(m.warnings.iter().any(|w| w.contains("eye_left")), "{:?}", m.warnings);
    }
}
