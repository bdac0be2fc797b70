//! Fuzz target: see `needlesim::serve::fuzzing`; the live server's JSON request bodies, through
//! its handlers: never a panic, never a 5xx.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    needlesim::serve::fuzzing::api_body_bytes(data);
});
