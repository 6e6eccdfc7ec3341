//! Digit collection (an IVR menu, an account number): digits from the DTMF detector, ended by a
//! maximum count, a terminator key, or a first-digit / inter-digit timeout. Sans-IO: fed digits
//! and the time, asked for its deadline.

use serde::Serialize;

/// What to collect.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CollectSpec {
    /// Stop after this many digits (0: no limit; a terminator or a timeout ends it).
    pub max_digits: usize,
    /// Keys that end the collection (not included in the digits), e.g. `"#"`.
    pub terminators: String,
    /// How long to wait for the first digit (ms).
    pub first_digit_timeout_ms: u64,
    /// How long to wait for each further digit (ms).
    pub inter_digit_timeout_ms: u64,
}

impl CollectSpec {
    /// `n` digits, 5 s for the first, 3 s between, no terminator.
    pub fn digits(n: usize) -> Self {
        Self {
            max_digits: n,
            terminators: String::new(),
            first_digit_timeout_ms: 5_000,
            inter_digit_timeout_ms: 3_000,
        }
    }
}

/// Why a collection ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CollectEnd {
    /// `max_digits` were collected.
    MaxDigits,
    /// A terminator key was pressed.
    Terminator(char),
    /// No digit came within the first-digit timeout.
    FirstDigitTimeout,
    /// Some digits came, then none within the inter-digit timeout.
    InterDigitTimeout,
}

/// Why a collection could not start.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CollectError {
    /// Neither a digit limit, a terminator nor a timeout would ever end it.
    #[error("collect would never end: set max_digits, a terminator or a timeout")]
    Endless,
    /// A terminator that DTMF cannot carry.
    #[error("terminator {0:?} is not a DTMF key (0-9 * # A-D)")]
    BadTerminator(char),
}

/// One collection in progress.
#[derive(Clone, Debug)]
pub struct Collector {
    spec: CollectSpec,
    started: u64,
    last: Option<u64>,
    digits: String,
}

fn is_key(c: char) -> bool {
    c.is_ascii_digit() || matches!(c, '*' | '#' | 'A'..='D')
}

impl Collector {
    /// Starts collecting at `now` (ms).
    pub fn new(spec: CollectSpec, now: u64) -> Result<Self, CollectError> {
        if let Some(c) = spec.terminators.chars().find(|&c| !is_key(c)) {
            return Err(CollectError::BadTerminator(c));
        }
        if spec.max_digits == 0 && spec.terminators.is_empty() && spec.first_digit_timeout_ms == 0 {
            return Err(CollectError::Endless);
        }
        Ok(Self { spec, started: now, last: None, digits: String::new() })
    }

    /// Digits so far.
    pub fn digits(&self) -> &str {
        &self.digits
    }

    /// A key was pressed at `now`; returns why the collection ended, if it did.
    pub fn on_digit(&mut self, d: char, now: u64) -> Option<CollectEnd> {
        if self.spec.terminators.contains(d) {
            return Some(CollectEnd::Terminator(d));
        }
        self.digits.push(d);
        self.last = Some(now);
        (self.spec.max_digits > 0 && self.digits.chars().count() >= self.spec.max_digits)
            .then_some(CollectEnd::MaxDigits)
    }

    /// When the running timeout expires (`None`: no timeout applies).
    pub fn deadline(&self) -> Option<u64> {
        match self.last {
            None if self.spec.first_digit_timeout_ms > 0 => {
                Some(self.started + self.spec.first_digit_timeout_ms)
            }
            Some(t) if self.spec.inter_digit_timeout_ms > 0 => Some(t + self.spec.inter_digit_timeout_ms),
            _ => None,
        }
    }

    /// Checks the timeouts at `now`.
    pub fn on_time(&mut self, now: u64) -> Option<CollectEnd> {
        let due = self.deadline().is_some_and(|d| now >= d);
        due.then(|| {
            if self.last.is_none() {
                CollectEnd::FirstDigitTimeout
            } else {
                CollectEnd::InterDigitTimeout
            }
        })
    }

    /// The digits, ending the collection.
    pub fn into_digits(self) -> String {
        self.digits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(max: usize, term: &str) -> CollectSpec {
        CollectSpec {
            max_digits: max,
            terminators: term.into(),
            first_digit_timeout_ms: 5000,
            inter_digit_timeout_ms: 2000,
        }
    }

    #[test]
    fn ends_on_count_terminator_and_timeouts() {
        let mut c = Collector::new(spec(3, "#"), 0).unwrap();
        assert_eq!(c.on_digit('1', 100), None);
        assert_eq!(c.on_digit('2', 200), None);
        assert_eq!(c.on_digit('3', 300), Some(CollectEnd::MaxDigits));
        assert_eq!(c.digits(), "123");

        let mut c = Collector::new(spec(0, "#"), 0).unwrap();
        c.on_digit('4', 10);
        assert_eq!(c.on_digit('#', 20), Some(CollectEnd::Terminator('#')));
        assert_eq!(c.digits(), "4");

        let mut c = Collector::new(spec(4, ""), 1000).unwrap();
        assert_eq!(c.on_time(5999), None);
        assert_eq!(c.on_time(6000), Some(CollectEnd::FirstDigitTimeout));

        let mut c = Collector::new(spec(4, ""), 0).unwrap();
        c.on_digit('9', 3000);
        assert_eq!(c.deadline(), Some(5000));
        assert_eq!(c.on_time(4999), None);
        assert_eq!(c.on_time(5000), Some(CollectEnd::InterDigitTimeout));
    }

    #[test]
    fn refuses_endless_and_bad_terminators() {
        let s = CollectSpec {
            max_digits: 0,
            terminators: String::new(),
            first_digit_timeout_ms: 0,
            inter_digit_timeout_ms: 0,
        };
        assert_eq!(Collector::new(s, 0).unwrap_err(), CollectError::Endless);
        assert_eq!(Collector::new(spec(1, "x"), 0).unwrap_err(), CollectError::BadTerminator('x'));
    }
}
