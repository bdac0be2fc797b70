//! The course folder: course.json, course.csv, timeline.png, the heatmaps, course.ics and
//! report.html, drawn in memory and written atomically ([`StagedDir`]).
//!
//! **Deterministic:** every byte depends only on the course file and its scenarios (the
//! calendar's DTSTAMP is the start date, not the clock), whatever the thread count.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{Error, Result};
use crate::io::output::StagedDir;
use crate::render::charts::{LinePanel, Series, line_panels};
use crate::render::heatmap;
use crate::render::report::{Block, Report, Table};

use super::date::Date;
use super::ics::{self, Event};
use super::plan::{PEEL_GAP_DAYS, SOURCES_MAX_INTERVAL_DAYS, SOURCES_MAX_SESSIONS, SOURCES_MIN_INTERVAL_DAYS};
use super::run::CourseResult;

pub const COURSE_JSON: &str = "course.json";
pub const COURSE_CSV: &str = "course.csv";
pub const TIMELINE_PNG: &str = "timeline.png";
pub const HITS_PNG: &str = "course-hits.png";
pub const COURSE_ICS: &str = "course.ics";
pub const REPORT_HTML: &str = "report.html";

/// Heatmap of session `k`.
pub fn session_png(k: usize) -> String {
    format!("session-{k:02}.png")
}

/// Start date of the calendar when the course file gives none (a fixed Monday, so the
/// calendar is still deterministic; the report says it is a placeholder).
pub const PLACEHOLDER_START: &str = "2025-01-06";

/// One session in course.json.
#[derive(Clone, Debug, Serialize)]
pub struct SessionJson {
    /// 0-based, like passes.
    pub session: usize,
    pub day: i64,
    pub date: Option<String>,
    /// Days since the session before (null for the first).
    pub interval_days: Option<i64>,
    pub scenario: String,
    pub seed: u64,
    pub directions_deg: Vec<f64>,
    /// Cartridge rotation (`device.rotation_deg`), turned with the directions.
    pub rotation_deg: f64,
    pub lane_offsets_mm: Vec<f64>,
    pub punctures: usize,
    pub stamps: usize,
    /// Hole coverage of this session alone over the course area, 0–1.
    pub coverage: f64,
    /// Hole coverage of the session's own run (its own treated area), 0–1.
    pub run_coverage: f64,
    /// Area first punctured in this session, 0–1.
    pub new_coverage: f64,
    /// Area punctured at least once after this session, 0–1.
    pub ever_treated: f64,
    pub density_per_cm2: f64,
    pub dose_ul: f64,
    pub procedure_time_s: f64,
    pub session_time_s: f64,
    pub warnings: Vec<String>,
}

/// course.json.
#[derive(Clone, Debug, Serialize)]
pub struct CourseJson {
    pub course: String,
    pub needlesim_version: &'static str,
    pub schedule: String,
    pub source: String,
    pub start_date: Option<String>,
    pub min_interval_days: i64,
    pub sources_interval_days: [i64; 2],
    pub sources_max_sessions: usize,
    pub peel_gap_days: i64,
    pub last_peel_days_before: Option<i64>,
    pub seeds: String,
    pub sessions: Vec<SessionJson>,
    pub totals: TotalsJson,
    pub warnings: Vec<String>,
}

/// Course totals in course.json.
#[derive(Clone, Debug, Serialize)]
pub struct TotalsJson {
    pub sessions: usize,
    pub course_days: i64,
    pub sampled_area_mm2: f64,
    pub resolution_mm: f64,
    pub punctures: usize,
    pub stamps: usize,
    pub dose_ul: f64,
    pub procedure_time_s: f64,
    pub session_time_s: f64,
    /// Area punctured at least once over the course, 0–1.
    pub ever_treated: f64,
    /// `[k]` = area punctured in exactly k sessions (k = 0..=sessions), sums to 1.
    pub sessions_per_spot_histogram: Vec<f64>,
    pub mean_sessions_per_spot: f64,
    /// Ever treated over the sum of the sessions' coverages: 1 when no spot is punctured
    /// twice, 1/n when n sessions puncture the same spots.
    pub spread: f64,
    pub healing_interval_days: i64,
    /// Area punctured by two sessions closer than the healing interval, 0–1.
    pub repunctured_before_healing: f64,
    pub repunctured_before_healing_exact: bool,
}

fn date_str(d: Option<Date>) -> Option<String> {
    d.map(|d| d.to_string())
}

/// course.json as a value.
pub fn course_json(r: &CourseResult, scenario_names: &[String]) -> CourseJson {
    let (cov, newc, ever) = (r.session_coverage(), r.new_coverage(), r.ever_treated());
    let intervals = r.plan.intervals();
    let sessions: Vec<SessionJson> = r
        .sessions
        .iter()
        .enumerate()
        .map(|(k, s)| SessionJson {
            session: k,
            day: r.plan.sessions[k].day,
            date: date_str(r.plan.sessions[k].date),
            interval_days: intervals[k],
            scenario: scenario_names[k].clone(),
            seed: s.seed,
            directions_deg: s.directions_deg.clone(),
            rotation_deg: s.rotation_deg,
            lane_offsets_mm: s.lane_offsets_mm.clone(),
            punctures: s.punctures,
            stamps: s.stamps,
            coverage: cov[k],
            run_coverage: s.run_coverage,
            new_coverage: newc[k],
            ever_treated: ever[k],
            density_per_cm2: s.density_per_cm2,
            dose_ul: s.dose_ul,
            procedure_time_s: s.procedure_time_s,
            session_time_s: s.session_time_s,
            warnings: s.warnings.clone(),
        })
        .collect();
    let sum_cov: f64 = cov.iter().sum();
    let last = ever.last().copied().unwrap_or(0.0);
    let totals = TotalsJson {
        sessions: sessions.len(),
        course_days: r.plan.sessions.last().map_or(0, |s| s.day) - r.plan.sessions[0].day,
        sampled_area_mm2: r.sampled_area_mm2,
        resolution_mm: r.grid.resolution_mm,
        punctures: r.sessions.iter().map(|s| s.punctures).sum(),
        stamps: r.sessions.iter().map(|s| s.stamps).sum(),
        dose_ul: r.sessions.iter().map(|s| s.dose_ul).sum(),
        procedure_time_s: r.sessions.iter().map(|s| s.procedure_time_s).sum(),
        session_time_s: r.sessions.iter().map(|s| s.session_time_s).sum(),
        ever_treated: last,
        sessions_per_spot_histogram: r.sessions_per_spot(),
        mean_sessions_per_spot: r.mean_sessions_per_spot(),
        spread: if sum_cov > 0.0 { last / sum_cov } else { 0.0 },
        healing_interval_days: r.healing.interval_days,
        repunctured_before_healing: r.healing.repunctured_fraction,
        repunctured_before_healing_exact: r.healing.exact,
    };
    CourseJson {
        course: r.plan.name.clone(),
        needlesim_version: env!("CARGO_PKG_VERSION"),
        schedule: r.plan.scheme.clone(),
        source: r.plan.source.clone(),
        start_date: date_str(r.plan.start),
        min_interval_days: r.plan.min_interval_days,
        sources_interval_days: [SOURCES_MIN_INTERVAL_DAYS, SOURCES_MAX_INTERVAL_DAYS],
        sources_max_sessions: SOURCES_MAX_SESSIONS,
        peel_gap_days: PEEL_GAP_DAYS,
        last_peel_days_before: r.plan.last_peel_days_before,
        seeds: format!("{:?}", r.plan.seeds).to_lowercase().replace("persession", "per-session"),
        sessions,
        totals,
        warnings: r.warnings.clone(),
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

/// course.csv: one row per session.
pub fn course_csv(j: &CourseJson) -> String {
    let mut out = String::from(
        "session,day,date,interval_days,seed,directions_deg,rotation_deg,lane_offsets_mm,punctures,stamps,coverage,new_coverage,ever_treated,run_coverage,density_per_cm2,dose_ul,procedure_time_s,session_time_s,warnings\n",
    );
    let list = |v: &[f64]| v.iter().map(|x| format!("{x}")).collect::<Vec<_>>().join(" ");
    for s in &j.sessions {
        let row = [
            s.session.to_string(),
            s.day.to_string(),
            s.date.clone().unwrap_or_default(),
            s.interval_days.map(|d| d.to_string()).unwrap_or_default(),
            s.seed.to_string(),
            list(&s.directions_deg),
            format!("{}", s.rotation_deg),
            list(&s.lane_offsets_mm),
            s.punctures.to_string(),
            s.stamps.to_string(),
            format!("{:.6}", s.coverage),
            format!("{:.6}", s.new_coverage),
            format!("{:.6}", s.ever_treated),
            format!("{:.6}", s.run_coverage),
            format!("{:.3}", s.density_per_cm2),
            format!("{:.4}", s.dose_ul),
            format!("{:.3}", s.procedure_time_s),
            format!("{:.3}", s.session_time_s),
            s.warnings.len().to_string(),
        ];
        out.push_str(&row.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","));
        out.push('\n');
    }
    out
}

/// timeline.png: ever-treated and per-session coverage against the day; the intervals
/// against the sources' 7–10 days.
pub fn timeline_png(r: &CourseResult) -> Result<Vec<u8>> {
    let days: Vec<f64> = r.plan.sessions.iter().map(|s| s.day as f64).collect();
    let pts = |v: Vec<f64>| days.iter().zip(v).map(|(&d, c)| (d, 100.0 * c)).collect::<Vec<_>>();
    let coverage = LinePanel {
        title: "Skin punctured: ever (cumulative) and by each session".into(),
        x_label: "day of the course".into(),
        y_label: "% of the area".into(),
        series: vec![
            Series { name: "ever treated".into(), points: pts(r.ever_treated()), color: Some(0.15), dots: false },
            Series { name: String::new(), points: pts(r.ever_treated()), color: Some(0.15), dots: true },
            Series {
                name: "independent sessions: 1 − Π(1 − cᵢ)".into(),
                points: pts(r
                    .session_coverage()
                    .iter()
                    .scan(1.0, |u, c| {
                        *u *= 1.0 - c;
                        Some(1.0 - *u)
                    })
                    .collect()),
                color: None,
                dots: false,
            },
            Series { name: "this session alone".into(), points: pts(r.session_coverage()), color: Some(0.75), dots: true },
        ],
        markers_x: Vec::new(),
    };
    let intervals: Vec<(f64, f64)> = r.plan.intervals().iter().enumerate().filter_map(|(k, iv)| iv.map(|d| (days[k], d as f64))).collect();
    let (x0, x1) = (days[0], days.last().copied().unwrap_or(0.0).max(days[0] + 1.0));
    let band = |d: i64, name: &str| Series { name: name.into(), points: vec![(x0, d as f64), (x1, d as f64)], color: None, dots: false };
    let mut series = vec![band(SOURCES_MIN_INTERVAL_DAYS, "sources: 7 days"), band(SOURCES_MAX_INTERVAL_DAYS, "sources: 10 days")];
    if r.plan.min_interval_days != SOURCES_MIN_INTERVAL_DAYS {
        series.push(Series {
            name: format!("{}: {} days", r.plan.scheme, r.plan.min_interval_days),
            points: vec![(x0, r.plan.min_interval_days as f64), (x1, r.plan.min_interval_days as f64)],
            color: Some(0.95),
            dots: false,
        });
    }
    series.push(Series { name: "interval before the session".into(), points: intervals, color: Some(0.45), dots: true });
    let panel = LinePanel {
        title: "Interval before each session (red: sessions closer than the schedule allows)".into(),
        x_label: "day of the course".into(),
        y_label: "days".into(),
        series,
        markers_x: r
            .plan
            .intervals()
            .iter()
            .enumerate()
            .filter_map(|(k, iv)| iv.filter(|&d| d < r.plan.min_interval_days).map(|_| days[k]))
            .collect(),
    };
    line_panels(&format!("Course \"{}\": {} sessions", r.plan.name, r.sessions.len()), &[coverage, panel], 1, (1000, 900))
}

fn pct(v: f64) -> String {
    format!("{:.2}", 100.0 * v)
}

/// Everything drawn in memory, then written into `dir` atomically.
pub fn write(dir: &Path, r: &CourseResult, scenario_names: &[String], course_text: &str) -> Result<PathBuf> {
    let j = course_json(r, scenario_names);
    let json = serde_json::to_string_pretty(&j).map_err(|e| Error::Render { path: COURSE_JSON.into(), message: e.to_string() })? + "\n";
    let csv = course_csv(&j);
    let timeline = timeline_png(r)?;
    let mut pictures: Vec<(String, String, Vec<u8>)> = Vec::new();
    if let Some(h) = &r.hits {
        let pic =
            heatmap::draw(h, r.view, &format!("Course \"{}\": hits per spot over {} sessions", r.plan.name, r.sessions.len()), "hits")?;
        pictures.push((HITS_PNG.into(), "Mean hits per spot over the whole course.".into(), heatmap::encode_png(&pic)?));
    }
    for (k, raster) in r.session_rasters.iter().enumerate() {
        let title = format!("Session {k} (day {}): punctured fraction", r.plan.sessions[k].day);
        let pic = heatmap::draw(raster, r.view, &title, "fraction")?;
        pictures.push((session_png(k), format!("Session {k}: fraction of each pixel it punctured."), heatmap::encode_png(&pic)?));
    }
    let start = r.plan.start.unwrap_or_else(|| Date::parse(PLACEHOLDER_START).expect("a valid date"));
    let events: Vec<Event> = j
        .sessions
        .iter()
        .map(|s| Event {
            date: start.plus_days(s.day),
            summary: format!("Microneedling: {} session {} of {}", r.plan.name, s.session + 1, j.sessions.len()),
            description: format!(
                "Day {} of the course ({}). Seed {}, directions {:?}°. This session punctures {} % of the area; {} % treated at least once after it.",
                s.day,
                r.plan.scheme,
                s.seed,
                s.directions_deg,
                pct(s.coverage),
                pct(s.ever_treated)
            ),
        })
        .collect();
    let calendar = ics::calendar(&r.plan.name, start, &events);
    let html = report(r, &j, &timeline, &pictures, course_text).to_html();

    let staged = StagedDir::new(dir)?;
    let put = |name: &str, bytes: &[u8]| {
        let p = staged.path(name);
        std::fs::write(&p, bytes).map_err(|e| Error::io(&p, e))
    };
    put(COURSE_JSON, json.as_bytes())?;
    put(COURSE_CSV, csv.as_bytes())?;
    put(TIMELINE_PNG, &timeline)?;
    for (name, _, bytes) in &pictures {
        put(name, bytes)?;
    }
    put(COURSE_ICS, calendar.as_bytes())?;
    put(REPORT_HTML, html.as_bytes())?;
    staged.commit()
}

fn report(r: &CourseResult, j: &CourseJson, timeline: &[u8], pictures: &[(String, String, Vec<u8>)], course_text: &str) -> Report {
    let mut rep = Report::new(format!("needlesim course: {}", j.course));
    let t = &j.totals;
    rep.push(Block::Paragraph(format!(
        "{} sessions over {} days ({}; {}). Every session is simulated on its own, then all punctures are accumulated with the session as the layer, so \"sessions that punctured a spot\" is exact.",
        t.sessions, t.course_days, j.schedule, j.source
    )));
    if r.plan.start.is_none() {
        rep.push(Block::Paragraph(format!(
            "The course file gives no start date: the calendar (course.ics) starts on the placeholder {PLACEHOLDER_START}."
        )));
    }
    rep.push(Block::Warnings(j.warnings.clone()));
    rep.push(Block::Heading("Course".into()));
    rep.push(Block::Table(Table {
        caption: "Totals".into(),
        header: vec!["figure".into(), "value".into()],
        rows: vec![
            vec!["ever treated (hole coverage, %)".into(), pct(t.ever_treated)],
            vec!["mean sessions per spot".into(), format!("{:.3}", t.mean_sessions_per_spot)],
            vec!["spread (ever treated / Σ session coverage)".into(), format!("{:.3}", t.spread)],
            vec![format!("punctured twice within {} days (%)", t.healing_interval_days), pct(t.repunctured_before_healing)],
            vec!["punctures".into(), t.punctures.to_string()],
            vec!["dose (µL)".into(), format!("{:.1}", t.dose_ul)],
            vec!["procedure time (min)".into(), format!("{:.1}", t.procedure_time_s / 60.0)],
            vec!["area (mm²)".into(), format!("{:.1}", t.sampled_area_mm2)],
        ],
    }));
    rep.push(Block::Table(Table {
        caption: "Sessions that punctured a spot".into(),
        header: vec!["sessions".into(), "% of the area".into()],
        rows: t.sessions_per_spot_histogram.iter().enumerate().map(|(k, f)| vec![k.to_string(), pct(*f)]).collect(),
    }));
    rep.push(Block::Table(Table {
        caption: "Sessions".into(),
        header: [
            "session",
            "day",
            "date",
            "interval (d)",
            "seed",
            "directions (°)",
            "coverage %",
            "new %",
            "ever %",
            "punctures",
            "dose µL",
            "time min",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
        rows: j
            .sessions
            .iter()
            .map(|s| {
                vec![
                    s.session.to_string(),
                    s.day.to_string(),
                    s.date.clone().unwrap_or_else(|| "-".into()),
                    s.interval_days.map_or("-".into(), |d| d.to_string()),
                    s.seed.to_string(),
                    s.directions_deg.iter().map(|d| format!("{d:.0}")).collect::<Vec<_>>().join(" "),
                    pct(s.coverage),
                    pct(s.new_coverage),
                    pct(s.ever_treated),
                    s.punctures.to_string(),
                    format!("{:.1}", s.dose_ul),
                    format!("{:.1}", s.procedure_time_s / 60.0),
                ]
            })
            .collect(),
    }));
    rep.push(Block::Image { caption: "Timeline: coverage and intervals.".into(), mime: "image/png".into(), bytes: timeline.to_vec() });
    rep.push(Block::Heading("Pictures".into()));
    for (_, caption, bytes) in pictures {
        rep.push(Block::Image { caption: caption.clone(), mime: "image/png".into(), bytes: bytes.clone() });
    }
    rep.push(Block::Preformatted { caption: "Course file".into(), text: course_text.to_string() });
    rep
}
