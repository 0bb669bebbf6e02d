//! A private GnuPG home made at start, for where the signing key is
//! mounted the way containers mount secrets: read-only, or with modes gpg
//! refuses (a Kubernetes Secret's files are group- and world-readable by
//! default, and gpg must write its lock files, trust database and agent
//! socket beside the keys). `--gnupg-home-from DIR` copies a GnuPG home
//! into a fresh directory of mode 0700 under `$TMPDIR`; `--signing-key-file
//! FILE` imports an armoured secret key into it. The process then sets
//! `GNUPGHOME` to it before anything else starts, so that debsign, gpg and
//! gpgv all use it; it is removed, and its agent stopped, at exit.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::chain::tool::Tool;

/// How long importing the key may take.
const IMPORT_LIMIT: Duration = Duration::from_secs(60);

/// The most files copied from a GnuPG home (a real one holds a dozen).
const MAX_FILES: usize = 1_000;

/// Why the private GnuPG home could not be made.
#[derive(Debug, thiserror::Error)]
pub enum GnupgHomeError {
    /// The directory or a file in it could not be read or copied.
    #[error("cannot copy the GnuPG home {from}: {error}")]
    Copy {
        /// What was to be copied.
        from: PathBuf,
        /// Why not.
        error: std::io::Error,
    },
    /// More files than a GnuPG home holds.
    #[error("the GnuPG home {0} holds more than {MAX_FILES} files: not a GnuPG home")]
    TooLarge(PathBuf),
    /// The private directory could not be made.
    #[error("cannot make a private GnuPG home under $TMPDIR: {0}")]
    Create(std::io::Error),
    /// gpg could not import the key file.
    #[error("cannot import the signing key {file}: {error}")]
    Import {
        /// The key file.
        file: PathBuf,
        /// gpg's failure.
        error: crate::chain::tool::ToolError,
    },
}

impl crate::exit_codes::HasExitCode for GnupgHomeError {
    fn exit_code(&self) -> crate::exit_codes::ExitCode {
        crate::exit_codes::ExitCode::Usage
    }
}

/// The private GnuPG home: removed, its agent stopped, when dropped.
#[derive(Debug)]
pub struct PrivateHome {
    dir: tempfile::TempDir,
}

impl PrivateHome {
    /// A fresh private home, holding a copy of `from` when given.
    ///
    /// # Errors
    /// The directory cannot be made, or `from` cannot be read.
    pub fn make(from: Option<&Path>) -> Result<Self, GnupgHomeError> {
        let dir = tempfile::Builder::new()
            .prefix("auto-upload-gnupg.")
            .permissions(std::fs::Permissions::from_mode(0o700))
            .tempdir()
            .map_err(GnupgHomeError::Create)?;
        if let Some(from) = from {
            let mut files = 0;
            copy_tree(from, dir.path(), &mut files).map_err(|error| match error {
                Copied::TooMany => GnupgHomeError::TooLarge(from.to_owned()),
                Copied::Io(error) => GnupgHomeError::Copy {
                    from: from.to_owned(),
                    error,
                },
            })?;
        }
        Ok(Self { dir })
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Imports the armoured key in `file` (`gpg --batch --import`), within
    /// a minute.
    ///
    /// # Errors
    /// gpg fails, or does not finish in time.
    pub async fn import(&self, file: &Path) -> Result<(), GnupgHomeError> {
        let gpg = Tool::new("gpg", IMPORT_LIMIT);
        let home = self.path().as_os_str().to_owned();
        let args = [
            "--batch".into(),
            "--homedir".into(),
            home,
            "--import".into(),
            file.as_os_str().to_owned(),
        ];
        gpg.run(&args, Path::new("/"))
            .await
            .map(|_| ())
            .map_err(|error| GnupgHomeError::Import {
                file: file.to_owned(),
                error,
            })
    }
}

impl Drop for PrivateHome {
    fn drop(&mut self) {
        // The agent gpg started for this home goes with it.
        let mut gpgconf = std::process::Command::new("gpgconf");
        for variable in crate::chain::tool::SECRET_VARIABLES {
            gpgconf.env_remove(variable);
        }
        let _ = gpgconf
            .arg("--homedir")
            .arg(self.dir.path())
            .args(["--kill", "gpg-agent"])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status();
    }
}

/// Why a copy of mounted files stopped.
pub(crate) enum Copied {
    /// More than a home of keys holds.
    TooMany,
    /// A file could not be read or written.
    Io(std::io::Error),
}

impl From<std::io::Error> for Copied {
    fn from(error: std::io::Error) -> Self {
        Self::Io(error)
    }
}

/// Copies the regular files and directories of `from` into `to`, following
/// symbolic links (a mounted Secret's files are links), leaving out names
/// starting with `..` (a Secret's own bookkeeping) and anything else
/// (sockets of an agent): files 0600, directories 0700.
pub(crate) fn copy_tree(from: &Path, to: &Path, files: &mut usize) -> Result<(), Copied> {
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        if name.to_string_lossy().starts_with("..") {
            continue;
        }
        let source = entry.path();
        let target = to.join(&name);
        let meta = std::fs::metadata(&source)?;
        *files += 1;
        if *files > MAX_FILES {
            return Err(Copied::TooMany);
        }
        if meta.is_dir() {
            std::fs::create_dir(&target)?;
            std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o700))?;
            copy_tree(&source, &target, files)?;
        } else if meta.is_file() {
            std::fs::copy(&source, &target)?;
            std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o600))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_like_mount_is_copied_private_without_its_bookkeeping() {
        let secret = tempfile::tempdir().unwrap();
        let data = secret.path().join("..2026_12_05");
        std::fs::create_dir_all(data.join("private-keys-v1.d")).unwrap();
        std::fs::write(data.join("pubring.kbx"), "keys").unwrap();
        std::fs::write(data.join("private-keys-v1.d/A.key"), "secret").unwrap();
        std::os::unix::fs::symlink("..2026_12_05", secret.path().join("..data")).unwrap();
        std::os::unix::fs::symlink("..data/pubring.kbx", secret.path().join("pubring.kbx"))
            .unwrap();
        std::os::unix::fs::symlink(
            "..data/private-keys-v1.d",
            secret.path().join("private-keys-v1.d"),
        )
        .unwrap();
        for path in [
            data.join("pubring.kbx"),
            data.join("private-keys-v1.d/A.key"),
        ] {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
        let home = PrivateHome::make(Some(secret.path())).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(home.path()), 0o700);
        assert_eq!(
            std::fs::read_to_string(home.path().join("private-keys-v1.d/A.key")).unwrap(),
            "secret"
        );
        assert_eq!(mode(&home.path().join("private-keys-v1.d/A.key")), 0o600);
        assert_eq!(mode(&home.path().join("pubring.kbx")), 0o600);
        assert!(!home.path().join("..data").exists());
        assert!(!home.path().join("..2026_12_05").exists());
        let path = home.path().to_owned();
        drop(home);
        assert!(!path.exists());
    }

    #[test]
    fn a_missing_home_is_an_error_that_names_it() {
        let error = PrivateHome::make(Some(Path::new("/nonexistent/gnupg"))).unwrap_err();
        assert!(error.to_string().contains("/nonexistent/gnupg"), "{error}");
    }
}
