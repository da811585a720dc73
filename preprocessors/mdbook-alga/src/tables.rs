//! `{{#table NAME [FIELD=VALUE ...]}}`: long single-source tables kept as data
//! in `data/tables/NAME.toml` and rendered as Markdown.

use alga_book_data::source_file::{SourceFile, toml_files};
use alga_diagnostics::Diagnostic;
use alga_diagnostics::Diagnostics;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// One data table (`NAME.toml`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Table {
    /// Shown in italics above the table.
    pub caption: Option<String>,
    /// The column whose value gives each row an HTML id.
    pub anchor: Option<String>,
    /// Put before each anchor value.
    #[serde(default)]
    pub anchor_prefix: String,
    /// The columns, in order.
    pub column: Vec<Column>,
    /// The rows: column key (or filter field) → value.
    #[serde(default)]
    pub row: Vec<BTreeMap<String, toml::Value>>,
    /// The file's display path.
    #[serde(skip)]
    pub file: String,
}

/// One column of a data table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Column {
    /// The row field it shows.
    pub key: String,
    /// Its heading.
    pub title: String,
}

fn cell_text(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A Markdown table cell: pipes escaped, line breaks folded.
pub fn escape_cell(s: &str) -> String {
    s.replace('|', "\\|")
        .replace("\r\n", " ")
        .replace('\n', " ")
}

/// An HTML id from a cell value: backticks dropped, kept otherwise verbatim
/// except characters that cannot appear in an id.
pub fn anchor_id(prefix: &str, value: &str) -> String {
    let v: String = value
        .chars()
        .filter(|c| *c != '`')
        .map(|c| {
            if c.is_whitespace() || c == '"' || c == '<' || c == '>' || c == '&' {
                '-'
            } else {
                c
            }
        })
        .collect();
    format!("{prefix}{v}")
}

/// Every data table of the book, by name.
#[derive(Default)]
pub struct Tables {
    tables: BTreeMap<String, Table>,
    /// The table files as written, for checks of their raw text.
    pub files: Vec<SourceFile>,
}

impl Tables {
    /// Load every `*.toml` of `dir`; problems go to `diags`.
    pub fn load(root: &Path, dir: &Path, diags: &mut Diagnostics) -> Tables {
        let mut out = Tables::default();
        let Ok(files) = toml_files(root, dir) else {
            return out;
        };
        for path in files {
            let Ok(file) = SourceFile::read(root, &path) else {
                continue;
            };
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            if let Some(mut t) = file.parse_toml::<Table>(diags) {
                t.file = file.display.clone();
                let keys: Vec<&str> = t.column.iter().map(|c| c.key.as_str()).collect();
                if let Some(a) = &t.anchor
                    && !keys.contains(&a.as_str())
                {
                    diags.push(
                        Diagnostic::new(
                            alga_diagnostics::Severity::Error,
                            format!("anchor column `{a}` is not a column"),
                        )
                        .in_file(&file.display),
                    );
                }
                for (i, row) in t.row.iter().enumerate() {
                    for k in &keys {
                        if !row.contains_key(*k) {
                            diags.push(
                                Diagnostic::new(
                                    alga_diagnostics::Severity::Error,
                                    format!("row {} has no `{k}`", i + 1),
                                )
                                .in_file(&file.display)
                                .hint(
                                    "every row needs a value for every column (use \"\" for none)",
                                ),
                            );
                        }
                    }
                }
                out.tables.insert(name, t);
            }
            out.files.push(file);
        }
        out
    }

    /// The table names, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.tables.keys().map(String::as_str)
    }

    /// The table called `name`.
    pub fn get(&self, name: &str) -> Option<&Table> {
        self.tables.get(name)
    }
}

impl Table {
    /// Whether some row has a value for `field`.
    pub fn has_field(&self, field: &str) -> bool {
        self.row.iter().any(|r| r.contains_key(field))
    }

    /// The rows matching every `field=value` filter, in order.
    pub fn rows_matching(
        &self,
        filters: &[(String, String)],
    ) -> Vec<&BTreeMap<String, toml::Value>> {
        self.row
            .iter()
            .filter(|r| {
                filters
                    .iter()
                    .all(|(f, v)| r.get(f).map(cell_text).as_deref() == Some(v.as_str()))
            })
            .collect()
    }

    /// The table as Markdown, with `rows` (from [`Table::rows_matching`]).
    pub fn render(&self, rows: &[&BTreeMap<String, toml::Value>]) -> String {
        let mut out = String::new();
        if let Some(c) = &self.caption {
            out.push_str(&format!("*{}*\n\n", c.trim()));
        }
        out.push('|');
        for c in &self.column {
            out.push_str(&format!(" {} |", escape_cell(&c.title)));
        }
        out.push_str("\n|");
        for _ in &self.column {
            out.push_str("---|");
        }
        out.push('\n');
        for r in rows {
            out.push('|');
            for (i, c) in self.column.iter().enumerate() {
                let mut v = r.get(&c.key).map(cell_text).unwrap_or_default();
                if i == 0
                    && let Some(a) = &self.anchor
                    && let Some(av) = r.get(a)
                {
                    v = format!(
                        "<span id=\"{}\"></span>{v}",
                        anchor_id(&self.anchor_prefix, &cell_text(av))
                    );
                }
                out.push_str(&format!(" {} |", escape_cell(&v)));
            }
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Table {
        let mut t: Table = toml::from_str(
            r#"
anchor = "code"
[[column]]
key = "code"
title = "Code"
[[column]]
key = "meaning"
title = "Meaning"
[[row]]
code = "`a_b`"
group = "g1"
meaning = "x | y\nz"
[[row]]
code = "`c`"
group = "g2"
meaning = "w"
"#,
        )
        .unwrap();
        t.file = "t.toml".into();
        t
    }

    #[test]
    fn renders_with_anchor_and_escapes() {
        let t = table();
        let out = t.render(&t.rows_matching(&[]));
        assert_eq!(
            out,
            "| Code | Meaning |\n|---|---|\n| <span id=\"a_b\"></span>`a_b` | x \\| y z |\n| <span id=\"c\"></span>`c` | w |\n"
        );
    }

    #[test]
    fn filters_rows() {
        let t = table();
        let out = t.render(&t.rows_matching(&[("group".into(), "g2".into())]));
        assert!(out.contains("`c`") && !out.contains("a_b"));
        assert!(!t.has_field("nope") && t.has_field("group"));
        assert!(t.rows_matching(&[("group".into(), "zz".into())]).is_empty());
    }
}
