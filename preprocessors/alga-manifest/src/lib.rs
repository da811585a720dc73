//! The Alga PSA extension manifest (`manifest.json`, version 2) as Rust types.
//!
//! These types are the book's single source of truth for the manifest: the
//! published JSON Schema (`src/schemas/extension-manifest.v2.schema.json`) is
//! generated from them, the reference tables are rendered from that schema, and
//! every manifest example in the book is validated against it.
//!
//! They describe what the publish step accepts at the pinned upstream commit
//! (`validateManifestShape` in `ee/server/src/lib/extensions/bundles/manifest.ts`),
//! made stricter in a few documented places where publish accepts a value that is
//! always a mistake (see [`STRICTER_THAN_PUBLISH`]). The doc comments are the
//! field descriptions readers see, so they are written for extension authors.

#![warn(missing_docs)]

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The `$id` of the published schema: where the hosted book serves it.
pub const SCHEMA_ID: &str =
    "https://nine-minds.github.io/alga-extension-docs/schemas/extension-manifest.v2.schema.json";

/// Where the schema file lives in this repository (relative to the repo root).
pub const SCHEMA_PATH: &str = "src/schemas/extension-manifest.v2.schema.json";

/// The places where this schema is deliberately stricter than the publish validator.
pub const STRICTER_THAN_PUBLISH: &[(&str, &str)] = &[
    (
        "runtime",
        "publish accepts any string containing `@` or `-`; `wasm-js@1` is the only runtime there is (the Runner does not read the field; the older Zod schema allows only this value)",
    ),
    (
        "capabilities",
        "publish stores any non-blank string; install trims and lower-cases each value and silently drops unknown ones; the schema allows only the eleven known values, written exactly",
    ),
    (
        "api.endpoints[].method",
        "publish accepts any letter case and upper-cases it; the schema asks for upper case",
    ),
    (
        "api.endpoints[].path",
        "publish prepends a missing leading `/`; the schema asks for it to be written",
    ),
    (
        "ui, api, api.endpoints[]",
        "publish ignores unknown keys inside these objects (for example `ui.routes`); the schema rejects them so that a typo cannot pass unnoticed",
    ),
];

/// The characters JavaScript's `trim()` removes and its `\s` matches (white
/// space and line terminators), spelled out for the patterns below: `\s`
/// differs between regex engines (Rust's includes U+0085 and omits U+FEFF), and
/// the patterns must mean what publish means in every validator.
macro_rules! js_space {
    () => {
        r"\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
    };
}

/// A string that is not blank: it has a character `trim()` keeps.
const NON_BLANK: &str = concat!("[^", js_space!(), "]");

/// A semantic version or `X.Y.*`, allowing the white space publish trims.
const VERSION: &str = concat!(
    "^[",
    js_space!(),
    r"]*([0-9]+\.[0-9]+\.[0-9]+(-[A-Za-z0-9.-]+)?(\+[A-Za-z0-9.-]+)?|[0-9]+\.[0-9]+\.\*)[",
    js_space!(),
    "]*$"
);

/// Not blank and no `..` anywhere (`[\s\S]`, not `.`, so that a line break
/// cannot hide a `..`).
const NON_BLANK_NO_DOTDOT: &str =
    concat!(r"^(?![\s\S]*\.\.)[", js_space!(), "]*[^", js_space!(), "]");

/// A leading `/`, then no white space and no `..`.
const ENDPOINT_PATH: &str = concat!(r"^/(?![\s\S]*\.\.)[^", js_space!(), "]*$");

/// An Alga PSA extension manifest, version 2: the `manifest.json` at the root of
/// every extension bundle. Publishing validates it; the registry, the API gateway
/// and the host UI each read parts of it. The Runner reads none of it: it gets
/// the grants in each execute request and loads fixed paths of the bundle.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "Alga PSA extension manifest v2",
    extend("$id" = SCHEMA_ID)
)]
pub struct Manifest {
    /// The extension's name. Together with `publisher` it forms the slug
    /// `publisher.name` by which the gateway can also address the extension.
    /// Publish only requires a non-empty string; the older Zod schema in the
    /// registry also wants a reverse-domain form such as `com.acme.tickets`, so
    /// that form is the safest choice.
    #[schemars(length(min = 1), regex(pattern = NON_BLANK))]
    pub name: String,

    /// Who publishes the extension. Optional at publish (but required by the
    /// older Zod schema); when present it must not be blank.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1), regex(pattern = NON_BLANK))]
    pub publisher: Option<String>,

    /// The version being published: a semantic version (`1.2.3`, `1.2.3-beta.1`,
    /// `1.2.3+build.5`), or `X.Y.*`, which publish resolves to the next free patch
    /// version of `X.Y`. A version, once published, is immutable: publishing the
    /// same version again is refused.
    #[schemars(regex(pattern = VERSION))]
    pub version: String,

    /// The execution runtime of the handler component. `wasm-js@1` is the only
    /// runtime there is: the Runner loads every handler as a WebAssembly
    /// component and does not read this field; `alga build` reads it only to
    /// decide whether to build one with `jco componentize`.
    /// Publish accepts any string containing `@` or `-`; the older Zod schema
    /// accepts only `wasm-js@1`, and so does this schema.
    pub runtime: Runtime,

    /// The host capabilities the handler asks for, each `cap:`-prefixed. Known
    /// capabilities listed here are granted at install. `cap:context.read`,
    /// `cap:log.emit` and `cap:user.read` are granted to every install anyway.
    /// Publish stores any non-blank string; install trims and lower-cases each
    /// value and drops, without a warning, every value that is not a known
    /// capability (an unprefixed `storage.kv` is dropped). This schema accepts
    /// only the eleven known values, written exactly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capabilities: Option<Vec<Capability>>,

    /// The extension's user interface, shown in an iframe inside Alga PSA.
    /// Optional at publish. It does not decide whether there is a page: the
    /// host's page and the Runner serve the bundle's `ui/index.html` whether
    /// or not `ui` is set. It decides where the host links to it (`hooks`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ui: Option<Ui>,

    /// The HTTP endpoints the handler serves. The gateway refuses every call
    /// whose method and path match no declared endpoint (`404 endpoint_not_found`),
    /// so anything callable must be declared here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api: Option<Api>,

    /// Extra files of the bundle, as bundle-relative paths. Publish checks only
    /// that each entry is a non-empty string; nothing else reads the field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assets: Option<Vec<NonEmptyString>>,

    /// Precompiled artefacts by target, mapping a target name to a bundle-relative
    /// path. Reserved for the future: publish checks the shape, nothing reads it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("propertyNames" = { "pattern": NON_BLANK }))]
    pub precompiled: Option<BTreeMap<String, NonEmptyString>>,
}

/// A string with at least one character that is not white space.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(transparent)]
#[schemars(extend("minLength" = 1, "pattern" = NON_BLANK))]
pub struct NonEmptyString(pub String);

/// The runtimes the Runner executes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum Runtime {
    /// A JavaScript handler compiled to a WebAssembly component (`dist/main.wasm`).
    #[serde(rename = "wasm-js@1")]
    WasmJs1,
}

/// A host capability. Each one unlocks a WIT import of the `alga:extension`
/// world; the Runner's own host functions check the grant on every call
/// (the WASI and `wasi:http` imports it also links are not gated).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum Capability {
    /// Read the request context (tenant, extension, install). Granted by default.
    #[serde(rename = "cap:context.read")]
    ContextRead,
    /// Read the install's secrets through the `secrets` interface.
    #[serde(rename = "cap:secrets.get")]
    SecretsGet,
    /// Make outbound HTTP requests through the `http` interface, limited by
    /// the Runner's egress allowlist when one is set (unset or empty allows
    /// every host).
    #[serde(rename = "cap:http.fetch")]
    HttpFetch,
    /// Use the install-scoped key-value store through the `storage` interface.
    #[serde(rename = "cap:storage.kv")]
    StorageKv,
    /// Write log lines through the `logging` interface. Granted by default.
    #[serde(rename = "cap:log.emit")]
    LogEmit,
    /// Call host routes from the handler through the `ui-proxy` interface.
    #[serde(rename = "cap:ui.proxy")]
    UiProxy,
    /// Read the user who made the request. Granted by default.
    #[serde(rename = "cap:user.read")]
    UserRead,
    /// List, read, create, update and delete the extension's own scheduled
    /// tasks, and list its endpoints, each marked whether a task may call it.
    #[serde(rename = "cap:scheduler.manage")]
    SchedulerManage,
    /// Create draft manual invoices through the `invoicing` interface.
    #[serde(rename = "cap:invoice.manual.create")]
    InvoiceManualCreate,
    /// Read the tenant's clients through the `clients` interface.
    #[serde(rename = "cap:client.read")]
    ClientRead,
    /// Read the tenant's service catalogue through the `services` interface.
    #[serde(rename = "cap:service.read")]
    ServiceRead,
}

/// The iframe user interface of an extension.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Ui {
    /// How the UI is hosted. Only `iframe` exists.
    #[serde(rename = "type")]
    pub kind: UiType,

    /// A file of the bundle's `ui/` folder, for example `index.html`; must not
    /// contain `..`. Stored, but nothing reads it at the pin: the iframe
    /// always loads `ui/index.html`.
    #[schemars(length(min = 1), regex(pattern = NON_BLANK_NO_DOTDOT))]
    pub entry: String,

    /// Where the host shows a link to the UI. Without hooks the page is still
    /// reachable by its URL, but no menu lists it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hooks: Option<UiHooks>,
}

/// The UI hosting type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum UiType {
    /// A sandboxed iframe, served by the Runner; the app serves it itself only
    /// when `RUNNER_BACKEND=docker`, `EXT_UI_HOST_MODE=nextjs` and
    /// `RUNNER_PUBLIC_BASE` is unset.
    #[serde(rename = "iframe")]
    Iframe,
}

/// Menu entries that lead to the extension's UI. Other keys are accepted and
/// ignored by the host.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct UiHooks {
    /// An entry in the MSP application menu.
    #[serde(rename = "appMenu", default, skip_serializing_if = "Option::is_none")]
    pub app_menu: Option<MenuHook>,

    /// An entry in the client portal menu. Declaring it is also what opts the
    /// extension in to client-portal users: without it the gateway refuses
    /// their calls.
    #[serde(
        rename = "clientPortalMenu",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub client_portal_menu: Option<MenuHook>,
}

/// A menu entry.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct MenuHook {
    /// The text of the menu entry.
    #[schemars(length(min = 1), regex(pattern = NON_BLANK))]
    pub label: String,
}

/// The handler's HTTP surface.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Api {
    /// Every route the handler serves. A call is admitted only when its method
    /// and path match one of these; the list may be empty, which makes nothing
    /// callable.
    pub endpoints: Vec<Endpoint>,
}

/// One declared route.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Endpoint {
    /// The HTTP method. The access policy lets a HEAD call match a GET
    /// endpoint and reads a declared HEAD endpoint as GET (the handler still
    /// sees HEAD), and OPTIONS never reaches it (the app middleware answers
    /// every preflight), so declare GET, POST, PUT, PATCH or DELETE.
    pub method: HttpMethod,

    /// The route, starting with `/`, as the handler sees it after the
    /// `/api/ext/{extensionId}` or `/api/ext-proxy/{extensionId}` prefix. A
    /// segment written `:name` matches any single segment; the segment count
    /// must match exactly; there are no wildcards and the query string is not
    /// matched. No spaces, no `..`.
    #[schemars(regex(pattern = ENDPOINT_PATH))]
    pub path: String,

    /// A label for the code that serves the route. The gateway does not use it
    /// for dispatch (the component's single `handler` export receives every
    /// call), but publish requires it to be non-empty and free of `..`.
    #[schemars(length(min = 1), regex(pattern = NON_BLANK_NO_DOTDOT))]
    pub handler: String,
}

/// HTTP methods publish accepts for an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
#[allow(
    missing_docs,
    reason = "each variant is the HTTP method it names; a doc comment would enter the schema"
)]
pub enum HttpMethod {
    Get,
    Post,
    Put,
    Patch,
    Delete,
    Options,
    Head,
}

/// The JSON Schema (draft 2020-12) generated from [`Manifest`], as a JSON value.
pub fn schema() -> serde_json::Value {
    // A key that is present must hold a value: publish rejects `null` for every
    // optional field, so `Option` means "may be absent", never "may be null".
    let schema = schemars::schema_for!(Manifest);
    let mut value = serde_json::to_value(schema).expect("a generated schema is valid JSON");
    remove_null(&mut value);
    value
}

/// Drop the `null` alternative schemars adds for `Option` fields.
fn remove_null(v: &mut serde_json::Value) {
    use serde_json::Value;
    match v {
        Value::Object(m) => {
            if let Some(Value::Array(types)) = m.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let only = types.remove(0);
                    m.insert("type".into(), only);
                }
            }
            if let Some(Value::Array(any)) = m.get("anyOf")
                && any.len() == 2
                && any[1].get("type").and_then(Value::as_str) == Some("null")
            {
                let inner = any[0].clone();
                m.remove("anyOf");
                if let Value::Object(inner) = inner {
                    for (k, val) in inner {
                        m.entry(k).or_insert(val);
                    }
                }
            }
            m.values_mut().for_each(remove_null);
        }
        Value::Array(a) => a.iter_mut().for_each(remove_null),
        _ => {}
    }
}

/// The published schema file's exact text: pretty JSON with a final newline.
pub fn schema_text() -> String {
    let mut text = serde_json::to_string_pretty(&schema()).expect("a JSON value serialises");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_is_draft_2020_12_with_id() {
        let s = schema();
        assert_eq!(s["$schema"], "https://json-schema.org/draft/2020-12/schema");
        assert_eq!(s["$id"], SCHEMA_ID);
        assert_eq!(s["additionalProperties"], false);
        let props: Vec<&String> = s["properties"].as_object().unwrap().keys().collect();
        assert_eq!(
            props,
            [
                "name",
                "publisher",
                "version",
                "runtime",
                "capabilities",
                "ui",
                "api",
                "assets",
                "precompiled"
            ]
        );
        assert_eq!(
            s["required"],
            serde_json::json!(["name", "version", "runtime"])
        );
    }

    #[test]
    fn every_capability_has_a_description() {
        let s = schema();
        let caps = &s["$defs"]["Capability"]["oneOf"];
        assert_eq!(caps.as_array().unwrap().len(), 11);
        for c in caps.as_array().unwrap() {
            assert!(c["const"].as_str().unwrap().starts_with("cap:"));
            assert!(c["description"].as_str().is_some_and(|d| !d.is_empty()));
        }
    }
}
