//! Running a course: every session simulated (in parallel, each deterministic), then all
//! punctures accumulated once with the session as the accumulator's layer.
//!
//! Each puncture of session k enters the course accumulation with `pass = k`, so a cell's
//! pass mask is exactly the set of sessions that punctured it: the tally's
//! `distinct_passes` is the sessions-per-spot histogram, its `first` prefix sums the area
//! treated at least once after each session, its `alone[k]` session k's own coverage. The
//! sessions' own runs give what only they know: punctures, stamps, dose, procedure time and
//! their warnings (a spot punctured on more than 4 passes within the session, …).

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::face::Union;
use crate::face::simulation::FaceSimulation;
use crate::geometry::Rect;
use crate::io::course_file::Course;
use crate::io::scenario;
use crate::needle::puncture::Puncture;
use crate::raster::accumulate::{self, Layers, Raster, Request, Tally};
use crate::raster::domain::{Domain, RectDomain};
use crate::raster::grid::GridSpec;
use crate::sim::{Simulation, picture_cells_for};
use crate::technique::lanes::PassPlan;

use super::plan::{HEALING_INTERVAL_DAYS, Plan};

/// One session's simulation: a patch or a face session.
#[derive(Clone, Debug)]
pub enum SessionSim {
    Patch(Box<Simulation>),
    Face(Box<FaceSimulation>),
}

impl SessionSim {
    fn seed_mut(&mut self) -> &mut u64 {
        match self {
            SessionSim::Patch(s) => &mut s.seed,
            SessionSim::Face(s) => &mut s.seed,
        }
    }

    fn passes_mut(&mut self) -> Vec<&mut PassPlan> {
        match self {
            SessionSim::Patch(s) => s.passes.iter_mut().collect(),
            SessionSim::Face(s) => s.treatments.iter_mut().flat_map(|t| t.passes.iter_mut()).collect(),
        }
    }

    fn device_mut(&mut self) -> &mut crate::pen::device::Device {
        match self {
            SessionSim::Patch(s) => &mut s.device,
            SessionSim::Face(s) => &mut s.device,
        }
    }

    fn device(&self) -> &crate::pen::device::Device {
        match self {
            SessionSim::Patch(s) => &s.device,
            SessionSim::Face(s) => &s.device,
        }
    }

    fn passes(&self) -> Vec<&PassPlan> {
        match self {
            SessionSim::Patch(s) => s.passes.iter().collect(),
            SessionSim::Face(s) => s.treatments.iter().flat_map(|t| t.passes.iter()).collect(),
        }
    }

    fn grid(&self) -> GridSpec {
        match self {
            SessionSim::Patch(s) => s.grid,
            SessionSim::Face(s) => s.grid,
        }
    }

    fn radius_mm(&self) -> f64 {
        match self {
            SessionSim::Patch(s) => s.cartridge.radius_mm(),
            SessionSim::Face(s) => s.cartridge.radius_mm(),
        }
    }

    /// What must agree between the sessions for their spots to be the same skin.
    fn area_key(&self) -> String {
        match self {
            SessionSim::Patch(s) => format!("a patch {} × {} mm at ({}, {})", s.area.width(), s.area.height(), s.area.x0, s.area.y0),
            SessionSim::Face(s) => {
                let b = s.map.bounds();
                format!(
                    "the face map \"{}\" ({:.1} mm², bounds {:.1}–{:.1} × {:.1}–{:.1} mm)",
                    s.map.name(),
                    s.map.total_area_mm2(),
                    b.x0,
                    b.x1,
                    b.y0,
                    b.y1
                )
            }
        }
    }
}

/// One session, ready to run.
#[derive(Clone, Debug)]
pub struct SessionSetup {
    pub index: usize,
    pub scenario: PathBuf,
    pub sim: SessionSim,
}

/// The lane offset after adding `extra_mm`, brought back within ± half a lane spacing so
/// the lanes stay over the area (an offset of one whole spacing is the same lattice).
fn shifted_offset(offset_mm: f64, extra_mm: f64, spacing_mm: f64) -> f64 {
    if extra_mm == 0.0 {
        return offset_mm;
    }
    (offset_mm + extra_mm + 0.5 * spacing_mm).rem_euclid(spacing_mm) - 0.5 * spacing_mm
}

fn in_session(i: usize, path: &Path, e: Error) -> Error {
    match e {
        Error::Invalid { .. } => Error::parse(path, format!("session {i}: {e}")),
        other => other,
    }
}

/// Read every scenario and build each session's simulation with its seed, rotation and
/// lane offset. Refuses sessions that do not treat the same skin on the same grid.
pub fn prepare(course: &Course) -> Result<Vec<SessionSetup>> {
    let mut base: Vec<Option<SessionSim>> = vec![None; course.scenarios.len()];
    for (k, path) in course.scenarios.iter().enumerate() {
        let sc = crate::front::Scenario::load(path)?;
        let file = sc.file();
        let dir = path.parent().unwrap_or(Path::new("."));
        let sim = if file.is_face() {
            let map = scenario::load_face_map(file, path)?;
            SessionSim::Face(Box::new(file.to_face_simulation_in(map, dir)?))
        } else {
            SessionSim::Patch(Box::new(file.to_simulation_in(dir)?))
        };
        base[k] = Some(sim);
    }
    let plan = &course.plan;
    let mut out = Vec::with_capacity(plan.sessions.len());
    for s in &plan.sessions {
        let mut sim = base[s.scenario].clone().expect("every scenario was read");
        match &mut sim {
            // The course draws its own pictures; the sessions' runs need none.
            SessionSim::Patch(p) => p.picture = false,
            SessionSim::Face(f) => f.picture = false,
        }
        let seed = plan.seeds.seed(*sim.seed_mut(), s.index);
        *sim.seed_mut() = seed;
        // The whole session turns: the strokes and the pen holding the cartridge, so every
        // pass keeps its track width, lane spacing and aliasing check.
        sim.device_mut().rotation_deg += s.rotate_deg;
        for p in sim.passes_mut() {
            p.direction_deg += s.rotate_deg;
            p.lane_offset_mm = shifted_offset(p.lane_offset_mm, s.lane_offset_mm, p.lane_spacing_mm);
        }
        out.push(SessionSetup { index: s.index, scenario: course.scenario_of(s.index).to_path_buf(), sim });
    }
    let first = &out[0];
    for s in &out[1..] {
        let key = format!("scenarios[{}]", s.index.min(course.scenarios.len() - 1));
        let differ = |what: &str, a: String, b: String| {
            Error::parse(
                &course.path,
                format!(
                    "{key} ({}): {what} {b} differs from session 0's {a}: every session must treat the same skin on the same grid",
                    s.scenario.display()
                ),
            )
        };
        if s.sim.area_key() != first.sim.area_key() {
            return Err(differ("treats", first.sim.area_key(), s.sim.area_key()));
        }
        if s.sim.grid() != first.sim.grid() {
            return Err(differ("grid.resolution_mm", first.sim.grid().resolution_mm.to_string(), s.sim.grid().resolution_mm.to_string()));
        }
        if s.sim.radius_mm() != first.sim.radius_mm() {
            return Err(differ("needle radius (mm)", first.sim.radius_mm().to_string(), s.sim.radius_mm().to_string()));
        }
    }
    Ok(out)
}

/// What one session's own run produced.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionFigures {
    pub index: usize,
    pub seed: u64,
    /// Direction of each pass, degrees (after the course's rotation).
    pub directions_deg: Vec<f64>,
    /// Cartridge rotation, degrees (after the course's rotation).
    pub rotation_deg: f64,
    /// Lane offset of each pass, mm (after the course's shift).
    pub lane_offsets_mm: Vec<f64>,
    pub punctures: usize,
    pub stamps: usize,
    /// Hole coverage of the session's own run (over its own treated area), 0–1.
    pub run_coverage: f64,
    pub density_per_cm2: f64,
    pub dose_ul: f64,
    pub procedure_time_s: f64,
    pub session_time_s: f64,
    pub warnings: Vec<String>,
}

/// Sessions that follow each other closer than [`HEALING_INTERVAL_DAYS`]: the spots
/// punctured by two of them before the skin recovered.
#[derive(Clone, Debug, PartialEq)]
pub struct Healing {
    pub interval_days: i64,
    /// Groups of sessions chained by intervals shorter than the healing interval.
    pub groups: Vec<Vec<usize>>,
    /// Fraction of the course area punctured by two sessions of one group, 0–1.
    pub repunctured_fraction: f64,
    /// True when there is at most one group and it spans less than the healing interval
    /// (every pair in it is closer than the interval, so the fraction is exact); otherwise
    /// the fraction is an upper bound (a pair farther apart, or a spot in two groups, may be
    /// counted).
    pub exact: bool,
}

/// What the whole course produced.
#[derive(Clone, Debug)]
pub struct CourseResult {
    pub plan: Plan,
    pub sessions: Vec<SessionFigures>,
    /// The course tally over the treated area: one layer per session.
    pub tally: Tally,
    pub grid: GridSpec,
    /// Area the course measures (the patch, or the union of the regions treated in any
    /// session), mm².
    pub sampled_area_mm2: f64,
    /// The treated area's bounds (pictures), mm.
    pub view: Rect,
    /// Mean hits per pixel over the whole course.
    pub hits: Option<Raster>,
    /// Per session: fraction of each pixel's cells it punctured.
    pub session_rasters: Vec<Raster>,
    pub healing: Healing,
    /// Plan warnings, then each session's own warnings prefixed with the session.
    pub warnings: Vec<String>,
}

impl CourseResult {
    fn frac(&self, c: u64) -> f64 {
        c as f64 / self.tally.cells.max(1) as f64
    }
    /// Coverage of each session alone over the course area, 0–1.
    pub fn session_coverage(&self) -> Vec<f64> {
        self.tally.alone.iter().map(|&c| self.frac(c)).collect()
    }
    /// Area treated at least once after sessions 0..=k, 0–1.
    pub fn ever_treated(&self) -> Vec<f64> {
        self.tally.cumulative().iter().map(|&c| self.frac(c)).collect()
    }
    /// Area first treated in session k, 0–1.
    pub fn new_coverage(&self) -> Vec<f64> {
        self.tally.first.iter().map(|&c| self.frac(c)).collect()
    }
    /// `[k]` = fraction of the area punctured in exactly k sessions (k = 0..=n), sums to 1.
    pub fn sessions_per_spot(&self) -> Vec<f64> {
        self.tally.distinct_passes.iter().map(|&c| self.frac(c)).collect()
    }
    /// Mean number of sessions that punctured a spot.
    pub fn mean_sessions_per_spot(&self) -> f64 {
        self.sessions_per_spot().iter().enumerate().map(|(k, f)| k as f64 * f).sum()
    }
}

struct SessionRun {
    figures: SessionFigures,
    punctures: Vec<Puncture>,
    /// Face sessions: regions it treated.
    treated: Vec<bool>,
}

fn run_session(s: &SessionSetup) -> Result<SessionRun> {
    let passes = s.sim.passes();
    let directions_deg = passes.iter().map(|p| p.direction_deg).collect();
    let lane_offsets_mm = passes.iter().map(|p| p.lane_offset_mm).collect();
    let (run, treated, seed) = match &s.sim {
        SessionSim::Patch(sim) => (sim.run().map_err(|e| in_session(s.index, &s.scenario, e))?, Vec::new(), sim.seed),
        SessionSim::Face(sim) => {
            let r = sim.run().map_err(|e| in_session(s.index, &s.scenario, e))?;
            let treated = r.regions.iter().map(|g| g.treated).collect();
            (r.run, treated, sim.seed)
        }
    };
    let t = &run.technique;
    let figures = SessionFigures {
        index: s.index,
        seed,
        directions_deg,
        rotation_deg: s.sim.device().rotation_deg,
        lane_offsets_mm,
        punctures: run.punctures.len(),
        stamps: run.stamps_per_pass.iter().sum(),
        run_coverage: run.hole_coverage.coverage,
        density_per_cm2: run.density.density_per_cm2,
        dose_ul: t.dose.total_ul,
        procedure_time_s: t.session.procedure_time_s,
        session_time_s: t.session.session_time_s,
        warnings: run.warnings.clone(),
    };
    Ok(SessionRun { figures, punctures: run.punctures, treated })
}

/// Run every session (in parallel) and accumulate the course.
pub fn run(plan: &Plan, setups: &[SessionSetup]) -> Result<CourseResult> {
    assert_eq!(plan.sessions.len(), setups.len());
    let n = setups.len();
    let runs: Vec<SessionRun> = setups.par_iter().map(run_session).collect::<Result<_>>()?;
    let grid = setups[0].sim.grid();
    let radius_mm = setups[0].sim.radius_mm();
    let mut all = Vec::with_capacity(runs.iter().map(|r| r.punctures.len()).sum());
    let mut at = vec![0usize];
    for (k, r) in runs.iter().enumerate() {
        all.extend(r.punctures.iter().map(|p| Puncture { pass: k as u16, ..*p }));
        at.push(all.len());
    }
    let rect;
    let union;
    let domain: &dyn Domain = match &setups[0].sim {
        SessionSim::Patch(s) => {
            rect = RectDomain(s.area);
            &rect
        }
        SessionSim::Face(s) => {
            let mut chosen = vec![false; s.map.regions().len()];
            for r in &runs {
                for (c, t) in chosen.iter_mut().zip(&r.treated) {
                    *c |= t;
                }
            }
            union = Union { map: &s.map, chosen };
            &union
        }
    };
    let view = domain.bounds();
    let acc = accumulate::accumulate(
        &all,
        &Request {
            grid,
            radius_mm,
            passes: n,
            picture_cells: Some(picture_cells_for(&grid, &view)),
            domain,
            layers: Layers { pass_pictures: true, frame_ends: None },
        },
    );
    let tally = acc.tallies[0].clone();
    // Pictures show the course area only (the face: the regions treated in any session).
    let (mut hits, mut session_rasters) = (acc.raster, acc.pass_rasters);
    for r in hits.iter_mut().chain(session_rasters.iter_mut()) {
        crate::render::map::mask_outside(r, domain);
    }
    let healing = healing(plan, &all, &at, grid, radius_mm, domain, tally.cells);
    let mut warnings = plan.warnings();
    if healing.repunctured_fraction > 0.0 {
        warnings.push(format!(
            "{:.2} % of the area was punctured again within {} days (sessions {}): before the skin recovered (pores close in ≈ 58–63 h, redness lasts 24–72 h)",
            100.0 * healing.repunctured_fraction,
            healing.interval_days,
            healing.groups.iter().map(|g| g.iter().map(|s| s.to_string()).collect::<Vec<_>>().join("+")).collect::<Vec<_>>().join(", ")
        ));
    }
    for r in &runs {
        let day = plan.sessions[r.figures.index].day;
        warnings.extend(r.figures.warnings.iter().map(|w| format!("session {} (day {day}): {w}", r.figures.index)));
    }
    Ok(CourseResult {
        plan: plan.clone(),
        sessions: runs.into_iter().map(|r| r.figures).collect(),
        sampled_area_mm2: tally.cells as f64 * grid.resolution_mm * grid.resolution_mm,
        tally,
        grid,
        view,
        hits,
        session_rasters,
        healing,
        warnings,
    })
}

/// Spots punctured by two sessions of a group chained by intervals under the healing
/// interval, accumulating each group alone (its sessions as the layers).
fn healing(plan: &Plan, all: &[Puncture], at: &[usize], grid: GridSpec, radius_mm: f64, domain: &dyn Domain, cells: u64) -> Healing {
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (i, w) in plan.sessions.windows(2).enumerate() {
        if w[1].day - w[0].day < HEALING_INTERVAL_DAYS {
            match groups.last_mut() {
                Some(g) if g.last() == Some(&i) => g.push(i + 1),
                _ => groups.push(vec![i, i + 1]),
            }
        }
    }
    let mut hit = 0u64;
    let mut exact = groups.len() <= 1;
    for g in &groups {
        let span = plan.sessions[*g.last().unwrap()].day - plan.sessions[g[0]].day;
        exact &= span < HEALING_INTERVAL_DAYS;
        let punctures: Vec<Puncture> = g
            .iter()
            .enumerate()
            .flat_map(|(layer, &s)| all[at[s]..at[s + 1]].iter().map(move |p| Puncture { pass: layer as u16, ..*p }))
            .collect();
        let acc = accumulate::accumulate(
            &punctures,
            &Request { grid, radius_mm, passes: g.len(), picture_cells: None, domain, layers: Layers::default() },
        );
        hit += acc.tallies[0].distinct_passes.iter().skip(2).sum::<u64>();
    }
    Healing { interval_days: HEALING_INTERVAL_DAYS, groups, repunctured_fraction: (hit as f64 / cells.max(1) as f64).min(1.0), exact }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_wrap_within_half_a_spacing() {
        assert_eq!(shifted_offset(0.25, 0.0, 1.0), 0.25);
        assert!((shifted_offset(0.0, 0.3, 1.2) - 0.3).abs() < 1e-12);
        assert!((shifted_offset(0.0, 0.9, 1.2) + 0.3).abs() < 1e-12);
        assert!((shifted_offset(0.0, 1.2, 1.2)).abs() < 1e-12);
    }
}
