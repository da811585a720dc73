//! The registry of canonical upstream files: `data/paths/*.toml`.
//!
//! One `[[entry]]` per upstream file or folder, with a stable key, its path at
//! the pinned commit, a one-line role and optional symbols with their lines.

use crate::source_file::{SourceFile, toml_files};
use alga_diagnostics::Diagnostic;
use alga_diagnostics::{Diagnostics, nearest};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use toml::Spanned;

/// One upstream file or folder the book cites by key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The key pages write (`gateway.route`).
    pub key: String,
    /// The path in the upstream repository.
    pub path: String,
    /// What the file does, in a few words (the link's title).
    pub role: String,
    /// Number of lines of the file at the pin, when recorded.
    pub lines: Option<u32>,
    /// Symbols pages may cite with `KEY#symbol`, each at its line at the pin.
    pub symbols: BTreeMap<String, u32>,
    /// The registry file (display path).
    pub file: String,
    /// The title of its area (the registry file's `area`).
    pub area: String,
    /// Where the entry's `path` value is written, for later diagnostics.
    pub path_span: std::ops::Range<usize>,
    /// Where the `lines` value is written, when recorded.
    pub lines_span: Option<std::ops::Range<usize>>,
    /// Where each symbol's line is written.
    pub symbol_spans: BTreeMap<String, std::ops::Range<usize>>,
}

/// Every registry entry, by key, with the files they were read from.
#[derive(Debug, Default)]
pub struct Registry {
    entries: BTreeMap<String, Entry>,
    /// Every key seen, valid or not, with its file: for duplicate detection.
    seen: BTreeMap<String, String>,
    /// Registry files in load order, with their text (for diagnostics).
    pub files: Vec<SourceFile>,
    /// Area titles in load order.
    pub areas: Vec<(String, String)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    title: Option<String>,
    #[serde(default)]
    entry: Vec<Spanned<RawEntry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    key: Spanned<String>,
    path: Spanned<String>,
    role: Spanned<String>,
    lines: Option<Spanned<i64>>,
    #[serde(default)]
    symbols: BTreeMap<String, Spanned<toml::Value>>,
}

fn valid_key(key: &str) -> bool {
    !key.is_empty()
        && key.split('.').all(|seg| {
            !seg.is_empty()
                && seg
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        })
}

/// Why a registry path is malformed, if it is.
fn path_problem(path: &str) -> Option<&'static str> {
    if path.is_empty() {
        Some("is empty")
    } else if path.starts_with('/') {
        Some("must be relative to the repository root (no leading `/`)")
    } else if path.ends_with('/') {
        Some("must not end with `/`")
    } else if path
        .split('/')
        .any(|s| s == ".." || s == "." || s.is_empty())
    {
        Some("must not contain `..`, `.` or empty segments")
    } else if path.contains('\\') || path.chars().any(char::is_control) {
        Some("must use `/` separators and no control characters")
    } else {
        None
    }
}

impl Registry {
    /// The entry of `key`.
    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.entries.get(key)
    }

    /// Every entry, in key order.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries.values()
    }

    /// Every key, in order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.keys().map(String::as_str)
    }

    /// The key whose path is exactly `path`, if any.
    pub fn key_for_path(&self, path: &str) -> Option<&str> {
        self.entries
            .values()
            .find(|e| e.path == path)
            .map(|e| e.key.as_str())
    }

    /// The key nearest to a misspelt `key`, for a hint.
    pub fn nearest_key(&self, key: &str) -> Option<&str> {
        nearest(key, self.keys())
    }

    /// The registry file with display path `display`.
    pub fn file(&self, display: &str) -> Option<&SourceFile> {
        self.files.iter().find(|f| f.display == display)
    }

    /// Load every `*.toml` under `dir` (relative to `root`).
    pub fn load(root: &Path, dir: &Path, diags: &mut Diagnostics) -> Registry {
        let mut reg = Registry::default();
        let files = match toml_files(root, dir) {
            Ok(f) => f,
            Err(e) => {
                diags.push(Diagnostic::new(alga_diagnostics::Severity::Error, format!("cannot read the path registry: {e}")).in_file(&crate::source_file::display_path(dir)).hint("set `registry` in [preprocessor.alga] to the folder of registry TOML files"));
                return reg;
            }
        };
        for path in files {
            let file = match SourceFile::read(root, &path) {
                Ok(f) => f,
                Err(e) => {
                    diags.push(
                        Diagnostic::new(
                            alga_diagnostics::Severity::Error,
                            format!("cannot read registry file: {e}"),
                        )
                        .in_file(&crate::source_file::display_path(&path)),
                    );
                    continue;
                }
            };
            if let Some(raw) = file.parse_toml::<RawFile>(diags) {
                reg.add_file(&file, raw, diags);
            }
            reg.files.push(file);
        }
        reg
    }

    fn add_file(&mut self, file: &SourceFile, raw: RawFile, diags: &mut Diagnostics) {
        let stem = Path::new(&file.display)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let area = raw.title.unwrap_or_else(|| stem.clone());
        self.areas.push((file.display.clone(), area.clone()));
        let (d, t) = (&file.display, &file.text);
        for spanned in raw.entry {
            let raw = spanned.into_inner();
            let key = raw.key.get_ref().clone();
            let mut ok = true;
            if !valid_key(&key) {
                diags.push(Diagnostic::error(format!("registry key `{key}` is malformed")).at(d, t, raw.key.span()).hint("use dot-separated segments of letters, digits, `_` or `-`, e.g. `gateway.access`"));
                ok = false;
            }
            if let Some(first) = self.seen.get(&key) {
                diags.push(
                    Diagnostic::error(format!("duplicate registry key `{key}`"))
                        .at(d, t, raw.key.span())
                        .hint(format!(
                            "it is already defined in {first}; choose another key"
                        )),
                );
                ok = false;
            } else {
                self.seen.insert(key.clone(), d.clone());
            }
            let path = raw.path.get_ref().clone();
            if let Some(problem) = path_problem(&path) {
                diags.push(
                    Diagnostic::error(format!("registry path `{path}` {problem}")).at(
                        d,
                        t,
                        raw.path.span(),
                    ),
                );
                ok = false;
            }
            if raw.role.get_ref().trim().is_empty() {
                diags.push(
                    Diagnostic::error(format!("registry entry `{key}` has an empty role"))
                        .at(d, t, raw.role.span())
                        .hint("describe in one line what the file does"),
                );
                ok = false;
            }
            let lines_span = raw.lines.as_ref().map(Spanned::span);
            let lines = match raw.lines {
                Some(l) if *l.get_ref() < 1 || *l.get_ref() > u32::MAX as i64 => {
                    diags.push(
                        Diagnostic::error("`lines` must be a positive line count").at(
                            d,
                            t,
                            l.span(),
                        ),
                    );
                    ok = false;
                    None
                }
                Some(l) => Some(*l.get_ref() as u32),
                None => None,
            };
            let mut symbols = BTreeMap::new();
            let mut symbol_spans = BTreeMap::new();
            for (name, value) in raw.symbols {
                let span = value.span();
                match value.get_ref() {
                    toml::Value::Integer(n) if *n >= 1 && *n <= u32::MAX as i64 => {
                        if lines.is_some_and(|l| *n as u32 > l) {
                            diags.push(
                                Diagnostic::error(format!(
                                    "symbol `{name}` is on line {n}, past the file's {} lines",
                                    lines.unwrap()
                                ))
                                .at(d, t, span.clone()),
                            );
                            ok = false;
                        }
                        symbols.insert(name.clone(), *n as u32);
                        symbol_spans.insert(name, span);
                    }
                    _ => {
                        diags.push(Diagnostic::error(format!("symbol `{name}` of `{key}` has no line")).at(d, t, span).hint(format!("write `{name} = <line>` with the line where the symbol is defined at the pin")));
                        ok = false;
                    }
                }
            }
            if ok {
                self.entries.insert(
                    key.clone(),
                    Entry {
                        key,
                        path,
                        role: raw.role.into_inner(),
                        lines,
                        symbols,
                        file: d.clone(),
                        area: area.clone(),
                        path_span: raw.path.span(),
                        lines_span,
                        symbol_spans,
                    },
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_str(text: &str) -> (Registry, Diagnostics) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("paths")).unwrap();
        std::fs::write(dir.path().join("paths/a.toml"), text).unwrap();
        let mut d = Diagnostics::default();
        let r = Registry::load(dir.path(), Path::new("paths"), &mut d);
        (r, d)
    }

    #[test]
    fn loads_entries_with_symbols() {
        let (r, d) = load_str(
            "title = \"Gateway\"\n[[entry]]\nkey = \"g.a\"\npath = \"a/b.ts\"\nrole = \"r\"\nsymbols = { f = 3 }\n",
        );
        assert!(d.is_empty(), "{:?}", d.items());
        let e = r.get("g.a").unwrap();
        assert_eq!(e.symbols["f"], 3);
        assert_eq!(e.area, "Gateway");
    }

    #[test]
    fn malformed_entries_are_located() {
        let text = "[[entry]]\nkey = \"a.b\"\npath = \"x/y\"\nrole = \"r\"\n\n[[entry]]\nkey = \"a.b\"\npath = \"x/../y\"\nrole = \"r\"\nsymbols = { s = \"\" }\n";
        let (_, d) = load_str(text);
        let heads: Vec<String> = d.sorted().iter().map(|x| x.headline()).collect();
        assert_eq!(
            heads,
            [
                "paths/a.toml:7:7: error: duplicate registry key `a.b`",
                "paths/a.toml:8:8: error: registry path `x/../y` must not contain `..`, `.` or empty segments",
                "paths/a.toml:10:17: error: symbol `s` of `a.b` has no line",
            ]
        );
    }

    #[test]
    fn missing_field_is_an_error_with_position() {
        let (_, d) = load_str("[[entry]]\nkey = \"a.b\"\nrole = \"r\"\n");
        let h = d.sorted()[0].headline();
        assert!(
            h.starts_with("paths/a.toml:1:1: error: missing field `path`"),
            "{h}"
        );
    }
}
