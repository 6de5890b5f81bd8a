//! Which format a report is written in: `--format`, or the extension of `-o FILE`.
//!
//! `.json` is JSON, `.csv` CSV, `.txt` text, `.html` (or `.htm`) the HTML
//! page. Any other extension, no extension, standard output or `-o -`
//! give `--format`, or text. A `--format` that contradicts a known extension
//! is an error, so `--format json -o r.csv` never writes JSON into a `.csv`.

use std::path::Path;

use handoff::report;

use super::Failure;

/// The format a known extension asks for.
pub fn for_extension(path: &Path) -> Option<report::Format> {
    let ext = path.extension().and_then(|e| e.to_str())?;
    match ext.to_ascii_lowercase().as_str() {
        "json" => Some(report::Format::Json),
        "csv" => Some(report::Format::Csv),
        "txt" | "text" => Some(report::Format::Text),
        "html" | "htm" => Some(report::Format::Html),
        _ => None,
    }
}

pub fn name(format: report::Format) -> &'static str {
    match format {
        report::Format::Text => "text",
        report::Format::Json => "json",
        report::Format::Csv => "csv",
        report::Format::Html => "html",
    }
}

/// The format of a report: `--format` (`flag`), the extension of `output`, or text.
pub fn choose(
    flag: Option<report::Format>,
    output: Option<&Path>,
) -> Result<report::Format, Failure> {
    let by_extension = match output {
        Some(path) if path != Path::new("-") => for_extension(path),
        _ => None,
    };
    match (flag, by_extension) {
        (Some(f), Some(e)) if f != e => Err(Failure::Input(format!(
            "error: --format {} contradicts the extension of {}, which asks for {}\n  \
             help: drop --format, or name the file .{}",
            name(f),
            output.map_or(String::new(), |p| p.display().to_string()),
            name(e),
            if f == report::Format::Text {
                "txt"
            } else {
                name(f)
            },
        ))),
        (Some(f), _) => Ok(f),
        (None, Some(e)) => Ok(e),
        (None, None) => Ok(report::Format::Text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use report::Format::{Csv, Html, Json, Text};

    fn pick(flag: Option<report::Format>, out: Option<&str>) -> Result<report::Format, String> {
        choose(flag, out.map(Path::new)).map_err(|f| f.message())
    }

    #[test]
    fn the_extension_chooses_the_format() {
        assert_eq!(pick(None, Some("r.json")).unwrap(), Json);
        assert_eq!(pick(None, Some("dir/r.CSV")).unwrap(), Csv);
        assert_eq!(pick(None, Some("r.txt")).unwrap(), Text);
        assert_eq!(pick(None, Some("report")).unwrap(), Text);
        assert_eq!(pick(None, Some("r.out")).unwrap(), Text);
        assert_eq!(pick(None, None).unwrap(), Text);
        assert_eq!(pick(Some(Json), None).unwrap(), Json);
        assert_eq!(pick(Some(Csv), Some("-")).unwrap(), Csv);
        assert_eq!(pick(Some(Json), Some("r.out")).unwrap(), Json);
        assert_eq!(pick(Some(Json), Some("r.json")).unwrap(), Json);
        assert_eq!(pick(None, Some("r.html")).unwrap(), Html);
        assert_eq!(pick(None, Some("dir/r.HTM")).unwrap(), Html);
        assert_eq!(pick(Some(Html), None).unwrap(), Html);
    }

    #[test]
    fn a_contradiction_is_an_error() {
        let e = pick(Some(Json), Some("r.csv")).unwrap_err();
        assert!(e.contains("--format json contradicts"), "{e}");
        assert!(pick(Some(Text), Some("r.json")).is_err());
        let e = pick(Some(Html), Some("r.json")).unwrap_err();
        assert!(e.contains("--format html contradicts"), "{e}");
        assert!(pick(Some(Json), Some("r.html")).is_err());
    }
}
