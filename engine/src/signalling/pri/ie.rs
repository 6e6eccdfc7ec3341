//! Q.931 information elements (codeset 0) used on PRI: wire-level parse and emit of each.

use thiserror::Error;

/// IE identifier: bearer capability.
pub const IE_BEARER: u8 = 0x04;
/// IE identifier: cause.
pub const IE_CAUSE: u8 = 0x08;
/// IE identifier: call state.
pub const IE_CALL_STATE: u8 = 0x14;
/// IE identifier: channel identification.
pub const IE_CHANNEL_ID: u8 = 0x18;
/// IE identifier: progress indicator.
pub const IE_PROGRESS: u8 = 0x1E;
/// IE identifier: display.
pub const IE_DISPLAY: u8 = 0x28;
/// IE identifier: calling party number.
pub const IE_CALLING: u8 = 0x6C;
/// IE identifier: called party number.
pub const IE_CALLED: u8 = 0x70;
/// IE identifier: restart indicator.
pub const IE_RESTART: u8 = 0x79;
/// Single-octet IE: sending complete.
pub const IE_SENDING_COMPLETE: u8 = 0xA1;

/// Bearer layer 1: G.711 µ-law.
pub const L1_ULAW: u8 = 0x02;
/// Bearer layer 1: G.711 A-law.
pub const L1_ALAW: u8 = 0x03;

/// Information transfer capability: speech.
pub const ITC_SPEECH: u8 = 0x00;
/// Information transfer capability: unrestricted digital information.
pub const ITC_DIGITAL: u8 = 0x08;
/// Information transfer capability: 3.1 kHz audio.
pub const ITC_AUDIO_3K1: u8 = 0x10;

/// Why an IE's contents are unusable (Q.931 cause 100 when the IE is mandatory).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IeError {
    /// Contents shorter than the IE requires.
    #[error("IE {id:#04x} too short")]
    TooShort {
        /// IE identifier.
        id: u8,
    },
    /// A field holds a value the IE does not allow.
    #[error("IE {id:#04x} invalid: {what}")]
    Invalid {
        /// IE identifier.
        id: u8,
        /// Which field.
        what: &'static str,
    },
}

/// Bearer capability (Q.931 §4.5.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BearerCapability {
    /// Coding standard (0 = ITU-T).
    pub coding: u8,
    /// Information transfer capability ([`ITC_SPEECH`], [`ITC_AUDIO_3K1`], [`ITC_DIGITAL`]).
    pub itc: u8,
    /// Transfer mode (0 = circuit).
    pub mode: u8,
    /// Information transfer rate (0x10 = 64 kbit/s).
    pub rate: u8,
    /// User information layer 1 protocol ([`L1_ALAW`], [`L1_ULAW`]), if present.
    pub layer1: Option<u8>,
}

impl BearerCapability {
    /// Speech, circuit mode, 64 kbit/s, with the given G.711 law.
    pub fn speech(layer1: u8) -> Self {
        Self { coding: 0, itc: ITC_SPEECH, mode: 0, rate: 0x10, layer1: Some(layer1) }
    }

    fn parse(c: &[u8]) -> Result<Self, IeError> {
        let id = IE_BEARER;
        if c.len() < 2 {
            return Err(IeError::TooShort { id });
        }
        let coding = (c[0] >> 5) & 3;
        let itc = c[0] & 0x1F;
        // octet 4 (and 4a/4b when the extension bit is 0)
        let mut i = 1;
        while i < c.len() && c[i - 1] & 0x80 == 0 && i < 3 {
            i += 1;
        }
        let mode = (c[i.min(c.len() - 1)] >> 5) & 3;
        let rate = c[i.min(c.len() - 1)] & 0x1F;
        let mut j = i + 1;
        while j < c.len() && c[j - 1] & 0x80 == 0 {
            j += 1;
        }
        let mut layer1 = None;
        if j < c.len() && (c[j] >> 5) & 3 == 1 {
            layer1 = Some(c[j] & 0x1F);
        }
        Ok(Self { coding, itc, mode, rate, layer1 })
    }

    fn emit(&self, out: &mut Vec<u8>) {
        out.push(0x80 | ((self.coding & 3) << 5) | (self.itc & 0x1F));
        out.push(0x80 | ((self.mode & 3) << 5) | (self.rate & 0x1F));
        if let Some(l1) = self.layer1 {
            out.push(0x80 | 0x20 | (l1 & 0x1F));
        }
    }
}

/// Which channel(s) a channel identification IE names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChannelSelection {
    /// No channel.
    None,
    /// Any channel.
    Any,
    /// The listed B-channel numbers (from a number list or a slot map).
    Channels(Vec<u8>),
}

/// Channel identification (Q.931 §4.5.13), PRI form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelId {
    /// Exclusive (true) or preferred (false).
    pub exclusive: bool,
    /// The D-channel itself is indicated.
    pub d_channel: bool,
    /// Explicit interface identifier (NFAS on T1), if present.
    pub interface: Option<u8>,
    /// Channel(s).
    pub selection: ChannelSelection,
}

impl ChannelId {
    /// A single B-channel, exclusive or preferred.
    pub fn bchannel(chan: u8, exclusive: bool) -> Self {
        Self {
            exclusive,
            d_channel: false,
            interface: None,
            selection: ChannelSelection::Channels(vec![chan]),
        }
    }

    /// The first channel named, if any.
    pub fn first(&self) -> Option<u8> {
        match &self.selection {
            ChannelSelection::Channels(v) => v.first().copied(),
            _ => None,
        }
    }

    fn parse(c: &[u8]) -> Result<Self, IeError> {
        let id = IE_CHANNEL_ID;
        let o3 = *c.first().ok_or(IeError::TooShort { id })?;
        if o3 & 0x20 == 0 {
            return Err(IeError::Invalid { id, what: "basic-rate interface type on PRI" });
        }
        let exclusive = o3 & 0x08 != 0;
        let d_channel = o3 & 0x04 != 0;
        let mut i = 1;
        let mut interface = None;
        if o3 & 0x40 != 0 {
            let v = *c.get(i).ok_or(IeError::TooShort { id })?;
            interface = Some(v & 0x7F);
            while i < c.len() && c[i] & 0x80 == 0 {
                i += 1;
            }
            i += 1;
        }
        let selection = match o3 & 3 {
            0 => ChannelSelection::None,
            3 => ChannelSelection::Any,
            1 => {
                let o32 = *c.get(i).ok_or(IeError::TooShort { id })?;
                if o32 & 0x0F != 3 {
                    return Err(IeError::Invalid { id, what: "channel type is not B-channel units" });
                }
                let rest = &c[i + 1..];
                if rest.is_empty() {
                    return Err(IeError::TooShort { id });
                }
                if o32 & 0x10 != 0 {
                    // slot map: most significant octet first, bit 0 of the last octet = slot 1
                    let mut v = Vec::new();
                    let n = rest.len();
                    for (k, b) in rest.iter().enumerate() {
                        for bit in 0..8u32 {
                            if b & (1 << bit) != 0 {
                                let slot = ((n - 1 - k) * 8) as u32 + bit + 1;
                                v.push(slot.min(255) as u8);
                            }
                        }
                    }
                    v.sort_unstable();
                    ChannelSelection::Channels(v)
                } else {
                    let mut v = Vec::new();
                    for b in rest {
                        v.push(b & 0x7F);
                        if b & 0x80 != 0 {
                            break;
                        }
                    }
                    ChannelSelection::Channels(v)
                }
            }
            _ => return Err(IeError::Invalid { id, what: "reserved channel selection" }),
        };
        Ok(Self { exclusive, d_channel, interface, selection })
    }

    fn emit(&self, out: &mut Vec<u8>) {
        let sel = match self.selection {
            ChannelSelection::None => 0,
            ChannelSelection::Any => 3,
            ChannelSelection::Channels(_) => 1,
        };
        out.push(
            0x80 | 0x20
                | if self.interface.is_some() { 0x40 } else { 0 }
                | if self.exclusive { 0x08 } else { 0 }
                | if self.d_channel { 0x04 } else { 0 }
                | sel,
        );
        if let Some(i) = self.interface {
            out.push(0x80 | (i & 0x7F));
        }
        if let ChannelSelection::Channels(v) = &self.selection {
            out.push(0x83);
            for (k, ch) in v.iter().enumerate() {
                let last = k + 1 == v.len();
                out.push((ch & 0x7F) | if last { 0x80 } else { 0 });
            }
        }
    }
}

/// Calling or called party number (Q.931 §4.5.8/§4.5.10).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PartyNumber {
    /// Type of number (0 unknown, 1 international, 2 national, 4 subscriber).
    pub ton: u8,
    /// Numbering plan (1 = E.164).
    pub plan: u8,
    /// Presentation indicator (0 allowed, 1 restricted, 2 not available) and screening
    /// (0 user not screened .. 3 network provided); calling party only.
    pub presentation: Option<(u8, u8)>,
    /// Digits (IA5: 0-9 * # and A-D).
    pub digits: String,
}

impl PartyNumber {
    /// An E.164 number of unknown type.
    pub fn e164(digits: &str) -> Self {
        Self { ton: 0, plan: 1, presentation: None, digits: digits.to_string() }
    }

    fn parse(id: u8, c: &[u8]) -> Result<Self, IeError> {
        let o3 = *c.first().ok_or(IeError::TooShort { id })?;
        let ton = (o3 >> 4) & 7;
        let plan = o3 & 0x0F;
        let mut i = 1;
        let mut presentation = None;
        if o3 & 0x80 == 0 {
            let o3a = *c.get(1).ok_or(IeError::TooShort { id })?;
            presentation = Some(((o3a >> 5) & 3, o3a & 3));
            i = 2;
        }
        let digits = &c[i..];
        if let Some(_bad) = digits.iter().find(|&&d| !(d.is_ascii_digit() || b"*#ABCDabcd".contains(&d))) {
            return Err(IeError::Invalid { id, what: "number digit is not IA5 0-9*#A-D" });
        }
        Ok(Self { ton, plan, presentation, digits: digits.iter().map(|&b| b as char).collect() })
    }

    fn emit(&self, out: &mut Vec<u8>) {
        let o3 = ((self.ton & 7) << 4) | (self.plan & 0x0F);
        match self.presentation {
            Some((pres, scr)) => {
                out.push(o3);
                out.push(0x80 | ((pres & 3) << 5) | (scr & 3));
            }
            None => out.push(0x80 | o3),
        }
        out.extend(self.digits.bytes().filter(|b| b.is_ascii()));
    }
}

/// Cause (Q.931 §4.5.12).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CauseIe {
    /// Coding standard (0 = ITU-T).
    pub coding: u8,
    /// Location (0 user, 1 private local, 2 public local, 3 transit, 4 public remote, ...).
    pub location: u8,
    /// Cause value (7 bits).
    pub value: u8,
    /// Diagnostics octets.
    pub diagnostics: Vec<u8>,
}

impl CauseIe {
    /// A cause from `location` with no diagnostics.
    pub fn new(value: u8, location: u8) -> Self {
        Self { coding: 0, location, value, diagnostics: Vec::new() }
    }

    fn parse(c: &[u8]) -> Result<Self, IeError> {
        let id = IE_CAUSE;
        if c.len() < 2 {
            return Err(IeError::TooShort { id });
        }
        let coding = (c[0] >> 5) & 3;
        let location = c[0] & 0x0F;
        let mut i = 1;
        if c[0] & 0x80 == 0 {
            i = 2; // octet 3a: recommendation
        }
        let v = *c.get(i).ok_or(IeError::TooShort { id })?;
        Ok(Self { coding, location, value: v & 0x7F, diagnostics: c[i + 1..].to_vec() })
    }

    fn emit(&self, out: &mut Vec<u8>) {
        out.push(0x80 | ((self.coding & 3) << 5) | (self.location & 0x0F));
        out.push(0x80 | (self.value & 0x7F));
        out.extend_from_slice(&self.diagnostics);
    }
}

/// Progress indicator (Q.931 §4.5.23).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Coding standard.
    pub coding: u8,
    /// Location.
    pub location: u8,
    /// Description (1 not end-to-end ISDN, 2 destination non-ISDN, 3 origin non-ISDN,
    /// 4 returned to ISDN, 8 in-band information available).
    pub description: u8,
}

impl Progress {
    fn parse(c: &[u8]) -> Result<Self, IeError> {
        if c.len() < 2 {
            return Err(IeError::TooShort { id: IE_PROGRESS });
        }
        Ok(Self { coding: (c[0] >> 5) & 3, location: c[0] & 0x0F, description: c[1] & 0x7F })
    }

    fn emit(&self, out: &mut Vec<u8>) {
        out.push(0x80 | ((self.coding & 3) << 5) | (self.location & 0x0F));
        out.push(0x80 | (self.description & 0x7F));
    }
}

/// A decoded information element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ie {
    /// Bearer capability.
    Bearer(BearerCapability),
    /// Cause.
    Cause(CauseIe),
    /// Call state (Q.931 state number 0..=25).
    CallState(u8),
    /// Channel identification.
    ChannelId(ChannelId),
    /// Progress indicator.
    Progress(Progress),
    /// Display text (IA5).
    Display(String),
    /// Calling party number.
    Calling(PartyNumber),
    /// Called party number.
    Called(PartyNumber),
    /// Restart indicator class (0 indicated channels, 6 single interface, 7 all interfaces).
    RestartIndicator(u8),
    /// Sending complete (single octet).
    SendingComplete,
    /// An IE this stack does not decode (kept for tracing and re-emission).
    Other {
        /// Codeset in force when it was read.
        codeset: u8,
        /// Identifier.
        id: u8,
        /// Contents (empty for single-octet IEs).
        data: Vec<u8>,
    },
}

impl Ie {
    /// The IE identifier.
    pub fn id(&self) -> u8 {
        match self {
            Ie::Bearer(_) => IE_BEARER,
            Ie::Cause(_) => IE_CAUSE,
            Ie::CallState(_) => IE_CALL_STATE,
            Ie::ChannelId(_) => IE_CHANNEL_ID,
            Ie::Progress(_) => IE_PROGRESS,
            Ie::Display(_) => IE_DISPLAY,
            Ie::Calling(_) => IE_CALLING,
            Ie::Called(_) => IE_CALLED,
            Ie::RestartIndicator(_) => IE_RESTART,
            Ie::SendingComplete => IE_SENDING_COMPLETE,
            Ie::Other { id, .. } => *id,
        }
    }

    /// Decodes the contents of a codeset-0 variable-length IE.
    pub fn parse_variable(id: u8, c: &[u8]) -> Result<Ie, IeError> {
        Ok(match id {
            IE_BEARER => Ie::Bearer(BearerCapability::parse(c)?),
            IE_CAUSE => Ie::Cause(CauseIe::parse(c)?),
            IE_CALL_STATE => Ie::CallState(c.first().ok_or(IeError::TooShort { id })? & 0x3F),
            IE_CHANNEL_ID => Ie::ChannelId(ChannelId::parse(c)?),
            IE_PROGRESS => Ie::Progress(Progress::parse(c)?),
            IE_DISPLAY => {
                // NI-2 may prefix a charset octet with bit 8 set.
                let text = c.iter().filter(|&&b| b < 0x80).map(|&b| b as char).collect();
                Ie::Display(text)
            }
            IE_CALLING => Ie::Calling(PartyNumber::parse(id, c)?),
            IE_CALLED => Ie::Called(PartyNumber::parse(id, c)?),
            IE_RESTART => {
                let v = c.first().ok_or(IeError::TooShort { id })? & 7;
                if !matches!(v, 0 | 6 | 7) {
                    return Err(IeError::Invalid { id, what: "restart class" });
                }
                Ie::RestartIndicator(v)
            }
            _ => Ie::Other { codeset: 0, id, data: c.to_vec() },
        })
    }

    /// Appends the IE (identifier, length, contents) to `out`.
    pub fn emit(&self, out: &mut Vec<u8>) {
        if let Ie::SendingComplete = self {
            out.push(IE_SENDING_COMPLETE);
            return;
        }
        if let Ie::Other { id, data, .. } = self {
            if id & 0x80 != 0 {
                out.push(*id);
                return;
            }
            out.push(*id);
            out.push(data.len().min(255) as u8);
            out.extend(data.iter().take(255));
            return;
        }
        let mut c = Vec::new();
        match self {
            Ie::Bearer(b) => b.emit(&mut c),
            Ie::Cause(x) => x.emit(&mut c),
            Ie::CallState(s) => c.push(s & 0x3F),
            Ie::ChannelId(x) => x.emit(&mut c),
            Ie::Progress(p) => p.emit(&mut c),
            Ie::Display(t) => c.extend(t.bytes().filter(|b| b.is_ascii()).take(80)),
            Ie::Calling(n) | Ie::Called(n) => n.emit(&mut c),
            Ie::RestartIndicator(v) => c.push(0x80 | (v & 7)),
            Ie::SendingComplete | Ie::Other { .. } => {}
        }
        out.push(self.id());
        out.push(c.len().min(255) as u8);
        out.extend(c.into_iter().take(255));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rt(ie: Ie) {
        let mut b = Vec::new();
        ie.emit(&mut b);
        assert_eq!(b[1] as usize, b.len() - 2);
        assert_eq!(Ie::parse_variable(b[0], &b[2..]).unwrap(), ie);
    }

    #[test]
    fn round_trips() {
        rt(Ie::Bearer(BearerCapability::speech(L1_ALAW)));
        rt(Ie::ChannelId(ChannelId::bchannel(17, true)));
        rt(Ie::ChannelId(ChannelId::bchannel(3, false)));
        rt(Ie::Calling(PartyNumber {
            ton: 2,
            plan: 1,
            presentation: Some((0, 3)),
            digits: "13800138000".into(),
        }));
        rt(Ie::Called(PartyNumber::e164("8001")));
        rt(Ie::Cause(CauseIe::new(17, 2)));
        rt(Ie::Progress(Progress { coding: 0, location: 2, description: 8 }));
        rt(Ie::Display("Agent 7".into()));
        rt(Ie::RestartIndicator(7));
    }

    #[test]
    fn known_encodings() {
        let mut b = Vec::new();
        Ie::ChannelId(ChannelId::bchannel(1, true)).emit(&mut b);
        assert_eq!(b, vec![0x18, 3, 0xA9, 0x83, 0x81]);
        // T1 slot map with channels 1 and 24
        let ie = Ie::parse_variable(0x18, &[0xA9, 0x93, 0x80, 0x00, 0x01]).unwrap();
        assert_eq!(
            ie,
            Ie::ChannelId(ChannelId {
                exclusive: true,
                d_channel: false,
                interface: None,
                selection: ChannelSelection::Channels(vec![1, 24]),
            })
        );
    }

    #[test]
    fn content_errors() {
        assert!(Ie::parse_variable(IE_CAUSE, &[0x80]).is_err());
        assert!(Ie::parse_variable(IE_CALLED, &[0x81, b'1', 0xFF]).is_err());
        assert!(Ie::parse_variable(IE_CHANNEL_ID, &[0xA9, 0x85, 0x81]).is_err());
    }

    proptest! {
        #[test]
        fn never_panics(id in any::<u8>(), c in proptest::collection::vec(any::<u8>(), 0..40)) {
            if let Ok(ie) = Ie::parse_variable(id & 0x7F, &c) {
                let mut b = Vec::new();
                ie.emit(&mut b);
            }
        }
    }
}
