//! The data the Alga PSA extension docs own, and the checks that keep it
//! consistent with the upstream repository at the pin. Both the `alga`
//! preprocessor and `cargo xtask` read it through this crate, so the task
//! runner does not compile the preprocessor.
//!
//! - [`source_file`]: a data file read once, with its display name, for
//!   located diagnostics;
//! - [`registry`]: the canonical upstream paths, by key;
//! - [`upstream`]: the upstream file listing and contents at the pin;
//! - [`scanner`]: `{{#name args}}` directives in a page, outside code;
//! - [`citations`]: the line citations of the pages and their lock;
//! - [`coverage`]: the upstream surface lists and what documents each item;
//! - [`superseded`]: stale paths and what replaces them;
//! - [`probes`]: the runtime probes sent to the Runner and what it answered.

#![warn(missing_docs)]

pub mod citations;
pub mod coverage;
pub mod probes;
pub mod registry;
pub mod scanner;
pub mod source_file;
pub mod superseded;
pub mod upstream;
