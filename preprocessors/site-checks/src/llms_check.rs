//! Site check: the book for assistants was written beside the HTML, lists
//! every live page, and links only absolutely.

use anyhow::{Result, bail};
use regex::Regex;
use std::path::Path;

/// Problems with `llms.txt` and `llms-full.md` in `html` against `summary`.
pub fn check(html: &Path, summary: &str, base: &str) -> Result<Vec<String>> {
    let (Ok(index), Ok(full)) = (
        std::fs::read_to_string(html.join("llms.txt")),
        std::fs::read_to_string(html.join("llms-full.md")),
    ) else {
        bail!("no llms.txt or llms-full.md in {}", html.display());
    };
    let mut problems = Vec::new();
    let chapter = Regex::new(r"\]\(([^)]+\.md)\)").unwrap();
    for c in chapter.captures_iter(summary) {
        let md = &c[1];
        let page = match md.strip_suffix("README.md") {
            Some(dir) => format!("{dir}index.html"),
            None => md.replace(".md", ".html"),
        };
        let url = format!("{base}{page}");
        if !index.contains(&format!("]({url})")) {
            problems.push(format!("llms.txt does not list `{url}`"));
        }
        if !full.contains(&format!("<!-- {url} -->")) {
            problems.push(format!("llms-full.md does not hold `{url}`"));
        }
    }
    let link = Regex::new(r"\]\(([^)\s]*)").unwrap();
    let code = Regex::new(r"`[^`]*`").unwrap();
    let mut fenced = false;
    for (i, line) in full.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        let prose = code.replace_all(line, "");
        for l in link.captures_iter(&prose) {
            let dest = &l[1];
            if !(dest.starts_with("https://")
                || dest.starts_with("http://")
                || dest.starts_with("mailto:"))
            {
                problems.push(format!(
                    "llms-full.md:{}: link `{dest}` is not absolute",
                    i + 1
                ));
            }
        }
        if prose.contains("{{#") && !prose.contains("\\{{#") {
            problems.push(format!(
                "llms-full.md:{}: a directive was not expanded",
                i + 1
            ));
        }
    }
    Ok(problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_missing_pages_relative_links_and_directives() {
        let dir = tempfile::tempdir().unwrap();
        let base = "https://x.org/b/";
        std::fs::write(
            dir.path().join("llms.txt"),
            "- [Intro](https://x.org/b/index.html): hi\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("llms-full.md"),
            "<!-- https://x.org/b/index.html -->\n[a](../a.md) `[b](b.md)`\n```\n[c](c.md)\n```\n{{#path k}}\n",
        )
        .unwrap();
        let p = check(dir.path(), "[Intro](README.md)\n- [G](guides/g.md)\n", base).unwrap();
        assert_eq!(
            p,
            [
                "llms.txt does not list `https://x.org/b/guides/g.html`",
                "llms-full.md does not hold `https://x.org/b/guides/g.html`",
                "llms-full.md:2: link `../a.md` is not absolute",
                "llms-full.md:6: a directive was not expanded",
            ]
        );
    }
}
