//! Scenario files (TOML) → [`Model`], with errors a student can act on.
//!
//! [`parse`] reads every section, checks every value and cross-reference,
//! and reports *every* error in the file (a TOML syntax error stops the
//! reading, so it comes alone). Each [`Diagnostic`] carries the byte span it
//! is about; [`Diagnostics::render`] draws them cargo style with
//! `annotate-snippets`. The format is described in `docs/scenario.md`.
//!
//! This is the only module that uses `toml`.

mod build;
mod diagnostic;
mod distribution;
mod read;
mod suggest;
mod units;

use std::fmt;
use std::path::{Path, PathBuf};

pub use diagnostic::{Diagnostic, Diagnostics};

use crate::model::Model;

/// Why a scenario file could not be loaded.
#[derive(Debug)]
pub enum LoadError {
    /// The file could not be read.
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The file was read but is not a valid scenario.
    Invalid(Diagnostics),
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Io { path, source } => {
                write!(f, "cannot read scenario `{}`: {source}", path.display())
            }
            LoadError::Invalid(d) => f.write_str(&d.render(false)),
        }
    }
}

impl std::error::Error for LoadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            LoadError::Io { source, .. } => Some(source),
            LoadError::Invalid(d) => Some(d),
        }
    }
}

/// Read the scenario file at `path` and [`parse`] it; messages name the file as given.
pub fn load(path: &Path) -> Result<Model, LoadError> {
    let source = std::fs::read_to_string(path).map_err(|source| LoadError::Io {
        path: path.to_owned(),
        source,
    })?;
    parse(&source, &path.display().to_string()).map_err(LoadError::Invalid)
}

/// Parse and check a scenario; `origin` is the file name shown in messages.
pub fn parse(source: &str, origin: &str) -> Result<Model, Diagnostics> {
    let root = match toml::de::DeTable::parse(source) {
        Ok(root) => root,
        Err(e) => return Err(Diagnostics::new(origin, source, vec![syntax_error(&e)])),
    };
    let mut errs = read::Errors::default();
    match build::model(root.get_ref(), &mut errs) {
        Some(model) if errs.0.is_empty() => Ok(model),
        _ => {
            if errs.0.is_empty() {
                // Not reachable: every path that yields no model reports why.
                errs.push(Diagnostic::new(
                    0..0,
                    "invalid scenario",
                    "this file could not be read",
                ));
            }
            Err(Diagnostics::new(origin, source, errs.0))
        }
    }
}

/// The one diagnostic for a TOML syntax error.
fn syntax_error(e: &toml::de::Error) -> Diagnostic {
    let span = e.span().unwrap_or(0..0);
    let message = e.message().trim();
    let (first, rest) = match message.split_once(", expected") {
        Some((first, rest)) => (first.to_owned(), format!("expected{rest}")),
        None => (message.to_owned(), String::new()),
    };
    let label = if rest.is_empty() { first.clone() } else { rest };
    Diagnostic::new(span, format!("invalid TOML: {first}"), label).with_help(
        "check quotes, brackets and `=` on this line; strings need double quotes: `name = \"sales\"`",
    )
}

#[cfg(test)]
mod tests;
