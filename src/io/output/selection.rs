//! Which files a run writes: `needlesim run --outputs summary,punctures,pictures,report`.
//!
//! `summary.json` and `scenario.toml` (with `trace.csv` for a replayed trace) are the run's
//! record and are always written; `punctures` adds punctures.csv, `pictures` the PNG/SVG
//! pictures and animation.gif, `report` report.html (with its pictures embedded, drawn in
//! memory even when `pictures` is off) and, for a run with regions, regions.csv beside it. Default: everything, as before the option existed.
//! The figures in summary.json do not depend on the selection.
//!
//! `parquet` (`run --format parquet`) writes the punctures as punctures.parquet instead of
//! punctures.csv: the same columns and values, typed (`io::output::columnar`).

use std::str::FromStr;

use crate::error::Error;

/// The selectable outputs of a run (see the module doc).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outputs {
    pub punctures: bool,
    pub pictures: bool,
    pub report: bool,
    /// Punctures as punctures.parquet instead of punctures.csv.
    pub parquet: bool,
}

/// The names `--outputs` accepts.
pub const OUTPUT_NAMES: [&str; 6] = ["summary", "punctures", "pictures", "report", "all", "none"];

impl Outputs {
    /// Every file (the default).
    pub const ALL: Outputs = Outputs { punctures: true, pictures: true, report: true, parquet: false };
    /// summary.json and scenario.toml only.
    pub const SUMMARY: Outputs = Outputs { punctures: false, pictures: false, report: false, parquet: false };

    /// True when anything is drawn (pictures or the report's embedded pictures).
    pub fn draws(&self) -> bool {
        self.pictures || self.report
    }
}

impl Default for Outputs {
    fn default() -> Self {
        Outputs::ALL
    }
}

impl FromStr for Outputs {
    type Err = Error;

    /// A comma-separated list of [`OUTPUT_NAMES`]; `summary` and `none` add nothing (the
    /// summary is always written), `all` adds everything.
    fn from_str(s: &str) -> Result<Self, Error> {
        let mut o = Outputs::SUMMARY;
        for part in s.split(',').map(str::trim) {
            match part {
                "summary" | "none" => {}
                "punctures" => o.punctures = true,
                "pictures" => o.pictures = true,
                "report" => o.report = true,
                "all" => o = Outputs::ALL,
                other => {
                    return Err(Error::invalid(
                        "--outputs",
                        format!("{other:?}"),
                        format!("a comma-separated list of {}", OUTPUT_NAMES.join(", ")),
                    ));
                }
            }
        }
        Ok(o)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_parse_and_unknown_names_are_refused() {
        assert_eq!("all".parse::<Outputs>().unwrap(), Outputs::ALL);
        assert_eq!("summary".parse::<Outputs>().unwrap(), Outputs::SUMMARY);
        assert_eq!(" summary , punctures".parse::<Outputs>().unwrap(), Outputs { punctures: true, ..Outputs::SUMMARY });
        assert_eq!("report".parse::<Outputs>().unwrap(), Outputs { report: true, ..Outputs::SUMMARY });
        assert!("report".parse::<Outputs>().unwrap().draws());
        assert!(!"punctures".parse::<Outputs>().unwrap().draws());
        let e = "summary,heatmap".parse::<Outputs>().unwrap_err().to_string();
        assert!(e.contains("heatmap") && e.contains("punctures, pictures, report"), "{e}");
        assert!("".parse::<Outputs>().is_err());
    }
}
