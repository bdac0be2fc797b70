//! Fuzz target: see `needlesim::fuzzing`; must never panic, whatever the bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;


fuzz_target!(|data: &[u8]| {
    needlesim::fuzzing::png_bytes(data);
});
