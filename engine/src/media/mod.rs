//! The media side of every open channel: decoding, detectors, level meters, what it plays,
//! bridges and conferences (monitor, whisper, barge), and the recording tap.
//!
//! A [`MediaSet`] owns the channels of one DSP worker (or of the whole engine when it runs in lock
//! step). Each tick it first builds every channel's transmit block ([`MediaSet::transmit`]), the
//! board moves the tick, then it reads every receive block ([`MediaSet::receive`]) and reports
//! what the detectors heard. A bridge copies the peer's received octets of the previous tick
//! unchanged, so a TDM bridge adds exactly one tick of latency and is bit-exact; a conference of
//! several sources mixes decoded samples.

pub mod detectors;
pub mod player;

use ringbuf::traits::{Consumer, Observer, Producer};
use trunkline_driver::ring::EngineEnd;
use trunkline_driver::ChannelNo;
use trunkline_dsp::event::{Detector, DetectorKind, ToneEvent};
use trunkline_dsp::g711::Law;
use trunkline_dsp::vad::LevelMeter;

pub use player::{PlayItem, Player};

/// Index of a channel in a [`MediaSet`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MediaId(pub usize);

/// Received and transmitted audio of one tick, for a recorder.
pub struct TickAudio<'a> {
    /// The channel.
    pub id: MediaId,
    /// Sample index of the first sample on the channel's timeline.
    pub at: u64,
    /// What the far end sent us (decoded).
    pub rx: &'a [i16],
    /// What we sent (decoded).
    pub tx: &'a [i16],
}

/// One open channel's media state.
pub struct MediaChannel {
    /// The board channel.
    pub chan: ChannelNo,
    end: EngineEnd,
    law: Law,
    /// Samples received so far (the channel's timeline for detector events).
    pub rx_samples: u64,
    detectors: Vec<Box<dyn Detector>>,
    /// Receive level meter.
    pub rx_meter: LevelMeter,
    /// Transmit level meter.
    pub tx_meter: LevelMeter,
    /// What it plays when it listens to nobody.
    pub player: Player,
    /// Channels whose received audio this channel transmits (bridge / conference).
    listen: Vec<MediaId>,
    /// Record this channel's rx and tx.
    pub recording: bool,
    last_rx_octets: Vec<u8>,
    last_rx: Vec<i16>,
    last_tx: Vec<i16>,
}

impl MediaChannel {
    /// The companding law of the channel.
    pub fn law(&self) -> Law {
        self.law
    }

    /// Detector kinds currently enabled.
    pub fn detectors(&self) -> Vec<DetectorKind> {
        self.detectors.iter().map(|d| d.kind()).collect()
    }

    /// The samples received in the last tick (decoded).
    pub fn last_rx(&self) -> &[i16] {
        &self.last_rx
    }

    /// The samples transmitted in the last tick (decoded).
    pub fn last_tx(&self) -> &[i16] {
        &self.last_tx
    }

    /// The channel's ring counters.
    pub fn stats(&self) -> trunkline_driver::ring::ChannelStatsSnapshot {
        self.end.stats.snapshot()
    }

    /// The channel's transport (CAS bits and D-channel frames live there too).
    pub fn end(&mut self) -> &mut EngineEnd {
        &mut self.end
    }
}

/// The channels of one worker, processed tick by tick.
pub struct MediaSet {
    chans: Vec<Option<MediaChannel>>,
    tick: usize,
    scratch_pcm: Vec<i16>,
    scratch_oct: Vec<u8>,
    mix: Vec<i32>,
}

impl MediaSet {
    /// An empty set for ticks of `tick` samples.
    pub fn new(tick: usize) -> Self {
        Self {
            chans: Vec::new(),
            tick,
            scratch_pcm: vec![0; tick],
            scratch_oct: vec![0; tick * 4],
            mix: vec![0; tick],
        }
    }

    /// Adds a channel; returns its id.
    pub fn add(&mut self, chan: ChannelNo, end: EngineEnd, law: Law) -> MediaId {
        let n = self.tick;
        let m = MediaChannel {
            chan,
            end,
            law,
            rx_samples: 0,
            detectors: Vec::new(),
            rx_meter: LevelMeter::new(300.0),
            tx_meter: LevelMeter::new(300.0),
            player: Player::default(),
            // Room for a conference of a few sources: bridging later never allocates.
            listen: Vec::with_capacity(4),
            recording: false,
            last_rx_octets: vec![law.silence(); n],
            last_rx: vec![0; n],
            last_tx: vec![0; n],
        };
        if let Some(i) = self.chans.iter().position(Option::is_none) {
            self.chans[i] = Some(m);
            MediaId(i)
        } else {
            self.chans.push(Some(m));
            MediaId(self.chans.len() - 1)
        }
    }

    /// Removes a channel (it stops listening and nobody listens to it any more); returns its
    /// transport so the caller can close it on the board.
    pub fn remove(&mut self, id: MediaId) -> Option<EngineEnd> {
        let m = self.chans.get_mut(id.0)?.take()?;
        for c in self.chans.iter_mut().flatten() {
            c.listen.retain(|&l| l != id);
        }
        Some(m.end)
    }

    /// The channel, if present.
    pub fn get(&self, id: MediaId) -> Option<&MediaChannel> {
        self.chans.get(id.0)?.as_ref()
    }

    /// The channel, if present, mutably.
    pub fn get_mut(&mut self, id: MediaId) -> Option<&mut MediaChannel> {
        self.chans.get_mut(id.0)?.as_mut()
    }

    /// Channels present.
    pub fn ids(&self) -> impl Iterator<Item = MediaId> + '_ {
        self.chans.iter().enumerate().filter(|(_, c)| c.is_some()).map(|(i, _)| MediaId(i))
    }

    /// Makes `id` transmit what `sources` receive (empty: back to its player).
    pub fn set_listen(&mut self, id: MediaId, sources: &[MediaId]) {
        if let Some(m) = self.get_mut(id) {
            m.listen.clear();
            m.listen.extend(sources.iter().copied().filter(|&s| s != id));
        }
    }

    /// Who `id` listens to.
    pub fn listening(&self, id: MediaId) -> &[MediaId] {
        self.get(id).map_or(&[], |m| &m.listen)
    }

    /// Bridges two channels both ways.
    pub fn bridge(&mut self, a: MediaId, b: MediaId) {
        self.set_listen(a, &[b]);
        self.set_listen(b, &[a]);
    }

    /// Replaces a channel's detectors (their clocks restart at the current sample).
    pub fn set_detectors(&mut self, id: MediaId, detectors: Vec<Box<dyn Detector>>) {
        if let Some(m) = self.get_mut(id) {
            m.detectors = detectors;
        }
    }

    /// Swaps a channel's detectors with `detectors` (the old ones end up in `detectors`), so a
    /// real-time caller can hand them elsewhere to be freed. False if there is no such channel.
    pub fn swap_detectors(&mut self, id: MediaId, detectors: &mut Vec<Box<dyn Detector>>) -> bool {
        match self.get_mut(id) {
            Some(m) => {
                std::mem::swap(&mut m.detectors, detectors);
                true
            }
            None => false,
        }
    }

    /// Builds every channel's transmit block for the next tick and queues it on its ring.
    /// Never allocates (the real-time path of a DSP worker).
    pub fn transmit(&mut self) {
        let n = self.tick;
        for i in 0..self.chans.len() {
            let Some(m) = self.chans[i].as_mut() else { continue };
            // Borrow the listen list out of the channel (no allocation) so its sources can be
            // read while this channel's scratch is written.
            let listen = std::mem::take(&mut m.listen);
            let dst_law = m.law;
            let ready = match listen.as_slice() {
                [] => {
                    m.player.fill(&mut self.scratch_pcm[..n]);
                    dst_law.encode_block(&self.scratch_pcm[..n], &mut self.scratch_oct[..n]);
                    true
                }
                [one] => match self.chans.get(one.0).and_then(Option::as_ref) {
                    // A TDM bridge: the peer's octets, unchanged (transcoded only across laws).
                    Some(src) if src.law == dst_law => {
                        self.scratch_oct[..n].copy_from_slice(&src.last_rx_octets);
                        true
                    }
                    Some(src) => {
                        self.scratch_pcm[..n].copy_from_slice(&src.last_rx);
                        dst_law.encode_block(&self.scratch_pcm[..n], &mut self.scratch_oct[..n]);
                        true
                    }
                    None => false,
                },
                many => {
                    self.mix[..n].fill(0);
                    for s in many {
                        if let Some(src) = self.chans.get(s.0).and_then(Option::as_ref) {
                            for (acc, &x) in self.mix[..n].iter_mut().zip(&src.last_rx) {
                                *acc += x as i32;
                            }
                        }
                    }
                    for (o, &x) in self.scratch_pcm[..n].iter_mut().zip(&self.mix[..n]) {
                        *o = x.clamp(i16::MIN as i32, i16::MAX as i32) as i16;
                    }
                    dst_law.encode_block(&self.scratch_pcm[..n], &mut self.scratch_oct[..n]);
                    true
                }
            };
            let m = self.chans[i].as_mut().expect("present");
            let bridged = !listen.is_empty();
            m.listen = listen;
            if !ready {
                continue;
            }
            if bridged {
                m.law.decode_block(&self.scratch_oct[..n], &mut self.scratch_pcm[..n]);
            }
            m.last_tx.copy_from_slice(&self.scratch_pcm[..n]);
            m.tx_meter.push(&self.scratch_pcm[..n]);
            // A full tx ring drops the block rather than blocking; the ring counts nothing here,
            // so count it as an underrun-to-be on the board side (it will send idle).
            m.end.tx.push_slice(&self.scratch_oct[..n]);
        }
    }

    /// Reads every channel's receive block, runs its detectors, and hands events and the tick's
    /// audio (for recording) to the callbacks.
    pub fn receive(
        &mut self,
        on_event: &mut dyn FnMut(MediaId, ToneEvent),
        on_audio: &mut dyn FnMut(TickAudio<'_>),
    ) {
        let n = self.tick;
        for (i, slot) in self.chans.iter_mut().enumerate() {
            let Some(m) = slot.as_mut() else { continue };
            let got =
                if m.end.rx.occupied_len() >= n { m.end.rx.pop_slice(&mut m.last_rx_octets) } else { 0 };
            if got < n {
                // Nothing (or too little) arrived this tick: treat it as silence.
                m.last_rx_octets[got..].fill(m.law.silence());
            }
            m.law.decode_block(&m.last_rx_octets, &mut m.last_rx);
            m.rx_meter.push(&m.last_rx);
            let id = MediaId(i);
            for d in m.detectors.iter_mut() {
                d.process(&m.last_rx, &mut |e| on_event(id, e));
            }
            if m.recording {
                on_audio(TickAudio { id, at: m.rx_samples, rx: &m.last_rx, tx: &m.last_tx });
            }
            m.rx_samples += n as u64;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use trunkline_driver::board::Board;
    use trunkline_driver::ring::RingConfig;
    use trunkline_driver::sim::{SimBoard, SimConfig};
    use trunkline_dsp::dtmf::{Dtmf, DtmfConfig};

    fn pair() -> (SimBoard, MediaSet, MediaId, MediaId) {
        let mut cfg = SimConfig::e1_pairs(2);
        cfg.tick_frames = 160;
        let mut b = SimBoard::new(cfg).unwrap();
        let mut set = MediaSet::new(160);
        let a = set.add(ChannelNo(1), b.open(ChannelNo(1), RingConfig::default()).unwrap(), Law::Alaw);
        let z = set.add(ChannelNo(32), b.open(ChannelNo(32), RingConfig::default()).unwrap(), Law::Alaw);
        (b, set, a, z)
    }

    fn step(b: &mut SimBoard, set: &mut MediaSet, events: &mut Vec<(MediaId, ToneEvent)>) {
        set.transmit();
        b.tick().unwrap();
        set.receive(&mut |id, e| events.push((id, e)), &mut |_| {});
    }

    #[test]
    fn digits_played_on_one_end_are_detected_on_the_other() {
        let (mut b, mut set, a, z) = pair();
        set.set_detectors(z, vec![Box::new(Dtmf::new(DtmfConfig::default()))]);
        for d in "1590#".chars() {
            set.get_mut(a).unwrap().player.push(PlayItem::dtmf(d, -10.0, 80).unwrap());
            set.get_mut(a).unwrap().player.push(PlayItem::Silence(80 * 8));
        }
        let mut ev = Vec::new();
        for _ in 0..100 {
            step(&mut b, &mut set, &mut ev);
        }
        let digits: String = ev
            .iter()
            .filter(|(id, e)| *id == z && e.is_on())
            .map(|(_, e)| e.value.as_str().to_string())
            .collect();
        assert_eq!(digits, "1590#");
        assert_eq!(set.get_mut(a).unwrap().player.take_finished(), 10);
    }
}
