//! A real two-step SSH login: sshd with `UsePAM yes`, whose PAM stack (set up by
//! `setup-otp.sh`, which `.ci/run` runs) asks the account `wharf-otp` for its password and
//! then for a one-time code from Debian's libpam-oath. The password answers the first
//! question on its own; the second is the server's, asked of the user.

use std::sync::{Arc, Mutex};

use hmac::{Hmac, Mac};
use wharf::model::{Protocol, Secret};
use wharf::protocol::sftp::SftpFs;
use wharf::protocol::{CertificateInfo, ConnectContext, FsError, HostKeyInfo, RemoteFs, ServerQuestions, TrustPolicy};

use crate::servers;

const USER: &str = "wharf-otp";
const PASSWORD: &str = "otp-pw-1";
/// RFC 4226's test key, which `setup-otp.sh` gives the account.
const SECRET: &[u8] = b"12345678901234567890";

/// The TOTP code (RFC 6238: 30-second steps, 6 digits, HMAC-SHA1) for now.
fn totp() -> String {
    let step = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        / 30;
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(SECRET).unwrap();
    mac.update(&step.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest[19] & 0x0f);
    let number = u32::from_be_bytes([
        digest[offset] & 0x7f,
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]);
    format!("{:06}", number % 1_000_000)
}

/// Trusts the test server and answers its questions with a fresh code, noting each.
struct Authenticator {
    asked: Mutex<Vec<ServerQuestions>>,
}

impl TrustPolicy for Authenticator {
    fn answer(&self, questions: &ServerQuestions) -> Option<Vec<Secret>> {
        self.asked.lock().unwrap().push(questions.clone());
        Some(questions.prompts.iter().map(|_| Secret::new(totp())).collect())
    }

    fn check_host_key(&self, _key: &HostKeyInfo) -> Result<(), FsError> {
        Ok(())
    }

    fn check_certificate(&self, _certificate: &CertificateInfo) -> Result<(), FsError> {
        Ok(())
    }
}

#[test]
fn a_one_time_code_after_the_password_is_asked_and_logs_in() {
    assert!(
        std::fs::read_to_string("/etc/pam.d/sshd").is_ok_and(|text| text.contains("pam_oath.so")),
        "run tests/interop/setup-otp.sh first (.ci/run does)"
    );
    let (server, _) = servers::sshd();
    let authenticator = Arc::new(Authenticator {
        asked: Mutex::new(Vec::new()),
    });
    let context = ConnectContext {
        trust: authenticator.clone(),
        ..crate::support::context()
    };
    let site = crate::support::site(Protocol::Sftp, server.port, USER, PASSWORD);
    let fs = SftpFs::connect(&site, &context).unwrap();
    assert!(
        fs.security()
            .detail
            .contains("keyboard-interactive (the server's questions)"),
        "{}",
        fs.security().detail
    );
    let asked = authenticator.asked.lock().unwrap().clone();
    assert_eq!(
        asked.len(),
        1,
        "only the code was asked; the password answered itself: {asked:?}"
    );
    assert_eq!(asked[0].prompts.len(), 1);
    assert!(asked[0].prompts[0].text.contains("One-time password"), "{asked:?}");
    assert!(!asked[0].prompts[0].echo, "the code is typed hidden");
}

#[test]
fn a_wrong_one_time_code_is_refused_in_words() {
    let (server, _) = servers::sshd();
    struct Wrong;
    impl TrustPolicy for Wrong {
        fn answer(&self, questions: &ServerQuestions) -> Option<Vec<Secret>> {
            Some(questions.prompts.iter().map(|_| Secret::new("000000")).collect())
        }
        fn check_host_key(&self, _key: &HostKeyInfo) -> Result<(), FsError> {
            Ok(())
        }
        fn check_certificate(&self, _certificate: &CertificateInfo) -> Result<(), FsError> {
            Ok(())
        }
    }
    let context = ConnectContext {
        trust: Arc::new(Wrong),
        ..crate::support::context()
    };
    let site = crate::support::site(Protocol::Sftp, server.port, USER, PASSWORD);
    let error = SftpFs::connect(&site, &context)
        .err()
        .expect("a wrong code does not log in");
    assert!(
        error.message.contains("logging in as wharf-otp failed"),
        "{}",
        error.message
    );
    assert!(error.message.contains("keyboard-interactive"), "{}", error.message);
}

/// The command line asks the server's questions on its terminal: `script` gives it one,
/// and what is typed there answers the password prompt and then the code's.
#[test]
fn the_command_line_asks_the_servers_questions_on_its_terminal() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let (server, _) = servers::sshd();
    let home = tempfile::tempdir().unwrap();
    let wharf = format!(
        "{} ls --accept-new-host-key sftp://wharf-otp-tty@127.0.0.1:{}/home/wharf-otp-tty/",
        env!("CARGO_BIN_EXE_wharf"),
        server.port
    );
    let mut child = Command::new("script")
        .args(["-q", "-e", "-c", &wharf, "/dev/null"])
        .env("HOME", home.path())
        .env("WHARF_HOME", home.path())
        .env_remove("SSH_AUTH_SOCK")
        .env_remove("WHARF_PASSWORD")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("script (util-linux) gives the command line a terminal");
    // Typed ahead: the terminal keeps each line until the question that reads it.
    let typed = format!("{PASSWORD}\n{}\n", totp());
    child.stdin.take().unwrap().write_all(typed.as_bytes()).unwrap();
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("wharf-tty-wait".into())
        .spawn(move || {
            let _ = sender.send(child.wait_with_output());
        })
        .unwrap();
    let output = receiver
        .recv_timeout(std::time::Duration::from_secs(60))
        .expect("wharf did not finish within a minute")
        .unwrap();
    let screen = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "{screen}");
    assert!(screen.contains("Password:"), "{screen}");
    assert!(
        screen.contains("One-time password (OATH) for `wharf-otp-tty'"),
        "{screen}"
    );
    assert!(screen.contains(".profile"), "the folder was listed: {screen}");
}
