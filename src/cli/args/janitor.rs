//! The Python service's command line, accepted when the program is invoked
//! as `janitor-auto-upload`: it becomes `auto-upload listen`.

use super::*;

/// The command line of the Janitor's Python service
/// (`janitor.debian.auto_upload`), every flag as it spells it: what the
/// program accepts when invoked as `janitor-auto-upload`. It runs
/// `auto-upload listen` with the service's defaults: `janitor.conf` in the
/// working directory, the health server on localhost:9933, info logs.
#[derive(Debug, Parser)]
#[command(
    name = "janitor-auto-upload",
    version,
    infer_long_args = true,
    about = "Upload the Debian packages the Janitor built (auto-upload listen, \
             with the command line of the Janitor's Python service)"
)]
pub struct JanitorCli {
    /// Listen port.
    #[arg(long, default_value_t = 9933)]
    pub port: u16,

    /// Listen address.
    #[arg(long, default_value = "localhost")]
    pub listen_address: String,

    /// Path to configuration.
    #[arg(long, default_value = "janitor.conf")]
    pub config: PathBuf,

    /// dput host to upload to.
    #[arg(long)]
    pub dput_host: Option<String>,

    /// Key ID to use for signing.
    #[arg(long)]
    pub debsign_keyid: Option<String>,

    /// Upload previously built packages (those the ledger does not show
    /// as uploaded).
    #[arg(long)]
    pub backfill: bool,

    /// Only upload source-only changes.
    #[arg(long)]
    pub source_only: bool,

    /// Build distributions to upload (repeatable).
    #[arg(long)]
    pub distribution: Vec<String>,

    /// Show more detailed output (debug logs).
    #[arg(long)]
    pub verbose: bool,
}

impl JanitorCli {
    /// The same as an `auto-upload listen` command line. Environment
    /// variables still apply to everything these flags do not set.
    pub fn to_auto_upload_args(&self) -> Vec<OsString> {
        let mut args: Vec<OsString> = vec!["auto-upload".into(), "--config".into()];
        args.push(self.config.clone().into());
        if self.verbose {
            args.push("-vv".into());
        }
        args.push("listen".into());
        args.push(format!("--port={}", self.port).into());
        args.push(format!("--listen-address={}", self.listen_address).into());
        if let Some(host) = &self.dput_host {
            args.push(format!("--host={host}").into());
        }
        if let Some(keyid) = &self.debsign_keyid {
            args.push(format!("--keyid={keyid}").into());
        }
        if self.backfill {
            args.push("--backfill".into());
        }
        if self.source_only {
            args.push("--source-only".into());
        }
        for distribution in &self.distribution {
            args.push(format!("--distribution={distribution}").into());
        }
        args
    }
}
