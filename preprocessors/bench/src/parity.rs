//! Figure 8: the site as `alga-serve build` writes it (what `cargo xtask
//! build` publishes) against plain `mdbook build` of the same book, with the
//! pinned mdBook, mdbook-mermaid and the preprocessor run as processes. The
//! two must be the same file for file, byte for byte, but for the search
//! index: `Cargo.lock` has elasticlunr-rs 3.1.0 where mdBook 0.5.4's own
//! lock has 3.0.2, so the index, its hashed name and the pages that name it
//! may differ, and nothing else.

use super::{Ctx, Row, check, remove_dir};
use anyhow::Result;
use std::path::Path;
use std::process::Command;

/// The rows of figure 8.
pub(crate) fn run(ctx: &Ctx) -> Result<Vec<Row>> {
    eprintln!("bench: 8. alga-serve build against plain mdbook build");
    let plain = ctx.bench.join("parity-mdbook");
    let ours = ctx.bench.join("parity-alga-serve");
    remove_dir(&plain)?;
    remove_dir(&ours)?;
    let tools = ctx.root.join("target/tools/bin");
    let path = std::env::join_paths(std::iter::once(tools).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))?;
    check(
        Command::new(&ctx.mdbook)
            .arg("build")
            .arg("-d")
            .arg(&plain)
            .current_dir(&ctx.root)
            .env("PATH", path),
    )?;
    check(
        Command::new(&ctx.alga_serve)
            .arg("build")
            .arg("-d")
            .arg(&ours)
            .current_dir(&ctx.root),
    )?;
    let differences = beyond_the_index(&plain, &ours)?;
    if !differences.is_empty() {
        eprintln!(
            "bench: the two builds differ in: {}",
            differences.join(", ")
        );
    }
    Ok(vec![
        Row::new(
            "8. `alga-serve build` vs plain `mdbook build` of the real book: files that differ \
             beyond the search index (its file, and its hashed name where pages name it)",
        )
        .ours(differences.len().to_string())
        .baseline("0")
        .target("0", differences.is_empty()),
    ])
}

/// The files of two builds that differ once the search index's hashed name
/// is set aside.
fn beyond_the_index(a: &Path, b: &Path) -> Result<Vec<String>> {
    let mut left = Vec::new();
    for d in alga_site_checks::compare_trees(a, b)? {
        if let Some(only) = d.strip_suffix(" (in one build only)") {
            if !is_index(only) {
                left.push(d);
            }
            continue;
        }
        let read = |root: &Path| -> Result<String> {
            Ok(unhashed(&String::from_utf8_lossy(&std::fs::read(
                root.join(&d),
            )?)))
        };
        if read(a)? != read(b)? {
            left.push(d);
        }
    }
    Ok(left)
}

fn is_index(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.strip_prefix("searchindex-")
        .and_then(|r| r.strip_suffix(".js"))
        .is_some_and(|h| h.len() == 8 && h.bytes().all(|c| c.is_ascii_hexdigit()))
}

/// `text` with every `searchindex-XXXXXXXX.js` written `searchindex.js`.
fn unhashed(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("searchindex-") {
        let after = &rest[i + "searchindex-".len()..];
        let hash = after
            .get(..8)
            .filter(|h| h.bytes().all(|c| c.is_ascii_hexdigit()));
        match hash {
            Some(_) if after[8..].starts_with(".js") => {
                out.push_str(&rest[..i]);
                out.push_str("searchindex");
                rest = &after[8..];
            }
            _ => {
                out.push_str(&rest[..i + "searchindex-".len()]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_index_name_is_set_aside() {
        assert_eq!(
            unhashed("a searchindex-0123abcd.js b searchindex-xyz.js searchindex-0123abcd.json"),
            "a searchindex.js b searchindex-xyz.js searchindex.json"
        );
        assert!(is_index("html/searchindex-e6c4aaea.js"));
        assert!(!is_index("html/searcher-e6c4aaea.js"));
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        std::fs::write(a.path().join("searchindex-00000000.js"), "1").unwrap();
        std::fs::write(b.path().join("searchindex-11111111.js"), "2").unwrap();
        std::fs::write(a.path().join("p.html"), "x searchindex-00000000.js").unwrap();
        std::fs::write(b.path().join("p.html"), "x searchindex-11111111.js").unwrap();
        std::fs::write(a.path().join("q.html"), "same").unwrap();
        std::fs::write(b.path().join("q.html"), "other").unwrap();
        assert_eq!(beyond_the_index(a.path(), b.path()).unwrap(), ["q.html"]);
    }
}
