//! The `wharf` binary: parse the arguments and hand over. No logic lives here.

use clap::Parser;
use wharf::cli::{self, Cli};

fn main() {
    let cli = Cli::parse();
    init_tracing();
    let code = match cli.command {
        Some(action) => cli::run(action, &cli.connection),
        None => wharf::ui::run(cli.open),
    };
    std::process::exit(code);
}

/// Diagnostics go to stderr, filtered by `RUST_LOG` (default: warnings only). suppaftp's
/// own log is off by default: Wharf logs every command and reply itself, secrets masked (and
/// `-v` prints that log, not tracing's).
fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,suppaftp=off"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
