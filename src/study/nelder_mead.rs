//! Nelder–Mead simplex minimisation in the unit box `[0, 1]^d`.
//!
//! **Method.** The classic simplex moves (Nelder & Mead 1965; coefficients of Lagarias et
//! al. 1998: reflection 1, expansion 2, contraction ½, shrink ½). Bounds are handled by
//! projection: every trial point is clamped into the box before it is evaluated, so the
//! function is only ever asked about feasible points. Evaluations of a point already seen
//! (projection often repeats boundary points) are answered from a cache and not counted.
//! NaN counts as +∞. Deterministic: no randomness, ties keep the earlier vertex.
//!
//! **Stops** when the simplex is small (every vertex within `x_tol` of the best on every
//! axis) and flat (objective spread ≤ `f_tol`), or after `max_evaluations`.

use std::collections::HashMap;

/// Stopping rules and the start simplex.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Options {
    /// Evaluation budget; the iteration under way when it runs out may add up to d + 1.
    pub max_evaluations: usize,
    /// Simplex size (box units) below which it may stop.
    pub x_tol: f64,
    /// Objective spread below which it may stop.
    pub f_tol: f64,
    /// Edge of the start simplex along each axis, box units (flipped to stay inside).
    pub initial_step: f64,
}

impl Default for Options {
    fn default() -> Self {
        Options { max_evaluations: 60, x_tol: 1e-3, f_tol: 1e-4, initial_step: 0.25 }
    }
}

/// What the search found.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    pub x: Vec<f64>,
    pub f: f64,
    /// Distinct points evaluated.
    pub evaluations: usize,
    pub iterations: usize,
    /// True when it stopped on the tolerances, false when it ran out of evaluations.
    pub converged: bool,
}

struct Cached<F> {
    f: F,
    seen: HashMap<Vec<u64>, f64>,
    count: usize,
}

impl<F: FnMut(&[f64]) -> f64> Cached<F> {
    fn eval(&mut self, x: &[f64]) -> f64 {
        let key: Vec<u64> = x.iter().map(|v| v.to_bits()).collect();
        if let Some(&v) = self.seen.get(&key) {
            return v;
        }
        let v = (self.f)(x);
        let v = if v.is_nan() { f64::INFINITY } else { v };
        self.count += 1;
        self.seen.insert(key, v);
        v
    }
}

fn clamp(x: Vec<f64>) -> Vec<f64> {
    x.into_iter().map(|v| v.clamp(0.0, 1.0)).collect()
}

/// `a + t·(b − a)`, clamped into the box.
fn along(a: &[f64], b: &[f64], t: f64) -> Vec<f64> {
    clamp(a.iter().zip(b).map(|(p, q)| p + t * (q - p)).collect())
}

/// Minimise `f` over `[0, 1]^d` from `x0` (clamped into the box).
pub fn minimize(f: impl FnMut(&[f64]) -> f64, x0: &[f64], o: &Options) -> Outcome {
    let d = x0.len();
    let mut c = Cached { f, seen: HashMap::new(), count: 0 };
    let start = clamp(x0.to_vec());
    let mut simplex: Vec<(Vec<f64>, f64)> = Vec::with_capacity(d + 1);
    let f0 = c.eval(&start);
    simplex.push((start.clone(), f0));
    for i in 0..d {
        let mut v = start.clone();
        v[i] = if v[i] + o.initial_step <= 1.0 { v[i] + o.initial_step } else { v[i] - o.initial_step };
        let v = clamp(v);
        let fv = c.eval(&v);
        simplex.push((v, fv));
    }
    let mut iterations = 0;
    let converged = loop {
        simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
        let (best, worst) = (&simplex[0], &simplex[d]);
        let size = simplex.iter().flat_map(|(v, _)| v.iter().zip(&best.0).map(|(p, q)| (p - q).abs())).fold(0.0, f64::max);
        let spread = if worst.1.is_finite() { worst.1 - best.1 } else { f64::INFINITY };
        if d == 0 || (size <= o.x_tol && spread <= o.f_tol) {
            break true;
        }
        if c.count >= o.max_evaluations {
            break false;
        }
        iterations += 1;
        let centroid: Vec<f64> = (0..d).map(|k| simplex[..d].iter().map(|(v, _)| v[k]).sum::<f64>() / d as f64).collect();
        let worst_x = simplex[d].0.clone();
        let (f_best, f_second, f_worst) = (simplex[0].1, simplex[d - 1].1, simplex[d].1);
        let xr = along(&worst_x, &centroid, 2.0);
        let fr = c.eval(&xr);
        if fr < f_best {
            let xe = along(&worst_x, &centroid, 3.0);
            let fe = c.eval(&xe);
            simplex[d] = if fe < fr { (xe, fe) } else { (xr, fr) };
            continue;
        }
        if fr < f_second {
            simplex[d] = (xr, fr);
            continue;
        }
        // Contract: outside (towards the reflection) when it beat the worst, else inside.
        let (xc, fc) = if fr < f_worst {
            let xc = along(&centroid, &xr, 0.5);
            let fc = c.eval(&xc);
            (xc, fc)
        } else {
            let xc = along(&centroid, &worst_x, 0.5);
            let fc = c.eval(&xc);
            (xc, fc)
        };
        if fc < f_worst.min(fr) {
            simplex[d] = (xc, fc);
            continue;
        }
        // Shrink towards the best vertex.
        let best_x = simplex[0].0.clone();
        for v in simplex.iter_mut().skip(1) {
            let x = along(&best_x, &v.0, 0.5);
            let fx = c.eval(&x);
            *v = (x, fx);
        }
    };
    simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
    let (x, f) = simplex.swap_remove(0);
    Outcome { x, f, evaluations: c.count, iterations, converged }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_minimum_of_a_bowl_inside_the_box() {
        let o = Options { max_evaluations: 400, x_tol: 1e-6, f_tol: 1e-12, ..Options::default() };
        let r = minimize(|x| (x[0] - 0.3).powi(2) + 2.0 * (x[1] - 0.7).powi(2) + 0.5 * (x[0] - 0.3) * (x[1] - 0.7), &[0.9, 0.1], &o);
        assert!(r.converged, "{r:?}");
        assert!((r.x[0] - 0.3).abs() < 1e-4 && (r.x[1] - 0.7).abs() < 1e-4, "{r:?}");
    }

    #[test]
    fn rosenbrock_in_the_box() {
        // Rosenbrock on [-2, 2]² mapped to the unit box; minimum at (1, 1) → (0.75, 0.75).
        let f = |u: &[f64]| {
            let (x, y) = (4.0 * u[0] - 2.0, 4.0 * u[1] - 2.0);
            (1.0 - x).powi(2) + 100.0 * (y - x * x).powi(2)
        };
        let o = Options { max_evaluations: 2000, x_tol: 1e-7, f_tol: 1e-14, ..Options::default() };
        let r = minimize(f, &[0.2, 0.8], &o);
        assert!((r.x[0] - 0.75).abs() < 1e-3 && (r.x[1] - 0.75).abs() < 1e-3, "{r:?}");
    }

    #[test]
    fn a_minimum_outside_the_box_lands_on_its_edge() {
        let o = Options { max_evaluations: 300, ..Options::default() };
        let r = minimize(|x| (x[0] + 0.5).powi(2) + (x[1] - 0.4).powi(2), &[0.5, 0.5], &o);
        assert!(r.x[0].abs() < 1e-3 && (r.x[1] - 0.4).abs() < 1e-2, "{r:?}");
        assert!(r.x.iter().all(|v| (0.0..=1.0).contains(v)));
    }

    #[test]
    fn evaluation_budget_and_nan_are_respected() {
        let mut calls = 0;
        let o = Options { max_evaluations: 10, x_tol: 0.0, f_tol: 0.0, ..Options::default() };
        let r = minimize(
            |x| {
                calls += 1;
                if x[0] > 0.9 { f64::NAN } else { -x[0] }
            },
            &[0.5],
            &o,
        );
        assert!(!r.converged);
        assert!(calls <= 10 + 2, "{calls}");
        assert!(r.f.is_finite() && r.x[0] <= 0.9);
    }
}
