//! Flash layout of a board and the update journal kept in two alternating metadata blocks, so a
//! power loss while writing one copy always leaves the other readable.

use crate::checksum::crc32;
use crate::container::Semver;
use crate::flash::{Flash, FlashError};

/// An image slot on the board.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Slot {
    /// Protected factory image.
    Factory,
    /// User image slot A.
    A,
    /// User image slot B.
    B,
}

impl Slot {
    fn code(s: Option<Slot>) -> u8 {
        match s {
            Some(Slot::Factory) => 0,
            Some(Slot::A) => 1,
            Some(Slot::B) => 2,
            None => 0xFF,
        }
    }

    fn from_code(c: u8) -> Option<Option<Slot>> {
        match c {
            0 => Some(Some(Slot::Factory)),
            1 => Some(Some(Slot::A)),
            2 => Some(Some(Slot::B)),
            0xFF => Some(None),
            _ => None,
        }
    }

    /// The other user slot.
    pub fn other_user(self) -> Slot {
        match self {
            Slot::A => Slot::B,
            _ => Slot::A,
        }
    }
}

impl std::fmt::Display for Slot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Slot::Factory => "factory",
            Slot::A => "user-a",
            Slot::B => "user-b",
        })
    }
}

/// Where things live in flash, in erase blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// The two journal blocks.
    pub journal: [u32; 2],
    /// First block of the factory slot.
    pub factory: u32,
    /// First block of user slot A.
    pub slot_a: u32,
    /// First block of user slot B.
    pub slot_b: u32,
    /// Blocks per slot.
    pub slot_blocks: u32,
}

impl Layout {
    /// Two journal blocks, then factory, A and B slots of `slot_blocks` each.
    pub const fn standard(slot_blocks: u32) -> Layout {
        Layout {
            journal: [0, 1],
            factory: 2,
            slot_a: 2 + slot_blocks,
            slot_b: 2 + 2 * slot_blocks,
            slot_blocks,
        }
    }

    /// Total blocks the layout needs.
    pub fn blocks(&self) -> u32 {
        2 + 3 * self.slot_blocks
    }

    /// First block of a slot.
    pub fn first_block(&self, slot: Slot) -> u32 {
        match slot {
            Slot::Factory => self.factory,
            Slot::A => self.slot_a,
            Slot::B => self.slot_b,
        }
    }
}

/// Where an update stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdateState {
    /// Nothing in progress; `active` boots.
    Idle,
    /// `target` is being erased/programmed/verified; `active` still boots.
    Writing,
    /// Switched to `active` (the new image); waiting for it to come up and be confirmed.
    Trial,
}

/// One journal record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Journal {
    /// Sequence number; the valid copy with the higher one wins.
    pub seq: u32,
    /// Update state.
    pub state: UpdateState,
    /// Slot the bootloader tries first.
    pub active: Slot,
    /// Slot it falls back to before the factory image.
    pub previous: Option<Slot>,
    /// Slot being written (Writing) or on trial (Trial).
    pub target: Option<Slot>,
    /// Length of the image being installed.
    pub target_len: u32,
    /// CRC-32 of the image being installed (whole container).
    pub target_crc: u32,
    /// Version of the image being installed.
    pub target_version: Semver,
}

const MAGIC: &[u8; 4] = b"TLJR";
/// Encoded record length.
pub const RECORD_LEN: usize = 32;

impl Journal {
    /// The state of a fresh board: factory image, nothing else.
    pub fn fresh() -> Journal {
        Journal {
            seq: 0,
            state: UpdateState::Idle,
            active: Slot::Factory,
            previous: None,
            target: None,
            target_len: 0,
            target_crc: 0,
            target_version: Semver::default(),
        }
    }

    /// An idle record with the given boot order.
    pub fn idle(active: Slot, previous: Option<Slot>) -> Journal {
        Journal { state: UpdateState::Idle, active, previous, ..Journal::fresh() }
    }

    /// Serialises the record.
    pub fn emit(&self) -> [u8; RECORD_LEN] {
        let mut b = [0u8; RECORD_LEN];
        b[0..4].copy_from_slice(MAGIC);
        b[4..8].copy_from_slice(&self.seq.to_le_bytes());
        b[8] = match self.state {
            UpdateState::Idle => 0,
            UpdateState::Writing => 1,
            UpdateState::Trial => 2,
        };
        b[9] = Slot::code(Some(self.active));
        b[10] = Slot::code(self.previous);
        b[11] = Slot::code(self.target);
        b[12..16].copy_from_slice(&self.target_len.to_le_bytes());
        b[16..20].copy_from_slice(&self.target_crc.to_le_bytes());
        b[20..22].copy_from_slice(&self.target_version.major.to_le_bytes());
        b[22..24].copy_from_slice(&self.target_version.minor.to_le_bytes());
        b[24..26].copy_from_slice(&self.target_version.patch.to_le_bytes());
        let crc = crc32(&b[..28]);
        b[28..32].copy_from_slice(&crc.to_le_bytes());
        b
    }

    /// Parses a record; `None` for anything damaged or blank.
    pub fn parse(b: &[u8]) -> Option<Journal> {
        if b.len() < RECORD_LEN || &b[0..4] != MAGIC {
            return None;
        }
        let le32 = |o: usize| u32::from_le_bytes([b[o], b[o + 1], b[o + 2], b[o + 3]]);
        let le16 = |o: usize| u16::from_le_bytes([b[o], b[o + 1]]);
        if le32(28) != crc32(&b[..28]) {
            return None;
        }
        let state = match b[8] {
            0 => UpdateState::Idle,
            1 => UpdateState::Writing,
            2 => UpdateState::Trial,
            _ => return None,
        };
        Some(Journal {
            seq: le32(4),
            state,
            active: Slot::from_code(b[9])??,
            previous: Slot::from_code(b[10])?,
            target: Slot::from_code(b[11])?,
            target_len: le32(12),
            target_crc: le32(16),
            target_version: Semver::new(le16(20), le16(22), le16(24)),
        })
    }
}

/// Reads both copies and returns the newest valid one with the block it lives in.
pub fn read<F: Flash + ?Sized>(
    flash: &mut F,
    layout: &Layout,
) -> Result<(Journal, Option<usize>), FlashError> {
    let bs = flash.geometry().block_size;
    let mut best: Option<(Journal, usize)> = None;
    for (i, blk) in layout.journal.iter().enumerate() {
        let mut buf = [0u8; RECORD_LEN];
        flash.read(blk * bs, &mut buf)?;
        if let Some(j) = Journal::parse(&buf) {
            if !matches!(&best, Some((b, _)) if b.seq >= j.seq) {
                best = Some((j, i));
            }
        }
    }
    Ok(match best {
        Some((j, i)) => (j, Some(i)),
        None => (Journal::fresh(), None),
    })
}

/// Writes `j` (with the next sequence number) over the older copy, verifying it; returns the
/// record as written. Retries a couple of times if the read-back differs (bit errors).
pub fn write<F: Flash + ?Sized>(
    flash: &mut F,
    layout: &Layout,
    mut j: Journal,
) -> Result<Journal, FlashError> {
    let (cur, cur_idx) = read(flash, layout)?;
    j.seq = cur.seq.wrapping_add(1);
    let idx = match cur_idx {
        Some(i) => 1 - i,
        None => 0,
    };
    let blk = layout.journal[idx];
    let bs = flash.geometry().block_size;
    let rec = j.emit();
    for _ in 0..3 {
        flash.erase_block(blk)?;
        flash.program(blk * bs, &rec)?;
        let mut back = [0u8; RECORD_LEN];
        flash.read(blk * bs, &mut back)?;
        if back == rec {
            return Ok(j);
        }
    }
    // The other copy is intact, so the previous state still stands; report it as written state.
    Ok(cur)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flash::{FaultPlan, Geometry, SimFlash};

    #[test]
    fn alternates_and_survives_power_loss() {
        let layout = Layout::standard(1);
        let mut f = SimFlash::new(Geometry { block_size: 4096, blocks: layout.blocks() }, 2..3);
        assert_eq!(read(&mut f, &layout).unwrap().0, Journal::fresh());
        let j1 = write(&mut f, &layout, Journal::idle(Slot::A, Some(Slot::Factory))).unwrap();
        assert_eq!(j1.seq, 1);
        let j2 = write(&mut f, &layout, Journal::idle(Slot::B, Some(Slot::A))).unwrap();
        assert_eq!(read(&mut f, &layout).unwrap(), (j2, Some(1)));
        for at in 0..2 {
            let mut g = f.clone();
            g.set_faults(FaultPlan { power_loss_at: Some(at), ..Default::default() });
            assert!(write(&mut g, &layout, Journal::idle(Slot::A, None)).is_err());
            g.power_cycle();
            assert_eq!(read(&mut g, &layout).unwrap().0, j2, "power loss at op {at}");
        }
        let rec = j2.emit();
        assert_eq!(Journal::parse(&rec), Some(j2));
        let mut bad = rec;
        bad[9] ^= 1;
        assert_eq!(Journal::parse(&bad), None);
    }
}
