//! What every task shares: the repository root, the pinned tools and their
//! set-up, running a command, building the preprocessor and the book.

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Pinned tools for plain `mdbook build` and `mdbook serve` and for the
/// benchmark's baselines: (crate, version, binary). Serving and the test
/// command need none of them: `alga-serve` links mdBook's pipeline and the
/// preprocessor in, and makes Mermaid's change to the pages itself.
const TOOLS: &[(&str, &str, &str)] = &[
    ("mdbook", "0.5.4", "mdbook"),
    ("mdbook-mermaid", "0.17.1", "mdbook-mermaid"),
];

/// The mdbook-mermaid that `Cargo.lock` pins (for its sources only: `alga-serve`
/// makes its change to the pages itself), whose sources carry the two assets
/// the theme needs.
const MERMAID: (&str, &str) = ("mdbook-mermaid", "0.17.1");

pub(crate) fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Where pinned tools are installed: a folder of the repository's target dir,
/// so set-up never touches anything outside the clone.
pub(crate) fn tools_root() -> PathBuf {
    repo_root().join("target/tools")
}

pub(crate) fn tool_path(bin: &str) -> PathBuf {
    tools_root().join("bin").join(bin)
}

pub(crate) use alga_site_checks::status;

fn installed_version(bin: &Path) -> Option<String> {
    let out = Command::new(bin).arg("--version").output().ok()?;
    Some(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Which pinned tools a task needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Need {
    /// Serving, building and testing: only Mermaid's assets in `theme/`.
    Assets,
    /// Plain mdBook as well (`cargo xtask setup`, the benchmark): mdBook
    /// and mdbook-mermaid, installed into `target/tools/`.
    Mdbook,
}

/// Set up what the task needs: Mermaid's assets always; with
/// [`Need::Mdbook`], each pinned tool unless that exact version is there.
pub(crate) fn setup(need: Need) -> Result<()> {
    if need == Need::Mdbook {
        for (krate, version, bin) in TOOLS {
            let path = tool_path(bin);
            if installed_version(&path).is_some_and(|v| v.ends_with(version)) {
                continue;
            }
            eprintln!(
                "xtask: installing {krate} {version} into {}",
                tools_root().display()
            );
            status(
                Command::new("cargo")
                    .args(["install", "--locked", "--quiet", "--root"])
                    .arg(tools_root())
                    // One build folder for the tools, so what they share
                    // compiles once and a re-install after a version bump is
                    // incremental.
                    .arg("--target-dir")
                    .arg(tools_root().join("build"))
                    .arg(format!("{krate}@{version}")),
            )?;
        }
    }
    mermaid_assets()
}

/// Mermaid's two assets are generated, not committed: they are copied into
/// `theme/` from the sources of the mdbook-mermaid crate that `Cargo.lock`
/// pins (where `mdbook-mermaid install` would take them from), so nothing is
/// compiled or installed for them.
fn mermaid_assets() -> Result<()> {
    const FILES: [&str; 2] = ["mermaid.min.js", "mermaid-init.js"];
    let theme = repo_root().join("theme");
    // Which mdbook-mermaid the copies came from, so a version bump copies again.
    let stamp = repo_root().join("target/mermaid-assets.version");
    let (_, version) = MERMAID;
    if FILES.iter().all(|f| theme.join(f).is_file())
        && std::fs::read_to_string(&stamp).is_ok_and(|v| v == version)
    {
        return Ok(());
    }
    let out = Command::new("cargo")
        .args(["metadata", "--format-version", "1", "--locked"])
        .current_dir(repo_root())
        .output()
        .context("cannot run cargo metadata")?;
    if !out.status.success() {
        bail!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let sources = mermaid_sources(&out.stdout)?;
    for f in FILES {
        let from = sources.join("src/bin/assets").join(f);
        std::fs::copy(&from, theme.join(f))
            .with_context(|| format!("copying {} into theme/", from.display()))?;
    }
    std::fs::create_dir_all(repo_root().join("target"))?;
    std::fs::write(&stamp, version)?;
    Ok(())
}

/// The source folder of the pinned mdbook-mermaid in `cargo metadata` output.
fn mermaid_sources(metadata: &[u8]) -> Result<PathBuf> {
    let meta: serde_json::Value =
        serde_json::from_slice(metadata).context("cargo metadata printed no JSON")?;
    let (name, version) = MERMAID;
    let manifest = meta["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["name"] == name && p["version"] == version)
        .and_then(|p| p["manifest_path"].as_str())
        .with_context(|| {
            format!("Cargo.lock has no {name} {version}; the MERMAID pin in xtask/src/tools.rs must match it")
        })?;
    Ok(Path::new(manifest)
        .parent()
        .context("a manifest path has a folder")?
        .to_path_buf())
}

/// `cargo build --release` of one workspace package.
pub(crate) fn build_release(package: &str) -> Result<()> {
    status(Command::new("cargo").args(["build", "--quiet", "--release", "--locked", "-p", package]))
}

/// The release preprocessor, which `book.toml` runs.
pub(crate) fn build_preprocessor() -> Result<()> {
    build_release("mdbook-alga")
}

/// `alga-serve` in the test profile: the program the strict build runs
/// (`alga-serve build`). The test command compiles the same crates for the
/// tests, so this links what is already built.
pub(crate) fn build_site_builder() -> Result<PathBuf> {
    status(Command::new("cargo").args(["build", "--quiet", "--locked", "-p", "alga-serve"]))?;
    Ok(alga_site_checks::alga_serve_debug())
}

/// The strict build: the site as published (the HTML and the `llms` output),
/// built in process by `alga-serve build` with the preprocessor's warnings
/// denied; an error that mdBook only logs fails it too (mdBook finishes
/// after a missing include or a bad `[output.html]` key).
pub(crate) fn strict_build(dest: Option<&Path>) -> Result<()> {
    let builder = build_site_builder()?;
    let mut cmd = Command::new(builder);
    cmd.arg("build");
    if let Some(dest) = dest {
        cmd.arg("--dest-dir").arg(dest);
    }
    status(
        cmd.current_dir(repo_root())
            .env("MDBOOK_PREPROCESSOR__ALGA__DENY_WARNINGS", "true"),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn mermaid_sources_are_found_in_cargo_metadata() {
        let meta = br#"{"packages": [
            {"name": "mdbook-mermaid", "version": "0.16.0", "manifest_path": "/reg/mdbook-mermaid-0.16.0/Cargo.toml"},
            {"name": "mdbook-mermaid", "version": "0.17.1", "manifest_path": "/reg/mdbook-mermaid-0.17.1/Cargo.toml"}
        ]}"#;
        assert_eq!(
            super::mermaid_sources(meta).unwrap(),
            std::path::Path::new("/reg/mdbook-mermaid-0.17.1")
        );
        let e = super::mermaid_sources(br#"{"packages": []}"#).unwrap_err();
        assert_eq!(
            e.to_string(),
            "Cargo.lock has no mdbook-mermaid 0.17.1; the MERMAID pin in xtask/src/tools.rs must match it"
        );
    }
}
