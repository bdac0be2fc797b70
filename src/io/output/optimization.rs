//! `optimize` outputs: evaluations.csv (one row per evaluated setting), convergence.png,
//! optimize.json (settings, best setting and its figures) and best.toml (the scenario with
//! the best setting), written atomically into one folder.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::json;

use crate::error::{Error, Result};
use crate::render::charts::{LinePanel, Series, line_panels};
use crate::study::optimize::{Evaluation, Metrics, Report, Settings};

use super::StagedDir;

pub const EVALUATIONS_CSV: &str = "evaluations.csv";
pub const CONVERGENCE_PNG: &str = "convergence.png";
pub const OPTIMIZE_JSON: &str = "optimize.json";
pub const BEST_TOML: &str = "best.toml";

/// evaluations.csv text.
pub fn csv(settings: &Settings, report: &Report) -> String {
    let mut out = String::from("evaluation");
    for k in &settings.knobs {
        let _ = write!(out, ",{}", k.key);
    }
    let _ = writeln!(
        out,
        ",objective,{},coverage_per_pass,coverage,uniformity_cv,hit3_fraction,density_per_cm2,best_so_far,error",
        settings.target.metric.name()
    );
    for e in &report.evaluations {
        let _ = write!(out, "{}", e.index);
        for v in &e.values {
            let _ = write!(out, ",{v:.6}");
        }
        match &e.metrics {
            Some(m) => {
                let _ = write!(
                    out,
                    ",{:.6},{:.6},{:.6},{:.6},{:.6},{:.6},{:.3},{:.6},",
                    m.objective,
                    m.value,
                    m.coverage_per_pass,
                    m.coverage,
                    m.uniformity_cv,
                    m.hit3_fraction,
                    m.density_per_cm2,
                    e.best_so_far
                );
            }
            None => {
                let _ = write!(out, ",,,,,,,,{:.6},{}", e.best_so_far, e.error.as_deref().unwrap_or("").replace([',', '\n'], ";"));
            }
        }
        out.push('\n');
    }
    out
}

fn metrics_json(m: &Metrics) -> serde_json::Value {
    json!({
        "objective": m.objective,
        "target_metric": m.value,
        "coverage_per_pass": m.coverage_per_pass,
        "coverage": m.coverage,
        "uniformity_cv": m.uniformity_cv,
        "hit3_fraction": m.hit3_fraction,
        "density_per_cm2": m.density_per_cm2,
    })
}

/// optimize.json text; `hand` says which hand the runs used ("scenario", or "typical" when
/// hand noise replaced the scenario's ideal hand).
pub fn json(scenario: &str, settings: &Settings, report: &Report, hand: &str) -> String {
    let best: &Evaluation = &report.evaluations[report.best];
    let knobs: Vec<serde_json::Value> = settings.knobs.iter().map(|k| json!({ "key": k.key, "lo": k.lo, "hi": k.hi })).collect();
    let best_values: serde_json::Map<String, serde_json::Value> =
        settings.knobs.iter().zip(&best.values).map(|(k, v)| (k.key.clone(), json!(v))).collect();
    let doc = json!({
        "scenario": scenario,
        "target": { "metric": settings.target.metric.name(), "value": settings.target.value },
        "weights": { "distance": settings.weights.distance, "cv": settings.weights.cv, "hit3": settings.weights.hit3 },
        "knobs": knobs,
        "seeds": settings.seeds,
        "noise": settings.noise.name(),
        "hand": hand,
        "evaluations": report.evaluations.len(),
        "iterations": report.iterations,
        "converged": report.converged,
        "best": { "evaluation": best.index, "values": best_values, "metrics": best.metrics.as_ref().map(metrics_json) },
    });
    serde_json::to_string_pretty(&doc).expect("JSON of plain values") + "\n"
}

/// convergence.png: objective per evaluation and best so far; each knob's value per
/// evaluation.
pub fn png(scenario: &str, settings: &Settings, report: &Report) -> Result<Vec<u8>> {
    let ok: Vec<&Evaluation> = report.evaluations.iter().filter(|e| e.metrics.is_some()).collect();
    let x = |e: &Evaluation| e.index as f64;
    let mut panels = vec![LinePanel {
        title: "objective per evaluation".into(),
        x_label: "evaluation".into(),
        y_label: "objective J".into(),
        series: vec![
            Series {
                name: "evaluated".into(),
                points: ok.iter().map(|e| (x(e), e.metrics.unwrap().objective)).collect(),
                color: None,
                dots: true,
            },
            Series {
                name: "best so far".into(),
                points: ok.iter().map(|e| (x(e), e.best_so_far)).collect(),
                color: Some(0.3),
                dots: false,
            },
        ],
        markers_x: vec![],
    }];
    panels.push(LinePanel {
        title: format!("{} (target {})", settings.target.metric.name(), settings.target.value),
        x_label: "evaluation".into(),
        y_label: settings.target.metric.name(),
        series: vec![
            Series {
                name: "evaluated".into(),
                points: ok.iter().map(|e| (x(e), e.metrics.unwrap().value)).collect(),
                color: Some(0.6),
                dots: true,
            },
            Series { name: "target".into(), points: ok.iter().map(|e| (x(e), settings.target.value)).collect(), color: None, dots: false },
        ],
        markers_x: vec![],
    });
    for (i, k) in settings.knobs.iter().enumerate() {
        panels.push(LinePanel {
            title: format!("{} ({}–{})", k.key, k.lo, k.hi),
            x_label: "evaluation".into(),
            y_label: k.key.clone(),
            series: vec![Series {
                name: String::new(),
                points: report.evaluations.iter().map(|e| (x(e), e.values[i])).collect(),
                color: Some(0.8),
                dots: true,
            }],
            markers_x: vec![],
        });
    }
    let rows = panels.len();
    line_panels(&format!("{scenario}: search convergence"), &panels, 1, (1000, 300 * rows as u32 + 40))
}

/// Write every output into `dir` atomically; `best_toml` is the best scenario's text.
pub fn write(dir: &Path, scenario: &str, settings: &Settings, report: &Report, hand: &str, best_toml: &str) -> Result<PathBuf> {
    let staged = StagedDir::new(dir)?;
    let write = |name: &str, bytes: &[u8]| {
        let p = staged.path(name);
        std::fs::write(&p, bytes).map_err(|e| Error::io(&p, e))
    };
    write(EVALUATIONS_CSV, csv(settings, report).as_bytes())?;
    write(OPTIMIZE_JSON, json(scenario, settings, report, hand).as_bytes())?;
    write(BEST_TOML, best_toml.as_bytes())?;
    write(CONVERGENCE_PNG, &png(scenario, settings, report)?)?;
    staged.commit()
}
