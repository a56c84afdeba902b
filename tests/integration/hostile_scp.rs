//! A hostile SCP sender (the in-process russh server answering `scp -f` with bytes of its
//! choosing): another name, a path out of the folder, a folder instead of a file. Each is
//! refused before a byte is written, as OpenSSH does since CVE-2019-6111; an honest answer
//! from the same server goes through, so the refusals are about the names.

use std::sync::atomic::AtomicBool;

use wharf::engine::api::Progress;
use wharf::engine::copy::{CopyControl, download_file};
use wharf::model::location::RemotePath;
use wharf::model::{Entry, EntryKind, Protocol};
use wharf::protocol::ErrorKind;

use crate::support::sftp_server::{Options, SftpServer, USER};

const PASSWORD: &str = "scp-pw";

/// Downloads `/report.txt` from a server whose `scp -f` sends `sends`, into a fresh folder;
/// the result and every name the folder (and its parent) holds afterwards.
fn download(sends: &[u8]) -> (Result<u64, wharf::protocol::FsError>, Vec<String>) {
    let served = tempfile::tempdir().unwrap();
    let mut options = Options::new(PASSWORD);
    options.scp_sends = Some(sends.to_vec());
    let server = SftpServer::start_with(served.path(), options);
    let site = crate::support::site(Protocol::Scp, server.port, USER, PASSWORD);
    let mut fs = wharf::protocol::connect(&site, &crate::support::context()).unwrap();
    let outer = tempfile::tempdir().unwrap();
    let target_folder = outer.path().join("downloads");
    std::fs::create_dir(&target_folder).unwrap();
    let (cancel, progress) = (AtomicBool::new(false), Progress::default());
    let control = CopyControl {
        cancel: &cancel,
        progress: &progress,
        throttle: &|_| {},
        preserve_mtime: false,
        chunk_limit: None,
        keep_replaced: None,
        upload: None,
    };
    let source = Entry {
        name: "report.txt".into(),
        kind: EntryKind::File,
        size: Some(5),
        modified: None,
        permissions: None,
        owner: None,
        group: None,
        target: None,
    };
    let result = download_file(
        &mut *fs,
        &RemotePath::new("/report.txt"),
        &source,
        &target_folder.join("report.txt"),
        &control,
    );
    let mut names = Vec::new();
    for folder in [outer.path(), &target_folder] {
        for entry in std::fs::read_dir(folder).unwrap() {
            names.push(entry.unwrap().file_name().to_string_lossy().into_owned());
        }
    }
    names.sort();
    (result, names)
}

#[test]
fn an_scp_sender_that_names_another_file_or_a_path_or_a_folder_is_refused() {
    for (sends, why) in [
        (
            &b"C0644 5 evil.txt\nhello\0"[..],
            "the server sent \"evil.txt\" where \"report.txt\" was asked for",
        ),
        (
            b"C0644 5 ../report.txt\nhello\0",
            "could reach outside the target folder",
        ),
        (b"C0644 5 ..\nhello\0", "could reach outside the target folder"),
        (
            b"D0755 0 report.txt\nC0644 5 x\nhello\0E\n",
            "a folder where a file was asked for",
        ),
        (
            b"\x02scp: /report.txt: No such file or directory\n",
            "it does not exist",
        ),
    ] {
        let (result, names) = download(sends);
        let error = result.unwrap_err();
        assert!(error.message.contains(why), "{why}: {}", error.message);
        if !why.contains("exist") {
            assert_eq!(error.kind, ErrorKind::Protocol, "{error:?}");
            assert!(error.message.contains("nothing was written"), "{}", error.message);
        }
        assert_eq!(names, vec!["downloads"], "nothing was written for {why}");
    }
}

#[test]
fn an_honest_scp_answer_from_the_same_server_is_received() {
    let (result, names) = download(b"C0644 5 report.txt\nhello\0");
    assert_eq!(result.unwrap(), 5);
    assert_eq!(names, vec!["downloads", "report.txt"]);
}
