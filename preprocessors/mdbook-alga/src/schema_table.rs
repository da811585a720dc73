//! `{{#schema-table NAME [POINTER]}}`: JSON Schema rendered as flat Markdown
//! tables, one per object, rows as dotted paths with stable anchors.
//!
//! Handles draft-07 and 2020-12: `$ref` into `$defs`/`definitions`/any local
//! pointer, combinators, `if`/`then`/`else`, boolean schemas and reference
//! cycles (each definition is rendered once; later uses link to it). Never
//! fetches anything: an external `$ref` is reported.

use handlebars::Handlebars;
use serde::Serialize;
use serde_json::{Map, Value};
// Internal maps are keyed by schema pointers and ids: a fast hasher, since
// nothing here is keyed by untrusted input an attacker could collide cheaply
// to any effect beyond a slower build.
use foldhash::{HashMap, HashSet};
use std::rc::Rc;

/// A problem in the schema, at a JSON pointer of the schema document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaIssue {
    pub pointer: String,
    pub message: String,
    pub error: bool,
}

#[derive(Debug, Serialize)]
pub struct Row {
    pub id: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub required: String,
    pub default: String,
    pub constraints: String,
    pub description: String,
}

#[derive(Debug, Serialize)]
pub struct TableOut {
    pub id: String,
    pub title: String,
    pub kind: String,
    pub description: String,
    /// Whether any row has a default: the default template drops the column
    /// otherwise.
    pub has_default: bool,
    /// Variants that are named definitions (a `$ref` under `anyOf`, `oneOf`,
    /// `then`, `else` or `dependentSchemas`): linked, each with its own
    /// table, rather than merged into this one.
    pub variants: Vec<VariantLink>,
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

#[derive(Debug, Serialize)]
pub struct Rendered {
    pub tables: Vec<TableOut>,
}

const KNOWN_TYPES: &[&str] = &[
    "string", "number", "integer", "boolean", "object", "array", "null",
];

/// The default template: one heading-less block per object table.
pub const DEFAULT_TEMPLATE: &str = r#"{{#each tables}}
<div class="schema-table" id="{{{id}}}">

**{{{title}}}** ({{{kind}}}){{#if description}}: {{{description}}}{{/if}}
{{#if variants}}

{{#each variants}}
- {{{when}}}: [{{{name}}}](#{{{id}}})
{{/each}}
{{/if}}
{{#if rows}}

| Field | Type | Required |{{#if has_default}} Default |{{/if}} Constraints | Description |
|---|---|---|{{#if has_default}}---|{{/if}}---|---|
{{#each rows}}
| <span id="{{{id}}}"></span>{{{name}}} | {{{type}}} | {{{required}}} |{{#if ../has_default}} {{{default}}} |{{/if}} {{{constraints}}} | {{{description}}} |
{{/each}}
{{/if}}

</div>
{{/each}}
"#;

/// The only markup a cell keeps: the fold around a long pattern. Both tags
/// are fixed strings without free attributes, so they cannot carry script.
const KEPT_TAGS: [&str; 2] = [
    "<details class=\"schema-pattern\"><summary>pattern</summary>",
    "</details>",
];

/// Escape text for a Markdown table cell: HTML outside code spans, pipes,
/// line breaks. Code spans are kept as code.
pub fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let bytes = text.as_bytes();
    let mut in_code = false;
    let (mut i, mut copied) = (0, 0);
    while let Some(n) = bytes[i..].iter().position(|&b| CELL_SPECIAL[b as usize]) {
        i += n;
        let b = bytes[i];
        // Every special character is ASCII: the slices fall on char
        // boundaries.
        out.push_str(&text[copied..i]);
        if b == b'<'
            && !in_code
            && let Some(tag) = KEPT_TAGS.iter().find(|t| text[i..].starts_with(**t))
        {
            out.push_str(tag);
            i += tag.len();
            copied = i;
            continue;
        }
        match b {
            b'`' => {
                in_code = !in_code;
                out.push('`');
            }
            b'|' => out.push_str("\\|"),
            b'\r' => {}
            b'\n' => out.push(' '),
            b'<' if !in_code => out.push_str("&lt;"),
            b'>' if !in_code => out.push_str("&gt;"),
            b'&' if !in_code => out.push_str("&amp;"),
            b'[' if !in_code => out.push_str("\\["),
            b']' if !in_code => out.push_str("\\]"),
            b'{' if !in_code && bytes.get(i + 1) == Some(&b'{') => out.push_str("&#123;"),
            _ => out.push(b as char),
        }
        i += 1;
        copied = i;
    }
    out.push_str(&text[copied..]);
    if in_code {
        // An unbalanced backtick would swallow the rest of the row.
        out = out.replace('`', "\\`");
    }
    let trimmed = out.trim();
    if trimmed.len() == out.len() {
        out
    } else {
        trimmed.to_owned()
    }
}

/// The bytes [`cell`] may rewrite; everything else is copied in runs.
const CELL_SPECIAL: [bool; 256] = {
    let mut t = [false; 256];
    let special = b"`|\r\n<>&[]{";
    let mut i = 0;
    while i < special.len() {
        t[special[i] as usize] = true;
        i += 1;
    }
    t
};

fn code(v: &str) -> String {
    // A code span that survives backticks inside.
    let fence = if v.contains('`') { "`` " } else { "`" };
    let mut out = String::with_capacity(v.len() + 8);
    out.push_str(fence);
    let mut copied = 0;
    for (i, b) in v.bytes().enumerate() {
        let with = match b {
            b'|' => "\\|",
            b'\n' | b'\r' => " ",
            _ => continue,
        };
        out.push_str(&v[copied..i]);
        out.push_str(with);
        copied = i + 1;
    }
    out.push_str(&v[copied..]);
    out.extend(fence.chars().rev());
    out
}

/// Patterns longer than this are folded away behind a "pattern" toggle, so a
/// long regular expression cannot crowd the table.
const LONG_PATTERN: usize = 40;

fn pattern(p: &str) -> String {
    if p.chars().count() > LONG_PATTERN {
        format!("{}{}{}", KEPT_TAGS[0], code(p), KEPT_TAGS[1])
    } else {
        format!("pattern {}", code(p))
    }
}

fn json_code(v: &Value) -> String {
    code(&serde_json::to_string(v).unwrap_or_default())
}

fn escape_pointer_token(t: &str) -> std::borrow::Cow<'_, str> {
    if t.contains(['~', '/']) {
        t.replace('~', "~0").replace('/', "~1").into()
    } else {
        t.into()
    }
}

/// Append `n` in decimal.
fn push_number(out: &mut String, n: usize) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut n = n;
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    // ASCII digits only.
    out.extend(digits[at..].iter().map(|&d| d as char));
}

/// `parts` joined, allocated once: cheaper than `format!` on the hot paths.
fn concat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        out.push_str(p);
    }
    out
}

fn unescape_pointer_token(t: &str) -> String {
    t.replace("~1", "/").replace("~0", "~")
}

/// Characters allowed in generated ids.
fn id_part(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

fn is_ident(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '$')
}

struct Ctx<'a> {
    root: &'a Value,
    prefix: String,
    issues: Vec<SchemaIssue>,
    tables: Vec<TableOut>,
    /// Table id of each object schema rendered or scheduled, by the
    /// schema's [`address`].
    rendered: HashMap<usize, String>,
    used_ids: HashSet<String>,
    /// Rows anchored by schema pointer, for links back.
    queue: std::collections::VecDeque<Pending<'a>>,
    /// Whether the schema at a pointer declares properties through its
    /// applicators: asked once per row, so remembered.
    has_applied: HashMap<usize, bool>,
    /// Row descriptions by the address of the schema node (one node, one
    /// description, however it is reached), and those being worked out.
    described: HashMap<usize, Rc<Described<'a>>>,
    describing: HashSet<usize>,
    /// Each `$ref` string resolved so far: its target's pointer and schema.
    resolved: HashMap<&'a str, (String, &'a Value)>,
}

struct Pending<'a> {
    pointer: String,
    schema: &'a Value,
    /// The definition's name, for the table of a named variant.
    definition: Option<String>,
    label: String,
    anchor: String,
    /// The table id reserved when the table was scheduled (empty: pick one
    /// when rendering). Reserved up front so links to it are right.
    id: String,
}

impl<'a> Ctx<'a> {
    fn new(root: &'a Value, prefix: &str) -> Ctx<'a> {
        Ctx {
            root,
            prefix: id_part(prefix),
            issues: Vec::new(),
            tables: Vec::new(),
            rendered: HashMap::default(),
            used_ids: HashSet::default(),
            has_applied: HashMap::default(),
            described: HashMap::default(),
            describing: HashSet::default(),
            resolved: HashMap::default(),
            queue: std::collections::VecDeque::new(),
        }
    }

    fn issue(&mut self, pointer: &str, message: impl Into<String>, error: bool) {
        let i = SchemaIssue {
            pointer: pointer.to_owned(),
            message: message.into(),
            error,
        };
        if !self.issues.contains(&i) {
            self.issues.push(i);
        }
    }

    fn unique_id(&mut self, base: String) -> String {
        if self.used_ids.insert(base.clone()) {
            return base;
        }
        let mut n = 1;
        loop {
            let c = format!("{base}-{n}");
            if self.used_ids.insert(c.clone()) {
                return c;
            }
            n += 1;
        }
    }

    /// Follow `$ref`s from `pointer` to a schema that is not a bare reference.
    /// Returns the final pointer and schema; stops on cycles and bad refs.
    fn deref(&mut self, pointer: &str, schema: &'a Value) -> (String, &'a Value) {
        let mut seen = HashSet::default();
        let (mut p, mut s) = (pointer.to_owned(), schema);
        let mut bare = true;
        while let Some(r) = ref_of(s) {
            bare &= is_bare_ref(s);
            if !seen.insert(p.clone()) {
                if bare {
                    self.issue(
                        &p,
                        format!(
                            "`$ref` `{r}` is part of a reference cycle that never reaches a schema"
                        ),
                        true,
                    );
                }
                break;
            }
            match self.resolve_ref(&p, r) {
                Some((np, ns)) => {
                    // A `$ref` with siblings (2020-12) keeps its own keywords; we
                    // still describe the target's shape.
                    p = np;
                    s = ns;
                }
                None => break,
            }
        }
        (p, s)
    }

    /// Resolve `r` (found at `at`); a reference met before is looked up
    /// once.
    fn resolve_ref(&mut self, at: &str, r: &'a str) -> Option<(String, &'a Value)> {
        if let Some((p, v)) = self.resolved.get(r) {
            return Some((p.clone(), *v));
        }
        let found = self.resolve_ref_uncached(at, r)?;
        self.resolved.insert(r, found.clone());
        Some(found)
    }

    fn resolve_ref_uncached(&mut self, at: &str, r: &str) -> Option<(String, &'a Value)> {
        let Some(frag) = r.strip_prefix('#') else {
            self.issue(
                at,
                format!("external `$ref` `{r}` is not followed (no network access)"),
                false,
            );
            return None;
        };
        if !frag.is_empty() && !frag.starts_with('/') {
            // `$anchor` references: search for a matching `$anchor`.
            if let Some(p) = find_anchor(self.root, "", frag) {
                let v = pointer_get(self.root, &p)?;
                return Some((p, v));
            }
            self.issue(
                at,
                format!("dangling `$ref` `{r}`: no `$anchor` named `{frag}`"),
                true,
            );
            return None;
        }
        match pointer_get(self.root, frag) {
            Some(v) => Some((frag.to_owned(), v)),
            None => {
                self.issue(
                    at,
                    format!("dangling `$ref` `{r}`: nothing at that pointer"),
                    true,
                );
                None
            }
        }
    }

    /// Validate the keywords this renderer relies on.
    fn check_shape(&mut self, pointer: &str, s: &Value) {
        let Value::Object(m) = s else {
            if !s.is_boolean() {
                self.issue(
                    pointer,
                    format!(
                        "a schema must be an object or a boolean, found {}",
                        kind_of(s)
                    ),
                    true,
                );
            }
            return;
        };
        // One pass over the keywords present; the checks below, which look
        // each keyword up, run only for a schema that has a misshapen one.
        if m.iter().any(|(k, v)| misshapen(k, v)) {
            self.report_shape(pointer, m);
        }
    }

    fn report_shape(&mut self, pointer: &str, m: &Map<String, Value>) {
        if let Some(t) = m.kw("type") {
            let names: Vec<&Value> = match t {
                Value::Array(a) => a.iter().collect(),
                other => vec![other],
            };
            for n in names {
                match n.as_str() {
                    Some(n) if KNOWN_TYPES.contains(&n) => {}
                    _ => {
                        let hint = n
                            .as_str()
                            .and_then(|n| alga_diagnostics::nearest(n, KNOWN_TYPES.iter().copied()))
                            .map(|n| format!(" (did you mean `{n}`?)"))
                            .unwrap_or_default();
                        self.issue(
                            &format!("{pointer}/type"),
                            format!("unknown type {n}{hint}"),
                            true,
                        )
                    }
                }
            }
        }
        for key in [
            "properties",
            "patternProperties",
            "$defs",
            "definitions",
            "dependentSchemas",
        ] {
            if let Some(v) = m.kw(key)
                && !v.is_object()
            {
                self.issue(
                    &format!("{pointer}/{key}"),
                    format!("`{key}` must be an object, found {}", kind_of(v)),
                    true,
                );
            }
        }
        for key in ["allOf", "anyOf", "oneOf", "prefixItems"] {
            if let Some(v) = m.kw(key)
                && !v.is_array()
            {
                self.issue(
                    &format!("{pointer}/{key}"),
                    format!("`{key}` must be an array, found {}", kind_of(v)),
                    true,
                );
            }
        }
        if let Some(v) = m.kw("required")
            && !(v.is_array() || v.is_boolean())
        {
            self.issue(
                &format!("{pointer}/required"),
                format!("`required` must be an array, found {}", kind_of(v)),
                true,
            );
        }
        if let Some(v) = m.kw("$ref")
            && !v.is_string()
        {
            self.issue(&format!("{pointer}/$ref"), "`$ref` must be a string", true);
        }
    }
}

/// The identity of a schema node in the document: two pointers that reach
/// the same node (through `$ref`, `$anchor` or percent-encoding) give one
/// address, and hashing it costs nothing next to hashing a pointer.
fn address(v: &Value) -> usize {
    std::ptr::from_ref(v) as usize
}

/// The keywords [`Ctx::add_local_constraints`] turns into constraints.
fn is_constraint_keyword(k: &str) -> bool {
    matches!(
        k,
        "pattern"
            | "format"
            | "minLength"
            | "maxLength"
            | "minimum"
            | "exclusiveMinimum"
            | "maximum"
            | "exclusiveMaximum"
            | "multipleOf"
            | "minItems"
            | "maxItems"
            | "uniqueItems"
            | "minProperties"
            | "maxProperties"
            | "additionalProperties"
            | "unevaluatedProperties"
            | "propertyNames"
            | "if"
            | "not"
            | "readOnly"
            | "writeOnly"
    )
}

/// Whether keyword `k` has a value of a shape [`Ctx::check_shape`] reports.
fn misshapen(k: &str, v: &Value) -> bool {
    let known = |t: &Value| t.as_str().is_some_and(|t| KNOWN_TYPES.contains(&t));
    match k {
        "type" => match v {
            Value::Array(a) => !a.iter().all(known),
            t => !known(t),
        },
        "properties" | "patternProperties" | "$defs" | "definitions" | "dependentSchemas" => {
            !v.is_object()
        }
        "allOf" | "anyOf" | "oneOf" | "prefixItems" => !v.is_array(),
        "required" => !(v.is_array() || v.is_boolean()),
        "$ref" => !v.is_string(),
        _ => false,
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The reference of a schema: `$ref`, or `$dynamicRef` (resolved statically,
/// as in the outermost dynamic scope).
fn ref_of(s: &Value) -> Option<&str> {
    s.kw("$ref")
        .or_else(|| s.kw("$dynamicRef"))
        .and_then(Value::as_str)
}

/// A schema that is only a reference plus annotations.
fn is_bare_ref(s: &Value) -> bool {
    s.as_object().is_some_and(|m| {
        m.keys().all(|k| {
            matches!(
                k.as_str(),
                "$ref"
                    | "$dynamicRef"
                    | "$comment"
                    | "$id"
                    | "$schema"
                    | "$anchor"
                    | "$dynamicAnchor"
                    | "title"
                    | "description"
                    | "default"
                    | "examples"
                    | "deprecated"
                    | "readOnly"
                    | "writeOnly"
            )
        })
    })
}

fn find_anchor(v: &Value, at: &str, name: &str) -> Option<String> {
    match v {
        Value::Object(m) => {
            if m.kw("$anchor").and_then(Value::as_str) == Some(name)
                || m.kw("$dynamicAnchor").and_then(Value::as_str) == Some(name)
            {
                return Some(at.to_owned());
            }
            m.iter().find_map(|(k, c)| {
                find_anchor(c, &format!("{at}/{}", escape_pointer_token(k)), name)
            })
        }
        Value::Array(a) => a
            .iter()
            .enumerate()
            .find_map(|(i, c)| find_anchor(c, &format!("{at}/{i}"), name)),
        _ => None,
    }
}

/// RFC 6901 lookup, percent-decoding as a URI fragment allows.
pub fn pointer_get<'v>(root: &'v Value, pointer: &str) -> Option<&'v Value> {
    if pointer.is_empty() {
        return Some(root);
    }
    let decoded = percent_decode(pointer);
    let mut cur = root;
    for tok in decoded.split('/').skip(1) {
        let tok = unescape_pointer_token(tok);
        cur = match cur {
            Value::Object(m) => m.kw(&tok)?,
            Value::Array(a) => a.get(tok.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_owned();
    }
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len() + 1
            && let Some(h) = s.get(i + 1..i + 3)
            && let Ok(x) = u8::from_str_radix(h, 16)
        {
            out.push(x);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The object-ness of a schema: has properties or says `type: object`.
fn is_object_schema(s: &Value) -> bool {
    match s {
        Value::Object(m) => {
            m.kw("properties").is_some_and(Value::is_object)
                || m.kw("patternProperties").is_some_and(Value::is_object)
                || type_names(m).contains(&"object")
                    && m.kw("additionalProperties").is_some_and(Value::is_object)
        }
        _ => false,
    }
}

fn type_names(m: &Map<String, Value>) -> Vec<&str> {
    match m.kw("type") {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    }
}

/// `oneOf`/`anyOf` whose members are all `const` (what schemars emits for enums).
fn const_members(m: &Map<String, Value>) -> Option<Vec<(&Value, Option<&str>)>> {
    for key in ["oneOf", "anyOf"] {
        if let Some(Value::Array(a)) = m.kw(key)
            && !a.is_empty()
            && a.iter().all(|x| x.kw("const").is_some())
        {
            return Some(
                a.iter()
                    .map(|x| (&x["const"], x.kw("description").and_then(Value::as_str)))
                    .collect(),
            );
        }
    }
    None
}

/// `anyOf: [T, {type: null}]` → T (what schemars emits for `Option<T>`).
fn nullable_inner(m: &Map<String, Value>) -> Option<(usize, &Value)> {
    for key in ["anyOf", "oneOf"] {
        if let Some(Value::Array(a)) = m.kw(key)
            && a.len() == 2
        {
            let is_null = |v: &Value| {
                v.kw("type").and_then(Value::as_str) == Some("null")
                    || v.kw("const") == Some(&Value::Null)
            };
            if is_null(&a[1]) {
                return Some((0, &a[0]));
            }
            if is_null(&a[0]) {
                return Some((1, &a[1]));
            }
        }
    }
    None
}

/// Keyword lookup in a schema object. Schemas are small maps: below a
/// handful of keys a scan beats hashing the keyword (serde_json's maps hash
/// with SipHash), and most lookups are for keywords that are absent.
trait Keyword {
    fn kw(&self, k: &str) -> Option<&Value>;
}

impl Keyword for Map<String, Value> {
    fn kw(&self, k: &str) -> Option<&Value> {
        if self.len() <= 8 {
            self.iter()
                .find(|(key, _)| key.as_str() == k)
                .map(|(_, v)| v)
        } else {
            self.get(k)
        }
    }
}

impl Keyword for Value {
    fn kw(&self, k: &str) -> Option<&Value> {
        self.as_object().and_then(|m| m.kw(k))
    }
}

/// The subschemas of `m`'s applicators that can declare fields: the members
/// of `allOf`, `anyOf` and `oneOf`, `then` and `else` (with an `if`), and
/// the entries of `dependentSchemas` (or draft-07 `dependencies`).
fn applicator_subs(m: &Map<String, Value>) -> Vec<(Via<'_>, &Value)> {
    let mut subs = Vec::new();
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(a)) = m.kw(key) {
            subs.extend(a.iter().enumerate().map(|(i, v)| (Via::Member(key, i), v)));
        }
    }
    if m.kw("if").is_some() {
        subs.extend(m.kw("then").map(|v| (Via::Then, v)));
        subs.extend(m.kw("else").map(|v| (Via::Else, v)));
    }
    for key in ["dependentSchemas", "dependencies"] {
        if let Some(Value::Object(deps)) = m.kw(key) {
            subs.extend(
                deps.iter()
                    .filter(|(_, v)| v.is_object())
                    .map(|(k, v)| (Via::Dependent(key, k), v)),
            );
        }
    }
    subs
}

/// An applicator's subschema met by [`Ctx::visit_sub`].
struct Sub<'a> {
    named_variant: bool,
    pointer: String,
    schema: &'a Value,
    map: &'a Map<String, Value>,
}

/// Where an applicator's subschema sits in its parent.
#[derive(Clone, Copy)]
enum Via<'k> {
    /// Member `i` of `allOf`, `anyOf` or `oneOf`.
    Member(&'static str, usize),
    Then,
    Else,
    /// A keyword whose value is one subschema (`items`, ...).
    Key(&'static str),
    /// The `dependentSchemas` (or draft-07 `dependencies`) entry of a key.
    Dependent(&'static str, &'k str),
}

impl Via<'_> {
    fn pointer(self, parent: &str) -> String {
        match self {
            Via::Member(key, i) => {
                let mut p = concat(&[parent, "/", key, "/"]);
                push_number(&mut p, i);
                p
            }
            Via::Then => concat(&[parent, "/then"]),
            Via::Else => concat(&[parent, "/else"]),
            Via::Key(key) => concat(&[parent, "/", key]),
            Via::Dependent(key, k) => concat(&[parent, "/", key, "/", &escape_pointer_token(k)]),
        }
    }

    /// Whether a named (`$ref`) subschema here is linked rather than merged:
    /// everything but `allOf`, whose members always apply.
    fn linkable(self) -> bool {
        !matches!(self, Via::Member("allOf", _))
    }

    /// When its fields apply, added to `outer` (when the parent applies).
    fn when(self, outer: &str) -> String {
        let own = match self {
            Via::Member("allOf", _) => return outer.to_owned(),
            Via::Member(key, i) => {
                let mut n = String::with_capacity(24);
                n.push_str("variant ");
                push_number(&mut n, i + 1);
                for part in [" of `", key, "`"] {
                    n.push_str(part);
                }
                n
            }
            Via::Then => "when `if` matches".to_owned(),
            Via::Else => "when `if` does not match".to_owned(),
            Via::Key(_) => return outer.to_owned(),
            Via::Dependent(_, k) => concat(&["when `", k, "` is present"]),
        };
        if outer.is_empty() {
            own
        } else {
            concat(&[outer, ", ", &own])
        }
    }
}

/// A property row to render: from the object itself or one of its applicators.
struct AppliedProp<'a> {
    name: String,
    value: &'a Value,
    pointer: String,
    /// When it applies (empty: always).
    note: String,
    /// Required by the (sub)schema that declares it.
    required: bool,
}

/// The `properties` of `m` (at `pointer`), skipping a name already listed
/// with the same note.
fn own_props<'a>(
    pointer: &str,
    m: &'a Map<String, Value>,
    note: &str,
    out: &mut Vec<AppliedProp<'a>>,
) {
    let Some(props) = m.kw("properties").and_then(Value::as_object) else {
        return;
    };
    let required: HashSet<&str> = m
        .kw("required")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    // Names already listed with this note (the list can hold thousands of
    // properties for a large union, so no linear search per name).
    let listed: HashSet<&str> = out
        .iter()
        .filter(|p| p.note == note)
        .map(|p| p.name.as_str())
        .collect();
    let added: Vec<AppliedProp<'a>> = props
        .iter()
        .filter(|(k, _)| !listed.contains(k.as_str()))
        .map(|(k, v)| AppliedProp {
            name: k.clone(),
            value: v,
            pointer: concat(&[pointer, "/properties/", &escape_pointer_token(k)]),
            note: note.to_owned(),
            required: required.contains(k.as_str()),
        })
        .collect();
    out.extend(added);
}

#[derive(Clone)]
struct Described<'a> {
    kind: String,
    constraints: Vec<String>,
    description: String,
    default: String,
    /// An object schema that needs its own table (pointer, schema).
    child: Option<(String, &'a Value)>,
}

impl<'a> Ctx<'a> {
    /// Describe schema `s` (the schema at `pointer`) for a row; schedules
    /// nothing. Remembered per pointer: a definition used by many rows, or by
    /// many members of unions, is described once. A schema that contains
    /// itself through unions or items is named where it recurs.
    fn describe(&mut self, pointer: &str, s: &'a Value, depth: usize) -> Rc<Described<'a>> {
        let key = address(s);
        if let Some(d) = self.described.get(&key) {
            return Rc::clone(d);
        }
        if !self.describing.insert(key) {
            let name = pointer
                .rsplit('/')
                .next()
                .map(unescape_pointer_token)
                .unwrap_or_default();
            return Rc::new(Described {
                kind: format!(
                    "{} (recursive)",
                    if pointer.is_empty() {
                        "(root)".to_owned()
                    } else {
                        code(&name)
                    }
                ),
                constraints: vec![],
                description: String::new(),
                default: String::new(),
                child: None,
            });
        }
        let d = Rc::new(self.describe_uncached(pointer, s, depth));
        self.describing.remove(&key);
        self.described.insert(key, Rc::clone(&d));
        d
    }

    /// [`Ctx::describe`] for the subschema `s` of the schema at `parent`:
    /// its pointer is spelled out only when it has not been described yet.
    fn describe_via(
        &mut self,
        parent: &str,
        via: Via<'_>,
        s: &'a Value,
        depth: usize,
    ) -> Rc<Described<'a>> {
        match self.described.get(&address(s)) {
            Some(d) => Rc::clone(d),
            None => self.describe(&via.pointer(parent), s, depth),
        }
    }

    fn describe_uncached(&mut self, pointer: &str, s: &'a Value, depth: usize) -> Described<'a> {
        let mut d = Described {
            kind: String::new(),
            constraints: vec![],
            description: String::new(),
            default: String::new(),
            child: None,
        };
        if depth > 32 {
            d.kind = "(nested too deeply)".into();
            return d;
        }
        self.check_shape(pointer, s);
        let m = match s {
            Value::Bool(true) => {
                d.kind = "any".into();
                return d;
            }
            Value::Bool(false) => {
                d.kind = "never (no value allowed)".into();
                return d;
            }
            Value::Object(m) => m,
            _ => {
                d.kind = "(invalid schema)".into();
                return d;
            }
        };
        if let Some(desc) = m.kw("description").and_then(Value::as_str) {
            d.description = desc.to_owned();
        } else if let Some(t) = m.kw("title").and_then(Value::as_str) {
            d.description = t.to_owned();
        }
        if let Some(def) = m.kw("default") {
            d.default = json_code(def);
        }
        if m.kw("deprecated") == Some(&Value::Bool(true)) {
            d.constraints.push("**deprecated**".into());
        }
        // A reference: describe the target, keep our own description.
        if let Some(r) = ref_of(s) {
            let (tp, target) = self.deref(pointer, s);
            if tp == pointer {
                d.kind = format!("{} (unresolved)", code(r));
                return d;
            }
            let inner = self.describe(&tp, target, depth + 1);
            d.kind = inner.kind.clone();
            if d.description.is_empty() {
                d.description = inner.description.clone();
            }
            if d.default.is_empty() {
                d.default = inner.default.clone();
            }
            d.constraints.extend(inner.constraints.iter().cloned());
            d.child = inner.child.clone();
            self.add_local_constraints(m, &mut d);
            let _ = r;
            return d;
        }
        if let Some((i, inner)) = nullable_inner(m) {
            let key = if m.kw("anyOf").is_some() {
                "anyOf"
            } else {
                "oneOf"
            };
            let inner_d = self.describe_via(pointer, Via::Member(key, i), inner, depth + 1);
            d.kind = format!("{} or null", inner_d.kind);
            if d.description.is_empty() {
                d.description = inner_d.description.clone();
            }
            d.constraints.extend(inner_d.constraints.iter().cloned());
            d.child = inner_d.child.clone();
            return d;
        }
        if let Some(members) = const_members(m) {
            let all_str = members.iter().all(|(v, _)| v.is_string());
            d.kind = if all_str {
                "string (enum)".into()
            } else {
                "enum".into()
            };
            let values: Vec<String> = members
                .iter()
                .map(|(v, desc)| match desc {
                    Some(t) => format!("{}: {}", json_code(v), t.trim_end_matches('.')),
                    None => json_code(v),
                })
                .collect();
            d.constraints.push(format!("one of: {}", values.join("; ")));
            return d;
        }
        let types = type_names(m);
        if let Some(c) = m.kw("const") {
            d.kind = if types.is_empty() {
                "const".into()
            } else {
                types.join(" or ")
            };
            d.constraints.push(format!("always {}", json_code(c)));
        } else if let Some(Value::Array(e)) = m.kw("enum") {
            d.kind = if types.is_empty() {
                "enum".into()
            } else {
                format!("{} (enum)", types.join(" or "))
            };
            d.constraints.push(format!(
                "one of: {}",
                e.iter().map(json_code).collect::<Vec<_>>().join(", ")
            ));
        } else if types.contains(&"array")
            || (types.is_empty() && (m.kw("items").is_some() || m.kw("prefixItems").is_some()))
        {
            match m.kw("items") {
                Some(items @ (Value::Object(_) | Value::Bool(_))) => {
                    let inner = self.describe_via(pointer, Via::Key("items"), items, depth + 1);
                    d.kind = format!("array of {}", inner.kind);
                    d.child = inner.child.clone();
                    if !inner.constraints.is_empty() {
                        d.constraints
                            .push(format!("items: {}", inner.constraints.join("; ")));
                    }
                }
                _ => d.kind = "array".into(),
            }
            if m.kw("prefixItems").is_some() {
                d.constraints
                    .push("positional items (`prefixItems`)".into());
            }
            let others: Vec<&str> = types.iter().copied().filter(|t| *t != "array").collect();
            if !others.is_empty() {
                d.kind = format!("{} or {}", d.kind, others.join(" or "));
            }
        } else if is_object_schema(s) || types.contains(&"object") {
            d.kind = "object".into();
            if is_object_schema(s) || self.has_applied_props(pointer, s) {
                d.child = Some((pointer.to_owned(), s));
            } else if let Some(ap) = m.kw("additionalProperties").filter(|v| v.is_object()) {
                let inner =
                    self.describe_via(pointer, Via::Key("additionalProperties"), ap, depth + 1);
                d.kind = format!("map of {}", inner.kind);
            }
            let others: Vec<&str> = types.iter().copied().filter(|t| *t != "object").collect();
            if !others.is_empty() {
                d.kind = format!("{} or {}", d.kind, others.join(" or "));
            }
        } else if !types.is_empty() {
            d.kind = types.join(" or ");
        } else {
            for key in ["oneOf", "anyOf", "allOf"] {
                if let Some(Value::Array(a)) = m.kw(key) {
                    let mut kinds = Vec::new();
                    for (i, member) in a.iter().enumerate() {
                        let inner =
                            self.describe_via(pointer, Via::Member(key, i), member, depth + 1);
                        if d.child.is_none() {
                            d.child = inner.child.clone();
                        }
                        // A named object variant is known by its name (its
                        // table is linked from the union's).
                        let named = ref_of(member)
                            .filter(|_| inner.child.is_some())
                            .and_then(|r| r.rsplit('/').next())
                            .filter(|n| !n.is_empty() && !n.starts_with('#'));
                        kinds.push(match named {
                            Some(n) => code(&unescape_pointer_token(n)),
                            None => inner.kind.clone(),
                        });
                    }
                    let word = match key {
                        "oneOf" => "exactly one of",
                        "anyOf" => "any of",
                        _ => "all of",
                    };
                    d.kind = format!("{word}: {}", kinds.join(", "));
                    // Object members get one table with every member's fields.
                    if self.has_applied_props(pointer, s) {
                        d.child = Some((pointer.to_owned(), s));
                    }
                    break;
                }
            }
            if d.kind.is_empty() {
                d.kind = if m.kw("not").is_some() {
                    "any (with exclusions)".into()
                } else {
                    "any".into()
                };
            }
        }
        self.add_local_constraints(m, &mut d);
        d
    }

    fn add_local_constraints(&mut self, m: &Map<String, Value>, d: &mut Described) {
        // Most schemas have none: one pass over the keys saves the lookups.
        if !m.keys().any(|k| is_constraint_keyword(k)) {
            return;
        }
        let num = |k: &str| m.kw(k).filter(|v| v.is_number()).map(|v| v.to_string());
        if let Some(p) = m.kw("pattern").and_then(Value::as_str) {
            d.constraints.push(pattern(p));
        }
        if let Some(f) = m.kw("format").and_then(Value::as_str) {
            d.constraints.push(format!("format {}", code(f)));
        }
        match (num("minLength"), num("maxLength")) {
            (Some(a), Some(b)) => d.constraints.push(format!("length {a}–{b}")),
            (Some(a), None) => d.constraints.push(format!("length ≥ {a}")),
            (None, Some(b)) => d.constraints.push(format!("length ≤ {b}")),
            _ => {}
        }
        for (k, op) in [
            ("minimum", "≥"),
            ("exclusiveMinimum", ">"),
            ("maximum", "≤"),
            ("exclusiveMaximum", "<"),
            ("multipleOf", "multiple of"),
        ] {
            if let Some(v) = num(k) {
                d.constraints.push(format!("{op} {v}"));
            }
        }
        match (num("minItems"), num("maxItems")) {
            (Some(a), Some(b)) => d.constraints.push(format!("{a}–{b} items")),
            (Some(a), None) => d.constraints.push(format!("at least {a} item(s)")),
            (None, Some(b)) => d.constraints.push(format!("at most {b} item(s)")),
            _ => {}
        }
        if m.kw("uniqueItems") == Some(&Value::Bool(true)) {
            d.constraints.push("unique items".into());
        }
        match (num("minProperties"), num("maxProperties")) {
            (Some(a), _) => d.constraints.push(format!("at least {a} propert(ies)")),
            (None, Some(b)) => d.constraints.push(format!("at most {b} propert(ies)")),
            _ => {}
        }
        if m.kw("additionalProperties") == Some(&Value::Bool(false))
            || m.kw("unevaluatedProperties") == Some(&Value::Bool(false))
        {
            d.constraints.push("no other keys".into());
        }
        if let Some(pn) = m
            .kw("propertyNames")
            .and_then(|v| v.kw("pattern"))
            .and_then(Value::as_str)
        {
            d.constraints.push(format!("keys match {}", code(pn)));
        }
        if m.kw("if").is_some() {
            d.constraints
                .push("conditional (`if`/`then`/`else`)".into());
        }
        if m.kw("not").is_some() {
            d.constraints.push("with exclusions (`not`)".into());
        }
        if m.kw("readOnly") == Some(&Value::Bool(true)) {
            d.constraints.push("read-only".into());
        }
        if m.kw("writeOnly") == Some(&Value::Bool(true)) {
            d.constraints.push("write-only".into());
        }
    }

    /// Render the object at `pointer` (already dereferenced) as a table titled
    /// `label`, then its children breadth-first.
    fn render_object(&mut self, pointer: String, schema: &'a Value, label: String, anchor: String) {
        self.queue.push_back(Pending {
            pointer,
            schema,
            definition: None,
            label,
            anchor,
            id: String::new(),
        });
        self.drain_queue();
    }

    /// Render every scheduled table, including those scheduled meanwhile.
    fn drain_queue(&mut self) {
        while let Some(Pending {
            pointer,
            schema,
            definition,
            label,
            anchor,
            id,
        }) = self.queue.pop_front()
        {
            let before = self.tables.len();
            self.render_one(&pointer, schema, &label, &anchor, id);
            if let Some(name) = definition
                && self.tables.len() > before
                && let Some(t) = self.tables.last_mut()
            {
                t.title = concat(&[&t.title, " as ", &code(&name)]);
            }
        }
    }

    fn render_one(&mut self, pointer: &str, s: &'a Value, label: &str, anchor: &str, id: String) {
        let table_id = if !id.is_empty() {
            id
        } else {
            self.unique_id(
                format!(
                    "{}{}",
                    self.prefix,
                    if anchor.is_empty() {
                        String::new()
                    } else {
                        format!(".{anchor}")
                    }
                )
                .trim_end_matches('.')
                .to_owned(),
            )
        };
        self.rendered.insert(address(s), table_id.clone());
        let Value::Object(m) = s else { return };
        let required: HashSet<&str> = m
            .kw("required")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut rows = Vec::new();
        let mut props = Vec::new();
        own_props(pointer, m, "", &mut props);
        let mut seen = std::iter::once(address(s)).collect::<HashSet<_>>();
        let mut named = Vec::new();
        self.applied_props(pointer, m, "", &mut seen, &mut props, &mut named);
        let variants = named
            .into_iter()
            .enumerate()
            .map(|(i, (when, target, schema))| {
                let name = target
                    .rsplit('/')
                    .next()
                    .map(unescape_pointer_token)
                    .unwrap_or_default();
                let variant_anchor = if anchor.is_empty() {
                    format!("variant-{}", i + 1)
                } else {
                    format!("{anchor}.variant-{}", i + 1)
                };
                let id = self.table_for(
                    target,
                    schema,
                    Some(&name),
                    label.to_owned(),
                    variant_anchor,
                );
                VariantLink {
                    when: cell(&when),
                    name: code(&name),
                    id,
                }
            })
            .collect();
        let mut extra: Vec<(String, &'a Value, String, &'static str)> = Vec::new();
        if let Some(pp) = m.kw("patternProperties").and_then(Value::as_object) {
            for (k, v) in pp {
                extra.push((
                    k.clone(),
                    v,
                    format!("{pointer}/patternProperties/{}", escape_pointer_token(k)),
                    "key matching",
                ));
            }
        }
        if let Some(ap @ Value::Object(_)) = m.kw("additionalProperties") {
            extra.push((
                "*".into(),
                ap,
                format!("{pointer}/additionalProperties"),
                "any other key",
            ));
        }
        let sep = if label.is_empty() { "" } else { "." };
        for AppliedProp {
            name,
            value: v,
            pointer: p,
            note,
            required: req_here,
        } in props
        {
            let shown = if is_ident(&name) {
                concat(&[label, sep, &name])
            } else {
                format!(
                    "{label}[{}]",
                    serde_json::to_string(&name).unwrap_or_default()
                )
            };
            let row_anchor = if anchor.is_empty() {
                id_part(&name)
            } else {
                concat(&[anchor, ".", &id_part(&name)])
            };
            let req = if required.contains(name.as_str()) || req_here {
                "yes"
            } else {
                "no"
            };
            let mut r = self.row(&p, v, &shown, &row_anchor, req);
            if !note.is_empty() {
                r.constraints = if r.constraints.is_empty() {
                    cell(&note)
                } else {
                    format!("{}; {}", cell(&note), r.constraints)
                };
            }
            rows.push(r);
        }
        for (pattern, v, p, what) in extra {
            let shown = if pattern == "*" {
                format!("{label}{sep}*")
            } else {
                format!("{label}{sep}<{pattern}>")
            };
            let row_anchor = if anchor.is_empty() {
                "_key".to_owned()
            } else {
                format!("{anchor}._key")
            };
            let mut r = self.row(&p, v, &shown, &row_anchor, "no");
            r.constraints = if r.constraints.is_empty() {
                cell(what)
            } else {
                format!("{}; {}", cell(what), r.constraints)
            };
            if pattern != "*" {
                r.constraints = format!("{}; key pattern {}", r.constraints, code(&pattern));
            }
            rows.push(r);
        }
        let own = self.describe_table(pointer, s);
        self.tables.push(TableOut {
            id: table_id,
            title: if label.is_empty() {
                "(root)".into()
            } else {
                code(label)
            },
            kind: own.0,
            description: own.1,
            has_default: rows.iter().any(|r| !r.default.is_empty()),
            variants,
            rows,
        });
    }

    /// Properties declared through the applicators of `m` (`allOf`, the
    /// variants of `anyOf`/`oneOf`, `then`/`else`, `dependentSchemas`,
    /// `dependencies`), each with a note saying when it applies.
    fn applied_props(
        &mut self,
        pointer: &str,
        m: &'a Map<String, Value>,
        note: &str,
        seen: &mut HashSet<usize>,
        out: &mut Vec<AppliedProp<'a>>,
        variants: &mut Vec<(String, String, &'a Value)>,
    ) {
        for (via, v) in applicator_subs(m) {
            let Some(sub) = self.visit_sub(pointer, via, v, seen) else {
                continue;
            };
            let (p, v, sm) = (sub.pointer, sub.schema, sub.map);
            if sub.named_variant {
                if is_object_schema(v) || self.has_applied_props(&p, v) {
                    variants.push((via.when(note), p, v));
                }
                continue;
            }
            let n = via.when(note);
            own_props(&p, sm, &n, out);
            self.applied_props(&p, sm, &n, seen, out, variants);
        }
    }

    /// Whether the object schema `s` declares fields through its applicators.
    fn has_applied_props(&mut self, pointer: &str, s: &'a Value) -> bool {
        let key = address(s);
        if let Some(&known) = self.has_applied.get(&key) {
            return known;
        }
        let Value::Object(m) = s else { return false };
        // Mark first: a cycle of named variants asks again while deciding.
        self.has_applied.insert(key, false);
        let mut seen = std::iter::once(key).collect::<HashSet<_>>();
        let any = self.any_applied(pointer, m, &mut seen);
        self.has_applied.insert(key, any);
        any
    }

    /// Whether [`Ctx::applied_props`] would find a field or a named
    /// variant; stops at the first, and builds no rows.
    fn any_applied(
        &mut self,
        pointer: &str,
        m: &'a Map<String, Value>,
        seen: &mut HashSet<usize>,
    ) -> bool {
        for (via, v) in applicator_subs(m) {
            let Some(sub) = self.visit_sub(pointer, via, v, seen) else {
                continue;
            };
            let (p, v, sm) = (sub.pointer, sub.schema, sub.map);
            let found = if sub.named_variant {
                is_object_schema(v) || self.has_applied_props(&p, v)
            } else {
                sm.kw("properties")
                    .and_then(Value::as_object)
                    .is_some_and(|props| !props.is_empty())
                    || self.any_applied(&p, sm, seen)
            };
            if found {
                return true;
            }
        }
        false
    }

    /// An applicator's subschema, resolved, the first time the walk meets it
    /// (`seen`), if it is an object schema.
    fn visit_sub(
        &mut self,
        parent: &str,
        via: Via<'_>,
        v: &'a Value,
        seen: &mut HashSet<usize>,
    ) -> Option<Sub<'a>> {
        // `allOf` members always apply: their fields are this object's.
        // A named variant (a `$ref`) keeps its own table and is linked.
        let named_variant = via.linkable() && ref_of(v).is_some();
        let (pointer, schema) = self.resolve_sub(parent, via, v);
        if !seen.insert(address(schema)) {
            return None;
        }
        let Value::Object(map) = schema else {
            return None;
        };
        Some(Sub {
            named_variant,
            pointer,
            schema,
            map,
        })
    }

    /// The schema an applicator's subschema stands for, and its pointer:
    /// built only when needed, since a union of hundreds of references
    /// resolves each from the cache.
    fn resolve_sub(&mut self, parent: &str, via: Via<'_>, v: &'a Value) -> (String, &'a Value) {
        match ref_of(v).and_then(|r| self.resolved.get(r)) {
            Some((tp, t)) if ref_of(t).is_none() => (tp.clone(), *t),
            _ => self.deref(&via.pointer(parent), v),
        }
    }

    fn describe_table(&mut self, pointer: &str, s: &'a Value) -> (String, String) {
        let mut constraints = Vec::new();
        if let Value::Object(m) = s {
            let mut d = Described {
                kind: String::new(),
                constraints: vec![],
                description: String::new(),
                default: String::new(),
                child: None,
            };
            self.add_local_constraints(m, &mut d);
            constraints = d.constraints;
            let desc = m.kw("description").and_then(Value::as_str).unwrap_or("");
            let _ = pointer;
            let kind = if constraints.is_empty() {
                "object".to_owned()
            } else {
                format!("object; {}", constraints.join("; "))
            };
            return (cell(&kind), cell(desc));
        }
        let _ = &mut constraints;
        ("object".into(), String::new())
    }

    /// The id of the table for the object schema at `pointer`: the one
    /// already rendered or scheduled, or a new one scheduled now. Every
    /// scheduled table is in `rendered` from the moment it is queued, so one
    /// lookup finds rendered and pending tables alike.
    fn table_for(
        &mut self,
        pointer: String,
        schema: &'a Value,
        definition: Option<&str>,
        label: String,
        anchor: String,
    ) -> String {
        if let Some(existing) = self.rendered.get(&address(schema)) {
            return existing.clone();
        }
        // A row may already hold `prefix.anchor`: reserve a distinct id for
        // the table up front, so links lead to the table.
        let id = self.unique_id(format!("{}.{}", self.prefix, anchor));
        self.rendered.insert(address(schema), id.clone());
        self.queue.push_back(Pending {
            pointer,
            schema,
            definition: definition.map(str::to_owned),
            label,
            anchor,
            id: id.clone(),
        });
        id
    }

    fn row(
        &mut self,
        pointer: &str,
        s: &'a Value,
        shown: &str,
        row_anchor: &str,
        required: &str,
    ) -> Row {
        let d = self.describe(pointer, s, 0);
        let id = self.unique_id(concat(&[&self.prefix, ".", row_anchor]));
        let mut kind = cell(&d.kind);
        if let Some((child_ptr, child)) = &d.child {
            // Dereference: the child table belongs to the object schema itself.
            let (cp, child) = self.deref(child_ptr, child);
            let child_label = if kind.starts_with("array of") || kind.contains("array of") {
                format!("{shown}[]")
            } else {
                shown.to_owned()
            };
            let already = self.rendered.get(&address(child)).cloned();
            match already {
                Some(existing) => kind = concat(&[&kind, " ([see table](#", &existing, "))"]),
                None => {
                    let id = self.table_for(cp, child, None, child_label, row_anchor.to_owned());
                    kind = concat(&[&kind, " ([fields](#", &id, "))"]);
                }
            }
        }
        Row {
            id,
            name: code(shown),
            kind,
            required: required.into(),
            default: d.default.clone(),
            constraints: cell(&d.constraints.join("; ")),
            description: cell(&d.description),
        }
    }
}

/// Render `root` (or the sub-schema at `pointer`) to tables.
pub fn render_schema(root: &Value, pointer: &str, prefix: &str) -> (Rendered, Vec<SchemaIssue>) {
    let mut ctx = Ctx::new(root, prefix);
    let Some(start) = pointer_get(root, pointer) else {
        ctx.issue(pointer, format!("no schema at pointer `{pointer}`"), true);
        return (Rendered { tables: vec![] }, ctx.issues);
    };
    ctx.check_shape(pointer, start);
    let (p, s) = ctx.deref(pointer, start);
    // Walk into nullable wrappers and arrays to reach an object.
    let (p, s) = match s.as_object().and_then(nullable_inner) {
        Some((i, inner)) => (format!("{p}/anyOf/{i}"), inner),
        None => (p, s),
    };
    let label: String = if pointer.is_empty() {
        String::new()
    } else {
        pointer
            .rsplit('/')
            .next()
            .map(unescape_pointer_token)
            .unwrap_or_default()
    };
    if is_object_schema(s) {
        let anchor = id_part(&label);
        ctx.render_object(p, s, label, anchor);
    } else {
        // Not an object: a one-row table describing it.
        let anchor = if label.is_empty() {
            "value".to_owned()
        } else {
            id_part(&label)
        };
        let shown = if label.is_empty() {
            "(value)".to_owned()
        } else {
            label.clone()
        };
        let row = ctx.row(&p, s, &shown, &anchor, "—");
        let tid = ctx.unique_id(format!("{}.table", ctx.prefix));
        ctx.tables.push(TableOut {
            id: tid,
            title: code(&shown),
            kind: "value".into(),
            description: String::new(),
            has_default: !row.default.is_empty(),
            variants: Vec::new(),
            rows: vec![row],
        });
        ctx.drain_queue();
    }
    // Definitions never reached from the root are not rendered: the tables
    // describe the document, not its internals.
    let Ctx { tables, issues, .. } = ctx;
    (Rendered { tables }, issues)
}

/// Render to Markdown through `template` (Handlebars), or the default. The
/// default is written directly: the same text as [`DEFAULT_TEMPLATE`] through
/// Handlebars (a test holds them equal), several times faster on big schemas.
pub fn to_markdown(rendered: &Rendered, template: Option<&str>) -> Result<String, String> {
    match template {
        None => Ok(write_default(rendered)),
        Some(t) => through_template(rendered, t),
    }
}

fn write_default(rendered: &Rendered) -> String {
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

fn through_template(rendered: &Rendered, template: &str) -> Result<String, String> {
    let mut hb = Handlebars::new();
    hb.register_escape_fn(handlebars::no_escape);
    hb.set_strict_mode(true);
    hb.register_template_string("t", template)
        .map_err(|e| format!("schema-table template: {e}"))?;
    hb.render("t", rendered)
        .map_err(|e| format!("schema-table template: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_direct_writer_equals_the_default_template() {
        let mut schemas = vec![alga_manifest::schema()];
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas");
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .collect();
        files.sort();
        for f in files {
            if let Ok(v) = serde_json::from_str(&std::fs::read_to_string(&f).unwrap()) {
                schemas.push(v);
            }
        }
        assert!(schemas.len() > 10);
        for s in &schemas {
            let (r, _) = render_schema(s, "", "s");
            assert_eq!(
                write_default(&r),
                through_template(&r, DEFAULT_TEMPLATE).unwrap()
            );
        }
    }

    /// The escaping [`cell`] must do, written the obvious way: a char at a
    /// time. The fast version copies runs between special bytes.
    fn cell_reference(text: &str) -> String {
        let mut out = String::new();
        let mut in_code = false;
        let mut i = 0;
        while let Some(c) = text[i..].chars().next() {
            if c == '<'
                && !in_code
                && let Some(tag) = KEPT_TAGS.iter().find(|t| text[i..].starts_with(**t))
            {
                out.push_str(tag);
                i += tag.len();
                continue;
            }
            match c {
                '`' => {
                    in_code = !in_code;
                    out.push('`');
                }
                '|' => out.push_str("\\|"),
                '\r' => {}
                '\n' => out.push(' '),
                '<' if !in_code => out.push_str("&lt;"),
                '>' if !in_code => out.push_str("&gt;"),
                '&' if !in_code => out.push_str("&amp;"),
                '[' if !in_code => out.push_str("\\["),
                ']' if !in_code => out.push_str("\\]"),
                '{' if !in_code && text[i + 1..].starts_with('{') => out.push_str("&#123;"),
                _ => out.push(c),
            }
            i += c.len_utf8();
        }
        if in_code {
            out = out.replace('`', "\\`");
        }
        out.trim().to_owned()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        #[test]
        fn cell_escapes_exactly_as_the_reference(
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::string::string_regex("[a-zé€ \\t`|<>&\\[\\]{}\\r\\n]{0,6}").unwrap(),
                    proptest::strategy::Just(KEPT_TAGS[0].to_owned()),
                    proptest::strategy::Just(KEPT_TAGS[1].to_owned()),
                    proptest::strategy::Just("<details".to_owned()),
                    proptest::strategy::Just("{{".to_owned()),
                ],
                0..12,
            )
        ) {
            let text = parts.concat();
            proptest::prop_assert_eq!(cell(&text), cell_reference(&text));
        }

        #[test]
        fn code_spans_keep_the_text_but_pipes_and_line_breaks(text in "[a-z`|\\r\\n ]{0,12}") {
            let c = code(&text);
            let fence = if text.contains('`') { "`` " } else { "`" };
            let want = text.replace('|', "\\|").replace(['\n', '\r'], " ");
            proptest::prop_assert_eq!(c, format!("{fence}{want}{}", fence.chars().rev().collect::<String>()));
        }
    }

    #[test]
    fn the_keyword_prescan_flags_exactly_what_the_checks_report() {
        let keys = [
            "type",
            "properties",
            "patternProperties",
            "$defs",
            "definitions",
            "dependentSchemas",
            "allOf",
            "anyOf",
            "oneOf",
            "prefixItems",
            "required",
            "$ref",
            "items",
            "description",
        ];
        let values = [
            json!(null),
            json!(true),
            json!(1),
            json!("string"),
            json!("nope"),
            json!("#/x"),
            json!([]),
            json!(["string", "null"]),
            json!(["string", 3]),
            json!({}),
            json!({"a": {}}),
        ];
        for k in keys {
            for v in &values {
                let schema = json!({ k: v });
                let Value::Object(m) = &schema else {
                    unreachable!()
                };
                let mut ctx = Ctx::new(&schema, "s");
                ctx.report_shape("", m);
                assert_eq!(
                    misshapen(k, v),
                    !ctx.issues.is_empty(),
                    "{k}: {v} gave {:?}",
                    ctx.issues
                );
            }
        }
    }

    #[test]
    fn numbers_and_pointers_are_spelled_like_format() {
        for n in [0, 1, 9, 10, 99, 100, 12345, usize::MAX] {
            let mut s = String::from("x");
            push_number(&mut s, n);
            assert_eq!(s, format!("x{n}"));
        }
        assert_eq!(Via::Member("anyOf", 12).pointer("/a"), "/a/anyOf/12");
        assert_eq!(
            Via::Dependent("dependentSchemas", "a/b~c").pointer(""),
            "/dependentSchemas/a~1b~0c"
        );
        assert_eq!(
            Via::Member("oneOf", 0).when("when `if` matches"),
            "when `if` matches, variant 1 of `oneOf`"
        );
        assert_eq!(Via::Member("allOf", 3).when("x"), "x");
    }

    fn md(schema: Value) -> (String, Vec<SchemaIssue>) {
        let (r, issues) = render_schema(&schema, "", "s");
        (to_markdown(&r, None).unwrap(), issues)
    }

    #[test]
    fn nested_objects_and_arrays_get_their_own_tables() {
        let (out, issues) = md(json!({
            "type": "object",
            "required": ["api"],
            "properties": {
                "api": {"type": "object", "required": ["endpoints"], "properties": {
                    "endpoints": {"type": "array", "items": {"type": "object", "required": ["method"],
                        "additionalProperties": false,
                        "properties": {"method": {"type": "string", "enum": ["GET", "POST"]}, "path": {"type": "string", "pattern": "^/"}}}}
                }}
            }
        }));
        assert!(issues.is_empty(), "{issues:?}");
        assert!(
            out.contains("<span id=\"s.api\"></span>`api` | object ([fields](#s.api-1)) | yes"),
            "{out}"
        );
        assert!(out.contains("<span id=\"s.api.endpoints\"></span>`api.endpoints` | array of object ([fields](#s.api.endpoints-1)) | yes"), "{out}");
        assert!(out.contains("<span id=\"s.api.endpoints.method\"></span>`api.endpoints[].method` | string (enum) | yes | one of: `\"GET\"`, `\"POST\"`"), "{out}");
        assert!(
            out.contains("`api.endpoints[].path` | string | no | pattern `^/`"),
            "{out}"
        );
        // No row has a default, so no table has the column.
        assert!(!out.contains("Default"), "{out}");
        // The link leads to the table, not back to the row.
        assert!(
            out.contains("<div class=\"schema-table\" id=\"s.api.endpoints-1\">"),
            "{out}"
        );
        assert!(out.contains("no other keys"), "{out}");
    }

    #[test]
    fn defaults_get_a_column_and_long_patterns_fold() {
        let long = "^[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*@[0-9]+(?:\\.[0-9]+)*$";
        let (out, issues) = md(json!({
            "type": "object",
            "properties": {
                "a": {"type": "string", "default": "x", "pattern": long},
                "o": {"type": "object", "properties": {"b": {"type": "string", "pattern": "^b$"}}}
            }
        }));
        assert!(issues.is_empty(), "{issues:?}");
        assert!(
            out.contains("| Field | Type | Required | Default | Constraints | Description |"),
            "{out}"
        );
        assert!(
            out.contains(&format!(
                "| `\"x\"` | <details class=\"schema-pattern\"><summary>pattern</summary>`{long}`</details> |"
            )),
            "{out}"
        );
        // Only the exact fold tags survive escaping: a look-alike in a
        // description is text.
        let (out2, _) = md(json!({"type": "object", "properties": {"a": {
            "type": "string",
            "description": "<details open><summary>x</summary><script>alert(1)</script>"
        }}}));
        assert!(
            out2.contains("&lt;details open&gt;&lt;summary&gt;x&lt;/summary&gt;&lt;script&gt;"),
            "{out2}"
        );
        // The nested table has no default, so it has no Default column.
        assert!(
            out.contains("`o.b` | string | no | pattern `^b$` |"),
            "{out}"
        );
    }

    #[test]
    fn schemars_shapes_render_as_people_expect() {
        let (out, _) = md(json!({
            "type": "object",
            "properties": {
                "cap": {"$ref": "#/$defs/Cap", "description": "Own words."},
                "opt": {"anyOf": [{"$ref": "#/$defs/Cap"}, {"type": "null"}]},
                "old": {"type": "string", "deprecated": true, "default": "x"}
            },
            "$defs": {"Cap": {"oneOf": [{"const": "a", "description": "The a."}, {"const": "b"}], "description": "Def words."}}
        }));
        assert!(
            out.contains(
                "`cap` | string (enum) | no |  | one of: `\"a\"`: The a; `\"b\"` | Own words. |"
            ),
            "{out}"
        );
        assert!(out.contains("`opt` | string (enum) or null | no |  | one of: `\"a\"`: The a; `\"b\"` | Def words. |"), "{out}");
        assert!(
            out.contains("`old` | string | no | `\"x\"` | **deprecated** |"),
            "{out}"
        );
    }

    #[test]
    fn recursion_renders_once_and_links_back() {
        let (out, issues) = md(json!({
            "$ref": "#/$defs/Node",
            "$defs": {"Node": {"type": "object", "properties": {
                "name": {"type": "string"},
                "children": {"type": "array", "items": {"$ref": "#/$defs/Node"}},
                "parent": {"$ref": "#"}
            }}}
        }));
        assert!(issues.is_empty(), "{issues:?}");
        assert_eq!(out.matches("| Field |").count(), 1, "{out}");
        assert!(
            out.contains("`children` | array of object ([see table](#s))"),
            "{out}"
        );
    }

    #[test]
    fn html_and_pipes_in_descriptions_cannot_inject() {
        let (out, _) = md(json!({"type": "object", "properties": {
            "x": {"type": "string", "description": "<script>alert(1)</script> a|b `<kept>` {{#path x}}\nnext"}
        }}));
        assert!(
            out.contains(
                "&lt;script&gt;alert(1)&lt;/script&gt; a\\|b `<kept>` &#123;{#path x}} next"
            ),
            "{out}"
        );
        assert!(!out.contains("<script>"));
    }

    #[test]
    fn malformed_schemas_are_reported_not_panicked() {
        let (_, issues) = md(json!({"type": "object", "properties": {
            "a": {"type": "strin"},
            "b": {"$ref": "#/$defs/Missing"},
            "c": {"$ref": "https://example.com/x.json"},
            "d": {"properties": []}
        }}));
        let msgs: Vec<String> = issues
            .iter()
            .map(|i| format!("{} {}", i.pointer, i.message))
            .collect();
        assert!(
            msgs.iter().any(|m| m
                .starts_with("/properties/a/type unknown type \"strin\" (did you mean `string`?)")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.contains("dangling `$ref` `#/$defs/Missing`")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter().any(|m| m.contains("external `$ref`")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.starts_with("/properties/d/properties `properties` must be an object")),
            "{msgs:?}"
        );
    }

    #[test]
    fn boolean_schemas_and_combinators() {
        let (out, issues) = md(json!({"type": "object", "properties": {
            "t": true, "f": false,
            "u": {"oneOf": [{"type": "string"}, {"type": "integer", "minimum": 1}]},
            "c": {"type": "object", "if": {"required": ["a"]}, "then": {"required": ["b"]}, "properties": {"a": {}}}
        }}));
        assert!(issues.is_empty(), "{issues:?}");
        assert!(out.contains("`t` | any |"), "{out}");
        assert!(out.contains("`f` | never (no value allowed) |"), "{out}");
        assert!(
            out.contains("`u` | exactly one of: string, integer |"),
            "{out}"
        );
        assert!(out.contains("conditional (`if`/`then`/`else`)"), "{out}");
    }
}
