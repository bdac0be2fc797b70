//! Accumulation: integer hit counts per grid cell, tiled and streamed into tallies.
//!
//! **Algorithm.** Punctures are binned (counting sort, in puncture order) into every tile
//! their disk's bounding box touches. Tiles are then processed in parallel (rayon), each in
//! a per-worker workspace: rasterise the tile's footprints row span by row span into a hit
//! count and a pass bit-mask per cell (the narrowest integer lanes that cannot overflow:
//! `u8` counts while at most 255 footprints touch the tile, `u8` masks up to 8 passes), label
//! the cells by the domain (a row at a time, only in mixed tiles), and count each label
//! run's cells by state into a small table that is folded into the label's [`Tally`] once
//! per tile ([`crate::raster::fold`]); plus an optional down-sampled picture. Tallies are
//! integer sums, so the result is the same whatever the thread count or order, and the same
//! as the cell-by-cell fold kept in [`crate::raster::reference`]. Only the tiles of the
//! domain's bounds are visited, and only one tile per worker is ever dense in memory.
//!
//! # Runtime
//! O(P·(r/h)²) for P punctures of radius r at resolution h, plus O(A/h²) to fold the A mm²
//! of measured area (a few operations per hit cell, 16 unhit cells at a time; tiles without
//! punctures cost O(1) when wholly inside one label).
//! Memory: O(P) for the bins plus `threads × tile_cells²` × 2–10 bytes of workspace.

use rayon::prelude::*;

use crate::geometry::Vec2;
use crate::needle::footprint::{self, Footprint, Shape};
use crate::needle::puncture::Puncture;
use crate::raster::domain::{Domain, NO_LABEL, TileClass};
use crate::raster::fold::{Buffers, Fold, Lane, PAD, label_runs, min_frame, pass_blocks, pass_blocks_single, picture_block_of};
use crate::raster::grid::GridSpec;

/// Hit counts 0, 1, …, `HIST_BINS - 2` are counted exactly; the last bin holds "this many
/// or more".
pub const HIST_BINS: usize = 17;
/// Most passes one accumulation can tell apart (one bit each per cell).
pub const MAX_PASSES: usize = 32;
/// The sources' limit of passes over one place.
pub const PASS_LIMIT: u32 = 4;

/// Integer tallies of the cells of one label.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Cells measured (cell centre inside the label).
    pub cells: u64,
    /// `hist[k]` = cells hit exactly k times (the last bin: at least `HIST_BINS - 1`).
    pub hist: [u64; HIST_BINS],
    /// Σ hit count over the cells (area-weighted hits / cell area).
    pub hit_sum: u64,
    /// Largest hit count of any cell.
    pub max_hits: u32,
    /// `alone[p]` = cells hit by pass p (whatever the other passes did).
    pub alone: Vec<u64>,
    /// `first[p]` = cells whose first hit came from pass p; prefix sums give cumulative
    /// coverage.
    pub first: Vec<u64>,
    /// Cells hit on more than [`PASS_LIMIT`] distinct passes.
    pub over_pass_limit: u64,
    /// `distinct_passes[k]` = cells hit on exactly k distinct passes (k = 0..=passes): the
    /// sources' "no more than 3–4 passes over one place", spot by spot.
    pub distinct_passes: Vec<u64>,
    /// `first_frame[f]` = cells whose first hit came in animation frame f (empty unless
    /// [`Layers::frame_ends`] was given); prefix sums give the coverage after each frame.
    pub first_frame: Vec<u64>,
}

impl Tally {
    /// An empty tally for `passes` passes.
    pub fn new(passes: usize) -> Self {
        Self::with_frames(passes, 0)
    }

    /// An empty tally for `passes` passes and `frames` animation frames.
    pub fn with_frames(passes: usize, frames: usize) -> Self {
        Tally {
            alone: vec![0; passes],
            first: vec![0; passes],
            distinct_passes: vec![0; passes + 1],
            first_frame: vec![0; frames],
            ..Default::default()
        }
    }

    /// Add `o`'s counts (the largest hit count is the larger of the two).
    pub fn merge(&mut self, o: &Tally) {
        self.cells += o.cells;
        for (a, b) in self.hist.iter_mut().zip(&o.hist) {
            *a += b;
        }
        self.hit_sum += o.hit_sum;
        self.max_hits = self.max_hits.max(o.max_hits);
        for (a, b) in self.alone.iter_mut().zip(&o.alone) {
            *a += b;
        }
        for (a, b) in self.first.iter_mut().zip(&o.first) {
            *a += b;
        }
        self.over_pass_limit += o.over_pass_limit;
        for (a, b) in self.distinct_passes.iter_mut().zip(&o.distinct_passes) {
            *a += b;
        }
        for (a, b) in self.first_frame.iter_mut().zip(&o.first_frame) {
            *a += b;
        }
    }

    /// Count one cell hit `hits` times by the passes whose bits are set in `mask` (bit p =
    /// pass p). The one place a cell's state enters a tally.
    #[inline]
    pub fn add_cell(&mut self, hits: u32, mask: u32) {
        self.cell(hits, mask, 1);
        self.max_hits = self.max_hits.max(hits);
    }

    /// Take back a cell counted by [`add_cell`](Self::add_cell) with the same values (for
    /// incremental updates: remove the old state, add the new). The largest hit count is
    /// left as is.
    #[inline]
    pub fn remove_cell(&mut self, hits: u32, mask: u32) {
        self.cell(hits, mask, u64::MAX);
    }

    /// One more hit on a cell counted with `hits` and `mask`, by pass `pass`: the same as
    /// `remove_cell(hits, mask)` then `add_cell(hits + 1, mask | 1 << pass)` (checked by a
    /// test), in a few operations (the live page's hot loop).
    #[inline]
    pub fn add_hit(&mut self, hits: u32, mask: u32, pass: u32) {
        let (old, new) = ((hits as usize).min(HIST_BINS - 1), (hits as usize + 1).min(HIST_BINS - 1));
        if old != new {
            self.hist[old] -= 1;
            self.hist[new] += 1;
        }
        self.hit_sum += 1;
        self.max_hits = self.max_hits.max(hits + 1);
        let bit = 1u32 << pass;
        if mask & bit != 0 {
            return;
        }
        self.alone[pass as usize] += 1;
        let distinct = mask.count_ones() as usize;
        self.distinct_passes[distinct] -= 1;
        self.distinct_passes[distinct + 1] += 1;
        if mask == 0 {
            self.first[pass as usize] += 1;
            return;
        }
        let low = mask.trailing_zeros();
        if pass < low {
            self.first[low as usize] -= 1;
            self.first[pass as usize] += 1;
        }
        if mask.count_ones() == PASS_LIMIT {
            self.over_pass_limit += 1;
        }
    }

    /// Add `d` (1, or −1 as `u64::MAX`, wrapping) to every count the cell belongs to.
    #[inline]
    fn cell(&mut self, hits: u32, mask: u32, d: u64) {
        let add = |v: &mut u64| *v = v.wrapping_add(d);
        add(&mut self.cells);
        add(&mut self.hist[(hits as usize).min(HIST_BINS - 1)]);
        add(&mut self.distinct_passes[mask.count_ones() as usize]);
        if hits == 0 {
            return;
        }
        self.hit_sum = self.hit_sum.wrapping_add((hits as u64).wrapping_mul(d));
        add(&mut self.first[mask.trailing_zeros() as usize]);
        let mut bits = mask;
        while bits != 0 {
            add(&mut self.alone[bits.trailing_zeros() as usize]);
            bits &= bits - 1;
        }
        if mask.count_ones() > PASS_LIMIT {
            add(&mut self.over_pass_limit);
        }
    }

    /// Add `o`'s counts each multiplied by `w` (cells of `o` that weigh `w` units each: the
    /// surface's area-weighted cells); the largest hit count is the larger of the two.
    pub fn add_scaled(&mut self, o: &Tally, w: u64) {
        let add = |a: &mut u64, b: &u64| *a += b * w;
        self.cells += o.cells * w;
        self.hist.iter_mut().zip(&o.hist).for_each(|(a, b)| add(a, b));
        self.hit_sum += o.hit_sum * w;
        if o.cells > 0 {
            self.max_hits = self.max_hits.max(o.max_hits);
        }
        self.alone.iter_mut().zip(&o.alone).for_each(|(a, b)| add(a, b));
        self.first.iter_mut().zip(&o.first).for_each(|(a, b)| add(a, b));
        self.over_pass_limit += o.over_pass_limit * w;
        self.distinct_passes.iter_mut().zip(&o.distinct_passes).for_each(|(a, b)| add(a, b));
        self.first_frame.iter_mut().zip(&o.first_frame).for_each(|(a, b)| add(a, b));
    }

    /// Cells hit at least once after passes `0..=p`.
    pub fn cumulative(&self) -> Vec<u64> {
        self.first
            .iter()
            .scan(0, |s, f| {
                *s += f;
                Some(*s)
            })
            .collect()
    }

    /// Cells hit at least once.
    pub fn covered(&self) -> u64 {
        self.cells - self.hist[0]
    }
}

/// A down-sampled picture of the hit counts: mean hits per pixel.
#[derive(Clone, Debug, PartialEq)]
pub struct Raster {
    /// Lower-left corner of pixel (0, 0), mm.
    pub origin_mm: Vec2,
    /// Pixel side, mm.
    pub pixel_mm: f64,
    pub width: usize,
    pub height: usize,
    /// Row-major from the bottom row (y up): `values[row * width + col]`.
    pub values: Vec<f32>,
}

impl Raster {
    pub fn max(&self) -> f32 {
        self.values.iter().copied().fold(0.0, f32::max)
    }
}

/// What to accumulate.
#[derive(Clone, Copy)]
pub struct Request<'a> {
    pub grid: GridSpec,
    /// Disk radius of every puncture, mm (needle radius, or needle + halo).
    pub radius_mm: f64,
    /// Number of passes (≤ [`MAX_PASSES`]); every puncture's `pass` must be below it.
    pub passes: usize,
    /// Picture pixel side in cells (must divide `grid.tile_cells`); `None` = no picture.
    pub picture_cells: Option<usize>,
    pub domain: &'a dyn Domain,
    /// Optional extra layers for pictures; `Layers::default()` = none (the plain result).
    pub layers: Layers<'a>,
}

/// Extra layers an accumulation can produce for pictures. Off by default; when off, the
/// accumulation does exactly what it does without them.
#[derive(Clone, Copy, Debug, Default)]
pub struct Layers<'a> {
    /// One picture per pass (needs `picture_cells`): the fraction of each pixel's cells that
    /// the pass hit, 0–1, in [`Accumulation::pass_rasters`].
    pub pass_pictures: bool,
    /// Animation frames: frame f holds the punctures with index in `ends[f-1]..ends[f]`
    /// (increasing; `ends[-1]` = 0). Fills [`Tally::first_frame`].
    pub frame_ends: Option<&'a [u32]>,
}

/// Result of one accumulation.
#[derive(Clone, Debug, PartialEq)]
pub struct Accumulation {
    /// One tally per domain label.
    pub tallies: Vec<Tally>,
    pub raster: Option<Raster>,
    /// Per-pass coverage pictures (empty unless [`Layers::pass_pictures`]).
    pub pass_rasters: Vec<Raster>,
}
/// Tile window of the domain's bounds.
struct TileWindow {
    ti0: i64,
    tj0: i64,
    nx: usize,
    ny: usize,
}

impl TileWindow {
    fn tile(&self, k: usize) -> (i64, i64) {
        (self.ti0 + (k % self.nx) as i64, self.tj0 + (k / self.nx) as i64)
    }
}

struct Workspace {
    /// Hit counts per cell, in the lane the tile needs (see [`fold`]).
    counts: Buffers,
    /// Pass bit-masks per cell, in the lane the passes need.
    masks: Buffers,
    labels: Vec<u16>,
    /// First animation frame hitting each cell (only with [`Layers::frame_ends`]).
    frames: Vec<u16>,
    fold: Fold,
}

const NO_FRAME: u16 = u16::MAX;

/// One tile's output: its index, the tallies of the labels it holds, picture block,
/// per-pass picture blocks.
type TileResult = (usize, Vec<(u16, Tally)>, Vec<f32>, Vec<f32>);

/// A puncture as a tile's list holds it: what the disk rasteriser reads, copied in tile
/// order so a tile reads its members sequentially rather than from all over the puncture
/// list (a cache miss each when the list is in random order, as a `coverage` CSV may be).
#[derive(Clone, Copy, Debug, Default)]
struct Member {
    x_mm: f64,
    y_mm: f64,
    /// Index in the puncture list (shapes, frames and non-disk footprints read it there).
    idx: u32,
    pass: u16,
    /// An ideal-hand disk (no tilt, no drag, no chart shape).
    disk: bool,
}

/// Accumulate `punctures` over the request's domain.
pub fn accumulate(punctures: &[Puncture], req: &Request) -> Accumulation {
    accumulate_shaped(punctures, None, req)
}

/// Accumulate `punctures` whose footprints are given by `shapes` (one per puncture, at the
/// puncture's centre, [`Footprint::shaped`]) instead of their tilt and drag: footprints drawn
/// in a chart (the surface). `None` is [`accumulate`].
pub fn accumulate_shaped(punctures: &[Puncture], shapes: Option<&[Shape]>, req: &Request) -> Accumulation {
    accumulate_tiled(punctures, shapes, req, None)
}

/// Cells chosen tile by tile (the surface's stretch levels, `surface::measure`): tile
/// `(ti, tj)` of the request grid's tile lattice is cut into the cells of
/// `levels[level(ti, tj)]`, whose tile side is the request grid's (`tile_cells ·
/// resolution_mm`, to rounding: a cell centre is half a cell from its tile's edge, so the
/// rounding never moves a cell between tiles). Level 0 is the request grid itself. A cell of
/// label `l` in a tile of level `L` counts `weights[L · label_count + l]` times in the tallies,
/// so cells of different sides add up in one unit. A picture keeps the request grid's pixels:
/// every tile is drawn as the same number of pixels, from whole cells when its cells do not
/// divide into them ([`crate::raster::fold::picture_block_of`]). No per-pass pictures.
pub struct TileGrids<'a> {
    pub levels: &'a [GridSpec],
    pub level: &'a (dyn Fn(i64, i64) -> usize + Sync),
    pub weights: &'a [u64],
}

/// [`accumulate_shaped`] with the cells of each tile chosen by `grids` (`None`: every tile
/// on the request grid, cells counted once).
pub fn accumulate_tiled(punctures: &[Puncture], shapes: Option<&[Shape]>, req: &Request, grids: Option<&TileGrids>) -> Accumulation {
    if let Some(s) = shapes {
        assert_eq!(s.len(), punctures.len(), "one shape per puncture");
    }
    assert!(req.passes <= MAX_PASSES, "at most {MAX_PASSES} passes");
    let g = req.grid;
    let b = req.domain.bounds();
    let win = TileWindow {
        ti0: g.tile_of(b.x0),
        tj0: g.tile_of(b.y0),
        nx: (g.tile_of(b.x1) - g.tile_of(b.x0) + 1) as usize,
        ny: (g.tile_of(b.y1) - g.tile_of(b.y0) + 1) as usize,
    };
    let (starts, members) = bin_by_tile(punctures, shapes, req, &win);
    let labels = req.domain.label_count();
    let t = g.tile_cells;
    if let Some(gr) = grids {
        assert_eq!(gr.levels.first(), Some(&g), "level 0 is the request grid");
        assert_eq!(gr.weights.len(), gr.levels.len() * labels, "a weight per level and label");
        assert!(!req.layers.pass_pictures, "no per-pass pictures on tile levels");
    }
    // Workspace side: the finest level's tiles.
    let t_max = grids.map_or(t, |gr| gr.levels.iter().map(|l| l.tile_cells).max().unwrap_or(t));
    let level_of = |k: usize| {
        grids.map_or(0, |gr| {
            let (ti, tj) = win.tile(k);
            (gr.level)(ti, tj)
        })
    };
    let frames = req.layers.frame_ends.map_or(0, |e| e.len());
    assert!(frames < NO_FRAME as usize, "fewer than {NO_FRAME} frames");
    let pass_pictures = req.layers.pass_pictures && req.picture_cells.is_some();
    // Pixels per tile side (the same at every level).
    let pixels = req.picture_cells.map(|p| t / p);

    // A tile returns the tallies of the labels it holds only (usually one or two), so memory
    // stays O(tiles) whatever the number of labels.
    let per_tile = |ws: &mut Workspace, k: usize| -> Option<TileResult> {
        let (ti, tj) = win.tile(k);
        let rect = g.tile_rect(ti, tj);
        let class = req.domain.classify(&rect);
        if class == TileClass::Outside {
            return None;
        }
        let mine = &members[starts[k]..starts[k + 1]];
        // This tile's cells: its level's grid (and picture cells).
        let lreq = match grids {
            None => *req,
            Some(gr) => {
                let l = level_of(k);
                Request { grid: gr.levels[l], ..*req }
            }
        };
        let (req, t) = (&lreq, lreq.grid.tile_cells);
        if mine.is_empty()
            && let TileClass::Inside(l) = class
        {
            // No disk touches the tile: every cell is measured and unhit.
            let mut tally = Tally::with_frames(req.passes, frames);
            tally.cells = (t * t) as u64;
            tally.hist[0] = (t * t) as u64;
            tally.distinct_passes[0] = (t * t) as u64;
            let (block, pass_block) = match pixels {
                Some(per) => (vec![0.0f32; per * per], if pass_pictures { vec![0.0f32; req.passes * per * per] } else { Vec::new() }),
                None => (Vec::new(), Vec::new()),
            };
            return Some((k, vec![(l, tally)], block, pass_block));
        }
        fill_labels(ws, req, class, ti, tj);
        // The narrowest lanes that cannot overflow: a cell is hit at most once per footprint
        // touching the tile, and a pass needs one mask bit.
        let (held, block, pass_block) = match (lane_of(mine.len()), lane_of_passes(req.passes)) {
            (1, 1) => tile::<u8, u8>(ws, punctures, shapes, mine, req, ti, tj, class, pass_pictures, pixels),
            (1, 2) => tile::<u8, u16>(ws, punctures, shapes, mine, req, ti, tj, class, pass_pictures, pixels),
            (1, _) => tile::<u8, u32>(ws, punctures, shapes, mine, req, ti, tj, class, pass_pictures, pixels),
            (2, 1) => tile::<u16, u8>(ws, punctures, shapes, mine, req, ti, tj, class, pass_pictures, pixels),
            (2, 2) => tile::<u16, u16>(ws, punctures, shapes, mine, req, ti, tj, class, pass_pictures, pixels),
            (2, _) => tile::<u16, u32>(ws, punctures, shapes, mine, req, ti, tj, class, pass_pictures, pixels),
            (_, 1) => tile::<u32, u8>(ws, punctures, shapes, mine, req, ti, tj, class, pass_pictures, pixels),
            (_, 2) => tile::<u32, u16>(ws, punctures, shapes, mine, req, ti, tj, class, pass_pictures, pixels),
            (_, _) => tile::<u32, u32>(ws, punctures, shapes, mine, req, ti, tj, class, pass_pictures, pixels),
        };
        Some((k, held, block, pass_block))
    };

    let results: Vec<TileResult> = (0..win.nx * win.ny)
        .into_par_iter()
        .map_init(
            || Workspace {
                counts: Buffers::default(),
                masks: Buffers::default(),
                labels: vec![NO_LABEL; t_max * t_max],
                frames: if frames > 0 { vec![NO_FRAME; t_max * t_max + PAD] } else { Vec::new() },
                fold: Fold::new(req.passes, frames),
            },
            |ws, k| per_tile(ws, k),
        )
        .flatten()
        .collect();

    let mut tallies = vec![Tally::with_frames(req.passes, frames); labels];
    for (k, held, _, _) in &results {
        let level = level_of(*k);
        for (l, b) in held {
            match grids {
                None => tallies[*l as usize].merge(b),
                Some(gr) => tallies[*l as usize].add_scaled(b, gr.weights[level * labels + *l as usize]),
            }
        }
    }
    // Stitch the tiles' picture blocks (layer `layer` of each block) into one raster.
    let stitch = |p: usize, layer: usize, pick: &dyn Fn(&TileResult) -> &Vec<f32>| {
        let per = t / p;
        let (w, h) = (win.nx * per, win.ny * per);
        let mut values = vec![0.0f32; w * h];
        for res in &results {
            let (ti, tj) = win.tile(res.0);
            let block = &pick(res)[layer * per * per..(layer + 1) * per * per];
            let (bx, by) = ((ti - win.ti0) as usize * per, (tj - win.tj0) as usize * per);
            for r in 0..per {
                values[(by + r) * w + bx..(by + r) * w + bx + per].copy_from_slice(&block[r * per..(r + 1) * per]);
            }
        }
        let s = g.tile_mm();
        Raster {
            origin_mm: Vec2::new(win.ti0 as f64 * s, win.tj0 as f64 * s),
            pixel_mm: p as f64 * g.resolution_mm,
            width: w,
            height: h,
            values,
        }
    };
    let raster = req.picture_cells.map(|p| stitch(p, 0, &|r| &r.2));
    let pass_rasters = match req.picture_cells {
        Some(p) if pass_pictures => (0..req.passes).map(|layer| stitch(p, layer, &|r| &r.3)).collect(),
        _ => Vec::new(),
    };
    Accumulation { tallies, raster, pass_rasters }
}

/// Bytes per hit count for a tile touched by `footprints` footprints.
fn lane_of(footprints: usize) -> usize {
    if footprints <= u8::MAX as usize {
        1
    } else if footprints <= u16::MAX as usize {
        2
    } else {
        4
    }
}

/// Bytes per pass mask for `passes` passes.
fn lane_of_passes(passes: usize) -> usize {
    if passes <= 8 {
        1
    } else if passes <= 16 {
        2
    } else {
        4
    }
}

/// One tile with hit counts in `C` and masks in `M`: rasterise, fold by label runs,
/// picture blocks. Returns the held tallies and the picture blocks.
#[allow(clippy::too_many_arguments)]
fn tile<C: Lane, M: Lane>(
    ws: &mut Workspace,
    punctures: &[Puncture],
    shapes: Option<&[Shape]>,
    mine: &[Member],
    req: &Request,
    ti: i64,
    tj: i64,
    class: TileClass,
    pass_pictures: bool,
    pixels: Option<usize>,
) -> (Vec<(u16, Tally)>, Vec<f32>, Vec<f32>) {
    let t = req.grid.tile_cells;
    let n = t * t;
    // With one pass a cell's mask is "hit", read from its count: no masks are kept.
    let single = req.passes == 1;
    let counts = C::buf(&mut ws.counts);
    let masks = M::buf(&mut ws.masks);
    counts.clear();
    counts.resize(n + PAD, C::default());
    masks.clear();
    if !single {
        masks.resize(n + PAD, M::default());
    }
    let with_frames = req.layers.frame_ends.is_some();
    rasterise(counts, masks, &mut ws.frames, punctures, shapes, mine, req, ti, tj);
    let (counts, masks) = (&counts[..n], if single { &masks[..0] } else { &masks[..n] });
    let frames = with_frames.then(|| &ws.frames[..n]);
    let fold = &mut ws.fold;
    match class {
        TileClass::Inside(l) => fold.run(l, counts, masks, frames),
        _ => {
            for (r, row) in ws.labels[..n].chunks_exact(t).enumerate() {
                let o = r * t;
                let m = |a: usize, b: usize| if single { &masks[..0] } else { &masks[o + a..o + b] };
                label_runs(row, |l, a, b| fold.run(l, &counts[o + a..o + b], m(a, b), frames.map(|f| &f[o + a..o + b])));
            }
        }
    }
    let held = fold.finish();
    let block = pixels.map(|k| picture_block_of(counts, t, k)).unwrap_or_default();
    let pass_block = match req.picture_cells {
        Some(p) if pass_pictures && single => pass_blocks_single(counts, t, p),
        Some(p) if pass_pictures => pass_blocks(masks, t, p, req.passes),
        _ => Vec::new(),
    };
    (held, block, pass_block)
}

/// Counting sort of puncture indices into the tiles their bounding boxes touch.
/// Returns CSR offsets (`starts[k]..starts[k+1]`) and the member list, in puncture order.
fn bin_by_tile(punctures: &[Puncture], shapes: Option<&[Shape]>, req: &Request, win: &TileWindow) -> (Vec<usize>, Vec<Member>) {
    let g = req.grid;
    let r = req.radius_mm;
    let range = |k: usize, p: &Puncture| {
        let clamp_x = |v: i64| (v - win.ti0).clamp(-1, win.nx as i64);
        let clamp_y = |v: i64| (v - win.tj0).clamp(-1, win.ny as i64);
        let b = footprint::bbox(p, shapes.map(|s| &s[k]), r);
        (
            clamp_x(g.tile_of(b.x0)).max(0),
            clamp_x(g.tile_of(b.x1)).min(win.nx as i64 - 1),
            clamp_y(g.tile_of(b.y0)).max(0),
            clamp_y(g.tile_of(b.y1)).min(win.ny as i64 - 1),
        )
    };
    // Each puncture's tile range, computed once (x0, x1, y0, y1; empty when x0 > x1).
    let ranges: Vec<[i32; 4]> = punctures
        .par_iter()
        .enumerate()
        .map(|(k, p)| {
            let (x0, x1, y0, y1) = range(k, p);
            [x0 as i32, x1 as i32, y0 as i32, y1 as i32]
        })
        .collect();
    let n = win.nx * win.ny;
    let mut counts = vec![0usize; n + 1];
    for &[x0, x1, y0, y1] in &ranges {
        for y in y0..=y1 {
            for x in x0..=x1 {
                counts[y as usize * win.nx + x as usize + 1] += 1;
            }
        }
    }
    for k in 0..n {
        counts[k + 1] += counts[k];
    }
    let starts = counts.clone();
    let mut next = counts;
    let mut members = vec![Member::default(); starts[n]];
    for (idx, (&[x0, x1, y0, y1], p)) in ranges.iter().zip(punctures).enumerate() {
        let m = Member { x_mm: p.x_mm, y_mm: p.y_mm, idx: idx as u32, pass: p.pass, disk: shapes.is_none() && p.is_disk() };
        for y in y0..=y1 {
            for x in x0..=x1 {
                let k = y as usize * win.nx + x as usize;
                members[next[k]] = m;
                next[k] += 1;
            }
        }
    }
    (starts, members)
}

fn fill_labels(ws: &mut Workspace, req: &Request, class: TileClass, ti: i64, tj: i64) {
    let t = req.grid.tile_cells;
    match class {
        // Inside tiles are folded as one run: their label row is never read.
        TileClass::Inside(_) => {}
        TileClass::Outside => ws.labels.fill(NO_LABEL),
        TileClass::Mixed => req.domain.label_block(&req.grid, tj * t as i64, ti * t as i64, t, &mut ws.labels[..t * t]),
    }
}

/// Rasterise the tile's footprints: each row span added to the counts and OR-ed into the
/// masks (with one pass, none) a word of cells at a time ([`Lane::add_one`]).
#[allow(clippy::too_many_arguments)]
fn rasterise<C: Lane, M: Lane>(
    counts: &mut [C],
    masks: &mut [M],
    frames: &mut [u16],
    punctures: &[Puncture],
    shapes: Option<&[Shape]>,
    mine: &[Member],
    req: &Request,
    ti: i64,
    tj: i64,
) {
    let t = req.grid.tile_cells as i64;
    let (ci0, cj0) = (ti * t, tj * t);
    let window = (ci0, ci0 + t - 1, cj0, cj0 + t - 1);
    let single = req.passes == 1;
    if let Some(ends) = req.layers.frame_ends {
        // A separate loop, so the plain accumulation's inner loop is untouched.
        frames.fill(NO_FRAME);
        for m in mine {
            let idx = m.idx;
            let p = &punctures[idx as usize];
            debug_assert!((p.pass as usize) < req.passes.max(1), "pass {} of {}", p.pass, req.passes);
            let bit = M::from_u32(1u32 << p.pass);
            let frame = ends.partition_point(|&e| e <= idx).min(NO_FRAME as usize - 1) as u16;
            let add = |j: i64, i0: i64, i1: i64| {
                let row = ((j - cj0) * t) as usize;
                let (a, b) = (row + (i0 - ci0) as usize, row + (i1 - ci0) as usize + 1);
                C::add_one(counts, a, b);
                if !single {
                    M::or_bit(masks, a, b, bit);
                }
                min_frame(frames, a, b, frame);
            };
            match shapes {
                Some(s) => req.grid.shape_rows(Vec2::new(p.x_mm, p.y_mm), &s[idx as usize], req.radius_mm, window, add),
                None => footprint_rows(p, &req.grid, req.radius_mm, window, add),
            }
        }
        return;
    }
    for m in mine {
        debug_assert!((m.pass as usize) < req.passes.max(1), "pass {} of {}", m.pass, req.passes);
        let bit = M::from_u32(1u32 << m.pass);
        let mut add = |j: i64, i0: i64, i1: i64| {
            let row = ((j - cj0) * t) as usize;
            let (a, b) = (row + (i0 - ci0) as usize, row + (i1 - ci0) as usize + 1);
            C::add_one(counts, a, b);
            if !single {
                M::or_bit(masks, a, b, bit);
            }
        };
        // Disks (ideal hand) keep the fast path; tilted or dragged needles and chart shapes
        // use the exact shape rasteriser.
        if m.disk {
            req.grid.disk_rows(m.x_mm, m.y_mm, req.radius_mm, window, &mut add);
        } else if let Some(s) = shapes {
            req.grid.shape_rows(Vec2::new(m.x_mm, m.y_mm), &s[m.idx as usize], req.radius_mm, window, &mut add);
        } else {
            req.grid.footprint_rows(&Footprint::of(&punctures[m.idx as usize], req.radius_mm), window, &mut add);
        }
    }
}

/// Call `row(j, i0, i1)` for every row of cells inside `p`'s footprint of radius
/// `radius_mm` (a disk for an ideal hand, the exact tilted or dragged shape otherwise),
/// restricted to the cell window: the one rasterisation rule pictures share with the tallies.
#[inline]
pub fn footprint_rows(p: &Puncture, grid: &GridSpec, radius_mm: f64, window: (i64, i64, i64, i64), row: impl FnMut(i64, i64, i64)) {
    if p.is_disk() {
        grid.disk_rows(p.x_mm, p.y_mm, radius_mm, window, row);
    } else {
        grid.footprint_rows(&Footprint::of(p, radius_mm), window, row);
    }
}

/// Bytes the accumulation of `punctures` needs beyond the punctures themselves (bins,
/// per-worker workspaces, picture), for the up-front memory guard. In f64 so that absurd
/// inputs give a huge estimate rather than an overflow.
pub fn estimate_bytes(punctures: f64, grid: &GridSpec, radius_mm: f64, bounds_tiles: f64, threads: usize, picture_px: usize) -> f64 {
    // A disk straddles ~ (1 + 2r/tile)² tiles on average; a bin entry is a `Member`.
    let spread = (1.0 + 2.0 * radius_mm / grid.tile_mm()).powi(2);
    let bins = punctures * spread * std::mem::size_of::<Member>() as f64 + bounds_tiles * 8.0;
    let ws = (threads * grid.tile_cells * grid.tile_cells * 10) as f64;
    bins + ws + picture_px as f64 * 4.0 + bounds_tiles * 256.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_more_hit_is_remove_then_add() {
        for hits in 0..20u32 {
            for mask in 0..256u32 {
                if (hits == 0) != (mask == 0) || mask.count_ones() > hits {
                    continue;
                }
                for pass in 0..8u32 {
                    let mut base = Tally::new(8);
                    for _ in 0..3 {
                        base.add_cell(hits, mask);
                    }
                    let (mut a, mut b) = (base.clone(), base.clone());
                    a.add_hit(hits, mask, pass);
                    b.remove_cell(hits, mask);
                    b.add_cell(hits + 1, mask | 1 << pass);
                    assert_eq!(a, b, "hits {hits} mask {mask:b} pass {pass}");
                }
            }
        }
    }
}
