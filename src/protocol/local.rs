//! This computer's disk behind the same trait, rooted at a folder: `/` is the root folder and
//! nothing above it can be named. Used for the local pane and to run the conformance suite
//! against a backend whose behaviour is known.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::{Capabilities, ErrorKind, FsError, ReadStream, RemoteFs, WriteStream};
use crate::model::location::RemotePath;
use crate::model::security::Security;
use crate::model::{Entry, EntryKind};

pub struct LocalFs {
    root: PathBuf,
    /// The folder a browser starts in, as a path under the root.
    home: String,
}

impl LocalFs {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        LocalFs {
            root: root.into(),
            home: "/".to_owned(),
        }
    }

    /// The whole disk (`/` is the file system's root) starting in the user's home folder:
    /// what the window's local pane browses.
    pub fn this_computer() -> Self {
        let home = directories::BaseDirs::new()
            .and_then(|dirs| dirs.home_dir().to_str().map(str::to_owned))
            .unwrap_or_else(|| "/".to_owned());
        LocalFs {
            root: PathBuf::from("/"),
            home,
        }
    }

    /// Maps a normalised path (no `..` survives [`RemotePath::new`]) under the root.
    fn local(&self, path: &RemotePath) -> PathBuf {
        let relative = path.as_str().trim_start_matches('~').trim_start_matches('/');
        self.root.join(relative)
    }
}

/// An entry for a local path, read without following a final symbolic link.
pub fn local_entry(name: String, path: &Path) -> io::Result<Entry> {
    let meta = fs::symlink_metadata(path)?;
    let kind = if meta.file_type().is_symlink() {
        EntryKind::Link
    } else if meta.is_dir() {
        EntryKind::Dir
    } else if meta.is_file() {
        EntryKind::File
    } else {
        EntryKind::Other
    };
    #[cfg(unix)]
    let permissions = {
        use std::os::unix::fs::PermissionsExt;
        Some(crate::model::mode_string(meta.permissions().mode() & 0o777))
    };
    #[cfg(not(unix))]
    let permissions = None;
    Ok(Entry {
        name,
        kind,
        size: (kind != EntryKind::Dir).then_some(meta.len()),
        modified: meta.modified().ok().map(DateTime::<Utc>::from),
        permissions,
        owner: None,
        group: None,
        target: if kind == EntryKind::Link {
            fs::read_link(path)
                .ok()
                .map(|target| target.to_string_lossy().into_owned())
        } else {
            None
        },
    })
}

fn local_error(error: &io::Error, path: &Path) -> FsError {
    FsError::from_local(error, path)
}

impl RemoteFs for LocalFs {
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            resume_download: true,
            resume_upload: true,
            set_mtime: true,
            exact_times: true,
            atomic_uploads: false,
        }
    }

    fn home(&self) -> &str {
        &self.home
    }

    fn security(&self) -> Security {
        Security::local("local")
    }

    fn read_dir(&mut self, path: &RemotePath) -> Result<Vec<Entry>, FsError> {
        let dir = self.local(path);
        let mut entries = Vec::new();
        for item in fs::read_dir(&dir).map_err(|error| local_error(&error, &dir))? {
            let item = item.map_err(|error| local_error(&error, &dir))?;
            let name = item.file_name().to_string_lossy().into_owned();
            entries.push(local_entry(name, &item.path()).map_err(|error| local_error(&error, &item.path()))?);
        }
        Ok(entries)
    }

    fn stat(&mut self, path: &RemotePath) -> Result<Entry, FsError> {
        let local = self.local(path);
        let name = path.file_name().unwrap_or("/").to_owned();
        local_entry(name, &local).map_err(|error| local_error(&error, &local))
    }

    fn mkdir(&mut self, path: &RemotePath) -> Result<(), FsError> {
        let local = self.local(path);
        fs::create_dir(&local).map_err(|error| local_error(&error, &local))
    }

    fn rmdir(&mut self, path: &RemotePath) -> Result<(), FsError> {
        let local = self.local(path);
        fs::remove_dir(&local).map_err(|error| local_error(&error, &local))
    }

    fn remove(&mut self, path: &RemotePath) -> Result<(), FsError> {
        let local = self.local(path);
        fs::remove_file(&local).map_err(|error| local_error(&error, &local))
    }

    fn rename(&mut self, from: &RemotePath, to: &RemotePath) -> Result<(), FsError> {
        let (from, to) = (self.local(from), self.local(to));
        fs::rename(&from, &to).map_err(|error| local_error(&error, &from))
    }

    fn chmod(&mut self, path: &RemotePath, mode: u32) -> Result<(), FsError> {
        let local = self.local(path);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&local, fs::Permissions::from_mode(mode & 0o777))
                .map_err(|error| local_error(&error, &local))
        }
        #[cfg(not(unix))]
        {
            let _ = mode;
            Err(FsError::new(
                ErrorKind::Unsupported,
                format!("permissions cannot be set here: {}", local.display()),
            ))
        }
    }

    fn set_mtime(&mut self, path: &RemotePath, time: DateTime<Utc>) -> Result<(), FsError> {
        let local = self.local(path);
        let file = File::options()
            .write(true)
            .open(&local)
            .map_err(|error| local_error(&error, &local))?;
        file.set_modified(time.into())
            .map_err(|error| local_error(&error, &local))
    }

    fn open_read(&mut self, path: &RemotePath, offset: u64) -> Result<Box<dyn ReadStream + '_>, FsError> {
        let local = self.local(path);
        let mut file = File::open(&local).map_err(|error| local_error(&error, &local))?;
        if file.metadata().map(|meta| meta.is_dir()).unwrap_or(false) {
            return Err(FsError::new(
                ErrorKind::Other,
                format!("{} is a folder, not a file", local.display()),
            ));
        }
        file.seek(SeekFrom::Start(offset))
            .map_err(|error| local_error(&error, &local))?;
        Ok(Box::new(LocalFile(file)))
    }

    fn open_write(&mut self, path: &RemotePath, offset: u64) -> Result<Box<dyn WriteStream + '_>, FsError> {
        let local = self.local(path);
        let mut file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(offset == 0)
            .open(&local)
            .map_err(|error| local_error(&error, &local))?;
        file.seek(SeekFrom::Start(offset))
            .map_err(|error| local_error(&error, &local))?;
        Ok(Box::new(LocalFile(file)))
    }
}

struct LocalFile(File);

impl Read for LocalFile {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

impl Write for LocalFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl ReadStream for LocalFile {
    fn finish(self: Box<Self>) -> Result<(), FsError> {
        Ok(())
    }
}

impl WriteStream for LocalFile {
    fn finish(self: Box<Self>) -> Result<(), FsError> {
        self.0.sync_all().map_err(|error| {
            FsError::new(
                ErrorKind::Local,
                format!("writing failed: {}", super::error::describe_io(&error)),
            )
        })
    }
}
