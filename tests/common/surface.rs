//! Meshes and sessions shared by the surface tests.

use needlesim::face::RegionInfo;
use needlesim::face::plan::Treatment;
use needlesim::face::surface_face::SurfaceFace;
use needlesim::face::surface_simulation::{SurfaceRunResult, SurfaceSimulation};
use needlesim::geometry::Vec2;
use needlesim::needle::skin::SkinLayers;
use needlesim::pen::cartridge::Cartridge;
use needlesim::pen::device::Device;
use needlesim::sim::Limits;
use needlesim::surface::shapes::sphere_cap;
use needlesim::surface::{PenOrientation, SurfaceMesh, Triangle};
use needlesim::technique::Technique;
use needlesim::technique::hand::Hand;
use needlesim::technique::lanes::{PassPlan, Pattern};

/// A face-like sphere cap (radius 40 mm, 45°, 30 × 120 quads) with groups by the distance of
/// each triangle's centroid from the axis: `eye` (group 1) within 6 mm, unassigned skin
/// (group 2, no name) beyond 26 mm, `cheek` (group 0) between.
pub fn cap_with_eye() -> SurfaceMesh {
    let mut m = sphere_cap(40.0, 45.0, 30, 120);
    m.groups = vec!["cheek".into(), "eye".into(), String::new()];
    let from_axis = |t: &Triangle, m: &SurfaceMesh| {
        let c = m.corners_mm(t);
        let x = (c[0][0] + c[1][0] + c[2][0]) / 3.0;
        let y = (c[0][1] + c[1][1] + c[2][1]) / 3.0;
        (x * x + y * y).sqrt()
    };
    let groups: Vec<u32> = m
        .triangles
        .iter()
        .map(|t| match from_axis(t, &m) {
            d if d < 6.0 => 1,
            d if d > 26.0 => 2,
            _ => 0,
        })
        .collect();
    for (t, g) in m.triangles.iter_mut().zip(groups) {
        t.group = g;
    }
    m
}

/// A region with test skin (0.1 / 1.5 / 5 mm) and a 0.5–2 mm recommended depth.
pub fn region(name: &str) -> RegionInfo {
    RegionInfo {
        name: name.into(),
        skin: SkinLayers { epidermis_mm: 0.1, dermis_mm: 1.5, subcutis_mm: 5.0 },
        recommended_depth_mm: (0.5, 2.0),
        source: "test".into(),
    }
}

/// A pass at 12 mm/s, lanes 3 mm apart.
pub fn pass(pattern: Pattern, direction_deg: f64) -> PassPlan {
    PassPlan { direction_deg, pattern, speed_mm_s: 12.0, lane_spacing_mm: 3.0, lane_offset_mm: 0.0 }
}

/// A one-region session on `mesh` (its first group treated at 1 mm, seed 7, 0.01 mm grid,
/// margin 1.5 mm, pen normal to the skin) with `hand` and `device`.
pub fn session_with(mesh: SurfaceMesh, passes: Vec<PassPlan>, cartridge: Cartridge, hand: Hand, device: Device) -> SurfaceSimulation {
    let name = mesh.groups[0].clone();
    let face = SurfaceFace::new("test", mesh, vec![region(&name)], vec![], vec![]).unwrap();
    SurfaceSimulation {
        name: "surface".into(),
        seed: 7,
        cartridge,
        device,
        resolution_mm: 0.01,
        halo_mm: 0.0,
        picture: false,
        limits: Limits::default(),
        technique: Technique { hand, ..Technique::default() },
        face,
        treatments: vec![Treatment { region: 0, depth_mm: 1.0, passes, first_pass: None }],
        margin_mm: 1.5,
        penetration_ratio: 0.6,
        orientation: PenOrientation::Normal,
    }
}

/// One needle at the cartridge centre.
pub fn one_needle() -> Cartridge {
    Cartridge { needles_mm: vec![Vec2::zeros()], needle_diameter_mm: 0.18, depth_mm: 1.0 }
}

/// Punctures = needles × stamps, and one landing record per puncture.
pub fn assert_conserved(r: &SurfaceRunResult, needles: usize) {
    let stamps: usize = r.run.stamps_per_pass.iter().sum();
    assert_eq!(r.run.punctures.len(), stamps * needles);
    assert_eq!(r.landing.tri.len(), r.run.punctures.len());
    assert_eq!(r.landing.shape.len(), r.run.punctures.len());
    assert_eq!(r.landing.surface_tilt_deg.len(), r.run.punctures.len());
}
