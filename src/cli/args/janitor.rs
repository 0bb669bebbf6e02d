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
    version = crate::VERSION,
    infer_long_args = true,
    about = "Upload the Debian packages the Janitor built (auto-upload listen, \
             with the command line of the Janitor's Python service)"
)]
pub struct JanitorCli {
    /// Listen port [default: AUTO_UPLOAD_PORT, else 9933].
    #[arg(long)]
    pub port: Option<u16>,

    /// Listen address [default: AUTO_UPLOAD_LISTEN_ADDRESS, else localhost].
    #[arg(long)]
    pub listen_address: Option<String>,

    /// Path to configuration [default: AUTO_UPLOAD_CONFIG, else
    /// JANITOR_CONFIG, else janitor.conf].
    #[arg(long)]
    pub config: Option<PathBuf>,

    /// dput host to upload to [default: AUTO_UPLOAD_HOST, else DPUT_HOST].
    #[arg(long)]
    pub dput_host: Option<DputHost>,

    /// Key ID to use for signing [default: AUTO_UPLOAD_KEYID, else
    /// DEBSIGN_KEYID].
    #[arg(long)]
    pub debsign_keyid: Option<KeyId>,

    /// Upload previously built packages (those the ledger does not show
    /// as uploaded).
    #[arg(long)]
    pub backfill: bool,

    /// Only upload source-only changes.
    #[arg(long)]
    pub source_only: bool,

    /// Build distributions to upload (repeatable).
    #[arg(long)]
    pub distribution: Vec<Suite>,

    /// Show more detailed output (debug logs).
    #[arg(long)]
    pub verbose: bool,
}

/// A variable of the environment, when set and not empty.
fn variable(name: &str) -> Option<OsString> {
    std::env::var_os(name).filter(|v| !v.is_empty())
}

impl JanitorCli {
    /// The same as an `auto-upload listen` command line. Where the Python
    /// command line leaves a default, auto-upload's environment variable
    /// applies (it is not overridden by a flag), then the variable the
    /// Janitor's Rust auto-upload reads (`JANITOR_CONFIG`, `DPUT_HOST`,
    /// `DEBSIGN_KEYID`), then the Python service's default.
    pub fn to_auto_upload_args(&self) -> Vec<OsString> {
        let mut args: Vec<OsString> = vec!["auto-upload".into()];
        let config = self.config.clone().map(OsString::from).or_else(|| {
            variable("AUTO_UPLOAD_CONFIG")
                .is_none()
                .then(|| variable("JANITOR_CONFIG").unwrap_or_else(|| "janitor.conf".into()))
        });
        if let Some(config) = config {
            args.push("--config".into());
            args.push(config);
        }
        if self.verbose {
            args.push("-vv".into());
        }
        args.push("listen".into());
        let flag = |args: &mut Vec<OsString>, name: &str, value: Option<OsString>| {
            if let Some(value) = value {
                let mut arg = OsString::from(format!("--{name}="));
                arg.push(value);
                args.push(arg);
            }
        };
        let or_default = |given: Option<String>, ours: &str, default: &str| {
            given
                .map(OsString::from)
                .or_else(|| variable(ours).is_none().then(|| default.into()))
        };
        let or_janitors = |given: Option<String>, ours: &str, janitors: &str| {
            given.map(OsString::from).or_else(|| {
                variable(ours)
                    .is_none()
                    .then(|| variable(janitors))
                    .flatten()
            })
        };
        flag(
            &mut args,
            "port",
            or_default(self.port.map(|p| p.to_string()), "AUTO_UPLOAD_PORT", "9933"),
        );
        flag(
            &mut args,
            "listen-address",
            or_default(
                self.listen_address.clone(),
                "AUTO_UPLOAD_LISTEN_ADDRESS",
                "localhost",
            ),
        );
        flag(
            &mut args,
            "host",
            or_janitors(
                self.dput_host.as_ref().map(ToString::to_string),
                "AUTO_UPLOAD_HOST",
                "DPUT_HOST",
            ),
        );
        flag(
            &mut args,
            "keyid",
            or_janitors(
                self.debsign_keyid.as_ref().map(ToString::to_string),
                "AUTO_UPLOAD_KEYID",
                "DEBSIGN_KEYID",
            ),
        );
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
