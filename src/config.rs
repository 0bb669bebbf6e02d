//! Reads the few fields auto-upload needs from a Janitor configuration file
//! (protobuf text format, like `janitor.conf`), skipping everything else.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::exit_codes::{ExitCode, HasExitCode};

/// The largest configuration file read, in bytes.
const MAX_CONFIG_BYTES: u64 = 1 << 20;
/// The deepest nesting of messages accepted.
const MAX_DEPTH: usize = 64;

/// The fields of a Janitor configuration that auto-upload uses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JanitorConfig {
    /// `artifact_location`: where runs' artifacts are stored.
    pub artifact_location: Option<String>,
    /// `redis_location`: the runner's Redis.
    pub redis_location: Option<String>,
    /// `database_location`: the Janitor's PostgreSQL database.
    pub database_location: Option<String>,
}

/// A configuration file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read configuration file {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid protobuf text format.
    #[error("configuration file {path}, line {line}: {message}")]
    Syntax {
        /// The file.
        path: PathBuf,
        /// 1-based line of the problem.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

impl HasExitCode for ConfigError {
    fn exit_code(&self) -> ExitCode {
        ExitCode::Usage
    }
}

impl JanitorConfig {
    /// Reads `path` (at most 1 MiB).
    ///
    /// # Errors
    /// [`ConfigError::Read`] when the file cannot be read or is larger than
    /// 1 MiB, and [`ConfigError::Syntax`] when it is not protobuf text
    /// format or nests messages deeper than 64 levels.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let read_error = |source| ConfigError::Read {
            path: path.to_owned(),
            source,
        };
        let mut text = String::new();
        std::fs::File::open(path)
            .and_then(|file| file.take(MAX_CONFIG_BYTES + 1).read_to_string(&mut text))
            .map_err(read_error)?;
        if text.len() as u64 > MAX_CONFIG_BYTES {
            return Err(read_error(std::io::Error::other("larger than 1 MiB")));
        }
        Self::parse(&text).map_err(|(line, message)| ConfigError::Syntax {
            path: path.to_owned(),
            line,
            message,
        })
    }

    /// Parses configuration text; on error, the line and what is wrong.
    fn parse(text: &str) -> Result<Self, (usize, String)> {
        let mut fields = top_level_strings(text)?;
        Ok(Self {
            artifact_location: fields.remove("artifact_location"),
            redis_location: fields.remove("redis_location"),
            database_location: fields.remove("database_location"),
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Ident(String),
    Str(String),
    Punct(char),
}

/// Splits protobuf text format into tokens with their line numbers.
fn tokenize(text: &str) -> Result<Vec<(usize, Token)>, (usize, String)> {
    let mut tokens = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line = 1;
    while let Some(&c) = chars.peek() {
        match c {
            '\n' => {
                line += 1;
                chars.next();
            }
            c if c.is_whitespace() => {
                chars.next();
            }
            '#' => {
                while chars.peek().is_some_and(|&c| c != '\n') {
                    chars.next();
                }
            }
            '"' | '\'' => {
                chars.next();
                let value = read_string(&mut chars, c).map_err(|m| (line, m))?;
                // Adjacent string literals concatenate.
                if let Some((_, Token::Str(prev))) = tokens.last_mut() {
                    prev.push_str(&value);
                } else {
                    tokens.push((line, Token::Str(value)));
                }
            }
            ':' | '{' | '}' | '<' | '>' | '[' | ']' | ',' | ';' | '/' => {
                chars.next();
                tokens.push((line, Token::Punct(c)));
            }
            c if c.is_alphanumeric() || "_-+.".contains(c) => {
                let mut word = String::new();
                while let Some(&c) = chars.peek() {
                    if c.is_alphanumeric() || "_-+.".contains(c) {
                        word.push(c);
                        chars.next();
                    } else {
                        break;
                    }
                }
                tokens.push((line, Token::Ident(word)));
            }
            other => return Err((line, format!("unexpected character {other:?}"))),
        }
    }
    Ok(tokens)
}

fn read_string(
    chars: &mut std::iter::Peekable<std::str::Chars<'_>>,
    quote: char,
) -> Result<String, String> {
    let mut bytes = Vec::new();
    loop {
        let c = chars.next().ok_or("unterminated string")?;
        match c {
            '\n' => return Err("newline in string".into()),
            c if c == quote => break,
            '\\' => {
                let e = chars.next().ok_or("unterminated string")?;
                match e {
                    'n' => bytes.push(b'\n'),
                    't' => bytes.push(b'\t'),
                    'r' => bytes.push(b'\r'),
                    'a' => bytes.push(7),
                    'b' => bytes.push(8),
                    'f' => bytes.push(12),
                    'v' => bytes.push(11),
                    'x' => {
                        let mut value = 0u8;
                        for _ in 0..2 {
                            match chars.peek().and_then(|c| c.to_digit(16)) {
                                Some(d) => {
                                    value = value.wrapping_mul(16).wrapping_add(d as u8);
                                    chars.next();
                                }
                                None => break,
                            }
                        }
                        bytes.push(value);
                    }
                    '0'..='7' => {
                        let mut value = e.to_digit(8).unwrap_or(0);
                        for _ in 0..2 {
                            match chars.peek().and_then(|c| c.to_digit(8)) {
                                Some(d) => {
                                    value = value * 8 + d;
                                    chars.next();
                                }
                                None => break,
                            }
                        }
                        bytes.push(value as u8);
                    }
                    other => {
                        let mut buf = [0; 4];
                        bytes.extend_from_slice(other.encode_utf8(&mut buf).as_bytes());
                    }
                }
            }
            other => {
                let mut buf = [0; 4];
                bytes.extend_from_slice(other.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    String::from_utf8(bytes).map_err(|_| "string is not UTF-8".into())
}

/// The string-valued fields at the top level of a text-format message;
/// nested messages and lists are parsed and skipped.
fn top_level_strings(text: &str) -> Result<HashMap<String, String>, (usize, String)> {
    let tokens = tokenize(text)?;
    let mut parser = Parser {
        tokens: &tokens,
        pos: 0,
        found: HashMap::new(),
    };
    parser.message(0, None)?;
    Ok(parser.found)
}

struct Parser<'a> {
    tokens: &'a [(usize, Token)],
    pos: usize,
    found: HashMap<String, String>,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos).map(|(_, t)| t)
    }

    fn line(&self) -> usize {
        self.tokens
            .get(self.pos)
            .or(self.tokens.last())
            .map_or(1, |(l, _)| *l)
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.pos).map(|(_, t)| t.clone());
        self.pos += 1;
        token
    }

    fn error<T>(&self, message: impl Into<String>) -> Result<T, (usize, String)> {
        Err((self.line(), message.into()))
    }

    /// Fields until `close` (or the end of input at the top level).
    fn message(&mut self, depth: usize, close: Option<char>) -> Result<(), (usize, String)> {
        if depth > MAX_DEPTH {
            return self.error(format!("messages nested deeper than {MAX_DEPTH} levels"));
        }
        loop {
            match (self.peek(), close) {
                (None, None) => return Ok(()),
                (None, Some(c)) => return self.error(format!("missing '{c}'")),
                (Some(Token::Punct(p)), Some(c)) if *p == c => {
                    self.pos += 1;
                    return Ok(());
                }
                (Some(Token::Punct(',' | ';')), _) => self.pos += 1,
                _ => self.field(depth)?,
            }
        }
    }

    fn field(&mut self, depth: usize) -> Result<(), (usize, String)> {
        let name = match self.next() {
            Some(Token::Ident(name)) => name,
            Some(Token::Punct('[')) => {
                // An extension or Any type name: [foo.bar]
                let mut name = String::new();
                loop {
                    match self.next() {
                        Some(Token::Punct(']')) => break name,
                        Some(Token::Ident(part)) => name.push_str(&part),
                        Some(Token::Punct('/')) => name.push('/'),
                        _ => return self.error("bad extension name"),
                    }
                }
            }
            other => return self.error(format!("expected a field name, found {other:?}")),
        };
        let colon = self.peek() == Some(&Token::Punct(':'));
        if colon {
            self.pos += 1;
        }
        match self.next() {
            Some(Token::Punct('{')) => self.message(depth + 1, Some('}')),
            Some(Token::Punct('<')) => self.message(depth + 1, Some('>')),
            Some(Token::Punct('[')) if colon => self.list(depth),
            Some(Token::Str(value)) if colon => {
                if depth == 0 {
                    self.found.insert(name, value);
                }
                Ok(())
            }
            Some(Token::Ident(_)) if colon => Ok(()),
            other => self.error(format!("bad value for field {name}: {other:?}")),
        }
    }

    fn list(&mut self, depth: usize) -> Result<(), (usize, String)> {
        loop {
            match self.next() {
                Some(Token::Punct(']')) => return Ok(()),
                Some(Token::Punct(',')) | Some(Token::Str(_)) | Some(Token::Ident(_)) => {}
                Some(Token::Punct('{')) => self.message(depth + 1, Some('}'))?,
                Some(Token::Punct('<')) => self.message(depth + 1, Some('>'))?,
                other => return self.error(format!("bad list element {other:?}")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const JANITOR_CONF: &str = r#"
# Janitor configuration
logs_location: "gs://debian-janitor-logs/"
artifact_location: "gs://debian-janitor-artifacts/"
redis_location: 'redis://redis.janitor:6379'
database_location: "postgresql://janitor@db/janitor"
committer: "Debian Janitor <janitor@jelmer.uk>"
origin: "janitor.debian.net"
distribution {
  name: "unstable"
  archive_mirror_uri: "http://deb.debian.org/debian"
  component: "main"
  chroot: "unstable-amd64-sbuild"
  lintian_profile: "debian"
  lintian_suppress_tag: "bad-distribution-in-changes-file"
  build_command: "sbuild -A -s -v"
  vendor: "debian"
  extra: "experimental"
}
campaign {
  name: "lintian-fixes"
  command: "lintian-brush"
  debian_build {
    archive_description: "Builds with lintian fixes"
    build_suffix: "jan+lint"
    build_distribution: "lintian-fixes"
    base_distribution: "unstable"
    artifact_location: "ignored: nested"
  }
  bugtracker < kind: debian url: "https://bugs.debian.org" >
  merge_proposal: [{ value_threshold: 10 }, { value_threshold: 20 }]
  force_build: false
  default_empty: true
}
apt_repository {
  name: "janitor"
  base: "https://janitor.debian.net/"
  select { campaign: "lintian-fixes" }
}
"#;

    #[test]
    fn reads_top_level_fields_and_skips_nested_blocks() {
        let config = JanitorConfig::parse(JANITOR_CONF).unwrap();
        assert_eq!(
            config,
            JanitorConfig {
                artifact_location: Some("gs://debian-janitor-artifacts/".into()),
                redis_location: Some("redis://redis.janitor:6379".into()),
                database_location: Some("postgresql://janitor@db/janitor".into()),
            }
        );
    }

    #[test]
    fn missing_fields_are_none() {
        let config = JanitorConfig::parse("committer: \"x\"\nlintian_fixes {}\n").unwrap();
        assert_eq!(config, JanitorConfig::default());
    }

    #[test]
    fn escapes_and_concatenation() {
        let config = JanitorConfig::parse(r#"artifact_location: "/srv/a\x62" "/c\"d" "#).unwrap();
        assert_eq!(config.artifact_location.as_deref(), Some("/srv/ab/c\"d"));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = format!("{}{}", "a {".repeat(200_000), "}".repeat(200_000));
        let err = JanitorConfig::parse(&deep).unwrap_err();
        assert!(err.1.contains("nested deeper"), "{err:?}");
        let deep_list = format!("a: {}{}", "[{ b: ".repeat(100), "}]".repeat(100));
        assert!(JanitorConfig::parse(&deep_list).is_err());
    }

    #[test]
    fn syntax_errors_name_the_line() {
        let err = JanitorConfig::parse("a: \"x\"\ndistribution {\n name: \"y\"\n").unwrap_err();
        assert!(err.1.contains("missing '}'"), "{err:?}");
        assert_eq!(err.0, 3);
        let err = JanitorConfig::parse("artifact_location: \"x\n").unwrap_err();
        assert_eq!(err.0, 1);
    }
}
