//! `/etc/dahdi/system.conf` with the grammar and quirks of `dahdi_cfg` (dahdi-tools 3.1):
//! the same files are accepted and rejected, with the same messages.
//!
//! The reader works on bytes the way `dahdi_cfg` does: `fgets` into a 256-byte buffer (longer
//! lines are split), `#` starts a comment anywhere, `;` is *not* a comment, and because
//! `readline` discards the result of `trim()`, a line holding only blanks or an indented comment
//! is a syntax error while an indented directive is fine. Bytes >= 0x80 count as blanks (C
//! `char` is signed). Numbers are read like `sscanf("%d")`: leading blanks, a sign, digits,
//! trailing garbage ignored. Every error is collected (dahdi_cfg keeps going and exits 1 at the
//! end); [`Diagnostic::hint`] adds how to fix the common ones.

use core::ffi::c_int;
use core::fmt;

use super::abi::{self, copy_c_string, DahdiChanconfig, DahdiDynamicSpan, DahdiLineconfig};
use super::zones;

/// Highest channel number + 1 (`DAHDI_MAX_CHANNELS`).
pub const MAX_CHANNELS: usize = abi::DAHDI_MAX_CHANNELS as usize;
/// Largest accepted timing priority (`MAX_TIMING`).
pub const MAX_TIMING: c_int = 255;
/// `fgets` buffer size of `readline`: lines longer than `LINE_BUFFER - 1` bytes are split.
pub const LINE_BUFFER: usize = 256;
/// Maximum number of `loadzone` lines (`DAHDI_TONE_ZONE_MAX`).
pub const MAX_ZONES: usize = abi::DAHDI_TONE_ZONE_MAX as usize;

/// What is wrong with a line, as a machine-readable kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Not `<keyword>=<value>` (includes blank-only lines and indented comments).
    Syntax,
    /// Keyword not known to dahdi_cfg.
    UnknownKeyword,
    /// A bad argument to a known keyword.
    BadArgument,
    /// A channel configured twice.
    DuplicateChannel,
}

/// One message of the parse, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Diagnostic {
    /// An error: dahdi_cfg prints `line N: <message>` and will exit 1 without applying anything.
    Error {
        /// 1-based line number as dahdi_cfg counts (each `fgets` chunk is a line).
        line: usize,
        /// Kind of error.
        kind: ErrorKind,
        /// dahdi_cfg's message, verbatim (without the trailing newline).
        message: String,
        /// How to fix it, when we know (not printed by dahdi_cfg).
        hint: Option<String>,
    },
    /// A warning dahdi_cfg prints verbatim; it does not fail the file.
    Warning {
        /// 1-based line number the warning came from.
        line: usize,
        /// dahdi_cfg's text, verbatim.
        message: String,
    },
}

impl Diagnostic {
    /// The fix-it hint of an error, if any.
    pub fn hint(&self) -> Option<&str> {
        match self {
            Diagnostic::Error { hint, .. } => hint.as_deref(),
            Diagnostic::Warning { .. } => None,
        }
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        matches!(self, Diagnostic::Error { .. })
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Diagnostic::Error { line, message, .. } => write!(f, "line {line}: {message}"),
            Diagnostic::Warning { message, .. } => f.write_str(message),
        }
    }
}

/// A `system.conf` that did not parse: every error, each naming its line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", render_errors(.diagnostics))]
pub struct SystemConfError {
    /// All diagnostics (errors and warnings) in file order.
    pub diagnostics: Vec<Diagnostic>,
}

fn render_errors(d: &[Diagnostic]) -> String {
    let errs: Vec<String> = d.iter().filter(|d| d.is_error()).map(|d| d.to_string()).collect();
    format!("{} error(s) in system.conf: {}", errs.len(), errs.join("; "))
}

/// A dynamic span (`dynamic=` line).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DynamicSpan(pub DahdiDynamicSpan);

/// What the parsed file asks the kernel to do: dahdi_cfg's global tables after parsing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemConf {
    /// `span=` lines, in file order (`lc[]`).
    pub spans: Vec<DahdiLineconfig>,
    /// `dynamic=` lines, in file order (`zds[]`).
    pub dynamic: Vec<DahdiDynamicSpan>,
    /// Channel configs indexed by channel number (`cc[]`); `sigtype == 0` means not configured.
    pub chans: Vec<DahdiChanconfig>,
    /// Echo canceller name per channel (`ae[].echocan`), empty = none.
    pub echocan: Vec<[u8; 16]>,
    /// Channels set to 56 kbit/s HDLC (`56k=`).
    pub fiftysix: Vec<bool>,
    /// `loadzone=` values in order (each truncated to 9 bytes as dahdi_cfg stores them).
    pub zones_to_load: Vec<Vec<u8>>,
    /// Zone number from the last valid `defaultzone=` (`deftonezone`, -1 = none).
    pub default_zone: c_int,
    /// Lines using the pciradio keywords, which only make sense with that hardware.
    pub radio_lines: Vec<usize>,
}

impl Default for SystemConf {
    fn default() -> Self {
        Self {
            spans: Vec::new(),
            dynamic: Vec::new(),
            chans: vec![DahdiChanconfig::default(); MAX_CHANNELS],
            echocan: vec![[0; 16]; MAX_CHANNELS],
            fiftysix: vec![false; MAX_CHANNELS],
            zones_to_load: Vec::new(),
            default_zone: -1,
            radio_lines: Vec::new(),
        }
    }
}

impl SystemConf {
    /// Parses a file, failing if dahdi_cfg would report any error.
    pub fn parse(input: &[u8]) -> Result<SystemConf, SystemConfError> {
        let out = parse(input);
        if out.error_count() == 0 {
            Ok(out.conf)
        } else {
            Err(SystemConfError { diagnostics: out.diagnostics })
        }
    }

    /// Configured channel numbers (non-zero sigtype), ascending.
    pub fn configured_channels(&self) -> impl Iterator<Item = usize> + '_ {
        (1..MAX_CHANNELS).filter(|&x| self.chans[x].sigtype != 0)
    }
}

/// The result of parsing: the tables plus every diagnostic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseOutcome {
    /// The tables as far as parsing got.
    pub conf: SystemConf,
    /// Errors and warnings in file order.
    pub diagnostics: Vec<Diagnostic>,
}

impl ParseOutcome {
    /// Number of errors (dahdi_cfg's `errcnt`).
    pub fn error_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    /// What `dahdi_cfg -t -c <filename>` prints on stderr, byte for byte (without hints).
    pub fn dahdi_cfg_report(&self, filename: &str) -> String {
        self.report(filename, false)
    }

    /// Like [`ParseOutcome::dahdi_cfg_report`], plus a `  hint: ...` line after each error we
    /// know how to fix.
    pub fn report(&self, filename: &str, hints: bool) -> String {
        let mut s = String::new();
        let mut shown = false;
        for d in &self.diagnostics {
            if d.is_error() && !shown {
                s.push_str(&format!("Notice: Configuration file is {filename}\n"));
                shown = true;
            }
            s.push_str(&d.to_string());
            s.push('\n');
            if let (true, Some(h)) = (hints, d.hint()) {
                s.push_str(&format!("  hint: {h}\n"));
            }
        }
        let n = self.error_count();
        if n > 0 {
            s.push_str(&format!("\n{n} error(s) detected\n\n"));
        }
        s
    }
}

/// Parses `system.conf` bytes exactly as `dahdi_cfg` does. Never panics.
pub fn parse(input: &[u8]) -> ParseOutcome {
    let mut p = Parser::default();
    let mut pos = 0;
    while pos < input.len() {
        // fgets(buf, 256, cf): up to 255 bytes, or through the newline.
        let limit = (pos + LINE_BUFFER - 1).min(input.len());
        let end = input[pos..limit].iter().position(|&b| b == b'\n').map_or(limit, |i| pos + i + 1);
        let raw = &input[pos..end];
        pos = end;
        p.lineno += 1;
        p.line(raw);
    }
    ParseOutcome { conf: p.conf, diagnostics: p.diagnostics }
}

/// C `char < 33` with signed chars: control bytes, space, and every byte >= 0x80.
fn is_blank(b: u8) -> bool {
    !(33..0x80).contains(&b)
}

/// C `isspace` in the C locale (what `%d` skips).
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// `trim()`: both ends.
fn trim(s: &[u8]) -> &[u8] {
    let start = s.iter().position(|&b| !is_blank(b)).unwrap_or(s.len());
    let s = &s[start..];
    let end = s.iter().rposition(|&b| !is_blank(b)).map_or(0, |i| i + 1);
    &s[..end]
}

/// `sscanf(s, "%d", &v) == 1`, with glibc's overflow behaviour (saturate to long, then
/// truncate to int).
pub fn scan_int(s: &[u8]) -> Option<c_int> {
    let mut i = s.iter().position(|&b| !is_space(b))?;
    let neg = match s[i] {
        b'-' => {
            i += 1;
            true
        }
        b'+' => {
            i += 1;
            false
        }
        _ => false,
    };
    let digits = s[i..].iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        return None;
    }
    let mut v: i64 = 0;
    for &d in &s[i..i + digits] {
        v = v.saturating_mul(10).saturating_add(i64::from(d - b'0'));
    }
    let v = if neg { v.saturating_neg() } else { v };
    // saturate to `long`: saturating ops above already did (i64 == long on x86_64).
    Some(v as c_int)
}

/// `parseargs(input, output, maxargs, sep)`: `None` when there are more than `maxargs`.
fn parseargs(input: &[u8], maxargs: usize, sep: u8) -> Option<Vec<Vec<u8>>> {
    let mut len = input.len();
    let mut out = Vec::new();
    let mut start = 0;
    let mut pos = 1;
    let mut c = 0;
    while c < len {
        while c < len && input[c] != sep {
            c += 1;
        }
        if c < len {
            out.push(input[start..c].to_vec());
            c += 1;
            while c < len && is_blank(input[c]) {
                c += 1;
            }
            if c < len {
                if pos >= maxargs {
                    return None;
                }
                start = c;
                while len > c && is_blank(input[len - 1]) {
                    len -= 1;
                }
                pos += 1;
            } else {
                return Some(out);
            }
        }
    }
    out.push(input[start..len.max(start)].to_vec());
    Some(out)
}

/// `strtok(s, delim)` for the first token and `strtok(NULL, delim)` for the second, returning
/// (what the original pointer now reads as a C string, second token).
fn strtok_two(s: &[u8], delim: u8) -> (Vec<u8>, Option<Vec<u8>>) {
    let Some(first_start) = s.iter().position(|&b| b != delim) else {
        return (s.to_vec(), None);
    };
    let first_end = s[first_start..].iter().position(|&b| b == delim).map(|i| first_start + i);
    let Some(first_end) = first_end else {
        return (s.to_vec(), None);
    };
    let head = s[..first_end].to_vec();
    let rest = &s[first_end + 1..];
    let second = rest.iter().position(|&b| b != delim).map(|st| {
        let tail = &rest[st..];
        let e = tail.iter().position(|&b| b == delim).unwrap_or(tail.len());
        tail[..e].to_vec()
    });
    (head, second)
}

/// All tokens of `strtok(s, delim)` in order.
fn strtok_all(s: &[u8], delim: u8) -> Vec<Vec<u8>> {
    s.split(|&b| b == delim).filter(|t| !t.is_empty()).map(<[u8]>::to_vec).collect()
}

fn lossy(s: &[u8]) -> String {
    String::from_utf8_lossy(s).into_owned()
}

struct Parser {
    conf: SystemConf,
    diagnostics: Vec<Diagnostic>,
    lineno: usize,
    /// `slineno[]`: line where each channel was configured.
    slineno: Vec<usize>,
    /// `sig[]`: dahdi_cfg's name of each channel's signalling (None prints as "(null)").
    sig: Vec<Option<&'static str>>,
    /// `lc[spans]` being filled: it keeps bits from a failed `span=` line, as in dahdi_cfg.
    pending_span: DahdiLineconfig,
    /// Raw text of the current line, for hints.
    raw: Vec<u8>,
}

impl Default for Parser {
    fn default() -> Self {
        Self {
            conf: SystemConf::default(),
            diagnostics: Vec::new(),
            lineno: 0,
            slineno: vec![0; MAX_CHANNELS],
            sig: vec![None; MAX_CHANNELS],
            pending_span: DahdiLineconfig::default(),
            raw: Vec::new(),
        }
    }
}

impl Parser {
    fn error(&mut self, kind: ErrorKind, message: String) {
        let hint = self.hint_for(kind, &message);
        self.diagnostics.push(Diagnostic::Error { line: self.lineno, kind, message, hint });
    }

    fn warning(&mut self, message: String) {
        self.diagnostics.push(Diagnostic::Warning { line: self.lineno, message });
    }

    fn hint_for(&self, kind: ErrorKind, message: &str) -> Option<String> {
        let raw = &self.raw;
        let body: Vec<u8> = raw.iter().copied().filter(|&b| b != b'\n').collect();
        let first = body.iter().position(|&b| !is_blank(b)).map(|i| body[i]);
        let indented = body.first().is_some_and(|&b| is_blank(b));
        match kind {
            ErrorKind::Syntax if first.is_none() && body.ends_with(b"\r") && body.len() == 1 => Some(
                "the line ends in a carriage return (DOS line endings); convert the file with \
                 `dos2unix` or `sed -i 's/\\r$//'`"
                    .into(),
            ),
            ErrorKind::Syntax if first.is_none() => Some(
                "the line contains only blanks; dahdi_cfg accepts only truly empty lines: delete \
                 the spaces/tabs"
                    .into(),
            ),
            ErrorKind::Syntax if first == Some(b'#') && indented => Some(
                "indented comment: dahdi_cfg does not strip leading blanks before checking for an \
                 empty line, so '#' must be the first character: remove the leading whitespace"
                    .into(),
            ),
            ErrorKind::Syntax | ErrorKind::UnknownKeyword if first == Some(b';') => Some(
                "';' is not a comment character in system.conf; only '#' is: replace the ';' by \
                 '#' at the start of the line"
                    .into(),
            ),
            ErrorKind::UnknownKeyword if message.contains("'sf'") || message.contains("superframe") => {
                Some("use 'd4' for superframe framing".into())
            }
            ErrorKind::BadArgument if message.contains("not 'sf'") || message.contains("not 'superframe'") => {
                Some("dahdi_cfg has no 'sf'/'superframe' framing although system.conf.sample mentions it: use 'd4'".into())
            }
            ErrorKind::BadArgument if message.starts_with("CAS Signalling requires idle") => Some(
                "append the idle ABCD bits, e.g. 'cas=1-15:1101' (A first)".into(),
            ),
            ErrorKind::DuplicateChannel => {
                Some("each channel may appear in only one signalling line; remove one of them".into())
            }
            _ => None,
        }
    }

    fn line(&mut self, raw: &[u8]) {
        self.raw = raw.to_vec();
        // C string: stops at the first NUL.
        let buf = &raw[..raw.iter().position(|&b| b == 0).unwrap_or(raw.len())];
        // Strip comments.
        let buf = &buf[..buf.iter().position(|&b| b == b'#').unwrap_or(buf.len())];
        // trim(buf) with the result discarded: trailing blanks go, unless all of it is blank.
        let buf: &[u8] = if buf.iter().all(|&b| is_blank(b)) {
            buf
        } else {
            let end = buf.iter().rposition(|&b| !is_blank(b)).map_or(0, |i| i + 1);
            &buf[..end]
        };
        if buf.is_empty() || buf[0] == b'\n' {
            return;
        }
        let Some(eq) = buf.iter().position(|&b| b == b'=') else {
            self.error(ErrorKind::Syntax, "Syntax error. Should be <keyword>=<value>".into());
            return;
        };
        let value = trim(&buf[eq + 1..]).to_vec();
        let key = trim(&buf[..eq]).to_vec();
        if value.is_empty() || key.is_empty() {
            self.error(ErrorKind::Syntax, "Syntax error. Should be <keyword>=<value>".into());
            return;
        }
        let kw = key.to_ascii_lowercase();
        match kw.as_slice() {
            b"span" => self.spanconfig(&value),
            b"dynamic" => self.dspanconfig(&value),
            b"loadzone" => self.registerzone(&value),
            b"defaultzone" => self.defaultzone(&value),
            b"e&m" | b"e&me1" | b"fxsls" | b"fxsgs" | b"fxsks" | b"fxols" | b"fxogs" | b"fxoks"
            | b"rawhdlc" | b"nethdlc" | b"fcshdlc" | b"hardhdlc" | b"mtp2" | b"dchan" | b"bchan"
            | b"indclear" | b"clear" | b"unused" | b"cas" | b"dacs" | b"dacsrbs" | b"user" => {
                self.chanconfig(&kw, &value)
            }
            b"alaw" | b"mulaw" | b"deflaw" => self.setlaw(&kw, &value),
            b"ctcss" | b"dcsrx" | b"rxdcs" | b"tx" | b"debouncetime" | b"bursttime" | b"exttone"
            | b"invertcor" | b"corthresh" | b"rxgain" | b"txgain" | b"deemp" | b"preemp" => {
                self.radio_param(&kw, &value)
            }
            b"channel" | b"channels" => {
                let mut chans = vec![false; MAX_CHANNELS];
                if self.apply_channels(&mut chans, &value).is_some() {
                    self.conf.radio_lines.push(self.lineno);
                }
            }
            b"echocanceller" => self.setechocan(&value),
            b"56k" => {
                let mut chans = std::mem::take(&mut self.conf.fiftysix);
                self.apply_channels(&mut chans, &value);
                self.conf.fiftysix = chans;
            }
            _ => self.error(ErrorKind::UnknownKeyword, format!("Unknown keyword '{}'", lossy(&key))),
        }
    }

    fn bad(&mut self, message: String) {
        self.error(ErrorKind::BadArgument, message);
    }

    fn spanconfig(&mut self, args: &[u8]) {
        let argv = match parseargs(args, 9, b',') {
            Some(a) if (5..=9).contains(&a.len()) => a,
            _ => {
                return self.bad(
                    "Incorrect number of arguments to 'span' (should be <spanno>,<timing>,<lbo>,<framing>,<coding>[, crc4 | yellow [, yellow]])"
                        .into(),
                )
            }
        };
        let Some(span) = scan_int(&argv[0]) else {
            return self.bad(format!("Span number should be a valid span number, not '{}'", lossy(&argv[0])));
        };
        let timing = match scan_int(&argv[1]) {
            Some(t) if (0..=MAX_TIMING).contains(&t) => t,
            _ => {
                return self.bad(format!(
                    "Timing should be a number from 0 to {MAX_TIMING}, not '{}'",
                    lossy(&argv[1])
                ))
            }
        };
        let Some(lbo) = scan_int(&argv[2]) else {
            return self.bad(format!(
                "Line build-out (LBO) should be a number from 0 to 7 (usually 0) not '{}'",
                lossy(&argv[2])
            ));
        };
        self.pending_span.lbo = lbo;
        if !(0..=7).contains(&lbo) {
            return self.bad(format!("Line build-out should be in the range 0 to 7, not {lbo}"));
        }
        let lc = &mut self.pending_span.lineconfig;
        let f = argv[3].to_ascii_lowercase();
        match f.as_slice() {
            b"d4" => *lc = (*lc | abi::DAHDI_CONFIG_D4) & !abi::DAHDI_CONFIG_ESF & !abi::DAHDI_CONFIG_CCS,
            b"esf" => *lc = (*lc | abi::DAHDI_CONFIG_ESF) & !abi::DAHDI_CONFIG_D4 & !abi::DAHDI_CONFIG_CCS,
            b"ccs" => *lc = (*lc | abi::DAHDI_CONFIG_CCS) & !(abi::DAHDI_CONFIG_ESF | abi::DAHDI_CONFIG_D4),
            b"cas" => *lc &= !abi::DAHDI_CONFIG_CCS & !(abi::DAHDI_CONFIG_ESF | abi::DAHDI_CONFIG_D4),
            _ => {
                return self.bad(format!(
                    "Framing(T1)/Signalling(E1) must be one of 'd4', 'esf', 'cas' or 'ccs', not '{}'",
                    lossy(&argv[3])
                ))
            }
        }
        let lc = &mut self.pending_span.lineconfig;
        match argv[4].to_ascii_lowercase().as_slice() {
            b"ami" => {
                *lc = (*lc & !(abi::DAHDI_CONFIG_B8ZS | abi::DAHDI_CONFIG_HDB3)) | abi::DAHDI_CONFIG_AMI
            }
            b"b8zs" => {
                *lc = (*lc | abi::DAHDI_CONFIG_B8ZS) & !(abi::DAHDI_CONFIG_AMI | abi::DAHDI_CONFIG_HDB3)
            }
            b"hdb3" => {
                *lc = (*lc | abi::DAHDI_CONFIG_HDB3) & !(abi::DAHDI_CONFIG_AMI | abi::DAHDI_CONFIG_B8ZS)
            }
            _ => {
                return self
                    .bad(format!("Coding must be one of 'ami', 'b8zs' or 'hdb3', not '{}'", lossy(&argv[4])))
            }
        }
        for opt in &argv[5..] {
            let lc = &mut self.pending_span.lineconfig;
            match opt.to_ascii_lowercase().as_slice() {
                b"yellow" => *lc |= abi::DAHDI_CONFIG_NOTOPEN,
                b"crc4" => *lc |= abi::DAHDI_CONFIG_CRC4,
                b"nt" => *lc |= abi::DAHDI_CONFIG_NTTE,
                b"te" => *lc &= !abi::DAHDI_CONFIG_NTTE,
                b"term" => *lc |= abi::DAHDI_CONFIG_TERM,
                _ => {
                    return self.bad(format!(
                        "Remaining arguments may be any of: 'yellow', 'crc4', 'nt', 'te', 'term', not '{}'",
                        lossy(opt)
                    ))
                }
            }
        }
        self.pending_span.span = span;
        self.pending_span.sync = timing;
        self.conf.spans.push(self.pending_span);
        self.pending_span = DahdiLineconfig::default();
    }

    fn dspanconfig(&mut self, args: &[u8]) {
        let argv = match parseargs(args, 4, b',') {
            Some(a) if a.len() == 4 => a,
            _ => {
                return self.bad(
                    "Incorrect number of arguments to 'dynamic' (should be <driver>,<address>,<num channels>, <timing>)"
                        .into(),
                )
            }
        };
        let chans = match scan_int(&argv[2]) {
            Some(c) if c >= 1 => c,
            _ => {
                return self.bad(format!(
                    "Invalid number of channels '{}', should be a number > 0.",
                    lossy(&argv[2])
                ))
            }
        };
        let timing = match scan_int(&argv[3]) {
            Some(t) if t >= 0 => t,
            _ => return self.bad(format!("Invalid timing '{}', should be a number > 0.", lossy(&argv[3]))),
        };
        self.conf.dynamic.push(DahdiDynamicSpan {
            driver: copy_c_string(&argv[0]),
            addr: copy_c_string(&argv[1]),
            numchans: chans,
            timing,
            spanno: 0,
        });
    }

    fn registerzone(&mut self, args: &[u8]) {
        if self.conf.zones_to_load.len() >= MAX_ZONES {
            return self.bad("Too many tone zones specified".into());
        }
        let z: [u8; 10] = copy_c_string(args);
        let n = z.iter().position(|&b| b == 0).unwrap_or(z.len());
        self.conf.zones_to_load.push(z[..n].to_vec());
    }

    fn defaultzone(&mut self, args: &[u8]) {
        match zones::find(args) {
            Some(z) => self.conf.default_zone = z.zone,
            None => self.bad(format!("No such tone zone known: {}", lossy(args))),
        }
    }

    /// `apply_channels()`: marks channels; `None` (after reporting) on error.
    fn apply_channels(&mut self, chans: &mut [bool], argstr: &[u8]) -> Option<usize> {
        let max = MAX_CHANNELS as c_int - 1;
        let Some(args) = parseargs(argstr, MAX_CHANNELS, b',') else {
            self.bad(format!("Too many arguments...  Max is {MAX_CHANNELS}"));
            return None;
        };
        for a in &args {
            let shown = lossy(a);
            if a.contains(&b'-') {
                let copy = &a[..a.len().min(LINE_BUFFER - 1)];
                let range = match parseargs(copy, 2, b'-') {
                    Some(r) if r.len() == 2 => r,
                    _ => {
                        self.bad(format!("Syntax error in range '{shown}'.  Should be <val1>-<val2>."));
                        return None;
                    }
                };
                let Some(start) = scan_int(&range[0]) else {
                    self.bad(format!(
                        "Syntax error.  Start of range '{shown}' should be a number from 1 to {max}"
                    ));
                    return None;
                };
                if !(1..=max).contains(&start) {
                    self.bad(format!("Start of range '{shown}' must be between 1 and {max} (not '{start}')"));
                    return None;
                }
                let Some(finish) = scan_int(&range[1]) else {
                    self.bad(format!(
                        "Syntax error.  End of range '{shown}' should be a number from 1 to {max}"
                    ));
                    return None;
                };
                if !(1..=max).contains(&finish) {
                    self.bad(format!("end of range '{shown}' must be between 1 and {max} (not '{finish}')"));
                    return None;
                }
                if start > finish {
                    self.bad(format!("Range '{shown}' should start before it ends"));
                    return None;
                }
                for c in chans.iter_mut().take(finish as usize + 1).skip(start as usize) {
                    *c = true;
                }
            } else {
                let Some(chan) = scan_int(a) else {
                    self.bad(format!(
                        "Syntax error.  Channel should be a number from 1 to {max}, not '{shown}'"
                    ));
                    return None;
                };
                if !(1..=max).contains(&chan) {
                    self.bad(format!("Channel must be between 1 and {max} (not '{chan}')"));
                    return None;
                }
                chans[chan as usize] = true;
            }
        }
        Some(args.len())
    }

    fn parse_idle(&mut self, idle: Option<&[u8]>) -> Option<c_int> {
        if let Some(s) = idle {
            if s.len() >= 4 && s[..4].iter().all(|&b| b == b'0' || b == b'1') {
                let bits = [abi::DAHDI_ABIT, abi::DAHDI_BBIT, abi::DAHDI_CBIT, abi::DAHDI_DBIT];
                return Some(
                    s[..4].iter().zip(bits).filter(|(&b, _)| b == b'1').fold(0, |acc, (_, bit)| acc | bit),
                );
            }
        }
        self.bad(
            "CAS Signalling requires idle definition in the form ':xxxx' at the end of the channel definition, where xxxx represent the a, b, c, and d bits"
                .into(),
        );
        None
    }

    fn chanconfig(&mut self, kw: &[u8], args: &[u8]) {
        let (chanlist, idle) = strtok_two(args, b':');
        let is_dacs = kw == b"dacs" || kw == b"dacsrbs";
        let mut dacschan: usize = 0;
        if is_dacs {
            match idle.as_deref().and_then(scan_int) {
                Some(n) if n >= 1 => dacschan = n as usize,
                _ => {
                    return self.bad(
                        "DACS requires a starting channel in the form ':x' where x is the channel".into(),
                    )
                }
            }
        }
        let mut chans = vec![false; MAX_CHANNELS];
        if self.apply_channels(&mut chans, &chanlist).is_none() {
            return;
        }
        let mut master: c_int = 0;
        for x in (1..MAX_CHANNELS).filter(|&x| chans[x]) {
            if self.slineno[x] != 0 {
                let msg = format!(
                    "Channel {x} already configured as '{}' at line {}",
                    self.sig[x].unwrap_or("(null)"),
                    self.slineno[x]
                );
                self.error(ErrorKind::DuplicateChannel, msg);
                continue;
            }
            if is_dacs {
                if dacschan >= MAX_CHANNELS {
                    // dahdi_cfg writes past its tables here; we refuse instead.
                    self.bad(format!(
                        "DACS Destination channel {dacschan} must be between 1 and {}",
                        MAX_CHANNELS - 1
                    ));
                    continue;
                }
                if self.slineno[dacschan] != 0 {
                    let msg = format!(
                        "DACS Destination channel {dacschan} already configured as '{}' at line {}",
                        self.sig[dacschan].unwrap_or("(null)"),
                        self.slineno[dacschan]
                    );
                    self.error(ErrorKind::DuplicateChannel, msg);
                    continue;
                }
                self.conf.chans[dacschan].chan = dacschan as c_int;
                self.conf.chans[dacschan].master = dacschan as c_int;
                self.slineno[dacschan] = self.lineno;
            }
            let xi = x as c_int;
            self.conf.chans[x].chan = xi;
            self.conf.chans[x].master = xi;
            self.slineno[x] = self.lineno;
            let simple = |sig: c_int| (sig, abi::sig_cfg_name(sig));
            let (sigtype, name): (c_int, &'static str) = match kw {
                b"e&m" => simple(abi::DAHDI_SIG_EM),
                b"e&me1" => simple(abi::DAHDI_SIG_EM_E1),
                b"fxsls" => simple(abi::DAHDI_SIG_FXSLS),
                b"fxsgs" => simple(abi::DAHDI_SIG_FXSGS),
                b"fxsks" => simple(abi::DAHDI_SIG_FXSKS),
                b"fxols" => simple(abi::DAHDI_SIG_FXOLS),
                b"fxogs" => simple(abi::DAHDI_SIG_FXOGS),
                b"fxoks" => simple(abi::DAHDI_SIG_FXOKS),
                b"cas" | b"user" => {
                    let Some(bits) = self.parse_idle(idle.as_deref()) else {
                        return;
                    };
                    self.conf.chans[x].idlebits = bits;
                    simple(abi::DAHDI_SIG_CAS)
                }
                b"dacs" | b"dacsrbs" => {
                    let sig = if kw == b"dacs" { abi::DAHDI_SIG_DACS } else { abi::DAHDI_SIG_DACS_RBS };
                    self.conf.chans[x].idlebits = dacschan as c_int;
                    self.conf.chans[dacschan].idlebits = xi;
                    self.conf.chans[dacschan].sigtype = sig;
                    dacschan += 1;
                    simple(sig)
                }
                b"unused" => simple(abi::DAHDI_SIG_NONE),
                b"indclear" | b"bchan" => simple(abi::DAHDI_SIG_CLEAR),
                b"clear" | b"rawhdlc" | b"nethdlc" | b"fcshdlc" => {
                    let sig = match kw {
                        b"clear" => abi::DAHDI_SIG_CLEAR,
                        b"rawhdlc" => abi::DAHDI_SIG_HDLCRAW,
                        b"nethdlc" => abi::DAHDI_SIG_HDLCNET,
                        _ => abi::DAHDI_SIG_HDLCFCS,
                    };
                    if kw == b"nethdlc" {
                        self.conf.chans[x].netdev_name = [0; 16];
                    }
                    if master != 0 {
                        self.conf.chans[x].master = master;
                        (abi::DAHDI_SIG_SLAVE, abi::sig_cfg_name(sig))
                    } else {
                        if kw == b"nethdlc" {
                            if let Some(name) = &idle {
                                self.conf.chans[x].netdev_name = copy_c_string(name);
                            }
                        }
                        master = xi;
                        simple(sig)
                    }
                }
                b"dchan" => (abi::DAHDI_SIG_HDLCFCS, "D-channel"),
                b"hardhdlc" => (abi::DAHDI_SIG_HARDHDLC, "Hardware assisted D-channel"),
                _ => (abi::DAHDI_SIG_MTP2, "MTP2"),
            };
            self.conf.chans[x].sigtype = sigtype;
            self.sig[x] = Some(name);
            if ![abi::DAHDI_SIG_CAS, abi::DAHDI_SIG_DACS, abi::DAHDI_SIG_DACS_RBS].contains(&sigtype)
                && idle.is_some()
            {
                self.warning(format!("WARNING: idlebits are not valid on {name} channels."));
            }
        }
    }

    fn setlaw(&mut self, kw: &[u8], args: &[u8]) {
        let mut chans = vec![false; MAX_CHANNELS];
        if self.apply_channels(&mut chans, args).is_none() {
            return;
        }
        let law = match kw {
            b"alaw" => abi::DAHDI_LAW_ALAW,
            b"mulaw" => abi::DAHDI_LAW_MULAW,
            _ => abi::DAHDI_LAW_DEFAULT,
        };
        for (x, _) in chans.iter().enumerate().filter(|(_, &c)| c) {
            self.conf.chans[x].deflaw = law;
        }
    }

    fn setechocan(&mut self, args: &[u8]) {
        let tokens = strtok_all(args, b',');
        let mut chans = vec![false; MAX_CHANNELS];
        let Some((echocan, lists)) = tokens.split_first() else {
            return;
        };
        for list in lists {
            if self.apply_channels(&mut chans, list).is_none() {
                return;
            }
        }
        let name: [u8; 16] = copy_c_string(echocan);
        for (x, _) in chans.iter().enumerate().filter(|(_, &c)| c) {
            self.conf.echocan[x] = name;
        }
    }

    /// The pciradio keywords: validated like dahdi_cfg, remembered but not applied by us.
    fn radio_param(&mut self, kw: &[u8], args: &[u8]) {
        let name = lossy(kw);
        let nargs = if kw == b"ctcss" { 3 } else { 1 };
        let usage = match kw {
            b"ctcss" => "<rxtone>,<rxtag>,<txtone>",
            b"dcsrx" | b"rxdcs" => "<rxtone>",
            b"tx" => "<txtone>",
            _ => "<value>",
        };
        let shown_kw = match kw {
            b"rxdcs" => "dcsrx",
            b"deemp" => "de-emp",
            b"preemp" => "pre_emp",
            _ => name.as_str(),
        };
        let argv = match parseargs(args, nargs, b',') {
            Some(a) if a.len() == nargs => a,
            _ => {
                return self.bad(format!("Incorrect number of arguments to '{shown_kw}' (should be {usage})"))
            }
        };
        let invalid =
            |what: &str, v: &[u8]| format!("Invalid {what} '{}', should be a number > 0.", lossy(v));
        let positive = |v: &[u8]| scan_int(v).filter(|&n| n >= 1);
        let ok = match kw {
            b"ctcss" => {
                if positive(&argv[0]).is_none() {
                    return self.bad(invalid("rxtone", &argv[0]));
                }
                if scan_int(&argv[1]).filter(|&n| n >= 0).is_none() {
                    return self.bad(invalid("rxtag", &argv[1]));
                }
                let tx =
                    argv[2].strip_prefix(b"D").or_else(|| argv[2].strip_prefix(b"d")).unwrap_or(&argv[2]);
                if scan_int(tx).is_none() {
                    return self.bad(invalid("txtone", tx));
                }
                true
            }
            b"dcsrx" | b"rxdcs" => {
                positive(&argv[0]).is_some() || {
                    return self.bad(invalid("rxtone", &argv[0]));
                }
            }
            b"tx" => {
                let tx =
                    argv[0].strip_prefix(b"D").or_else(|| argv[0].strip_prefix(b"d")).unwrap_or(&argv[0]);
                positive(tx).is_some() || {
                    return self.bad(invalid("tx (tone)", tx));
                }
            }
            b"rxgain" | b"txgain" => scan_int(&argv[0]).is_some(),
            b"invertcor" => {
                matches!(argv[0].first(), Some(b'y' | b'Y' | b'n' | b'N'))
                    || scan_int(&argv[0]).is_some_and(|n| n >= 0)
            }
            b"exttone" => {
                matches!(argv[0].first(), Some(b'y' | b'Y' | b'n' | b'N' | b'i' | b'I'))
                    || scan_int(&argv[0]).is_some_and(|n| (0..=2).contains(&n))
            }
            b"corthresh" => scan_int(&argv[0])
                .is_some_and(|n| [3125, 6250, 9375, 12500, 15625, 18750, 21875, 25000].contains(&n)),
            _ => positive(&argv[0]).is_some(),
        };
        if !ok {
            return self.bad(invalid("value", &argv[0]));
        }
        self.conf.radio_lines.push(self.lineno);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scan_int_is_sscanf_d() {
        assert_eq!(scan_int(b" 12abc"), Some(12));
        assert_eq!(scan_int(b"-3"), Some(-3));
        assert_eq!(scan_int(b"+"), None);
        assert_eq!(scan_int(b""), None);
        assert_eq!(scan_int(b"4294967297"), Some(1));
        assert_eq!(scan_int(b"99999999999999999999999"), Some(-1));
    }

    #[test]
    fn parseargs_keeps_blanks_before_separators() {
        let a = parseargs(b"1 ,  2,3", 9, b',').unwrap();
        assert_eq!(a, vec![b"1 ".to_vec(), b"2".to_vec(), b"3".to_vec()]);
        assert_eq!(parseargs(b"1,,2", 9, b',').unwrap().len(), 3);
        assert_eq!(parseargs(b"1-15,", 9, b',').unwrap().len(), 1);
        assert!(parseargs(b"1,2,3", 2, b',').is_none());
    }

    #[test]
    fn quirks() {
        assert_eq!(parse(b"    # c\nloadzone=us\n").error_count(), 1);
        assert_eq!(parse(b"\t\n").error_count(), 1);
        assert_eq!(parse(b"\n\n#x\n    span=1,0,0,esf,b8zs\n").error_count(), 0);
        assert_eq!(parse(b"; c\n").error_count(), 1);
        assert_eq!(parse(b"span=1,1,0,ccs ,hdb3\n").error_count(), 1);
        let o = parse(b"cas=1-2:1101\nclear=3-5\nalaw=1\n");
        assert_eq!(o.error_count(), 0);
        assert_eq!(o.conf.chans[1].idlebits, 0xd);
        assert_eq!(o.conf.chans[1].deflaw, 2);
        assert_eq!(o.conf.chans[4].sigtype, abi::DAHDI_SIG_SLAVE);
        assert_eq!(o.conf.chans[4].master, 3);
        let o = parse(b"dacs=1-2:10\n");
        assert_eq!(o.conf.chans[10].idlebits, 1);
        assert_eq!(o.conf.chans[11].sigtype, abi::DAHDI_SIG_DACS);
    }
}
