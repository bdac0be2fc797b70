//! The file edge: scenario TOML (`scenario`), face-map files (`facemap_file`), run outputs
//! (`output`: atomic folders, summary.json, punctures.csv, pictures) and the fuzzing entry
//! points (`fuzzing`).
//!
//! **Invariant:** serde lives here. File shapes are parsed, validated once with errors that
//! name the file, key or line, the value and the allowed range, then converted by hand into
//! core types; the core never sees a file shape.

#[cfg(feature = "study")]
pub mod course_file;
pub mod facemap_file;
#[cfg(feature = "study")]
#[doc(hidden)]
pub mod fuzzing;
pub mod mesh_file;
pub mod output;
pub mod scenario;
