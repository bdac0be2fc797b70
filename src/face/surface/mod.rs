//! The built-in face surface: a real adult face and neck as a triangle mesh (mm) with the flat
//! default map's regions drawn on it, and 20 identity shape modes (how faces differ).
//!
//! **Data.** The ICT Face Model Light (ICT-FaceKit, © 2020 USC Institute for Creative
//! Technologies, MIT licence: `data/LICENSE`, attribution in `data/README.md`), shipped as a
//! compact binary ([`asset`], 1.5 MB: exact neutral positions and UVs, modes quantised to
//! 0.01 mm) loaded with `include_bytes!`: no IO at run time. Frame: x to the person's left,
//! y up, z out of the face, mm. Quads are split on their 0–2 diagonal: `(a, b, c)`, `(a, c, d)`.
//!
//! **What is kept** (the converter, `tests/surface_face/convert.rs`): the model's `face` group
//! (face, ears, front of the scalp, under the chin, front of the neck) and, from `head_neck`,
//! the quads whose centroid lies below the menton by less than [`regions::NECK_LENGTH_MM`],
//! within [`regions::NECK_HALF_WIDTH_MM`] of the midline and in front of the coronal plane through the `face` group's rearmost point (the back of
//! the ears): the sides of the neck. Scalp, back of the head, nape and shoulders are dropped.
//! **The décolleté is not in the mesh**: it stays on the flat map ([`super::default_face`]).
//!
//! **Regions** (assigned once per triangle on the neutral mesh, from the triangle's UV and 3D
//! centroids, and kept by triangle index under identity morphs). Landmarks are the model's
//! Multi-PIE vertices (`regions.rs`); the face chart is mirror-symmetric about u = 0.5, so the
//! rules are stated for the person's left half (u ≥ 0.5, x > 0) and mirrored. In order, the
//! first rule that matches wins:
//! 1. the neck's part of the head-and-neck chart (u > 1): `neck`;
//! 2. above the hairline (3D y more than [`regions::FOREHEAD_HEIGHT_MM`] = 56 mm above the mean
//!    brow landmark, the flat map's brow-to-hairline height) or lower than the neck
//!    ([`regions::NECK_LENGTH_MM`] = 85 mm below the menton): unassigned;
//! 3. below the jaw contour (the UV polyline through contour points 8–12, menton to the jaw
//!    angle, held level beyond): `neck` (under the chin and the front and sides of the neck),
//!    unassigned beyond [`regions::NECK_HALF_WIDTH_MM`] of the midline (the shoulders);
//! 4. lateral to the contour's top end (contour point 16): unassigned (ears, skin in front of
//!    the ear, sideburns);
//! 5. no-go zones: `eye_*`, every triangle with a corner within [`regions::EYE_MARGIN_MM`]
//!    (3 mm, 3D) of the eye opening's rim (the openings are holes: boundary loops of the mesh);
//!    `lip_vermilion`, inside the outer-lip landmark ring in UV or touching the mouth slit's
//!    rim; `nostril_*`, within 0.015 UV of the nostril pole (the highest vertex in the nose base
//!    box: the top of the nostril tube, which the model models as a tube into the nose);
//! 6. medial to the brow's medial end: `glabella` from the nose bridge landmark (27) up to
//!    0.4 × (brow − bridge) above the brow, `forehead` above; lateral to it up to the brow's
//!    tail, above the brow line: `forehead`;
//! 7. lateral to the brow's tail and above a quarter of the way from the eye axis to the brow
//!    tail: `temple_*`;
//! 8. `nose`: between the midline and a side line (half way to the inner eye corner at the
//!    bridge, just lateral to the nostril base at the tip and the subnasale), from the
//!    subnasale up to the bridge landmark;
//! 9. up to the brow's tail: `periorbital_upper_*` from the eye axis up to the brow line,
//!    `periorbital_lower_*` below it down to 0.6 × (brow − eye axis) under it;
//! 10. a line midway between the mouth corner and contour point 10 splits the lower face:
//!     `nasolabial_*` is a band 0.035 UV (≈ 10 mm) wide from the ala down to the chin's top
//!     lateral to that line; `jawline_*` a band 0.04 UV (≈ 12 mm) above the jaw contour lateral
//!     to it; medially `chin` below the chin's top (30 % of the way from the lower lip to the
//!     menton) and `perioral` up to the subnasale;
//! 11. everything else on the face: `cheek_*`.
//!
//! The region names, skin layers, recommended depths and their sources are the flat default
//! map's (taken from [`super::default_face`], one copy of each number), so reports compare.
//! Mesh groups follow [`SurfaceFace`]'s convention: regions, then no-go zones, then `""`.
//!
//! **Identity.** `identity[m]` is the weight of mode `m` in standard deviations (the model
//! samples each from a standard normal): vertex `v` moves by `Σ w[m] · mode[m][v]`. At most
//! [`MAX_IDENTITY_MODES`] weights, each within ±[`MAX_IDENTITY_SD`]; all zero (or none) is the
//! neutral mesh exactly.

pub mod asset;
pub mod regions;

use std::sync::OnceLock;

use crate::error::{Error, Result};
use crate::surface::{SurfaceMesh, Triangle};

use super::surface_face::SurfaceFace;
use super::{RegionInfo, default_face};
use asset::IctAsset;

/// Most identity weights (the shipped modes).
pub const MAX_IDENTITY_MODES: usize = 20;
/// Largest allowed |identity weight|, standard deviations.
pub const MAX_IDENTITY_SD: f64 = 5.0;

/// The decoded asset, its triangles (quads split on the 0–2 diagonal: `(a, b, c)`, `(a, c, d)`)
/// and each triangle's group, assigned once on the neutral mesh.
struct Neutral {
    asset: IctAsset,
    triangles: Vec<([usize; 3], [usize; 3])>,
    groups: Vec<usize>,
}

fn neutral() -> &'static Neutral {
    static NEUTRAL: OnceLock<Neutral> = OnceLock::new();
    NEUTRAL.get_or_init(|| {
        let asset = IctAsset::decode(asset::BYTES).expect("the shipped ICT face asset decodes (pinned by tests/surface_face.rs)");
        let triangles: Vec<([usize; 3], [usize; 3])> = asset
            .quads
            .iter()
            .flat_map(|q| {
                let (v, t) = (q.v.map(usize::from), q.uv.map(usize::from));
                [([v[0], v[1], v[2]], [t[0], t[1], t[2]]), ([v[0], v[2], v[3]], [t[0], t[2], t[3]])]
            })
            .collect();
        let assigner = regions::Assigner::new(&asset, &triangles);
        let groups = triangles.iter().map(|&(v, t)| assigner.group_of(v, t)).collect();
        Neutral { asset, triangles, groups }
    })
}

/// Check identity weights: at most [`MAX_IDENTITY_MODES`], each finite within ±[`MAX_IDENTITY_SD`].
pub fn validate_identity(identity: &[f64]) -> Result<()> {
    if identity.len() > MAX_IDENTITY_MODES {
        return Err(Error::invalid(
            "face.identity",
            format!("{} weights", identity.len()),
            format!("at most {MAX_IDENTITY_MODES} weights (the shipped modes)"),
        ));
    }
    if let Some((i, w)) = identity.iter().enumerate().find(|(_, w)| w.is_nan() || w.abs() > MAX_IDENTITY_SD) {
        return Err(Error::invalid(
            format!("face.identity[{i}] (sweep key face.identity.{i})"),
            w,
            format!("a weight in standard deviations within ±{MAX_IDENTITY_SD}"),
        ));
    }
    Ok(())
}

/// The built-in face surface morphed by `identity` (standard deviations of modes 0, 1, …;
/// missing weights are 0; all zero gives the neutral mesh exactly).
pub fn builtin_surface_face(identity: &[f64]) -> Result<SurfaceFace> {
    validate_identity(identity)?;
    let n = neutral();
    let a = &n.asset;
    let mut positions_mm = a.positions_mm.clone();
    for (m, &w) in identity.iter().enumerate() {
        if w != 0.0 {
            for (p, d) in positions_mm.iter_mut().zip(&a.modes_mm[m]) {
                for k in 0..3 {
                    p[k] += w * d[k];
                }
            }
        }
    }
    let triangles = n
        .triangles
        .iter()
        .zip(&n.groups)
        .map(|(&(v, t), &g)| Triangle { v: v.map(|i| i as u32), uv: t.map(|i| i as u32), group: g as u32 })
        .collect();
    let groups = regions::REGIONS.iter().chain(&regions::NO_GO).map(|s| s.to_string()).chain([String::new()]).collect();
    let mesh = SurfaceMesh { positions_mm, uvs: a.uvs.clone(), triangles, groups };
    let flat = default_face()?;
    let infos: Vec<RegionInfo> = regions::REGIONS
        .iter()
        .map(|name| flat.regions().iter().find(|r| r.name == *name).cloned().expect("every surface region is on the flat default map"))
        .collect();
    let no_go = regions::NO_GO.iter().map(|s| s.to_string()).collect();
    SurfaceFace::new("ict-face", mesh, infos, no_go, identity.to_vec())
}
