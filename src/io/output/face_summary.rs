//! `summary.json` of a face session: every key of the patch summary (over the treated
//! regions), then the face keys. Keys are added, never renamed.
//!
//! Whole-session keys in face mode: `area_mm2` is the treated regions' area (no-go zones
//! excluded); `depth_mm` is the deepest set depth of the plan; `passes` and the per-pass
//! lists count session passes (pass k = the k-th pass over each region); `technique`
//! describes, for each session pass, the first treatment that has it. Per region (in map
//! order) under `regions.<name>`: the same coverage, density and time keys, plus `area_mm2`,
//! the skin, the layers reached and coverage at depth.

use serde::{Serialize, Serializer, ser::SerializeMap};

use crate::face::RegionInfo;
use crate::face::no_go::NoGoHits;
use crate::face::plan::Treatment;
use crate::face::report::RegionRun;
use crate::face::simulation::{FaceRunResult, FaceSimulation};
use crate::face::stamping::TreatmentRun;
use crate::needle::skin::{self, LayerCounts};
use crate::technique::session_time::LabelDose;

use super::summary::{CoverageKeys, Summary, ZoneSummary};

/// A map serialised in insertion order.
#[derive(Clone, Debug)]
pub struct Ordered<T>(pub Vec<(String, T)>);

impl<T: Serialize> Serialize for Ordered<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct FaceSummary {
    #[serde(flatten)]
    pub base: Summary,
    pub face: FaceSection,
    /// Fractions of the punctures centred in treated regions, by the deepest layer reached.
    pub layers: LayerFractions,
    /// Hole coverage at the dermal–epidermal junction / mid-dermis (punctures reaching it).
    pub coverage_dej: f64,
    pub coverage_mid_dermis: f64,
    /// Punctures whose centre is in no region (off the map or inside a no-go zone).
    pub punctures_off_map: u64,
    pub no_go: Ordered<NoGoSummary>,
    pub regions: Ordered<RegionSummary>,
}

#[derive(Clone, Debug, Serialize)]
pub struct FaceSection {
    pub map: String,
    pub margin_mm: f64,
    pub penetration_ratio: f64,
    pub tilt_deg: f64,
    /// Area of every region of the map, mm².
    pub map_area_mm2: f64,
    /// Moves from one treatment's region to the next, and the time each takes (in
    /// `session.procedure_time_s`), s.
    pub region_changes: usize,
    pub reposition_per_region_s: f64,
    pub treatments: Vec<TreatmentSummary>,
}

#[derive(Clone, Debug, Serialize)]
pub struct TreatmentSummary {
    pub region: String,
    pub depth_mm: f64,
    pub real_depth_mm: f64,
    pub pattern: &'static str,
    pub speed_mm_s: f64,
    pub directions_deg: Vec<f64>,
    pub first_pass: usize,
    pub stamps_per_pass: Vec<usize>,
    pub path_time_s: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct LayerFractions {
    pub epidermis_only: f64,
    pub dermis: f64,
    pub beyond: f64,
}

impl From<&LayerCounts> for LayerFractions {
    fn from(c: &LayerCounts) -> Self {
        let [epidermis_only, dermis, beyond] = c.fractions();
        LayerFractions { epidermis_only, dermis, beyond }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct NoGoSummary {
    /// Punctures whose needle disk touches the zone.
    pub punctures: u64,
    pub centroid_mm: Option<[f64; 2]>,
    /// `[x0, y0, x1, y1]` around their centres, mm.
    pub bounds_mm: Option<[f64; 4]>,
    pub examples_mm: Vec<[f64; 2]>,
}

impl From<&NoGoHits> for NoGoSummary {
    fn from(z: &NoGoHits) -> Self {
        NoGoSummary {
            punctures: z.punctures,
            centroid_mm: z.centroid_mm.map(|c| [c.x, c.y]),
            bounds_mm: z.bounds_mm.map(|b| [b.x0, b.y0, b.x1, b.y1]),
            examples_mm: z.examples_mm.iter().map(|p| [p.x, p.y]).collect(),
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct SkinSummary {
    pub epidermis_mm: f64,
    pub dermis_mm: f64,
    pub subcutis_mm: f64,
    pub dej_mm: f64,
    pub mid_dermis_mm: f64,
    pub source: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct RegionSummary {
    pub treated: bool,
    /// Exact area (no-go zones excluded), mm².
    pub area_mm2: f64,
    pub sampled_area_mm2: f64,
    /// Deepest set depth of the treatments of this region, mm (null when untreated).
    pub depth_mm: Option<f64>,
    pub depths_mm: Vec<f64>,
    /// Real depth of the deepest setting at the device's angle, mm.
    pub real_depth_mm: Option<f64>,
    /// Mean real depth of the punctures centred in the region (each with its own tilt), mm.
    pub mean_real_depth_mm: Option<f64>,
    pub recommended_depth_mm: [f64; 2],
    pub skin: SkinSummary,
    pub passes: usize,
    pub stamps: usize,
    /// Punctures whose centre is in the region.
    pub punctures: u64,
    #[serde(flatten)]
    pub hole: CoverageKeys,
    pub treated_zone: Option<ZoneSummary>,
    pub coverage_dej: f64,
    pub coverage_mid_dermis: f64,
    pub layers: LayerFractions,
    pub path_time_s: f64,
    /// Cocktail of the punctures centred in the region, µL, and per cm².
    pub dose_ul: f64,
    pub dose_ul_per_cm2: f64,
    pub warnings: Vec<String>,
}

impl TreatmentSummary {
    /// One entry per treatment of the plan, with what it produced; `name` gives a region's
    /// name, `real` the real depth of a set depth.
    pub fn all<'a>(
        plan: &[Treatment],
        runs: &[TreatmentRun],
        name: impl Fn(u16) -> &'a String,
        real: impl Fn(f64) -> f64,
    ) -> Vec<TreatmentSummary> {
        plan.iter()
            .zip(runs)
            .map(|(t, run)| TreatmentSummary {
                region: name(t.region).clone(),
                depth_mm: t.depth_mm,
                real_depth_mm: real(t.depth_mm),
                pattern: t.passes[0].pattern.name(),
                speed_mm_s: t.passes[0].speed_mm_s,
                directions_deg: t.passes.iter().map(|p| p.direction_deg).collect(),
                first_pass: run.first_pass,
                stamps_per_pass: run.stamps_per_pass.clone(),
                path_time_s: run.pass_time_s.iter().sum(),
            })
            .collect()
    }
}

impl RegionSummary {
    /// A region's keys from its figures `g` (flat map or surface), its area, the halo, its
    /// dose label and the real depth of a set depth.
    pub fn new(info: &RegionInfo, g: &RegionRun, area_mm2: f64, halo_mm: f64, dose: Option<&LabelDose>, real: impl Fn(f64) -> f64) -> Self {
        let c = &g.coverage;
        let deepest = g.depths_mm.iter().copied().fold(None, |a: Option<f64>, d| Some(a.map_or(d, |a| a.max(d))));
        let s = &info.skin;
        RegionSummary {
            treated: g.treated,
            area_mm2,
            sampled_area_mm2: c.sampled_area_mm2,
            depth_mm: deepest,
            depths_mm: g.depths_mm.clone(),
            real_depth_mm: deepest.map(real),
            mean_real_depth_mm: g.mean_real_depth_mm,
            recommended_depth_mm: [info.recommended_depth_mm.0, info.recommended_depth_mm.1],
            skin: SkinSummary {
                epidermis_mm: s.epidermis_mm,
                dermis_mm: s.dermis_mm,
                subcutis_mm: s.subcutis_mm,
                dej_mm: s.dej_mm(),
                mid_dermis_mm: s.mid_dermis_mm(),
                source: info.source.clone(),
            },
            passes: g.passes,
            stamps: g.stamps,
            punctures: g.density.punctures_inside,
            hole: CoverageKeys::new(c, &g.density, g.passes),
            treated_zone: g.zone.as_ref().map(|z| ZoneSummary::new(halo_mm, z)),
            coverage_dej: g.coverage_dej,
            coverage_mid_dermis: g.coverage_mid_dermis,
            layers: (&g.layers).into(),
            path_time_s: g.path_time_s,
            dose_ul: dose.map_or(0.0, |d| d.ul),
            dose_ul_per_cm2: dose.map_or(0.0, |d| d.ul_per_cm2),
            warnings: g.warnings.clone(),
        }
    }
}

impl FaceSummary {
    pub fn new(sim: &FaceSimulation, r: &FaceRunResult) -> Self {
        let map = &sim.map;
        let view = sim.summary_view();
        let mut base = Summary::new(&view, &r.run);
        base.area_mm2 =
            r.regions.iter().zip(0u16..).filter(|(g, _)| g.treated).map(|(_, l)| crate::raster::domain::Domain::area_mm2(map, l)).sum();
        let tilt = sim.tilt_deg();
        let real = |d: f64| skin::real_depth_mm(d, sim.penetration_ratio, tilt);
        let treatments = TreatmentSummary::all(&sim.treatments, &r.treatments, |l| &map.region(l).name, real);
        let regions = r
            .regions
            .iter()
            .enumerate()
            .map(|(l, g)| {
                let info = map.region(l as u16);
                let area = crate::raster::domain::Domain::area_mm2(map, l as u16);
                let dose = r.run.technique.dose.labels.get(l + 1);
                (info.name.clone(), RegionSummary::new(info, g, area, sim.halo_mm, dose, real))
            })
            .collect();
        let no_go = map.no_go_names().iter().zip(&r.no_go).map(|(n, z)| (n.clone(), NoGoSummary::from(z))).collect();
        FaceSummary {
            base,
            face: FaceSection {
                map: map.name().to_string(),
                margin_mm: sim.margin_mm,
                penetration_ratio: sim.penetration_ratio,
                tilt_deg: tilt,
                map_area_mm2: map.total_area_mm2(),
                region_changes: r.run.technique.session.region_changes,
                reposition_per_region_s: sim.technique.session.reposition_per_region_s,
                treatments,
            },
            layers: (&r.layers).into(),
            coverage_dej: r.coverage_dej,
            coverage_mid_dermis: r.coverage_mid_dermis,
            punctures_off_map: r.off_map,
            no_go: Ordered(no_go),
            regions: Ordered(regions),
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("summary serialises") + "\n"
    }
}
