//! Display names of region and no-go zone keys, for people: `cheek_left` → "cheek (left)",
//! `periorbital_upper_left` → "periorbital, upper left", `decollete` → "décolleté".
//!
//! **One table** covers every key of the built-in maps (the flat default face and the surface
//! face's regions, which use the same keys: `face::surface::regions`); any other key (a user
//! map's region) gets the readable fallback: underscores become spaces and a trailing
//! `_left` / `_right` becomes " (left)" / " (right)". Keys stay the identifiers of
//! summary.json, the CSV files and the scenario; only pictures and reports show these names.
//! Left and right are the person's own sides (see [`super::default`]).

use std::borrow::Cow;

/// Display names of the built-in keys (regions, then no-go zones).
pub const DISPLAY_NAMES: [(&str, &str); 24] = [
    ("forehead", "forehead"),
    ("glabella", "glabella"),
    ("temple_left", "temple (left)"),
    ("temple_right", "temple (right)"),
    ("periorbital_upper_left", "periorbital, upper left"),
    ("periorbital_upper_right", "periorbital, upper right"),
    ("periorbital_lower_left", "periorbital, lower left"),
    ("periorbital_lower_right", "periorbital, lower right"),
    ("cheek_left", "cheek (left)"),
    ("cheek_right", "cheek (right)"),
    ("nasolabial_left", "nasolabial (left)"),
    ("nasolabial_right", "nasolabial (right)"),
    ("jawline_left", "jawline (left)"),
    ("jawline_right", "jawline (right)"),
    ("nose", "nose"),
    ("perioral", "perioral"),
    ("chin", "chin"),
    ("neck", "neck"),
    ("decollete", "décolleté"),
    ("eye_left", "eye (left)"),
    ("eye_right", "eye (right)"),
    ("lip_vermilion", "lip vermilion"),
    ("nostril_left", "nostril (left)"),
    ("nostril_right", "nostril (right)"),
];

/// The name people read for the region or no-go zone `key` (see the module doc).
pub fn display_name(key: &str) -> Cow<'_, str> {
    if let Some((_, name)) = DISPLAY_NAMES.iter().find(|(k, _)| *k == key) {
        return Cow::Borrowed(name);
    }
    let (stem, side) = match (key.strip_suffix("_left"), key.strip_suffix("_right")) {
        (Some(stem), _) if !stem.is_empty() => (stem, Some("left")),
        (_, Some(stem)) if !stem.is_empty() => (stem, Some("right")),
        _ => (key, None),
    };
    let stem = stem.replace('_', " ");
    let stem = stem.split_whitespace().collect::<Vec<_>>().join(" ");
    if stem.is_empty() {
        return Cow::Borrowed(key);
    }
    match side {
        Some(side) => Cow::Owned(format!("{stem} ({side})")),
        None if stem == key => Cow::Borrowed(key),
        None => Cow::Owned(stem),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::face::default::default_face;

    #[test]
    fn every_built_in_key_has_a_name_from_the_table() {
        let m = default_face().unwrap();
        let keys: Vec<&str> = m.regions().iter().map(|r| r.name.as_str()).chain(m.no_go_names().iter().map(String::as_str)).collect();
        assert_eq!(keys.len(), DISPLAY_NAMES.len(), "the table lists exactly the built-in keys");
        for k in keys {
            let (_, want) = DISPLAY_NAMES.iter().find(|(t, _)| *t == k).unwrap_or_else(|| panic!("{k} missing from the table"));
            assert_eq!(display_name(k), *want);
            assert!(!display_name(k).contains('_'), "{k}");
        }
        for k in crate::face::surface::regions::REGIONS.iter().chain(&crate::face::surface::regions::NO_GO) {
            assert!(DISPLAY_NAMES.iter().any(|(t, _)| t == k), "surface key {k} has no display name");
        }
    }

    #[test]
    fn user_keys_get_the_readable_fallback() {
        assert_eq!(display_name("upper_lip_left"), "upper lip (left)");
        assert_eq!(display_name("scar_right"), "scar (right)");
        assert_eq!(display_name("back_of_hand"), "back of hand");
        assert_eq!(display_name("Zone 7"), "Zone 7");
        assert_eq!(display_name("_left"), "left", "no stem: the side alone");
        assert_eq!(display_name("a__b_"), "a b");
        assert_eq!(display_name(""), "");
    }
}
