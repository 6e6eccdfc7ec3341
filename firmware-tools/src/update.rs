//! The update engine: check, journal, erase, program, read back and compare, switch, confirm the
//! running version, and fall back on any failure. Every step is journaled in flash so a run that
//! was cut short is resumed or rolled back by the next one.

use crate::checksum::crc32;
use crate::container::{self, ContainerError, Semver};
use crate::flash::{Flash, FlashError};
use crate::journal::{self, Journal, Layout, Slot, UpdateState};
use thiserror::Error;

/// Program granularity used by the engine.
pub const PAGE: usize = 4096;

/// What the running-version register reports after a boot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Running {
    /// Slot the board booted from.
    pub slot: Slot,
    /// Version of the running image.
    pub version: Semver,
    /// Payload CRC-32 of the running image.
    pub crc: u32,
}

/// A board the engine can update: its flash plus a way to reboot it and read what runs.
pub trait Target {
    /// The flash type.
    type F: Flash;
    /// The board's flash.
    fn flash(&mut self) -> &mut Self::F;
    /// Where slots and journal live.
    fn layout(&self) -> Layout;
    /// Board model name.
    fn model(&self) -> &str;
    /// Reboots (power cycle) and returns what came up, if anything.
    fn reset(&mut self) -> Option<Running>;
    /// The running-version register.
    fn running(&self) -> Option<Running>;
}

/// Why an update or rollback failed. The board is left bootable in every case.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum UpdateError {
    /// The image file is bad.
    #[error("image rejected: {0}")]
    Image(ContainerError),
    /// The image is for another board model.
    #[error("image is for model {image}, board is {board}")]
    WrongModel {
        /// Model in the image.
        image: String,
        /// Board model.
        board: String,
    },
    /// The image does not fit a slot.
    #[error("image is {len} octets, slot holds {slot}")]
    TooLarge {
        /// Image length.
        len: usize,
        /// Slot capacity.
        slot: u64,
    },
    /// Older than what runs (use force to downgrade).
    #[error("image version {image} is older than running {running} (force to downgrade)")]
    Downgrade {
        /// Running version.
        running: Semver,
        /// Image version.
        image: Semver,
    },
    /// A flash operation failed (power loss ends the run; the next run recovers).
    #[error("flash: {0}")]
    Flash(FlashError),
    /// Read-back differed from the image after every retry; the old image stays active.
    #[error("read-back of {slot} differs at offset {offset} after {attempts} attempts; kept the old image")]
    VerifyFailed {
        /// Slot written.
        slot: Slot,
        /// First differing offset within the image.
        offset: usize,
        /// Attempts made.
        attempts: u32,
    },
    /// The new image did not come up; the board was switched back.
    #[error("new image did not come up; rolled back, running {}", describe(.fell_back_to))]
    BootFailed {
        /// What runs after the rollback.
        fell_back_to: Option<Running>,
    },
    /// Nothing to roll back to.
    #[error("no previous image to roll back to")]
    NoPrevious,
    /// No image boots at all (never expected: the factory image is protected).
    #[error("board does not boot any image")]
    NotBootable,
}

impl From<ContainerError> for UpdateError {
    fn from(e: ContainerError) -> Self {
        UpdateError::Image(e)
    }
}

impl From<FlashError> for UpdateError {
    fn from(e: FlashError) -> Self {
        UpdateError::Flash(e)
    }
}

/// Renders an optional running image for messages.
pub fn describe(r: &Option<Running>) -> String {
    match r {
        Some(r) => format!("{} from {}", r.version, r.slot),
        None => "nothing".into(),
    }
}

/// What a successful upload did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// New image installed and confirmed running.
    Updated {
        /// What ran before.
        from: Option<Running>,
        /// What runs now.
        to: Running,
        /// Whether this continued an interrupted update of the same image.
        resumed: bool,
    },
    /// The same image already runs.
    UpToDate(Running),
}

/// What recovery found and did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recovery {
    /// No interrupted update.
    Clean,
    /// An interrupted write of the image in hand; the caller may resume it.
    Resumable,
    /// An interrupted update was abandoned; the old image runs.
    RolledBack(Option<Running>),
    /// A switched image had come up; it is now confirmed.
    Committed(Running),
}

/// Options for [`upload`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Install even when the version is the same or older.
    pub force: bool,
    /// Program/verify attempts before giving up (0 means 3).
    pub attempts: u32,
}

fn slot_base<T: Target>(t: &mut T, slot: Slot) -> (u32, u64) {
    let l = t.layout();
    let bs = t.flash().geometry().block_size;
    (l.first_block(slot) * bs, u64::from(l.slot_blocks) * u64::from(bs))
}

/// Reads and checks the image in a slot through the flash interface.
pub fn read_slot<T: Target>(t: &mut T, slot: Slot) -> Result<Option<container::Repr>, FlashError> {
    let (base, cap) = slot_base(t, slot);
    let mut head = [0u8; container::HEADER_LEN];
    t.flash().read(base, &mut head)?;
    let total = match container::Packet::new_checked(&head[..]) {
        Ok(p) => p.total_len(),
        Err(ContainerError::Truncated { need, .. }) => need,
        Err(_) => return Ok(None),
    };
    if total as u64 > cap {
        return Ok(None);
    }
    let mut buf = vec![0u8; total];
    t.flash().read(base, &mut buf)?;
    let model = t.model().to_string();
    Ok(container::Repr::parse_checked(&buf).ok().filter(|r| r.model.eq_ignore_ascii_case(&model)))
}

/// Compares a slot with `image`; returns the first differing offset.
fn compare<T: Target>(t: &mut T, base: u32, image: &[u8]) -> Result<Option<usize>, FlashError> {
    let mut buf = vec![0u8; PAGE];
    for (i, chunk) in image.chunks(PAGE).enumerate() {
        let b = &mut buf[..chunk.len()];
        t.flash().read(base + (i * PAGE) as u32, b)?;
        if let Some(k) = b.iter().zip(chunk).position(|(x, y)| x != y) {
            return Ok(Some(i * PAGE + k));
        }
    }
    Ok(None)
}

/// Erases the blocks `image` needs in a slot, programs it page by page, then reads it back.
fn write_slot<T: Target>(t: &mut T, slot: Slot, image: &[u8]) -> Result<Option<usize>, FlashError> {
    let (base, _) = slot_base(t, slot);
    let bs = t.flash().geometry().block_size;
    let first = base / bs;
    let nblocks = (image.len() as u64).div_ceil(u64::from(bs)) as u32;
    for b in first..first + nblocks {
        t.flash().erase_block(b)?;
    }
    for (i, chunk) in image.chunks(PAGE).enumerate() {
        t.flash().program(base + (i * PAGE) as u32, chunk)?;
    }
    compare(t, base, image)
}

fn matches_target(r: Option<Running>, slot: Slot, version: Semver) -> bool {
    matches!(r, Some(r) if r.slot == slot && r.version == version)
}

/// Finishes or abandons an interrupted update. With `image`, an interrupted write of that same
/// image is reported as [`Recovery::Resumable`] instead of being rolled back.
pub fn recover<T: Target>(t: &mut T, image: Option<&[u8]>) -> Result<Recovery, UpdateError> {
    let layout = t.layout();
    let (j, _) = journal::read(t.flash(), &layout)?;
    match j.state {
        UpdateState::Idle => {
            if t.running().is_none() && t.reset().is_none() {
                return Err(UpdateError::NotBootable);
            }
            Ok(Recovery::Clean)
        }
        UpdateState::Writing => {
            if let Some(img) = image {
                if img.len() as u64 == u64::from(j.target_len) && crc32(img) == j.target_crc {
                    return Ok(Recovery::Resumable);
                }
            }
            journal::write(t.flash(), &layout, Journal::idle(j.active, j.previous))?;
            Ok(Recovery::RolledBack(t.reset()))
        }
        UpdateState::Trial => {
            let now = t.reset();
            if matches_target(now, j.active, j.target_version) {
                journal::write(t.flash(), &layout, Journal::idle(j.active, j.previous))?;
                Ok(Recovery::Committed(now.ok_or(UpdateError::NotBootable)?))
            } else {
                let back = j.previous.unwrap_or(Slot::Factory);
                journal::write(t.flash(), &layout, Journal::idle(back, None))?;
                Ok(Recovery::RolledBack(t.reset()))
            }
        }
    }
}

/// Installs a Trunkline container on the board, never leaving it without a bootable image.
pub fn upload<T: Target>(t: &mut T, image: &[u8], opts: Options) -> Result<Outcome, UpdateError> {
    let c = container::Repr::parse_checked(image)?;
    if !c.model.eq_ignore_ascii_case(t.model()) {
        return Err(UpdateError::WrongModel { image: c.model, board: t.model().to_string() });
    }
    let layout = t.layout();
    let (_, cap) = slot_base(t, Slot::A);
    if image.len() as u64 > cap {
        return Err(UpdateError::TooLarge { len: image.len(), slot: cap });
    }
    let resumed = recover(t, Some(image))? == Recovery::Resumable;
    let from = t.running();
    if !opts.force && !resumed {
        if let Some(r) = from {
            if r.version == c.version && r.crc == c.crc.1 {
                return Ok(Outcome::UpToDate(r));
            }
            if c.version < r.version {
                return Err(UpdateError::Downgrade { running: r.version, image: c.version });
            }
        }
    }
    let (j, _) = journal::read(t.flash(), &layout)?;
    let old = j.active;
    let target = match (resumed, j.target) {
        (true, Some(s)) => s,
        _ if old == Slot::Factory => match j.previous {
            Some(Slot::A) => Slot::B,
            _ => Slot::A,
        },
        _ => old.other_user(),
    };
    let keep = j.previous.filter(|p| *p != target && *p != old);
    let writing = Journal {
        state: UpdateState::Writing,
        active: old,
        previous: keep,
        target: Some(target),
        target_len: image.len() as u32,
        target_crc: crc32(image),
        target_version: c.version,
        seq: 0,
    };
    journal::write(t.flash(), &layout, writing)?;
    let attempts = if opts.attempts == 0 { 3 } else { opts.attempts };
    let mut mismatch = None;
    for _ in 0..attempts {
        mismatch = write_slot(t, target, image)?;
        if mismatch.is_none() {
            break;
        }
    }
    if let Some(offset) = mismatch {
        journal::write(t.flash(), &layout, Journal::idle(old, keep))?;
        t.reset();
        return Err(UpdateError::VerifyFailed { slot: target, offset, attempts });
    }
    journal::write(
        t.flash(),
        &layout,
        Journal { state: UpdateState::Trial, active: target, previous: Some(old), ..writing },
    )?;
    let now = t.reset();
    if matches_target(now, target, c.version) {
        journal::write(t.flash(), &layout, Journal::idle(target, Some(old)))?;
        let to = now.ok_or(UpdateError::NotBootable)?;
        return Ok(Outcome::Updated { from, to, resumed });
    }
    journal::write(t.flash(), &layout, Journal::idle(old, keep))?;
    let back = t.reset();
    Err(UpdateError::BootFailed { fell_back_to: back })
}

/// Switches back to the previous image (or the factory image) and confirms it runs.
pub fn rollback<T: Target>(t: &mut T) -> Result<Running, UpdateError> {
    recover(t, None)?;
    let layout = t.layout();
    let (j, _) = journal::read(t.flash(), &layout)?;
    let cur = t.running().map(|r| r.slot).unwrap_or(j.active);
    let dest = match j.previous {
        Some(p) if p != cur && read_slot(t, p)?.is_some() => p,
        _ if cur != Slot::Factory => Slot::Factory,
        _ => return Err(UpdateError::NoPrevious),
    };
    journal::write(t.flash(), &layout, Journal::idle(dest, Some(cur)))?;
    match t.reset() {
        Some(r) if r.slot == dest => Ok(r),
        other => Err(UpdateError::BootFailed { fell_back_to: other }),
    }
}

/// One slot as `status` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotStatus {
    /// Which slot.
    pub slot: Slot,
    /// Version and payload CRC of a valid image, `None` when empty or damaged.
    pub image: Option<(Semver, u32)>,
}

/// Board status: running register, journal and slot contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// Board model.
    pub model: String,
    /// Running-version register.
    pub running: Option<Running>,
    /// Current journal record.
    pub journal: Journal,
    /// Every slot.
    pub slots: Vec<SlotStatus>,
}

/// Reads the board's status without changing anything.
pub fn status<T: Target>(t: &mut T) -> Result<Status, UpdateError> {
    let layout = t.layout();
    let (j, _) = journal::read(t.flash(), &layout)?;
    let mut slots = vec![];
    for slot in [Slot::Factory, Slot::A, Slot::B] {
        let image = read_slot(t, slot)?.map(|r| (r.version, r.crc.1));
        slots.push(SlotStatus { slot, image });
    }
    Ok(Status { model: t.model().to_string(), running: t.running(), journal: j, slots })
}
