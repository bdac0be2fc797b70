//! `needlesim face-map`: show a face map's regions, export it as polygons, or paint it.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;

use needlesim::Error;
use needlesim::io::facemap_file::{self, MapFile, paint};
use needlesim::io::output::write_file_atomic;
use needlesim::raster::domain::Domain;

#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  needlesim face-map\n  needlesim face-map default --export my-face.toml\n  needlesim face-map default --paint scenarios/maps/painted-face.png --mm-per-px 1"
)]
/// Show a face map (regions, areas, skin, recommended depths); export or paint it.
pub struct FaceMapArgs {
    /// "default", a polygon map (.toml/.json) or a painted map's legend (.toml).
    #[arg(default_value = "default")]
    pub map: String,
    /// Write the map as a polygon TOML file (polygon maps only).
    #[arg(long, value_name = "FILE.toml")]
    pub export: Option<PathBuf>,
    /// Paint the map as a PNG, with its legend next to it (FILE.legend.toml).
    #[arg(long, value_name = "FILE.png")]
    pub paint: Option<PathBuf>,
    /// Pixel size of --paint, mm.
    #[arg(long, default_value_t = 1.0)]
    pub mm_per_px: f64,
}

pub fn run(a: FaceMapArgs) -> anyhow::Result<ExitCode> {
    let map = facemap_file::load(&a.map, Path::new("."))?;
    println!(
        "face map {:?}: {} regions, {:.1} cm², no-go zones: {}",
        map.name(),
        map.regions().len(),
        map.total_area_mm2() / 100.0,
        map.no_go_names().join(", ")
    );
    println!(
        "{:<26} {:>9} {:>13} {:>10} {:>12} {:>14}  source",
        "region", "area cm²", "epidermis mm", "dermis mm", "subcutis mm", "depth mm"
    );
    for (i, r) in map.regions().iter().enumerate() {
        let s = &r.skin;
        println!(
            "{:<26} {:>9.1} {:>13.3} {:>10.3} {:>12.1} {:>14}  {}",
            r.name,
            map.area_mm2(i as u16) / 100.0,
            s.epidermis_mm,
            s.dermis_mm,
            s.subcutis_mm,
            format!("{}–{}", r.recommended_depth_mm.0, r.recommended_depth_mm.1),
            r.source
        );
    }
    if let Some(path) = &a.export {
        let file =
            MapFile::from_map(&map).ok_or_else(|| Error::invalid("--export", &a.map, "a polygon map (a painted map has no polygons)"))?;
        write_file_atomic(path, file.to_toml().as_bytes())?;
        println!("wrote {}", path.display());
    }
    if let Some(path) = &a.paint {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let (image, legend) = paint::paint(&map, a.mm_per_px, &name)?;
        let legend_path = path.with_extension("legend.toml");
        write_file_atomic(path, &paint::encode_png(&image, path)?)?;
        write_file_atomic(&legend_path, toml::to_string(&legend)?.as_bytes())?;
        println!("wrote {} ({} × {} px) and {}", path.display(), image.width, image.height, legend_path.display());
    }
    Ok(ExitCode::SUCCESS)
}
