//! The plan of a course: when each session happens and how it differs from the others.
//!
//! A schedule is either explicit (day offsets or dates) or one of the sources' named
//! [`SCHEMES`]; each scheme carries its source and the shortest interval it allows, which
//! the warnings check explicit intervals against. Day 0 is the first session's day (or the
//! start date); days are whole calendar days.

use crate::error::{Error, Result, did_you_mean};
use crate::raster::accumulate::MAX_PASSES;
use crate::study::sweep::point::point_seed;

use super::date::Date;

/// Shortest interval between sessions in the seeds: "Sessions are held at intervals of 7 to
/// 10 days" (seed 000), days. Explicit schedules are checked against it.
pub const SOURCES_MIN_INTERVAL_DAYS: i64 = 7;
/// Longest interval of the seeds' weekly course, days.
pub const SOURCES_MAX_INTERVAL_DAYS: i64 = 10;
/// "In the most difficult cases … 10–15 procedures" (seed 000): more is warned about.
pub const SOURCES_MAX_SESSIONS: usize = 15;
/// The seeds contraindicate a session when "the period after peeling is less than 2 weeks"
/// (seed 001), days.
pub const PEEL_GAP_DAYS: i64 = 14;
/// Healing interval, days: the longest closure or recovery time in shared/domain.md —
/// microneedle pores in human skin close in ≈ 58–63 h under occlusion (PMC8259462), redness
/// lasts 24–72 h (clinic aftercare pages) — rounded up to 72 h. Channels themselves close
/// within minutes (Schwarz & Laaff 2011) and rat pores in 12–18 h (Kalluri 2011), so two
/// sessions closer than this puncture skin that has not yet recovered. [est]
pub const HEALING_INTERVAL_DAYS: i64 = 3;
/// A month in the schemes, days (assumed: the sources say "month").
pub const MONTH_DAYS: i64 = 30;

/// A named course scheme from the sources.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scheme {
    pub name: &'static str,
    pub source: &'static str,
    /// Sessions when the course file does not say.
    pub default_sessions: usize,
    /// Interval when the course file does not say (schemes with one interval), days.
    pub default_interval_days: i64,
    /// Shortest interval the scheme allows, days (warned about when undercut).
    pub min_interval_days: i64,
    /// Does `interval_days` apply (one repeated interval)?
    pub uniform: bool,
}

/// The sources' schemes.
pub const SCHEMES: &[Scheme] = &[
    Scheme {
        name: "weekly-7-10",
        source: "seed 000: 5–6 sessions for defects (10–15 in difficult cases), \"at intervals of 7 to 10 days\"",
        default_sessions: 6,
        default_interval_days: 7,
        min_interval_days: 7,
        uniform: true,
    },
    Scheme {
        name: "6-then-maintenance",
        source: "seed 001: 6 sessions, then 1 month break, 3 months once every two weeks, 2 months break, then monthly \
                 (the first six 7 days apart: seed 000's shortest interval; a month = 30 days, assumed)",
        default_sessions: 14,
        default_interval_days: 7,
        min_interval_days: 7,
        uniform: false,
    },
    Scheme {
        name: "monthly-4",
        source: "Ablon 2018 (J Clin Aesthet Dermatol, Exceed pen): 4 sessions 30 days apart",
        default_sessions: 4,
        default_interval_days: 30,
        min_interval_days: 30,
        uniform: true,
    },
];

/// The scheme called `name`, or an error with the allowed names and the likeliest one.
pub fn scheme(name: &str) -> Result<&'static Scheme> {
    if let Some(s) = SCHEMES.iter().find(|s| s.name == name) {
        return Ok(s);
    }
    let names: Vec<&str> = SCHEMES.iter().map(|s| s.name).collect();
    let hint = did_you_mean(name, &names).map(|m| format!(" (did you mean \"{m}\"?)")).unwrap_or_default();
    Err(Error::invalid("course.schedule", format!("\"{name}\""), format!("one of {}{hint}", names.join(", "))))
}

impl Scheme {
    /// Day offsets of `sessions` sessions (`interval_days` for the uniform schemes).
    pub fn days(&self, sessions: usize, interval_days: i64) -> Vec<i64> {
        if self.uniform {
            return (0..sessions as i64).map(|k| k * interval_days).collect();
        }
        // 6-then-maintenance: six sessions a week apart; a month's break; every two weeks
        // for three months (6 sessions); a two-month break after those three months; then
        // once a month.
        let mut days: Vec<i64> = (0..6).map(|k| k * self.default_interval_days).collect();
        let biweekly_start = days[5] + MONTH_DAYS;
        days.extend((0..6).map(|k| biweekly_start + 14 * k));
        let monthly_start = biweekly_start + 3 * MONTH_DAYS + 2 * MONTH_DAYS;
        while days.len() < sessions {
            let k = days.len() as i64 - 12;
            days.push(monthly_start + k * MONTH_DAYS);
        }
        days.truncate(sessions);
        days
    }
}

/// How the sessions' seeds are chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seeds {
    /// Session 0 runs with the scenario's seed, session k > 0 with the sweep's derived seed
    /// of point k (SplitMix64 of the scenario seed): independent random streams.
    PerSession,
    /// Every session runs with its scenario's seed.
    Same,
}

impl Seeds {
    pub fn seed(self, scenario_seed: u64, session: usize) -> u64 {
        match self {
            Seeds::PerSession if session > 0 => point_seed(scenario_seed, session as u64),
            _ => scenario_seed,
        }
    }
}

/// One session of the plan.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionPlan {
    pub index: usize,
    /// Days after day 0.
    pub day: i64,
    /// Calendar date (when the course has a start date).
    pub date: Option<Date>,
    /// Which of the course's scenarios it runs.
    pub scenario: usize,
    /// Added to every pass direction and to the cartridge rotation, degrees
    /// (rotate_deg_per_session × index): the whole session turned.
    pub rotate_deg: f64,
    /// Added to every pass's lane offset, mm, before reduction modulo the lane spacing.
    pub lane_offset_mm: f64,
}

/// The whole plan, validated.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    pub name: String,
    /// Scheme name ("explicit" for days or dates) and its source.
    pub scheme: String,
    pub source: String,
    /// Intervals shorter than this are warned about, days.
    pub min_interval_days: i64,
    pub start: Option<Date>,
    pub seeds: Seeds,
    /// Days from the last peel to day 0, if the course file says.
    pub last_peel_days_before: Option<i64>,
    pub sessions: Vec<SessionPlan>,
}

/// What a course file asks for, before validation (the reader fills it from the TOML).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PlanRequest {
    pub name: String,
    pub schedule: Option<String>,
    pub start_date: Option<String>,
    pub days: Option<Vec<i64>>,
    pub dates: Option<Vec<String>>,
    pub sessions: Option<i64>,
    pub interval_days: Option<i64>,
    pub seeds: Option<String>,
    pub rotate_deg_per_session: f64,
    pub lane_offset_mm_per_session: f64,
    pub last_peel_days_before: Option<i64>,
    /// Scenarios named: 1 (every session) or one per session.
    pub scenarios: usize,
}

/// Longest course accepted, days (ten years: a typo guard).
pub const MAX_COURSE_DAYS: i64 = 3660;

fn check_sessions(key: &str, n: i64) -> Result<usize> {
    if n < 1 || n > MAX_PASSES as i64 {
        return Err(Error::invalid(
            key,
            n,
            format!("1–{MAX_PASSES} sessions (the accumulator tells at most {MAX_PASSES} sessions apart, one bit each per spot)"),
        ));
    }
    Ok(n as usize)
}

impl PlanRequest {
    /// Validate and expand into a [`Plan`]; every error names the `course.` key.
    pub fn to_plan(&self) -> Result<Plan> {
        let date = |key: String, s: &str| Date::parse(s).ok_or_else(|| Error::invalid(key, format!("\"{s}\""), "a date YYYY-MM-DD"));
        let explicit = self.days.is_some() || self.dates.is_some();
        if self.days.is_some() && self.dates.is_some() {
            return Err(Error::invalid("course.dates", "given with course.days", "either days or dates, not both"));
        }
        if explicit && self.schedule.is_some() {
            return Err(Error::invalid("course.schedule", "given with days or dates", "either a named schedule or days/dates, not both"));
        }
        if explicit && self.interval_days.is_some() {
            return Err(Error::invalid("course.interval_days", "given with days or dates", "interval_days goes with a named schedule"));
        }
        let (scheme, source, min_interval, mut start, days) = if let Some(dates) = &self.dates {
            if self.start_date.is_some() {
                return Err(Error::invalid("course.start_date", "given with course.dates", "either dates or start_date + days"));
            }
            let parsed: Vec<Date> = dates.iter().enumerate().map(|(i, s)| date(format!("course.dates[{i}]"), s)).collect::<Result<_>>()?;
            let first = *parsed.first().ok_or_else(|| Error::invalid("course.dates", "[]", "at least one date"))?;
            let days = parsed.iter().map(|d| d.to_days() - first.to_days()).collect();
            ("explicit".to_string(), explicit_source(), SOURCES_MIN_INTERVAL_DAYS, Some(first), days)
        } else if let Some(days) = &self.days {
            if days.is_empty() {
                return Err(Error::invalid("course.days", "[]", "at least one day"));
            }
            if days[0] < 0 {
                return Err(Error::invalid("course.days[0]", days[0], "a day ≥ 0 (days after the start date)"));
            }
            ("explicit".to_string(), explicit_source(), SOURCES_MIN_INTERVAL_DAYS, None, days.clone())
        } else {
            let name = self.schedule.as_deref().ok_or_else(|| {
                Error::invalid(
                    "course.schedule",
                    "missing",
                    format!(
                        "a named schedule ({}) or course.days / course.dates",
                        SCHEMES.iter().map(|s| s.name).collect::<Vec<_>>().join(", ")
                    ),
                )
            })?;
            let s = scheme(name)?;
            let n = match self.sessions {
                Some(n) => check_sessions("course.sessions", n)?,
                None => s.default_sessions,
            };
            if self.interval_days.is_some() && !s.uniform {
                return Err(Error::invalid(
                    "course.interval_days",
                    self.interval_days.unwrap_or(0),
                    format!("not used by \"{}\": its intervals are fixed", s.name),
                ));
            }
            let interval = self.interval_days.unwrap_or(s.default_interval_days);
            if !(1..=MAX_COURSE_DAYS).contains(&interval) {
                return Err(Error::invalid(
                    "course.interval_days",
                    interval,
                    format!("1–{MAX_COURSE_DAYS} days (sessions on different days)"),
                ));
            }
            (s.name.to_string(), s.source.to_string(), s.min_interval_days, None, s.days(n, interval))
        };
        let key = if self.dates.is_some() { "course.dates" } else { "course.days" };
        if explicit {
            check_sessions(key, days.len() as i64)?;
            if let Some(n) = self.sessions
                && n != days.len() as i64
            {
                return Err(Error::invalid("course.sessions", n, format!("{} (the number of {key}), or leave it out", days.len())));
            }
        }
        // How session k was written: its date, or its day.
        let shown = |k: usize| match &self.dates {
            Some(d) => format!("\"{}\"", d[k]),
            None => days[k].to_string(),
        };
        for (i, w) in days.windows(2).enumerate() {
            if w[1] <= w[0] {
                return Err(Error::invalid(
                    format!("{key}[{}]", i + 1),
                    shown(i + 1),
                    format!("later than the session before ({}): sessions in order, one a day at most (interval > 0)", shown(i)),
                ));
            }
        }
        if days.last().copied().unwrap_or(0) > MAX_COURSE_DAYS {
            return Err(Error::invalid(key, days.last().copied().unwrap_or(0), format!("a course of at most {MAX_COURSE_DAYS} days")));
        }
        if let Some(s) = &self.start_date {
            start = Some(date("course.start_date".into(), s)?);
        }
        let seeds = match self.seeds.as_deref() {
            None | Some("per-session") => Seeds::PerSession,
            Some("same") => Seeds::Same,
            Some(other) => {
                let hint = did_you_mean(other, &["per-session", "same"]).map(|m| format!(" (did you mean \"{m}\"?)")).unwrap_or_default();
                return Err(Error::invalid("course.seeds", format!("\"{other}\""), format!("\"per-session\" or \"same\"{hint}")));
            }
        };
        if !(self.rotate_deg_per_session.is_finite() && self.rotate_deg_per_session.abs() <= 360.0) {
            return Err(Error::invalid("course.rotate_deg_per_session", self.rotate_deg_per_session, "|rotation| ≤ 360°"));
        }
        if !(self.lane_offset_mm_per_session.is_finite() && self.lane_offset_mm_per_session.abs() <= 100.0) {
            return Err(Error::invalid("course.lane_offset_mm_per_session", self.lane_offset_mm_per_session, "|offset| ≤ 100 mm"));
        }
        if let Some(p) = self.last_peel_days_before
            && !(0..=MAX_COURSE_DAYS).contains(&p)
        {
            return Err(Error::invalid("course.last_peel_days_before", p, format!("0–{MAX_COURSE_DAYS} days before the first session")));
        }
        if self.scenarios != 1 && self.scenarios != days.len() {
            return Err(Error::invalid(
                "scenarios",
                format!("{} files", self.scenarios),
                format!("one scenario, or one per session ({})", days.len()),
            ));
        }
        let sessions = days
            .iter()
            .enumerate()
            .map(|(i, &day)| SessionPlan {
                index: i,
                day,
                date: start.map(|s| s.plus_days(day)),
                scenario: if self.scenarios == 1 { 0 } else { i },
                rotate_deg: self.rotate_deg_per_session * i as f64,
                lane_offset_mm: self.lane_offset_mm_per_session * i as f64,
            })
            .collect();
        Ok(Plan {
            name: self.name.clone(),
            scheme,
            source,
            min_interval_days: min_interval,
            start,
            seeds,
            last_peel_days_before: self.last_peel_days_before,
            sessions,
        })
    }
}

fn explicit_source() -> String {
    format!("explicit days; intervals checked against seed 000's {SOURCES_MIN_INTERVAL_DAYS}–{SOURCES_MAX_INTERVAL_DAYS} days")
}

impl Plan {
    /// Interval before each session, days (`None` for the first).
    pub fn intervals(&self) -> Vec<Option<i64>> {
        (0..self.sessions.len()).map(|i| (i > 0).then(|| self.sessions[i].day - self.sessions[i - 1].day)).collect()
    }

    /// The schedule's warnings: intervals under the scheme's minimum, sessions within two
    /// weeks of a peel, more sessions than the sources' 10–15.
    pub fn warnings(&self) -> Vec<String> {
        let mut w = Vec::new();
        for (i, iv) in self.intervals().into_iter().enumerate() {
            if let Some(d) = iv
                && d < self.min_interval_days
            {
                w.push(format!(
                    "sessions {} and {} are {d} day{} apart, shorter than the {} days the schedule allows ({})",
                    i - 1,
                    i,
                    if d == 1 { "" } else { "s" },
                    self.min_interval_days,
                    self.source
                ));
            }
        }
        if let Some(peel) = self.last_peel_days_before {
            for s in &self.sessions {
                let since = peel + s.day;
                if since < PEEL_GAP_DAYS {
                    w.push(format!(
                        "session {} is {since} days after a peel: the sources contraindicate a session within 2 weeks of a peel",
                        s.index
                    ));
                }
            }
        }
        if self.sessions.len() > SOURCES_MAX_SESSIONS {
            w.push(format!("{} sessions: more than the sources' 10–15 for the most difficult cases (seed 000)", self.sessions.len()));
        }
        w
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req() -> PlanRequest {
        PlanRequest { name: "t".into(), scenarios: 1, ..Default::default() }
    }

    #[test]
    fn schemes_expand_as_the_sources_say() {
        assert_eq!(scheme("weekly-7-10").unwrap().days(3, 9), vec![0, 9, 18]);
        assert_eq!(scheme("monthly-4").unwrap().days(4, 30), vec![0, 30, 60, 90]);
        let m = scheme("6-then-maintenance").unwrap().days(14, 7);
        assert_eq!(m, vec![0, 7, 14, 21, 28, 35, 65, 79, 93, 107, 121, 135, 215, 245]);
        let e = scheme("weekly").unwrap_err().to_string();
        assert!(e.contains("did you mean \"weekly-7-10\""), "{e}");
    }

    #[test]
    fn bad_days_name_the_key() {
        let e = PlanRequest { days: Some(vec![0, 9, 9]), ..req() }.to_plan().unwrap_err().to_string();
        assert!(e.contains("course.days[2]"), "{e}");
        let e = PlanRequest { dates: Some(vec!["2025-03-10".into(), "2025-03-01".into()]), ..req() }.to_plan().unwrap_err().to_string();
        assert!(e.contains("course.dates[1]"), "{e}");
        let e = PlanRequest { schedule: Some("weekly-7-10".into()), sessions: Some(33), ..req() }.to_plan().unwrap_err().to_string();
        assert!(e.contains("course.sessions") && e.contains("32"), "{e}");
        let e = PlanRequest { schedule: Some("weekly-7-10".into()), interval_days: Some(0), ..req() }.to_plan().unwrap_err().to_string();
        assert!(e.contains("course.interval_days"), "{e}");
    }

    #[test]
    fn warnings_follow_the_sources() {
        let p = PlanRequest { days: Some(vec![0, 5, 12]), last_peel_days_before: Some(10), ..req() }.to_plan().unwrap();
        let w = p.warnings();
        assert!(w.iter().any(|w| w.contains("5 days apart")), "{w:?}");
        assert!(w.iter().any(|w| w.contains("session 0 is 10 days after a peel")), "{w:?}");
        assert!(!w.iter().any(|w| w.contains("session 1 is")), "{w:?}");
        let p = PlanRequest { schedule: Some("weekly-7-10".into()), sessions: Some(16), ..req() }.to_plan().unwrap();
        assert!(p.warnings().iter().any(|w| w.contains("16 sessions")));
    }
}
