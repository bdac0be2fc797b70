//! Fuzz target: see `needlesim::io::fuzzing`; must never panic, whatever the bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;


fuzz_target!(|data: &[u8]| {
    needlesim::io::fuzzing::png_bytes(data);
});
