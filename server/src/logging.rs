//! Log lines on stderr: text for people, or one JSON object a line for a
//! log collector (`serve --log-format json`). Every request runs in a
//! `request` span carrying its `request_id` (the `x-request-id` header,
//! made when the client sent none and returned on the response), so every
//! line logged while serving it carries the id too.

use clap::ValueEnum;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::util::SubscriberInitExt;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// `2026-12-01T10:00:00Z  INFO request{request_id=… method=POST path=/v1/sync}: …`
    #[default]
    Text,
    /// `{"timestamp":…,"level":"INFO","message":…,"span":{"request_id":…},…}`
    Json,
}

/// What is logged unless `RUST_LOG` says otherwise. automerge logs an
/// ERROR for every incremental change whose dependencies are checked
/// separately (`Document::apply`): noise.
pub const DEFAULT_FILTER: &str = "info,tower_http=warn,automerge=off";

/// A subscriber writing `format` lines through `writer`.
pub fn subscriber<W>(format: LogFormat, filter: EnvFilter, writer: W) -> Box<dyn tracing::Subscriber + Send + Sync>
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let fmt = tracing_subscriber::fmt().with_env_filter(filter).with_writer(writer);
    match format {
        LogFormat::Text => Box::new(fmt.finish()),
        LogFormat::Json => {
            Box::new(fmt.json().flatten_event(true).with_current_span(true).with_span_list(false).finish())
        }
    }
}

/// Log to stderr in `format`, filtered by `RUST_LOG` (default
/// [`DEFAULT_FILTER`]), for the rest of the process.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| DEFAULT_FILTER.into());
    if let Err(e) = subscriber(format, filter, std::io::stderr).try_init() {
        eprintln!("warning: logging not set up: {e}");
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use std::sync::{Arc, Mutex};

    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;

    use super::*;
    use crate::config::Limits;
    use crate::state::AppState;
    use crate::storage::sqlite::SqliteStorage;

    /// Lines written, shared with the test.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'w> MakeWriter<'w> for Captured {
        type Writer = Self;
        fn make_writer(&'w self) -> Self {
            self.clone()
        }
    }

    /// The JSON lines logged while `app` answers a request to a path that
    /// does not exist (404: its response is logged at INFO by the trace
    /// layer), and the response's `x-request-id`.
    async fn one_request(sent_id: Option<&str>) -> (Vec<serde_json::Value>, String) {
        let captured = Captured::default();
        let sub = subscriber(LogFormat::Json, EnvFilter::new("info"), captured.clone());
        let state = AppState::new(Arc::new(SqliteStorage::in_memory().unwrap()), Limits::default()).unwrap();
        let mut req = Request::get("/tidak-ada").body(Body::empty()).unwrap();
        if let Some(id) = sent_id {
            req.headers_mut().insert("x-request-id", id.parse().unwrap());
        }
        let res = {
            let _guard = tracing::subscriber::set_default(sub);
            crate::http::router(state).oneshot(req).await.unwrap()
        };
        let id = res.headers()["x-request-id"].to_str().unwrap().to_string();
        let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        let lines = text.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect();
        (lines, id)
    }

    #[tokio::test]
    async fn json_lines_carry_the_request_id() {
        let (lines, id) = one_request(None).await;
        assert_eq!(id.len(), 36, "a UUID is made for a request without one: {id}");
        let line = lines.iter().find(|l| l["span"]["request_id"] == id.as_str()).unwrap_or_else(|| {
            panic!("no line with request_id {id}: {lines:?}");
        });
        assert_eq!(line["level"], "INFO");
        assert_eq!(line["span"]["name"], "request");
        assert_eq!(line["span"]["method"], "GET");
        assert_eq!(line["span"]["path"], "/tidak-ada");
        assert!(line["timestamp"].is_string() && line["message"].is_string(), "{line}");

        // A client's own id is kept, answered and logged.
        let (lines, id) = one_request(Some("tablet-42-sync-7")).await;
        assert_eq!(id, "tablet-42-sync-7");
        assert!(lines.iter().any(|l| l["span"]["request_id"] == "tablet-42-sync-7"), "{lines:?}");
    }

    #[test]
    fn text_is_the_default_and_json_is_chosen_by_flag_or_env() {
        use clap::Parser;
        let serve = |args: &[&str]| {
            let cli = crate::cli::Cli::try_parse_from([&["prestasi-server", "serve"], args].concat()).unwrap();
            match cli.command {
                crate::cli::Command::Serve { log_format, metrics_listen, .. } => (log_format, metrics_listen),
                other => panic!("{other:?}"),
            }
        };
        // (The environment variables are not set in the test process.)
        assert_eq!(serve(&[]), (LogFormat::Text, None));
        let (format, metrics) = serve(&["--log-format", "json", "--metrics-listen", "127.0.0.1:9464"]);
        assert_eq!((format, metrics), (LogFormat::Json, Some("127.0.0.1:9464".parse().unwrap())));
    }
}
