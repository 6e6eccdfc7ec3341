//! Call-progress tone detection (dial, ringback, busy, congestion) from per-country tables.
//!
//! A bank of Goertzel filters (only the frequencies of the configured countries) runs over
//! 40 ms windows every 20 ms (each 20 ms hop filtered once, windows combined from two hops), so 400, 425 and 450 Hz fall on each other's
//! nulls. Each 20 ms step is classified as one tone "key" (a frequency set) or nothing; runs of
//! the same key make on/off elements which [`cadence`] matches against the tables. A tone is
//! reported once its pattern has been seen for one cycle and no longer pattern with the same
//! frequencies is still possible, and again when it stops.

pub mod cadence;
pub mod gen;
pub mod tables;

use crate::dualtone::BinBank;
use crate::goertzel::sine_power;
use crate::level::DBM0_RMS;
use crate::SampleTime;
use cadence::History;
pub use tables::{all_countries, country, Country, CptTone, Freqs, ToneSpec};

/// Samples per analysis step (20 ms).
pub const HOP: usize = 160;
/// Samples per analysis window (40 ms, two steps).
pub const WINDOW: usize = 2 * HOP;
const HOP_MS: u32 = 20;
/// Off time after which the history is forgotten.
const FORGET_MS: u32 = 6500;

/// A detected call-progress tone.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct CptEvent {
    /// Which tone.
    pub tone: CptTone,
    /// Country whose table matched.
    pub country: &'static str,
    /// Sample at which the tone (its first "on") started.
    pub start: SampleTime,
    /// Sample at which the detector decided.
    pub decided: SampleTime,
    /// `None` when first reported; the end of its last "on" when it stops.
    pub end: Option<SampleTime>,
}

#[derive(Clone, Copy, Debug)]
struct Key {
    idx: [usize; 2],
    n: usize,
    thresh: f32,
}

#[derive(Clone, Debug)]
struct Entry {
    country: &'static str,
    tone: CptTone,
    key: usize,
    cadence: Vec<u32>,
    steady: u32,
    max_off: u32,
}

#[derive(Clone, Copy, Debug)]
struct Active {
    entry: usize,
    start: SampleTime,
}

/// Frequencies per Goertzel group beyond eight (one SIMD register of state per chain).
const GROUP: usize = 4;

/// The filters of [`HopBins`], sized so that few frequencies do not pay for padding and eight
/// (SIT, or several countries) run as one bank.
#[derive(Clone, Debug)]
enum Groups {
    Four(BinBank<4, HOP>),
    Eight(BinBank<8, HOP, 2>),
    Many(Vec<BinBank<GROUP, HOP>>),
}

/// Pads `c` to `N` frequencies with copies of its first (results ignored).
fn padded<const N: usize>(c: &[f32]) -> [f32; N] {
    core::array::from_fn(|i| c.get(i).or(c.first()).copied().unwrap_or(1000.0))
}

/// The Goertzel bins of a set of frequencies over 20 ms hops, and their 40 ms windows: each
/// window's value is the previous hop's rotated by `e^{jω·HOP}` plus the current hop's, so every
/// sample is filtered once rather than by two staggered banks. Allocates only when built.
#[derive(Clone, Debug)]
pub(crate) struct HopBins {
    groups: Groups,
    n: usize,
    rot_re: Vec<f32>,
    rot_im: Vec<f32>,
    prev_re: Vec<f32>,
    prev_im: Vec<f32>,
    /// Power of each frequency over the last 40 ms window (`|X(f)|²`).
    pub(crate) powers: Vec<f32>,
    /// Energy (`Σ x²`) of the last two hops, `[older, newer]`.
    pub(crate) hop_energy: [f32; 2],
    /// The hop being filled, and how much of it is.
    buf: [f32; HOP],
    pos: usize,
}

impl HopBins {
    pub(crate) fn new(freqs: &[f32]) -> Self {
        let n = freqs.len();
        let groups = match n {
            0..=4 => Groups::Four(BinBank::new(&padded(freqs))),
            5..=8 => Groups::Eight(BinBank::new(&padded(freqs))),
            _ => Groups::Many(freqs.chunks(GROUP).map(|c| BinBank::new(&padded(c))).collect()),
        };
        let w = |f: f32| core::f64::consts::TAU * f as f64 / crate::SAMPLE_RATE as f64 * HOP as f64;
        Self {
            groups,
            n,
            rot_re: freqs.iter().map(|&f| w(f).cos() as f32).collect(),
            rot_im: freqs.iter().map(|&f| w(f).sin() as f32).collect(),
            prev_re: vec![0.0; n],
            prev_im: vec![0.0; n],
            powers: vec![0.0; n],
            hop_energy: [0.0; 2],
            buf: [0.0; HOP],
            pos: 0,
        }
    }

    pub(crate) fn reset(&mut self) {
        self.prev_re.iter_mut().for_each(|v| *v = 0.0);
        self.prev_im.iter_mut().for_each(|v| *v = 0.0);
        self.hop_energy = [0.0; 2];
        self.pos = 0;
    }

    /// Takes samples from the front of `x` until the current hop is full. Returns how many it
    /// took and whether a hop was completed (then [`HopBins::powers`] and
    /// [`HopBins::hop_energy`] describe it).
    pub(crate) fn push(&mut self, x: &[i16]) -> (usize, bool) {
        let take = (HOP - self.pos).min(x.len());
        let pos = self.pos;
        for (b, &v) in self.buf[pos..pos + take].iter_mut().zip(&x[..take]) {
            *b = v as f32;
        }
        self.pos += take;
        if self.pos < HOP {
            return (take, false);
        }
        self.pos = 0;
        self.hop();
        (take, true)
    }

    /// Combines one group's hop results (frequencies `first..`) with the previous hop's.
    fn combine(&mut self, first: usize, re: &[f32], im: &[f32]) {
        for (i, (&r, &m)) in re.iter().zip(im).enumerate() {
            let j = first + i;
            if j >= self.n {
                break;
            }
            let (pr, pi) = (self.prev_re[j], self.prev_im[j]);
            let (rr, ri) = (self.rot_re[j], self.rot_im[j]);
            let wr = rr * pr - ri * pi + r;
            let wi = rr * pi + ri * pr + m;
            self.powers[j] = wr * wr + wi * wi;
            self.prev_re[j] = r;
            self.prev_im[j] = m;
        }
    }

    /// Takes the complete hop in `buf`: updates [`HopBins::powers`] and [`HopBins::hop_energy`].
    fn hop(&mut self) {
        let energy = crate::dualtone::energy(&self.buf);
        if self.n > 0 {
            match &self.groups {
                Groups::Four(b) => {
                    let f = b.bins(&self.buf);
                    self.combine(0, &f.re, &f.im);
                }
                Groups::Eight(b) => {
                    let f = b.bins(&self.buf);
                    self.combine(0, &f.re, &f.im);
                }
                Groups::Many(_) => {
                    let mut g = 0;
                    while let Groups::Many(v) = &self.groups {
                        let Some(b) = v.get(g) else { break };
                        let f = b.bins(&self.buf);
                        self.combine(g * GROUP, &f.re, &f.im);
                        g += 1;
                    }
                }
            }
        }
        self.hop_energy = [self.hop_energy[1], energy];
    }
}

/// Call-progress tone detector for one channel.
#[derive(Clone, Debug)]
pub struct CptDetector {
    bins: HopBins,
    keys: Vec<Key>,
    entries: Vec<Entry>,
    hop: u64,
    t: SampleTime,
    min_power: f32,
    hist: History,
    hist_key: Option<usize>,
    prev_raw: Option<usize>,
    active: Option<Active>,
    last_on_end: SampleTime,
}

/// Error for an unknown country code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownCountry(pub String);

impl core::fmt::Display for UnknownCountry {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "unknown country code {:?}", self.0)
    }
}

impl std::error::Error for UnknownCountry {}

impl CptDetector {
    /// A detector for the built-in tables of `codes` (usually one country).
    pub fn for_countries(codes: &[&str]) -> Result<Self, UnknownCountry> {
        let mut cs = Vec::new();
        for c in codes {
            cs.push(country(c).ok_or_else(|| UnknownCountry(c.to_string()))?);
        }
        Ok(Self::new(&cs))
    }

    /// A detector for the given parsed tables.
    pub fn new(countries: &[Country]) -> Self {
        let mut freqs: Vec<f32> = Vec::new();
        let mut fidx = |f: f32| match freqs.iter().position(|&g| (g - f).abs() < 0.5) {
            Some(i) => i,
            None => {
                freqs.push(f);
                freqs.len() - 1
            }
        };
        let mut keys: Vec<Key> = Vec::new();
        let mut entries = Vec::new();
        for c in countries {
            for t in &c.tones {
                let (p, n) = t.freqs.primary();
                let idx = [fidx(p[0]), if n == 2 { fidx(p[1]) } else { usize::MAX }];
                let thresh = if matches!(t.freqs, Freqs::Modulated { .. }) { 0.5 } else { 0.7 };
                let key = match keys.iter().position(|k| k.n == n && k.idx == idx) {
                    Some(k) => {
                        keys[k].thresh = keys[k].thresh.min(thresh);
                        k
                    }
                    None => {
                        keys.push(Key { idx, n, thresh });
                        keys.len() - 1
                    }
                };
                entries.push(Entry {
                    country: c.code,
                    tone: t.tone,
                    key,
                    cadence: t.cadence.clone(),
                    steady: 0,
                    max_off: t.cadence.iter().skip(1).step_by(2).copied().max().unwrap_or(0),
                });
            }
        }
        // A steady tone must outlast every "on" of the other tones with the same frequencies.
        for i in 0..entries.len() {
            let max_on = entries
                .iter()
                .filter(|e| e.key == entries[i].key)
                .flat_map(|e| e.cadence.iter().step_by(2).copied())
                .max()
                .unwrap_or(0);
            entries[i].steady = cadence::steady_ms(max_on);
        }
        Self {
            bins: HopBins::new(&freqs),
            keys,
            entries,
            hop: 0,
            t: 0,
            min_power: DBM0_RMS * DBM0_RMS * 10f32.powf(-42.0 / 10.0),
            hist: History::default(),
            hist_key: None,
            prev_raw: None,
            active: None,
            last_on_end: 0,
        }
    }

    /// Sets the quietest tone (total, in dBm0) that is still considered (default −42 dBm0).
    pub fn set_min_level(&mut self, dbm0: f32) {
        self.min_power = DBM0_RMS * DBM0_RMS * 10f32.powf(dbm0 / 10.0);
    }

    /// Forgets everything heard (new call); keeps the configuration.
    pub fn reset(&mut self) {
        self.bins.reset();
        self.hop = 0;
        self.t = 0;
        self.hist.clear();
        self.hist_key = None;
        self.prev_raw = None;
        self.active = None;
    }

    /// Samples consumed so far.
    pub fn now(&self) -> SampleTime {
        self.t
    }

    /// Feeds samples; `on_event` is called for each tone decided or ended.
    pub fn process(&mut self, x: &[i16], mut on_event: impl FnMut(CptEvent)) {
        let mut rest = x;
        while !rest.is_empty() {
            let (take, full) = self.bins.push(rest);
            rest = &rest[take..];
            self.t += take as u64;
            if full {
                self.end_of_hop(&mut on_event);
                self.hop += 1;
            }
        }
    }

    fn classify(&mut self) -> Option<usize> {
        if self.hop == 0 {
            return None;
        }
        let ms = (self.bins.hop_energy[0] + self.bins.hop_energy[1]) / WINDOW as f32;
        if ms < self.min_power {
            return None;
        }
        let mut best = None;
        let mut best_score = 0.0;
        for (k, key) in self.keys.iter().enumerate() {
            let mut sum = 0.0;
            let mut min = f32::MAX;
            for &i in &key.idx[..key.n] {
                let fr = sine_power(self.bins.powers[i], WINDOW) / ms;
                sum += fr;
                min = min.min(fr);
            }
            if sum >= key.thresh && (key.n == 1 || min >= 0.2) && sum > best_score {
                best_score = sum;
                best = Some(k);
            }
        }
        best
    }

    fn end_of_hop(&mut self, on_event: &mut impl FnMut(CptEvent)) {
        let raw = self.classify();
        // A different frequency set must hold for two steps (edges of a tone smear its spectrum).
        let key = match raw {
            Some(k) if self.hist_key.is_some_and(|h| h != k) && self.prev_raw != Some(k) => None,
            _ => raw,
        };
        self.prev_raw = raw;
        // Elements start about half a window before the step that first shows them.
        let at = self.t.saturating_sub(200);
        match (key, self.hist.last().copied()) {
            (Some(k), _) if self.hist_key != Some(k) => {
                self.finish(on_event);
                self.hist.clear();
                self.hist_key = Some(k);
                self.hist.push(true, at, HOP_MS);
            }
            (Some(_), Some(l)) if !l.on => self.hist.push(true, at, HOP_MS),
            (None, Some(l)) if l.on => {
                self.last_on_end = at;
                self.hist.push(false, at, HOP_MS);
            }
            (_, Some(_)) => {
                if let Some(l) = self.hist.last_mut() {
                    l.ms += HOP_MS;
                }
            }
            (None, None) => {}
            (Some(_), None) => {}
        }
        if let Some(l) = self.hist.last() {
            if !l.on && l.ms > FORGET_MS {
                self.finish(on_event);
                self.hist.clear();
                self.hist_key = None;
                return;
            }
        }
        if let Some(a) = self.active {
            if self.still_active(a.entry) {
                return;
            }
            self.finish(on_event);
        }
        self.decide(on_event);
    }

    fn still_active(&self, entry: usize) -> bool {
        let e = &self.entries[entry];
        let els = self.hist.elements();
        let Some(last) = els.last() else { return false };
        if e.cadence.is_empty() {
            return last.on || last.ms <= 300;
        }
        if !last.on && last.ms > cadence::hi(e.max_off) {
            return false;
        }
        let n = els.len();
        n < 2 || cadence::element_allowed(&e.cadence, &els[n - 2])
    }

    fn finish(&mut self, on_event: &mut impl FnMut(CptEvent)) {
        if let Some(a) = self.active.take() {
            let e = &self.entries[a.entry];
            let end = match self.hist.last() {
                Some(l) if l.on => self.t,
                _ => self.last_on_end,
            };
            on_event(CptEvent {
                tone: e.tone,
                country: e.country,
                start: a.start,
                decided: self.t,
                end: Some(end),
            });
        }
    }

    fn decide(&mut self, on_event: &mut impl FnMut(CptEvent)) {
        let Some(key) = self.hist_key else { return };
        let mut choice: Option<usize> = None;
        for (i, e) in self.entries.iter().enumerate() {
            if e.key != key || cadence::matched(&e.cadence, e.steady, &self.hist).is_none() {
                continue;
            }
            let longer = match choice {
                None => true,
                Some(c) => self.entries[c].cadence.len() < e.cadence.len(),
            };
            if longer {
                choice = Some(i);
            }
        }
        let Some(winner) = choice else { return };
        // Wait while a different, not yet complete pattern with these frequencies is possible.
        let waiting = self.entries.iter().any(|e| {
            e.key == key
                && e.cadence != self.entries[winner].cadence
                && cadence::matched(&e.cadence, e.steady, &self.hist).is_none()
                && cadence::alive(&e.cadence, &self.hist)
        });
        if waiting {
            return;
        }
        let start = self.hist.elements().iter().find(|e| e.on).map(|e| e.start).unwrap_or(0);
        self.active = Some(Active { entry: winner, start });
        let e = &self.entries[winner];
        on_event(CptEvent { tone: e.tone, country: e.country, start, decided: self.t, end: None });
    }
}

impl CptEvent {
    /// The common event form (`value` = `dial`/`ringback`/`busy`/`congestion`, with the country).
    pub fn to_tone_event(&self) -> crate::event::ToneEvent {
        use crate::event::{DetectorKind, Label, ToneEvent};
        let mut e = ToneEvent::new(
            DetectorKind::Cpt,
            Label::new(self.tone.name()),
            self.start,
            self.end,
            self.decided,
        );
        let c = self.country.as_bytes();
        if c.len() == 2 {
            e.country = Some([c[0], c[1]]);
        }
        e
    }
}

impl crate::event::Detector for CptDetector {
    fn kind(&self) -> crate::event::DetectorKind {
        crate::event::DetectorKind::Cpt
    }

    fn reset(&mut self) {
        CptDetector::reset(self);
    }

    fn process(&mut self, samples: &[i16], emit: &mut dyn FnMut(crate::event::ToneEvent)) {
        CptDetector::process(self, samples, |e| emit(e.to_tone_event()));
    }

    fn now(&self) -> SampleTime {
        self.t
    }
}
