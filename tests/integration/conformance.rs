//! One behaviour suite for every backend (rclone's fstests): the same operations, the same
//! expectations, whether the files live in memory, on this disk, or behind FTP, FTPES or
//! SFTP. Interop tests run it against real servers too.

use std::io::Read;
use std::sync::atomic::AtomicBool;

use chrono::{TimeZone, Utc};
use wharf::engine::api::Progress;
use wharf::engine::copy::{CopyControl, UploadTarget, download_file, upload_file};
use wharf::model::EntryKind;
use wharf::model::location::RemotePath;
use wharf::protocol::{ErrorKind, RemoteFs};

use crate::support::data;

/// Runs the suite inside `base`, an empty folder the backend may write to.
pub fn exercise(fs: &mut dyn RemoteFs, base: &RemotePath) {
    let work = tempfile::tempdir().unwrap();
    let cancel = AtomicBool::new(false);
    let progress = Progress::default();
    let control = CopyControl {
        cancel: &cancel,
        progress: &progress,
        throttle: &|_| {},
        preserve_mtime: true,
        chunk_limit: None,
        keep_replaced: None,
        upload: None,
    };

    // Folders, with a space in the name.
    let dir = base.join("dir one");
    fs.mkdir(&dir).unwrap();
    assert_eq!(fs.stat(&dir).unwrap().kind, EntryKind::Dir, "a new folder is a folder");
    assert!(fs.mkdir(&dir).is_err(), "creating an existing folder fails");

    // A 3 MiB upload through the copy routine, then the listing shows it.
    let content = data(3 * 1024 * 1024 + 17, 1);
    let local = work.path().join("data.bin");
    std::fs::write(&local, &content).unwrap();
    let file = dir.join("data.bin");
    upload_file(fs, &local, &file, UploadTarget::ViaTemp { resume: false }, &control).unwrap();
    let listing = fs.list(&dir).unwrap();
    let names: Vec<&str> = listing.entries.iter().map(|entry| entry.name.as_str()).collect();
    assert_eq!(names, vec!["data.bin"], "only the finished file is listed, no partial");
    assert_eq!(listing.entries[0].kind, EntryKind::File);
    assert_eq!(listing.entries[0].size, Some(content.len() as u64));
    let stat = fs.stat(&file).unwrap();
    assert_eq!((stat.kind, stat.size), (EntryKind::File, Some(content.len() as u64)));

    // Download it back.
    let back = work.path().join("back.bin");
    let source = fs.stat(&file).unwrap();
    download_file(fs, &file, &source, &back, &control).unwrap();
    assert!(
        std::fs::read(&back).unwrap() == content,
        "the download is byte-identical"
    );

    // An upload that keeps the file it replaces (sync's updates): the old version moves to
    // a folder made for it on the way, and the new one takes the name.
    let small = work.path().join("small.txt");
    std::fs::write(&small, b"new version").unwrap();
    let kept = base.join("trash one/run/dir one/data.bin");
    let kept_local = std::path::PathBuf::from(kept.as_str());
    let keeping = CopyControl {
        keep_replaced: Some(&kept_local),
        upload: None,
        ..control
    };
    upload_file(fs, &small, &file, UploadTarget::ViaTemp { resume: false }, &keeping).unwrap();
    assert_eq!(fs.stat(&file).unwrap().size, Some(11), "the new version took the name");
    let old = fs.stat(&kept).unwrap();
    assert_eq!(old.size, Some(content.len() as u64), "the old version was kept");
    fs.rename(&kept, &file).unwrap_or_else(|_| {
        fs.remove(&file).unwrap();
        fs.rename(&kept, &file).unwrap();
    });
    for folder in ["trash one/run/dir one", "trash one/run", "trash one"] {
        fs.rmdir(&base.join(folder)).unwrap();
    }

    // Read from an offset.
    let mut tail = Vec::new();
    {
        let mut reader = fs.open_read(&file, 1_000_000).unwrap();
        reader.read_to_end(&mut tail).unwrap();
        reader.finish().unwrap();
    }
    assert!(
        tail == content[1_000_000..],
        "reading from an offset skips exactly that much"
    );

    // Continue a write at an offset, where the server allows it; one that does not says so
    // (ProFTPD without AllowStoreRestart), and is not asked again in vain.
    let half = dir.join("half.bin");
    {
        let mut writer = fs.open_write(&half, 0).unwrap();
        std::io::Write::write_all(&mut writer, &content[..1000]).unwrap();
        writer.finish().unwrap();
    }
    let continued = match fs.open_write(&half, 1000) {
        Ok(mut writer) => {
            std::io::Write::write_all(&mut writer, &content[1000..5000]).unwrap();
            writer.finish().unwrap();
            true
        }
        Err(error) => {
            assert_eq!(error.kind, ErrorKind::Unsupported, "{error:?}");
            assert!(!error.retryable, "{error:?}");
            false
        }
    };
    if continued {
        assert_eq!(fs.stat(&half).unwrap().size, Some(5000), "a resumed write appends");
        let mut joined = Vec::new();
        {
            let mut reader = fs.open_read(&half, 0).unwrap();
            reader.read_to_end(&mut joined).unwrap();
            reader.finish().unwrap();
        }
        assert!(joined == content[..5000]);
    }

    // The copy routine continues a partial upload, or sends it all again where it cannot.
    let partial = dir.join(".resumed.bin.wharf-part");
    {
        let mut writer = fs.open_write(&partial, 0).unwrap();
        std::io::Write::write_all(&mut writer, &content[..4096]).unwrap();
        writer.finish().unwrap();
    }
    let resumed = dir.join("resumed.bin");
    let sent = upload_file(fs, &local, &resumed, UploadTarget::ViaTemp { resume: true }, &control).unwrap();
    let expected_sent = if continued { content.len() - 4096 } else { content.len() };
    assert_eq!(sent, expected_sent as u64);
    assert_eq!(fs.stat(&resumed).unwrap().size, Some(content.len() as u64));
    fs.remove(&resumed).unwrap();

    // Rename, and unicode names.
    let renamed = dir.join("grüße résumé.bin");
    fs.rename(&file, &renamed).unwrap();
    assert_eq!(
        fs.stat(&file).unwrap_err().kind,
        ErrorKind::NotFound,
        "the old name is gone"
    );
    assert_eq!(fs.stat(&renamed).unwrap().size, Some(content.len() as u64));
    let listed: Vec<String> = fs
        .list(&dir)
        .unwrap()
        .entries
        .into_iter()
        .map(|entry| entry.name)
        .collect();
    assert!(listed.contains(&"grüße résumé.bin".to_owned()), "{listed:?}");

    // Modification times, where the backend can set them.
    if fs.capabilities().set_mtime {
        let time = Utc.with_ymd_and_hms(2021, 3, 4, 5, 6, 7).unwrap();
        fs.set_mtime(&renamed, time).unwrap();
        assert_eq!(
            fs.stat(&renamed).unwrap().modified,
            Some(time),
            "the time set is the time read"
        );
    }

    // Deleting.
    assert!(fs.rmdir(&dir).is_err(), "a folder with files is not removed");
    fs.remove(&renamed).unwrap();
    fs.remove(&half).unwrap();
    assert!(fs.remove(&renamed).is_err(), "removing a missing file fails");
    fs.rmdir(&dir).unwrap();
    assert_eq!(fs.stat(&dir).unwrap_err().kind, ErrorKind::NotFound);
    assert!(fs.list(base).unwrap().entries.is_empty());
    assert_eq!(fs.list(&base.join("missing")).unwrap_err().kind, ErrorKind::NotFound);
}
