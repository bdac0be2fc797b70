//! The aliasing picture of one pass: lane coverage against hand speed (with the
//! random-phase reference and the set speed), and the 1D hit profile along the motion at the
//! set speed, where aliasing shows as tall spikes and empty gaps.

use crate::error::Result;
use crate::metrics::aliasing::{PassAliasing, Projected, lane_coverage_at, scan};
use crate::pen::cartridge::Cartridge;

use super::charts::{LinePanel, Series, line_panels};

/// PNG bytes of the aliasing picture of pass `a`.
pub fn png(cartridge: &Cartridge, rotation_deg: f64, frequency_hz: f64, a: &PassAliasing) -> Result<Vec<u8>> {
    let proj = Projected::new(cartridge, rotation_deg, a.direction_deg);
    let pts = scan(&proj, a.speed_mm_s, frequency_hz, a.speed_sd_fraction);
    let speed = LinePanel {
        title: format!("pass {} ({}°): one lane's coverage of its band vs hand speed at {frequency_hz} Hz", a.pass, a.direction_deg),
        x_label: "hand speed (mm/s)".into(),
        y_label: "lane coverage".into(),
        series: vec![
            Series { name: "this cartridge".into(), points: pts.iter().map(|p| (p.0, p.1)).collect(), color: Some(0.3), dots: false },
            Series {
                name: "incommensurate (random phases)".into(),
                points: pts.iter().map(|p| (p.0, p.2)).collect(),
                color: None,
                dots: false,
            },
            Series {
                name: "suggested speeds".into(),
                points: a
                    .suggested_speeds_mm_s
                    .iter()
                    .map(|&v| (v, lane_coverage_at(&proj, v, frequency_hz, a.speed_sd_fraction).0))
                    .collect(),
                color: Some(0.85),
                dots: true,
            },
        ],
        markers_x: vec![a.speed_mm_s],
    };
    let profile = LinePanel {
        title: format!("hits along the motion at {} mm/s (step {:.4} mm), mean across the band", a.speed_mm_s, a.step_mm),
        x_label: "position along the motion (mm)".into(),
        y_label: "mean hits".into(),
        series: vec![Series { name: String::new(), points: proj.profile(a.step_mm, 4, 800), color: Some(0.3), dots: false }],
        markers_x: vec![],
    };
    let title = if a.flagged {
        format!(
            "Aliasing: {:.1} % lane coverage vs {:.1} % expected; red line = set speed",
            100.0 * a.lane_coverage,
            100.0 * a.random_phase_coverage
        )
    } else {
        format!(
            "No aliasing: {:.1} % lane coverage vs {:.1} % expected; red line = set speed",
            100.0 * a.lane_coverage,
            100.0 * a.random_phase_coverage
        )
    };
    line_panels(&title, &[speed, profile], 1, (1000, 800))
}
