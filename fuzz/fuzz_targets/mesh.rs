//! Fuzz target: see `needlesim::io::fuzzing::mesh_bytes` (first byte even: OBJ, odd: PLY);
//! must never panic, whatever the bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    needlesim::io::fuzzing::mesh_bytes(data);
});
