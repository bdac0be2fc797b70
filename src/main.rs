//! The `needlesim` binary: thin glue over the library. Exit codes: 0 success, 1 finished
//! with warnings under `--deny-warnings`, 2 bad input, 3 internal error.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    // Like other Unix filters, end quietly when the reader goes away (`needlesim … | head`)
    // instead of panicking on a broken pipe.
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of SIGPIPE at start-up, before any thread.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    cli::main()
}
