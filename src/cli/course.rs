//! `needlesim course`: a course of sessions (a schedule from the sources, per-session seeds,
//! rotations and lane shifts), what the skin receives over weeks, and a calendar.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

use needlesim::io::course_file;
use needlesim::study::course::{run, write};

#[derive(Args, Debug)]
#[command(
    after_help = "Schedules: days = [0, 9, 18] | dates = [\"2025-03-03\", …] | schedule = \"weekly-7-10\" | \"6-then-maintenance\" | \"monthly-4\"\n\nExample:\n  needlesim course scenarios/course-rotation.toml --out output/course-rotation"
)]
/// Run a course of sessions on the same skin: course.json, course.csv, timeline.png, one
/// heatmap per session, course.ics (a calendar) and report.html.
pub struct CourseArgs {
    /// Course TOML file (names its scenario(s) and has a [course] table).
    pub course: PathBuf,
    /// Output directory (default: output/<course name>-course/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Exit with code 1 when the course produced warnings.
    #[arg(long)]
    pub deny_warnings: bool,
}

pub fn run(a: CourseArgs) -> anyhow::Result<ExitCode> {
    let course = course_file::load(&a.course)?;
    let setups = run::prepare(&course).with_context(|| format!("preparing the sessions of {}", a.course.display()))?;
    let result = run::run(&course.plan, &setups).with_context(|| format!("running the course {}", a.course.display()))?;
    let names: Vec<String> = course.plan.sessions.iter().map(|s| course.scenario_names[s.scenario].clone()).collect();
    let dir = a.out.unwrap_or_else(|| PathBuf::from("output").join(format!("{}-course", course.plan.name)));
    let dir = write::write(&dir, &result, &names, &course.text)?;
    let (cov, ever) = (result.session_coverage(), result.ever_treated());
    println!("{}: {} sessions ({})", course.plan.name, result.sessions.len(), course.plan.scheme);
    println!("  {:>7} {:>5} {:>10} {:>10} {:>10} {:>9}", "session", "day", "date", "session_%", "ever_%", "punctures");
    for (k, s) in result.sessions.iter().enumerate() {
        let p = &course.plan.sessions[k];
        println!(
            "  {:>7} {:>5} {:>10} {:>10.2} {:>10.2} {:>9}",
            k,
            p.day,
            p.date.map_or("-".into(), |d| d.to_string()),
            100.0 * cov[k],
            100.0 * ever[k],
            s.punctures
        );
    }
    println!(
        "  sessions per spot: mean {:.3}; histogram 0…{}: {}",
        result.mean_sessions_per_spot(),
        result.sessions.len(),
        result.sessions_per_spot().iter().map(|f| format!("{:.1}", 100.0 * f)).collect::<Vec<_>>().join(" / ")
    );
    for w in &result.warnings {
        println!("  warning: {w}");
    }
    println!("  wrote {}", dir.display());
    Ok(if a.deny_warnings && !result.warnings.is_empty() { ExitCode::from(super::EXIT_WARNINGS) } else { ExitCode::SUCCESS })
}
