//! Figure 2: the preprocessor alone on generated books of 100 to 10,000
//! chapters that use every directive, fed the book JSON on stdin as mdBook
//! feeds it. The registry, tables, schema and upstream listing are the
//! repository's own.

use super::{Ctx, Row, alone, book_toml, measure, path_str, remove_dir, table_mut};
use anyhow::{Context, Result, bail};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

/// What the generated chapters cite, taken from the repository's data.
struct Material {
    keys: Vec<String>,
    symbols: Vec<(String, String)>,
    lines: Vec<(String, u32)>,
    tables: Vec<String>,
    manifests: Vec<(String, String)>,
    failing: Vec<(String, String)>,
    pointer: String,
}

fn material(root: &Path) -> Result<Material> {
    let mut m = Material {
        keys: Vec::new(),
        symbols: Vec::new(),
        lines: Vec::new(),
        tables: Vec::new(),
        manifests: Vec::new(),
        failing: Vec::new(),
        pointer: String::new(),
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("data/paths"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    for f in files {
        let t: toml::Table = std::fs::read_to_string(&f)?
            .parse()
            .with_context(|| f.display().to_string())?;
        for e in t
            .get("entry")
            .and_then(toml::Value::as_array)
            .into_iter()
            .flatten()
        {
            let Some(key) = e.get("key").and_then(toml::Value::as_str) else {
                continue;
            };
            m.keys.push(key.to_owned());
            if let Some(s) = e.get("symbols").and_then(toml::Value::as_table)
                && let Some(sym) = s.keys().next()
            {
                m.symbols.push((key.to_owned(), sym.clone()));
            }
            if let Some(n) = e.get("lines").and_then(toml::Value::as_integer)
                && n >= 1
            {
                m.lines.push((key.to_owned(), n as u32));
            }
        }
    }
    // Table directives as the real book writes them, of the tables that do not
    // link to the real book's chapters (which the generated books lack).
    let linkless: Vec<String> = std::fs::read_dir(root.join("data/tables"))?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let p = e.path();
            if p.extension()? != "toml" || std::fs::read_to_string(&p).ok()?.contains("](") {
                return None;
            }
            Some(p.file_stem()?.to_string_lossy().into_owned())
        })
        .collect();
    let mut pages = Vec::new();
    markdown_files(&root.join("src"), &mut pages)?;
    pages.sort();
    for p in &pages {
        let text = std::fs::read_to_string(p)?;
        for (i, _) in text.match_indices("{{#table ") {
            let rest = &text[i + 2..];
            let Some(end) = rest.find("}}") else { continue };
            let d = &rest[..end];
            let name = d.split_whitespace().nth(1).unwrap_or_default();
            if linkless.iter().any(|t| t == name) && !m.tables.iter().any(|t| t == d) {
                m.tables.push(d.to_owned());
            }
        }
        // `json manifest` examples, valid and expected to fail.
        let mut lines = text.lines();
        while let Some(l) = lines.next() {
            let Some(info) = l.strip_prefix("```json manifest") else {
                continue;
            };
            let body: Vec<&str> = lines.by_ref().take_while(|l| *l != "```").collect();
            let entry = (l.to_owned(), body.join("\n"));
            if info.trim().is_empty() {
                m.manifests.push(entry);
            } else if info.trim_start().starts_with("expect-error=") {
                m.failing.push(entry);
            }
        }
    }
    let schema: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(
        root.join("src/schemas/extension-manifest.v2.schema.json"),
    )?)?;
    let props = schema
        .get("properties")
        .and_then(serde_json::Value::as_object)
        .context("the manifest schema has no properties")?;
    m.pointer = if props.contains_key("api") {
        "/properties/api".into()
    } else {
        format!(
            "/properties/{}",
            props.keys().next().context("no property")?
        )
    };
    if m.symbols.is_empty()
        || m.lines.is_empty()
        || m.tables.is_empty()
        || m.manifests.is_empty()
        || m.failing.is_empty()
    {
        bail!(
            "the repository's data lacks material for every directive form \
             (symbols {}, line counts {}, table directives {}, manifests {}, failing manifests {})",
            m.symbols.len(),
            m.lines.len(),
            m.tables.len(),
            m.manifests.len(),
            m.failing.len()
        );
    }
    Ok(m)
}

fn markdown_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    for e in std::fs::read_dir(dir)? {
        let p = e?.path();
        if p.is_dir() {
            markdown_files(&p, out)?;
        } else if p.extension().is_some_and(|x| x == "md") {
            out.push(p);
        }
    }
    Ok(())
}

fn chapter_path(i: usize) -> String {
    format!("part{:03}/ch{i:05}.md", i / 100)
}

fn rel_link(from: usize, to: usize) -> String {
    if from / 100 == to / 100 {
        format!("ch{to:05}.md")
    } else {
        format!("../{}", chapter_path(to))
    }
}

const WORDS: &[&str] = &[
    "gateway", "runner", "bundle", "manifest", "storage", "install", "tenant", "handler",
];

/// One chapter. Every chapter cites paths in every form and links to its
/// neighbours' sections; every 5th has a manifest example, every 10th a data
/// table and a schema excerpt, every 50th a failing manifest, every 100th the
/// whole schema.
fn chapter(i: usize, n: usize, m: &Material) -> String {
    let w = WORDS[i % WORDS.len()];
    let key = |k: usize| &m.keys[(i * 7 + k) % m.keys.len()];
    let (sk, sym) = &m.symbols[i % m.symbols.len()];
    let (lk, len) = &m.lines[i % m.lines.len()];
    let end = (*len).min(1 + (i as u32 % 20));
    let mut s = String::new();
    let _ = write!(
        s,
        "# Chapter {i}: the {w}\n\n\
         This chapter describes the {w} as the code at the pin implements it; the entry point is \
         {{{{#path {k0}}}}}, and the definition that matters is {{{{#path {sk}#{sym}}}}}.\n\n\
         ## Overview\n\n\
         The {w} reads its settings once, at start-up ({{{{#path {lk}:1}}}}), and the part that \
         validates them is {{{{#path {lk}:1-{end}}}}}. See {{{{#path {k1} \"the {w} source\"}}}} \
         for the rest, the [details below](#details), the \
         [next chapter's details]({next}#details) and the [previous overview]({prev}#overview).\n\n\
         - the request path: {{{{#path {k2}}}}}\n\
         - the error path: {{{{#path {k3}}}}}\n\
         - where it is tested: {{{{#path {k4} \"tests\"}}}}\n\n\
         ## Details\n\n\
         Each step is checked twice: once when the bundle is published and once when it is \
         installed, so a manifest that passes the first check can still fail the second when \
         the tenant's settings changed in between.\n\n",
        k0 = key(0),
        k1 = key(1),
        k2 = key(2),
        k3 = key(3),
        k4 = key(4),
        next = rel_link(i, (i + 1) % n),
        prev = rel_link(i, (i + n - 1) % n),
    );
    if i.is_multiple_of(5) {
        let (info, body) = &m.manifests[i / 5 % m.manifests.len()];
        let _ = write!(s, "An example:\n\n{info}\n{body}\n```\n\n");
    }
    if i.is_multiple_of(10) {
        let t = &m.tables[i / 10 % m.tables.len()];
        let _ = write!(s, "### Reference\n\n{{{{{t}}}}}\n\n");
    }
    if i % 10 == 5 {
        let _ = write!(
            s,
            "### Fields\n\n{{{{#schema-table manifest {}}}}}\n\n",
            m.pointer
        );
    }
    if i.is_multiple_of(50) {
        let (info, body) = &m.failing[i / 50 % m.failing.len()];
        let _ = write!(s, "What publish rejects:\n\n{info}\n{body}\n```\n\n");
    }
    if i.is_multiple_of(100) {
        s.push_str("## The whole manifest\n\n{{#schema-table manifest}}\n");
    }
    s
}

/// Write a book of `n` chapters into `dir`.
fn generate(ctx: &Ctx, m: &Material, dir: &Path, n: usize) -> Result<()> {
    remove_dir(dir)?;
    let src = dir.join("src");
    std::fs::create_dir_all(&src)?;
    let mut summary = String::from("# Summary\n\n");
    for i in 0..n {
        if i.is_multiple_of(100) {
            std::fs::create_dir_all(src.join(format!("part{:03}", i / 100)))?;
            let _ = write!(summary, "\n# Part {}\n\n", i / 100);
        }
        let _ = writeln!(summary, "- [Chapter {i}]({})", chapter_path(i));
        std::fs::write(src.join(chapter_path(i)), chapter(i, n, m))?;
    }
    std::fs::write(src.join("SUMMARY.md"), summary)?;

    // The repository's [preprocessor.alga] as it is (its data reached through
    // links and a copy of the schema), without the archive; the upstream
    // listing's path made absolute.
    for link in ["preprocessors", "data", "theme"] {
        std::os::unix::fs::symlink(ctx.root.join(link), dir.join(link))?;
    }
    super::copy_dir(&ctx.root.join("src/schemas"), &src.join("schemas"))?;
    let real = book_toml(&ctx.root)?;
    let mut alga = real
        .get("preprocessor")
        .and_then(|p| p.get("alga"))
        .and_then(toml::Value::as_table)
        .cloned()
        .context("book.toml has no [preprocessor.alga]")?;
    alga.remove("archive");
    alga.insert("command".into(), path_str(&ctx.passthrough)?.into());
    alga.insert(
        "renderers".into(),
        toml::Value::Array(vec![toml::Value::String("html".into())]),
    );
    let up = table_mut(&mut alga, &["upstream"])?;
    if let Some(tree) = up.get("tree").and_then(toml::Value::as_str) {
        let abs = path_str(&ctx.root.join(tree))?;
        up.insert("tree".into(), abs.into());
    }
    let mut book = toml::Table::new();
    let mut meta = toml::Table::new();
    meta.insert(
        "title".into(),
        format!("Synthetic book of {n} chapters").into(),
    );
    book.insert("book".into(), meta.into());
    let mut pre = toml::Table::new();
    pre.insert("alga".into(), alga.into());
    book.insert("preprocessor".into(), pre.into());
    std::fs::write(dir.join("book.toml"), toml::to_string(&book)?)?;
    Ok(())
}

/// Capture the JSON mdBook sends the preprocessor, stopping before rendering.
fn capture(ctx: &Ctx, dir: &Path, json: &Path) -> Result<()> {
    let _ = std::fs::remove_file(json);
    let m = measure(
        Command::new(&ctx.mdbook)
            .arg("build")
            .current_dir(dir)
            .env("ALGA_BENCH_DUMP", json)
            .env("ALGA_BENCH_DUMP_ONLY", "1"),
        None,
        None,
        None,
    )?;
    if !json.is_file() {
        bail!(
            "mdbook did not hand {} the book:\n{}",
            ctx.passthrough.display(),
            m.stderr
        );
    }
    Ok(())
}

pub(crate) fn run(ctx: &Ctx) -> Result<Vec<Row>> {
    eprintln!("bench: 2. scale");
    let m = material(&ctx.root)?;
    let sizes: &[usize] = if ctx.opts.quick {
        &[1, 100, 1000]
    } else {
        &[1, 100, 1000, 10_000]
    };
    // (n, ours s, pass-through s, ours KiB, pass-through KiB, JSON bytes)
    let mut res = Vec::new();
    for &n in sizes {
        eprintln!("bench:    {n} chapter(s)");
        let dir = ctx.bench.join(format!("scale-{n}"));
        generate(ctx, &m, &dir, n)?;
        let json = ctx.bench.join(format!("scale-{n}.json"));
        capture(ctx, &dir, &json)?;
        let bytes = std::fs::metadata(&json)?.len();
        let (t, tp, rss, rssp) = alone(ctx, &dir, &json, true)?;
        res.push((n, t, tp, rss, rssp, bytes));
    }
    let t1 = res[0].1;
    let per = |n: usize, t: f64| (t - t1).max(0.0) / (n - 1) as f64;
    let (n100, t100) = (res[1].0, res[1].1);
    let base = per(n100, t100);
    let mut rows = Vec::new();
    for &(n, t, tp, rss, rssp, bytes) in &res[1..] {
        let p = per(n, t);
        let mut row = Row::new(format!(
            "2. {n} chapters (JSON {:.1} MB): preprocessor time per chapter, beyond the 1-chapter start-up ({})",
            bytes as f64 / 1e6,
            super::ms(t1)
        ))
        .ours(format!("{:.0} µs", p * 1e6))
        .baseline(format!("{:.0} µs at {n100}", base * 1e6))
        .ratio(p / base);
        if n != n100 {
            let r = p / base;
            row = row.target("≤ 1.5× (flat)", r <= 1.5);
        }
        rows.push(row);
        rows.push(
            Row::new(format!(
                "2. {n} chapters: peak RSS, preprocessor vs pass-through"
            ))
            .ours(format!("{:.1} MiB", rss as f64 / 1024.0))
            .baseline(format!("{:.1} MiB", rssp as f64 / 1024.0))
            .ratio(rss as f64 / rssp as f64),
        );
        let mut total = Row::new(format!(
            "2. {n} chapters: preprocessor alone, total, vs pass-through alone"
        ))
        .ours(super::ms(t))
        .baseline(super::ms(tp))
        .ratio(t / tp);
        if n == 10_000 {
            total = total.target("< 2 s", t < 2.0);
        }
        rows.push(total);
    }
    Ok(rows)
}
