//! What a channel transmits when it is not bridged: a queue of prompts, tones and silence.

use std::collections::VecDeque;
use std::sync::Arc;

use trunkline_dsp::gen::{Cadenced, DualTone};

/// One thing to play.
pub enum PlayItem {
    /// Silence for this many samples.
    Silence(usize),
    /// A (cadenced) tone for this many samples, or until stopped when `None`.
    Tone {
        /// The generator.
        gen: Cadenced,
        /// Samples left, or `None` to play until the queue is cleared.
        left: Option<usize>,
    },
    /// Recorded audio (a prompt), 8 kHz linear.
    Clip {
        /// The samples (shared: one prompt, many channels).
        samples: Arc<[i16]>,
        /// Next sample to play.
        pos: usize,
    },
}

impl PlayItem {
    /// A single tone of `freq` Hz at `dbm0` for `ms` milliseconds.
    pub fn tone_ms(freq: f32, dbm0: f32, ms: u32) -> Self {
        PlayItem::Tone { gen: Cadenced::new(DualTone::single(freq, dbm0), &[]), left: Some(ms as usize * 8) }
    }

    /// A DTMF digit for `on_ms`, then `off_ms` of silence (two items).
    pub fn dtmf(digit: char, dbm0: f32, on_ms: u32) -> Option<Self> {
        let t = DualTone::dtmf(digit, dbm0, 0.0)?;
        Some(PlayItem::Tone { gen: Cadenced::new(t, &[]), left: Some(on_ms as usize * 8) })
    }
}

/// A channel's play queue; an empty queue plays silence.
#[derive(Default)]
pub struct Player {
    queue: VecDeque<PlayItem>,
    /// Items finished since the last [`Player::take_finished`] (so the core learns prompts ended).
    finished: u32,
}

impl Player {
    /// Appends an item.
    pub fn push(&mut self, item: PlayItem) {
        self.queue.push_back(item);
    }

    /// Makes room for `n` more queued items, so pushing them later does not allocate (a
    /// real-time thread pushes into a queue reserved when the channel was set up).
    pub fn reserve(&mut self, n: usize) {
        self.queue.reserve(n);
    }

    /// Items queued.
    pub fn queued(&self) -> usize {
        self.queue.len()
    }

    /// Stops everything queued.
    pub fn clear(&mut self) {
        self.queue.clear();
    }

    /// True when nothing is queued.
    pub fn is_idle(&self) -> bool {
        self.queue.is_empty()
    }

    /// Items that finished playing since the last call.
    pub fn take_finished(&mut self) -> u32 {
        std::mem::take(&mut self.finished)
    }

    /// Fills `out` with the next samples (silence when idle).
    pub fn fill(&mut self, out: &mut [i16]) {
        let mut done = 0;
        while done < out.len() {
            let Some(item) = self.queue.front_mut() else {
                out[done..].fill(0);
                return;
            };
            let want = out.len() - done;
            let (n, finished) = match item {
                PlayItem::Silence(left) => {
                    let n = want.min(*left);
                    out[done..done + n].fill(0);
                    *left -= n;
                    (n, *left == 0)
                }
                PlayItem::Tone { gen, left } => {
                    let n = left.map_or(want, |l| want.min(l));
                    gen.fill(&mut out[done..done + n]);
                    if let Some(l) = left {
                        *l -= n;
                    }
                    (n, *left == Some(0))
                }
                PlayItem::Clip { samples, pos } => {
                    let n = want.min(samples.len() - *pos);
                    out[done..done + n].copy_from_slice(&samples[*pos..*pos + n]);
                    *pos += n;
                    (n, *pos == samples.len())
                }
            };
            done += n;
            if finished {
                self.queue.pop_front();
                self.finished += 1;
            }
        }
    }
}
