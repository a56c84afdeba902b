//! Where an S3 bucket lives. A site's host is the bucket (`s3://bucket/prefix`, as the AWS
//! tools write it); this says at which service, in which region, and how its URLs are
//! formed. What is left out is found when connecting, as the AWS tools find it (the
//! environment, then `~/.aws/config`).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct S3Endpoint {
    /// The service's URL (`https://minio.example:9000`). `None`: `AWS_ENDPOINT_URL_S3`,
    /// `AWS_ENDPOINT_URL`, the profile's `endpoint_url`, else AWS itself.
    pub url: Option<String>,
    /// `None`: `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's `region`, else `us-east-1`.
    pub region: Option<String>,
    /// `true`: `endpoint/bucket/key`; `false`: `bucket.endpoint/key`. `None` decides:
    /// path-style at an endpoint of the user's (MinIO, Garage, moto need it), virtual-host
    /// style at AWS.
    pub path_style: Option<bool>,
    /// The profile of `~/.aws/credentials` and `~/.aws/config`; `None`: `AWS_PROFILE`, else
    /// `default`.
    pub profile: Option<String>,
}

impl S3Endpoint {
    /// What sets two sites with the same bucket name apart, for the queue's site keys.
    pub fn describe(&self) -> Option<String> {
        let mut parts = Vec::new();
        if let Some(url) = &self.url {
            parts.push(format!("at {url}"));
        }
        if let Some(region) = &self.region {
            parts.push(format!("region {region}"));
        }
        if let Some(profile) = &self.profile {
            parts.push(format!("profile {profile}"));
        }
        match self.path_style {
            Some(true) => parts.push("path-style".to_owned()),
            Some(false) => parts.push("virtual-host style".to_owned()),
            None => {}
        }
        (!parts.is_empty()).then(|| parts.join(", "))
    }
}
