use super::*;

fn me() -> LocalUser {
    LocalUser {
        name: "me".into(),
        home: PathBuf::from("/home/me"),
    }
}

fn resolve(text: &str, alias: &str) -> Resolved {
    SshConfig::parse(text, &me()).resolve(alias, None, None, &me())
}

#[test]
fn the_first_value_wins_and_identity_files_add_up() {
    let config = "\
Host web
    HostName web.example.org
    User deploy
    IdentityFile ~/.ssh/web_ed25519
Host web other
    User ignored
    Port 2222
    IdentityFile %d/.ssh/id_%r@%h
Host *
    User everyone
    ServerAliveInterval 1m30s
    ConnectTimeout=10
";
    let web = resolve(config, "web");
    assert!(web.named);
    assert_eq!(web.host_name.as_deref(), Some("web.example.org"));
    assert_eq!(web.user.as_deref(), Some("deploy"));
    assert_eq!(web.port, Some(2222));
    assert_eq!(
        web.identity_files,
        vec![
            PathBuf::from("/home/me/.ssh/web_ed25519"),
            PathBuf::from("/home/me/.ssh/id_deploy@web.example.org")
        ]
    );
    assert_eq!(web.server_alive_interval, Some(Duration::from_secs(90)));
    assert_eq!(web.connect_timeout, Some(Duration::from_secs(10)));
    let stranger = resolve(config, "stranger.example");
    assert!(!stranger.named, "only Host * applied");
    assert_eq!(stranger.user.as_deref(), Some("everyone"));
    assert_eq!(stranger.host_name, None);
}

#[test]
fn patterns_negations_and_case_follow_openssh() {
    let config = "\
Host *.example.org !bad.example.org
    User wild
Host BAD.example.org
    User bad
Host ?b
    Port 2200
";
    assert_eq!(resolve(config, "web.EXAMPLE.org").user.as_deref(), Some("wild"));
    assert_eq!(resolve(config, "bad.example.org").user.as_deref(), Some("bad"));
    assert_eq!(resolve(config, "db").port, Some(2200));
    assert_eq!(resolve(config, "abc").port, None);
}

#[test]
fn match_blocks_apply_by_host_user_and_local_user_and_never_run_commands() {
    let config = "\
Host jump-target
    HostName 10.0.0.7
Match host 10.0.0.* !user root
    ProxyJump bastion
Match originalhost jump-target localuser me
    Port 2222
Match exec \"true\"
    User from-exec
Match all
    User fallback
";
    let target = resolve(config, "jump-target");
    assert_eq!(target.proxy_jump.as_deref(), Some("bastion"));
    assert_eq!(target.port, Some(2222));
    assert_eq!(target.user.as_deref(), Some("fallback"));
    assert!(
        target.unsupported.iter().any(|line| line.starts_with("Match exec")),
        "{:?}",
        target.unsupported
    );
    let as_root = SshConfig::parse(config, &me()).resolve("jump-target", Some("root"), None, &me());
    assert_eq!(as_root.proxy_jump, None, "Match !user root");
}

#[test]
fn includes_are_read_in_place_relative_to_dot_ssh_and_only_inside_an_applying_block() {
    let home = tempfile::tempdir().unwrap();
    let ssh = home.path().join(".ssh");
    std::fs::create_dir_all(ssh.join("config.d")).unwrap();
    std::fs::write(ssh.join("config.d/10-work"), "Host work\n  HostName work.internal\n").unwrap();
    std::fs::write(
        ssh.join("config.d/20-loop"),
        "Include config.d/20-loop\nHost loop\n  Port 1\n",
    )
    .unwrap();
    std::fs::write(ssh.join("extra"), "Port 2200\nHost other\n  User o\n").unwrap();
    std::fs::write(
        ssh.join("config"),
        "Include config.d/*\nHost work\n  User early\n  Include extra\n  ConnectTimeout 5\nHost *\n  Port 2022\n",
    )
    .unwrap();
    let local = LocalUser {
        name: "me".into(),
        home: home.path().to_path_buf(),
    };
    std::fs::write(ssh.join("config.d/30-open"), "Host open\n  User anyone\n").unwrap();
    std::fs::set_permissions(
        ssh.join("config.d/30-open"),
        std::os::unix::fs::PermissionsExt::from_mode(0o666),
    )
    .unwrap();
    let config = SshConfig::load_users(&local);
    assert!(
        config
            .problems
            .iter()
            .any(|problem| problem.contains("others may write to it")),
        "{:?}",
        config.problems
    );
    assert_eq!(config.resolve("open", None, None, &local).user, None);
    let work = config.resolve("work", None, None, &local);
    assert_eq!(work.host_name.as_deref(), Some("work.internal"));
    assert_eq!(work.user.as_deref(), Some("early"));
    assert_eq!(work.port, Some(2200), "the included file's first line is in Host work");
    // After the Include, lines belong to the block around it again.
    assert_eq!(work.connect_timeout, Some(Duration::from_secs(5)));
    assert_eq!(config.resolve("loop", None, None, &local).port, Some(1));
    // An Include inside a block that does not apply never applies, as in OpenSSH.
    let other = config.resolve("other", None, None, &local);
    assert_eq!((other.user, other.port), (None, Some(2022)));
    assert!(
        config
            .problems
            .iter()
            .any(|problem| problem.contains("includes itself"))
    );
    assert_eq!(
        config.aliases(),
        vec!["work".to_owned(), "loop".to_owned(), "other".to_owned()]
    );
}

#[test]
fn security_settings_only_get_stricter_and_the_rest_is_named() {
    let config = "\
Host strict
    StrictHostKeyChecking yes
Host loose
    StrictHostKeyChecking accept-new
    UserKnownHostsFile ~/.ssh/known_hosts_work /dev/null
    ProxyCommand nc %h %p
    Compression yes
    Port eighty
";
    assert_eq!(resolve(config, "strict").host_key_checking, HostKeyChecking::Strict);
    let loose = resolve(config, "loose");
    assert_eq!(loose.host_key_checking, HostKeyChecking::Ask);
    assert_eq!(
        loose.known_hosts_files,
        vec![
            PathBuf::from("/home/me/.ssh/known_hosts_work"),
            PathBuf::from("/dev/null")
        ]
    );
    assert_eq!(loose.port, None);
    let named = loose.unsupported.join("; ");
    for expected in [
        "StrictHostKeyChecking accept-new",
        "ProxyCommand nc %h %p",
        "Port eighty",
    ] {
        assert!(named.contains(expected), "{named}");
    }
    assert!(
        !named.contains("Compression"),
        "harmless settings are not named: {named}"
    );
}

#[test]
fn tokens_and_quotes_expand_as_in_openssh() {
    let config = "\
Host q
    HostName \"%h.example.org\"
    IdentityFile \"~/keys/%n %u %p %%\"
";
    let resolved = SshConfig::parse(config, &me()).resolve("q", None, Some(2200), &me());
    assert_eq!(resolved.host_name.as_deref(), Some("q.example.org"));
    assert_eq!(
        resolved.identity_files,
        vec![PathBuf::from("/home/me/keys/q me 2200 %")]
    );
    let commented = SshConfig::parse("Host c # the build box\n  ProxyJump gate # through the gate\n", &me());
    assert_eq!(
        commented.resolve("c", None, None, &me()).proxy_jump.as_deref(),
        Some("gate")
    );
    let broken = SshConfig::parse("Host a\n  User \"open\nHost b\n  User fine\n", &me());
    assert_eq!(broken.problems.len(), 1);
    assert_eq!(broken.resolve("b", None, None, &me()).user.as_deref(), Some("fine"));
}

#[test]
fn globs() {
    assert!(glob("*.example.com", "a.example.com"));
    assert!(glob("host?", "host1"));
    assert!(!glob("host?", "host12"));
    assert!(glob("*", "anything"));
    // Many stars against a long name that does not match: the matcher backtracks at most once
    // per star, so this is answered at once (a recursive one took exponential time).
    assert!(!glob(&"*a".repeat(30), &"a".repeat(28)));
}
