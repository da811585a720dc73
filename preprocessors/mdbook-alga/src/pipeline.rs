//! The whole-book pipeline: mount the archive, check coverage, expand and
//! lint every page, validate manifest examples, check links and citations,
//! and hand the pages back to mdBook.

use crate::config::Config;
use crate::directives::{Expanded, expand};
use crate::env::Env;
use crate::{archive, links, lint, manifest_examples};
use alga_book_data::citations;
use alga_book_data::source_file;
use alga_diagnostics::{Diagnostic, Diagnostics};
use mdbook_preprocessor::PreprocessorContext;
use mdbook_preprocessor::book::{Book, BookItem, Chapter};
use std::collections::BTreeMap;
use std::path::PathBuf;

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
    check_probes_cited(&env, &work, &mut diags);

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

/// Every runtime probe is cited by a live page: a probe nobody cites checks
/// no claim of the book.
fn check_probes_cited(env: &Env, work: &[Work], diags: &mut Diagnostics) {
    let Some(probes) = &env.probes else {
        return;
    };
    let mut cited = std::collections::BTreeSet::new();
    for w in work.iter().filter(|w| w.live) {
        for d in alga_book_data::scanner::scan(&w.source).directives {
            if d.name == "probe"
                && !d.escaped
                && let Some(id) = d.args.split_whitespace().next()
            {
                cited.insert(id.to_owned());
            }
        }
    }
    let file = &probes.definitions_file;
    for def in &probes.definitions.probe {
        if !cited.contains(def.id.get_ref()) {
            diags.push(
                Diagnostic::warning(format!("probe `{}` is cited by no page", def.id.get_ref()))
                    .at(&file.display, &file.text, def.id.span())
                    .hint(format!(
                        "cite it where the book states what it shows: {{{{#probe {}}}}}",
                        def.id.get_ref()
                    )),
            );
        }
    }
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
