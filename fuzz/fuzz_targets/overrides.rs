//! `--set` overrides applied to the default scenario never panic, whatever the bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    needlesim::io::fuzzing::override_bytes(data);
});
