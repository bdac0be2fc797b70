//! The built-in face surface: the ICT-FaceKit Light neutral face and neck (USC ICT, MIT
//! licence, `data/LICENSE`), with the flat default map's regions drawn on it and its 20
//! identity shape modes.
//!
//! WIP: rules documented below once settled.

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
        return Err(Error::invalid("face.identity", format!("{} weights", identity.len()), format!("at most {MAX_IDENTITY_MODES} weights (the shipped modes)")));
    }
    if let Some((i, w)) = identity.iter().enumerate().find(|(_, w)| !(w.abs() <= MAX_IDENTITY_SD)) {
        return Err(Error::invalid(format!("face.identity[{i}]"), w, format!("a weight in standard deviations within ±{MAX_IDENTITY_SD}")));
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
