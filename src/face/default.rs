//! The built-in default adult face, neck and décolleté (frontal projection, mm).
//!
//! **Frame.** x to the right of the picture, y up; x = 0 on the facial midline, y = 0 at the
//! menton (lowest point of the chin). Left and right in region names are the person's own
//! sides, as clinicians use them: the person's *left* cheek is on the picture's right
//! (x > 0).
//!
//! **Proportions** (`shared/domain.md`, adult frontal norms **[est, anthropometric]**):
//! hairline–chin 180 mm (norm 175–187), nasion–chin 114 mm (norm 112–121; the nasion is the
//! glabella/nose boundary at y = 114), bizygomatic width 136 mm (norm 130 F – 140 M).
//! The rest is a plausible drawing, **assumed**: eyes 30 mm wide with a 30 mm intercanthal
//! gap, mouth 48 mm wide, nose 35 mm wide at the alae, neck 92–112 mm wide and 85 mm long
//! (menton to suprasternal notch), décolleté down to 205 mm below the chin. Projected areas:
//! face ≈ 188 cm², neck ≈ 90 cm², décolleté ≈ 200 cm² (`needlesim face-map` lists them); real skin areas
//! are larger where the skin faces sideways (the cosmetics convention puts the whole face at
//! ≈ 500 cm², `shared/domain.md`).
//!
//! **Regions** tile the face outline exactly (shared edges; the tests check that the region
//! areas plus the no-go zones inside add up to the outline's area). No-go zones (eyes with
//! lids' margins, lip vermilion, nostrils) lie over regions and are cut out of them.
//!
//! **Skin numbers.** Dermis: Meng et al. 2022 (BMC Med Imaging 22:113, Table 2, high-frequency
//! ultrasound, 118 adults), mean of the male and female means. Epidermis: the same table ÷ 3.5
//! **\[est\]**: ultrasound "epidermis" includes the entry echo and reads ~3–4× the histological
//! thickness (`shared/domain.md`), and a needle meets the histological epidermis; the results
//! (0.050–0.060 mm) fall inside the cadaver range 0.030–0.063 mm (Chopra et al. 2015). Where
//! Meng has no site, the source is named per region. Subcutis: Iyengar et al. 2018 where
//! measured (forehead 2, chin 5, submental 6, temple 6 mm), else **assumed**. Recommended set
//! depth: Dr. Pen depth guide (thin–thick skin), else **assumed** as named.

use crate::error::Result;
use crate::geometry::Vec2;
use crate::geometry::polygon::Polygon;
use crate::needle::skin::SkinLayers;

use super::{FaceMap, RegionInfo};

/// Ultrasound-to-histology factor for the epidermis **\[est\]** (reads ~3–4×; midpoint).
pub const ULTRASOUND_EPIDERMIS_FACTOR: f64 = 3.5;

type P = (f64, f64);

// Landmarks of the person's left half (x ≥ 0); the right half is the mirror image.
// Face contour, top to bottom.
const C: [P; 16] = [
    (0.0, 180.0), // C0 hairline, midline
    (24.0, 178.5),
    (40.0, 174.0),
    (50.0, 167.0), // C3 forehead / temple
    (58.0, 156.0),
    (63.0, 140.0),
    (66.0, 120.0), // C6 temple / cheek
    (68.0, 100.0), // C7 zygion: bizygomatic width 136 mm
    (67.0, 86.0),
    (64.0, 70.0),
    (59.0, 52.0), // C10 cheek / jawline
    (52.0, 36.0), // C11 gonion
    (42.0, 20.0),
    (28.0, 8.0), // C13 jawline / chin
    (14.0, 2.0),
    (0.0, 0.0), // C15 menton
];
// Forehead, glabella, temple.
const F1: P = (44.0, 124.0); // lateral end of the brow line
const G0: P = (12.0, 114.0); // glabella, lower lateral corner
const G1: P = (12.0, 124.0);
const G2: P = (12.0, 132.0); // glabella, upper lateral corner
const T1: P = (52.0, 112.0); // temple / periorbital / cheek
// Periorbital.
const P1: P = (52.0, 108.0); // eye axis, lateral end
const P2: P = (54.0, 100.0);
const P3: P = (44.0, 95.0);
const P4: P = (24.0, 94.0);
// Nose outline, top to bottom.
const N: [P; 10] = [
    (0.0, 114.0), // nasion
    (8.0, 114.0),
    (8.0, 108.0),
    (9.5, 96.0),
    (12.0, 82.0),
    (16.0, 70.0), // N5: ala top
    (17.5, 66.0), // N6: alar crease
    (15.0, 62.0),
    (9.0, 60.5),
    (0.0, 60.0), // subnasale
];
// Nasolabial band, perioral, chin, jawline.
const L1: P = (26.0, 70.0);
const L2: P = (36.0, 42.0);
const L3: P = (36.0, 30.0);
const M1: P = (26.0, 40.0);
const M2: P = (28.0, 30.0);
const K1: P = (28.0, 16.0);
const Q1: P = (20.0, 22.0);
const J2: P = (44.0, 38.0);
/// Where the side of the neck meets the jaw contour (on the edge C12–C11).
const K2: P = (46.0, 26.4);

const EYE_LEFT: [P; 8] =
    [(15.0, 108.0), (22.0, 114.0), (31.0, 116.0), (40.0, 114.5), (47.0, 109.0), (40.0, 104.0), (31.0, 102.5), (22.0, 103.5)];
const NOSTRIL_LEFT: [P; 6] = [(4.0, 61.6), (8.0, 61.8), (12.0, 63.2), (12.5, 65.2), (8.5, 65.4), (4.5, 63.8)];
const LIPS: [P; 10] = [
    (-24.0, 40.0),
    (-14.0, 45.5),
    (-5.0, 48.0),
    (0.0, 47.0),
    (5.0, 48.0),
    (14.0, 45.5),
    (24.0, 40.0),
    (14.0, 33.0),
    (0.0, 31.5),
    (-14.0, 33.0),
];

fn mirror(p: P) -> P {
    (-p.0, p.1)
}

fn ring(pts: &[P]) -> Vec<Vec2> {
    pts.iter().map(|&(x, y)| Vec2::new(x, y)).collect()
}

/// A midline-symmetric ring from its left half, listed from the top midline point to the
/// bottom midline point (both with x = 0).
fn symmetric(half: &[P]) -> Vec<Vec2> {
    let mut v: Vec<P> = half.to_vec();
    v.extend(half[1..half.len() - 1].iter().rev().map(|&p| mirror(p)));
    ring(&v)
}

fn poly(v: Vec<Vec2>) -> Polygon {
    Polygon::new(v).expect("the built-in face's polygons are simple")
}

/// A left-half shape and its mirror image, named `<base>_left` / `<base>_right`.
fn pair(base: &str, left: &[P]) -> [(String, Polygon); 2] {
    [
        (format!("{base}_left"), poly(ring(left))),
        (format!("{base}_right"), poly(ring(&left.iter().map(|&p| mirror(p)).collect::<Vec<_>>()))),
    ]
}

/// Skin from Meng 2022 Table 2 (male, female) means: epidermis ÷ 3.5, dermis as measured.
/// Rounded to 1 µm (the sources give 2–3 significant digits).
fn meng(epi_m: f64, epi_f: f64, der_m: f64, der_f: f64, subcutis_mm: f64) -> SkinLayers {
    SkinLayers { epidermis_mm: histological(epi_m, epi_f), dermis_mm: um(0.5 * (der_m + der_f)), subcutis_mm }
}

/// Histological epidermis from Meng's ultrasound means (male, female), mm.
fn histological(epi_m: f64, epi_f: f64) -> f64 {
    um(0.5 * (epi_m + epi_f) / ULTRASOUND_EPIDERMIS_FACTOR)
}

fn um(mm: f64) -> f64 {
    (mm * 1000.0).round() / 1000.0
}

/// The regions' non-geometric facts: (name stem, skin, recommended depth, source).
fn facts(stem: &str) -> (SkinLayers, (f64, f64), &'static str) {
    match stem {
        "forehead" => {
            (meng(0.22, 0.20, 1.17, 0.86, 2.0), (0.25, 0.75), "skin: Meng 2022 forehead; subcutis: Iyengar 2018; depth: Dr. Pen guide")
        }
        "glabella" => (
            meng(0.21, 0.19, 1.14, 0.90, 2.0),
            (0.25, 1.0),
            "skin: Meng 2022 glabella; subcutis assumed (as forehead); depth: Dr. Pen guide",
        ),
        "temple" => {
            (meng(0.19, 0.18, 1.06, 0.80, 6.0), (0.25, 0.75), "skin: Meng 2022 temple; subcutis: Iyengar 2018; depth assumed (as forehead)")
        }
        "periorbital_upper" | "periorbital_lower" => {
            (meng(0.18, 0.17, 0.67, 0.58, 1.0), (0.25, 0.5), "skin: Meng 2022 eyelid; subcutis assumed; depth: Dr. Pen guide (periorbital)")
        }
        "nose" => (meng(0.20, 0.19, 1.03, 0.93, 1.5), (0.25, 0.5), "skin: Meng 2022 nasal dorsum; subcutis assumed; depth: Dr. Pen guide"),
        "cheek" => {
            (meng(0.19, 0.20, 1.14, 0.87, 4.0), (0.5, 2.0), "skin: Meng 2022 zygoma; subcutis assumed; depth: Dr. Pen guide (cheeks)")
        }
        // Iyengar 2018: epidermis + dermis ≈ 1.0 mm at the nasolabial fold.
        "nasolabial" => {
            let e = histological(0.19, 0.20);
            (
                SkinLayers { epidermis_mm: e, dermis_mm: um(1.0 - e), subcutis_mm: 4.0 },
                (0.5, 2.0),
                "skin: Iyengar 2018 (epidermis + dermis ≈ 1.0 mm), epidermis as cheek; subcutis assumed; depth assumed (as cheeks)",
            )
        }
        // Chopra 2015: upper lip epidermis thickest, 0.063 mm; dermis as the nasolabial fold.
        "perioral" => (
            SkinLayers { epidermis_mm: 0.063, dermis_mm: 0.94, subcutis_mm: 3.0 },
            (0.25, 0.75),
            "epidermis: Chopra 2015 upper lip; dermis: Iyengar 2018 nasolabial (≈ 1.0 mm with epidermis); subcutis assumed; depth: Dr. Pen guide (perioral)",
        ),
        "chin" => (
            meng(0.19, 0.20, 1.14, 0.87, 5.0),
            (0.5, 2.0),
            "skin assumed (as Meng 2022 zygoma); subcutis: Iyengar 2018; depth: Dr. Pen guide (chin)",
        ),
        "jawline" => (
            meng(0.21, 0.18, 1.02, 0.91, 6.0),
            (0.5, 1.0),
            "skin: Meng 2022 submandibular; subcutis: Iyengar 2018 submental; depth assumed (as cheekbones)",
        ),
        "neck" => (meng(0.19, 0.17, 0.98, 0.99, 4.0), (0.25, 0.75), "skin: Meng 2022 neck; subcutis assumed; depth assumed (as forehead)"),
        "decollete" => (
            meng(0.19, 0.17, 0.98, 0.99, 5.0),
            (0.25, 0.75),
            "skin assumed (as Meng 2022 neck: no sourced figure); subcutis assumed; depth assumed (as forehead)",
        ),
        other => unreachable!("no facts for {other}"),
    }
}

fn region(name: String, stem: &str, parts: Vec<Polygon>) -> (RegionInfo, Vec<Polygon>) {
    let (skin, recommended_depth_mm, source) = facts(stem);
    (RegionInfo { name, skin, recommended_depth_mm, source: source.into() }, parts)
}

/// The face outline (hairline, temples, cheeks, jaw, chin), without the neck: the union of
/// the face regions.
pub fn face_outline() -> Polygon {
    poly(symmetric(&C))
}

/// The built-in default face map (see the module doc).
pub fn default_face() -> Result<FaceMap> {
    let [c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15] = C;
    let n = N;
    let mut regions = vec![
        region("forehead".into(), "forehead", vec![poly(symmetric(&[c0, c1, c2, c3, F1, G1, G2, (0.0, 132.0)]))]),
        region("glabella".into(), "glabella", vec![poly(ring(&[(-12.0, 114.0), G0, G2, (-12.0, 132.0)]))]),
    ];
    let sided: Vec<(&str, Vec<P>)> = vec![
        ("temple", vec![c3, c4, c5, c6, T1, F1]),
        ("periorbital_upper", vec![n[1], G0, G1, F1, T1, P1, n[2]]),
        ("periorbital_lower", vec![n[2], P1, P2, P3, P4, n[3]]),
        ("cheek", vec![n[3], P4, P3, P2, P1, T1, c6, c7, c8, c9, c10, J2, L3, L2, L1, n[5], n[4]]),
        ("nasolabial", vec![n[5], L1, L2, L3, M2, M1, n[6]]),
        ("jawline", vec![c13, c12, c11, c10, J2, L3, K1]),
    ];
    for (stem, left) in &sided {
        for (name, p) in pair(stem, left) {
            regions.push(region(name, stem, vec![p]));
        }
    }
    regions.push(region("nose".into(), "nose", vec![poly(symmetric(&n))]));
    regions.push(region("perioral".into(), "perioral", vec![poly(symmetric(&[n[9], n[8], n[7], n[6], M1, M2, L3, K1, Q1, (0.0, 22.0)]))]));
    regions.push(region("chin".into(), "chin", vec![poly(symmetric(&[(0.0, 22.0), Q1, K1, c13, c14, c15]))]));
    regions.push(region(
        "neck".into(),
        "neck",
        vec![poly(symmetric(&[c15, c14, c13, c12, K2, (46.0, -40.0), (56.0, -85.0), (0.0, -85.0)]))],
    ));
    regions.push(region(
        "decollete".into(),
        "decollete",
        vec![poly(symmetric(&[(0.0, -85.0), (56.0, -85.0), (100.0, -110.0), (112.0, -165.0), (0.0, -205.0)]))],
    ));

    let [eye_l, eye_r] = pair("eye", &EYE_LEFT);
    let [nostril_l, nostril_r] = pair("nostril", &NOSTRIL_LEFT);
    let no_go = vec![eye_l, eye_r, ("lip_vermilion".into(), poly(ring(&LIPS))), nostril_l, nostril_r];
    FaceMap::from_polygons("default", regions, no_go)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raster::domain::Domain;

    #[test]
    fn the_default_face_builds_with_every_issue_region() {
        let m = default_face().unwrap();
        for name in [
            "forehead",
            "glabella",
            "temple_left",
            "temple_right",
            "periorbital_upper_left",
            "periorbital_lower_right",
            "nose",
            "cheek_left",
            "cheek_right",
            "nasolabial_left",
            "perioral",
            "chin",
            "jawline_right",
            "neck",
            "decollete",
        ] {
            assert!(m.region_index(name).is_some(), "{name}");
        }
        assert_eq!(m.no_go_names(), ["eye_left", "eye_right", "lip_vermilion", "nostril_left", "nostril_right"]);
        // Person's left is the picture's right.
        assert!(m.centroid(m.region_index("cheek_left").unwrap()).x > 0.0);
        assert!(m.area_mm2(0) > 0.0);
    }
}
