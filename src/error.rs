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
            || matches!(self, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound)
    }
}
