//! Request routing: maps a parsed request to a response using the engine's [`EngineView`].
//! Pure apart from the view, so every endpoint can be tested without sockets.

use serde::Serialize;

use super::http::{percent_decode, Request, Response};
use super::metrics;
use crate::runtime::{ApiCommand, CdrQuery, EngineView};

/// What the connection handler should do with a request.
pub enum Routed {
    /// Send this response.
    Reply(Response),
    /// Switch the connection to the server-sent events stream.
    Events,
    /// The event stream, only the events the filter passes (`/v1/spans/{n}/trace`, ...).
    Filtered(super::diag::EventFilter),
}

fn ok_json<T: Serialize>(v: &T) -> Response {
    match serde_json::to_value(v) {
        Ok(v) => Response::json(200, &v),
        Err(e) => Response::error(500, format!("serialising the answer failed: {e}")),
    }
}

/// Routes one request (authentication already checked).
pub fn route(view: &dyn EngineView, req: &Request) -> Routed {
    if let Some(r) = super::diag::route(view, req) {
        return r;
    }
    let get = req.method == "GET" || req.method == "HEAD";
    let resp = match req.path.as_str() {
        "/v1/status" if get => ok_json(&view.status()),
        "/v1/spans" if get => ok_json(&view.spans()),
        "/v1/channels" if get => ok_json(&view.channels()),
        "/v1/calls" if get => ok_json(&view.calls()),
        "/v1/agents" if get => ok_json(&view.agents()),
        "/v1/campaigns" if get => ok_json(&view.campaigns()),
        "/v1/cdrs" if get => match parse_cdr_query(req.query.as_deref()) {
            Ok(q) => match view.cdrs(&q) {
                Ok(rows) => ok_json(&rows),
                Err(e) => Response::error(500, format!("reading CDRs failed: {e}")),
            },
            Err(e) => Response::error(400, e),
        },
        "/v1/events" if get => return Routed::Events,
        "/metrics" if get => Response::text(200, "text/plain; version=0.0.4", metrics::render(view)),
        "/v1/commands" if req.method == "POST" => command(view, &req.body),
        "/v1/status" | "/v1/spans" | "/v1/channels" | "/v1/calls" | "/v1/agents" | "/v1/campaigns"
        | "/v1/cdrs" | "/v1/events" | "/metrics" => {
            let mut r = Response::error(405, format!("{} only accepts GET", req.path));
            r.headers.push(("Allow", "GET".into()));
            r
        }
        "/v1/commands" => {
            let mut r = Response::error(405, "/v1/commands only accepts POST");
            r.headers.push(("Allow", "POST".into()));
            r
        }
        other => Response::error(404, format!("no such endpoint: {other}")),
    };
    Routed::Reply(resp)
}

fn command(view: &dyn EngineView, body: &[u8]) -> Response {
    let cmd: ApiCommand = match serde_json::from_slice(body) {
        Ok(c) => c,
        Err(e) => {
            return Response::error(
                400,
                format!(
                    "bad command: {e} (expected JSON like {{\"action\": \"campaign_run\", \"campaign\": 1, \"run\": true}}; actions: campaign_run, agent_ready, hangup)"
                ),
            )
        }
    };
    match view.command(cmd) {
        Ok(v) => Response::json(200, &v),
        Err(e) => Response::error(422, e),
    }
}

/// Parses and validates the `/v1/cdrs` query string; errors name the parameter.
pub fn parse_cdr_query(query: Option<&str>) -> Result<CdrQuery, String> {
    let mut q = CdrQuery::default();
    let Some(query) = query else { return Ok(q) };
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let k = percent_decode(k)?;
        let v = percent_decode(v).map_err(|e| format!("parameter {k}: {e}"))?;
        match k.as_str() {
            "since_ms" => {
                q.since_ms = Some(v.parse().map_err(|_| {
                    format!("parameter since_ms: {v:?} is not a whole number of milliseconds")
                })?)
            }
            "campaign" => {
                q.campaign =
                    Some(v.parse().map_err(|_| format!("parameter campaign: {v:?} is not a campaign id"))?)
            }
            "outcome" => {
                if v.is_empty()
                    || !v.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                {
                    return Err(format!(
                        "parameter outcome: {v:?} is not an outcome name (snake_case, e.g. live)"
                    ));
                }
                q.outcome = Some(v)
            }
            "limit" => {
                let n: usize = v.parse().map_err(|_| format!("parameter limit: {v:?} is not a number"))?;
                if n == 0 || n > 10_000 {
                    return Err(format!("parameter limit: {n} is out of range 1..=10000"));
                }
                q.limit = Some(n)
            }
            other => {
                return Err(format!(
                    "unknown parameter {other:?} (expected since_ms, campaign, outcome, limit)"
                ))
            }
        }
    }
    Ok(q)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cdr_query() {
        assert_eq!(parse_cdr_query(None).unwrap(), CdrQuery::default());
        let q = parse_cdr_query(Some("since_ms=5&campaign=2&outcome=live&limit=10")).unwrap();
        assert_eq!(q.since_ms, Some(5));
        assert_eq!(q.campaign, Some(2));
        assert_eq!(q.outcome.as_deref(), Some("live"));
        assert_eq!(q.limit, Some(10));
        assert!(parse_cdr_query(Some("limit=0")).unwrap_err().contains("limit"));
        assert!(parse_cdr_query(Some("limit=x")).unwrap_err().contains("limit"));
        assert!(parse_cdr_query(Some("since_ms=-1")).unwrap_err().contains("since_ms"));
        assert!(parse_cdr_query(Some("outcome=Live%21")).unwrap_err().contains("outcome"));
        assert!(parse_cdr_query(Some("foo=1")).unwrap_err().contains("foo"));
    }
}
