//! The technique beyond the planned passes: the hand, a recorded trajectory and the session.
//!
//! `Default` is the ideal technique of the core model: an ideal hand, no trace, the default
//! session plan. A pass takes the ideal planner ([`crate::technique::lanes::plan_pass`]) exactly when
//! [`Technique::is_ideal_for`] says so; anything else goes through [`crate::technique::walk`].

use crate::error::{Error, Result};
use crate::geometry::Rect;
use crate::pen::device::Device;
use crate::technique::hand::Hand;
use crate::technique::lanes::{PassPlan, Pattern, lanes};
use crate::technique::session_time::SessionPlan;
use crate::technique::trajectory::Trajectory;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Technique {
    pub hand: Hand,
    /// The recorded trajectory that passes with the `trace` pattern replay.
    pub trace: Option<Trajectory>,
    pub session: SessionPlan,
}

impl Technique {
    /// Check the hand, the session and that every pattern has what it needs.
    pub fn validate(&self, passes: &[PassPlan]) -> Result<()> {
        self.hand.validate()?;
        self.session.validate()?;
        for (i, p) in passes.iter().enumerate() {
            match p.pattern {
                Pattern::Trace if self.trace.is_none() => {
                    return Err(Error::invalid(format!("technique.passes[{i}].pattern"), "trace", "a [trace] file to replay"));
                }
                Pattern::Circles { radius_mm, advance_mm } => {
                    if !(radius_mm.is_finite() && radius_mm > 0.0 && radius_mm <= 20.0) {
                        return Err(Error::invalid("technique.circle_radius_mm", radius_mm, "0 < radius ≤ 20 mm"));
                    }
                    if !(advance_mm.is_finite() && advance_mm > 0.0 && advance_mm <= 50.0) {
                        return Err(Error::invalid("technique.circle_advance_mm", advance_mm, "0 < advance ≤ 50 mm per turn"));
                    }
                }
                Pattern::Stamping { step_mm, stamps_per_spot } => {
                    if !(step_mm.is_finite() && step_mm > 0.0 && step_mm <= 50.0) {
                        return Err(Error::invalid("technique.stamp_step_mm", step_mm, "0 < step ≤ 50 mm"));
                    }
                    if !(1..=1000).contains(&stamps_per_spot) {
                        return Err(Error::invalid("technique.stamps_per_spot", stamps_per_spot, "1–1000"));
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Warnings about a trace with a pass column: rows of passes the scenario does not
    /// replay (no such pass, or another pattern there), and trace passes without rows (they
    /// make no stamps).
    pub fn trace_warnings(&self, passes: &[PassPlan]) -> Vec<String> {
        let Some((trace, n)) = self.trace.as_ref().and_then(|t| Some((t, t.pass_count()?))) else { return Vec::new() };
        let traced = |k: usize| passes.get(k).is_some_and(|p| p.pattern == Pattern::Trace);
        let has_rows = |k: usize| trace.strokes_in_pass(k).next().is_some();
        let list = |v: Vec<usize>| v.iter().map(usize::to_string).collect::<Vec<_>>().join(", ");
        let mut out = Vec::new();
        let unrun: Vec<usize> = (0..n).filter(|&k| has_rows(k) && !traced(k)).collect();
        if !unrun.is_empty() {
            out.push(format!(
                "trace.file has rows for pass {} that this scenario does not replay ({} passes, trace pattern on pass {}): those rows are ignored",
                list(unrun),
                passes.len(),
                list((0..passes.len()).filter(|&k| traced(k)).collect())
            ));
        }
        let empty: Vec<usize> = (0..passes.len()).filter(|&k| traced(k) && !has_rows(k)).collect();
        if !empty.is_empty() {
            out.push(format!("trace pass {} has no rows in trace.file (its pass column): no stamps in that pass", list(empty)));
        }
        out
    }

    /// True when `plan` can take the ideal planner: ideal hand, perpendicular pen,
    /// instantaneous needles and a planned (not stamped-in-place or recorded) pattern.
    pub fn is_ideal_for(&self, device: &Device, plan: &PassPlan) -> bool {
        self.hand.is_ideal()
            && device.angle_deg == 90.0
            && device.contact_duty.is_none()
            && matches!(plan.pattern, Pattern::Serpentine | Pattern::Strokes | Pattern::Random | Pattern::Circles { .. })
    }
}

/// New lanes started with the pen lifted in one pass (strokes and stamping lift it between
/// lanes; the other patterns run on).
pub fn lane_changes(area: &Rect, plan: &PassPlan) -> usize {
    match plan.pattern {
        Pattern::Strokes | Pattern::Stamping { .. } => lanes(area, plan).len().saturating_sub(1),
        _ => 0,
    }
}
