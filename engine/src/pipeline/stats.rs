//! Counters the real-time threads bump with relaxed atomics (one writer each, no locks), and
//! the plain snapshot the rest of the engine reads.

use std::sync::atomic::{AtomicU64, Ordering};

/// A latency histogram in microseconds: exact below 64 µs, then 32 sub-buckets per power of two
/// (under 3 % error) up to about an hour. Fixed size; recording never allocates.
pub struct Histogram {
    buckets: Box<[AtomicU64]>,
    max_us: AtomicU64,
    count: AtomicU64,
}

const LINEAR: u64 = 64;
const SUB: u64 = 32;
const OCTAVES: u64 = 26;

fn bucket_of(us: u64) -> usize {
    if us < LINEAR {
        return us as usize;
    }
    let e = 63 - u64::from(us.leading_zeros()); // ≥ 6
    let idx = LINEAR + (e - 6) * SUB + ((us >> (e - 5)) & (SUB - 1));
    idx.min(LINEAR + OCTAVES * SUB - 1) as usize
}

/// Largest value that falls in bucket `i` (what a percentile reports).
fn bucket_top(i: usize) -> u64 {
    let i = i as u64;
    if i < LINEAR {
        return i;
    }
    let e = (i - LINEAR) / SUB + 6;
    let sub = (i - LINEAR) % SUB;
    let lo = (1u64 << e) + (sub << (e - 5));
    lo + (1u64 << (e - 5)) - 1
}

impl Default for Histogram {
    fn default() -> Self {
        Self {
            buckets: (0..LINEAR + OCTAVES * SUB).map(|_| AtomicU64::new(0)).collect(),
            max_us: AtomicU64::new(0),
            count: AtomicU64::new(0),
        }
    }
}

impl Histogram {
    /// Records one value.
    #[inline]
    pub fn record_us(&self, us: u64) {
        self.buckets[bucket_of(us)].fetch_add(1, Ordering::Relaxed);
        self.max_us.fetch_max(us, Ordering::Relaxed);
        self.count.fetch_add(1, Ordering::Relaxed);
    }

    /// Adds this histogram's counts into `into` (per-bucket sums), for merging.
    fn add_to(&self, into: &mut [u64]) -> (u64, u64) {
        for (a, b) in into.iter_mut().zip(self.buckets.iter()) {
            *a += b.load(Ordering::Relaxed);
        }
        (self.count.load(Ordering::Relaxed), self.max_us.load(Ordering::Relaxed))
    }

    /// Summary of several histograms merged.
    pub fn merged<'a>(hs: impl IntoIterator<Item = &'a Histogram>) -> LatencySummary {
        let mut sums = vec![0u64; (LINEAR + OCTAVES * SUB) as usize];
        let (mut count, mut max) = (0, 0);
        for h in hs {
            let (c, m) = h.add_to(&mut sums);
            count += c;
            max = max.max(m);
        }
        let pct = |p: f64| -> u64 {
            if count == 0 {
                return 0;
            }
            let want = ((count as f64) * p).ceil().max(1.0) as u64;
            let mut seen = 0;
            for (i, &n) in sums.iter().enumerate() {
                seen += n;
                if seen >= want {
                    return bucket_top(i).min(max);
                }
            }
            max
        };
        LatencySummary { count, p50_us: pct(0.5), p99_us: pct(0.99), p999_us: pct(0.999), max_us: max }
    }
}

/// Percentiles of a latency distribution, microseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct LatencySummary {
    /// Samples.
    pub count: u64,
    /// Median.
    pub p50_us: u64,
    /// 99th percentile.
    pub p99_us: u64,
    /// 99.9th percentile.
    pub p999_us: u64,
    /// Worst.
    pub max_us: u64,
}

/// Counters of one board I/O thread.
#[derive(Default)]
pub struct IoCounters {
    /// Ticks done.
    pub ticks: AtomicU64,
    /// Ticks that failed (the board returned an error).
    pub tick_errors: AtomicU64,
    /// Board events delivered to the bus.
    pub events: AtomicU64,
}

/// Counters of one DSP worker.
#[derive(Default)]
pub struct WorkerCounters {
    /// Ticks processed (over all boards).
    pub ticks: AtomicU64,
    /// Nanoseconds spent processing ticks.
    pub busy_ns: AtomicU64,
    /// Commands applied.
    pub commands: AtomicU64,
    /// Commands for a channel this worker does not have.
    pub bad_commands: AtomicU64,
    /// Objects that had to be freed on the worker because the trash queue was full.
    pub rt_frees: AtomicU64,
    /// Recording blocks dropped (writer queue or pool exhausted).
    pub rec_dropped: AtomicU64,
    /// From the end of a board tick to the end of this worker's processing of it.
    pub latency: Histogram,
    /// Time this worker spent processing one board tick.
    pub processing: Histogram,
}

/// Counters of the event bus.
#[derive(Default)]
pub struct BusCounters {
    /// Events delivered.
    pub sent: AtomicU64,
    /// Events dropped because the bus was full.
    pub dropped: AtomicU64,
}

/// A consistent-enough copy of every counter (each field read once, relaxed).
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct PipelineStats {
    /// Media channels.
    pub channels: usize,
    /// Ticks done per board.
    pub board_ticks: Vec<u64>,
    /// Failed board ticks.
    pub tick_errors: u64,
    /// Ticks processed per worker.
    pub worker_ticks: Vec<u64>,
    /// Received octets dropped because a channel's rx ring was full (the DSP fell behind).
    pub rx_overruns: u64,
    /// Octets sent as idle because a channel's tx ring was empty (the DSP was late).
    pub tx_underruns: u64,
    /// Octets received over all channels.
    pub rx_octets: u64,
    /// Events on the bus.
    pub events_sent: u64,
    /// Events dropped because the bus was full.
    pub events_dropped: u64,
    /// Commands refused because a worker's queue was full.
    pub commands_dropped: u64,
    /// Commands naming a channel the pipeline does not have.
    pub bad_commands: u64,
    /// Recording blocks dropped on the real-time side.
    pub rec_dropped: u64,
    /// Objects freed on a real-time thread (trash queue full).
    pub rt_frees: u64,
    /// Board tick end → worker done with it.
    pub latency: LatencySummary,
    /// Worker time per board tick.
    pub processing: LatencySummary,
    /// Seconds each worker spent processing ticks.
    pub worker_busy_s: Vec<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_monotonic_and_tight() {
        let mut last = 0;
        for us in 0..2_000_000u64 {
            let b = bucket_of(us);
            assert!(b >= last);
            last = b;
            assert!(bucket_top(b) >= us, "{us}");
            assert!(bucket_top(b) as f64 <= us as f64 * 1.04 + 1.0, "{us} {}", bucket_top(b));
        }
    }

    #[test]
    fn percentiles_of_a_known_distribution() {
        let h = Histogram::default();
        for us in 1..=1000 {
            h.record_us(us);
        }
        h.record_us(50_000);
        let s = Histogram::merged([&h]);
        assert_eq!(s.count, 1001);
        assert_eq!(s.max_us, 50_000);
        assert!((495..=520).contains(&s.p50_us), "{s:?}");
        assert!((990..=1020).contains(&s.p99_us), "{s:?}");
        assert!((999..=1031).contains(&s.p999_us), "{s:?}");
    }
}
