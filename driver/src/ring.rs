//! Per-channel SPSC rings between the board I/O thread and the rest of the engine.
//!
//! Each channel has an rx ring (board → engine) and a tx ring (engine → board) of G.711 octets,
//! plus, beside the audio, its CAS bits (two atomics) and, for D-channels, HDLC frame rings
//! (length-prefixed frames in a byte ring, so the board side never allocates). The audio rings
//! are laid out for the board's tick ([`OctetProd`], [`OctetCons`]: both rings' bookkeeping in
//! one cache line, power-of-two storage); all rings are used through `ringbuf`'s traits. The board side
//! never blocks: an rx ring that is full drops the newest octets and counts an overrun; a tx ring
//! that runs dry transmits the idle pattern and counts an underrun.

mod octet;

use std::cell::UnsafeCell;
use std::mem::MaybeUninit;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use ringbuf::storage::Storage;
use ringbuf::traits::{Consumer, Observer, Producer, Split};
use ringbuf::{CachingCons, CachingProd, SharedRb};

pub use octet::{OctetCons, OctetProd};

/// Heap storage of a power-of-two number of items for a `ringbuf` ring.
///
/// `ringbuf` takes its ring indices modulo the storage length (and twice that) on every push
/// and pop: about three integer divisions per operation when the length is only known at run
/// time (as with its `HeapRb`). This storage reports its length as `1 << shift`, so once
/// `ringbuf`'s generic code is inlined the compiler sees a power of two and turns every `/`
/// and `%` into a shift or a mask, with the crate's own (tested) ring logic unchanged.
pub struct Pow2Heap<T> {
    data: Box<[UnsafeCell<MaybeUninit<T>>]>,
    shift: u32,
}

impl<T> Pow2Heap<T> {
    /// Storage for at least `min_len` items (at least 1), rounded up to a power of two.
    pub fn new(min_len: usize) -> Self {
        let len = min_len.max(1).next_power_of_two();
        let data = (0..len).map(|_| UnsafeCell::new(MaybeUninit::uninit())).collect();
        Self { data, shift: len.trailing_zeros() }
    }
}

// SAFETY: the storage only hands out raw pointers; `SharedRb` guarantees that the producer and
// the consumer access disjoint parts of it, so sharing it between threads is sound whenever the
// items themselves may move between threads (the same bound as `ringbuf`'s own `Heap`).
#[allow(unsafe_code)]
unsafe impl<T: Send> Sync for Pow2Heap<T> {}

// SAFETY: the items are a contiguous boxed slice that this struct alone owns (no aliasing with
// the struct itself); `as_mut_ptr` points at its first item through `UnsafeCell`, which is what
// permits writing through a pointer obtained from `&self`; `len` is `data.len()` (a power of two,
// fixed at construction, never changed), as the trait requires.
#[allow(unsafe_code)]
unsafe impl<T> Storage for Pow2Heap<T> {
    type Item = T;

    #[inline]
    fn as_mut_ptr(&self) -> *mut MaybeUninit<T> {
        UnsafeCell::raw_get(self.data.as_ptr())
    }

    #[inline]
    fn len(&self) -> usize {
        1usize << self.shift
    }
}

/// A `ringbuf` shared ring of octets on [`Pow2Heap`] storage (the HDLC frame rings).
pub type FrameRb = SharedRb<Pow2Heap<u8>>;
/// The producing end of a [`FrameRb`].
pub type FrameProd = CachingProd<Arc<FrameRb>>;
/// The consuming end of a [`FrameRb`].
pub type FrameCons = CachingCons<Arc<FrameRb>>;

/// A frame ring of at least `min_len` octets (rounded up to a power of two), split in its two
/// ends.
fn frame_ring(min_len: usize) -> (FrameProd, FrameCons) {
    #[allow(unsafe_code)]
    // SAFETY: fresh storage and both indices 0: an empty ring, nothing initialised or to drop
    // (and `u8` needs no drop anyway).
    let rb = unsafe { FrameRb::from_raw_parts(Pow2Heap::new(min_len), 0, 0) };
    rb.split()
}

/// Counters of one channel, readable from any thread. Only the board end writes them. Aligned
/// to a cache line of its own (the board updates it every tick).
#[derive(Debug, Default)]
#[repr(align(64))]
pub struct ChannelStats {
    /// Octets the board received from the line.
    pub rx_octets: AtomicU64,
    /// Octets the board sent to the line from the tx ring.
    pub tx_octets: AtomicU64,
    /// Received octets dropped because the rx ring was full.
    pub rx_overruns: AtomicU64,
    /// Octets transmitted as idle because the tx ring was empty.
    pub tx_underruns: AtomicU64,
    /// Received HDLC frames dropped because the frame ring was full.
    pub frames_dropped: AtomicU64,
}

impl ChannelStats {
    /// A plain copy of the counters.
    pub fn snapshot(&self) -> ChannelStatsSnapshot {
        ChannelStatsSnapshot {
            rx_octets: self.rx_octets.load(Ordering::Relaxed),
            tx_octets: self.tx_octets.load(Ordering::Relaxed),
            rx_overruns: self.rx_overruns.load(Ordering::Relaxed),
            tx_underruns: self.tx_underruns.load(Ordering::Relaxed),
            frames_dropped: self.frames_dropped.load(Ordering::Relaxed),
        }
    }
}

/// A copy of [`ChannelStats`] at one moment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ChannelStatsSnapshot {
    /// See [`ChannelStats::rx_octets`].
    pub rx_octets: u64,
    /// See [`ChannelStats::tx_octets`].
    pub tx_octets: u64,
    /// See [`ChannelStats::rx_overruns`].
    pub rx_overruns: u64,
    /// See [`ChannelStats::tx_underruns`].
    pub tx_underruns: u64,
    /// See [`ChannelStats::frames_dropped`].
    pub frames_dropped: u64,
}

/// Sizes of a channel's rings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RingConfig {
    /// Audio octets each ring holds (e.g. 1,600 = 200 ms at 8 kHz), in each direction.
    pub audio: usize,
    /// Bytes of HDLC frame ring per direction (0 for voice channels; rounded up to a power of
    /// two).
    pub frames: usize,
    /// The octet sent when the tx ring is empty (0xD5 A-law silence, 0xFF µ-law, 0x7E flags).
    pub idle: u8,
}

impl Default for RingConfig {
    fn default() -> Self {
        Self { audio: 1600, frames: 0, idle: 0xD5 }
    }
}

/// Largest HDLC frame (with its 2 FCS octets) the frame rings carry.
pub const MAX_FRAME: usize = 1024;

/// The board's end of a channel.
pub struct BoardEnd {
    rx: OctetProd,
    tx: OctetCons,
    frames_rx: Option<FrameProd>,
    frames_tx: Option<FrameCons>,
    /// Counters (shared with the engine end).
    pub stats: Arc<ChannelStats>,
    idle: u8,
}

/// The engine's end of a channel.
pub struct EngineEnd {
    /// Received octets (up to [`RingConfig::audio`] of them).
    pub rx: OctetCons,
    /// Octets to send (up to [`RingConfig::audio`] of them).
    pub tx: OctetProd,
    frames_rx: Option<FrameCons>,
    frames_tx: Option<FrameProd>,
    /// Counters (shared with the board end).
    pub stats: Arc<ChannelStats>,
}

/// Creates both ends of one channel's rings.
pub fn channel_rings(cfg: RingConfig) -> (BoardEnd, EngineEnd) {
    let block = octet::channel_block(cfg.audio);
    let (rx_p, rx_c) = octet::ends(&block, octet::RX);
    let (tx_p, tx_c) = octet::ends(&block, octet::TX);
    let (frx_p, frx_c, ftx_p, ftx_c) = if cfg.frames > 0 {
        let (a, b) = frame_ring(cfg.frames);
        let (c, d) = frame_ring(cfg.frames);
        (Some(a), Some(b), Some(c), Some(d))
    } else {
        (None, None, None, None)
    };
    let stats = Arc::new(ChannelStats::default());
    (
        BoardEnd {
            rx: rx_p,
            tx: tx_c,
            frames_rx: frx_p,
            frames_tx: ftx_c,
            stats: stats.clone(),
            idle: cfg.idle,
        },
        EngineEnd { rx: rx_c, tx: tx_p, frames_rx: frx_c, frames_tx: ftx_p, stats },
    )
}

/// Hints the CPU to fetch the cache lines of `len` octets from `p` (a pure performance hint:
/// never faults, changes nothing the program can observe).
#[inline(always)]
fn prefetch(p: *const u8, len: usize) {
    #[cfg(target_arch = "x86_64")]
    for off in (0..len).step_by(64) {
        #[allow(unsafe_code)]
        // SAFETY: PREFETCHT0 is part of SSE (x86_64 baseline) and is only a hint: it does not
        // fault and has no architectural effect whatever the address, so wrapping_add suffices.
        unsafe {
            core::arch::x86_64::_mm_prefetch::<{ core::arch::x86_64::_MM_HINT_T0 }>(
                p.wrapping_add(off) as *const i8
            )
        };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (p, len);
}

/// Adds to a counter that only the board end writes: a plain load and store (the engine end
/// only reads), without a locked read-modify-write on every ring access.
#[inline]
fn bump(c: &AtomicU64, by: u64) {
    c.store(c.load(Ordering::Relaxed).wrapping_add(by), Ordering::Relaxed);
}

impl BoardEnd {
    /// Delivers received octets; what does not fit is dropped and counted as overrun.
    #[inline]
    pub fn push_rx(&mut self, data: &[u8]) {
        let n = self.rx.push_slice(data);
        bump(&self.stats.rx_octets, data.len() as u64);
        if n < data.len() {
            bump(&self.stats.rx_overruns, (data.len() - n) as u64);
        }
    }

    /// Octets the engine has queued for transmission.
    #[inline]
    pub fn tx_queued(&self) -> usize {
        self.tx.occupied_len()
    }

    /// Fills `out` with octets to transmit; missing ones are the idle octet, counted as underrun.
    #[inline]
    pub fn pull_tx(&mut self, out: &mut [u8]) {
        let n = self.tx.pop_slice(out);
        bump(&self.stats.tx_octets, n as u64);
        if n < out.len() {
            out[n..].fill(self.idle);
            bump(&self.stats.tx_underruns, (out.len() - n) as u64);
        }
    }

    /// Hints the CPU to fetch this channel's ring bookkeeping and counters, ahead of
    /// [`BoardEnd::pull_tx`] and [`BoardEnd::push_rx`] (no effect on their outcome).
    #[inline]
    pub fn prefetch_meta(&self) {
        // Both rings' indices are in the block's first line.
        prefetch(Arc::as_ptr(self.rx.block()) as *const u8, 64);
        prefetch(Arc::as_ptr(&self.stats) as *const u8, std::mem::size_of::<ChannelStats>());
    }

    /// Fills `out` with octets to transmit, or idle, without counting underruns (for channels
    /// nobody has opened).
    #[inline]
    pub fn pull_tx_quiet(&mut self, out: &mut [u8]) {
        let n = self.tx.pop_slice(out);
        out[n..].fill(self.idle);
    }

    /// The CAS bits the engine wants transmitted.
    #[inline]
    pub fn tx_cas(&self) -> u8 {
        self.rx.block().cas_tx.load(Ordering::Relaxed) & 0x0F
    }

    /// Stores newly received CAS bits.
    #[inline]
    pub fn set_rx_cas(&self, abcd: u8) {
        self.rx.block().cas_rx.store(abcd & 0x0F, Ordering::Relaxed);
    }

    /// Delivers a received HDLC frame (with its 2 FCS octets). False if it was dropped.
    pub fn push_rx_frame(&mut self, frame: &[u8]) -> bool {
        let Some(p) = self.frames_rx.as_mut() else { return false };
        if frame.len() > MAX_FRAME || p.vacant_len() < frame.len() + 2 {
            bump(&self.stats.frames_dropped, 1);
            return false;
        }
        p.push_slice(&(frame.len() as u16).to_le_bytes());
        p.push_slice(frame);
        true
    }

    /// Takes the next frame to transmit (payload without FCS) into `buf`; returns its length.
    pub fn pop_tx_frame(&mut self, buf: &mut [u8; MAX_FRAME]) -> Option<usize> {
        pop_frame(self.frames_tx.as_mut()?, buf)
    }
}

impl EngineEnd {
    /// Sets the CAS bits to transmit (low nibble ABCD).
    pub fn set_tx_cas(&self, abcd: u8) {
        self.tx.block().cas_tx.store(abcd & 0x0F, Ordering::Relaxed);
    }

    /// The CAS bits last received.
    pub fn rx_cas(&self) -> u8 {
        self.tx.block().cas_rx.load(Ordering::Relaxed)
    }

    /// The CAS bits last set to transmit (low nibble ABCD).
    pub fn tx_cas(&self) -> u8 {
        self.tx.block().cas_tx.load(Ordering::Relaxed) & 0x0F
    }

    /// Queues an HDLC frame (payload; the board appends the FCS). False if there is no room.
    pub fn send_frame(&mut self, frame: &[u8]) -> bool {
        let Some(p) = self.frames_tx.as_mut() else { return false };
        if frame.len() > MAX_FRAME - 2 || p.vacant_len() < frame.len() + 2 {
            return false;
        }
        p.push_slice(&(frame.len() as u16).to_le_bytes());
        p.push_slice(frame);
        true
    }

    /// Takes the next received frame (with its 2 FCS octets, as DAHDI delivers it).
    pub fn recv_frame(&mut self, buf: &mut [u8; MAX_FRAME]) -> Option<usize> {
        pop_frame(self.frames_rx.as_mut()?, buf)
    }
}

fn pop_frame(c: &mut FrameCons, buf: &mut [u8; MAX_FRAME]) -> Option<usize> {
    if c.occupied_len() < 2 {
        return None;
    }
    let mut len = [0u8; 2];
    c.pop_slice(&mut len);
    let n = u16::from_le_bytes(len) as usize;
    let got = c.pop_slice(&mut buf[..n]);
    debug_assert_eq!(got, n);
    Some(got)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ringbuf::traits::{Consumer, Producer};

    #[test]
    fn overrun_and_underrun_are_counted_never_blocking() {
        let (mut b, mut e) = channel_rings(RingConfig { audio: 8, frames: 0, idle: 0xD5 });
        b.push_rx(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        assert_eq!(e.stats.snapshot().rx_overruns, 2);
        let mut got = [0u8; 16];
        assert_eq!(e.rx.pop_slice(&mut got), 8);
        assert_eq!(&got[..8], &[1, 2, 3, 4, 5, 6, 7, 8]);
        e.tx.push_slice(&[9, 9]);
        let mut out = [0u8; 5];
        b.pull_tx(&mut out);
        assert_eq!(out, [9, 9, 0xD5, 0xD5, 0xD5]);
        assert_eq!(b.stats.snapshot().tx_underruns, 3);
    }

    #[test]
    fn frames_travel_whole_and_in_order() {
        let (mut b, mut e) = channel_rings(RingConfig { audio: 8, frames: 64, idle: 0x7E });
        assert!(e.send_frame(&[1, 2, 3]));
        assert!(e.send_frame(&[4]));
        let mut buf = [0u8; MAX_FRAME];
        assert_eq!(b.pop_tx_frame(&mut buf), Some(3));
        assert_eq!(&buf[..3], &[1, 2, 3]);
        assert_eq!(b.pop_tx_frame(&mut buf), Some(1));
        assert_eq!(b.pop_tx_frame(&mut buf), None);
        assert!(b.push_rx_frame(&[7; 40]));
        assert!(!b.push_rx_frame(&[7; 40]), "no room for a second frame");
        assert_eq!(e.stats.snapshot().frames_dropped, 1);
        assert_eq!(e.recv_frame(&mut buf), Some(40));
    }
}
