//! `{{#source-map}}`: every registry entry, grouped by area, with its role and
//! permalink. Rendered from the registry, so it can never go stale.

use crate::path_ref::{is_dir, permalink};
use crate::registry::Registry;
use crate::tables::escape_cell;
use crate::upstream::Upstream;

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
