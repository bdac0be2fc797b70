//! The shipped binary asset of the ICT-FaceKit Light face (MIT, `data/LICENSE`): its layout
//! and its decoder. Loaded with `include_bytes!`, so the library reads no file at run time.
//!
//! **Layout** (all little-endian):
//! - `MAGIC` (8 bytes), then `u32` counts: vertices `nv`, UVs `nt`, quads `nq`, modes `nm`;
//! - `nv × u32`: each vertex's 0-based index in the source OBJ (landmarks are source indices);
//! - `nv × 3 × i32`: neutral positions in units of [`POSITION_UNIT_MM`] (x to the person's
//!   left, y up, z out of the face), exact to the source's printed digits;
//! - `nt × 2 × u32`: UVs in units of [`UV_UNIT`] (the face chart is `u ∈ [0, 1]`, the neck's
//!   part of the head-and-neck chart `u ∈ [1, 2]`; the source's 6 decimals exactly);
//! - `nq × (4 × u16 vertex, 4 × u16 UV)`: quads, counter-clockwise in UV;
//! - `nm × nv × 3 × i16`: identity mode displacements in units of [`MODE_UNIT_MM`] for one
//!   standard deviation (rounded: error ≤ half a unit).
//!
//! The converter (`tests/surface_face/convert.rs`) writes it from `shared/meshes/ict-face`;
//! `tests/surface_face.rs` pins these bytes to the source and to a recorded SHA-256.

use crate::error::{Error, Result};

/// The asset's first 8 bytes.
pub const MAGIC: &[u8; 8] = b"NSICT001";
/// Position quantum, mm (the source prints 1e-5 cm).
pub const POSITION_UNIT_MM: f64 = 1e-4;
/// UV quantum (the source prints 6 decimals).
pub const UV_UNIT: f64 = 1e-6;
/// Identity-mode quantum, mm per standard deviation.
pub const MODE_UNIT_MM: f64 = 0.01;

/// The asset bytes.
pub const BYTES: &[u8] = include_bytes!("data/ict_face.bin");

/// One quad: vertex indices and UV indices (into [`IctAsset`]), counter-clockwise in UV.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quad {
    pub v: [u16; 4],
    pub uv: [u16; 4],
}

/// The decoded asset.
#[derive(Clone, Debug, PartialEq)]
pub struct IctAsset {
    /// Each vertex's 0-based index in the source OBJ, increasing.
    pub source_index: Vec<u32>,
    /// Neutral positions, mm.
    pub positions_mm: Vec<[f64; 3]>,
    pub uvs: Vec<[f64; 2]>,
    pub quads: Vec<Quad>,
    /// `modes_mm[m][v]`: displacement of vertex `v` for +1 sd of mode `m`, mm.
    pub modes_mm: Vec<Vec<[f64; 3]>>,
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> Result<[u8; N]> {
        let end = self.at + N;
        let chunk = self
            .bytes
            .get(self.at..end)
            .ok_or_else(|| Error::invalid("ict face asset length", self.bytes.len(), format!("at least {end} bytes")))?;
        self.at = end;
        Ok(chunk.try_into().expect("N bytes"))
    }
    fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.take()?))
    }
    fn count(&mut self) -> Result<usize> {
        Ok(self.u32()? as usize)
    }
}

impl IctAsset {
    /// Decode `bytes` (the shipped [`BYTES`], or a regenerated copy in tests).
    pub fn decode(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader { bytes, at: 0 };
        if r.take::<8>()? != *MAGIC {
            return Err(Error::invalid("ict face asset magic", format!("{:?}", &bytes[..8.min(bytes.len())]), format!("{MAGIC:?}")));
        }
        let (nv, nt, nq, nm) = (r.count()?, r.count()?, r.count()?, r.count()?);
        let source_index = (0..nv).map(|_| r.u32()).collect::<Result<Vec<_>>>()?;
        let mut positions_mm = Vec::with_capacity(nv);
        for _ in 0..nv {
            let mut p = [0.0; 3];
            for c in &mut p {
                *c = i32::from_le_bytes(r.take()?) as f64 * POSITION_UNIT_MM;
            }
            positions_mm.push(p);
        }
        let mut uvs = Vec::with_capacity(nt);
        for _ in 0..nt {
            uvs.push([r.u32()? as f64 * UV_UNIT, r.u32()? as f64 * UV_UNIT]);
        }
        let mut quads = Vec::with_capacity(nq);
        for q in 0..nq {
            let mut quad = Quad { v: [0; 4], uv: [0; 4] };
            for i in 0..8 {
                let x = u16::from_le_bytes(r.take()?);
                let (slot, bound) = if i < 4 { (&mut quad.v[i], nv) } else { (&mut quad.uv[i - 4], nt) };
                if x as usize >= bound {
                    return Err(Error::invalid(format!("ict face asset quad {q}"), x, format!("an index below {bound}")));
                }
                *slot = x;
            }
            quads.push(quad);
        }
        let mut modes_mm = Vec::with_capacity(nm);
        for _ in 0..nm {
            let mut mode = Vec::with_capacity(nv);
            for _ in 0..nv {
                let mut d = [0.0; 3];
                for c in &mut d {
                    *c = i16::from_le_bytes(r.take()?) as f64 * MODE_UNIT_MM;
                }
                mode.push(d);
            }
            modes_mm.push(mode);
        }
        if r.at != bytes.len() {
            return Err(Error::invalid("ict face asset length", bytes.len(), format!("exactly {} bytes", r.at)));
        }
        Ok(IctAsset { source_index, positions_mm, uvs, quads, modes_mm })
    }

    /// The asset index of source vertex `source` (a landmark), if the vertex was kept.
    pub fn vertex(&self, source: u32) -> Option<usize> {
        self.source_index.binary_search(&source).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_asset_decodes_and_damaged_copies_are_refused() {
        let a = IctAsset::decode(BYTES).unwrap();
        assert_eq!(a.modes_mm.len(), 20);
        assert!(a.source_index.windows(2).all(|w| w[0] < w[1]));
        let e = IctAsset::decode(&BYTES[..BYTES.len() - 1]).unwrap_err().to_string();
        assert!(e.contains("length"), "{e}");
        let mut longer = BYTES.to_vec();
        longer.push(0);
        assert!(IctAsset::decode(&longer).unwrap_err().to_string().contains("exactly"));
        let mut bad = BYTES.to_vec();
        bad[0] = b'X';
        assert!(IctAsset::decode(&bad).unwrap_err().to_string().contains("magic"));
        assert!(IctAsset::decode(&[]).is_err());
    }
}
