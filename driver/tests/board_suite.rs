//! The same channel-level suite ([`common::suite`]) against both backends: the simulated board
//! and the DAHDI backend on the in-process fake DAHDI kernel.

mod common;

use common::Harness;
use trunkline_driver::dahdi::backend::{DahdiBoard, DahdiConfig};
use trunkline_driver::dahdi::fake::FakeKernel;
use trunkline_driver::sim::{Faults, SimBoard, SimConfig};
use trunkline_driver::SpanNo;

const TICK: usize = 40;

struct Sim;

impl Harness for Sim {
    type B = SimBoard;
    fn make(&self) -> SimBoard {
        let mut cfg = SimConfig::e1_pairs(4);
        cfg.tick_frames = TICK;
        SimBoard::new(cfg).unwrap()
    }
    fn cut_line(&self, b: &mut SimBoard, span: SpanNo, cut: bool) {
        b.set_faults(span, Faults { los: cut, ..Faults::default() }).unwrap();
    }
    fn alarm_ticks(&self) -> (usize, usize) {
        // RED integrates over 2.5 s and clears after 10 s.
        (3 * 8000 / TICK, 11 * 8000 / TICK)
    }
}

/// The DAHDI backend on a fake kernel; the harness keeps a handle to inject faults.
struct Dahdi;

impl Harness for Dahdi {
    type B = DahdiBoard<FakeKernel>;
    fn make(&self) -> Self::B {
        DahdiBoard::new(FakeKernel::e1_pairs(4), DahdiConfig { tick_frames: TICK, ..DahdiConfig::default() })
            .unwrap()
    }
    fn cut_line(&self, b: &mut Self::B, span: SpanNo, cut: bool) {
        b.sys().cut_line(span.0, cut);
    }
    fn alarm_ticks(&self) -> (usize, usize) {
        (2 * 8000 / TICK, 2 * 8000 / TICK)
    }
}

macro_rules! both {
    ($($name:ident),*) => {
        mod sim {
            $(#[test] fn $name() { super::common::$name(&super::Sim); })*
        }
        mod dahdi {
            $(#[test] fn $name() { super::common::$name(&super::Dahdi); })*
        }
    };
}

both!(
    audio_arrives_in_order,
    cas_propagates,
    hdlc_frames_cross_with_fcs,
    alarms_reported,
    local_loopback,
    open_rules
);
