//! Courses of sessions: the same skin treated again and again over weeks, as the sources
//! schedule it, and what it receives in total.
//!
//! **Concept.** A course is a [`plan::Plan`] (when each session happens: explicit day
//! offsets or dates, or one of the sources' named schemes) and one scenario per session
//! (or one for all), varied per session by a derived seed, a rotation of every pass
//! direction and a shift of the lanes. Every session is simulated on its own
//! ([`run::run`], in parallel); then all punctures are accumulated once by the core
//! accumulator with the **session as the layer** (`pass = session index`), so a spot's
//! set of sessions is exact: the sessions-per-spot histogram, the area treated at least once
//! after each session, and the spots punctured again before the skin healed.
//!
//! **Units.** Days are whole calendar days after day 0 (the first session or the start
//! date); dates are proleptic Gregorian `YYYY-MM-DD` ([`date`]); fractions 0–1; times s;
//! doses µL; lengths mm.
//!
//! **Invariants.**
//! - At most [`crate::raster::accumulate::MAX_PASSES`] sessions (one bit each per spot);
//!   more is refused up front (exit 2), as are dates out of order and intervals ≤ 0.
//! - Every session treats the same skin on the same grid with the same needle radius.
//! - Session k's figures are exactly those of its scenario run alone with its seed and
//!   varied passes; its coverage over the course area is the course tally's `alone[k]`.
//! - Same course → byte-identical folder, whatever `RAYON_NUM_THREADS` ([`write`]).
//!
//! Files: `date` (calendar days), `plan` (schemes, sources, warnings), `run` (sessions and
//! the course accumulation), `ics` (RFC 5545 calendar), `write` (the output folder).

pub mod date;
pub mod ics;
pub mod plan;
pub mod run;
pub mod write;
