//! `{{#table NAME [FIELD=VALUE ...]}}`: a data table of the book (see
//! [`crate::tables`]) as Markdown, with the directives in its cells expanded.
//! A problem in a cell is reported in the data file, at the cell, with its
//! own severity, and a note at the directive that rendered it.

use super::{Site, expand_range};
use crate::env::Env;
use alga_book_data::scanner::scan;
use alga_diagnostics::{Diagnostic, Diagnostics, nearest};
use std::collections::BTreeSet;

/// The entry point.
pub(super) fn expand(env: &Env, site: &Site<'_>, diags: &mut Diagnostics) -> Option<String> {
    let Some(name) = site.args.first() else {
        diags.push(site.error_here("`table` needs a table name").hint(format!(
            "known tables: {}",
            env.tables.names().collect::<Vec<_>>().join(", ")
        )));
        return None;
    };
    let Some(table) = env.tables.get(&name.text) else {
        diags.push(
            site.error(name.range.clone(), format!("unknown table `{}`", name.text))
                .maybe_hint(
                    nearest(&name.text, env.tables.names()).map(|n| format!("did you mean `{n}`?")),
                ),
        );
        return None;
    };
    let mut filters = Vec::new();
    for arg in &site.args[1..] {
        let Some((field, value)) = arg.text.split_once('=').filter(|(f, _)| !f.is_empty()) else {
            diags.push(
                site.error(
                    arg.range.clone(),
                    format!("`{}` is not a FIELD=VALUE filter", arg.text),
                )
                .hint("write {{#table NAME FIELD=VALUE ...}}"),
            );
            return None;
        };
        if !table.has_field(field) {
            diags.push(site.error(
                arg.range.clone(),
                format!("no row of `{}` has a field `{field}`", table.file),
            ));
            return None;
        }
        filters.push((field.to_owned(), value.to_owned()));
    }
    let rows = table.rows_matching(&filters);
    if rows.is_empty() {
        diags.push(site.error_at_args("the filter selects no rows"));
        return None;
    }
    let md = table.render(&rows);
    let mut inner = Diagnostics::default();
    let expanded = expand_range(env, &table.file, &md, 0..md.len(), &mut inner);
    if !inner.is_empty() {
        report_cells(env, site, &name.text, &table.file, &md, inner, diags);
    }
    Some(expanded.text)
}

/// Report the problems of the cells where the author wrote them: each
/// directive of the rendered table is found in the data file and expanded
/// there again, so its diagnostics carry the file's line and column, and a
/// note points at the directive that rendered the table.
fn report_cells(
    env: &Env,
    site: &Site<'_>,
    name: &str,
    file: &str,
    md: &str,
    inner: Diagnostics,
    diags: &mut Diagnostics,
) {
    let note = || site.note(format!("in table `{name}`, rendered here"));
    let source = env.tables.files.iter().find(|f| f.display == file);
    let mut located = Diagnostics::default();
    let mut all_found = source.is_some();
    let mut seen = BTreeSet::new();
    for d in scan(md).directives {
        let raw = &md[d.range.clone()];
        if !seen.insert(raw) {
            continue;
        }
        match source.and_then(|s| s.text.find(raw).map(|at| (s, at))) {
            Some((s, at)) => {
                expand_range(env, file, &s.text, at..at + raw.len(), &mut located);
            }
            None => all_found = false,
        }
    }
    if all_found && !located.is_empty() {
        for d in located.into_items() {
            diags.push(d.note(note()));
        }
        return;
    }
    // A cell the data file spells differently (with escapes) cannot be
    // found in it: report at the directive, with the severity it had.
    for d in inner.into_items() {
        diags.push(
            Diagnostic::new(
                d.severity,
                format!("in table `{name}` ({file}): {}", d.message),
            )
            .at(site.file, site.text, site.range.clone())
            .maybe_hint(d.hint),
        );
    }
}
