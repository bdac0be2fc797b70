//! Scenario parsing + validation + (small) runs never panic, whatever the bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    needlesim::io::fuzzing::scenario_bytes(data, Path::new("fuzz.toml"));
});
