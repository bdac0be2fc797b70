//! Region and no-go assignment on the built-in face surface, per triangle, on the neutral
//! mesh (rules in the parent module's doc). Everything here works in the UV chart and in the
//! neutral 3D positions (mm); the landmarks are the ICT model's Multi-PIE vertices.

use std::collections::HashMap;

use super::asset::IctAsset;

/// Multi-PIE jaw contour 0–16 (source vertex indices; 0 = the person's right ear end).
const JAW: [u32; 17] = [1225, 1888, 1052, 367, 1719, 1722, 2199, 1447, 966, 3661, 4390, 3927, 3924, 2608, 3272, 4088, 3443];
/// The person's left brow, medial to lateral.
const BROW_LEFT: [u32; 5] = [3615, 4240, 4114, 2734, 2509];
/// The person's right brow, medial to lateral.
const BROW_RIGHT: [u32; 5] = [1401, 2044, 1914, 493, 268];
/// Left eye: inner corner, outer corner.
const EYE_LEFT_CORNERS: [u32; 2] = [3742, 3721];
/// Nose bridge top (Multi-PIE 27), nose tip (30), subnasale (33), left nostril base (35).
const NASION: u32 = 978;
const NOSE_TIP: u32 = 4857;
const SUBNASALE: u32 = 1147;
const NOSTRIL_BASE_LEFT: u32 = 3360;
/// Outer lip contour (vermilion border), a ring; the left mouth corner; top and bottom midline.
const OUTER_LIP: [u32; 12] = [5708, 5695, 2081, 0, 4275, 6200, 6213, 6346, 6461, 5518, 5957, 5841];
const LIP_CORNER_LEFT: u32 = 6213;
const LIP_BOTTOM: u32 = 5518;
/// Inner lip landmarks (on the mouth slit) and one eye landmark per side: they pick the holes.
const INNER_LIP: [u32; 2] = [5533, 5517];
const EYE_LEFT: u32 = 3756;
const EYE_RIGHT: u32 = 1542;

/// Forehead height above the brow line, mm: the flat map's hairline 56 mm above its brow line
/// (`default.rs`: brow line y = 124, hairline 180) **[assumed, as the flat map]**.
pub const FOREHEAD_HEIGHT_MM: f64 = 56.0;
/// No-go margin around the eye openings, mm (3D distance to the hole's rim): the lids' margins
/// **[assumed]** (the flat map's eye zones are ≈ 3 mm wider than a 30 × 10 mm fissure).
pub const EYE_MARGIN_MM: f64 = 3.0;
/// Neck length below the menton, mm: the flat map's neck (menton to suprasternal notch,
/// `default.rs`) **[assumed, as the flat map]**. Skin lower than this is not kept or not treated.
pub const NECK_LENGTH_MM: f64 = 85.0;
/// Largest |x| of the treated neck, mm: a little wider than this model's neck (≈ 60 mm half
/// width); beyond it the mesh flares into the shoulders **[assumed]**.
pub const NECK_HALF_WIDTH_MM: f64 = 65.0;
/// The menton (Multi-PIE 8, lowest point of the chin), source vertex index.
pub const MENTON: u32 = 966;
/// Width of the jawline band above the jaw contour, UV units (≈ 12 mm, the flat map's band).
const JAWLINE_BAND_UV: f64 = 0.04;
/// Width of the nasolabial band, UV units (≈ 10 mm, the flat map's band).
const NASOLABIAL_BAND_UV: f64 = 0.035;
/// Radius of the nostril no-go disk around the nostril pole, UV units.
const NOSTRIL_RADIUS_UV: f64 = 0.015;

/// Group indices produced by [`assign`]: regions in the order of [`REGIONS`], then the no-go
/// zones in the order of [`NO_GO`], then unassigned.
pub const REGIONS: [&str; 18] = [
    "forehead",
    "glabella",
    "temple_left",
    "temple_right",
    "periorbital_upper_left",
    "periorbital_upper_right",
    "periorbital_lower_left",
    "periorbital_lower_right",
    "cheek_left",
    "cheek_right",
    "nasolabial_left",
    "nasolabial_right",
    "jawline_left",
    "jawline_right",
    "nose",
    "perioral",
    "chin",
    "neck",
];
pub const NO_GO: [&str; 5] = ["eye_left", "eye_right", "lip_vermilion", "nostril_left", "nostril_right"];
pub const UNASSIGNED: usize = REGIONS.len() + NO_GO.len();

fn group(name: &str, left: bool) -> usize {
    let full = if name.ends_with('_') { format!("{name}{}", if left { "left" } else { "right" }) } else { name.to_string() };
    REGIONS.iter().chain(NO_GO.iter()).position(|g| *g == full).expect("a known group")
}

type Uv = [f64; 2];

/// Piecewise-linear v(u) through points sorted by u, clamped beyond the ends.
fn polyline_v(pts: &[Uv], u: f64) -> f64 {
    if u <= pts[0][0] {
        return pts[0][1];
    }
    for w in pts.windows(2) {
        if u <= w[1][0] {
            let t = (u - w[0][0]) / (w[1][0] - w[0][0]);
            return w[0][1] + t * (w[1][1] - w[0][1]);
        }
    }
    pts[pts.len() - 1][1]
}

/// Piecewise-linear u(v) through points sorted by decreasing v, clamped beyond the ends.
fn polyline_u(pts: &[Uv], v: f64) -> f64 {
    let flipped: Vec<Uv> = pts.iter().rev().map(|p| [p[1], p[0]]).collect();
    polyline_v(&flipped, v)
}

/// Even-odd point-in-polygon.
fn inside(ring: &[Uv], p: Uv) -> bool {
    let mut c = false;
    for i in 0..ring.len() {
        let (a, b) = (ring[i], ring[(i + 1) % ring.len()]);
        if (a[1] > p[1]) != (b[1] > p[1]) && p[0] < a[0] + (p[1] - a[1]) / (b[1] - a[1]) * (b[0] - a[0]) {
            c = !c;
        }
    }
    c
}

/// The landmark-derived lines of the person's left half (u ≥ 0.5); the right half is its
/// mirror image u → 1 − u (the chart is symmetric to the printed digits).
struct Lines {
    brow: Vec<Uv>,
    jaw: Vec<Uv>,
    eye_axis_v: f64,
    eye_inner: Uv,
    eye_outer: Uv,
    nasion: Uv,
    nose_tip: Uv,
    subnasale: Uv,
    nostril_base: Uv,
    lip_corner: Uv,
    lip_bottom: Uv,
    outer_lip: Vec<Uv>,
    brow_y_mm: f64,
    menton_y_mm: f64,
    /// The lateral limit of the treated face: the contour's top end (Multi-PIE 16), u.
    lateral_u: f64,
}

/// Per-vertex data the rules use.
pub(super) struct Assigner<'a> {
    asset: &'a IctAsset,
    lines: Lines,
    /// Vertices on the rim of each hole: eye left, eye right, mouth.
    near_eye: [Vec<bool>; 2],
    on_mouth: Vec<bool>,
    nostril_pole: Uv,
}

impl<'a> Assigner<'a> {
    pub(super) fn new(asset: &'a IctAsset, triangles: &[([usize; 3], [usize; 3])]) -> Self {
        let mut uv_of = HashMap::new();
        for (v, t) in triangles {
            for k in 0..3 {
                uv_of.entry(v[k]).or_insert(asset.uvs[t[k]]);
            }
        }
        let uv = |s: u32| uv_of[&asset.vertex(s).expect("landmark kept")];
        let mut brow: Vec<Uv> = BROW_LEFT.iter().map(|&s| uv(s)).collect();
        brow.sort_by(|a, b| a[0].total_cmp(&b[0]));
        let jaw: Vec<Uv> = JAW[8..13].iter().map(|&s| uv(s)).collect();
        let (eye_inner, eye_outer) = (uv(EYE_LEFT_CORNERS[0]), uv(EYE_LEFT_CORNERS[1]));
        let brow_y_mm = BROW_LEFT.iter().chain(&BROW_RIGHT).map(|&s| asset.positions_mm[asset.vertex(s).unwrap()][1]).sum::<f64>() / 10.0;
        let lines = Lines {
            brow,
            jaw,
            eye_axis_v: 0.5 * (eye_inner[1] + eye_outer[1]),
            eye_inner,
            eye_outer,
            nasion: uv(NASION),
            nose_tip: uv(NOSE_TIP),
            subnasale: uv(SUBNASALE),
            nostril_base: uv(NOSTRIL_BASE_LEFT),
            lip_corner: uv(LIP_CORNER_LEFT),
            lip_bottom: uv(LIP_BOTTOM),
            outer_lip: OUTER_LIP.iter().map(|&s| uv(s)).collect(),
            brow_y_mm,
            menton_y_mm: asset.positions_mm[asset.vertex(MENTON).expect("menton kept")][1],
            lateral_u: uv(JAW[16])[0],
        };
        // Holes: boundary loops of the triangle mesh; each hole is the loop nearest its landmark.
        let loops = boundary_loops(triangles);
        let pos = &asset.positions_mm;
        let nearest_loop = |s: u32| -> &Vec<usize> {
            let p = pos[asset.vertex(s).unwrap()];
            loops
                .iter()
                .min_by(|a, b| {
                    let d = |l: &Vec<usize>| l.iter().map(|&v| dist(pos[v], p)).fold(f64::INFINITY, f64::min);
                    d(a).total_cmp(&d(b))
                })
                .expect("the mesh has boundary loops")
        };
        let near =
            |rim: &Vec<usize>, margin: f64| -> Vec<bool> { pos.iter().map(|&p| rim.iter().any(|&r| dist(pos[r], p) <= margin)).collect() };
        let near_eye = [near(nearest_loop(EYE_LEFT), EYE_MARGIN_MM), near(nearest_loop(EYE_RIGHT), EYE_MARGIN_MM)];
        let on_mouth = near(nearest_loop(INNER_LIP[0]), 0.0);
        debug_assert!(std::ptr::eq(nearest_loop(INNER_LIP[0]), nearest_loop(INNER_LIP[1])));
        // The nostril tube converges to a pole inside the nose: the highest vertex whose UV lies
        // in the left nose base box (between the midline and the nostril base, between the
        // subnasale and the nose tip).
        let l = &lines;
        let pole = (0..pos.len())
            .filter(|v| {
                uv_of.get(v).is_some_and(|p| p[0] >= 0.5 && p[0] <= l.nostril_base[0] && p[1] >= l.subnasale[1] && p[1] <= l.nose_tip[1])
            })
            .max_by(|&a, &b| pos[a][1].total_cmp(&pos[b][1]))
            .expect("vertices in the nose base box");
        let nostril_pole = uv_of[&pole];
        Assigner { asset, lines, near_eye, on_mouth, nostril_pole }
    }

    /// The group of one triangle (vertex indices, UV indices).
    pub(super) fn group_of(&self, v: [usize; 3], t: [usize; 3]) -> usize {
        let a = self.asset;
        let c_uv = [0, 1].map(|k| t.iter().map(|&i| a.uvs[i][k]).sum::<f64>() / 3.0);
        let c_mm = [0, 1, 2].map(|k| v.iter().map(|&i| a.positions_mm[i][k]).sum::<f64>() / 3.0);
        if c_uv[0] > 1.0 {
            return group("neck", true);
        }
        let l = &self.lines;
        let left = c_uv[0] >= 0.5;
        let p = [if left { c_uv[0] } else { 1.0 - c_uv[0] }, c_uv[1]];
        let (u, w) = (p[0], p[1]);
        // Outside the treated face: above the hairline, below the neck, lateral to the face
        // contour's top end.
        if c_mm[1] > l.brow_y_mm + FOREHEAD_HEIGHT_MM || c_mm[1] < l.menton_y_mm - NECK_LENGTH_MM {
            return UNASSIGNED;
        }
        if w < polyline_v(&l.jaw, u) {
            return if c_mm[0].abs() > NECK_HALF_WIDTH_MM { UNASSIGNED } else { group("neck", true) };
        }
        if u > l.lateral_u {
            return UNASSIGNED;
        }
        // No-go zones.
        let eye = if left { 0 } else { 1 };
        if v.iter().any(|&i| self.near_eye[eye][i]) {
            return group("eye_", left);
        }
        if v.iter().any(|&i| self.on_mouth[i]) || inside(&l.outer_lip, c_uv) {
            return group("lip_vermilion", true);
        }
        let np = self.nostril_pole;
        if (u - np[0]).hypot(w - np[1]) < NOSTRIL_RADIUS_UV {
            return group("nostril_", left);
        }
        let brow_v = polyline_v(&l.brow, u);
        let brow_medial = l.brow[0];
        let brow_lateral = l.brow[l.brow.len() - 1];
        let glabella_top = brow_medial[1] + 0.4 * (brow_medial[1] - l.nasion[1]);
        if u < brow_medial[0] {
            if w >= glabella_top {
                return group("forehead", true);
            }
            if w >= l.nasion[1] {
                return group("glabella", true);
            }
        } else if w >= brow_v && u <= brow_lateral[0] {
            return group("forehead", true);
        }
        let temple_low = l.eye_axis_v + 0.25 * (brow_lateral[1] - l.eye_axis_v);
        if u > brow_lateral[0] && w >= temple_low {
            return group("temple_", left);
        }
        // The nose: between the midline and its side line, from the nasion to the subnasale.
        let nose_side = [
            [0.5 + 0.5 * (l.eye_inner[0] - 0.5), l.nasion[1]],
            [l.nostril_base[0] + 0.01, l.nose_tip[1]],
            [l.nostril_base[0] + 0.015, l.subnasale[1]],
        ];
        let side_u = polyline_u(&nose_side, w);
        if u <= side_u && w >= l.subnasale[1] && w < l.nasion[1] {
            return group("nose", true);
        }
        let lower_bottom = l.eye_axis_v - 0.6 * (brow_medial[1] - l.eye_axis_v);
        if u <= brow_lateral[0] && w >= l.eye_axis_v {
            return group("periorbital_upper_", left);
        }
        if u <= brow_lateral[0] && w >= lower_bottom && u > side_u {
            return group("periorbital_lower_", left);
        }
        // Mouth, chin, jaw: a vertical line midway between the mouth corner and contour point 10
        // separates perioral/chin (medial) from nasolabial/jawline (lateral).
        let medial_u = 0.5 * (l.lip_corner[0] + l.jaw[2][0]);
        let chin_top = l.lip_bottom[1] - 0.3 * (l.lip_bottom[1] - l.jaw[0][1]);
        let ala_top = [polyline_u(&nose_side, l.nose_tip[1]), l.nose_tip[1]];
        let ala_bottom = [polyline_u(&nose_side, l.subnasale[1]), l.subnasale[1]];
        let b = NASOLABIAL_BAND_UV;
        let nasolabial = [
            ala_top,
            [ala_top[0] + b, ala_top[1]],
            [medial_u + b, l.lip_corner[1]],
            [medial_u + b, chin_top],
            [medial_u, chin_top],
            [medial_u, l.lip_corner[1]],
            ala_bottom,
        ];
        if inside(&nasolabial, p) {
            return group("nasolabial_", left);
        }
        if u > medial_u && w < polyline_v(&l.jaw, u) + JAWLINE_BAND_UV {
            return group("jawline_", left);
        }
        if u <= medial_u && w < chin_top {
            return group("chin", true);
        }
        if u <= medial_u && w < l.subnasale[1] {
            return group("perioral", true);
        }
        let _ = l.eye_outer;
        group("cheek_", left)
    }
}

fn dist(a: [f64; 3], b: [f64; 3]) -> f64 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)).sqrt()
}

/// Boundary loops (edges used by one triangle) as vertex sets, in order of first vertex.
fn boundary_loops(triangles: &[([usize; 3], [usize; 3])]) -> Vec<Vec<usize>> {
    let mut count: HashMap<(usize, usize), u32> = HashMap::new();
    for (v, _) in triangles {
        for k in 0..3 {
            let (a, b) = (v[k], v[(k + 1) % 3]);
            *count.entry((a.min(b), a.max(b))).or_default() += 1;
        }
    }
    let mut edges: Vec<(usize, usize)> = count.into_iter().filter(|&(_, n)| n == 1).map(|(e, _)| e).collect();
    edges.sort_unstable();
    let mut adj: HashMap<usize, Vec<usize>> = HashMap::new();
    for &(a, b) in &edges {
        adj.entry(a).or_default().push(b);
        adj.entry(b).or_default().push(a);
    }
    let mut starts: Vec<usize> = adj.keys().copied().collect();
    starts.sort_unstable();
    let mut seen = std::collections::HashSet::new();
    let mut loops = Vec::new();
    for s in starts {
        if seen.contains(&s) {
            continue;
        }
        let mut comp = Vec::new();
        let mut stack = vec![s];
        while let Some(x) = stack.pop() {
            if seen.insert(x) {
                comp.push(x);
                stack.extend(&adj[&x]);
            }
        }
        comp.sort_unstable();
        loops.push(comp);
    }
    loops
}
