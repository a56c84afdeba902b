//! WsgiDAV 4.4 (Python, on cheroot), a second WebDAV server beside Apache's, installed
//! from PyPI by `tests/interop/setup-web.sh`: one share at `/` on a fresh folder
//! ([`share_root`]), the test account from its own user map, with Basic and Digest both
//! accepted (the 401 offers Digest only, so Basic must be sent unasked). It honours the
//! `X-OC-Mtime` header of ownCloud and Nextcloud clients on PUT and MKCOL
//! (`honor_mtime_header`), setting the file's time to the given seconds, keeps locks and dead
//! properties in memory, and logs only errors. Known behaviour: its realm is the share's
//! path, `/`; a Digest nonce is never checked for age or reuse, only the response; a refused
//! Basic login gets a Basic challenge back; `getetag` in PROPFIND is not quoted, unlike the
//! `ETag` header; a PUT with `X-OC-Mtime` answers the ETag of before the time was set and no
//! `X-OC-MTime: accepted`, and a time that is not whole seconds gets 400.

use std::path::PathBuf;
use std::process::{Command, Stdio};

use super::{PASSWORD, Running, USER, free_port, wait_for_port};

/// Starts WsgiDAV on a free loopback port.
pub fn start() -> Running {
    let dir = tempfile::tempdir().unwrap();
    let here = dir.path();
    let port = free_port();
    let share = here.join("share");
    std::fs::create_dir(&share).unwrap();
    let config = format!(
        "provider_mapping:\n  \"/\": \"{share}\"\n\
         http_authenticator:\n  domain_controller: null\n  accept_basic: true\n  accept_digest: true\n  \
         default_to_digest: true\n\
         simple_dc:\n  user_mapping:\n    \"*\":\n      \"{USER}\":\n        password: \"{PASSWORD}\"\n\
         honor_mtime_header: true\nlock_storage: true\nproperty_manager: true\n\
         dir_browser:\n  enable: false\nverbose: 1\nlogging:\n  enable_loggers: []\n",
        share = share.display(),
    );
    let config_path = here.join("wsgidav.yaml");
    std::fs::write(&config_path, config).unwrap();
    let mut child = Command::new("wsgidav")
        .args(["--host", "127.0.0.1", "--port", &port.to_string(), "--config"])
        .arg(&config_path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("wsgidav is installed (tests/interop/setup-web.sh installs it)");
    wait_for_port(port, &mut child, "wsgidav");
    Running::new(child, port, dir)
}

/// The folder the server shares at `/`.
pub fn share_root(running: &Running) -> PathBuf {
    running.dir.path().join("share")
}
