//! Retired documents live in `archive/` (outside `src/`) and are mounted into
//! the book under an "Archive" part, each page with a banner naming its
//! retirement date and successor, from `archive/archive.toml`.

use alga_book_data::source_file::SourceFile;
use alga_diagnostics::Diagnostic;
use alga_diagnostics::Diagnostics;
use serde::Deserialize;
use std::path::Path;
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawArchive {
    retired: Option<String>,
    #[serde(default)]
    page: Vec<RawPage>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPage {
    file: Spanned<String>,
    title: String,
    original: Option<String>,
    successor: Option<Spanned<String>>,
    retired: Option<String>,
    parent: Option<Spanned<String>>,
}

/// One archived page, ready to mount.
#[derive(Debug, Clone)]
pub struct ArchivedPage {
    /// Path within the book: `archive/<file>`.
    pub book_path: String,
    /// File as the author knows it: `archive/<file>`.
    pub display: String,
    /// The title in the book's table of contents.
    pub title: String,
    /// The book path of the page it is listed under, if any.
    pub parent: Option<String>,
    /// The page text as written.
    pub text: String,
    /// Markdown inserted before the text (the banner), if any.
    pub banner: String,
}

/// Load the archive index and its pages. `titles` maps a live chapter's path
/// (`guides/storage.md`) to its name, which the banner uses as link text.
pub fn load(
    root: &Path,
    dir: &Path,
    titles: &std::collections::HashMap<String, String>,
    diags: &mut Diagnostics,
) -> Vec<ArchivedPage> {
    let meta_path = dir.join("archive.toml");
    let meta = match SourceFile::read(root, &meta_path) {
        Ok(m) => m,
        Err(e) => {
            diags.push(
                Diagnostic::error(format!("cannot read the archive index: {e}"))
                    .in_file(&alga_book_data::source_file::display_path(&meta_path)),
            );
            return Vec::new();
        }
    };
    let Some(raw) = meta.parse_toml::<RawArchive>(diags) else {
        return Vec::new();
    };
    let files: Vec<String> = raw.page.iter().map(|p| p.file.get_ref().clone()).collect();
    let mut out = Vec::new();
    for p in raw.page {
        let file = p.file.get_ref().clone();
        if file.split('/').any(|s| s == ".." || s.is_empty()) || !file.ends_with(".md") {
            diags.push(
                Diagnostic::error(format!(
                    "archive page `{file}` must be a `.md` path inside the archive folder"
                ))
                .at(&meta.display, &meta.text, p.file.span()),
            );
            continue;
        }
        let page_path = dir.join(&file);
        let page = match SourceFile::read(root, &page_path) {
            Ok(t) => t,
            Err(e) => {
                diags.push(
                    Diagnostic::error(format!("cannot read archive page `{file}`: {e}")).at(
                        &meta.display,
                        &meta.text,
                        p.file.span(),
                    ),
                );
                continue;
            }
        };
        if let Some(parent) = &p.parent
            && !files.contains(parent.get_ref())
        {
            diags.push(
                Diagnostic::error(format!(
                    "parent `{}` is not an archive page",
                    parent.get_ref()
                ))
                .at(&meta.display, &meta.text, parent.span()),
            );
        }
        let depth = file.matches('/').count() + 1; // archive/<...>
        let up = "../".repeat(depth);
        let banner = match (&p.successor, p.original.as_deref()) {
            (Some(succ), original) => {
                let retired = p
                    .retired
                    .as_deref()
                    .or(raw.retired.as_deref())
                    .unwrap_or("an earlier date");
                let original = original
                    .map(|o| format!(" It was `{o}` upstream."))
                    .unwrap_or_default();
                let page = succ.get_ref().split('#').next().unwrap_or("");
                let text = titles
                    .get(page)
                    .map(|t| alga_schema_table::cell(t))
                    .unwrap_or_else(|| format!("`{page}`"));
                format!(
                    "<div class=\"archive-banner\">\n\n> [!WARNING]\n> **Archived on {retired}; not maintained.** This page records a retired document and why it was retired.{original}\n> The current page is [{text}]({up}{}).\n\n</div>\n\n",
                    succ.get_ref()
                )
            }
            (None, _) => String::new(),
        };
        out.push(ArchivedPage {
            book_path: format!("archive/{file}"),
            display: alga_book_data::source_file::display_path(&page_path),
            title: p.title,
            parent: p.parent.map(|x| format!("archive/{}", x.into_inner())),
            text: page.text,
            banner,
        });
    }
    out
}
