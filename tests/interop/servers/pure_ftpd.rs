//! pure-ftpd 1.0.50, the server of much shared hosting, from its unpacked .deb: plain FTP or
//! explicit TLS required for logins and data (`-Y 3`). It has no configuration file; the
//! options say everything. Its sessions outlive their master, so it leads a process group
//! that is killed whole. Known behaviour (see the README's server notes): every failed CWD
//! in a row is answered 100 ms later than the one before, and the 51st closes the session;
//! FEAT lists UTF8 but `OPTS UTF8 ON` gets 504; MLSD lists `.` and `..`.

use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};

use super::{
    PASSWORD_HASH, Running, USER, account_ids, free_port, passive_range, unpacked_servers, wait_for_port,
    write_certificate,
};

/// Starts pure-ftpd; with `tls`, explicit TLS is required and the certificate's DER returned.
pub fn start(tls: bool) -> (Running, Option<Vec<u8>>) {
    let root = unpacked_servers();
    let dir = tempfile::tempdir().unwrap();
    let (port, pasv) = (free_port(), free_port());
    let (uid, gid) = account_ids();
    // A virtual user of our own (puredb), mapped to the test account, without a chroot.
    let users = dir.path().join("pureftpd.passwd");
    let database = dir.path().join("pureftpd.pdb");
    std::fs::write(
        &users,
        format!("{USER}:{PASSWORD_HASH}:{uid}:{gid}::/home/{USER}::::::::::::\n"),
    )
    .unwrap();
    let made = Command::new(root.join("usr/bin/pure-pw"))
        .arg("mkdb")
        .arg(&database)
        .arg("-f")
        .arg(&users)
        .status()
        .unwrap();
    assert!(made.success(), "pure-pw mkdb");
    // Its session scoreboard has a fixed place.
    std::fs::create_dir_all("/run/pure-ftpd").unwrap();
    let mut command = Command::new(root.join("usr/sbin/pure-ftpd"));
    command
        .args(["-S", &format!("127.0.0.1,{port}"), "-p", &passive_range(pasv)])
        .args([
            "-P",
            "127.0.0.1",
            "-E",
            "-H",
            "-4",
            "-f",
            "none",
            "-c",
            "50",
            "-C",
            "20",
        ])
        .arg("-l")
        .arg(format!("puredb:{}", database.display()))
        .arg("-g")
        .arg(dir.path().join("pure-ftpd.pid"));
    let mut der = None;
    if tls {
        let (cert, key, certificate) = write_certificate(dir.path());
        der = Some(certificate);
        command
            .args(["-Y", "3", "-2"])
            .arg(format!("{},{}", cert.display(), key.display()));
    }
    let mut child = command
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    wait_for_port(port, &mut child, "pure-ftpd");
    (Running::leading_a_group(child, port, dir), der)
}
