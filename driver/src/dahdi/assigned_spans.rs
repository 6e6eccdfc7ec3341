//! `/etc/dahdi/assigned-spans.conf` (dahdi-tools `dahdi_span_assignments`): which span and base
//! channel numbers each device's local spans get.
//!
//! Comments (`#` to end of line) and blank lines are removed (`sed -e 's/#.*//' -e
//! '/^[ \t]*$/d'`); each remaining line is `<id> <local>:<spanno>:<basechan>...` where `<id>` is
//! a shell glob matched against the device's `hardware_id`, `@location` or sysfs devpath.

use super::glob::glob_match;

/// One `<local_spanno>:<spanno>:<basechan>` spec, written verbatim to sysfs `assign_span`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpanSpec {
    /// Span number inside the device, from 1.
    pub local_spanno: u32,
    /// Global span number to assign.
    pub spanno: u32,
    /// First global channel number of the span.
    pub basechan: u32,
}

/// One line of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// 1-based line number.
    pub line: usize,
    /// Device id glob.
    pub id: String,
    /// The span specs in order.
    pub specs: Vec<SpanSpec>,
}

impl Assignment {
    /// True if any of the device keys (hardware_id, `@location`, devpath) matches the id glob.
    pub fn matches(&self, keys: &[&str]) -> bool {
        keys.iter().any(|k| glob_match(&self.id, k))
    }
}

/// A bad line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("assigned-spans.conf line {line}: {reason}")]
pub struct AssignedSpansError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong and how to write it.
    pub reason: String,
}

/// Parses the file; every line must be valid.
pub fn parse(text: &str) -> Result<Vec<Assignment>, AssignedSpansError> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let body = raw.split('#').next().unwrap_or("");
        if body.chars().all(|c| c == ' ' || c == '\t') {
            continue;
        }
        let mut words = body.split_whitespace();
        let Some(id) = words.next() else { continue };
        let mut specs = Vec::new();
        for w in words {
            specs.push(parse_spec(w).map_err(|reason| AssignedSpansError { line, reason })?);
        }
        if specs.is_empty() {
            return Err(AssignedSpansError {
                line,
                reason: format!("device '{id}' has no <local_spanno>:<spanno>:<basechan> spec"),
            });
        }
        out.push(Assignment { line, id: id.to_string(), specs });
    }
    Ok(out)
}

fn parse_spec(w: &str) -> Result<SpanSpec, String> {
    let parts: Vec<&str> = w.split(':').collect();
    let num =
        |s: &str| s.parse::<u32>().ok().filter(|_| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()));
    match parts.as_slice() {
        [l, s, b] => match (num(l), num(s), num(b)) {
            (Some(local_spanno), Some(spanno), Some(basechan)) => {
                if local_spanno == 0 {
                    Err(format!("'{w}': local span numbers start at 1"))
                } else if spanno != 0 && basechan == 0 {
                    Err(format!("'{w}': a span number needs a base channel > 0 (the kernel answers EINVAL)"))
                } else {
                    Ok(SpanSpec { local_spanno, spanno, basechan })
                }
            }
            _ => Err(format!("'{w}' should be three numbers <local_spanno>:<spanno>:<basechan>")),
        },
        _ => Err(format!("'{w}' should be <local_spanno>:<spanno>:<basechan>")),
    }
}
