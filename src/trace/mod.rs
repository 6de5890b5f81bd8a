//! Looking inside one run: an event trace for spreadsheets, and stories of lost customers.
//!
//! Both are [`Observer`]s of the engine. The trace streams each event to a
//! writer as it happens, so memory stays bounded whatever the horizon.

mod stories;

use std::io::Write;

use serde::Serialize;

use crate::engine::{Observer, TraceEvent};
use crate::model::{Cause, Model};
pub use stories::{Stories, Told, UnknownCause, causes_matching};

/// How trace records are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TraceFormat {
    /// Comma-separated values with a header row.
    Csv,
    /// One JSON object per line.
    JsonLines,
}

impl TraceFormat {
    /// The format a file name asks for: `.jsonl`/`.ndjson`/`.json` give JSON lines, anything else CSV.
    pub fn for_path(path: &std::path::Path) -> Self {
        match path.extension().and_then(|e| e.to_str()) {
            Some("jsonl" | "ndjson" | "json") => TraceFormat::JsonLines,
            _ => TraceFormat::Csv,
        }
    }
}

/// One trace record with names resolved: the columns of the CSV and the keys of a JSON line.
#[derive(Debug, Serialize)]
struct Record<'a> {
    time_h: f64,
    kind: &'static str,
    customer: Option<u64>,
    order: Option<u64>,
    department: Option<&'a str>,
    handoff: Option<String>,
    cause: Option<String>,
    path: Option<&'static str>,
    count: u32,
    /// Whether the event happened during the warm-up, which order and department
    /// figures leave out (customer figures leave out customers who arrived then).
    warmup: bool,
}

/// Streams every event of a run to `out`. The first write error stops the trace and is kept for [`TraceWriter::finish`].
pub struct TraceWriter<'m, W: Write> {
    model: &'m Model,
    sink: Sink<W>,
    error: Option<std::io::Error>,
}

enum Sink<W: Write> {
    Csv(Box<csv::Writer<W>>),
    JsonLines(W),
}

impl<'m, W: Write> TraceWriter<'m, W> {
    pub fn new(model: &'m Model, out: W, format: TraceFormat) -> Self {
        let sink = match format {
            TraceFormat::Csv => Sink::Csv(Box::new(csv::Writer::from_writer(out))),
            TraceFormat::JsonLines => Sink::JsonLines(out),
        };
        Self {
            model,
            sink,
            error: None,
        }
    }

    /// Flushes the trace; reports the first error met while writing.
    pub fn finish(self) -> std::io::Result<W> {
        if let Some(e) = self.error {
            return Err(e);
        }
        match self.sink {
            Sink::Csv(w) => w.into_inner().map_err(|e| e.into_error()),
            Sink::JsonLines(mut w) => {
                w.flush()?;
                Ok(w)
            }
        }
    }

    fn write(&mut self, event: &TraceEvent) -> std::io::Result<()> {
        let model = self.model;
        let record = Record {
            time_h: event.time,
            kind: event.kind.name(),
            customer: event.customer,
            order: event.order,
            department: event.department.map(|d| model.departments[d].name.as_str()),
            handoff: event.handoff.map(|h| model.handoff_name(h)),
            cause: event.cause.map(|c: Cause| c.name(model)),
            path: event.path.map(|p| p.name()),
            count: event.count,
            warmup: event.time < model.simulation.warmup_h,
        };
        match &mut self.sink {
            // The I/O error itself, so that its kind (a pipe its reader
            // closed, a full disk) is still known to the caller.
            Sink::Csv(w) => w.serialize(&record).map_err(|e| match e.into_kind() {
                csv::ErrorKind::Io(io) => io,
                kind => std::io::Error::other(format!("{kind:?}")),
            }),
            Sink::JsonLines(w) => {
                serde_json::to_writer(&mut *w, &record)?;
                w.write_all(b"\n")
            }
        }
    }
}

impl<W: Write> Observer for TraceWriter<'_, W> {
    fn record(&mut self, event: &TraceEvent) {
        if self.error.is_none()
            && let Err(e) = self.write(event)
        {
            self.error = Some(e);
        }
    }
}
