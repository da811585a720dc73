//! The directives this preprocessor owns, one module each, dispatched from
//! one table ([`TABLE`]). A directive module has one entry point, an
//! [`Expand`] function, that gets the loaded [`Env`] and the [`Site`] of
//! the directive (its page, its byte ranges and its arguments, tokenized by
//! [`args::tokenize`]) and returns the Markdown that replaces it, or `None`
//! after pushing a located diagnostic.
//!
//! To add a directive: write a module with an `expand` function, and add a
//! row to [`TABLE`].

pub mod args;
mod coverage;
pub mod path;
mod probe;
mod schema_table;
pub mod source_map;
mod table;

use crate::env::Env;
use crate::offset_map::OffsetMap;
use alga_book_data::scanner::{self, Directive};
use alga_diagnostics::{Diagnostic, Diagnostics, nearest};
use args::Arg;
use std::ops::Range;

/// The entry point of a directive.
pub type Expand = fn(&Env, &Site<'_>, &mut Diagnostics) -> Option<String>;

/// One directive: its name as written after `{{#`, and its entry point.
pub struct Spec {
    /// The name, as in `{{#name args}}`.
    pub name: &'static str,
    /// What replaces it.
    pub expand: Expand,
}

/// Every directive this preprocessor owns.
pub const TABLE: &[Spec] = &[
    Spec {
        name: "path",
        expand: path::expand,
    },
    Spec {
        name: "table",
        expand: table::expand,
    },
    Spec {
        name: "schema-table",
        expand: schema_table::expand,
    },
    Spec {
        name: "source-map",
        expand: source_map::expand,
    },
    Spec {
        name: "coverage",
        expand: coverage::expand,
    },
    Spec {
        name: "probe",
        expand: probe::expand,
    },
    Spec {
        name: "probes",
        expand: probe::expand_all,
    },
];

/// Directive names mdBook's own `links` preprocessor owns; left untouched.
pub const MDBOOK_DIRECTIVES: &[&str] = &["include", "rustdoc_include", "playground", "title"];

/// The names of the directives this preprocessor owns, in table order.
pub fn names() -> impl Iterator<Item = &'static str> + Clone {
    TABLE.iter().map(|s| s.name)
}

fn spec(name: &str) -> Option<&'static Spec> {
    TABLE.iter().find(|s| s.name == name)
}

/// Where a directive sits and what it says: the page, the directive's byte
/// ranges in it, and its arguments.
pub struct Site<'a> {
    /// The page's display path, for diagnostics.
    pub file: &'a str,
    /// The page's whole text: every range below indexes it.
    pub text: &'a str,
    /// The whole directive, `{{#` to `}}`.
    pub range: Range<usize>,
    /// The directive name.
    pub name_range: Range<usize>,
    /// Everything between the name and `}}`, trimmed.
    pub args_range: Range<usize>,
    /// The arguments, tokenized.
    pub args: Vec<Arg>,
}

impl<'a> Site<'a> {
    /// The site of directive `d` of `text`; an unterminated quoted argument
    /// is an error.
    pub fn new(file: &'a str, text: &'a str, d: &Directive) -> Result<Site<'a>, Diagnostic> {
        let args = args::tokenize(&d.args, d.args_range.start)
            .map_err(|r| args::unterminated().at(file, text, r))?;
        Ok(Site {
            file,
            text,
            range: d.range.clone(),
            name_range: d.name_range.clone(),
            args_range: d.args_range.clone(),
            args,
        })
    }

    /// The arguments as written, one string.
    pub fn raw_args(&self) -> &'a str {
        &self.text[self.args_range.clone()]
    }

    /// An error at `span` of the page (widened to one byte when empty).
    pub fn error(&self, span: Range<usize>, message: impl Into<String>) -> Diagnostic {
        let span = span.start..span.end.max(span.start + 1);
        Diagnostic::error(message).at(self.file, self.text, span)
    }

    /// An error at the whole directive.
    pub fn error_here(&self, message: impl Into<String>) -> Diagnostic {
        self.error(self.range.clone(), message)
    }

    /// An error at the arguments.
    pub fn error_at_args(&self, message: impl Into<String>) -> Diagnostic {
        self.error(self.args_range.clone(), message)
    }

    /// The error of a directive that takes no arguments, when it has some.
    pub fn no_args(&self, hint: Option<String>) -> Result<(), Diagnostic> {
        if self.args_range.is_empty() {
            return Ok(());
        }
        let name = &self.text[self.name_range.clone()];
        Err(self
            .error_at_args(format!("`{name}` takes no arguments"))
            .maybe_hint(hint))
    }

    /// A note pointing at this directive, for a problem found in what it
    /// renders.
    pub fn note(&self, message: impl Into<String>) -> Diagnostic {
        Diagnostic::note_here(message).at(self.file, self.text, self.range.clone())
    }
}

/// The result of expanding one page.
pub struct Expanded {
    /// The page with every directive replaced.
    pub text: String,
    /// Output offsets back to the author's offsets.
    pub map: OffsetMap,
}

/// Expand every directive of `text` (the content of `file`).
pub fn expand(env: &Env, file: &str, text: &str, diags: &mut Diagnostics) -> Expanded {
    expand_range(env, file, text, 0..text.len(), diags)
}

/// Expand the directives of `text[range]`, reporting at their place in the
/// whole `text` (a table cell inside its data file, for instance).
pub fn expand_range(
    env: &Env,
    file: &str,
    text: &str,
    range: Range<usize>,
    diags: &mut Diagnostics,
) -> Expanded {
    let base = range.start;
    let part = &text[range];
    let mut scan = scanner::scan(part);
    for d in &mut scan.directives {
        d.shift(base);
    }
    for u in &scan.unterminated {
        let r = u.range.start + base..u.range.end + base;
        diags.push(
            Diagnostic::error("directive is not closed with `}}` on the same line")
                .at(file, text, r),
        );
    }
    let mut out = String::with_capacity(part.len() + part.len() / 4);
    let mut map = OffsetMap::default();
    let mut last = base;
    for d in &scan.directives {
        out.push_str(&text[last..d.range.start]);
        last = d.range.end;
        let replacement = expand_one(env, file, text, d, diags);
        let replacement = replacement.unwrap_or_else(|| text[d.range.clone()].to_owned());
        map.replace(
            out.len(),
            replacement.len(),
            d.range.start - base,
            d.range.len(),
        );
        out.push_str(&replacement);
    }
    out.push_str(&text[last..base + part.len()]);
    Expanded { text: out, map }
}

/// The replacement of one directive; `None` leaves it as written.
fn expand_one(
    env: &Env,
    file: &str,
    text: &str,
    d: &Directive,
    diags: &mut Diagnostics,
) -> Option<String> {
    if MDBOOK_DIRECTIVES.contains(&d.name.as_str()) {
        return None;
    }
    let Some(spec) = spec(&d.name) else {
        if !d.escaped {
            unknown(file, text, d, diags);
        }
        return None;
    };
    if d.escaped {
        return Some(text[d.range.start + 1..d.range.end].to_owned());
    }
    match Site::new(file, text, d) {
        Ok(site) => (spec.expand)(env, &site, diags),
        Err(e) => {
            diags.push(e);
            None
        }
    }
}

fn unknown(file: &str, text: &str, d: &Directive, diags: &mut Diagnostics) {
    let known = names().chain(MDBOOK_DIRECTIVES.iter().copied());
    let hint = nearest(&d.name, known)
        .map(|n| format!("did you mean `{{{{#{n} ...}}}}`?"))
        .unwrap_or_else(|| {
            format!(
                "known directives: {}; write `\\{{{{#` for literal text",
                names().collect::<Vec<_>>().join(", ")
            )
        });
    diags.push(
        Diagnostic::error(format!("unknown directive `{{{{#{}}}}}`", d.name))
            .at(file, text, d.name_range.clone())
            .hint(hint),
    );
}
