//! A private home for ssh, made at start, for an scp or sftp dput host in
//! a container: the ssh key and `known_hosts` mounted from a Secret
//! (read-only, files 0644, which ssh refuses for a key) are copied into
//! `HOME/.ssh` of a fresh directory (0700, files 0600) under `$TMPDIR`.
//!
//! ssh finds `~/.ssh` through the passwd entry of its uid, not `$HOME`, and
//! refuses to run at all for a uid without one ("No user exists for uid"),
//! which is what a platform that assigns an arbitrary uid gives. So the
//! tools started later (dput, and the ssh it runs) are given a passwd
//! database of their own through nss_wrapper (Debian: `libnss-wrapper`):
//! the system's entries, with this uid's home the private one. The
//! process sets `LD_PRELOAD`, `NSS_WRAPPER_PASSWD` and `NSS_WRAPPER_GROUP`
//! before anything else starts; the directory is removed at exit.

use std::ffi::OsString;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::chain::gnupg_home::{copy_tree, Copied};

/// Where nss_wrapper is looked for (Debian's multiarch directories first).
const NSS_WRAPPER_DIRS: [&str; 4] = [
    "/usr/lib/x86_64-linux-gnu",
    "/usr/lib/aarch64-linux-gnu",
    "/usr/lib64",
    "/usr/lib",
];

/// The library nss_wrapper preloads.
const NSS_WRAPPER: &str = "libnss_wrapper.so";

/// Why the private ssh home could not be made.
#[derive(Debug, thiserror::Error)]
pub enum SshHomeError {
    /// The directory or a file in it could not be read or copied.
    #[error("cannot copy the ssh files {from}: {error}")]
    Copy {
        /// What was to be copied.
        from: PathBuf,
        /// Why not.
        error: std::io::Error,
    },
    /// More files than a `.ssh` holds.
    #[error("{0} holds too many files for ssh's")]
    TooLarge(PathBuf),
    /// The private directory or the passwd database could not be made.
    #[error("cannot make a private ssh home under $TMPDIR: {0}")]
    Create(std::io::Error),
    /// nss_wrapper is not installed.
    #[error(
        "an ssh home from mounted files needs nss_wrapper ({NSS_WRAPPER}; Debian: libnss-wrapper) \
         to give ssh a home whatever uid runs it"
    )]
    NoNssWrapper,
}

impl crate::exit_codes::HasExitCode for SshHomeError {
    fn exit_code(&self) -> crate::exit_codes::ExitCode {
        crate::exit_codes::ExitCode::Usage
    }
}

/// The private ssh home: removed when dropped.
#[derive(Debug)]
pub struct PrivateSsh {
    dir: tempfile::TempDir,
    nss_wrapper: PathBuf,
}

impl PrivateSsh {
    /// A fresh private home whose `.ssh` holds a copy of `from`.
    ///
    /// # Errors
    /// nss_wrapper is missing, the directory cannot be made, or `from`
    /// cannot be read.
    pub fn make(from: &Path) -> Result<Self, SshHomeError> {
        let nss_wrapper = NSS_WRAPPER_DIRS
            .iter()
            .map(|dir| Path::new(dir).join(NSS_WRAPPER))
            .find(|path| path.is_file())
            .ok_or(SshHomeError::NoNssWrapper)?;
        let dir = tempfile::Builder::new()
            .prefix("auto-upload-ssh.")
            .permissions(std::fs::Permissions::from_mode(0o700))
            .tempdir()
            .map_err(SshHomeError::Create)?;
        let ssh = dir.path().join("home/.ssh");
        std::fs::create_dir_all(&ssh)
            .and_then(|()| std::fs::set_permissions(&ssh, std::fs::Permissions::from_mode(0o700)))
            .map_err(SshHomeError::Create)?;
        copy_tree(from, &ssh, &mut 0).map_err(|error| match error {
            Copied::TooMany => SshHomeError::TooLarge(from.to_owned()),
            Copied::Io(error) => SshHomeError::Copy {
                from: from.to_owned(),
                error,
            },
        })?;
        let home = dir.path().join("home");
        let uid = rustix::process::getuid().as_raw();
        let gid = rustix::process::getgid().as_raw();
        let system = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
        std::fs::write(dir.path().join("passwd"), passwd(&system, uid, gid, &home))
            .map_err(SshHomeError::Create)?;
        let groups = std::fs::read_to_string("/etc/group").unwrap_or_default();
        std::fs::write(dir.path().join("group"), group(&groups, gid))
            .map_err(SshHomeError::Create)?;
        Ok(Self { dir, nss_wrapper })
    }

    /// The variables that give the tools started later this home.
    pub fn environment(&self) -> Vec<(&'static str, OsString)> {
        vec![
            ("LD_PRELOAD", self.nss_wrapper.clone().into_os_string()),
            (
                "NSS_WRAPPER_PASSWD",
                self.dir.path().join("passwd").into_os_string(),
            ),
            (
                "NSS_WRAPPER_GROUP",
                self.dir.path().join("group").into_os_string(),
            ),
        ]
    }
}

/// The passwd database ssh is given: `system`'s entries, but `uid`'s
/// (added when it has none) with `home` as its home directory.
fn passwd(system: &str, uid: u32, gid: u32, home: &Path) -> String {
    let mut name = "auto-upload".to_owned();
    let mut out = String::new();
    for line in system.lines() {
        let fields: Vec<&str> = line.split(':').collect();
        if fields.len() == 7 && fields[2].parse() == Ok(uid) {
            name = fields[0].to_owned();
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out.push_str(&format!(
        "{name}:x:{uid}:{gid}:auto-upload:{}:/usr/sbin/nologin\n",
        home.display()
    ));
    out
}

/// The group database: `system`'s, with `gid` added when it has none.
fn group(system: &str, gid: u32) -> String {
    let mut out = system.to_owned();
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    let known = system
        .lines()
        .any(|line| line.split(':').nth(2).and_then(|g| g.parse().ok()) == Some(gid));
    if !known {
        out.push_str(&format!("auto-upload:x:{gid}:\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_uid_gets_the_private_home_whether_or_not_it_had_an_entry() {
        let system = "root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n";
        let home = Path::new("/tmp/auto-upload-ssh.X/home");
        let unknown = passwd(system, 123_456, 0, home);
        assert!(unknown.starts_with(system), "{unknown}");
        assert!(unknown.ends_with(
            "auto-upload:x:123456:0:auto-upload:/tmp/auto-upload-ssh.X/home:/usr/sbin/nologin\n"
        ));
        let known = passwd(system, 65534, 65534, home);
        assert!(!known.contains("/nonexistent"), "{known}");
        assert!(known.contains("nobody:x:65534:65534:auto-upload:/tmp/auto-upload-ssh.X/home:"));
        assert_eq!(group("root:x:0:\n", 0), "root:x:0:\n");
        assert_eq!(group("root:x:0:", 7), "root:x:0:\nauto-upload:x:7:\n");
    }
}
