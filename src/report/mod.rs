//! Reports: what an [`Outcome`] says, as bytes in one format or another.
//!
//! Every format is a pure function of the outcome (no I/O, no clock, no
//! randomness), so the same outcome always gives the same bytes. Writing them
//! somewhere is the binary's business.

pub mod compare;
pub mod csv;
pub mod html;
pub mod human;
pub mod i18n;
pub mod json;
pub mod sensitivity;
mod structure;
pub mod svg;
pub mod sweep;
pub mod text;

use crate::experiment::Outcome;

/// The formats a report can be rendered in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A report for people: headline, department and handoff tables.
    Text,
    /// Every statistic, for scripts (see [`json::render`]).
    Json,
    /// Every statistic, one row each, for spreadsheets (see [`csv::render`]).
    Csv,
    /// One self-contained page for a workshop room (see [`html::run`]).
    Html,
}

/// Render `outcome` in `format`. The HTML page is in English and tells no
/// stories here (they need the model to rerun replication 0); `handoff run`
/// calls [`html::run`] itself to add them and choose the language.
pub fn render(outcome: &Outcome, format: Format) -> Vec<u8> {
    match format {
        Format::Text => text::render(outcome).into_bytes(),
        Format::Json => json::render(outcome),
        Format::Csv => csv::render(outcome),
        Format::Html => html::run(outcome, &[], &json::render(outcome), html::Lang::En),
    }
}

#[cfg(test)]
pub(crate) mod fixture;
