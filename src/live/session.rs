//! One live session: strokes drawn with a pen setting, passes, undo, and the live figures.
//!
//! **Model.** A session is a list of strokes. Each stroke belongs to one pass and keeps the
//! pen settings it was drawn with (cartridge, depth, frequency, tilt), its timed samples and
//! the punctures it made ([`crate::technique::firing`] turns the samples into stamps at the pen's
//! frequency, [`crate::needle::puncture::place`] puts the needles down). Times are seconds since
//! the session's first sample. Samples arrive in batches; a stroke stays open until it is
//! ended, a stroke with another id starts, or the settings change. Undo removes the last
//! stroke and restores the previous figures exactly (integer tallies, see
//! [`super::accumulator`]).
//!
//! **Warnings** (the sources' rules, shown at once):
//! - hand speed: every stroke is judged, taps and a pen held still included. Its density is
//!   its punctures over the area it swept, `N · stamps / (w · (L + h))` (w the cartridge's
//!   track width across the motion, h its length along it, L the path length): for a long
//!   stroke this is `f · N / (v · w)` per pass (`shared/domain.md`), for a pen held still it
//!   is the density of the spot under the cartridge, finite however long it is held. Outside
//!   the target band (default 250–300 /cm², PRIME 2015) the stroke is "too fast" or "too
//!   slow" (a held pen: too many or too few stamps on its spot). A spot under the path gets
//!   `stamps · h / (L + h)` stamps on average (all of them when the pen is held).
//! - more than 4 distinct passes on a spot ("no more than 3–4 passes over one place").
//! - a no-go zone touched by a needle footprint.
//! - punctures off the map's regions (they count in no figure).
//! - on a face, a region drawn at a set depth outside its recommended range (a face run's
//!   words).
//! - a treated region's density above [`FAR_ABOVE_PASSES`] passes at the target band.
//! - pen-on time beyond the 30-minute procedure (seeds/001: "no more than half an hour").
//!
//! **Bounds.** [`SessionLimits`] caps punctures, strokes and samples, so a session's memory
//! is bounded; a batch that would pass a cap is refused whole.

use std::sync::Arc;

use crate::error::{Error, Result};
use crate::geometry::{Rect, Vec2};
use crate::metrics::Coverage;
use crate::needle::puncture::{self, Puncture};
use crate::pen::cartridge::Cartridge;
use crate::pen::device::Device;
use crate::raster::accumulate::{PASS_LIMIT, Tally};
use crate::sim::check_halo;
use crate::technique::firing::{StrokeStamper, TimedSample, speed_for_density_mm_s};
use crate::technique::lanes::Stamp;
use crate::technique::walk::HandStamp;

use super::{LIVE_PASSES, LiveAccumulator, LiveMap, stroke_continues, too_many};

/// What a trainer can do when this session is full.
const FULL_HINT: &str = "undo or clear strokes, export, or start a new session";

pub use crate::metrics::{FAR_ABOVE_PASSES, TARGET_DENSITY_PER_CM2};
/// The sources' procedure limit, minutes (seeds/001).
pub const PROCEDURE_LIMIT_MIN: f64 = 30.0;

/// Caps on one session's size (memory is about 60 bytes per puncture and 32 per sample).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SessionLimits {
    pub max_punctures: usize,
    pub max_strokes: usize,
    pub max_samples: usize,
}

impl Default for SessionLimits {
    /// One million punctures hold a whole-face session of three passes (≈ 565,000
    /// punctures per pass over 500 cm² at the default scenario's density is the
    /// face-scale scenario; a trainer's session is far less). About 60 MB at most.
    fn default() -> Self {
        SessionLimits { max_punctures: 1_000_000, max_strokes: 20_000, max_samples: 500_000 }
    }
}

/// A pen setting: what the controls of the page choose.
#[derive(Clone, Debug, PartialEq)]
pub struct PenSettings {
    pub cartridge: Cartridge,
    pub device: Device,
    /// Tilt from perpendicular, degrees, [0, 90). Shortens the vertical depth by cos(tilt)
    /// (shared/domain.md \[est\]) and stretches each hole into an ellipse r/cos(tilt) × r
    /// along the lean ([`crate::needle::footprint`]); the pen leans along its motion.
    pub tilt_deg: f64,
}

impl PenSettings {
    /// The same checks as a scenario's (cartridge, device, depth in the device range) plus
    /// the tilt.
    pub fn validate(&self) -> Result<()> {
        self.cartridge.validate()?;
        self.device.validate()?;
        self.device.check_depth(self.cartridge.depth_mm)?;
        if !(self.tilt_deg.is_finite() && self.tilt_deg >= 0.0 && self.tilt_deg < 90.0) {
            return Err(Error::invalid("tilt_deg", self.tilt_deg, "0 ≤ tilt < 90 degrees from perpendicular"));
        }
        Ok(())
    }

    /// Depth reached straight down, mm: set depth × cos(tilt).
    pub fn vertical_depth_mm(&self) -> f64 {
        self.cartridge.depth_mm * self.tilt_deg.to_radians().cos()
    }
}

/// A stroke as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct StrokeRecord {
    /// The client's stroke id (increasing within a session).
    pub id: u64,
    pub pass: u16,
    pub pen: Arc<PenSettings>,
    /// Samples with `t_s` since the session's first sample.
    pub samples: Vec<TimedSample>,
    /// Index of the stroke's first puncture in the session.
    pub first_puncture: usize,
    pub stamps: usize,
    pub length_mm: f64,
    /// Punctures that touched a no-go zone: (zone, where).
    pub no_go: Vec<(usize, Vec2)>,
    /// The stroke's punctures whose centre lies in each label (its region, see
    /// [`LiveSession::stroke_label`]).
    pub per_label: Vec<u64>,
}

impl StrokeRecord {
    pub fn duration_s(&self) -> f64 {
        match (self.samples.first(), self.samples.last()) {
            (Some(a), Some(b)) => b.t_s - a.t_s,
            _ => 0.0,
        }
    }
}

/// The hand speed of a stroke against the target density.
#[derive(Clone, Debug, PartialEq)]
pub struct SpeedCheck {
    pub stroke: u64,
    /// Path length over duration, mm/s (0 for a tap: a single sample).
    pub speed_mm_s: f64,
    /// The stroke's punctures over the area it swept, per cm² (see the module doc): the
    /// density this speed lays down in one pass; a held pen's spot density. Always finite.
    pub density_per_pass_per_cm2: f64,
    /// Stamps a spot under the path gets on average: `stamps · h / (L + h)`.
    pub stamps_per_spot: f64,
    /// The pen moved less than the cartridge's own length (stamping in place).
    pub held: bool,
    /// Speeds that give the target band, mm/s (fast end first: lower density).
    pub target_speed_mm_s: (f64, f64),
    /// -1 too slow (too dense), 0 within, +1 too fast.
    pub verdict: i8,
}

/// Coverage of one footprint layer, whole map and per label.
#[derive(Clone, Debug, PartialEq)]
pub struct LayerMetrics {
    pub whole: Coverage,
    pub per_label: Vec<Coverage>,
}

/// A no-go zone touched during the session.
#[derive(Clone, Debug, PartialEq)]
pub struct NoGoTouch {
    pub zone: String,
    pub punctures: u64,
    pub first_at_mm: Vec2,
}

/// The live figures after a change.
#[derive(Clone, Debug, PartialEq)]
pub struct LiveMetrics {
    pub punctures: usize,
    pub stamps: usize,
    pub strokes: usize,
    /// Highest pass used + 1.
    pub passes_used: usize,
    pub hole: LayerMetrics,
    /// Treated zone (footprint grown by the halo); `None` with no halo.
    pub zone: Option<LayerMetrics>,
    pub halo_mm: f64,
    /// Punctures with their centre in each label, per cm².
    pub density_per_cm2: Vec<f64>,
    pub density_whole_per_cm2: f64,
    pub area_mm2: Vec<f64>,
    /// Time the pen was on the skin (sum of stroke durations), s.
    pub pen_on_s: f64,
    /// From the first sample to the last, s.
    pub elapsed_s: f64,
    /// Tiles where a spot was punctured on more than 4 passes.
    pub over_pass_limit_spots: Vec<Rect>,
    pub no_go: Vec<NoGoTouch>,
    /// The last stroke's speed (`None` before the first stroke).
    pub speed: Option<SpeedCheck>,
    /// Labels treated: those some stroke belongs to ([`LiveSession::stroke_label`], as an
    /// export groups strokes into treatments).
    pub treated: Vec<bool>,
    /// Hole coverage over the treated labels (the figure `run` and an export report).
    pub hole_treated: Coverage,
    /// Treated-zone coverage over the treated labels (`None` with no halo).
    pub zone_treated: Option<Coverage>,
    /// Punctures with their centre in a treated label, per cm² of the treated labels.
    pub density_treated_per_cm2: f64,
    pub treated_area_mm2: f64,
    pub warnings: Vec<String>,
}

struct OpenStroke {
    stamper: StrokeStamper,
    /// The stroke's last stamp and the direction the pen leant there (tilted pens).
    lean: Option<Lean>,
}

/// Where a tilted pen last fired and which way it leant.
#[derive(Clone, Copy, Debug)]
struct Lean {
    at_mm: Vec2,
    t_s: f64,
    azimuth_deg: f64,
}

/// The stamps of a tilted pen: each leans along the direction the pen moved from the
/// previous stamp of its stroke (a pen held still keeps its lean; the first stamp of a
/// stroke leans towards the next one, or along +x when the pen never moves), with the
/// hand's velocity between the stamps. Returns the stamps and the last lean.
fn lean_stamps(stamps: &[Stamp], prev: Option<Lean>, tilt_deg: f64, period_s: f64) -> (Vec<HandStamp>, Option<Lean>) {
    let moved = |a: Vec2, b: Vec2| (b - a).norm() > 1e-9;
    let heading = |a: Vec2, b: Vec2| (b.y - a.y).atan2(b.x - a.x).to_degrees();
    let first_heading = stamps.windows(2).find(|w| moved(w[0].center_mm, w[1].center_mm)).map(|w| heading(w[0].center_mm, w[1].center_mm));
    let mut last = prev;
    let out = stamps
        .iter()
        .map(|s| {
            let (azimuth_deg, velocity_mm_s) = match last {
                Some(l) if moved(l.at_mm, s.center_mm) && s.t_s > l.t_s => {
                    (heading(l.at_mm, s.center_mm), (s.center_mm - l.at_mm) / (s.t_s - l.t_s))
                }
                Some(l) => (l.azimuth_deg, Vec2::zeros()),
                None => (first_heading.unwrap_or(0.0), Vec2::zeros()),
            };
            last = Some(Lean { at_mm: s.center_mm, t_s: s.t_s, azimuth_deg });
            HandStamp { center_mm: s.center_mm, t_s: s.t_s, velocity_mm_s, period_s, tilt_deg, tilt_azimuth_deg: azimuth_deg }
        })
        .collect();
    (out, last)
}

/// One trainer's session on a map.
pub struct LiveSession {
    map: Arc<LiveMap>,
    limits: SessionLimits,
    pen: Arc<PenSettings>,
    halo_mm: f64,
    target_density_per_cm2: (f64, f64),
    acc: LiveAccumulator,
    strokes: Vec<StrokeRecord>,
    open: Option<OpenStroke>,
    /// Absolute time of the session's first sample, s.
    origin_s: Option<f64>,
    /// Stamps made so far in each pass (the punctures' `stamp` index).
    stamps_per_pass: [u32; LIVE_PASSES],
    samples: usize,
}

/// What one batch did.
#[derive(Clone, Debug, PartialEq)]
pub struct BatchOutcome {
    pub punctures: Vec<Puncture>,
    pub stamps: Vec<Stamp>,
    /// No-go zones touched by this batch (zone index, where).
    pub no_go: Vec<(usize, Vec2)>,
    /// Tiles recomputed.
    pub tiles: usize,
}

impl LiveSession {
    /// A new session with pen `pen` (validated here) and treated-zone halo `halo_mm`.
    pub fn new(map: Arc<LiveMap>, pen: PenSettings, halo_mm: f64, limits: SessionLimits) -> Result<Self> {
        pen.validate()?;
        check_halo(halo_mm)?;
        let acc = new_accumulator(&map, &pen.cartridge, halo_mm);
        Ok(LiveSession {
            map,
            limits,
            pen: Arc::new(pen),
            halo_mm,
            target_density_per_cm2: TARGET_DENSITY_PER_CM2,
            acc,
            strokes: Vec::new(),
            open: None,
            origin_s: None,
            stamps_per_pass: [0; LIVE_PASSES],
            samples: 0,
        })
    }

    pub fn map(&self) -> &Arc<LiveMap> {
        &self.map
    }
    pub fn pen(&self) -> &PenSettings {
        &self.pen
    }
    pub fn halo_mm(&self) -> f64 {
        self.halo_mm
    }
    /// Cell side of the treated-zone layer's grid, mm (`None` without a halo).
    pub fn zone_resolution_mm(&self) -> Option<f64> {
        (self.acc.layer_count() > 1).then(|| self.acc.grid(1).resolution_mm)
    }
    pub fn strokes(&self) -> &[StrokeRecord] {
        &self.strokes
    }
    pub fn punctures(&self) -> &[Puncture] {
        self.acc.punctures()
    }
    pub fn limits(&self) -> SessionLimits {
        self.limits
    }

    /// Change the pen (the open stroke ends first). Nothing changes on an error.
    pub fn set_pen(&mut self, pen: PenSettings) -> Result<()> {
        pen.validate()?;
        if (pen.cartridge.needle_diameter_mm - self.pen.cartridge.needle_diameter_mm).abs() > 0.0 {
            return Err(Error::invalid(
                "cartridge.needle_diameter_mm",
                pen.cartridge.needle_diameter_mm,
                format!("the session's needle diameter ({} mm); start a new session to change it", self.pen.cartridge.needle_diameter_mm),
            ));
        }
        self.end_stroke();
        self.pen = Arc::new(pen);
        Ok(())
    }

    /// Change the treated-zone halo: every stroke is measured again with the new footprint.
    pub fn set_halo(&mut self, halo_mm: f64) -> Result<()> {
        check_halo(halo_mm)?;
        if halo_mm != self.halo_mm {
            let mut acc = new_accumulator(&self.map, &self.pen.cartridge, halo_mm);
            acc.push(self.acc.punctures());
            self.acc = acc;
            self.halo_mm = halo_mm;
        }
        Ok(())
    }

    /// Target density band per pass, punctures/cm² (the hand-speed warnings).
    pub fn target_density_per_cm2(&self) -> (f64, f64) {
        self.target_density_per_cm2
    }

    /// Change the target density band per pass, per cm².
    pub fn set_target_density(&mut self, band: (f64, f64)) -> Result<()> {
        let (lo, hi) = band;
        if !(lo.is_finite() && hi.is_finite() && lo > 0.0 && lo <= hi && hi <= 100_000.0) {
            return Err(Error::invalid("target_density_per_cm2", format!("[{lo}, {hi}]"), "[lo, hi] with 0 < lo ≤ hi ≤ 100000 per cm²"));
        }
        self.target_density_per_cm2 = band;
        Ok(())
    }

    /// Absolute time of the last sample of stroke `id`, while it is open, s.
    pub fn open_stroke_last_s(&self, id: u64) -> Option<f64> {
        let open = self.open.as_ref()?;
        self.strokes.last().filter(|s| s.id == id)?;
        // The stamper runs on the session's clock; answer on the client's.
        open.stamper.last().map(|s| s.t_s + self.origin_s.unwrap_or(0.0))
    }

    /// Absolute time of the session's last sample (on the client's clock), s; `None` before
    /// the first stroke.
    pub fn last_sample_s(&self) -> Option<f64> {
        let last = self.strokes.last()?.samples.last()?;
        Some(last.t_s + self.origin_s?)
    }

    /// End the open stroke, if any.
    pub fn end_stroke(&mut self) {
        self.open = None;
    }

    /// Continue stroke `id` in `pass` with `samples` (absolute times, s). A new id ends the
    /// open stroke and starts another. All-or-nothing: on an error nothing is stored.
    pub fn add_samples(&mut self, id: u64, pass: u16, samples: &[TimedSample]) -> Result<BatchOutcome> {
        let last = self.strokes.last().map(|s| (s.id, s.pass));
        let continuing = stroke_continues(last, self.open.is_some(), self.strokes.len(), self.limits.max_strokes, (id, pass), FULL_HINT)?;
        if samples.is_empty() {
            return Err(Error::invalid("samples", "[]", "at least one sample"));
        }
        if self.samples + samples.len() > self.limits.max_samples {
            return Err(too_many("pointer samples", self.samples + samples.len(), self.limits.max_samples, FULL_HINT));
        }
        // Stamp on a copy first, so a refused batch leaves everything as it was.
        let lean = self.open.as_ref().filter(|_| continuing).and_then(|o| o.lean);
        let mut stamper = match (&self.open, continuing) {
            (Some(o), true) => o.stamper.clone(),
            _ => {
                // A new stroke starts after the previous one ended (the clock only moves on).
                if let Some(prev) = self.strokes.last().and_then(|s| s.samples.last()) {
                    let prev_abs = prev.t_s + self.origin_s.unwrap_or(0.0);
                    if samples[0].t_s <= prev_abs {
                        return Err(Error::invalid(
                            "samples[0].t",
                            format!("{} s", samples[0].t_s),
                            format!("a time after the previous stroke's last sample ({prev_abs} s): time must move forward"),
                        ));
                    }
                }
                StrokeStamper::new(self.pen.device.frequency_hz)
            }
        };
        // Stamp on the session's own clock (seconds since its first sample), the clock the
        // trace stores, so a replay of the trace fires at exactly the same times (errors
        // about time order give times on that clock).
        let origin = self.origin_s.unwrap_or(samples[0].t_s);
        let rel: Vec<TimedSample> = samples.iter().map(|s| TimedSample { t_s: s.t_s - origin, at_mm: s.at_mm }).collect();
        let rel_stamps = stamper.feed(&rel)?;
        let needles = self.pen.cartridge.needle_count();
        let new_punctures = rel_stamps.len() * needles;
        if self.acc.punctures().len() + new_punctures > self.limits.max_punctures {
            return Err(too_many("punctures", self.acc.punctures().len() + new_punctures, self.limits.max_punctures, FULL_HINT));
        }

        // Commit.
        self.origin_s = Some(origin);
        if !continuing {
            self.strokes.push(StrokeRecord {
                id,
                pass,
                pen: self.pen.clone(),
                samples: Vec::new(),
                first_puncture: self.acc.punctures().len(),
                stamps: 0,
                length_mm: 0.0,
                no_go: Vec::new(),
                per_label: vec![0; self.map.domain.label_count()],
            });
        }
        let mut punctures = Vec::with_capacity(new_punctures);
        // A perpendicular pen makes round holes; a tilted one, ellipses along its lean.
        let lean = if self.pen.tilt_deg > 0.0 {
            let (leaning, lean) = lean_stamps(&rel_stamps, lean, self.pen.tilt_deg, 1.0 / self.pen.device.frequency_hz);
            puncture::place_hand(&self.pen.cartridge, &self.pen.device, pass, &leaning, &mut punctures);
            lean
        } else {
            puncture::place(&self.pen.cartridge, &self.pen.device, pass, &rel_stamps, &mut punctures);
            None
        };
        let first_stamp = self.stamps_per_pass[pass as usize];
        for p in &mut punctures {
            p.stamp += first_stamp;
        }
        self.stamps_per_pass[pass as usize] += rel_stamps.len() as u32;
        let inside_before = self.acc.inside_per_label().to_vec();
        let tiles = self.acc.push(&punctures);
        let no_go = self.no_go_of(&punctures);
        let record = self.strokes.last_mut().expect("pushed above");
        for ((n, after), before) in record.per_label.iter_mut().zip(self.acc.inside_per_label()).zip(&inside_before) {
            *n += after - before;
        }
        record.samples.extend_from_slice(&rel);
        record.stamps += rel_stamps.len();
        record.length_mm = stamper.length_mm();
        record.no_go.extend_from_slice(&no_go);
        self.samples += samples.len();
        self.open = Some(OpenStroke { stamper, lean });
        Ok(BatchOutcome { punctures, stamps: rel_stamps, no_go, tiles })
    }

    fn no_go_of(&self, punctures: &[Puncture]) -> Vec<(usize, Vec2)> {
        let Some(ng) = &self.map.no_go else { return Vec::new() };
        let r = self.pen.cartridge.radius_mm();
        punctures
            .iter()
            .filter_map(|p| {
                let (at, reach) = crate::needle::footprint::reach(p, r);
                ng.zone_touched(at, reach).map(|z| (z, Vec2::new(p.x_mm, p.y_mm)))
            })
            .collect()
    }

    /// Remove the last stroke (the open one, if any). Returns false when there is none.
    pub fn undo(&mut self) -> bool {
        let Some(last) = self.strokes.pop() else { return false };
        self.open = None;
        self.acc.truncate(last.first_puncture);
        self.stamps_per_pass[last.pass as usize] -= last.stamps as u32;
        self.samples -= last.samples.len();
        if self.strokes.is_empty() {
            self.origin_s = None;
        }
        true
    }

    /// Remove every stroke; the pen, halo and target stay.
    pub fn clear(&mut self) {
        self.strokes.clear();
        self.open = None;
        self.acc = new_accumulator(&self.map, &self.pen.cartridge, self.halo_mm);
        self.origin_s = None;
        self.stamps_per_pass = [0; LIVE_PASSES];
        self.samples = 0;
    }

    /// The stroke's hand speed against the target band: every stroke, taps and a held pen
    /// included (see the module doc); `None` only for a stroke without samples.
    pub fn speed_check(&self, stroke: &StrokeRecord) -> Option<SpeedCheck> {
        let d = stroke.duration_s();
        let (a, b) = (stroke.samples.first()?, stroke.samples.last()?);
        let net = b.at_mm - a.at_mm;
        let dir_deg = if net.norm() > 0.0 { net.y.atan2(net.x).to_degrees() } else { 0.0 };
        let pen = &stroke.pen;
        let w = pen.cartridge.track_width_mm(dir_deg, pen.device.rotation_deg);
        let h = pen.cartridge.track_width_mm(dir_deg + 90.0, pen.device.rotation_deg);
        let (f, n) = (pen.device.frequency_hz, pen.cartridge.needle_count());
        let len = stroke.length_mm;
        let speed = if d > 0.0 { len / d } else { 0.0 };
        // Punctures over the swept area w · (L + h), mm² → cm².
        let density = (n * stroke.stamps) as f64 / (w * (len + h)) * 100.0;
        let (lo, hi) = self.target_density_per_cm2;
        let verdict = if density > hi {
            -1
        } else if density < lo {
            1
        } else {
            0
        };
        Some(SpeedCheck {
            stroke: stroke.id,
            speed_mm_s: speed,
            density_per_pass_per_cm2: density,
            stamps_per_spot: stroke.stamps as f64 * h / (len + h),
            held: len < h,
            target_speed_mm_s: (speed_for_density_mm_s(f, n, lo, w), speed_for_density_mm_s(f, n, hi, w)),
            verdict,
        })
    }

    /// The label a stroke belongs to: the one most of its punctures landed in (ties go to
    /// the lower label), else (no puncture in any label) on a face the region whose label
    /// anchor is nearest its first puncture, on a patch label 0. Exports group strokes by it.
    pub fn stroke_label(&self, stroke: &StrokeRecord) -> u16 {
        let best = stroke.per_label.iter().enumerate().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(&a.0))).filter(|(_, c)| **c > 0);
        if let Some((l, _)) = best {
            return l as u16;
        }
        let Some(face) = &self.map.face else { return 0 };
        let at = self.punctures().get(stroke.first_puncture).map_or(Vec2::zeros(), |p| Vec2::new(p.x_mm, p.y_mm));
        let n = face.regions().len() as u16;
        (0..n).min_by(|&a, &b| (face.label_anchor(a) - at).norm().total_cmp(&(face.label_anchor(b) - at).norm())).unwrap_or(0)
    }

    /// The live figures and warnings.
    pub fn metrics(&self) -> LiveMetrics {
        let layer = |k: usize| {
            let grid = self.acc.grid(k);
            let tallies = self.acc.tallies(k);
            let mut whole = Tally::new(self.acc.passes());
            tallies.iter().for_each(|t| whole.merge(t));
            LayerMetrics {
                whole: Coverage::from_tally(&whole, &grid),
                per_label: tallies.iter().map(|t| Coverage::from_tally(t, &grid)).collect(),
            }
        };
        let hole = layer(0);
        let zone = (self.acc.layer_count() > 1).then(|| layer(1));
        let labels = self.map.domain.label_count();
        let area_mm2: Vec<f64> = (0..labels).map(|l| self.map.domain.area_mm2(l as u16)).collect();
        let inside = self.acc.inside_per_label();
        let per_cm2 = |n: u64, a: f64| if a > 0.0 { n as f64 / a * 100.0 } else { 0.0 };
        let density_per_cm2: Vec<f64> = inside.iter().zip(&area_mm2).map(|(&n, &a)| per_cm2(n, a)).collect();
        let density_whole_per_cm2 = per_cm2(inside.iter().sum(), area_mm2.iter().sum());
        let pen_on_s = self.strokes.iter().map(|s| s.duration_s()).fold(0.0, |a, d| a + d);
        let elapsed_s = self.strokes.last().and_then(|s| s.samples.last()).map(|s| s.t_s).unwrap_or(0.0);
        let over = self.acc.over_pass_limit_tiles(0);
        let no_go = self.no_go_touches();
        let speed = self.strokes.last().and_then(|s| self.speed_check(s));
        let mut treated = vec![false; labels];
        for s in &self.strokes {
            treated[self.stroke_label(s) as usize] = true;
        }
        let merged = |k: usize| {
            let mut m = Tally::new(self.acc.passes());
            self.acc.tallies(k).iter().zip(&treated).filter(|(_, t)| **t).for_each(|(t, _)| m.merge(t));
            Coverage::from_tally(&m, &self.acc.grid(k))
        };
        let hole_treated = merged(0);
        let zone_treated = (self.acc.layer_count() > 1).then(|| merged(1));
        let pick = |v: &[f64]| v.iter().zip(&treated).filter(|(_, t)| **t).map(|(a, _)| *a).sum::<f64>();
        let treated_area_mm2 = pick(&area_mm2);
        let inside_treated: u64 = inside.iter().zip(&treated).filter(|(_, t)| **t).map(|(n, _)| *n).sum();
        let density_treated_per_cm2 = per_cm2(inside_treated, treated_area_mm2);

        let mut warnings = Vec::new();
        for t in &no_go {
            warnings.push(format!(
                "no-go zone {} touched: {} punctures, first at ({:.1}, {:.1}) mm — never needle it",
                t.zone, t.punctures, t.first_at_mm.x, t.first_at_mm.y
            ));
        }
        if hole_treated.over_pass_limit_fraction > 0.0 {
            warnings.push(format!(
                "{} of the treated regions punctured on more than {PASS_LIMIT} passes ({} spots): the sources advise no more than 3–4 passes over one place",
                percent(hole_treated.over_pass_limit_fraction),
                over.len()
            ));
        }
        if let Some(s) = &speed
            && s.verdict != 0
        {
            warnings.push(self.speed_message(s));
        }
        warnings.extend(self.depth_warnings());
        warnings.extend(self.extent_warnings(inside, &density_per_cm2, &treated));
        if pen_on_s > PROCEDURE_LIMIT_MIN * 60.0 {
            warnings
                .push(format!("pen-on time {:.1} min is beyond the sources' {PROCEDURE_LIMIT_MIN:.0}-minute procedure", pen_on_s / 60.0));
        }
        LiveMetrics {
            punctures: self.acc.punctures().len(),
            stamps: self.stamps_per_pass.iter().map(|&s| s as usize).sum(),
            strokes: self.strokes.len(),
            passes_used: self.strokes.iter().map(|s| s.pass as usize + 1).max().unwrap_or(0),
            hole,
            zone,
            halo_mm: self.halo_mm,
            density_per_cm2,
            density_whole_per_cm2,
            area_mm2,
            pen_on_s,
            elapsed_s,
            over_pass_limit_spots: over,
            no_go,
            speed,
            treated,
            hole_treated,
            zone_treated,
            density_treated_per_cm2,
            treated_area_mm2,
            warnings,
        }
    }

    /// A stroke's verdict in words, with the target and the speed band it implies.
    pub fn speed_message(&self, s: &SpeedCheck) -> String {
        let (fast, slow) = s.target_speed_mm_s;
        let (lo, hi) = self.target_density_per_cm2;
        let target = format!("the target {lo:.0}–{hi:.0} /cm² per pass needs {slow:.0}–{fast:.0} mm/s with this pen");
        let word = match s.verdict {
            1 => "too fast",
            -1 => "too slow",
            _ => "ok",
        };
        if s.held {
            let what = match s.verdict {
                1 => "too few stamps",
                -1 => "too many stamps",
                _ => "ok",
            };
            format!(
                "stroke {}: pen held in place, {:.0} stamps on one spot ≈ {:.0} punctures/cm² — {what}; {target}",
                s.stroke, s.stamps_per_spot, s.density_per_pass_per_cm2
            )
        } else {
            format!(
                "stroke {}: {word} at {:.0} mm/s ≈ {:.0} punctures/cm² per pass ({:.1} stamps per spot); {target}",
                s.stroke, s.speed_mm_s, s.density_per_pass_per_cm2, s.stamps_per_spot
            )
        }
    }

    /// Punctures off the map's regions, and treated regions far above the sources' density
    /// (from the punctures `inside` each label, the labels' densities and which are treated).
    fn extent_warnings(&self, inside: &[u64], density_per_cm2: &[f64], treated: &[bool]) -> Vec<String> {
        let mut out = self.off_map_warning(inside);
        let (_, hi) = self.target_density_per_cm2;
        for (l, (&d, &t)) in density_per_cm2.iter().zip(treated).enumerate() {
            if t {
                out.extend(crate::metrics::far_above_sources(&self.map.label_names[l], d, hi));
            }
        }
        out
    }

    /// Punctures off the map's regions (from the punctures `inside` each label), if any.
    fn off_map_warning(&self, inside: &[u64]) -> Vec<String> {
        let off_map = self.acc.punctures().len() as u64 - inside.iter().sum::<u64>();
        crate::face::report::off_regions_warning(off_map, &self.map.name).into_iter().collect()
    }

    /// The live page's map warnings (a run makes both itself: an export adds neither): punctures off the regions, a treated region's density
    /// far above the sources (at the page's target band).
    pub fn map_warnings(&self) -> Vec<String> {
        let m = self.metrics();
        self.extent_warnings(self.acc.inside_per_label(), &m.density_per_cm2, &m.treated)
    }

    /// On a face: each region drawn at a set depth outside its recommended range, in the
    /// words of a face run's warning (one per region and depth).
    fn depth_warnings(&self) -> Vec<String> {
        let Some(face) = &self.map.face else { return Vec::new() };
        let mut seen: Vec<(u16, f64)> = Vec::new();
        let mut out = Vec::new();
        for s in &self.strokes {
            let l = self.stroke_label(s);
            let d = s.pen.cartridge.depth_mm;
            let Some(region) = face.regions().get(l as usize) else { continue };
            if let Some(w) = region.depth_warning(d)
                && !seen.contains(&(l, d))
            {
                seen.push((l, d));
                out.push(w);
            }
        }
        out
    }

    fn no_go_touches(&self) -> Vec<NoGoTouch> {
        let Some(ng) = &self.map.no_go else { return Vec::new() };
        let names = ng.zone_names();
        let mut out: Vec<NoGoTouch> = Vec::new();
        for (zone, at) in self.strokes.iter().flat_map(|s| s.no_go.iter()) {
            let name = names.get(*zone).cloned().unwrap_or_else(|| format!("#{zone}"));
            match out.iter_mut().find(|t| t.zone == name) {
                Some(t) => t.punctures += 1,
                None => out.push(NoGoTouch { zone: name, punctures: 1, first_at_mm: *at }),
            }
        }
        out
    }
}

/// A fraction as a percentage, the one rounding of the live page and its warnings: one
/// decimal, and "< 0.1 %" for a non-zero fraction that would round to 0.0 (the page's
/// `pct` in `app.js` is the same rule).
pub fn percent(fraction: f64) -> String {
    if fraction > 0.0 && fraction < 0.0005 { "< 0.1 %".into() } else { format!("{:.1} %", 100.0 * fraction) }
}

fn new_accumulator(map: &LiveMap, cartridge: &Cartridge, halo_mm: f64) -> LiveAccumulator {
    LiveAccumulator::new(map.domain.clone(), map.layers(cartridge.radius_mm(), halo_mm), LIVE_PASSES)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::NoGo;

    fn pen(preset: usize, frequency_hz: f64) -> PenSettings {
        let mut cartridge = Cartridge::preset(preset, 1.0).unwrap();
        cartridge.depth_mm = 1.0;
        PenSettings { cartridge, device: Device { frequency_hz, ..Device::default() }, tilt_deg: 0.0 }
    }

    fn session(no_go: Option<Arc<dyn NoGo>>) -> LiveSession {
        let mut map = LiveMap::patch(Rect::new(0.0, 0.0, 40.0, 30.0));
        map.no_go = no_go;
        LiveSession::new(Arc::new(map), pen(12, 120.0), 0.0, SessionLimits::default()).unwrap()
    }

    /// Samples along a straight line from `a` to `b` at `speed` mm/s, every 1/60 s from `t0`.
    fn line(t0: f64, a: (f64, f64), b: (f64, f64), speed: f64) -> Vec<TimedSample> {
        let (a, b) = (Vec2::new(a.0, a.1), Vec2::new(b.0, b.1));
        let dur = (b - a).norm() / speed;
        let n = (dur * 60.0).ceil() as usize;
        (0..=n)
            .map(|i| {
                let f = i as f64 / n as f64;
                TimedSample { t_s: t0 + f * dur, at_mm: a + (b - a) * f }
            })
            .collect()
    }

    #[test]
    fn a_stroke_sent_in_batches_equals_the_stroke_sent_whole() {
        let samples = line(100.0, (5.0, 5.0), (35.0, 8.0), 40.0);
        let mut whole = session(None);
        whole.add_samples(1, 0, &samples).unwrap();
        let mut parts = session(None);
        for chunk in samples.chunks(7) {
            parts.add_samples(1, 0, chunk).unwrap();
        }
        assert_eq!(whole.punctures(), parts.punctures());
        assert_eq!(whole.metrics(), parts.metrics());
        // Conservation: punctures = needles × stamps; stamps = ⌊duration · f⌋ + 1.
        let m = whole.metrics();
        let dur = samples.last().unwrap().t_s - samples[0].t_s;
        assert_eq!(m.stamps, (dur * 120.0).floor() as usize + 1);
        assert_eq!(m.punctures, 12 * m.stamps);
        assert!((m.pen_on_s - dur).abs() < 1e-9);
        assert!(m.hole.whole.coverage > 0.0);
        assert_eq!(whole.punctures()[0].t_s, 0.0);
    }

    #[test]
    fn undo_restores_the_previous_metrics_exactly() {
        let mut s = session(None);
        s.add_samples(1, 0, &line(0.0, (2.0, 2.0), (38.0, 2.0), 40.0)).unwrap();
        s.add_samples(2, 1, &line(2.0, (20.0, 1.0), (20.0, 29.0), 30.0)).unwrap();
        let before = s.metrics();
        let punctures = s.punctures().to_vec();
        s.add_samples(3, 1, &line(4.0, (1.0, 1.0), (39.0, 29.0), 50.0)).unwrap();
        assert_ne!(s.metrics(), before);
        assert!(s.undo());
        assert_eq!(s.metrics(), before);
        assert_eq!(s.punctures(), punctures.as_slice());
        // Ids must still increase after an undo.
        assert!(s.add_samples(2, 1, &line(5.0, (1.0, 1.0), (2.0, 2.0), 10.0)).is_err());
        s.add_samples(4, 1, &line(5.0, (1.0, 1.0), (2.0, 2.0), 10.0)).unwrap();
        s.clear();
        assert_eq!(s.metrics().punctures, 0);
        assert_eq!(s.metrics().hole.whole.coverage, 0.0);
    }

    #[test]
    fn refused_batches_store_nothing() {
        let mut s = session(None);
        s.add_samples(1, 0, &line(10.0, (2.0, 2.0), (10.0, 2.0), 40.0)).unwrap();
        let before = (s.metrics(), s.punctures().to_vec());
        let back = [TimedSample { t_s: 9.0, at_mm: Vec2::new(3.0, 3.0) }];
        // Backwards in the same stroke, in a new stroke, a NaN, a pass out of range.
        assert!(s.add_samples(1, 0, &back).unwrap_err().to_string().contains("time must move forward"));
        assert!(s.add_samples(2, 0, &back).unwrap_err().to_string().contains("previous stroke"));
        let nan = [TimedSample { t_s: 20.0, at_mm: Vec2::new(f64::NAN, 3.0) }];
        assert!(s.add_samples(2, 0, &nan).is_err());
        assert!(s.add_samples(2, 8, &line(20.0, (2.0, 2.0), (3.0, 2.0), 10.0)).unwrap_err().to_string().contains("pass = 8"));
        assert!(s.add_samples(1, 1, &line(20.0, (2.0, 2.0), (3.0, 2.0), 10.0)).unwrap_err().to_string().contains("one pass"));
        // Beyond the puncture cap.
        s.limits.max_punctures = s.punctures().len() + 11;
        let e = s.add_samples(2, 0, &line(30.0, (2.0, 2.0), (3.0, 2.0), 10.0)).unwrap_err();
        assert!(e.is_bad_input() && e.to_string().contains("punctures per session"), "{e}");
        assert_eq!((s.metrics(), s.punctures().to_vec()), before);
    }

    #[test]
    fn speed_outside_the_target_band_is_flagged_both_ways() {
        // 12 needles at 120 Hz, track 2.18 mm across x with a 4 × 3 grid (3 rows 1 mm apart
        // + 0.18): 250–300 /cm² needs 220–264 mm/s.
        let mut s = session(None);
        s.add_samples(1, 0, &line(0.0, (2.0, 15.0), (38.0, 15.0), 40.0)).unwrap();
        let sp = s.metrics().speed.unwrap();
        assert_eq!(sp.verdict, -1, "{sp:?}");
        assert!((sp.speed_mm_s - 40.0).abs() < 1e-6);
        assert!((sp.target_speed_mm_s.1 - 120.0 * 12.0 / (300.0 * 2.18) * 100.0).abs() < 1e-6, "{sp:?}");
        assert!(s.metrics().warnings.iter().any(|w| w.contains("too slow")));
        s.add_samples(2, 0, &line(5.0, (2.0, 15.0), (38.0, 15.0), 100.0)).unwrap();
        assert_eq!(s.metrics().speed.unwrap().verdict, -1);
        s.add_samples(4, 0, &line(5.5, (-100.0, 15.0), (140.0, 15.0), 400.0)).unwrap();
        assert_eq!(s.metrics().speed.unwrap().verdict, 1);
        s.add_samples(5, 0, &line(7.0, (-50.0, 15.0), (90.0, 15.0), 240.0)).unwrap();
        assert_eq!(s.metrics().speed.unwrap().verdict, 0);
        assert!(!s.metrics().warnings.iter().any(|w| w.contains("too")));
    }

    struct Square(Rect);
    impl NoGo for Square {
        fn zone_names(&self) -> Vec<String> {
            vec!["eye_test".into()]
        }
        fn zone_touched(&self, p: Vec2, r: f64) -> Option<usize> {
            let q = self.0;
            let (dx, dy) = ((q.x0 - p.x).max(p.x - q.x1).max(0.0), (q.y0 - p.y).max(p.y - q.y1).max(0.0));
            (dx * dx + dy * dy <= r * r).then_some(0)
        }
    }

    #[test]
    fn a_no_go_zone_touched_is_reported_with_count_and_place_and_undone() {
        let zone = Rect::new(18.0, 10.0, 22.0, 14.0);
        let mut s = session(Some(Arc::new(Square(zone))));
        s.add_samples(1, 0, &line(0.0, (2.0, 25.0), (38.0, 25.0), 40.0)).unwrap();
        assert!(s.metrics().no_go.is_empty());
        let out = s.add_samples(2, 0, &line(3.0, (2.0, 12.0), (38.0, 12.0), 40.0)).unwrap();
        // Brute force: every puncture whose disk meets the square.
        let r = 0.09;
        let expected = out
            .punctures
            .iter()
            .filter(|p| p.x_mm > zone.x0 - r && p.x_mm < zone.x1 + r && p.y_mm > zone.y0 - r && p.y_mm < zone.y1 + r)
            .count() as u64;
        let m = s.metrics();
        assert_eq!(m.no_go.len(), 1);
        assert_eq!(m.no_go[0].punctures, expected);
        assert!(expected > 0 && m.warnings[0].contains("eye_test"));
        assert!(s.undo());
        assert!(s.metrics().no_go.is_empty());
    }

    #[test]
    fn halo_change_remeasures_every_stroke() {
        let mut s = session(None);
        s.add_samples(1, 0, &line(0.0, (2.0, 2.0), (38.0, 28.0), 40.0)).unwrap();
        s.set_halo(0.3).unwrap();
        let with_halo = s.metrics();
        let z = with_halo.zone.as_ref().unwrap();
        assert!(z.whole.coverage > with_halo.hole.whole.coverage);
        let mut fresh = LiveSession::new(s.map().clone(), pen(12, 120.0), 0.3, SessionLimits::default()).unwrap();
        fresh.add_samples(1, 0, &line(0.0, (2.0, 2.0), (38.0, 28.0), 40.0)).unwrap();
        assert_eq!(fresh.metrics(), with_halo);
        assert!(s.set_halo(f64::NAN).unwrap_err().to_string().contains("coverage.halo_mm"));
    }

    #[test]
    fn a_tilted_pen_makes_ellipses_leaning_along_the_stroke_measured_as_the_core_does() {
        use crate::raster::accumulate::{Request, accumulate};
        use crate::raster::domain::RectDomain;
        let tilt_deg = 40.0;
        let mut s = session(None);
        let mut p = pen(12, 120.0);
        p.tilt_deg = tilt_deg;
        s.set_pen(p).unwrap();
        // A stroke up and to the right (sent in two batches), one along −y, one held still.
        let up = line(0.0, (4.0, 4.0), (30.0, 19.0), 40.0);
        let (a, b) = up.split_at(up.len() / 2);
        s.add_samples(1, 0, a).unwrap();
        s.add_samples(1, 0, b).unwrap();
        s.add_samples(2, 1, &line(20.0, (34.0, 26.0), (34.0, 6.0), 40.0)).unwrap();
        s.add_samples(
            3,
            0,
            &[TimedSample { t_s: 40.0, at_mm: Vec2::new(8.0, 24.0) }, TimedSample { t_s: 40.5, at_mm: Vec2::new(8.0, 24.0) }],
        )
        .unwrap();
        let heading_up = 15.0f64.atan2(26.0).to_degrees();
        for q in s.punctures() {
            assert_eq!(q.tilt_deg as f64, tilt_deg);
            let want = match q.pass {
                1 => -90.0,
                _ if q.y_mm > 21.0 && q.x_mm < 12.0 => 0.0, // held still: no motion, +x
                _ => heading_up,
            };
            assert!(
                (q.tilt_azimuth_deg as f64 - want).abs() < 1e-3,
                "azimuth {} vs {want} at ({}, {})",
                q.tilt_azimuth_deg,
                q.x_mm,
                q.y_mm
            );
        }
        // The live tallies are the core's for the same (tilted) punctures.
        let m = s.metrics();
        let grid = s.map().grid;
        let domain = RectDomain(Rect::new(0.0, 0.0, 40.0, 30.0));
        let r = s.pen().cartridge.radius_mm();
        let core = accumulate(
            s.punctures(),
            &Request { grid, radius_mm: r, passes: LIVE_PASSES, picture_cells: None, domain: &domain, layers: Default::default() },
        );
        assert_eq!(m.hole.whole, Coverage::from_tally(&core.tallies[0], &grid));
        // Hit area = N · π r · r / cos(tilt) (every footprint is inside the patch).
        let area = core.tallies[0].hit_sum as f64 * grid.resolution_mm * grid.resolution_mm;
        let want = s.punctures().len() as f64 * std::f64::consts::PI * r * r / tilt_deg.to_radians().cos();
        assert!((area / want - 1.0).abs() < 0.01, "hit area {area} vs {want}");
    }

    #[test]
    fn the_zone_layer_is_the_core_on_its_coarser_grid_and_agrees_with_a_fine_grid() {
        use crate::raster::accumulate::{Request, accumulate};
        use crate::raster::domain::RectDomain;
        use crate::raster::grid::GridSpec;
        let mut s = session(None);
        s.set_halo(0.2).unwrap();
        for (k, y) in [4.0, 9.0, 14.0, 19.0, 24.0].into_iter().enumerate() {
            s.add_samples(k as u64 + 1, (k % 2) as u16, &line(k as f64 * 10.0, (2.0, y), (38.0, y + 3.0), 40.0)).unwrap();
        }
        let m = s.metrics();
        let zone = m.zone.as_ref().unwrap();
        let r = s.pen().cartridge.radius_mm() + 0.2;
        let g = crate::live::zone_grid(s.map().grid, r);
        assert!(g.resolution_mm > s.map().grid.resolution_mm && r / g.resolution_mm >= crate::live::MIN_CELLS_PER_RADIUS);
        let domain = RectDomain(Rect::new(0.0, 0.0, 40.0, 30.0));
        let core = |grid: GridSpec| {
            let acc = accumulate(
                s.punctures(),
                &Request { grid, radius_mm: r, passes: LIVE_PASSES, picture_cells: None, domain: &domain, layers: Default::default() },
            );
            Coverage::from_tally(&acc.tallies[0], &grid)
        };
        assert_eq!(zone.whole, core(g), "exactly the core's accumulation on the zone grid");
        let fine = core(GridSpec::new(0.01).unwrap());
        assert!(
            (zone.whole.coverage - fine.coverage).abs() < 0.01 * fine.coverage,
            "zone grid {} vs 0.01 mm {}",
            zone.whole.coverage,
            fine.coverage
        );
    }

    /// Issue 20: a pen pressed and held in one spot gave an infinite density (`null` in
    /// JSON) that broke the page. It is stamping in place: the density of its spot, finite.
    #[test]
    fn a_pen_held_still_gets_the_density_of_its_spot_and_a_verdict() {
        let mut s = session(None);
        let held: Vec<TimedSample> = (0..=120).map(|i| TimedSample { t_s: i as f64 / 60.0, at_mm: Vec2::new(20.0, 15.0) }).collect();
        s.add_samples(1, 0, &held).unwrap();
        let m = s.metrics();
        let sp = m.speed.clone().unwrap();
        // 2 s at 120 Hz: 241 stamps, every one on the cartridge's own w × h spot.
        assert_eq!(m.stamps, 241);
        assert!(sp.held && sp.speed_mm_s == 0.0, "{sp:?}");
        assert_eq!(sp.stamps_per_spot, 241.0);
        let (c, rot) = (&s.pen().cartridge, s.pen().device.rotation_deg);
        let spot_mm2 = c.track_width_mm(0.0, rot) * c.track_width_mm(90.0, rot);
        let want = 12.0 * 241.0 / spot_mm2 * 100.0;
        assert!(sp.density_per_pass_per_cm2.is_finite() && (sp.density_per_pass_per_cm2 / want - 1.0).abs() < 1e-12, "{sp:?} vs {want}");
        assert_eq!(sp.verdict, -1);
        assert!(m.warnings.iter().any(|w| w.contains("held in place") && w.contains("241 stamps")), "{:?}", m.warnings);
        // A tap (one sample, one stamp) is judged too: one stamp's density.
        s.add_samples(2, 0, &[TimedSample { t_s: 5.0, at_mm: Vec2::new(10.0, 10.0) }]).unwrap();
        let tap = s.metrics().speed.unwrap();
        assert_eq!((tap.stroke, tap.speed_mm_s, tap.stamps_per_spot), (2, 0.0, 1.0));
        assert!((tap.density_per_pass_per_cm2 / (12.0 / spot_mm2 * 100.0) - 1.0).abs() < 1e-12, "{tap:?}");
    }

    /// A long stroke's swept-area density is the per-pass formula f · N / (v · w) within the
    /// cartridge's length over the path's, and a short fast stroke gets its verdict.
    #[test]
    fn a_moving_strokes_density_is_the_per_pass_formula_and_short_strokes_are_judged() {
        let mut s = session(None);
        s.add_samples(1, 0, &line(0.0, (-40.0, 15.0), (80.0, 15.0), 60.0)).unwrap();
        let sp = s.metrics().speed.unwrap();
        let (c, rot) = (&s.pen().cartridge, s.pen().device.rotation_deg);
        let (w, h) = (c.track_width_mm(0.0, rot), c.track_width_mm(90.0, rot));
        let formula = 120.0 * 12.0 / (60.0 * w) * 100.0;
        assert!(!sp.held && (sp.density_per_pass_per_cm2 / formula - 1.0).abs() < h / 120.0 + 0.01, "{sp:?} vs {formula}");
        assert!((sp.stamps_per_spot - 120.0 * h / 60.0).abs() < 0.2, "{sp:?}");
        // 0.1 s at 400 mm/s: too fast, judged although shorter than any old threshold.
        s.add_samples(2, 0, &line(10.0, (2.0, 5.0), (42.0, 5.0), 400.0)).unwrap();
        let fast = s.metrics().speed.unwrap();
        assert_eq!((fast.stroke, fast.verdict), (2, 1), "{fast:?}");
        assert!(s.metrics().warnings.iter().any(|w| w.starts_with("stroke 2: too fast")));
    }

    /// The headline figures are over the treated regions (as `run` reports), the whole-map
    /// ones kept apart: on a face, three forehead strokes cover far more of the forehead
    /// than of the map.
    #[test]
    fn figures_over_the_treated_regions_are_the_treated_labels_merged() {
        let face = Arc::new(crate::face::default_face().unwrap());
        let map = Arc::new(LiveMap::face(face.clone()));
        let forehead = face.regions().iter().position(|r| r.name == "forehead").unwrap() as u16;
        let at = face.label_anchor(forehead);
        let mut s = LiveSession::new(map, pen(12, 120.0), 0.0, SessionLimits::default()).unwrap();
        for k in 0..3 {
            let y = at.y - 4.0 + 4.0 * k as f64;
            s.add_samples(k + 1, 0, &line(k as f64 * 5.0, (at.x - 15.0, y), (at.x + 15.0, y), 50.0)).unwrap();
        }
        let m = s.metrics();
        let treated: Vec<usize> = (0..m.treated.len()).filter(|&l| m.treated[l]).collect();
        assert_eq!(treated, vec![forehead as usize]);
        assert_eq!(m.hole_treated, m.hole.per_label[forehead as usize]);
        use crate::raster::domain::Domain;
        assert_eq!(m.treated_area_mm2, face.area_mm2(forehead));
        assert_eq!(m.density_treated_per_cm2, m.density_per_cm2[forehead as usize]);
        assert!(m.hole_treated.coverage > 5.0 * m.hole.whole.coverage, "{} vs {}", m.hole_treated.coverage, m.hole.whole.coverage);
        assert_eq!(s.stroke_label(&s.strokes()[0]), forehead);
        // A set depth outside the region's recommended range is said at once.
        let (lo, hi) = face.regions()[forehead as usize].recommended_depth_mm;
        let inside = m.warnings.iter().any(|w| w.contains("outside the recommended"));
        assert_eq!(inside, !(lo..=hi).contains(&1.0), "{:?}", m.warnings);
        let mut deep = pen(12, 120.0);
        deep.cartridge.depth_mm = hi + 0.5;
        s.set_pen(deep).unwrap();
        s.add_samples(9, 1, &line(40.0, (at.x - 10.0, at.y), (at.x + 10.0, at.y), 50.0)).unwrap();
        let w = s.metrics().warnings;
        assert!(w.iter().any(|w| w.starts_with("forehead: set depth") && w.contains(&format!("{} mm is outside", hi + 0.5))), "{w:?}");
    }

    #[test]
    fn percentages_have_one_rounding() {
        assert_eq!(percent(0.0), "0.0 %");
        assert_eq!(percent(0.0003), "< 0.1 %");
        assert_eq!(percent(0.0312), "3.1 %");
        assert_eq!(percent(1.0), "100.0 %");
    }
}
