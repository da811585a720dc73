//! The walker: turns a schema (or the part at a pointer) into [`Rendered`]
//! tables, reporting what is wrong with the schema as it goes.

use crate::Source;
use crate::keywords::*;
use crate::markdown::*;
use crate::model::*;
use crate::pointer::*;
use alga_diagnostics::{Diagnostic, Severity};
use serde_json::{Map, Value};
// Internal maps are keyed by schema pointers and ids: a fast hasher, since
// nothing here is keyed by untrusted input an attacker could collide cheaply
// to any effect beyond a slower build.
use foldhash::{HashMap, HashSet};
use std::rc::Rc;

pub(crate) struct Ctx<'a> {
    pub(crate) root: &'a Value,
    pub(crate) prefix: String,
    /// The schema's file, to locate problems in; none for a schema made in memory.
    pub(crate) source: Option<Source<'a>>,
    pub(crate) issues: Vec<Diagnostic>,
    pub(crate) tables: Vec<TableOut>,
    /// Table id of each object schema rendered or scheduled, by the
    /// schema's [`address`].
    pub(crate) rendered: HashMap<usize, String>,
    pub(crate) used_ids: HashSet<String>,
    /// Rows anchored by schema pointer, for links back.
    pub(crate) queue: std::collections::VecDeque<Pending<'a>>,
    /// Whether the schema at a pointer declares properties through its
    /// applicators: asked once per row, so remembered.
    pub(crate) has_applied: HashMap<usize, bool>,
    /// Row descriptions by the address of the schema node (one node, one
    /// description, however it is reached), and those being worked out.
    pub(crate) described: HashMap<usize, Rc<Described<'a>>>,
    pub(crate) describing: HashSet<usize>,
    /// Each `$ref` string resolved so far: its target's pointer and schema.
    pub(crate) resolved: HashMap<&'a str, (String, &'a Value)>,
}

pub(crate) struct Pending<'a> {
    pub(crate) pointer: String,
    pub(crate) schema: &'a Value,
    /// The definition's name, for the table of a named variant.
    pub(crate) definition: Option<String>,
    pub(crate) label: String,
    pub(crate) anchor: String,
    /// The table id reserved when the table was scheduled (empty: pick one
    /// when rendering). Reserved up front so links to it are right.
    pub(crate) id: String,
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(root: &'a Value, prefix: &str, source: Option<Source<'a>>) -> Ctx<'a> {
        Ctx {
            root,
            source,
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

    pub(crate) fn issue(&mut self, pointer: &str, message: impl Into<String>, severity: Severity) {
        let shown = if pointer.is_empty() { "/" } else { pointer };
        let mut i = Diagnostic::new(severity, format!("{} (at `{shown}`)", message.into()));
        if let Some(s) = self.source {
            let at = crate::pointer::locate(s.text, pointer);
            i = i.at(s.file, s.text, at..at + 1);
        }
        if !self.issues.contains(&i) {
            self.issues.push(i);
        }
    }

    pub(crate) fn unique_id(&mut self, base: String) -> String {
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
    pub(crate) fn deref(&mut self, pointer: &str, schema: &'a Value) -> (String, &'a Value) {
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
                        Severity::Error,
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
    pub(crate) fn resolve_ref(&mut self, at: &str, r: &'a str) -> Option<(String, &'a Value)> {
        if let Some((p, v)) = self.resolved.get(r) {
            return Some((p.clone(), *v));
        }
        let found = self.resolve_ref_uncached(at, r)?;
        self.resolved.insert(r, found.clone());
        Some(found)
    }

    pub(crate) fn resolve_ref_uncached(
        &mut self,
        at: &str,
        r: &str,
    ) -> Option<(String, &'a Value)> {
        let Some(frag) = r.strip_prefix('#') else {
            self.issue(
                at,
                format!("external `$ref` `{r}` is not followed (no network access)"),
                Severity::Warning,
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
                Severity::Error,
            );
            return None;
        }
        match pointer_get(self.root, frag) {
            Some(v) => Some((frag.to_owned(), v)),
            None => {
                self.issue(
                    at,
                    format!("dangling `$ref` `{r}`: nothing at that pointer"),
                    Severity::Error,
                );
                None
            }
        }
    }

    /// Validate the keywords this renderer relies on.
    pub(crate) fn check_shape(&mut self, pointer: &str, s: &Value) {
        let Value::Object(m) = s else {
            if !s.is_boolean() {
                self.issue(
                    pointer,
                    format!(
                        "a schema must be an object or a boolean, found {}",
                        kind_of(s)
                    ),
                    Severity::Error,
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

    pub(crate) fn report_shape(&mut self, pointer: &str, m: &Map<String, Value>) {
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
                            Severity::Error,
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
                    Severity::Error,
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
                    Severity::Error,
                );
            }
        }
        if let Some(v) = m.kw("required")
            && !(v.is_array() || v.is_boolean())
        {
            self.issue(
                &format!("{pointer}/required"),
                format!("`required` must be an array, found {}", kind_of(v)),
                Severity::Error,
            );
        }
        if let Some(v) = m.kw("$ref")
            && !v.is_string()
        {
            self.issue(
                &format!("{pointer}/$ref"),
                "`$ref` must be a string",
                Severity::Error,
            );
        }
    }
}

/// The identity of a schema node in the document: two pointers that reach
/// the same node (through `$ref`, `$anchor` or percent-encoding) give one
/// address, and hashing it costs nothing next to hashing a pointer.
pub(crate) fn address(v: &Value) -> usize {
    std::ptr::from_ref(v) as usize
}

#[derive(Clone)]
pub(crate) struct Described<'a> {
    pub(crate) kind: String,
    pub(crate) constraints: Vec<String>,
    pub(crate) description: String,
    pub(crate) default: String,
    /// An object schema that needs its own table (pointer, schema).
    pub(crate) child: Option<(String, &'a Value)>,
}

impl<'a> Ctx<'a> {
    /// Describe schema `s` (the schema at `pointer`) for a row; schedules
    /// nothing. Remembered per pointer: a definition used by many rows, or by
    /// many members of unions, is described once. A schema that contains
    /// itself through unions or items is named where it recurs.
    pub(crate) fn describe(
        &mut self,
        pointer: &str,
        s: &'a Value,
        depth: usize,
    ) -> Rc<Described<'a>> {
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
    pub(crate) fn describe_via(
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

    pub(crate) fn describe_uncached(
        &mut self,
        pointer: &str,
        s: &'a Value,
        depth: usize,
    ) -> Described<'a> {
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

    pub(crate) fn add_local_constraints(&mut self, m: &Map<String, Value>, d: &mut Described) {
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
    pub(crate) fn render_object(
        &mut self,
        pointer: String,
        schema: &'a Value,
        label: String,
        anchor: String,
    ) {
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
    pub(crate) fn drain_queue(&mut self) {
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

    pub(crate) fn render_one(
        &mut self,
        pointer: &str,
        s: &'a Value,
        label: &str,
        anchor: &str,
        id: String,
    ) {
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
    pub(crate) fn applied_props(
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
    pub(crate) fn has_applied_props(&mut self, pointer: &str, s: &'a Value) -> bool {
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
    pub(crate) fn any_applied(
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
    pub(crate) fn visit_sub(
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
    pub(crate) fn resolve_sub(
        &mut self,
        parent: &str,
        via: Via<'_>,
        v: &'a Value,
    ) -> (String, &'a Value) {
        match ref_of(v).and_then(|r| self.resolved.get(r)) {
            Some((tp, t)) if ref_of(t).is_none() => (tp.clone(), *t),
            _ => self.deref(&via.pointer(parent), v),
        }
    }

    pub(crate) fn describe_table(&mut self, pointer: &str, s: &'a Value) -> (String, String) {
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
    pub(crate) fn table_for(
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

    pub(crate) fn row(
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
pub fn render_schema<'a>(
    root: &'a Value,
    pointer: &str,
    prefix: &str,
    source: Option<Source<'a>>,
) -> (Rendered, Vec<Diagnostic>) {
    let mut ctx = Ctx::new(root, prefix, source);
    let Some(start) = pointer_get(root, pointer) else {
        ctx.issue(
            pointer,
            format!("no schema at pointer `{pointer}`"),
            Severity::Error,
        );
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
