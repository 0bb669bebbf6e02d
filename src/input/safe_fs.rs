//! Opening files in directories whose contents are not trusted: never
//! through a symbolic link, only regular files (checked on the file that
//! was opened, not on a path looked at earlier), and never blocking on a
//! FIFO.

use std::fs::File;
use std::os::fd::{AsFd, OwnedFd};
use std::path::Path;

use rustix::fs::{AtFlags, FileType, Mode, OFlags};
use rustix::io::Errno;

use crate::input::syntax::FileName;

/// Why a file was not opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// It is a symbolic link.
    #[error("is a symbolic link")]
    Link,
    /// It is not a regular file.
    #[error("is a {0}, not a regular file")]
    NotRegular(&'static str),
    /// It is not a directory.
    #[error("is a {0}, not a directory")]
    NotDirectory(&'static str),
    /// It does not exist.
    #[error("does not exist")]
    NotFound,
    /// Any other error.
    #[error(transparent)]
    Io(std::io::Error),
}

impl OpenError {
    /// Whether the file was refused for what it is (a link, a FIFO, ...),
    /// rather than for an I/O error.
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            Self::Link | Self::NotRegular(_) | Self::NotDirectory(_)
        )
    }
}

impl From<Errno> for OpenError {
    fn from(errno: Errno) -> Self {
        match errno {
            Errno::LOOP => Self::Link,
            Errno::NOENT => Self::NotFound,
            other => Self::Io(other.into()),
        }
    }
}

/// The flags for reading a file that may be anything: no link followed,
/// no wait on a FIFO's writer, not inherited by tools.
fn read_flags() -> OFlags {
    OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC
}

/// Opens `path` for reading when its last component is a regular file.
///
/// # Errors
/// [`OpenError::Link`], [`OpenError::NotRegular`], [`OpenError::NotFound`],
/// or the I/O error.
pub fn open_regular(path: &Path) -> Result<File, OpenError> {
    regular(rustix::fs::open(path, read_flags(), Mode::empty())?)
}

/// Opens the regular file `name` in the directory `dir`.
///
/// # Errors
/// As [`open_regular`].
pub fn open_regular_at(dir: impl AsFd, name: &FileName) -> Result<File, OpenError> {
    regular(rustix::fs::openat(
        dir,
        name.as_str(),
        read_flags(),
        Mode::empty(),
    )?)
}

/// Opens the directory `name` in `dir`, refusing a link to one.
///
/// # Errors
/// [`OpenError::Link`], [`OpenError::NotDirectory`], [`OpenError::NotFound`], or the I/O error.
pub fn open_dir_at(dir: impl AsFd, name: &str) -> Result<OwnedFd, OpenError> {
    let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::DIRECTORY | OFlags::CLOEXEC;
    match rustix::fs::openat(&dir, name, flags, Mode::empty()) {
        Ok(fd) => Ok(fd),
        // O_DIRECTORY on a link or a file: tell which.
        Err(Errno::NOTDIR | Errno::LOOP) => {
            let stat = rustix::fs::statat(&dir, name, AtFlags::SYMLINK_NOFOLLOW)?;
            match FileType::from_raw_mode(stat.st_mode) {
                FileType::Symlink => Err(OpenError::Link),
                other => Err(OpenError::NotDirectory(kind(other))),
            }
        }
        Err(e) => Err(e.into()),
    }
}

/// Opens a directory the caller trusts (links followed).
///
/// # Errors
/// The I/O error.
pub fn open_trusted_dir(path: &Path) -> Result<OwnedFd, OpenError> {
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
    Ok(rustix::fs::open(path, flags, Mode::empty())?)
}

/// What the entry `name` of `dir` is, without following a link.
///
/// # Errors
/// The I/O error.
pub fn entry_type(dir: impl AsFd, name: &std::ffi::OsStr) -> Result<FileType, OpenError> {
    let stat = rustix::fs::statat(dir, name, AtFlags::SYMLINK_NOFOLLOW)?;
    Ok(FileType::from_raw_mode(stat.st_mode))
}

/// The names in the directory `dir`, but `.` and `..`, as raw bytes: all
/// of them, or the first `at_most + 1` when there are more (so that a
/// huge directory costs no more than the caller's limit).
///
/// # Errors
/// Reading the directory failed (part-way included: never a partial list).
pub fn read_names(dir: impl AsFd, at_most: u64) -> Result<Vec<Vec<u8>>, OpenError> {
    let mut names = Vec::new();
    for entry in rustix::fs::Dir::read_from(dir)? {
        let name = entry?.file_name().to_bytes().to_vec();
        if name != b"." && name != b".." {
            names.push(name);
            if names.len() as u64 > at_most {
                break;
            }
        }
    }
    Ok(names)
}

fn regular(fd: OwnedFd) -> Result<File, OpenError> {
    let stat = rustix::fs::fstat(&fd)?;
    match FileType::from_raw_mode(stat.st_mode) {
        FileType::RegularFile => Ok(File::from(fd)),
        other => Err(OpenError::NotRegular(kind(other))),
    }
}

/// A file type's name, for messages.
pub fn kind(file_type: FileType) -> &'static str {
    match file_type {
        FileType::RegularFile => "regular file",
        FileType::Directory => "directory",
        FileType::Symlink => "symbolic link",
        FileType::Fifo => "FIFO",
        FileType::Socket => "socket",
        FileType::CharacterDevice => "character device",
        FileType::BlockDevice => "block device",
        FileType::Unknown => "file of unknown type",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_fifos_and_directories_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("file");
        std::fs::write(&file, b"x").unwrap();
        std::os::unix::fs::symlink(&file, dir.path().join("link")).unwrap();
        rustix::fs::mknodat(
            rustix::fs::CWD,
            dir.path().join("fifo"),
            FileType::Fifo,
            Mode::from_raw_mode(0o600),
            0,
        )
        .unwrap();
        assert!(open_regular(&file).is_ok());
        assert!(matches!(
            open_regular(&dir.path().join("link")),
            Err(OpenError::Link)
        ));
        assert!(matches!(
            open_regular(&dir.path().join("fifo")),
            Err(OpenError::NotRegular("FIFO"))
        ));
        assert!(matches!(
            open_regular(dir.path()),
            Err(OpenError::NotRegular("directory"))
        ));
        assert!(matches!(
            open_regular(&dir.path().join("none")),
            Err(OpenError::NotFound)
        ));
        let top = open_trusted_dir(dir.path()).unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::os::unix::fs::symlink(dir.path().join("sub"), dir.path().join("sublink")).unwrap();
        assert!(open_dir_at(&top, "sub").is_ok());
        assert!(matches!(open_dir_at(&top, "sublink"), Err(OpenError::Link)));
        assert!(matches!(
            open_dir_at(&top, "file"),
            Err(OpenError::NotDirectory("regular file"))
        ));
        let mut names = read_names(&top, u64::MAX).unwrap();
        names.sort();
        assert_eq!(names.len(), 5);
    }
}
