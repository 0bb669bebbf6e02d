//! Checking what debsign made before dput: the signed `.changes` is read
//! again with the strict parser, must name the same upload as the text
//! that was checked, and its files must match the checksums it now gives.
//! With keyrings (`--keyring`), `gpgv` verifies the `.changes`, the `.dsc`
//! and the `.buildinfo` it lists, and every signature on them must be made
//! by the signing key itself, not by any other key of the keyrings.

use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::Arc;

use crate::chain::tool::{self, Tool, ToolError};
use crate::exit_codes::{ExitCode, HasExitCode};
use crate::input::changes::{Changes, ChangesError};
use crate::input::names::{Fingerprint, KeyId};

/// A signed `.changes` that does not verify.
#[derive(Debug, thiserror::Error)]
pub enum SignatureError {
    /// gpgv refused a signature (unknown key, bad signature, no signature).
    #[error("the signature of {path} does not verify against the keyrings")]
    Signature {
        /// The `.changes`, `.dsc` or `.buildinfo`.
        path: PathBuf,
        /// What gpgv said.
        #[source]
        source: ToolError,
    },
    /// A signature verified, but was not made by the signing key.
    #[error(
        "{path} carries a signature by {by}, which is not the signing key ({})",
        joined(keys)
    )]
    NotOurKey {
        /// The signed file.
        path: PathBuf,
        /// Whose signature gpgv reported.
        by: SignedBy,
        /// The signing key's fingerprints.
        keys: Vec<Fingerprint>,
    },
    /// The signing key's fingerprint could not be found with gpg.
    #[error("cannot tell the signing key's fingerprint")]
    Key(#[source] ToolError),
    /// The signed `.changes` no longer matches its files, cannot be read,
    /// or names another upload than the one checked before signing.
    #[error("the signed .changes does not match what was checked")]
    Content(#[source] ChangesError),
}

/// Whose signature a file carries, as gpgv's status says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignedBy {
    /// A valid signature by this key.
    Key(Fingerprint),
    /// No valid signature, or one whose fingerprint cannot be read: why.
    Nobody(&'static str),
}

impl std::fmt::Display for SignedBy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Key(fingerprint) => write!(f, "{fingerprint}"),
            Self::Nobody(why) => f.write_str(why),
        }
    }
}

/// Fingerprints as a message lists them.
fn joined(keys: &[Fingerprint]) -> String {
    let keys: Vec<&str> = keys.iter().map(Fingerprint::as_str).collect();
    keys.join(", ")
}

impl HasExitCode for SignatureError {
    fn exit_code(&self) -> ExitCode {
        ExitCode::Signing
    }
}

/// How to verify: which gpgv, against which keyrings, pinned to which key.
#[derive(Debug, Clone)]
pub struct Verifier {
    /// The gpgv program (with its time limit).
    pub gpgv: Tool,
    /// Keyrings (binary OpenPGP or keybox), at least one.
    pub keyrings: Vec<PathBuf>,
    /// The key every signature must be made by, when signing; `None`
    /// accepts any key of the keyrings (`find-changes --verify-signature`).
    pub pin: Option<SigningKey>,
}

/// The signing key, resolved to its fingerprints (primary key and
/// subkeys) once, with gpg, from the key id (or every secret key when no
/// key id is given, as debsign then picks one of them).
#[derive(Debug, Clone)]
pub struct SigningKey {
    gpg: Tool,
    keyid: Option<KeyId>,
    fingerprints: Arc<tokio::sync::OnceCell<Vec<Fingerprint>>>,
}

impl SigningKey {
    /// The key `keyid`, as `gpg` finds it.
    pub fn new(gpg: Tool, keyid: Option<KeyId>) -> Self {
        Self {
            gpg,
            keyid,
            fingerprints: Arc::default(),
        }
    }

    /// The fingerprints of the signing key's primary key and subkeys.
    async fn fingerprints(&self) -> Result<&[Fingerprint], SignatureError> {
        self.fingerprints
            .get_or_try_init(|| async {
                let mut args: Vec<OsString> = ["--batch", "--with-colons", "--list-secret-keys"]
                    .map(OsString::from)
                    .to_vec();
                if let Some(keyid) = &self.keyid {
                    args.push("--".into());
                    args.push(keyid.into());
                }
                let listing = self
                    .gpg
                    .run(&args, std::path::Path::new("/"))
                    .await
                    .map_err(SignatureError::Key)?;
                Ok(fingerprints(&listing))
            })
            .await
            .map(Vec::as_slice)
    }
}

impl SigningKey {
    /// Signs a few bytes with the key (gpg --detach-sign), as debsign
    /// would: a key gpg lists but cannot use (no secret part readable by
    /// this user, a passphrase, an agent of another user) fails here.
    ///
    /// # Errors
    /// gpg failed, or the scratch file could not be written.
    pub async fn sign_test(&self) -> Result<(), ToolError> {
        let dir = tempfile::tempdir().map_err(|source| ToolError::Input {
            path: std::env::temp_dir(),
            source,
        })?;
        let input = dir.path().join("check");
        std::fs::write(&input, b"auto-upload check-config\n").map_err(|source| {
            ToolError::Input {
                path: input.clone(),
                source,
            }
        })?;
        let mut args: Vec<OsString> = ["--batch", "--yes", "--armor", "--output", "-"]
            .map(OsString::from)
            .to_vec();
        if let Some(keyid) = &self.keyid {
            args.push("--local-user".into());
            args.push(keyid.into());
        }
        args.push("--detach-sign".into());
        args.push("./check".into());
        self.gpg.run(&args, dir.path()).await.map(|_| ())
    }
}

/// When the signing key stops signing: the earliest expiry (Unix time) of
/// the keys in gpg's colon listing that can sign (primary key and
/// subkeys); `None` when none of them expires.
pub fn signing_expiry(listing: &str) -> Option<u64> {
    listing
        .lines()
        .filter(|l| l.starts_with("sec:") || l.starts_with("ssb:"))
        .filter_map(|l| {
            let fields: Vec<&str> = l.split(':').collect();
            let can_sign = fields.get(11).is_some_and(|c| c.contains('s'));
            let expires = fields.get(6).and_then(|e| e.parse::<u64>().ok());
            can_sign.then_some(expires).flatten()
        })
        .min()
}

impl SigningKey {
    /// When the signing key stops signing (see [`signing_expiry`]), read
    /// with gpg now.
    ///
    /// # Errors
    /// gpg failed.
    pub async fn expiry(&self) -> Result<Option<u64>, ToolError> {
        let mut args: Vec<OsString> = ["--batch", "--with-colons", "--list-secret-keys"]
            .map(OsString::from)
            .to_vec();
        if let Some(keyid) = &self.keyid {
            args.push("--".into());
            args.push(keyid.into());
        }
        let listing = self.gpg.run(&args, std::path::Path::new("/")).await?;
        Ok(signing_expiry(&listing))
    }
}

/// The `fpr` records of gpg's colon listing (a record that is not a
/// fingerprint is left out).
fn fingerprints(listing: &str) -> Vec<Fingerprint> {
    listing
        .lines()
        .filter_map(|l| l.strip_prefix("fpr:"))
        .filter_map(|rest| rest.split(':').find(|f| !f.is_empty()))
        .filter_map(|f| Fingerprint::parse(&f.to_ascii_uppercase()).ok())
        .collect()
}

/// What gpgv's status lines say of the signatures on one file: the
/// fingerprints (signing key, primary key) of every valid signature, or
/// that some signature was not valid.
fn valid_signatures(status: &str) -> Result<Vec<(String, String)>, &'static str> {
    let mut valid = Vec::new();
    let mut good = 0;
    for line in status.lines() {
        let Some(rest) = line.strip_prefix("[GNUPG:] ") else {
            continue;
        };
        let mut words = rest.split(' ');
        match words.next() {
            Some("GOODSIG") => good += 1,
            Some("VALIDSIG") => {
                let words: Vec<&str> = words.collect();
                let signer = words.first().copied().unwrap_or_default();
                let primary = words.get(9).copied().unwrap_or(signer);
                valid.push((signer.to_ascii_uppercase(), primary.to_ascii_uppercase()));
            }
            Some(
                "BADSIG" | "ERRSIG" | "EXPSIG" | "EXPKEYSIG" | "REVKEYSIG" | "NO_PUBKEY" | "NODATA"
                | "BADARMOR",
            ) => return Err("a signature that is not valid"),
            _ => {}
        }
    }
    if valid.is_empty() || good != valid.len() {
        return Err("no valid signature");
    }
    Ok(valid)
}

impl Verifier {
    fn args(&self, name: OsString) -> Vec<OsString> {
        let mut args: Vec<OsString> = vec!["--status-fd".into(), "1".into()];
        for keyring in &self.keyrings {
            args.push("--keyring".into());
            args.push(keyring.clone().into_os_string());
        }
        args.push(name);
        args
    }

    /// Verifies a signed `.changes`: re-reads it (the strict parser), runs
    /// `gpgv` on it and on the `.dsc` and `.buildinfo` it lists, and checks
    /// every listed file against the checksums the signed text gives.
    ///
    /// # Errors
    /// [`SignatureError`]: a signature that does not verify (or is not the
    /// signing key's, when pinned), or content that no longer matches.
    #[tracing::instrument(skip_all, fields(changes = %changes.path.display()))]
    pub async fn verify(&self, changes: &Changes) -> Result<(), SignatureError> {
        let signed = Changes::read(&changes.path).map_err(SignatureError::Content)?;
        self.verify_signatures(&signed).await?;
        verify_content(signed).await?;
        tracing::info!("signature verified");
        Ok(())
    }

    /// Runs `gpgv` on a signed `.changes` and on each `.dsc` and
    /// `.buildinfo` it lists; when pinned, every signature on them must be
    /// made by the signing key.
    ///
    /// # Errors
    /// [`SignatureError::Signature`], [`SignatureError::NotOurKey`],
    /// [`SignatureError::Key`].
    pub async fn verify_signatures(&self, signed: &Changes) -> Result<(), SignatureError> {
        let dir = signed
            .path
            .parent()
            .unwrap_or(std::path::Path::new("."))
            .to_owned();
        let signed_files = signed
            .files
            .iter()
            .filter(|f| {
                let name = f.name.as_str();
                name.ends_with(".dsc") || name.ends_with(".buildinfo")
            })
            .map(|f| dir.join(f.name.as_str()));
        for path in std::iter::once(signed.path.clone()).chain(signed_files) {
            self.verify_file(path).await?;
        }
        Ok(())
    }

    /// gpgv on one signed file, and the pin.
    async fn verify_file(&self, path: PathBuf) -> Result<(), SignatureError> {
        let (dir, name) = tool::in_dir(&path);
        let status = self
            .gpgv
            .run(&self.args(name), &dir)
            .await
            .map_err(|source| SignatureError::Signature {
                path: path.clone(),
                source,
            })?;
        let Some(pin) = &self.pin else {
            return Ok(());
        };
        let ours = pin.fingerprints().await?;
        let valid = valid_signatures(&status).map_err(|why| SignatureError::NotOurKey {
            path: path.clone(),
            by: SignedBy::Nobody(why),
            keys: ours.to_vec(),
        })?;
        let is_ours = |fingerprint: &str| ours.iter().any(|f| f == fingerprint);
        match valid
            .iter()
            .find(|(signer, primary)| !is_ours(signer) && !is_ours(primary))
        {
            Some((signer, _)) => Err(SignatureError::NotOurKey {
                path,
                by: Fingerprint::parse(signer)
                    .map_or(SignedBy::Nobody("an unreadable fingerprint"), SignedBy::Key),
                keys: ours.to_vec(),
            }),
            None => Ok(()),
        }
    }
}

/// Re-reads a signed `.changes` with the strict parser and checks that it
/// names the same upload as the text checked before signing (source,
/// version, distribution, architectures, binaries, the same file names)
/// and that every file matches the checksums it now gives (debsign
/// rewrote those of the `.dsc` and `.buildinfo`). Done after every
/// signing, with or without keyrings.
///
/// # Errors
/// [`SignatureError::Content`].
pub async fn check_signed(checked: &Changes) -> Result<(), SignatureError> {
    let signed = Changes::read(&checked.path).map_err(SignatureError::Content)?;
    let names = |c: &Changes| {
        let mut names: Vec<String> = c.files.iter().map(|f| f.name.to_string()).collect();
        names.sort();
        names
    };
    let same = signed.source == checked.source
        && signed.version == checked.version
        && signed.distribution == checked.distribution
        && signed.architectures == checked.architectures
        && signed.binaries == checked.binaries
        && names(&signed) == names(checked);
    if !same {
        return Err(SignatureError::Content(ChangesError::Invalid {
            path: checked.path.clone(),
            reason: "the signed text names another upload than the one checked before signing"
                .into(),
        }));
    }
    verify_content(signed).await
}

/// Every listed file against the checksums of `signed`, on the blocking
/// pool.
async fn verify_content(signed: Changes) -> Result<(), SignatureError> {
    tokio::task::spawn_blocking(move || signed.verify())
        .await
        .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
        .map_err(SignatureError::Content)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_of_primary_and_subkeys() {
        let listing = "sec:u:255:22:AAAA:1:::u:::scSC:::+:::ed25519:::0:\n\
                       fpr:::::::::0123456789abcdef0123456789ABCDEF01234567:\n\
                       uid:u::::1::X::A <a@example.com>::::::::::0:\n\
                       ssb:u:255:22:BBBB:1::::::s:::+:::ed25519::\n\
                       fpr:::::::::FEDCBA9876543210FEDCBA9876543210FEDCBA98:\n";
        assert_eq!(
            fingerprints(listing),
            vec![
                "0123456789ABCDEF0123456789ABCDEF01234567",
                "FEDCBA9876543210FEDCBA9876543210FEDCBA98"
            ]
        );
    }

    #[test]
    fn the_earliest_expiry_of_a_signing_key() {
        let listing = "sec:u:255:22:AAAA:1700000000:1900000000::u:::scSC:::+:::ed25519:::0:\n\
                       fpr:::::::::AAAA:\n\
                       ssb:u:255:18:BBBB:1700000000:1800000000:::::e:::+:::cv25519::\n\
                       ssb:u:255:22:CCCC:1700000000:1850000000:::::s:::+:::ed25519::\n";
        assert_eq!(signing_expiry(listing), Some(1_850_000_000));
        let never = "sec:u:255:22:AAAA:1700000000:::u:::scSC:::+:::ed25519:::0:\n";
        assert_eq!(signing_expiry(never), None);
    }

    #[test]
    fn every_signature_must_be_valid() {
        let good = "[GNUPG:] NEWSIG\n[GNUPG:] GOODSIG 1234 A <a@example.com>\n\
                    [GNUPG:] VALIDSIG AAAA 2026-11-30 1 0 4 0 22 10 01 BBBB\n";
        assert_eq!(
            valid_signatures(good).unwrap(),
            vec![("AAAA".to_owned(), "BBBB".to_owned())]
        );
        let with_unknown = format!("{good}[GNUPG:] ERRSIG 5678 22 10 01 1 9\n");
        assert!(valid_signatures(&with_unknown).is_err());
        assert!(valid_signatures("").is_err());
        let good_without_valid = "[GNUPG:] GOODSIG 1234 A <a@example.com>\n\
                                  [GNUPG:] GOODSIG 5678 B <b@example.com>\n\
                                  [GNUPG:] VALIDSIG AAAA 2026-11-30 1 0 4 0 22 10 01 BBBB\n";
        assert!(valid_signatures(good_without_valid).is_err());
    }
}
