//! Stamping a face session: the paths of every pass over every region, the stamps on them
//! (ideal or with a real hand), and the punctures.
//!
//! **Ideal technique** (ideal hand, pen at 90°, instantaneous needles): the region
//! planner's stamps ([`super::plan::RegionPlanner::stamp_pass`]) and [`puncture::place`], as on the patch.
//! **Any other technique**: the hand of [`crate::technique::hand`] walks the same region path
//! ([`walk::walk_segments`]; the random pattern's stamps are [`walk::scatter`]ed) and
//! [`puncture::place_hand`] gives each puncture its tilt and drag. Streams: the pattern's
//! `(treatment << 32) | pass`, the hand's [`HAND_STREAM_BASE`] + the same (the patch's
//! numbering for a one-treatment session).

use std::ops::Range;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::needle::puncture::{self, Puncture};
use crate::technique::hand::{HAND_STREAM_BASE, HandState};
use crate::technique::lanes::{self, Pattern, Segment};
use crate::technique::walk::{self, Lean};

use super::simulation::FaceSimulation;

/// What one treatment produced.
#[derive(Clone, Debug, PartialEq)]
pub struct TreatmentRun {
    pub stamps_per_pass: Vec<usize>,
    pub pass_time_s: Vec<f64>,
    /// Session pass number of its first pass.
    pub first_pass: usize,
    /// Its punctures in [`crate::sim::RunResult::punctures`] (the session's punctures).
    pub punctures: Range<usize>,
    /// Random pattern: stamps that found no allowed spot.
    pub unplaced: usize,
}

/// The punctures of a session and what made them.
#[derive(Clone, Debug)]
pub struct FaceWalk {
    pub punctures: Vec<Puncture>,
    pub treatments: Vec<TreatmentRun>,
    /// Stamps and time of each session pass (summed over regions).
    pub stamps_per_pass: Vec<usize>,
    pub pass_time_s: Vec<f64>,
    /// Stamps whose tilt draw was clipped.
    pub tilt_clipped: u64,
    /// Times the pen was lifted inside a pass (strokes, gaps around no-go zones).
    pub lane_changes: usize,
}

impl FaceSimulation {
    /// The path of every pass of every treatment (cheap: no stamps yet).
    pub fn paths(&self) -> Vec<Vec<Vec<Segment>>> {
        let planner = self.planner();
        self.treatments.iter().map(|t| t.passes.iter().map(|plan| planner.path(t.region, plan)).collect()).collect()
    }

    /// Stamps the paths will give, from their lengths (before any stamp is made); period
    /// jitter can add a few, allowed for at 3 sd.
    pub fn estimated_stamps(&self, paths: &[Vec<Vec<Segment>>]) -> f64 {
        let jitter = 1.0 + 3.0 * self.technique.hand.frequency_jitter_fraction;
        let mut n = 0.0;
        for (t, passes) in self.treatments.iter().zip(paths) {
            for (plan, segs) in t.passes.iter().zip(passes) {
                let (down, _) = lanes::path_length_mm(segs);
                let touch_downs = segs.iter().filter(|s| s.pen_down).count();
                n += down / plan.speed_mm_s * self.device.frequency_hz * jitter + touch_downs as f64;
            }
        }
        n
    }

    /// Every puncture of the session (no accumulation).
    pub fn punctures(&self) -> FaceWalk {
        self.walk(self.paths())
    }

    /// Stamp the `paths` (from [`FaceSimulation::paths`]) and place the punctures.
    pub fn walk(&self, paths: Vec<Vec<Vec<Segment>>>) -> FaceWalk {
        let planner = self.planner();
        let (first, _) = self.pass_numbers();
        let passes = self.session_passes();
        let f = self.device.frequency_hz;
        let hand = &self.technique.hand;
        let mut w = FaceWalk {
            punctures: Vec::new(),
            treatments: Vec::with_capacity(self.treatments.len()),
            stamps_per_pass: vec![0; passes],
            pass_time_s: vec![0.0; passes],
            tilt_clipped: 0,
            lane_changes: 0,
        };
        for (ti, ((t, passes), &first)) in self.treatments.iter().zip(paths).zip(&first).enumerate() {
            let mut cartridge = self.cartridge.clone();
            cartridge.depth_mm = t.depth_mm;
            let start = w.punctures.len();
            let mut run =
                TreatmentRun { stamps_per_pass: Vec::new(), pass_time_s: Vec::new(), first_pass: first, punctures: 0..0, unplaced: 0 };
            for (k, (plan, segments)) in t.passes.iter().zip(passes).enumerate() {
                let stream = ((ti as u64) << 32) | k as u64;
                let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
                rng.set_stream(stream);
                let rp = planner.stamp_pass(t.region, plan, segments, f, &mut rng);
                let pass = (first + k) as u16;
                let (stamps, time_s) = if self.technique.is_ideal_for(&self.device, plan) {
                    let (down, up) = lanes::path_length_mm(&rp.segments);
                    puncture::place(&cartridge, &self.device, pass, &rp.stamps, &mut w.punctures);
                    (rp.stamps.len(), (down + up) / plan.speed_mm_s)
                } else {
                    let mut hand_rng = ChaCha8Rng::seed_from_u64(self.seed);
                    hand_rng.set_stream(HAND_STREAM_BASE + stream);
                    let mut state = HandState::new(hand, 90.0 - self.device.angle_deg, hand_rng);
                    let lean = Lean { offset_deg: hand.tilt_azimuth_deg, still_deg: plan.direction_deg + hand.tilt_azimuth_deg };
                    let (hs, time_s) = match plan.pattern {
                        Pattern::Random => walk::scatter(&rp.stamps, f, &mut state, lean),
                        _ => walk::walk_segments(&rp.segments, plan.speed_mm_s, f, &mut state, lean),
                    };
                    w.tilt_clipped += state.tilt_clipped;
                    puncture::place_hand(&cartridge, &self.device, pass, &hs, &mut w.punctures);
                    (hs.len(), time_s)
                };
                w.lane_changes += rp.segments.iter().filter(|s| !s.pen_down).count();
                run.stamps_per_pass.push(stamps);
                run.pass_time_s.push(time_s);
                run.unplaced += rp.unplaced;
                w.stamps_per_pass[first + k] += stamps;
                w.pass_time_s[first + k] += time_s;
            }
            run.punctures = start..w.punctures.len();
            w.treatments.push(run);
        }
        w
    }
}
