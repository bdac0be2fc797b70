//! Needle layouts: generated families, a small text syntax for them, and layout facts.
//!
//! **Families** (every one is centred on the needles' centroid, which is taken as the pen
//! axis; `pitch_mm` is the distance between nearest neighbours unless said otherwise):
//!
//! - **square**: `cols × rows` grid, `cols = ⌈√N⌉`, `rows = ⌈N / cols⌉`, filled row by row
//!   from the bottom; a partial last row is centred. N = 9, 12, 16, 20 give exactly the
//!   cartridge presets (3×3, 4×3, 4×4, 5×4).
//! - **hex**: the N points of a hexagonal (triangular) lattice nearest its origin, ties broken
//!   by angle; 7, 19, 37 are full hexagons. Minimum spacing = pitch.
//! - **rings**: a centre needle, then ring k (k = 1, 2, …) of up to 6k needles at radius
//!   k × pitch, evenly spaced; the last ring holds what is left, evenly spaced. Minimum
//!   spacing = pitch (radii differ by a pitch; chords on ring k are ≥ pitch).
//! - **ring**: all N needles on one circle, neighbours one pitch apart (chord), radius
//!   `pitch / (2 sin(π/N))`.
//! - **jitter**: the square grid with every needle moved by a uniform offset within
//!   ±[`JITTER_FRACTION`] × pitch on each axis (seeded); minimum spacing ≥ (1 − 2·0.25·√2) ×
//!   pitch ≈ 0.29 × pitch.
//! - **poisson**: Poisson-disk (dart throwing, seeded) inside a disk sized for a packing
//!   fraction of [`POISSON_PACKING`]; no two needles closer than the pitch.
//!
//! Real cartridges' pitches and arrangements are not published (shared/domain.md): every
//! family is a modelling choice, **assumed**.
//!
//! **Syntax** (command line and `compare`): `FAMILY:N:PITCH[:SEED]`, e.g. `hex:19:0.8`,
//! `poisson:12:0.7:3`.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::error::{Error, Result};
use crate::geometry::Vec2;

/// Half-width of the jitter box, as a fraction of the pitch (**assumed**).
pub const JITTER_FRACTION: f64 = 0.25;
/// Packing fraction the Poisson-disk family aims for, Σ(π pitch²/4) / disk area (**assumed**;
/// random sequential adsorption jams near 0.547, so 0.45 is reachable by dart throwing).
pub const POISSON_PACKING: f64 = 0.45;
/// Most needles a generated layout may have.
pub const MAX_NEEDLES: usize = 400;

/// A generated layout family.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    Square,
    Hex,
    Rings,
    Ring,
    Jitter,
    Poisson,
}

impl Family {
    pub const NAMES: [&'static str; 6] = ["square", "hex", "rings", "ring", "jitter", "poisson"];

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "square" | "grid" => Family::Square,
            "hex" => Family::Hex,
            "rings" => Family::Rings,
            "ring" | "circle" => Family::Ring,
            "jitter" => Family::Jitter,
            "poisson" => Family::Poisson,
            _ => return None,
        })
    }

    pub fn name(&self) -> &'static str {
        match self {
            Family::Square => "square",
            Family::Hex => "hex",
            Family::Rings => "rings",
            Family::Ring => "ring",
            Family::Jitter => "jitter",
            Family::Poisson => "poisson",
        }
    }

    /// True when the family draws random numbers (and so uses the seed).
    pub fn is_seeded(&self) -> bool {
        matches!(self, Family::Jitter | Family::Poisson)
    }
}

/// A generated layout: family, needle count, pitch and (for random families) seed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LayoutSpec {
    pub family: Family,
    /// Needle count, 1–[`MAX_NEEDLES`].
    pub needles: usize,
    /// Nearest-neighbour distance, mm (see each family). Positive, ≤ 10.
    pub pitch_mm: f64,
    /// Seed of the jitter / Poisson-disk draw (ignored by the regular families).
    pub seed: u64,
}

impl LayoutSpec {
    /// Check the numbers; `key` names the setting in messages (e.g. `cartridge`).
    pub fn validate(&self, key: &str) -> Result<()> {
        if !(1..=MAX_NEEDLES).contains(&self.needles) {
            return Err(Error::invalid(format!("{key}.needles"), self.needles, format!("1–{MAX_NEEDLES} needles")));
        }
        if !(self.pitch_mm.is_finite() && self.pitch_mm > 0.0 && self.pitch_mm <= 10.0) {
            return Err(Error::invalid(format!("{key}.pitch_mm"), self.pitch_mm, "0 < pitch ≤ 10 mm"));
        }
        Ok(())
    }

    /// Parse `FAMILY:N:PITCH[:SEED]` (e.g. `hex:19:0.8`).
    pub fn parse(s: &str) -> Result<Self> {
        let allowed = format!("FAMILY:NEEDLES:PITCH_MM[:SEED] with FAMILY one of {}, e.g. hex:19:0.8", Family::NAMES.join(", "));
        let parts: Vec<&str> = s.split(':').map(str::trim).collect();
        if !(3..=4).contains(&parts.len()) {
            return Err(Error::invalid("layout", s, allowed));
        }
        let family = Family::parse(parts[0]).ok_or_else(|| Error::invalid("layout", s, allowed.clone()))?;
        let needles: usize =
            parts[1].parse().map_err(|_| Error::invalid("layout needles", parts[1], format!("a whole number 1–{MAX_NEEDLES}")))?;
        let pitch_mm: f64 = parts[2].parse().map_err(|_| Error::invalid("layout pitch_mm", parts[2], "a number of mm, 0 < pitch ≤ 10"))?;
        let seed: u64 = match parts.get(3) {
            Some(t) => t.parse().map_err(|_| Error::invalid("layout seed", *t, "a whole number ≥ 0"))?,
            None => 0,
        };
        let spec = LayoutSpec { family, needles, pitch_mm, seed };
        spec.validate("layout")?;
        Ok(spec)
    }

    /// The spec in the syntax [`LayoutSpec::parse`] reads.
    pub fn label(&self) -> String {
        if self.family.is_seeded() {
            format!("{}:{}:{}:{}", self.family.name(), self.needles, self.pitch_mm, self.seed)
        } else {
            format!("{}:{}:{}", self.family.name(), self.needles, self.pitch_mm)
        }
    }

    /// Needle centres in the cartridge frame, mm, centred on their centroid.
    pub fn generate(&self) -> Result<Vec<Vec2>> {
        self.validate("layout")?;
        let (n, p) = (self.needles, self.pitch_mm);
        let pts = match self.family {
            Family::Square => square(n, p),
            Family::Hex => hex(n, p),
            Family::Rings => rings(n, p),
            Family::Ring => ring(n, p),
            Family::Jitter => jitter(n, p, self.seed),
            Family::Poisson => poisson(n, p, self.seed),
        };
        Ok(centred(pts))
    }
}

fn centred(mut pts: Vec<Vec2>) -> Vec<Vec2> {
    let c = pts.iter().sum::<Vec2>() / pts.len().max(1) as f64;
    for p in &mut pts {
        *p -= c;
        // Snap round-off so symmetric layouts print as clean numbers.
        p.x = (p.x * 1e12).round() / 1e12;
        p.y = (p.y * 1e12).round() / 1e12;
    }
    pts
}

fn square(n: usize, p: f64) -> Vec<Vec2> {
    let cols = (n as f64).sqrt().ceil() as usize;
    let rows = n.div_ceil(cols);
    let mut out = Vec::with_capacity(n);
    for r in 0..rows {
        let in_row = cols.min(n - r * cols);
        let shift = 0.5 * (cols - in_row) as f64;
        for c in 0..in_row {
            out.push(Vec2::new((c as f64 + shift) * p, r as f64 * p));
        }
    }
    out
}

fn hex(n: usize, p: f64) -> Vec<Vec2> {
    let k = (n as f64).sqrt().ceil() as i64 + 2;
    let (a1, a2) = (Vec2::new(p, 0.0), Vec2::new(0.5 * p, 0.5 * 3f64.sqrt() * p));
    let mut pts: Vec<(i64, f64, Vec2)> = Vec::new();
    for i in -k..=k {
        for j in -k..=k {
            let v = a1 * i as f64 + a2 * j as f64;
            // Squared lattice distance in pitch² units is an integer (i² + ij + j²).
            let d2 = i * i + i * j + j * j;
            let angle = v.y.atan2(v.x).rem_euclid(std::f64::consts::TAU);
            pts.push((d2, angle, v));
        }
    }
    pts.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
    pts.into_iter().take(n).map(|t| t.2).collect()
}

fn rings(n: usize, p: f64) -> Vec<Vec2> {
    let mut out = vec![Vec2::zeros()];
    let mut k = 1usize;
    while out.len() < n {
        let m = (6 * k).min(n - out.len());
        for i in 0..m {
            let a = std::f64::consts::TAU * i as f64 / m as f64;
            out.push(Vec2::new(a.cos(), a.sin()) * (k as f64 * p));
        }
        k += 1;
    }
    out.truncate(n);
    out
}

fn ring(n: usize, p: f64) -> Vec<Vec2> {
    if n == 1 {
        return vec![Vec2::zeros()];
    }
    let r = p / (2.0 * (std::f64::consts::PI / n as f64).sin());
    (0..n)
        .map(|i| {
            let a = std::f64::consts::TAU * i as f64 / n as f64;
            Vec2::new(a.cos(), a.sin()) * r
        })
        .collect()
}

fn jitter(n: usize, p: f64, seed: u64) -> Vec<Vec2> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let j = JITTER_FRACTION * p;
    square(n, p).into_iter().map(|v| v + Vec2::new(rng.random_range(-j..=j), rng.random_range(-j..=j))).collect()
}

/// Dart throwing in a disk; when a point cannot be placed after many tries, the disk grows by
/// 5 % and the draw restarts (still deterministic for the seed).
fn poisson(n: usize, p: f64, seed: u64) -> Vec<Vec2> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    // N · π p²/4 = φ · π (R + p/2)²  →  R = p·√(N / 4φ) − p/2.
    let mut radius = (p * (n as f64 / (4.0 * POISSON_PACKING)).sqrt() - 0.5 * p).max(0.0);
    loop {
        let mut pts: Vec<Vec2> = Vec::with_capacity(n);
        'place: while pts.len() < n {
            for _ in 0..5000 {
                let (a, u): (f64, f64) = (rng.random_range(0.0..std::f64::consts::TAU), rng.random_range(0.0..=1.0));
                let c = Vec2::new(a.cos(), a.sin()) * (radius * u.sqrt());
                if pts.iter().all(|q| (q - c).norm() >= p) {
                    pts.push(c);
                    continue 'place;
                }
            }
            break;
        }
        if pts.len() == n {
            return pts;
        }
        radius = radius * 1.05 + 0.05 * p;
    }
}

/// Facts about a layout, for engineers comparing cartridges.
#[derive(Clone, Debug, PartialEq)]
pub struct LayoutFacts {
    pub needles: usize,
    /// Smallest centre-to-centre distance, mm (`null` for one needle).
    pub min_spacing_mm: Option<f64>,
    /// Diameter of the circle about the axis holding every needle disk, mm.
    pub footprint_diameter_mm: f64,
    /// needles × needle area / footprint circle area, 0–1.
    pub fill_fraction: f64,
    /// Extent of the needle disks along x and y of the cartridge frame, mm.
    pub extent_x_mm: f64,
    pub extent_y_mm: f64,
}

/// Layout facts of needle centres `needles_mm` of diameter `needle_diameter_mm`.
pub fn facts(needles_mm: &[Vec2], needle_diameter_mm: f64) -> LayoutFacts {
    let mut min = f64::INFINITY;
    for (i, a) in needles_mm.iter().enumerate() {
        for b in &needles_mm[i + 1..] {
            min = min.min((a - b).norm());
        }
    }
    let r_max = needles_mm.iter().map(|p| p.norm()).fold(0.0, f64::max);
    let footprint = 2.0 * r_max + needle_diameter_mm;
    let span = |f: fn(&Vec2) -> f64| {
        let (lo, hi) = needles_mm.iter().map(f).fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
        hi - lo + needle_diameter_mm
    };
    LayoutFacts {
        needles: needles_mm.len(),
        min_spacing_mm: min.is_finite().then_some(min),
        footprint_diameter_mm: footprint,
        fill_fraction: needles_mm.len() as f64 * needle_diameter_mm * needle_diameter_mm / (footprint * footprint),
        extent_x_mm: span(|p| p.x),
        extent_y_mm: span(|p| p.y),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pen::cartridge::grid_layout;

    fn spec(family: Family, needles: usize, pitch_mm: f64) -> LayoutSpec {
        LayoutSpec { family, needles, pitch_mm, seed: 1 }
    }

    #[test]
    fn square_reproduces_the_cartridge_presets() {
        for (n, cols, rows) in [(9, 3, 3), (12, 4, 3), (16, 4, 4), (20, 5, 4)] {
            assert_eq!(spec(Family::Square, n, 1.0).generate().unwrap(), grid_layout(cols, rows, 1.0), "{n}");
        }
    }

    #[test]
    fn hex_of_seven_is_a_centre_and_six_neighbours_one_pitch_away() {
        let pts = spec(Family::Hex, 7, 0.8).generate().unwrap();
        assert!(pts[0].norm() < 1e-12);
        for p in &pts[1..] {
            assert!((p.norm() - 0.8).abs() < 1e-12);
        }
        let f = facts(&pts, 0.18);
        assert!((f.min_spacing_mm.unwrap() - 0.8).abs() < 1e-12);
        // Footprint: two pitches + one needle across; fill = 7·0.18² / 1.78².
        assert!((f.footprint_diameter_mm - 1.78).abs() < 1e-12);
        assert!((f.fill_fraction - 7.0 * 0.0324 / (1.78 * 1.78)).abs() < 1e-12);
    }

    #[test]
    fn hex_of_nineteen_is_a_full_two_ring_hexagon() {
        let pts = spec(Family::Hex, 19, 1.0).generate().unwrap();
        // Lattice distances: 1 centre, 6 at 1, 6 at √3, 6 at 2.
        let mut d: Vec<f64> = pts.iter().map(|p| p.norm()).collect();
        d.sort_by(f64::total_cmp);
        let expect: Vec<f64> = [0.0].iter().chain(&[1.0; 6]).chain(&[3f64.sqrt(); 6]).chain(&[2.0; 6]).copied().collect();
        for (a, b) in d.iter().zip(&expect) {
            assert!((a - b).abs() < 1e-9, "{d:?}");
        }
        assert!((facts(&pts, 0.18).min_spacing_mm.unwrap() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn rings_counts_radii_and_spacing() {
        // 1 + 6 + 12 = 19: full rings at radius 0.5 and 1.0.
        let pts = spec(Family::Rings, 19, 0.5).generate().unwrap();
        let count = |r: f64| pts.iter().filter(|p| (p.norm() - r).abs() < 1e-9).count();
        assert_eq!((count(0.0), count(0.5), count(1.0)), (1, 6, 12));
        assert!((facts(&pts, 0.18).min_spacing_mm.unwrap() - 0.5).abs() < 1e-12);
        // 12 = 1 + 6 + 5: the last ring holds the 5 left, evenly spaced (centroid stays 0).
        let pts = spec(Family::Rings, 12, 0.5).generate().unwrap();
        let count = |r: f64| pts.iter().filter(|p| (p.norm() - r).abs() < 1e-9).count();
        assert_eq!((count(0.0), count(0.5), count(1.0)), (1, 6, 5));
    }

    #[test]
    fn ring_neighbours_are_one_pitch_apart() {
        let pts = spec(Family::Ring, 12, 1.0).generate().unwrap();
        let r = 1.0 / (2.0 * (std::f64::consts::PI / 12.0).sin());
        for (i, p) in pts.iter().enumerate() {
            assert!((p.norm() - r).abs() < 1e-9);
            assert!(((p - pts[(i + 1) % 12]).norm() - 1.0).abs() < 1e-9);
        }
    }

    #[test]
    fn random_families_keep_their_spacing_and_reproduce() {
        for n in [5, 12, 36] {
            let a = LayoutSpec { family: Family::Poisson, needles: n, pitch_mm: 0.7, seed: 3 };
            let pts = a.generate().unwrap();
            assert_eq!(pts.len(), n);
            assert!(facts(&pts, 0.18).min_spacing_mm.unwrap() >= 0.7 - 1e-9);
            assert_eq!(pts, a.generate().unwrap());
            assert_ne!(pts, LayoutSpec { seed: 4, ..a }.generate().unwrap());
            let j = LayoutSpec { family: Family::Jitter, needles: n, pitch_mm: 1.0, seed: 3 }.generate().unwrap();
            let bound = 1.0 - 2.0 * JITTER_FRACTION * 2f64.sqrt();
            assert!(facts(&j, 0.18).min_spacing_mm.unwrap() >= bound - 1e-9);
        }
    }

    #[test]
    fn every_family_is_centred() {
        for name in Family::NAMES {
            for n in [1, 2, 7, 11, 12, 20] {
                let pts = LayoutSpec { family: Family::parse(name).unwrap(), needles: n, pitch_mm: 0.9, seed: 0 }.generate().unwrap();
                assert_eq!(pts.len(), n);
                assert!((pts.iter().sum::<Vec2>() / n as f64).norm() < 1e-9, "{name} {n}");
            }
        }
    }

    #[test]
    fn syntax_round_trips_and_refuses_nonsense() {
        let s = LayoutSpec::parse("hex:19:0.8").unwrap();
        assert_eq!((s.family, s.needles, s.pitch_mm), (Family::Hex, 19, 0.8));
        assert_eq!(LayoutSpec::parse(&s.label()).unwrap(), s);
        let p = LayoutSpec::parse("poisson:12:0.7:9").unwrap();
        assert_eq!((p.seed, p.label()), (9, "poisson:12:0.7:9".to_string()));
        for bad in ["hex", "hex:19", "tri:19:0.8", "hex:0:0.8", "hex:19:-1", "hex:19:nan", "hex:x:1", "hex:9:1:2:3"] {
            assert!(LayoutSpec::parse(bad).is_err(), "{bad}");
        }
    }
}
