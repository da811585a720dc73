//! Documentation coverage of the upstream surface.
//!
//! `cargo xtask coverage` extracts, from a checkout at the pin, the surface a
//! reader of this book can meet (environment variables, routes, error codes,
//! WIT items, CLI commands and flags, capabilities, manifest fields, Helm
//! values) into `surface.toml`: names and `path:line` evidence, no code. The
//! build checks every item offline: it must be documented where a reader
//! looks for it (the pages `surfaces.toml` names for its surface) or be
//! listed in `exclusions.toml` with a reason. `{{#coverage}}` renders the
//! figures and the exclusions.

use crate::source_file::SourceFile;
use alga_diagnostics::Diagnostic;
use alga_diagnostics::Diagnostics;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use toml::Spanned;

/// One surface: where its items are documented, and how a mention counts.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SurfaceSpec {
    /// The id items name in their `surface` field.
    pub id: String,
    /// The title the coverage page shows.
    pub title: String,
    /// Book files (pages or data tables) where a reader looks for its items.
    pub pages: Vec<String>,
    /// `word`: the item's key appears as a whole word; `route`: the route's
    /// path appears with its method on the same line.
    #[serde(default = "word")]
    pub rule: String,
}

fn word() -> String {
    "word".into()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SurfacesFile {
    surface: Vec<SurfaceSpec>,
}

/// One extracted item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    /// The id of the surface it belongs to.
    pub surface: String,
    /// Its name upstream (an environment variable, a route, a WIT function, …).
    pub name: String,
    /// What a page must mention (for routes: `METHOD path`).
    pub key: String,
    /// Where upstream it comes from: `path:line`, a few at most.
    pub evidence: Vec<String>,
}

/// The extraction, as committed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Extraction {
    /// The upstream commit it was extracted at.
    pub commit: String,
    /// Every item, in extraction order.
    #[serde(default)]
    pub item: Vec<Item>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExtraction {
    commit: String,
    #[serde(default)]
    item: Vec<Spanned<Item>>,
}

/// A deliberate exclusion.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exclusion {
    /// The id of the surface of the excluded item.
    pub surface: String,
    /// The excluded item's name.
    pub name: String,
    /// `internal`, `test-only` or `dead`.
    pub reason: String,
    /// Why, in a sentence, with the evidence.
    pub why: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExclusionsFile {
    #[serde(default)]
    exclude: Vec<Spanned<Exclusion>>,
}

/// The reasons an exclusion may give.
pub const REASONS: &[&str] = &["internal", "test-only", "dead"];

/// Everything the coverage check and page need.
#[derive(Debug, Default)]
pub struct Coverage {
    /// The surfaces, as `surfaces.toml` lists them.
    pub surfaces: Vec<SurfaceSpec>,
    /// The extracted items, each with its span in `surface.toml`.
    pub items: Vec<(Item, std::ops::Range<usize>)>,
    /// The exclusions, each with its span in `exclusions.toml`.
    pub exclusions: Vec<(Exclusion, std::ops::Range<usize>)>,
    /// The commit of the extraction.
    pub commit: String,
    /// `surface.toml` as read, for located diagnostics.
    pub surface_file: Option<SourceFile>,
    /// `exclusions.toml` as read, for located diagnostics.
    pub exclusions_file: Option<SourceFile>,
    /// Per item index: documented in one of its pages.
    pub documented: Vec<bool>,
}

impl Coverage {
    /// Load `surfaces.toml`, `surface.toml` and `exclusions.toml` from `dir`.
    pub fn load(root: &Path, dir: &Path, diags: &mut Diagnostics) -> Option<Coverage> {
        let read =
            |name: &str, diags: &mut Diagnostics| match SourceFile::read(root, &dir.join(name)) {
                Ok(f) => Some(f),
                Err(e) => {
                    diags.push(
                        Diagnostic::error(format!("cannot read the coverage data: {e}"))
                            .in_file(&crate::source_file::display_path(&dir.join(name)))
                            .hint("write it with `ALGA_PSA_CHECKOUT=<clone> cargo xtask coverage`"),
                    );
                    None
                }
            };
        let specs = read("surfaces.toml", diags)?;
        let surface = read("surface.toml", diags)?;
        let excl = read("exclusions.toml", diags)?;
        let specs_v: SurfacesFile = specs.parse_toml(diags)?;
        let raw: RawExtraction = surface.parse_toml(diags)?;
        let ex: ExclusionsFile = excl.parse_toml(diags)?;
        let ids: BTreeSet<&str> = specs_v.surface.iter().map(|s| s.id.as_str()).collect();
        let items: Vec<(Item, std::ops::Range<usize>)> = raw
            .item
            .into_iter()
            .map(|s| {
                let span = s.span();
                (s.into_inner(), span)
            })
            .collect();
        let known: BTreeSet<(&str, &str)> = items
            .iter()
            .map(|(i, _)| (i.surface.as_str(), i.name.as_str()))
            .collect();
        let mut exclusions = Vec::new();
        for e in ex.exclude {
            let span = e.span();
            let e = e.into_inner();
            if !ids.contains(e.surface.as_str()) {
                diags.push(
                    Diagnostic::error(format!("unknown surface `{}`", e.surface))
                        .at(&excl.display, &excl.text, span.clone())
                        .hint(format!(
                            "one of: {}",
                            ids.iter().copied().collect::<Vec<_>>().join(", ")
                        )),
                );
            } else if !REASONS.contains(&e.reason.as_str()) {
                diags.push(
                    Diagnostic::error(format!("unknown reason `{}`", e.reason))
                        .at(&excl.display, &excl.text, span.clone())
                        .hint(format!("one of: {}", REASONS.join(", "))),
                );
            } else if e.why.trim().is_empty() {
                diags.push(
                    Diagnostic::error(format!("the exclusion of `{}` gives no `why`", e.name))
                        .at(&excl.display, &excl.text, span.clone())
                        .hint("say in a sentence why a reader never meets it, with the evidence"),
                );
            } else if !known.contains(&(e.surface.as_str(), e.name.as_str())) {
                diags.push(
                    Diagnostic::warning(format!(
                        "`{}` is excluded but not in the extraction",
                        e.name
                    ))
                    .at(&excl.display, &excl.text, span.clone())
                    .hint("upstream no longer has it: drop the exclusion"),
                );
            }
            exclusions.push((e, span));
        }
        Some(Coverage {
            surfaces: specs_v.surface,
            items,
            exclusions,
            commit: raw.commit,
            surface_file: Some(surface),
            exclusions_file: Some(excl),
            documented: Vec::new(),
        })
    }

    /// Whether an exclusion names `item`.
    pub fn excluded(&self, item: &Item) -> bool {
        self.exclusions
            .iter()
            .any(|(e, _)| e.surface == item.surface && e.name == item.name)
    }

    /// Check every item against the book's files (`texts`: display path →
    /// text); an item neither documented nor excluded is an error at its
    /// line of `surface.toml`.
    pub fn check(&mut self, texts: &BTreeMap<String, &str>, commit: &str, diags: &mut Diagnostics) {
        let Some(file) = self.surface_file.clone() else {
            return;
        };
        if self.commit != commit {
            diags.push(
                Diagnostic::error(format!(
                    "the coverage extraction is of `{}`, but the pin is `{commit}`",
                    self.commit
                ))
                .in_file(&file.display)
                .hint("run `ALGA_PSA_CHECKOUT=<clone> cargo xtask coverage`"),
            );
            return;
        }
        let specs: BTreeMap<&str, &SurfaceSpec> =
            self.surfaces.iter().map(|s| (s.id.as_str(), s)).collect();
        let mut documented = Vec::with_capacity(self.items.len());
        for (item, span) in &self.items {
            let Some(spec) = specs.get(item.surface.as_str()) else {
                diags.push(
                    Diagnostic::error(format!("unknown surface `{}`", item.surface)).at(
                        &file.display,
                        &file.text,
                        span.clone(),
                    ),
                );
                documented.push(false);
                continue;
            };
            let found = spec
                .pages
                .iter()
                .any(|p| texts.get(p).is_some_and(|t| mentions(spec, &item.key, t)));
            documented.push(found);
            if !found && !self.excluded(item) {
                diags.push(
                    Diagnostic::error(format!(
                        "{} `{}` ({}) is not documented",
                        spec.title.to_lowercase(),
                        item.name,
                        item.evidence.first().map_or("", String::as_str)
                    ))
                    .at(&file.display, &file.text, span.clone())
                    .hint(format!(
                        "document it in {}, or exclude it in {} with a reason",
                        spec.pages.join(" or "),
                        self.exclusions_file
                            .as_ref()
                            .map_or("exclusions.toml", |f| f.display.as_str())
                    )),
                );
            }
        }
        self.documented = documented;
    }
}

/// Whether `text` documents `key` under the surface's rule.
pub fn mentions(spec: &SurfaceSpec, key: &str, text: &str) -> bool {
    if spec.rule == "route" {
        let Some((method, path)) = key.split_once(' ') else {
            return false;
        };
        let want = normalize_route(path);
        let names = |line: &str| route_paths(line).iter().any(|p| normalize_route(p) == want);
        // The path with its method on one line, or a heading that names the
        // path over a section that names the method.
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            if !names(line) {
                continue;
            }
            if has_word(line, method) {
                return true;
            }
            let level = line.bytes().take_while(|&b| b == b'#').count();
            if level > 0 && line.as_bytes().get(level) == Some(&b' ') {
                let section = lines[i + 1..].iter().take_while(|l| {
                    let l2 = l.bytes().take_while(|&b| b == b'#').count();
                    l2 == 0 || l2 > level || l.as_bytes().get(l2) != Some(&b' ')
                });
                if section.into_iter().any(|l| has_word(l, method)) {
                    return true;
                }
            }
        }
        return false;
    }
    has_word(text, key)
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// `needle` occurs in `hay` with no word character (or `-` for
/// hyphenated names) right before or after it.
pub fn has_word(hay: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return false;
    }
    let bytes = hay.as_bytes();
    let hyphen = needle.contains('-') || needle.starts_with('-');
    let boundary = |b: u8| !(is_word_byte(b) || (hyphen && b == b'-'));
    let mut from = 0;
    while let Some(i) = hay[from..].find(needle) {
        let at = from + i;
        let end = at + needle.len();
        let before = at == 0 || boundary(bytes[at - 1]);
        let after = end >= bytes.len() || boundary(bytes[end]);
        if before && after {
            return true;
        }
        from = at + 1;
        while !hay.is_char_boundary(from) {
            from += 1;
        }
    }
    false
}

/// Route-looking tokens of a line: anything from a `/` up to white space,
/// a backtick, a pipe or a closing bracket of Markdown.
fn route_paths(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'/'
            && (i == 0 || matches!(bytes[i - 1], b' ' | b'`' | b'(' | b'|' | b'"' | b'\''))
        {
            let start = i;
            while i < bytes.len()
                && !matches!(
                    bytes[i],
                    b' ' | b'`' | b'|' | b')' | b'"' | b'\'' | b',' | b'?'
                )
            {
                i += 1;
            }
            out.push(&line[start..i]);
        } else {
            i += 1;
        }
    }
    out
}

/// A route path with every parameter segment (`[id]`, `{id}`, `<id>`,
/// `:id`) as `*`, catch-alls (`[...path]`, `[[...path]]`, `*`, `…`, `...`)
/// dropped, and no trailing `/`.
pub fn normalize_route(path: &str) -> String {
    let mut out = Vec::new();
    for seg in path.trim_end_matches(['.', ':']).split('/') {
        if seg.is_empty() {
            continue;
        }
        let catch_all = seg.contains("...") || seg.starts_with('*') || seg == "…";
        if catch_all {
            continue;
        }
        let param = (seg.starts_with('[') && seg.ends_with(']'))
            || (seg.starts_with('{') && seg.ends_with('}'))
            || (seg.starts_with('<') && seg.ends_with('>'))
            || seg.starts_with(':');
        out.push(if param { "*" } else { seg });
    }
    format!("/{}", out.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_normalize_across_spellings() {
        let a = normalize_route("/api/ext/[extensionId]/[[...path]]");
        assert_eq!(a, "/api/ext/*");
        assert_eq!(normalize_route("/api/ext/{extensionId}/…"), a);
        assert_eq!(normalize_route("/api/ext/<id>/"), a);
        assert_eq!(normalize_route("/api/ext/:id/*"), a);
        assert_ne!(normalize_route("/api/ext-proxy/{id}"), a);
    }

    #[test]
    fn a_route_needs_its_method_on_the_line() {
        let spec = SurfaceSpec {
            id: "route".into(),
            title: "Routes".into(),
            pages: vec![],
            rule: "route".into(),
        };
        let key = "POST /api/installs/validate";
        assert!(mentions(
            &spec,
            key,
            "| `POST /api/installs/validate` | checks |\n"
        ));
        assert!(mentions(&spec, key, "`POST` `/api/installs/validate`\n"));
        assert!(!mentions(
            &spec,
            key,
            "`GET /api/installs/validate`\nPOST elsewhere\n"
        ));
        assert!(!mentions(&spec, key, "POST /api/installs/validated\n"));
        let section = "## `/api/installs/validate` {#v}\n\nText.\n\n### Body\n\nSend a `POST`.\n\n## Next\n\nDELETE\n";
        assert!(mentions(&spec, key, section));
        assert!(!mentions(&spec, "DELETE /api/installs/validate", section));
        assert_eq!(
            normalize_route("/ext-ui/:extensionId/:contentHash/*path"),
            "/ext-ui/*/*"
        );
    }

    #[test]
    fn words_respect_boundaries() {
        assert!(has_word("set `EXT_DOMAIN_ROOT` to", "EXT_DOMAIN_ROOT"));
        assert!(!has_word("EXT_DOMAIN_ROOTS", "EXT_DOMAIN_ROOT"));
        assert!(!has_word("MY_EXT_DOMAIN_ROOT", "EXT_DOMAIN_ROOT"));
        assert!(has_word("use `--dir <path>`", "--dir"));
        assert!(!has_word("use `--directory`", "--dir"));
        assert!(has_word("`get-context`", "get-context"));
        assert!(!has_word("`get-context-v2`", "get-context"));
    }
}
