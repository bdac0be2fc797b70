//! The Python package's pytest suite (python/tests/), run against this checkout's binary.
//!
//! Needs a Python with the `needlesim` package (`pip install ./python`), pytest, pandas,
//! SALib, pyarrow, polars and submitit: `NEEDLESIM_PYTHON`, else the venv `.ci/python.sh` makes (`target/python-venv`),
//! else `python3`. Without them the test is skipped loudly, and fails under `.ci/run`
//! (tests/common/gate.rs). The suite compares the package with the binary byte for byte, so
//! a package built from another checkout fails rather than passes.

mod common;

use std::path::PathBuf;
use std::process::Command;

fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("NEEDLESIM_PYTHON").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    let venv = common::root().join("target/python-venv/bin/python");
    if venv.is_file() { venv } else { PathBuf::from("python3") }
}

#[test]
fn python_package_pytest_suite_passes() {
    let python = python();
    let probe = Command::new(&python).args(["-c", "import needlesim, pytest, pandas, numpy, SALib, pyarrow, polars, submitit"]).output();
    let missing = match &probe {
        Err(e) => Some(format!("{} cannot start ({e})", python.display())),
        Ok(o) if !o.status.success() => {
            Some(format!("{}: {}", python.display(), String::from_utf8_lossy(&o.stderr).lines().last().unwrap_or("")))
        }
        Ok(_) => None,
    };
    if let Some(why) = missing {
        common::gate::unavailable(
            "python_package_pytest_suite_passes",
            &format!(
                "{why}; install with `bash .ci/python.sh` (a venv in target/python-venv with pip install ./python, pytest, pandas, SALib, pyarrow, polars, submitit) or set NEEDLESIM_PYTHON"
            ),
        );
        return;
    }
    let out = Command::new(&python)
        .args(["-m", "pytest", "python/tests", "-q", "-p", "no:cacheprovider"])
        .current_dir(common::root())
        .env("NEEDLESIM_BIN", env!("CARGO_BIN_EXE_needlesim"))
        .output()
        .expect("pytest runs");
    assert!(out.status.success(), "pytest failed:\n{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    let summary = String::from_utf8_lossy(&out.stdout);
    assert!(summary.contains(" passed") && !summary.contains("skipped"), "every Python test ran:\n{summary}");
}
