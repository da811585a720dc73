//! Line citations and the lock that records what each one cited.
//!
//! A citation is a `{{#path KEY:A-B}}`, `{{#path KEY:A}}` or
//! `{{#path KEY#symbol}}` in a page or a data table: a claim that rests on
//! lines A to B of an upstream file. The lock (`citations.lock`, written by
//! `cargo xtask upstream --lock` from a checkout) records, for every cited
//! file, its line count at the pin and a fingerprint of every cited span: a
//! hash, never the code (upstream `ee/` is under a commercial licence).
//!
//! The build checks every citation against the lock: with a checkout, that
//! the code under it is still what the claim was written against; without
//! one (CI, a fresh clone), that it has an entry and lies within the file.

use crate::registry::Registry;
use crate::scanner;
use crate::source_file::SourceFile;
use crate::upstream::Upstream;
use alga_diagnostics::Diagnostic;
use alga_diagnostics::Diagnostics;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::ops::Range;

/// One line citation in a page or a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Citation {
    /// The page or table file (display path) and the byte range of the
    /// directive's target (`KEY:A-B` or `KEY#symbol`) in its text.
    pub file: String,
    /// The byte range of the target (`KEY:A-B` or `KEY#symbol`) in the file.
    pub target: Range<usize>,
    /// The registry key.
    pub key: String,
    /// The upstream path the key stands for.
    pub path: String,
    /// The cited lines, 1-based, inclusive.
    pub start: u32,
    /// The last cited line (equal to `start` for one line).
    pub end: u32,
    /// How the lines were written.
    pub kind: Kind,
}

/// How a citation names its lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// `KEY:A` or `KEY:A-B`; `numbers` is the byte range of `A` or `A-B`.
    Lines {
        /// The byte range of `A` or `A-B`.
        numbers: Range<usize>,
    },
    /// `KEY#symbol`, at the line the registry records.
    Symbol(String),
}

impl Citation {
    /// The span as the lock spells it: `A` or `A-B`.
    pub fn span(&self) -> String {
        span_name(self.start, self.end)
    }
}

/// `A` for one line, `A-B` for a range.
pub fn span_name(start: u32, end: u32) -> String {
    if start == end {
        start.to_string()
    } else {
        format!("{start}-{end}")
    }
}

/// Every line citation of `text` (the content of `file`) whose key and symbol
/// the registry knows; the others are reported by the `path` directive.
///
/// Pages are scanned as Markdown (directives in code are examples, not
/// citations). Data tables are TOML with one value a line, so each line is
/// scanned on its own: a stray backtick in one cell cannot hide the next.
pub fn find(file: &str, text: &str, registry: &Registry) -> Vec<Citation> {
    let mut out = Vec::new();
    if file.ends_with(".toml") {
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            collect(file, line, offset, registry, &mut out);
            offset += line.len();
        }
    } else {
        collect(file, text, 0, registry, &mut out);
    }
    out
}

fn collect(file: &str, text: &str, base: usize, registry: &Registry, out: &mut Vec<Citation>) {
    for d in scanner::scan(text).directives {
        if d.escaped || d.name != "path" {
            continue;
        }
        let args = &text[d.args_range.clone()];
        let len = args.find(char::is_whitespace).unwrap_or(args.len());
        let token = &args[..len];
        let at = base + d.args_range.start;
        let (key, kind, start, end) = if let Some((key, symbol)) = token.split_once('#') {
            let Some(line) = registry.get(key).and_then(|e| e.symbols.get(symbol)) else {
                continue;
            };
            (key, Kind::Symbol(symbol.to_owned()), *line, *line)
        } else if let Some((key, lines)) = token.split_once(':') {
            let (a, b) = lines.split_once('-').unwrap_or((lines, lines));
            let (Ok(a), Ok(b)) = (a.parse::<u32>(), b.parse::<u32>()) else {
                continue;
            };
            if a == 0 || b < a {
                continue;
            }
            let numbers = at + key.len() + 1..at + len;
            (key, Kind::Lines { numbers }, a, b)
        } else {
            continue;
        };
        let Some(entry) = registry.get(key) else {
            continue;
        };
        out.push(Citation {
            file: file.to_owned(),
            target: at..at + len,
            key: key.to_owned(),
            path: entry.path.clone(),
            start,
            end,
            kind,
        });
    }
}

/// The fingerprint of lines `start..=end` of `text`: the first 16 hex digits
/// of the SHA-256 of those lines, each without its line break. `None` when
/// the span runs past the end of the file.
pub fn fingerprint(text: &str, start: u32, end: u32) -> Option<String> {
    let lines = lines_of(text);
    fingerprint_lines(&lines, start, end)
}

/// [`fingerprint`] over a file already split into lines.
pub fn fingerprint_lines(lines: &[&str], start: u32, end: u32) -> Option<String> {
    if start == 0 || end < start || end as usize > lines.len() {
        return None;
    }
    let mut h = Sha256::new();
    for (i, l) in lines[start as usize - 1..end as usize].iter().enumerate() {
        if i > 0 {
            h.update(b"\n");
        }
        h.update(l.as_bytes());
    }
    let digest = h.finalize();
    let mut hex = String::with_capacity(16);
    for b in &digest[..8] {
        let _ = write!(hex, "{b:02x}");
    }
    Some(hex)
}

/// The lines of a file as git shows them (a final line break ends the last
/// line; `\r` is dropped).
pub fn lines_of(text: &str) -> Vec<&str> {
    text.lines().collect()
}

/// The lock file: what every citation cited, at one commit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lock {
    /// The commit the fingerprints were taken at.
    pub commit: String,
    /// Upstream path → what the lock records of it.
    #[serde(default)]
    pub files: BTreeMap<String, LockedFile>,
}

/// What the lock records of one cited upstream file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LockedFile {
    /// The file's line count at the commit.
    pub lines: u32,
    /// Cited span (`A` or `A-B`) → fingerprint.
    #[serde(default)]
    pub spans: BTreeMap<String, String>,
}

const LOCK_HEADER: &str = "\
# What every line citation of the book cites: for each cited upstream file, its
# line count at the pin and a fingerprint (a hash, never the code) of each cited
# span. Written by `cargo xtask upstream --lock` and by a pin move; do not edit.
";

impl Lock {
    /// The lock as TOML, in a stable order.
    pub fn to_toml(&self) -> String {
        let mut out = String::from(LOCK_HEADER);
        let _ = writeln!(out, "\ncommit = \"{}\"", self.commit);
        for (path, f) in &self.files {
            let _ = writeln!(out, "\n[files.{}]", toml_key(path));
            let _ = writeln!(out, "lines = {}", f.lines);
            let mut spans: Vec<(&String, &String)> = f.spans.iter().collect();
            spans.sort_by_key(|(s, _)| span_order(s));
            for (span, fp) in spans {
                let _ = writeln!(out, "spans.\"{span}\" = \"{fp}\"");
            }
        }
        out
    }

    /// The fingerprint recorded for `path` at `span`.
    pub fn get(&self, path: &str, span: &str) -> Option<&str> {
        self.files.get(path)?.spans.get(span).map(String::as_str)
    }
}

fn span_order(span: &str) -> (u32, u32) {
    let (a, b) = span.split_once('-').unwrap_or((span, span));
    (a.parse().unwrap_or(0), b.parse().unwrap_or(0))
}

fn toml_key(s: &str) -> String {
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        s.to_owned()
    } else {
        let mut q = String::from("\"");
        for c in s.chars() {
            match c {
                '"' => q.push_str("\\\""),
                '\\' => q.push_str("\\\\"),
                c => q.push(c),
            }
        }
        q.push('"');
        q
    }
}

/// Read the lock; a malformed one is a located error.
pub fn load(file: &SourceFile, diags: &mut Diagnostics) -> Option<Lock> {
    file.parse_toml::<Lock>(diags)
}

const RELOCK: &str = "cargo xtask upstream --lock";

/// Check every citation against the lock (and, with a checkout, against the
/// code at the pin). `texts` gives each citation's file text, for locations.
pub fn check(
    citations: &[Citation],
    texts: &BTreeMap<String, &str>,
    lock: &Lock,
    lock_file: &str,
    commit: &str,
    upstream: Option<&Upstream>,
    diags: &mut Diagnostics,
) {
    if lock.commit != commit {
        diags.push(Diagnostic::error(format!(
                "the citation lock was written at `{}`, but the pin is `{commit}`",
                lock.commit
            )).in_file(lock_file).hint(format!(
                "move the pin with `cargo xtask upstream --commit`, which rewrites the lock, or run `{RELOCK}` with ALGA_PSA_CHECKOUT set"
            )));
        return;
    }
    let checkout = upstream.filter(|u| u.has_checkout());
    for c in citations {
        let Some(text) = texts.get(&c.file) else {
            continue;
        };
        let span = c.span();
        let shown = format!("{}:{span}", c.path);
        let not_locked = |diags: &mut Diagnostics| {
            diags.push(
                Diagnostic::error(format!(
                    "`{shown}` is not in the citation lock ({lock_file})"
                ))
                .at(&c.file, text, c.target.clone())
                .hint(format!(
                    "record what it cites: `ALGA_PSA_CHECKOUT=<clone> {RELOCK}`"
                )),
            );
        };
        let Some(locked) = lock.files.get(&c.path) else {
            not_locked(diags);
            continue;
        };
        // With a checkout the `path` directive checks the range itself.
        if checkout.is_none() && c.end > locked.lines {
            diags.push(
                Diagnostic::error(format!(
                    "line {} is out of range: `{}` has {} lines at the pin",
                    c.end, c.path, locked.lines
                ))
                .at(&c.file, text, c.target.clone())
                .hint(format!(
                    "cite lines within 1-{} (line counts from {lock_file})",
                    locked.lines
                )),
            );
            continue;
        }
        let Some(recorded) = locked.spans.get(&span) else {
            not_locked(diags);
            continue;
        };
        let Some(up) = checkout else { continue };
        let Some(now) = up
            .text(&c.path)
            .and_then(|t| fingerprint(&t, c.start, c.end))
        else {
            continue; // missing file or out of range: reported by the `path` directive
        };
        if &now != recorded {
            diags.push(Diagnostic::error(format!(
                    "the code under `{shown}` is not what this claim was written against (lock {recorded}, pin {now})"
                )).at(&c.file, text, c.target.clone()).hint(format!(
                    "re-read the claim against the code at the pin and fix it or its lines; then `{RELOCK}`"
                )));
        }
    }
}

/// Build the lock for `citations` from the code at the pin.
///
/// With a checkout every fingerprint is taken afresh. Without one, entries of
/// `previous` that are still cited are kept, and every citation it does not
/// know is returned as missing (it needs a checkout to be recorded).
pub fn build_lock(
    citations: &[Citation],
    commit: &str,
    upstream: Option<&Upstream>,
    previous: Option<&Lock>,
) -> (Lock, Vec<Citation>) {
    let mut lock = Lock {
        commit: commit.to_owned(),
        files: BTreeMap::new(),
    };
    let mut missing = Vec::new();
    let checkout = upstream.filter(|u| u.has_checkout());
    let mut texts: BTreeMap<String, Option<String>> = BTreeMap::new();
    for c in citations {
        let span = c.span();
        let fp_and_lines = match checkout {
            Some(up) => {
                let text = texts
                    .entry(c.path.clone())
                    .or_insert_with(|| up.text(&c.path));
                text.as_deref().and_then(|t| {
                    fingerprint(t, c.start, c.end).map(|fp| (fp, t.lines().count() as u32))
                })
            }
            None => previous.filter(|p| p.commit == commit).and_then(|p| {
                let f = p.files.get(&c.path)?;
                Some((f.spans.get(&span)?.clone(), f.lines))
            }),
        };
        match fp_and_lines {
            Some((fp, lines)) => {
                let f = lock.files.entry(c.path.clone()).or_default();
                f.lines = lines;
                f.spans.insert(span, fp);
            }
            None => missing.push(c.clone()),
        }
    }
    (lock, missing)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registry() -> Registry {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("paths")).unwrap();
        std::fs::write(
            dir.path().join("paths/a.toml"),
            "[[entry]]\nkey = \"a.main\"\npath = \"src/main.ts\"\nrole = \"r\"\nsymbols = { start = 2 }\n",
        )
        .unwrap();
        let mut diags = Diagnostics::default();
        let reg = Registry::load(dir.path(), std::path::Path::new("paths"), &mut diags);
        assert!(diags.is_empty(), "{}", diags.render(false));
        reg
    }

    #[test]
    fn finds_line_and_symbol_citations_but_not_examples() {
        let reg = registry();
        let text = "See {{#path a.main:3-5}} and {{#path a.main#start}}, \
                    not `{{#path a.main:9}}` nor \\{{#path a.main:8}} nor {{#path a.main}} \
                    nor {{#path nope:1}} nor {{#path a.main#nope}} {{#path a.main:4 \"label\"}}.\n";
        let found = find("p.md", text, &reg);
        let shown: Vec<(String, u32, u32)> = found
            .iter()
            .map(|c| (text[c.target.clone()].to_owned(), c.start, c.end))
            .collect();
        assert_eq!(
            shown,
            [
                ("a.main:3-5".to_owned(), 3, 5),
                ("a.main#start".to_owned(), 2, 2),
                ("a.main:4".to_owned(), 4, 4),
            ]
        );
        let Kind::Lines { numbers } = &found[0].kind else {
            panic!()
        };
        assert_eq!(&text[numbers.clone()], "3-5");
    }

    #[test]
    fn tables_are_scanned_line_by_line() {
        let reg = registry();
        let text = "a = \"one ` tick\"\nb = \"{{#path a.main:7}} ` \"\n";
        let found = find("t.toml", text, &reg);
        assert_eq!(found.len(), 1);
        assert_eq!(&text[found[0].target.clone()], "a.main:7");
    }

    #[test]
    fn fingerprints_hash_lines_not_line_breaks() {
        let unix = "a\nb\nc\n";
        let dos = "a\r\nb\r\nc\r\n";
        assert_eq!(fingerprint(unix, 2, 3), fingerprint(dos, 2, 3));
        assert_ne!(fingerprint(unix, 1, 2), fingerprint(unix, 2, 3));
        assert_eq!(fingerprint(unix, 3, 4), None);
        assert_eq!(fingerprint(unix, 0, 1), None);
        assert_eq!(fingerprint(unix, 1, 1).unwrap().len(), 16);
    }

    #[test]
    fn the_lock_round_trips_in_a_stable_order() {
        let mut lock = Lock {
            commit: "c".repeat(40),
            ..Lock::default()
        };
        let f = lock
            .files
            .entry("server/src/app/api/[id]/route.ts".into())
            .or_default();
        f.lines = 120;
        f.spans.insert("10-12".into(), "00".into());
        f.spans.insert("9".into(), "11".into());
        f.spans.insert("100".into(), "22".into());
        let text = lock.to_toml();
        assert!(
            text.ends_with(
                "\n[files.\"server/src/app/api/[id]/route.ts\"]\nlines = 120\nspans.\"9\" = \"11\"\nspans.\"10-12\" = \"00\"\nspans.\"100\" = \"22\"\n"
            ),
            "{text}"
        );
        assert_eq!(toml::from_str::<Lock>(&text).unwrap(), lock);
    }
}
