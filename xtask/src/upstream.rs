//! `cargo xtask upstream --checkout PATH --commit SHA [--dry-run]`: move the
//! book's pin to another upstream commit.
//!
//! It compares the registry with the new commit: every registry path must
//! still exist, every symbol is found again (its new line is recorded), every
//! recorded line count is refreshed, and no superseded path may exist again.
//! Only when all of that resolves does it rewrite the registry files and the
//! pin (book.toml, the CI workflows, the README); otherwise it prints what is
//! left and changes nothing.
//!
//! The line citations of the pages and tables move with it
//! ([`crate::citation_move`]): their numbers are rewritten, the citation lock
//! is written for the new commit, and the citations whose code changed are
//! listed in a review queue. `--lock` records the lock at the current pin.

use crate::citation_move::{self, BookFiles};
use alga_book_data::citations::Lock;
use alga_book_data::registry::{Entry, Registry};
use alga_book_data::source_file::SourceFile;
use alga_book_data::superseded::load_superseded;
use alga_book_data::upstream::{Upstream, find_symbol};
use alga_diagnostics::{Diagnostics, Severity};
use anyhow::{Context, Result, bail};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const USAGE: &str = "cargo xtask upstream --checkout PATH --commit SHA [--dry-run]
       cargo xtask upstream --lock [--checkout PATH]";

/// Where a pin move writes its review queue (it quotes upstream code, so it
/// stays out of the repository).
pub(crate) const REVIEW_QUEUE: &str = "target/pin-move/review-queue.md";

/// One edit of a data file: replace `span` with `text`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Edit {
    pub file: String,
    pub span: std::ops::Range<usize>,
    pub text: String,
}

/// What moving the pin would change, and what stands in its way.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    pub edits: Vec<Edit>,
    /// Human-readable changes (symbol moves, line counts).
    pub changes: Vec<String>,
    /// Problems that block the move.
    pub blockers: Vec<String>,
    /// Every recorded symbol's line at the new commit (`key#name`).
    pub symbol_lines: BTreeMap<String, u32>,
}

pub(crate) fn run(args: &[String], root: &Path) -> Result<()> {
    let mut checkout = None;
    let mut commit = None;
    let mut dry_run = false;
    let mut lock_only = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--checkout" => checkout = it.next().map(PathBuf::from),
            "--commit" => commit = it.next().cloned(),
            "--dry-run" => dry_run = true,
            "--lock" => lock_only = true,
            other => bail!("unknown argument `{other}`\nusage: {USAGE}"),
        }
    }
    let checkout = checkout.or_else(|| std::env::var_os("ALGA_PSA_CHECKOUT").map(PathBuf::from));
    let settings = Settings::read(root)?;
    let old_commit = settings.commit.clone();

    let mut diags = Diagnostics::default();
    let registry = Registry::load(root, &settings.registry, &mut diags);
    if lock_only {
        if diags.count(Severity::Error) > 0 {
            eprint!("{}", diags.render(false));
            bail!("fix the registry first");
        }
        return write_lock(root, &settings, &registry, checkout.as_deref());
    }
    let checkout = checkout.with_context(|| format!("no checkout given\nusage: {USAGE}"))?;
    let commit = commit.with_context(|| format!("no commit given\nusage: {USAGE}"))?;
    let new_commit = resolve_commit(&checkout, &commit)?;
    let superseded_file = SourceFile::read(root, &settings.superseded)?;
    let superseded = load_superseded(&superseded_file, &registry, &mut diags);
    if diags.count(Severity::Error) > 0 {
        eprint!("{}", diags.render(false));
        bail!("fix the registry first");
    }

    let old = Upstream::from_checkout(&checkout, &old_commit).map_err(anyhow::Error::msg)?;
    let new = Upstream::from_checkout(&checkout, &new_commit).map_err(anyhow::Error::msg)?;
    let mut plan = plan(&registry, &old, &new);
    for s in &superseded {
        let then = old.all_paths().any(|p| s.pattern.is_match(p));
        let now = new.all_paths().find(|p| s.pattern.is_match(p));
        if let (false, Some(path)) = (then, now) {
            plan.blockers.push(format!(
                "superseded `{}` exists again at the new commit (`{path}`): decide whether `{}` is still canonical, then update data/superseded.toml",
                s.shown, s.canonical
            ));
        }
    }

    let files = BookFiles::read(root, &settings.tables)?;
    let the_move = citation_move::Move {
        checkout: &checkout,
        old: &old,
        new: &new,
        old_commit: &old_commit,
        new_commit: &new_commit,
    };
    let cites = citation_move::plan(&files, &registry, &the_move, &plan.symbol_lines)?;
    plan.blockers.extend(cites.blockers());

    for c in &plan.changes {
        println!("  {c}");
    }
    println!("xtask upstream: {}", cites.summary());
    let queue = citation_move::review_queue(&cites, &files, &the_move);
    let queue_path = root.join(REVIEW_QUEUE);
    std::fs::create_dir_all(queue_path.parent().unwrap())?;
    std::fs::write(&queue_path, &queue)?;
    for (c, o) in &cites.moves {
        if let citation_move::Outcome::Queued { start, end } = o {
            let text = &files.texts[&c.file];
            let line = text[..c.target.start].matches('\n').count() + 1;
            println!(
                "  review {}:{line}: `{}` {} → {}",
                c.file,
                c.path,
                c.span(),
                alga_book_data::citations::span_name(*start, *end)
            );
        }
    }
    println!(
        "xtask upstream: the review queue, with the old and new code of each, is in {REVIEW_QUEUE}"
    );
    // The surface the book must document, at the new commit.
    let surface_path = root.join(crate::coverage::SURFACE_FILE);
    let surface = crate::coverage::extract(&checkout, &new_commit)?;
    if let Some(before) = std::fs::read_to_string(&surface_path)
        .ok()
        .and_then(|t| toml::from_str::<alga_book_data::coverage::Extraction>(&t).ok())
    {
        let changes = crate::coverage::diff(&before, &surface);
        println!(
            "xtask upstream: the surface to document: {} item(s), {} change(s)",
            surface.item.len(),
            changes.len()
        );
        for c in changes {
            println!("  {c}");
        }
    }
    if !plan.blockers.is_empty() {
        for b in &plan.blockers {
            eprintln!("xtask upstream: error: {b}");
        }
        bail!(
            "{} problem(s) stop the move to {}; nothing was written",
            plan.blockers.len(),
            short(&new_commit)
        );
    }
    println!(
        "xtask upstream: every registry path and symbol resolves at {} ({} change(s))",
        short(&new_commit),
        plan.changes.len()
    );
    if dry_run {
        println!("xtask upstream: --dry-run: nothing written");
        return Ok(());
    }
    apply(root, &plan.edits)?;
    apply(root, &cites.edits)?;
    write_atomically(&root.join(&settings.lock), &cites.lock.to_toml())?;
    write_atomically(&surface_path, &crate::coverage::to_toml(&surface))?;
    println!(
        "  rewrote {} citation number(s) and the lock {}",
        cites.edits.len(),
        settings.lock.display()
    );
    let touched = rewrite_pin(root, &old_commit, &new_commit, &new)?;
    for f in &touched {
        println!("  rewrote the pin in {f}");
    }
    let mentions = mentions_of(root, &old_commit)?;
    if !mentions.is_empty() {
        println!(
            "xtask upstream: these pages still name the old commit; review what they say, then update them:"
        );
        for m in mentions {
            println!("  {m}");
        }
    }
    println!(
        "xtask upstream: now run `ALGA_PSA_CHECKOUT={} cargo xtask test`",
        checkout.display()
    );
    Ok(())
}

/// The settings of `[preprocessor.alga]` that the pin tasks need.
pub(crate) struct Settings {
    pub commit: String,
    pub registry: PathBuf,
    pub superseded: PathBuf,
    pub tables: PathBuf,
    pub lock: PathBuf,
}

impl Settings {
    pub(crate) fn read(root: &Path) -> Result<Settings> {
        let book_text = std::fs::read_to_string(root.join("book.toml"))?;
        let book: toml::Table = toml::from_str(&book_text)?;
        let alga = book
            .get("preprocessor")
            .and_then(|p| p.get("alga"))
            .context("book.toml has no [preprocessor.alga]")?;
        let setting = |k: &str, default: &str| {
            PathBuf::from(alga.get(k).and_then(|v| v.as_str()).unwrap_or(default))
        };
        let commit = alga
            .get("upstream")
            .and_then(|u| u.get("commit"))
            .and_then(|c| c.as_str())
            .context("book.toml has no [preprocessor.alga.upstream] commit")?
            .to_owned();
        Ok(Settings {
            commit,
            registry: setting("registry", "data/paths"),
            superseded: setting("superseded", "data/superseded.toml"),
            tables: setting("tables", "data/tables"),
            lock: setting("citations-lock", "data/citations.lock"),
        })
    }
}

/// `--lock`: record what every citation cites at the current pin. Without a
/// checkout, only drop entries nobody cites any more, and refuse new ones.
fn write_lock(
    root: &Path,
    settings: &Settings,
    registry: &Registry,
    checkout: Option<&Path>,
) -> Result<()> {
    let files = BookFiles::read(root, &settings.tables)?;
    let found = files.citations(registry);
    let up = match checkout {
        Some(c) => Some(Upstream::from_checkout(c, &settings.commit).map_err(anyhow::Error::msg)?),
        None => None,
    };
    let previous = std::fs::read_to_string(root.join(&settings.lock))
        .ok()
        .and_then(|t| toml::from_str::<Lock>(&t).ok());
    let (lock, missing) = alga_book_data::citations::build_lock(
        &found,
        &settings.commit,
        up.as_ref(),
        previous.as_ref(),
    );
    if !missing.is_empty() {
        for c in &missing {
            let text = &files.texts[&c.file];
            let line = text[..c.target.start].matches('\n').count() + 1;
            let col = c.target.start - text[..c.target.start].rfind('\n').map_or(0, |i| i + 1) + 1;
            eprintln!(
                "{}:{line}:{col}: error: cannot fingerprint `{}:{}`{}",
                c.file,
                c.path,
                c.span(),
                if up.is_some() {
                    " (past the end of the file at the pin)"
                } else {
                    ""
                }
            );
        }
        bail!(
            "{} citation(s) not recorded; nothing was written{}",
            missing.len(),
            if up.is_none() {
                " (new citations need a checkout: --checkout PATH or ALGA_PSA_CHECKOUT)"
            } else {
                ""
            }
        );
    }
    let spans: usize = lock.files.values().map(|f| f.spans.len()).sum();
    write_atomically(&root.join(&settings.lock), &lock.to_toml())?;
    println!(
        "xtask upstream: locked {} citation(s): {spans} span(s) in {} file(s) at {} ({})",
        found.len(),
        lock.files.len(),
        short(&settings.commit),
        settings.lock.display()
    );
    Ok(())
}

/// Compare every registry entry with the new tree.
pub(crate) fn plan(registry: &Registry, old: &Upstream, new: &Upstream) -> Plan {
    let mut plan = Plan::default();
    for entry in registry.entries() {
        if !new.exists(&entry.path) {
            plan.blockers.push(format!(
                "{}: `{}` ({}) does not exist at the new commit",
                entry.file, entry.path, entry.key
            ));
            continue;
        }
        if entry.lines.is_none() && entry.symbols.is_empty() {
            continue;
        }
        let (Some(old_text), Some(new_text)) = (old.text(&entry.path), new.text(&entry.path))
        else {
            plan.blockers.push(format!(
                "{}: cannot read `{}` at both commits",
                entry.file, entry.path
            ));
            continue;
        };
        if let (Some(lines), Some(span)) = (entry.lines, &entry.lines_span) {
            let count = new_text.lines().count() as u32;
            if count != lines {
                plan.changes
                    .push(format!("{}: {lines} → {count} lines", entry.key));
                plan.edits.push(Edit {
                    file: entry.file.clone(),
                    span: span.clone(),
                    text: count.to_string(),
                });
            }
        }
        resolve_symbols(entry, &old_text, &new_text, &mut plan);
    }
    plan
}

fn resolve_symbols(entry: &Entry, old_text: &str, new_text: &str, plan: &mut Plan) {
    let old_lines: Vec<&str> = old_text.lines().collect();
    let new_lines: Vec<&str> = new_text.lines().collect();
    for (name, &line) in &entry.symbols {
        let anchor = old_lines
            .get(line as usize - 1)
            .map(|l| l.trim())
            .filter(|l| l.contains(name.as_str()));
        let Some(found) = relocate(name, line, anchor, &new_lines, new_text) else {
            plan.blockers.push(format!(
                "{}: symbol `{name}` of `{}` is not in `{}` at the new commit",
                entry.file, entry.key, entry.path
            ));
            continue;
        };
        plan.symbol_lines
            .insert(format!("{}#{name}", entry.key), found);
        if found != line {
            plan.changes
                .push(format!("{}#{name}: line {line} → {found}", entry.key));
            plan.edits.push(Edit {
                file: entry.file.clone(),
                span: entry.symbol_spans[name].clone(),
                text: found.to_string(),
            });
        }
    }
}

/// Where a symbol recorded on `line` is at the new commit: the line with the
/// same text as before (the nearest one if it repeats), else where the symbol
/// is defined.
fn relocate(
    name: &str,
    line: u32,
    anchor: Option<&str>,
    new_lines: &[&str],
    new_text: &str,
) -> Option<u32> {
    if let Some(anchor) = anchor {
        let same: Vec<u32> = new_lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.trim() == anchor)
            .map(|(i, _)| i as u32 + 1)
            .collect();
        if let Some(best) = same.iter().min_by_key(|&&n| n.abs_diff(line)) {
            return Some(*best);
        }
    }
    find_symbol(new_text, name)
}

/// Apply edits, last first within each file, so spans stay valid.
pub(crate) fn apply(root: &Path, edits: &[Edit]) -> Result<()> {
    let mut by_file: BTreeMap<&str, Vec<&Edit>> = BTreeMap::new();
    for e in edits {
        by_file.entry(&e.file).or_default().push(e);
    }
    for (file, list) in by_file {
        let path = root.join(file);
        let mut text = std::fs::read_to_string(&path)?;
        apply_to_text(&mut text, list);
        write_atomically(&path, &text)?;
    }
    Ok(())
}

/// Apply one file's edits to its text, last first, so spans stay valid.
pub(crate) fn apply_to_text(text: &mut String, mut edits: Vec<&Edit>) {
    edits.sort_by_key(|e| std::cmp::Reverse(e.span.start));
    for e in edits {
        text.replace_range(e.span.clone(), &e.text);
    }
}

fn write_atomically(path: &Path, text: &str) -> Result<()> {
    let tmp = path.with_extension("tmp-xtask");
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path)?;
    Ok(())
}

/// Replace the old commit (full and 10-character forms) with the new one where
/// the pin is configured, and give a tree listing a fresh file for the new
/// commit. Returns the files rewritten.
fn rewrite_pin(root: &Path, old: &str, new: &str, tree: &Upstream) -> Result<Vec<String>> {
    let mut touched = Vec::new();
    let mut files = vec![PathBuf::from("book.toml"), PathBuf::from("README.md")];
    if let Ok(dir) = std::fs::read_dir(root.join(".github/workflows")) {
        for e in dir.flatten() {
            files.push(Path::new(".github/workflows").join(e.file_name()));
        }
    }
    for rel in files {
        let path = root.join(&rel);
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let mut out = text.replace(old, new);
        // A listing named after the old commit is replaced by one of the new.
        if rel == Path::new("book.toml") {
            out = rewrite_listing(root, &out, old, new, tree)?;
        }
        out = out.replace(short(old), short(new));
        if out != text {
            write_atomically(&path, &out)?;
            touched.push(rel.display().to_string());
        }
    }
    Ok(touched)
}

/// If book.toml names a tree listing, write the new commit's listing beside it
/// (named after the new commit) and point book.toml at it.
fn rewrite_listing(
    root: &Path,
    book: &str,
    old: &str,
    new: &str,
    tree: &Upstream,
) -> Result<String> {
    let parsed: toml::Table = toml::from_str(book)?;
    let Some(listing) = parsed
        .get("preprocessor")
        .and_then(|p| p.get("alga"))
        .and_then(|a| a.get("upstream"))
        .and_then(|u| u.get("tree"))
        .and_then(|t| t.as_str())
    else {
        return Ok(book.to_owned());
    };
    if !listing.contains(short(old)) {
        return Ok(book.to_owned());
    }
    let new_listing = listing.replace(short(old), short(new));
    let dest = root.join(&new_listing);
    if let Some(dir) = dest.parent().filter(|d| d.is_dir()) {
        let mut paths: Vec<&str> = tree.all_paths().filter(|p| tree.is_file(p)).collect();
        paths.sort_unstable();
        let mut text = paths.join("\n");
        text.push('\n');
        std::fs::write(dir.join(dest.file_name().unwrap()), text)?;
        println!("  wrote the tree listing {new_listing}");
        // The old commit's listing goes: the book checks against one pin.
        let old_file = root.join(listing);
        if old_file.is_file() && old_file != dest {
            std::fs::remove_file(&old_file)?;
            println!("  removed the tree listing {listing}");
        }
    }
    Ok(book.replace(listing, &new_listing))
}

/// Files under src/ and the data folders that still name `commit`.
fn mentions_of(root: &Path, commit: &str) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for dir in ["src", "data", "archive"] {
        walk(&root.join(dir), &mut |p| {
            if let Ok(t) = std::fs::read_to_string(p)
                && (t.contains(commit) || t.contains(short(commit)))
            {
                out.push(p.strip_prefix(root).unwrap_or(p).display().to_string());
            }
        })?;
    }
    out.sort();
    Ok(out)
}

fn walk(dir: &Path, f: &mut dyn FnMut(&Path)) -> Result<()> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, f)?;
        } else {
            f(&p);
        }
    }
    Ok(())
}

fn short(commit: &str) -> &str {
    &commit[..commit.len().min(10)]
}

fn resolve_commit(checkout: &Path, rev: &str) -> Result<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(checkout)
        .args([
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{rev}^{{commit}}"),
        ])
        .output()
        .context("cannot run git")?;
    if !out.status.success() {
        bail!("`{rev}` is not a commit of {}", checkout.display());
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Run git in `dir` (with a throw-away identity); its trimmed stdout.
    pub(crate) fn git(dir: &Path, args: &[&str]) -> String {
        let out = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    fn commit_files(repo: &Path, files: &[(&str, Option<&str>)]) -> String {
        for (path, text) in files {
            let p = repo.join(path);
            match text {
                Some(t) => {
                    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
                    std::fs::write(&p, t).unwrap();
                }
                None => std::fs::remove_file(&p).unwrap(),
            }
        }
        git(repo, &["add", "-A"]);
        git(repo, &["commit", "-q", "-m", "c"]);
        git(repo, &["rev-parse", "HEAD"])
    }

    /// A registry (in `book`) and an upstream repo with two commits.
    fn fixture(
        registry: &str,
        before: &[(&str, Option<&str>)],
        after: &[(&str, Option<&str>)],
    ) -> (tempfile::TempDir, Registry, Upstream, Upstream) {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("upstream");
        std::fs::create_dir_all(&repo).unwrap();
        git(&repo, &["init", "-q"]);
        let c1 = commit_files(&repo, before);
        let c2 = commit_files(&repo, after);
        let data = dir.path().join("book/paths");
        std::fs::create_dir_all(&data).unwrap();
        std::fs::write(data.join("area.toml"), registry).unwrap();
        let mut diags = Diagnostics::default();
        let reg = Registry::load(&dir.path().join("book"), Path::new("paths"), &mut diags);
        assert!(diags.is_empty(), "{}", diags.render(false));
        let old = Upstream::from_checkout(&repo, &c1).unwrap();
        let new = Upstream::from_checkout(&repo, &c2).unwrap();
        (dir, reg, old, new)
    }

    const REGISTRY: &str = r#"title = "Area"

[[entry]]
key = "a.main"
path = "src/main.ts"
role = "Entry point"
lines = 4
symbols = { start = 2, stop = 4 }
"#;

    #[test]
    fn moved_symbols_and_line_counts_are_rewritten() {
        let before =
            "// header\nexport function start() {}\nconst x = 1;\nexport function stop() {}\n";
        let after = "// header\n// new comment\nimport y from 'y';\nexport function start() {}\nconst x = 1;\nexport function stop() {}\n";
        let (dir, reg, old, new) = fixture(
            REGISTRY,
            &[("src/main.ts", Some(before))],
            &[("src/main.ts", Some(after))],
        );
        let p = plan(&reg, &old, &new);
        assert!(p.blockers.is_empty(), "{:?}", p.blockers);
        assert_eq!(
            p.changes,
            [
                "a.main: 4 → 6 lines",
                "a.main#start: line 2 → 4",
                "a.main#stop: line 4 → 6"
            ]
        );
        let book = dir.path().join("book");
        apply(&book, &p.edits).unwrap();
        let text = std::fs::read_to_string(book.join("paths/area.toml")).unwrap();
        assert!(
            text.contains("lines = 6\nsymbols = { start = 4, stop = 6 }"),
            "{text}"
        );
        // Everything else is byte-for-byte what the author wrote.
        assert_eq!(
            text.replace(
                "lines = 6\nsymbols = { start = 4, stop = 6 }",
                "lines = 4\nsymbols = { start = 2, stop = 4 }"
            ),
            REGISTRY
        );
    }

    #[test]
    fn a_repeated_line_resolves_to_the_nearest_copy() {
        let before = "fn start() {}\nx\nfn stop() {}\nfn start() {}\n";
        let after = "fn start() {}\nx\ny\nfn stop() {}\nfn start() {}\n";
        let reg =
            "[[entry]]\nkey = \"a.r\"\npath = \"r.rs\"\nrole = \"r\"\nsymbols = { start = 4 }\n";
        let (_d, reg, old, new) = fixture(reg, &[("r.rs", Some(before))], &[("r.rs", Some(after))]);
        let p = plan(&reg, &old, &new);
        assert_eq!(p.changes, ["a.r#start: line 4 → 5"]);
    }

    #[test]
    fn a_rewritten_definition_is_found_by_its_definition() {
        let before = "export function start() {}\n";
        let after = "\n\nexport async function start(opts) {}\n";
        let reg =
            "[[entry]]\nkey = \"a.m\"\npath = \"m.ts\"\nrole = \"m\"\nsymbols = { start = 1 }\n";
        let (_d, reg, old, new) = fixture(reg, &[("m.ts", Some(before))], &[("m.ts", Some(after))]);
        assert_eq!(plan(&reg, &old, &new).changes, ["a.m#start: line 1 → 3"]);
    }

    #[test]
    fn missing_files_and_symbols_block_the_move() {
        let reg = format!(
            "{REGISTRY}\n[[entry]]\nkey = \"a.gone\"\npath = \"src/gone.ts\"\nrole = \"x\"\n"
        );
        let (_d, reg, old, new) = fixture(
            &reg,
            &[
                (
                    "src/main.ts",
                    Some("a\nexport function start() {}\nb\nexport function stop() {}\n"),
                ),
                ("src/gone.ts", Some("x\n")),
            ],
            &[
                (
                    "src/main.ts",
                    Some("a\nexport function begin() {}\nb\nexport function stop() {}\n"),
                ),
                ("src/gone.ts", None),
            ],
        );
        let p = plan(&reg, &old, &new);
        assert_eq!(p.blockers.len(), 2, "{:?}", p.blockers);
        assert!(p.blockers[0].contains("`src/gone.ts` (a.gone) does not exist"));
        assert!(p.blockers[1].contains("symbol `start` of `a.main` is not in `src/main.ts`"));
    }

    #[test]
    fn the_pin_and_its_listing_move_together() {
        let (_d, _reg, _old, new) = fixture(
            REGISTRY,
            &[("src/main.ts", Some("x\n"))],
            &[("src/main.ts", Some("y\n")), ("src/added.ts", Some("z\n"))],
        );
        let root = tempfile::tempdir().unwrap();
        let (old_sha, new_sha) = ("a".repeat(40), "b".repeat(40));
        std::fs::create_dir_all(root.path().join("listings")).unwrap();
        std::fs::write(root.path().join("listings/up-aaaaaaaaaa.tree"), "old\n").unwrap();
        std::fs::create_dir_all(root.path().join(".github/workflows")).unwrap();
        let book = format!(
            "[preprocessor.alga.upstream]\ncommit = \"{old_sha}\"\ntree = \"listings/up-{}.tree\"\n",
            &old_sha[..10]
        );
        std::fs::write(root.path().join("book.toml"), &book).unwrap();
        std::fs::write(
            root.path().join("README.md"),
            format!("Pinned at `{old_sha}`.\n"),
        )
        .unwrap();
        std::fs::write(
            root.path().join(".github/workflows/ci.yml"),
            format!("ref: {old_sha}\n"),
        )
        .unwrap();
        let touched = rewrite_pin(root.path(), &old_sha, &new_sha, &new).unwrap();
        assert_eq!(
            touched,
            ["book.toml", "README.md", ".github/workflows/ci.yml"]
        );
        let book = std::fs::read_to_string(root.path().join("book.toml")).unwrap();
        assert_eq!(
            book,
            format!(
                "[preprocessor.alga.upstream]\ncommit = \"{new_sha}\"\ntree = \"listings/up-bbbbbbbbbb.tree\"\n"
            )
        );
        let listing =
            std::fs::read_to_string(root.path().join("listings/up-bbbbbbbbbb.tree")).unwrap();
        assert_eq!(listing, "src/added.ts\nsrc/main.ts\n");
        assert!(!root.path().join("listings/up-aaaaaaaaaa.tree").exists());
    }
}
