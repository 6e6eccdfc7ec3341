//! A PRI call and an MFC/R2 call end to end between Trunkline's own signalling stacks over the
//! real DAHDI kernel's looped `loc` dynamic spans (issue 11; run inside the VM of
//! `tests/dahdi-vm/run`, whose `system.conf` wires span 1 to span 2 and span 3 to span 4).
//!
//! * PRI: the user side (CPE) on span 1's D-channel (channel 16), the network side on span 2's
//!   (channel 47), LAPD frames through DAHDI's soft HDLC with FCS. The caller dials, the callee
//!   alerts and answers on the B-channel it chose; then a 1004 Hz tone goes from the caller's
//!   B-channel to the callee's, which plays back what it hears, and the caller must hear its own
//!   tone back, byte-exact; the caller clears.
//! * MFC/R2 (ITU): channel 63 (span 3) calls channel 94 (span 4): ABCD bits through DAHDI's CAS
//!   (`SETTXBITS`/BITSCHANGED), the compelled MF signals as A-law audio, the same tone check,
//!   clear forward.
//!
//! The stacks are sans-IO; here their clock is the wall clock, because the kernel paces the
//! spans. One `PASS name` / `FAIL name: why` line per check; exit status = failures.

use std::time::{Duration, Instant};

use ringbuf::traits::{Consumer, Observer, Producer};
use trunkline_driver::board::Board;
use trunkline_driver::dahdi::backend::{DahdiBoard, DahdiConfig};
use trunkline_driver::dahdi::sys::LinuxSys;
use trunkline_driver::ring::{EngineEnd, RingConfig, MAX_FRAME};
use trunkline_driver::ChannelNo;
use trunkline_dsp::g711::Law;
use trunkline_dsp::goertzel;
use trunkline_engine::signalling::pri::{
    self, CallEvent, OriginateRequest, PriConfig, PriSpan, Role, Variant,
};
use trunkline_engine::signalling::r2::{R2Channel, R2Config, R2Event, R2Line, R2State, R2Variant};
use trunkline_engine::signalling::Ms;

const TICK: usize = 80;
const DNIS: &str = "5551234";
const ANI: &str = "4000";
const TONE_HZ: f32 = 1004.0;

struct Checks {
    failed: u32,
}

impl Checks {
    fn check(&mut self, name: &str, r: Result<String, String>) -> bool {
        match r {
            Ok(info) => {
                println!("PASS {name}{}", if info.is_empty() { String::new() } else { format!(" ({info})") });
                true
            }
            Err(why) => {
                println!("FAIL {name}: {why}");
                self.failed += 1;
                false
            }
        }
    }
}

fn board(max_span: u16) -> Result<DahdiBoard<LinuxSys>, String> {
    DahdiBoard::new(LinuxSys::new(), DahdiConfig { tick_frames: TICK, max_span, ..DahdiConfig::default() })
        .map_err(|e| e.to_string())
}

/// A-law 1004 Hz at about -10 dBm0, continuous phase from sample `k0`.
fn tone(k0: u64, out: &mut [u8]) {
    for (i, o) in out.iter_mut().enumerate() {
        let t = (k0 + i as u64) as f32 / 8000.0;
        let s = (std::f32::consts::TAU * TONE_HZ * t).sin() * 7000.0;
        *o = Law::Alaw.encode(s as i16);
    }
}

/// How much of the energy of `octets` (A-law) is the test tone (1.0 for a pure tone).
fn tone_share(octets: &[u8]) -> f32 {
    let pcm: Vec<f32> = octets.iter().map(|&o| Law::Alaw.decode(o) as f32).collect();
    let energy = pcm.iter().map(|x| x * x).sum::<f32>() / pcm.len().max(1) as f32;
    if energy < 1e3 {
        return 0.0;
    }
    goertzel::sine_power(goertzel::power(&pcm, TONE_HZ), pcm.len()) / energy
}

/// The audio part of both calls: `a` plays the tone, `b` plays back what it receives; after
/// 1.5 s, `b` must have heard the tone and `a` its own octets, byte-exact.
struct ToneLoop {
    sent: Vec<u8>,
    b_heard: Vec<u8>,
    a_heard: Vec<u8>,
    k: u64,
}

impl ToneLoop {
    fn new() -> Self {
        Self { sent: Vec::new(), b_heard: Vec::new(), a_heard: Vec::new(), k: 0 }
    }

    /// One block of the tone for `a`.
    fn a_block(&mut self, out: &mut [u8]) {
        tone(self.k, out);
        self.k += out.len() as u64;
        self.sent.extend_from_slice(out);
    }

    fn verdict(&self) -> Result<String, String> {
        let idle = |o: &u8| *o == 0xD5 || *o == 0xFF || *o == 0x55;
        let b: Vec<u8> = self.b_heard.iter().copied().skip_while(idle).collect();
        let a: Vec<u8> = self.a_heard.iter().copied().skip_while(idle).collect();
        if b.len() < 4000 || a.len() < 4000 {
            return Err(format!(
                "only {} / {} tone octets arrived (callee / back at the caller)",
                b.len(),
                a.len()
            ));
        }
        let (sb, sa) = (tone_share(&b[..4000]), tone_share(&a[..4000]));
        if sb < 0.8 || sa < 0.8 {
            return Err(format!("tone share {sb:.2} at the callee, {sa:.2} back at the caller"));
        }
        // Byte-exact: the 10 ms chunks that arrived are chunks of what was sent (a stalled VM
        // may drop or idle-fill a block, which spoils the chunks around it; at least 80 % must
        // be exact copies).
        let exact = |got: &[u8]| {
            let chunks: Vec<&[u8]> = got.chunks_exact(80).take(50).collect();
            let ok = chunks.iter().filter(|c| self.sent.windows(80).any(|s| s == **c)).count();
            (ok, chunks.len())
        };
        let ((eb, nb), (ea, na)) = (exact(&b), exact(&a));
        if eb * 10 < nb * 8 || ea * 10 < na * 8 {
            return Err(format!(
                "tone present but not byte-exact: {eb}/{nb} chunks at the callee, {ea}/{na} back"
            ));
        }
        Ok(format!(
            "{TONE_HZ} Hz, share {sb:.2} at the callee and {sa:.2} back; {eb}/{nb} and {ea}/{na} 10 ms chunks byte-exact"
        ))
    }
}

fn pump_tone(ends: &mut [EngineEnd; 2], tl: &mut ToneLoop) {
    let mut buf = vec![0u8; TICK];
    // a: keep two blocks queued; b: play back what arrived.
    while ends[0].tx.occupied_len() < 2 * TICK {
        tl.a_block(&mut buf);
        ends[0].tx.push_slice(&buf);
    }
    let mut rx = vec![0u8; 4096];
    let n = ends[1].rx.pop_slice(&mut rx);
    tl.b_heard.extend_from_slice(&rx[..n]);
    ends[1].tx.push_slice(&rx[..n]);
    let n = ends[0].rx.pop_slice(&mut rx);
    tl.a_heard.extend_from_slice(&rx[..n]);
}

// ---------------------------------------------------------------------------------------------
// PRI.

fn pri_call(ck: &mut Checks) -> Result<(), String> {
    let mut b = board(2)?;
    let rings = RingConfig { frames: 16 * 1024, ..RingConfig::default() };
    let mut d = [
        b.open(ChannelNo(16), rings).map_err(|e| e.to_string())?,
        b.open(ChannelNo(47), rings).map_err(|e| e.to_string())?,
    ];
    let mut spans = [
        PriSpan::new(PriConfig::new(Role::User, Variant::EuroIsdnE1)),
        PriSpan::new(PriConfig::new(Role::Network, Variant::EuroIsdnE1)),
    ];
    let t0 = Instant::now();
    let now = || Ms(t0.elapsed().as_millis() as u64);
    spans[0].start(now());
    spans[1].start(now());
    let mut buf = Box::new([0u8; MAX_FRAME]);
    let mut up = [None::<Ms>; 2];
    let mut ours = None;
    let mut theirs = None;
    let mut incoming = None;
    let mut proceeding_chan = None;
    let mut answered = None;
    let mut released = [None; 2];
    let mut bearer: Option<[EngineEnd; 2]> = None;
    let mut tl = ToneLoop::new();
    let mut talk_until = None;
    let mut trace = Vec::new();
    while t0.elapsed() < Duration::from_secs(40) && released.iter().any(|r| r.is_none()) {
        b.tick().map_err(|e| e.to_string())?;
        let t = now();
        for i in 0..2 {
            while let Some(n) = d[i].recv_frame(&mut buf) {
                if n >= 2 {
                    spans[i].handle_frame(t, &buf[..n - 2]);
                }
            }
            if spans[i].poll_timeout().is_some_and(|x| x <= t) {
                spans[i].handle_timeout(t);
            }
            while let Some(f) = spans[i].poll_transmit() {
                if !d[i].send_frame(&f) {
                    return Err("D-channel ring full".into());
                }
            }
            trace.extend(spans[i].take_traces().into_iter().map(|l| format!("{} {l}", ["CPE", "NET"][i])));
            while let Some(e) = spans[i].poll_event() {
                trace.push(format!("{} {t:?} EVENT {e:?}", ["CPE", "NET"][i]));
                match (i, e) {
                    (_, CallEvent::LinkUp) => up[i] = Some(t),
                    (0, CallEvent::Proceeding { channel, .. }) => proceeding_chan = channel,
                    (0, CallEvent::Answered { .. }) => answered = Some(t),
                    (_, CallEvent::Released { cause, .. }) => released[i] = Some(cause),
                    (1, CallEvent::Incoming { call, ani, dnis, channel, .. }) => {
                        incoming = Some((ani, dnis, channel));
                        theirs = Some(call);
                        spans[1].proceeding(t, call).map_err(|e| e.to_string())?;
                        spans[1].alert(t, call).map_err(|e| e.to_string())?;
                        spans[1].answer(t, call).map_err(|e| e.to_string())?;
                    }
                    _ => {}
                }
            }
        }
        if up.iter().all(|u| u.is_some()) && ours.is_none() {
            ours = Some(spans[0].originate(t, &OriginateRequest::new(DNIS, ANI)).map_err(|e| e.to_string())?);
        }
        if answered.is_some() && bearer.is_none() && talk_until.is_none() {
            let ts = incoming.as_ref().map(|x| x.2).unwrap_or(0) as u32;
            let rings = RingConfig { audio: 8 * TICK, ..RingConfig::default() };
            bearer = Some([
                b.open(ChannelNo(ts), rings).map_err(|e| e.to_string())?,
                b.open(ChannelNo(31 + ts), rings).map_err(|e| e.to_string())?,
            ]);
            talk_until = Some(t + Ms(1500));
        }
        if let Some(ends) = bearer.as_mut() {
            pump_tone(ends, &mut tl);
        }
        if talk_until.is_some_and(|x| t >= x) {
            talk_until = Some(Ms(u64::MAX));
            if let Some(c) = ours {
                spans[0].release(t, c, pri::Cause::NORMAL_CLEARING).map_err(|e| e.to_string())?;
            }
        }
    }
    let _ = theirs;
    let ok = ck.check(
        "pri_q921_link_up_both_sides",
        match up {
            [Some(a), Some(b)] => Ok(format!("CPE at {} ms, NET at {} ms", a.0, b.0)),
            _ => Err(format!("link up: {up:?}")),
        },
    );
    ck.check(
        "pri_setup_reaches_the_network_side",
        match &incoming {
            Some((ani, dnis, ch)) if ani == ANI && dnis == DNIS && (1..=31).contains(ch) && *ch != 16 => {
                Ok(format!("DNIS {dnis}, ANI {ani}, B-channel {ch}"))
            }
            other => Err(format!("incoming {other:?}")),
        },
    );
    ck.check(
        "pri_proceeding_confirms_the_b_channel",
        match (proceeding_chan, &incoming) {
            (Some(p), Some((_, _, c))) if p == *c => Ok(format!("channel {p}")),
            (p, i) => Err(format!("proceeding {p:?}, incoming {i:?}")),
        },
    );
    ck.check(
        "pri_answered",
        answered.map(|a| format!("CONNECT at {} ms", a.0)).ok_or_else(|| "no CONNECT".into()),
    );
    ck.check(
        "pri_b_channel_tone_one_way_and_back",
        if bearer.is_some() { tl.verdict() } else { Err("no B-channel".into()) },
    );
    ck.check(
        "pri_release_normal_clearing_both_sides",
        match released {
            [Some(a), Some(b)] if a == pri::Cause::NORMAL_CLEARING && b == pri::Cause::NORMAL_CLEARING => {
                Ok("cause 16".into())
            }
            r => Err(format!("released {r:?}")),
        },
    );
    if !ok || ck.failed > 0 {
        for l in trace.iter().take(80) {
            println!("  {l}");
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// MFC/R2.

fn r2_call(ck: &mut Checks) -> Result<(), String> {
    let mut b = board(4)?;
    let rings = RingConfig { audio: 8 * TICK, frames: 0, idle: 0xD5 };
    let mut ends = [
        b.open(ChannelNo(63), rings).map_err(|e| e.to_string())?,
        b.open(ChannelNo(94), rings).map_err(|e| e.to_string())?,
    ];
    let mut cb = R2Config::new(R2Variant::Itu);
    cb.max_dnis = DNIS.len();
    cb.request_ani = true;
    let mut lines = [
        R2Line::new(R2Channel::new(R2Config::new(R2Variant::Itu)), Law::Alaw),
        R2Line::new(R2Channel::new(cb), Law::Alaw),
    ];
    let t0 = Instant::now();
    let now = || Ms(t0.elapsed().as_millis() as u64);
    lines[0].start(now());
    lines[1].start(now());
    let mut originated = false;
    let mut incoming = None;
    let mut alerting = None;
    let mut answered = None;
    let mut answer_at = None;
    let mut released = [None; 2];
    let mut tl = ToneLoop::new();
    let mut talk_until = None;
    let mut trace = Vec::new();
    let mut rx = vec![0u8; TICK];
    let mut tx = vec![0u8; TICK];
    while t0.elapsed() < Duration::from_secs(40) && released.iter().any(|r| r.is_none()) {
        b.tick().map_err(|e| e.to_string())?;
        let t = now();
        for i in 0..2 {
            while ends[i].rx.occupied_len() >= TICK {
                ends[i].rx.pop_slice(&mut rx);
                if talk_until.is_some() {
                    // In conversation the harness owns the audio (the tone loop below).
                    if i == 1 {
                        tl.b_heard.extend_from_slice(&rx);
                        ends[1].tx.push_slice(&rx);
                    } else {
                        tl.a_heard.extend_from_slice(&rx);
                    }
                }
                lines[i].receive(t, ends[i].rx_cas(), &rx);
            }
            lines[i].handle_timeout(t);
            while ends[i].tx.occupied_len() < 2 * TICK {
                let nib = lines[i].transmit(&mut tx);
                ends[i].set_tx_cas(nib);
                if talk_until.is_some() {
                    if i == 1 {
                        break; // the callee plays back what it hears
                    }
                    tl.a_block(&mut tx);
                }
                ends[i].tx.push_slice(&tx);
            }
            // CAS changes between blocks too (the line may have changed state on a timer).
            let nib = lines[i].transmit(&mut tx[..0]);
            ends[i].set_tx_cas(nib);
            for (ts, l) in lines[i].chan.take_traces() {
                trace.push(format!("{} {} {l}", ["A", "B"][i], ts.0));
            }
            while let Some(e) = lines[i].chan.poll_event() {
                trace.push(format!("{} {} EVENT {e:?}", ["A", "B"][i], t.0));
                match (i, e) {
                    (1, R2Event::Incoming { ani, dnis, category }) => {
                        incoming = Some((ani, dnis, category));
                        lines[1].chan.accept(t, true).map_err(|e| e.to_string())?;
                        answer_at = Some(t + Ms(300));
                    }
                    (0, R2Event::Alerting) => alerting = Some(t),
                    (0, R2Event::Answered) => {
                        answered = Some(t);
                        talk_until = Some(t + Ms(1500));
                    }
                    (_, R2Event::Released { cause }) => released[i] = Some(cause),
                    _ => {}
                }
            }
        }
        if !originated && t >= Ms(500) {
            originated = true;
            lines[0].chan.originate(t, DNIS, ANI, 1).map_err(|e| e.to_string())?;
        }
        if answer_at.is_some_and(|x| t >= x) && lines[1].chan.state() == R2State::InAccepted {
            answer_at = None;
            lines[1].chan.answer(t).map_err(|e| e.to_string())?;
        }
        if talk_until.is_some_and(|x| t >= x) && lines[0].chan.state() == R2State::OutAnswered {
            lines[0].chan.hangup(t).map_err(|e| e.to_string())?;
        }
    }
    ck.check(
        "r2_seizure_and_mf_register_signalling",
        match &incoming {
            Some((ani, dnis, cat)) if ani == ANI && dnis == DNIS => {
                Ok(format!("DNIS {dnis}, ANI {ani}, category {cat} by compelled MF over DAHDI audio"))
            }
            other => Err(format!("incoming {other:?}")),
        },
    );
    ck.check(
        "r2_accepted_with_group_b",
        alerting.map(|a| format!("at {} ms", a.0)).ok_or_else(|| "no group-B accept".into()),
    );
    ck.check(
        "r2_answer_by_cas_bits",
        answered.map(|a| format!("at {} ms", a.0)).ok_or_else(|| "no answer".into()),
    );
    ck.check(
        "r2_tone_one_way_and_back",
        if answered.is_some() { tl.verdict() } else { Err("no call".into()) },
    );
    let ok = ck.check(
        "r2_clear_forward_both_sides_released",
        match released {
            [Some(a), Some(b)] => Ok(format!("causes {} / {}", a.0, b.0)),
            r => Err(format!("released {r:?}")),
        },
    );
    if !ok || ck.failed > 0 {
        for l in trace.iter().take(120) {
            println!("  {l}");
        }
    }
    Ok(())
}

fn main() {
    let mut ck = Checks { failed: 0 };
    if let Err(e) = pri_call(&mut ck) {
        ck.check("pri_call", Err(e));
    }
    if let Err(e) = r2_call(&mut ck) {
        ck.check("r2_call", Err(e));
    }
    std::process::exit(ck.failed as i32);
}
