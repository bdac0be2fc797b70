//! The session timeline: passes back to back, cut into animation frames.
//!
//! **Model.** A session plays its segments one after the other: the passes of a patch, or
//! (on a face) each treatment's passes over its region. Each segment gets frames in
//! proportion to its duration (at least one), evenly spaced in its own time, so that every
//! segment ends exactly on a frame boundary: the frame closing pass p shows the cumulative
//! coverage after pass p. A frame is identified by the index of the first puncture it does
//! *not* hold (`ends[f]`), which is what [`crate::raster::accumulate::Layers::frame_ends`] takes.
//!
//! Assumes each segment is a contiguous range of punctures in time order, with `t_s`
//! counted from the segment's start (as the simulation makes
//! them per pass).

use std::ops::Range;

use crate::needle::puncture::Puncture;

/// Default number of animation frames of a session.
pub const DEFAULT_FRAMES: usize = 120;
/// Largest number of animation frames of a session (each frame is a tally layer).
pub const MAX_FRAMES: usize = 500;

/// Frames of one session.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Frames {
    /// Puncture index ending each frame (increasing; the last one = number of punctures).
    pub ends: Vec<u32>,
    /// Session time at the end of each frame, s (passes back to back).
    pub t_s: Vec<f64>,
    /// Segment shown by each frame (on a patch: the pass).
    pub segment: Vec<u16>,
}

/// Cut a patch session into frames: one segment per run of consecutive punctures of the same
/// pass (one per pass when they are ordered by pass, as a walked patch's are; strokes drawn
/// on the live page may come back to an earlier pass). `Frames::segment` holds the pass.
pub fn frames(punctures: &[Puncture], max_frames: usize) -> Frames {
    let mut segments: Vec<Range<usize>> = Vec::new();
    let mut pass_of = Vec::new();
    for (i, p) in punctures.iter().enumerate() {
        match segments.last_mut() {
            Some(r) if pass_of.last() == Some(&p.pass) => r.end = i + 1,
            _ => {
                segments.push(i..i + 1);
                pass_of.push(p.pass);
            }
        }
    }
    let mut f = frames_of_segments(punctures, &segments, max_frames.max(segments.len()));
    for s in &mut f.segment {
        *s = pass_of[*s as usize];
    }
    f
}

/// Cut a session of consecutive `segments` (puncture ranges, back to back) into at most
/// `max(max_frames, segments)` frames.
pub fn frames_of_segments(punctures: &[Puncture], segments: &[Range<usize>], max_frames: usize) -> Frames {
    let mut out = Frames::default();
    if punctures.is_empty() || segments.is_empty() {
        return out;
    }
    let ranges: Vec<(usize, usize)> = segments.iter().map(|r| (r.start, r.end)).collect();
    let n = ranges.len();
    let duration = |&(a, b): &(usize, usize)| if b > a { punctures[b - 1].t_s.max(0.0) } else { 0.0 };
    let total: f64 = ranges.iter().map(duration).sum();
    let budget = max_frames.saturating_sub(n);
    let mut t0 = 0.0;
    for (p, r) in ranges.iter().enumerate() {
        let d = duration(r);
        let share = if total > 0.0 { d / total } else { 1.0 / n as f64 };
        let n = 1 + (budget as f64 * share).floor() as usize;
        let slice = &punctures[r.0..r.1];
        for k in 0..n {
            let t_end = d * (k + 1) as f64 / n as f64;
            // Times out of order within a segment only make frames uneven, never unordered.
            let prev = out.ends.last().map_or(r.0, |&e| (e as usize).max(r.0));
            let end = if k + 1 == n { r.1 } else { (r.0 + slice.partition_point(|q| q.t_s <= t_end)).clamp(prev, r.1) };
            out.ends.push(end as u32);
            out.t_s.push(t0 + t_end);
            out.segment.push(p as u16);
        }
        t0 += d;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn puncture(pass: u16, t_s: f64) -> Puncture {
        Puncture { pass, stamp: 0, needle: 0, x_mm: 0.0, y_mm: 0.0, depth_mm: 1.0, t_s, ..Default::default() }
    }

    #[test]
    fn every_pass_ends_on_a_frame_and_frames_cover_all_punctures() {
        let mut ps = Vec::new();
        for pass in 0..3u16 {
            let n = [100, 50, 200][pass as usize];
            ps.extend((0..n).map(|i| puncture(pass, i as f64 * 0.01)));
        }
        let f = frames(&ps, 40);
        assert!(f.ends.len() <= 40 && f.ends.len() >= 3);
        assert!(f.ends.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(*f.ends.last().unwrap() as usize, ps.len());
        for boundary in [100u32, 150, 350] {
            assert!(f.ends.contains(&boundary), "pass boundary {boundary} missing from {:?}", f.ends);
        }
        // Longer passes get more frames.
        let count = |p: u16| f.segment.iter().filter(|&&q| q == p).count();
        assert!(count(2) > count(0) && count(0) > count(1));
        assert!(f.t_s.windows(2).all(|w| w[0] <= w[1] + 1e-12));
    }

    /// Regression (live page): strokes may return to an earlier pass and carry times out of
    /// order; frames stay increasing and cover every puncture.
    #[test]
    fn interleaved_passes_and_unordered_times_keep_frames_increasing() {
        let ps: Vec<Puncture> = [(0, 0.5), (0, 0.1), (1, 0.3), (0, 2.0), (0, 1.0), (1, 0.2)].iter().map(|&(p, t)| puncture(p, t)).collect();
        let f = frames(&ps, 40);
        assert!(f.ends.windows(2).all(|w| w[0] <= w[1]), "{:?}", f.ends);
        assert_eq!(*f.ends.last().unwrap(), 6);
        for b in [2u32, 3, 5] {
            assert!(f.ends.contains(&b), "run boundary {b} missing from {:?}", f.ends);
        }
        assert_eq!(f.segment.first(), Some(&0));
        assert!(f.segment.contains(&1));
    }

    #[test]
    fn more_passes_than_frames_still_gives_one_frame_per_pass() {
        let ps: Vec<Puncture> = (0..5u16).map(|p| puncture(p, 0.0)).collect();
        let f = frames(&ps, 2);
        assert_eq!(f.ends, vec![1, 2, 3, 4, 5]);
    }
}
