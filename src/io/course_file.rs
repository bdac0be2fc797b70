//! Course files: a TOML file naming the scenario (or one per session) and a `[course]`
//! table with the schedule and the per-session variations, read at the edge and turned into
//! a [`crate::study::course::plan::Plan`].
//!
//! ```toml
//! name = "course-rotation"          # optional (default: the file name)
//! scenario = "default.toml"         # relative to this file; or scenarios = [one per session]
//! [course]
//! schedule = "weekly-7-10"          # or "6-then-maintenance", "monthly-4"; or days / dates
//! start_date = "2025-03-03"         # needed for the calendar unless dates are given
//! sessions = 5                      # default: the scheme's
//! interval_days = 9                 # uniform schemes only
//! # days = [0, 9, 18]  |  dates = ["2025-03-03", "2025-03-12"]
//! seeds = "per-session"             # or "same"
//! rotate_deg_per_session = 30       # added to every pass direction, × session index
//! lane_offset_mm_per_session = 0.3  # added to every lane offset, × session index
//! last_peel_days_before = 20        # days from the last peel to the first session
//! ```
//!
//! Unknown keys are refused with the likeliest known key; every value error names the file,
//! the key, the value and the allowed range.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::io::scenario::suggest_key;
use crate::study::course::plan::{Plan, PlanRequest};

/// The file as written.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CourseFile {
    pub name: Option<String>,
    /// One scenario for every session, relative to the course file's folder.
    pub scenario: Option<String>,
    /// One scenario per session.
    pub scenarios: Option<Vec<String>>,
    pub course: CourseTable,
}

/// The `[course]` table.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CourseTable {
    pub schedule: Option<String>,
    pub start_date: Option<String>,
    pub days: Option<Vec<i64>>,
    pub dates: Option<Vec<String>>,
    pub sessions: Option<i64>,
    pub interval_days: Option<i64>,
    pub seeds: Option<String>,
    #[serde(default)]
    pub rotate_deg_per_session: f64,
    #[serde(default)]
    pub lane_offset_mm_per_session: f64,
    pub last_peel_days_before: Option<i64>,
}

/// A course file, validated: the plan and the scenario paths (resolved against the course
/// file's folder; one per session or one for all).
#[derive(Clone, Debug)]
pub struct Course {
    pub path: PathBuf,
    /// The file's text (copied into the output folder).
    pub text: String,
    pub plan: Plan,
    pub scenarios: Vec<PathBuf>,
    /// The scenario paths as written in the file.
    pub scenario_names: Vec<String>,
}

impl Course {
    /// The scenario file session `i` runs.
    pub fn scenario_of(&self, i: usize) -> &Path {
        &self.scenarios[self.plan.sessions[i].scenario]
    }
}

/// Read and validate a course file. Scenarios are not read here (see
/// [`crate::study::course::run::prepare`]).
pub fn load(path: &Path) -> Result<Course> {
    let text = std::fs::read_to_string(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::InvalidData => Error::parse(path, "not UTF-8 text: a course is a TOML file"),
        _ => Error::io(path, e),
    })?;
    parse(&text, path)
}

/// Parse course text; `path` names the file in messages and is where relative scenario
/// paths are resolved from.
pub fn parse(text: &str, path: &Path) -> Result<Course> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let file: CourseFile = toml::from_str(body).map_err(|e| {
        let msg = e.to_string().trim_end().to_owned();
        Error::parse(
            path,
            match suggest_key(&msg) {
                Some(s) => format!("{msg}\ndid you mean `{s}`?"),
                None => msg,
            },
        )
    })?;
    let in_file = |e: Error| match e {
        Error::Invalid { .. } => Error::parse(path, e.to_string()),
        other => other,
    };
    let names: Vec<String> = match (&file.scenario, &file.scenarios) {
        (Some(s), None) => vec![s.clone()],
        (None, Some(list)) if !list.is_empty() => list.clone(),
        (None, Some(_)) => return Err(in_file(Error::invalid("scenarios", "[]", "one scenario file per session"))),
        (Some(_), Some(_)) => return Err(in_file(Error::invalid("scenarios", "given with scenario", "either scenario or scenarios"))),
        (None, None) => {
            return Err(in_file(Error::invalid("scenario", "missing", "a scenario file (patch or face) relative to the course file")));
        }
    };
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "course".into());
    let name = file.name.clone().unwrap_or(stem);
    if name.is_empty() || name.chars().any(|c| c.is_control() || c == '/' || c == '\\') {
        return Err(in_file(Error::invalid("name", format!("{name:?}"), "a non-empty name without slashes or control characters")));
    }
    let c = &file.course;
    let req = PlanRequest {
        name,
        schedule: c.schedule.clone(),
        start_date: c.start_date.clone(),
        days: c.days.clone(),
        dates: c.dates.clone(),
        sessions: c.sessions,
        interval_days: c.interval_days,
        seeds: c.seeds.clone(),
        rotate_deg_per_session: c.rotate_deg_per_session,
        lane_offset_mm_per_session: c.lane_offset_mm_per_session,
        last_peel_days_before: c.last_peel_days_before,
        scenarios: names.len(),
    };
    let plan = req.to_plan().map_err(in_file)?;
    let base = path.parent().unwrap_or(Path::new("."));
    let scenarios = names.iter().map(|n| base.join(n)).collect();
    Ok(Course { path: path.to_path_buf(), text: text.to_owned(), plan, scenarios, scenario_names: names })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_get_a_suggestion() {
        let e = parse("scenario = \"a.toml\"\n[course]\nschedul = \"monthly-4\"\n", Path::new("c.toml")).unwrap_err().to_string();
        assert!(e.contains("c.toml") && e.contains("did you mean `schedule`"), "{e}");
        let e = parse("scenario = \"a.toml\"\n[course]\nschedule = \"montly-4\"\n", Path::new("c.toml")).unwrap_err().to_string();
        assert!(e.contains("course.schedule") && e.contains("did you mean \"monthly-4\""), "{e}");
    }

    #[test]
    fn a_named_schedule_expands() {
        let c = parse("scenario = \"a.toml\"\n[course]\nschedule = \"monthly-4\"\nstart_date = \"2025-01-15\"\n", Path::new("d/c.toml"))
            .unwrap();
        assert_eq!(c.plan.sessions.len(), 4);
        assert_eq!(c.plan.sessions[3].date.unwrap().to_string(), "2025-04-15");
        assert_eq!(c.scenario_of(2), Path::new("d/a.toml"));
    }
}
