//! What exists upstream at the pinned commit: a listing file (one path per
//! line) or a local checkout of alga-psa read with `git`.

use foldhash::{HashMap, HashSet};
use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The upstream repository at the pin: its file listing, and file contents when a checkout is at hand.
#[derive(Debug, Default)]
pub struct Upstream {
    files: HashSet<String>,
    dirs: HashSet<String>,
    /// Where the tree came from, for messages.
    pub source: String,
    checkout: Option<PathBuf>,
    commit: String,
    texts: RefCell<HashMap<String, Option<String>>>,
}

impl Upstream {
    fn from_paths(paths: impl IntoIterator<Item = String>, source: String) -> Upstream {
        let mut up = Upstream {
            source,
            ..Upstream::default()
        };
        for p in paths {
            let p = p.trim().trim_end_matches('/').to_owned();
            if p.is_empty() {
                continue;
            }
            let mut prefix = p.as_str();
            while let Some(i) = prefix.rfind('/') {
                prefix = &prefix[..i];
                if !up.dirs.insert(prefix.to_owned()) {
                    break;
                }
            }
            up.files.insert(p);
        }
        up
    }

    /// Read a listing file of one path per line.
    pub fn from_listing(path: &Path) -> std::io::Result<Upstream> {
        let text = std::fs::read_to_string(path)?;
        Ok(Self::from_paths(
            text.lines().map(str::to_owned),
            path.display().to_string(),
        ))
    }

    /// List the tree of `checkout` at `commit` with `git ls-tree`.
    pub fn from_checkout(checkout: &Path, commit: &str) -> Result<Upstream, String> {
        let out = Command::new("git")
            .arg("-C")
            .arg(checkout)
            .args(["ls-tree", "-r", "--name-only", "-z", commit])
            .output()
            .map_err(|e| format!("cannot run git: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "`git ls-tree {commit}` failed in {}: {}",
                checkout.display(),
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        let listing = String::from_utf8_lossy(&out.stdout);
        let mut up = Self::from_paths(
            listing.split('\0').map(str::to_owned),
            format!("{} at {commit}", checkout.display()),
        );
        up.checkout = Some(checkout.to_path_buf());
        up.commit = commit.to_owned();
        Ok(up)
    }

    /// Whether `path` is a file at the pin.
    pub fn is_file(&self, path: &str) -> bool {
        self.files.contains(path)
    }

    /// Whether `path` is a folder at the pin.
    pub fn is_dir(&self, path: &str) -> bool {
        self.dirs.contains(path)
    }

    /// Whether `path` is a file or a folder at the pin.
    pub fn exists(&self, path: &str) -> bool {
        self.is_file(path) || self.is_dir(path)
    }

    /// The first segments of every path (top-level folders).
    pub fn top_level_dirs(&self) -> HashSet<&str> {
        self.dirs
            .iter()
            .filter(|d| !d.contains('/'))
            .map(String::as_str)
            .collect()
    }

    /// Whether file contents can be read (a checkout, not only a listing).
    pub fn has_checkout(&self) -> bool {
        self.checkout.is_some()
    }

    /// The file's text at the pin (only with a checkout).
    pub fn text(&self, path: &str) -> Option<String> {
        let checkout = self.checkout.as_ref()?;
        if let Some(t) = self.texts.borrow().get(path) {
            return t.clone();
        }
        let out = Command::new("git")
            .arg("-C")
            .arg(checkout)
            .args(["show", &format!("{}:{path}", self.commit)])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned());
        self.texts.borrow_mut().insert(path.to_owned(), out.clone());
        out
    }

    /// All paths (files and folders), for nearest-path hints.
    pub fn all_paths(&self) -> impl Iterator<Item = &str> {
        self.files
            .iter()
            .chain(self.dirs.iter())
            .map(String::as_str)
    }
}

/// Where `symbol` is defined in `text`, preferring definitions over uses.
pub fn find_symbol(text: &str, symbol: &str) -> Option<u32> {
    let word = regex::Regex::new(&format!(
        r"(^|[^A-Za-z0-9_$]){}([^A-Za-z0-9_$]|$)",
        regex::escape(symbol)
    ))
    .ok()?;
    let def = regex::Regex::new(&format!(
        r"\b(function\*?|const|let|var|class|interface|type|enum|fn|struct|trait|impl|mod|static|interface|record|variant|world|resource|def|export)\s+(async\s+)?{}\b",
        regex::escape(symbol)
    ))
    .ok()?;
    let mut first_use = None;
    for (i, line) in text.lines().enumerate() {
        if def.is_match(line) {
            return Some(i as u32 + 1);
        }
        if first_use.is_none() && word.is_match(line) {
            first_use = Some(i as u32 + 1);
        }
    }
    first_use
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listing_knows_files_and_folders() {
        let up = Upstream::from_paths(["a/b/c.ts".to_owned(), "a/d.ts".to_owned()], "t".into());
        assert!(up.is_file("a/b/c.ts"));
        assert!(up.is_dir("a/b"));
        assert!(up.is_dir("a"));
        assert!(!up.exists("a/b/x.ts"));
        assert_eq!(up.top_level_dirs().into_iter().collect::<Vec<_>>(), ["a"]);
    }

    #[test]
    fn symbols_prefer_definitions() {
        let text = "import { assertAccess } from 'x';\n\nexport async function assertAccess() {}\n";
        assert_eq!(find_symbol(text, "assertAccess"), Some(3));
        assert_eq!(find_symbol("let y = foo(1)\n", "foo"), Some(1));
        assert_eq!(find_symbol("nothing", "foo"), None);
    }
}
