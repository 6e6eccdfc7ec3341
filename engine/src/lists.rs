//! Campaign lists: CSV import with per-row validation.
//!
//! A list is CSV with a header row. `phone` is required; `name`, `timezone` (an IANA name such
//! as `Europe/Paris`) and `priority` (an integer, higher dialled first) are optional; any other
//! column is kept on the lead as a custom field (screen-pop data). Header names are matched
//! without regard to case or surrounding blanks. A bad row is rejected with its line number,
//! field and reason while the others import; a number seen earlier in the same list is rejected as
//! a duplicate. Quoted fields, CRLF line ends, a UTF-8 byte-order mark and empty lines are handled.

use core::fmt;
use std::collections::HashMap;
use std::io::Read;

use crate::model::CampaignId;
use crate::store::{NewLead, Store, StoreError};

/// Longest accepted field, in bytes (anything longer is a broken file, not a name).
const MAX_FIELD: usize = 1024;

/// Why a list could not be imported at all (row problems are reported in [`ImportReport`]).
#[derive(Debug, thiserror::Error)]
pub enum ListError {
    /// The file could not be read.
    #[error("reading the list: {0}")]
    Io(#[from] std::io::Error),
    /// The CSV itself could not be parsed.
    #[error("CSV: {0}")]
    Csv(#[from] csv::Error),
    /// The header row is missing or unusable.
    #[error("line {line}: header: {reason}")]
    Header {
        /// Line of the header row.
        line: u64,
        /// What is wrong.
        reason: String,
    },
    /// Storing the leads failed (nothing of the list was stored).
    #[error("storing the leads: {0}")]
    Store(#[from] StoreError),
}

/// One rejected row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowError {
    /// Line in the file where the row starts (1 = first line).
    pub line: u64,
    /// Column name (or `row` for the row as a whole).
    pub field: String,
    /// Why it was rejected.
    pub reason: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}: {}", self.line, self.field, self.reason)
    }
}

/// What an import did: how many leads were taken and which rows were rejected and why.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Data rows read (empty lines not counted).
    pub rows: usize,
    /// Leads imported.
    pub imported: usize,
    /// Rejected rows, in file order.
    pub rejected: Vec<RowError>,
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "imported {} of {} rows", self.imported, self.rows)?;
        if self.rejected.is_empty() {
            return Ok(());
        }
        write!(f, "; {} rejected:", self.rejected.len())?;
        for e in &self.rejected {
            write!(f, "\n  {e}")?;
        }
        Ok(())
    }
}

/// A parsed list: the valid leads with the line each came from, and the report so far.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ParsedList {
    /// Valid leads, each with its line number.
    pub leads: Vec<(u64, NewLead)>,
    /// Rows read and rows rejected (`imported` counts the valid leads).
    pub report: ImportReport,
}

/// Normalises a phone number: blanks and the usual separators (`-`, `.`, `(`, `)`, `/`) are
/// dropped; what is left must be 3 to 20 digits with an optional leading `+`.
pub fn normalize_phone(raw: &str) -> Result<String, String> {
    let mut out = String::with_capacity(raw.len());
    for (i, c) in raw.trim().chars().enumerate() {
        match c {
            '0'..='9' => out.push(c),
            '+' if i == 0 => out.push('+'),
            ' ' | '\t' | '-' | '.' | '(' | ')' | '/' => {}
            _ => return Err(format!("invalid character {c:?}")),
        }
    }
    let digits = out.trim_start_matches('+').len();
    if out.is_empty() {
        return Err("missing".into());
    }
    if !(3..=20).contains(&digits) {
        return Err(format!("{digits} digits (need 3 to 20)"));
    }
    Ok(out)
}

/// Checks the form of an IANA time-zone name (`UTC`, `Area/Location[/Sub]` with a known area).
/// The name is not looked up in a tz database, so a well-formed but unknown city passes.
pub fn valid_timezone(tz: &str) -> bool {
    const AREAS: &[&str] = &[
        "Africa",
        "America",
        "Antarctica",
        "Arctic",
        "Asia",
        "Atlantic",
        "Australia",
        "Europe",
        "Indian",
        "Pacific",
        "Etc",
    ];
    const BARE: &[&str] = &["UTC", "GMT", "UCT", "Universal", "Zulu"];
    if BARE.contains(&tz) {
        return true;
    }
    let mut parts = tz.split('/');
    let Some(area) = parts.next() else { return false };
    if !AREAS.contains(&area) {
        return false;
    }
    let mut n = 0;
    for p in parts {
        n += 1;
        let ok = !p.is_empty()
            && p.len() <= 32
            && p.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '+'))
            && p.chars().next().is_some_and(|c| c.is_ascii_alphanumeric() || c == '+' || c == '-');
        if !ok {
            return false;
        }
    }
    (1..=2).contains(&n)
}

#[derive(Clone, Copy, PartialEq)]
enum Col {
    Phone,
    Name,
    Timezone,
    Priority,
    Custom(usize),
}

/// Parses and validates a list without storing it.
pub fn parse_csv(input: impl Read) -> Result<ParsedList, ListError> {
    let mut bytes = Vec::new();
    let mut input = input;
    input.read_to_end(&mut bytes)?;
    parse_csv_bytes(&bytes)
}

/// Parses and validates a list held in memory.
pub fn parse_csv_bytes(bytes: &[u8]) -> Result<ParsedList, ListError> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(body);
    let mut rec = csv::ByteRecord::new();

    // Header: the first non-empty record.
    if !rdr.read_byte_record(&mut rec)? {
        return Err(ListError::Header { line: 1, reason: "the list is empty (no header row)".into() });
    }
    // Line numbers are counted from byte offsets: csv's own line count is off after CRLF.
    let mut lines = LineCounter { body, at: 0, line: 1 };
    let hline = lines.line_at(&rec);
    let mut cols = Vec::with_capacity(rec.len());
    let mut custom_names = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (k, raw) in rec.iter().enumerate() {
        let name = std::str::from_utf8(raw)
            .map_err(|_| ListError::Header { line: hline, reason: format!("column {} is not UTF-8", k + 1) })?
            .trim()
            .to_string();
        if name.is_empty() {
            return Err(ListError::Header { line: hline, reason: format!("column {} has no name", k + 1) });
        }
        let key = name.to_lowercase();
        if let Some(prev) = seen.insert(key.clone(), k) {
            return Err(ListError::Header {
                line: hline,
                reason: format!("column {name:?} appears twice (columns {} and {})", prev + 1, k + 1),
            });
        }
        cols.push(match key.as_str() {
            "phone" => Col::Phone,
            "name" => Col::Name,
            "timezone" => Col::Timezone,
            "priority" => Col::Priority,
            _ => {
                custom_names.push(name);
                Col::Custom(custom_names.len() - 1)
            }
        });
    }
    if !cols.contains(&Col::Phone) {
        return Err(ListError::Header { line: hline, reason: "no \"phone\" column".into() });
    }

    let mut out = ParsedList::default();
    let mut first_line: HashMap<String, u64> = HashMap::new();
    while rdr.read_byte_record(&mut rec)? {
        let line = lines.line_at(&rec);
        out.report.rows += 1;
        match parse_row(&rec, line, &cols, &custom_names) {
            Err(e) => out.report.rejected.push(e),
            Ok(lead) => {
                if let Some(&prev) = first_line.get(&lead.phone) {
                    out.report.rejected.push(RowError {
                        line,
                        field: "phone".into(),
                        reason: format!("duplicate of line {prev} ({})", lead.phone),
                    });
                } else {
                    first_line.insert(lead.phone.clone(), line);
                    out.leads.push((line, lead));
                }
            }
        }
    }
    out.report.imported = out.leads.len();
    Ok(out)
}

/// Turns record byte offsets into 1-based line numbers, scanning the input once.
struct LineCounter<'a> {
    body: &'a [u8],
    at: usize,
    line: u64,
}

impl LineCounter<'_> {
    fn line_at(&mut self, rec: &csv::ByteRecord) -> u64 {
        let to = rec.position().map_or(self.at, |p| usize::try_from(p.byte()).unwrap_or(usize::MAX));
        let mut to = to.clamp(self.at, self.body.len());
        // After a CR, csv puts the next record's start on the LF (or on skipped empty lines).
        while matches!(self.body.get(to), Some(b'\r' | b'\n')) {
            to += 1;
        }
        self.line += self.body[self.at..to].iter().filter(|&&b| b == b'\n').count() as u64;
        self.at = to;
        self.line
    }
}

fn parse_row(rec: &csv::ByteRecord, line: u64, cols: &[Col], custom: &[String]) -> Result<NewLead, RowError> {
    let err = |field: &str, reason: String| RowError { line, field: field.to_string(), reason };
    if rec.len() != cols.len() {
        return Err(err("row", format!("{} fields, the header has {}", rec.len(), cols.len())));
    }
    let mut lead = NewLead::default();
    let mut phone = None;
    for (raw, col) in rec.iter().zip(cols) {
        let cname = match col {
            Col::Phone => "phone",
            Col::Name => "name",
            Col::Timezone => "timezone",
            Col::Priority => "priority",
            Col::Custom(i) => custom.get(*i).map_or("?", String::as_str),
        };
        let v = std::str::from_utf8(raw).map_err(|_| err(cname, "not valid UTF-8".into()))?.trim();
        if v.len() > MAX_FIELD {
            return Err(err(cname, format!("{} bytes long (at most {MAX_FIELD})", v.len())));
        }
        match col {
            Col::Phone => phone = Some(normalize_phone(v).map_err(|r| err(cname, format!("{v:?}: {r}")))?),
            Col::Name => lead.name = (!v.is_empty()).then(|| v.to_string()),
            Col::Timezone => {
                if !v.is_empty() {
                    if !valid_timezone(v) {
                        return Err(err(cname, format!("{v:?} is not an IANA time zone name")));
                    }
                    lead.timezone = Some(v.to_string());
                }
            }
            Col::Priority => {
                if !v.is_empty() {
                    lead.priority =
                        v.parse::<i64>().map_err(|_| err(cname, format!("{v:?} is not an integer")))?;
                }
            }
            Col::Custom(_) => {
                if !v.is_empty() {
                    lead.custom.insert(cname.to_string(), serde_json::Value::String(v.to_string()));
                }
            }
        }
    }
    lead.phone = phone.ok_or_else(|| err("phone", "missing".into()))?;
    Ok(lead)
}

/// Parses a list and adds its valid leads to `campaign` in one transaction. Numbers already on
/// the campaign (from an earlier import) are reported as rejected rows.
pub fn import_csv(
    store: &mut Store,
    campaign: CampaignId,
    input: impl Read,
) -> Result<ImportReport, ListError> {
    let parsed = parse_csv(input)?;
    let leads: Vec<NewLead> = parsed.leads.iter().map(|(_, l)| l.clone()).collect();
    let ids = store.add_leads(campaign, &leads)?;
    let mut report = parsed.report;
    report.imported = 0;
    for ((line, lead), id) in parsed.leads.iter().zip(ids) {
        match id {
            Some(_) => report.imported += 1,
            None => report.rejected.push(RowError {
                line: *line,
                field: "phone".into(),
                reason: format!("{} is already on the campaign", lead.phone),
            }),
        }
    }
    report.rejected.sort_by_key(|e| e.line);
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_normalised() {
        assert_eq!(normalize_phone(" +49 (30) 123-45.67 ").unwrap(), "+49301234567");
        assert_eq!(normalize_phone("555").unwrap(), "555");
        assert!(normalize_phone("12").is_err());
        assert!(normalize_phone("1".repeat(21).as_str()).is_err());
        assert!(normalize_phone("12a45").is_err());
        assert!(normalize_phone("12+45").is_err());
        assert!(normalize_phone("").is_err());
        assert!(normalize_phone("+").is_err());
    }

    #[test]
    fn timezones_are_checked_for_form() {
        for ok in
            ["UTC", "Europe/Paris", "America/Argentina/Buenos_Aires", "Etc/GMT+5", "America/Port-au-Prince"]
        {
            assert!(valid_timezone(ok), "{ok}");
        }
        for bad in ["", "Paris", "Europe/", "Mars/Olympus", "Europe/../etc", "Europe/Paris/x/y", "CET5"] {
            assert!(!valid_timezone(bad), "{bad}");
        }
    }

    #[test]
    fn a_good_list_imports_with_custom_fields() {
        let csv = "\u{feff}Phone,Name,TimeZone,priority,Account\r\n\
                   +33 1 23 45 67 89,\"Durand, Zoë\",Europe/Paris,5,A-1\r\n\
                   \r\n\
                   5551234,,, ,\r\n";
        let p = parse_csv(csv.as_bytes()).unwrap();
        assert_eq!(p.report.rows, 2);
        assert!(p.report.rejected.is_empty(), "{}", p.report);
        let (line, a) = &p.leads[0];
        assert_eq!(*line, 2);
        assert_eq!(a.phone, "+33123456789");
        assert_eq!(a.name.as_deref(), Some("Durand, Zoë"));
        assert_eq!(a.timezone.as_deref(), Some("Europe/Paris"));
        assert_eq!(a.priority, 5);
        assert_eq!(a.custom["Account"], "A-1");
        let (line, b) = &p.leads[1];
        assert_eq!(*line, 4);
        assert_eq!((b.name.clone(), b.timezone.clone(), b.priority, b.custom.len()), (None, None, 0, 0));
    }

    #[test]
    fn bad_rows_are_rejected_with_line_field_and_reason() {
        let csv = "phone,name,timezone,priority\n\
                   5550001,Ann,UTC,1\n\
                   12,Bob,UTC,1\n\
                   5550003,Cy,Moon/Base,1\n\
                   5550004,Di,UTC,high\n\
                   5550005,Ed\n\
                   \"555\n0006\",Multi,UTC,1\n\
                   555-0001,Again,UTC,1\n\
                   5550008,Fay,,\n";
        let p = parse_csv(csv.as_bytes()).unwrap();
        assert_eq!(p.report.rows, 8);
        let phones: Vec<_> = p.leads.iter().map(|(_, l)| l.phone.as_str()).collect();
        assert_eq!(phones, vec!["5550001", "5550008"]);
        let errs: Vec<_> = p.report.rejected.iter().map(|e| (e.line, e.field.as_str())).collect();
        assert_eq!(
            errs,
            vec![(3, "phone"), (4, "timezone"), (5, "priority"), (6, "row"), (7, "phone"), (9, "phone")]
        );
        assert!(p.report.rejected[5].reason.contains("duplicate of line 2"), "{}", p.report);
        let text = p.report.to_string();
        assert!(text.starts_with("imported 2 of 8 rows; 6 rejected:"), "{text}");
        assert!(text.contains("line 3: phone: \"12\": 2 digits (need 3 to 20)"), "{text}");
    }

    #[test]
    fn line_numbers_count_crlf_empty_lines_and_quoted_newlines() {
        let csv = "\r\nphone,note\r\n12,a\r\n\r\n5550001,\"two\r\nlines\"\r\nx,b\r\n";
        let p = parse_csv(csv.as_bytes()).unwrap();
        let lines: Vec<_> = p.report.rejected.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![3, 7]);
        assert_eq!(p.leads[0].0, 5);
    }

    #[test]
    fn header_problems_are_fatal() {
        for (csv, want) in [
            ("", "empty"),
            ("\n\n", "empty"),
            ("name,tz\n1,2\n", "no \"phone\""),
            ("phone,Phone\n", "twice"),
            ("phone,,x\n", "no name"),
        ] {
            match parse_csv(csv.as_bytes()) {
                Err(ListError::Header { reason, .. }) => assert!(reason.contains(want), "{csv:?}: {reason}"),
                other => panic!("{csv:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn import_stores_leads_and_reports_numbers_already_there() {
        let mut s = Store::open_in_memory().unwrap();
        let c = s.create_campaign("c", "progressive", &serde_json::json!({})).unwrap();
        let r = import_csv(&mut s, c, "phone\n5550001\n5550002\nbad\n".as_bytes()).unwrap();
        assert_eq!((r.imported, r.rejected.len()), (2, 1));
        let r = import_csv(&mut s, c, "phone\n5550002\n5550003\n".as_bytes()).unwrap();
        assert_eq!(r.imported, 1);
        assert_eq!(
            r.rejected,
            vec![RowError {
                line: 2,
                field: "phone".into(),
                reason: "5550002 is already on the campaign".into()
            }]
        );
        assert_eq!(s.leads(c).unwrap().len(), 3);
    }

    proptest::proptest! {
        #[test]
        fn never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..512)) {
            let _ = parse_csv_bytes(&bytes);
        }

        #[test]
        fn never_panics_on_csv_like_text(s in "[a-z0-9+,\"\r\n ;/-]{0,300}") {
            let text = format!("phone,name,timezone,priority,x\n{s}");
            if let Ok(p) = parse_csv_bytes(text.as_bytes()) {
                proptest::prop_assert_eq!(p.report.rows, p.leads.len() + p.report.rejected.len());
            }
        }
    }
}
