//! Shared helpers of the detector corpus tests: channel impairments and event matching.
#![allow(dead_code)]

pub mod dtmf_grid;

use trunkline_dsp::event::{Detector, ToneEvent};
use trunkline_dsp::g711::Law;
use trunkline_dsp::gen::{clip, Noise};

/// Adds white noise at `snr_db` below `signal_dbm0`, then passes through G.711 `law` if given.
pub fn impair(x: &[f32], signal_dbm0: f32, snr_db: Option<f32>, law: Option<Law>, seed: u64) -> Vec<i16> {
    let mut n = snr_db.map(|s| Noise::new(signal_dbm0 - s, seed));
    x.iter()
        .map(|&v| {
            let s = clip(v + n.as_mut().map_or(0.0, |n| n.next_sample()));
            match law {
                Some(l) => l.decode(l.encode(s)),
                None => s,
            }
        })
        .collect()
}

/// Runs a detector over `x` in 160-sample blocks and returns the finished events (and any tone
/// still on at the end, with `end == None`).
pub fn detect(d: &mut dyn Detector, x: &[i16]) -> Vec<ToneEvent> {
    let mut done = Vec::new();
    let mut open: Option<ToneEvent> = None;
    for b in x.chunks(160) {
        d.process(b, &mut |e| {
            if e.is_on() {
                open = Some(e);
            } else {
                open = None;
                done.push(e);
            }
        });
    }
    done.extend(open);
    done
}

/// Power sum of tones in dBm0.
pub fn sum_dbm0(levels: &[f32]) -> f32 {
    10.0 * levels.iter().map(|l| 10f32.powf(l / 10.0)).sum::<f32>().log10()
}

/// Scores detections against expected `(value, start, end)`: (hits, false events).
pub fn score(expected: &[(String, usize, usize)], got: &[ToneEvent], slack: usize) -> (usize, usize) {
    let mut used = vec![false; got.len()];
    let mut hits = 0;
    for (v, s, e) in expected {
        if let Some(i) = got.iter().enumerate().position(|(i, g)| {
            !used[i]
                && g.value.as_str() == v
                && (g.start as usize) + slack >= *s
                && (g.start as usize) < e + slack
        }) {
            used[i] = true;
            hits += 1;
        }
    }
    (hits, used.iter().filter(|u| !**u).count())
}
