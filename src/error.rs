//! Library errors. Every variant says what to fix: the key or file, the value, what is
//! allowed. The binary maps them to exit codes (2 = bad input, 3 = internal).

use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A value is outside what the model accepts.
    #[error("{key} = {value}: allowed is {allowed}")]
    Invalid { key: String, value: String, allowed: String },

    /// A file could not be parsed.
    #[error("{path}: {message}")]
    Parse { path: PathBuf, message: String },

    /// The run would need more memory than allowed; nothing was allocated.
    #[error("{what} needs {needed}, more than the limit {limit}; {hint}")]
    TooLarge { what: String, needed: String, limit: String, hint: String },

    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },

    /// A picture could not be drawn.
    #[error("drawing {path}: {message}")]
    Render { path: PathBuf, message: String },

    /// The request conflicts with what is already on disk (e.g. resuming a sweep folder
    /// made by another scenario); nothing was written.
    #[error("{path}: {message}")]
    Conflict { path: PathBuf, message: String },
}

impl Error {
    pub fn invalid(key: impl Into<String>, value: impl ToString, allowed: impl Into<String>) -> Self {
        Error::Invalid { key: key.into(), value: value.to_string(), allowed: allowed.into() }
    }
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { path: path.into(), source }
    }
    pub fn parse(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Error::Parse { path: path.into(), message: message.into() }
    }
    pub fn conflict(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Error::Conflict { path: path.into(), message: message.into() }
    }

    /// True when the user can fix this by changing the input (exit code 2).
    pub fn is_bad_input(&self) -> bool {
        matches!(self, Error::Invalid { .. } | Error::Parse { .. } | Error::TooLarge { .. } | Error::Conflict { .. })
            || matches!(self, Error::Io { source, .. } if matches!(
                source.kind(),
                // The user can fix these: a missing file, or an output path that cannot be
                // written (a file in the way, no permission, a read-only file system), or an
                // input that is not UTF-8 text.
                std::io::ErrorKind::NotFound
                    | std::io::ErrorKind::InvalidData
                    | std::io::ErrorKind::NotADirectory
                    | std::io::ErrorKind::PermissionDenied
                    | std::io::ErrorKind::ReadOnlyFilesystem
            ))
    }
}

/// The candidate `name` most likely meant: the only one containing it (3+ letters), else the
/// closest by edit distance when close enough to be a typo (at most a third of the longer
/// name's letters differ).
pub fn did_you_mean<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let lower = name.to_lowercase();
    if lower.chars().count() >= 3
        && let [only] = candidates.iter().filter(|c| c.contains(lower.as_str())).collect::<Vec<_>>().as_slice()
    {
        return Some(only);
    }
    let (best, d) = candidates.iter().map(|c| (*c, edit_distance(name, c))).min_by_key(|(_, d)| *d)?;
    (d * 3 <= name.chars().count().max(best.chars().count())).then_some(best)
}

/// Levenshtein distance between two strings, in characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_of_known_pairs() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
        assert_eq!(did_you_mean("hexx", &["hex", "ring"]), Some("hex"));
        assert_eq!(did_you_mean("qqqqqq", &["hex", "ring"]), None);
        assert_eq!(did_you_mean("SkinPen", &["skinpen-precision", "exceed"]), Some("skinpen-precision"));
    }
}
