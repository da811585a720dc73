//! Lints over the author's text of every live page:
//! - a superseded or stale path (prose, inline code, links, code blocks) is an error;
//! - inline code that looks like an upstream path but does not exist at the pin is an error;
//! - inline code naming a path that has a registry key is a warning (use `{{#path}}`).

use crate::diagnostics::{Diagnostics, nearest};
use crate::registry::Registry;
use crate::source_file::SourceFile;
use crate::upstream::Upstream;
use pulldown_cmark::{Event, Parser};
use regex::Regex;
use serde::Deserialize;
use toml::Spanned;

/// One stale or non-canonical path or pattern, and what replaces it.
#[derive(Debug)]
pub struct Superseded {
    pub pattern: Regex,
    /// The text as written in the data file (literal or regex).
    pub shown: String,
    pub canonical: String,
    pub reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawList {
    #[serde(default)]
    superseded: Vec<RawItem>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    literal: Option<Spanned<String>>,
    regex: Option<Spanned<String>>,
    canonical: Spanned<String>,
    reason: String,
}

/// Load the superseded list; every `canonical` must be a registry key.
pub fn load_superseded(
    file: &SourceFile,
    registry: &Registry,
    diags: &mut Diagnostics,
) -> Vec<Superseded> {
    let Some(raw) = file.parse_toml::<RawList>(diags) else {
        return Vec::new();
    };
    let (d, t) = (&file.display, &file.text);
    let mut out = Vec::new();
    for item in raw.superseded {
        let (pattern, shown, span) = match (&item.literal, &item.regex) {
            (Some(l), None) => (
                Regex::new(&regex::escape(l.get_ref())),
                l.get_ref().clone(),
                l.span(),
            ),
            (None, Some(r)) => (Regex::new(r.get_ref()), r.get_ref().clone(), r.span()),
            _ => {
                diags.error(
                    d,
                    t,
                    item.canonical.span(),
                    "each superseded item needs exactly one of `literal` or `regex`",
                    None,
                );
                continue;
            }
        };
        let pattern = match pattern {
            Ok(p) => p,
            Err(e) => {
                diags.error(d, t, span, format!("invalid regex: {e}"), None);
                continue;
            }
        };
        if registry.get(item.canonical.get_ref()).is_none() {
            let hint = registry
                .nearest_key(item.canonical.get_ref())
                .map(|k| format!("did you mean `{k}`?"));
            diags.error(
                d,
                t,
                item.canonical.span(),
                format!("unknown registry key `{}`", item.canonical.get_ref()),
                hint,
            );
            continue;
        }
        out.push(Superseded {
            pattern,
            shown,
            canonical: item.canonical.into_inner(),
            reason: item.reason,
        });
    }
    out
}

/// Strip what commonly trails a path in prose: `:123`, `#L12`, `/`, punctuation.
fn clean_path_token(code: &str) -> &str {
    let mut s = code.trim();
    if let Some(i) = s.find('#') {
        s = &s[..i];
    }
    if let Some(i) = s.rfind(':')
        && s[i + 1..].chars().all(|c| c.is_ascii_digit() || c == '-')
    {
        s = &s[..i];
    }
    s.trim_end_matches('/')
}

pub struct Linter<'a> {
    pub registry: &'a Registry,
    pub superseded: &'a [Superseded],
    pub upstream: Option<&'a Upstream>,
    top_dirs: Vec<String>,
}

impl<'a> Linter<'a> {
    pub fn new(
        registry: &'a Registry,
        superseded: &'a [Superseded],
        upstream: Option<&'a Upstream>,
    ) -> Self {
        let mut top_dirs: Vec<String> = upstream
            .map(|u| {
                u.top_level_dirs()
                    .into_iter()
                    .map(|d| format!("{d}/"))
                    .collect()
            })
            .unwrap_or_default();
        top_dirs.sort();
        Linter {
            registry,
            superseded,
            upstream,
            top_dirs,
        }
    }

    /// Lint one live chapter's source text.
    pub fn lint(&self, file: &str, text: &str, diags: &mut Diagnostics) {
        for s in self.superseded {
            for m in s.pattern.find_iter(text) {
                let canonical = self
                    .registry
                    .get(&s.canonical)
                    .map_or("", |e| e.path.as_str());
                diags.error(
                    file,
                    text,
                    m.range(),
                    format!("superseded path `{}`: {}", m.as_str(), s.reason),
                    Some(format!(
                        "cite the canonical file with {{{{#path {}}}}} ({canonical})",
                        s.canonical
                    )),
                );
            }
        }
        for (event, range) in
            Parser::new_ext(text, crate::scanner::cmark_options()).into_offset_iter()
        {
            let Event::Code(code) = event else { continue };
            let token = clean_path_token(&code);
            if token.contains(char::is_whitespace) {
                continue;
            }
            // A bare file name (`package.json`) is too ambiguous to flag.
            if token.contains('/')
                && let Some(key) = self.registry.key_for_path(token)
            {
                diags.warning(
                    file,
                    text,
                    range.clone(),
                    format!("raw mention of the registered upstream path `{token}`"),
                    Some(format!(
                        "write {{{{#path {key}}}}} so it links to the pinned commit and is checked"
                    )),
                );
                continue;
            }
            let Some(up) = self.upstream else { continue };
            if self.top_dirs.iter().any(|d| token.starts_with(d.as_str())) && !up.exists(token) {
                let near = nearest(token, up.all_paths());
                diags.error(
                    file,
                    text,
                    range,
                    format!("`{token}` does not exist upstream at the pinned commit"),
                    Some(match near {
                        Some(n) => format!("did you mean `{n}`?"),
                        None => "check the path in the upstream tree".into(),
                    }),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_lose_line_suffixes() {
        assert_eq!(clean_path_token("a/b.ts:12"), "a/b.ts");
        assert_eq!(clean_path_token("a/b.ts:12-14"), "a/b.ts");
        assert_eq!(clean_path_token("a/b.rs#L3"), "a/b.rs");
        assert_eq!(clean_path_token("a/b/"), "a/b");
        assert_eq!(clean_path_token("cap:ui.proxy"), "cap:ui.proxy");
    }
}
