//! moto's S3 server (PyPI `moto[server]`, installed by `tests/interop/setup-web.sh`): a
//! widely used implementation of the S3 API, with ListObjectsV2, multipart uploads and
//! ListParts, on a loopback port, path-style (its host is an IP address). By default it
//! takes any keys; [`start_checking_keys`] makes it check them, as AWS does: moto's IAM
//! creates a user and an access key (through boto3, which moto brings), then moto's
//! `reset-auth` turns the checks on, so a wrong secret gets `SignatureDoesNotMatch` and an
//! unknown key `InvalidAccessKeyId`.

use std::process::{Command, Stdio};
use std::time::Duration;

use super::{Running, free_port, wait_for_port};

/// The bucket every server starts with.
pub const BUCKET: &str = "wharf-interop";

/// Keys for a server that takes any.
pub const ANY_KEY: (&str, &str) = ("AKIDWHARFINTEROP", "any-secret-will-do");

/// Starts moto with [`BUCKET`].
pub fn start() -> Running {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut child = Command::new("moto_server")
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("moto_server is installed (tests/interop/setup-web.sh installs it)");
    wait_for_port(port, &mut child, "moto_server");
    let running = Running::new(child, port, dir);
    let made = client().put(format!("{}/{BUCKET}", endpoint(&running))).send().unwrap();
    assert!(made.status().is_success(), "the bucket was made: {}", made.status());
    running
}

/// An object of the key-checking server's bucket, written before the checks began.
pub const CHECKED_OBJECT: &str = "hello.txt";

/// moto checking keys; returns the server and the one access key it knows. (moto checks a
/// signature against the query as it decoded it, so a request whose query holds an encoded
/// `/`, such as a listing with the `/` delimiter, never matches there, for boto3 as for
/// Wharf; a download does.)
pub fn start_checking_keys() -> (Running, String, String) {
    let running = start();
    let script = format!(
        r#"
import boto3
iam = boto3.client("iam", endpoint_url="{endpoint}", region_name="us-east-1",
                   aws_access_key_id="setup", aws_secret_access_key="setup")
iam.create_user(UserName="wharf")
iam.put_user_policy(UserName="wharf", PolicyName="all",
    PolicyDocument='{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"*","Resource":"*"}}]}}')
key = iam.create_access_key(UserName="wharf")["AccessKey"]
print(key["AccessKeyId"], key["SecretAccessKey"])
"#,
        endpoint = endpoint(&running)
    );
    let output = Command::new("python3").args(["-c", &script]).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let text = String::from_utf8(output.stdout).unwrap();
    let mut words = text.split_whitespace();
    let (access_key, secret) = (words.next().unwrap().to_owned(), words.next().unwrap().to_owned());
    let put = client()
        .put(format!("{}/{BUCKET}/{CHECKED_OBJECT}", endpoint(&running)))
        .body("behind the keys")
        .send()
        .unwrap();
    assert!(put.status().is_success());
    let reset = client()
        .post(format!("{}/moto-api/reset-auth", endpoint(&running)))
        .body("0")
        .send()
        .unwrap();
    assert!(reset.status().is_success());
    (running, access_key, secret)
}

/// `http://127.0.0.1:PORT`.
pub fn endpoint(running: &Running) -> String {
    format!("http://127.0.0.1:{}", running.port)
}

/// The parts sent so far of the bucket's pending multipart uploads.
pub fn pending_parts(running: &Running) -> usize {
    let base = format!("{}/{BUCKET}", endpoint(running));
    let uploads = client().get(format!("{base}?uploads")).send().unwrap().text().unwrap();
    let mut parts = 0;
    for chunk in uploads.split("<Upload>").skip(1) {
        let key = between(chunk, "<Key>", "</Key>");
        let id = between(chunk, "<UploadId>", "</UploadId>");
        let listed = client()
            .get(format!("{base}/{key}?uploadId={id}"))
            .send()
            .unwrap()
            .text()
            .unwrap();
        parts += listed.matches("<Part>").count();
    }
    parts
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text.find(start).map_or(0, |index| index + start.len());
    let to = text[from..].find(end).map_or(text.len(), |index| from + index);
    &text[from..to]
}

/// A plain HTTP client for setting up and looking (Wharf's reqwest brings no TLS
/// provider of its own: it is given ring's).
fn client() -> reqwest::blocking::Client {
    let tls =
        rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(rustls::RootCertStore::empty())
            .with_no_client_auth();
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(20))
        .tls_backend_preconfigured(tls)
        .build()
        .unwrap()
}
