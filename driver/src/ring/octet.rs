//! The two audio rings of one channel (rx: board → engine, tx: engine → board) as one SPSC pair
//! laid out for the board's tick.
//!
//! A board touches every open channel's rings once per tick, thousands of channels one after the
//! other, so what a ring operation costs is mostly the cache lines it misses. `ringbuf`'s
//! `HeapRb` spends three lines of bookkeeping per ring (its read index and its write index
//! each padded to their own line, the storage pointer on a third) plus about three integer
//! divisions per operation (indices modulo a run-time capacity). Here both rings of a channel
//! share one 64-byte line holding all four indices, the storage pointer, the capacity and the
//! CAS bits; storage sizes are powers of two, so indices are free-running counters reduced with
//! a mask. The capacity each ring enforces is still exactly the configured one.
//!
//! The ends implement `ringbuf`'s `Observer`/`Producer`/`Consumer` traits (with `ringbuf`'s
//! index convention: indices modulo twice the storage size), so code written against `ringbuf`
//! works unchanged; `push_slice`, `pop_slice` and the length queries are specialised.

use std::cell::UnsafeCell;
use std::mem::MaybeUninit;
use std::num::NonZeroUsize;
use std::ops::Range;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::Arc;

use ringbuf::traits::{Consumer, Observer, Producer};

/// Ring 0 carries received octets (the board produces), ring 1 octets to send (the engine
/// produces).
pub(crate) const RX: usize = 0;
/// See [`RX`].
pub(crate) const TX: usize = 1;

/// Indices of one ring: free-running counts of octets written and read (wrapping at
/// `usize::MAX`, a multiple of every storage size).
#[repr(C)]
struct Indices {
    write: AtomicUsize,
    read: AtomicUsize,
}

/// What both ends of a channel's rings share: one cache line of bookkeeping, then the storage.
#[repr(C, align(64))]
pub(crate) struct ChannelBlock {
    idx: [Indices; 2],
    /// Ring `k` occupies `storage[k << shift .. (k + 1) << shift]`.
    storage: Box<[UnsafeCell<MaybeUninit<u8>>]>,
    /// Octets each ring holds at most (≤ its storage size).
    cap: usize,
    /// log2 of each ring's storage size.
    shift: u32,
    /// CAS bits the engine wants transmitted (low nibble ABCD).
    pub(crate) cas_tx: AtomicU8,
    /// CAS bits last received (debounced).
    pub(crate) cas_rx: AtomicU8,
}

// SAFETY: the storage is only reached through `OctetProd`/`OctetCons`, of which exactly one of
// each exists per ring (created together in `channel_block`, neither `Clone`). A producer only
// writes the free part of its ring (between the write index and the read index plus the
// capacity) and publishes it with a release store of the write index; a consumer only reads the
// occupied part (which it learnt with an acquire load of the write index) and hands it back with
// a release store of the read index, which the producer acquires before reusing it. So no octet
// is ever accessed by two threads at once without that happens-before edge; everything else is
// atomics or immutable after construction.
#[allow(unsafe_code)]
unsafe impl Sync for ChannelBlock {}

impl ChannelBlock {
    #[inline]
    fn size(&self) -> usize {
        1usize << self.shift
    }

    /// Pointer to octet `pos` (any free-running index) of ring `ring`.
    #[inline]
    fn slot(&self, ring: usize, pos: usize) -> *mut u8 {
        let off = (ring << self.shift) | (pos & (self.size() - 1));
        // In bounds: `off < 2 << shift == storage.len()`.
        UnsafeCell::raw_get(self.storage[off..].as_ptr()).cast()
    }

    /// Where the octets `from .. from + len` of ring `ring` lie in its storage: the part up to
    /// the end of the storage and the part that wrapped to its start.
    #[inline]
    fn split(&self, from: usize, len: usize) -> (usize, usize) {
        let first = (self.size() - (from & (self.size() - 1))).min(len);
        (first, len - first)
    }

    /// Storage offsets (within ring `ring`) of `ringbuf` indices `start..end`, taken modulo
    /// twice the storage size as `ringbuf` does: the first range, and the one that wrapped.
    fn ranges(&self, start: usize, end: usize) -> (Range<usize>, Range<usize>) {
        let size = self.size();
        let (head, tail) = (start & (size - 1), end & (size - 1));
        if (start ^ end) & size == 0 {
            (head..tail, 0..0)
        } else {
            (head..size, 0..tail)
        }
    }

    /// The octets of ring `ring` at storage offsets `r` (within that ring).
    ///
    /// # Safety
    /// The caller must own that part of the ring for the lifetime of the slice (see the `Sync`
    /// impl): a producer its free part, a consumer its occupied part.
    #[allow(unsafe_code, clippy::mut_from_ref)]
    unsafe fn slice_mut(&self, ring: usize, r: Range<usize>) -> &mut [MaybeUninit<u8>] {
        let base = ring << self.shift;
        let cells = &self.storage[base + r.start..base + r.end];
        // SAFETY: `UnsafeCell<MaybeUninit<u8>>` has the layout of `MaybeUninit<u8>`; the cells
        // are in bounds (checked by the slicing above) and the caller guarantees exclusive use.
        unsafe { std::slice::from_raw_parts_mut(UnsafeCell::raw_get(cells.as_ptr()), cells.len()) }
    }
}

/// Creates the rings of one channel, each holding `cap` octets (at least 1).
pub(crate) fn channel_block(cap: usize) -> Arc<ChannelBlock> {
    let cap = cap.max(1);
    let size = cap.next_power_of_two();
    let storage = (0..2 * size).map(|_| UnsafeCell::new(MaybeUninit::new(0))).collect();
    Arc::new(ChannelBlock {
        idx: [
            Indices { write: AtomicUsize::new(0), read: AtomicUsize::new(0) },
            Indices { write: AtomicUsize::new(0), read: AtomicUsize::new(0) },
        ],
        storage,
        cap,
        shift: size.trailing_zeros(),
        cas_tx: AtomicU8::new(0),
        cas_rx: AtomicU8::new(0),
    })
}

/// The producing end of one of a channel's audio rings (use `ringbuf::traits::Producer`).
pub struct OctetProd {
    block: Arc<ChannelBlock>,
    ring: usize,
}

/// The consuming end of one of a channel's audio rings (use `ringbuf::traits::Consumer`).
pub struct OctetCons {
    block: Arc<ChannelBlock>,
    ring: usize,
}

/// Both ends of ring `ring` of `block`. Must be called once per ring (see the `Sync` impl).
pub(crate) fn ends(block: &Arc<ChannelBlock>, ring: usize) -> (OctetProd, OctetCons) {
    (OctetProd { block: block.clone(), ring }, OctetCons { block: block.clone(), ring })
}

impl OctetProd {
    /// The octets this ring holds at most (its configured capacity).
    pub fn max_len(&self) -> usize {
        self.block.cap
    }

    pub(crate) fn block(&self) -> &Arc<ChannelBlock> {
        &self.block
    }

    #[inline]
    fn idx(&self) -> &Indices {
        &self.block.idx[self.ring]
    }

    /// (write, read): our own index, then the consumer's (which only moves towards ours).
    #[inline]
    fn load(&self) -> (usize, usize) {
        let w = self.idx().write.load(Ordering::Relaxed);
        (w, self.idx().read.load(Ordering::Acquire))
    }
}

impl OctetCons {
    /// The octets this ring holds at most (its configured capacity).
    pub fn max_len(&self) -> usize {
        self.block.cap
    }

    #[inline]
    fn idx(&self) -> &Indices {
        &self.block.idx[self.ring]
    }

    /// (write, read): the producer's index (acquired: what it published is visible), then ours.
    #[inline]
    fn load(&self) -> (usize, usize) {
        let r = self.idx().read.load(Ordering::Relaxed);
        (self.idx().write.load(Ordering::Acquire), r)
    }
}

/// Moves a free-running index to the position `value` (a `ringbuf` index, modulo `modulus`)
/// that lies at most `modulus` ahead of it.
#[inline]
fn advance_to(current: usize, value: usize, modulus: usize) -> usize {
    current.wrapping_add(value.wrapping_sub(current) & (modulus - 1))
}

macro_rules! observer {
    ($t:ty) => {
        impl Observer for $t {
            type Item = u8;

            #[inline]
            fn capacity(&self) -> NonZeroUsize {
                NonZeroUsize::MIN.saturating_add(self.block.size() - 1)
            }

            #[inline]
            fn read_index(&self) -> usize {
                self.idx().read.load(Ordering::Acquire) & (2 * self.block.size() - 1)
            }

            #[inline]
            fn write_index(&self) -> usize {
                self.idx().write.load(Ordering::Acquire) & (2 * self.block.size() - 1)
            }

            #[allow(unsafe_code)]
            unsafe fn unsafe_slices(
                &self,
                start: usize,
                end: usize,
            ) -> (&[MaybeUninit<u8>], &[MaybeUninit<u8>]) {
                let (a, b) = self.block.ranges(start, end);
                // SAFETY: forwarded from the caller (ringbuf's contract for this method).
                unsafe { (&*self.block.slice_mut(self.ring, a), &*self.block.slice_mut(self.ring, b)) }
            }

            #[allow(unsafe_code)]
            unsafe fn unsafe_slices_mut(
                &self,
                start: usize,
                end: usize,
            ) -> (&mut [MaybeUninit<u8>], &mut [MaybeUninit<u8>]) {
                let (a, b) = self.block.ranges(start, end);
                // SAFETY: forwarded from the caller (ringbuf's contract for this method).
                unsafe { (self.block.slice_mut(self.ring, a), self.block.slice_mut(self.ring, b)) }
            }

            fn read_is_held(&self) -> bool {
                true
            }

            fn write_is_held(&self) -> bool {
                true
            }

            #[inline]
            fn occupied_len(&self) -> usize {
                let (w, r) = self.load();
                w.wrapping_sub(r)
            }

            #[inline]
            fn vacant_len(&self) -> usize {
                self.block.cap - self.occupied_len()
            }

            #[inline]
            fn is_empty(&self) -> bool {
                self.occupied_len() == 0
            }

            #[inline]
            fn is_full(&self) -> bool {
                self.vacant_len() == 0
            }
        }
    };
}

observer!(OctetProd);
observer!(OctetCons);

impl Producer for OctetProd {
    #[allow(unsafe_code)]
    unsafe fn set_write_index(&self, value: usize) {
        let i = self.idx();
        let w = i.write.load(Ordering::Relaxed);
        i.write.store(advance_to(w, value, 2 * self.block.size()), Ordering::Release);
    }

    /// The free part of the ring, limited to the configured capacity.
    fn vacant_slices(&self) -> (&[MaybeUninit<u8>], &[MaybeUninit<u8>]) {
        let w = self.idx().write.load(Ordering::Relaxed);
        let n = self.vacant_len();
        // SAFETY: the free part belongs to the producer; ringbuf's contract for the slices.
        #[allow(unsafe_code)]
        unsafe {
            self.unsafe_slices(w, w.wrapping_add(n))
        }
    }

    /// The free part of the ring, limited to the configured capacity.
    fn vacant_slices_mut(&mut self) -> (&mut [MaybeUninit<u8>], &mut [MaybeUninit<u8>]) {
        let w = self.idx().write.load(Ordering::Relaxed);
        let n = self.vacant_len();
        // SAFETY: the free part belongs to the producer, which `&mut self` holds exclusively.
        #[allow(unsafe_code)]
        unsafe {
            self.unsafe_slices_mut(w, w.wrapping_add(n))
        }
    }

    /// Copies as much of `elems` as fits; returns how many octets were queued.
    #[inline]
    fn push_slice(&mut self, elems: &[u8]) -> usize {
        let b = &*self.block;
        let i = &b.idx[self.ring];
        let w = i.write.load(Ordering::Relaxed);
        let r = i.read.load(Ordering::Acquire);
        let n = elems.len().min(b.cap - w.wrapping_sub(r));
        let (first, second) = b.split(w, n);
        #[allow(unsafe_code)]
        // SAFETY: octets w..w+n are free (n ≤ cap − occupied) and belong to this producer until
        // the release store below publishes them; `first` octets fit before the end of the
        // ring's storage and `second` after its start (`split`), and `elems` is another
        // allocation, so the copies are in bounds and do not overlap.
        unsafe {
            std::ptr::copy_nonoverlapping(elems.as_ptr(), b.slot(self.ring, w), first);
            std::ptr::copy_nonoverlapping(elems.as_ptr().add(first), b.slot(self.ring, 0), second);
        }
        i.write.store(w.wrapping_add(n), Ordering::Release);
        n
    }
}

impl Consumer for OctetCons {
    #[allow(unsafe_code)]
    unsafe fn set_read_index(&self, value: usize) {
        let i = self.idx();
        let r = i.read.load(Ordering::Relaxed);
        i.read.store(advance_to(r, value, 2 * self.block.size()), Ordering::Release);
    }

    /// Copies up to `elems.len()` octets out; returns how many.
    #[inline]
    fn pop_slice(&mut self, elems: &mut [u8]) -> usize {
        let b = &*self.block;
        let i = &b.idx[self.ring];
        let r = i.read.load(Ordering::Relaxed);
        let w = i.write.load(Ordering::Acquire);
        let n = elems.len().min(w.wrapping_sub(r));
        let (first, second) = b.split(r, n);
        #[allow(unsafe_code)]
        // SAFETY: octets r..r+n are occupied: the producer published them with the release
        // store that the acquire load above saw, and does not touch them until our release
        // store below; the ranges are in bounds (`split`) and `elems` is another allocation.
        unsafe {
            std::ptr::copy_nonoverlapping(b.slot(self.ring, r), elems.as_mut_ptr(), first);
            std::ptr::copy_nonoverlapping(b.slot(self.ring, 0), elems.as_mut_ptr().add(first), second);
        }
        i.read.store(r.wrapping_add(n), Ordering::Release);
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::VecDeque;

    #[derive(Clone, Debug)]
    enum Op {
        Push(Vec<u8>),
        Pop(usize),
        TryPush(u8),
        TryPop,
        PushIter(Vec<u8>),
        Skip(usize),
        Peek(usize),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..40).prop_map(Op::Push),
            (0usize..40).prop_map(Op::Pop),
            any::<u8>().prop_map(Op::TryPush),
            Just(Op::TryPop),
            proptest::collection::vec(any::<u8>(), 0..40).prop_map(Op::PushIter),
            (0usize..40).prop_map(Op::Skip),
            (0usize..40).prop_map(Op::Peek),
        ]
    }

    proptest! {
        /// Every operation, through ringbuf's traits (specialised and default methods alike),
        /// behaves as a bounded FIFO of exactly the configured capacity, whatever the storage
        /// rounding and however often the indices wrap.
        #[test]
        fn behaves_as_a_bounded_fifo(cap in 1usize..37, ops in proptest::collection::vec(op(), 0..200)) {
            let block = channel_block(cap);
            let (mut p, mut c) = ends(&block, TX);
            let mut model: VecDeque<u8> = VecDeque::new();
            for o in ops {
                match o {
                    Op::Push(v) => {
                        let n = p.push_slice(&v);
                        let want = v.len().min(cap - model.len());
                        prop_assert_eq!(n, want);
                        model.extend(&v[..n]);
                    }
                    Op::Pop(k) => {
                        let mut buf = vec![0u8; k];
                        let n = c.pop_slice(&mut buf);
                        prop_assert_eq!(n, k.min(model.len()));
                        let want: Vec<u8> = model.drain(..n).collect();
                        prop_assert_eq!(&buf[..n], &want[..]);
                    }
                    Op::TryPush(x) => {
                        let r = p.try_push(x);
                        prop_assert_eq!(r.is_ok(), model.len() < cap);
                        if r.is_ok() { model.push_back(x); }
                    }
                    Op::TryPop => prop_assert_eq!(c.try_pop(), model.pop_front()),
                    Op::PushIter(v) => {
                        let n = p.push_iter(v.iter().copied());
                        prop_assert_eq!(n, v.len().min(cap - model.len()));
                        model.extend(&v[..n]);
                    }
                    Op::Skip(k) => {
                        let n = c.skip(k);
                        prop_assert_eq!(n, k.min(model.len()));
                        model.drain(..n);
                    }
                    Op::Peek(k) => {
                        let mut buf = vec![0u8; k];
                        let n = c.peek_slice(&mut buf);
                        prop_assert_eq!(n, k.min(model.len()));
                        let want: Vec<u8> = model.iter().take(n).copied().collect();
                        prop_assert_eq!(&buf[..n], &want[..]);
                        let (a, b) = c.as_slices();
                        let all: Vec<u8> = a.iter().chain(b).copied().collect();
                        prop_assert_eq!(all, model.iter().copied().collect::<Vec<u8>>());
                    }
                }
                prop_assert_eq!(c.occupied_len(), model.len());
                prop_assert_eq!(p.occupied_len(), model.len());
                prop_assert_eq!(p.vacant_len(), cap - model.len());
                prop_assert_eq!(c.is_empty(), model.is_empty());
                prop_assert_eq!(p.is_full(), model.len() == cap);
            }
        }
    }

    #[test]
    fn the_two_rings_of_a_channel_are_independent() {
        let block = channel_block(5);
        let (mut rp, mut rc) = ends(&block, RX);
        let (mut tp, mut tc) = ends(&block, TX);
        assert_eq!(rp.push_slice(&[1, 2, 3, 4, 5, 6, 7]), 5);
        assert_eq!(tp.push_slice(&[9; 3]), 3);
        let mut buf = [0u8; 8];
        assert_eq!(rc.pop_slice(&mut buf), 5);
        assert_eq!(&buf[..5], &[1, 2, 3, 4, 5]);
        assert_eq!(tc.pop_slice(&mut buf), 3);
        assert_eq!(&buf[..3], &[9, 9, 9]);
        assert_eq!(rp.max_len(), 5);
    }

    /// A producer thread and a consumer thread move a long counter sequence in chunks of
    /// varying sizes through a small ring (so it fills, empties and wraps constantly); every
    /// octet arrives once, in order.
    #[test]
    fn concurrent_producer_and_consumer_keep_every_octet_in_order() {
        const TOTAL: usize = 3_000_000;
        let block = channel_block(100);
        let (mut p, mut c) = ends(&block, RX);
        let producer = std::thread::spawn(move || {
            let mut next = 0usize;
            let mut chunk = [0u8; 61];
            let mut k = 1usize;
            while next < TOTAL {
                k = (k * 7 + 3) % 61 + 1;
                let len = k.min(TOTAL - next);
                for (j, o) in chunk[..len].iter_mut().enumerate() {
                    *o = (next + j) as u8;
                }
                let mut done = 0;
                while done < len {
                    let n = p.push_slice(&chunk[done..len]);
                    done += n;
                    if n == 0 {
                        std::thread::yield_now();
                    }
                }
                next += len;
            }
        });
        let mut got = 0usize;
        let mut buf = [0u8; 53];
        let mut k = 1usize;
        while got < TOTAL {
            k = (k * 5 + 1) % 53 + 1;
            let n = c.pop_slice(&mut buf[..k]);
            for (j, &o) in buf[..n].iter().enumerate() {
                assert_eq!(o, (got + j) as u8, "octet {}", got + j);
            }
            got += n;
            if n == 0 {
                std::thread::yield_now();
            }
        }
        producer.join().unwrap();
        assert!(c.is_empty());
    }
}
