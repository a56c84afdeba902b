//! S3 requests: their URLs (path-style or virtual-host style, keys percent-encoded as
//! Signature Version 4 expects) and their `Authorization` header, signed by AWS's own
//! `aws-sigv4` crate with S3's settings (no path normalising, single encoding). Bodies are
//! sent `UNSIGNED-PAYLOAD`: a streamed upload cannot be hashed before it is sent, and each
//! part carries its MD5 instead, which the server checks.

use std::time::SystemTime;

use aws_sigv4::http_request::{
    PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest, SigningSettings, UriPathNormalizationMode,
    sign,
};
use aws_sigv4::sign::v4;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use url::Url;

use super::config::{Keys, Resolved};
use crate::protocol::{ErrorKind, FsError};

/// Every byte but `A-Z a-z 0-9 - _ . ~` is percent-encoded (and `/` too, unless `keep_slash`).
pub fn encode(text: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(char::from(byte)),
            b'/' if keep_slash => out.push('/'),
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

/// How one bucket's URLs are made and signed.
pub struct Addressing {
    endpoint: Url,
    bucket: String,
    path_style: bool,
    region: String,
    keys: Option<Keys>,
}

impl Addressing {
    pub fn new(bucket: &str, resolved: Resolved) -> Addressing {
        Addressing {
            endpoint: resolved.endpoint,
            bucket: bucket.to_owned(),
            path_style: resolved.path_style,
            region: resolved.region,
            keys: resolved.keys,
        }
    }

    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    pub fn keys(&self) -> Option<&Keys> {
        self.keys.as_ref()
    }

    /// The URL of `key` (empty: the bucket) with `query` (names and values as they are).
    pub fn url(&self, key: &str, query: &[(&str, &str)]) -> Result<Url, FsError> {
        let base = self.endpoint.as_str().trim_end_matches('/');
        let encoded_key = encode(key, true);
        let text = if self.path_style {
            format!("{base}/{}/{encoded_key}", encode(&self.bucket, false))
        } else {
            let host = self.endpoint.host_str().unwrap_or_default();
            let with_bucket = base.replacen(host, &format!("{}.{host}", self.bucket), 1);
            format!("{with_bucket}/{encoded_key}")
        };
        let mut text = text;
        let mut pairs: Vec<String> = query
            .iter()
            .map(|(name, value)| {
                if value.is_empty() && *name == "uploads" {
                    (*name).to_owned()
                } else {
                    format!("{}={}", encode(name, false), encode(value, false))
                }
            })
            .collect();
        pairs.sort();
        if !pairs.is_empty() {
            text.push('?');
            text.push_str(&pairs.join("&"));
        }
        Url::parse(&text)
            .map_err(|error| FsError::new(ErrorKind::InvalidName, format!("{key:?} cannot be sent to S3: {error}")))
    }

    /// The headers that sign a request: `headers` (which are signed too) and AWS's own.
    /// Anonymous (no keys): `headers` alone.
    pub fn signed(&self, method: &str, url: &Url, mut headers: HeaderMap) -> Result<HeaderMap, FsError> {
        let Some(keys) = &self.keys else {
            return Ok(headers);
        };
        let failed = |error: &dyn std::fmt::Display| {
            FsError::new(ErrorKind::Other, format!("the S3 request could not be signed: {error}"))
        };
        let identity = aws_credential_types::Credentials::new(
            keys.access_key.clone(),
            keys.secret.expose().to_owned(),
            keys.session_token.as_ref().map(|token| token.expose().to_owned()),
            None,
            "wharf",
        )
        .into();
        let mut settings = SigningSettings::default();
        settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
        settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
        settings.percent_encoding_mode = PercentEncodingMode::Single;
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(&self.region)
            .name("s3")
            .time(SystemTime::now())
            .settings(settings)
            .build()
            .map_err(|error| failed(&error))?
            .into();
        let pairs: Vec<(String, String)> = headers
            .iter()
            .filter_map(|(name, value)| Some((name.as_str().to_owned(), value.to_str().ok()?.to_owned())))
            .collect();
        let signable = SignableRequest::new(
            method,
            url.as_str(),
            pairs.iter().map(|(name, value)| (name.as_str(), value.as_str())),
            SignableBody::UnsignedPayload,
        )
        .map_err(|error| failed(&error))?;
        let (instructions, _) = sign(signable, &params).map_err(|error| failed(&error))?.into_parts();
        for (name, value) in instructions.headers() {
            let (Ok(name), Ok(mut value)) = (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(value))
            else {
                continue;
            };
            if name == reqwest::header::AUTHORIZATION || name.as_str() == "x-amz-security-token" {
                value.set_sensitive(true);
            }
            headers.insert(name, value);
        }
        Ok(headers)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Secret;

    fn addressing(path_style: bool) -> Addressing {
        Addressing::new(
            "my-bucket",
            Resolved {
                endpoint: Url::parse("http://127.0.0.1:5000").unwrap(),
                region: "us-east-1".into(),
                path_style,
                keys: Some(Keys {
                    access_key: "AKIDEXAMPLE".into(),
                    secret: Secret::new("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
                    session_token: None,
                    source: "test".into(),
                }),
            },
        )
    }

    #[test]
    fn urls_encode_keys_once_and_sort_the_query() {
        let url = addressing(true)
            .url("dir one/grüße+(1).txt", &[("uploadId", "a/b"), ("partNumber", "2")])
            .unwrap();
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:5000/my-bucket/dir%20one/gr%C3%BC%C3%9Fe%2B%281%29.txt?partNumber=2&uploadId=a%2Fb"
        );
        let hosted = Addressing::new(
            "b",
            Resolved {
                endpoint: Url::parse("https://s3.eu-west-1.amazonaws.com").unwrap(),
                ..addressing(false).resolved_for_test()
            },
        );
        assert_eq!(
            hosted.url("k", &[("uploads", "")]).unwrap().as_str(),
            "https://b.s3.eu-west-1.amazonaws.com/k?uploads"
        );
    }

    #[test]
    fn signed_requests_carry_aws_headers_marked_sensitive() {
        let addressing = addressing(true);
        let url = addressing.url("x", &[]).unwrap();
        let headers = addressing.signed("GET", &url, HeaderMap::new()).unwrap();
        let authorization = headers.get("authorization").unwrap();
        assert!(authorization.is_sensitive());
        let text = authorization.to_str().unwrap();
        assert!(text.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"), "{text}");
        assert!(text.contains("/us-east-1/s3/aws4_request"), "{text}");
        assert!(!text.contains("wJalrXUtnFEMI"), "never the secret");
        assert_eq!(headers.get("x-amz-content-sha256").unwrap(), "UNSIGNED-PAYLOAD");
        assert!(headers.contains_key("x-amz-date"));
    }

    impl Addressing {
        fn resolved_for_test(&self) -> Resolved {
            Resolved {
                endpoint: self.endpoint.clone(),
                region: self.region.clone(),
                path_style: self.path_style,
                keys: self.keys.clone(),
            }
        }
    }
}
