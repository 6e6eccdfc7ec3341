//! A small two-board pipeline with real tones on every channel's far end, shared by the
//! pipeline tests.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::Path;

use trunkline_driver::sim::{Faults, LinkTo, SimBoard, SimConfig, SimSignalling, SimSpanSpec};
use trunkline_driver::{ChannelNo, SpanConfig, SpanNo};
use trunkline_dsp::event::{DetectorKind, ToneEvent};
use trunkline_engine::media::PlayItem;
use trunkline_engine::model::CallId;
use trunkline_engine::pipeline::{Builder, PipelineConfig, PipelineEvent};
use trunkline_engine::record::{RecorderConfig, WavFormat};

/// Samples per tick (10 ms).
pub const TICK: usize = 80;

/// Media channels and the channel at the other end of each one's line.
pub const PAIRS: [(u32, u32); 5] = [(1, 32), (2, 33), (3, 34), (63, 94), (64, 95)];

/// Every media channel (both ends of every pair).
pub fn channels() -> Vec<ChannelNo> {
    PAIRS.iter().flat_map(|&(a, b)| [ChannelNo(a), ChannelNo(b)]).collect()
}

/// The far end of `c`.
pub fn partner(c: ChannelNo) -> ChannelNo {
    PAIRS
        .iter()
        .find_map(|&(a, b)| {
            if a == c.0 {
                Some(ChannelNo(b))
            } else if b == c.0 {
                Some(ChannelNo(a))
            } else {
                None
            }
        })
        .expect("a media channel")
}

/// SplitMix64, so the digits each channel plays follow from the seed.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// Board 0: two PRI spans back to back (bit errors on span 2's receive line, from the seed);
/// board 1: two CAS spans back to back. Five channels on each side; every channel plays five
/// DTMF digits drawn from the seed (after 300 ms of silence); returns the digits by channel.
pub fn build(
    seed: u64,
    mut cfg: PipelineConfig,
    rec_dir: Option<&Path>,
) -> (Builder, BTreeMap<ChannelNo, String>) {
    cfg.workers = 2;
    if rec_dir.is_some() {
        cfg.recorder = Some(RecorderConfig {
            queue: 4096,
            pool: 4096,
            block_samples: TICK,
            sample_rate: 8000,
            threads: 1,
        });
    }
    let mut b = Builder::new(cfg).unwrap();
    let mut c0 = SimConfig::e1_pairs(2);
    c0.tick_frames = TICK;
    c0.seed = seed;
    let mut board0 = SimBoard::new(c0).unwrap();
    board0.set_faults(SpanNo(2), Faults { ber: 1e-6, ..Faults::default() }).unwrap();
    b.add_board(Box::new(board0)).unwrap();
    let cas = SimSpanSpec { config: SpanConfig::e1_cas(), signalling: SimSignalling::Cas };
    let c1 = SimConfig {
        board: 1,
        spans: vec![cas.clone(), cas],
        first_span: 3,
        first_chan: 63,
        links: vec![LinkTo::Span(SpanNo(4)), LinkTo::Span(SpanNo(3))],
        tick_frames: TICK,
        seed: seed ^ 0xA5A5,
        ..SimConfig::default()
    };
    b.add_board(Box::new(SimBoard::new(c1).unwrap())).unwrap();
    let mut rng = Rng(seed);
    let mut digits = BTreeMap::new();
    for c in channels() {
        b.open(c).unwrap();
        let s: String = (0..5).map(|_| b"0123456789*#ABCD"[(rng.next() % 16) as usize] as char).collect();
        let m = b.media_mut(c).unwrap();
        m.player.push(PlayItem::Silence(300 * 8));
        for d in s.chars() {
            m.player.push(PlayItem::dtmf(d, -10.0, 60).unwrap());
            m.player.push(PlayItem::Silence(60 * 8));
        }
        digits.insert(c, s);
    }
    if let Some(dir) = rec_dir {
        for c in [ChannelNo(1), ChannelNo(94)] {
            b.record(c, CallId(c.0.into()), dir.join(format!("ch{}.wav", c.0)), WavFormat::Alaw, 2).unwrap();
        }
    }
    (b, digits)
}

/// Events grouped by source: a channel's under its number, a board's under 1,000,000 + its
/// index; each group in the order it came.
pub fn by_channel(events: impl IntoIterator<Item = PipelineEvent>) -> BTreeMap<u32, Vec<PipelineEvent>> {
    let mut m: BTreeMap<u32, Vec<PipelineEvent>> = BTreeMap::new();
    for e in events {
        let key = match e {
            PipelineEvent::Board { board, .. } => 1_000_000 + board as u32,
            _ => e.chan().map_or(0, |c| c.0),
        };
        m.entry(key).or_default().push(e);
    }
    m
}

/// The DTMF digits detected on `chan` (one per tone-on event).
pub fn digits_heard(events: &BTreeMap<u32, Vec<PipelineEvent>>, chan: ChannelNo) -> String {
    events
        .get(&chan.0)
        .into_iter()
        .flatten()
        .filter_map(|e| match e {
            PipelineEvent::Tone { tone, .. } if tone.detector == DetectorKind::Dtmf && tone.is_on() => {
                Some(tone.value.as_str().to_string())
            }
            _ => None,
        })
        .collect()
}

/// Tone events of one channel, for printing on failure.
pub fn tones(events: &BTreeMap<u32, Vec<PipelineEvent>>, chan: u32) -> Vec<ToneEvent> {
    events
        .get(&chan)
        .into_iter()
        .flatten()
        .filter_map(|e| if let PipelineEvent::Tone { tone, .. } = e { Some(*tone) } else { None })
        .collect()
}
