//! The `needlesim` binary: thin glue over the library. Exit codes: 0 success, 1 finished
//! with warnings under `--deny-warnings`, 2 bad input, 3 internal error.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::main()
}
