//! File digests for `.changes` verification: every file is read once and
//! hashed with MD5, SHA-1 and SHA-256 together.

use std::io::Read;
use std::path::Path;

use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha256};

/// The size and digests of one file, as lowercase hex.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digests {
    /// Size in bytes.
    pub size: u64,
    /// MD5 (the Files field).
    pub md5: String,
    /// SHA-1 (Checksums-Sha1).
    pub sha1: String,
    /// SHA-256 (Checksums-Sha256).
    pub sha256: String,
}

impl Digests {
    /// Reads `path` once and computes its size and every digest.
    ///
    /// # Errors
    /// Any error reading the file.
    pub fn of_file(path: &Path) -> std::io::Result<Self> {
        let mut file = std::fs::File::open(path)?;
        let mut md5 = Md5::new();
        let mut sha1 = Sha1::new();
        let mut sha256 = Sha256::new();
        let mut size = 0u64;
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = file.read(&mut buf)?;
            if n == 0 {
                break;
            }
            let chunk = &buf[..n];
            md5.update(chunk);
            sha1.update(chunk);
            sha256.update(chunk);
            size += n as u64;
        }
        Ok(Self {
            size,
            md5: hex(&md5.finalize()),
            sha1: hex(&sha1.finalize()),
            sha256: hex(&sha256.finalize()),
        })
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// Which digest a `.changes` line gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Algorithm {
    Md5,
    Sha1,
    Sha256,
}

/// One line of Files or Checksums-*: a name, its size and one digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    name: String,
    size: u64,
    algorithm: Algorithm,
    digest: String,
}

impl Expected {
    /// A Files line.
    pub fn md5(name: String, size: u64, digest: String) -> Self {
        Self::new(name, size, Algorithm::Md5, digest)
    }

    /// A Checksums-Sha1 line.
    pub fn sha1(name: String, size: u64, digest: String) -> Self {
        Self::new(name, size, Algorithm::Sha1, digest)
    }

    /// A Checksums-Sha256 line.
    pub fn sha256(name: String, size: u64, digest: String) -> Self {
        Self::new(name, size, Algorithm::Sha256, digest)
    }

    fn new(name: String, size: u64, algorithm: Algorithm, digest: String) -> Self {
        Self {
            name,
            size,
            algorithm,
            digest: digest.to_ascii_lowercase(),
        }
    }

    /// The file this line is about.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The SHA-256 this line gives for `name`, if it is a Checksums-Sha256 line.
    pub fn sha256_of(&self, name: &str) -> Option<String> {
        (self.algorithm == Algorithm::Sha256 && self.name == name).then(|| self.digest.clone())
    }

    /// Compares with the file's actual digests.
    ///
    /// # Errors
    /// A description of the mismatch.
    pub fn check(&self, actual: &Digests) -> Result<(), String> {
        if actual.size != self.size {
            return Err(format!(
                "size {} does not match the listed {}",
                actual.size, self.size
            ));
        }
        let (label, got) = match self.algorithm {
            Algorithm::Md5 => ("MD5", &actual.md5),
            Algorithm::Sha1 => ("SHA-1", &actual.sha1),
            Algorithm::Sha256 => ("SHA-256", &actual.sha256),
        };
        if *got != self.digest {
            return Err(format!(
                "{label} {got} does not match the listed {}",
                self.digest
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_digests() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("abc");
        std::fs::write(&path, b"abc").unwrap();
        let d = Digests::of_file(&path).unwrap();
        assert_eq!(d.size, 3);
        assert_eq!(d.md5, "900150983cd24fb0d6963f7d28e17f72");
        assert_eq!(d.sha1, "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert_eq!(
            d.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(Expected::md5("abc".into(), 3, d.md5.to_uppercase())
            .check(&d)
            .is_ok());
        assert!(Expected::sha1("abc".into(), 4, d.sha1.clone())
            .check(&d)
            .is_err());
    }
}
