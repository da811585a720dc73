//! Data files this repository owns (TOML), loaded with positions for errors.

use alga_diagnostics::Diagnostic;
use alga_diagnostics::Diagnostics;
use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};

/// A text file with its display name (relative to the book root).
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as diagnostics show it (relative to the book root, `/` separators).
    pub display: String,
    /// The whole text.
    pub text: String,
}

impl SourceFile {
    /// Read `path` (relative to `root`) as UTF-8 text.
    pub fn read(root: &Path, path: &Path) -> std::io::Result<SourceFile> {
        let full = root.join(path);
        let bytes = std::fs::read(&full)?;
        let text = String::from_utf8(bytes).map_err(|e| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("not valid UTF-8 (byte {})", e.utf8_error().valid_up_to()),
            )
        })?;
        Ok(SourceFile {
            display: display_path(path),
            text,
        })
    }

    /// Parse as TOML into `T`; a syntax or shape error becomes a located diagnostic.
    pub fn parse_toml<T: DeserializeOwned>(&self, diags: &mut Diagnostics) -> Option<T> {
        match toml::from_str::<T>(&self.text) {
            Ok(v) => Some(v),
            Err(e) => {
                let span = e.span().unwrap_or(0..0);
                let message = e.message().trim().to_owned();
                diags.push(Diagnostic::error(message).at(&self.display, &self.text, span));
                None
            }
        }
    }
}

/// A path as shown in diagnostics: forward slashes, no leading `./`.
pub fn display_path(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    s.trim_start_matches("./").to_owned()
}

/// The `*.toml` files of a folder (or the one file), sorted by name.
pub fn toml_files(root: &Path, path: &Path) -> std::io::Result<Vec<PathBuf>> {
    let full = root.join(path);
    if full.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(&full)?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| path.join(p.file_name().unwrap()))
        .collect();
    files.sort();
    Ok(files)
}
