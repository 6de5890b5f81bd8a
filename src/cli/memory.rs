//! How much memory each replication may fill: the memory free when handoff
//! starts (the machine's, or the control group's when that is smaller: a
//! Slurm job's, a container's), shared by the replications that run at once.
//! The engine stops a replication that would take more
//! ([`handoff::engine::limit_memory_per_replication`]), with a message,
//! rather than let an allocation fail and abort the process, or the kernel
//! kill it.

use std::path::Path;

/// The share of the free memory replications may fill together: the rest is
/// for the reports, the program and whatever else runs.
const SHARE: f64 = 0.7;

/// Sets the engine's limit for `threads` replications at once; leaves it
/// unlimited where the free memory cannot be read (not Linux).
pub fn limit_replications(threads: usize) {
    if let Some(free) = free_bytes() {
        let each = free as f64 * SHARE / threads.max(1) as f64;
        handoff::engine::limit_memory_per_replication(each as u64);
    }
}

/// Bytes free for this process: `MemAvailable`, or less if its control group
/// (cgroup v2) has a lower limit left, or its address space (`ulimit -v`).
fn free_bytes() -> Option<u64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    let machine = meminfo_kib(&meminfo, "MemAvailable:")? * 1024;
    Some(
        [group_room(), address_space_left()]
            .into_iter()
            .flatten()
            .fold(machine, u64::min),
    )
}

/// What `ulimit -v` (RLIMIT_AS) leaves of the address space, if it is set.
fn address_space_left() -> Option<u64> {
    let mut limit = std::mem::MaybeUninit::<libc::rlimit>::uninit();
    // SAFETY: getrlimit writes the struct it is given, and says whether it did.
    let limit = (unsafe { libc::getrlimit(libc::RLIMIT_AS, limit.as_mut_ptr()) } == 0)
        .then(|| unsafe { limit.assume_init() }.rlim_cur)?;
    if limit == libc::RLIM_INFINITY {
        return None;
    }
    // The size of the address space in use: the first field of statm, in pages.
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().next()?.parse().ok()?;
    // SAFETY: sysconf only reads a system constant.
    let page = u64::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) }).ok()?;
    Some(limit.saturating_sub(pages * page))
}

/// A `/proc/meminfo` line's value, in KiB.
fn meminfo_kib(meminfo: &str, key: &str) -> Option<u64> {
    meminfo
        .lines()
        .find_map(|line| line.strip_prefix(key))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// What the process's cgroup v2 may still take: `memory.max` less
/// `memory.current`, the tightest of its group and the groups above it.
fn group_room() -> Option<u64> {
    let cgroup = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    // cgroup v2: the single line `0::/path`.
    let path = cgroup.lines().find_map(|l| l.strip_prefix("0::"))?;
    let mut dir = Path::new("/sys/fs/cgroup").join(path.trim_start_matches('/'));
    let mut room: Option<u64> = None;
    loop {
        let read = |name: &str| std::fs::read_to_string(dir.join(name)).ok();
        if let (Some(max), Some(current)) = (read("memory.max"), read("memory.current"))
            && let (Ok(max), Ok(current)) =
                (max.trim().parse::<u64>(), current.trim().parse::<u64>())
        {
            let left = max.saturating_sub(current);
            room = Some(room.map_or(left, |r| r.min(left)));
        }
        if dir == Path::new("/sys/fs/cgroup") || !dir.pop() {
            break;
        }
    }
    room
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meminfo_values_are_read_in_kib() {
        let meminfo = "MemTotal:       23000000 kB\nMemFree:  100 kB\nMemAvailable:   20480 kB\n";
        assert_eq!(meminfo_kib(meminfo, "MemAvailable:"), Some(20480));
        assert_eq!(meminfo_kib(meminfo, "SwapTotal:"), None);
    }

    #[test]
    fn this_machine_has_some_memory_free() {
        if Path::new("/proc/meminfo").exists() {
            let free = free_bytes().expect("MemAvailable is read");
            assert!(free > 1 << 20, "{free} bytes");
        }
    }
}
