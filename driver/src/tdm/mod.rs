//! Soft TDM pieces shared by backends: CRCs, HDLC, CAS multiframes and debouncing, E1 G.704
//! framing with CRC-4, T1 D4/ESF framing with CRC-6 and robbed bits.

pub mod cas;
pub mod crc;
pub mod e1;
pub mod t1;

pub mod hdlc;
pub mod transpose;
