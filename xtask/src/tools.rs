//! What every task shares: the repository root, the pinned tools and their
//! set-up, running a command, building the preprocessor and the book.

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Pinned tools: (crate, version, binary).
const TOOLS: &[(&str, &str, &str)] = &[
    ("mdbook", "0.5.4", "mdbook"),
    ("mdbook-mermaid", "0.17.1", "mdbook-mermaid"),
    ("mdbook-linkcheck2", "0.13.0", "mdbook-linkcheck2"),
];

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
    /// Serving (`alga-serve` has mdBook's pipeline built in): mdbook-mermaid.
    Serve,
    /// Everything: mdBook for the strict build, and the link checker too.
    All,
}

/// Install each pinned tool the task needs, unless that exact version is
/// already there.
pub(crate) fn setup(need: Need) -> Result<()> {
    for (krate, version, bin) in TOOLS {
        if need == Need::Serve && *krate != "mdbook-mermaid" {
            continue;
        }
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
                // One build folder for the three tools, so what they share
                // (pulldown-cmark, serde, toml, …) compiles once and a
                // re-install after a version bump is incremental.
                .arg("--target-dir")
                .arg(tools_root().join("build"))
                .arg(format!("{krate}@{version}")),
        )?;
    }
    // Mermaid's assets are generated, not committed.
    let theme = repo_root().join("theme");
    if !theme.join("mermaid.min.js").is_file() || !theme.join("mermaid-init.js").is_file() {
        let tmp = repo_root().join("target/mermaid-assets");
        std::fs::create_dir_all(&tmp)?;
        std::fs::write(tmp.join("book.toml"), "[book]\ntitle = \"assets\"\n")?;
        status(
            Command::new(tool_path("mdbook-mermaid"))
                .arg("install")
                .arg(&tmp),
        )?;
        for f in ["mermaid.min.js", "mermaid-init.js"] {
            std::fs::copy(tmp.join(f), theme.join(f)).with_context(|| format!("copying {f}"))?;
        }
    }
    Ok(())
}

/// `cargo build --release` of one workspace package.
pub(crate) fn build_release(package: &str) -> Result<()> {
    status(Command::new("cargo").args(["build", "--quiet", "--release", "--locked", "-p", package]))
}

/// The release preprocessor, which `book.toml` runs.
pub(crate) fn build_preprocessor() -> Result<()> {
    build_release("mdbook-alga")
}

/// `mdbook build` with warnings denied; any ERROR line fails it too, since
/// mdBook exits 0 on some errors (a missing include, a bad [output.html] key).
pub(crate) fn strict_build(dest: Option<&Path>) -> Result<()> {
    let path = path_with_tools()?;
    let mut cmd = Command::new(tool_path("mdbook"));
    cmd.arg("build");
    if let Some(dest) = dest {
        cmd.arg("--dest-dir").arg(dest);
    }
    let out = cmd
        .env("PATH", path)
        .env("MDBOOK_PREPROCESSOR__ALGA__DENY_WARNINGS", "true")
        .output()
        .context("cannot run mdbook")?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    eprint!("{stderr}");
    print!("{}", String::from_utf8_lossy(&out.stdout));
    let error_lines: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("ERROR") || l.contains("[ERROR]"))
        .collect();
    if !out.status.success() {
        bail!("mdbook build failed ({})", out.status);
    }
    if !error_lines.is_empty() {
        bail!(
            "mdbook build printed {} ERROR line(s) although it exited 0",
            error_lines.len()
        );
    }
    Ok(())
}

/// `PATH` with the pinned tools first.
pub(crate) fn path_with_tools() -> Result<std::ffi::OsString> {
    let tools_bin = tools_root().join("bin");
    Ok(std::env::join_paths(std::iter::once(tools_bin).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))?)
}
