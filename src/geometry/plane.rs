//! Plane geometry shared by the whole pipeline.
//!
//! **Frame:** millimetres on the face-map / patch plane, x to the right, y up. Angles are in
//! degrees at the edges of the API and counter-clockwise from +x.

use nalgebra::{Rotation2, Vector2};

/// A point or displacement on the skin plane, in mm.
pub type Vec2 = Vector2<f64>;

/// Rotate `v` counter-clockwise by `angle_deg` degrees.
pub fn rotate(v: Vec2, angle_deg: f64) -> Vec2 {
    Rotation2::new(angle_deg.to_radians()) * v
}

/// Unit vector pointing `angle_deg` degrees counter-clockwise from +x.
pub fn direction(angle_deg: f64) -> Vec2 {
    let a = angle_deg.to_radians();
    Vec2::new(a.cos(), a.sin())
}

/// An axis-aligned rectangle in mm. `x0 < x1`, `y0 < y1` for a non-degenerate rectangle.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rect {
    pub x0: f64,
    pub y0: f64,
    pub x1: f64,
    pub y1: f64,
}

impl Rect {
    pub fn new(x0: f64, y0: f64, x1: f64, y1: f64) -> Self {
        Rect { x0, y0, x1, y1 }
    }
    pub fn width(&self) -> f64 {
        self.x1 - self.x0
    }
    pub fn height(&self) -> f64 {
        self.y1 - self.y0
    }
    pub fn area(&self) -> f64 {
        self.width() * self.height()
    }
    pub fn contains(&self, x: f64, y: f64) -> bool {
        x >= self.x0 && x < self.x1 && y >= self.y0 && y < self.y1
    }
    /// True when `other` lies entirely inside `self` (edges may touch).
    pub fn contains_rect(&self, other: &Rect) -> bool {
        other.x0 >= self.x0 && other.x1 <= self.x1 && other.y0 >= self.y0 && other.y1 <= self.y1
    }
    pub fn intersects(&self, other: &Rect) -> bool {
        self.x0 < other.x1 && other.x0 < self.x1 && self.y0 < other.y1 && other.y0 < self.y1
    }
    pub fn corners(&self) -> [Vec2; 4] {
        [Vec2::new(self.x0, self.y0), Vec2::new(self.x1, self.y0), Vec2::new(self.x1, self.y1), Vec2::new(self.x0, self.y1)]
    }
    pub fn center(&self) -> Vec2 {
        Vec2::new(0.5 * (self.x0 + self.x1), 0.5 * (self.y0 + self.y1))
    }

    /// Parameter interval `[t0, t1]` of the line `p + t·u` inside the rectangle, or `None`
    /// when the line misses it (Liang–Barsky clipping). `u` need not be normalised.
    pub fn clip_line(&self, p: Vec2, u: Vec2) -> Option<(f64, f64)> {
        let mut t0 = f64::NEG_INFINITY;
        let mut t1 = f64::INFINITY;
        for (pi, ui, lo, hi) in [(p.x, u.x, self.x0, self.x1), (p.y, u.y, self.y0, self.y1)] {
            if ui.abs() < 1e-12 {
                if pi < lo || pi > hi {
                    return None;
                }
            } else {
                let (a, b) = ((lo - pi) / ui, (hi - pi) / ui);
                t0 = t0.max(a.min(b));
                t1 = t1.min(a.max(b));
            }
        }
        (t0 < t1).then_some((t0, t1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotation_quarter_turn() {
        let v = rotate(Vec2::new(1.0, 0.0), 90.0);
        assert!((v - Vec2::new(0.0, 1.0)).norm() < 1e-12);
    }

    #[test]
    fn clip_diagonal_through_square() {
        let r = Rect::new(0.0, 0.0, 2.0, 2.0);
        let (t0, t1) = r.clip_line(Vec2::new(0.0, 0.0), Vec2::new(1.0, 1.0)).unwrap();
        assert!((t0 - 0.0).abs() < 1e-12 && (t1 - 2.0).abs() < 1e-12);
        assert!(r.clip_line(Vec2::new(0.0, 5.0), Vec2::new(1.0, 0.0)).is_none());
    }
}
