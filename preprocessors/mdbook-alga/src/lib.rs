//! The `alga` mdBook preprocessor: the machinery that keeps the Alga PSA
//! extension docs true to the upstream code at a pinned commit.
//!
//! One module per concern:
//! - [`scanner`] finds `{{#name args}}` directives outside code;
//! - [`path_ref`] renders `{{#path KEY}}` from the [`registry`] as permalinks;
//! - [`lint`] rejects superseded and non-existent upstream paths, and links
//!   to upstream branches;
//! - [`citations`] checks every line citation against the citation lock;
//! - [`coverage`] checks that every upstream surface item is documented or
//!   excluded, and renders `{{#coverage}}`;
//! - [`tables`] renders `{{#table NAME}}` data tables;
//! - [`schema_table`] renders `{{#schema-table NAME}}` from a JSON Schema;
//! - [`manifest_examples`] validates ```` ```json manifest ```` blocks;
//! - [`archive`] mounts retired pages with banners;
//! - [`links`] checks every internal link and fragment;
//! - [`llms`] renders `llms.txt` and the whole book as one Markdown file;
//! - [`search_terms`] indexes the terms the reference tables define;
//! - [`diagnostics`] collects located errors and warnings.

pub mod archive;
pub mod citations;
pub mod cli;
pub mod config;
pub mod coverage;
pub use alga_diagnostics as diagnostics;
pub mod links;
pub mod lint;
pub mod llms;
pub mod manifest_examples;
pub mod offset_map;
pub mod path_ref;
pub mod registry;
pub mod scanner;
pub mod search_terms;
pub mod source_file;
pub mod source_map;
pub mod tables;
pub mod upstream;

use crate::config::Config;
use crate::offset_map::OffsetMap;
use crate::registry::Registry;
use crate::source_file::SourceFile;
use crate::upstream::Upstream;
use alga_diagnostics::Diagnostic;
use alga_diagnostics::{Diagnostics, Severity, nearest};
use mdbook_preprocessor::book::{Book, BookItem, Chapter};
use mdbook_preprocessor::{Preprocessor, PreprocessorContext};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Directive names this preprocessor owns.
pub const DIRECTIVES: &[&str] = &["path", "table", "schema-table", "source-map", "coverage"];
/// Directive names mdBook's own `links` preprocessor owns; left untouched.
pub const MDBOOK_DIRECTIVES: &[&str] = &["include", "rustdoc_include", "playground", "title"];

pub struct AlgaPreprocessor;

impl Preprocessor for AlgaPreprocessor {
    fn name(&self) -> &str {
        config::NAME
    }

    fn run(&self, ctx: &PreprocessorContext, book: Book) -> anyhow::Result<Book> {
        let (book, diags, deny) = process(ctx, book)?;
        // Preprocessors run once per renderer; print warnings on the first pass only.
        let has_html = ctx
            .config
            .outputs::<toml::Value>()
            .map(|o| o.contains_key("html"))
            .unwrap_or(true);
        let first_pass = ctx.renderer == "html" || !has_html;
        if diags.fails(deny) || (first_pass && !diags.is_empty()) {
            eprint!("{}", diags.render(deny));
        }
        if diags.fails(deny) {
            anyhow::bail!(
                "the book has {} error(s){}",
                diags.count(Severity::Error),
                if deny && diags.count(Severity::Warning) > 0 {
                    " and denied warnings"
                } else {
                    ""
                }
            );
        }
        Ok(book)
    }
}

/// A named schema loaded from disk.
pub struct LoadedSchema {
    pub file: SourceFile,
    pub value: Value,
}

/// Everything a chapter's expansion needs.
pub struct Env {
    pub root: PathBuf,
    pub cfg: Config,
    pub registry: Registry,
    pub upstream: Option<Upstream>,
    pub superseded: Vec<lint::Superseded>,
    pub tables: tables::Tables,
    pub schemas: BTreeMap<String, LoadedSchema>,
    pub manifest_validator: Option<manifest_examples::ManifestValidator>,
    /// A theme's `schema-table.hbs`, when it has one.
    pub template: Option<SourceFile>,
    /// The citation lock, with its display path, when configured and readable.
    pub lock: Option<(citations::Lock, String)>,
    /// The coverage data, when configured.
    pub coverage: Option<coverage::Coverage>,
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
            Ok(f) => lint::load_superseded(&f, &registry, diags),
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

/// The result of expanding one chapter.
pub struct Expanded {
    pub text: String,
    pub map: OffsetMap,
}

/// Expand every directive of `text` (the content of `file`).
pub fn expand(env: &Env, file: &str, text: &str, diags: &mut Diagnostics) -> Expanded {
    let scan = scanner::scan(text);
    for u in &scan.unterminated {
        diags.push(
            Diagnostic::error("directive is not closed with `}}` on the same line").at(
                file,
                text,
                u.range.clone(),
            ),
        );
    }
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    let mut map = OffsetMap::default();
    let mut last = 0;
    for d in &scan.directives {
        out.push_str(&text[last..d.range.start]);
        last = d.range.end;
        let ours = DIRECTIVES.contains(&d.name.as_str());
        let replacement = if MDBOOK_DIRECTIVES.contains(&d.name.as_str()) {
            None
        } else if d.escaped {
            if ours {
                Some(text[d.range.start + 1..d.range.end].to_owned())
            } else {
                None
            }
        } else if ours {
            expand_one(env, file, text, d, diags)
        } else {
            let known = DIRECTIVES.iter().chain(MDBOOK_DIRECTIVES).copied();
            let hint = nearest(&d.name, known)
                .map(|n| format!("did you mean `{{{{#{n} ...}}}}`?"))
                .or_else(|| {
                    Some(format!(
                        "known directives: {}; write `\\{{{{#` for literal text",
                        DIRECTIVES.join(", ")
                    ))
                });
            diags.push(
                Diagnostic::error(format!("unknown directive `{{{{#{}}}}}`", d.name))
                    .at(file, text, d.name_range.clone())
                    .maybe_hint(hint),
            );
            None
        };
        let replacement = replacement.unwrap_or_else(|| text[d.range.clone()].to_owned());
        map.replace(out.len(), replacement.len(), d.range.start, d.range.len());
        out.push_str(&replacement);
    }
    out.push_str(&text[last..]);
    Expanded { text: out, map }
}

fn expand_one(
    env: &Env,
    file: &str,
    text: &str,
    d: &scanner::Directive,
    diags: &mut Diagnostics,
) -> Option<String> {
    let a0 = d.args_range.start;
    match d.name.as_str() {
        "path" => {
            let r = match path_ref::parse(&d.args) {
                Ok(r) => r,
                Err(e) => {
                    diags.push(
                        Diagnostic::error(e.message)
                            .at(
                                file,
                                text,
                                a0 + e.range.start..a0 + e.range.end.max(e.range.start + 1),
                            )
                            .maybe_hint(e.hint),
                    );
                    return None;
                }
            };
            let key_len = d.args.split_whitespace().next().map_or(0, str::len);
            match path_ref::render(
                &r,
                0..key_len,
                &env.registry,
                env.upstream.as_ref(),
                &env.cfg.upstream.repository,
                &env.cfg.upstream.commit,
            ) {
                Ok(s) => Some(s),
                Err(e) => {
                    diags.push(
                        Diagnostic::error(e.message)
                            .at(file, text, a0 + e.range.start..a0 + e.range.end.max(1))
                            .maybe_hint(e.hint),
                    );
                    None
                }
            }
        }
        "table" => {
            let words: Vec<String> = d.args.split_whitespace().map(str::to_owned).collect();
            let Some(name) = words.first() else {
                diags.push(
                    Diagnostic::error("`table` needs a table name")
                        .at(file, text, d.range.clone())
                        .hint(format!(
                            "known tables: {}",
                            env.tables.names().collect::<Vec<_>>().join(", ")
                        )),
                );
                return None;
            };
            let Some(table) = env.tables.get(name) else {
                diags.push(
                    Diagnostic::error(format!("unknown table `{name}`"))
                        .at(file, text, a0..a0 + name.len())
                        .maybe_hint(
                            nearest(name, env.tables.names())
                                .map(|n| format!("did you mean `{n}`?")),
                        ),
                );
                return None;
            };
            let filters = match tables::parse_filters(&words[1..]) {
                Ok(f) => f,
                Err(m) => {
                    diags.push(Diagnostic::error(m).at(file, text, d.args_range.clone()));
                    return None;
                }
            };
            match table.render(&filters) {
                Ok(md) => {
                    // Cells may cite code with {{#path}}: expand those too.
                    let mut inner = Diagnostics::default();
                    let expanded = expand(env, &table.file, &md, &mut inner);
                    for x in inner.items() {
                        diags.push(
                            Diagnostic::error(format!(
                                "in table `{name}` ({}): {}",
                                table.file, x.message
                            ))
                            .at(file, text, d.range.clone())
                            .maybe_hint(x.hint.clone()),
                        );
                    }
                    Some(expanded.text)
                }
                Err(m) => {
                    diags.push(Diagnostic::error(m).at(file, text, d.args_range.clone()));
                    None
                }
            }
        }
        "coverage" => {
            if !d.args.is_empty() {
                diags.push(
                    Diagnostic::error("`coverage` takes no arguments")
                        .at(file, text, d.args_range.clone())
                        .hint("write {{#coverage}}"),
                );
                return None;
            }
            match &env.coverage {
                Some(c) => Some(c.render()),
                None => {
                    diags.push(Diagnostic::error("no coverage data is configured").at(file, text, d.range.clone()).hint("set `coverage = \"<folder>\"` under [preprocessor.alga] in book.toml"
                                ));
                    None
                }
            }
        }
        "schema-table" => {
            let words: Vec<&str> = d.args.split_whitespace().collect();
            let (name, pointer) = match words.as_slice() {
                [n] => (*n, ""),
                [n, p] => (*n, *p),
                _ => {
                    diags.push(
                        Diagnostic::error(
                            "`schema-table` takes a schema name and an optional JSON pointer",
                        )
                        .at(file, text, d.range.clone()),
                    );
                    return None;
                }
            };
            let Some(schema) = env.schemas.get(name) else {
                diags.push(
                    Diagnostic::error(format!("unknown schema `{name}`"))
                        .at(file, text, a0..a0 + name.len())
                        .maybe_hint(
                            nearest(name, env.schemas.keys().map(String::as_str))
                                .map(|n| format!("did you mean `{n}`?"))
                                .or(Some(
                                    "declare it under [preprocessor.alga.schemas] in book.toml"
                                        .into(),
                                )),
                        ),
                );
                return None;
            };
            if !pointer.is_empty() && !pointer.starts_with('/') {
                diags.push(
                    Diagnostic::error(format!("`{pointer}` is not a JSON pointer"))
                        .at(file, text, d.args_range.clone())
                        .hint("a pointer starts with `/`, e.g. `/properties/api`"),
                );
                return None;
            }
            if alga_schema_table::pointer_get(&schema.value, pointer).is_none() {
                // Report at the pointer the author wrote, with the part that
                // does resolve and what it holds.
                let at = a0 + d.args.find(pointer).unwrap_or(0);
                let mut good = String::new();
                for token in pointer.split('/').skip(1) {
                    let next = format!("{good}/{token}");
                    if alga_schema_table::pointer_get(&schema.value, &next).is_none() {
                        break;
                    }
                    good = next;
                }
                let keys: Vec<String> = match alga_schema_table::pointer_get(&schema.value, &good) {
                    Some(Value::Object(m)) => m.keys().cloned().collect(),
                    Some(Value::Array(a)) => (0..a.len()).map(|i| i.to_string()).collect(),
                    _ => Vec::new(),
                };
                let failed = pointer[good.len()..].trim_start_matches('/');
                let failed = failed.split('/').next().unwrap_or("");
                let hint = match nearest(failed, keys.iter().map(String::as_str)) {
                    Some(k) => format!("did you mean `{good}/{k}`?"),
                    None if keys.is_empty() => format!(
                        "`{}` holds no keys",
                        if good.is_empty() { "/" } else { &good }
                    ),
                    None => format!(
                        "`{}` has: {}",
                        if good.is_empty() { "/" } else { &good },
                        keys.join(", ")
                    ),
                };
                diags.push(
                    Diagnostic::error(format!(
                        "no schema at `{pointer}` in schema `{name}` ({})",
                        schema.file.display
                    ))
                    .at(file, text, at..at + pointer.len())
                    .hint(hint),
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
                diags.push(i.note(
                    Diagnostic::note_here("in the schema tables rendered here").at(
                        file,
                        text,
                        d.range.clone(),
                    ),
                ));
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
        "source-map" => {
            if !d.args.is_empty() {
                diags.push(Diagnostic::error("`source-map` takes no arguments").at(
                    file,
                    text,
                    d.args_range.clone(),
                ));
                return None;
            }
            Some(source_map::render(
                &env.registry,
                env.upstream.as_ref(),
                &env.cfg.upstream.repository,
                &env.cfg.upstream.commit,
            ))
        }
        _ => None,
    }
}

/// A page of the book being processed.
struct Work {
    book_path: String,
    display: String,
    source: String,
    live: bool,
}

/// Process the whole book: mount the archive, expand, lint, check links.
pub fn process(
    ctx: &PreprocessorContext,
    mut book: Book,
) -> anyhow::Result<(Book, Diagnostics, bool)> {
    let cfg = Config::from_context(ctx)?;
    let deny = cfg.deny_warnings;
    let mut diags = Diagnostics::default();
    if ctx.mdbook_version != mdbook_preprocessor::MDBOOK_VERSION {
        diags.push(
            Diagnostic::warning(format!(
                "mdbook-alga was built against mdBook {} but runs under mdBook {}",
                mdbook_preprocessor::MDBOOK_VERSION,
                ctx.mdbook_version
            ))
            .in_file("book.toml")
            .hint(format!(
                "install the pinned version: cargo install --locked mdbook@{}",
                mdbook_preprocessor::MDBOOK_VERSION
            )),
        );
    }
    let src_dir = ctx.config.book.src.clone();
    let mut env = Env::load(&ctx.root, cfg, &mut diags);
    let mut titles = std::collections::HashMap::new();
    for item in book.iter() {
        if let mdbook_preprocessor::book::BookItem::Chapter(ch) = item
            && let Some(path) = &ch.path
        {
            titles.insert(source_file::display_path(path), ch.name.clone());
        }
    }
    let archived = match &env.cfg.archive {
        Some(dir) => archive::load(&ctx.root, dir, &titles, &mut diags),
        None => Vec::new(),
    };
    mount_archive(&mut book, &archived);

    // Gather the pages to process.
    let mut work = Vec::new();
    book.for_each_chapter_mut(|ch| {
        let Some(path) = &ch.path else { return };
        let book_path = source_file::display_path(path);
        let arch = archived.iter().find(|a| a.book_path == book_path);
        let (display, source, live) = match arch {
            Some(a) => (a.display.clone(), a.text.clone(), false),
            None => {
                let sp = ch.source_path.clone().unwrap_or_else(|| path.clone());
                (
                    source_file::display_path(&src_dir.join(sp)),
                    ch.content.clone(),
                    true,
                )
            }
        };
        work.push(Work {
            book_path,
            display,
            source,
            live,
        });
    });

    check_coverage(&mut env, &work, &mut diags);
    let linter = lint::Linter::new(&env.registry, &env.superseded, env.upstream.as_ref())
        .with_repository(&env.cfg.upstream.repository);
    let mut expanded: BTreeMap<String, Expanded> = BTreeMap::new();
    for w in &work {
        let mut e = expand(&env, &w.display, &w.source, &mut diags);
        if w.live {
            linter.lint(&w.display, &w.source, &mut diags);
        }
        manifest_examples::check(
            &w.display,
            &w.source,
            env.manifest_validator.as_ref(),
            &mut diags,
        );
        if let Some(a) = archived.iter().find(|a| a.book_path == w.book_path) {
            e = Expanded {
                text: format!("{}{}", a.banner, e.text),
                map: e.map.with_prefix(a.banner.len()),
            };
        }
        expanded.insert(w.book_path.clone(), e);
    }

    let pages: Vec<links::Page> = work
        .iter()
        .map(|w| {
            let e = &expanded[&w.book_path];
            links::Page {
                path: w.book_path.clone(),
                file: w.display.clone(),
                source: &w.source,
                output: &e.text,
                map: &e.map,
            }
        })
        .collect();
    links::check(&pages, &ctx.root.join(&src_dir), &mut diags);
    drop(pages);
    check_citations(&env, &work, &mut diags);

    book.for_each_chapter_mut(|ch| {
        if let Some(path) = &ch.path
            && let Some(e) = expanded.remove(&source_file::display_path(path))
        {
            ch.content = e.text;
        }
    });
    if !env.cfg.archive_renderers.iter().any(|r| r == &ctx.renderer)
        && let Some(i) = book
            .items
            .iter()
            .position(|it| matches!(it, BookItem::PartTitle(t) if t == "Archive"))
    {
        book.items.truncate(i);
    }
    Ok((book, diags, deny))
}

/// Every upstream surface item: documented in its pages, or excluded.
fn check_coverage(env: &mut Env, work: &[Work], diags: &mut Diagnostics) {
    let Some(mut cov) = env.coverage.take() else {
        return;
    };
    let mut texts: BTreeMap<String, &str> = BTreeMap::new();
    for w in work.iter().filter(|w| w.live) {
        texts.insert(w.display.clone(), &w.source);
    }
    for f in &env.tables.files {
        texts.insert(f.display.clone(), &f.text);
    }
    for s in env.schemas.values() {
        texts.insert(s.file.display.clone(), &s.file.text);
    }
    cov.check(&texts, &env.cfg.upstream.commit, diags);
    env.coverage = Some(cov);
}

/// Every line citation of the pages and the data tables, against the lock.
fn check_citations(env: &Env, work: &[Work], diags: &mut Diagnostics) {
    let Some((lock, lock_file)) = &env.lock else {
        return;
    };
    let mut texts: BTreeMap<String, &str> = BTreeMap::new();
    let mut found = Vec::new();
    for w in work {
        found.extend(citations::find(&w.display, &w.source, &env.registry));
        texts.insert(w.display.clone(), &w.source);
    }
    for f in &env.tables.files {
        found.extend(citations::find(&f.display, &f.text, &env.registry));
        texts.insert(f.display.clone(), &f.text);
    }
    citations::check(
        &found,
        &texts,
        lock,
        lock_file,
        &env.cfg.upstream.commit,
        env.upstream.as_ref(),
        diags,
    );
}

fn mount_archive(book: &mut Book, pages: &[ArchivedPageRef]) {
    if pages.is_empty() {
        return;
    }
    book.push_item(BookItem::PartTitle("Archive".into()));
    let mut top: Vec<Chapter> = Vec::new();
    let mut children: BTreeMap<String, Vec<Chapter>> = BTreeMap::new();
    for p in pages {
        let ch = Chapter::new(
            &p.title,
            p.text.clone(),
            PathBuf::from(&p.book_path),
            Vec::new(),
        );
        // Its source path is its book path, so link checkers resolve its links as the HTML will.
        match &p.parent {
            Some(parent) => children.entry(parent.clone()).or_default().push(ch),
            None => top.push(ch),
        }
    }
    for mut ch in top {
        let key = ch
            .path
            .as_ref()
            .map(|p| source_file::display_path(p))
            .unwrap_or_default();
        if let Some(kids) = children.remove(&key) {
            for mut k in kids {
                k.parent_names = vec![ch.name.clone()];
                ch.sub_items.push(BookItem::Chapter(k));
            }
        }
        book.push_item(BookItem::Chapter(ch));
    }
}

type ArchivedPageRef = archive::ArchivedPage;
