//! Proptest-driven fuzzing of every reader: valid inputs mutated at random (values swapped
//! for NaN/inf/negative/huge/wrong types, lines dropped or duplicated, BOM, CRLF, random
//! bytes, truncation) must give an error or a result, never a panic or a hang.
//!
//! CI runs a short smoke (`NEEDLESIM_FUZZ_CASES`, default 64 per target); run long with e.g.
//! `NEEDLESIM_FUZZ_CASES=200000 cargo test --release --test fuzz_inputs`. The coverage-guided
//! targets in `fuzz/` (cargo-fuzz) share the entry points in `needlesim::io::fuzzing`.

use std::path::Path;

use needlesim::io::fuzzing;
use proptest::prelude::*;

fn cases() -> u32 {
    std::env::var("NEEDLESIM_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(64)
}

const SEEDS: &[&str] = &[
    include_str!("../scenarios/default.toml"),
    include_str!("../scenarios/prime-density.toml"),
    include_str!("../scenarios/strokes-20.toml"),
    include_str!("../scenarios/random-reference.toml"),
    include_str!("../scenarios/skinpen-preset.toml"),
    include_str!("../scenarios/aliasing.toml"),
    include_str!("../scenarios/flat-face.toml"),
];

/// Face-map files: the shipped legend and a small polygon map.
const MAP_SEEDS: &[&str] = &[
    include_str!("../scenarios/maps/painted-face.legend.toml"),
    "[[region]]\nname = \"a\"\npolygon = [[0, 0], [20, 0], [20, 20], [0, 20], [0, 0]]\nepidermis_mm = 0.05\ndermis_mm = 1.0\nsubcutis_mm = 2.0\nrecommended_depth_mm = [0.4, 1.0]\n[[region]]\nname = \"b\"\npolygons = [[[20, 0], [40, 0], [40, 20], [20, 0]]]\nepidermis_mm = 0.05\ndermis_mm = 1.0\nsubcutis_mm = 2.0\nrecommended_depth_mm = [0.4, 1.0]\n[[no_go]]\nname = \"z\"\npolygon = [[5, 5], [8, 5], [8, 8], [5, 5]]\n",
];

/// Mesh files as the `mesh` fuzz target takes them (first byte even: OBJ, odd: PLY).
const MESH_SEEDS: &[&[u8]] = &[
    include_bytes!("../fuzz/seeds/mesh/obj-strip-groups-a-z-b.obj"),
    include_bytes!("../fuzz/seeds/mesh/ply-ascii-two-triangles-regions-0-1.ply"),
    include_bytes!("../fuzz/seeds/mesh/ply-ascii-face-texcoord.ply"),
    include_bytes!("../fuzz/seeds/mesh/ply-binary-le-quad.ply"),
    include_bytes!("../fuzz/seeds/mesh/ply-binary-be-quad.ply"),
];

const NASTY_VALUES: &[&str] = &[
    "nan",
    "inf",
    "-inf",
    "-1",
    "0",
    "1e308",
    "-1e308",
    "1e-308",
    "\"x\"",
    "[]",
    "{}",
    "true",
    "99999999999999999999",
    "0.0000001",
    "[[1e9, 1e9]]",
    "[1, \"a\"]",
    "-0.0",
    "12",
    "1000",
];

#[derive(Clone, Debug)]
enum Mutation {
    ReplaceValue { line: usize, value: usize },
    DropLine(usize),
    DuplicateLine(usize),
    InsertBytes { at: usize, bytes: Vec<u8> },
    Truncate(usize),
    Bom,
    Crlf,
    Misspell { line: usize, at: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<usize>(), 0..NASTY_VALUES.len()).prop_map(|(line, value)| Mutation::ReplaceValue { line, value }),
        1 => any::<usize>().prop_map(Mutation::DropLine),
        1 => any::<usize>().prop_map(Mutation::DuplicateLine),
        1 => (any::<usize>(), prop::collection::vec(any::<u8>(), 1..8)).prop_map(|(at, bytes)| Mutation::InsertBytes { at, bytes }),
        1 => any::<usize>().prop_map(Mutation::Truncate),
        1 => Just(Mutation::Bom),
        1 => Just(Mutation::Crlf),
        1 => (any::<usize>(), any::<usize>()).prop_map(|(line, at)| Mutation::Misspell { line, at }),
    ]
}

/// Apply mutations to text, line-wise where the mutation is about lines.
fn mutate(text: &str, muts: &[Mutation]) -> Vec<u8> {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let mut bom = false;
    let mut crlf = false;
    let mut raw: Vec<(usize, Vec<u8>)> = Vec::new();
    let mut truncate = None;
    for m in muts {
        if lines.is_empty() {
            lines.push(String::new());
        }
        let n = lines.len();
        match m {
            Mutation::ReplaceValue { line, value } => {
                let l = &mut lines[line % n];
                if let Some(eq) = l.find('=') {
                    *l = format!("{}= {}", &l[..eq], NASTY_VALUES[*value]);
                }
            }
            Mutation::DropLine(i) => {
                lines.remove(i % n);
            }
            Mutation::DuplicateLine(i) => {
                let l = lines[i % n].clone();
                lines.insert(i % n, l);
            }
            Mutation::Misspell { line, at } => {
                let l = &mut lines[line % n];
                if let Some(eq) = l.find('=')
                    && eq > 1
                {
                    let k = at % (eq - 1);
                    if l.is_char_boundary(k) && l.is_char_boundary(k + 1) {
                        l.replace_range(k..k + 1, "z");
                    }
                }
            }
            Mutation::InsertBytes { at, bytes } => raw.push((*at, bytes.clone())),
            Mutation::Truncate(at) => truncate = Some(*at),
            Mutation::Bom => bom = true,
            Mutation::Crlf => crlf = true,
        }
    }
    let mut out = lines.join(if crlf { "\r\n" } else { "\n" }).into_bytes();
    for (at, bytes) in raw {
        let at = at % (out.len() + 1);
        out.splice(at..at, bytes);
    }
    if let Some(at) = truncate {
        out.truncate(at % (out.len() + 1));
    }
    if bom {
        out.splice(0..0, "\u{feff}".bytes());
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn scenario_reader_never_panics(seed in 0..SEEDS.len(), muts in prop::collection::vec(mutation(), 1..6)) {
        let bytes = mutate(SEEDS[seed], &muts);
        fuzzing::scenario_bytes(&bytes, Path::new("fuzz.toml"));
    }

    #[test]
    fn face_map_readers_never_panic(seed in 0..MAP_SEEDS.len(), muts in prop::collection::vec(mutation(), 1..6), junk in prop::collection::vec(any::<u8>(), 0..64)) {
        let bytes = mutate(MAP_SEEDS[seed], &muts);
        fuzzing::face_map_bytes(&bytes, Path::new("fuzz-map.toml"));
        let mut png = include_bytes!("../scenarios/maps/painted-face.png").to_vec();
        let at = junk.first().map_or(0, |&b| b as usize * png.len() / 256);
        png.splice(at..(at + junk.len()).min(png.len()), junk.iter().copied());
        fuzzing::png_bytes(&png);
    }

    #[test]
    fn mesh_readers_never_panic(seed in 0..MESH_SEEDS.len(), muts in prop::collection::vec(mutation(), 1..6), junk in prop::collection::vec(any::<u8>(), 0..16), at in any::<usize>()) {
        // Text files get the line mutations; every file gets a splice of random bytes.
        let s = MESH_SEEDS[seed];
        let mut bytes = match std::str::from_utf8(&s[1..]) {
            Ok(text) => [vec![s[0]], mutate(text, &muts)].concat(),
            Err(_) => s.to_vec(),
        };
        let at = at % (bytes.len() + 1);
        let end = (at + junk.len()).min(bytes.len());
        bytes.splice(at..end, junk.iter().copied());
        fuzzing::mesh_bytes(&bytes);
    }

    #[test]
    fn overrides_never_panic(lines in prop::collection::vec(
        (prop::sample::select(vec![
            "cartridge.depth_mm", "cartridge.preset", "cartridge.needles_mm", "cartridge.pitch_mm",
            "device.frequency_hz", "device.rotation_deg", "device.angle_deg", "patch.width_mm",
            "patch.x0_mm", "technique.speed_mm_s", "technique.passes", "technique.directions_deg",
            "technique.directions_deg.0", "technique.lane_spacing_mm", "technique.pattern",
            "grid.resolution_mm", "coverage.halo_mm", "limits.max_cells", "nope.deep.key", "seed",
            "device.preset", "device.frequency_min_hz", "cartridge.layout", "cartridge.needles", "cartridge.layout_seed",
        ]), 0..NASTY_VALUES.len()), 1..5)) {
        let text: String = lines.iter().map(|(k, v)| format!("{k}={}\n", NASTY_VALUES[*v])).collect();
        fuzzing::override_bytes(text.as_bytes());
    }

    #[test]
    fn puncture_csv_reader_never_panics(rows in prop::collection::vec(prop::collection::vec(
        prop_oneof![Just("1.5".to_string()), Just("nan".to_string()), Just("".to_string()), Just("\"x\"".to_string()),
                    Just("1e400".to_string()), any::<f64>().prop_map(|v| v.to_string()), "[ -~]{0,6}"], 0..5), 0..20),
        header in prop::sample::select(vec!["x_mm,y_mm", "y_mm,x_mm,pass", "pass,stamp,needle,x_mm,y_mm,depth_mm,t_s", "x,y", ""]),
        muts in prop::collection::vec(mutation(), 0..3)) {
        let text = std::iter::once(header.to_string()).chain(rows.iter().map(|r| r.join(","))).collect::<Vec<_>>().join("\n");
        let bytes = mutate(&text, &muts);
        fuzzing::punctures_csv_bytes(&bytes, Path::new("fuzz.csv"));
    }

    #[test]
    fn layout_file_reader_never_panics(rows in prop::collection::vec(prop::collection::vec(
        prop_oneof![Just("0.5".to_string()), Just("nan".to_string()), Just("".to_string()), Just("60".to_string()),
                    any::<f64>().prop_map(|v| v.to_string()), "[ -~]{0,6}"], 0..4), 0..12),
        csv in any::<bool>(), muts in prop::collection::vec(mutation(), 0..3)) {
        let (text, path) = if csv {
            (std::iter::once("x_mm,y_mm".to_string()).chain(rows.iter().map(|r| r.join(","))).collect::<Vec<_>>().join("\n"), "fuzz.csv")
        } else {
            (format!("needles_mm = [{}]", rows.iter().map(|r| format!("[{}]", r.join(", "))).collect::<Vec<_>>().join(",\n")), "fuzz.toml")
        };
        fuzzing::layout_file_bytes(&mutate(&text, &muts), Path::new(path));
    }
}

/// Mutations must actually produce both accepted and refused scenarios, or the fuzzer is
/// only exercising the error path.
#[test]
fn mutations_reach_both_outcomes() {
    use needlesim::io::scenario;
    let mut ok = 0;
    let mut err = 0;
    for i in 0..200usize {
        let muts = vec![Mutation::ReplaceValue { line: i * 7, value: i % NASTY_VALUES.len() }];
        let bytes = mutate(SEEDS[i % SEEDS.len()], &muts);
        let text = String::from_utf8(bytes).unwrap();
        match scenario::parse(&text, Path::new("x.toml"), &[]).and_then(|f| f.to_simulation()) {
            Ok(_) => ok += 1,
            Err(_) => err += 1,
        }
    }
    assert!(ok > 10 && err > 10, "ok {ok}, err {err}");
}
