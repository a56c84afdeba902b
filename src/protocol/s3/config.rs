//! Where an S3 connection's keys, region and endpoint come from, in the order the AWS tools
//! read them: the site, then the environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
//! `AWS_SESSION_TOKEN`, `AWS_PROFILE`, `AWS_REGION`, `AWS_DEFAULT_REGION`,
//! `AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL`), then the profile in `~/.aws/credentials` and
//! `~/.aws/config` (or `AWS_SHARED_CREDENTIALS_FILE`, `AWS_CONFIG_FILE`). No keys anywhere
//! means anonymous requests, as for a public bucket.
//!
//! The two files are INI with AWS's own twists (`[profile name]` in config, `[name]` in
//! credentials, indented sub-keys under `s3 =`), read here in a few lines: the INI crates
//! do not know the twists.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use url::Url;

use crate::model::{Secret, Site};
use crate::protocol::{ErrorKind, FsError};

/// An access key and what goes with it.
#[derive(Debug, Clone)]
pub struct Keys {
    pub access_key: String,
    pub secret: Secret,
    pub session_token: Option<Secret>,
    /// Where they came from, for the log ("the site", "AWS_ACCESS_KEY_ID", "profile dev").
    pub source: String,
}

/// Everything a connection needs besides the bucket.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub endpoint: Url,
    pub region: String,
    pub path_style: bool,
    pub keys: Option<Keys>,
}

/// The process's environment and home, or a test's.
pub struct Environment<'a> {
    pub var: &'a dyn Fn(&str) -> Option<String>,
    pub home: Option<PathBuf>,
}

impl Environment<'_> {
    fn get(&self, name: &str) -> Option<String> {
        (self.var)(name).filter(|value| !value.trim().is_empty())
    }

    fn file(&self, variable: &str, name: &str) -> Option<PathBuf> {
        self.get(variable)
            .map(PathBuf::from)
            .or_else(|| self.home.as_ref().map(|home| home.join(".aws").join(name)))
    }
}

pub fn resolve(site: &Site, env: &Environment<'_>) -> Result<Resolved, FsError> {
    let profile_name = site
        .s3
        .profile
        .clone()
        .or_else(|| env.get("AWS_PROFILE"))
        .unwrap_or_else(|| "default".to_owned());
    let credentials = read_profile(
        env.file("AWS_SHARED_CREDENTIALS_FILE", "credentials"),
        &profile_name,
        false,
    );
    let config = read_profile(env.file("AWS_CONFIG_FILE", "config"), &profile_name, true);
    let from_files = |key: &str| credentials.get(key).or_else(|| config.get(key)).cloned();
    let region = site
        .s3
        .region
        .clone()
        .or_else(|| env.get("AWS_REGION"))
        .or_else(|| env.get("AWS_DEFAULT_REGION"))
        .or_else(|| config.get("region").cloned())
        .unwrap_or_else(|| "us-east-1".to_owned());
    let custom = site
        .s3
        .url
        .clone()
        .or_else(|| env.get("AWS_ENDPOINT_URL_S3"))
        .or_else(|| env.get("AWS_ENDPOINT_URL"))
        .or_else(|| config.get("endpoint_url").cloned());
    let endpoint_text = custom
        .clone()
        .unwrap_or_else(|| format!("https://s3.{region}.amazonaws.com"));
    let endpoint = Url::parse(&endpoint_text)
        .ok()
        .filter(|url| matches!(url.scheme(), "http" | "https") && url.host_str().is_some())
        .ok_or_else(|| {
            FsError::new(
                ErrorKind::InvalidName,
                format!("{endpoint_text:?} is not an S3 endpoint; write it like https://s3.example.com:9000"),
            )
        })?;
    // A bucket with dots breaks the certificate of `bucket.endpoint`; AWS's own tools
    // fall back to path-style for it too.
    let path_style = site
        .s3
        .path_style
        .unwrap_or(custom.is_some() || site.host.contains('.'));
    let keys = if !site.user.is_empty() {
        let secret = site
            .credentials
            .password
            .clone()
            .filter(|secret| !secret.is_empty())
            .ok_or_else(|| {
                FsError::new(
                    ErrorKind::Auth,
                    format!("the secret key of the access key {} was not given", site.user),
                )
            })?;
        Some(Keys {
            access_key: site.user.clone(),
            secret,
            session_token: None,
            source: "the site".to_owned(),
        })
    } else if let (Some(access_key), Some(secret)) = (env.get("AWS_ACCESS_KEY_ID"), env.get("AWS_SECRET_ACCESS_KEY")) {
        Some(Keys {
            access_key,
            secret: Secret::new(secret),
            session_token: env.get("AWS_SESSION_TOKEN").map(Secret::new),
            source: "AWS_ACCESS_KEY_ID".to_owned(),
        })
    } else if let (Some(access_key), Some(secret)) =
        (from_files("aws_access_key_id"), from_files("aws_secret_access_key"))
    {
        Some(Keys {
            access_key,
            secret: Secret::new(secret),
            session_token: from_files("aws_session_token").map(Secret::new),
            source: format!("profile {profile_name} in ~/.aws"),
        })
    } else {
        None
    };
    Ok(Resolved {
        endpoint,
        region,
        path_style,
        keys,
    })
}

/// The keys of one profile in one file (`config`: `[profile name]`, or `[default]`).
fn read_profile(path: Option<PathBuf>, profile: &str, config: bool) -> HashMap<String, String> {
    let Some(text) = path.as_deref().and_then(read_small) else {
        return HashMap::new();
    };
    let wanted = if config && profile != "default" {
        format!("profile {profile}")
    } else {
        profile.to_owned()
    };
    let mut keys = HashMap::new();
    let mut inside = false;
    for line in text.lines() {
        if line.starts_with([' ', '\t']) {
            // A sub-key of a nested block (`s3 =` then indented lines): not a profile key.
            continue;
        }
        let line = line.trim();
        if line.is_empty() || line.starts_with(['#', ';']) {
            continue;
        }
        if let Some(section) = line.strip_prefix('[').and_then(|rest| rest.strip_suffix(']')) {
            inside = section.split_whitespace().collect::<Vec<_>>().join(" ") == wanted;
            continue;
        }
        if inside && let Some((key, value)) = line.split_once('=') {
            let value = value.trim();
            if !value.is_empty() {
                keys.insert(key.trim().to_ascii_lowercase(), value.to_owned());
            }
        }
    }
    keys
}

/// The AWS files are a few KB; anything much bigger is not one of them.
fn read_small(path: &Path) -> Option<String> {
    const LIMIT: u64 = 1024 * 1024;
    let meta = std::fs::metadata(path).ok()?;
    (meta.is_file() && meta.len() <= LIMIT)
        .then(|| std::fs::read_to_string(path).ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Protocol;
    use crate::model::location::Location;

    fn site(url: &str) -> Site {
        let mut site = Location::parse(url).unwrap().site;
        assert_eq!(site.protocol, Protocol::S3);
        site.s3 = Default::default();
        site
    }

    fn home_with(credentials: &str, config: &str) -> tempfile::TempDir {
        let home = tempfile::tempdir().unwrap();
        std::fs::create_dir(home.path().join(".aws")).unwrap();
        std::fs::write(home.path().join(".aws/credentials"), credentials).unwrap();
        std::fs::write(home.path().join(".aws/config"), config).unwrap();
        home
    }

    #[test]
    fn the_site_then_the_environment_then_the_profile() {
        let home = home_with(
            "[default]\naws_access_key_id = AKDEFAULT\naws_secret_access_key = s-default\n\n[dev]\naws_access_key_id=AKDEV\naws_secret_access_key=s-dev\n",
            "[default]\nregion = eu-west-1\n[profile dev]\nregion = eu-north-1\nendpoint_url = http://127.0.0.1:9000\ns3 =\n  addressing_style = virtual\n",
        );
        let vars: HashMap<&str, &str> = HashMap::new();
        let var = |name: &str| vars.get(name).map(|value| (*value).to_owned());
        let env = Environment {
            var: &var,
            home: Some(home.path().to_owned()),
        };
        let resolved = resolve(&site("s3://bucket/x"), &env).unwrap();
        assert_eq!(resolved.keys.as_ref().unwrap().access_key, "AKDEFAULT");
        assert_eq!(resolved.region, "eu-west-1");
        assert_eq!(resolved.endpoint.as_str(), "https://s3.eu-west-1.amazonaws.com/");
        assert!(!resolved.path_style, "AWS itself: virtual-host style");

        let vars: HashMap<&str, &str> = [("AWS_PROFILE", "dev")].into();
        let var = |name: &str| vars.get(name).map(|value| (*value).to_owned());
        let env = Environment {
            var: &var,
            home: Some(home.path().to_owned()),
        };
        let resolved = resolve(&site("s3://bucket/x"), &env).unwrap();
        assert_eq!(resolved.keys.as_ref().unwrap().source, "profile dev in ~/.aws");
        assert_eq!(resolved.region, "eu-north-1");
        assert_eq!(resolved.endpoint.as_str(), "http://127.0.0.1:9000/");
        assert!(resolved.path_style, "an endpoint of one's own: path-style");

        let vars: HashMap<&str, &str> = [
            ("AWS_ACCESS_KEY_ID", "AKENV"),
            ("AWS_SECRET_ACCESS_KEY", "s-env"),
            ("AWS_REGION", "ap-south-1"),
        ]
        .into();
        let var = |name: &str| vars.get(name).map(|value| (*value).to_owned());
        let env = Environment {
            var: &var,
            home: Some(home.path().to_owned()),
        };
        let resolved = resolve(&site("s3://bucket/x"), &env).unwrap();
        assert_eq!(resolved.keys.as_ref().unwrap().access_key, "AKENV");
        assert_eq!(resolved.region, "ap-south-1");

        let mut own = site("s3://AKSITE:s-site@bucket/x");
        own.s3.region = Some("us-west-2".into());
        let resolved = resolve(&own, &env).unwrap();
        assert_eq!(resolved.keys.as_ref().unwrap().access_key, "AKSITE");
        assert_eq!(resolved.region, "us-west-2");
        own.credentials.password = None;
        assert_eq!(
            resolve(&own, &env).unwrap_err().kind,
            ErrorKind::Auth,
            "a key without its secret"
        );
    }

    #[test]
    fn no_keys_anywhere_is_anonymous_and_a_bad_endpoint_is_said() {
        let var = |_: &str| None;
        let env = Environment { var: &var, home: None };
        assert!(resolve(&site("s3://public.bucket/"), &env).unwrap().keys.is_none());
        assert!(
            resolve(&site("s3://public.bucket/"), &env).unwrap().path_style,
            "a dotted bucket"
        );
        let mut bad = site("s3://b/");
        bad.s3.url = Some("ftp://x".into());
        assert!(resolve(&bad, &env).unwrap_err().message.contains("not an S3 endpoint"));
    }
}
