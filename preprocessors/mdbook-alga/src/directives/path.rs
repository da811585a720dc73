//! `{{#path KEY}}`: a reference to an upstream file, rendered as a permalink
//! at the pinned commit.
//!
//! Forms: `KEY`, `KEY#symbol`, `KEY:LINE`, `KEY:START-END`, each with an
//! optional quoted label as the last argument.

use super::Site;
use crate::env::Env;
use crate::permalink::{is_dir, permalink};
use alga_book_data::registry::Registry;
use alga_book_data::upstream::Upstream;
use alga_diagnostics::{Diagnostic, Diagnostics};
use std::ops::Range;

/// What part of the file a reference points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Anchor {
    /// The whole file or folder.
    None,
    /// The line of a symbol the registry records.
    Symbol(String),
    /// A line or a line range.
    Lines(u32, u32),
}

/// A parsed `{{#path}}` directive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathRef {
    /// The registry key.
    pub key: String,
    /// The range of the key (with its anchor) in the page.
    pub key_range: Range<usize>,
    /// What it points at in the file.
    pub anchor: Anchor,
    /// The link text, when the author gave one.
    pub label: Option<String>,
}

/// The entry point: `{{#path ...}}` as a Markdown link.
pub(super) fn expand(env: &Env, site: &Site<'_>, diags: &mut Diagnostics) -> Option<String> {
    let rendered = parse(site).and_then(|r| {
        render(
            &r,
            site,
            &env.registry,
            env.upstream.as_ref(),
            &env.cfg.upstream.repository,
            &env.cfg.upstream.commit,
        )
    });
    match rendered {
        Ok(md) => Some(md),
        Err(e) => {
            diags.push(e);
            None
        }
    }
}

/// Parse the arguments of a `path` directive.
pub fn parse(site: &Site<'_>) -> Result<PathRef, Diagnostic> {
    let words = &site.args;
    let end = site.args_range.end;
    let (target, target_range) = match words.first() {
        Some(w) if !w.quoted => (w.text.clone(), w.range.clone()),
        _ => {
            return Err(site
                .error_at_args("`path` needs a registry key")
                .hint("write {{#path KEY}}, {{#path KEY#symbol}} or {{#path KEY:LINE}}"));
        }
    };
    let label = match words.get(1) {
        None => None,
        Some(w) if w.quoted && words.len() == 2 => {
            if w.text.trim().is_empty() {
                return Err(site.error(w.range.clone(), "the label is empty"));
            }
            Some(w.text.clone())
        }
        Some(w) => {
            // After a quoted label, the unexpected argument is the next one.
            let bad = match words.get(2) {
                Some(w2) if w.quoted => w2.range.start,
                _ => w.range.start,
            };
            return Err(site
                .error(bad..end, "unexpected argument after the key")
                .hint("a label must be one double-quoted argument: {{#path KEY \"label\"}}"));
        }
    };
    let (key, anchor) = if let Some((k, sym)) = target.split_once('#') {
        if sym.is_empty() {
            return Err(site.error(target_range, "empty symbol after `#`"));
        }
        (k.to_owned(), Anchor::Symbol(sym.to_owned()))
    } else if let Some((k, lines)) = target.split_once(':') {
        let bad = || {
            site.error(
                target_range.clone(),
                format!("`{lines}` is not a line or a line range"),
            )
            .hint("write KEY:215 or KEY:215-230")
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
    Ok(PathRef {
        key,
        key_range: target_range,
        anchor,
        label,
    })
}

fn escape_title(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// Resolve and render a reference as Markdown.
pub fn render(
    r: &PathRef,
    site: &Site<'_>,
    registry: &Registry,
    upstream: Option<&Upstream>,
    repository: &str,
    commit: &str,
) -> Result<String, Diagnostic> {
    let key_range = r.key_range.clone();
    let Some(entry) = registry.get(&r.key) else {
        let hint = registry
            .nearest_key(&r.key)
            .map(|k| {
                format!(
                    "did you mean `{k}`? ({})",
                    registry.get(k).map_or("", |e| e.path.as_str())
                )
            })
            .or_else(|| Some("add an entry to the registry in data/paths/".into()));
        return Err(site
            .error(key_range, format!("unknown path key `{}`", r.key))
            .maybe_hint(hint));
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
                return Err(site
                    .error(key_range, format!("unknown symbol `{s}` in `{}`", r.key))
                    .hint(hint));
            }
        },
        Anchor::Lines(a, b) => {
            if dir {
                return Err(site.error(
                    key_range,
                    format!("`{}` is a folder; a line anchor needs a file", r.key),
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
                return Err(site.error(
                    key_range,
                    format!(
                        "line {b} is out of range: `{}` has {len} lines at the pin",
                        entry.path
                    ),
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
    use alga_book_data::scanner::scan;

    fn parse(args: &str) -> Result<PathRef, Diagnostic> {
        let text = format!("{{{{#path {args}}}}}");
        let d = &scan(&text).directives[0];
        let site = Site::new("p.md", &text, d)?;
        super::parse(&site)
    }

    #[test]
    fn parses_every_form() {
        assert_eq!(
            parse("a.b").unwrap(),
            PathRef {
                key: "a.b".into(),
                key_range: 8..11,
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
}
