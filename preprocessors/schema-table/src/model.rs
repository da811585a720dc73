//! What the walker produces and a writer lays out: the data a theme's
//! `schema-table.hbs` gets. Every string is already escaped Markdown.

use serde::Serialize;

/// One field of an object: a row of its table.
#[derive(Debug, Serialize)]
pub struct Row {
    /// The row's anchor (`manifest.api.endpoints`).
    pub id: String,
    /// The dotted path of the field, as code.
    pub name: String,
    /// The field's type, as Markdown (`type` to a template).
    #[serde(rename = "type")]
    pub kind: String,
    /// `yes`, `no` or `—`.
    pub required: String,
    /// The default, as code, or empty.
    pub default: String,
    /// The constraints, `; `-separated.
    pub constraints: String,
    /// The description.
    pub description: String,
}

/// One object (or, for a schema that is not an object, one value): a table.
#[derive(Debug, Serialize)]
pub struct TableOut {
    /// The table's anchor.
    pub id: String,
    /// The object's path, as code.
    pub title: String,
    /// `object`, `value` or the definition it renders.
    pub kind: String,
    /// The object's description.
    pub description: String,
    /// Whether any row has a default: the default template drops the column
    /// otherwise.
    pub has_default: bool,
    /// Variants that are named definitions (a `$ref` under `anyOf`, `oneOf`,
    /// `then`, `else` or `dependentSchemas`): linked, each with its own
    /// table, rather than merged into this one.
    pub variants: Vec<VariantLink>,
    /// The fields, in the schema's order.
    pub rows: Vec<Row>,
}

/// A link from a table to the table of one of its variants.
#[derive(Debug, Serialize)]
pub struct VariantLink {
    /// When it applies, as Markdown (`variant 2 of `oneOf``).
    pub when: String,
    /// The definition's name, as code.
    pub name: String,
    /// The id of the variant's table.
    pub id: String,
}

/// Everything one directive renders: its tables, in order.
#[derive(Debug, Serialize)]
pub struct Rendered {
    /// The tables.
    pub tables: Vec<TableOut>,
}
