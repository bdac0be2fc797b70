//! The accumulator as it was before the per-tile fold (issue 14), kept callable as the
//! baseline for tests and benches: `u32` counts and masks per cell, every cell folded into
//! its [`Tally`] one by one with [`Tally::add_cell`]. Same inputs, same results as
//! [`crate::raster::accumulate::accumulate`] (checked field by field in the tests).

use rayon::prelude::*;

use crate::geometry::{Rect, Vec2};
use crate::needle::footprint::Footprint;
use crate::needle::puncture::Puncture;
use crate::raster::accumulate::{Accumulation, MAX_PASSES, Raster, Request, Tally, footprint_rows};
use crate::raster::domain::{NO_LABEL, TileClass};

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
    counts: Vec<u32>,
    masks: Vec<u32>,
    labels: Vec<u16>,
    /// First animation frame hitting each cell (only with [`Layers::frame_ends`]).
    frames: Vec<u16>,
    /// One tally per label, reused tile after tile (only the labels a tile holds leave it).
    tallies: Vec<Tally>,
}

const NO_FRAME: u16 = u16::MAX;

/// One tile's output: its index, the tallies of the labels it holds, picture block,
/// per-pass picture blocks.
type TileResult = (usize, Vec<(u16, Tally)>, Vec<f32>, Vec<f32>);

/// Accumulate `punctures` over the request's domain.
pub fn accumulate(punctures: &[Puncture], req: &Request) -> Accumulation {
    assert!(req.passes <= MAX_PASSES, "at most {MAX_PASSES} passes");
    let g = req.grid;
    let b = req.domain.bounds();
    let win = TileWindow {
        ti0: g.tile_of(b.x0),
        tj0: g.tile_of(b.y0),
        nx: (g.tile_of(b.x1) - g.tile_of(b.x0) + 1) as usize,
        ny: (g.tile_of(b.y1) - g.tile_of(b.y0) + 1) as usize,
    };
    let (starts, members) = bin_by_tile(punctures, req, &win);
    let labels = req.domain.label_count();
    let t = g.tile_cells;
    let frames = req.layers.frame_ends.map_or(0, |e| e.len());
    assert!(frames < NO_FRAME as usize, "fewer than {NO_FRAME} frames");
    let pass_pictures = req.layers.pass_pictures && req.picture_cells.is_some();

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
        if mine.is_empty()
            && let TileClass::Inside(l) = class
        {
            // No disk touches the tile: every cell is measured and unhit.
            let mut tally = Tally::with_frames(req.passes, frames);
            tally.cells = (t * t) as u64;
            tally.hist[0] = (t * t) as u64;
            tally.distinct_passes[0] = (t * t) as u64;
            let (block, pass_block) = match req.picture_cells {
                Some(p) => {
                    let per = t / p;
                    (vec![0.0f32; per * per], if pass_pictures { vec![0.0f32; req.passes * per * per] } else { Vec::new() })
                }
                None => (Vec::new(), Vec::new()),
            };
            return Some((k, vec![(l, tally)], block, pass_block));
        }
        fill_labels(ws, req, class, ti, tj);
        rasterise(ws, punctures, mine, req, ti, tj);
        let mut tallies = std::mem::take(&mut ws.tallies);
        fold_cells(ws, &mut tallies, t);
        let held = tallies
            .iter_mut()
            .enumerate()
            .filter(|(_, x)| x.cells > 0)
            .map(|(l, x)| (l as u16, std::mem::replace(x, Tally::with_frames(req.passes, frames))))
            .collect();
        ws.tallies = tallies;
        let block = req.picture_cells.map(|p| picture_block(&ws.counts, t, p)).unwrap_or_default();
        let pass_block = match req.picture_cells {
            Some(p) if pass_pictures => pass_blocks(&ws.masks, t, p, req.passes),
            _ => Vec::new(),
        };
        Some((k, held, block, pass_block))
    };

    let results: Vec<TileResult> = (0..win.nx * win.ny)
        .into_par_iter()
        .map_init(
            || Workspace {
                counts: vec![0; t * t],
                masks: vec![0; t * t],
                labels: vec![NO_LABEL; t * t],
                frames: if frames > 0 { vec![NO_FRAME; t * t] } else { Vec::new() },
                tallies: vec![Tally::with_frames(req.passes, frames); labels],
            },
            |ws, k| per_tile(ws, k),
        )
        .flatten()
        .collect();

    let mut tallies = vec![Tally::with_frames(req.passes, frames); labels];
    for (_, held, _, _) in &results {
        for (l, b) in held {
            tallies[*l as usize].merge(b);
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

/// Counting sort of puncture indices into the tiles their bounding boxes touch.
/// Returns CSR offsets (`starts[k]..starts[k+1]`) and the member list, in puncture order.
fn bin_by_tile(punctures: &[Puncture], req: &Request, win: &TileWindow) -> (Vec<usize>, Vec<u32>) {
    let g = req.grid;
    let r = req.radius_mm;
    let range = |p: &Puncture| {
        let clamp_x = |v: i64| (v - win.ti0).clamp(-1, win.nx as i64);
        let clamp_y = |v: i64| (v - win.tj0).clamp(-1, win.ny as i64);
        let b = if p.is_disk() { Rect::new(p.x_mm - r, p.y_mm - r, p.x_mm + r, p.y_mm + r) } else { Footprint::of(p, r).bbox() };
        (
            clamp_x(g.tile_of(b.x0)).max(0),
            clamp_x(g.tile_of(b.x1)).min(win.nx as i64 - 1),
            clamp_y(g.tile_of(b.y0)).max(0),
            clamp_y(g.tile_of(b.y1)).min(win.ny as i64 - 1),
        )
    };
    let n = win.nx * win.ny;
    let mut counts = vec![0usize; n + 1];
    for p in punctures {
        let (x0, x1, y0, y1) = range(p);
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
    let mut members = vec![0u32; starts[n]];
    for (idx, p) in punctures.iter().enumerate() {
        let (x0, x1, y0, y1) = range(p);
        for y in y0..=y1 {
            for x in x0..=x1 {
                let k = y as usize * win.nx + x as usize;
                members[next[k]] = idx as u32;
                next[k] += 1;
            }
        }
    }
    (starts, members)
}

fn fill_labels(ws: &mut Workspace, req: &Request, class: TileClass, ti: i64, tj: i64) {
    let t = req.grid.tile_cells;
    match class {
        TileClass::Inside(l) => ws.labels.fill(l),
        TileClass::Outside => ws.labels.fill(NO_LABEL),
        TileClass::Mixed => {
            for r in 0..t {
                let row = &mut ws.labels[r * t..(r + 1) * t];
                req.domain.label_row(&req.grid, tj * t as i64 + r as i64, ti * t as i64, row);
            }
        }
    }
}

fn rasterise(ws: &mut Workspace, punctures: &[Puncture], mine: &[u32], req: &Request, ti: i64, tj: i64) {
    let t = req.grid.tile_cells as i64;
    ws.counts.fill(0);
    ws.masks.fill(0);
    let (ci0, cj0) = (ti * t, tj * t);
    let window = (ci0, ci0 + t - 1, cj0, cj0 + t - 1);
    if let Some(ends) = req.layers.frame_ends {
        // A separate loop, so the plain accumulation's inner loop is untouched.
        ws.frames.fill(NO_FRAME);
        for &idx in mine {
            let p = &punctures[idx as usize];
            let bit = 1u32 << p.pass;
            let frame = ends.partition_point(|&e| e <= idx).min(NO_FRAME as usize - 1) as u16;
            footprint_rows(p, &req.grid, req.radius_mm, window, |j, i0, i1| {
                let row = ((j - cj0) * t) as usize;
                let (a, b) = (row + (i0 - ci0) as usize, row + (i1 - ci0) as usize);
                for c in a..=b {
                    ws.counts[c] += 1;
                    ws.masks[c] |= bit;
                    ws.frames[c] = ws.frames[c].min(frame);
                }
            });
        }
        return;
    }
    for &idx in mine {
        let p = &punctures[idx as usize];
        let bit = 1u32 << p.pass;
        let mut add = |j: i64, i0: i64, i1: i64| {
            let row = ((j - cj0) * t) as usize;
            let (a, b) = (row + (i0 - ci0) as usize, row + (i1 - ci0) as usize);
            for c in &mut ws.counts[a..=b] {
                *c += 1;
            }
            for m in &mut ws.masks[a..=b] {
                *m |= bit;
            }
        };
        // Disks (ideal hand) keep the fast path; tilted or dragged needles use the exact
        // shape rasteriser.
        if p.is_disk() {
            req.grid.disk_rows(p.x_mm, p.y_mm, req.radius_mm, window, &mut add);
        } else {
            req.grid.footprint_rows(&Footprint::of(p, req.radius_mm), window, &mut add);
        }
    }
}

fn fold_cells(ws: &Workspace, tallies: &mut [Tally], t: usize) {
    for idx in 0..t * t {
        let l = ws.labels[idx];
        if l == NO_LABEL {
            continue;
        }
        let tally = &mut tallies[l as usize];
        tally.add_cell(ws.counts[idx], ws.masks[idx]);
        if ws.counts[idx] > 0
            && let Some(f) = tally.first_frame.get_mut(ws.frames.get(idx).copied().unwrap_or(NO_FRAME) as usize)
        {
            *f += 1;
        }
    }
}

/// Mean hit count over each `p × p` block of a tile, bottom row first. Sums are integers
/// per row chunk (no division per cell), then one f32 scale per block.
fn picture_block(counts: &[u32], t: usize, p: usize) -> Vec<f32> {
    let per = t / p;
    let mut sums = vec![0u64; per * per];
    for (r, row) in counts.chunks_exact(t).enumerate() {
        let out = &mut sums[(r / p) * per..(r / p + 1) * per];
        for (o, chunk) in out.iter_mut().zip(row.chunks_exact(p)) {
            *o += chunk.iter().map(|&c| c as u64).sum::<u64>();
        }
    }
    let inv = 1.0 / (p * p) as f32;
    sums.into_iter().map(|v| v as f32 * inv).collect()
}

/// Fraction of each `p × p` block's cells hit by each pass: `passes` blocks one after the
/// other, bottom row first.
fn pass_blocks(masks: &[u32], t: usize, p: usize, passes: usize) -> Vec<f32> {
    let per = t / p;
    let mut out = vec![0.0f32; passes * per * per];
    for r in 0..t {
        for c in 0..t {
            let mut bits = masks[r * t + c];
            while bits != 0 {
                let pass = bits.trailing_zeros() as usize;
                out[pass * per * per + (r / p) * per + c / p] += 1.0;
                bits &= bits - 1;
            }
        }
    }
    let inv = 1.0 / (p * p) as f32;
    out.iter_mut().for_each(|v| *v *= inv);
    out
}
