//! Fuzz target: see `needlesim::io::fuzzing`; must never panic, whatever the bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    needlesim::io::fuzzing::design_matrix_bytes(data, Path::new("fuzz.txt"));
});
