//! The man pages and shell completions under `assets/` are generated from the command line's
//! clap definitions, and packages ship them as committed. This test generates them again and
//! fails when they differ, so they can never drift from the CLI. After changing the command
//! line, `WHARF_BLESS=1 cargo test --test integration generated` rewrites them.

use std::path::{Path, PathBuf};

use clap::CommandFactory;
use clap_complete::Shell;
use clap_mangen::Man;
use clap_mangen::roff::{Roff, bold, roman};
use wharf::cli::Cli;

/// Every generated file, by its path under the repository, with the bytes it should hold.
fn generated() -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    let scratch = tempfile::tempdir().unwrap();
    // One page for `wharf` and one per subcommand (`wharf-get.1`, `wharf-queue-run.1`, ...),
    // as git and cargo ship theirs.
    clap_mangen::generate_to(Cli::command(), scratch.path()).unwrap();
    for entry in std::fs::read_dir(scratch.path()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_owned();
        if name != "wharf.1" {
            files.push((Path::new("assets/man").join(name), std::fs::read(&path).unwrap()));
        }
    }
    files.push((PathBuf::from("assets/man/wharf.1"), main_page()));
    for (shell, name) in [
        (Shell::Bash, "wharf.bash"),
        (Shell::Zsh, "_wharf"),
        (Shell::Fish, "wharf.fish"),
    ] {
        let mut bytes = Vec::new();
        clap_complete::generate(shell, &mut Cli::command(), "wharf", &mut bytes);
        files.push((Path::new("assets/completions").join(name), bytes));
    }
    files.sort();
    files
}

/// `wharf(1)`: clap's sections, then what a man page reader looks for and `--help` leaves to
/// the README: examples, environment, files, exit status.
fn main_page() -> Vec<u8> {
    let command = Cli::command();
    let examples = command
        .get_after_help()
        .map(|text| text.to_string())
        .unwrap_or_default();
    let version = env!("CARGO_PKG_VERSION");
    let man = Man::new(command)
        .source(format!("wharf {version}"))
        .manual("Wharf Manual");
    let mut out = Vec::new();
    man.render_title(&mut out).unwrap();
    man.render_name_section(&mut out).unwrap();
    man.render_synopsis_section(&mut out).unwrap();
    man.render_description_section(&mut out).unwrap();
    man.render_options_section(&mut out).unwrap();
    man.render_subcommands_section(&mut out).unwrap();
    let mut roff = Roff::new();
    // `--help`'s examples: one command a line, then the paragraph about URLs.
    let (commands, notes) = examples.split_once("\n\n").unwrap_or((&examples, ""));
    roff.control("SH", ["EXAMPLES"]);
    for line in commands.lines().skip_while(|line| line.starts_with("Examples")) {
        roff.control("br", []).text([roman(line.trim_start())]);
    }
    let notes: Vec<&str> = notes.lines().map(str::trim).collect();
    roff.control("PP", []).text([roman(notes.join(" "))]);
    section(&mut roff, "ENVIRONMENT", ENVIRONMENT);
    section(&mut roff, "FILES", FILES);
    section(&mut roff, "EXIT STATUS", EXIT_STATUS);
    roff.control("SH", ["SEE ALSO"]).text([roman(
        "ssh_config(5), known_hosts in sshd(8); the README at the project's home for the window and its keys.",
    )]);
    roff.to_writer(&mut out).unwrap();
    man.render_version_section(&mut out).unwrap();
    out
}

/// A section of tagged paragraphs: (term, description).
fn section(roff: &mut Roff, title: &str, items: &[(&str, &str)]) {
    roff.control("SH", [title]);
    for (term, description) in items {
        roff.control("TP", []).text([bold(*term)]).text([roman(*description)]);
    }
}

const ENVIRONMENT: &[(&str, &str)] = &[
    (
        "WHARF_PASSWORD",
        "The password (or key passphrase) when neither the URL nor --password-stdin gives one.",
    ),
    (
        "WHARF_HOME",
        "Keep all of Wharf's configuration, data and state under this folder instead of the platform's folders.",
    ),
    ("SSH_AUTH_SOCK", "The ssh-agent Wharf asks for SFTP keys when it runs."),
    ("RUST_LOG", "Diagnostics on stderr (default: warnings only)."),
];

const FILES: &[(&str, &str)] = &[
    (
        "~/.config/wharf/sites.json",
        "Saved sites, readable only by the user; never a password (those live in the OS keyring, service \"wharf\").",
    ),
    (
        "~/.config/wharf/known_hosts, trusted_certificates",
        "SSH host keys and pinned TLS certificates that Wharf trusts. ~/.ssh/known_hosts is read, never written.",
    ),
    (
        "~/.config/wharf/window.ron",
        "The window's size, layout, sort orders, limits and recent servers (without passwords).",
    ),
    (
        "~/.local/state/wharf/",
        "The transfer queue (SQLite), which survives crashes and restarts.",
    ),
];

const EXIT_STATUS: &[(&str, &str)] = &[
    ("0", "Success."),
    (
        "1",
        "The operation, or some of its items, failed; the reason is on stderr.",
    ),
    ("2", "The command line was not understood."),
];

/// The files now in the repository's folders for generated text.
fn committed(root: &Path) -> Vec<PathBuf> {
    let mut paths = Vec::new();
    for folder in ["assets/man", "assets/completions"] {
        let Ok(entries) = std::fs::read_dir(root.join(folder)) else {
            continue;
        };
        for entry in entries {
            paths.push(Path::new(folder).join(entry.unwrap().file_name()));
        }
    }
    paths.sort();
    paths
}

#[test]
fn man_pages_and_completions_match_the_command_line() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let expected = generated();
    if std::env::var_os("WHARF_BLESS").is_some() {
        for folder in ["assets/man", "assets/completions"] {
            let _ = std::fs::remove_dir_all(root.join(folder));
            std::fs::create_dir_all(root.join(folder)).unwrap();
        }
        for (path, bytes) in &expected {
            std::fs::write(root.join(path), bytes).unwrap();
        }
    }
    let names: Vec<PathBuf> = expected.iter().map(|(path, _)| path.clone()).collect();
    assert_eq!(
        committed(root),
        names,
        "the generated files differ from assets/; run WHARF_BLESS=1 cargo test --test integration generated"
    );
    for (path, bytes) in &expected {
        let on_disk = std::fs::read(root.join(path)).unwrap();
        assert!(
            on_disk == *bytes,
            "{} is out of date; run WHARF_BLESS=1 cargo test --test integration generated",
            path.display()
        );
    }
}

#[test]
fn the_main_page_documents_every_command_and_the_examples() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let page = std::fs::read_to_string(root.join("assets/man/wharf.1")).unwrap();
    for command in ["ls", "get", "put", "queue", "site", "mkdir", "rm", "mv"] {
        assert!(
            page.contains(&format!("wharf\\-{command}(1)")),
            "wharf.1 names wharf-{command}(1)"
        );
    }
    assert!(page.contains(env!("CARGO_PKG_VERSION")), "wharf.1 carries the version");
    assert!(page.contains("WHARF_HOME"), "wharf.1 says where files live");
}
