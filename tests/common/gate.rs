//! One rule for tests that need something from the machine: a browser, SLURM, Python, cargo-fuzz.
//!
//! `must_run()` decides whether a missing dependency fails the test or skips it, from
//! `NEEDLESIM_REQUIRE_ENV` (set by `.ci/run`) or else `CI`: `1`, `true`, `yes`, `on` (any case)
//! mean "must run"; unset, empty, `0`, `false`, `no`, `off` mean "may skip"; anything else is
//! refused loudly, so `CI=maybe` cannot pass as green.
//!
//! A skip writes straight to the process's stderr (not through the test harness's capture), so
//! it shows in a passing `cargo test`, and appends a line to `target/skipped-env-tests.txt`.

use std::io::Write;

fn parse(name: &str, v: &str) -> bool {
    match v.trim().to_ascii_lowercase().as_str() {
        "" | "0" | "false" | "no" | "off" => false,
        "1" | "true" | "yes" | "on" => true,
        other => panic!(
            "{name}={other:?} is not understood: use 1/true/yes/on to require every environment-dependent test, 0/false/no/off or unset to allow skips"
        ),
    }
}

/// True when environment-dependent tests must run (missing tools are failures).
pub fn must_run() -> bool {
    for name in ["NEEDLESIM_REQUIRE_ENV", "CI"] {
        if let Ok(v) = std::env::var(name)
            && !v.trim().is_empty()
        {
            return parse(name, &v);
        }
    }
    false
}

/// `test` cannot run because `missing` is absent (say how to get it). Under `must_run()` this
/// panics; otherwise it prints a loud skip line to the real stderr and records it.
pub fn unavailable(test: &str, missing: &str) {
    let line = format!("SKIPPED {test}: {missing}");
    if must_run() {
        panic!("{line} — required here (NEEDLESIM_REQUIRE_ENV or CI says environment-dependent tests must run)");
    }
    let _ = writeln!(std::io::stderr().lock(), "\n*** {line}\n");
    let log = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/skipped-env-tests.txt");
    if let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(log) {
        let _ = writeln!(f, "{line}");
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn values_are_read_one_way() {
        for v in ["1", "true", "TRUE", "yes", "on", " true "] {
            assert!(parse("CI", v), "{v}");
        }
        for v in ["", "0", "false", "No", "off"] {
            assert!(!parse("CI", v), "{v}");
        }
        assert!(std::panic::catch_unwind(|| parse("CI", "maybe")).is_err());
    }
}
