//! Virtual time for sans-IO protocol cores and a timer table indexed by a per-protocol enum.

use std::fmt;
use std::marker::PhantomData;
use std::ops::{Add, Sub};

/// A point in virtual time, or a duration, in milliseconds since an arbitrary epoch (the start of
/// the span). Protocol cores never read a clock; the runtime (or a test `Pair`) passes `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Ms(pub u64);

impl Ms {
    /// Zero: the epoch, or an empty duration.
    pub const ZERO: Ms = Ms(0);

    /// A duration of `s` seconds.
    pub const fn secs(s: u64) -> Ms {
        Ms(s * 1000)
    }

    /// Time elapsed from `earlier` to `self`, zero if `earlier` is later.
    pub fn saturating_since(self, earlier: Ms) -> Ms {
        Ms(self.0.saturating_sub(earlier.0))
    }
}

impl Add for Ms {
    type Output = Ms;
    fn add(self, rhs: Ms) -> Ms {
        Ms(self.0.saturating_add(rhs.0))
    }
}

impl Sub for Ms {
    type Output = Ms;
    fn sub(self, rhs: Ms) -> Ms {
        Ms(self.0.saturating_sub(rhs.0))
    }
}

impl fmt::Display for Ms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}ms", self.0)
    }
}

/// An enum of the timers of one protocol, usable as an index into a [`TimerTable`].
pub trait TimerId: Copy + fmt::Debug {
    /// Number of timers (variants).
    const COUNT: usize;
    /// Dense index of this timer, `0..COUNT`.
    fn index(self) -> usize;
    /// The timer with dense index `i` (`i < COUNT`).
    fn from_index(i: usize) -> Self;
}

/// Deadlines of one protocol instance, one optional slot per timer (quinn-proto's `TimerTable`).
#[derive(Debug, Clone)]
pub struct TimerTable<T: TimerId> {
    slots: Vec<Option<Ms>>,
    _timer: PhantomData<T>,
}

impl<T: TimerId> Default for TimerTable<T> {
    fn default() -> Self {
        Self { slots: vec![None; T::COUNT], _timer: PhantomData }
    }
}

impl<T: TimerId> TimerTable<T> {
    /// Arms `timer` to fire at `deadline` (re-arming replaces the previous deadline).
    pub fn set(&mut self, timer: T, deadline: Ms) {
        self.slots[timer.index()] = Some(deadline);
    }

    /// Disarms `timer`.
    pub fn stop(&mut self, timer: T) {
        self.slots[timer.index()] = None;
    }

    /// Disarms every timer.
    pub fn stop_all(&mut self) {
        self.slots.iter_mut().for_each(|s| *s = None);
    }

    /// Deadline of `timer`, if armed.
    pub fn get(&self, timer: T) -> Option<Ms> {
        self.slots[timer.index()]
    }

    /// Whether `timer` is armed.
    pub fn is_running(&self, timer: T) -> bool {
        self.get(timer).is_some()
    }

    /// The earliest armed deadline.
    pub fn next_timeout(&self) -> Option<Ms> {
        self.slots.iter().flatten().min().copied()
    }

    /// Disarms and returns one timer whose deadline is at or before `now`, earliest first.
    pub fn expire_one(&mut self, now: Ms) -> Option<T> {
        let (i, _) = self
            .slots
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.map(|d| (i, d)))
            .filter(|&(_, d)| d <= now)
            .min_by_key(|&(_, d)| d)?;
        self.slots[i] = None;
        Some(T::from_index(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq)]
    enum T {
        A,
        B,
    }
    impl TimerId for T {
        const COUNT: usize = 2;
        fn index(self) -> usize {
            self as usize
        }
        fn from_index(i: usize) -> Self {
            if i == 0 {
                T::A
            } else {
                T::B
            }
        }
    }

    #[test]
    fn expires_earliest_first() {
        let mut t = TimerTable::<T>::default();
        t.set(T::B, Ms(5));
        t.set(T::A, Ms(7));
        assert_eq!(t.next_timeout(), Some(Ms(5)));
        assert_eq!(t.expire_one(Ms(4)), None);
        assert_eq!(t.expire_one(Ms(10)), Some(T::B));
        assert_eq!(t.expire_one(Ms(10)), Some(T::A));
        assert_eq!(t.expire_one(Ms(10)), None);
    }
}
