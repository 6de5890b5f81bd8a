//! Where reports go: standard output, or a file replaced atomically.

use std::io::{self, Write as _};
use std::path::Path;

use anyhow::Context as _;

/// Write `bytes` to standard output. A closed pipe (`handoff run … | head`) is not an error.
pub fn write_stdout(bytes: &[u8]) -> anyhow::Result<()> {
    let mut out = io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("cannot write to standard output"),
    }
}

/// Write `bytes` to `path` so that a reader sees the old file or the new one,
/// never a half-written one: write a temporary file beside it, then rename.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    write_atomically_with(path, |out| out.write_all(bytes))
}

/// As [`write_atomically`], with the contents streamed by `write` through a
/// buffer, so they never need to be in memory at once (an event trace).
pub fn write_atomically_with(
    path: &Path,
    write: impl FnOnce(&mut dyn io::Write) -> io::Result<()>,
) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let file = tempfile::Builder::new()
        .prefix(".handoff-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .with_context(|| {
            format!(
                "cannot write {}: cannot create a file in {}",
                path.display(),
                dir.display()
            )
        })?;
    {
        let mut buffered = io::BufWriter::new(file.as_file());
        write(&mut buffered)
            .and_then(|()| buffered.flush())
            .and_then(|()| file.as_file().sync_all())
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    readable_by_all(file.as_file());
    file.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Temporary files are private (0600); a report is an ordinary file (0644).
#[cfg(unix)]
fn readable_by_all(file: &std::fs::File) {
    use std::os::unix::fs::PermissionsExt as _;
    // Best effort: the report is still written if this fails.
    let _ = file.set_permissions(std::fs::Permissions::from_mode(0o644));
}

#[cfg(not(unix))]
fn readable_by_all(_file: &std::fs::File) {}
