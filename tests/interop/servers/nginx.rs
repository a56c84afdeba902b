//! nginx 1.22 from Debian serving static files from a fresh folder ([`web_root`]) without
//! authentication: the plain HTTP download. Byte ranges are honoured as nginx does by
//! default (206 with `Content-Range`; `If-Range` compared with its strong ETag or its
//! `Last-Modified` date, 200 and the whole file when they differ), or ignored as some
//! servers and proxies do (`max_ranges 0`: no `Accept-Ranges`, and a Range request gets 200
//! and the whole file), to test resuming against both. Its PID file, logs and temporary
//! folders stay in the server's folder; no configuration of the package's is read. Run as
//! root, its worker runs as root too (`user root`; nginx's default, `nobody`, could not read
//! the server's folder), so it reads whatever the tests put in the web root; otherwise it
//! runs as the caller. The worker outlives a killed master, so the two lead a process group
//! that is killed whole.

use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use super::{Running, free_port, running_as_root, wait_for_port};

/// What the server does with a `Range` header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ranges {
    /// 206 Partial Content for one range, as nginx does by default.
    Honoured,
    /// `max_ranges 0`: 200 and the whole file.
    Ignored,
}

/// Starts nginx on a free loopback port.
pub fn start(ranges: Ranges) -> Running {
    start_with(ranges, None)
}

/// Starts nginx speaking HTTPS with `pem`'s certificate.
pub fn start_tls(pem: &super::Pem) -> Running {
    start_with(Ranges::Honoured, Some(pem))
}

fn start_with(ranges: Ranges, tls: Option<&super::Pem>) -> Running {
    let dir = tempfile::tempdir().unwrap();
    let here = dir.path();
    let port = free_port();
    let web = here.join("web");
    std::fs::create_dir(&web).unwrap();
    let user = if running_as_root() { "user root;\n" } else { "" };
    let max_ranges = match ranges {
        Ranges::Honoured => "",
        Ranges::Ignored => "    max_ranges 0;\n",
    };
    let mut temp = String::new();
    for kind in ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"] {
        temp.push_str(&format!("  {kind}_temp_path {}/{kind}_temp;\n", here.display()));
    }
    let listen = match tls {
        Some(pem) => {
            std::fs::write(here.join("cert.pem"), &pem.certificate).unwrap();
            std::fs::write(here.join("key.pem"), &pem.key).unwrap();
            format!(
                "listen 127.0.0.1:{port} ssl;\n    ssl_certificate {here}/cert.pem;\n    ssl_certificate_key {here}/key.pem;",
                here = here.display()
            )
        }
        None => format!("listen 127.0.0.1:{port};"),
    };
    let config = format!(
        "{user}worker_processes 1;\npid {here}/nginx.pid;\nerror_log {here}/error.log warn;\n\
         events {{\n  worker_connections 256;\n}}\n\
         http {{\n  access_log {here}/access.log;\n{temp}  default_type application/octet-stream;\n  \
         sendfile on;\n  server {{\n    {listen}\n    server_name 127.0.0.1;\n    \
         root {web};\n{max_ranges}  }}\n}}\n",
        here = here.display(),
        web = web.display(),
    );
    let config_path = here.join("nginx.conf");
    std::fs::write(&config_path, config).unwrap();
    let mut child = Command::new("/usr/sbin/nginx")
        .arg("-p")
        .arg(here)
        .arg("-e")
        .arg(here.join("error.log"))
        .arg("-c")
        .arg(&config_path)
        .args(["-g", "daemon off;"])
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("nginx is installed (tests/interop/setup-web.sh installs it)");
    wait_for_port(port, &mut child, "nginx");
    Running::leading_a_group(child, port, dir)
}

/// The folder the server serves at `/`.
pub fn web_root(running: &Running) -> PathBuf {
    running.dir.path().join("web")
}
