//! Random streams: where seeds become the generators of sequential sources.
//!
//! The arrival process and each department's service times draw in turn from
//! their own ChaCha8 stream, keyed by the
//! scenario seed and the replication number and selected by a stable hash of
//! the source's *name* (`"arrivals"`, `"department:billing"`, …). Two scenarios
//! run with the same seed therefore draw the same numbers wherever they agree,
//! even if departments are listed in another order (common random numbers).
//! ChaCha8 is specified bit for bit, so results do not change across platforms
//! or crate versions. Customers' decisions and what handoffs do to each transfer
//! are keyed to the customer and the order instead (`decisions.rs`), so that they
//! stay aligned between scenarios even when other customers' histories differ.

use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;

/// The generator every stream uses.
pub type Stream = ChaCha8Rng;

/// The generator for source `name` in replication `replication` of a run seeded with `seed`.
pub fn stream(seed: u64, replication: u32, name: &str) -> Stream {
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    key[8..12].copy_from_slice(&replication.to_le_bytes());
    let mut rng = ChaCha8Rng::from_seed(key);
    rng.set_stream(fnv1a(name.as_bytes()));
    rng
}

/// FNV-1a, 64 bits: a fixed, documented hash (std's hasher may change between releases).
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    fnv1a_extend(FNV1A_START, bytes)
}

/// FNV-1a's hash of no bytes, where every hash starts.
pub(crate) const FNV1A_START: u64 = 0xcbf2_9ce4_8422_2325;

/// FNV-1a of the bytes hashed into `hash`, then `bytes`: a hash built as the
/// bytes come (`fnv1a_extend(fnv1a(a), b)` is `fnv1a` of `a` then `b`).
pub(crate) fn fnv1a_extend(hash: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(hash, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;

    #[test]
    fn fnv1a_reference_values() {
        // Published test vectors for 64-bit FNV-1a.
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let draw = |seed, rep, name| stream(seed, rep, name).random::<u64>();
        assert_eq!(draw(7, 0, "arrivals"), draw(7, 0, "arrivals"));
        assert_ne!(draw(7, 0, "arrivals"), draw(7, 1, "arrivals"));
        assert_ne!(draw(7, 0, "arrivals"), draw(8, 0, "arrivals"));
        assert_ne!(draw(7, 0, "arrivals"), draw(7, 0, "department:sales"));
    }

    #[test]
    fn generator_output_is_pinned() {
        // ChaCha8 is portable: this value must never change, or every published
        // result would silently change with it.
        let first = stream(1, 0, "arrivals").random::<u64>();
        assert_eq!(first, PINNED);
    }
    const PINNED: u64 = 4_641_762_119_881_911_059;
}
