//! Line citations across a pin move: each `{{#path KEY:A-B}}` (and each
//! `{{#path KEY#symbol}}`) of the pages and tables is found again at the new
//! commit by its content, and what cannot be found because the code changed
//! goes into a review queue.
//!
//! A span is first carried through git's diff of the file (unchanged lines
//! keep their place relative to their neighbours). If the lines there are the
//! ones cited, the citation moved. Otherwise the same lines elsewhere in the
//! file, nearest first, are taken. Otherwise the code changed: the citation is
//! pointed at where the diff puts it and queued for a maintainer to re-read.

use crate::upstream::Edit;
use alga_book_data::citations::{self, Citation, Kind, Lock};
use alga_book_data::registry::Registry;
use alga_book_data::upstream::Upstream;
use anyhow::{Context, Result, bail};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The book's files that can hold citations, with their text.
pub(crate) struct BookFiles {
    /// Display path (relative to the book root) → text.
    pub texts: BTreeMap<String, String>,
}

impl BookFiles {
    /// Pages (`src/`, `archive/`) and the data tables.
    pub(crate) fn read(root: &Path, tables: &Path) -> Result<BookFiles> {
        let mut texts = BTreeMap::new();
        for (dir, ext) in [
            (PathBuf::from("src"), "md"),
            (PathBuf::from("archive"), "md"),
            (tables.to_path_buf(), "toml"),
        ] {
            let mut files = Vec::new();
            walk(&root.join(&dir), ext, &mut files)?;
            for f in files {
                let rel = f.strip_prefix(root).unwrap_or(&f);
                let display = rel.to_string_lossy().replace('\\', "/");
                let text = std::fs::read_to_string(&f)
                    .with_context(|| format!("reading {}", f.display()))?;
                texts.insert(display, text);
            }
        }
        Ok(BookFiles { texts })
    }

    /// Apply number rewrites to the texts held here (not to the files).
    #[cfg(test)]
    pub(crate) fn apply(&mut self, edits: &[Edit]) {
        for (file, text) in &mut self.texts {
            let mine: Vec<&Edit> = edits.iter().filter(|e| &e.file == file).collect();
            if !mine.is_empty() {
                crate::upstream::apply_to_text(text, mine);
            }
        }
    }

    /// Every citation the registry knows, in file order.
    pub(crate) fn citations(&self, registry: &Registry) -> Vec<Citation> {
        self.texts
            .iter()
            .flat_map(|(file, text)| citations::find(file, text, registry))
            .collect()
    }
}

fn walk(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) -> Result<()> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, ext, out)?;
        } else if p.extension().is_some_and(|x| x == ext) {
            out.push(p);
        }
    }
    Ok(())
}

/// What became of one citation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Same lines, same place.
    Unchanged,
    /// Same lines, new place.
    Moved { start: u32, end: u32 },
    /// The code changed: pointed at `start..=end`, for a maintainer to re-read.
    Queued { start: u32, end: u32 },
    /// Cannot be carried over (the file is gone or unreadable).
    Blocked(String),
}

#[derive(Debug, Default)]
pub(crate) struct CitationPlan {
    pub moves: Vec<(Citation, Outcome)>,
    /// Number rewrites in pages and tables (symbols move in the registry).
    pub edits: Vec<Edit>,
    /// The new lock, valid at the new commit.
    pub lock: Lock,
}

impl CitationPlan {
    pub(crate) fn count(&self, f: impl Fn(&Outcome) -> bool) -> usize {
        self.moves.iter().filter(|(_, o)| f(o)).count()
    }

    /// One line per file and reason that blocks the move.
    pub(crate) fn blockers(&self) -> Vec<String> {
        let mut seen = std::collections::BTreeSet::new();
        self.moves
            .iter()
            .filter_map(|(c, o)| match o {
                Outcome::Blocked(why) => Some(format!("{}: `{}` is cited: {why}", c.file, c.key)),
                _ => None,
            })
            .filter(|b| seen.insert(b.clone()))
            .collect()
    }

    /// One line of figures.
    pub(crate) fn summary(&self) -> String {
        format!(
            "{} citation(s): {} unchanged, {} moved automatically, {} queued for review, {} blocked",
            self.moves.len(),
            self.count(|o| *o == Outcome::Unchanged),
            self.count(|o| matches!(o, Outcome::Moved { .. })),
            self.count(|o| matches!(o, Outcome::Queued { .. })),
            self.count(|o| matches!(o, Outcome::Blocked(_))),
        )
    }
}

/// Lines `old` hunks of a file changed, from `git diff -U0`: each hunk is
/// (old start, old count, new start, new count).
type Hunk = (u32, u32, u32, u32);
type Hunks = Vec<Hunk>;

fn hunks(checkout: &Path, old: &str, new: &str, path: &str) -> Result<Hunks> {
    let out = Command::new("git")
        .arg("-C")
        .arg(checkout)
        .args(["diff", "--no-color", "--no-ext-diff", "-U0", old, new, "--"])
        .arg(path)
        .output()
        .context("cannot run git diff")?;
    if !out.status.success() {
        bail!(
            "git diff failed for {path}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(parse_hunks(&String::from_utf8_lossy(&out.stdout)))
}

fn parse_hunks(diff: &str) -> Hunks {
    fn range(s: &str) -> (u32, u32) {
        let s = &s[1..];
        match s.split_once(',') {
            Some((a, n)) => (a.parse().unwrap_or(0), n.parse().unwrap_or(0)),
            None => (s.parse().unwrap_or(0), 1),
        }
    }
    diff.lines()
        .filter_map(|l| l.strip_prefix("@@ "))
        .filter_map(|l| {
            let mut parts = l.split(' ');
            let (a, b) = range(parts.next()?);
            let (c, d) = range(parts.next()?);
            Some((a, b, c, d))
        })
        .collect()
}

/// Where old line `line` is in the new file. A line inside a changed hunk
/// maps to the start (`toward_end` false) or the end of the hunk's new lines.
fn map_line(hunks: &[Hunk], line: u32, toward_end: bool) -> u32 {
    let mut delta: i64 = 0;
    for &(a, b, c, d) in hunks {
        // With b == 0 the hunk inserts after old line a; with d == 0 it
        // deletes, and c is the new line before the gap.
        let old_next = if b == 0 { a + 1 } else { a + b };
        let new_next = if d == 0 { c + 1 } else { c + d };
        let first_changed = if b == 0 { a + 1 } else { a };
        if line < first_changed {
            break;
        }
        if line < old_next {
            return match (d == 0, toward_end) {
                (true, false) => c + 1,
                (true, true) => c.max(1),
                (false, false) => c,
                (false, true) => c + d - 1,
            };
        }
        delta = i64::from(new_next) - i64::from(old_next);
    }
    (i64::from(line) + delta).max(1) as u32
}

/// Where the `len` lines `wanted` occur in `lines`, nearest to `near` first.
fn nearest_copy(lines: &[&str], wanted: &[&str], near: u32) -> Option<u32> {
    if wanted.is_empty() || wanted.len() > lines.len() {
        return None;
    }
    (0..=lines.len() - wanted.len())
        .filter(|&i| lines[i..i + wanted.len()] == *wanted)
        .map(|i| i as u32 + 1)
        .min_by_key(|&s| (s.abs_diff(near), s))
}

/// Carry one span from the old text to the new one.
pub(crate) fn carry(
    old_lines: &[&str],
    new_lines: &[&str],
    hunks: &[Hunk],
    start: u32,
    end: u32,
) -> Outcome {
    let Some(cited) = old_lines.get(start as usize - 1..end as usize) else {
        return Outcome::Blocked(format!(
            "lines {start}-{end} are past the end of the file at the old commit"
        ));
    };
    let len = end - start;
    let mapped = map_line(hunks, start, false);
    if let Some(s) = nearest_copy(new_lines, cited, mapped) {
        return if s == start {
            Outcome::Unchanged
        } else {
            Outcome::Moved {
                start: s,
                end: s + len,
            }
        };
    }
    let n = new_lines.len() as u32;
    let s = mapped.clamp(1, n.max(1));
    let e = map_line(hunks, end, true).clamp(s, n.max(1));
    Outcome::Queued { start: s, end: e }
}

/// The two ends of a pin move, read from one checkout.
pub(crate) struct Move<'a> {
    pub checkout: &'a Path,
    pub old: &'a Upstream,
    pub new: &'a Upstream,
    pub old_commit: &'a str,
    pub new_commit: &'a str,
}

/// Plan the move of every citation from `old` to `new`. `symbol_lines`
/// gives each registry symbol's line at the new commit (`key#name` → line),
/// as the registry plan resolved it.
pub(crate) fn plan(
    files: &BookFiles,
    registry: &Registry,
    m: &Move,
    symbol_lines: &BTreeMap<String, u32>,
) -> Result<CitationPlan> {
    let Move {
        checkout,
        old,
        new,
        old_commit,
        new_commit,
    } = *m;
    let found = files.citations(registry);
    let mut plan = CitationPlan {
        lock: Lock {
            commit: new_commit.to_owned(),
            ..Lock::default()
        },
        ..CitationPlan::default()
    };
    let mut cache: BTreeMap<String, Option<(String, String, Hunks)>> = BTreeMap::new();
    for c in found {
        let entry = cache.entry(c.path.clone()).or_insert_with(|| {
            let o = old.text(&c.path)?;
            let n = new.text(&c.path)?;
            let h = hunks(checkout, old_commit, new_commit, &c.path).ok()?;
            Some((o, n, h))
        });
        let Some((old_text, new_text, h)) = entry.as_ref() else {
            plan.moves.push((
                c.clone(),
                Outcome::Blocked(format!("`{}` does not exist at the new commit", c.path)),
            ));
            continue;
        };
        let old_lines = citations::lines_of(old_text);
        let new_lines = citations::lines_of(new_text);
        let outcome = match &c.kind {
            Kind::Lines { .. } => carry(&old_lines, &new_lines, h, c.start, c.end),
            Kind::Symbol(name) => match symbol_lines.get(&format!("{}#{name}", c.key)) {
                None => Outcome::Blocked(format!("symbol `{name}` is gone")),
                Some(&line) => {
                    let same =
                        old_lines.get(c.start as usize - 1) == new_lines.get(line as usize - 1);
                    match (same, line == c.start) {
                        (true, true) => Outcome::Unchanged,
                        (true, false) => Outcome::Moved {
                            start: line,
                            end: line,
                        },
                        (false, _) => Outcome::Queued {
                            start: line,
                            end: line,
                        },
                    }
                }
            },
        };
        let new_span = match outcome {
            Outcome::Unchanged => Some((c.start, c.end)),
            Outcome::Moved { start, end } | Outcome::Queued { start, end } => Some((start, end)),
            Outcome::Blocked(_) => None,
        };
        if let Some((s, e)) = new_span {
            if let (Kind::Lines { numbers }, true) = (&c.kind, (s, e) != (c.start, c.end)) {
                plan.edits.push(Edit {
                    file: c.file.clone(),
                    span: numbers.clone(),
                    text: citations::span_name(s, e),
                });
            }
            if let Some(fp) = citations::fingerprint_lines(&new_lines, s, e) {
                let f = plan.lock.files.entry(c.path.clone()).or_default();
                f.lines = new_lines.len() as u32;
                f.spans.insert(citations::span_name(s, e), fp);
            }
        }
        plan.moves.push((c, outcome));
    }
    Ok(plan)
}

/// The review queue: each citation whose code changed, with the line of the
/// page that makes the claim and the old and new code of the cited span.
/// It holds upstream code, so it is written under `target/`, never committed.
pub(crate) fn review_queue(plan: &CitationPlan, files: &BookFiles, m: &Move) -> String {
    let Move {
        old,
        new,
        old_commit,
        new_commit,
        ..
    } = *m;
    let queued: Vec<_> = plan
        .moves
        .iter()
        .filter_map(|(c, o)| match o {
            Outcome::Queued { start, end } => Some((c, *start, *end)),
            _ => None,
        })
        .collect();
    let mut out = format!(
        "# Review queue: pin move {} → {}\n\n{} citation(s) cite code that changed. For each, re-read the claim against the new code, fix the claim or its lines, then run `cargo xtask upstream --lock`.\n",
        short(old_commit),
        short(new_commit),
        queued.len()
    );
    for (c, s, e) in queued {
        let text = &files.texts[&c.file];
        let line_no = text[..c.target.start].matches('\n').count() + 1;
        let line = text.lines().nth(line_no - 1).unwrap_or("").trim();
        let claim: String = line.chars().take(400).collect();
        let _ = write!(
            out,
            "\n## {}:{line_no}\n\n{claim}\n\n`{}` lines {}, now {}\n",
            c.file,
            c.path,
            c.span(),
            citations::span_name(s, e)
        );
        let code = |up: &Upstream, a: u32, b: u32| -> String {
            up.text(&c.path)
                .map(|t| {
                    t.lines()
                        .skip(a as usize - 1)
                        .take((b - a + 1) as usize)
                        .collect::<Vec<_>>()
                        .join("\n")
                })
                .unwrap_or_default()
        };
        let _ = write!(
            out,
            "\nBefore ({}):\n\n```text\n{}\n```\n\nAfter ({}):\n\n```text\n{}\n```\n",
            short(old_commit),
            code(old, c.start, c.end),
            short(new_commit),
            code(new, s, e)
        );
    }
    out
}

fn short(commit: &str) -> &str {
    &commit[..commit.len().min(10)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::upstream::tests::git;
    use alga_diagnostics::Diagnostics;

    const PAGE: &str = "# Page\n\nThe start {{#path a.main:3-4}}, the check {{#path a.main:8 \"label\"}}, \
the entry {{#path a.main#start}}.\n\nNot `{{#path a.main:3}}`.\n";
    const TABLE: &str = "[[row]]\ncode = \"x\"\nwhere = \"{{#path a.main:9-10}}\"\n";

    /// A page and a table citing a file that gains two lines at the top and
    /// has line 8 rewritten: the spans move, the rewritten one is queued,
    /// and only the numbers of the two files change.
    #[test]
    fn a_move_rewrites_only_the_numbers_and_queues_changed_code() {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("up");
        std::fs::create_dir_all(repo.join("src")).unwrap();
        git(&repo, &["init", "-q"]);
        let before: String = (1..=10)
            .map(|i| {
                if i == 3 {
                    "export function start() {}\n".to_owned()
                } else {
                    format!("line {i}\n")
                }
            })
            .collect();
        std::fs::write(repo.join("src/a.ts"), &before).unwrap();
        git(&repo, &["add", "-A"]);
        git(&repo, &["commit", "-q", "-m", "1"]);
        let c1 = git(&repo, &["rev-parse", "HEAD"]);
        let after = format!(
            "new 1\nnew 2\n{}",
            before.replace("line 8\n", "line eight\n")
        );
        std::fs::write(repo.join("src/a.ts"), &after).unwrap();
        git(&repo, &["commit", "-q", "-am", "2"]);
        let c2 = git(&repo, &["rev-parse", "HEAD"]);

        let book = dir.path().join("book");
        std::fs::create_dir_all(book.join("paths")).unwrap();
        std::fs::write(
            book.join("paths/a.toml"),
            "[[entry]]\nkey = \"a.main\"\npath = \"src/a.ts\"\nrole = \"r\"\nsymbols = { start = 3 }\n",
        )
        .unwrap();
        let mut diags = Diagnostics::default();
        let registry = Registry::load(&book, Path::new("paths"), &mut diags);
        let mut files = BookFiles {
            texts: [
                ("src/p.md".to_owned(), PAGE.to_owned()),
                ("tables/t.toml".to_owned(), TABLE.to_owned()),
            ]
            .into(),
        };
        let old = Upstream::from_checkout(&repo, &c1).unwrap();
        let new = Upstream::from_checkout(&repo, &c2).unwrap();
        let symbols = [("a.main#start".to_owned(), 5)].into();
        let m = Move {
            checkout: &repo,
            old: &old,
            new: &new,
            old_commit: &c1,
            new_commit: &c2,
        };
        let p = plan(&files, &registry, &m, &symbols).unwrap();
        let outcomes: Vec<&Outcome> = p.moves.iter().map(|(_, o)| o).collect();
        assert_eq!(
            outcomes,
            [
                &Outcome::Moved { start: 5, end: 6 },
                &Outcome::Queued { start: 10, end: 10 },
                &Outcome::Moved { start: 5, end: 5 },
                &Outcome::Moved { start: 11, end: 12 },
            ]
        );
        assert_eq!(
            p.summary(),
            "4 citation(s): 0 unchanged, 3 moved automatically, 1 queued for review, 0 blocked"
        );
        files.apply(&p.edits);
        assert_eq!(
            files.texts["src/p.md"],
            PAGE.replace("a.main:3-4", "a.main:5-6")
                .replace("a.main:8 ", "a.main:10 ")
        );
        assert_eq!(files.texts["tables/t.toml"], TABLE.replace("9-10", "11-12"));
        // The lock holds the new code's fingerprints.
        assert_eq!(p.lock.commit, c2);
        assert_eq!(
            p.lock.get("src/a.ts", "10"),
            citations::fingerprint(&after, 10, 10).as_deref()
        );
        let queue = review_queue(&p, &files, &m);
        assert!(queue.contains("\n## src/p.md:3\n"), "{queue}");
        assert!(queue.contains("```text\nline 8\n```"), "{queue}");
        assert!(queue.contains("```text\nline eight\n```"), "{queue}");
    }

    /// On the real history (with `ALGA_PSA_CHECKOUT`): move the pin back 30
    /// commits and forward again. Every line citation whose text exists at
    /// both ends comes back to the lines it cites now.
    #[test]
    fn real_history_round_trip() {
        let Some(checkout) = std::env::var_os("ALGA_PSA_CHECKOUT").map(PathBuf::from) else {
            eprintln!("skipped: set ALGA_PSA_CHECKOUT to a clone of alga-psa");
            return;
        };
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let settings = crate::upstream::Settings::read(root).unwrap();
        let mut diags = Diagnostics::default();
        let registry = Registry::load(root, &settings.registry, &mut diags);
        let pin = settings.commit.clone();
        for back in [30, 100] {
            let earlier = git(&checkout, &["rev-parse", &format!("{pin}~{back}")]);
            let at_pin = Upstream::from_checkout(&checkout, &pin).unwrap();
            let then = Upstream::from_checkout(&checkout, &earlier).unwrap();
            let mut files = BookFiles::read(root, &settings.tables).unwrap();
            let original = files.texts.clone();
            let none = BTreeMap::new();
            let symbols = crate::upstream::plan(&registry, &at_pin, &then).symbol_lines;
            let there = plan(
                &files,
                &registry,
                &Move {
                    checkout: &checkout,
                    old: &at_pin,
                    new: &then,
                    old_commit: &pin,
                    new_commit: &earlier,
                },
                &symbols,
            )
            .unwrap();
            eprintln!("pin → pin~{back}: {}", there.summary());
            let kept: std::collections::BTreeSet<(String, usize)> = there
                .moves
                .iter()
                .filter(|(c, o)| {
                    matches!(c.kind, Kind::Lines { .. })
                        && matches!(o, Outcome::Unchanged | Outcome::Moved { .. })
                })
                .map(|(c, _)| (c.file.clone(), c.target.start))
                .collect();
            files.apply(&there.edits);
            let back_plan = plan(
                &files,
                &registry,
                &Move {
                    checkout: &checkout,
                    old: &then,
                    new: &at_pin,
                    old_commit: &earlier,
                    new_commit: &pin,
                },
                &none,
            )
            .unwrap();
            files.apply(&back_plan.edits);
            let here = BookFiles::read(root, &settings.tables).unwrap();
            let after = files.citations(&registry);
            let mut restored = 0;
            for c in here.citations(&registry) {
                if !kept.contains(&(c.file.clone(), c.target.start)) {
                    continue;
                }
                // The same citation after the round trip: same file and
                // line, same key, same numbers.
                let line = line_of(&original[&c.file], c.target.start);
                let twin = after.iter().find(|a| {
                    a.file == c.file
                        && a.key == c.key
                        && line_of(&files.texts[&a.file], a.target.start) == line
                        && (a.start, a.end) == (c.start, c.end)
                });
                assert!(
                    twin.is_some(),
                    "{}:{line} `{}:{}` did not come back",
                    c.file,
                    c.path,
                    c.span()
                );
                restored += 1;
            }
            eprintln!("pin~{back} → pin: {} line citation(s) restored", restored);
            assert!(restored > 0);
        }
    }

    fn line_of(text: &str, at: usize) -> usize {
        text[..at].matches('\n').count() + 1
    }

    #[test]
    fn hunks_are_parsed() {
        let diff = "diff --git a/x b/x\n@@ -3 +3,2 @@ fn\n-a\n+b\n+c\n@@ -10,0 +12,4 @@\n@@ -20,2 +25,0 @@\n";
        assert_eq!(
            parse_hunks(diff),
            [(3, 1, 3, 2), (10, 0, 12, 4), (20, 2, 25, 0)]
        );
    }

    /// `map_line` against a brute-force mapping built from the two texts.
    #[test]
    fn lines_map_through_insertions_deletions_and_changes() {
        // old: 1..=8; new: inserted two lines after 2, line 5 changed to two
        // lines, line 7 deleted.
        let hunks: Hunks = vec![(2, 0, 3, 2), (5, 1, 7, 2), (7, 1, 9, 0)];
        let expect = [(1, 1), (2, 2), (3, 5), (4, 6), (6, 9), (8, 10)];
        for (old, new) in expect {
            assert_eq!(map_line(&hunks, old, false), new, "old line {old}");
        }
        assert_eq!(map_line(&hunks, 5, false), 7);
        assert_eq!(map_line(&hunks, 5, true), 8);
    }

    #[test]
    fn spans_move_with_their_lines_or_are_queued() {
        let old = ["a", "b", "c", "d", "e"];
        let new = ["x", "a", "b", "c", "D", "e"];
        let h: Hunks = vec![(0, 0, 1, 1), (4, 1, 5, 1)];
        assert_eq!(
            carry(&old, &new, &h, 2, 3),
            Outcome::Moved { start: 3, end: 4 }
        );
        assert_eq!(
            carry(&old, &new, &h, 3, 4),
            Outcome::Queued { start: 4, end: 5 }
        );
        assert_eq!(carry(&old, &old, &[], 2, 3), Outcome::Unchanged);
        assert!(matches!(carry(&old, &new, &h, 5, 9), Outcome::Blocked(_)));
    }

    #[test]
    fn a_repeated_span_resolves_to_the_copy_the_diff_points_at() {
        let old = ["}", "fn a() {", "}", "x"];
        let new = ["}", "y", "y", "fn a() {", "}", "x"];
        let h: Hunks = vec![(1, 0, 2, 2)];
        // Line 3 (`}`) is also line 1 of the new file, but the diff says 5.
        assert_eq!(
            carry(&old, &new, &h, 3, 3),
            Outcome::Moved { start: 5, end: 5 }
        );
    }
}
