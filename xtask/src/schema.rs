//! `cargo xtask schema [--check]`: write (or check) the manifest's JSON
//! Schema from the Rust types in `alga-manifest`.

use crate::tools::repo_root;
use anyhow::{Result, bail};

/// Write the schema, or with `check` fail when the committed one differs.
pub(crate) fn run(check: bool) -> Result<()> {
    let path = repo_root().join(alga_manifest::SCHEMA_PATH);
    let want = alga_manifest::schema_text();
    if check {
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        if have != want {
            bail!(
                "{} is out of date: run `cargo xtask schema`",
                alga_manifest::SCHEMA_PATH
            );
        }
        return Ok(());
    }
    std::fs::create_dir_all(path.parent().unwrap())?;
    std::fs::write(&path, want)?;
    eprintln!("xtask: wrote {}", alga_manifest::SCHEMA_PATH);
    Ok(())
}
