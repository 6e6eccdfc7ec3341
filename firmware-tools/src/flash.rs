//! NOR flash: the [`Flash`] trait the update engine drives, and a simulated part with
//! deterministic fault injection (power loss mid-erase/mid-program, bit flips).

use thiserror::Error;

/// Default erase block size (64 KiB).
pub const BLOCK_SIZE: u32 = 64 * 1024;

/// Size and erase granularity of a flash part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Geometry {
    /// Erase block size in octets.
    pub block_size: u32,
    /// Number of erase blocks.
    pub blocks: u32,
}

impl Geometry {
    /// Total size in octets.
    pub fn len(&self) -> u64 {
        u64::from(self.block_size) * u64::from(self.blocks)
    }

    /// True for a zero-sized part.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Why a flash operation failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FlashError {
    /// Access outside the part.
    #[error("flash access {addr:#x}+{len} is out of range")]
    OutOfRange {
        /// Start address.
        addr: u64,
        /// Length.
        len: usize,
    },
    /// Write or erase inside the protected factory region.
    #[error("flash block {block} is write-protected")]
    Protected {
        /// Block number.
        block: u32,
    },
    /// Power failed during operation number `op`; nothing works until the next power cycle.
    #[error("power lost during flash operation {op}")]
    PowerLoss {
        /// Mutating-operation index at which power failed.
        op: u64,
    },
}

/// A NOR flash: reads anywhere, erases whole blocks to 0xFF, programs by clearing bits.
pub trait Flash {
    /// Size and block layout.
    fn geometry(&self) -> Geometry;
    /// Reads `buf.len()` octets at `addr`.
    fn read(&mut self, addr: u32, buf: &mut [u8]) -> Result<(), FlashError>;
    /// Erases block number `block` to all 0xFF.
    fn erase_block(&mut self, block: u32) -> Result<(), FlashError>;
    /// Programs `data` at `addr` (NOR semantics: stored = stored & data).
    fn program(&mut self, addr: u32, data: &[u8]) -> Result<(), FlashError>;
}

/// Faults to inject, keyed by mutating-operation index (erases and programs, counted from 0).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FaultPlan {
    /// Power fails halfway through this operation.
    pub power_loss_at: Option<u64>,
    /// This operation flips one stored bit (index modulo the octets touched × 8).
    pub bit_flip_at: Option<(u64, u64)>,
}

/// An in-memory NOR flash with a protected range and fault injection.
#[derive(Debug, Clone)]
pub struct SimFlash {
    mem: Vec<u8>,
    geometry: Geometry,
    protected: std::ops::Range<u32>,
    faults: FaultPlan,
    ops: u64,
    powered: bool,
}

impl SimFlash {
    /// A blank (all 0xFF) part; blocks in `protected` refuse erase and program.
    pub fn new(geometry: Geometry, protected: std::ops::Range<u32>) -> Self {
        SimFlash {
            mem: vec![0xFF; geometry.len() as usize],
            geometry,
            protected,
            faults: FaultPlan::default(),
            ops: 0,
            powered: true,
        }
    }

    /// Rebuilds a part from saved contents.
    pub fn from_contents(geometry: Geometry, protected: std::ops::Range<u32>, mem: Vec<u8>) -> Option<Self> {
        (mem.len() as u64 == geometry.len()).then_some(SimFlash {
            mem,
            geometry,
            protected,
            faults: FaultPlan::default(),
            ops: 0,
            powered: true,
        })
    }

    /// The raw contents.
    pub fn contents(&self) -> &[u8] {
        &self.mem
    }

    /// Writes directly, bypassing protection and faults (factory programming).
    pub fn factory_write(&mut self, addr: u32, data: &[u8]) -> Result<(), FlashError> {
        let r = self.range(addr, data.len())?;
        self.mem[r].copy_from_slice(data);
        Ok(())
    }

    /// Flips one stored bit, as retention loss would.
    pub fn flip_bit(&mut self, addr: u32, bit: u8) {
        if let Some(b) = self.mem.get_mut(addr as usize) {
            *b ^= 1 << (bit & 7);
        }
    }

    /// Arms faults and resets the operation counter.
    pub fn set_faults(&mut self, plan: FaultPlan) {
        self.faults = plan;
        self.ops = 0;
    }

    /// Mutating operations performed since the faults were armed.
    pub fn ops(&self) -> u64 {
        self.ops
    }

    /// Whether the part still has power.
    pub fn powered(&self) -> bool {
        self.powered
    }

    /// Power cycle: restores power. Armed faults stay armed (the operation count runs on), so a
    /// fault can hit after a reboot in the same scenario.
    pub fn power_cycle(&mut self) {
        self.powered = true;
    }

    fn range(&self, addr: u32, len: usize) -> Result<std::ops::Range<usize>, FlashError> {
        let end = u64::from(addr) + len as u64;
        if end > self.geometry.len() {
            return Err(FlashError::OutOfRange { addr: u64::from(addr), len });
        }
        Ok(addr as usize..end as usize)
    }

    /// Counts a mutating op; returns (power fails now, flip a bit now).
    fn step(&mut self) -> Result<(bool, Option<u64>), FlashError> {
        if !self.powered {
            return Err(FlashError::PowerLoss { op: self.ops });
        }
        let op = self.ops;
        self.ops += 1;
        let lose = self.faults.power_loss_at == Some(op);
        let flip = self.faults.bit_flip_at.and_then(|(at, bit)| (at == op).then_some(bit));
        Ok((lose, flip))
    }
}

impl Flash for SimFlash {
    fn geometry(&self) -> Geometry {
        self.geometry
    }

    fn read(&mut self, addr: u32, buf: &mut [u8]) -> Result<(), FlashError> {
        if !self.powered {
            return Err(FlashError::PowerLoss { op: self.ops });
        }
        let r = self.range(addr, buf.len())?;
        buf.copy_from_slice(&self.mem[r]);
        Ok(())
    }

    fn erase_block(&mut self, block: u32) -> Result<(), FlashError> {
        if block >= self.geometry.blocks {
            return Err(FlashError::OutOfRange {
                addr: u64::from(block) * u64::from(self.geometry.block_size),
                len: 0,
            });
        }
        if self.protected.contains(&block) {
            return Err(FlashError::Protected { block });
        }
        let (lose, flip) = self.step()?;
        let bs = self.geometry.block_size as usize;
        let start = block as usize * bs;
        let done = if lose { bs / 2 } else { bs };
        self.mem[start..start + done].fill(0xFF);
        if let Some(bit) = flip {
            let bit = bit % (bs as u64 * 8);
            self.mem[start + (bit / 8) as usize] ^= 1 << (bit % 8);
        }
        if lose {
            self.powered = false;
            return Err(FlashError::PowerLoss { op: self.ops - 1 });
        }
        Ok(())
    }

    fn program(&mut self, addr: u32, data: &[u8]) -> Result<(), FlashError> {
        let r = self.range(addr, data.len())?;
        let bs = self.geometry.block_size;
        if !data.is_empty() {
            let last = (r.end as u64 - 1) / u64::from(bs);
            for block in addr / bs..=last as u32 {
                if self.protected.contains(&block) {
                    return Err(FlashError::Protected { block });
                }
            }
        }
        let (lose, flip) = self.step()?;
        let done = if lose { data.len() / 2 } else { data.len() };
        for (m, d) in self.mem[r.start..r.start + done].iter_mut().zip(data) {
            *m &= *d;
        }
        if let (Some(bit), false) = (flip, data.is_empty()) {
            let bit = bit % (data.len() as u64 * 8);
            self.mem[r.start + (bit / 8) as usize] ^= 1 << (bit % 8);
        }
        if lose {
            self.powered = false;
            return Err(FlashError::PowerLoss { op: self.ops - 1 });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part() -> SimFlash {
        SimFlash::new(Geometry { block_size: 256, blocks: 4 }, 0..1)
    }

    #[test]
    fn nor_semantics_and_protection() {
        let mut f = part();
        f.program(256, &[0x0F, 0xF0]).unwrap();
        f.program(256, &[0xFF, 0x3C]).unwrap();
        let mut b = [0u8; 2];
        f.read(256, &mut b).unwrap();
        assert_eq!(b, [0x0F, 0x30]);
        f.erase_block(1).unwrap();
        f.read(256, &mut b).unwrap();
        assert_eq!(b, [0xFF, 0xFF]);
        assert_eq!(f.erase_block(0), Err(FlashError::Protected { block: 0 }));
        assert_eq!(f.program(250, &[0; 10]), Err(FlashError::Protected { block: 0 }));
        assert!(matches!(f.read(1020, &mut [0; 8]), Err(FlashError::OutOfRange { .. })));
    }

    #[test]
    fn power_loss_leaves_partial_work_and_kills_the_part() {
        let mut f = part();
        f.program(512, &[0u8; 256]).unwrap();
        f.set_faults(FaultPlan { power_loss_at: Some(0), ..Default::default() });
        assert_eq!(f.erase_block(2), Err(FlashError::PowerLoss { op: 0 }));
        let c = f.contents();
        assert!(c[512..640].iter().all(|&x| x == 0xFF) && c[640..768].iter().all(|&x| x == 0));
        assert!(matches!(f.read(0, &mut [0; 1]), Err(FlashError::PowerLoss { .. })));
        f.power_cycle();
        f.read(0, &mut [0; 1]).unwrap();
    }

    #[test]
    fn bit_flip_on_program() {
        let mut f = part();
        f.set_faults(FaultPlan { bit_flip_at: Some((0, 9)), ..Default::default() });
        f.program(256, &[0, 0, 0]).unwrap();
        assert_eq!(&f.contents()[256..259], &[0, 2, 0]);
    }
}
