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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Buf(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().map_err(|_| std::io::ErrorKind::Other)?.extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn journald_lines_carry_priority_and_no_time() {
        let buf = Buf::default();
        let b2 = buf.clone();
        let sub = tracing_subscriber::fmt()
            .with_writer(move || b2.clone())
            .event_format(JournalFormat::default())
            .finish();
        tracing::subscriber::with_default(sub, || {
            tracing::error!("disk full");
            tracing::warn!(span = 3, "red alarm");
            tracing::info!("ready");
        });
        let out = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 3, "{out}");
        assert!(lines[0].starts_with("<3>") && lines[0].contains("disk full"), "{out}");
        assert!(lines[1].starts_with("<4>") && lines[1].contains("span=3"), "{out}");
        assert!(lines[2].starts_with("<6>"), "{out}");
        assert!(
            lines.iter().all(|l| !l[3..].starts_with(|c: char| c.is_ascii_digit()))
                && !out.contains('\u{1b}'),
            "no time, no colour: {out}"
        );
    }
}
