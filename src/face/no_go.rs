//! No-go zones met: which punctures' footprints touch each zone of a face map, with where.

use rayon::prelude::*;

use crate::geometry::{Rect, Vec2};
use crate::needle::puncture::Puncture;

use super::FaceMap;
use crate::pen::cartridge::Cartridge;
use crate::technique::hand::Hand;

/// Examples of no-go punctures kept per zone.
pub const NO_GO_EXAMPLES: usize = 5;

/// Punctures whose needle disk met one no-go zone.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NoGoHits {
    pub punctures: u64,
    /// Mean of their centres, mm.
    pub centroid_mm: Option<Vec2>,
    /// Box around their centres, mm.
    pub bounds_mm: Option<Rect>,
    /// The first few centres, in puncture order, mm.
    pub examples_mm: Vec<Vec2>,
}

/// The warning for a no-go margin that lets needles reach the zones (flat map and surface):
/// less than the cartridge's footprint radius, or than it plus 3 × the hand's tremor.
pub fn margin_warning(margin_mm: f64, cartridge: &Cartridge, hand: &Hand) -> Option<String> {
    let reach = 0.5 * cartridge.footprint_diameter_mm();
    let tremor = 3.0 * hand.tremor_amplitude_mm;
    if margin_mm < reach {
        Some(format!(
            "face.margin_mm = {margin_mm} is less than the cartridge's footprint radius ({reach:.2} mm): needles can reach the no-go zones"
        ))
    } else if margin_mm < reach + tremor {
        Some(format!(
            "face.margin_mm = {margin_mm} leaves less than 3 × hand.tremor_amplitude_mm ({tremor:.2} mm) beyond the cartridge's footprint radius ({reach:.2} mm): the tremor can carry needles into the no-go zones (see no_go)"
        ))
    } else {
        None
    }
}

/// Punctures with needle radius `r_mm` whose footprint meets each no-go zone of `map`
/// (tested on the disk that holds it, [`crate::needle::footprint::reach`]: the needle disk
/// for a perpendicular needle); one entry per zone.
pub fn no_go_hits(map: &FaceMap, r_mm: f64, punctures: &[Puncture]) -> Vec<NoGoHits> {
    let r = r_mm;
    let hits: Vec<Option<u16>> = punctures
        .par_iter()
        .map(|p| {
            let (at, reach) = crate::needle::footprint::reach(p, r);
            map.no_go_meeting_disk(at, reach).map(|k| k as u16)
        })
        .collect();
    gather(map.no_go_names().len(), punctures.iter().zip(hits).map(|(p, h)| (Vec2::new(p.x_mm, p.y_mm), h.map(usize::from))))
}

/// One entry per zone (`zones` of them) from each puncture's centre and the zone its
/// footprint touches, if any (flat map or surface: the centres are where the report shows
/// them).
pub fn gather(zones: usize, hits: impl IntoIterator<Item = (Vec2, Option<usize>)>) -> Vec<NoGoHits> {
    let mut out = vec![NoGoHits::default(); zones];
    let mut sums = vec![Vec2::zeros(); out.len()];
    for (c, h) in hits {
        let Some(k) = h else { continue };
        let z = &mut out[k];
        z.punctures += 1;
        sums[k] += c;
        z.bounds_mm = Some(match z.bounds_mm {
            None => Rect::new(c.x, c.y, c.x, c.y),
            Some(b) => Rect::new(b.x0.min(c.x), b.y0.min(c.y), b.x1.max(c.x), b.y1.max(c.y)),
        });
        if z.examples_mm.len() < NO_GO_EXAMPLES {
            z.examples_mm.push(c);
        }
    }
    for (z, s) in out.iter_mut().zip(sums) {
        if z.punctures > 0 {
            z.centroid_mm = Some(s / z.punctures as f64);
        }
    }
    out
}
