//! The simulated board: a NOR flash with journal, factory and two user slots, a boot ROM that
//! picks the first image that checks out and comes up, a running-version register, and
//! fault injection. `--board sim:PATH` keeps its state in a file between `trunkfw` runs.

use crate::checksum::crc32;
use crate::container::{self, Semver};
use crate::flash::{FaultPlan, Flash, FlashError, Geometry, SimFlash, BLOCK_SIZE};
use crate::journal::{self, Layout, Slot};
use crate::update::{Running, Target};
use std::path::Path;
use thiserror::Error;

/// Blocks per image slot in the standard simulated board (4 × 64 KiB).
pub const SLOT_BLOCKS: u32 = 4;

/// Errors creating, loading or saving a simulated board.
#[derive(Debug, Error)]
pub enum SimBoardError {
    /// File I/O failed.
    #[error("{path}: {cause}")]
    Io {
        /// File.
        path: String,
        /// Cause.
        cause: std::io::Error,
    },
    /// The state file is damaged or not a board file.
    #[error("{path}: not a simulated board state file ({why})")]
    BadState {
        /// File.
        path: String,
        /// What is wrong.
        why: String,
    },
    /// The factory image is unusable.
    #[error("factory image: {0}")]
    Factory(String),
    /// Flash access failed.
    #[error("flash: {0}")]
    Flash(FlashError),
}

impl From<FlashError> for SimBoardError {
    fn from(e: FlashError) -> Self {
        SimBoardError::Flash(e)
    }
}

/// A simulated board.
#[derive(Debug, Clone)]
pub struct SimBoard {
    model: String,
    layout: Layout,
    /// The board's flash (public so tests can arm faults or flip bits).
    pub flash: SimFlash,
    running: Option<Running>,
    /// Payload CRCs of images that pass their checksums but fail to come up (boot check fault).
    pub boot_fail: Vec<u32>,
    /// Boots performed since creation or load.
    pub boots: u32,
}

impl SimBoard {
    /// A board of `model` whose factory slot holds `factory` (a Trunkline container for the same
    /// model); it is powered up once so the running register is set.
    pub fn new(
        model: &str,
        factory: &[u8],
        block_size: u32,
        slot_blocks: u32,
    ) -> Result<SimBoard, SimBoardError> {
        let c = container::Repr::parse_checked(factory).map_err(|e| SimBoardError::Factory(e.to_string()))?;
        if !c.model.eq_ignore_ascii_case(model) {
            return Err(SimBoardError::Factory(format!("image is for {}, board is {model}", c.model)));
        }
        let layout = Layout::standard(slot_blocks);
        if factory.len() as u64 > u64::from(slot_blocks) * u64::from(block_size) {
            return Err(SimBoardError::Factory("larger than the factory slot".into()));
        }
        let geometry = Geometry { block_size, blocks: layout.blocks() };
        let mut flash = SimFlash::new(geometry, layout.factory..layout.factory + slot_blocks);
        flash.factory_write(layout.factory * block_size, factory)?;
        let mut b =
            SimBoard { model: model.to_string(), layout, flash, running: None, boot_fail: vec![], boots: 0 };
        b.boot();
        Ok(b)
    }

    /// The standard board: 64 KiB blocks, 256 KiB slots.
    pub fn standard(model: &str, factory: &[u8]) -> Result<SimBoard, SimBoardError> {
        SimBoard::new(model, factory, BLOCK_SIZE, SLOT_BLOCKS)
    }

    /// Flash address of the first octet of a slot.
    pub fn layout_first_byte(&self, slot: Slot) -> u32 {
        self.layout.first_block(slot) * self.flash.geometry().block_size
    }

    /// The running-version register.
    pub fn running_image(&self) -> Option<Running> {
        self.running
    }

    /// Arms flash faults (operation counter restarts at 0).
    pub fn inject(&mut self, plan: FaultPlan) {
        self.flash.set_faults(plan);
    }

    /// Reads and fully checks the image in `slot`; `None` when it is missing or damaged.
    pub fn slot_image(&self, slot: Slot) -> Option<container::Repr> {
        let bs = self.flash.geometry().block_size as usize;
        let start = self.layout.first_block(slot) as usize * bs;
        let end = start + self.layout.slot_blocks as usize * bs;
        let mem = &self.flash.contents()[start..end];
        let p = container::Packet::new_checked(mem).ok()?;
        let total = p.total_len();
        let r = container::Repr::parse_checked(&mem[..total]).ok()?;
        r.model.eq_ignore_ascii_case(&self.model).then_some(r)
    }

    /// Boot ROM: tries active, previous, then factory; the first image that checks out and
    /// comes up sets the running register. Power is restored first.
    pub fn boot(&mut self) -> Option<Running> {
        self.flash.power_cycle();
        self.boots += 1;
        let (j, _) =
            journal::read(&mut self.flash, &self.layout).unwrap_or((journal::Journal::fresh(), None));
        let mut order = vec![j.active];
        order.extend(j.previous);
        order.push(Slot::Factory);
        self.running = None;
        for slot in order {
            if let Some(img) = self.slot_image(slot) {
                if !self.boot_fail.contains(&crc32(&img.payload)) {
                    self.running = Some(Running { slot, version: img.version, crc: img.crc.1 });
                    break;
                }
            }
        }
        self.running
    }

    /// Loads a board saved with [`SimBoard::save`].
    pub fn load(path: &Path) -> Result<SimBoard, SimBoardError> {
        let p = path.display().to_string();
        let data = std::fs::read(path).map_err(|cause| SimBoardError::Io { path: p.clone(), cause })?;
        SimBoard::from_state(&data, &p)
    }

    /// Rebuilds a board from the bytes of a state file; `label` names it in errors.
    pub fn from_state(data: &[u8], label: &str) -> Result<SimBoard, SimBoardError> {
        let p = label.to_string();
        let bad = |why: &str| SimBoardError::BadState { path: p.clone(), why: why.into() };
        if data.len() < 64 || &data[..8] != STATE_MAGIC {
            return Err(bad("wrong magic or too short"));
        }
        let (body, tail) = data.split_at(data.len() - 4);
        if crc32(body) != u32::from_le_bytes([tail[0], tail[1], tail[2], tail[3]]) {
            return Err(bad("CRC mismatch"));
        }
        let le32 = |o: usize| u32::from_le_bytes([body[o], body[o + 1], body[o + 2], body[o + 3]]);
        let le16 = |o: usize| u16::from_le_bytes([body[o], body[o + 1]]);
        let model_len = usize::from(body[8]);
        if model_len == 0 || model_len > container::MODEL_LEN {
            return Err(bad("model length"));
        }
        if body.len() < 9 + model_len + 23 {
            return Err(bad("truncated header"));
        }
        let model = std::str::from_utf8(&body[9..9 + model_len]).map_err(|_| bad("model"))?.to_string();
        let o = 9 + model_len;
        let (block_size, slot_blocks) = (le32(o), le32(o + 4));
        let running_slot = body[o + 8];
        let version = Semver::new(le16(o + 9), le16(o + 11), le16(o + 13));
        let crc = le32(o + 15);
        let nfail = le32(o + 19) as usize;
        let mut q = o + 23;
        if nfail > 1024 || body.len() < q + 4 * nfail {
            return Err(bad("boot-fail list"));
        }
        let boot_fail = (0..nfail).map(|i| le32(q + 4 * i)).collect();
        q += 4 * nfail;
        let layout = Layout::standard(slot_blocks);
        if block_size == 0 || slot_blocks == 0 || slot_blocks > 64 || block_size > 1 << 20 {
            return Err(bad("geometry"));
        }
        let geometry = Geometry { block_size, blocks: layout.blocks() };
        let flash = SimFlash::from_contents(
            geometry,
            layout.factory..layout.factory + slot_blocks,
            body[q..].to_vec(),
        )
        .ok_or_else(|| bad("flash size"))?;
        let running = match running_slot {
            0 => Some(Slot::Factory),
            1 => Some(Slot::A),
            2 => Some(Slot::B),
            _ => None,
        }
        .map(|slot| Running { slot, version, crc });
        Ok(SimBoard { model, layout, flash, running, boot_fail, boots: 0 })
    }

    /// Saves the board atomically (temporary file, then rename).
    pub fn save(&self, path: &Path) -> Result<(), SimBoardError> {
        let mut out = STATE_MAGIC.to_vec();
        out.push(self.model.len() as u8);
        out.extend_from_slice(self.model.as_bytes());
        out.extend_from_slice(&self.flash.geometry().block_size.to_le_bytes());
        out.extend_from_slice(&self.layout.slot_blocks.to_le_bytes());
        let r = self.running.unwrap_or(Running { slot: Slot::Factory, version: Semver::default(), crc: 0 });
        out.push(match self.running.map(|r| r.slot) {
            Some(Slot::Factory) => 0,
            Some(Slot::A) => 1,
            Some(Slot::B) => 2,
            None => 0xFF,
        });
        for v in [r.version.major, r.version.minor, r.version.patch] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(&r.crc.to_le_bytes());
        out.extend_from_slice(&(self.boot_fail.len() as u32).to_le_bytes());
        for c in &self.boot_fail {
            out.extend_from_slice(&c.to_le_bytes());
        }
        out.extend_from_slice(self.flash.contents());
        let crc = crc32(&out);
        out.extend_from_slice(&crc.to_le_bytes());
        let p = path.display().to_string();
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, &out)
            .map_err(|cause| SimBoardError::Io { path: tmp.display().to_string(), cause })?;
        std::fs::rename(&tmp, path).map_err(|cause| SimBoardError::Io { path: p, cause })
    }
}

const STATE_MAGIC: &[u8; 8] = b"TLSIMBD1";

impl Target for SimBoard {
    type F = SimFlash;

    fn flash(&mut self) -> &mut SimFlash {
        &mut self.flash
    }

    fn layout(&self) -> Layout {
        self.layout
    }

    fn model(&self) -> &str {
        &self.model
    }

    fn reset(&mut self) -> Option<Running> {
        self.boot()
    }

    fn running(&self) -> Option<Running> {
        self.running
    }
}
