//! `GET /v1/openapi.yaml`: the OpenAPI 3.1 description of every route,
//! written by hand in `server/openapi.yaml` and compiled into the binary.
//! No authentication: it describes the API, it holds no data.
//!
//! The tests below read the route registrations of the server's sources and
//! the paths of the document, and fail when either has a path or method the
//! other lacks, so the document cannot silently drift from the code.

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

use crate::state::AppState;

/// The document, as served.
pub const OPENAPI_YAML: &str = include_str!("../../openapi.yaml");

/// Where the document is served.
pub const OPENAPI_PATH: &str = "/v1/openapi.yaml";

pub fn router() -> Router<AppState> {
    Router::new().route(OPENAPI_PATH, get(openapi))
}

async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/yaml")], OPENAPI_YAML)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

    use std::collections::{BTreeMap, BTreeSet};
    use std::sync::Arc;

    use axum::body::Body;
    use axum::http::{Request, StatusCode, header};
    use tower::ServiceExt;

    use super::{OPENAPI_PATH, OPENAPI_YAML};
    use crate::config::Limits;
    use crate::state::AppState;
    use crate::storage::sqlite::SqliteStorage;

    /// Every file that registers routes, by its path under `server/src/`.
    /// `every_route_file_is_listed` fails when a file under `http/` or
    /// `reports/` is missing here.
    const SOURCES: &[(&str, &str)] = &[
        ("health.rs", include_str!("../health.rs")),
        ("http/admin.rs", include_str!("admin.rs")),
        ("http/bundles.rs", include_str!("bundles.rs")),
        ("http/enroll.rs", include_str!("enroll.rs")),
        ("http/hr.rs", include_str!("hr.rs")),
        ("http/login.rs", include_str!("login.rs")),
        ("http/login_tests.rs", include_str!("login_tests.rs")),
        ("http/mod.rs", include_str!("mod.rs")),
        ("http/openapi.rs", include_str!("openapi.rs")),
        ("http/people.rs", include_str!("people.rs")),
        ("http/services.rs", include_str!("services.rs")),
        ("http/sync.rs", include_str!("sync.rs")),
        ("http/uploads.rs", include_str!("uploads.rs")),
        ("reports/actions.rs", include_str!("../reports/actions.rs")),
        ("reports/calibration.rs", include_str!("../reports/calibration.rs")),
        ("reports/completion.rs", include_str!("../reports/completion.rs")),
        ("reports/development.rs", include_str!("../reports/development.rs")),
        ("reports/evidence.rs", include_str!("../reports/evidence.rs")),
        ("reports/exports.rs", include_str!("../reports/exports.rs")),
        ("reports/inputs.rs", include_str!("../reports/inputs.rs")),
        ("reports/mod.rs", include_str!("../reports/mod.rs")),
        ("reports/programmes.rs", include_str!("../reports/programmes.rs")),
        ("reports/rewards.rs", include_str!("../reports/rewards.rs")),
        ("reports/skm.rs", include_str!("../reports/skm.rs")),
        ("reports/table.rs", include_str!("../reports/table.rs")),
        ("reports/talent.rs", include_str!("../reports/talent.rs")),
    ];

    /// Route paths registered through a constant rather than a literal.
    fn constant(name: &str) -> Option<&'static str> {
        use prestasi_core::sync::protocol::{ENROLL_PATH, SYNC_PATH, WIPED_PATH};
        match name {
            "SYNC_PATH" => Some(SYNC_PATH),
            "ENROLL_PATH" => Some(ENROLL_PATH),
            "WIPED_PATH" => Some(WIPED_PATH),
            "OPENAPI_PATH" => Some(OPENAPI_PATH),
            _ => None,
        }
    }

    const METHODS: [&str; 5] = ["get", "post", "put", "delete", "patch"];

    /// A route registration, spelt in two pieces so this file's own text
    /// holds no false one.
    const ROUTE_CALL: &str = concat!(".", "route(");

    type Routes = BTreeMap<String, BTreeSet<String>>;

    /// The text of a call from just after its opening parenthesis to its
    /// closing one (string literals may hold parentheses).
    fn call_args(text: &str) -> &str {
        let (mut depth, mut in_str, mut escaped) = (0usize, false, false);
        for (i, c) in text.char_indices() {
            match (in_str, c) {
                (true, _) if escaped => escaped = false,
                (true, '\\') => escaped = true,
                (true, '"') => in_str = false,
                (true, _) => {}
                (false, '"') => in_str = true,
                (false, '(') => depth += 1,
                (false, ')') if depth == 0 => return &text[..i],
                (false, ')') => depth -= 1,
                (false, _) => {}
            }
        }
        panic!("unclosed route call: {}", &text[..text.len().min(120)])
    }

    /// Every `method(` handler call in a route call's arguments; a
    /// method name only counts as a whole word (`target(` is not `get(`).
    fn methods_in(args: &str) -> BTreeSet<String> {
        let mut found = BTreeSet::new();
        for m in METHODS {
            let needle = format!("{m}(");
            for (i, _) in args.match_indices(&needle) {
                let before = args[..i].chars().next_back();
                if !before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    found.insert(m.to_string());
                }
            }
        }
        found
    }

    /// Path → methods of every route registration in the sources.
    fn source_routes() -> Routes {
        let mut routes = Routes::new();
        for (file, text) in SOURCES {
            for (at, needle) in text.match_indices(ROUTE_CALL) {
                let args = call_args(&text[at + needle.len()..]);
                let (first, rest) =
                    args.split_once(',').unwrap_or_else(|| panic!("{file}: route call without a handler: {args}"));
                let first = first.trim();
                let path = match first.strip_prefix('"').and_then(|p| p.strip_suffix('"')) {
                    Some(literal) => literal.to_string(),
                    None => constant(first)
                        .unwrap_or_else(|| {
                            panic!("{file}: route path {first} is neither a literal nor a known constant")
                        })
                        .to_string(),
                };
                let methods = methods_in(rest);
                assert!(!methods.is_empty(), "{file}: no method handler in the route call ({args})");
                routes.entry(path).or_default().extend(methods);
            }
        }
        routes
    }

    /// Path → methods under `paths:` of the document: paths are the lines
    /// indented by two spaces that start with `/`, methods the lines
    /// indented by four spaces naming an HTTP method.
    fn yaml_routes(yaml: &str) -> Routes {
        let mut routes = Routes::new();
        let mut in_paths = false;
        let mut current: Option<String> = None;
        for line in yaml.lines() {
            if !line.starts_with(' ') && !line.trim().is_empty() && !line.starts_with('#') {
                in_paths = line.trim_end() == "paths:";
                current = None;
                continue;
            }
            if !in_paths {
                continue;
            }
            if let Some(path) = line.strip_prefix("  /") {
                let path = path.trim_end().strip_suffix(':').unwrap_or_else(|| panic!("path line {line:?}"));
                let path = format!("/{path}");
                assert!(!routes.contains_key(&path), "{path} listed twice in openapi.yaml");
                routes.insert(path.clone(), BTreeSet::new());
                current = Some(path);
            } else if let Some(rest) = line.strip_prefix("    ") {
                let Some(method) = METHODS.iter().find(|m| rest.trim_end() == format!("{m}:")) else { continue };
                let path = current.as_ref().unwrap_or_else(|| panic!("method {method} outside a path"));
                let fresh = routes.entry(path.clone()).or_default().insert(method.to_string());
                assert!(fresh, "{path} {method} listed twice in openapi.yaml");
            }
        }
        routes
    }

    #[test]
    fn every_route_file_is_listed() {
        let src = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
        for dir in ["http", "reports"] {
            for entry in std::fs::read_dir(format!("{src}/{dir}")).unwrap() {
                let name = entry.unwrap().file_name().into_string().unwrap();
                if name.ends_with(".rs") {
                    let file = format!("{dir}/{name}");
                    assert!(SOURCES.iter().any(|(f, _)| *f == file), "add {file} to SOURCES in http/openapi.rs");
                }
            }
        }
    }

    #[test]
    fn the_parsers_read_what_they_should() {
        let src = concat!("Router::new()", ".rou", "te(\"/a/{id}\", get(target).post(post_it))");
        let at = src.find(ROUTE_CALL).unwrap();
        let args = call_args(&src[at + ROUTE_CALL.len()..]);
        assert_eq!(args, "\"/a/{id}\", get(target).post(post_it)");
        assert_eq!(methods_in(args), BTreeSet::from(["get".to_string(), "post".to_string()]));
        let yaml = "openapi: 3.1.0\npaths:\n  /a/{id}:\n    parameters: []\n    get:\n      summary: x\n    post:\n      \
                    summary: y\n  /b:\n    put:\n      summary: z\ncomponents:\n  /not-a-path:\n    get:\n";
        let parsed = yaml_routes(yaml);
        assert_eq!(parsed.len(), 2);
        assert_eq!(parsed["/a/{id}"], BTreeSet::from(["get".to_string(), "post".to_string()]));
        assert_eq!(parsed["/b"], BTreeSet::from(["put".to_string()]));
    }

    #[test]
    fn every_route_in_the_code_is_documented_with_its_methods() {
        let (code, doc) = (source_routes(), yaml_routes(OPENAPI_YAML));
        assert!(code.len() > 30, "found only {} routes in the sources: is the parser broken?", code.len());
        for (path, methods) in &code {
            let documented = doc.get(path).unwrap_or_else(|| panic!("{path} is not under paths: in openapi.yaml"));
            for m in methods {
                assert!(documented.contains(m), "{} {path} is not documented in openapi.yaml", m.to_uppercase());
            }
        }
    }

    #[test]
    fn every_documented_route_exists_in_the_code() {
        let (code, doc) = (source_routes(), yaml_routes(OPENAPI_YAML));
        for (path, methods) in &doc {
            let served =
                code.get(path).unwrap_or_else(|| panic!("openapi.yaml documents {path}, which no router serves"));
            assert!(!methods.is_empty(), "openapi.yaml lists {path} without any method");
            for m in methods {
                assert!(served.contains(m), "openapi.yaml documents {} {path}, which is not routed", m.to_uppercase());
            }
        }
    }

    #[tokio::test]
    async fn the_document_is_served_without_authentication() {
        let storage = Arc::new(SqliteStorage::in_memory().unwrap());
        let app = crate::http::router(AppState::new(storage, Limits::default()).unwrap());
        let res = app.oneshot(Request::get(OPENAPI_PATH).body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()[header::CONTENT_TYPE], "application/yaml");
        let body = axum::body::to_bytes(res.into_body(), 4 << 20).await.unwrap();
        assert_eq!(body, OPENAPI_YAML.as_bytes());
        assert!(OPENAPI_YAML.starts_with("openapi: 3.1"));
    }
}
