//! `{{#path KEY}}`: a reference to an upstream file, rendered as a permalink
//! at the pinned commit.
//!
//! Forms: `KEY`, `KEY#symbol`, `KEY:LINE`, `KEY:START-END`, each with an
//! optional quoted label as the last argument.

use crate::registry::{Entry, Registry};
use crate::scanner::split_args;
use crate::upstream::Upstream;

/// What part of the file a reference points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Anchor {
    None,
    Symbol(String),
    Lines(u32, u32),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathRef {
    pub key: String,
    pub anchor: Anchor,
    pub label: Option<String>,
}

/// A problem with a reference: message, hint, and the byte range within the
/// directive's arguments it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefError {
    pub message: String,
    pub hint: Option<String>,
    pub range: std::ops::Range<usize>,
}

fn err(message: String, hint: Option<String>, range: std::ops::Range<usize>) -> RefError {
    RefError {
        message,
        hint,
        range,
    }
}

/// Parse the arguments of a `path` directive.
pub fn parse(args: &str) -> Result<PathRef, RefError> {
    let words = split_args(args).map_err(|m| err(m, None, 0..args.len()))?;
    let (target, target_range) = match words.first() {
        Some((w, r)) if !args[r.clone()].starts_with('"') => (w.clone(), r.clone()),
        _ => {
            return Err(err(
                "`path` needs a registry key".into(),
                Some("write {{#path KEY}}, {{#path KEY#symbol}} or {{#path KEY:LINE}}".into()),
                0..args.len(),
            ));
        }
    };
    let label = match words.get(1) {
        None => None,
        Some((w, r)) if args[r.clone()].starts_with('"') && words.len() == 2 => {
            if w.trim().is_empty() {
                return Err(err("the label is empty".into(), None, r.clone()));
            }
            Some(w.clone())
        }
        Some((_, r)) => {
            // After a quoted label, the unexpected argument is the next one.
            let bad = match words.get(2) {
                Some((_, r2)) if args[r.clone()].starts_with('"') => r2.start,
                _ => r.start,
            };
            return Err(err(
                "unexpected argument after the key".into(),
                Some("a label must be one double-quoted argument: {{#path KEY \"label\"}}".into()),
                bad..args.len(),
            ));
        }
    };
    let (key, anchor) = if let Some((k, sym)) = target.split_once('#') {
        if sym.is_empty() {
            return Err(err("empty symbol after `#`".into(), None, target_range));
        }
        (k.to_owned(), Anchor::Symbol(sym.to_owned()))
    } else if let Some((k, lines)) = target.split_once(':') {
        let bad = || {
            err(
                format!("`{lines}` is not a line or a line range"),
                Some("write KEY:215 or KEY:215-230".into()),
                target_range.clone(),
            )
        };
        let (a, b) = match lines.split_once('-') {
            Some((a, b)) => (a, b),
            None => (lines, lines),
        };
        let a: u32 = a.parse().map_err(|_| bad())?;
        let b: u32 = b.parse().map_err(|_| bad())?;
        if a == 0 || b < a {
            return Err(bad());
        }
        (k.to_owned(), Anchor::Lines(a, b))
    } else {
        (target.clone(), Anchor::None)
    };
    Ok(PathRef { key, anchor, label })
}

/// Percent-encode a repository path for a GitHub URL: everything but
/// unreserved characters and `/` is encoded, so `[[...path]]` survives.
pub fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The permalink of `path` at `commit`.
pub fn permalink(
    repository: &str,
    commit: &str,
    path: &str,
    is_dir: bool,
    anchor: Option<(u32, u32)>,
) -> String {
    let kind = if is_dir { "tree" } else { "blob" };
    let mut url = format!(
        "{}/{kind}/{commit}/{}",
        repository.trim_end_matches('/'),
        encode_path(path)
    );
    if let Some((a, b)) = anchor {
        if a == b {
            url.push_str(&format!("#L{a}"));
        } else {
            url.push_str(&format!("#L{a}-L{b}"));
        }
    }
    url
}

/// Whether a registry path is a folder: from the upstream tree when known,
/// otherwise from its last segment (files have an extension or a dot name).
pub fn is_dir(entry: &Entry, upstream: Option<&Upstream>) -> bool {
    if let Some(up) = upstream
        && up.exists(&entry.path)
    {
        return up.is_dir(&entry.path);
    }
    // Without a tree, guess: an entry with symbols or a line count is a file,
    // and so is a name that is a file by convention although it has no dot.
    if !entry.symbols.is_empty() || entry.lines.is_some() {
        return false;
    }
    let last = entry.path.rsplit('/').next().unwrap_or("");
    if EXTENSIONLESS_FILES.contains(&last) {
        return false;
    }
    !last.contains('.') || last.starts_with('[')
}

/// File names without a dot that are files, not folders.
const EXTENSIONLESS_FILES: &[&str] = &[
    "Dockerfile",
    "Makefile",
    "Containerfile",
    "Justfile",
    "Procfile",
    "LICENSE",
    "Gemfile",
    "Rakefile",
];

fn escape_title(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// Resolve and render a reference as Markdown.
pub fn render(
    r: &PathRef,
    key_range: std::ops::Range<usize>,
    registry: &Registry,
    upstream: Option<&Upstream>,
    repository: &str,
    commit: &str,
) -> Result<String, RefError> {
    let Some(entry) = registry.get(&r.key) else {
        let hint = registry
            .nearest_key(&r.key)
            .map(|k| {
                format!(
                    "did you mean `{k}`? ({})",
                    registry.get(k).map_or("", |e| e.path.as_str())
                )
            })
            .or_else(|| Some("add an entry to the registry in preprocessors/data/paths/".into()));
        return Err(err(
            format!("unknown path key `{}`", r.key),
            hint,
            key_range,
        ));
    };
    let dir = is_dir(entry, upstream);
    let lines = match &r.anchor {
        Anchor::None => None,
        Anchor::Symbol(s) => match entry.symbols.get(s) {
            Some(l) => Some((*l, *l)),
            None => {
                let known: Vec<&str> = entry.symbols.keys().map(String::as_str).collect();
                let hint = match alga_diagnostics::nearest(s, known.iter().copied()) {
                    Some(n) => format!("did you mean `{n}`?"),
                    None if known.is_empty() => format!(
                        "`{}` records no symbols; add `symbols = {{ {s} = <line> }}` to its entry",
                        r.key
                    ),
                    None => format!("known symbols: {}", known.join(", ")),
                };
                return Err(err(
                    format!("unknown symbol `{s}` in `{}`", r.key),
                    Some(hint),
                    key_range,
                ));
            }
        },
        Anchor::Lines(a, b) => {
            if dir {
                return Err(err(
                    format!("`{}` is a folder; a line anchor needs a file", r.key),
                    None,
                    key_range,
                ));
            }
            let len = entry.lines.or_else(|| {
                upstream
                    .and_then(|u| u.text(&entry.path))
                    .map(|t| t.lines().count() as u32)
            });
            if let Some(len) = len
                && *b > len
            {
                return Err(err(
                    format!(
                        "line {b} is out of range: `{}` has {len} lines at the pin",
                        entry.path
                    ),
                    None,
                    key_range,
                ));
            }
            Some((*a, *b))
        }
    };
    let url = permalink(repository, commit, &entry.path, dir, lines);
    let text = match (&r.label, &r.anchor) {
        // The label is text: HTML, brackets and pipes must not break the link
        // or the table it may sit in (code spans are kept).
        (Some(label), _) => alga_schema_table::cell(label),
        (None, Anchor::None) => format!("`{}`", entry.path),
        (None, Anchor::Symbol(s)) => format!("`{s}` in `{}`", entry.path),
        (None, Anchor::Lines(a, b)) if a == b => format!("`{}:{a}`", entry.path),
        (None, Anchor::Lines(a, b)) => format!("`{}:{a}-{b}`", entry.path),
    };
    Ok(format!("[{text}]({url} \"{}\")", escape_title(&entry.role)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_form() {
        assert_eq!(
            parse("a.b").unwrap(),
            PathRef {
                key: "a.b".into(),
                anchor: Anchor::None,
                label: None
            }
        );
        assert_eq!(parse("a.b#f").unwrap().anchor, Anchor::Symbol("f".into()));
        assert_eq!(parse("a.b:7").unwrap().anchor, Anchor::Lines(7, 7));
        assert_eq!(parse("a.b:7-9").unwrap().anchor, Anchor::Lines(7, 9));
        assert_eq!(
            parse("a.b \"the x\"").unwrap().label.as_deref(),
            Some("the x")
        );
    }

    #[test]
    fn rejects_bad_forms() {
        for bad in [
            "",
            "\"only label\"",
            "a.b:0",
            "a.b:9-7",
            "a.b:x",
            "a.b#",
            "a.b extra",
            "a.b \"l\" more",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn encodes_brackets_spaces_and_ids() {
        assert_eq!(
            encode_path("server/src/app/api/ext/[extensionId]/[[...path]]/route.ts"),
            "server/src/app/api/ext/%5BextensionId%5D/%5B%5B...path%5D%5D/route.ts"
        );
        assert_eq!(encode_path("a b/c#d?e%f"), "a%20b/c%23d%3Fe%25f");
        assert_eq!(
            permalink(
                "https://github.com/o/r/",
                "abc",
                "x/[id]/y.ts",
                false,
                Some((3, 5))
            ),
            "https://github.com/o/r/blob/abc/x/%5Bid%5D/y.ts#L3-L5"
        );
        assert_eq!(
            permalink("https://github.com/o/r", "abc", "x", true, None),
            "https://github.com/o/r/tree/abc/x"
        );
    }

    #[test]
    fn without_a_tree_files_and_folders_are_told_apart() {
        let entry = |path: &str, with_symbol: bool| Entry {
            key: "k".into(),
            path: path.into(),
            role: "r".into(),
            lines: None,
            symbols: if with_symbol {
                [("main".to_owned(), 3)].into()
            } else {
                Default::default()
            },
            file: "f".into(),
            area: "a".into(),
            path_span: 0..0,
            lines_span: None,
            symbol_spans: Default::default(),
        };
        assert!(!is_dir(&entry("ee/server/Dockerfile", false), None));
        assert!(!is_dir(&entry("bin/run", true), None));
        assert!(!is_dir(&entry("src/a.ts", false), None));
        assert!(is_dir(&entry("ee/runner/src", false), None));
        assert!(is_dir(&entry("app/[[...path]]", false), None));
    }
}
