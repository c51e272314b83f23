//! Why a plan file was refused.

/// A plan that cannot be used as it is.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// The file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// File.
        path: String,
        /// Cause.
        source: std::io::Error,
    },
    /// The file is not a valid plan document.
    #[error("{path}: not a valid plan: {message}")]
    Format {
        /// File.
        path: String,
        /// Parser message (with line where known).
        message: String,
    },
    /// The plan is well-formed but inconsistent or edited.
    #[error("{path}: {message}")]
    Invalid {
        /// File.
        path: String,
        /// What is wrong and what to do.
        message: String,
    },
}
