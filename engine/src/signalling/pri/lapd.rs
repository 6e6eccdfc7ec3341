//! LAPD (Q.921) frame wire format: a zero-copy [`Frame`] view and a parsed [`LapdRepr`].
//!
//! ```text
//! octet 1: SAPI(6) C/R EA=0     octet 2: TEI(7) EA=1
//! control: I  = N(S)<<1|0, N(R)<<1|P        (modulo 128, 2 octets)
//!          S  = 0000 SS 01, N(R)<<1|P/F     (RR 0x01, RNR 0x05, REJ 0x09)
//!          U  = MMM P/F MM 11               (SABME 0x6F, DM 0x0F, UI 0x03, DISC 0x43,
//!                                            UA 0x63, FRMR 0x87, XID 0xAF)
//! ```

use thiserror::Error;

mod field {
    pub const ADDR_HI: usize = 0;
    pub const ADDR_LO: usize = 1;
    pub const CONTROL: usize = 2;
    pub const CONTROL2: usize = 3;
}

/// Largest information field (N201) accepted on a PRI D-channel.
pub const N201: usize = 260;

/// Why a buffer is not a LAPD frame this stack accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum LapdError {
    /// Shorter than the address and control fields.
    #[error("frame too short ({0} octets)")]
    TooShort(usize),
    /// Address extension bits are not 0 then 1 (not a 2-octet LAPD address).
    #[error("bad address extension bits")]
    BadAddress,
    /// The control field is not one Q.921 defines (FRMR cause W).
    #[error("undefined control field {0:#04x}")]
    UndefinedControl(u8),
    /// A supervisory or unnumbered frame that must not carry information has some (FRMR cause X).
    #[error("information field not permitted with control {0:#04x}")]
    InfoNotPermitted(u8),
    /// The information field is longer than N201 (FRMR cause Y).
    #[error("information field too long ({0} octets)")]
    InfoTooLong(usize),
}

/// Zero-copy view of a LAPD frame (without FCS).
#[derive(Debug, Clone)]
pub struct Frame<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Frame<T> {
    /// Wraps a buffer without checking it; accessors may then panic on short buffers.
    pub fn new_unchecked(buffer: T) -> Self {
        Frame { buffer }
    }

    /// Wraps a buffer after checking it is long enough for its control field type.
    pub fn new_checked(buffer: T) -> Result<Self, LapdError> {
        let f = Frame { buffer };
        f.check_len()?;
        Ok(f)
    }

    /// Checks the length and address extension bits.
    pub fn check_len(&self) -> Result<(), LapdError> {
        let b = self.buffer.as_ref();
        if b.len() < 3 {
            return Err(LapdError::TooShort(b.len()));
        }
        if b[field::ADDR_HI] & 1 != 0 || b[field::ADDR_LO] & 1 != 1 {
            return Err(LapdError::BadAddress);
        }
        if b[field::CONTROL] & 3 != 3 && b.len() < 4 {
            return Err(LapdError::TooShort(b.len()));
        }
        Ok(())
    }

    /// Service access point identifier (0 = call control).
    pub fn sapi(&self) -> u8 {
        self.buffer.as_ref()[field::ADDR_HI] >> 2
    }

    /// Command/response bit as sent.
    pub fn cr(&self) -> bool {
        self.buffer.as_ref()[field::ADDR_HI] & 2 != 0
    }

    /// Terminal endpoint identifier (0 on PRI).
    pub fn tei(&self) -> u8 {
        self.buffer.as_ref()[field::ADDR_LO] >> 1
    }

    /// First control octet.
    pub fn control(&self) -> u8 {
        self.buffer.as_ref()[field::CONTROL]
    }

    /// Whether this is a 2-octet-control (I or S) frame.
    pub fn is_numbered(&self) -> bool {
        self.control() & 3 != 3
    }

    /// Second control octet of I and S frames.
    pub fn control2(&self) -> u8 {
        self.buffer.as_ref()[field::CONTROL2]
    }

    /// Information field (after the control field).
    pub fn info(&self) -> &[u8] {
        let start = if self.is_numbered() { 4 } else { 3 };
        &self.buffer.as_ref()[start..]
    }
}

/// The control field of a LAPD frame, decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// Information frame.
    I {
        /// Send sequence number N(S).
        ns: u8,
        /// Receive sequence number N(R).
        nr: u8,
        /// Poll bit.
        p: bool,
    },
    /// Receive ready.
    Rr {
        /// N(R).
        nr: u8,
        /// Poll/final bit.
        pf: bool,
    },
    /// Receive not ready.
    Rnr {
        /// N(R).
        nr: u8,
        /// Poll/final bit.
        pf: bool,
    },
    /// Reject.
    Rej {
        /// N(R).
        nr: u8,
        /// Poll/final bit.
        pf: bool,
    },
    /// Set asynchronous balanced mode extended (establish multiple-frame operation).
    Sabme {
        /// Poll bit.
        p: bool,
    },
    /// Disconnected mode.
    Dm {
        /// Final bit.
        f: bool,
    },
    /// Unnumbered information.
    Ui {
        /// Poll bit.
        p: bool,
    },
    /// Disconnect.
    Disc {
        /// Poll bit.
        p: bool,
    },
    /// Unnumbered acknowledgement.
    Ua {
        /// Final bit.
        f: bool,
    },
    /// Frame reject.
    Frmr {
        /// Final bit.
        f: bool,
    },
    /// Exchange identification.
    Xid {
        /// Poll/final bit.
        pf: bool,
    },
}

impl Control {
    /// Decodes a control field from its first octet and, for I/S frames, the second.
    pub fn decode(c1: u8, c2: Option<u8>) -> Result<Control, LapdError> {
        if c1 & 1 == 0 {
            let c2 = c2.ok_or(LapdError::TooShort(3))?;
            return Ok(Control::I { ns: c1 >> 1, nr: c2 >> 1, p: c2 & 1 != 0 });
        }
        if c1 & 3 == 1 {
            let c2 = c2.ok_or(LapdError::TooShort(3))?;
            let (nr, pf) = (c2 >> 1, c2 & 1 != 0);
            return match c1 {
                0x01 => Ok(Control::Rr { nr, pf }),
                0x05 => Ok(Control::Rnr { nr, pf }),
                0x09 => Ok(Control::Rej { nr, pf }),
                _ => Err(LapdError::UndefinedControl(c1)),
            };
        }
        let pf = c1 & 0x10 != 0;
        match c1 & !0x10 {
            0x6F => Ok(Control::Sabme { p: pf }),
            0x0F => Ok(Control::Dm { f: pf }),
            0x03 => Ok(Control::Ui { p: pf }),
            0x43 => Ok(Control::Disc { p: pf }),
            0x63 => Ok(Control::Ua { f: pf }),
            0x87 => Ok(Control::Frmr { f: pf }),
            0xAF => Ok(Control::Xid { pf }),
            _ => Err(LapdError::UndefinedControl(c1)),
        }
    }

    /// Encodes the control field (1 or 2 octets).
    pub fn encode(self, out: &mut Vec<u8>) {
        let b = |x: bool, v: u8| if x { v } else { 0 };
        match self {
            Control::I { ns, nr, p } => {
                out.push((ns & 0x7F) << 1);
                out.push(((nr & 0x7F) << 1) | b(p, 1));
            }
            Control::Rr { nr, pf } => out.extend([0x01, ((nr & 0x7F) << 1) | b(pf, 1)]),
            Control::Rnr { nr, pf } => out.extend([0x05, ((nr & 0x7F) << 1) | b(pf, 1)]),
            Control::Rej { nr, pf } => out.extend([0x09, ((nr & 0x7F) << 1) | b(pf, 1)]),
            Control::Sabme { p } => out.push(0x6F | b(p, 0x10)),
            Control::Dm { f } => out.push(0x0F | b(f, 0x10)),
            Control::Ui { p } => out.push(0x03 | b(p, 0x10)),
            Control::Disc { p } => out.push(0x43 | b(p, 0x10)),
            Control::Ua { f } => out.push(0x63 | b(f, 0x10)),
            Control::Frmr { f } => out.push(0x87 | b(f, 0x10)),
            Control::Xid { pf } => out.push(0xAF | b(pf, 0x10)),
        }
    }

    /// Whether frames of this type may carry an information field.
    pub fn allows_info(self) -> bool {
        matches!(self, Control::I { .. } | Control::Ui { .. } | Control::Frmr { .. } | Control::Xid { .. })
    }

    /// Short name (`I`, `RR`, `SABME`...).
    pub fn name(self) -> &'static str {
        match self {
            Control::I { .. } => "I",
            Control::Rr { .. } => "RR",
            Control::Rnr { .. } => "RNR",
            Control::Rej { .. } => "REJ",
            Control::Sabme { .. } => "SABME",
            Control::Dm { .. } => "DM",
            Control::Ui { .. } => "UI",
            Control::Disc { .. } => "DISC",
            Control::Ua { .. } => "UA",
            Control::Frmr { .. } => "FRMR",
            Control::Xid { .. } => "XID",
        }
    }
}

/// A parsed LAPD frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LapdRepr<'a> {
    /// SAPI (0 for Q.931).
    pub sapi: u8,
    /// C/R bit as on the wire.
    pub cr: bool,
    /// TEI (0 on PRI).
    pub tei: u8,
    /// Decoded control field.
    pub control: Control,
    /// Information field (empty for S and most U frames).
    pub info: &'a [u8],
}

impl<'a> LapdRepr<'a> {
    /// Parses a frame view.
    pub fn parse(frame: &Frame<&'a [u8]>) -> Result<Self, LapdError> {
        Self::parse_bytes(frame.buffer)
    }

    /// Parses raw bytes (frame without FCS).
    pub fn parse_bytes(bytes: &'a [u8]) -> Result<Self, LapdError> {
        let frame = Frame::new_checked(bytes)?;
        let c2 = frame.is_numbered().then(|| frame.control2());
        let control = Control::decode(frame.control(), c2)?;
        let start = if frame.is_numbered() { 4 } else { 3 };
        let info = &bytes[start..];
        if !info.is_empty() && !control.allows_info() {
            return Err(LapdError::InfoNotPermitted(frame.control()));
        }
        if info.len() > N201 {
            return Err(LapdError::InfoTooLong(info.len()));
        }
        Ok(LapdRepr { sapi: frame.sapi(), cr: frame.cr(), tei: frame.tei(), control, info })
    }

    /// Length of the emitted frame.
    pub fn buffer_len(&self) -> usize {
        let ctl = if matches!(
            self.control,
            Control::I { .. } | Control::Rr { .. } | Control::Rnr { .. } | Control::Rej { .. }
        ) {
            2
        } else {
            1
        };
        2 + ctl + self.info.len()
    }

    /// Emits the frame (without FCS) into a new buffer.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.buffer_len());
        out.push(((self.sapi & 0x3F) << 2) | if self.cr { 2 } else { 0 });
        out.push(((self.tei & 0x7F) << 1) | 1);
        self.control.encode(&mut out);
        out.extend_from_slice(self.info);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn sabme_round_trip() {
        let r = LapdRepr { sapi: 0, cr: false, tei: 0, control: Control::Sabme { p: true }, info: &[] };
        let b = r.to_bytes();
        assert_eq!(b, vec![0x00, 0x01, 0x7F]);
        assert_eq!(LapdRepr::parse_bytes(&b).unwrap(), r);
    }

    #[test]
    fn i_frame_round_trip() {
        let info = [0x08, 0x02, 0x00, 0x01, 0x05];
        let r = LapdRepr {
            sapi: 0,
            cr: true,
            tei: 0,
            control: Control::I { ns: 127, nr: 5, p: true },
            info: &info,
        };
        let b = r.to_bytes();
        assert_eq!(&b[..4], &[0x02, 0x01, 0xFE, 0x0B]);
        assert_eq!(LapdRepr::parse_bytes(&b).unwrap(), r);
    }

    #[test]
    fn errors() {
        assert_eq!(LapdRepr::parse_bytes(&[0]), Err(LapdError::TooShort(1)));
        assert_eq!(LapdRepr::parse_bytes(&[0x01, 0x01, 0x7F]), Err(LapdError::BadAddress));
        assert_eq!(LapdRepr::parse_bytes(&[0x00, 0x01, 0x0D, 0x00]), Err(LapdError::UndefinedControl(0x0D)));
        assert_eq!(
            LapdRepr::parse_bytes(&[0x00, 0x01, 0x01, 0x00, 0x55]),
            Err(LapdError::InfoNotPermitted(0x01))
        );
    }

    proptest! {
        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            if let Ok(r) = LapdRepr::parse_bytes(&bytes) {
                let again = r.to_bytes();
                prop_assert_eq!(LapdRepr::parse_bytes(&again).unwrap(), r);
            }
        }
    }
}
