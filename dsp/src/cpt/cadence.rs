//! Cadence matching: a short history of on/off elements (durations in ms) compared with
//! `on, off, on, off…` patterns at every rotation, with a tolerance of ±12 % + 40 ms.

use crate::SampleTime;

/// How many elements of history are kept (enough for the longest built-in cadence, twice).
pub const HISTORY: usize = 16;

/// One observed element: tone on or off for `ms`, closed once the next one started.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Element {
    /// Tone present.
    pub on: bool,
    /// Duration so far in ms.
    pub ms: u32,
    /// Ended (a later element exists).
    pub closed: bool,
    /// First sample of the element.
    pub start: SampleTime,
}

/// Shortest acceptable duration for a nominal `ms`.
#[inline]
pub fn lo(ms: u32) -> u32 {
    (ms as f32 * 0.88 - 40.0).max(0.0) as u32
}

/// Longest acceptable duration for a nominal `ms`.
#[inline]
pub fn hi(ms: u32) -> u32 {
    (ms as f32 * 1.12 + 40.0) as u32
}

/// Fixed-size history of elements, oldest first (no allocation).
#[derive(Clone, Debug, Default)]
pub struct History {
    buf: [Element; HISTORY],
    len: usize,
}

impl History {
    /// Empty history.
    pub fn clear(&mut self) {
        self.len = 0;
    }

    /// Number of elements (the last may be open).
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when nothing has been observed.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Elements, oldest first.
    pub fn elements(&self) -> &[Element] {
        &self.buf[..self.len]
    }

    /// The newest element.
    pub fn last(&self) -> Option<&Element> {
        self.elements().last()
    }

    /// Mutable newest element.
    pub fn last_mut(&mut self) -> Option<&mut Element> {
        let n = self.len;
        if n == 0 {
            None
        } else {
            Some(&mut self.buf[n - 1])
        }
    }

    /// Closes the open element (if any) and opens a new one; drops the oldest when full.
    pub fn push(&mut self, on: bool, start: SampleTime, ms: u32) {
        if let Some(l) = self.last_mut() {
            l.closed = true;
        }
        if self.len == HISTORY {
            self.buf.copy_within(1.., 0);
            self.len -= 1;
        }
        self.buf[self.len] = Element { on, ms, closed: false, start };
        self.len += 1;
    }
}

/// Does `w` (oldest first) fit `pat` started at rotation `r`? The open last element must be
/// in range when `complete`, else only not too long.
fn fits(pat: &[u32], r: usize, w: &[Element], complete: bool) -> bool {
    let l = pat.len();
    w.iter().enumerate().all(|(i, e)| {
        let k = (r + i) % l;
        let p = pat[k];
        if (k % 2 == 0) != e.on {
            return false;
        }
        if e.closed || complete {
            e.ms >= lo(p) && e.ms <= hi(p)
        } else {
            e.ms <= hi(p)
        }
    })
}

/// Milliseconds a steady tone must last before it is called continuous.
pub fn steady_ms(others_max_on: u32) -> u32 {
    hi(others_max_on).max(560) + 40
}

/// Whether the history ends with one full cycle of `pat`; returns the index of the window's
/// first element. A continuous pattern (empty `pat`) needs a single open "on" of `steady` ms.
pub fn matched(pat: &[u32], steady: u32, h: &History) -> Option<usize> {
    let e = h.elements();
    let n = e.len();
    if pat.is_empty() {
        return (n >= 1 && e[n - 1].on && !e[n - 1].closed && e[n - 1].ms >= steady).then_some(n - 1);
    }
    // One full cycle, closed, then the start of the next element (so a single on/off pair
    // of speech cannot pass for a cadence).
    let l = pat.len();
    if n > l && !e[n - 1].closed {
        let w = &e[n - 1 - l..];
        let ok = (0..l).any(|r| {
            let next = pat[(r + l) % l];
            fits(pat, r, w, false) && e[n - 1].ms >= lo(next).min(120)
        });
        if ok {
            return Some(n - 1 - l);
        }
    }
    None
}

/// Whether the history could still turn into `pat` (the newest elements are consistent with it).
pub fn alive(pat: &[u32], h: &History) -> bool {
    let e = h.elements();
    let n = e.len();
    if n == 0 {
        return true;
    }
    if pat.is_empty() {
        return n == 1 && e[0].on && !e[0].closed;
    }
    let l = pat.len();
    let w = &e[n.saturating_sub(l)..];
    (0..l).any(|r| fits(pat, r, w, false))
}

/// Whether a closed element could belong to `pat` at all (used to notice a tone has changed).
pub fn element_allowed(pat: &[u32], el: &Element) -> bool {
    if pat.is_empty() {
        return el.on;
    }
    pat.iter().enumerate().any(|(k, &p)| (k % 2 == 0) == el.on && el.ms >= lo(p) && el.ms <= hi(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hist(els: &[(bool, u32)], open_last: bool) -> History {
        let mut h = History::default();
        for &(on, ms) in els {
            h.push(on, 0, ms);
        }
        if !open_last {
            h.push(!els.last().map(|e| e.0).unwrap_or(false), 0, 0);
        }
        h
    }

    #[test]
    fn busy_matches_after_one_cycle() {
        let h = hist(&[(true, 500), (false, 420)], true);
        assert!(matched(&[500, 500], 0, &h).is_none());
        let h = hist(&[(true, 500), (false, 500), (true, 140)], true);
        assert!(matched(&[500, 500], 0, &h).is_some());
        assert!(matched(&[250, 250], 0, &h).is_none());
        assert!(!alive(&[250, 250], &h));
    }

    #[test]
    fn uk_congestion_keeps_busy_waiting() {
        let h = hist(&[(true, 400), (false, 340), (true, 140)], true);
        assert!(matched(&[375, 375], 0, &h).is_some());
        assert!(alive(&[400, 350, 225, 525], &h));
        let h = hist(&[(true, 400), (false, 350), (true, 225), (false, 520), (true, 140)], true);
        assert!(matched(&[400, 350, 225, 525], 0, &h).is_some());
        assert!(!alive(&[375, 375], &h));
    }
}
