//! Setting search: find knob values (hand speed, frequency, pitch, …) that reach a coverage
//! target with the most even overlap. No IO; the caller supplies a `build` closure that turns
//! knob values and a seed into a validated [`Simulation`].
//!
//! **Objective** (minimised; each term documented so its weight means something):
//!
//! ```text
//! J = w_distance · |m − t| / t  +  w_cv · CV  +  w_hit3 · F₃
//! ```
//!
//! - `m`: the target metric (`coverage_per_pass` = mean over passes of each pass's coverage
//!   alone; `coverage` = cumulative; `zone_…` the same for the treated zone;
//!   `regions.NAME.coverage[_per_pass]` the same for one region of a face), `t` its target;
//!   the relative distance makes "10 % off" cost the same whatever the target.
//! - `CV`: density uniformity, CV of punctures per 1 mm bin (`metrics`); 0 when undefined.
//! - `F₃`: fraction of the area hit ≥ 3 times (over-punctured spots).
//!
//! Default weights 1, 0.25, 1 (**assumed**): the target dominates until it is within a few
//! per cent, then evenness and over-puncturing decide.
//!
//! **Noise.** Each evaluation runs `seeds.len()` simulations in parallel (rayon), one per
//! seed (the scenario seed + k): the seed drives every random stream of the run (random
//! patterns, and the hand's speed, tremor, tilt and stamping jitter, `hand`). Modes:
//!
//! - [`Noise::Hand`] (the command's default): a real hand. The scenario's `[hand]` when it
//!   has one, else [`typical_hand`] (the assumed careful-but-human hand of
//!   `scenarios/real-hand.toml`); and every seed after the first also shifts the lanes as
//!   below. A setting must then work for a hand that does not move on rails.
//! - [`Noise::LaneOffsets`]: the scenario's hand as written; every seed after the first
//!   shifts each pass's lanes across the motion by a uniform random fraction (−½…½) of the
//!   lane spacing (where the practitioner starts is not fixed).
//! - [`Noise::None`]: the seed only (an ideal hand on lanes then repeats exactly).
//!
//! `J` is the mean of the per-seed objectives, so a setting must meet the target on every
//! seed, not only on average. Knobs live in a normalised box (`[0, 1]` per knob from its bounds); the
//! search is Nelder–Mead (`nelder_mead`). Deterministic for given seeds.
//!
//! **Faces.** A [`Session`] is a patch or a face session on a flat map. On a face every
//! figure but a region target is the whole session's over the treated regions (as in its
//! summary.json: coverage, CV, hit ≥ 3 times, density); hand noise replaces the session's
//! ideal hand, and lane noise shifts the lanes of every treatment's passes.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::face::report::RegionRun;
use crate::face::simulation::FaceSimulation;
use crate::sim::{RunResult, Simulation};
use crate::study::nelder_mead::{self, Options};
use crate::technique::hand::Hand;

/// A continuous setting to vary, by scenario key, within `[lo, hi]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Knob {
    pub key: String,
    pub lo: f64,
    pub hi: f64,
}

impl Knob {
    /// Check the bounds: finite, `lo < hi`.
    pub fn validate(&self) -> Result<()> {
        if !(self.lo.is_finite() && self.hi.is_finite()) || self.lo >= self.hi {
            return Err(Error::invalid(
                format!("--vary {}", self.key),
                format!("{}:{}", self.lo, self.hi),
                "finite bounds LO:HI with LO < HI",
            ));
        }
        Ok(())
    }
    /// Value at box coordinate `u` (0–1).
    pub fn value(&self, u: f64) -> f64 {
        self.lo + u * (self.hi - self.lo)
    }
    /// Box coordinate of `value`.
    pub fn unit(&self, value: f64) -> f64 {
        ((value - self.lo) / (self.hi - self.lo)).clamp(0.0, 1.0)
    }
}

/// Which coverage the target is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TargetMetric {
    CoveragePerPass,
    Coverage,
    ZoneCoveragePerPass,
    ZoneCoverage,
    /// One region of a face (`regions.NAME.coverage` or `regions.NAME.coverage_per_pass`, the
    /// sweep's column names): its hole coverage, cumulative or the mean of its passes alone.
    Region {
        region: String,
        per_pass: bool,
    },
}

impl TargetMetric {
    pub const NAMES: [&'static str; 4] = ["coverage_per_pass", "coverage", "zone_coverage_per_pass", "zone_coverage"];
    /// How a region target is written, for messages.
    pub const REGION_FORMS: &'static str = "regions.NAME.coverage or regions.NAME.coverage_per_pass (a face's region)";

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "coverage_per_pass" => TargetMetric::CoveragePerPass,
            "coverage" => TargetMetric::Coverage,
            "zone_coverage_per_pass" => TargetMetric::ZoneCoveragePerPass,
            "zone_coverage" => TargetMetric::ZoneCoverage,
            _ => {
                let rest = s.strip_prefix("regions.")?;
                let (region, per_pass) = if let Some(r) = rest.strip_suffix(".coverage_per_pass") {
                    (r, true)
                } else {
                    (rest.strip_suffix(".coverage")?, false)
                };
                if region.is_empty() {
                    return None;
                }
                TargetMetric::Region { region: region.to_owned(), per_pass }
            }
        })
    }
    pub fn name(&self) -> String {
        match self {
            TargetMetric::CoveragePerPass => Self::NAMES[0].into(),
            TargetMetric::Coverage => Self::NAMES[1].into(),
            TargetMetric::ZoneCoveragePerPass => Self::NAMES[2].into(),
            TargetMetric::ZoneCoverage => Self::NAMES[3].into(),
            TargetMetric::Region { region, per_pass } => {
                format!("regions.{region}.{}", if *per_pass { "coverage_per_pass" } else { "coverage" })
            }
        }
    }
}

/// The target: a metric and its value, 0 < value < 1.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    pub metric: TargetMetric,
    pub value: f64,
}

impl Target {
    /// Parse `METRIC=VALUE`, e.g. `coverage_per_pass=0.25`.
    pub fn parse(s: &str) -> Result<Self> {
        let forms = || format!("one of {}, or {}", TargetMetric::NAMES.join(", "), TargetMetric::REGION_FORMS);
        let (k, v) = s.split_once('=').ok_or_else(|| Error::invalid("--target", s, format!("METRIC=VALUE, METRIC {}", forms())))?;
        let metric = TargetMetric::parse(k.trim()).ok_or_else(|| Error::invalid("--target", k, forms()))?;
        let value: f64 =
            v.trim().parse().map_err(|_| Error::invalid(format!("--target {}", metric.name()), v, "a fraction 0 < value < 1"))?;
        if !(value.is_finite() && value > 0.0 && value < 1.0) {
            return Err(Error::invalid(format!("--target {}", metric.name()), value, "a fraction 0 < value < 1 (e.g. 0.25 for 25 %)"));
        }
        Ok(Target { metric, value })
    }
}

/// Weights of the objective's terms (all ≥ 0, not all 0).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Weights {
    pub distance: f64,
    pub cv: f64,
    pub hit3: f64,
}

impl Default for Weights {
    fn default() -> Self {
        Weights { distance: 1.0, cv: 0.25, hit3: 1.0 }
    }
}

impl Weights {
    /// Parse `distance=1,cv=0.25,hit3=1` (any subset; the rest keep their defaults).
    pub fn parse(s: &str) -> Result<Self> {
        let mut w = Weights::default();
        for part in s.split(',').filter(|p| !p.trim().is_empty()) {
            let (k, v) =
                part.split_once('=').ok_or_else(|| Error::invalid("--weights", part, "NAME=WEIGHT with NAME distance, cv or hit3"))?;
            let v: f64 = v.trim().parse().map_err(|_| Error::invalid(format!("--weights {}", k.trim()), v, "a number ≥ 0"))?;
            if !(v.is_finite() && v >= 0.0) {
                return Err(Error::invalid(format!("--weights {}", k.trim()), v, "a number ≥ 0"));
            }
            match k.trim() {
                "distance" => w.distance = v,
                "cv" => w.cv = v,
                "hit3" => w.hit3 = v,
                other => return Err(Error::invalid("--weights", other, "distance, cv or hit3")),
            }
        }
        if w.distance + w.cv + w.hit3 <= 0.0 {
            return Err(Error::invalid("--weights", s, "at least one positive weight"));
        }
        Ok(w)
    }
}

/// How seeds perturb a run (see the module doc).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Noise {
    /// Seeds change only the random streams.
    None,
    /// Seeds also shift the lanes.
    LaneOffsets,
    /// A real hand (the scenario's, or [`typical_hand`]) and shifted lanes.
    Hand,
}

impl Noise {
    pub const NAMES: [&'static str; 3] = ["none", "lanes", "hand"];

    pub fn name(&self) -> &'static str {
        Self::NAMES[*self as usize]
    }
}

/// The hand used by [`Noise::Hand`] when the scenario's is ideal: speed ±15 % (0.5 s), tremor
/// 0.25 mm (0.2 s), tilt 3° ± 2° (1 s), stamping jitter 2 %. Every number is **assumed** (no
/// source measures a practitioner's hand); they are those of `scenarios/real-hand.toml`.
pub fn typical_hand() -> Hand {
    Hand {
        speed_sd_fraction: 0.15,
        speed_time_constant_s: 0.5,
        tremor_amplitude_mm: 0.25,
        tremor_time_constant_s: 0.2,
        tilt_mean_deg: 3.0,
        tilt_sd_deg: 2.0,
        tilt_time_constant_s: 1.0,
        tilt_azimuth_deg: 0.0,
        frequency_jitter_fraction: 0.02,
    }
}

/// Perturb `sim` for the `k`-th seed `seed` of an evaluation.
pub fn apply_noise(sim: &mut Simulation, noise: Noise, k: usize, seed: u64) {
    if noise == Noise::Hand && sim.technique.hand.is_ideal() {
        sim.technique.hand = typical_hand();
    }
    if matches!(noise, Noise::Hand | Noise::LaneOffsets) && k > 0 {
        shift_lanes(sim, seed);
    }
}

/// What the search runs (see "Faces" in the module doc).
#[derive(Clone, Debug)]
pub enum Session {
    Patch(Box<Simulation>),
    Face(Box<FaceSimulation>),
}

impl From<Simulation> for Session {
    fn from(s: Simulation) -> Self {
        Session::Patch(Box::new(s))
    }
}

impl From<FaceSimulation> for Session {
    fn from(f: FaceSimulation) -> Self {
        Session::Face(Box::new(f))
    }
}

impl Session {
    /// The session's hand is ideal (hand noise then uses [`typical_hand`]).
    pub fn hand_is_ideal(&self) -> bool {
        match self {
            Session::Patch(s) => s.technique.hand.is_ideal(),
            Session::Face(f) => f.technique.hand.is_ideal(),
        }
    }

    /// The scenario's name.
    pub fn name(&self) -> &str {
        match self {
            Session::Patch(s) => &s.name,
            Session::Face(f) => &f.name,
        }
    }

    /// The scenario's seed.
    pub fn seed(&self) -> u64 {
        match self {
            Session::Patch(s) => s.seed,
            Session::Face(f) => f.seed,
        }
    }

    /// Refuse now what a run would refuse for its grid or memory (and, on a face, its plan).
    pub fn check_resources(&self) -> Result<()> {
        match self {
            Session::Patch(s) => s.check_resources(),
            Session::Face(f) => {
                f.validate()?;
                f.check_resources(f.estimated_stamps(&f.paths()))
            }
        }
    }

    /// Run the `k`-th seed `seed` of an evaluation (noise applied, no pictures) and take its
    /// figures. A region target on a patch, or naming no region of the face, is an error.
    pub fn metrics(self, noise: Noise, k: usize, seed: u64, target: &Target, w: &Weights) -> Result<Metrics> {
        match self {
            Session::Patch(mut sim) => {
                if let TargetMetric::Region { .. } = target.metric {
                    return Err(Error::invalid("--target", target.metric.name(), "a region target on a face scenario only"));
                }
                sim.picture = false;
                apply_noise(&mut sim, noise, k, seed);
                let r = sim.run()?;
                Ok(Metrics::of(&r, None, target, w))
            }
            Session::Face(mut face) => {
                face.picture = false;
                if noise == Noise::Hand && face.technique.hand.is_ideal() {
                    face.technique.hand = typical_hand();
                }
                if matches!(noise, Noise::Hand | Noise::LaneOffsets) && k > 0 {
                    shift_plan_lanes(face.treatments.iter_mut().flat_map(|t| t.passes.iter_mut()), seed);
                }
                let region = match &target.metric {
                    TargetMetric::Region { region, .. } => Some(face_region(&face, region)?),
                    _ => None,
                };
                let r = face.run()?;
                Ok(Metrics::of(&r.run, region.map(|i| &r.regions[i]), target, w))
            }
        }
    }
}

/// Index of the face region named `name`, or an error listing the regions.
pub fn face_region(face: &FaceSimulation, name: &str) -> Result<usize> {
    let names: Vec<&str> = face.map.regions().iter().map(|r| r.name.as_str()).collect();
    names.iter().position(|n| *n == name).ok_or_else(|| {
        let closest = crate::error::did_you_mean(name, &names).map(|n| format!(" (did you mean {n}?)")).unwrap_or_default();
        Error::invalid("--target regions.NAME", name, format!("a region of the face map: {}{closest}", names.join(", ")))
    })
}

/// The figures the objective reads, for one run or averaged over seeds.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct Metrics {
    /// The target metric.
    pub value: f64,
    pub coverage_per_pass: f64,
    pub coverage: f64,
    pub uniformity_cv: f64,
    /// Fraction of the area hit ≥ 3 times.
    pub hit3_fraction: f64,
    pub density_per_cm2: f64,
    pub objective: f64,
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len().max(1) as f64
}

impl Metrics {
    /// Figures of one run for `target` with `weights`; `region` is the face region a region
    /// target reads (a region target without one reads the whole run).
    pub fn of(r: &RunResult, region: Option<&RegionRun>, target: &Target, w: &Weights) -> Self {
        let hole = &r.hole_coverage;
        let zone = r.zone.as_ref().map(|z| &z.1).unwrap_or(hole);
        let region_cov = region.map_or(hole, |g| &g.coverage);
        let value = match target.metric {
            TargetMetric::CoveragePerPass => mean(&hole.coverage_per_pass),
            TargetMetric::Coverage => hole.coverage,
            TargetMetric::ZoneCoveragePerPass => mean(&zone.coverage_per_pass),
            TargetMetric::ZoneCoverage => zone.coverage,
            TargetMetric::Region { per_pass: true, .. } => mean(&region_cov.coverage_per_pass),
            TargetMetric::Region { per_pass: false, .. } => region_cov.coverage,
        };
        let h = &hole.hits_histogram;
        let mut m = Metrics {
            value,
            coverage_per_pass: mean(&hole.coverage_per_pass),
            coverage: hole.coverage,
            uniformity_cv: r.density.uniformity_cv.unwrap_or(0.0),
            hit3_fraction: h[3] + h[4],
            density_per_cm2: r.density.density_per_cm2,
            objective: 0.0,
        };
        m.objective = w.distance * (m.value - target.value).abs() / target.value + w.cv * m.uniformity_cv + w.hit3 * m.hit3_fraction;
        m
    }

    /// Field-wise mean (the objective too: the mean of per-seed objectives).
    pub fn mean(all: &[Metrics]) -> Self {
        let f = |g: fn(&Metrics) -> f64| mean(&all.iter().map(g).collect::<Vec<_>>());
        Metrics {
            value: f(|m| m.value),
            coverage_per_pass: f(|m| m.coverage_per_pass),
            coverage: f(|m| m.coverage),
            uniformity_cv: f(|m| m.uniformity_cv),
            hit3_fraction: f(|m| m.hit3_fraction),
            density_per_cm2: f(|m| m.density_per_cm2),
            objective: f(|m| m.objective),
        }
    }
}

/// Everything the search needs besides the `build` closure.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    pub knobs: Vec<Knob>,
    /// Start values (one per knob; clamped into the bounds).
    pub start: Vec<f64>,
    pub target: Target,
    pub weights: Weights,
    /// One simulation per seed per evaluation.
    pub seeds: Vec<u64>,
    pub noise: Noise,
    pub options: Options,
}

/// One evaluated setting.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    /// 1-based, in evaluation order.
    pub index: usize,
    pub values: Vec<f64>,
    /// Seed-averaged figures; `None` when a run failed.
    pub metrics: Option<Metrics>,
    /// The failure, if any (the point then counts as +∞).
    pub error: Option<String>,
    /// Best objective so far, including this one.
    pub best_so_far: f64,
}

/// The search's result.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    pub evaluations: Vec<Evaluation>,
    /// Index into `evaluations` of the best one.
    pub best: usize,
    pub converged: bool,
    pub iterations: usize,
}

/// Shift the lanes of every pass of `sim` for seed `seed` (see [`Noise::LaneOffsets`]).
pub fn shift_lanes(sim: &mut Simulation, seed: u64) {
    shift_plan_lanes(sim.passes.iter_mut(), seed);
}

/// Shift each of `passes` (the `i`-th by random stream 1000 + i of `seed`) by a uniform
/// fraction −½…½ of its lane spacing.
fn shift_plan_lanes<'a>(passes: impl Iterator<Item = &'a mut crate::technique::lanes::PassPlan>, seed: u64) {
    for (i, p) in passes.enumerate() {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(1000 + i as u64);
        p.lane_offset_mm += rng.random_range(-0.5..0.5) * p.lane_spacing_mm;
    }
}

/// Evaluate one setting over every seed (in parallel); the mean figures or the first error.
pub fn evaluate<B, S>(settings: &Settings, values: &[f64], build: &B) -> Result<Metrics>
where
    B: Fn(&[f64], u64) -> Result<S> + Sync,
    S: Into<Session>,
{
    let per_seed: Vec<Result<Metrics>> = settings
        .seeds
        .par_iter()
        .enumerate()
        .map(|(k, &seed)| build(values, seed)?.into().metrics(settings.noise, k, seed, &settings.target, &settings.weights))
        .collect();
    let all = per_seed.into_iter().collect::<Result<Vec<_>>>()?;
    Ok(Metrics::mean(&all))
}

/// Run the search. `build(values, seed)` makes the simulation of knob `values` (in knob
/// units, not box units) with scenario seed `seed`; `progress` sees each evaluation.
pub fn optimize<B, S>(settings: &Settings, build: &B, mut progress: impl FnMut(&Evaluation)) -> Report
where
    B: Fn(&[f64], u64) -> Result<S> + Sync,
    S: Into<Session>,
{
    let mut evaluations: Vec<Evaluation> = Vec::new();
    let mut best_so_far = f64::INFINITY;
    let x0: Vec<f64> = settings.knobs.iter().zip(&settings.start).map(|(k, v)| k.unit(*v)).collect();
    let outcome = nelder_mead::minimize(
        |u| {
            let values: Vec<f64> = settings.knobs.iter().zip(u).map(|(k, u)| k.value(*u)).collect();
            let (metrics, error) = match evaluate(settings, &values, build) {
                Ok(m) => (Some(m), None),
                Err(e) => (None, Some(e.to_string())),
            };
            let f = metrics.map_or(f64::INFINITY, |m| m.objective);
            best_so_far = best_so_far.min(f);
            let e = Evaluation { index: evaluations.len() + 1, values, metrics, error, best_so_far };
            progress(&e);
            evaluations.push(e);
            f
        },
        &x0,
        &settings.options,
    );
    let best = evaluations
        .iter()
        .enumerate()
        .filter_map(|(i, e)| e.metrics.map(|m| (i, m.objective)))
        .fold(None, |acc: Option<(usize, f64)>, (i, f)| match acc {
            Some((_, bf)) if bf <= f => acc,
            _ => Some((i, f)),
        })
        .map_or(0, |(i, _)| i);
    Report { evaluations, best, converged: outcome.converged, iterations: outcome.iterations }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_weights_and_bounds_parse_strictly() {
        let t = Target::parse("coverage_per_pass=0.25").unwrap();
        assert_eq!((t.metric, t.value), (TargetMetric::CoveragePerPass, 0.25));
        for bad in ["coverage_per_pass=1.2", "coverage_per_pass=0", "coverage=-0.1", "coverage=nan", "cover=0.2", "0.25"] {
            assert!(Target::parse(bad).is_err(), "{bad}");
        }
        let r = Target::parse("regions.cheek_left.coverage_per_pass=0.3").unwrap();
        assert_eq!(r.metric, TargetMetric::Region { region: "cheek_left".into(), per_pass: true });
        assert_eq!(r.metric.name(), "regions.cheek_left.coverage_per_pass");
        assert_eq!(Target::parse("regions.chin.coverage=0.5").unwrap().metric.name(), "regions.chin.coverage");
        for bad in ["regions..coverage=0.2", "regions.chin=0.2", "regions.chin.density=0.2"] {
            assert!(Target::parse(bad).is_err(), "{bad}");
        }
        let w = Weights::parse("cv=0,hit3=2").unwrap();
        assert_eq!((w.distance, w.cv, w.hit3), (1.0, 0.0, 2.0));
        assert!(
            Weights::parse("cv=-1").is_err() && Weights::parse("speed=1").is_err() && Weights::parse("distance=0,cv=0,hit3=0").is_err()
        );
        assert!(Knob { key: "k".into(), lo: 2.0, hi: 2.0 }.validate().is_err());
        assert!(Knob { key: "k".into(), lo: 3.0, hi: 2.0 }.validate().is_err());
        let k = Knob { key: "k".into(), lo: 10.0, hi: 110.0 };
        assert_eq!((k.value(0.25), k.unit(35.0), k.unit(500.0)), (35.0, 0.25, 1.0));
    }
}
