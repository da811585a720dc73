//! Everything a page's expansion needs, loaded once per build: the
//! configuration, the registry (checked against upstream), the upstream
//! listing, the superseded list, the data tables, the schemas, the manifest
//! validator, a theme's template, the citation lock, the coverage data and
//! the runtime probes.

use crate::config::Config;
use crate::{manifest_examples, tables};
use alga_book_data::probes::Probes;
use alga_book_data::registry::Registry;
use alga_book_data::source_file::{self, SourceFile};
use alga_book_data::superseded::{Superseded, load_superseded};
use alga_book_data::upstream::{self, Upstream};
use alga_book_data::{citations, coverage};
use alga_diagnostics::{Diagnostic, Diagnostics, nearest};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A named schema loaded from disk.
pub struct LoadedSchema {
    /// The schema file as read.
    pub file: SourceFile,
    /// Its JSON.
    pub value: Value,
}

/// Everything a chapter's expansion needs.
pub struct Env {
    /// The book root.
    pub root: PathBuf,
    /// `[preprocessor.alga]`.
    pub cfg: Config,
    /// The upstream paths the book cites, by key.
    pub registry: Registry,
    /// The upstream tree at the pin, when a listing or checkout is available.
    pub upstream: Option<Upstream>,
    /// Stale paths and what replaces them.
    pub superseded: Vec<Superseded>,
    /// The data tables `{{#table}}` renders.
    pub tables: tables::Tables,
    /// The schemas `{{#schema-table}}` renders, by name.
    pub schemas: BTreeMap<String, LoadedSchema>,
    /// The validator of ```` ```json manifest ```` blocks.
    pub manifest_validator: Option<manifest_examples::ManifestValidator>,
    /// A theme's `schema-table.hbs`, when it has one.
    pub template: Option<SourceFile>,
    /// The citation lock, with its display path, when configured and readable.
    pub lock: Option<(citations::Lock, String)>,
    /// The coverage data, when configured.
    pub coverage: Option<coverage::Coverage>,
    /// The runtime probes and their recorded results, when configured.
    pub probes: Option<Probes>,
}

impl Env {
    /// Load the data the book depends on; problems go to `diags`.
    pub fn load(root: &Path, cfg: Config, diags: &mut Diagnostics) -> Env {
        let registry = Registry::load(root, &cfg.registry, diags);
        let upstream = load_upstream(root, &cfg, diags);
        if let Some(up) = &upstream {
            check_registry_upstream(&registry, up, diags);
        }
        let superseded = match SourceFile::read(root, &cfg.superseded) {
            Ok(f) => load_superseded(&f, &registry, diags),
            Err(e) => {
                diags.push(
                    Diagnostic::error(format!("cannot read the superseded list: {e}"))
                        .in_file(&source_file::display_path(&cfg.superseded)),
                );
                Vec::new()
            }
        };
        let tables = tables::Tables::load(root, &cfg.tables, diags);
        let mut schemas = BTreeMap::new();
        for (name, path) in &cfg.schemas {
            // A schema is part of the book: never read one from outside it.
            if path.is_absolute()
                || path.components().any(|c| {
                    !matches!(
                        c,
                        std::path::Component::Normal(_) | std::path::Component::CurDir
                    )
                })
            {
                diags.push(Diagnostic::error(format!(
                        "schema `{name}`: `{}` is outside the book root",
                        source_file::display_path(path)
                    )).in_file("book.toml").hint("[preprocessor.alga.schemas] paths are relative to the book root, without `..`"
                            ));
                continue;
            }
            match SourceFile::read(root, path) {
                Ok(file) => match serde_json::from_str::<Value>(&file.text) {
                    Ok(value) => {
                        schemas.insert(name.clone(), LoadedSchema { file, value });
                    }
                    Err(e) => {
                        let at =
                            alga_diagnostics::offset_of_line_col(&file.text, e.line(), e.column());
                        diags.push(Diagnostic::error(format!("invalid JSON: {e}")).at(
                            &file.display,
                            &file.text,
                            at..at + 1,
                        ));
                    }
                },
                Err(e) => diags.push(
                    Diagnostic::error(format!("cannot read schema `{name}`: {e}"))
                        .in_file(&source_file::display_path(path)),
                ),
            }
        }
        let manifest_validator = match schemas.get(&cfg.manifest_schema) {
            Some(s) => match manifest_examples::ManifestValidator::new(&s.value) {
                Ok(v) => Some(v),
                Err(m) => {
                    diags.push(Diagnostic::error(m).in_file(&s.file.display));
                    None
                }
            },
            None => None,
        };
        let template = SourceFile::read(root, &cfg.templates.join("schema-table.hbs")).ok();
        let lock =
            cfg.citations_lock
                .as_ref()
                .and_then(|path| match SourceFile::read(root, path) {
                    Ok(f) => citations::load(&f, diags).map(|l| (l, f.display)),
                    Err(e) => {
                        diags.push(Diagnostic::error(format!("cannot read the citation lock: {e}")).in_file(&source_file::display_path(path)).hint("write it with `ALGA_PSA_CHECKOUT=<clone> cargo xtask upstream --lock`"
                                ));
                        None
                    }
                });
        let coverage = cfg
            .coverage
            .as_ref()
            .and_then(|dir| coverage::Coverage::load(root, dir, diags));
        let probes = cfg
            .probes
            .as_ref()
            .and_then(|p| Probes::load(root, &p.data, &cfg.upstream.commit, diags));
        Env {
            root: root.to_path_buf(),
            cfg,
            registry,
            upstream,
            superseded,
            tables,
            schemas,
            manifest_validator,
            template,
            lock,
            coverage,
            probes,
        }
    }
}

fn load_upstream(root: &Path, cfg: &Config, diags: &mut Diagnostics) -> Option<Upstream> {
    if let Some(checkout) = &cfg.upstream.checkout {
        let dir = root.join(checkout);
        match Upstream::from_checkout(&dir, &cfg.upstream.commit) {
            Ok(u) => return Some(u),
            Err(e) => {
                diags.push(Diagnostic::error(format!("upstream checkout unusable: {e}")).in_file("book.toml").hint("set ALGA_PSA_CHECKOUT to a clone of alga-psa that has the pinned commit"
                            ));
                return None;
            }
        }
    }
    if let Some(tree) = &cfg.upstream.tree {
        let path = root.join(tree);
        if path.is_file() {
            match Upstream::from_listing(&path) {
                Ok(u) => return Some(u),
                Err(e) => diags.push(
                    Diagnostic::error(format!("cannot read the upstream listing: {e}"))
                        .in_file(&source_file::display_path(tree)),
                ),
            }
            return None;
        }
    }
    eprintln!(
        "mdbook-alga: note: no upstream tree (neither `upstream.tree` nor ALGA_PSA_CHECKOUT is available); \
         the checks against upstream paths were skipped"
    );
    None
}

/// Every registry path must exist at the pin; with a checkout, every symbol
/// must still be on its recorded line.
pub fn check_registry_upstream(registry: &Registry, up: &Upstream, diags: &mut Diagnostics) {
    for e in registry.entries() {
        let Some(file) = registry.file(&e.file) else {
            continue;
        };
        if !up.exists(&e.path) {
            let near = nearest(&e.path, up.all_paths());
            diags.push(
                Diagnostic::error(format!(
                    "`{}` does not exist upstream at the pin ({})",
                    e.path, up.source
                ))
                .at(&file.display, &file.text, e.path_span.clone())
                .maybe_hint(near.map(|n| format!("did you mean `{n}`?"))),
            );
            continue;
        }
        let Some(text) = up.text(&e.path) else {
            continue;
        };
        let lines: Vec<&str> = text.lines().collect();
        if let Some(recorded) = e.lines
            && recorded as usize != lines.len()
        {
            diags.push(
                Diagnostic::error(format!(
                    "`{}` has {} lines at the pin, not {recorded}",
                    e.path,
                    lines.len()
                ))
                .at(&file.display, &file.text, e.path_span.clone()),
            );
        }
        for (sym, line) in &e.symbols {
            let ok = lines
                .get(*line as usize - 1)
                .is_some_and(|l| l.contains(sym.as_str()));
            if !ok {
                let span = e.symbol_spans.get(sym).cloned().unwrap_or(0..0);
                let moved = upstream::find_symbol(&text, sym);
                diags.push(
                    Diagnostic::error(format!(
                        "symbol `{sym}` is not on line {line} of `{}` at the pin",
                        e.path
                    ))
                    .at(&file.display, &file.text, span)
                    .hint(match moved {
                        Some(m) => format!("it is on line {m}: write `{sym} = {m}`"),
                        None => format!("`{sym}` no longer appears in the file"),
                    }),
                );
            }
        }
    }
}
