//! What the renderer knows of JSON Schema keywords: types, constraints,
//! applicators (`allOf`, `anyOf`, `oneOf`, `if`/`then`/`else`,
//! `dependentSchemas`) and the shapes schemars writes.

use crate::markdown::*;
use crate::pointer::*;
use foldhash::HashSet;
use serde_json::{Map, Value};

pub(crate) const KNOWN_TYPES: &[&str] = &[
    "string", "number", "integer", "boolean", "object", "array", "null",
];

/// The keywords [`Ctx::add_local_constraints`] turns into constraints.
pub(crate) fn is_constraint_keyword(k: &str) -> bool {
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
pub(crate) fn misshapen(k: &str, v: &Value) -> bool {
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

pub(crate) fn kind_of(v: &Value) -> &'static str {
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
pub(crate) fn ref_of(s: &Value) -> Option<&str> {
    s.kw("$ref")
        .or_else(|| s.kw("$dynamicRef"))
        .and_then(Value::as_str)
}

/// A schema that is only a reference plus annotations.
pub(crate) fn is_bare_ref(s: &Value) -> bool {
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

/// The object-ness of a schema: has properties or says `type: object`.
pub(crate) fn is_object_schema(s: &Value) -> bool {
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

pub(crate) fn type_names(m: &Map<String, Value>) -> Vec<&str> {
    match m.kw("type") {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    }
}

/// `oneOf`/`anyOf` whose members are all `const` (what schemars emits for enums).
pub(crate) fn const_members(m: &Map<String, Value>) -> Option<Vec<(&Value, Option<&str>)>> {
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
pub(crate) fn nullable_inner(m: &Map<String, Value>) -> Option<(usize, &Value)> {
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
pub(crate) trait Keyword {
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
pub(crate) fn applicator_subs(m: &Map<String, Value>) -> Vec<(Via<'_>, &Value)> {
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
pub(crate) struct Sub<'a> {
    pub(crate) named_variant: bool,
    pub(crate) pointer: String,
    pub(crate) schema: &'a Value,
    pub(crate) map: &'a Map<String, Value>,
}

/// Where an applicator's subschema sits in its parent.
#[derive(Clone, Copy)]
pub(crate) enum Via<'k> {
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
    pub(crate) fn pointer(self, parent: &str) -> String {
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
    pub(crate) fn linkable(self) -> bool {
        !matches!(self, Via::Member("allOf", _))
    }

    /// When its fields apply, added to `outer` (when the parent applies).
    pub(crate) fn when(self, outer: &str) -> String {
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
pub(crate) struct AppliedProp<'a> {
    pub(crate) name: String,
    pub(crate) value: &'a Value,
    pub(crate) pointer: String,
    /// When it applies (empty: always).
    pub(crate) note: String,
    /// Required by the (sub)schema that declares it.
    pub(crate) required: bool,
}

/// The `properties` of `m` (at `pointer`), skipping a name already listed
/// with the same note.
pub(crate) fn own_props<'a>(
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
