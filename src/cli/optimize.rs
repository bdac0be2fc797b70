//! `needlesim optimize`: search knob values that reach a coverage target with the most even
//! overlap (Nelder–Mead over a normalised box; several seeds per evaluation, in parallel).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, ValueEnum};

use needlesim::Error;
use needlesim::face::FaceMap;
use needlesim::io::output;
use needlesim::io::scenario::{self, Override, ScenarioFile};
use needlesim::study::nelder_mead::Options;
use needlesim::study::optimize::{self, Knob, Noise, Session, Settings, Target, TargetMetric, Weights};

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum NoiseArg {
    /// A real hand (the scenario's [hand], or a typical one when it has none) and lanes shifted per seed.
    Hand,
    /// The scenario's hand as written; lanes shifted by a random fraction of the lane spacing per seed.
    Lanes,
    /// Seeds change the random streams only.
    None,
}

#[derive(Args, Debug)]
#[command(
    after_help = "Objective (minimised): J = w_distance·|m − t|/t + w_cv·CV + w_hit3·F3, with m the target metric, CV the\ndensity CV over 1 mm bins, F3 the area fraction hit ≥ 3 times; averaged over the seeds.\n\nExample:\n  needlesim optimize scenarios/default.toml --target coverage_per_pass=0.25 \\\n      --vary technique.speed_mm_s=10:120,device.frequency_hz=50:150 --seeds 3"
)]
/// Find knob values that meet a coverage target with the most even overlap. A face scenario on
/// a flat map is optimised over its treated regions, or for one region's coverage.
pub struct OptimizeArgs {
    /// Scenario TOML file (patch, or face on a flat map).
    pub scenario: PathBuf,
    /// METRIC=VALUE with METRIC coverage_per_pass, coverage, zone_coverage_per_pass or zone_coverage
    /// (on a face: over its treated regions), or regions.NAME.coverage[_per_pass] for one region
    /// of a face; 0 < VALUE < 1.
    #[arg(long)]
    pub target: String,
    /// Knobs to vary: KEY=LO:HI, comma-separated or repeated (scenario keys, e.g. technique.speed_mm_s=10:120).
    #[arg(long, value_name = "KEY=LO:HI[,KEY=LO:HI]", required = true)]
    pub vary: Vec<String>,
    /// Simulations per evaluation, seeds = scenario seed + 0, 1, …
    #[arg(long, default_value_t = 3)]
    pub seeds: u32,
    /// How seeds perturb the runs.
    #[arg(long, value_enum, default_value_t = NoiseArg::Hand)]
    pub noise: NoiseArg,
    /// Objective weights, e.g. distance=1,cv=0.25,hit3=1 (these are the defaults).
    #[arg(long, default_value = "")]
    pub weights: String,
    /// Evaluation budget.
    #[arg(long, default_value_t = 60)]
    pub max_evaluations: usize,
    /// Output directory (default: output/<scenario name>-optimize/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Override a scenario key by dotted path (repeatable), before the knobs.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
}

/// Parse `KEY=LO:HI` items.
fn parse_knobs(items: &[String]) -> Result<Vec<Knob>, Error> {
    let mut knobs: Vec<Knob> = Vec::new();
    for item in items.iter().flat_map(|s| s.split(',')).map(str::trim).filter(|s| !s.is_empty()) {
        let bad = || Error::invalid("--vary", item, "KEY=LO:HI, e.g. technique.speed_mm_s=10:120");
        let (key, range) = item.split_once('=').ok_or_else(bad)?;
        let (lo, hi) = range.split_once(':').ok_or_else(bad)?;
        let (lo, hi): (f64, f64) = (lo.trim().parse().map_err(|_| bad())?, hi.trim().parse().map_err(|_| bad())?);
        let k = Knob { key: key.trim().to_owned(), lo, hi };
        k.validate()?;
        if knobs.iter().any(|o| o.key == k.key) {
            return Err(Error::invalid("--vary", &k.key, "each key once"));
        }
        knobs.push(k);
    }
    if knobs.is_empty() {
        return Err(Error::invalid("--vary", "(none)", "at least one KEY=LO:HI"));
    }
    Ok(knobs)
}

/// The value at dotted `key` of the resolved scenario, if numeric.
fn current_value(file: &ScenarioFile, key: &str) -> Option<f64> {
    let node = current_value_raw(file, key)?;
    node.as_float().or_else(|| node.as_integer().map(|i| i as f64))
}

/// Scenario builder for the search: the base table, the --set overrides, then the knobs
/// (`integer[i]`: knob i is an integer key, rounded) and the seed.
struct Builder<'a> {
    table: toml::Table,
    path: &'a Path,
    overrides: Vec<Override>,
    knobs: Vec<Knob>,
    integer: Vec<bool>,
    /// A face scenario's map, loaded once.
    map: Option<FaceMap>,
}

impl Builder<'_> {
    fn overrides(&self, values: &[f64], seed: u64) -> Vec<Override> {
        let mut ov = self.overrides.clone();
        for ((k, v), int) in self.knobs.iter().zip(values).zip(&self.integer) {
            let value = if *int { toml::Value::Integer(v.round() as i64) } else { toml::Value::Float(*v) };
            ov.push(Override { path: k.key.split('.').map(str::to_owned).collect(), value });
        }
        ov.push(Override { path: vec!["seed".into()], value: toml::Value::Integer(seed as i64) });
        ov
    }
    fn file(&self, values: &[f64], seed: u64) -> needlesim::Result<(ScenarioFile, Session)> {
        super::compare::session_from_table(&self.table, self.path, &self.overrides(values, seed), self.map.as_ref())
    }
}

pub fn run(a: OptimizeArgs) -> anyhow::Result<ExitCode> {
    let target = Target::parse(&a.target)?;
    let weights = Weights::parse(&a.weights)?;
    let knobs = parse_knobs(&a.vary)?;
    if !(1..=64).contains(&a.seeds) {
        return Err(Error::invalid("--seeds", a.seeds, "1–64").into());
    }
    if !(1..=10_000).contains(&a.max_evaluations) {
        return Err(Error::invalid("--max-evaluations", a.max_evaluations, "1–10000").into());
    }
    let overrides = a.set.iter().map(|s| s.parse::<Override>()).collect::<Result<Vec<_>, _>>()?;
    let table = scenario::read_table(&a.scenario)?;
    super::compare::refuse_surface("optimize", &a.scenario, &table)?;
    let map = super::compare::face_map_of(&table, &a.scenario, &overrides)?;
    let (base_file, base_sim) = super::compare::session_from_table(&table, &a.scenario, &overrides, map.as_ref())
        .map_err(|e| anyhow::Error::new(e).context(format!("invalid scenario {}", a.scenario.display())))?;
    // A region target names a region of a face: refused on a patch, or for a name not in the map.
    if let TargetMetric::Region { region, .. } = &target.metric {
        match &base_sim {
            Session::Patch(_) => {
                return Err(Error::invalid(
                    "--target",
                    target.metric.name(),
                    "coverage_per_pass, coverage, zone_coverage_per_pass or zone_coverage on a patch (regions.NAME.… needs a face scenario)",
                )
                .into());
            }
            Session::Face(f) => {
                optimize::face_region(f, region)?;
            }
        }
    }
    // Start at the scenario's own values when inside the bounds, else mid-range.
    let start: Vec<f64> = knobs
        .iter()
        .map(|k| current_value(&base_file, &k.key).filter(|v| (k.lo..=k.hi).contains(v)).unwrap_or(0.5 * (k.lo + k.hi)))
        .collect();
    let mut b = Builder { table, path: &a.scenario, overrides, knobs: knobs.clone(), integer: vec![false; knobs.len()], map };
    // Every knob must be a numeric key the scenario accepts at both bounds: fail now, not
    // in the middle of the search. A key the file holds as an integer is rounded.
    for i in 0..knobs.len() {
        b.integer[i] = matches!(current_value_raw(&base_file, &knobs[i].key), Some(toml::Value::Integer(_)));
        for bound in [knobs[i].lo, knobs[i].hi] {
            let mut v = start.clone();
            v[i] = bound;
            let (_, sim) =
                b.file(&v, base_sim.seed()).map_err(|e| anyhow::Error::new(e).context(format!("--vary {} at {bound}", knobs[i].key)))?;
            sim.check_resources().with_context(|| format!("--vary {} at {bound}", knobs[i].key))?;
        }
    }
    let seeds: Vec<u64> = (0..a.seeds as u64).map(|k| base_sim.seed().wrapping_add(k)).collect();
    let settings = Settings {
        knobs: knobs.clone(),
        start,
        target: target.clone(),
        weights,
        seeds,
        noise: match a.noise {
            NoiseArg::None => Noise::None,
            NoiseArg::Lanes => Noise::LaneOffsets,
            NoiseArg::Hand => Noise::Hand,
        },
        options: Options { max_evaluations: a.max_evaluations, ..Options::default() },
    };
    let build = |values: &[f64], seed: u64| b.file(values, seed).map(|(_, s)| s);
    let report = optimize::optimize(&settings, &build, |e| {
        let vals: Vec<String> = knobs.iter().zip(&e.values).map(|(k, v)| format!("{}={v:.4}", k.key)).collect();
        match (&e.metrics, &e.error) {
            (Some(m), _) => {
                eprintln!("  eval {:>3}: {} → {} {:.4}, J {:.4}", e.index, vals.join(" "), target.metric.name(), m.value, m.objective)
            }
            (None, Some(err)) => eprintln!("  eval {:>3}: {} → failed: {err}", e.index, vals.join(" ")),
            _ => {}
        }
    });
    let best = &report.evaluations[report.best];
    let Some(m) = best.metrics else {
        let err = best.error.clone().unwrap_or_default();
        return Err(anyhow::anyhow!("every evaluation failed; the first: {err}"));
    };
    let (best_file, _) = b.file(&best.values, base_sim.seed())?;
    let best_toml = toml::to_string_pretty(&best_file).context("serialising the best scenario")?;
    let dir = a.out.unwrap_or_else(|| PathBuf::from("output").join(format!("{}-optimize", base_sim.name())));
    let typical = settings.noise == Noise::Hand && base_sim.hand_is_ideal();
    let hand = if typical { "typical" } else { "scenario" };
    let dir = output::optimization::write(&dir, base_sim.name(), &settings, &report, hand, &best_toml)?;
    println!(
        "best of {} evaluations ({}, {} seeds each):",
        report.evaluations.len(),
        if report.converged { "converged" } else { "evaluation budget used up" },
        settings.seeds.len()
    );
    for (k, v) in knobs.iter().zip(&best.values) {
        println!("  {} = {v:.4}", k.key);
    }
    println!(
        "  {} {:.4} (target {}), coverage per pass {:.4}, cumulative {:.4}, density CV {:.4}, hit ≥ 3 times {:.4}, {:.0} /cm², objective {:.4}",
        target.metric.name(),
        m.value,
        target.value,
        m.coverage_per_pass,
        m.coverage,
        m.uniformity_cv,
        m.hit3_fraction,
        m.density_per_cm2,
        m.objective
    );
    if typical {
        println!("  (figures for a typical real hand, `--noise hand`: the scenario's [hand] is ideal, and best.toml keeps it so)");
    }
    println!("  wrote {}", dir.display());
    Ok(ExitCode::SUCCESS)
}

/// The raw TOML value at dotted `key` of the resolved scenario.
fn current_value_raw(file: &ScenarioFile, key: &str) -> Option<toml::Value> {
    let v = toml::Value::try_from(file).ok()?;
    key.split('.')
        .try_fold(&v, |n, seg| match n {
            toml::Value::Table(t) => t.get(seg),
            toml::Value::Array(a) => seg.parse::<usize>().ok().and_then(|i| a.get(i)),
            _ => None,
        })
        .cloned()
}
