//! SVG pieces: plotters draws axes, ticks and text as vectors; the maps go in as one PNG
//! `<image>` each (data URI), never as one `<rect>` per cell; overlays as vector polygons.

use std::fmt::Write;

use super::datauri::data_uri;
use super::escape_xml;

/// Id of the no-go hatch pattern defined by `Svg::defs`.
pub const HATCH_ID: &str = "nogo-hatch";

/// `#rrggbb`.
pub fn hex(c: [u8; 3]) -> String {
    format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])
}

/// Elements to add to a plotters SVG document.
#[derive(Default)]
pub struct Svg {
    body: String,
    clips: usize,
}

impl Svg {
    /// Definitions every figure may use (the no-go hatch).
    fn defs() -> String {
        format!(
            "<defs><pattern id=\"{HATCH_ID}\" patternUnits=\"userSpaceOnUse\" width=\"6\" height=\"6\" patternTransform=\"rotate(45)\">\
             <rect width=\"2\" height=\"6\" fill=\"{}\"/></pattern></defs>",
            hex(super::overlay::NO_GO_HATCH_RGB)
        )
    }

    /// A PNG drawn over the pixel rectangle `(x, y, w, h)`, without smoothing.
    pub fn png_image(&mut self, x: i32, y: i32, w: i32, h: i32, png: &[u8]) {
        let _ = write!(
            self.body,
            "<image x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\" preserveAspectRatio=\"none\" style=\"image-rendering:pixelated\" href=\"{}\"/>",
            data_uri("image/png", png)
        );
    }

    pub fn polygon(&mut self, pts: &[(f64, f64)], attrs: &str) {
        let pts: Vec<String> = pts.iter().map(|(x, y)| format!("{x:.2},{y:.2}")).collect();
        let _ = write!(self.body, "<polygon points=\"{}\" {attrs}/>", pts.join(" "));
    }

    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, attrs: &str) {
        let _ = write!(self.body, "<rect x=\"{x:.2}\" y=\"{y:.2}\" width=\"{w:.2}\" height=\"{h:.2}\" {attrs}/>");
    }

    /// A straight line from `a` to `b`.
    pub fn line(&mut self, a: (f64, f64), b: (f64, f64), attrs: &str) {
        let _ = write!(self.body, "<line x1=\"{:.2}\" y1=\"{:.2}\" x2=\"{:.2}\" y2=\"{:.2}\" {attrs}/>", a.0, a.1, b.0, b.1);
    }

    /// Text centred on `(x, y)`, with a dark halo so it reads on any colour.
    pub fn label(&mut self, x: f64, y: f64, text: &str, size_px: u32) {
        let _ = write!(
            self.body,
            "<text x=\"{x:.1}\" y=\"{y:.1}\" font-family=\"sans-serif\" font-size=\"{size_px}\" text-anchor=\"middle\" dominant-baseline=\"central\" \
             fill=\"#fff\" stroke=\"#000\" stroke-width=\"3\" paint-order=\"stroke\">{}</text>",
            escape_xml(text)
        );
    }

    /// Start a group clipped to the pixel rectangle; close it with [`Svg::end_clip`].
    pub fn begin_clip(&mut self, x: i32, y: i32, w: i32, h: i32) {
        self.clips += 1;
        let id = format!("clip{}", self.clips);
        let _ = write!(
            self.body,
            "<clipPath id=\"{id}\"><rect x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\"/></clipPath><g clip-path=\"url(#{id})\">"
        );
    }

    pub fn end_clip(&mut self) {
        self.body.push_str("</g>");
    }

    /// Insert the definitions and the elements into a complete SVG document (before its
    /// closing tag, so they are drawn over what plotters drew).
    pub fn finish_into(self, document: &str) -> String {
        let end = document.rfind("</svg>").unwrap_or(document.len());
        let mut out = String::with_capacity(document.len() + self.body.len() + 512);
        out.push_str(&document[..end]);
        out.push_str(&Self::defs());
        out.push_str(&self.body);
        out.push_str("</svg>\n");
        out
    }
}
