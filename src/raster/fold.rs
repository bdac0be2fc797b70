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
    fn or(self, o: Self) -> Self;
    /// The workspace buffer of this lane type.
    fn buf(b: &mut Buffers) -> &mut Vec<Self>;
    /// Σ of the values, exact.
    fn sum(s: &[Self]) -> u64;
    /// Add 1 to `s[a..b]`. The slice extends at least [`PAD`] elements past `b`.
    #[inline(always)]
    fn add_one(s: &mut [Self], a: usize, b: usize) {
        let mut i = a;
        while i < b {
            let on = &SPAN[(b - i).min(PAD)];
            let seg: &mut [Self; PAD] = (&mut s[i..i + PAD]).try_into().expect("PAD cells");
            // A whole block, + 1 inside the span and + 0 past it: vectorised, no scalar tail.
            for (c, &o) in seg.iter_mut().zip(on) {
                *c = c.wrapping_add_u32((o & 1) as u32);
            }
            i += PAD;
        }
    }
    /// OR `bit` into `s[a..b]`. The slice extends at least [`PAD`] elements past `b`.
    #[inline(always)]
    fn or_bit(s: &mut [Self], a: usize, b: usize, bit: Self) {
        let mut i = a;
        while i < b {
            let on = &SPAN[(b - i).min(PAD)];
            let seg: &mut [Self; PAD] = (&mut s[i..i + PAD]).try_into().expect("PAD cells");
            for (m, &o) in seg.iter_mut().zip(on) {
                *m = m.or(bit.and_u32(o as i8 as i32 as u32));
            }
            i += PAD;
        }
    }
    /// `self & v` (truncating `v`).
    fn and_u32(self, v: u32) -> Self;
    /// `self + v`, wrapping (never wraps: the lane is chosen so that it cannot).
    fn wrapping_add_u32(self, v: u32) -> Self;
}

/// Cells updated as one block by the span updates, and spare cells after a tile's cells in
/// the lane buffers, so that a block may run past a span's end (cells past it get + 0 / | 0).
pub(crate) const PAD: usize = 32;

/// `SPAN[n][k]` = 0xFF for the `k < n` cells of a block, 0 past them.
const SPAN: [[u8; PAD]; PAD + 1] = {
    let mut t = [[0u8; PAD]; PAD + 1];
    let mut n = 0;
    while n <= PAD {
        let mut k = 0;
        while k < n {
            t[n][k] = 0xFF;
            k += 1;
        }
        n += 1;
    }
    t
};

/// `min(frames[a..b], frame)`, in blocks like [`Lane::add_one`]; `f` extends [`PAD`] past `b`.
#[inline(always)]
pub(crate) fn min_frame(f: &mut [u16], a: usize, b: usize, frame: u16) {
    let mut i = a;
    while i < b {
        let on = &SPAN[(b - i).min(PAD)];
        let seg: &mut [u16; PAD] = (&mut f[i..i + PAD]).try_into().expect("PAD cells");
        // Past the span the bound is 0xFFFF, which leaves the frame as it is.
        for (x, &o) in seg.iter_mut().zip(on) {
            *x = (*x).min(frame | !(o as i8 as i16 as u16));
        }
        i += PAD;
    }
}

/// One buffer per lane type, allocated on first use.
#[derive(Default)]
pub(crate) struct Buffers {
    pub v8: Vec<u8>,
    pub v16: Vec<u16>,
    pub v32: Vec<u32>,
}

macro_rules! lane {
    ($t:ty, $field:ident, { $($extra:tt)* }) => {
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
            fn or(self, o: Self) -> Self {
                self | o
            }
            #[inline(always)]
            fn wrapping_add_u32(self, v: u32) -> Self {
                self.wrapping_add(v as $t)
            }
            #[inline(always)]
            fn and_u32(self, v: u32) -> Self {
                self & v as $t
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
            $($extra)*
        }
    };
}
lane!(u8, v8, {});
lane!(u16, v16, {});

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
    fn or(self, o: Self) -> Self {
        self | o
    }
    #[inline(always)]
    fn wrapping_add_u32(self, v: u32) -> Self {
        self.wrapping_add(v)
    }
    #[inline(always)]
    fn and_u32(self, v: u32) -> Self {
        self & v
    }
    fn buf(b: &mut Buffers) -> &mut Vec<Self> {
        &mut b.v32
    }
    #[inline]
    fn sum(s: &[Self]) -> u64 {
        s.iter().map(|&v| v as u64).sum()
    }
}

/// Entries of a slot's table array: ≥ the narrow table at 8 passes (17 · 256) and the
/// wide tables at 32 passes.
const TABLE: usize = 8192;
const _: () = assert!(H << NARROW_PASSES <= TABLE && WIDE_BYTES + 4 * 256 <= TABLE);

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
    /// The tables (the first `copies × size` entries in use); a power-of-two array so that
    /// masked indices need no bounds check.
    table: Box<[u32; TABLE]>,
    /// `first_frame` counts; the last entry takes frames past the end (not counted).
    frames: Vec<u64>,
}

/// Per-worker fold state: the slots of the labels the current tile holds.
pub(crate) struct Fold {
    passes: usize,
    frames: usize,
    /// Narrow: table copies (1, 2 or 4); wide: 1.
    copies: usize,
    /// One pass: no masks are kept (a cell's mask is 1 when it is hit).
    single: bool,
    /// Entries of one table copy.
    size: usize,
    wide: bool,
    slots: Vec<Slot>,
    used: usize,
    /// Narrow key of a hit count ≤ 255: `min(hits, 16) << passes` (one pass: `| 1` when
    /// hit, the mask).
    key: [u32; 256],
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
        let single = passes == 1;
        let shift = if wide { 0 } else { passes };
        let key = std::array::from_fn(|c| ((c as u32).min(H as u32 - 1) << shift) | (single && c > 0) as u32);
        Fold { passes, frames, copies, size, wide, single, slots: Vec::new(), used: 0, key }
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
                table: Box::new([0; TABLE]),
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
        s.table[..self.copies * self.size].fill(0);
        s.frames.fill(0);
        s
    }

    /// Count the cells of one run of label `label` (`counts`, `masks` and, with frames,
    /// `frames` of the same cells; with one pass, `masks` is not read).
    #[inline]
    pub(crate) fn run<C: Lane, M: Lane>(&mut self, label: u16, counts: &[C], masks: &[M], frames: Option<&[u16]>) {
        debug_assert_ne!(label, NO_LABEL);
        let (wide, single, copies, size, passes, nframes) = (self.wide, self.single, self.copies, self.size, self.passes, self.frames);
        let keys = self.key;
        let s = self.slot(label);
        s.cells += counts.len() as u64;
        if single && !wide {
            // One pass: the hit sum and the largest count come out of the chunk loop, which
            // skips the (many) empty chunks; frames, when kept, are counted below.
            let (sum, max) = count_single::<C, 4>(s, counts, size, &keys);
            s.hit_sum += sum;
            s.max_hits = s.max_hits.max(max);
            if let Some(frames) = frames {
                count_frames(s, counts, frames, nframes);
            }
            return;
        }
        s.hit_sum += C::sum(counts);
        s.max_hits = s.max_hits.max(counts.iter().copied().max().map_or(0, C::to_u32));
        if let Some(frames) = frames {
            count_frames(s, counts, frames, nframes);
        }
        if wide {
            count_wide(s, counts, masks, passes);
        } else {
            match copies {
                4 => count_narrow::<C, M, 4>(s, counts, masks, passes, size, &keys),
                2 => count_narrow::<C, M, 2>(s, counts, masks, passes, size, &keys),
                _ => count_narrow::<C, M, 1>(s, counts, masks, passes, size, &keys),
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
    // OR in the lane's own width (u8 lanes: one 16-byte register), then compare once.
    chunk.iter().fold(C::default(), |a, &c| a.or(c)) == C::default()
}

/// Narrow key of a count: from the table while it is ≤ 255 (always, in `u8` lanes).
#[inline(always)]
fn key_of<C: Lane>(keys: &[u32; 256], c: C, shift: usize, single: bool) -> u32 {
    let c = c.to_u32();
    if c <= 255 { keys[c as usize] } else { ((H as u32 - 1) << shift) | single as u32 }
}

#[inline(always)]
fn count_narrow<C: Lane, M: Lane, const COPIES: usize>(
    s: &mut Slot,
    counts: &[C],
    masks: &[M],
    passes: usize,
    size: usize,
    keys: &[u32; 256],
) {
    let table = &mut *s.table;
    let low = (1u32 << passes) - 1;
    // < size: (16 << passes) | (2^passes − 1) < 17 << passes.
    let key = |c: C, m: M| (key_of(keys, c, passes, false) | (m.to_u32() & low)) as usize;
    let mut cc = counts.chunks_exact(CHUNK);
    let mut mm = masks.chunks_exact(CHUNK);
    for (c, m) in (&mut cc).zip(&mut mm) {
        if all_zero(c) {
            s.zeros += CHUNK as u64;
            continue;
        }
        for k in 0..CHUNK {
            table[((k % COPIES) * size + key(c[k], m[k])) & (TABLE - 1)] += 1;
        }
    }
    for (&c, &m) in cc.remainder().iter().zip(mm.remainder()) {
        table[key(c, m) & (TABLE - 1)] += 1;
    }
}

/// Cells hit by their first frame (`frames[i]` is cell i's first frame; unhit cells skipped).
#[inline(always)]
fn count_frames<C: Lane>(s: &mut Slot, counts: &[C], frames: &[u16], nframes: usize) {
    // An unhit cell's frame is NO_FRAME (≥ nframes): it lands in the uncounted last entry, so
    // the cells of a chunk with a hit need no branch; chunks without one are skipped.
    let one = |s: &mut Slot, c: &[C], f: &[u16]| {
        for (c, &f) in c.iter().zip(f) {
            debug_assert!(c.to_u32() > 0 || f as usize >= nframes);
            s.frames[(f as usize).min(nframes)] += 1;
        }
    };
    let mut cc = counts.chunks_exact(CHUNK);
    let mut ff = frames.chunks_exact(CHUNK);
    for (c, f) in (&mut cc).zip(&mut ff) {
        if !all_zero(c) {
            one(s, c, f);
        }
    }
    one(s, cc.remainder(), ff.remainder());
}

/// [`count_narrow`] for one pass: the mask is 1 exactly when the cell is hit. Returns the
/// counts' sum and largest value.
#[inline(always)]
fn count_single<C: Lane, const COPIES: usize>(s: &mut Slot, counts: &[C], size: usize, keys: &[u32; 256]) -> (u64, u32) {
    let (mut sum, mut max) = (0u64, 0u32);
    let scalar = |c: &[C], table: &mut [u32; TABLE], sum: &mut u64, max: &mut u32| {
        for (k, &x) in c.iter().enumerate() {
            let v = x.to_u32();
            *sum += u64::from(v);
            *max = (*max).max(v);
            table[((k % COPIES) * size + key_of(keys, x, 1, true) as usize) & (TABLE - 1)] += 1;
        }
    };
    let table = &mut *s.table;
    let key = |c: C| key_of(keys, c, 1, true) as usize;
    let (k1, k2, k3) = (key(C::from_u32(1)), key(C::from_u32(2)), key(C::from_u32(3)));
    let mut cc = counts.chunks_exact(CHUNK);
    for c in &mut cc {
        if all_zero(c) {
            s.zeros += CHUNK as u64;
            continue;
        }
        // Most hit cells of a pass are hit 1–3 times: count those with vectorised compares
        // (a histogram of small values), and only a chunk holding a larger count cell by cell.
        if c.iter().all(|x| x.to_u32() <= 3) {
            let n = |v: u32| c.iter().filter(|x| x.to_u32() == v).count() as u32;
            let (n1, n2, n3) = (n(1), n(2), n(3));
            table[k1 & (TABLE - 1)] += n1;
            table[k2 & (TABLE - 1)] += n2;
            table[k3 & (TABLE - 1)] += n3;
            s.zeros += u64::from(CHUNK as u32 - n1 - n2 - n3);
            sum += u64::from(n1 + 2 * n2 + 3 * n3);
            max = max.max(if n3 > 0 {
                3
            } else if n2 > 0 {
                2
            } else {
                1
            });
            continue;
        }
        scalar(c, table, &mut sum, &mut max);
    }
    scalar(cc.remainder(), table, &mut sum, &mut max);
    (sum, max)
}

#[inline(always)]
fn count_wide<C: Lane, M: Lane>(s: &mut Slot, counts: &[C], masks: &[M], passes: usize) {
    let bytes = passes.div_ceil(8);
    let table = &mut *s.table;
    let mut cc = counts.chunks_exact(CHUNK);
    let mut mm = masks.chunks_exact(CHUNK);
    let mut one = |c: C, m: M| {
        let (c, m) = (c.to_u32(), m.to_u32());
        let h = c.min(H as u32 - 1) as usize;
        table[(h * 33 + m.count_ones() as usize) & (TABLE - 1)] += 1;
        if c > 0 {
            table[(WIDE_FIRST + m.trailing_zeros() as usize) & (TABLE - 1)] += 1;
            for k in 0..bytes {
                table[(WIDE_BYTES + k * 256 + ((m >> (8 * k)) & 255) as usize) & (TABLE - 1)] += 1;
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
                    // Bytes with bits at or past `passes` never occur (every pass is below it).
                    if n == 0 {
                        continue;
                    }
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

/// Split a label row into runs: call `f(label, a, b)` for each maximal run
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

/// Mean hit count of each of `k × k` pixels of a `t × t` tile ([`picture_block`] when `k`
/// divides `t`); otherwise pixel `(a, b)` holds the cells `⌊a·t/k⌋ .. ⌊(a+1)·t/k⌋` of each
/// axis (whole cells, a pixel off by less than a cell at each edge): the picture of a tile
/// whose cells do not divide into its pixels (the surface's tile levels).
pub(crate) fn picture_block_of<C: Lane>(counts: &[C], t: usize, k: usize) -> Vec<f32> {
    if t.is_multiple_of(k) {
        return picture_block(counts, t, t / k);
    }
    let edge = |a: usize| a * t / k;
    let mut sums = vec![0u64; k * k];
    for (r, row) in counts.chunks_exact(t).enumerate() {
        let py = r * k / t;
        let out = &mut sums[py * k..(py + 1) * k];
        for (px, o) in out.iter_mut().enumerate() {
            *o += C::sum(&row[edge(px)..edge(px + 1)]);
        }
    }
    (0..k * k).map(|i| sums[i] as f32 / ((edge(i / k + 1) - edge(i / k)) * (edge(i % k + 1) - edge(i % k))) as f32).collect()
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
    } else if p <= 255 {
        // A block row's p ≤ 255 cells fit the spread bytes; each is unpacked into the counts.
        let bytes = passes.div_ceil(8);
        for (r, row) in masks.chunks_exact(t).enumerate() {
            let base = (r / p) * per;
            for (bc, chunk) in row.chunks_exact(p).enumerate() {
                for k in 0..bytes {
                    let a: u64 = chunk.iter().map(|&m| SPREAD[((m.to_u32() >> (8 * k)) & 255) as usize]).sum();
                    if a == 0 {
                        continue;
                    }
                    for (b, pass) in (8 * k..passes.min(8 * k + 8)).enumerate() {
                        counts[pass * nb + base + bc] += ((a >> (8 * b)) & 255) as u32;
                    }
                }
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

/// [`pass_blocks`] for one pass, from the counts (a cell's pass is hit when its count is).
pub(crate) fn pass_blocks_single<C: Lane>(counts: &[C], t: usize, p: usize) -> Vec<f32> {
    let per = t / p;
    let mut hit = vec![0u32; per * per];
    for (r, row) in counts.chunks_exact(t).enumerate() {
        let out = &mut hit[(r / p) * per..(r / p + 1) * per];
        for (o, chunk) in out.iter_mut().zip(row.chunks_exact(p)) {
            *o += chunk.iter().map(|c| (c.to_u32() != 0) as u32).sum::<u32>();
        }
    }
    let inv = 1.0 / (p * p) as f32;
    hit.into_iter().map(|v| v as f32 * inv).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};

    /// `pass_blocks` = a plain count of each pass's hit cells per block, for blocks of fewer
    /// and more than 255 cells (rows ≤ 255 and beyond) and 1 to 32 passes.
    #[test]
    fn pass_blocks_count_each_pass_per_block() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        for (t, p) in [(12, 3), (48, 16), (80, 40), (600, 300)] {
            for passes in [1usize, 3, 8, 9, 17, 32] {
                let masks: Vec<u32> = (0..t * t)
                    .map(|_| if rng.random_bool(0.3) { 0 } else { rng.random::<u32>() & ((1u64 << passes) - 1) as u32 })
                    .collect();
                let got = pass_blocks(&masks, t, p, passes);
                let per = t / p;
                for pass in 0..passes {
                    for br in 0..per {
                        for bc in 0..per {
                            let n = (0..p * p).filter(|k| masks[(br * p + k / p) * t + bc * p + k % p] >> pass & 1 == 1).count();
                            // The count, scaled as every picture block is (by 1 / p²).
                            assert_eq!(
                                got[pass * per * per + br * per + bc],
                                n as f32 * (1.0 / (p * p) as f32),
                                "t {t} p {p} passes {passes}"
                            );
                        }
                    }
                }
            }
        }
    }
}
