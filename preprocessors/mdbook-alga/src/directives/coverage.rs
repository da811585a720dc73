//! `{{#coverage}}`: the coverage figures per upstream surface, then the
//! exclusions, from the coverage data checked by the pipeline.

use super::Site;
use crate::env::Env;
use alga_book_data::coverage::Coverage;
use alga_diagnostics::Diagnostics;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The entry point.
pub(super) fn expand(env: &Env, site: &Site<'_>, diags: &mut Diagnostics) -> Option<String> {
    if let Err(e) = site.no_args(Some("write {{#coverage}}".into())) {
        diags.push(e);
        return None;
    }
    match &env.coverage {
        Some(c) => Some(render(c)),
        None => {
            diags.push(
                site.error_here("no coverage data is configured")
                    .hint("set `coverage = \"<folder>\"` under [preprocessor.alga] in book.toml"),
            );
            None
        }
    }
}

/// The coverage page's Markdown: figures per surface, then the exclusions.
fn render(cov: &Coverage) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "| Surface | Items | Documented | Excluded | Missing | Documented where |\n|---|---:|---:|---:|---:|---|"
    );
    let mut totals = (0, 0, 0, 0);
    for spec in &cov.surfaces {
        let mut n = (0, 0, 0, 0);
        for (i, (item, _)) in cov.items.iter().enumerate() {
            if item.surface != spec.id {
                continue;
            }
            n.0 += 1;
            if cov.documented.get(i).copied().unwrap_or(false) {
                n.1 += 1;
            } else if cov.excluded(item) {
                n.2 += 1;
            } else {
                n.3 += 1;
            }
        }
        totals = (
            totals.0 + n.0,
            totals.1 + n.1,
            totals.2 + n.2,
            totals.3 + n.3,
        );
        let pages: Vec<String> = spec.pages.iter().map(|p| format!("`{p}`")).collect();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            spec.title,
            n.0,
            n.1,
            n.2,
            n.3,
            pages.join(", ")
        );
    }
    let _ = writeln!(
        out,
        "| **All** | **{}** | **{}** | **{}** | **{}** | |",
        totals.0, totals.1, totals.2, totals.3
    );
    let _ = writeln!(out, "\n### Exclusions {{#exclusions}}\n");
    if cov.exclusions.is_empty() {
        out.push_str("None.\n");
        return out;
    }
    let _ = writeln!(out, "| Surface | Item | Reason | Why |\n|---|---|---|---|");
    let titles: BTreeMap<&str, &str> = cov
        .surfaces
        .iter()
        .map(|s| (s.id.as_str(), s.title.as_str()))
        .collect();
    for (e, _) in &cov.exclusions {
        let _ = writeln!(
            out,
            "| {} | `{}` | {} | {} |",
            titles
                .get(e.surface.as_str())
                .copied()
                .unwrap_or(&e.surface),
            e.name.replace('|', "\\|"),
            e.reason,
            alga_schema_table::cell(&e.why)
        );
    }
    out
}
