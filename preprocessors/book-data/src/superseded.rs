//! The superseded list (`superseded.toml`): stale or non-canonical upstream
//! paths and patterns, each with the registry key that replaces it. The
//! preprocessor's lint rejects them on live pages; `cargo xtask upstream`
//! checks that they stay absent upstream.

use crate::registry::Registry;
use crate::source_file::SourceFile;
use alga_diagnostics::{Diagnostic, Diagnostics};
use regex::Regex;
use serde::Deserialize;
use toml::Spanned;

/// One stale or non-canonical path or pattern, and what replaces it.
#[derive(Debug)]
pub struct Superseded {
    /// What matches the stale text.
    pub pattern: Regex,
    /// The text as written in the data file (literal or regex).
    pub shown: String,
    /// The registry key of what replaces it.
    pub canonical: String,
    /// Why it is stale, shown in the error.
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
                diags.push(
                    Diagnostic::error(
                        "each superseded item needs exactly one of `literal` or `regex`",
                    )
                    .at(d, t, item.canonical.span()),
                );
                continue;
            }
        };
        let pattern = match pattern {
            Ok(p) => p,
            Err(e) => {
                diags.push(Diagnostic::error(format!("invalid regex: {e}")).at(d, t, span));
                continue;
            }
        };
        if registry.get(item.canonical.get_ref()).is_none() {
            let hint = registry
                .nearest_key(item.canonical.get_ref())
                .map(|k| format!("did you mean `{k}`?"));
            diags.push(
                Diagnostic::error(format!(
                    "unknown registry key `{}`",
                    item.canonical.get_ref()
                ))
                .at(d, t, item.canonical.span())
                .maybe_hint(hint),
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
