//! Command line: clap definitions and dispatch. Each subcommand lives in its own file.

mod compare;
mod compare_hand;
mod course;
mod coverage;
mod face_map;
mod merge;
mod optimize;
mod plot;
mod presets;
mod run;
mod run_face;
mod run_surface;
mod serve;
mod sweep;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit code: bad input (the user can fix it).
pub const EXIT_BAD_INPUT: u8 = 2;
/// Exit code: internal error.
pub const EXIT_INTERNAL: u8 = 3;
/// Exit code: finished, but with warnings and `--deny-warnings`.
pub const EXIT_WARNINGS: u8 = 1;

#[derive(Parser, Debug)]
#[command(
    name = "needlesim",
    version,
    about = "Simulate fractional microneedle (mesotherapy) pens: where every needle lands and what it does to the skin."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    Run(run::RunArgs),
    Coverage(coverage::CoverageArgs),
    CompareHand(compare_hand::CompareHandArgs),
    Sweep(sweep::SweepArgs),
    Merge(merge::MergeArgs),
    Plot(plot::PlotArgs),
    Serve(serve::ServeArgs),
    Presets(presets::PresetsArgs),
    Compare(compare::CompareArgs),
    Optimize(optimize::OptimizeArgs),
    FaceMap(face_map::FaceMapArgs),
    Course(course::CourseArgs),
}

/// Parse, dispatch, and turn errors into messages and exit codes.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { EXIT_BAD_INPUT } else { 0 });
        }
    };
    let result = match cli.command {
        Command::Run(a) => run::run(a),
        Command::Coverage(a) => coverage::run(a),
        Command::CompareHand(a) => compare_hand::run(a),
        Command::Sweep(a) => sweep::run(a),
        Command::Merge(a) => merge::run(a),
        Command::Plot(a) => plot::run(a),
        Command::Serve(a) => serve::run(a),
        Command::Presets(a) => presets::run(a),
        Command::Compare(a) => compare::run(a),
        Command::Optimize(a) => optimize::run(a),
        Command::FaceMap(a) => face_map::run(a),
        Command::Course(a) => course::run(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            for cause in e.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            let bad_input = e.chain().any(|c| c.downcast_ref::<needlesim::Error>().is_some_and(|e| e.is_bad_input()));
            ExitCode::from(if bad_input { EXIT_BAD_INPUT } else { EXIT_INTERNAL })
        }
    }
}
