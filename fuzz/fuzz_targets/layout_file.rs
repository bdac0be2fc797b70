//! The custom layout file reader never panics, whatever the bytes (CSV and TOML forms).
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let (first, rest) = data.split_first().unwrap_or((&0, &[]));
    let path = if first % 2 == 0 { "fuzz.csv" } else { "fuzz.toml" };
    needlesim::io::fuzzing::layout_file_bytes(rest, Path::new(path));
});
