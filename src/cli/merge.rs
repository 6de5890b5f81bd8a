//! `handoff merge PARTS… -o OUT`: the parts of a sharded `run` or `sweep`, put
//! back together into exactly the bytes the unsharded command would write.
//!
//! Parts must come from one command: the same kind, program version and
//! scenario hash (scenario file, `--set`, seed, replications), and shards
//! `0..N` each once; otherwise nothing is written and the message says which
//! part differs and how (exit 2). Every part is checked before it is used —
//! its shard, the work it claims to split, the replications or points it holds
//! and their statistics — so an edited or corrupted part is refused, never a
//! crash. A `run` part carries the scenario's text, so merge needs no scenario file.

use std::path::{Path, PathBuf};

use handoff::experiment::Replications;
use handoff::experiment::shard::{self, Header, PartHead, RUN_KIND, RunPart};
use handoff::experiment::sweep::{self, SWEEP_KIND, SweepPart};
use handoff::report;
use serde::de::DeserializeOwned;

use super::output::OutputTarget;
use super::shard::model_of;
use super::{Failure, Language, inspect, io_reason, sweep as sweep_cmd};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The part files (`handoff run|sweep … --shard I/N -o PART`), in any order.
    #[arg(value_name = "PARTS", required = true)]
    parts: Vec<PathBuf>,
    /// Write the result here (atomically) instead of standard output; its
    /// extension gives the format (.csv or .json for a sweep; .csv, .json, .html or text for a run).
    #[arg(short, long, value_name = "OUT")]
    output: Option<PathBuf>,
    /// The output format, instead of OUT's extension.
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Language of the text report and HTML page (run parts); JSON and CSV are data,
    /// the same in every language.
    #[arg(long, value_enum, default_value_t = Language::En)]
    lang: Language,
    /// No progress spinner.
    #[arg(short, long)]
    quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// The text report (run parts).
    Text,
    /// JSON (run or sweep parts).
    Json,
    /// CSV (run or sweep parts).
    Csv,
    /// The HTML page, as `handoff run -o x.html` writes it (run parts).
    Html,
}

/// Read a part as `T`, checking its checksum if `sealed`; a file that is not
/// one is the user's to fix.
fn read<T: DeserializeOwned>(path: &Path, sealed: bool) -> Result<T, Failure> {
    // A device never ends (`/dev/zero`, `/dev/urandom`): refused before
    // reading, not read until the memory is full.
    // Nor is a pipe read: a FIFO nobody writes to would be waited for
    // forever, and a part is read twice (its header, then all of it).
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if let Ok(m) = std::fs::metadata(path) {
            let t = m.file_type();
            let what = if t.is_char_device() || t.is_block_device() {
                Some("a device")
            } else if t.is_fifo() {
                Some("a pipe")
            } else if t.is_socket() {
                Some("a socket")
            } else {
                None
            };
            if let Some(what) = what {
                return Err(Failure::Input(format!(
                    "error: cannot read {}: it is {what}, not a part file; give the files written by `handoff run|sweep --shard I/N -o PART`",
                    path.display()
                )));
            }
        }
    }
    // A part is held in memory whole: one larger than any part handoff writes
    // for a run that fits in memory is refused before it is read.
    if let Ok(m) = std::fs::metadata(path)
        && m.len() > shard::MAX_PART_BYTES
    {
        return Err(too_large(path, m.len()));
    }
    let cannot_read = |e: std::io::Error| {
        Failure::Input(format!(
            "error: cannot read {}: {}",
            path.display(),
            io_reason(&e)
        ))
    };
    let not_a_part = |e: serde_json::Error| {
        // Handoff writes parts whole (a temporary file, renamed): one that
        // ends early was cut short afterwards (a copy that did not finish).
        if e.is_eof() && e.line() > 1 {
            return Failure::Input(format!(
                "error: cannot use the part {}: it ends early ({e}): it was cut short after handoff wrote it (a copy that did not finish, a full disk); copy it again, or write it again with the same command",
                path.display()
            ));
        }
        Failure::Input(format!(
            "error: {} is not a part written by `handoff run --shard` or `handoff sweep --shard`: {e}",
            path.display()
        ))
    };
    // Headers are read without the checksum first, so that a part of another
    // version or scenario is named as such; streamed, so that a huge file that
    // is no part is refused at its first bytes, not read into memory.
    if !sealed {
        let file = std::fs::File::open(path).map_err(cannot_read)?;
        return serde_json::from_reader(std::io::BufReader::new(file)).map_err(|e| {
            if e.is_io() {
                cannot_read(e.into())
            } else {
                not_a_part(e)
            }
        });
    }
    let mut bytes = Vec::new();
    // Read up to one byte past the limit: a part that grew since it was measured.
    std::fs::File::open(path)
        .and_then(|f| {
            use std::io::Read as _;
            f.take(shard::MAX_PART_BYTES + 1).read_to_end(&mut bytes)
        })
        .map_err(cannot_read)?;
    if bytes.len() as u64 > shard::MAX_PART_BYTES {
        return Err(too_large(path, bytes.len() as u64));
    }
    let parsed = serde_json::from_slice(&bytes).map_err(not_a_part)?;
    // Whole and unchanged: a digit edited in a mean would pass every other check.
    shard::unseal(&bytes).map_err(|why| {
        Failure::Input(format!(
            "error: cannot use the part {}: {why}",
            path.display()
        ))
    })?;
    Ok(parsed)
}

/// A part larger than [`shard::MAX_PART_BYTES`] (`size` bytes or more).
fn too_large(path: &Path, size: u64) -> Failure {
    Failure::Input(format!(
        "error: cannot use the part {}: it is {size} bytes, more than a part may be ({} bytes, 1 GiB; a part of 1000 replications of a twenty-department scenario is 58 MB): it was not written by handoff, or was padded; split a run this large into more shards (a larger N in --shard I/N)",
        path.display(),
        shard::MAX_PART_BYTES
    ))
}

/// A part is read twice (its header, then all of it): refused if it was
/// replaced in between (a task still writing it), as its header was checked.
fn unchanged(name: &str, first: &Header, now: &Header) -> Result<(), Failure> {
    if first == now {
        return Ok(());
    }
    Err(Failure::Input(format!(
        "error: {name} changed while merge read it (is a task still writing it?); merge again once every part is written"
    )))
}

pub fn execute(args: Args) -> Result<(), Failure> {
    let inputs: Vec<&Path> = args.parts.iter().map(PathBuf::as_path).collect();
    let out = OutputTarget::check(args.output.as_deref(), &inputs)?;
    // Reading thousands of parts, or telling the stories of an HTML page, takes a while.
    let spinner =
        super::progress::spinner(format!("merging {} parts", args.parts.len()), args.quiet);
    let bytes = merged(&args, &out);
    spinner.finish_and_clear();
    out.write(&bytes?)
}

/// The bytes `merge` writes to `out`.
fn merged(args: &Args, out: &OutputTarget) -> Result<Vec<u8>, Failure> {
    let mut headers = Vec::with_capacity(args.parts.len());
    for p in &args.parts {
        let h: PartHead = read(p, false)?;
        headers.push((p.display().to_string(), Header::from(h)));
    }
    shard::check_parts(&headers).map_err(|e| Failure::Input(format!("error: {e}")))?;
    let bytes = match headers[0].1.kind.as_str() {
        RUN_KIND => {
            // As `run` chooses, before the parts are read: a --format that
            // contradicts OUT's extension (CSV into `report.json`) is refused.
            let flag = args.format.map(|f| match f {
                Format::Text => report::Format::Text,
                Format::Json => report::Format::Json,
                Format::Csv => report::Format::Csv,
                Format::Html => report::Format::Html,
            });
            let format = super::format::choose(flag, args.output.as_deref())?;
            let mut parts = args
                .parts
                .iter()
                .zip(&headers)
                .map(|(p, (name, first))| {
                    let part = read::<RunPart>(p, true)?;
                    unchanged(name, first, &part.header)?;
                    Ok((name.clone(), part))
                })
                .collect::<Result<Vec<_>, Failure>>()?;
            let model = model_of(&parts[0].0, &parts[0].1)?;
            let mut replications = Replications::new(&model);
            shard::merge_runs(&mut parts, &model, |run| replications.add(&run))
                .map_err(|e| Failure::Input(format!("error: {e}")))?;
            let outcome = replications
                .finish()
                .expect("a checked run has at least one replication");
            match format {
                // The page `run` writes, stories of replication 0 included.
                report::Format::Html => {
                    inspect::html_page(&model, &outcome, Vec::new(), args.lang.into())
                }
                // The text `run` writes, in the same language.
                report::Format::Text => report::text::render_with(
                    &outcome,
                    report::text::Options {
                        lang: args.lang.into(),
                        ..Default::default()
                    },
                )
                .into_bytes(),
                _ => report::render(&outcome, format),
            }
        }
        SWEEP_KIND => {
            let flag = match args.format {
                Some(Format::Csv) => Some(sweep_cmd::Format::Csv),
                Some(Format::Json) => Some(sweep_cmd::Format::Json),
                Some(Format::Text | Format::Html) => {
                    return Err(Failure::Input(
                        "error: a merged sweep is a table: --format csv or json".to_owned(),
                    ));
                }
                None => None,
            };
            // As `sweep` chooses: a --format against OUT's extension is refused.
            let format = match out.path() {
                Some(path) => sweep_cmd::Format::for_path(path, flag)?,
                None => flag.unwrap_or(sweep_cmd::Format::Csv),
            };
            let parts = args
                .parts
                .iter()
                .zip(&headers)
                .map(|(p, (name, first))| {
                    let part = read::<SweepPart>(p, true)?;
                    unchanged(name, first, &part.header)?;
                    Ok((name.clone(), part))
                })
                .collect::<Result<Vec<_>, Failure>>()?;
            let merged =
                sweep::merge_sweep(parts).map_err(|e| Failure::Input(format!("error: {e}")))?;
            format.render(&merged)
        }
        other => unreachable!("check_parts refuses a `{other}` part"),
    };
    Ok(bytes)
}
