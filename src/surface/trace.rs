//! A pointer trace on the skin: timed samples on the surface in, stamps at the pen's
//! frequency out, spaced by true 3D arc length, and the needles landed on the skin.
//!
//! **Model.** A stroke is recorded as samples `(t_s, u_mm, v_mm)`: the cartridge centre in
//! chart millimetres ([`Chart`]: `uv × scale_mm`; the live page sends the UV of the point its
//! pointer ray hit, scaled). Times strictly increase. Between two samples the pen moves along
//! the straight chart segment **at constant skin speed**: the point at time `t` is the one
//! whose skin length from the first sample is `(t − t_a)/(t_b − t_a)` of the segment's skin
//! length (summed triangle by triangle in chart steps of at most [`SAMPLE_MM`]). The pen fires
//! on the flat strokes' clock ([`FiringClock`]): at touch-down, then once every
//! `1 / frequency_hz` s while it is on the skin, so consecutive stamps of a steady hand are
//! `skin speed / frequency` mm of skin apart. A batch cut anywhere gives the stamps of the
//! whole stroke (the clock counts from its index).
//!
//! Every stamp keeps the triangle under it; a stamp whose centre falls over a hole of the mesh
//! (an eye opening crossed between two samples) keeps the last triangle its segment was on,
//! so conservation holds: every needle of every stamp is placed ([`place_trace`], the pen at
//! 90° to the local skin via [`place`]).
//!
//! On a flat mesh with UV = xy in mm this is the flat live stroke ([`crate::technique::firing`])
//! to rounding: the same stamp times and positions.
//!
//! Units: s, chart mm, skin mm. Bad samples (not finite, time not moving forward, off the
//! mesh) are refused with their index; nothing changes.

use crate::error::{Error, Result};
use crate::geometry::Vec2;
use crate::needle::puncture::Puncture;
use crate::pen::cartridge::Cartridge;
use crate::pen::device::Device;
use crate::technique::firing::FiringClock;

use super::chart::Chart;
use super::place::{self, Landing, PenOrientation};
use super::plan::{SAMPLE_MM, SurfaceStamp};

/// One pointer sample on the surface.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SurfaceSample {
    /// Time, s, on any clock that only moves forward.
    pub t_s: f64,
    /// Cartridge centre in the chart, mm.
    pub at_mm: Vec2,
}

/// A chart segment walked by skin length (see the module doc).
struct SkinSegment {
    /// Sub-step ends in the chart (`n + 1` points).
    points: Vec<Vec2>,
    /// Skin length from the start to each point, mm.
    cum_mm: Vec<f64>,
    /// Triangle of each sub-step.
    tris: Vec<u32>,
}

impl SkinSegment {
    fn new(chart: &Chart, a: Vec2, b: Vec2, tri_a: u32) -> Self {
        let d = b - a;
        let n = (d.norm() / SAMPLE_MM).ceil().max(1.0) as usize;
        let mut points = Vec::with_capacity(n + 1);
        let mut cum_mm = Vec::with_capacity(n + 1);
        let mut tris = Vec::with_capacity(n);
        points.push(a);
        cum_mm.push(0.0);
        let mut tri = tri_a;
        let mut s = 0.0;
        for k in 0..n {
            let p = points[k];
            let q = if k + 1 == n { b } else { a + d * ((k + 1) as f64 / n as f64) };
            if let Some(t) = chart.locate(0.5 * (p + q)) {
                tri = t;
            }
            s += chart.tris[tri as usize].skin_length(q - p);
            points.push(q);
            cum_mm.push(s);
            tris.push(tri);
        }
        SkinSegment { points, cum_mm, tris }
    }

    fn length_mm(&self) -> f64 {
        *self.cum_mm.last().expect("at least one point")
    }

    /// The chart point `fraction` of the way along by skin length, and its triangle.
    fn at(&self, chart: &Chart, fraction: f64) -> (Vec2, u32) {
        let total = self.length_mm();
        if total <= 0.0 {
            return (self.points[0], self.tris[0]);
        }
        let s = fraction.clamp(0.0, 1.0) * total;
        let k = self.cum_mm.partition_point(|&c| c <= s).clamp(1, self.points.len() - 1) - 1;
        let step = self.cum_mm[k + 1] - self.cum_mm[k];
        let f = if step > 0.0 { ((s - self.cum_mm[k]) / step).clamp(0.0, 1.0) } else { 0.0 };
        let (p, q) = (self.points[k], self.points[k + 1]);
        let c = if f == 0.0 { p } else { p + (q - p) * f };
        (c, chart.locate(c).unwrap_or(self.tris[k]))
    }
}

/// Stamps one stroke on the surface, batch by batch. One stamper per stroke.
#[derive(Clone, Debug)]
pub struct SurfaceStamper {
    frequency_hz: f64,
    clock: Option<FiringClock>,
    /// Last sample and its triangle.
    last: Option<(SurfaceSample, u32)>,
    /// Skin length drawn so far, mm.
    skin_mm: f64,
}

impl SurfaceStamper {
    /// A stamper for a pen firing at `frequency_hz` (validated by the caller: `Device`).
    pub fn new(frequency_hz: f64) -> Self {
        SurfaceStamper { frequency_hz, clock: None, last: None, skin_mm: 0.0 }
    }

    /// Touch-down time, s.
    pub fn start_s(&self) -> Option<f64> {
        self.clock.map(|c| c.start_s())
    }

    /// Last sample seen.
    pub fn last(&self) -> Option<SurfaceSample> {
        self.last.map(|(s, _)| s)
    }

    /// Skin length of the path drawn so far, mm.
    pub fn skin_length_mm(&self) -> f64 {
        self.skin_mm
    }

    /// Time from touch-down to the last sample, s.
    pub fn duration_s(&self) -> f64 {
        match (self.start_s(), self.last) {
            (Some(t0), Some((l, _))) => l.t_s - t0,
            _ => 0.0,
        }
    }

    /// Check `samples` would continue this stroke: finite, on the mesh, times strictly after
    /// the previous sample. Returns each sample's triangle. Nothing changes.
    pub fn check(&self, chart: &Chart, samples: &[SurfaceSample]) -> Result<Vec<u32>> {
        let mut prev = self.last.map(|(s, _)| s.t_s);
        let mut tris = Vec::with_capacity(samples.len());
        for (i, s) in samples.iter().enumerate() {
            if !(s.t_s.is_finite() && s.at_mm.x.is_finite() && s.at_mm.y.is_finite()) {
                return Err(Error::invalid(
                    format!("samples[{i}]"),
                    format!("({}, {}, {})", s.t_s, s.at_mm.x, s.at_mm.y),
                    "finite t, u_mm, v_mm",
                ));
            }
            if let Some(p) = prev
                && s.t_s <= p
            {
                return Err(Error::invalid(
                    format!("samples[{i}].t"),
                    format!("{} s", s.t_s),
                    format!("a time after the previous sample ({p} s): time must move forward"),
                ));
            }
            let Some(t) = chart.locate(s.at_mm) else {
                let b = chart.chart_bounds();
                return Err(Error::invalid(
                    format!("samples[{i}] (u_mm, v_mm)"),
                    format!("({}, {})", s.at_mm.x, s.at_mm.y),
                    format!(
                        "a point on the surface's chart (within [{:.1}, {:.1}] × [{:.1}, {:.1}] mm, on a triangle)",
                        b.x0, b.x1, b.y0, b.y1
                    ),
                ));
            };
            tris.push(t);
            prev = Some(s.t_s);
        }
        Ok(tris)
    }

    /// Continue the stroke with `samples`; the stamps fired up to the last of them (absolute
    /// times). All-or-nothing: on an error nothing changes.
    pub fn feed(&mut self, chart: &Chart, samples: &[SurfaceSample]) -> Result<Vec<SurfaceStamp>> {
        let tris = self.check(chart, samples)?;
        let mut out = Vec::new();
        let mut rest: Vec<(SurfaceSample, u32)> = samples.iter().copied().zip(tris).collect();
        if self.last.is_none() {
            if rest.is_empty() {
                return Ok(out);
            }
            let (s, tri) = rest.remove(0);
            let mut clock = FiringClock::new(s.t_s, self.frequency_hz);
            out.push(SurfaceStamp { center: s.at_mm, tri, t_s: s.t_s });
            clock.advance(1.0);
            self.clock = Some(clock);
            self.last = Some((s, tri));
        }
        let clock = self.clock.as_mut().expect("set at touch-down");
        for (s, tri) in rest {
            let (a, tri_a) = self.last.expect("set at touch-down");
            let seg = SkinSegment::new(chart, a.at_mm, s.at_mm, tri_a);
            loop {
                let t = clock.next_s();
                if t > s.t_s {
                    break;
                }
                let (c, tri) = seg.at(chart, (t - a.t_s) / (s.t_s - a.t_s));
                out.push(SurfaceStamp { center: c, tri, t_s: t });
                clock.advance(1.0);
            }
            self.skin_mm += seg.length_mm();
            self.last = Some((s, tri));
        }
        Ok(out)
    }
}

/// Stamps of a whole stroke (see the module doc).
pub fn stamp_stroke(chart: &Chart, samples: &[SurfaceSample], frequency_hz: f64) -> Result<Vec<SurfaceStamp>> {
    SurfaceStamper::new(frequency_hz).feed(chart, samples)
}

/// Land every needle of `stamps` (pass `pass`, stamp indices from `first_stamp`) with the pen
/// at 90° to the local skin; punctures in chart mm appended to `out`, landings to `landing`.
#[allow(clippy::too_many_arguments)]
pub fn place_trace(
    chart: &Chart,
    cartridge: &Cartridge,
    device: &Device,
    pass: u16,
    first_stamp: u32,
    stamps: &[SurfaceStamp],
    out: &mut Vec<Puncture>,
    landing: &mut Landing,
) {
    let start = out.len();
    place::place(chart, cartridge, device, PenOrientation::Normal, pass, stamps, None, out, landing);
    for p in &mut out[start..] {
        p.stamp += first_stamp;
    }
}

/// One recorded stroke: its pass and samples.
#[derive(Clone, Debug, PartialEq)]
pub struct TraceStroke {
    pub pass: u16,
    pub samples: Vec<SurfaceSample>,
}

/// A whole recorded trace stamped and landed: what a live surface session made from the same
/// strokes (stamp indices count per pass, times as recorded).
#[derive(Clone, Debug, Default)]
pub struct TraceRun {
    pub punctures: Vec<Puncture>,
    pub landing: Landing,
    /// Stamps per stroke.
    pub stamps: Vec<usize>,
    /// Skin length per stroke, mm.
    pub skin_mm: Vec<f64>,
}

/// Stamp and land every stroke of a trace (errors name the stroke and sample).
pub fn run_trace(chart: &Chart, cartridge: &Cartridge, device: &Device, strokes: &[TraceStroke]) -> Result<TraceRun> {
    let mut run = TraceRun::default();
    let mut per_pass: Vec<u32> = Vec::new();
    for s in strokes {
        let mut stamper = SurfaceStamper::new(device.frequency_hz);
        let stamps = stamper.feed(chart, &s.samples)?;
        let pass = s.pass as usize;
        if per_pass.len() <= pass {
            per_pass.resize(pass + 1, 0);
        }
        place_trace(chart, cartridge, device, s.pass, per_pass[pass], &stamps, &mut run.punctures, &mut run.landing);
        per_pass[pass] += stamps.len() as u32;
        run.stamps.push(stamps.len());
        run.skin_mm.push(stamper.skin_length_mm());
    }
    Ok(run)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::surface::shapes::{flat_rect, half_cylinder};
    use crate::technique::firing::{TimedSample, stamp_stroke as flat_stroke};

    fn samples(points: &[(f64, f64, f64)]) -> Vec<SurfaceSample> {
        points.iter().map(|&(t, u, v)| SurfaceSample { t_s: t, at_mm: Vec2::new(u, v) }).collect()
    }

    #[test]
    fn on_a_flat_isometric_mesh_the_stamps_are_the_flat_strokes() {
        let chart = Chart::new(&flat_rect(40.0, 30.0, 8, 6, "patch"), "flat").unwrap();
        assert_eq!(chart.scale_mm, 1.0);
        let pts = [(0.0, 3.0, 4.0), (0.13, 9.5, 7.25), (0.31, 20.0, 11.0), (0.5, 20.0, 11.0), (0.77, 31.0, 25.0)];
        let surf = stamp_stroke(&chart, &samples(&pts), 117.0).unwrap();
        let flat: Vec<TimedSample> = pts.iter().map(|&(t, x, y)| TimedSample { t_s: t, at_mm: Vec2::new(x, y) }).collect();
        let flat = flat_stroke(&flat, 117.0).unwrap();
        assert_eq!(surf.len(), flat.len());
        for (s, f) in surf.iter().zip(&flat) {
            assert_eq!(s.t_s, f.t_s);
            assert!((s.center - f.center_mm).norm() < 1e-9, "{:?} vs {:?}", s.center, f.center_mm);
        }
    }

    #[test]
    fn batches_cut_anywhere_give_the_whole_strokes_stamps() {
        let chart = Chart::new(&half_cylinder(30.0, 60.0, 48, 12, 1.0), "cylinder").unwrap();
        let b = chart.chart_bounds();
        let pts: Vec<(f64, f64, f64)> = (0..40)
            .map(|k| (k as f64 * 0.021, b.x0 + 2.0 + k as f64 * (b.width() - 4.0) / 39.0, b.y0 + 5.0 + (k as f64 * 0.7).sin() * 3.0))
            .collect();
        let whole = stamp_stroke(&chart, &samples(&pts), 100.0).unwrap();
        for cut in [1, 7, 23, 39] {
            let mut st = SurfaceStamper::new(100.0);
            let mut got = st.feed(&chart, &samples(&pts[..cut])).unwrap();
            got.extend(st.feed(&chart, &samples(&pts[cut..])).unwrap());
            assert_eq!(got, whole, "cut at {cut}");
        }
    }

    #[test]
    fn stamps_are_speed_over_frequency_apart_on_the_skin_of_a_cylinder() {
        // Around a cylinder of radius 30 mm at a steady skin speed of 60 mm/s and 120 Hz:
        // consecutive stamps are 0.5 mm of skin (arc) apart, whatever the chart's stretch.
        for stretch in [1.0, 3.0] {
            let chart = Chart::new(&half_cylinder(30.0, 40.0, 96, 8, stretch), "cylinder").unwrap();
            let b = chart.chart_bounds();
            let y = 0.5 * (b.y0 + b.y1);
            let (u0, u1) = (b.x0 + 0.1 * b.width(), b.x1 - 0.1 * b.width());
            // Chart length → skin length along u: measure it with the chart itself.
            let t0 = &chart.tris[chart.locate(Vec2::new(u0, y)).unwrap() as usize];
            let skin_per_chart = t0.skin_length(Vec2::new(1.0, 0.0));
            let skin = (u1 - u0) * skin_per_chart;
            let dur = skin / 60.0;
            let pts: Vec<(f64, f64, f64)> = (0..=20).map(|k| (dur * k as f64 / 20.0, u0 + (u1 - u0) * k as f64 / 20.0, y)).collect();
            let st = stamp_stroke(&chart, &samples(&pts), 120.0).unwrap();
            assert_eq!(st.len(), (dur * 120.0).floor() as usize + 1);
            for w in st.windows(2) {
                let (p, q) = (chart.tris[w[0].tri as usize].to_skin(w[0].center), chart.tris[w[1].tri as usize].to_skin(w[1].center));
                // The chord of a 0.5 mm arc on radius 30 is 0.5 mm to 1e-5 relative.
                let chord = (q - p).norm();
                assert!((chord - 0.5).abs() < 0.005, "stretch {stretch}: chord {chord}");
            }
        }
    }

    #[test]
    fn conservation_every_needle_of_every_stamp_is_placed() {
        let chart = Chart::new(&half_cylinder(25.0, 40.0, 64, 10, 1.0), "cylinder").unwrap();
        let b = chart.chart_bounds();
        let mut cartridge = crate::pen::cartridge::Cartridge::preset(12, 1.0).unwrap();
        cartridge.depth_mm = 0.5;
        let device = Device::default();
        let strokes = vec![
            TraceStroke { pass: 0, samples: samples(&[(0.0, b.x0 + 3.0, b.y0 + 5.0), (0.4, b.x1 - 3.0, b.y0 + 9.0)]) },
            TraceStroke {
                pass: 1,
                samples: samples(&[(1.0, b.x0 + 4.0, b.y1 - 5.0), (1.3, b.x1 - 6.0, b.y0 + 8.0), (1.31, b.x1 - 6.0, b.y0 + 8.1)]),
            },
            TraceStroke { pass: 0, samples: samples(&[(2.0, b.x0 + 10.0, b.y0 + 10.0)]) },
        ];
        let run = run_trace(&chart, &cartridge, &device, &strokes).unwrap();
        let stamps: usize = run.stamps.iter().sum();
        assert_eq!(run.punctures.len(), stamps * cartridge.needle_count());
        assert_eq!(run.landing.shape.len(), run.punctures.len());
        // Stamp indices count per pass: pass 0's third stroke continues after the first.
        let last_pass0 = run.punctures.iter().filter(|p| p.pass == 0).map(|p| p.stamp).max().unwrap();
        assert_eq!(last_pass0 as usize + 1, run.stamps[0] + run.stamps[2]);
    }

    #[test]
    fn bad_samples_are_refused_with_their_index() {
        let chart = Chart::new(&flat_rect(10.0, 10.0, 2, 2, "patch"), "flat").unwrap();
        let e = stamp_stroke(&chart, &samples(&[(0.0, 1.0, 1.0), (0.1, 12.0, 1.0)]), 100.0).unwrap_err().to_string();
        assert!(e.contains("samples[1]") && e.contains("12"), "{e}");
        let e = stamp_stroke(&chart, &samples(&[(0.0, 1.0, 1.0), (0.0, 2.0, 1.0)]), 100.0).unwrap_err().to_string();
        assert!(e.contains("samples[1].t"), "{e}");
        let e = stamp_stroke(&chart, &samples(&[(f64::NAN, 1.0, 1.0)]), 100.0).unwrap_err().to_string();
        assert!(e.contains("samples[0]"), "{e}");
    }
}
