//! Writers: the built-in layout, and a theme's Handlebars template.

use crate::Template;
use crate::model::Rendered;
use alga_diagnostics::Diagnostic;
use handlebars::Handlebars;

/// Lay `rendered` out as Markdown: through a theme's Handlebars `template`
/// when there is one, else with the one built-in layout, written directly
/// (the benchmark compares it with the same layout through Handlebars).
pub fn to_markdown(
    rendered: &Rendered,
    template: Option<&Template<'_>>,
) -> Result<String, Diagnostic> {
    match template {
        None => Ok(write_default(rendered)),
        Some(t) => {
            through_template(rendered, t.text).map_err(|m| Diagnostic::error(m).in_file(t.file))
        }
    }
}

/// The built-in layout: per table a `<div class="schema-table">` with a bold
/// title, links to named variants, and a table of rows (the Default column only
/// when a row has a default).
pub fn write_default(rendered: &Rendered) -> String {
    let size: usize = rendered
        .tables
        .iter()
        .flat_map(|t| &t.rows)
        .map(|r| {
            r.id.len()
                + r.name.len()
                + r.kind.len()
                + r.default.len()
                + r.constraints.len()
                + r.description.len()
                + 40
        })
        .sum();
    let mut out = String::with_capacity(size + rendered.tables.len() * 200);
    for t in &rendered.tables {
        for part in [
            "<div class=\"schema-table\" id=\"",
            &t.id,
            "\">\n\n**",
            &t.title,
            "** (",
        ] {
            out.push_str(part);
        }
        out.push_str(&t.kind);
        out.push(')');
        if !t.description.is_empty() {
            out.push_str(": ");
            out.push_str(&t.description);
        }
        out.push('\n');
        if !t.variants.is_empty() {
            out.push('\n');
            for v in &t.variants {
                for part in ["- ", &v.when, ": [", &v.name, "](#", &v.id, ")\n"] {
                    out.push_str(part);
                }
            }
        }
        if t.rows.is_empty() {
            out.push_str("\n</div>\n");
            continue;
        }
        out.push_str("\n| Field | Type | Required |");
        if t.has_default {
            out.push_str(" Default |");
        }
        out.push_str(" Constraints | Description |\n|---|---|---|");
        if t.has_default {
            out.push_str("---|");
        }
        out.push_str("---|---|\n");
        for r in &t.rows {
            for part in [
                "| <span id=\"",
                &r.id,
                "\"></span>",
                &r.name,
                " | ",
                &r.kind,
                " | ",
                &r.required,
                " |",
            ] {
                out.push_str(part);
            }
            if t.has_default {
                out.push(' ');
                out.push_str(&r.default);
                out.push_str(" |");
            }
            for part in [" ", &r.constraints, " | ", &r.description, " |\n"] {
                out.push_str(part);
            }
        }
        out.push_str("\n</div>\n");
    }
    out
}

/// `rendered` through a Handlebars template (no escaping, strict mode).
pub fn through_template(rendered: &Rendered, template: &str) -> Result<String, String> {
    let mut hb = Handlebars::new();
    hb.register_escape_fn(handlebars::no_escape);
    hb.set_strict_mode(true);
    hb.register_template_string("t", template)
        .map_err(|e| format!("schema-table template: {e}"))?;
    hb.render("t", rendered)
        .map_err(|e| format!("schema-table template: {e}"))
}
