//! Apache 2.4 with mod_dav and mod_dav_fs, as Debian ships it: WebDAV as most Linux web
//! hosts offer it, serving a fresh folder ([`dav_root`]) at `/`, every request behind Basic
//! or Digest authentication of the test account. Only the modules WebDAV needs are loaded,
//! from a configuration of our own; the PID file, log, runtime files and lock database stay
//! in the server's folder. Run as root, its workers run as the test account, which owns the
//! DAV root and the lock database.
//! Uploads have no size limit (`LimitRequestBody 0`) and no request timeout module, so only
//! `Timeout 30` ends a stalled transfer. Known behaviour: `PROPFIND` with `Depth: infinity`
//! is refused (403, `DavDepthInfinity` is off by default); a Digest nonce lives 300 seconds
//! (`AuthDigestNonceLifetime`), after which a request gets 401 with `stale=true`; a file
//! changed less than a second before has a weak ETag (`W/"..."`), which `If-Range` never
//! matches. The workers outlive a killed parent, so they lead a process group that is killed
//! whole.

use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use super::{PASSWORD_HASH, Running, USER, account_ids, free_port, running_as_root, wait_for_port};

/// How the server asks for the test account's password.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DavAuth {
    /// `AuthType Basic`, users from an htpasswd file.
    Basic,
    /// `AuthType Digest` (MD5, `qop=auth`), users from an htdigest file.
    Digest,
}

/// The realm of both kinds of authentication.
const REALM: &str = "Wharf interop";

/// MD5 of `USER:REALM:PASSWORD`, the htdigest file's hash
/// (`printf 'wharf-interop:Wharf interop:interop-pw-1' | md5sum`).
const DIGEST_HA1: &str = "d990b68d54977fe9f8d936d23a55e4fb";

const MODULES: &str = "/usr/lib/apache2/modules";

/// Starts Apache with WebDAV on a free loopback port behind `auth`.
pub fn start(auth: DavAuth) -> Running {
    let dir = tempfile::tempdir().unwrap();
    let here = dir.path();
    let port = free_port();
    let dav = here.join("dav");
    let lock = here.join("lock");
    let run = here.join("run");
    for folder in [&dav, &lock, &run] {
        std::fs::create_dir(folder).unwrap();
    }
    let users = here.join("users");
    // Crypt's SHA-512 in the htpasswd file: Apache checks `$6$` hashes with crypt(3).
    let (auth_lines, module, users_text) = match auth {
        DavAuth::Basic => (
            "AuthType Basic\n  AuthBasicProvider file",
            "auth_basic",
            format!("{USER}:{PASSWORD_HASH}\n"),
        ),
        DavAuth::Digest => (
            "AuthType Digest\n  AuthDigestProvider file",
            "auth_digest",
            format!("{USER}:{REALM}:{DIGEST_HA1}\n"),
        ),
    };
    std::fs::write(&users, users_text).unwrap();
    // As root, Apache's workers switch to the test account, which must reach its files
    // (the folder is 0700 as made) and write the DAV root and the lock database.
    let account = if running_as_root() {
        let (uid, gid) = account_ids();
        for folder in [&dav, &lock] {
            std::os::unix::fs::chown(folder, Some(uid), Some(gid)).unwrap();
        }
        let mut permissions = std::fs::metadata(here).unwrap().permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
        std::fs::set_permissions(here, permissions).unwrap();
        format!("User {USER}\nGroup {USER}\n")
    } else {
        String::new()
    };
    // mod_unixd, which switches users, is built into Debian's apache2.
    let mut loads = String::new();
    for name in [
        "mpm_event",
        "authz_core",
        "authn_core",
        "authn_file",
        "authz_user",
        module,
        "dav",
        "dav_fs",
    ] {
        loads.push_str(&format!("LoadModule {name}_module {MODULES}/mod_{name}.so\n"));
    }
    let config = format!(
        "ServerRoot {here}\nServerName 127.0.0.1\nListen 127.0.0.1:{port}\n{loads}{account}\
         PidFile {here}/apache2.pid\nDefaultRuntimeDir {run}\n\
         ErrorLog {here}/error.log\nLogLevel warn\n\
         Timeout 30\nKeepAlive On\nMaxKeepAliveRequests 0\nKeepAliveTimeout 5\n\
         LimitRequestBody 0\nEnableSendfile On\n\
         StartServers 1\nServerLimit 4\nThreadsPerChild 16\nMaxRequestWorkers 64\n\
         MinSpareThreads 8\nMaxSpareThreads 32\n\
         DavLockDB {lock}/DavLock\nDocumentRoot {dav}\n\
         <Directory />\n  AllowOverride None\n  Require all denied\n</Directory>\n\
         <Directory {dav}>\n  Dav On\n  {auth_lines}\n  AuthName \"{REALM}\"\n  AuthUserFile {users}\n  \
         Require valid-user\n</Directory>\n",
        here = here.display(),
        run = run.display(),
        lock = lock.display(),
        dav = dav.display(),
        users = users.display(),
    );
    let config_path = here.join("httpd.conf");
    std::fs::write(&config_path, config).unwrap();
    let mut child = Command::new("/usr/sbin/apache2")
        .arg("-f")
        .arg(&config_path)
        .arg("-DFOREGROUND")
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("apache2 is installed (tests/interop/setup-web.sh installs it)");
    wait_for_port(port, &mut child, "apache2");
    Running::leading_a_group(child, port, dir)
}

/// The folder the server serves at `/`. Run as root, the server writes as the test account:
/// folders a test makes here for the server to change must be given to the account.
pub fn dav_root(running: &Running) -> PathBuf {
    running.dir.path().join("dav")
}
