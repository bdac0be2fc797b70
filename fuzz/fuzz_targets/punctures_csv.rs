//! The puncture CSV reader never panics, whatever the bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    needlesim::io::fuzzing::punctures_csv_bytes(data, Path::new("fuzz.csv"));
});
