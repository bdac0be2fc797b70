//! Outlines of pixel sets: the boundary of a set of pixels as closed rings along pixel edges
//! (to draw a painted map's regions and no-go zones as if they were polygons).
//!
//! **Model.** Every side of an inside pixel whose neighbour is outside is one unit edge,
//! directed with the inside on its left; these edges are linked into closed rings (at a
//! corner shared by two diagonal inside pixels, the ring turns left, so the two pixels
//! belong to separate rings), and runs of collinear edges are merged. Outer boundaries run
//! counter-clockwise and holes clockwise, so the rings' signed areas add up to the pixel
//! count exactly. Coordinates are pixel corners: `(col, row)`, row 0 at the bottom.

use std::collections::HashMap;

/// A pixel corner, `(col, row)`.
pub type Corner = (i64, i64);

/// The rings bounding the pixels of a `width × height` grid for which `inside(col, row)`
/// holds, as corner lists (closed implicitly: the last corner joins the first).
pub fn pixel_rings(width: usize, height: usize, inside: impl Fn(usize, usize) -> bool) -> Vec<Vec<Corner>> {
    let is_in = |c: i64, r: i64| c >= 0 && r >= 0 && (c as usize) < width && (r as usize) < height && inside(c as usize, r as usize);
    // Directed unit edges, inside on the left, keyed by their start corner.
    let mut out: HashMap<Corner, Vec<Corner>> = HashMap::new();
    for r in 0..height as i64 {
        for c in 0..width as i64 {
            if !is_in(c, r) {
                continue;
            }
            let mut edge = |a: Corner, b: Corner| out.entry(a).or_default().push(b);
            if !is_in(c, r - 1) {
                edge((c, r), (c + 1, r));
            }
            if !is_in(c + 1, r) {
                edge((c + 1, r), (c + 1, r + 1));
            }
            if !is_in(c, r + 1) {
                edge((c + 1, r + 1), (c, r + 1));
            }
            if !is_in(c - 1, r) {
                edge((c, r + 1), (c, r));
            }
        }
    }
    // Walk the edges into rings, in a fixed order (lowest start corner first).
    let mut starts: Vec<Corner> = out.keys().copied().collect();
    starts.sort_unstable_by_key(|&(c, r)| (r, c));
    let mut rings = Vec::new();
    for start in starts {
        while out.get(&start).is_some_and(|v| !v.is_empty()) {
            let mut ring = vec![start];
            let mut at = start;
            let mut dir: Option<Corner> = None;
            loop {
                let next = take_next(out.get_mut(&at).expect("every corner reached has an edge out"), at, dir);
                dir = Some((next.0 - at.0, next.1 - at.1));
                at = next;
                if at == start {
                    break;
                }
                ring.push(at);
            }
            rings.push(merge_collinear(ring));
        }
    }
    rings
}

/// Remove and return the edge out of `at` to follow after arriving along `dir`: a left turn
/// first, then straight on, then a right turn.
fn take_next(choices: &mut Vec<Corner>, at: Corner, dir: Option<Corner>) -> Corner {
    let rank = |to: &Corner| {
        let d = (to.0 - at.0, to.1 - at.1);
        match dir {
            None => 0,
            Some(i) => match i.0 * d.1 - i.1 * d.0 {
                1 => 0, // left
                0 => 1, // straight
                _ => 2, // right
            },
        }
    };
    let k = (0..choices.len()).min_by_key(|&k| rank(&choices[k])).expect("an edge out");
    choices.swap_remove(k)
}

/// Drop the corners where a ring goes straight on.
fn merge_collinear(ring: Vec<Corner>) -> Vec<Corner> {
    let n = ring.len();
    (0..n)
        .filter(|&i| {
            let (a, b, c) = (ring[(i + n - 1) % n], ring[i], ring[(i + 1) % n]);
            (b.0 - a.0) * (c.1 - b.1) - (b.1 - a.1) * (c.0 - b.0) != 0
        })
        .map(|i| ring[i])
        .collect()
}

/// Twice the signed area of a ring (positive when counter-clockwise).
pub fn doubled_area(ring: &[Corner]) -> i64 {
    let n = ring.len();
    (0..n).map(|i| ring[i].0 * ring[(i + 1) % n].1 - ring[(i + 1) % n].0 * ring[i].1).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rings_of(rows: &[&str]) -> Vec<Vec<Corner>> {
        // Text rows top first; '#' inside.
        let h = rows.len();
        let w = rows[0].len();
        pixel_rings(w, h, |c, r| rows[h - 1 - r].as_bytes()[c] == b'#')
    }

    #[test]
    fn a_block_is_one_counter_clockwise_rectangle() {
        let rings = rings_of(&["....", ".##.", ".##.", ".##."]);
        assert_eq!(rings, vec![vec![(1, 0), (3, 0), (3, 3), (1, 3)]]);
        assert_eq!(doubled_area(&rings[0]), 2 * 6);
    }

    #[test]
    fn an_l_shape_has_six_corners_and_a_ring_with_a_hole_has_two_rings() {
        let l = rings_of(&["#..", "#..", "###"]);
        assert_eq!(l.len(), 1);
        assert_eq!(l[0].len(), 6);
        assert_eq!(doubled_area(&l[0]), 2 * 5);
        let donut = rings_of(&["###", "#.#", "###"]);
        assert_eq!(donut.len(), 2);
        let areas: Vec<i64> = donut.iter().map(|r| doubled_area(r)).collect();
        assert_eq!(areas.iter().sum::<i64>(), 2 * 8);
        assert!(areas.contains(&-2), "the hole runs clockwise: {areas:?}");
    }

    #[test]
    fn diagonal_neighbours_make_separate_rings() {
        let rings = rings_of(&[".#", "#."]);
        assert_eq!(rings.len(), 2);
        assert!(rings.iter().all(|r| r.len() == 4 && doubled_area(r) == 2));
    }

    proptest! {
        /// On random pixel sets: the rings' signed areas add up to the pixel count, every
        /// ring is closed along pixel edges with a turn at each corner, and every boundary
        /// edge is walked exactly once (the rings' perimeter = the count of inside/outside
        /// pixel sides).
        #[test]
        fn rings_bound_exactly_the_pixels(w in 1usize..12, h in 1usize..12, bits in proptest::collection::vec(any::<bool>(), 144)) {
            let inside = |c: usize, r: usize| bits[r * 12 + c];
            let rings = pixel_rings(w, h, inside);
            let count = (0..h).flat_map(|r| (0..w).map(move |c| (c, r))).filter(|&(c, r)| inside(c, r)).count() as i64;
            prop_assert_eq!(rings.iter().map(|r| doubled_area(r)).sum::<i64>(), 2 * count);
            let is_in = |c: i64, r: i64| c >= 0 && r >= 0 && (c as usize) < w && (r as usize) < h && inside(c as usize, r as usize);
            let mut sides = 0i64;
            for r in -1..=h as i64 {
                for c in -1..=w as i64 {
                    sides += (is_in(c, r) != is_in(c + 1, r)) as i64 + (is_in(c, r) != is_in(c, r + 1)) as i64;
                }
            }
            let mut perimeter = 0i64;
            for ring in &rings {
                prop_assert!(ring.len() >= 4);
                for i in 0..ring.len() {
                    let (a, b) = (ring[i], ring[(i + 1) % ring.len()]);
                    prop_assert!(a.0 == b.0 || a.1 == b.1, "axis-aligned");
                    perimeter += (b.0 - a.0).abs() + (b.1 - a.1).abs();
                }
            }
            prop_assert_eq!(perimeter, sides);
        }
    }
}
