//! Per-country call-progress tone definitions in the `indications.conf` notation
//! (`f`, `f1+f2` dual, `f*m` amplitude-modulated; `/ms` durations; `0/ms` silence).
//!
//! Facts from ITU-T E.180 (Supplement 2, "Various tones used in national networks") as collected
//! in Asterisk's `indications.conf`; Hong Kong, Canada and Korea from E.180 directly.

/// The four call-progress tones every country defines.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum CptTone {
    /// Line ready for dialling.
    Dial,
    /// The far end is being rung (ringback, "audible ringing").
    Ringback,
    /// The far end is busy (engaged).
    Busy,
    /// The network is congested (reorder, fast busy).
    Congestion,
}

impl CptTone {
    /// Lower-case name used by `trunkctl analyze` (`dial`, `ringback`, `busy`, `congestion`).
    pub fn name(self) -> &'static str {
        match self {
            CptTone::Dial => "dial",
            CptTone::Ringback => "ringback",
            CptTone::Busy => "busy",
            CptTone::Congestion => "congestion",
        }
    }

    /// All four, in table order.
    pub const ALL: [CptTone; 4] = [CptTone::Dial, CptTone::Ringback, CptTone::Busy, CptTone::Congestion];
}

/// One country's four tones: (code, name, dial, ringback, busy, congestion).
pub type CountryRow = (&'static str, &'static str, &'static str, &'static str, &'static str, &'static str);

/// The built-in countries (ISO 3166 alpha-2 code, lower case; `uk` for Great Britain).
pub const COUNTRIES: &[CountryRow] = &[
    ("at", "Austria", "420", "420/1000,0/5000", "420/400,0/400", "420/200,0/200"),
    (
        "au",
        "Australia",
        "413+438",
        "413+438/400,0/200,413+438/400,0/2000",
        "425/375,0/375",
        "425/375,0/375,425/375,0/375",
    ),
    ("be", "Belgium", "425", "425/1000,0/3000", "425/500,0/500", "425/167,0/167"),
    ("bg", "Bulgaria", "425", "425/1000,0/4000", "425/500,0/500", "425/250,0/250"),
    ("br", "Brazil", "425", "425/1000,0/4000", "425/250,0/250", "425/250,0/250,425/750,0/250"),
    ("ca", "Canada", "350+440", "440+480/2000,0/4000", "480+620/500,0/500", "480+620/250,0/250"),
    ("ch", "Switzerland", "425", "425/1000,0/4000", "425/500,0/500", "425/200,0/200"),
    ("cl", "Chile", "400", "400/1000,0/3000", "400/500,0/500", "400/200,0/200"),
    ("cn", "China", "450", "450/1000,0/4000", "450/350,0/350", "450/700,0/700"),
    (
        "cz",
        "Czech Republic",
        "425/330,0/330,425/660,0/660",
        "425/1000,0/4000",
        "425/330,0/330",
        "425/165,0/165",
    ),
    ("de", "Germany", "425", "425/1000,0/4000", "425/480,0/480", "425/240,0/240"),
    ("dk", "Denmark", "425", "425/1000,0/4000", "425/500,0/500", "425/200,0/200"),
    ("ee", "Estonia", "425", "425/1000,0/4000", "425/300,0/300", "425/200,0/200"),
    ("es", "Spain", "425", "425/1500,0/3000", "425/200,0/200", "425/200,0/200,425/200,0/200,425/200,0/600"),
    ("fi", "Finland", "425", "425/1000,0/4000", "425/300,0/300", "425/200,0/200"),
    ("fr", "France", "440", "440/1500,0/3500", "440/500,0/500", "440/250,0/250"),
    ("gr", "Greece", "425/200,0/300,425/700,0/800", "425/1000,0/4000", "425/300,0/300", "425/200,0/200"),
    (
        "hk",
        "Hong Kong",
        "350+440",
        "440+480/400,0/200,440+480/400,0/3000",
        "480+620/500,0/500",
        "480+620/250,0/250",
    ),
    ("hu", "Hungary", "425", "425/1250,0/3750", "425/300,0/300", "425/300,0/300"),
    ("id", "Indonesia", "425", "425/1000,0/4000", "425/500,0/500", "425/250,0/250"),
    ("il", "Israel", "414", "414/1000,0/3000", "414/500,0/500", "414/250,0/250"),
    ("in", "India", "400*25", "400*25/400,0/200,400*25/400,0/2000", "400/750,0/750", "400/250,0/250"),
    ("it", "Italy", "425/200,0/200,425/600,0/1000", "425/1000,0/4000", "425/500,0/500", "425/200,0/200"),
    ("jp", "Japan", "400", "400*16/1000,0/2000", "400/500,0/500", "400/500,0/500"),
    ("kr", "Korea", "350+440", "440+480/1000,0/2000", "480+620/500,0/500", "480+620/300,0/200"),
    ("lt", "Lithuania", "425", "425/1000,0/4000", "425/350,0/350", "425/200,0/200"),
    ("mx", "Mexico", "425", "425/1000,0/4000", "425/250,0/250", "425/250,0/250"),
    ("my", "Malaysia", "425", "425/400,0/200,425/400,0/2000", "425/500,0/500", "425/500,0/500"),
    ("nl", "Netherlands", "425", "425/1000,0/4000", "425/500,0/500", "425/250,0/250"),
    ("no", "Norway", "425", "425/1000,0/4000", "425/500,0/500", "425/200,0/200"),
    ("nz", "New Zealand", "400", "400+450/400,0/200,400+450/400,0/2000", "400/500,0/500", "400/250,0/250"),
    ("ph", "Philippines", "425", "425+480/1000,0/4000", "480+620/500,0/500", "480+620/250,0/250"),
    ("pl", "Poland", "425", "425/1000,0/4000", "425/500,0/500", "425/500,0/500"),
    ("pt", "Portugal", "425", "425/1000,0/5000", "425/500,0/500", "425/200,0/200"),
    ("ru", "Russia", "425", "425/1000,0/4000", "425/350,0/350", "425/175,0/175"),
    ("se", "Sweden", "425", "425/1000,0/5000", "425/250,0/250", "425/250,0/750"),
    ("sg", "Singapore", "425", "425*24/400,0/200,425*24/400,0/2000", "425/750,0/750", "425/250,0/250"),
    ("th", "Thailand", "400*50", "420/1000,0/5000", "400/500,0/500", "400/300,0/300"),
    ("tw", "Taiwan", "350+440", "440+480/1000,0/2000", "480+620/500,0/500", "480+620/250,0/250"),
    (
        "uk",
        "United Kingdom",
        "350+440",
        "400+450/400,0/200,400+450/400,0/2000",
        "400/375,0/375",
        "400/400,0/350,400/225,0/525",
    ),
    ("us", "United States", "350+440", "440+480/2000,0/4000", "480+620/500,0/500", "480+620/250,0/250"),
    ("ve", "Venezuela", "425", "425/1000,0/4000", "425/500,0/500", "425/250,0/250"),
    ("za", "South Africa", "400*33", "400*33/400,0/200,400*33/400,0/2000", "400/500,0/500", "400/250,0/250"),
];

/// The frequency content of a tone.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Freqs {
    /// One sine.
    Single(f32),
    /// Two sines of equal level.
    Dual(f32, f32),
    /// A carrier amplitude-modulated by a low frequency (`400*25`).
    Modulated {
        /// Carrier in Hz.
        carrier: f32,
        /// Modulating frequency in Hz.
        by: f32,
    },
}

impl Freqs {
    /// The frequencies a detector looks for (the carrier only for modulated tones).
    pub fn primary(&self) -> ([f32; 2], usize) {
        match *self {
            Freqs::Single(f) => ([f, 0.0], 1),
            Freqs::Dual(a, b) => ([a.min(b), a.max(b)], 2),
            Freqs::Modulated { carrier, .. } => ([carrier, 0.0], 1),
        }
    }
}

/// A parsed tone: its frequencies and its cadence (`on, off, on, off…` in ms; empty = steady).
#[derive(Clone, Debug, PartialEq)]
pub struct ToneSpec {
    /// Which tone this is.
    pub tone: CptTone,
    /// Frequency content (the same for every "on" element).
    pub freqs: Freqs,
    /// Alternating on/off durations in ms, starting with "on"; empty for a continuous tone.
    pub cadence: Vec<u32>,
}

/// A country's parsed table.
#[derive(Clone, Debug, PartialEq)]
pub struct Country {
    /// Two-letter code (`de`, `uk`…).
    pub code: &'static str,
    /// English name.
    pub name: &'static str,
    /// Dial, ringback, busy, congestion, in that order.
    pub tones: Vec<ToneSpec>,
}

/// Why a tone list did not parse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError(pub String);

impl core::fmt::Display for ParseError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "bad tone list: {}", self.0)
    }
}

impl std::error::Error for ParseError {}

fn parse_freqs(s: &str) -> Result<Freqs, ParseError> {
    let num = |t: &str| t.trim().parse::<f32>().map_err(|_| ParseError(s.to_string()));
    if let Some((a, b)) = s.split_once('+') {
        Ok(Freqs::Dual(num(a)?, num(b)?))
    } else if let Some((a, b)) = s.split_once('*') {
        Ok(Freqs::Modulated { carrier: num(a)?, by: num(b)? })
    } else {
        Ok(Freqs::Single(num(s)?))
    }
}

/// Parses one `indications.conf` tone list (`425/1000,0/4000`) into a [`ToneSpec`].
///
/// Every "on" element must have the same frequencies; "on" and "off" must alternate.
pub fn parse_tone(tone: CptTone, list: &str) -> Result<ToneSpec, ParseError> {
    let mut freqs = None;
    let mut cadence = Vec::new();
    for el in list.split(',') {
        let el = el.trim().trim_start_matches('!');
        let (f, dur) = match el.split_once('/') {
            Some((f, d)) => (f, Some(d.trim().parse::<u32>().map_err(|_| ParseError(list.to_string()))?)),
            None => (el, None),
        };
        let on = f.trim() != "0";
        if on {
            let fr = parse_freqs(f)?;
            if freqs.is_some_and(|x| x != fr) {
                return Err(ParseError(format!("{list}: mixed frequencies")));
            }
            freqs = Some(fr);
        }
        match dur {
            Some(d) => {
                if (cadence.len() % 2 == 0) != on {
                    return Err(ParseError(format!("{list}: on/off must alternate")));
                }
                cadence.push(d);
            }
            None if on && cadence.is_empty() => {}
            None => return Err(ParseError(format!("{list}: missing duration"))),
        }
    }
    if cadence.len() % 2 != 0 {
        return Err(ParseError(format!("{list}: odd cadence")));
    }
    let freqs = freqs.ok_or_else(|| ParseError(format!("{list}: no tone")))?;
    Ok(ToneSpec { tone, freqs, cadence: shortest_period(cadence) })
}

/// Reduces a cadence that repeats itself (`375,375,375,375`) to one period (`375,375`).
fn shortest_period(c: Vec<u32>) -> Vec<u32> {
    let n = c.len();
    for p in (2..n).step_by(2) {
        if n % p == 0 && (p..n).all(|i| c[i] == c[i - p]) {
            return c[..p].to_vec();
        }
    }
    c
}

/// Looks up and parses a built-in country by code (`"de"`).
pub fn country(code: &str) -> Option<Country> {
    let row = COUNTRIES.iter().find(|r| r.0.eq_ignore_ascii_case(code))?;
    parse_row(row).ok()
}

/// Parses one table row.
pub fn parse_row(row: &CountryRow) -> Result<Country, ParseError> {
    let (code, name, d, r, b, c) = *row;
    Ok(Country {
        code,
        name,
        tones: vec![
            parse_tone(CptTone::Dial, d)?,
            parse_tone(CptTone::Ringback, r)?,
            parse_tone(CptTone::Busy, b)?,
            parse_tone(CptTone::Congestion, c)?,
        ],
    })
}

/// All built-in countries, parsed.
pub fn all_countries() -> Vec<Country> {
    COUNTRIES.iter().filter_map(|r| parse_row(r).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_parses() {
        for row in COUNTRIES {
            let c = parse_row(row).unwrap_or_else(|e| panic!("{}: {e}", row.0));
            assert_eq!(c.tones.len(), 4);
        }
        assert!(COUNTRIES.len() >= 40);
        let uk = country("uk").unwrap();
        assert_eq!(uk.tones[3].cadence, vec![400, 350, 225, 525]);
        assert_eq!(country("in").unwrap().tones[0].freqs, Freqs::Modulated { carrier: 400.0, by: 25.0 });
    }
}
