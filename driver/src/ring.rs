//! Per-channel SPSC rings between the board I/O thread and the rest of the engine.
//!
//! Each channel has an rx ring (board → engine) and a tx ring (engine → board) of G.711 octets,
//! plus, beside the audio, its CAS bits (two atomics) and, for D-channels, HDLC frame rings
//! (length-prefixed frames in a byte ring, so the board side never allocates). The board side
//! never blocks: an rx ring that is full drops the newest octets and counts an overrun; a tx ring
//! that runs dry transmits the idle pattern and counts an underrun.

use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::Arc;

use ringbuf::traits::{Consumer, Observer, Producer, Split};
use ringbuf::wrap::Wrap;
use ringbuf::{HeapCons, HeapProd, HeapRb};

/// Counters of one channel, readable from any thread. Only the board end writes them.
#[derive(Debug, Default)]
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

/// CAS bits shared between both ends (low nibble = ABCD, A is bit 3).
#[derive(Debug, Default)]
pub struct CasBits {
    /// Bits the engine wants transmitted.
    pub tx: AtomicU8,
    /// Bits last received (debounced) from the line.
    pub rx: AtomicU8,
}

/// Sizes of a channel's rings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RingConfig {
    /// Audio octets per direction (e.g. 1,600 = 200 ms at 8 kHz).
    pub audio: usize,
    /// Bytes of HDLC frame ring per direction (0 for voice channels).
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
    rx: HeapProd<u8>,
    tx: HeapCons<u8>,
    frames_rx: Option<HeapProd<u8>>,
    frames_tx: Option<HeapCons<u8>>,
    /// Counters (shared with the engine end).
    pub stats: Arc<ChannelStats>,
    /// CAS bits (shared with the engine end).
    pub cas: Arc<CasBits>,
    idle: u8,
}

/// The engine's end of a channel.
pub struct EngineEnd {
    /// Received octets.
    pub rx: HeapCons<u8>,
    /// Octets to send.
    pub tx: HeapProd<u8>,
    frames_rx: Option<HeapCons<u8>>,
    frames_tx: Option<HeapProd<u8>>,
    /// Counters (shared with the board end).
    pub stats: Arc<ChannelStats>,
    /// CAS bits (shared with the board end).
    pub cas: Arc<CasBits>,
}

/// Creates both ends of one channel's rings.
pub fn channel_rings(cfg: RingConfig) -> (BoardEnd, EngineEnd) {
    let (rx_p, rx_c) = HeapRb::<u8>::new(cfg.audio.max(1)).split();
    let (tx_p, tx_c) = HeapRb::<u8>::new(cfg.audio.max(1)).split();
    let (frx_p, frx_c, ftx_p, ftx_c) = if cfg.frames > 0 {
        let (a, b) = HeapRb::<u8>::new(cfg.frames).split();
        let (c, d) = HeapRb::<u8>::new(cfg.frames).split();
        (Some(a), Some(b), Some(c), Some(d))
    } else {
        (None, None, None, None)
    };
    let stats = Arc::new(ChannelStats::default());
    let cas = Arc::new(CasBits::default());
    (
        BoardEnd {
            rx: rx_p,
            tx: tx_c,
            frames_rx: frx_p,
            frames_tx: ftx_c,
            stats: stats.clone(),
            cas: cas.clone(),
            idle: cfg.idle,
        },
        EngineEnd { rx: rx_c, tx: tx_p, frames_rx: frx_c, frames_tx: ftx_p, stats, cas },
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
        let tx = self.tx.rb();
        let rx = self.rx.rb();
        prefetch(tx as *const _ as *const u8, std::mem::size_of_val(tx));
        prefetch(rx as *const _ as *const u8, std::mem::size_of_val(rx));
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
        self.cas.tx.load(Ordering::Relaxed) & 0x0F
    }

    /// Stores newly received CAS bits.
    #[inline]
    pub fn set_rx_cas(&self, abcd: u8) {
        self.cas.rx.store(abcd & 0x0F, Ordering::Relaxed);
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
        self.cas.tx.store(abcd & 0x0F, Ordering::Relaxed);
    }

    /// The CAS bits last received.
    pub fn rx_cas(&self) -> u8 {
        self.cas.rx.load(Ordering::Relaxed)
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

fn pop_frame(c: &mut HeapCons<u8>, buf: &mut [u8; MAX_FRAME]) -> Option<usize> {
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
