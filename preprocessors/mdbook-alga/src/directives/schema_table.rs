//! `{{#schema-table NAME [POINTER]}}`: a JSON Schema of the book, from
//! `POINTER` down, as the flat tables of [`alga_schema_table`]. A problem in
//! the schema is reported in the schema file, with a note at the directive.

use super::Site;
use crate::env::Env;
use alga_diagnostics::{Diagnostics, nearest};
use serde_json::Value;

/// The entry point.
pub(super) fn expand(env: &Env, site: &Site<'_>, diags: &mut Diagnostics) -> Option<String> {
    let (name, pointer) = match site.args.as_slice() {
        [n] => (n, None),
        [n, p] => (n, Some(p)),
        _ => {
            diags.push(
                site.error_here("`schema-table` takes a schema name and an optional JSON pointer"),
            );
            return None;
        }
    };
    let Some(schema) = env.schemas.get(&name.text) else {
        diags.push(
            site.error(
                name.range.clone(),
                format!("unknown schema `{}`", name.text),
            )
            .hint(
                nearest(&name.text, env.schemas.keys().map(String::as_str))
                    .map(|n| format!("did you mean `{n}`?"))
                    .unwrap_or_else(|| {
                        "declare it under [preprocessor.alga.schemas] in book.toml".into()
                    }),
            ),
        );
        return None;
    };
    let name = name.text.as_str();
    let (pointer, pointer_range) = match pointer {
        Some(p) => (p.text.as_str(), p.range.clone()),
        None => ("", site.args_range.clone()),
    };
    if !pointer.is_empty() && !pointer.starts_with('/') {
        diags.push(
            site.error_at_args(format!("`{pointer}` is not a JSON pointer"))
                .hint("a pointer starts with `/`, e.g. `/properties/api`"),
        );
        return None;
    }
    if alga_schema_table::pointer_get(&schema.value, pointer).is_none() {
        diags.push(
            site.error(
                pointer_range,
                format!(
                    "no schema at `{pointer}` in schema `{name}` ({})",
                    schema.file.display
                ),
            )
            .hint(unresolved_hint(&schema.value, pointer)),
        );
        return None;
    }
    let source = alga_schema_table::Source {
        file: &schema.file.display,
        text: &schema.file.text,
    };
    let (rendered, issues) =
        alga_schema_table::render_schema(&schema.value, pointer, name, Some(source));
    for i in issues {
        diags.push(i.note(site.note("in the schema tables rendered here")));
    }
    let template = env.template.as_ref().map(|t| alga_schema_table::Template {
        file: &t.display,
        text: &t.text,
    });
    match alga_schema_table::to_markdown(&rendered, template.as_ref()) {
        Ok(md) => Some(md),
        Err(e) => {
            diags.push(e);
            None
        }
    }
}

/// What to write instead of a pointer that does not resolve: the longest
/// part that does, and the keys it holds.
fn unresolved_hint(schema: &Value, pointer: &str) -> String {
    let mut good = String::new();
    for token in pointer.split('/').skip(1) {
        let next = format!("{good}/{token}");
        if alga_schema_table::pointer_get(schema, &next).is_none() {
            break;
        }
        good = next;
    }
    let keys: Vec<String> = match alga_schema_table::pointer_get(schema, &good) {
        Some(Value::Object(m)) => m.keys().cloned().collect(),
        Some(Value::Array(a)) => (0..a.len()).map(|i| i.to_string()).collect(),
        _ => Vec::new(),
    };
    let failed = pointer[good.len()..].trim_start_matches('/');
    let failed = failed.split('/').next().unwrap_or("");
    let shown = if good.is_empty() { "/" } else { &good };
    match nearest(failed, keys.iter().map(String::as_str)) {
        Some(k) => format!("did you mean `{good}/{k}`?"),
        None if keys.is_empty() => format!("`{shown}` holds no keys"),
        None => format!("`{shown}` has: {}", keys.join(", ")),
    }
}
