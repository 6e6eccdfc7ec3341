//! The audio and timing of each behaviour's script.

use std::sync::Arc;

use trunkline_dsp::cpt::gen::{self as cg, Lang, TonePlayer};
use trunkline_dsp::cpt::tables::{Country, CptTone};
use trunkline_dsp::fax::{gen as faxgen, FaxTone};
use trunkline_dsp::sit::{self, SitCode};

use super::{Action, Behaviour, Draw, Script};

/// A speaker's language and pitch.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Voice {
    /// Language rhythm.
    pub lang: Lang,
    /// Fundamental frequency in Hz.
    pub f0: f32,
}

fn voice(d: &mut Draw) -> Voice {
    let lang = match d.next() % 4 {
        0 => Lang::English,
        1 => Lang::Mandarin,
        2 => Lang::Cantonese,
        _ => Lang::Spanish,
    };
    Voice { lang, f0: d.range(95.0, 230.0) as f32 }
}

fn rng(d: &mut Draw) -> cg::Rng {
    cg::Rng::new(d.next())
}

fn pcm(x: &[f32]) -> Arc<[i16]> {
    cg::to_i16(x).into()
}

fn tone(country: &Country, t: CptTone, ms: u32) -> Vec<f32> {
    let spec = country.tones.iter().find(|s| s.tone == t).expect("every table has the four tones");
    let mut p = TonePlayer::new(spec, -13.0);
    let mut out = vec![0.0f32; ms as usize * 8];
    p.add_to(&mut out);
    out
}

fn silence(ms: u64) -> Vec<f32> {
    vec![0.0; ms as usize * 8]
}

/// Speech of `words` words (1–4 syllables each) in voice `v`.
fn talk(v: Voice, words: usize, d: &mut Draw) -> Vec<f32> {
    let w: Vec<usize> = (0..words).map(|_| 1 + (d.next() % 3) as usize).collect();
    cg::speech(v.lang, &w, (80.0, 220.0), v.f0, -18.0, &mut rng(d))
}

pub(super) fn script(b: Behaviour, country: &Country, d: &mut Draw) -> Script {
    let pdd = d.range(1500.0, 4000.0) as u64; // post-dial delay
    let mut steps: Vec<(u64, Action)> = Vec::new();
    let mut beep = None;
    let ring_until = |d: &mut Draw| pdd + d.range(3000.0, 15000.0) as u64;
    match b {
        Behaviour::Human => {
            let answer = ring_until(d);
            steps.push((pdd, Action::Alert));
            steps.push((pdd, Action::Play(pcm(&tone(country, CptTone::Ringback, (answer - pdd) as u32)))));
            let v = voice(d);
            // "hello?" after a short pause, a wait for the caller, then conversation.
            let mut a = silence(d.range(200.0, 600.0) as u64);
            a.extend(talk(v, 1 + (d.next() % 2) as usize, d));
            a.extend(silence(d.range(1500.0, 2500.0) as u64));
            for _ in 0..12 {
                a.extend(talk(v, 3 + (d.next() % 6) as usize, d));
                a.extend(silence(d.range(600.0, 2500.0) as u64));
            }
            steps.push((answer, Action::Answer));
            steps.push((answer, Action::Play(pcm(&a))));
        }
        Behaviour::Machine => {
            let answer = ring_until(d);
            steps.push((pdd, Action::Alert));
            steps.push((pdd, Action::Play(pcm(&tone(country, CptTone::Ringback, (answer - pdd) as u32)))));
            let v = voice(d);
            let greeting_ms = d.range(3000.0, 15000.0) as u64;
            let mut a = silence(d.range(100.0, 500.0) as u64);
            while (a.len() as u64) < greeting_ms * 8 {
                a.extend(talk(v, 2 + (d.next() % 5) as usize, d));
                a.extend(silence(d.range(150.0, 450.0) as u64));
            }
            a.extend(silence(d.range(200.0, 800.0) as u64));
            let beep_at = a.len() as u64 / 8;
            let f = d.range(400.0, 2000.0) as f32;
            let harm = if d.next() % 3 == 0 { Some(d.range(12.0, 25.0) as f32) } else { None };
            a.extend(cg::beep(f, d.range(150.0, 1200.0) as u32, -12.0, harm));
            a.extend(silence(20_000));
            beep = Some((beep_at, f));
            steps.push((answer, Action::Answer));
            steps.push((answer, Action::Play(pcm(&a))));
        }
        Behaviour::Fax => {
            let answer = pdd + d.range(2000.0, 8000.0) as u64;
            steps.push((pdd, Action::Alert));
            steps.push((pdd, Action::Play(pcm(&tone(country, CptTone::Ringback, (answer - pdd) as u32)))));
            let mut a = silence(200);
            a.extend(faxgen::render(FaxTone::Ans, 3300, -12.0));
            a.extend(silence(75));
            a.extend(faxgen::render(FaxTone::V21Preamble, 1000, -12.0));
            a.extend(silence(30_000));
            steps.push((answer, Action::Answer));
            steps.push((answer, Action::Play(pcm(&a))));
        }
        Behaviour::Busy => {
            steps.push((pdd, Action::Play(pcm(&tone(country, CptTone::Busy, 8000)))));
            steps.push((pdd + 8000, Action::Release(17)));
        }
        Behaviour::Congestion => {
            steps.push((pdd, Action::Play(pcm(&tone(country, CptTone::Congestion, 8000)))));
            steps.push((pdd + 8000, Action::Release(34)));
        }
        Behaviour::Invalid => {
            let code =
                [SitCode::IC, SitCode::VC, SitCode::RO, SitCode::NC, SitCode::ROPrime, SitCode::NCPrime]
                    [(d.next() % 6) as usize];
            let mut a = sit::generate(code, -13.0, 100);
            a.extend(talk(voice(d), 8, d));
            a.extend(silence(500));
            a.extend(sit::generate(code, -13.0, 100));
            a.extend(talk(voice(d), 8, d));
            let len = a.len() as u64 / 8;
            steps.push((pdd, Action::Play(pcm(&a))));
            steps.push((pdd + len, Action::Release(1)));
        }
        Behaviour::NoAnswer => {
            steps.push((pdd, Action::Alert));
            steps.push((pdd, Action::Play(pcm(&tone(country, CptTone::Ringback, 120_000)))));
        }
    }
    Script { behaviour: b, steps, beep }
}
