//! FCS-16 (CRC-16/X.25, the HDLC frame check sequence) for the "frame + 2 FCS octets, low octet
//! first" convention of DAHDI HDLC channels and the interop harness.

use thiserror::Error;

/// Why a received buffer is not a good frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum FcsError {
    /// Fewer than 3 octets: no room for an address, let alone an FCS.
    #[error("frame too short for an FCS ({0} octets)")]
    TooShort(usize),
    /// The frame check sequence does not match.
    #[error("bad FCS: got {got:#06x}, computed {computed:#06x}")]
    Mismatch {
        /// FCS carried by the frame.
        got: u16,
        /// FCS computed over the frame.
        computed: u16,
    },
}

/// CRC-16/X.25 of `data` (reflected poly 0x8408, init 0xFFFF, final complement).
/// The check value over `"123456789"` is 0x906E.
pub fn fcs16(data: &[u8]) -> u16 {
    let mut crc: u16 = 0xFFFF;
    for &b in data {
        crc ^= u16::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0x8408 } else { crc >> 1 };
        }
    }
    !crc
}

/// Appends the FCS of `frame` to it, low octet first.
pub fn append_fcs(frame: &mut Vec<u8>) {
    let f = fcs16(frame);
    frame.push((f & 0xFF) as u8);
    frame.push((f >> 8) as u8);
}

/// Checks the trailing 2-octet FCS of `buf` and returns the frame without it.
pub fn strip_fcs(buf: &[u8]) -> Result<&[u8], FcsError> {
    if buf.len() < 3 {
        return Err(FcsError::TooShort(buf.len()));
    }
    let (frame, tail) = buf.split_at(buf.len() - 2);
    let got = u16::from(tail[0]) | (u16::from(tail[1]) << 8);
    let computed = fcs16(frame);
    if got == computed {
        Ok(frame)
    } else {
        Err(FcsError::Mismatch { got, computed })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_value() {
        assert_eq!(fcs16(b"123456789"), 0x906E);
    }

    #[test]
    fn round_trip_and_reject() {
        let mut f = vec![0x02, 0x01, 0x7F];
        append_fcs(&mut f);
        assert_eq!(strip_fcs(&f).unwrap(), &[0x02, 0x01, 0x7F]);
        f[1] ^= 1;
        assert!(strip_fcs(&f).is_err());
        assert!(strip_fcs(&[1, 2]).is_err());
    }
}
