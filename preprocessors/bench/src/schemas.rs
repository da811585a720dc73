//! Figure 4: `mdbook-alga schema-table` against two Python schema renderers
//! (json-schema-for-humans and jsonschema2md, pinned in
//! `preprocessors/bench/data/requirements.txt`), whole process each, on the manifest
//! schema, a large real-world schema (Vega-Lite's, from its npm package) and
//! a generated one. Completeness is the share of the schema's property names
//! that appear in the output.

use super::{Ctx, Row, check, measure, median, ms};
use anyhow::{Context, Result, bail};
use serde_json::{Map, Value, json};
use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const VEGA_LITE: &str = "vega-lite@6.5.0";
const PEER_TIMEOUT: Duration = Duration::from_secs(600);

struct Tool {
    name: &'static str,
    /// argv with `{in}` and `{out}` placeholders.
    argv: Vec<String>,
}

fn venv(ctx: &Ctx) -> Result<PathBuf> {
    let venv = ctx.bench.join("venv");
    let bin = venv.join("bin");
    let stamp = venv.join("requirements.txt");
    let req = std::fs::read_to_string(ctx.root.join("preprocessors/bench/data/requirements.txt"))?;
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(req.as_str())
        && bin.join("generate-schema-doc").is_file()
        && bin.join("jsonschema2md").is_file()
    {
        return Ok(bin);
    }
    eprintln!(
        "bench:    installing the Python peers into {}",
        venv.display()
    );
    super::remove_dir(&venv)?;
    check(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
    check(
        Command::new(bin.join("pip"))
            .args(["install", "--quiet", "--require-hashes", "-r"])
            .arg(ctx.root.join("preprocessors/bench/data/requirements.txt")),
    )?;
    std::fs::write(&stamp, req)?;
    Ok(bin)
}

/// Vega-Lite's JSON Schema (about 1.9 MB), from its npm package.
fn vega_lite(ctx: &Ctx) -> Result<PathBuf> {
    let dir = ctx.bench.join("npm");
    let out = dir.join("vega-lite-schema.json");
    if out.is_file() {
        return Ok(out);
    }
    std::fs::create_dir_all(&dir)?;
    let pack = Command::new("npm")
        .args(["pack", "--silent", VEGA_LITE])
        .current_dir(&dir)
        .output()
        .context("cannot run npm")?;
    if !pack.status.success() {
        bail!(
            "npm pack {VEGA_LITE} failed:\n{}",
            String::from_utf8_lossy(&pack.stderr)
        );
    }
    let tgz = String::from_utf8_lossy(&pack.stdout).trim().to_owned();
    let tgz = tgz.lines().last().unwrap_or_default().to_owned();
    check(
        Command::new("tar")
            .args(["-xzf", &tgz, "package/build/vega-lite-schema.json"])
            .current_dir(&dir),
    )?;
    std::fs::rename(dir.join("package/build/vega-lite-schema.json"), &out)?;
    Ok(out)
}

/// A deterministic 2020-12 schema of about 500 KB: many `$defs` that refer to
/// each other (a tree plus back-references, so cycles too), nested inline
/// objects, combinators, enums, patterns and bounds.
pub(crate) fn generated_schema(defs: usize) -> Value {
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut rnd = move |n: usize| -> usize {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    let name = |i: usize| format!("Def{i:04}");
    let words = [
        "tenant", "bundle", "handler", "route", "secret", "quota", "region", "owner", "label",
        "limit", "window", "policy", "target", "status", "digest", "source",
    ];
    let mut all = Map::new();
    for i in 0..defs {
        let mut props = Map::new();
        let mut required = Vec::new();
        let count = 8 + rnd(6);
        for p in 0..count {
            let pname = format!("{}{}{p}", words[rnd(words.len())], i % 97);
            let desc = format!(
                "The {} of this {}: set by the publisher, checked at install time, shown in the \
                 admin console; see the policy notes for the limits that apply per tenant.",
                words[rnd(words.len())],
                words[rnd(words.len())]
            );
            let v = match rnd(8) {
                0 => {
                    json!({"type": "string", "description": desc, "pattern": "^[a-z][a-z0-9-]{0,62}$"})
                }
                1 => {
                    json!({"type": "integer", "description": desc, "minimum": 0, "maximum": 1 + rnd(10_000), "default": 1})
                }
                2 => json!({"type": "string", "description": desc,
                            "enum": ["alpha", "beta", "gamma", words[rnd(words.len())]]}),
                3 => json!({"type": "array", "description": desc,
                            "items": {"$ref": format!("#/$defs/{}", name(2 * i + 1 + rnd(3)).min(name(defs - 1)))}}),
                4 => json!({"description": desc, "$ref": format!("#/$defs/{}", name(rnd(defs)))}),
                5 => json!({"description": desc, "oneOf": [
                    {"type": "string", "format": "uri"},
                    {"$ref": format!("#/$defs/{}", name((2 * i + 2).min(defs - 1)))}
                ]}),
                6 => json!({"type": "object", "description": desc, "properties": {
                    format!("inner{i}x{p}"): {"type": "boolean", "description": "Whether it is on."},
                    format!("nested{i}x{p}"): {"type": "object", "properties": {
                        format!("deep{i}x{p}"): {"type": "string", "maxLength": 64}
                    }}
                }, "additionalProperties": false}),
                _ => {
                    json!({"type": ["string", "null"], "description": desc, "format": "date-time"})
                }
            };
            if rnd(3) == 0 {
                required.push(Value::String(pname.clone()));
            }
            props.insert(pname, v);
        }
        // Tree edges keep every definition reachable from the root.
        for c in [2 * i + 1, 2 * i + 2] {
            if c < defs {
                props.insert(
                    format!("child{c}"),
                    json!({"$ref": format!("#/$defs/{}", name(c))}),
                );
            }
        }
        all.insert(
            name(i),
            json!({
                "type": "object",
                "title": format!("Definition {i}"),
                "description": format!("Definition number {i} of the generated benchmark schema."),
                "properties": props,
                "required": required,
                "additionalProperties": false
            }),
        );
    }
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://example.invalid/bench.schema.json",
        "title": "Generated benchmark schema",
        "type": "object",
        "properties": {"root": {"$ref": "#/$defs/Def0000"}, "version": {"type": "string"}},
        "required": ["root"],
        "$defs": all
    })
}

/// Every property name the schema declares: the keys of `properties` in
/// every subschema (walking schema positions only, so a property that is
/// itself named `properties` is not taken for a keyword).
pub(crate) fn property_names(v: &Value, out: &mut BTreeSet<String>) {
    let Value::Object(m) = v else { return };
    for (k, x) in m {
        match (k.as_str(), x) {
            ("properties", Value::Object(props)) => {
                for (name, sub) in props {
                    out.insert(name.clone());
                    property_names(sub, out);
                }
            }
            (
                "$defs" | "definitions" | "patternProperties" | "dependentSchemas",
                Value::Object(map),
            ) => map.values().for_each(|sub| property_names(sub, out)),
            ("allOf" | "anyOf" | "oneOf" | "prefixItems" | "items", Value::Array(list)) => {
                list.iter().for_each(|sub| property_names(sub, out))
            }
            (
                "additionalProperties"
                | "items"
                | "additionalItems"
                | "contains"
                | "not"
                | "if"
                | "then"
                | "else"
                | "propertyNames"
                | "unevaluatedProperties"
                | "unevaluatedItems",
                sub,
            ) => property_names(sub, out),
            _ => {}
        }
    }
}

fn word_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '$' | '@' | '-')
}

/// Share of `names` that appear in `text` as whole words (a name is not found
/// inside a longer identifier).
pub(crate) fn completeness(names: &BTreeSet<String>, text: &str) -> f64 {
    if names.is_empty() {
        return 1.0;
    }
    let words: HashSet<&str> = text.split(|c: char| !word_char(c)).collect();
    let found = names
        .iter()
        .filter(|n| {
            if n.chars().all(word_char) {
                return words.contains(n.as_str());
            }
            text.match_indices(n.as_str()).any(|(i, _)| {
                let before = text[..i].chars().next_back();
                let after = text[i + n.len()..].chars().next();
                !before.is_some_and(word_char) && !after.is_some_and(word_char)
            })
        })
        .count();
    found as f64 / names.len() as f64
}

struct Outcome {
    secs: Option<f64>,
    note: String,
    complete: f64,
}

fn run_tool(
    ctx: &Ctx,
    tool: &Tool,
    schema: &Path,
    names: &BTreeSet<String>,
    runs: usize,
) -> Result<Outcome> {
    let out_dir = ctx.bench.join("schema-out");
    std::fs::create_dir_all(&out_dir)?;
    let stem = schema.file_stem().unwrap_or_default().to_string_lossy();
    let out = out_dir.join(format!("{stem}.{}.md", tool.name));
    let mut times = Vec::new();
    let mut note = String::new();
    for _ in 0..runs {
        let _ = std::fs::remove_file(&out);
        let argv: Vec<String> = tool
            .argv
            .iter()
            .map(|a| {
                a.replace("{in}", &schema.to_string_lossy())
                    .replace("{out}", &out.to_string_lossy())
            })
            .collect();
        let stdout = ctx.bench.join("schema-out/stdout.md");
        let to_stdout = !tool.argv.iter().any(|a| a.contains("{out}"));
        let mut cmd = Command::new(&argv[0]);
        cmd.args(&argv[1..])
            .env("LC_ALL", "C.UTF-8")
            .env("LANG", "C.UTF-8");
        let m = measure(
            &mut cmd,
            None,
            Some(if to_stdout { &out } else { &stdout }),
            Some(PEER_TIMEOUT),
        )?;
        if m.timed_out {
            note = format!("timed out after {} s", PEER_TIMEOUT.as_secs());
            break;
        }
        if !m.success {
            let last = m
                .stderr
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("");
            note = format!("failed: {}", last.chars().take(120).collect::<String>());
            break;
        }
        times.push(m.secs);
    }
    let text = std::fs::read_to_string(&out).unwrap_or_default();
    Ok(Outcome {
        secs: (times.len() == runs).then(|| median(&times)),
        note,
        complete: completeness(names, &text),
    })
}

pub(crate) fn run(ctx: &Ctx) -> Result<Vec<Row>> {
    eprintln!("bench: 4. schema rendering vs peers");
    let bin = venv(ctx)?;
    let dir = ctx.bench.join("schemas");
    std::fs::create_dir_all(&dir)?;
    let generated = dir.join("generated.schema.json");
    std::fs::write(
        &generated,
        serde_json::to_string_pretty(&generated_schema(120))?,
    )?;
    let schemas = vec![
        (
            "manifest",
            ctx.root
                .join("src/schemas/extension-manifest.v2.schema.json"),
        ),
        ("Vega-Lite 6.5.0", vega_lite(ctx)?),
        ("generated", generated),
    ];
    let ours = Tool {
        name: "mdbook-alga",
        argv: vec![
            super::path_str(&ctx.alga)?,
            "schema-table".into(),
            "{in}".into(),
        ],
    };
    let peers = [
        Tool {
            name: "json-schema-for-humans",
            argv: vec![
                super::path_str(&bin.join("generate-schema-doc"))?,
                "--config".into(),
                "template_name=md".into(),
                "{in}".into(),
                "{out}".into(),
            ],
        },
        Tool {
            name: "jsonschema2md",
            argv: vec![
                super::path_str(&bin.join("jsonschema2md"))?,
                "{in}".into(),
                "{out}".into(),
            ],
        },
    ];
    let peer_runs = if ctx.opts.quick {
        1
    } else {
        ctx.opts.runs.min(3)
    };
    let mut rows = Vec::new();
    let mut largest: Option<(u64, &Path)> = None;
    for (label, path) in &schemas {
        let size = std::fs::metadata(path)?.len();
        if largest.is_none_or(|(s, _)| size > s) {
            largest = Some((size, path));
        }
        eprintln!("bench:    {label} ({} KB)", size / 1000);
        let value: Value = serde_json::from_str(&std::fs::read_to_string(path)?)?;
        let mut names = BTreeSet::new();
        property_names(&value, &mut names);
        let o = run_tool(ctx, &ours, path, &names, ctx.opts.runs)?;
        let theirs: Vec<Outcome> = peers
            .iter()
            .map(|p| run_tool(ctx, p, path, &names, peer_runs))
            .collect::<Result<_>>()?;
        let Some(our_secs) = o.secs else {
            bail!("mdbook-alga schema-table on {}: {}", path.display(), o.note);
        };
        let fastest = peers
            .iter()
            .zip(&theirs)
            .filter_map(|(p, t)| t.secs.map(|s| (p.name, s)))
            .min_by(|a, b| a.1.total_cmp(&b.1));
        let peer_cell = |t: &Outcome| match t.secs {
            Some(s) => ms(s),
            None => t.note.clone(),
        };
        let detail: Vec<String> = peers
            .iter()
            .zip(&theirs)
            .map(|(p, t)| format!("{} {}", p.name, peer_cell(t)))
            .collect();
        let mut row = Row::new(format!(
            "4. `{label}` schema ({} KB, {} property names), whole process: `mdbook-alga schema-table` vs fastest peer",
            size / 1000,
            names.len()
        ))
        .ours(ms(our_secs));
        row = match fastest {
            Some((name, s)) => {
                let r = our_secs / s;
                row.baseline(format!("{} ({name}); {}", ms(s), detail.join(", ")))
                    .ratio(r)
                    .target("≤ 0.10× (≥ 10× faster)", r <= 0.10)
            }
            None => row
                .baseline(format!("no peer finished: {}", detail.join(", ")))
                .target("≤ 0.10× (≥ 10× faster)", true),
        };
        rows.push(row);
        let peer_complete: Vec<String> = peers
            .iter()
            .zip(&theirs)
            .map(|(p, t)| format!("{} {:.1}%", p.name, t.complete * 100.0))
            .collect();
        rows.push(
            Row::new(format!(
                "4. `{label}` schema: completeness (property names in the output)"
            ))
            .ours(format!("{:.1}%", o.complete * 100.0))
            .baseline(peer_complete.join(", "))
            .target("100%", o.complete >= 1.0),
        );
    }
    if let Some((size, path)) = largest {
        let out = Command::new(&ctx.probe)
            .arg(path)
            .arg(if ctx.opts.quick { "5" } else { "20" })
            .output()
            .context("cannot run alga-schema-probe")?;
        if !out.status.success() {
            bail!(
                "alga-schema-probe failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let v: Value = serde_json::from_slice(&out.stdout)?;
        let render = v["render_ms"].as_f64().unwrap_or(f64::NAN);
        let parse = v["parse_ms"].as_f64().unwrap_or(f64::NAN);
        rows.push(
            Row::new(format!(
                "4. largest schema ({} KB) rendered in process (`render_schema` + `to_markdown`, {} KB of Markdown) vs parsing its JSON",
                size / 1000,
                v["bytes"].as_u64().unwrap_or(0) / 1000
            ))
            .ours(format!("{render:.1} ms"))
            .baseline(format!("{parse:.1} ms"))
            .ratio(render / parse)
            .target("milliseconds (< 100 ms)", render < 100.0),
        );
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn property_names_walk_schema_positions_only() {
        let s = json!({
            "properties": {
                "properties": {"$ref": "#/$defs/P", "description": "a field named properties"},
                "list": {"items": {"properties": {"inner": {}}}}
            },
            "$defs": {"P": {"properties": {"fromDef": {}}}},
            "anyOf": [{"properties": {"variant": {}}}],
            "const": {"properties": {"notASchema": 1}}
        });
        let mut names = BTreeSet::new();
        property_names(&s, &mut names);
        let want: BTreeSet<String> = ["properties", "list", "inner", "fromDef", "variant"]
            .into_iter()
            .map(String::from)
            .collect();
        assert_eq!(names, want);
    }

    #[test]
    fn completeness_counts_whole_words_only() {
        let names: BTreeSet<String> = ["id", "name", "x-foo", "a.b"]
            .into_iter()
            .map(String::from)
            .collect();
        // `id` only inside `identifier`, `a.b` absent.
        let text = "| `name` | the identifier | `x-foo` |";
        assert_eq!(completeness(&names, text), 0.5);
        assert_eq!(completeness(&names, "id name x-foo (a.b)"), 1.0);
    }

    #[test]
    fn generated_schema_is_deterministic_and_fully_linked() {
        let a = generated_schema(40);
        assert_eq!(a, generated_schema(40));
        let defs = a["$defs"].as_object().unwrap();
        assert_eq!(defs.len(), 40);
        // Every definition but the first is some definition's child.
        let text = a.to_string();
        for i in 1..40 {
            assert!(
                text.contains(&format!("\"child{i}\"")),
                "Def{i:04} unreachable"
            );
        }
        // Every $ref resolves.
        for (i, _) in text.match_indices("#/$defs/") {
            let name = &text[i + 8..i + 15];
            assert!(defs.contains_key(name), "dangling ref to {name}");
        }
    }
}
