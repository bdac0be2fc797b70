//! `needlesim presets`: list the device presets (table, or JSON with every source).

use std::process::ExitCode;

use clap::Args;
use serde_json::json;

use needlesim::pen::layout;
use needlesim::pen::preset::{self, DevicePreset, Figure, PRESETS};

#[derive(Args, Debug)]
#[command(after_help = "Examples:\n  needlesim presets\n  needlesim presets skinpen-precision\n  needlesim presets --json")]
/// List the device presets (pens and generic N-needle pens) with the source of each figure.
pub struct PresetsArgs {
    /// Show one preset in full, each figure with its source.
    pub name: Option<String>,
    /// Print JSON (every preset, every figure with its source) instead of a table.
    #[arg(long)]
    pub json: bool,
}

fn range(r: (f64, f64)) -> String {
    if r.0 == r.1 { format!("{}", r.0) } else { format!("{}–{}", r.0, r.1) }
}

fn sourced<T: serde::Serialize + Copy>(f: Figure<T>) -> serde_json::Value {
    json!({ "value": f.value, "source": f.source })
}

fn to_json(p: &DevicePreset) -> serde_json::Value {
    let needles = p.layout_spec().generate().expect("presets generate valid layouts");
    let facts = layout::facts(&needles, p.needle_diameter_mm.value);
    json!({
        "name": p.name,
        "label": p.label,
        "needles": sourced(p.needles),
        "layout": { "value": p.layout.value.name(), "source": p.layout.source },
        "pitch_mm": sourced(p.pitch_mm),
        "needle_diameter_mm": sourced(p.needle_diameter_mm),
        "frequency_hz": sourced(p.frequency_hz),
        "frequency_range_hz": { "value": [p.frequency_range_hz.value.0, p.frequency_range_hz.value.1], "source": p.frequency_range_hz.source },
        "depth_range_mm": { "value": [p.depth_range_mm.value.0, p.depth_range_mm.value.1], "source": p.depth_range_mm.source },
        "layout_facts": needlesim::io::output::cartridge_compare::facts_json(&facts),
    })
}

pub fn run(a: PresetsArgs) -> anyhow::Result<ExitCode> {
    let chosen: Vec<&DevicePreset> = match &a.name {
        Some(n) => vec![preset::find("preset", n)?],
        None => PRESETS.iter().collect(),
    };
    if a.json {
        let v: Vec<serde_json::Value> = chosen.iter().map(|p| to_json(p)).collect();
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(ExitCode::SUCCESS);
    }
    if let [p] = chosen.as_slice()
        && a.name.is_some()
    {
        println!("{} ({})", p.label, p.name);
        let rows: [(&str, String, &str); 7] = [
            ("needles", p.needles.value.to_string(), p.needles.source),
            ("layout", p.layout.value.name().to_string(), p.layout.source),
            ("pitch_mm", p.pitch_mm.value.to_string(), p.pitch_mm.source),
            ("needle_diameter_mm", p.needle_diameter_mm.value.to_string(), p.needle_diameter_mm.source),
            ("frequency_hz", p.frequency_hz.value.to_string(), p.frequency_hz.source),
            ("frequency_range_hz", range(p.frequency_range_hz.value), p.frequency_range_hz.source),
            ("depth_range_mm", range(p.depth_range_mm.value), p.depth_range_mm.source),
        ];
        for (k, v, s) in rows {
            println!("  {k:<20} {v:<10} {s}");
        }
        println!("  use: [device] preset = \"{}\"", p.name);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{:<18} {:<22} {:>7} {:<8} {:>8} {:>6} {:>9} {:>11} {:>10}",
        "name", "pen", "needles", "layout", "pitch_mm", "Ø_mm", "freq_hz", "range_hz", "depth_mm"
    );
    for p in chosen {
        println!(
            "{:<18} {:<22} {:>7} {:<8} {:>8} {:>6} {:>9} {:>11} {:>10}",
            p.name,
            p.label,
            p.needles.value,
            p.layout.value.name(),
            p.pitch_mm.value,
            p.needle_diameter_mm.value,
            p.frequency_hz.value,
            range(p.frequency_range_hz.value),
            range(p.depth_range_mm.value)
        );
    }
    println!("\nSources: `needlesim presets NAME` or `--json`. Use in a scenario: [device] preset = \"NAME\".");
    Ok(ExitCode::SUCCESS)
}
