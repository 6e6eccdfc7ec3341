//! Logging for `trunkd` through `tracing`: under journald (`$JOURNAL_STREAM` set) each line is
//! prefixed with its syslog priority (`<3>` error ... `<7>` debug) and carries no timestamp
//! (the journal adds its own); otherwise a human format on stderr. `RUST_LOG` wins over the
//! configured level.

use std::fmt;

use tracing::{Event, Level, Subscriber};
use tracing_subscriber::fmt::format::{Format, Writer};
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::EnvFilter;

/// The syslog priority for a tracing level.
pub fn syslog_priority(level: &Level) -> u8 {
    match *level {
        Level::ERROR => 3,
        Level::WARN => 4,
        Level::INFO => 6,
        _ => 7,
    }
}

/// Event format for journald: `<N>` then the event without time or colours.
pub struct JournalFormat {
    inner: Format<tracing_subscriber::fmt::format::Compact, ()>,
}

impl Default for JournalFormat {
    fn default() -> Self {
        JournalFormat {
            inner: tracing_subscriber::fmt::format()
                .compact()
                .without_time()
                .with_ansi(false)
                .with_level(false),
        }
    }
}

impl<S, N> FormatEvent<S, N> for JournalFormat
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        write!(writer, "<{}>", syslog_priority(event.metadata().level()))?;
        self.inner.format_event(ctx, writer, event)
    }
}

/// Installs the global subscriber; `level` is the configured default (`info` if none).
/// Does nothing if a subscriber is already set (tests).
pub fn init(level: Option<&str>, journald: bool) {
    let filter = match std::env::var("RUST_LOG") {
        Ok(v) if !v.is_empty() => EnvFilter::try_new(&v),
        _ => EnvFilter::try_new(level.unwrap_or("info")),
    }
    .unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ =
        if journald { builder.event_format(JournalFormat::default()).try_init() } else { builder.try_init() };
}
