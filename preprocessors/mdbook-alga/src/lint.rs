//! Lints over the author's text of every live page:
//! - a superseded or stale path (prose, inline code, links, code blocks) is an error;
//! - inline code that looks like an upstream path but does not exist at the pin is an error;
//! - inline code naming a path that has a registry key is a warning (use `{{#path}}`);
//! - a link into the upstream repository at a branch or tag (not at a commit)
//!   is an error: it floats as upstream moves (use `{{#path}}`).

use alga_book_data::registry::Registry;
use alga_book_data::superseded::Superseded;
use alga_book_data::upstream::Upstream;
use alga_diagnostics::Diagnostic;
use alga_diagnostics::{Diagnostics, nearest};
use pulldown_cmark::{Event, Parser, Tag};

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

/// The lints of live pages, over the data they check against.
pub struct Linter<'a> {
    /// The registry (a registered path in inline code is a warning).
    pub registry: &'a Registry,
    /// The stale paths (each is an error).
    pub superseded: &'a [Superseded],
    /// The upstream tree (a path that does not exist is an error).
    pub upstream: Option<&'a Upstream>,
    top_dirs: Vec<String>,
    /// `https://github.com/owner/name/`, lower-cased, for floating-link checks.
    repository: String,
}

impl<'a> Linter<'a> {
    /// A linter over these data.
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
            repository: String::new(),
        }
    }

    /// Also refuse links into `repository` (its web URL) at a branch or tag.
    pub fn with_repository(mut self, repository: &str) -> Self {
        self.repository = format!("{}/", repository.trim_end_matches('/').to_ascii_lowercase());
        self
    }

    /// The ref and the path of a link into the upstream repository's files
    /// (`…/blob/<ref>/<path>`, `tree`, `raw`, `blame`), when `<ref>` is not a
    /// full commit id.
    fn floating<'u>(&self, url: &'u str) -> Option<(&'u str, &'u str)> {
        if self.repository.is_empty() {
            return None;
        }
        let rest = url
            .get(..self.repository.len())
            .filter(|head| head.eq_ignore_ascii_case(&self.repository))
            .map(|_| &url[self.repository.len()..])?;
        let (kind, rest) = rest.split_once('/')?;
        if !matches!(kind, "blob" | "tree" | "raw" | "blame") {
            return None;
        }
        let (reference, path) = rest.split_once('/').unwrap_or((rest, ""));
        let is_commit = reference.len() == 40 && reference.bytes().all(|b| b.is_ascii_hexdigit());
        (!is_commit).then_some((reference, path))
    }

    /// Lint one live chapter's source text.
    pub fn lint(&self, file: &str, text: &str, diags: &mut Diagnostics) {
        for s in self.superseded {
            for m in s.pattern.find_iter(text) {
                let canonical = self
                    .registry
                    .get(&s.canonical)
                    .map_or("", |e| e.path.as_str());
                diags.push(
                    Diagnostic::error(format!("superseded path `{}`: {}", m.as_str(), s.reason))
                        .at(file, text, m.range())
                        .hint(format!(
                            "cite the canonical file with {{{{#path {}}}}} ({canonical})",
                            s.canonical
                        )),
                );
            }
        }
        for (event, range) in
            Parser::new_ext(text, alga_book_data::scanner::cmark_options()).into_offset_iter()
        {
            if let Event::Start(Tag::Link { dest_url, .. }) = &event
                && let Some((reference, path)) = self.floating(dest_url)
            {
                let path = path
                    .split(['#', '?'])
                    .next()
                    .unwrap_or("")
                    .trim_end_matches('/');
                let hint = match self.registry.key_for_path(path) {
                    Some(key) => format!("write {{{{#path {key}}}}}: it links to the pinned commit and is checked"),
                    None => "cite the file with {{#path KEY}} (add a registry entry for it), which links to the pinned commit".into(),
                };
                let end = range.start + text[range.clone()].find('\n').unwrap_or(range.len());
                diags.push(Diagnostic::error(format!("link to the upstream repository at `{reference}`, not at a commit: it changes as upstream moves")).at(file, text, range.start..end).hint(hint));
                continue;
            }
            let Event::Code(code) = event else { continue };
            let token = clean_path_token(&code);
            if token.contains(char::is_whitespace) {
                continue;
            }
            // A bare file name (`package.json`) is too ambiguous to flag.
            if token.contains('/')
                && let Some(key) = self.registry.key_for_path(token)
            {
                diags.push(
                    Diagnostic::warning(format!(
                        "raw mention of the registered upstream path `{token}`"
                    ))
                    .at(file, text, range.clone())
                    .hint(format!(
                        "write {{{{#path {key}}}}} so it links to the pinned commit and is checked"
                    )),
                );
                continue;
            }
            let Some(up) = self.upstream else { continue };
            if self.top_dirs.iter().any(|d| token.starts_with(d.as_str())) && !up.exists(token) {
                let near = nearest(token, up.all_paths());
                diags.push(
                    Diagnostic::error(format!(
                        "`{token}` does not exist upstream at the pinned commit"
                    ))
                    .at(file, text, range)
                    .hint(match near {
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

    #[test]
    fn floating_links_are_told_from_pinned_ones() {
        let reg = Registry::default();
        let l =
            Linter::new(&reg, &[], None).with_repository("https://github.com/Nine-Minds/alga-psa");
        let sha = "432f5f5887b089e9179655e2c856fd34d0912295";
        for (url, floating) in [
            (
                "https://github.com/Nine-Minds/alga-psa/blob/main/a/b.ts",
                Some(("main", "a/b.ts")),
            ),
            (
                "https://github.com/nine-minds/alga-psa/tree/release/1.0",
                Some(("release", "1.0")),
            ),
            (
                "https://github.com/Nine-Minds/alga-psa/raw/v2/x",
                Some(("v2", "x")),
            ),
            (
                &format!("https://github.com/Nine-Minds/alga-psa/blob/{sha}/a.ts"),
                None,
            ),
            ("https://github.com/Nine-Minds/alga-psa/issues/12", None),
            (
                "https://github.com/Nine-Minds/alga-psa-docs/blob/main/a",
                None,
            ),
            ("https://github.com/Nine-Minds/alga-psa", None),
        ] {
            assert_eq!(l.floating(url), floating, "{url}");
        }
    }
}
