//! `~/.ssh/config` at connect time and jump hosts, against OpenSSH's sshd: an alias the
//! config alone describes, and a target reached through one and through two jump hosts,
//! each an sshd of its own whose log shows the forwarding.

use std::path::Path;

use crate::servers::{self, Running, Sshd, USER};
use crate::support::{stderr, wharf};

/// The config lines that make `alias` this sshd, logging in with its plain key.
fn host_block(alias: &str, server: &Running, extra: &str) -> String {
    format!(
        "Host {alias}\n    HostName 127.0.0.1\n    Port {}\n    User {USER}\n    IdentityFile {}\n{extra}",
        server.port,
        servers::plain_client_key(server).display()
    )
}

fn write_config(home: &Path, text: &str) {
    std::fs::create_dir_all(home.join(".ssh")).unwrap();
    std::fs::write(home.join(".ssh/config"), text).unwrap();
}

/// A folder on the servers holding `hello.txt`.
fn folder_with_a_file(name: &str) -> servers::UserFolder {
    let folder = servers::user_folder(name);
    std::fs::write(folder.join("hello.txt"), b"hello through the route\n").unwrap();
    folder
}

fn ls(home: &Path, url: &str) -> std::process::Output {
    wharf(home, &["-v", "ls", "--accept-new-host-key", url])
}

#[test]
fn an_alias_that_only_the_ssh_config_describes_is_listed() {
    let (server, _) = servers::sshd();
    let folder = folder_with_a_file("ssh-alias");
    let home = tempfile::tempdir().unwrap();
    write_config(
        home.path(),
        &format!(
            "Host *\n    ServerAliveInterval 15\n    ProxyCommand nc %h %p\n{}",
            host_block("myserver", &server, "    ConnectTimeout 5\n")
        ),
    );
    let out = ls(home.path(), &format!("sftp://myserver{}", folder.display()));
    let log = stderr(&out);
    assert!(out.status.success(), "{log}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("hello.txt"), "{log}");
    assert!(
        log.contains(&format!("myserver is {USER}@127.0.0.1:{}", server.port)),
        "{log}"
    );
    assert!(log.contains("ProxyCommand nc %h %p (not supported by Wharf)"), "{log}");
    assert!(log.contains("Logged in to myserver"), "{log}");
}

/// Two jump hosts whose logs show what they forwarded, and a target.
struct Chain {
    first: Running,
    second: Running,
    target: Running,
}

fn chain(first_extra: &str) -> Chain {
    let jump = |extra| {
        servers::sshd_custom(&Sshd {
            log_level: "DEBUG1",
            extra,
            ..Sshd::default()
        })
        .0
    };
    Chain {
        first: jump(first_extra),
        second: jump(""),
        target: servers::sshd().0,
    }
}

/// What a jump host's log says when it forwards a connection to `port`.
fn forwarded_to(server: &Running, port: u16) -> bool {
    servers::sshd_log(server).contains(&format!("target 127.0.0.1 port {port}"))
}

/// A home whose `~/.ssh/config` puts `inner` (the chain's target) behind `gate` (its first).
fn behind_gate(chain: &Chain) -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    write_config(
        home.path(),
        &format!(
            "{}{}",
            host_block("gate", &chain.first, ""),
            host_block("inner", &chain.target, "    ProxyJump gate\n")
        ),
    );
    home
}

#[test]
fn a_target_behind_one_jump_host_is_reached_through_it() {
    let chain = chain("");
    let folder = folder_with_a_file("ssh-jump-one");
    let home = behind_gate(&chain);
    let out = ls(home.path(), &format!("sftp://inner{}", folder.display()));
    let log = stderr(&out);
    assert!(out.status.success(), "{log}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("hello.txt"), "{log}");
    assert!(log.contains("Through gate (127.0.0.1:"), "{log}");
    assert!(
        forwarded_to(&chain.first, chain.target.port),
        "{}",
        servers::sshd_log(&chain.first)
    );
}

#[test]
fn a_target_behind_two_jump_hosts_is_reached_through_both_in_order() {
    let chain = chain("");
    let folder = folder_with_a_file("ssh-jump-two");
    let home = tempfile::tempdir().unwrap();
    write_config(
        home.path(),
        &format!(
            "{}{}{}",
            host_block("one", &chain.first, ""),
            host_block("two", &chain.second, ""),
            host_block("inner", &chain.target, "")
        ),
    );
    // -J on the command line, as with ssh; the config gives each hop its port and key.
    let url = format!("sftp://inner{}/hello.txt", folder.display());
    let target = home.path().join("hello.txt");
    let out = wharf(
        home.path(),
        &[
            "-v",
            "get",
            "-J",
            "one,two",
            "--accept-new-host-key",
            &url,
            target.to_str().unwrap(),
        ],
    );
    let log = stderr(&out);
    assert!(out.status.success(), "{log}");
    assert_eq!(std::fs::read(&target).unwrap(), b"hello through the route\n");
    assert!(
        forwarded_to(&chain.first, chain.second.port),
        "{}",
        servers::sshd_log(&chain.first)
    );
    assert!(
        forwarded_to(&chain.second, chain.target.port),
        "{}",
        servers::sshd_log(&chain.second)
    );
    assert!(
        !forwarded_to(&chain.first, chain.target.port),
        "the first hop forwarded only to the second"
    );
}

#[test]
fn a_jump_host_that_does_not_forward_stops_the_connection_with_words() {
    // Were the target reached directly, this jump host's refusal would not matter.
    let chain = chain("AllowTcpForwarding no\n");
    let folder = folder_with_a_file("ssh-jump-refused");
    let home = behind_gate(&chain);
    let out = ls(home.path(), &format!("sftp://inner{}", folder.display()));
    let log = stderr(&out);
    assert!(!out.status.success(), "{log}");
    assert!(log.contains("could not reach 127.0.0.1:"), "{log}");
    assert!(log.contains("AllowTcpForwarding"), "{log}");
}
