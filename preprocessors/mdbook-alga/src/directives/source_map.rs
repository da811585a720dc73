//! `{{#source-map}}`: every registry entry, grouped by area, with its role and
//! permalink. Rendered from the registry, so it can never go stale.

use super::Site;
use crate::env::Env;
use crate::permalink::{is_dir, permalink};
use crate::tables::escape_cell;
use alga_book_data::registry::Registry;
use alga_book_data::upstream::Upstream;
use alga_diagnostics::Diagnostics;

/// The entry point: the whole source map.
pub(super) fn expand(env: &Env, site: &Site<'_>, diags: &mut Diagnostics) -> Option<String> {
    if let Err(e) = site.no_args(None) {
        diags.push(e);
        return None;
    }
    Some(render(
        &env.registry,
        env.upstream.as_ref(),
        &env.cfg.upstream.repository,
        &env.cfg.upstream.commit,
    ))
}

/// The source map's Markdown: one table per registry area.
pub fn render(
    registry: &Registry,
    upstream: Option<&Upstream>,
    repository: &str,
    commit: &str,
) -> String {
    let mut out = String::new();
    for (file, area) in &registry.areas {
        let mut entries: Vec<_> = registry.entries().filter(|e| &e.file == file).collect();
        if entries.is_empty() {
            continue;
        }
        entries.sort_by(|a, b| a.key.cmp(&b.key));
        out.push_str(&format!(
            "### {area}\n\n| Key | Path | Role |\n|---|---|---|\n"
        ));
        for e in entries {
            let url = permalink(repository, commit, &e.path, is_dir(e, upstream), None);
            out.push_str(&format!(
                "| <span id=\"src-{}\"></span>`{}` | [`{}`]({url}) | {} |\n",
                e.key,
                e.key,
                escape_cell(&e.path),
                alga_schema_table::cell(&e.role)
            ));
        }
        out.push('\n');
    }
    out
}
