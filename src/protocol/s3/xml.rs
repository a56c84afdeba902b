//! The XML S3 answers with, read by element name (AWS writes its 2006-03-01 namespace,
//! some compatibles none): a page of `ListObjectsV2`, the parts of a multipart upload, a
//! new upload's id, and `<Error>` (which `CompleteMultipartUpload` may send with a `200`).

use chrono::{DateTime, Utc};
use roxmltree::{Document, Node};

/// One page of a folder: its files (keys), its folders (common prefixes), and where the
/// next page starts.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Page {
    pub objects: Vec<Object>,
    pub prefixes: Vec<String>,
    pub next: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Object {
    pub key: String,
    pub size: u64,
    pub modified: Option<DateTime<Utc>>,
    pub etag: Option<String>,
}

/// A part already uploaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub number: u32,
    pub etag: String,
    pub size: u64,
}

/// An error S3 sent: its code (`NoSuchKey`, `SignatureDoesNotMatch`) and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Error {
    pub code: String,
    pub message: String,
}

fn parse(xml: &str) -> Result<Document<'_>, String> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        ..roxmltree::ParsingOptions::default()
    };
    Document::parse_with_options(xml, options)
        .map_err(|error| format!("the answer is not XML Wharf can read ({error})"))
}

fn children<'a, 'input: 'a>(node: Node<'a, 'input>, name: &'a str) -> impl Iterator<Item = Node<'a, 'input>> + 'a {
    node.children()
        .filter(move |child| child.is_element() && child.tag_name().name() == name)
}

fn text(node: Node, name: &str) -> Option<String> {
    children(node, name)
        .next()
        .and_then(|child| child.text())
        .map(str::to_owned)
}

fn truncated(root: Node) -> bool {
    text(root, "IsTruncated").is_some_and(|value| value.eq_ignore_ascii_case("true"))
}

pub fn list_page(xml: &str) -> Result<Page, String> {
    let document = parse(xml)?;
    let root = document.root_element();
    if root.tag_name().name() != "ListBucketResult" {
        return Err(format!("the answer is a <{}>, not a listing", root.tag_name().name()));
    }
    let objects = children(root, "Contents")
        .filter_map(|node| {
            Some(Object {
                key: text(node, "Key")?,
                size: text(node, "Size")
                    .and_then(|size| size.trim().parse().ok())
                    .unwrap_or(0),
                modified: text(node, "LastModified")
                    .and_then(|time| DateTime::parse_from_rfc3339(time.trim()).ok())
                    .map(|time| time.with_timezone(&Utc)),
                etag: text(node, "ETag"),
            })
        })
        .collect();
    let prefixes = children(root, "CommonPrefixes")
        .filter_map(|node| text(node, "Prefix"))
        .collect();
    let next = truncated(root).then(|| text(root, "NextContinuationToken")).flatten();
    if truncated(root) && next.is_none() {
        return Err("the listing says it goes on but gives no token for the next page".to_owned());
    }
    Ok(Page {
        objects,
        prefixes,
        next,
    })
}

/// `InitiateMultipartUploadResult`'s `UploadId`.
pub fn upload_id(xml: &str) -> Result<String, String> {
    let document = parse(xml)?;
    text(document.root_element(), "UploadId").ok_or_else(|| "the answer names no upload id".to_owned())
}

/// `ListPartsResult`: the parts, and the marker of the next page when there is one.
pub fn parts(xml: &str) -> Result<(Vec<Part>, Option<String>), String> {
    let document = parse(xml)?;
    let root = document.root_element();
    let parts = children(root, "Part")
        .filter_map(|node| {
            Some(Part {
                number: text(node, "PartNumber")?.trim().parse().ok()?,
                etag: text(node, "ETag")?,
                size: text(node, "Size")?.trim().parse().ok()?,
            })
        })
        .collect();
    let next = truncated(root).then(|| text(root, "NextPartNumberMarker")).flatten();
    Ok((parts, next))
}

/// `<Error>` anywhere an answer may hold one.
pub fn error(xml: &str) -> Option<S3Error> {
    let document = parse(xml).ok()?;
    let root = document.root_element();
    (root.tag_name().name() == "Error").then(|| S3Error {
        code: text(root, "Code").unwrap_or_default(),
        message: text(root, "Message").unwrap_or_default(),
    })
}

/// `CompleteMultipartUploadResult`'s `ETag`.
pub fn completed_etag(xml: &str) -> Option<String> {
    let document = parse(xml).ok()?;
    let root = document.root_element();
    (root.tag_name().name() == "CompleteMultipartUploadResult")
        .then(|| text(root, "ETag"))
        .flatten()
}

/// The body of `CompleteMultipartUpload`.
pub fn completion(parts: &[Part]) -> String {
    let mut xml = String::from("<CompleteMultipartUpload>");
    for part in parts {
        let etag = part
            .etag
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('"', "&quot;");
        xml.push_str(&format!(
            "<Part><PartNumber>{}</PartNumber><ETag>{etag}</ETag></Part>",
            part.number
        ));
    }
    xml.push_str("</CompleteMultipartUpload>");
    xml
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_of_a_folder() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix>site/</Prefix>
<KeyCount>3</KeyCount><MaxKeys>1000</MaxKeys><Delimiter>/</Delimiter><IsTruncated>true</IsTruncated>
<NextContinuationToken>tok+1</NextContinuationToken>
<Contents><Key>site/</Key><LastModified>2026-12-01T10:00:00.000Z</LastModified><ETag>"d41d8cd98f00b204e9800998ecf8427e"</ETag><Size>0</Size></Contents>
<Contents><Key>site/index &amp; more.html</Key><LastModified>2026-12-01T10:00:07.000Z</LastModified><ETag>"abc"</ETag><Size>11</Size><StorageClass>STANDARD</StorageClass></Contents>
<CommonPrefixes><Prefix>site/img/</Prefix></CommonPrefixes></ListBucketResult>"#;
        let page = list_page(xml).unwrap();
        assert_eq!(page.objects.len(), 2);
        assert_eq!(page.objects[1].key, "site/index & more.html");
        assert_eq!(page.objects[1].size, 11);
        assert_eq!(
            page.objects[1].modified.unwrap().to_rfc3339(),
            "2026-12-01T10:00:07+00:00"
        );
        assert_eq!(page.prefixes, ["site/img/"]);
        assert_eq!(page.next.as_deref(), Some("tok+1"));
        let endless = xml.replace("<NextContinuationToken>tok+1</NextContinuationToken>", "");
        assert!(
            list_page(&endless).is_err(),
            "truncated without a token would page forever"
        );
    }

    #[test]
    fn multipart_answers_and_errors() {
        assert_eq!(
            upload_id("<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><UploadId>u-1</UploadId></InitiateMultipartUploadResult>").unwrap(),
            "u-1"
        );
        let (parts, next) = parts(
            r#"<ListPartsResult><IsTruncated>false</IsTruncated><Part><PartNumber>1</PartNumber><ETag>"e1"</ETag><Size>5242880</Size></Part></ListPartsResult>"#,
        )
        .unwrap();
        assert_eq!(
            parts,
            [Part {
                number: 1,
                etag: "\"e1\"".into(),
                size: 5_242_880
            }]
        );
        assert_eq!(next, None);
        let error = error("<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match</Message></Error>").unwrap();
        assert_eq!(error.code, "SignatureDoesNotMatch");
        assert_eq!(
            completion(&parts),
            "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&quot;e1&quot;</ETag></Part></CompleteMultipartUpload>"
        );
        assert_eq!(
            completed_etag("<CompleteMultipartUploadResult><ETag>\"x-2\"</ETag></CompleteMultipartUploadResult>")
                .as_deref(),
            Some("\"x-2\"")
        );
        assert!(list_page("<Error><Code>NoSuchBucket</Code></Error>").is_err());
    }
}
