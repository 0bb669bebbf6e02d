//! File digests for `.changes` verification: every file is read once and
//! hashed with MD5, SHA-1 and SHA-256 together.

use std::io::Read;

use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha256};

use crate::input::syntax::FileName;

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
    /// Reads `file` to its end once and computes its size and every digest.
    ///
    /// # Errors
    /// Any error reading the file.
    pub fn of_reader(mut file: impl Read) -> std::io::Result<Self> {
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
pub enum Algorithm {
    /// MD5, in Files.
    Md5,
    /// SHA-1, in Checksums-Sha1.
    Sha1,
    /// SHA-256, in Checksums-Sha256.
    Sha256,
}

impl Algorithm {
    /// How many hex digits a digest of this kind has.
    pub fn hex_len(self) -> usize {
        match self {
            Self::Md5 => 32,
            Self::Sha1 => 40,
            Self::Sha256 => 64,
        }
    }
}

/// One line of Files or Checksums-*: a name, its size and one digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    name: FileName,
    size: u64,
    algorithm: Algorithm,
    digest: String,
}

impl Expected {
    /// A line giving `digest` (hex, any case) of `algorithm` for `name`.
    pub fn new(name: FileName, size: u64, algorithm: Algorithm, digest: &str) -> Self {
        Self {
            name,
            size,
            algorithm,
            digest: digest.to_ascii_lowercase(),
        }
    }

    /// The file this line is about.
    pub fn name(&self) -> &FileName {
        &self.name
    }

    /// The SHA-256 this line gives for `name`, if it is a Checksums-Sha256 line.
    pub fn sha256_of(&self, name: &FileName) -> Option<String> {
        (self.algorithm == Algorithm::Sha256 && &self.name == name).then(|| self.digest.clone())
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
        let d = Digests::of_reader(&b"abc"[..]).unwrap();
        assert_eq!(d.size, 3);
        assert_eq!(d.md5, "900150983cd24fb0d6963f7d28e17f72");
        assert_eq!(d.sha1, "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert_eq!(
            d.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let name: FileName = "abc".parse().unwrap();
        assert!(
            Expected::new(name.clone(), 3, Algorithm::Md5, &d.md5.to_uppercase())
                .check(&d)
                .is_ok()
        );
        assert!(Expected::new(name, 4, Algorithm::Sha1, &d.sha1)
            .check(&d)
            .is_err());
    }
}
