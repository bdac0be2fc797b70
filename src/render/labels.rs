//! Label placement that never collides: boxes of text placed near their anchors, away from
//! each other, from obstacles (no-go hatching) and inside the picture; a label whose region
//! is too small for it goes outside, joined to its anchor by a leader line.
//!
//! **Units.** Everything is in image pixels (x right, y down) as [`Rect`] and [`Vec2`]; the
//! placer knows nothing about maps, fonts or faces, so flat maps, UV charts and 3D renders
//! use it alike. The caller measures each label's box (text plus padding) at the size it
//! draws.
//!
//! **Invariants** of [`place_labels`] (tests/labels.rs and the proptest below):
//! - every placed box lies inside `bounds`, meets no obstacle and no other placed box
//!   (boxes are kept [`GAP_PX`] apart), and covers no other label's anchor;
//! - no leader line crosses another placed box or an obstacle, except the obstacle its own
//!   anchor lies in (a no-go zone's own name points into the zone);
//! - the result depends on the input only (greedy, in a fixed order, no randomness).
//!
//! **Method.** Greedy, in two rounds. First the labels with a home polygon (their region)
//! are tried inside it at positions around the anchor, smallest region first (it has the
//! fewest places). Then every label still unplaced (those without a home last) is tried on
//! rings of growing radius around its anchor, horizontal directions first, with a leader
//! line from the anchor to the box (none for a label without a home that lands next to its
//! anchor); a leader never crosses another box, obstacle or (if any other place exists)
//! another leader. A label with no free place at all is left out (`None`) rather than drawn
//! over another.

use crate::geometry::{Rect, Vec2};

/// Smallest free space kept between two label boxes, px.
pub const GAP_PX: f64 = 2.0;
/// Distance a box keeps from the other labels' anchors, px.
pub const ANCHOR_CLEARANCE_PX: f64 = 3.0;
/// Step between the rings of leader positions, px.
const RING_STEP_PX: f64 = 8.0;
/// Directions tried on each ring.
const DIRECTIONS: usize = 24;

/// One label to place.
#[derive(Clone, Debug, PartialEq)]
pub struct LabelRequest {
    /// The text (lines separated by `\n`); carried along, not measured here.
    pub text: String,
    /// The point the label names, px.
    pub anchor: Vec2,
    /// Width and height of the label's box, px.
    pub size: (f64, f64),
    /// The area the label belongs to (a region's outline, px): the label sits inside it when
    /// it fits, else outside with a leader. `None`: near the anchor, else with a leader.
    pub home: Option<Vec<Vec2>>,
}

/// Where a label went.
#[derive(Clone, Debug, PartialEq)]
pub struct PlacedLabel {
    /// The box, px.
    pub rect: Rect,
    /// From the anchor to the nearest point of the box, when the box is away from its anchor.
    pub leader: Option<(Vec2, Vec2)>,
}

/// Place `requests` (see the module doc); one entry per request, `None` when there was no
/// free place for it.
///
/// # Runtime
/// O(n · c · (n + o)) for n labels, o obstacles and c candidate places per label (a few
/// dozen inside, up to `24 × picture size / 8` on the rings): well under a millisecond for
/// a face map's thirty labels.
pub fn place_labels(requests: &[LabelRequest], obstacles: &[Rect], bounds: Rect) -> Vec<Option<PlacedLabel>> {
    let anchors: Vec<Vec2> = requests.iter().map(|r| r.anchor).collect();
    let mut state = State { boxes: Vec::new(), leaders: Vec::new(), obstacles, bounds, anchors: &anchors };
    let mut out: Vec<Option<PlacedLabel>> = vec![None; requests.len()];
    // Round 1: inside the home, smallest home first (it has the fewest places).
    let mut order: Vec<usize> = (0..requests.len()).collect();
    let home_area = |r: &LabelRequest| r.home.as_ref().map_or(f64::INFINITY, |h| polygon_area(h));
    order.sort_by(|&a, &b| home_area(&requests[a]).total_cmp(&home_area(&requests[b])).then(a.cmp(&b)));
    for &i in &order {
        let r = &requests[i];
        if !valid(r) {
            continue;
        }
        let Some(home) = &r.home else { continue };
        if let Some(rect) = near_candidates(r).into_iter().find(|c| state.free(c, i) && rect_in_polygon(c, home)) {
            state.boxes.push(rect);
            out[i] = Some(PlacedLabel { rect, leader: None });
        }
    }
    // Round 2: the rest (labels without a home last), on rings around the anchor: next to it
    // for a label without a home, else with a leader.
    for &i in &order {
        let r = &requests[i];
        if out[i].is_some() || !valid(r) {
            continue;
        }
        // A label without a home may also sit on its anchor.
        let mut candidates = if r.home.is_none() { near_candidates(r) } else { Vec::new() };
        candidates.extend(ring_candidates(r, &bounds));
        let pick = |strict: bool| {
            candidates.iter().find_map(|c| {
                if !state.free(c, i) {
                    return None;
                }
                let leader = (r.anchor, nearest_point(c, r.anchor));
                state.leader_ok(leader, r.anchor, strict).then_some((*c, leader))
            })
        };
        if let Some((rect, leader)) = pick(true).or_else(|| pick(false)) {
            state.boxes.push(rect);
            let leader = (r.home.is_some() || !touches(&rect, r.anchor, NEAR_PX)).then_some(leader);
            if let Some(l) = leader {
                state.leaders.push(l);
            }
            out[i] = Some(PlacedLabel { rect, leader });
        }
    }
    out
}

/// A request that can be placed at all: finite anchor, positive finite size.
fn valid(r: &LabelRequest) -> bool {
    r.anchor.x.is_finite() && r.anchor.y.is_finite() && r.size.0.is_finite() && r.size.1.is_finite() && r.size.0 > 0.0 && r.size.1 > 0.0
}

struct State<'a> {
    boxes: Vec<Rect>,
    leaders: Vec<(Vec2, Vec2)>,
    obstacles: &'a [Rect],
    bounds: Rect,
    /// Every request's anchor: no box covers another label's anchor (its leader starts there).
    anchors: &'a [Vec2],
}

impl State<'_> {
    /// The box (of request `own`) is inside the bounds and clear of boxes (with the gap),
    /// obstacles, leaders and the other labels' anchors.
    fn free(&self, c: &Rect, own: usize) -> bool {
        let near = grow(c, ANCHOR_CLEARANCE_PX);
        self.bounds.contains_rect(c)
            && !self.anchors.iter().enumerate().any(|(k, a)| k != own && near.contains(a.x, a.y))
            && !self.boxes.iter().any(|b| grow(b, GAP_PX).intersects(c))
            && !self.obstacles.iter().any(|o| o.intersects(c))
            && !self.leaders.iter().any(|&(a, b)| segment_meets_rect(a, b, c))
    }

    /// The leader crosses no placed box, no obstacle but the one holding its anchor and,
    /// when `strict`, no other leader.
    fn leader_ok(&self, (a, b): (Vec2, Vec2), anchor: Vec2, strict: bool) -> bool {
        !self.boxes.iter().any(|r| segment_meets_rect(a, b, r))
            && !self.obstacles.iter().any(|o| !o.contains(anchor.x, anchor.y) && segment_meets_rect(a, b, o))
            && (!strict || !self.leaders.iter().any(|&(p, q)| segments_cross(a, b, p, q)))
    }
}

/// A box without a home this close to its anchor needs no leader, px.
const NEAR_PX: f64 = 8.0;

/// The box comes within `d` of `p`.
fn touches(r: &Rect, p: Vec2, d: f64) -> bool {
    (nearest_point(r, p) - p).norm() <= d
}

fn grow(r: &Rect, d: f64) -> Rect {
    Rect::new(r.x0 - d, r.y0 - d, r.x1 + d, r.y1 + d)
}

/// The box of `size` centred on `c`.
fn centred(c: Vec2, size: (f64, f64)) -> Rect {
    Rect::new(c.x - 0.5 * size.0, c.y - 0.5 * size.1, c.x + 0.5 * size.0, c.y + 0.5 * size.1)
}

/// Boxes around the anchor, nearest first: shifts of up to a box width sideways and two box
/// heights up or down.
fn near_candidates(r: &LabelRequest) -> Vec<Rect> {
    let (w, h) = r.size;
    let mut shifts: Vec<(f64, f64)> = Vec::new();
    for i in -4i32..=4 {
        for j in -4i32..=4 {
            shifts.push((i as f64 * 0.25 * w, j as f64 * 0.5 * h));
        }
    }
    shifts.sort_by(|a, b| (a.0.hypot(a.1)).total_cmp(&b.0.hypot(b.1)).then(a.1.abs().total_cmp(&b.1.abs())));
    shifts.into_iter().map(|(dx, dy)| centred(r.anchor + Vec2::new(dx, dy), r.size)).collect()
}

/// Boxes on rings of growing radius around the anchor (the box's nearest point at least a
/// few pixels away), horizontal directions first on each ring.
fn ring_candidates(r: &LabelRequest, bounds: &Rect) -> Vec<Rect> {
    let (w, h) = r.size;
    let reach = bounds.width().hypot(bounds.height());
    let mut angles: Vec<f64> = (0..DIRECTIONS).map(|k| k as f64 * std::f64::consts::TAU / DIRECTIONS as f64).collect();
    // Horizontal first (0, π), then by distance from the horizontal: leaders to the side read best.
    angles.sort_by(|a, b| a.sin().abs().total_cmp(&b.sin().abs()).then(a.cos().total_cmp(&b.cos()).reverse()));
    let mut out = Vec::new();
    let mut gap = 6.0;
    while gap < reach {
        for &t in &angles {
            let (dx, dy) = (t.cos(), t.sin());
            // Centre so that the box edge is `gap` px from the anchor along the direction.
            let along = (0.5 * w / dx.abs().max(1e-9)).min(0.5 * h / dy.abs().max(1e-9));
            out.push(centred(r.anchor + Vec2::new(dx, dy) * (along + gap), r.size));
        }
        gap += RING_STEP_PX;
    }
    out
}

/// The point of `r` nearest to `p`.
pub fn nearest_point(r: &Rect, p: Vec2) -> Vec2 {
    Vec2::new(p.x.clamp(r.x0, r.x1), p.y.clamp(r.y0, r.y1))
}

/// The segment `a`–`b` passes through the inside of `r` (touching its edge does not count).
pub fn segment_meets_rect(a: Vec2, b: Vec2, r: &Rect) -> bool {
    let inner = grow(r, -1e-9);
    if inner.x0 >= inner.x1 || inner.y0 >= inner.y1 {
        return false;
    }
    match inner.clip_line(a, b - a) {
        Some((t0, t1)) => t0 < 1.0 && t1 > 0.0 && t0.max(0.0) < t1.min(1.0),
        None => false,
    }
}

/// The segments `a`–`b` and `c`–`d` cross at a point inside both (a shared end does not count).
pub fn segments_cross(a: Vec2, b: Vec2, c: Vec2, d: Vec2) -> bool {
    let side = |p: Vec2, q: Vec2, r: Vec2| (q - p).perp(&(r - p));
    let (d1, d2, d3, d4) = (side(a, b, c), side(a, b, d), side(c, d, a), side(c, d, b));
    d1 * d2 < 0.0 && d3 * d4 < 0.0
}

/// Even–odd point in polygon.
pub fn point_in_polygon(p: Vec2, poly: &[Vec2]) -> bool {
    let mut inside = false;
    for k in 0..poly.len() {
        let (a, b) = (poly[k], poly[(k + 1) % poly.len()]);
        if (a.y > p.y) != (b.y > p.y) && p.x < a.x + (p.y - a.y) / (b.y - a.y) * (b.x - a.x) {
            inside = !inside;
        }
    }
    inside
}

/// The box lies inside the polygon: its corners are inside and no polygon edge enters it.
pub fn rect_in_polygon(r: &Rect, poly: &[Vec2]) -> bool {
    poly.len() >= 3
        && r.corners().iter().all(|&c| point_in_polygon(c, poly))
        && !(0..poly.len()).any(|k| segment_meets_rect(poly[k], poly[(k + 1) % poly.len()], r))
}

/// Unsigned area of a polygon (shoelace).
fn polygon_area(p: &[Vec2]) -> f64 {
    0.5 * (0..p.len()).map(|k| p[k].perp(&p[(k + 1) % p.len()])).sum::<f64>().abs()
}

/// Pairs of placed boxes that overlap (closer than nothing: strict intersection), for tests
/// and checks of pictures.
pub fn overlapping_pairs(placed: &[Rect]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for i in 0..placed.len() {
        for j in i + 1..placed.len() {
            if placed[i].intersects(&placed[j]) {
                out.push((i, j));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn req(x: f64, y: f64, w: f64, h: f64) -> LabelRequest {
        LabelRequest { text: String::new(), anchor: Vec2::new(x, y), size: (w, h), home: None }
    }

    fn square(x0: f64, y0: f64, s: f64) -> Vec<Vec2> {
        vec![Vec2::new(x0, y0), Vec2::new(x0 + s, y0), Vec2::new(x0 + s, y0 + s), Vec2::new(x0, y0 + s)]
    }

    #[test]
    fn a_label_that_fits_sits_centred_on_its_anchor() {
        let mut r = req(50.0, 50.0, 20.0, 10.0);
        r.home = Some(square(0.0, 0.0, 100.0));
        let p = place_labels(&[r], &[], Rect::new(0.0, 0.0, 100.0, 100.0));
        assert_eq!(p[0], Some(PlacedLabel { rect: Rect::new(40.0, 45.0, 60.0, 55.0), leader: None }));
    }

    #[test]
    fn a_label_too_big_for_its_region_goes_outside_with_a_leader() {
        let mut r = req(50.0, 50.0, 40.0, 12.0);
        r.home = Some(square(45.0, 45.0, 10.0));
        let p = place_labels(&[r], &[], Rect::new(0.0, 0.0, 200.0, 200.0))[0].clone().unwrap();
        let (a, b) = p.leader.expect("a leader");
        assert_eq!(a, Vec2::new(50.0, 50.0));
        assert_eq!(b, nearest_point(&p.rect, a));
        assert!(!p.rect.intersects(&Rect::new(45.0, 45.0, 55.0, 55.0)), "outside its region: {:?}", p.rect);
    }

    #[test]
    fn two_labels_on_one_anchor_do_not_overlap_and_avoid_the_obstacle() {
        let obstacle = Rect::new(40.0, 60.0, 160.0, 80.0);
        let rs = [req(100.0, 50.0, 60.0, 14.0), req(104.0, 50.0, 60.0, 14.0), req(100.0, 70.0, 30.0, 10.0)];
        let p = place_labels(&rs, &[obstacle], Rect::new(0.0, 0.0, 200.0, 200.0));
        let rects: Vec<Rect> = p.iter().map(|x| x.clone().unwrap().rect).collect();
        assert!(overlapping_pairs(&rects).is_empty(), "{rects:?}");
        assert!(rects.iter().all(|r| !r.intersects(&obstacle)));
        // The third label's anchor is in the obstacle: it points into it with a leader.
        assert!(p[2].as_ref().unwrap().leader.is_some());
    }

    #[test]
    fn no_room_leaves_a_label_out_instead_of_overlapping() {
        let rs = [req(10.0, 10.0, 18.0, 18.0), req(30.0, 10.0, 30.0, 18.0)];
        let p = place_labels(&rs, &[], Rect::new(0.0, 0.0, 40.0, 20.0));
        assert_eq!(p[0], Some(PlacedLabel { rect: Rect::new(1.0, 1.0, 19.0, 19.0), leader: None }));
        assert!(p[1].is_none(), "{p:?}");
        assert_eq!(
            place_labels(&[req(20.0, 10.0, 50.0, 10.0)], &[], Rect::new(0.0, 0.0, 40.0, 20.0)),
            vec![None],
            "wider than the picture"
        );
    }

    #[test]
    fn geometry_helpers_agree_with_hand_cases() {
        let r = Rect::new(0.0, 0.0, 10.0, 10.0);
        assert!(segment_meets_rect(Vec2::new(-5.0, 5.0), Vec2::new(15.0, 5.0), &r));
        assert!(!segment_meets_rect(Vec2::new(-5.0, 10.0), Vec2::new(15.0, 10.0), &r), "along an edge");
        assert!(!segment_meets_rect(Vec2::new(-5.0, 5.0), Vec2::new(-1.0, 5.0), &r));
        assert!(segment_meets_rect(Vec2::new(5.0, 5.0), Vec2::new(6.0, 6.0), &r), "wholly inside");
        assert!(segments_cross(Vec2::new(0.0, 0.0), Vec2::new(2.0, 2.0), Vec2::new(0.0, 2.0), Vec2::new(2.0, 0.0)));
        assert!(!segments_cross(Vec2::new(0.0, 0.0), Vec2::new(1.0, 1.0), Vec2::new(1.0, 1.0), Vec2::new(2.0, 0.0)));
        let l = vec![
            Vec2::new(0.0, 0.0),
            Vec2::new(10.0, 0.0),
            Vec2::new(10.0, 4.0),
            Vec2::new(4.0, 4.0),
            Vec2::new(4.0, 10.0),
            Vec2::new(0.0, 10.0),
        ];
        assert!(rect_in_polygon(&Rect::new(1.0, 1.0, 3.0, 9.0), &l));
        assert!(!rect_in_polygon(&Rect::new(1.0, 1.0, 6.0, 6.0), &l), "corner outside the L");
        assert!(!rect_in_polygon(&Rect::new(2.0, 2.0, 12.0, 3.0), &l));
    }

    fn requests() -> impl Strategy<Value = Vec<LabelRequest>> {
        prop::collection::vec((0.0..400.0f64, 0.0..300.0f64, 8.0..120.0f64, 8.0..30.0f64, prop::option::of(4.0..150.0f64)), 0..30).prop_map(
            |v| {
                v.into_iter()
                    .map(|(x, y, w, h, home)| {
                        let mut r = req(x, y, w, h);
                        r.home = home.map(|s| square(x - 0.5 * s, y - 0.5 * s, s));
                        r
                    })
                    .collect()
            },
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Over random anchors, sizes, homes and obstacles: placed boxes stay in the bounds,
        /// apart from each other and off the obstacles; leaders start at their anchor, end
        /// on their box and cross no other box; the same input gives the same output.
        #[test]
        fn placed_labels_never_collide(rs in requests(), obs in prop::collection::vec((0.0..400.0f64, 0.0..300.0f64, 2.0..60.0f64, 2.0..40.0f64), 0..6)) {
            let bounds = Rect::new(0.0, 0.0, 400.0, 300.0);
            let obstacles: Vec<Rect> = obs.iter().map(|&(x, y, w, h)| Rect::new(x, y, x + w, y + h)).collect();
            let p = place_labels(&rs, &obstacles, bounds);
            prop_assert_eq!(p.len(), rs.len());
            prop_assert_eq!(&p, &place_labels(&rs, &obstacles, bounds));
            let placed: Vec<(usize, &PlacedLabel)> = p.iter().enumerate().filter_map(|(i, x)| x.as_ref().map(|x| (i, x))).collect();
            for (k, &(i, a)) in placed.iter().enumerate() {
                prop_assert!(bounds.contains_rect(&a.rect));
                prop_assert!((a.rect.width() - rs[i].size.0).abs() < 1e-9 && (a.rect.height() - rs[i].size.1).abs() < 1e-9);
                for o in &obstacles {
                    prop_assert!(!o.intersects(&a.rect), "{:?} meets obstacle {:?}", a.rect, o);
                }
                for &(_, b) in &placed[k + 1..] {
                    prop_assert!(!grow(&a.rect, GAP_PX - 1e-9).intersects(&b.rect), "{:?} and {:?} overlap", a.rect, b.rect);
                }
                for (j, other) in rs.iter().enumerate() {
                    prop_assert!(j == i || !a.rect.contains(other.anchor.x, other.anchor.y), "label {} covers the anchor of {}", i, j);
                }
                match a.leader {
                    None => {
                        if let Some(h) = &rs[i].home {
                            prop_assert!(rect_in_polygon(&a.rect, h));
                        }
                    }
                    Some((s, e)) => {
                        prop_assert_eq!(s, rs[i].anchor);
                        prop_assert_eq!(e, nearest_point(&a.rect, s));
                        for &(_, b) in placed.iter().filter(|(j, _)| *j != i) {
                            prop_assert!(!segment_meets_rect(s, e, &b.rect), "leader of {} crosses {:?}", i, b.rect);
                        }
                        for o in obstacles.iter().filter(|o| !o.contains(s.x, s.y)) {
                            prop_assert!(!segment_meets_rect(s, e, o), "leader of {} crosses obstacle {:?}", i, o);
                        }
                    }
                }
            }
        }

        /// With room to spare (few small labels on a large picture) every label is placed.
        #[test]
        fn sparse_labels_are_all_placed(anchors in prop::collection::vec((50.0..950.0f64, 50.0..950.0f64), 1..8)) {
            let rs: Vec<LabelRequest> = anchors.iter().map(|&(x, y)| req(x, y, 40.0, 12.0)).collect();
            let p = place_labels(&rs, &[], Rect::new(0.0, 0.0, 1000.0, 1000.0));
            prop_assert!(p.iter().all(Option::is_some));
        }
    }
}
