//! What several benchmarks share: running a peer tool and timing it, and reading this
//! process's memory.

use std::process::Command;
use std::time::{Duration, Instant};

/// Runs `command` to its end and returns how long it took; a failure stops the benchmark
/// with what the command said.
pub fn run(command: &mut Command) -> Duration {
    let started = Instant::now();
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{command:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    started.elapsed()
}

/// Resident memory of this process, from /proc (Linux).
pub fn resident_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("VmRSS:"))
                .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}
