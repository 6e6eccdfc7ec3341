//! Alarm integration (G.775 / T1.231 style): instantaneous defects become alarms after they have
//! persisted, and alarms clear only after a clean period.

use crate::span::Alarms;

/// Instantaneous defects of one receiver, whatever the line type.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Defects {
    /// Loss of signal.
    pub los: bool,
    /// Alarm indication signal (all ones).
    pub ais: bool,
    /// Out of frame.
    pub lof: bool,
    /// Out of CRC-4 multiframe.
    pub lmfa: bool,
    /// Remote alarm indication received.
    pub rai: bool,
}

/// Timing of the integration, in frames (8,000 a second).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AlarmTiming {
    /// A defect must persist this long to raise RED or BLUE (2.5 s).
    pub raise_frames: u32,
    /// RED or BLUE clears after the defect has been absent this long (10 s).
    pub clear_frames: u32,
}

impl Default for AlarmTiming {
    fn default() -> Self {
        Self { raise_frames: 20_000, clear_frames: 80_000 }
    }
}

/// Integrates defects into alarms for one span.
#[derive(Clone, Debug, Default)]
pub struct AlarmIntegrator {
    timing: AlarmTiming,
    red: Persist,
    blue: Persist,
}

#[derive(Clone, Copy, Debug, Default)]
struct Persist {
    on: bool,
    present_for: u32,
    absent_for: u32,
}

impl Persist {
    fn update(&mut self, present: bool, frames: u32, t: &AlarmTiming) {
        if present {
            self.absent_for = 0;
            self.present_for = self.present_for.saturating_add(frames);
            if self.present_for >= t.raise_frames {
                self.on = true;
            }
        } else {
            self.present_for = 0;
            if self.on {
                self.absent_for = self.absent_for.saturating_add(frames);
                if self.absent_for >= t.clear_frames {
                    self.on = false;
                    self.absent_for = 0;
                }
            }
        }
    }

    fn recovering(&self) -> bool {
        self.on && self.absent_for > 0
    }
}

impl AlarmIntegrator {
    /// An integrator with the given timing.
    pub fn new(timing: AlarmTiming) -> Self {
        Self { timing, ..Self::default() }
    }

    /// Accounts `frames` frames spent with defects `d`; returns the alarms now in force.
    pub fn update(&mut self, d: Defects, frames: u32) -> Alarms {
        // AIS also takes frame alignment away; it is reported as BLUE, not RED.
        self.red.update((d.lof || d.los) && !d.ais, frames, &self.timing);
        self.blue.update(d.ais, frames, &self.timing);
        let mut a = Alarms::NONE;
        a.set(Alarms::RED, self.red.on);
        a.set(Alarms::BLUE, self.blue.on);
        a.set(Alarms::RECOVER, self.red.recovering() || self.blue.recovering());
        a.set(Alarms::YELLOW, d.rai && !d.lof);
        a.set(Alarms::LOS, d.los);
        a.set(Alarms::LFA, d.lof);
        a.set(Alarms::LMFA, d.lmfa && !d.lof);
        a
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn red_after_two_and_a_half_seconds_clears_after_ten() {
        let mut ai = AlarmIntegrator::new(AlarmTiming::default());
        let lof = Defects { lof: true, ..Defects::default() };
        // 2.49 s of LOF: not yet RED.
        for _ in 0..249 {
            assert!(!ai.update(lof, 80).contains(Alarms::RED));
        }
        assert!(ai.update(lof, 80).contains(Alarms::RED));
        // 9.99 s clean: still RED, recovering.
        for _ in 0..999 {
            let a = ai.update(Defects::default(), 80);
            assert!(a.contains(Alarms::RED) && a.contains(Alarms::RECOVER));
        }
        assert_eq!(ai.update(Defects::default(), 80), Alarms::NONE);
    }

    #[test]
    fn ais_is_blue_not_red() {
        let mut ai = AlarmIntegrator::new(AlarmTiming::default());
        let d = Defects { ais: true, lof: true, ..Defects::default() };
        let a = ai.update(d, 30_000);
        assert!(a.contains(Alarms::BLUE) && !a.contains(Alarms::RED));
    }
}
