//! Q.931 message wire format: a zero-copy [`Message`] view of the header and a parsed
//! [`MessageRepr`] with its information elements.
//!
//! ```text
//! octet 1: protocol discriminator 0x08
//! octet 2: 0000 | call reference length (0 = dummy, 2 on PRI)
//! octets : flag(1) + call reference value (15 bits for length 2)
//! octet  : message type
//! then   : information elements (single-octet 1xxx xxxx, or id, length, contents)
//! ```

use thiserror::Error;

use super::ie::{Ie, IeError, IE_SENDING_COMPLETE};

/// Q.931 protocol discriminator.
pub const PD_Q931: u8 = 0x08;

mod field {
    pub const PD: usize = 0;
    pub const CRL: usize = 1;
    pub const CRV: usize = 2;
}

/// Header errors: Q.931 §5.8.1–5.8.3 says such messages are ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum MessageError {
    /// Shorter than protocol discriminator, call reference and message type.
    #[error("message too short ({0} octets)")]
    TooShort(usize),
    /// Not a Q.931 message.
    #[error("protocol discriminator {0:#04x} is not Q.931")]
    ProtocolDiscriminator(u8),
    /// Call reference length octet invalid (spare bits set or longer than 2).
    #[error("invalid call reference length octet {0:#04x}")]
    CallReferenceLength(u8),
}

/// Q.931 message types used on PRI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MsgType {
    /// ALERTING.
    Alerting,
    /// CALL PROCEEDING.
    CallProceeding,
    /// PROGRESS.
    Progress,
    /// SETUP.
    Setup,
    /// CONNECT.
    Connect,
    /// SETUP ACKNOWLEDGE.
    SetupAck,
    /// CONNECT ACKNOWLEDGE.
    ConnectAck,
    /// DISCONNECT.
    Disconnect,
    /// RESTART.
    Restart,
    /// RELEASE.
    Release,
    /// RESTART ACKNOWLEDGE.
    RestartAck,
    /// RELEASE COMPLETE.
    ReleaseComplete,
    /// FACILITY.
    Facility,
    /// NOTIFY.
    Notify,
    /// STATUS ENQUIRY.
    StatusEnquiry,
    /// INFORMATION.
    Information,
    /// STATUS.
    Status,
    /// A message type this stack does not know (answered with STATUS cause 97).
    Unknown(u8),
}

impl MsgType {
    /// Decodes the message type octet.
    pub fn from_u8(v: u8) -> MsgType {
        match v {
            0x01 => MsgType::Alerting,
            0x02 => MsgType::CallProceeding,
            0x03 => MsgType::Progress,
            0x05 => MsgType::Setup,
            0x07 => MsgType::Connect,
            0x0D => MsgType::SetupAck,
            0x0F => MsgType::ConnectAck,
            0x45 => MsgType::Disconnect,
            0x46 => MsgType::Restart,
            0x4D => MsgType::Release,
            0x4E => MsgType::RestartAck,
            0x5A => MsgType::ReleaseComplete,
            0x62 => MsgType::Facility,
            0x6E => MsgType::Notify,
            0x75 => MsgType::StatusEnquiry,
            0x7B => MsgType::Information,
            0x7D => MsgType::Status,
            v => MsgType::Unknown(v),
        }
    }

    /// The message type octet.
    pub fn as_u8(self) -> u8 {
        match self {
            MsgType::Alerting => 0x01,
            MsgType::CallProceeding => 0x02,
            MsgType::Progress => 0x03,
            MsgType::Setup => 0x05,
            MsgType::Connect => 0x07,
            MsgType::SetupAck => 0x0D,
            MsgType::ConnectAck => 0x0F,
            MsgType::Disconnect => 0x45,
            MsgType::Restart => 0x46,
            MsgType::Release => 0x4D,
            MsgType::RestartAck => 0x4E,
            MsgType::ReleaseComplete => 0x5A,
            MsgType::Facility => 0x62,
            MsgType::Notify => 0x6E,
            MsgType::StatusEnquiry => 0x75,
            MsgType::Information => 0x7B,
            MsgType::Status => 0x7D,
            MsgType::Unknown(v) => v,
        }
    }

    /// Name as printed in traces.
    pub fn name(self) -> &'static str {
        match self {
            MsgType::Alerting => "ALERTING",
            MsgType::CallProceeding => "CALL PROCEEDING",
            MsgType::Progress => "PROGRESS",
            MsgType::Setup => "SETUP",
            MsgType::Connect => "CONNECT",
            MsgType::SetupAck => "SETUP ACKNOWLEDGE",
            MsgType::ConnectAck => "CONNECT ACKNOWLEDGE",
            MsgType::Disconnect => "DISCONNECT",
            MsgType::Restart => "RESTART",
            MsgType::Release => "RELEASE",
            MsgType::RestartAck => "RESTART ACKNOWLEDGE",
            MsgType::ReleaseComplete => "RELEASE COMPLETE",
            MsgType::Facility => "FACILITY",
            MsgType::Notify => "NOTIFY",
            MsgType::StatusEnquiry => "STATUS ENQUIRY",
            MsgType::Information => "INFORMATION",
            MsgType::Status => "STATUS",
            MsgType::Unknown(_) => "UNKNOWN",
        }
    }
}

/// A call reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallRef {
    /// The dummy call reference (length 0).
    Dummy,
    /// A call reference value with its flag.
    Value {
        /// 15-bit (or 7-bit for length 1) value; 0 is the global call reference.
        value: u16,
        /// Flag: false when sent by the side that allocated the value, true towards it.
        flag: bool,
        /// Length in octets as received (1 or 2); 2 when emitted by this stack.
        len: u8,
    },
}

impl CallRef {
    /// The global call reference (value 0, used by RESTART).
    pub fn global() -> Self {
        CallRef::Value { value: 0, flag: false, len: 2 }
    }

    /// Whether this is the global call reference.
    pub fn is_global(self) -> bool {
        matches!(self, CallRef::Value { value: 0, .. })
    }
}

/// Zero-copy view of a Q.931 message header.
#[derive(Debug, Clone)]
pub struct Message<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Message<T> {
    /// Wraps a buffer without checks.
    pub fn new_unchecked(buffer: T) -> Self {
        Message { buffer }
    }

    /// Wraps a buffer after checking the header.
    pub fn new_checked(buffer: T) -> Result<Self, MessageError> {
        let m = Message { buffer };
        m.check()?;
        Ok(m)
    }

    /// Checks protocol discriminator, call reference length and that a message type is present.
    pub fn check(&self) -> Result<(), MessageError> {
        let b = self.buffer.as_ref();
        if b.len() < 2 {
            return Err(MessageError::TooShort(b.len()));
        }
        if b[field::PD] != PD_Q931 {
            return Err(MessageError::ProtocolDiscriminator(b[field::PD]));
        }
        let crl = b[field::CRL];
        if crl & 0xF0 != 0 || crl > 2 {
            return Err(MessageError::CallReferenceLength(crl));
        }
        if b.len() < 3 + usize::from(crl) {
            return Err(MessageError::TooShort(b.len()));
        }
        Ok(())
    }

    fn crl(&self) -> usize {
        usize::from(self.buffer.as_ref()[field::CRL] & 0x0F)
    }

    /// The call reference.
    pub fn call_ref(&self) -> CallRef {
        let b = self.buffer.as_ref();
        match self.crl() {
            0 => CallRef::Dummy,
            1 => CallRef::Value {
                value: u16::from(b[field::CRV] & 0x7F),
                flag: b[field::CRV] & 0x80 != 0,
                len: 1,
            },
            _ => CallRef::Value {
                value: (u16::from(b[field::CRV] & 0x7F) << 8) | u16::from(b[field::CRV + 1]),
                flag: b[field::CRV] & 0x80 != 0,
                len: 2,
            },
        }
    }

    /// Message type.
    pub fn msg_type(&self) -> MsgType {
        MsgType::from_u8(self.buffer.as_ref()[field::CRV + self.crl()])
    }

    /// The information elements area.
    pub fn ie_bytes(&self) -> &[u8] {
        &self.buffer.as_ref()[field::CRV + self.crl() + 1..]
    }
}

/// A parsed Q.931 message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageRepr {
    /// Call reference.
    pub call_ref: CallRef,
    /// Message type.
    pub msg_type: MsgType,
    /// Decoded IEs, in wire order.
    pub ies: Vec<Ie>,
    /// IEs whose contents could not be decoded: `(identifier, error)`. The message is still
    /// usable; call control decides between cause 100 (mandatory IE) and ignoring the IE.
    pub bad_ies: Vec<(u8, IeError)>,
    /// The IE area ended inside an IE (its length ran past the end).
    pub truncated: bool,
}

impl MessageRepr {
    /// A message with no IEs.
    pub fn new(call_ref: CallRef, msg_type: MsgType) -> Self {
        Self { call_ref, msg_type, ies: Vec::new(), bad_ies: Vec::new(), truncated: false }
    }

    /// Adds an IE (builder style).
    pub fn with(mut self, ie: Ie) -> Self {
        self.ies.push(ie);
        self
    }

    /// Parses a message. Header errors are returned; IE errors are collected in `bad_ies`.
    pub fn parse(bytes: &[u8]) -> Result<Self, MessageError> {
        let msg = Message::new_checked(bytes)?;
        let mut repr = MessageRepr::new(msg.call_ref(), msg.msg_type());
        let b = msg.ie_bytes();
        let mut i = 0;
        let mut locked_codeset = 0u8;
        let mut next_codeset: Option<u8> = None;
        while i < b.len() {
            let id = b[i];
            let codeset = next_codeset.take().unwrap_or(locked_codeset);
            if id & 0x80 != 0 {
                i += 1;
                if id & 0xF0 == 0x90 {
                    // shift: locking when bit 4 is 0
                    if id & 0x08 == 0 {
                        locked_codeset = id & 7;
                    } else {
                        next_codeset = Some(id & 7);
                    }
                } else if id == IE_SENDING_COMPLETE && codeset == 0 {
                    repr.ies.push(Ie::SendingComplete);
                } else {
                    repr.ies.push(Ie::Other { codeset, id, data: Vec::new() });
                }
                continue;
            }
            let Some(&len) = b.get(i + 1) else {
                repr.truncated = true;
                break;
            };
            let start = i + 2;
            let end = start + usize::from(len);
            if end > b.len() {
                repr.truncated = true;
                repr.bad_ies.push((id, IeError::TooShort { id }));
                break;
            }
            let contents = &b[start..end];
            if codeset == 0 {
                match Ie::parse_variable(id, contents) {
                    Ok(ie) => repr.ies.push(ie),
                    Err(e) => repr.bad_ies.push((id, e)),
                }
            } else {
                repr.ies.push(Ie::Other { codeset, id, data: contents.to_vec() });
            }
            i = end;
        }
        Ok(repr)
    }

    /// Emits the message (call reference length 2, or 0 for the dummy reference).
    pub fn emit(&self) -> Vec<u8> {
        let mut out = vec![PD_Q931];
        match self.call_ref {
            CallRef::Dummy => out.push(0),
            CallRef::Value { value, flag, .. } => {
                out.push(2);
                out.push(((value >> 8) as u8 & 0x7F) | if flag { 0x80 } else { 0 });
                out.push((value & 0xFF) as u8);
            }
        }
        out.push(self.msg_type.as_u8());
        for ie in &self.ies {
            ie.emit(&mut out);
        }
        out
    }

    /// First IE with identifier `id`.
    pub fn ie(&self, id: u8) -> Option<&Ie> {
        self.ies.iter().find(|ie| ie.id() == id)
    }

    /// Whether an IE with identifier `id` was present but undecodable.
    pub fn is_bad(&self, id: u8) -> bool {
        self.bad_ies.iter().any(|(i, _)| *i == id)
    }

    /// The cause value, if a decodable cause IE is present.
    pub fn cause(&self) -> Option<u8> {
        self.ies.iter().find_map(|ie| match ie {
            Ie::Cause(c) => Some(c.value),
            _ => None,
        })
    }

    /// The channel identification, if present and decodable.
    pub fn channel_id(&self) -> Option<&super::ie::ChannelId> {
        self.ies.iter().find_map(|ie| match ie {
            Ie::ChannelId(c) => Some(c),
            _ => None,
        })
    }

    /// The called party number, if present.
    pub fn called(&self) -> Option<&super::ie::PartyNumber> {
        self.ies.iter().find_map(|ie| match ie {
            Ie::Called(c) => Some(c),
            _ => None,
        })
    }

    /// The calling party number, if present.
    pub fn calling(&self) -> Option<&super::ie::PartyNumber> {
        self.ies.iter().find_map(|ie| match ie {
            Ie::Calling(c) => Some(c),
            _ => None,
        })
    }

    /// Whether the sending complete IE is present.
    pub fn sending_complete(&self) -> bool {
        self.ies.iter().any(|ie| matches!(ie, Ie::SendingComplete))
    }

    /// Progress indicator description, if present.
    pub fn progress(&self) -> Option<u8> {
        self.ies.iter().find_map(|ie| match ie {
            Ie::Progress(p) => Some(p.description),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signalling::pri::ie::{BearerCapability, ChannelId, PartyNumber, L1_ALAW};
    use proptest::prelude::*;

    #[test]
    fn setup_round_trip() {
        let m = MessageRepr::new(CallRef::Value { value: 0x1234, flag: false, len: 2 }, MsgType::Setup)
            .with(Ie::SendingComplete)
            .with(Ie::Bearer(BearerCapability::speech(L1_ALAW)))
            .with(Ie::ChannelId(ChannelId::bchannel(1, true)))
            .with(Ie::Calling(PartyNumber::e164("4008001234")))
            .with(Ie::Called(PartyNumber::e164("8001")));
        let b = m.emit();
        assert_eq!(&b[..5], &[0x08, 0x02, 0x12, 0x34, 0x05]);
        assert_eq!(MessageRepr::parse(&b).unwrap(), m);
    }

    #[test]
    fn header_errors_and_codesets() {
        assert_eq!(MessageRepr::parse(&[0x09, 0x02, 0, 1, 5]), Err(MessageError::ProtocolDiscriminator(9)));
        assert_eq!(MessageRepr::parse(&[0x08, 0x03, 0, 1, 5, 1]), Err(MessageError::CallReferenceLength(3)));
        assert!(MessageRepr::parse(&[0x08, 0x02, 0]).is_err());
        // locking shift to codeset 5 keeps the IE as Other
        let m = MessageRepr::parse(&[0x08, 0x00, 0x7B, 0x95, 0x28, 0x01, 0x41]).unwrap();
        assert_eq!(m.ies, vec![Ie::Other { codeset: 5, id: 0x28, data: vec![0x41] }]);
        // truncated IE
        let m = MessageRepr::parse(&[0x08, 0x02, 0, 1, 0x45, 0x08, 0x05, 0x80]).unwrap();
        assert!(m.truncated);
    }

    proptest! {
        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            if let Ok(m) = MessageRepr::parse(&bytes) {
                let _ = m.emit();
            }
        }

        #[test]
        fn never_panics_with_valid_header(ies in proptest::collection::vec(any::<u8>(), 0..200), mt in any::<u8>()) {
            let mut b = vec![0x08, 0x02, 0x00, 0x01, mt];
            b.extend(ies);
            let m = MessageRepr::parse(&b).unwrap();
            let again = MessageRepr::parse(&m.emit()).unwrap();
            prop_assert_eq!(again.msg_type, m.msg_type);
        }
    }
}
