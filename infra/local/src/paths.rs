//! Where the local stack keeps what it installs and the data it keeps between runs.
use std::path::PathBuf;

/// The project's root: `HELPDESK_ROOT`, or the checkout this crate was built from.
pub fn project_root() -> PathBuf {
    std::env::var_os("HELPDESK_ROOT")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.."))
}

/// `.local/` (git-ignored): installed tools and local data.
pub fn local_dir() -> PathBuf {
    project_root().join(".local")
}

/// Data that survives a restart: `HELPDESK_DATA_DIR`, default `.local/data`.
pub fn data_dir() -> PathBuf {
    std::env::var_os("HELPDESK_DATA_DIR").map(PathBuf::from).unwrap_or_else(|| local_dir().join("data"))
}
