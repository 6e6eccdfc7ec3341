//! `/etc/dahdi/span-types.conf` (dahdi-tools `dahdi_span_types`): E1/T1/J1 per device span,
//! applied before span assignment. Same comment rules as assigned-spans.conf; each line is
//! `<id> <local_spanno_glob>:<E1|T1|J1>`; all matching lines apply in order (the last wins).

use super::glob::glob_match;

/// Line type a span can be switched to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineType {
    /// E1 (2.048 Mbit/s).
    E1,
    /// T1 (1.544 Mbit/s).
    T1,
    /// J1 (Japanese T1).
    J1,
}

/// One line of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpanTypeRule {
    /// 1-based line number.
    pub line: usize,
    /// Device id glob.
    pub id: String,
    /// Glob over the local span number.
    pub local_spans: String,
    /// Type to set.
    pub line_type: LineType,
}

/// A bad line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("span-types.conf line {line}: {reason}")]
pub struct SpanTypesError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub reason: String,
}

/// Parses the file.
pub fn parse(text: &str) -> Result<Vec<SpanTypeRule>, SpanTypesError> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let body = raw.split('#').next().unwrap_or("");
        if body.chars().all(|c| c == ' ' || c == '\t') {
            continue;
        }
        let words: Vec<&str> = body.split_whitespace().collect();
        let err = |reason: String| SpanTypesError { line, reason };
        let [id, spec, rest @ ..] = words.as_slice() else {
            return Err(err("expected '<id> <local_spanno>:<E1|T1|J1>'".into()));
        };
        if !rest.is_empty() {
            return Err(err(format!("unexpected '{}' after the span spec", rest.join(" "))));
        }
        let Some((local, ty)) = spec.rsplit_once(':') else {
            return Err(err(format!("'{spec}' should be <local_spanno>:<E1|T1|J1>")));
        };
        let line_type = match ty {
            "E1" => LineType::E1,
            "T1" => LineType::T1,
            "J1" => LineType::J1,
            _ => return Err(err(format!("line type must be E1, T1 or J1, not '{ty}'"))),
        };
        out.push(SpanTypeRule { line, id: id.to_string(), local_spans: local.to_string(), line_type });
    }
    Ok(out)
}

/// The type the rules give local span `local` of a device with keys `keys` (last match wins).
pub fn type_for(rules: &[SpanTypeRule], keys: &[&str], local: u32) -> Option<LineType> {
    let l = local.to_string();
    rules
        .iter()
        .rev()
        .find(|r| keys.iter().any(|k| glob_match(&r.id, k)) && glob_match(&r.local_spans, &l))
        .map(|r| r.line_type)
}
