//! Reads a Janitor configuration file (`janitor.conf`, protobuf text
//! format) strictly, against the `janitor.Config` schema: the one compiled
//! into the binary from `src/cli/proto/config.proto`, or a deployment's own
//! `config.proto` compiled at run time (`--config-schema`). Unknown fields,
//! wrong types, a singular field given twice and unknown enum values are
//! refused, as the Janitor's own services refuse them; every error names
//! the file, line, column and field.

use std::io::Read;
use std::path::{Path, PathBuf};

use miette::Diagnostic as _;
use prost_reflect::{
    DescriptorPool, DynamicMessage, MessageDescriptor, ReflectMessage as _, Value,
};

use crate::exit_codes::{ExitCode, HasExitCode};
use crate::input::dispatch::{CampaignRules, Campaigns};
use crate::input::names::Suite;
use crate::input::verdict::ReviewRule;

/// The largest configuration file read, in bytes.
const MAX_CONFIG_BYTES: u64 = 1 << 20;
/// The deepest nesting of messages accepted.
const MAX_DEPTH: usize = 64;
/// The top-level message of a Janitor configuration.
const CONFIG_MESSAGE: &str = "janitor.Config";
/// The built-in schema, compiled by `build.rs`.
static BUILT_IN: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/janitor_config.bin"));

/// The fields of a Janitor configuration that auto-upload uses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JanitorConfig {
    /// `artifact_location`: where runs' artifacts are stored.
    pub artifact_location: Option<String>,
    /// `redis_location`: the runner's Redis.
    pub redis_location: Option<String>,
    /// `database_location`: the Janitor's PostgreSQL database.
    pub database_location: Option<String>,
    /// The `distribution` blocks.
    pub distributions: Vec<DistributionConfig>,
    /// The `campaign` blocks.
    pub campaigns: Vec<CampaignConfig>,
}

/// A `campaign` block: what `--campaign` selects, and what its Debian
/// builds may be.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CampaignConfig {
    /// `name`.
    pub name: String,
    /// Whether it has a `debian_build` block (a Debian campaign).
    pub debian: bool,
    /// `debian_build.build_distribution`: the suite its builds target.
    pub build_distribution: Option<Suite>,
    /// `debian_build.build_suffix`.
    pub build_suffix: Option<String>,
    /// `debian_build.base_distribution`.
    pub base_distribution: Option<Suite>,
}

impl CampaignConfig {
    /// Its rules as the runner applies them: the build distribution
    /// defaults to the campaign's name, an empty suffix is none. `None`
    /// for a campaign without `debian_build`.
    /// A campaign whose name is no suite and that names no build
    /// distribution has none either.
    pub fn rules(&self) -> Option<CampaignRules> {
        let build_distribution = match &self.build_distribution {
            Some(suite) => suite.clone(),
            None => Suite::parse(&self.name).ok()?,
        };
        self.debian.then(|| CampaignRules {
            name: self.name.clone(),
            build_distribution,
            build_suffix: self.build_suffix.clone().filter(|s| !s.is_empty()),
            base_distribution: self.base_distribution.clone(),
        })
    }
}

impl JanitorConfig {
    /// Its Debian campaigns with `review`: what each run may be signed as.
    pub fn campaigns(&self, review: ReviewRule) -> Campaigns {
        Campaigns::new(
            self.campaigns
                .iter()
                .filter_map(CampaignConfig::rules)
                .collect(),
            review,
        )
    }

    /// The suite a campaign's builds target, when its `campaign` block
    /// says (`debian_build.build_distribution`).
    pub fn build_distribution(&self, campaign: &str) -> Option<Suite> {
        self.campaigns
            .iter()
            .find(|c| c.name == campaign)
            .and_then(|c| c.build_distribution.clone())
    }
}

/// A `distribution` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistributionConfig {
    /// `name`: a suite.
    pub name: Suite,
    /// `archive_mirror_uri`.
    pub archive_mirror_uri: Option<String>,
}

/// A configuration file, or schema, that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file does not exist.
    #[error("configuration file {path} does not exist (give another with --config FILE)")]
    Missing {
        /// The file.
        path: PathBuf,
    },
    /// The file could not be read.
    #[error("cannot read configuration file {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file does not match the schema.
    #[error("{path}:{line}:{column}: {field}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column, in characters.
        column: usize,
        /// The field, with the blocks around it (`campaign.debian_build.x`).
        field: String,
        /// What is wrong.
        message: String,
    },
    /// The schema given with `--config-schema` cannot be used.
    #[error("configuration schema {path}: {message}")]
    Schema {
        /// The `.proto` file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

impl HasExitCode for ConfigError {
    fn exit_code(&self) -> ExitCode {
        ExitCode::Usage
    }
}

/// The `janitor.Config` message a configuration is read against.
#[derive(Debug, Clone)]
pub struct Schema {
    config: MessageDescriptor,
}

impl Schema {
    /// The schema compiled into the binary.
    pub fn built_in() -> Self {
        let pool = DescriptorPool::decode(BUILT_IN).expect("build.rs encodes a valid schema");
        Self {
            config: pool
                .get_message_by_name(CONFIG_MESSAGE)
                .expect("the built-in schema defines janitor.Config"),
        }
    }

    /// Compiles a `config.proto` (its imports are looked up beside it).
    ///
    /// # Errors
    /// [`ConfigError::Schema`] when it does not compile or defines no
    /// `janitor.Config`.
    pub fn compile(path: &Path) -> Result<Self, ConfigError> {
        let error = |message: String| ConfigError::Schema {
            path: path.to_owned(),
            message,
        };
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = path.file_name().ok_or_else(|| error("not a file".into()))?;
        let mut compiler = protox::Compiler::new([dir]).map_err(|e| error(e.to_string()))?;
        compiler
            .include_imports(true)
            .open_file(name)
            .map_err(|e| error(e.to_string()))?;
        let config = compiler
            .descriptor_pool()
            .get_message_by_name(CONFIG_MESSAGE)
            .ok_or_else(|| error(format!("defines no message {CONFIG_MESSAGE}")))?;
        Ok(Self { config })
    }
}

impl JanitorConfig {
    /// Reads `path` (at most 1 MiB) against `schema`.
    ///
    /// # Errors
    /// [`ConfigError::Read`] when the file cannot be read or is larger than
    /// 1 MiB; [`ConfigError::Invalid`] when it does not match the schema or
    /// nests blocks deeper than 64 levels.
    pub fn load(path: &Path, schema: &Schema) -> Result<Self, ConfigError> {
        let read_error = |source| ConfigError::Read {
            path: path.to_owned(),
            source,
        };
        let mut text = String::new();
        let file = match std::fs::File::open(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(ConfigError::Missing {
                    path: path.to_owned(),
                })
            }
            other => other,
        };
        file.and_then(|file| file.take(MAX_CONFIG_BYTES + 1).read_to_string(&mut text))
            .map_err(read_error)?;
        if text.len() as u64 > MAX_CONFIG_BYTES {
            return Err(read_error(std::io::Error::other("larger than 1 MiB")));
        }
        Self::parse(&text, schema).map_err(|(offset, message)| {
            let (line, column) = line_and_column(&text, offset);
            ConfigError::Invalid {
                path: path.to_owned(),
                line,
                column,
                field: field_at(&text, offset),
                message,
            }
        })
    }

    /// Parses configuration text; on error, the byte offset and what is
    /// wrong.
    pub fn parse(text: &str, schema: &Schema) -> Result<Self, (usize, String)> {
        if let Some(offset) = too_deep(text) {
            return Err((
                offset,
                format!("blocks nest deeper than {MAX_DEPTH} levels"),
            ));
        }
        let message =
            DynamicMessage::parse_text_format(schema.config.clone(), text).map_err(|e| {
                let offset = e
                    .labels()
                    .and_then(|mut labels| labels.next())
                    .map_or(text.len(), |label| label.offset());
                (offset, e.to_string())
            })?;
        Ok(Self {
            artifact_location: string(&message, "artifact_location"),
            redis_location: string(&message, "redis_location"),
            database_location: string(&message, "database_location"),
            distributions: messages(&message, "distribution")
                .map(|d| {
                    Ok(DistributionConfig {
                        name: suite(text, "distribution.name", string(d, "name"))?
                            .ok_or((text.len(), "distribution.name: missing".to_owned()))?,
                        archive_mirror_uri: string(d, "archive_mirror_uri"),
                    })
                })
                .collect::<Result<_, _>>()?,
            campaigns: messages(&message, "campaign")
                .map(|c| {
                    let build = debian_build(c);
                    let field = |name| build.and_then(|b| string(b, name));
                    Ok(CampaignConfig {
                        name: string(c, "name").unwrap_or_default(),
                        debian: build.is_some(),
                        build_distribution: suite(
                            text,
                            "campaign.debian_build.build_distribution",
                            field("build_distribution"),
                        )?,
                        build_suffix: field("build_suffix"),
                        base_distribution: suite(
                            text,
                            "campaign.debian_build.base_distribution",
                            field("base_distribution"),
                        )?,
                    })
                })
                .collect::<Result<_, _>>()?,
        })
    }
}

/// A suite field, when set and not empty: a suite name, else an error at
/// its place in `text`.
fn suite(text: &str, field: &str, value: Option<String>) -> Result<Option<Suite>, (usize, String)> {
    match value.filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(value) => Suite::parse(&value).map(Some).map_err(|e| {
            let offset = text.find(&format!("\"{value}\"")).unwrap_or(0);
            (offset, format!("{field}: {e}"))
        }),
    }
}

/// A campaign's `debian_build` block, when it has one.
fn debian_build(campaign: &DynamicMessage) -> Option<&DynamicMessage> {
    let field = campaign.descriptor().get_field_by_name("debian_build")?;
    if !campaign.has_field(&field) {
        return None;
    }
    match campaign.get_field(&field) {
        std::borrow::Cow::Borrowed(Value::Message(build)) => Some(build),
        _ => None,
    }
}

/// A string field, when set.
fn string(message: &DynamicMessage, name: &str) -> Option<String> {
    if !message.has_field_by_name(name) {
        return None;
    }
    match message.get_field_by_name(name)?.as_ref() {
        Value::String(s) => Some(s.clone()),
        _ => None,
    }
}

/// The messages of a repeated message field (none if the schema lacks it).
fn messages<'m>(
    message: &'m DynamicMessage,
    name: &str,
) -> impl Iterator<Item = &'m DynamicMessage> + 'm {
    let list = message
        .descriptor()
        .get_field_by_name(name)
        .and_then(|field| match message.get_field(&field) {
            std::borrow::Cow::Borrowed(Value::List(list)) => Some(list.as_slice()),
            _ => None,
        })
        .unwrap_or_default();
    list.iter().filter_map(Value::as_message)
}

/// The 1-based line and column (in characters) of a byte offset.
fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, column)
}

fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// A token of the text format, as far as naming fields needs.
#[derive(Debug, PartialEq)]
enum Token<'t> {
    Ident(&'t str),
    Open,
    Close,
    Other(char),
}

/// The tokens of `text` with their offsets; strings and comments are
/// skipped (an unterminated one ends the scan).
fn tokens(text: &str) -> Vec<(usize, Token<'_>)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'"' | b'\'' => {
                i += 1;
                while i < bytes.len() && bytes[i] != c && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'{' | b'<' => {
                out.push((i, Token::Open));
                i += 1;
            }
            b'}' | b'>' => {
                out.push((i, Token::Close));
                i += 1;
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let start = i;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                out.push((start, Token::Ident(&text[start..i])));
            }
            c if c.is_ascii_whitespace() => i += 1,
            _ => {
                out.push((i, Token::Other(char::from(c))));
                i += 1;
            }
        }
    }
    out
}

/// The offset at which blocks nest deeper than [`MAX_DEPTH`], if they do.
fn too_deep(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (offset, token) in tokens(text) {
        match token {
            Token::Open => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(offset);
                }
            }
            Token::Close => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// The field an error at `offset` is about, with the blocks around it:
/// the field named at `offset` itself (an unknown or repeated field),
/// else the last field named before it in the same block (a bad value).
fn field_at(text: &str, offset: usize) -> String {
    let tokens = tokens(text);
    let mut blocks: Vec<String> = Vec::new();
    let mut last: Option<&str> = None;
    let mut at: Option<&str> = None;
    for (index, (start, token)) in tokens.iter().enumerate() {
        if *start > offset {
            break;
        }
        let next = tokens.get(index + 1).map(|(_, t)| t);
        match token {
            Token::Ident(name) if matches!(next, Some(Token::Other(':')) | Some(Token::Open)) => {
                if *start == offset {
                    at = Some(name);
                }
                last = Some(name);
            }
            Token::Open => {
                blocks.push(last.take().unwrap_or("?").to_owned());
            }
            Token::Close => {
                last = None;
                blocks.pop();
            }
            _ => {}
        }
    }
    match at.or(last) {
        Some(field) => blocks.push(field.to_owned()),
        // At the start of a block: the block's own field.
        None if !blocks.is_empty() => {}
        None => return "(top level)".to_owned(),
    }
    blocks.join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<JanitorConfig, (usize, String)> {
        JanitorConfig::parse(text, &Schema::built_in())
    }

    fn error(text: &str) -> (usize, usize, String, String) {
        let (offset, message) = parse(text).unwrap_err();
        let (line, column) = line_and_column(text, offset);
        (line, column, field_at(text, offset), message)
    }

    #[test]
    fn reads_the_locations_and_distributions() {
        let config = parse(
            "# comment\nartifact_location: \"gs://a/\"\nredis_location: 'redis://r'\n\
             database_location: \"postgresql://j@db/j\"\n\
             distribution { name: \"unstable\" archive_mirror_uri: \"http://deb.debian.org/debian\" }\n\
             campaign { name: \"x\" debian_build { build_distribution: \"x\" } }\n",
        )
        .unwrap();
        assert_eq!(config.artifact_location.as_deref(), Some("gs://a/"));
        assert_eq!(config.redis_location.as_deref(), Some("redis://r"));
        assert_eq!(
            config.database_location.as_deref(),
            Some("postgresql://j@db/j")
        );
        assert_eq!(
            config.distributions,
            vec![DistributionConfig {
                name: "unstable".parse().unwrap(),
                archive_mirror_uri: Some("http://deb.debian.org/debian".into()),
            }]
        );
        assert_eq!(config.build_distribution("x").unwrap(), "x");
        let config = parse(
            "campaign { name: \"lintian-fixes\" debian_build { build_distribution: \"lf\" } }\n\
             campaign { name: \"plain\" }\n",
        )
        .unwrap();
        assert_eq!(config.build_distribution("lintian-fixes").unwrap(), "lf");
        assert_eq!(config.build_distribution("plain"), None);
        assert_eq!(config.build_distribution("unknown"), None);
    }

    #[test]
    fn campaign_rules_as_the_runner_applies_them() {
        let config = parse(
            "campaign { name: \"lintian-fixes\" debian_build { build_distribution: \"lintian-fixes\" \
               build_suffix: \"jan+lint\" base_distribution: \"unstable\" } }\n\
             campaign { name: \"unchanged\" debian_build { build_suffix: \"\" } }\n\
             campaign { name: \"generic\" generic_build { } }\n\
             campaign { name: \"bare\" }\n",
        )
        .unwrap();
        let campaigns = config.campaigns(ReviewRule::None);
        let lf = campaigns.get("lintian-fixes").unwrap();
        assert_eq!(lf.build_distribution, "lintian-fixes");
        assert_eq!(lf.build_suffix.as_deref(), Some("jan+lint"));
        assert_eq!(lf.epoch_suite(), "unstable");
        let unchanged = campaigns.get("unchanged").unwrap();
        assert_eq!(unchanged.build_distribution, "unchanged");
        assert_eq!(unchanged.build_suffix, None);
        assert_eq!(unchanged.epoch_suite(), "unchanged");
        assert!(campaigns.get("generic").is_none());
        assert!(campaigns.get("bare").is_none());
        assert!(campaigns.builds_for(&"lintian-fixes".parse().unwrap()));
        assert!(!campaigns.builds_for(&"unstable".parse().unwrap()));
    }

    #[test]
    fn unknown_fields_are_refused_with_their_place() {
        let (line, column, field, message) =
            error("artifact_location: \"/a\"\nredis_locaton: \"redis://prod\"\n");
        assert_eq!((line, column), (2, 1));
        assert_eq!(field, "redis_locaton");
        assert!(message.contains("not found"), "{message}");
        let (line, column, field, _) = error(
            "campaign {\n  name: \"x\"\n  debian_build {\n    build_distrbution: \"x\"\n  }\n}\n",
        );
        assert_eq!((line, column), (4, 5));
        assert_eq!(field, "campaign.debian_build.build_distrbution");
    }

    #[test]
    fn wrong_types_repeats_and_enum_values_are_refused() {
        let (line, _, field, _) = error("artifact_location: 5\n");
        assert_eq!((line, field.as_str()), (1, "artifact_location"));
        let (line, _, field, message) =
            error("artifact_location: \"a\"\nartifact_location: \"b\"\n");
        assert_eq!((line, field.as_str()), (2, "artifact_location"));
        assert!(message.contains("already set"), "{message}");
        let (_, _, field, message) = error("bugtracker {\n  kind: gitlabb\n}\n");
        assert_eq!(field, "bugtracker.kind");
        assert!(message.contains("gitlabb"), "{message}");
        let (_, _, field, _) = error("campaign { merge_proposal {} merge_proposal {} }");
        assert_eq!(field, "campaign.merge_proposal");
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = "campaign {".repeat(MAX_DEPTH + 1);
        let (_, message) = parse(&text).unwrap_err();
        assert!(message.contains("deeper"), "{message}");
    }

    #[test]
    fn columns_count_characters() {
        assert_eq!(line_and_column("é: x\nab", 7), (2, 2));
    }
}
