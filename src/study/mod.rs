//! Studies over many simulations (a front end over the core): cartridge comparison
//! (`compare`), the knob optimiser (`optimize` on `nelder_mead`) and batch sweeps over a
//! design (`sweep`: journal, results, shards, merge, plots).
//!
//! **Invariant:** every point's result depends only on the scenario, its overrides and its
//! derived seed, never on the worker count or shard.

pub mod compare;
pub mod course;
pub mod nelder_mead;
pub mod optimize;
pub mod sweep;
