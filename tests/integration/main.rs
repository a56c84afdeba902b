//! The hermetic integration suite: one test binary (ripgrep's layout), one module per area.
//! Every server listens on 127.0.0.1:0 in a temporary folder.

// Test code: a failed step should stop the test with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod architecture;
mod backends;
mod cli;
mod conformance;
mod desktop;
mod edit;
mod generated;
mod hostile;
mod hostile_replies;
mod hostile_scp;
mod hostile_sftp;
mod queue;
mod round_trips;
mod sftp;
mod sites;
mod support;
