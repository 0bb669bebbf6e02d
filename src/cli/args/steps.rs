//! The single steps of the chain, for shell pipelines: `fetch-artifacts`,
//! `find-changes`, `sign` and `dput`.

use super::*;

/// `fetch-artifacts`.
#[derive(Debug, Args)]
pub struct FetchArgs {
    /// The run whose artifacts to copy.
    pub run_id: String,

    /// Directory to copy into [default: ./<RUN_ID>].
    #[arg(long, value_name = "DIR")]
    pub dest: Option<PathBuf>,

    #[command(flatten)]
    pub store: StoreArgs,
}

/// `find-changes`.
#[derive(Debug, Args)]
pub struct FindChangesArgs {
    /// Directory holding the artifacts.
    pub dir: PathBuf,

    /// One JSON object per line: path, source, version, distribution,
    /// architectures and files.
    #[arg(long, conflicts_with = "null")]
    pub json: bool,

    /// End each path with NUL instead of a newline.
    #[arg(short = '0', long)]
    pub null: bool,

    /// Do not verify sizes and checksums.
    #[arg(long)]
    pub no_verify: bool,

    /// Keep only .changes whose signature (and their .dsc's) verifies with
    /// gpgv against --keyring; any other fails the command with exit 6.
    #[arg(long, requires = "keyrings", conflicts_with = "no_verify")]
    pub verify_signature: bool,

    #[command(flatten)]
    pub keyrings: KeyringArgs,

    #[command(flatten)]
    pub filter: ChangesFilterArgs,
}

/// `sign`.
#[derive(Debug, Args)]
pub struct SignArgs {
    /// Read and write NUL-terminated paths instead of lines.
    #[arg(short = '0', long)]
    pub null: bool,

    /// .changes files to sign; none or '-' reads paths from stdin.
    #[arg(value_name = "CHANGES")]
    pub paths: Vec<PathBuf>,

    #[command(flatten)]
    pub signer: SignerArgs,
}

/// `dput`.
#[derive(Debug, Args)]
pub struct DputArgs {
    /// Only simulate the upload (dput -s).
    #[arg(long)]
    pub simulate: bool,

    /// Upload even if dput logged an earlier upload (dput -f).
    #[arg(long)]
    pub force: bool,

    /// Read and write NUL-terminated paths instead of lines.
    #[arg(short = '0', long)]
    pub null: bool,

    /// .changes files to upload; none or '-' reads paths from stdin.
    #[arg(value_name = "CHANGES")]
    pub paths: Vec<PathBuf>,

    #[command(flatten)]
    pub uploader: UploaderArgs,
}
