//! The per-tile fold: a tile's cells counted by state, then folded into tallies once.
//!
//! **Algorithm.** A tile's cells live in the narrowest integer lanes that can hold them
//! ([`Lane`]: `u8`, `u16` or `u32` hit counts, chosen per tile from the number of footprints
//! touching it, which bounds every count; pass masks chosen from the number of passes).
//! Cells are not folded into a [`Tally`] one by one. Each run of cells of one label (a
//! whole tile, or a run of a label row) is counted into a small table per label:
//!
//! - up to 8 passes, the *narrow* table indexed by `(min(hits, 16), pass mask)`:
//!   `17 · 2^passes` counters (≤ 17 kB, L1-resident), in 4 or 2 interleaved copies when
//!   small, so that runs of equal cells do not wait on one counter;
//! - above 8 passes, the *wide* tables: `(min(hits, 16), distinct passes)`, the lowest pass
//!   (first hit) and one 256-entry table per mask byte (passes hit);
//!
//! while 16-cell chunks with no hit are counted in bulk, and the hit sum and largest count
//! come from separate vectorised passes over the counts. Once per tile, each table is
//! turned into the tally's fields ([`Slot::finish`]): every field is an integer sum over
//! the cells, so it comes out identical to the cell-by-cell fold
//! ([`crate::raster::reference`], checked field by field by the tests).

use crate::raster::accumulate::{HIST_BINS, PASS_LIMIT, Tally};
use crate::raster::domain::NO_LABEL;

/// The integer types a tile's hit counts and pass masks are kept in.
pub(crate) trait Lane: Copy + Default + Ord + Send + Sync + 'static {
    fn to_u32(self) -> u32;
    /// Truncating conversion.
    fn from_u32(v: u32) -> Self;
    /// `self + 1`, wrapping (never wraps: the lane is chosen so that it cannot).
    fn inc(self) -> Self;
    fn or(self, o: Self) -> Self;
    /// The workspace buffer of this lane type.
    fn buf(b: &mut Buffers) -> &mut Vec<Self>;
    /// Σ of the values, exact.
    fn sum(s: &[Self]) -> u64;
}

/// One buffer per lane type, allocated on first use.
#[derive(Default)]
pub(crate) struct Buffers {
    pub v8: Vec<u8>,
    pub v16: Vec<u16>,
    pub v32: Vec<u32>,
}

macro_rules! lane {
    ($t:ty, $field:ident) => {
        impl Lane for $t {
            #[inline(always)]
            fn to_u32(self) -> u32 {
                self as u32
            }
            #[inline(always)]
            fn from_u32(v: u32) -> Self {
                v as $t
            }
            #[inline(always)]
            fn inc(self) -> Self {
                self.wrapping_add(1)
            }
            #[inline(always)]
            fn or(self, o: Self) -> Self {
                self | o
            }
            fn buf(b: &mut Buffers) -> &mut Vec<Self> {
                &mut b.$field
            }
            #[inline]
            fn sum(s: &[Self]) -> u64 {
                // Partial sums in u32 over chunks small enough not to overflow (vectorised).
                let chunk = ((u32::MAX / <$t>::MAX as u32) as usize).min(1 << 16);
                s.chunks(chunk).map(|c| c.iter().map(|&v| v as u32).fold(0u32, u32::wrapping_add) as u64).sum()
            }
        }
    };
}
lane!(u8, v8);
lane!(u16, v16);

impl Lane for u32 {
    #[inline(always)]
    fn to_u32(self) -> u32 {
        self
    }
    #[inline(always)]
    fn from_u32(v: u32) -> Self {
        v
    }
    #[inline(always)]
    fn inc(self) -> Self {
        self.wrapping_add(1)
    }
    #[inline(always)]
    fn or(self, o: Self) -> Self {
        self | o
    }
    fn buf(b: &mut Buffers) -> &mut Vec<Self> {
        &mut b.v32
    }
    #[inline]
    fn sum(s: &[Self]) -> u64 {
        s.iter().map(|&v| v as u64).sum()
    }
}

/// Cells per chunk tested at once for "no hit".
const CHUNK: usize = 16;
/// Hit-count bins of the tables (the tally's histogram bins).
const H: usize = HIST_BINS;
/// Most passes of the narrow table.
pub(crate) const NARROW_PASSES: usize = 8;
/// Wide tables: `(hits bin, distinct passes)` then the lowest pass then one table per byte.
const WIDE_HD: usize = H * 33;
const WIDE_FIRST: usize = WIDE_HD;
const WIDE_BYTES: usize = WIDE_FIRST + 33;

/// The counts of one label over one tile.
pub(crate) struct Slot {
    label: u16,
    cells: u64,
    /// Cells of chunks counted in bulk as unhit.
    zeros: u64,
    hit_sum: u64,
    max_hits: u32,
    table: Vec<u32>,
    /// `first_frame` counts; the last entry takes frames past the end (not counted).
    frames: Vec<u64>,
}

/// Per-worker fold state: the slots of the labels the current tile holds.
pub(crate) struct Fold {
    passes: usize,
    frames: usize,
    /// Narrow: table copies (1, 2 or 4); wide: 1.
    copies: usize,
    /// Entries of one table copy.
    size: usize,
    wide: bool,
    slots: Vec<Slot>,
    used: usize,
}

impl Fold {
    pub(crate) fn new(passes: usize, frames: usize) -> Self {
        let wide = passes > NARROW_PASSES;
        let size = if wide { WIDE_BYTES + passes.div_ceil(8) * 256 } else { H << passes };
        let copies = if wide {
            1
        } else if size * 4 <= 4096 {
            4
        } else if size * 2 <= 4096 {
            2
        } else {
            1
        };
        Fold { passes, frames, copies, size, wide, slots: Vec::new(), used: 0 }
    }

    /// The slot of `label` in the current tile (created or reset on first use).
    #[inline]
    fn slot(&mut self, label: u16) -> &mut Slot {
        if let Some(k) = self.slots[..self.used].iter().position(|s| s.label == label) {
            return &mut self.slots[k];
        }
        if self.used == self.slots.len() {
            self.slots.push(Slot {
                label,
                cells: 0,
                zeros: 0,
                hit_sum: 0,
                max_hits: 0,
                table: vec![0; self.copies * self.size],
                frames: vec![0; self.frames + 1],
            });
        }
        let s = &mut self.slots[self.used];
        self.used += 1;
        s.label = label;
        s.cells = 0;
        s.zeros = 0;
        s.hit_sum = 0;
        s.max_hits = 0;
        s.table.fill(0);
        s.frames.fill(0);
        s
    }

    /// Count the cells of one run of label `label` (`counts`, `masks` and, with frames,
    /// `frames` of the same cells).
    #[inline]
    pub(crate) fn run<C: Lane, M: Lane>(&mut self, label: u16, counts: &[C], masks: &[M], frames: Option<&[u16]>) {
        debug_assert_ne!(label, NO_LABEL);
        let (wide, copies, size, passes, nframes) = (self.wide, self.copies, self.size, self.passes, self.frames);
        let s = self.slot(label);
        s.cells += counts.len() as u64;
        s.hit_sum += C::sum(counts);
        s.max_hits = s.max_hits.max(counts.iter().copied().max().map_or(0, C::to_u32));
        if let Some(frames) = frames {
            for (c, &f) in counts.iter().zip(frames) {
                if c.to_u32() > 0 {
                    s.frames[(f as usize).min(nframes)] += 1;
                }
            }
        }
        if wide {
            count_wide(s, counts, masks, passes);
        } else {
            match copies {
                4 => count_narrow::<C, M, 4>(s, counts, masks, passes, size),
                2 => count_narrow::<C, M, 2>(s, counts, masks, passes, size),
                _ => count_narrow::<C, M, 1>(s, counts, masks, passes, size),
            }
        }
    }

    /// The tallies of the labels counted since the last call, and a fresh start.
    pub(crate) fn finish(&mut self) -> Vec<(u16, Tally)> {
        let used = std::mem::take(&mut self.used);
        let (passes, frames, copies, size, wide) = (self.passes, self.frames, self.copies, self.size, self.wide);
        self.slots[..used].iter().filter(|s| s.cells > 0).map(|s| (s.label, s.finish(passes, frames, copies, size, wide))).collect()
    }
}

/// Are all of a chunk's counts zero? (An OR over a fixed-size chunk: vectorised.)
#[inline(always)]
fn all_zero<C: Lane>(chunk: &[C]) -> bool {
    chunk.iter().fold(0u32, |a, c| a | c.to_u32()) == 0
}

#[inline(always)]
fn count_narrow<C: Lane, M: Lane, const COPIES: usize>(s: &mut Slot, counts: &[C], masks: &[M], passes: usize, size: usize) {
    let table = &mut s.table[..COPIES * size];
    let low = (1u32 << passes) - 1;
    let key = |c: C, m: M| ((c.to_u32().min(H as u32 - 1) << passes) | (m.to_u32() & low)) as usize;
    let mut cc = counts.chunks_exact(CHUNK);
    let mut mm = masks.chunks_exact(CHUNK);
    for (c, m) in (&mut cc).zip(&mut mm) {
        if all_zero(c) {
            s.zeros += CHUNK as u64;
            continue;
        }
        for k in 0..CHUNK {
            table[(k % COPIES) * size + key(c[k], m[k])] += 1;
        }
    }
    for (&c, &m) in cc.remainder().iter().zip(mm.remainder()) {
        table[key(c, m)] += 1;
    }
}

#[inline(always)]
fn count_wide<C: Lane, M: Lane>(s: &mut Slot, counts: &[C], masks: &[M], passes: usize) {
    let bytes = passes.div_ceil(8);
    let table = &mut s.table[..];
    let mut cc = counts.chunks_exact(CHUNK);
    let mut mm = masks.chunks_exact(CHUNK);
    let mut one = |c: C, m: M| {
        let (c, m) = (c.to_u32(), m.to_u32());
        let h = c.min(H as u32 - 1) as usize;
        table[h * 33 + m.count_ones() as usize] += 1;
        if c > 0 {
            table[WIDE_FIRST + m.trailing_zeros() as usize] += 1;
            for k in 0..bytes {
                table[WIDE_BYTES + k * 256 + ((m >> (8 * k)) & 255) as usize] += 1;
            }
        }
    };
    for (c, m) in (&mut cc).zip(&mut mm) {
        if all_zero(c) {
            s.zeros += CHUNK as u64;
            continue;
        }
        for k in 0..CHUNK {
            one(c[k], m[k]);
        }
    }
    for (&c, &m) in cc.remainder().iter().zip(mm.remainder()) {
        one(c, m);
    }
}

impl Slot {
    /// Turn the tables into a tally (every field an integer sum over the cells).
    fn finish(&self, passes: usize, frames: usize, copies: usize, size: usize, wide: bool) -> Tally {
        let mut t = Tally::with_frames(passes, frames);
        t.cells = self.cells;
        t.hit_sum = self.hit_sum;
        t.max_hits = self.max_hits;
        t.first_frame.copy_from_slice(&self.frames[..frames]);
        let at = |k: usize| (0..copies).map(|c| self.table[c * size + k] as u64).sum::<u64>();
        if wide {
            for h in 0..H {
                for d in 0..=passes {
                    let v = at(h * 33 + d) + if h == 0 && d == 0 { self.zeros } else { 0 };
                    t.hist[h] += v;
                    t.distinct_passes[d] += v;
                    if h > 0 && d as u32 > PASS_LIMIT {
                        t.over_pass_limit += v;
                    }
                }
            }
            for p in 0..passes {
                t.first[p] = at(WIDE_FIRST + p);
            }
            for k in 0..passes.div_ceil(8) {
                for v in 1..256usize {
                    let n = at(WIDE_BYTES + k * 256 + v);
                    let mut bits = v;
                    while bits != 0 {
                        t.alone[8 * k + bits.trailing_zeros() as usize] += n;
                        bits &= bits - 1;
                    }
                }
            }
            return t;
        }
        let masks = 1usize << passes;
        t.hist[0] = self.zeros;
        t.distinct_passes[0] = self.zeros;
        for h in 0..H {
            for m in 0..masks {
                let v = at(h << passes | m);
                if v == 0 {
                    continue;
                }
                let d = m.count_ones();
                t.hist[h] += v;
                t.distinct_passes[d as usize] += v;
                if h == 0 {
                    continue;
                }
                t.first[m.trailing_zeros() as usize] += v;
                let mut bits = m;
                while bits != 0 {
                    t.alone[bits.trailing_zeros() as usize] += v;
                    bits &= bits - 1;
                }
                if d > PASS_LIMIT {
                    t.over_pass_limit += v;
                }
            }
        }
        t
    }
}

/// Fill `row`'s cells with `label` runs: call `f(label, a, b)` for each maximal run
/// `a..b` of equal labels other than [`NO_LABEL`].
#[inline]
pub(crate) fn label_runs(row: &[u16], mut f: impl FnMut(u16, usize, usize)) {
    let mut a = 0;
    while a < row.len() {
        let l = row[a];
        let b = a + row[a..].iter().position(|&x| x != l).unwrap_or(row.len() - a);
        if l != NO_LABEL {
            f(l, a, b);
        }
        a = b;
    }
}

/// Spread of a mask byte: bit b of the byte to byte b of the word (per-pass counts of up to
/// 255 cells summed in one add).
const SPREAD: [u64; 256] = {
    let mut t = [0u64; 256];
    let mut v = 0;
    while v < 256 {
        let mut b = 0;
        while b < 8 {
            if v >> b & 1 == 1 {
                t[v] |= 1 << (8 * b);
            }
            b += 1;
        }
        v += 1;
    }
    t
};

/// Mean hit count over each `p × p` block of a tile, bottom row first. Sums are integers
/// per row chunk (no division per cell), then one f32 scale per block.
pub(crate) fn picture_block<C: Lane>(counts: &[C], t: usize, p: usize) -> Vec<f32> {
    let per = t / p;
    let mut sums = vec![0u64; per * per];
    for (r, row) in counts.chunks_exact(t).enumerate() {
        let out = &mut sums[(r / p) * per..(r / p + 1) * per];
        for (o, chunk) in out.iter_mut().zip(row.chunks_exact(p)) {
            *o += C::sum(chunk);
        }
    }
    let inv = 1.0 / (p * p) as f32;
    sums.into_iter().map(|v| v as f32 * inv).collect()
}

/// Fraction of each `p × p` block's cells hit by each pass: `passes` blocks one after the
/// other, bottom row first. Integer counts per pass and block (bytes of a spread word while
/// a block holds at most 255 cells), then one f32 scale: the same values as adding 1.0 per
/// hit cell.
pub(crate) fn pass_blocks<M: Lane>(masks: &[M], t: usize, p: usize, passes: usize) -> Vec<f32> {
    let per = t / p;
    let nb = per * per;
    let mut counts = vec![0u32; passes * nb];
    if p * p <= 255 {
        let bytes = passes.div_ceil(8);
        let mut acc = vec![0u64; bytes * nb];
        for (r, row) in masks.chunks_exact(t).enumerate() {
            let base = (r / p) * per;
            for (bc, chunk) in row.chunks_exact(p).enumerate() {
                for k in 0..bytes {
                    let a = &mut acc[k * nb + base + bc];
                    for &m in chunk {
                        *a += SPREAD[((m.to_u32() >> (8 * k)) & 255) as usize];
                    }
                }
            }
        }
        for pass in 0..passes {
            let (k, b) = (pass / 8, pass % 8);
            for blk in 0..nb {
                counts[pass * nb + blk] = ((acc[k * nb + blk] >> (8 * b)) & 255) as u32;
            }
        }
    } else {
        for r in 0..t {
            for c in 0..t {
                let mut bits = masks[r * t + c].to_u32();
                while bits != 0 {
                    let pass = bits.trailing_zeros() as usize;
                    counts[pass * nb + (r / p) * per + c / p] += 1;
                    bits &= bits - 1;
                }
            }
        }
    }
    let inv = 1.0 / (p * p) as f32;
    counts.into_iter().map(|v| v as f32 * inv).collect()
}
