//! Incremental accumulation: exact tallies of a puncture set that grows stroke by stroke and
//! shrinks by undo, on a sparse live grid.
//!
//! **Algorithm.** Each footprint layer (the needle hole, the treated zone) has its own grid
//! and radius. For every tile of its grid a footprint has reached, a layer keeps the hit
//! count and pass mask of each cell, the cells' labels, and the indices of the punctures
//! that may reach it. A layer's totals start from the empty domain's tallies on its grid
//! (`baseline`: one core `accumulate` with no puncture, computed once per map and grid and
//! shared). The punctures are stored once for all layers. Adding a puncture visits only the cells
//! of its disk (`GridSpec::disk_rows`, the core's rasteriser): each cell's old state is
//! moved on by one hit in its label's tally (`Tally::add_hit`, the difference of the
//! core's own per-cell accounting `add_cell`), so a batch costs O(new punctures ×
//! (r/h)²) whatever the area already treated. Removing the last punctures (undo) rebuilds
//! the tiles they reached from their remaining punctures. Counts are integers, so undo
//! restores the previous tallies exactly; the largest hit count (not additive) is taken
//! over the tiles' cells again after an undo.
//!
//! **Invariant.** Each layer's totals equal what [`crate::raster::accumulate::accumulate`] gives for
//! the same punctures, domain, grid and radius, to the count (checked by the tests).
//!
//! # Runtime
//! Add: O(P·Σ(r/h)²) over the layers for P new punctures. Undo: O(T·tile_cells² + disks in those tiles ·
//! (r/h)²) for the T tiles the removed punctures reached. Memory: per touched tile and
//! layer, 5 bytes per cell (u32 count, u8 pass mask), plus 2 bytes per cell of labels for
//! tiles cut by a label edge; ≈ 1.3 indices per puncture.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use crate::geometry::{Rect, Vec2};
use crate::needle::footprint::{self, Shape};
use crate::needle::puncture::Puncture;
use crate::raster::accumulate::{self, Request, Tally};
use crate::raster::domain::{Domain, TileClass};
use crate::raster::grid::GridSpec;

/// Labels of a tile's cells.
enum Labels {
    /// Every cell has this label (`None`: not measured).
    Uniform(Option<u16>),
    /// Row-major from the bottom; `u16::MAX` = not measured.
    PerCell(Vec<u16>),
}

const NO_LABEL: u16 = u16::MAX;

/// Cell state of one tile of one layer.
struct TileState {
    /// Punctures whose footprint may reach the tile.
    members: Vec<u32>,
    labels: Labels,
    counts: Vec<u32>,
    masks: Vec<u8>,
    /// Measured cells hit on more than `PASS_LIMIT` distinct passes.
    over: u32,
}

impl TileState {
    #[inline]
    fn label(&self, idx: usize) -> Option<u16> {
        match &self.labels {
            Labels::Uniform(l) => *l,
            Labels::PerCell(v) => (v[idx] != NO_LABEL).then_some(v[idx]),
        }
    }
}

/// What one footprint layer measures: a footprint radius on a grid, starting from that
/// grid's empty-domain tallies ([`baseline`]).
#[derive(Clone, Debug)]
pub struct LayerSpec {
    pub grid: GridSpec,
    pub radius_mm: f64,
    pub baseline: Arc<Vec<Tally>>,
}

/// One layer's tiles and totals.
struct Layer {
    grid: GridSpec,
    radius_mm: f64,
    tiles: HashMap<(i64, i64), TileState>,
    /// Per label.
    totals: Vec<Tally>,
}

/// Incremental tallies over a domain for one or more footprint layers (e.g. the needle
/// hole and the treated zone), each on its own grid.
pub struct LiveAccumulator {
    domain: Arc<dyn Domain + Send + Sync>,
    passes: usize,
    punctures: Vec<Puncture>,
    /// Chart footprints, one per puncture, when the punctures were pushed with their shapes
    /// ([`LiveAccumulator::push_shaped`], a surface's chart); empty otherwise.
    shapes: Vec<Shape>,
    layers: Vec<Layer>,
    /// Puncture centres per label.
    inside: Vec<u64>,
}

/// The empty domain's tallies: what every accumulator over `domain` on `grid` starts from.
pub fn baseline(domain: &dyn Domain, grid: GridSpec, passes: usize) -> Vec<Tally> {
    accumulate::accumulate(&[], &Request { grid, radius_mm: 0.0, passes, picture_cells: None, domain, layers: Default::default() }).tallies
}

impl LiveAccumulator {
    /// An empty accumulator. Each layer's `baseline` must be [`baseline`]`(domain, grid,
    /// passes)` of its grid; `passes` ≤ 8 (one bit of the cell mask each).
    pub fn new(domain: Arc<dyn Domain + Send + Sync>, layers: Vec<LayerSpec>, passes: usize) -> Self {
        assert!(!layers.is_empty() && passes <= 8);
        let labels = domain.label_count();
        let layers = layers
            .into_iter()
            .map(|l| {
                assert_eq!(l.baseline.len(), labels, "baseline of another domain");
                Layer { grid: l.grid, radius_mm: l.radius_mm, tiles: HashMap::new(), totals: l.baseline.as_ref().clone() }
            })
            .collect();
        LiveAccumulator { inside: vec![0; labels], domain, passes, punctures: Vec::new(), shapes: Vec::new(), layers }
    }

    pub fn punctures(&self) -> &[Puncture] {
        &self.punctures
    }
    /// The grid of layer `layer`.
    pub fn grid(&self, layer: usize) -> GridSpec {
        self.layers[layer].grid
    }
    /// Footprint layers.
    pub fn layer_count(&self) -> usize {
        self.layers.len()
    }
    pub fn passes(&self) -> usize {
        self.passes
    }
    /// Tiles touched so far, over the layers.
    pub fn touched_tiles(&self) -> usize {
        self.layers.iter().map(|l| l.tiles.len()).sum()
    }
    /// Bytes held by the cell states (for memory checks).
    pub fn cell_bytes(&self) -> usize {
        self.layers
            .iter()
            .map(|l| {
                let t = l.grid.tile_cells * l.grid.tile_cells;
                l.tiles.values().map(|s| t * 5 + if matches!(s.labels, Labels::PerCell(_)) { 2 * t } else { 0 }).sum::<usize>()
            })
            .sum()
    }

    /// Tallies per label of footprint layer `layer`.
    pub fn tallies(&self, layer: usize) -> &[Tally] {
        &self.layers[layer].totals
    }

    /// Punctures whose centre lies in each label.
    pub fn inside_per_label(&self) -> &[u64] {
        &self.inside
    }

    /// Rectangles of the tiles where some measured cell of layer `layer` was hit on more
    /// than [`accumulate::PASS_LIMIT`] distinct passes (sorted, for stable output).
    pub fn over_pass_limit_tiles(&self, layer: usize) -> Vec<Rect> {
        let l = &self.layers[layer];
        let mut keys: Vec<(i64, i64)> = l.tiles.iter().filter(|(_, s)| s.over > 0).map(|(k, _)| *k).collect();
        keys.sort();
        keys.into_iter().map(|(i, j)| l.grid.tile_rect(i, j)).collect()
    }

    /// Add punctures (every `pass` below the accumulator's pass count). Returns the number
    /// of tiles they reached, over the layers.
    pub fn push(&mut self, new: &[Puncture]) -> usize {
        assert!(self.shapes.is_empty() || new.is_empty(), "an accumulator of shaped punctures takes shapes (push_shaped)");
        self.push_inner(new)
    }

    /// Add punctures whose footprints are `shapes` (one per puncture, drawn as
    /// [`Footprint::shaped`] at the puncture's centre, as `accumulate_shaped` draws them):
    /// footprints in a surface's chart. An accumulator takes shaped punctures from the first
    /// push on or never.
    pub fn push_shaped(&mut self, new: &[Puncture], shapes: &[Shape]) -> usize {
        assert_eq!(new.len(), shapes.len(), "one shape per puncture");
        assert!(self.shapes.len() == self.punctures.len(), "an accumulator of plain punctures takes no shapes");
        self.shapes.extend_from_slice(shapes);
        self.push_inner(new)
    }

    fn push_inner(&mut self, new: &[Puncture]) -> usize {
        let first = self.punctures.len();
        for p in new {
            assert!((p.pass as usize) < self.passes, "pass {} of {}", p.pass, self.passes);
            if let Some(l) = self.domain.label_at(Vec2::new(p.x_mm, p.y_mm)) {
                self.inside[l as usize] += 1;
            }
        }
        self.punctures.extend_from_slice(new);
        let domain = self.domain.as_ref();
        let mut touched = 0;
        for layer in &mut self.layers {
            let mut keys = BTreeSet::new();
            for (idx, p) in self.punctures.iter().enumerate().skip(first) {
                let shape = self.shapes.get(idx);
                for key in layer.tiles_of(p, shape) {
                    let tile = layer.tiles.entry(key).or_insert_with(|| new_tile(domain, &layer.grid, key));
                    tile.members.push(idx as u32);
                    layer.add_to_tile(key, p, shape);
                    keys.insert(key);
                }
            }
            touched += keys.len();
        }
        touched
    }

    /// Remove every puncture from index `len` on (undo the last strokes). Returns the
    /// number of tiles rebuilt, over the layers.
    pub fn truncate(&mut self, len: usize) -> usize {
        if len >= self.punctures.len() {
            return 0;
        }
        for p in &self.punctures[len..] {
            if let Some(l) = self.domain.label_at(Vec2::new(p.x_mm, p.y_mm)) {
                self.inside[l as usize] -= 1;
            }
        }
        let mut rebuilt = 0;
        for layer in &mut self.layers {
            rebuilt += layer.truncate(&self.punctures, &self.shapes, len);
        }
        self.punctures.truncate(len);
        self.shapes.truncate(len);
        rebuilt
    }
}

/// A fresh tile of `grid` with its cells' labels.
fn new_tile(domain: &dyn Domain, g: &GridSpec, (ti, tj): (i64, i64)) -> TileState {
    let t = g.tile_cells;
    let labels = match domain.classify(&g.tile_rect(ti, tj)) {
        TileClass::Inside(l) => Labels::Uniform(Some(l)),
        TileClass::Outside => Labels::Uniform(None),
        TileClass::Mixed => {
            let mut v = vec![NO_LABEL; t * t];
            for r in 0..t {
                let y = g.cell_center(tj * t as i64 + r as i64);
                for c in 0..t {
                    let x = g.cell_center(ti * t as i64 + c as i64);
                    v[r * t + c] = domain.label_at(Vec2::new(x, y)).unwrap_or(NO_LABEL);
                }
            }
            Labels::PerCell(v)
        }
    };
    TileState { members: Vec::new(), labels, counts: vec![0; t * t], masks: vec![0; t * t], over: 0 }
}

impl Layer {
    /// Tiles the footprint of `p` may reach.
    fn tiles_of(&self, p: &Puncture, shape: Option<&Shape>) -> impl Iterator<Item = (i64, i64)> + use<> {
        let r = self.radius_mm;
        let g = self.grid;
        let b = footprint::bbox(p, shape, r);
        let (i0, i1, j0, j1) = (g.tile_of(b.x0), g.tile_of(b.x1), g.tile_of(b.y0), g.tile_of(b.y1));
        (j0..=j1).flat_map(move |j| (i0..=i1).map(move |i| (i, j)))
    }

    /// Rasterise puncture `p` into tile `key`, moving each cell it covers from its old state
    /// to the new one in the totals.
    fn add_to_tile(&mut self, key: (i64, i64), p: &Puncture, shape: Option<&Shape>) {
        let g = self.grid;
        let t = g.tile_cells as i64;
        let (ci0, cj0) = (key.0 * t, key.1 * t);
        let window = (ci0, ci0 + t - 1, cj0, cj0 + t - 1);
        let bit = 1u8 << p.pass;
        let pass = p.pass as u32;
        let totals = &mut self.totals;
        let tile = self.tiles.get_mut(&key).expect("tile exists");
        let TileState { labels, counts, masks, over, .. } = tile;
        // One more hit on cell `idx`, counted in `tally` when the cell is measured.
        let mut hit = |idx: usize, tally: Option<&mut Tally>| {
            let (c, m) = (counts[idx], masks[idx]);
            counts[idx] = c + 1;
            masks[idx] = m | bit;
            if let Some(t) = tally {
                t.add_hit(c, m as u32, pass);
                if m & bit == 0 && m.count_ones() == accumulate::PASS_LIMIT {
                    *over += 1;
                }
            }
        };
        let rows = |j: i64, i0: i64, i1: i64| {
            let row = ((j - cj0) * t) as usize;
            let span = row + (i0 - ci0) as usize..=row + (i1 - ci0) as usize;
            match &*labels {
                Labels::Uniform(Some(l)) => {
                    let tally = &mut totals[*l as usize];
                    span.for_each(|idx| hit(idx, Some(&mut *tally)));
                }
                Labels::Uniform(None) => span.for_each(|idx| hit(idx, None)),
                Labels::PerCell(v) => span.for_each(|idx| {
                    let l = v[idx];
                    hit(idx, (l != NO_LABEL).then(|| &mut totals[l as usize]));
                }),
            }
        };
        // Disks keep the fast path; tilted or dragged needles use the core's exact shape.
        match shape {
            Some(s) => g.shape_rows(Vec2::new(p.x_mm, p.y_mm), s, self.radius_mm, window, rows),
            None => accumulate::footprint_rows(p, &g, self.radius_mm, window, rows),
        }
    }

    /// Rebuild the tiles the punctures from index `len` on reached, from the punctures
    /// before it. Returns the number of tiles rebuilt.
    fn truncate(&mut self, punctures: &[Puncture], shapes: &[Shape], len: usize) -> usize {
        let touched: BTreeSet<(i64, i64)> =
            punctures.iter().enumerate().skip(len).flat_map(|(i, p)| self.tiles_of(p, shapes.get(i))).collect();
        for key in &touched {
            let Some(tile) = self.tiles.get_mut(key) else { continue };
            tile.members.retain(|&i| (i as usize) < len);
            // Take the tile's cells back to zero in the totals, then lay its punctures again.
            tile.over = 0;
            for idx in 0..tile.counts.len() {
                let (c, m) = (tile.counts[idx], tile.masks[idx]);
                if c == 0 {
                    continue;
                }
                if let Some(l) = tile.label(idx) {
                    let tally = &mut self.totals[l as usize];
                    tally.remove_cell(c, m as u32);
                    tally.add_cell(0, 0);
                }
                tile.counts[idx] = 0;
                tile.masks[idx] = 0;
            }
        }
        for key in &touched {
            let members = match self.tiles.get(key) {
                Some(t) => t.members.clone(),
                None => continue,
            };
            for idx in members {
                self.add_to_tile(*key, &punctures[idx as usize], shapes.get(idx as usize));
            }
        }
        self.recompute_max();
        touched.len()
    }

    /// The largest hit count per label, over the tiles' cells.
    fn recompute_max(&mut self) {
        self.totals.iter_mut().for_each(|t| t.max_hits = 0);
        for tile in self.tiles.values() {
            for (idx, &c) in tile.counts.iter().enumerate() {
                if c > 0
                    && let Some(l) = tile.label(idx)
                {
                    let m = &mut self.totals[l as usize].max_hits;
                    *m = (*m).max(c);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raster::domain::{RectDomain, TileClass};
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// Two labels: left and right halves of a rectangle (a cut that is not on a tile edge).
    struct Halves(Rect, f64);
    impl Domain for Halves {
        fn bounds(&self) -> Rect {
            self.0
        }
        fn label_count(&self) -> usize {
            2
        }
        fn label_at(&self, p: Vec2) -> Option<u16> {
            self.0.contains(p.x, p.y).then_some(if p.x < self.1 { 0 } else { 1 })
        }
        fn area_mm2(&self, l: u16) -> f64 {
            let r = self.0;
            if l == 0 { (self.1 - r.x0) * r.height() } else { (r.x1 - self.1) * r.height() }
        }
        fn classify(&self, t: &Rect) -> TileClass {
            if !self.0.intersects(t) { TileClass::Outside } else { TileClass::Mixed }
        }
    }

    fn strokes(n: usize, per: usize, rect: Rect, seed: u64) -> Vec<Vec<Puncture>> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        (0..n)
            .map(|s| {
                // A short straight stroke of stamps, partly overhanging the edges.
                let (x, y) = (rng.random_range(rect.x0 - 1.0..rect.x1 + 1.0), rng.random_range(rect.y0 - 1.0..rect.y1 + 1.0));
                let (dx, dy) = (rng.random_range(-0.4..0.4), rng.random_range(-0.4..0.4));
                let pass = rng.random_range(0..6u16);
                (0..per)
                    .map(|k| Puncture {
                        pass,
                        stamp: (s * per + k) as u32,
                        needle: 0,
                        x_mm: x + dx * k as f64,
                        y_mm: y + dy * k as f64,
                        depth_mm: 1.0,
                        t_s: 0.0,
                        ..Default::default()
                    })
                    .collect()
            })
            .collect()
    }

    fn truth(punctures: &[Puncture], domain: &dyn Domain, grid: GridSpec, r: f64) -> Vec<Tally> {
        accumulate::accumulate(
            punctures,
            &Request { grid, radius_mm: r, passes: 8, picture_cells: None, domain, layers: Default::default() },
        )
        .tallies
    }

    #[test]
    fn pushes_and_undos_match_a_full_accumulation_exactly() {
        let rect = Rect::new(0.3, -0.7, 9.1, 6.2);
        let grid = GridSpec::new(0.02).unwrap();
        for domain in [Arc::new(RectDomain(rect)) as Arc<dyn Domain + Send + Sync>, Arc::new(Halves(rect, 4.33))] {
            // The hole on the fine grid, the zone on a coarser one.
            let coarse = GridSpec::new(0.05).unwrap();
            let layers: Vec<(GridSpec, f64)> = vec![(grid, 0.09), (coarse, 0.39)];
            let bases: Vec<Vec<Tally>> = layers.iter().map(|&(g, _)| baseline(domain.as_ref(), g, 8)).collect();
            let specs = layers
                .iter()
                .zip(&bases)
                .map(|(&(grid, radius_mm), b)| LayerSpec { grid, radius_mm, baseline: Arc::new(b.clone()) })
                .collect();
            let mut acc = LiveAccumulator::new(domain.clone(), specs, 8);
            let all = strokes(40, 25, rect, 7);
            let mut lens = vec![0];
            for (k, s) in all.iter().enumerate() {
                acc.push(s);
                lens.push(acc.punctures().len());
                if k % 7 == 6 {
                    // Undo the last two strokes, then carry on.
                    lens.truncate(lens.len() - 2);
                    acc.truncate(*lens.last().unwrap());
                }
                for (layer, &(g, r)) in layers.iter().enumerate() {
                    assert_eq!(acc.tallies(layer), truth(acc.punctures(), domain.as_ref(), g, r).as_slice(), "stroke {k} layer {layer}");
                }
                let mut inside = vec![0u64; domain.label_count()];
                for p in acc.punctures() {
                    if let Some(l) = domain.label_at(Vec2::new(p.x_mm, p.y_mm)) {
                        inside[l as usize] += 1;
                    }
                }
                assert_eq!(acc.inside_per_label(), inside.as_slice());
            }
            // Undo everything: back to the empty baseline.
            acc.truncate(0);
            assert_eq!(acc.tallies(0), bases[0].as_slice());
            assert_eq!(acc.tallies(1), bases[1].as_slice());
        }
    }

    #[test]
    fn a_change_recomputes_only_the_tiles_it_reaches() {
        let rect = Rect::new(0.0, 0.0, 40.0, 30.0);
        let grid = GridSpec::new(0.02).unwrap();
        let domain: Arc<dyn Domain + Send + Sync> = Arc::new(RectDomain(rect));
        let base = baseline(domain.as_ref(), grid, 8);
        let mut acc = LiveAccumulator::new(domain, vec![LayerSpec { grid, radius_mm: 0.09, baseline: Arc::new(base) }], 8);
        let p = |x: f64, y: f64| Puncture { pass: 0, stamp: 0, needle: 0, x_mm: x, y_mm: y, depth_mm: 1.0, t_s: 0.0, ..Default::default() };
        // A puncture well inside one 2 mm tile touches that tile only; one on a corner, four.
        assert_eq!(acc.push(&[p(5.0, 5.0)]), 1);
        assert_eq!(acc.push(&[p(6.0, 6.0)]), 4);
        assert_eq!(acc.touched_tiles(), 4);
        assert_eq!(acc.truncate(1), 4);
    }

    #[test]
    fn spots_over_four_passes_are_located() {
        let rect = Rect::new(0.0, 0.0, 10.0, 10.0);
        let grid = GridSpec::new(0.02).unwrap();
        let domain: Arc<dyn Domain + Send + Sync> = Arc::new(RectDomain(rect));
        let base = baseline(domain.as_ref(), grid, 8);
        let mut acc = LiveAccumulator::new(domain, vec![LayerSpec { grid, radius_mm: 0.09, baseline: Arc::new(base) }], 8);
        let at = |pass: u16| Puncture { pass, stamp: 0, needle: 0, x_mm: 3.0, y_mm: 5.0, depth_mm: 1.0, t_s: 0.0, ..Default::default() };
        acc.push(&(0..4).map(at).collect::<Vec<_>>());
        assert!(acc.over_pass_limit_tiles(0).is_empty());
        acc.push(&[at(4)]);
        let spots = acc.over_pass_limit_tiles(0);
        assert_eq!(spots.len(), 1);
        assert!(spots[0].contains(3.0, 5.0));
        acc.truncate(4);
        assert!(acc.over_pass_limit_tiles(0).is_empty());
    }
}
