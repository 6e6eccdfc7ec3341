//! `trunkd.toml`: the daemon's own sections ([daemon], [api]), the board ([board]) and the
//! engine's sections, which are kept as raw TOML here and parsed by the engine from the whole
//! file text (see [`crate::runtime::EngineRuntime::reload`]).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::boardcfg::BoardSection;

/// The whole configuration file.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `[daemon]`.
    #[serde(default)]
    pub daemon: DaemonSection,
    /// `[api]`.
    #[serde(default)]
    pub api: ApiSection,
    /// `[board]`: the simulated board; absent means the engine's default.
    pub board: Option<BoardSection>,
    /// `[demo]` (engine section).
    pub demo: Option<toml::Value>,
    /// `[[campaign]]` (engine section).
    pub campaign: Option<toml::Value>,
    /// `[[agent]]` (engine section).
    pub agent: Option<toml::Value>,
    /// `[[queue]]` (engine section).
    pub queue: Option<toml::Value>,
    /// `[ivr]` (engine section).
    pub ivr: Option<toml::Value>,
    /// `[storage]` (engine section).
    pub storage: Option<toml::Value>,
    /// `[recording]` (engine section).
    pub recording: Option<toml::Value>,
    /// The file text, handed to the engine whole.
    #[serde(skip)]
    pub raw: String,
    /// Where it was read from (`None` for the built-in demo).
    #[serde(skip)]
    pub path: Option<PathBuf>,
}

/// `[daemon]`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DaemonSection {
    /// Where the engine keeps its database, recordings and (by default) the API socket.
    pub data_dir: Option<PathBuf>,
    /// Log filter (`info`, `debug`, `trunkline_engine=debug,info`, ...); `RUST_LOG` wins.
    pub log: Option<String>,
    /// Seconds to wait for calls to drain on SIGTERM before giving up (default 30).
    pub drain_timeout_s: Option<u64>,
}

/// `[api]`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiSection {
    /// Unix socket path; default `$RUNTIME_DIRECTORY/trunkd.sock` or `<data_dir>/trunkd.sock`.
    pub socket: Option<PathBuf>,
    /// TCP listen address (`127.0.0.1:8640`); needs `token`.
    pub tcp: Option<SocketAddr>,
    /// Bearer token for TCP clients.
    pub token: Option<String>,
    /// Most API connections at once (default 256).
    pub max_connections: Option<usize>,
}

/// A configuration error, located in the file.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// Bad TOML or a bad value.
    #[error("{path}:{line}:{column}: {message}")]
    Parse {
        /// The file.
        path: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// Parsed, but inconsistent.
    #[error("{path}: {message}")]
    Invalid {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
}

/// 1-based line and column of byte offset `at` in `text`.
fn line_col(text: &str, at: usize) -> (usize, usize) {
    let at = at.min(text.len());
    let before = text.get(..at).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

impl Config {
    /// The configuration of the built-in demo (no file): the engine sees `[demo]`.
    pub fn demo() -> Config {
        Config {
            demo: Some(toml::Value::Table(Default::default())),
            raw: "[demo]\n".into(),
            ..Config::default()
        }
    }

    /// Parses `text`; `name` is used in error messages.
    pub fn parse(text: &str, name: &str) -> Result<Config, ConfigError> {
        let mut cfg: Config = toml::from_str(text).map_err(|e| {
            let (line, column) = e.span().map_or((1, 1), |s| line_col(text, s.start));
            ConfigError::Parse { path: name.into(), line, column, message: e.message().trim().to_string() }
        })?;
        cfg.raw = text.to_string();
        cfg.validate(name)?;
        Ok(cfg)
    }

    /// Reads and parses a file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|source| ConfigError::Read { path: name.clone(), source })?;
        let mut cfg = Config::parse(&text, &name)?;
        cfg.path = Some(path.to_path_buf());
        Ok(cfg)
    }

    fn validate(&self, name: &str) -> Result<(), ConfigError> {
        let invalid = |message: String| ConfigError::Invalid { path: name.into(), message };
        if self.api.tcp.is_some() && self.api.token.as_deref().is_none_or(str::is_empty) {
            return Err(invalid(
                "[api] tcp is set but token is not: TCP clients must send `Authorization: Bearer <token>`"
                    .into(),
            ));
        }
        if let Some(t) = &self.api.token {
            if t.len() < 16 || t.chars().any(|c| c.is_whitespace() || c.is_control()) {
                return Err(invalid("[api] token must be at least 16 characters without spaces".into()));
            }
        }
        if self.api.max_connections == Some(0) {
            return Err(invalid("[api] max_connections must be at least 1".into()));
        }
        if let Some(b) = &self.board {
            b.to_sim().map_err(|e| invalid(format!("[board]: {e}")))?;
        }
        if let Some(level) = &self.daemon.log {
            tracing_subscriber::EnvFilter::try_new(level)
                .map_err(|e| invalid(format!("[daemon] log = {level:?}: {e}")))?;
        }
        Ok(())
    }

    /// The API socket path: `[api] socket`, else `$RUNTIME_DIRECTORY/trunkd.sock` (systemd),
    /// else `<data_dir>/trunkd.sock`.
    pub fn socket_path(&self, data_dir: &Path, runtime_directory: Option<&str>) -> PathBuf {
        if let Some(s) = &self.api.socket {
            return s.clone();
        }
        if let Some(rd) = runtime_directory.and_then(|r| r.split(':').next()) {
            if !rd.is_empty() {
                return Path::new(rd).join("trunkd.sock");
            }
        }
        data_dir.join("trunkd.sock")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_error_names_line_and_column() {
        let text = "[daemon]\nlog = \"info\"\n\n[api]\nsocket = 12\n";
        let e = Config::parse(text, "t.toml").unwrap_err().to_string();
        assert!(e.starts_with("t.toml:5:"), "{e}");
        let e = Config::parse("[daemon]\nfoo = 1\n", "t.toml").unwrap_err().to_string();
        assert!(e.starts_with("t.toml:2:1"), "{e}");
        assert!(e.contains("foo"), "{e}");
        let e = Config::parse("[nonsense]\n", "t.toml").unwrap_err().to_string();
        assert!(e.starts_with("t.toml:1:"), "{e}");
        let e = Config::parse("a = [\n", "t.toml").unwrap_err().to_string();
        assert!(e.starts_with("t.toml:"), "{e}");
    }

    #[test]
    fn engine_sections_pass_through() {
        let text = "[demo]\nagents = 5\n[[campaign]]\nname = \"x\"\n[[campaign]]\nname = \"y\"\n[storage]\npath = \"a\"\n";
        let c = Config::parse(text, "t").unwrap();
        assert!(c.demo.is_some());
        assert_eq!(c.campaign.unwrap().as_array().map(Vec::len), Some(2));
        assert_eq!(c.raw, text);
    }

    #[test]
    fn tcp_needs_token() {
        let e = Config::parse("[api]\ntcp = \"127.0.0.1:8640\"\n", "t").unwrap_err().to_string();
        assert!(e.contains("token"), "{e}");
        Config::parse("[api]\ntcp = \"127.0.0.1:8640\"\ntoken = \"0123456789abcdef0\"\n", "t").unwrap();
    }

    #[test]
    fn socket_path_precedence() {
        let c = Config::default();
        let d = Path::new("/d");
        assert_eq!(c.socket_path(d, None), Path::new("/d/trunkd.sock"));
        assert_eq!(c.socket_path(d, Some("/run/trunkline:/run/x")), Path::new("/run/trunkline/trunkd.sock"));
        let c = Config::parse("[api]\nsocket = \"/s.sock\"\n", "t").unwrap();
        assert_eq!(c.socket_path(d, Some("/run/t")), Path::new("/s.sock"));
    }
}
