use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Pinned tools: (crate, version, binary).
const TOOLS: &[(&str, &str, &str)] = &[
    ("mdbook", "0.5.4", "mdbook"),
    ("mdbook-mermaid", "0.17.1", "mdbook-mermaid"),
    ("mdbook-linkcheck2", "0.13.0", "mdbook-linkcheck2"),
];

const HELP: &str = "cargo xtask <task>
  serve              set up the pinned tools, then `mdbook serve --open`-less on http://localhost:3000
  test               every check CI runs: fmt, clippy, tests, schema drift, strict build, link check
  build              set up, then a strict `mdbook build` (deny warnings, fail on any ERROR line)
  setup              install the pinned mdBook tools and generate Mermaid assets
  schema [--check]   regenerate (or check) src/schemas/extension-manifest.v2.schema.json
  bench [--quick]    performance figures against their baselines (table in target/bench/report.md)
  upstream --checkout PATH --commit SHA [--dry-run]
                     move the pin: re-resolve every registry path, symbol and line citation at SHA,
                     rewrite them, the lock and the pin; queue for review the citations whose code changed
  upstream --lock [--checkout PATH]
                     record what every line citation cites (preprocessors/data/citations.lock)
  coverage [--checkout PATH] [--check]
                     extract the upstream surface the book must document (preprocessors/data/coverage/surface.toml)
  coverage [--checkout PATH] [--check]
                     extract the upstream surface the book must document (preprocessors/data/coverage/surface.toml)
  site-checks        after a build: the redirect table, then the browser test (screenshots in target/e2e/)
";

pub fn run(args: &[String]) -> Result<()> {
    let root = repo_root();
    std::env::set_current_dir(&root)?;
    match args.first().map(String::as_str) {
        Some("serve") => {
            setup(false)?;
            build_preprocessor()?;
            status(&mut crate::serve::command(&tool_path("mdbook"), &args[1..]))
        }
        Some("setup") => setup(true),
        Some("build") => {
            setup(true)?;
            build_preprocessor()?;
            strict_build(None)
        }
        Some("site-checks") => site_checks(),
        Some("upstream") => crate::upstream::run(&args[1..], &root),
        Some("coverage") => crate::coverage::run(&args[1..], &root),
        Some("schema") => schema(args.get(1).map(String::as_str) == Some("--check")),
        Some("test") => test(),
        Some("bench") => crate::bench::run(&args[1..]),
        Some("help" | "--help" | "-h") | None => {
            print!("{HELP}");
            Ok(())
        }
        Some(other) => bail!("unknown task `{other}`\n{HELP}"),
    }
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Where pinned tools are installed: a folder of the repository's target dir,
/// so set-up never touches anything outside the clone.
fn tools_root() -> PathBuf {
    repo_root().join("target/tools")
}

fn tool_path(bin: &str) -> PathBuf {
    tools_root().join("bin").join(bin)
}

pub fn status(cmd: &mut Command) -> Result<()> {
    let shown = format!("{cmd:?}");
    let st = cmd
        .status()
        .with_context(|| format!("cannot run {shown}"))?;
    if !st.success() {
        bail!("{shown} failed ({st})");
    }
    Ok(())
}

fn installed_version(bin: &Path) -> Option<String> {
    let out = Command::new(bin).arg("--version").output().ok()?;
    Some(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Install each pinned tool unless that exact version is already there.
fn setup(with_linkcheck: bool) -> Result<()> {
    for (krate, version, bin) in TOOLS {
        if *krate == "mdbook-linkcheck2" && !with_linkcheck {
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

pub fn build_preprocessor() -> Result<()> {
    status(Command::new("cargo").args([
        "build",
        "--quiet",
        "--release",
        "--locked",
        "-p",
        "mdbook-alga",
    ]))
}

/// `mdbook build` with warnings denied; any ERROR line fails it too, since
/// mdBook exits 0 on some errors (a missing include, a bad [output.html] key).
fn strict_build(dest: Option<&Path>) -> Result<()> {
    let mut path = std::env::var_os("PATH").unwrap_or_default();
    let tools_bin = tools_root().join("bin");
    path = std::env::join_paths(std::iter::once(tools_bin).chain(std::env::split_paths(&path)))?;
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

fn schema(check: bool) -> Result<()> {
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

fn test() -> Result<()> {
    let step = |name: &str| eprintln!("xtask test: {name}");
    step("cargo fmt --check");
    status(Command::new("cargo").args(["fmt", "--all", "--check"]))?;
    step("cargo clippy (warnings denied)");
    status(Command::new("cargo").args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--locked",
        "--quiet",
        "--",
        "-D",
        "warnings",
    ]))?;
    step("manifest schema drift");
    schema(true)?;
    setup(true)?;
    build_preprocessor()?;
    if std::env::var_os("ALGA_PSA_CHECKOUT").is_some() {
        step("the committed coverage extraction matches the checkout");
        crate::coverage::run(&["--check".to_owned()], &repo_root())?;
    }
    step("cargo test");
    let tools_bin = tools_root().join("bin");
    let path = std::env::join_paths(std::iter::once(tools_bin).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))?;
    status(
        Command::new("cargo")
            .args(["test", "--workspace", "--locked"])
            .env("PATH", &path),
    )?;
    step("strict mdbook build with link check");
    strict_build(None)?;
    step("a second build is byte-identical");
    let again = repo_root().join("target/rebuild");
    if again.exists() {
        std::fs::remove_dir_all(&again)?;
    }
    strict_build(Some(&again))?;
    let differences = compare_trees(&repo_root().join("book/html"), &again.join("html"))?;
    if !differences.is_empty() {
        bail!("two builds of the book differ: {}", differences.join(", "));
    }
    site_checks()
}

/// Relative paths that are in only one of two folders or differ in content.
fn compare_trees(a: &Path, b: &Path) -> Result<Vec<String>> {
    fn files(root: &Path, dir: &Path, out: &mut std::collections::BTreeSet<PathBuf>) -> Result<()> {
        for e in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
            let p = e?.path();
            if p.is_dir() {
                files(root, &p, out)?;
            } else {
                out.insert(p.strip_prefix(root).unwrap().to_path_buf());
            }
        }
        Ok(())
    }
    let (mut fa, mut fb) = (Default::default(), Default::default());
    files(a, a, &mut fa)?;
    files(b, b, &mut fb)?;
    let mut diff: Vec<String> = fa
        .symmetric_difference(&fb)
        .map(|p| format!("{} (in one build only)", p.display()))
        .collect();
    for p in fa.intersection(&fb) {
        if std::fs::read(a.join(p))? != std::fs::read(b.join(p))? {
            diff.push(p.display().to_string());
        }
    }
    Ok(diff)
}

/// Checks of the built site: every old URL redirects to a page and fragment
/// that exist, and the site works in a real browser.
fn site_checks() -> Result<()> {
    let root = repo_root();
    let html = root.join("book/html");
    if !html.join("index.html").is_file() {
        bail!(
            "no built book in {}: run `cargo xtask build` first",
            html.display()
        );
    }
    eprintln!("xtask test: redirects of the retired site");
    let site = crate::redirects::OldSite::load(&root.join("archive/old-site.toml"))?;
    let table = crate::redirects::redirect_table(&root.join("book.toml"))?;
    let tree = upstream_tree_listing(&root);
    if tree.is_none() {
        eprintln!(
            "xtask test: note: no upstream tree listing or checkout; the list of old pages is not compared with upstream"
        );
    }
    let problems = crate::redirects::check(&site, &table, &html, tree.as_deref());
    if !problems.is_empty() {
        for p in &problems {
            eprintln!("book.toml: error: {p}");
        }
        bail!("{} redirect problem(s)", problems.len());
    }
    eprintln!("xtask test: llms.txt and llms-full.md beside the site");
    let book: toml::Table = toml::from_str(&std::fs::read_to_string(root.join("book.toml"))?)?;
    let base = book
        .get("output")
        .and_then(|o| o.get("llms"))
        .and_then(|l| l.get("site-url"))
        .and_then(|u| u.as_str())
        .context("book.toml has no [output.llms] site-url")?;
    let base = format!("{}/", base.trim_end_matches('/'));
    let summary = std::fs::read_to_string(root.join("src/SUMMARY.md"))?;
    let problems = crate::llms_check::check(&html, &summary, &base)?;
    if !problems.is_empty() {
        for p in &problems {
            eprintln!("book/html: error: {p}");
        }
        bail!("{} problem(s) with the book for assistants", problems.len());
    }
    eprintln!("xtask test: `cargo xtask serve` builds once and settles");
    crate::serve::check_settles(
        &tool_path("mdbook"),
        &root,
        &root.join("target/serve-check"),
        std::time::Duration::from_millis(3500),
    )?;
    eprintln!("xtask test: browser test (headless Chromium)");
    crate::e2e::ensure_browser()?;
    crate::e2e::run(&html, &root.join("target/e2e"))
}

/// The upstream file listing at the pin: from `ALGA_PSA_CHECKOUT` (git
/// ls-tree) or the listing file configured in book.toml.
fn upstream_tree_listing(root: &Path) -> Option<String> {
    let book: toml::Table =
        toml::from_str(&std::fs::read_to_string(root.join("book.toml")).ok()?).ok()?;
    let upstream = book.get("preprocessor")?.get("alga")?.get("upstream")?;
    let commit = upstream.get("commit")?.as_str()?;
    if let Some(checkout) = std::env::var_os("ALGA_PSA_CHECKOUT") {
        let out = Command::new("git")
            .arg("-C")
            .arg(&checkout)
            .args(["ls-tree", "-r", "--name-only", commit])
            .output()
            .ok()?;
        if out.status.success() {
            return String::from_utf8(out.stdout).ok();
        }
    }
    let listing = upstream.get("tree")?.as_str()?;
    std::fs::read_to_string(root.join(listing)).ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn compare_trees_names_every_difference() {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        for (dir, files) in [
            (
                &a,
                &[("same.html", "x"), ("d/changed.js", "1"), ("only-a", "")][..],
            ),
            (
                &b,
                &[("same.html", "x"), ("d/changed.js", "2"), ("only-b", "")][..],
            ),
        ] {
            for (f, text) in files {
                let p = dir.path().join(f);
                std::fs::create_dir_all(p.parent().unwrap()).unwrap();
                std::fs::write(p, text).unwrap();
            }
        }
        let diff = super::compare_trees(a.path(), b.path()).unwrap();
        assert_eq!(
            diff,
            [
                "only-a (in one build only)",
                "only-b (in one build only)",
                "d/changed.js"
            ]
        );
        assert!(super::compare_trees(a.path(), a.path()).unwrap().is_empty());
    }
}
