//! `{{#probe ID [call=N] [CLAIM=VALUE]...}}` cites a runtime probe the way
//! `{{#path}}` cites code: it renders a link to the probe on the probes
//! page, and each `key=value` is a claim about what the Runner answered,
//! checked against the recorded run. `call=N` picks the call the claims
//! after it are about (the last call by default). The claims: `http` (the
//! HTTP status), `status` (the envelope's), `error` (its first line),
//! `cause` (the root cause the Runner logged), `body` and `header`
//! (`"name: value"`), each a part of the recorded text; `output` and
//! `no-output` (a line the call looked for in the Runner's output was, or
//! was not, there); `same-body-as=M` and `body-differs-from=M` (this call's
//! body against call M's). `{{#probes}}`
//! renders that page's body: the run, the components, and every probe's
//! calls and answers.

use super::Site;
use super::args::Arg;
use crate::env::Env;
use alga_book_data::probes::{CallDef, CallResult, ProbeDef, Probes};
use alga_diagnostics::{Diagnostic, Diagnostics, nearest};
use std::fmt::Write as _;

/// The claims a citation may make about an answer.
const KEYS: &[&str] = &[
    "call",
    "http",
    "status",
    "error",
    "cause",
    "body",
    "header",
    "output",
    "no-output",
    "same-body-as",
    "body-differs-from",
];

/// `{{#probe ID ...}}`.
pub(super) fn expand(env: &Env, site: &Site<'_>, diags: &mut Diagnostics) -> Option<String> {
    let (probes, page) = configured(env, site, diags)?;
    let Some(id) = site.args.first() else {
        diags.push(
            site.error_here("`probe` needs the id of a probe")
                .hint(format!(
                    "probes: {}",
                    probes.ids().collect::<Vec<_>>().join(", ")
                )),
        );
        return None;
    };
    let Some((def, res)) = probes.get(&id.text) else {
        diags.push(
            site.error(id.range.clone(), format!("no probe `{}`", id.text))
                .maybe_hint(nearest(&id.text, probes.ids()).map(|n| format!("did you mean `{n}`?")))
                .note(
                    Diagnostic::note_here("probes are defined here")
                        .in_file(&probes.definitions_file.display),
                ),
        );
        return None;
    };
    let link = relative_link(site.file, page).or_else(|| {
        diags.push(site.error_here(format!(
            "a probe citation links to `{page}`, so it belongs on a page of the book, not in `{}`",
            site.file
        )));
        None
    })?;
    let mut ok = true;
    let claims = parse_claims(site, &site.args[1..], def, diags, &mut ok)?;
    for (arg, key, value, call) in &claims {
        let answer = &res.call[*call - 1];
        if let Some(recorded) = contradiction(key, value, answer, &res.call) {
            ok = false;
            diags.push(
                site.error(
                    arg.range.clone(),
                    format!(
                        "the page says probe `{}` (call {call}) answered {}, but the recorded run answered {recorded}",
                        def.id.get_ref(),
                        shown(key, value),
                    ),
                )
                .hint(format!(
                    "fix the page; if the Runner changed, rerun `{}` (recorded {} at {})",
                    alga_book_data::probes::RUN,
                    probes.results.date,
                    &probes.results.pin[..probes.results.pin.len().min(10)]
                ))
                .note(
                    Diagnostic::note_here("the recorded answers").in_file(&probes.results_display),
                ),
            );
        }
    }
    ok.then(|| {
        format!(
            "[probe `{}`]({link}#probe-{})",
            def.id.get_ref(),
            def.id.get_ref()
        )
    })
}

/// `{{#probes}}`: the whole record.
pub(super) fn expand_all(env: &Env, site: &Site<'_>, diags: &mut Diagnostics) -> Option<String> {
    if let Err(e) = site.no_args(Some("write {{#probes}}".into())) {
        diags.push(e);
        return None;
    }
    let (probes, page) = configured(env, site, diags)?;
    if site.file != page {
        diags.push(
            site.error_here(format!(
                "`{{{{#probes}}}}` renders the page that `{{{{#probe}}}}` links to, `{page}`"
            ))
            .hint("move it there, or set `page` under [preprocessor.alga.probes] in book.toml"),
        );
        return None;
    }
    Some(render(probes))
}

fn configured<'e>(
    env: &'e Env,
    site: &Site<'_>,
    diags: &mut Diagnostics,
) -> Option<(&'e Probes, &'e str)> {
    let Some(cfg) = &env.cfg.probes else {
        diags.push(site.error_here("no runtime probes are configured").hint(
            "set `[preprocessor.alga.probes]` with `data = \"<folder>\"` and `page = \"src/<page>.md\"` in book.toml",
        ));
        return None;
    };
    // When the probe data is configured but did not load, its own errors
    // say why; one more at every citation would only repeat them.
    let probes = env.probes.as_ref()?;
    Some((probes, cfg.page.as_str()))
}

type Claim<'a> = (&'a Arg, String, String, usize);

fn parse_claims<'a>(
    site: &Site<'_>,
    args: &'a [Arg],
    def: &ProbeDef,
    diags: &mut Diagnostics,
    ok: &mut bool,
) -> Option<Vec<Claim<'a>>> {
    let mut call = def.call.len();
    let mut claims = Vec::new();
    for arg in args {
        let Some((key, value)) = arg.text.split_once('=') else {
            diags.push(
                site.error(
                    arg.range.clone(),
                    format!("`{}` is not `key=value`", arg.text),
                )
                .hint(format!("claims: {}", KEYS.join(", "))),
            );
            *ok = false;
            continue;
        };
        if !KEYS.contains(&key) {
            diags.push(
                site.error(arg.range.clone(), format!("unknown claim `{key}`"))
                    .hint(match nearest(key, KEYS.iter().copied()) {
                        Some(n) => format!("did you mean `{n}`?"),
                        None => format!("claims: {}", KEYS.join(", ")),
                    }),
            );
            *ok = false;
            continue;
        }
        if key == "call" {
            match value.parse::<usize>() {
                Ok(n) if (1..=def.call.len()).contains(&n) => call = n,
                _ => {
                    diags.push(site.error(
                        arg.range.clone(),
                        format!(
                            "probe `{}` makes {} call(s); `call={value}` is not one of them",
                            def.id.get_ref(),
                            def.call.len()
                        ),
                    ));
                    *ok = false;
                }
            }
            continue;
        }
        if matches!(key, "http" | "status") && value.parse::<u16>().is_err() {
            diags.push(site.error(
                arg.range.clone(),
                format!("`{key}={value}` is not a status code"),
            ));
            *ok = false;
            continue;
        }
        if matches!(key, "same-body-as" | "body-differs-from") {
            match value.parse::<usize>() {
                Ok(m) if (1..=def.call.len()).contains(&m) && m != call => {}
                _ => {
                    diags.push(site.error(
                        arg.range.clone(),
                        format!(
                            "`{key}={value}` must name another call of probe `{}` (1 to {}), not call {call}",
                            def.id.get_ref(),
                            def.call.len()
                        ),
                    ));
                    *ok = false;
                    continue;
                }
            }
        }
        if matches!(key, "output" | "no-output")
            && !def.call[call - 1].output.iter().any(|l| l.contains(value))
        {
            diags.push(
                site.error(
                    arg.range.clone(),
                    format!(
                        "call {call} of probe `{}` looked for no output line containing `{value}`",
                        def.id.get_ref()
                    ),
                )
                .hint("add the line to the call's `output` in probes.toml and rerun the probes"),
            );
            *ok = false;
            continue;
        }
        claims.push((arg, key.to_owned(), value.to_owned(), call));
    }
    Some(claims)
}

/// What the recorded answer says instead, when it contradicts the claim;
/// `calls` are all the probe's answers, for the claims that compare calls.
fn contradiction(key: &str, value: &str, a: &CallResult, calls: &[CallResult]) -> Option<String> {
    let body_of = |m: &str| {
        m.parse::<usize>()
            .ok()
            .and_then(|m| calls.get(m - 1))
            .map(|c| c.body.clone())
    };
    match key {
        "http" => (a.http.to_string() != value).then(|| format!("HTTP {}", a.http)),
        "status" => match a.status {
            Some(s) if s.to_string() == value => None,
            Some(s) => Some(format!("status {s}")),
            None => Some(format!("HTTP {} with no envelope", a.http)),
        },
        "error" => match &a.error {
            Some(e) if e.contains(value) => None,
            Some(e) => Some(format!("error `{e}`")),
            None => Some("no error".into()),
        },
        "cause" => match &a.cause {
            Some(c) if c.contains(value) => None,
            Some(c) => Some(format!("the cause `{c}`")),
            None => Some("an error with no cause".into()),
        },
        "body" => match &a.body {
            Some(b) if b.contains(value) => None,
            Some(b) => Some(format!("a body without it (`{}`)", clip(b, 80))),
            None => Some("no body".into()),
        },
        "header" => {
            let shown: Vec<String> = a
                .headers
                .iter()
                .flatten()
                .map(|(k, v)| format!("{k}: {v}"))
                .collect();
            if shown.iter().any(|h| h.contains(value)) {
                None
            } else if shown.is_empty() {
                Some("no headers".into())
            } else {
                Some(format!("the headers `{}`", shown.join("; ")))
            }
        }
        "output" | "no-output" => {
            let seen = a
                .output
                .iter()
                .filter(|(line, _)| line.contains(value))
                .any(|(_, seen)| *seen);
            match (key, seen) {
                ("output", false) => Some("output without that line".into()),
                ("no-output", true) => Some("output with that line".into()),
                _ => None,
            }
        }
        "same-body-as" => {
            let other = body_of(value)?;
            (other != a.body).then(|| format!("a body that differs from call {value}'s"))
        }
        "body-differs-from" => {
            let other = body_of(value)?;
            (other == a.body).then(|| format!("the same body as call {value}"))
        }
        _ => None,
    }
}

/// The claim `key=value` as the page makes it, in words.
fn shown(key: &str, value: &str) -> String {
    match key {
        "http" => format!("HTTP {value}"),
        "status" => format!("status {value}"),
        "error" => format!("an error containing `{value}`"),
        "cause" => format!("an error caused by `{value}`"),
        "body" => format!("a body containing `{value}`"),
        "header" => format!("a header containing `{value}`"),
        "output" => format!("output with `{value}`"),
        "no-output" => format!("output without `{value}`"),
        "same-body-as" => format!("the same body as call {value}"),
        "body-differs-from" => format!("a body that differs from call {value}'s"),
        _ => format!("{key} {value}"),
    }
}

fn clip(text: &str, n: usize) -> String {
    let mut out: String = text.chars().take(n).collect();
    if out.len() < text.len() {
        out.push('…');
    }
    out
}

/// The link from page `from` to page `to`, both relative to the book root
/// and under the same top folder (the book's `src`).
fn relative_link(from: &str, to: &str) -> Option<String> {
    let top = |p: &str| p.split('/').next().map(str::to_owned);
    if !from.ends_with(".md") || top(from) != top(to) {
        return None;
    }
    let from_dirs: Vec<&str> = from.split('/').collect();
    let to_parts: Vec<&str> = to.split('/').collect();
    let from_dirs = &from_dirs[..from_dirs.len() - 1];
    let common = from_dirs
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut out = "../".repeat(from_dirs.len() - common);
    out.push_str(&to_parts[common..].join("/"));
    Some(out)
}

fn render(p: &Probes) -> String {
    let r = &p.results;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Recorded on {} at upstream commit `{}`.\n\n- Runner: {}.\n- Components built with {}.\n- Definitions: `{}`; answers: `{}`.\n",
        r.date,
        &r.pin[..r.pin.len().min(10)],
        r.runner,
        r.tools,
        p.definitions_file.display,
        p.results_display
    );
    let _ = writeln!(
        out,
        "### Components {{#probe-components}}\n\n| Component | What it is | Size | sha256 |\n|---|---|---:|---|"
    );
    for c in &p.definitions.component {
        let id = c.id.get_ref();
        let (size, hash) = r
            .components
            .get(id)
            .map(|c| {
                (
                    format!("{:.1} MB", c.bytes as f64 / 1_000_000.0),
                    format!("`{}…`", &c.sha256[..c.sha256.len().min(12)]),
                )
            })
            .unwrap_or_default();
        let _ = writeln!(out, "| `{id}` | {} | {size} | {hash} |", c.what);
    }
    out.push('\n');
    for def in &p.definitions.probe {
        let id = def.id.get_ref();
        let Some((_, res)) = p.get(id) else { continue };
        let _ = writeln!(
            out,
            "### `{id}` {{#probe-{id}}}\n\n{}. Component: `{}`.\n",
            def.what.trim_end_matches('.'),
            def.component.get_ref()
        );
        for (n, (call, answer)) in def.call.iter().zip(&res.call).enumerate() {
            let label = if def.call.len() > 1 {
                format!("Call {}: sent", n + 1)
            } else {
                "Sent".to_owned()
            };
            let _ = writeln!(out, "{label} {}.\n", sent(call));
            let _ = writeln!(out, "Answered {}\n", answered(answer));
        }
    }
    out
}

fn code(text: &str) -> String {
    if text.contains('`') {
        format!("`` {text} ``")
    } else {
        format!("`{text}`")
    }
}

fn sent(c: &CallDef) -> String {
    if let Some(raw) = &c.raw {
        return format!("`POST /v1/execute` with the raw body {}", code(raw));
    }
    if let Some(e) = &c.endpoint {
        return code(e);
    }
    let mut parts = vec![format!(
        "`{} {}`",
        c.method.as_deref().unwrap_or("GET"),
        c.path.as_deref().unwrap_or("/")
    )];
    if !c.query.is_empty() {
        let q: Vec<String> = c.query.iter().map(|(k, v)| format!("{k}={v}")).collect();
        parts.push(format!("query {}", code(&q.join("&"))));
    }
    for (k, v) in &c.headers {
        parts.push(format!("header {}", code(&format!("{k}: {v}"))));
    }
    if let Some(b) = &c.body {
        parts.push(format!("body {}", code(b)));
    }
    for (k, v) in &c.config {
        parts.push(format!("config {}", code(&format!("{k}={v}"))));
    }
    if !c.providers.is_empty() {
        parts.push(format!("providers {}", code(&c.providers.join(", "))));
    }
    if let Some(u) = &c.user {
        let keys: Vec<&str> = u.keys().map(String::as_str).collect();
        parts.push(format!("a `user` with only {}", code(&keys.join(", "))));
    }
    match &c.limits {
        Some(l) if l.is_empty() => parts.push("no `limits`".into()),
        Some(l) => {
            let shown: Vec<String> = l.iter().map(|(k, v)| format!("{k} = {v}")).collect();
            parts.push(format!("limits {}", code(&shown.join(", "))));
        }
        None => {}
    }
    if c.routing_headers == Some(false) {
        parts.push("without the routing headers".into());
    }
    if let Some(k) = &c.idempotency_key {
        parts.push(format!("`x-idempotency-key: {k}`"));
    }
    if let Some(h) = &c.content_hash {
        parts.push(format!("content hash: {h}"));
    }
    format!("an execute request for {}", parts.join(", "))
}

fn answered(a: &CallResult) -> String {
    let mut out = format!("HTTP {}", a.http);
    if let Some(ct) = &a.content_type {
        let _ = write!(out, " (`{ct}`)");
    }
    match a.status {
        Some(s) => {
            let _ = write!(out, ", envelope status **{s}**");
            if let Some(e) = &a.error {
                let _ = write!(out, ", error {}", code(&clip(e, 300)));
            }
            if let Some(c) = &a.cause {
                let _ = write!(out, " caused by {}", code(c));
            }
            if let Some(h) = &a.headers {
                if h.is_empty() {
                    out.push_str(", no headers");
                } else {
                    let hs: Vec<String> = h.iter().map(|(k, v)| format!("{k}: {v}")).collect();
                    let _ = write!(out, ", headers {}", code(&hs.join("; ")));
                }
            }
            match &a.body {
                None => out.push_str(", `body_b64` null."),
                Some(b) => {
                    let _ = write!(out, ", body:\n\n```text\n{}\n```", b.trim_end());
                }
            }
        }
        None => match &a.body {
            Some(b) if !b.is_empty() => {
                let _ = write!(
                    out,
                    ", not an envelope:\n\n```text\n{}\n```",
                    clip(b.trim_end(), 600)
                );
            }
            _ => out.push_str(", no body."),
        },
    }
    for (line, seen) in &a.output {
        let _ = write!(
            out,
            "\n\nThe Runner's output {} {}.",
            if *seen { "shows" } else { "does not show" },
            code(line)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_relative_to_the_citing_page() {
        let to = "src/reference/runtime-probes.md";
        assert_eq!(
            relative_link("src/guides/a.md", to).as_deref(),
            Some("../reference/runtime-probes.md")
        );
        assert_eq!(
            relative_link("src/reference/b.md", to).as_deref(),
            Some("runtime-probes.md")
        );
        assert_eq!(
            relative_link("src/README.md", to).as_deref(),
            Some("reference/runtime-probes.md")
        );
        assert_eq!(relative_link("data/tables/errors.toml", to), None);
    }

    #[test]
    fn a_claim_is_contradicted_only_by_a_different_answer() {
        let a = CallResult {
            http: 200,
            status: Some(500),
            error: Some("execute_failed: trap".into()),
            ..CallResult::default()
        };
        let c = |k: &str, v: &str| contradiction(k, v, &a, std::slice::from_ref(&a));
        assert_eq!(c("status", "500"), None);
        assert_eq!(c("error", "execute_failed"), None);
        assert_eq!(c("status", "200").as_deref(), Some("status 500"));
        assert_eq!(c("http", "422").as_deref(), Some("HTTP 200"));
        assert_eq!(c("body", "x").as_deref(), Some("no body"));
        assert_eq!(c("header", "x").as_deref(), Some("no headers"));
        assert_eq!(
            c("cause", "interrupt").as_deref(),
            Some("an error with no cause")
        );
    }

    #[test]
    fn headers_output_and_bodies_of_other_calls_are_claims_too() {
        let first = CallResult {
            http: 200,
            status: Some(200),
            headers: Some([("content-type".to_owned(), "text/plain".to_owned())].into()),
            body: Some("{\"now\":1}".into()),
            output: [
                ("probe: out".to_owned(), true),
                ("probe: err".to_owned(), false),
            ]
            .into(),
            ..CallResult::default()
        };
        let second = CallResult {
            body: Some("{\"now\":2}".into()),
            ..first.clone()
        };
        let calls = [first.clone(), second.clone()];
        let c = |k: &str, v: &str, a: &CallResult| contradiction(k, v, a, &calls);
        assert_eq!(c("header", "content-type: text/plain", &first), None);
        assert_eq!(
            c("header", "x-other", &first).as_deref(),
            Some("the headers `content-type: text/plain`")
        );
        assert_eq!(c("output", "probe: out", &first), None);
        assert_eq!(c("no-output", "probe: err", &first), None);
        assert_eq!(
            c("output", "probe: err", &first).as_deref(),
            Some("output without that line")
        );
        assert_eq!(
            c("no-output", "probe: out", &first).as_deref(),
            Some("output with that line")
        );
        assert_eq!(c("body-differs-from", "1", &second), None);
        assert_eq!(
            c("same-body-as", "1", &second).as_deref(),
            Some("a body that differs from call 1's")
        );
        assert_eq!(c("same-body-as", "1", &first), None);
        assert_eq!(
            c("body-differs-from", "1", &first).as_deref(),
            Some("the same body as call 1")
        );
    }
}
