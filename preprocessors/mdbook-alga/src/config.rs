//! `[preprocessor.alga]` in book.toml.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The preprocessor's name in book.toml (`[preprocessor.alga]`).
pub const NAME: &str = "alga";

/// `[preprocessor.alga]` in book.toml.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, rename_all = "kebab-case", deny_unknown_fields)]
pub struct Config {
    // mdBook's own keys, accepted and ignored.
    /// mdBook's own key: how to run the preprocessor.
    pub command: Option<String>,
    /// mdBook's own key: the preprocessors this one runs before.
    pub before: Option<Vec<String>>,
    /// mdBook's own key: the preprocessors this one runs after.
    pub after: Option<Vec<String>>,
    /// mdBook's own key: the renderers it runs for.
    pub renderers: Option<Vec<String>>,
    /// mdBook's own key: whether a missing preprocessor is an error.
    pub optional: Option<bool>,

    /// Fail the build on warnings too (CI sets it).
    pub deny_warnings: bool,
    /// Folder of registry TOML files.
    pub registry: PathBuf,
    /// The superseded-path list.
    pub superseded: PathBuf,
    /// Folder of data tables for `{{#table NAME}}`.
    pub tables: PathBuf,
    /// Folder of retired pages with `archive.toml`; empty to mount none.
    pub archive: Option<PathBuf>,
    /// Renderers that get the archive pages. Others (a link checker that
    /// cannot see pages outside `src/`) get the live book only; the
    /// preprocessor's own link check covers the archive.
    pub archive_renderers: Vec<String>,
    /// Folder with optional template overrides (`schema-table.hbs`).
    pub templates: PathBuf,
    /// Named schemas for `{{#schema-table NAME}}`.
    pub schemas: BTreeMap<String, PathBuf>,
    /// The schema that validates ```` ```json manifest ```` blocks.
    pub manifest_schema: String,
    /// The lock of what every line citation cites (`cargo xtask upstream --lock`).
    pub citations_lock: Option<PathBuf>,
    /// Folder of the coverage data (`cargo xtask coverage`).
    pub coverage: Option<PathBuf>,
    /// `[preprocessor.alga.probes]`: the runtime probes and their page.
    pub probes: Option<ProbesConfig>,
    /// `[preprocessor.alga.upstream]`: the pinned upstream repository.
    pub upstream: UpstreamConfig,
}

/// `[preprocessor.alga.probes]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ProbesConfig {
    /// The folder with `probes.toml` and `results.toml`.
    pub data: PathBuf,
    /// The page that renders them with `{{#probes}}`, relative to the book
    /// root (`src/...`); `{{#probe ID}}` links there.
    pub page: String,
}

/// `[preprocessor.alga.upstream]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, rename_all = "kebab-case", deny_unknown_fields)]
pub struct UpstreamConfig {
    /// The upstream repository's web URL.
    pub repository: String,
    /// The pinned commit (full SHA).
    pub commit: String,
    /// A listing of every path at the pin, one per line.
    pub tree: Option<PathBuf>,
    /// A local checkout (or bare clone) of the upstream repository.
    pub checkout: Option<PathBuf>,
    /// Take `checkout` from `ALGA_PSA_CHECKOUT` when it is not set here
    /// (default). A book of another upstream, such as a test fixture, turns
    /// it off so that the variable meant for this book does not reach it.
    pub checkout_from_env: bool,
}

impl Default for UpstreamConfig {
    fn default() -> Self {
        UpstreamConfig {
            repository: "https://github.com/Nine-Minds/alga-psa".into(),
            commit: String::new(),
            tree: None,
            checkout: None,
            checkout_from_env: true,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            command: None,
            before: None,
            after: None,
            renderers: None,
            optional: None,
            deny_warnings: false,
            registry: "data/paths".into(),
            superseded: "data/superseded.toml".into(),
            tables: "data/tables".into(),
            archive: None,
            archive_renderers: vec!["html".into()],
            templates: "theme".into(),
            schemas: BTreeMap::new(),
            manifest_schema: "manifest".into(),
            citations_lock: None,
            coverage: None,
            probes: None,
            upstream: UpstreamConfig::default(),
        }
    }
}

impl Config {
    /// Read from the preprocessor context (book.toml plus `MDBOOK_PREPROCESSOR__ALGA__*`).
    pub fn from_context(ctx: &mdbook_preprocessor::PreprocessorContext) -> anyhow::Result<Config> {
        let key = format!("preprocessor.{NAME}");
        let cfg: Option<Config> = ctx
            .config
            .get(&key)
            .map_err(|e| anyhow::anyhow!("book.toml: error: invalid [{key}]: {e:#}"))?;
        let mut cfg = cfg.unwrap_or_default();
        if cfg.upstream.checkout.is_none()
            && cfg.upstream.checkout_from_env
            && let Ok(dir) = std::env::var("ALGA_PSA_CHECKOUT")
            && !dir.is_empty()
        {
            cfg.upstream.checkout = Some(dir.into());
        }
        Ok(cfg)
    }
}
