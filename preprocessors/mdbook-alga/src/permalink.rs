//! Permalinks into the upstream repository at the pinned commit, shared by
//! `{{#path}}` and the source map.

use alga_book_data::registry::Entry;
use alga_book_data::upstream::Upstream;

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

#[cfg(test)]
mod tests {
    use super::*;

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
