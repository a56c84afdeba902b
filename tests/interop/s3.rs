//! S3 against moto's server: the conformance suite; through the command line, a tree with a
//! file big enough for a multipart upload goes up and comes back byte-identical, is renamed
//! and deleted; a multipart upload killed with SIGKILL is continued by `wharf queue run`
//! after the parts already sent, by the upload id the queue kept (another client's upload of
//! the same name is left alone); a killed download resumes with a range; wrong keys are
//! said in words.

use std::time::{Duration, Instant};

use wharf::model::location::{Location, RemotePath};
use wharf::protocol::s3::S3Fs;
use wharf::protocol::{RemoteFs, ResumeToken};

use crate::conformance;
use crate::servers::moto::{self, ANY_KEY, BUCKET};
use crate::support::{context, data, kill_get_mid_file, stderr, stdout, tree, wharf_with};

fn url(path: &str) -> String {
    format!("s3://{BUCKET}{path}")
}

/// `wharf` with the endpoint and keys as the AWS tools take them, from the environment.
fn wharf(home: &std::path::Path, server: &crate::servers::Running, args: &[&str]) -> std::process::Output {
    let endpoint = moto::endpoint(server);
    let env = [
        ("AWS_ENDPOINT_URL", endpoint.as_str()),
        ("AWS_ACCESS_KEY_ID", ANY_KEY.0),
        ("AWS_SECRET_ACCESS_KEY", ANY_KEY.1),
    ];
    wharf_with(home, args, &env)
}

/// An object as `wharf get` fetches it (moto answers anonymous reads of objects written
/// with keys with 403), or `None` when there is none.
fn object(server: &crate::servers::Running, key: &str) -> Option<Vec<u8>> {
    let (home, out) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let target = out.path().join("object");
    let got = wharf(
        home.path(),
        server,
        &["get", &url(&format!("/{key}")), target.to_str().unwrap()],
    );
    got.status.success().then(|| std::fs::read(&target).unwrap())
}

#[test]
fn moto_passes_the_conformance_suite() {
    let server = moto::start();
    let mut location = Location::parse(&format!("s3://{}:{}@{BUCKET}/", ANY_KEY.0, ANY_KEY.1)).unwrap();
    location.site.s3.url = Some(moto::endpoint(&server));
    let mut fs = S3Fs::connect(&location.site, &context()).unwrap();
    let base = wharf::model::location::RemotePath::new("/suite");
    fs.mkdir(&base).unwrap();
    conformance::exercise(&mut fs, &base);
}

#[test]
fn a_tree_goes_up_comes_back_identical_is_renamed_and_deleted() {
    let server = moto::start();
    let (home, local) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let source = local.path().join("site");
    std::fs::create_dir_all(source.join("img/ünï #1")).unwrap();
    // Bigger than the multipart threshold: two parts.
    std::fs::write(source.join("img/ünï #1/big.bin"), data(9 * 1024 * 1024 + 5, 3)).unwrap();
    std::fs::write(source.join("index.html"), b"<h1>hi</h1>").unwrap();
    std::fs::write(source.join("100% (1).txt"), b"percent").unwrap();

    let put = wharf(
        home.path(),
        &server,
        &["put", "-r", source.to_str().unwrap(), &url("/")],
    );
    assert!(put.status.success(), "{}", stderr(&put));
    let listed = wharf(home.path(), &server, &["ls", &url("/site")]);
    assert!(listed.status.success(), "{}", stderr(&listed));
    for name in ["img", "index.html", "100% (1).txt"] {
        assert!(stdout(&listed).contains(name), "{}", stdout(&listed));
    }

    let back = local.path().join("back");
    let get = wharf(
        home.path(),
        &server,
        &["get", "-r", &url("/site"), back.to_str().unwrap()],
    );
    assert!(get.status.success(), "{}", stderr(&get));
    assert_eq!(tree(&back), tree(&source), "came back identical");

    let moved = wharf(home.path(), &server, &["mv", &url("/site/index.html"), "home.html"]);
    assert!(moved.status.success(), "{}", stderr(&moved));
    assert_eq!(object(&server, "site/home.html").as_deref(), Some(&b"<h1>hi</h1>"[..]));
    assert!(object(&server, "site/index.html").is_none());

    let removed = wharf(home.path(), &server, &["rm", "-r", &url("/site")]);
    assert!(removed.status.success(), "{}", stderr(&removed));
    let gone = wharf(home.path(), &server, &["ls", &url("/site")]);
    assert!(!gone.status.success(), "{}", stdout(&gone));
}

#[test]
fn a_killed_multipart_upload_continues_after_the_parts_sent() {
    let server = moto::start();
    let (home, local) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let file = local.path().join("big.bin");
    let bytes = data(20 * 1024 * 1024 + 7, 8);
    std::fs::write(&file, &bytes).unwrap();
    let endpoint = moto::endpoint(&server);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_wharf"))
        .args(["put", "--limit-rate", "4M", file.to_str().unwrap(), &url("/")])
        .env("WHARF_HOME", home.path())
        .env("HOME", home.path())
        .env("AWS_ENDPOINT_URL", &endpoint)
        .env("AWS_ACCESS_KEY_ID", ANY_KEY.0)
        .env("AWS_SECRET_ACCESS_KEY", ANY_KEY.1)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while moto::pending_parts(&server) == 0 {
        assert!(Instant::now() < deadline, "no part was sent within 30 s");
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(object(&server, "big.bin").is_none(), "the kill came mid-file");
    // Another client's upload of the same name, begun since, with a whole part: the queue
    // continues its own upload (by the id it kept), not the newest, and leaves it alone.
    let total = bytes.len() as u64;
    begin_upload(
        &server,
        "/big.bin",
        &data(wharf::protocol::s3::part_size(total) as usize, 3),
        total,
    );

    let run = wharf(home.path(), &server, &["-v", "queue", "run"]);
    let log = stderr(&run);
    assert!(run.status.success(), "{log}");
    assert!(
        log.contains("Continuing the multipart upload of big.bin after its part"),
        "{log}"
    );
    assert!(object(&server, "big.bin") == Some(bytes), "arrived identical:\n{log}");
    assert_eq!(
        moto::pending_parts(&server),
        1,
        "only the other client's upload is pending"
    );
}

/// Begins a multipart upload of `total` bytes to `path` as another client would, sends
/// `part` as its first part and leaves it unfinished; returns its upload id.
fn begin_upload(server: &crate::servers::Running, path: &str, part: &[u8], total: u64) -> ResumeToken {
    let mut location = Location::parse(&format!("s3://{}:{}@{BUCKET}/", ANY_KEY.0, ANY_KEY.1)).unwrap();
    location.site.s3.url = Some(moto::endpoint(server));
    let mut fs = S3Fs::connect(&location.site, &context()).unwrap();
    let mut writer = fs.open_upload(&RemotePath::new(path), 0, total, None).unwrap();
    let token = writer.resume_token().expect("a multipart upload has an id");
    std::io::Write::write_all(&mut writer, part).unwrap();
    // Dropped unfinished, as a stopped transfer's is: the parts sent whole stay.
    token
}

#[test]
fn a_killed_download_resumes_with_a_range() {
    let server = moto::start();
    let (home, local) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let bytes = data(3 * 1024 * 1024 + 11, 5);
    std::fs::write(local.path().join("big file.bin"), &bytes).unwrap();
    let put = wharf(
        home.path(),
        &server,
        &["put", local.path().join("big file.bin").to_str().unwrap(), &url("/")],
    );
    assert!(put.status.success(), "{}", stderr(&put));
    let out = tempfile::tempdir().unwrap();
    // kill_get_mid_file gives its password as WHARF_PASSWORD: here, the secret of the key
    // the URL names.
    kill_get_mid_file(
        home.path(),
        &[
            "--endpoint",
            &moto::endpoint(&server),
            &format!("s3://{}@{BUCKET}/big%20file.bin", ANY_KEY.0),
            out.path().to_str().unwrap(),
        ],
        ANY_KEY.1,
        &out.path().join(".big file.bin.wharf-part"),
    );
    let run = wharf_with(home.path(), &["-v", "queue", "run"], &[("WHARF_PASSWORD", ANY_KEY.1)]);
    let log = stderr(&run);
    assert!(run.status.success(), "{log}");
    assert_eq!(std::fs::read(out.path().join("big file.bin")).unwrap(), bytes);
    assert!(log.contains("[range: bytes="), "{log}");
    assert!(log.contains("206 Partial Content"), "resumed, not restarted:\n{log}");
}

#[test]
fn wrong_keys_are_said_in_words() {
    let (server, access_key, secret) = moto::start_checking_keys();
    let endpoint = moto::endpoint(&server);
    let home = tempfile::tempdir().unwrap();
    let target = home.path().join("hello.txt");
    let get = |key: &str, secret: &str| {
        wharf_with(
            home.path(),
            &[
                "get",
                "--endpoint",
                &endpoint,
                &url(&format!("/{}", moto::CHECKED_OBJECT)),
                target.to_str().unwrap(),
            ],
            &[("AWS_ACCESS_KEY_ID", key), ("AWS_SECRET_ACCESS_KEY", secret)],
        )
    };
    let wrong = get(&access_key, "not-the-secret");
    assert!(!wrong.status.success());
    assert!(
        stderr(&wrong).contains("the server refused the access key or its secret"),
        "{}",
        stderr(&wrong)
    );
    assert!(stderr(&wrong).contains("SignatureDoesNotMatch"), "{}", stderr(&wrong));
    assert!(!stderr(&wrong).contains("not-the-secret"));
    let unknown = get("AKIDNOBODYKNOWS", &secret);
    assert!(stderr(&unknown).contains("InvalidAccessKeyId"), "{}", stderr(&unknown));
    assert!(!target.exists());
    let right = get(&access_key, &secret);
    assert!(right.status.success(), "the signature is right: {}", stderr(&right));
    assert_eq!(std::fs::read(&target).unwrap(), b"behind the keys");
}

/// What a cancelled upload calls: its parts go from the server (a pause or a dropped
/// connection keeps them, for the resume).
#[test]
fn a_discarded_upload_is_aborted_on_the_server() {
    let server = moto::start();
    let total = 3 * wharf::protocol::s3::MULTIPART_THRESHOLD;
    let part_size = wharf::protocol::s3::part_size(total);
    let token = begin_upload(&server, "/cancelled.bin", &data(part_size as usize, 2), total);
    assert_eq!(moto::pending_parts(&server), 1, "the first part waits on the server");

    let mut location = Location::parse(&format!("s3://{}:{}@{BUCKET}/", ANY_KEY.0, ANY_KEY.1)).unwrap();
    location.site.s3.url = Some(moto::endpoint(&server));
    let mut fs = S3Fs::connect(&location.site, &context()).unwrap();
    let path = RemotePath::new("/cancelled.bin");
    assert_eq!(fs.uploaded_so_far(&path, total, Some(&token)).unwrap(), part_size);
    assert_eq!(
        fs.uploaded_so_far(&path, total, None).unwrap(),
        0,
        "without its id, an upload is no one's to continue"
    );
    fs.discard_upload(&path, Some(&token)).unwrap();
    assert_eq!(moto::pending_parts(&server), 0, "aborted");
    assert_eq!(fs.uploaded_so_far(&path, total, Some(&token)).unwrap(), 0, "gone");
    fs.discard_upload(&path, Some(&token))
        .expect("aborting one that is gone is no error");
}
