//! Where reports go: standard output, or a file replaced atomically.
//!
//! A command checks every file it will write ([`OutputTarget::check`]) before
//! it simulates anything, so a long run is never thrown away for a typo in
//! `-o`. Then [`OutputTarget::write`] writes a temporary file beside the
//! target and renames it over the target: a reader sees the old file or the
//! new one, never half of one. The rules:
//!
//! - `-o -` is standard output, and so is `/dev/stdout` (not the file it may
//!   be redirected to); another descriptor (`/dev/stderr`) is refused, and so
//!   is standard output closed when handoff started (`>&-`).
//! - A path ending in `/` (or `/.`, `/..`) names a directory and is refused.
//! - A symlink is written through: its target is replaced, the link stays.
//! - Only a regular file is replaced, and only one this user may write; a
//!   read-only file, a directory, a device, a pipe or a socket is refused.
//!   So is a file the command reads (its scenario, a part).
//! - A replaced file keeps its permissions; a new one gets the usual
//!   `0666` less the umask, as any other program's output would.
//! - On Linux the temporary file has no name until it is complete
//!   (`O_TMPFILE`), so not even SIGKILL leaves one behind; a named temporary
//!   file is registered with [`super::interrupt`], which removes it on Ctrl-C
//!   or SIGTERM.

use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use super::{Failure, interrupt, io_reason};

/// Write `text` to standard error. A message that cannot be written (standard
/// error into a pipe nobody reads any more) is dropped: `eprint!` would panic.
pub fn write_stderr(text: &str) {
    let _ = io::stderr().lock().write_all(text.as_bytes());
}

/// Whether standard output was closed when handoff started (`handoff … >&-`).
///
/// Rust's runtime opens /dev/null on a closed standard descriptor before
/// `main`, so a report written there would vanish and handoff exit 0; so it
/// is looked at earlier, by a constructor the C library runs first.
/// (Elsewhere than Linux: never, and such a report goes to /dev/null.)
static STDOUT_CLOSED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

#[cfg(target_os = "linux")]
#[used]
#[unsafe(link_section = ".init_array")]
static LOOK_AT_STDOUT: extern "C" fn() = look_at_stdout;

#[cfg(target_os = "linux")]
extern "C" fn look_at_stdout() {
    // SAFETY: `fcntl(F_GETFD)` only reads the descriptor's flags.
    let closed = unsafe { libc::fcntl(libc::STDOUT_FILENO, libc::F_GETFD) } == -1
        && io::Error::last_os_error().raw_os_error() == Some(libc::EBADF);
    STDOUT_CLOSED.store(closed, std::sync::atomic::Ordering::Relaxed);
}

/// Refuse standard output when it was closed at start: the report has
/// nowhere to go. A pipe its reader closed (`| head -1`) is another case,
/// found only when written, and quiet.
fn stdout_open() -> Result<(), Failure> {
    if STDOUT_CLOSED.load(std::sync::atomic::Ordering::Relaxed) {
        return Err(Failure::Input(
            "error: cannot write standard output: it was closed when handoff started (`>&-`)\nhelp: send it somewhere: `> report.txt`, or -o FILE; `> /dev/null` to throw it away".to_owned(),
        ));
    }
    Ok(())
}

/// Write `bytes` to standard output. A closed pipe (`handoff run … | head`) is not an error.
pub fn write_stdout(bytes: &[u8]) -> Result<(), Failure> {
    if !bytes.is_empty() {
        stdout_open()?;
    }
    let mut out = io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(cannot_write("standard output", None, &e)),
        Ok(()) => Ok(()),
    }
}

/// An output that could not be written (a full disk, a quota, a read-only
/// file system): the user's to fix, so exit code 2, with what to do and what
/// became of the file. `replaced`: the file that was to be replaced, which is
/// left as it was (`None`: standard output).
fn cannot_write(what: &str, replaced: Option<&Path>, e: &io::Error) -> Failure {
    let fix = match e.kind() {
        io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => {
            "free some space there, or write to another disk"
        }
        io::ErrorKind::ReadOnlyFilesystem | io::ErrorKind::PermissionDenied => {
            "write to a directory you can write to"
        }
        _ => "check the disk, or write to another place",
    };
    let left = match replaced {
        Some(path) if path.exists() => format!("; {} was left as it was", path.display()),
        Some(_) => "; nothing was written there".to_owned(),
        None => String::new(),
    };
    Failure::Input(format!(
        "error: cannot write {what}: {}\nhelp: {fix}{left}",
        io_reason(e)
    ))
}

/// A place a command will write to, checked before anything is simulated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutputTarget {
    /// Standard output (no `-o`, or `-o -`).
    Stdout,
    /// A regular file (or a new one), replaced atomically.
    File {
        /// As the user wrote it, for messages.
        shown: PathBuf,
        /// Where the bytes go: `shown` with symlinks followed.
        real: PathBuf,
    },
}

impl OutputTarget {
    /// Check `path` (`None` or `-`: standard output) for an option such as
    /// `-o`: it must be a regular file or a new one in an existing directory
    /// this user can write, and none of `inputs`. The error is the user's to fix.
    pub fn check(path: Option<&Path>, inputs: &[&Path]) -> Result<OutputTarget, Failure> {
        let Some(shown) = path else {
            stdout_open()?;
            return Ok(OutputTarget::Stdout);
        };
        if shown.as_os_str() == "-" {
            stdout_open()?;
            return Ok(OutputTarget::Stdout);
        }
        let refuse =
            |why: String| Failure::Input(format!("error: cannot write {}: {why}", shown.display()));
        // `/dev/stdout` is standard output, not the file it may be redirected
        // to (replacing that would undo a `>> log`); another descriptor
        // (`/dev/stderr`, a `>(…)`) is no file handoff can replace.
        match descriptor(shown) {
            Some(1) => {
                stdout_open()?;
                return Ok(OutputTarget::Stdout);
            }
            Some(fd) => {
                return Err(refuse(format!(
                    "it is file descriptor {fd} of handoff, not a file it can replace; write to a file, or use `-o -` for standard output"
                )));
            }
            None => {}
        }
        let real = follow_links(shown).map_err(|e| refuse(io_reason(&e)))?;
        let metadata = fs::metadata(&real);
        if metadata.as_ref().is_ok_and(fs::Metadata::is_dir) {
            return Err(refuse(
                "it is a directory; name a file in it, e.g. -o DIR/report.txt".to_owned(),
            ));
        }
        // `new.csv/` would be found out only by the rename, after simulating.
        if names_a_directory(shown) || names_a_directory(&real) {
            return Err(refuse(
                "it names a directory (it ends with `/`, `/.` or `/..`), not a file; name a file, e.g. -o DIR/report.txt".to_owned(),
            ));
        }
        match metadata {
            Ok(m) if !m.is_file() => {
                return Err(refuse(
                    "it is not a regular file (a device, a pipe or a socket), and handoff replaces only regular files; write to a file, or use `-o -` for standard output".to_owned(),
                ));
            }
            // The rename would replace it (the directory is writable), but a
            // file its owner protected is not handoff's to replace: `>` would not.
            Ok(m) if read_only(&real, &m) => {
                return Err(refuse(format!(
                    "it is read-only, and handoff does not replace it\nhelp: make it writable first (chmod u+w {}), or write to another file",
                    shown.display()
                )));
            }
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(refuse(io_reason(&e))),
        }
        let dir = directory_of(&real);
        match fs::metadata(dir) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => return Err(refuse(format!("{} is not a directory", dir.display()))),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(refuse(format!(
                    "the directory {} does not exist",
                    dir.display()
                )));
            }
            Err(e) => {
                return Err(refuse(format!(
                    "the directory {} cannot be used: {}",
                    dir.display(),
                    io_reason(&e)
                )));
            }
        }
        if let Some(input) = inputs.iter().find(|i| same_file(i, &real)) {
            return Err(refuse(format!(
                "it is {}, which this command reads; write the result to another file",
                if input == &shown {
                    "an input".to_owned()
                } else {
                    format!("the input {}", input.display())
                }
            )));
        }
        // Can a file be made beside it? Found now, not after simulating.
        let probe = TempFile::create(dir, None).map_err(|e| {
            refuse(format!(
                "cannot create a file in {}: {}",
                directory_of(shown).display(),
                io_reason(&e)
            ))
        })?;
        drop(probe);
        Ok(OutputTarget::File {
            shown: shown.to_path_buf(),
            real,
        })
    }

    /// The file written, if it is one (for messages).
    pub fn path(&self) -> Option<&Path> {
        match self {
            OutputTarget::Stdout => None,
            OutputTarget::File { shown, .. } => Some(shown),
        }
    }

    /// How many bytes a file written here may take, as far as is known
    /// before writing: the space free to this user on its file system, and no
    /// more than the largest file this process may write (`ulimit -f`).
    /// `None` for standard output, or where neither is known.
    pub fn room(&self) -> Option<u64> {
        match self {
            OutputTarget::Stdout => None,
            OutputTarget::File { real, .. } => room_in(directory_of(real)),
        }
    }

    /// Whether two targets are the same file (or both standard output).
    pub fn same_as(&self, other: &OutputTarget) -> bool {
        match (self, other) {
            (OutputTarget::Stdout, OutputTarget::Stdout) => true,
            (OutputTarget::File { real: a, .. }, OutputTarget::File { real: b, .. }) => {
                a == b || same_file(a, b)
            }
            _ => false,
        }
    }

    /// Write `bytes` there.
    pub fn write(&self, bytes: &[u8]) -> Result<(), Failure> {
        match self {
            OutputTarget::Stdout => write_stdout(bytes),
            OutputTarget::File { .. } => self.write_with(|out| out.write_all(bytes)),
        }
    }

    /// As [`OutputTarget::write`], with the contents streamed by `write`
    /// through a buffer, so they never need to be in memory at once (a trace).
    pub fn write_with(
        &self,
        write: impl FnOnce(&mut dyn io::Write) -> io::Result<()>,
    ) -> Result<(), Failure> {
        match self {
            OutputTarget::Stdout => {
                let mut out = io::BufWriter::new(io::stdout().lock());
                match write(&mut out).and_then(|()| out.flush()) {
                    Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
                    Err(e) => Err(cannot_write("standard output", None, &e)),
                    Ok(()) => Ok(()),
                }
            }
            OutputTarget::File { shown, real } => {
                replace(real, write)
                    .map_err(|e| cannot_write(&shown.display().to_string(), Some(shown), &e))?;
                // Said if a later step is interrupted (`run --trace` then the report).
                interrupt::kept(shown.display().to_string());
                Ok(())
            }
        }
    }
}

/// Write `bytes` to `path` atomically (a file handoff itself manages, such as
/// a sweep's stored point); the error names `path`.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    replace(path, |out| out.write_all(bytes))
        .map_err(|e| cannot_write(&path.display().to_string(), Some(path), &e))
}

/// Replace the file at `path` (no symlink) with what `write` writes, through a
/// temporary file beside it; an existing file's permissions are kept.
fn replace(
    path: &Path,
    write: impl FnOnce(&mut dyn io::Write) -> io::Result<()>,
) -> io::Result<()> {
    let keep = fs::metadata(path).ok().map(|m| m.permissions());
    let temp = TempFile::create(directory_of(path), keep)?;
    {
        let mut buffered = io::BufWriter::new(&temp.file);
        write(&mut buffered)?;
        buffered.flush()?;
    }
    temp.file.sync_all()?;
    temp.persist(path)
}

#[cfg(unix)]
// The types of these fields differ between systems (`u32` on some).
#[allow(clippy::useless_conversion)]
fn room_in(dir: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt as _;
    let free = std::ffi::CString::new(dir.as_os_str().as_bytes())
        .ok()
        .and_then(|c| {
            let mut fs = std::mem::MaybeUninit::<libc::statvfs>::uninit();
            // SAFETY: `c` is a NUL-terminated path and `fs` is written by
            // `statvfs` before it is read, only when it succeeds.
            (unsafe { libc::statvfs(c.as_ptr(), fs.as_mut_ptr()) } == 0).then(|| {
                // SAFETY: just written by `statvfs`.
                let fs = unsafe { fs.assume_init() };
                u64::from(fs.f_bavail).saturating_mul(u64::from(fs.f_frsize))
            })
        });
    let mut limit = std::mem::MaybeUninit::<libc::rlimit>::uninit();
    // SAFETY: `limit` is written by `getrlimit` before it is read, only when it succeeds.
    let largest = (unsafe { libc::getrlimit(libc::RLIMIT_FSIZE, limit.as_mut_ptr()) } == 0)
        .then(|| unsafe { limit.assume_init() }.rlim_cur)
        .filter(|&l| l != libc::RLIM_INFINITY)
        .map(u64::from);
    match (free, largest) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(not(unix))]
fn room_in(_: &Path) -> Option<u64> {
    None
}

/// Whether the file at `path` may not be written: no write permission for
/// anyone, or none for this user.
#[cfg(unix)]
fn read_only(path: &Path, metadata: &fs::Metadata) -> bool {
    use std::os::unix::ffi::OsStrExt as _;
    use std::os::unix::fs::PermissionsExt as _;
    if metadata.permissions().mode() & 0o222 == 0 {
        return true;
    }
    std::ffi::CString::new(path.as_os_str().as_bytes()).is_ok_and(|c| {
        // SAFETY: `c` is a NUL-terminated path; `access` only reads it.
        let denied = unsafe { libc::access(c.as_ptr(), libc::W_OK) } != 0;
        denied && io::Error::last_os_error().kind() == io::ErrorKind::PermissionDenied
    })
}

#[cfg(not(unix))]
fn read_only(_: &Path, metadata: &fs::Metadata) -> bool {
    metadata.permissions().readonly()
}

/// The directory a file is in (`.` for a bare name).
fn directory_of(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// Whether `path` can only name a directory: it ends with `/`, or its last
/// component is `.` or `..`.
fn names_a_directory(path: &Path) -> bool {
    let bytes = path.as_os_str().as_encoded_bytes();
    bytes.ends_with(b"/")
        || bytes == b"."
        || bytes == b".."
        || bytes.ends_with(b"/.")
        || bytes.ends_with(b"/..")
}

/// The file descriptor of this process that `path` names (`/dev/stdout`,
/// `/dev/fd/3`, `/proc/self/fd/1`), following symlinks as [`follow_links`] does.
#[cfg(target_os = "linux")]
fn descriptor(path: &Path) -> Option<u32> {
    let pid = std::process::id();
    let own = Path::new("/proc").join(pid.to_string());
    let mut current = path.to_path_buf();
    for _ in 0..40 {
        if let Ok(dir) = fs::canonicalize(directory_of(&current)) {
            // `/proc/PID/fd`, or a thread's `/proc/PID/task/TID/fd`.
            let fds =
                dir == own.join("fd") || (dir.starts_with(own.join("task")) && dir.ends_with("fd"));
            if fds {
                return current.file_name()?.to_str()?.parse().ok();
            }
        }
        match fs::symlink_metadata(&current) {
            Ok(m) if m.file_type().is_symlink() => {
                let target = fs::read_link(&current).ok()?;
                current = if target.is_absolute() {
                    target
                } else {
                    directory_of(&current).join(target)
                };
            }
            _ => return None,
        }
    }
    None
}

#[cfg(not(target_os = "linux"))]
fn descriptor(_: &Path) -> Option<u32> {
    None
}

/// `path` with every symlink along its last component followed (a link to
/// a link to a file is the file), whether or not the final target exists.
fn follow_links(path: &Path) -> io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..40 {
        match fs::symlink_metadata(&current) {
            Ok(m) if m.file_type().is_symlink() => {
                let target = fs::read_link(&current)?;
                current = if target.is_absolute() {
                    target
                } else {
                    directory_of(&current).join(target)
                };
            }
            _ => return Ok(current),
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

/// Whether `a` and `b` are one file: the same path once resolved, or the
/// same inode (a hard link).
fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        if let (Ok(x), Ok(y)) = (fs::metadata(a), fs::metadata(b)) {
            return x.dev() == y.dev() && x.ino() == y.ino();
        }
    }
    let canonical = |p: &Path| {
        fs::canonicalize(p).ok().or_else(|| {
            let dir = fs::canonicalize(directory_of(p)).ok()?;
            Some(dir.join(p.file_name()?))
        })
    };
    matches!((canonical(a), canonical(b)), (Some(x), Some(y)) if x == y)
}

/// A temporary file beside the file it will replace.
///
/// Where the system allows it (Linux's `O_TMPFILE`), the file has no name
/// while it is written: even a kill no handler sees (SIGKILL, Slurm's kill
/// after its grace period, a power cut) leaves nothing behind. It gets a
/// hidden name only when complete, to be renamed over the target a moment
/// later. Elsewhere it has its hidden name from the start. A named temporary
/// file is removed when dropped unless persisted, and on Ctrl-C or SIGTERM
/// ([`interrupt`]).
struct TempFile {
    file: fs::File,
    dir: PathBuf,
    /// Its hidden name, once it has one.
    path: Option<PathBuf>,
    /// Renamed to its final name: nothing to remove.
    persisted: bool,
}

/// Whether unnamed files could be given a name: cleared, for the rest of the
/// process, the first time linking one fails (no `/proc`, no privilege).
#[cfg(target_os = "linux")]
static UNNAMED_WORKS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(true);

impl TempFile {
    /// A new file in `dir`: with `permissions` if given, otherwise `0666`
    /// less the umask (the system applies it when the file is created).
    fn create(dir: &Path, permissions: Option<fs::Permissions>) -> io::Result<TempFile> {
        let (file, path) = match unnamed_file(dir) {
            Some(file) => (file, None),
            None => {
                let (file, path) =
                    claim_name(dir, |path| new_file_options().create_new(true).open(path))?;
                (file, Some(path))
            }
        };
        let temp = TempFile {
            file,
            dir: dir.to_path_buf(),
            path,
            persisted: false,
        };
        if let Some(p) = permissions {
            temp.file.set_permissions(p)?;
        }
        Ok(temp)
    }

    /// Rename over `path`, giving the file its hidden name first if it has none.
    fn persist(mut self, path: &Path) -> io::Result<()> {
        let hidden = match self.path.clone() {
            Some(hidden) => hidden,
            None => self.name()?,
        };
        fs::rename(&hidden, path)?;
        self.persisted = true;
        interrupt::forget_temporary(&hidden);
        Ok(())
    }

    /// Give the complete, unnamed file a hidden name in its directory; where
    /// that cannot be done, copy it into a new named file instead.
    #[cfg(target_os = "linux")]
    fn name(&mut self) -> io::Result<PathBuf> {
        match claim_name(&self.dir, |path| link_unnamed(&self.file, path)) {
            Ok(((), path)) => {
                self.path = Some(path.clone());
                Ok(path)
            }
            Err(_) => {
                UNNAMED_WORKS.store(false, std::sync::atomic::Ordering::Relaxed);
                self.copy_to_named()
            }
        }
    }

    /// Copy the complete, unnamed file into a new file with a hidden name,
    /// which takes its place.
    #[cfg(target_os = "linux")]
    fn copy_to_named(&mut self) -> io::Result<PathBuf> {
        use std::io::Seek as _;
        let (mut copy, path) = claim_name(&self.dir, |path| {
            new_file_options().create_new(true).open(path)
        })?;
        // Removed if the copy fails, like any named temporary file.
        self.path = Some(path.clone());
        copy.set_permissions(self.file.metadata()?.permissions())?;
        let mut original = &self.file;
        original.rewind()?;
        io::copy(&mut original, &mut copy)?;
        copy.sync_all()?;
        self.file = copy;
        Ok(path)
    }

    #[cfg(not(target_os = "linux"))]
    fn name(&mut self) -> io::Result<PathBuf> {
        unreachable!("every temporary file has a name from the start here")
    }
}

/// The options every temporary file is opened with: `0666`, less the umask.
fn new_file_options() -> fs::OpenOptions {
    let mut options = fs::OpenOptions::new();
    options.read(true).write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o666);
    }
    options
}

/// A new file in `dir` with no name (Linux's `O_TMPFILE`), or `None` where
/// the system or the file system cannot make one (the caller then makes a
/// named file, which reports any real problem such as a read-only directory).
#[cfg(target_os = "linux")]
fn unnamed_file(dir: &Path) -> Option<fs::File> {
    use std::os::unix::fs::OpenOptionsExt as _;
    if !UNNAMED_WORKS.load(std::sync::atomic::Ordering::Relaxed) {
        return None;
    }
    new_file_options()
        .custom_flags(libc::O_TMPFILE)
        .open(dir)
        .ok()
}

#[cfg(not(target_os = "linux"))]
fn unnamed_file(_: &Path) -> Option<fs::File> {
    None
}

/// Link the unnamed `file` at `path`, which must not exist yet.
#[cfg(target_os = "linux")]
fn link_unnamed(file: &fs::File, path: &Path) -> io::Result<()> {
    use std::ffi::CString;
    use std::os::fd::AsRawFd as _;
    use std::os::unix::ffi::OsStrExt as _;
    let to = CString::new(path.as_os_str().as_bytes())?;
    // As open(2) advises: through /proc, which any user may do, and if there
    // is no /proc, by the descriptor itself (which needs CAP_DAC_READ_SEARCH).
    let by_proc = CString::new(format!("/proc/self/fd/{}", file.as_raw_fd()))?;
    // SAFETY: both paths are NUL-terminated strings that outlive the call.
    let linked = unsafe {
        libc::linkat(
            libc::AT_FDCWD,
            by_proc.as_ptr(),
            libc::AT_FDCWD,
            to.as_ptr(),
            libc::AT_SYMLINK_FOLLOW,
        )
    };
    if linked == 0 {
        return Ok(());
    }
    let first = io::Error::last_os_error();
    if first.kind() == io::ErrorKind::AlreadyExists {
        return Err(first);
    }
    // SAFETY: as above; the empty path is a NUL-terminated string too.
    let linked = unsafe {
        libc::linkat(
            file.as_raw_fd(),
            c"".as_ptr(),
            libc::AT_FDCWD,
            to.as_ptr(),
            libc::AT_EMPTY_PATH,
        )
    };
    if linked == 0 { Ok(()) } else { Err(first) }
}

/// Make a file (or link one) at a hidden name of this process's that is free
/// in `dir`, registered with [`interrupt`] as it is made.
fn claim_name<T>(
    dir: &Path,
    mut make: impl FnMut(&Path) -> io::Result<T>,
) -> io::Result<(T, PathBuf)> {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    loop {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = dir.join(format!(".handoff-{}-{n}.tmp", std::process::id()));
        match interrupt::create_temporary(&path, || make(&path)) {
            Ok(made) => return Ok((made, path)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        // An unnamed file vanishes with its descriptor.
        if let (Some(path), false) = (&self.path, self.persisted) {
            let _ = fs::remove_file(path);
            interrupt::forget_temporary(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_replaced_file_appears_whole_and_nothing_else_is_left() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.txt");
        fs::write(&target, "old").unwrap();
        replace(&target, |out| {
            out.write_all(b"new")?;
            out.flush()?;
            // While it is written, the temporary file has no name here: a
            // SIGKILL now would leave nothing behind.
            if cfg!(target_os = "linux") {
                assert_eq!(names(dir.path()), ["out.txt"]);
            }
            Ok(())
        })
        .unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "new");
        assert_eq!(names(dir.path()), ["out.txt"]);
    }

    #[test]
    fn a_failed_write_keeps_the_old_file_and_leaves_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.txt");
        fs::write(&target, "old").unwrap();
        let failed = replace(&target, |out| {
            out.write_all(b"half")?;
            Err(io::Error::other("disk full"))
        });
        assert!(failed.is_err());
        assert_eq!(fs::read_to_string(&target).unwrap(), "old");
        assert_eq!(names(dir.path()), ["out.txt"]);
    }

    /// Where an unnamed file cannot be linked (no /proc, no privilege), its
    /// contents and permissions go to a named copy, which replaces the target.
    #[cfg(target_os = "linux")]
    #[test]
    fn an_unnamed_file_that_cannot_be_linked_is_copied() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.txt");
        let mut temp =
            TempFile::create(dir.path(), Some(fs::Permissions::from_mode(0o640))).unwrap();
        assert!(temp.path.is_none(), "O_TMPFILE works on this file system");
        temp.file.write_all(&[7u8; 100_000]).unwrap();
        let hidden = temp.copy_to_named().unwrap();
        assert_eq!(
            names(dir.path()),
            [hidden.file_name().unwrap().to_str().unwrap()]
        );
        temp.persist(&target).unwrap();
        assert_eq!(fs::read(&target).unwrap(), vec![7u8; 100_000]);
        let mode = fs::metadata(&target).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o640);
        assert_eq!(names(dir.path()), ["out.txt"]);
    }

    #[test]
    fn a_dropped_temporary_file_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut temp = TempFile::create(dir.path(), None).unwrap();
        temp.file.write_all(b"never kept").unwrap();
        drop(temp);
        assert_eq!(names(dir.path()), Vec::<String>::new());
    }
}
