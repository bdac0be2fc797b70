//! What a view shows: the mesh with its groups sorted into treated regions, untreated skin and
//! no-go zones, and the layer painted on the treated skin (a value per spot from a chart
//! raster, or a value per region).

use crate::raster::accumulate::Raster;
use crate::surface::{Chart, SurfaceMesh};

use super::super::overlay::NO_GO_HATCH_RGB;
use super::super::viridis;
use super::raster::{self, Camera, GBuffer, Lighting, V3};

/// Skin that is not treated (untreated regions, unassigned skin): a neutral light tone.
pub const SKIN_RGB: [u8; 3] = [222, 208, 196];
/// Between the no-go hatching's stripes.
pub const NO_GO_GROUND_RGB: [u8; 3] = [242, 242, 242];
/// Background of every view.
pub const BACKGROUND_RGB: [u8; 3] = [255, 255, 255];
/// Hatch period and stripe width, px (screen-space diagonal stripes).
pub const HATCH_PERIOD_PX: u32 = 8;
pub const HATCH_WIDTH_PX: u32 = 3;

/// How a mesh group is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupKind {
    /// A treated region: the layer's colour.
    Treated,
    /// Skin not treated in this session (an untreated region, unassigned skin).
    Skin,
    /// A no-go zone: hatched.
    NoGo,
}

/// The layer painted on treated skin.
#[derive(Clone, Copy, Debug)]
pub enum Layer<'a> {
    /// A value per spot: the chart raster's pixel under the sample (nearest pixel), 0 outside
    /// it, coloured `viridis(v / max)`.
    Spot { raster: &'a Raster, max: f64 },
    /// A value per mesh group, coloured `viridis(v / max)` (a choropleth).
    Group { values: &'a [f64], max: f64 },
    /// A class per mesh group, coloured `colours[class]` (a class choropleth).
    Classes { classes: &'a [usize], colours: &'a [[u8; 3]] },
}

impl Layer<'_> {
    /// The layer's value at a chart point of triangle group `group`.
    pub fn value(&self, group: usize, chart: [f32; 2]) -> f64 {
        match self {
            Layer::Spot { raster, .. } => raster_value(raster, chart[0] as f64, chart[1] as f64),
            Layer::Group { values, .. } => values.get(group).copied().unwrap_or(0.0),
            Layer::Classes { classes, .. } => classes.get(group).copied().unwrap_or(0) as f64,
        }
    }

    /// The layer's colour at a chart point of triangle group `group`.
    pub fn colour(&self, group: usize, chart: [f32; 2]) -> [u8; 3] {
        match self {
            Layer::Spot { max, .. } | Layer::Group { max, .. } => viridis(self.value(group, chart) / max.max(1e-12)),
            Layer::Classes { classes, colours } => colours.get(classes.get(group).copied().unwrap_or(0)).copied().unwrap_or(SKIN_RGB),
        }
    }
}

/// The raster's pixel holding chart point `(x, y)`, 0 outside.
pub fn raster_value(r: &Raster, x: f64, y: f64) -> f64 {
    let col = ((x - r.origin_mm.x) / r.pixel_mm).floor();
    let row = ((y - r.origin_mm.y) / r.pixel_mm).floor();
    if col >= 0.0 && row >= 0.0 && (col as usize) < r.width && (row as usize) < r.height {
        r.values[row as usize * r.width + col as usize] as f64
    } else {
        0.0
    }
}

/// A mesh ready to be viewed.
pub struct Scene<'a> {
    pub mesh: &'a SurfaceMesh,
    pub chart: &'a Chart,
    pub normals: Vec<V3>,
    /// Per mesh group.
    pub kinds: Vec<GroupKind>,
    /// Outline edges `(triangle, corner)`: between groups, and the mesh's border.
    pub edges: Vec<(usize, usize)>,
}

impl<'a> Scene<'a> {
    pub fn new(mesh: &'a SurfaceMesh, chart: &'a Chart, kinds: Vec<GroupKind>) -> Self {
        Scene { mesh, chart, normals: raster::vertex_normals(mesh, chart), kinds, edges: outline_edges(mesh) }
    }

    fn kind(&self, tri: u32) -> GroupKind {
        let g = self.mesh.triangles[tri as usize].group as usize;
        self.kinds.get(g).copied().unwrap_or(GroupKind::Skin)
    }

    /// Unshaded colour of a sample of triangle `tri` at chart point `chart`, pixel `(x, y)`.
    pub fn colour(&self, layer: &Layer, tri: u32, chart: [f32; 2], x: u32, y: u32) -> [u8; 3] {
        match self.kind(tri) {
            GroupKind::Treated => layer.colour(self.mesh.triangles[tri as usize].group as usize, chart),
            GroupKind::Skin => SKIN_RGB,
            GroupKind::NoGo => hatch(x, y),
        }
    }

    /// The G-buffer of a view (soft light, four samples a pixel).
    pub fn gbuffer(&self, camera: &Camera) -> GBuffer {
        GBuffer::render(self.mesh, self.chart, &self.normals, camera, &Lighting::soft(), &raster::SAMPLES_4)
    }

    /// A finished view: the layer, shaded and antialiased, with region outlines (depth-tested).
    pub fn view(&self, camera: &Camera, layer: &Layer) -> super::super::canvas::Canvas {
        self.paint(&self.gbuffer(camera), camera, layer)
    }

    /// A finished view from a G-buffer already rendered through `camera` (one G-buffer serves
    /// every layer).
    pub fn paint(&self, g: &GBuffer, camera: &Camera, layer: &Layer) -> super::super::canvas::Canvas {
        let mut c = g.resolve(BACKGROUND_RGB, |t, q, x, y| self.colour(layer, t, q, x, y));
        self.outline(&mut c, g, camera);
        c
    }

    /// Region outlines over a resolved view.
    pub fn outline(&self, c: &mut super::super::canvas::Canvas, g: &GBuffer, camera: &Camera) {
        raster::draw_edges(c, g, camera, self.mesh, &self.edges, 3.0 / camera.px_per_mm, ([255, 255, 255], 200));
    }
}

/// The no-go hatching at pixel `(x, y)`.
pub fn hatch(x: u32, y: u32) -> [u8; 3] {
    if (x + y) % HATCH_PERIOD_PX < HATCH_WIDTH_PX { NO_GO_HATCH_RGB } else { NO_GO_GROUND_RGB }
}

/// Edges between triangles of different groups, and border edges, as `(triangle, corner)`
/// (the edge from corner k to k + 1), by position index.
pub fn outline_edges(mesh: &SurfaceMesh) -> Vec<(usize, usize)> {
    let mut edges: Vec<(u32, u32, u32, usize, usize)> = Vec::new();
    for (i, t) in mesh.triangles.iter().enumerate() {
        for k in 0..3 {
            let (a, b) = (t.v[k], t.v[(k + 1) % 3]);
            edges.push((a.min(b), a.max(b), t.group, i, k));
        }
    }
    edges.sort_unstable();
    let mut out = Vec::new();
    let mut i = 0;
    while i < edges.len() {
        let mut j = i + 1;
        while j < edges.len() && (edges[j].0, edges[j].1) == (edges[i].0, edges[i].1) {
            j += 1;
        }
        if j - i == 1 || edges[i..j].iter().any(|e| e.2 != edges[i].2) {
            out.push((edges[i].3, edges[i].4));
        }
        i = j;
    }
    out
}
