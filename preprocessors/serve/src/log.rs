//! mdBook's log, in process. mdBook reports through `tracing`, and without a
//! subscriber its warnings and errors would vanish; this one prints them to
//! stderr and counts the errors, because mdBook goes on after some of them
//! (a missing include, a bad `[output.html]` key) and a strict build must
//! not.
//!
//! `MDBOOK_LOG` (`error`, `warn`, `info`, `debug` or `trace`; mdBook's own
//! variable) sets how much is shown; the default is `warn`. At `debug` and
//! finer each line carries the milliseconds since the log was installed,
//! which shows where a build's time goes.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Instant;
use tracing_core::field::{Field, Visit};
use tracing_core::span::{Attributes, Id, Record};
use tracing_core::{Event, Level, LevelFilter, Metadata, Subscriber};

/// The installed log: how much it shows, and how many errors it has seen.
#[derive(Debug)]
pub struct Log {
    level: Level,
    errors: AtomicUsize,
    start: Instant,
}

static LOG: OnceLock<Arc<Log>> = OnceLock::new();

impl Log {
    /// Install the log for the whole process (once; later calls return the
    /// first one), at the level `MDBOOK_LOG` names.
    pub fn install() -> &'static Log {
        LOG.get_or_init(|| {
            let level = std::env::var("MDBOOK_LOG")
                .ok()
                .and_then(|v| parse_level(&v))
                .unwrap_or(Level::WARN);
            let log = Arc::new(Log::at(level));
            // Fails only when another subscriber was installed first; then
            // that one reports, and this one counts nothing.
            let _ = tracing_core::dispatcher::set_global_default(tracing_core::Dispatch::new(
                log.clone(),
            ));
            log
        })
    }

    fn at(level: Level) -> Log {
        Log {
            level,
            errors: AtomicUsize::new(0),
            start: Instant::now(),
        }
    }

    /// How many errors mdBook has logged so far.
    pub fn errors(&self) -> usize {
        self.errors.load(Ordering::Relaxed)
    }
}

/// A level name as `MDBOOK_LOG` spells it (the part before any `,` or `=`).
fn parse_level(value: &str) -> Option<Level> {
    let first = value.split([',', '=']).next()?.trim();
    match first.to_ascii_lowercase().as_str() {
        "error" => Some(Level::ERROR),
        "warn" | "warning" => Some(Level::WARN),
        "info" => Some(Level::INFO),
        "debug" => Some(Level::DEBUG),
        "trace" => Some(Level::TRACE),
        _ => None,
    }
}

/// One event as a line: `error: message (target)`, with the other fields.
fn line(event: &Event<'_>, elapsed_ms: Option<u128>) -> String {
    struct Fields(String, String);
    impl Visit for Fields {
        fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
            if field.name() == "message" {
                let _ = write!(self.0, "{value:?}");
            } else {
                let _ = write!(self.1, " {}={value:?}", field.name());
            }
        }
        fn record_str(&mut self, field: &Field, value: &str) {
            if field.name() == "message" {
                self.0.push_str(value);
            } else {
                let _ = write!(self.1, " {}={value:?}", field.name());
            }
        }
    }
    let meta = event.metadata();
    let mut fields = Fields(String::new(), String::new());
    event.record(&mut fields);
    let level = match *meta.level() {
        Level::ERROR => "error",
        Level::WARN => "warning",
        Level::INFO => "info",
        Level::DEBUG => "debug",
        _ => "trace",
    };
    let time = elapsed_ms
        .map(|ms| format!("{ms:>6} ms "))
        .unwrap_or_default();
    format!(
        "{time}{level}: {}{} ({})",
        fields.0,
        fields.1,
        meta.target()
    )
}

impl Subscriber for Log {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        *metadata.level() <= self.level
    }

    fn max_level_hint(&self) -> Option<LevelFilter> {
        Some(LevelFilter::from_level(self.level))
    }

    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        if *event.metadata().level() == Level::ERROR {
            self.errors.fetch_add(1, Ordering::Relaxed);
        }
        let timed = (self.level >= Level::DEBUG).then(|| self.start.elapsed().as_millis());
        eprintln!("{}", line(event, timed));
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_read_as_mdbook_log_spells_them() {
        assert_eq!(parse_level("debug"), Some(Level::DEBUG));
        assert_eq!(parse_level("WARN"), Some(Level::WARN));
        assert_eq!(parse_level("info,handlebars=warn"), Some(Level::INFO));
        assert_eq!(parse_level("loud"), None);
    }

    #[test]
    fn errors_are_counted_and_shown_with_their_fields() {
        let log = Arc::new(Log::at(Level::WARN));
        let dispatch = tracing_core::Dispatch::new(log.clone());
        tracing_core::dispatcher::with_default(&dispatch, || {
            // `tracing_core` has no event macros; `log` does not count, so
            // the check goes through the same path mdBook's macros take.
            struct Probe;
            static CALLSITE: Probe = Probe;
            static META: Metadata<'static> = tracing_core::metadata!(
                name: "probe",
                target: "mdbook_driver",
                level: Level::ERROR,
                fields: &["message", "path"],
                callsite: &CALLSITE,
                kind: tracing_core::metadata::Kind::EVENT
            );
            impl tracing_core::Callsite for Probe {
                fn set_interest(&self, _: tracing_core::Interest) {}
                fn metadata(&self) -> &Metadata<'_> {
                    &META
                }
            }
            let fields = META.fields();
            let message = fields.field("message").unwrap();
            let path = fields.field("path").unwrap();
            let values = [
                (
                    &message,
                    Some(&format_args!("include failed") as &dyn tracing_core::field::Value),
                ),
                (&path, Some(&"src/a.md" as &dyn tracing_core::field::Value)),
            ];
            let set = fields.value_set(&values);
            let event = Event::new(&META, &set);
            assert_eq!(
                line(&event, None),
                "error: include failed path=\"src/a.md\" (mdbook_driver)"
            );
            Event::dispatch(&META, &set);
        });
        assert_eq!(log.errors(), 1);
    }
}
