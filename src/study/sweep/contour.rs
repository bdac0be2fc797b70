//! Contour lines of a value sampled on a rectilinear grid: marching squares.
//!
//! Values sit on the nodes `(xs[i], ys[j])`. In each cell, every edge whose two corners lie
//! on different sides of the level (`z ≥ level` is inside) is crossed where the linear
//! interpolation along the edge equals the level; crossings are joined in pairs. The
//! ambiguous saddle (opposite corners inside) is resolved by the mean of the four corners,
//! the usual choice. Cells with a missing (NaN) corner draw nothing. Along a grid line the
//! field is linear between nodes, so a linear field's contour is reproduced exactly.

/// A contour segment, two points in data units.
pub type Segment = [(f64, f64); 2];

/// Segments of the `level` contour of `z[i][j]` at `(xs[i], ys[j])`.
pub fn marching_squares(xs: &[f64], ys: &[f64], z: &[Vec<f64>], level: f64) -> Vec<Segment> {
    let mut out = Vec::new();
    for i in 0..xs.len().saturating_sub(1) {
        for j in 0..ys.len().saturating_sub(1) {
            // Corners counter-clockwise from the lower left; edge k joins corner k and k+1.
            let c = [(i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1)];
            let v: Vec<f64> = c.iter().map(|&(a, b)| z[a][b]).collect();
            if v.iter().any(|x| x.is_nan()) {
                continue;
            }
            let inside: Vec<bool> = v.iter().map(|&x| x >= level).collect();
            let cross = |k: usize| -> Option<(f64, f64)> {
                let (mut a, mut b) = (k, (k + 1) % 4);
                if inside[a] == inside[b] {
                    return None;
                }
                // Interpolate from the lower-indexed node, so the two cells sharing an
                // edge compute the same point to the last bit.
                if c[b] < c[a] {
                    std::mem::swap(&mut a, &mut b);
                }
                let t = (level - v[a]) / (v[b] - v[a]);
                let (pa, pb) = ((xs[c[a].0], ys[c[a].1]), (xs[c[b].0], ys[c[b].1]));
                Some((pa.0 + t * (pb.0 - pa.0), pa.1 + t * (pb.1 - pa.1)))
            };
            let e: Vec<Option<(f64, f64)>> = (0..4).map(cross).collect();
            let hits: Vec<(usize, (f64, f64))> = e.iter().enumerate().filter_map(|(k, p)| p.map(|p| (k, p))).collect();
            match hits.len() {
                2 => out.push([hits[0].1, hits[1].1]),
                4 => {
                    let centre_inside = v.iter().sum::<f64>() / 4.0 >= level;
                    // Cut off the corners that are alone on their side: corner k sits
                    // between edges k-1 and k.
                    // Corner 0 on the centre's side joins corner 2 through the centre, so
                    // corners 1 and 3 are the lonely ones; otherwise 0 and 2 are.
                    let corners = if inside[0] == centre_inside { [1, 3] } else { [0, 2] };
                    for k in corners {
                        out.push([e[(k + 3) % 4].unwrap(), e[k].unwrap()]);
                    }
                }
                _ => {}
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(xs: &[f64], ys: &[f64], f: impl Fn(f64, f64) -> f64) -> Vec<Vec<f64>> {
        xs.iter().map(|&x| ys.iter().map(|&y| f(x, y)).collect()).collect()
    }

    #[test]
    fn a_linear_field_is_contoured_exactly() {
        // Uneven spacing on purpose.
        let xs = [0.0, 0.5, 1.5, 2.0, 3.5, 4.0];
        let ys = [0.0, 1.0, 1.25, 3.0];
        let z = sample(&xs, &ys, |x, y| x + 2.0 * y);
        let segs = marching_squares(&xs, &ys, &z, 3.3);
        assert!(!segs.is_empty());
        for s in &segs {
            for &(x, y) in s {
                assert!((x + 2.0 * y - 3.3).abs() < 1e-12, "({x}, {y}) off the line");
                let on_grid_line = xs.iter().any(|&g| (g - x).abs() < 1e-12) || ys.iter().any(|&g| (g - y).abs() < 1e-12);
                assert!(on_grid_line, "({x}, {y}) not on a cell edge");
            }
        }
        // The line x + 2y = 3.3 runs from (0, 1.65) to (3.3, 0) inside the box: the segments
        // chain into one path that long.
        let len: f64 = segs.iter().map(|[a, b]| ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt()).sum();
        assert!((len - (3.3f64.powi(2) + 1.65f64.powi(2)).sqrt()).abs() < 1e-9, "{len}");
    }

    #[test]
    fn a_circle_is_a_closed_loop_near_the_radius() {
        // Nodes off the circle (a node exactly on the level is the degenerate case).
        let xs: Vec<f64> = (0..41).map(|i| -2.03 + 0.1 * i as f64).collect();
        let z = sample(&xs, &xs, |x, y| x * x + y * y);
        let segs = marching_squares(&xs, &xs, &z, 1.0);
        // Closed: every end point is shared by exactly two segment ends.
        let key = |p: (f64, f64)| (p.0.to_bits(), p.1.to_bits());
        let mut count = std::collections::HashMap::new();
        for s in &segs {
            for &p in s {
                *count.entry(key(p)).or_insert(0) += 1;
                let r = (p.0 * p.0 + p.1 * p.1).sqrt();
                assert!((r - 1.0).abs() < 0.01, "r = {r}");
            }
        }
        assert!(count.values().all(|&c| c == 2));
        let len: f64 = segs.iter().map(|[a, b]| ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt()).sum();
        assert!((len - 2.0 * std::f64::consts::PI).abs() < 0.02, "perimeter {len}");
    }

    #[test]
    fn saddles_follow_the_centre_and_nan_cells_are_skipped() {
        let xs = [0.0, 1.0];
        // z[i][j] at (xs[i], xs[j]): lower-left and upper-right corners are 1, the others 0.
        let z = vec![vec![1.0, 0.0], vec![0.0, 1.0]];
        let close = |a: &[Segment], b: &[Segment]| {
            a.len() == b.len()
                && a.iter().zip(b).all(|(s, t)| s.iter().zip(t).all(|(p, q)| (p.0 - q.0).abs() < 1e-12 && (p.1 - q.1).abs() < 1e-12))
        };
        // Centre mean 0.5 ≥ 0.4: the inside corners join through the centre, so the outside
        // corners (1, 0) and (0, 1) are cut off.
        let segs = marching_squares(&xs, &xs, &z, 0.4);
        assert!(close(&segs, &[[(0.6, 0.0), (1.0, 0.4)], [(0.4, 1.0), (0.0, 0.6)]]), "{segs:?}");
        // Centre mean 0.5 < 0.6: the inside corners (0, 0) and (1, 1) are cut off instead.
        let segs = marching_squares(&xs, &xs, &z, 0.6);
        assert!(close(&segs, &[[(0.0, 0.4), (0.4, 0.0)], [(1.0, 0.6), (0.6, 1.0)]]), "{segs:?}");
        let z = vec![vec![1.0, f64::NAN], vec![0.0, 1.0]];
        assert!(marching_squares(&xs, &xs, &z, 0.5).is_empty());
    }
}
