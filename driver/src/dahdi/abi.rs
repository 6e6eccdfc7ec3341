//! The DAHDI userspace ABI of `include/dahdi/user.h` (x86_64): ioctl request numbers, the
//! `#[repr(C)]` argument structs and the constants a userspace engine or config tool uses.
//!
//! Request numbers are computed with the Linux `_IOC` encoding from the struct sizes, so the
//! conformance test against `dahdi-abi.tsv` checks both the numbers and the layouts. The text
//! renderings the kernel and tools use (`sigstr`, alarm names, lineconfig names, LBO names, span
//! types, device nodes) are in the tables at the end.

#![allow(non_upper_case_globals)]

use core::ffi::{c_int, c_long, c_void};
use core::mem::size_of;

// ---------------------------------------------------------------------------------------------
// _IOC encoding (asm-generic/ioctl.h): nr bits 0-7, type bits 8-15, size bits 16-29, dir 30-31.

/// `_IOC_NONE`: no data transfer.
pub const IOC_NONE: u32 = 0;
/// `_IOC_WRITE`: userspace writes, the kernel reads the argument.
pub const IOC_WRITE: u32 = 1;
/// `_IOC_READ`: the kernel writes the argument back.
pub const IOC_READ: u32 = 2;
/// Largest argument size the 14-bit size field can encode.
pub const IOC_SIZEMASK: u32 = (1 << 14) - 1;

/// `_IOC(dir, type, nr, size)`.
pub const fn ioc(dir: u32, ty: u8, nr: u8, size: usize) -> u32 {
    (dir << 30) | (((size as u32) & IOC_SIZEMASK) << 16) | ((ty as u32) << 8) | nr as u32
}
/// `_IO(type, nr)`.
pub const fn _io(ty: u8, nr: u8) -> u32 {
    ioc(IOC_NONE, ty, nr, 0)
}
/// `_IOR(type, nr, T)`.
pub const fn _ior<T>(ty: u8, nr: u8) -> u32 {
    ioc(IOC_READ, ty, nr, size_of::<T>())
}
/// `_IOW(type, nr, T)`.
pub const fn _iow<T>(ty: u8, nr: u8) -> u32 {
    ioc(IOC_WRITE, ty, nr, size_of::<T>())
}
/// `_IOWR(type, nr, T)`.
pub const fn _iowr<T>(ty: u8, nr: u8) -> u32 {
    ioc(IOC_READ | IOC_WRITE, ty, nr, size_of::<T>())
}
/// Direction bits of a request number (`_IOC_DIR`).
pub const fn ioc_dir(req: u32) -> u32 {
    req >> 30
}
/// Argument size encoded in a request number (`_IOC_SIZE`).
pub const fn ioc_size(req: u32) -> usize {
    ((req >> 16) & IOC_SIZEMASK) as usize
}
/// Command number of a request (`_IOC_NR`).
pub const fn ioc_nr(req: u32) -> u8 {
    (req & 0xff) as u8
}
/// Type byte of a request (`_IOC_TYPE`).
pub const fn ioc_type(req: u32) -> u8 {
    ((req >> 8) & 0xff) as u8
}

// `DAHDI_CODE`/`DAHDI_TC_CODE` as the u8 the encoders take (the c_int versions are below).
const DAHDI_CODE_U8: u8 = 0xda;
const DAHDI_TC_CODE_U8: u8 = 0x54;

// ---------------------------------------------------------------------------------------------
// Structs.

/// `struct dahdi_params`: GET_PARAMS/SET_PARAMS (136 bytes).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DahdiParams {
    /// Channel number; on `ctl` OR [`DAHDI_GET_PARAMS_RETURN_MASTER`] to get the master in bits 16+.
    pub channo: c_int,
    /// Span number.
    pub spanno: c_int,
    /// Position within the span.
    pub chanpos: c_int,
    /// Configured signalling (`DAHDI_SIG_*`).
    pub sigtype: c_int,
    /// Signalling capabilities.
    pub sigcap: c_int,
    /// Receive off-hook state.
    pub rxisoffhook: c_int,
    /// Received CAS bits (-1 on clear channels).
    pub rxbits: c_int,
    /// Transmitted CAS bits.
    pub txbits: c_int,
    /// Transmit hook signal state.
    pub txhooksig: c_int,
    /// Receive hook signal state.
    pub rxhooksig: c_int,
    /// Current law (`DAHDI_LAW_*`).
    pub curlaw: c_int,
    /// CAS idle bits.
    pub idlebits: c_int,
    /// Channel name.
    pub name: [u8; 40],
    /// Pre-wink time (ms).
    pub prewinktime: c_int,
    /// Pre-flash time (ms).
    pub preflashtime: c_int,
    /// Wink time (ms).
    pub winktime: c_int,
    /// Flash time (ms).
    pub flashtime: c_int,
    /// Start time (ms).
    pub starttime: c_int,
    /// Receive wink time (ms).
    pub rxwinktime: c_int,
    /// Receive flash time (ms).
    pub rxflashtime: c_int,
    /// Debounce time (ms).
    pub debouncetime: c_int,
    /// Pulse break time (ms).
    pub pulsebreaktime: c_int,
    /// Pulse make time (ms).
    pub pulsemaketime: c_int,
    /// Post-pulse time (ms).
    pub pulseaftertime: c_int,
    /// Channel alarms (`DAHDI_ALARM_*`).
    pub chan_alarms: u32,
}

/// `struct dahdi_spaninfo` (packed, 314 bytes): SPANSTAT.
#[repr(C, packed)]
#[derive(Debug, Clone, Copy)]
pub struct DahdiSpaninfo {
    /// Span number (input; 0 on a channel fd = that channel's span).
    pub spanno: c_int,
    /// Span name.
    pub name: [u8; 20],
    /// Span description.
    pub desc: [u8; 40],
    /// Alarm bits.
    pub alarms: c_int,
    /// Transmit level.
    pub txlevel: c_int,
    /// Receive level.
    pub rxlevel: c_int,
    /// Bipolar violation count.
    pub bpvcount: c_int,
    /// CRC-4 error count.
    pub crc4count: c_int,
    /// E-bit error count.
    pub ebitcount: c_int,
    /// FAS error count.
    pub fascount: c_int,
    /// Framing error count.
    pub fecount: u32,
    /// Code violation count.
    pub cvcount: u32,
    /// E-bit count.
    pub becount: u32,
    /// PRBS count.
    pub prbs: u32,
    /// Errored seconds.
    pub errsec: u32,
    /// IRQ misses.
    pub irqmisses: c_int,
    /// Current sync source span.
    pub syncsrc: c_int,
    /// Configured channels.
    pub numchans: c_int,
    /// Total channels.
    pub totalchans: c_int,
    /// Total spans.
    pub totalspans: c_int,
    /// Line build-out.
    pub lbo: c_int,
    /// Line configuration (`DAHDI_CONFIG_*`).
    pub lineconfig: c_int,
    /// LBO name.
    pub lboname: [u8; 40],
    /// Location.
    pub location: [u8; 40],
    /// Manufacturer.
    pub manufacturer: [u8; 40],
    /// Device type.
    pub devicetype: [u8; 40],
    /// IRQ (always 0).
    pub irq: c_int,
    /// Supported lineconfig bits.
    pub linecompat: c_int,
    /// Span type ("E1", "T1", "J1", "NT", "TE").
    pub spantype: [u8; 6],
}

/// `struct dahdi_spaninfo_v1` (296 bytes): SPANSTAT_V1, FreeTDM's `zt_spaninfo`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct DahdiSpaninfoV1 {
    /// Span number.
    pub spanno: c_int,
    /// Span name.
    pub name: [u8; 20],
    /// Span description.
    pub desc: [u8; 40],
    /// Alarm bits.
    pub alarms: c_int,
    /// Transmit level.
    pub txlevel: c_int,
    /// Receive level.
    pub rxlevel: c_int,
    /// Bipolar violation count.
    pub bpvcount: c_int,
    /// CRC-4 error count.
    pub crc4count: c_int,
    /// E-bit error count.
    pub ebitcount: c_int,
    /// FAS error count.
    pub fascount: c_int,
    /// IRQ misses.
    pub irqmisses: c_int,
    /// Current sync source span.
    pub syncsrc: c_int,
    /// Configured channels.
    pub numchans: c_int,
    /// Total channels.
    pub totalchans: c_int,
    /// Total spans.
    pub totalspans: c_int,
    /// Line build-out.
    pub lbo: c_int,
    /// Line configuration.
    pub lineconfig: c_int,
    /// LBO name.
    pub lboname: [u8; 40],
    /// Location.
    pub location: [u8; 40],
    /// Manufacturer.
    pub manufacturer: [u8; 40],
    /// Device type.
    pub devicetype: [u8; 40],
    /// IRQ.
    pub irq: c_int,
    /// Supported lineconfig bits.
    pub linecompat: c_int,
    /// Span type.
    pub spantype: [u8; 6],
}

/// `struct dahdi_maintinfo`: MAINT.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DahdiMaintinfo {
    /// Span number.
    pub spanno: c_int,
    /// `DAHDI_MAINT_*` command.
    pub command: c_int,
}

/// `struct dahdi_confinfo`: GETCONF/SETCONF/CONFLINK.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DahdiConfinfo {
    /// Channel.
    pub chan: c_int,
    /// Conference number.
    pub confno: c_int,
    /// `DAHDI_CONF_*` mode and flags.
    pub confmode: c_int,
}

/// `struct dahdi_gains`: GETGAINS/SETGAINS.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DahdiGains {
    /// Channel.
    pub chan: c_int,
    /// Receive gain table.
    pub rxgain: [u8; 256],
    /// Transmit gain table.
    pub txgain: [u8; 256],
}

/// `struct dahdi_lineconfig`: SPANCONFIG (36 bytes).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DahdiLineconfig {
    /// Span number.
    pub span: c_int,
    /// Span name (dahdi_cfg leaves it empty).
    pub name: [u8; 20],
    /// Line build-out 0..7.
    pub lbo: c_int,
    /// `DAHDI_CONFIG_*` bits.
    pub lineconfig: c_int,
    /// Timing priority (0 = never a clock source).
    pub sync: c_int,
}

/// `struct dahdi_chanconfig`: CHANCONFIG (76 bytes).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DahdiChanconfig {
    /// Channel number.
    pub chan: c_int,
    /// Channel name (dahdi_cfg leaves it empty).
    pub name: [u8; 40],
    /// `DAHDI_SIG_*`.
    pub sigtype: c_int,
    /// `DAHDI_LAW_*`.
    pub deflaw: c_int,
    /// Master channel (itself unless a bundled slave).
    pub master: c_int,
    /// CAS idle bits, or the DACS partner channel.
    pub idlebits: c_int,
    /// Network device name for `nethdlc`.
    pub netdev_name: [u8; 16],
}

impl Default for DahdiChanconfig {
    fn default() -> Self {
        Self { chan: 0, name: [0; 40], sigtype: 0, deflaw: 0, master: 0, idlebits: 0, netdev_name: [0; 16] }
    }
}

/// `struct dahdi_tone_def`: one tone of a LOADZONE payload (44 bytes).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DahdiToneDef {
    /// Tone id.
    pub tone: c_int,
    /// Index of the next tone in the cadence.
    pub next: c_int,
    /// Duration in samples.
    pub samples: c_int,
    /// Amplitude shift.
    pub shift: c_int,
    /// First oscillator factor.
    pub fac1: c_int,
    /// First oscillator init v2.
    pub init_v2_1: c_int,
    /// First oscillator init v3.
    pub init_v3_1: c_int,
    /// Second oscillator factor.
    pub fac2: c_int,
    /// Second oscillator init v2.
    pub init_v2_2: c_int,
    /// Second oscillator init v3.
    pub init_v3_2: c_int,
    /// Modulate instead of add.
    pub modulate: c_int,
}

/// `struct dahdi_tone_def_header`: LOADZONE header (112 bytes), followed by `count` tone defs.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DahdiToneDefHeader {
    /// Number of tone defs that follow.
    pub count: c_int,
    /// Zone number.
    pub zone: c_int,
    /// Ring cadence (ms on/off pairs).
    pub ringcadence: [c_int; 16],
    /// Zone description.
    pub name: [u8; 40],
    /// Flexible array member.
    pub tones: [DahdiToneDef; 0],
}

/// `struct dahdi_bufferinfo`: GET/SET_BUFINFO.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DahdiBufferinfo {
    /// Transmit buffer policy.
    pub txbufpolicy: c_int,
    /// Receive buffer policy (ignored).
    pub rxbufpolicy: c_int,
    /// Number of buffers.
    pub numbufs: c_int,
    /// Buffer size.
    pub bufsize: c_int,
    /// Read buffers (-1).
    pub readbufs: c_int,
    /// Write buffers (-1).
    pub writebufs: c_int,
}

/// `struct dahdi_dialparams`: GET/SET_DIALPARAMS.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DahdiDialparams {
    /// MF R1 tone length (ms).
    pub mfv1_tonelen: c_int,
    /// DTMF tone length (ms).
    pub dtmf_tonelen: c_int,
    /// MF R2 tone length (ms).
    pub mfr2_tonelen: c_int,
    /// Reserved.
    pub reserved: [c_int; 3],
}

/// `struct dahdi_dialoperation`: DIAL.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DahdiDialoperation {
    /// `DAHDI_DIAL_OP_*`.
    pub op: c_int,
    /// NUL-terminated dial string.
    pub dialstr: [u8; 256],
}

/// `struct dahdi_echocanparam`: one echo canceller parameter.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DahdiEchocanparam {
    /// Parameter name.
    pub name: [u8; 16],
    /// Parameter value.
    pub value: i32,
}

/// `struct dahdi_echocanparams`: ECHOCANCEL_PARAMS header, followed by `param_count` params.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DahdiEchocanparams {
    /// Tap length (0 disables).
    pub tap_length: u32,
    /// Number of params that follow.
    pub param_count: u32,
    /// Flexible array member.
    pub params: [DahdiEchocanparam; 0],
}

/// `struct dahdi_ring_cadence`: SETCADENCE.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DahdiRingCadence {
    /// On/off pairs in ms.
    pub ringcadence: [c_int; 16],
}

/// `struct dahdi_sfconfig`: SFCONFIG (contains `long`s, so arch dependent).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DahdiSfconfig {
    /// Channel.
    pub chan: c_int,
    /// Name.
    pub name: [u8; 40],
    /// Receive filter coefficient 1.
    pub rxp1: c_long,
    /// Receive filter coefficient 2.
    pub rxp2: c_long,
    /// Receive filter coefficient 3.
    pub rxp3: c_long,
    /// Transmit tone.
    pub txtone: c_int,
    /// Transmit oscillator v2.
    pub tx_v2: c_int,
    /// Transmit oscillator v3.
    pub tx_v3: c_int,
    /// `DAHDI_REVERSE_*` flags.
    pub toneflag: c_int,
}

/// `struct dahdi_indirect_data`: INDIRECT (embeds a user pointer).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DahdiIndirectData {
    /// Channel.
    pub chan: c_int,
    /// Wrapped ioctl request.
    pub op: c_int,
    /// User pointer to the wrapped argument.
    pub data: *mut c_void,
}

/// `struct dahdi_versioninfo`: GETVERSION.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DahdiVersioninfo {
    /// DAHDI version string.
    pub version: [u8; 80],
    /// Echo canceller names.
    pub echo_canceller: [u8; 80],
}

/// `struct dahdi_attach_echocan`: ATTACH_ECHOCAN (20 bytes).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DahdiAttachEchocan {
    /// Channel.
    pub chan: c_int,
    /// Echo canceller module name ("" = none).
    pub echocan: [u8; 16],
}

/// `struct dahdi_dynamic_span`: DYNAMIC_CREATE/DESTROY (72 bytes).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DahdiDynamicSpan {
    /// Driver name (e.g. "eth").
    pub driver: [u8; 20],
    /// Driver address.
    pub addr: [u8; 40],
    /// Number of channels.
    pub numchans: c_int,
    /// Timing priority.
    pub timing: c_int,
    /// Span number assigned by the kernel.
    pub spanno: c_int,
}

/// `struct dahdi_hwgain`: SET_HWGAIN; `tx` is a 1-bit bitfield (bit 0 of byte 4).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DahdiHwgain {
    /// Gain in 0.1 dB.
    pub newgain: i32,
    /// Bitfield word; bit [`DAHDI_HWGAIN_TX_MASK`] selects tx (1) or rx (0).
    pub tx: u32,
}

/// Mask of the `tx:1` bitfield inside [`DahdiHwgain::tx`].
pub const DAHDI_HWGAIN_TX_MASK: u32 = 0x01;

/// `struct dahdi_vmwi_info`: VMWI_CONFIG.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DahdiVmwiInfo {
    /// `DAHDI_VMWI_*` bits.
    pub vmwi_type: core::ffi::c_uint,
}

/// `struct dahdi_radio_stat`: RADIO_GETSTAT.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DahdiRadioStat {
    /// Received CTCSS code.
    pub ctcode_rx: u16,
    /// CTCSS class.
    pub ctclass: u16,
    /// Transmitted CTCSS code.
    pub ctcode_tx: u16,
    /// `DAHDI_RADSTAT_*` bits.
    pub radstat: u8,
}

/// `struct dahdi_radio_param`: RADIO_GET/SETPARAM.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DahdiRadioParam {
    /// `DAHDI_RADPAR_*`.
    pub radpar: u16,
    /// Index.
    pub index: u16,
    /// Value.
    pub data: c_int,
    /// Second value.
    pub data2: c_int,
    /// Serial buffer.
    pub buf: [u8; 128],
}

/// `struct dahdi_transcoder_formats`: TC_ALLOCATE.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DahdiTranscoderFormats {
    /// Source format.
    pub srcfmt: u32,
    /// Destination format.
    pub dstfmt: u32,
}

/// `struct dahdi_transcoder_info`: TC_GETINFO.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DahdiTranscoderInfo {
    /// Transcoder number.
    pub tcnum: u32,
    /// Name.
    pub name: [u8; 80],
    /// Number of channels.
    pub numchannels: u32,
    /// Destination formats.
    pub dstfmts: u32,
    /// Source formats.
    pub srcfmts: u32,
}

// ---------------------------------------------------------------------------------------------
// ioctl request numbers.

/// `DAHDI_GET_BLOCKSIZE` (fd: chan|pseudo).
pub const DAHDI_GET_BLOCKSIZE: u32 = _ior::<c_int>(DAHDI_CODE_U8, 1);
/// `DAHDI_SET_BLOCKSIZE` (fd: chan|pseudo).
pub const DAHDI_SET_BLOCKSIZE: u32 = _iow::<c_int>(DAHDI_CODE_U8, 1);
/// `DAHDI_FLUSH` (fd: chan|pseudo).
pub const DAHDI_FLUSH: u32 = _iow::<c_int>(DAHDI_CODE_U8, 3);
/// `DAHDI_SYNC` (fd: chan|pseudo).
pub const DAHDI_SYNC: u32 = _io(DAHDI_CODE_U8, 4);
/// `DAHDI_GET_PARAMS_V1` (fd: any(ctl|chan|pseudo); legacy: kernel still reads channo from the buffer although dir=R; used by FreeTDM ftmod_zt).
pub const DAHDI_GET_PARAMS_V1: u32 = _ior::<DahdiParams>(DAHDI_CODE_U8, 5);
/// `DAHDI_GET_PARAMS` (fd: any(ctl|chan|pseudo)).
pub const DAHDI_GET_PARAMS: u32 = _iowr::<DahdiParams>(DAHDI_CODE_U8, 5);
/// `DAHDI_SET_PARAMS` (fd: any(ctl|chan|pseudo)).
pub const DAHDI_SET_PARAMS: u32 = _iow::<DahdiParams>(DAHDI_CODE_U8, 5);
/// `DAHDI_HOOK` (fd: chan; EINVAL on CAS/clear channels).
pub const DAHDI_HOOK: u32 = _iow::<c_int>(DAHDI_CODE_U8, 7);
/// `DAHDI_GETEVENT` (fd: chan|pseudo; also valid on timer fd).
pub const DAHDI_GETEVENT: u32 = _ior::<c_int>(DAHDI_CODE_U8, 8);
/// `DAHDI_IOMUX` (fd: chan|pseudo).
pub const DAHDI_IOMUX: u32 = _iowr::<c_int>(DAHDI_CODE_U8, 9);
/// `DAHDI_SPANSTAT` (fd: any(ctl|chan|pseudo)).
pub const DAHDI_SPANSTAT: u32 = _iowr::<DahdiSpaninfo>(DAHDI_CODE_U8, 10);
/// `DAHDI_SPANSTAT_V1` (fd: any(ctl|chan|pseudo); legacy layout without fecount..errsec; FreeTDM zt_spaninfo matches this size).
pub const DAHDI_SPANSTAT_V1: u32 = _iowr::<DahdiSpaninfoV1>(DAHDI_CODE_U8, 10);
/// `DAHDI_MAINT` (fd: ctl).
pub const DAHDI_MAINT: u32 = _iow::<DahdiMaintinfo>(DAHDI_CODE_U8, 11);
/// `DAHDI_GETCONF_V1` (fd: chan|pseudo; legacy: kernel reads chan from the buffer although dir=R; used by FreeTDM).
pub const DAHDI_GETCONF_V1: u32 = _ior::<DahdiConfinfo>(DAHDI_CODE_U8, 12);
/// `DAHDI_GETCONF` (fd: chan|pseudo).
pub const DAHDI_GETCONF: u32 = _iowr::<DahdiConfinfo>(DAHDI_CODE_U8, 12);
/// `DAHDI_SETCONF_V1` (fd: chan|pseudo; legacy; used by FreeTDM).
pub const DAHDI_SETCONF_V1: u32 = _iow::<DahdiConfinfo>(DAHDI_CODE_U8, 12);
/// `DAHDI_SETCONF` (fd: chan|pseudo).
pub const DAHDI_SETCONF: u32 = _iowr::<DahdiConfinfo>(DAHDI_CODE_U8, 13);
/// `DAHDI_CONFLINK` (fd: any(ctl|chan|pseudo); returns ENOSYS unless built with CONFIG_DAHDI_CONFLINK).
pub const DAHDI_CONFLINK: u32 = _iow::<DahdiConfinfo>(DAHDI_CODE_U8, 14);
/// `DAHDI_CONFDIAG_V1` (fd: chan|pseudo; legacy: kernel reads the int although dir=R).
pub const DAHDI_CONFDIAG_V1: u32 = _ior::<c_int>(DAHDI_CODE_U8, 15);
/// `DAHDI_CONFDIAG` (fd: chan|pseudo).
pub const DAHDI_CONFDIAG: u32 = _iow::<c_int>(DAHDI_CODE_U8, 15);
/// `DAHDI_GETGAINS_V1` (fd: any(ctl|chan|pseudo); legacy: kernel reads chan from the buffer although dir=R; used by FreeTDM).
pub const DAHDI_GETGAINS_V1: u32 = _ior::<DahdiGains>(DAHDI_CODE_U8, 16);
/// `DAHDI_GETGAINS` (fd: any(ctl|chan|pseudo)).
pub const DAHDI_GETGAINS: u32 = _iowr::<DahdiGains>(DAHDI_CODE_U8, 16);
/// `DAHDI_SETGAINS` (fd: any(ctl|chan|pseudo)).
pub const DAHDI_SETGAINS: u32 = _iow::<DahdiGains>(DAHDI_CODE_U8, 16);
/// `DAHDI_SPANCONFIG` (fd: ctl).
pub const DAHDI_SPANCONFIG: u32 = _iow::<DahdiLineconfig>(DAHDI_CODE_U8, 18);
/// `DAHDI_CHANCONFIG` (fd: ctl).
pub const DAHDI_CHANCONFIG: u32 = _iow::<DahdiChanconfig>(DAHDI_CODE_U8, 19);
/// `DAHDI_CONFMUTE` (fd: chan|pseudo).
pub const DAHDI_CONFMUTE: u32 = _iow::<c_int>(DAHDI_CODE_U8, 20);
/// `DAHDI_SENDTONE` (fd: chan|pseudo).
pub const DAHDI_SENDTONE: u32 = _iow::<c_int>(DAHDI_CODE_U8, 21);
/// `DAHDI_GETTONEZONE` (fd: chan|pseudo).
pub const DAHDI_GETTONEZONE: u32 = _ior::<c_int>(DAHDI_CODE_U8, 22);
/// `DAHDI_SETTONEZONE` (fd: chan|pseudo).
pub const DAHDI_SETTONEZONE: u32 = _iow::<c_int>(DAHDI_CODE_U8, 22);
/// `DAHDI_DEFAULTZONE` (fd: ctl).
pub const DAHDI_DEFAULTZONE: u32 = _iow::<c_int>(DAHDI_CODE_U8, 24);
/// `DAHDI_LOADZONE` (fd: ctl; variable length: header then count*dahdi_tone_def).
pub const DAHDI_LOADZONE: u32 = _iow::<DahdiToneDefHeader>(DAHDI_CODE_U8, 25);
/// `DAHDI_FREEZONE` (fd: ctl).
pub const DAHDI_FREEZONE: u32 = _iow::<c_int>(DAHDI_CODE_U8, 26);
/// `DAHDI_GET_BUFINFO` (fd: chan|pseudo).
pub const DAHDI_GET_BUFINFO: u32 = _ior::<DahdiBufferinfo>(DAHDI_CODE_U8, 27);
/// `DAHDI_SET_BUFINFO` (fd: chan|pseudo).
pub const DAHDI_SET_BUFINFO: u32 = _iow::<DahdiBufferinfo>(DAHDI_CODE_U8, 27);
/// `DAHDI_GET_DIALPARAMS` (fd: ctl).
pub const DAHDI_GET_DIALPARAMS: u32 = _ior::<DahdiDialparams>(DAHDI_CODE_U8, 29);
/// `DAHDI_SET_DIALPARAMS` (fd: ctl).
pub const DAHDI_SET_DIALPARAMS: u32 = _iow::<DahdiDialparams>(DAHDI_CODE_U8, 29);
/// `DAHDI_DIAL` (fd: chan|pseudo).
pub const DAHDI_DIAL: u32 = _iow::<DahdiDialoperation>(DAHDI_CODE_U8, 31);
/// `DAHDI_AUDIOMODE` (fd: chan).
pub const DAHDI_AUDIOMODE: u32 = _iow::<c_int>(DAHDI_CODE_U8, 32);
/// `DAHDI_ECHOCANCEL` (fd: chan).
pub const DAHDI_ECHOCANCEL: u32 = _iow::<c_int>(DAHDI_CODE_U8, 33);
/// `DAHDI_ECHOCANCEL_PARAMS` (fd: chan; variable length: header then param_count*dahdi_echocanparam).
pub const DAHDI_ECHOCANCEL_PARAMS: u32 = _iow::<DahdiEchocanparams>(DAHDI_CODE_U8, 33);
/// `DAHDI_CHANNO` (fd: chan|pseudo).
pub const DAHDI_CHANNO: u32 = _ior::<c_int>(DAHDI_CODE_U8, 34);
/// `DAHDI_DIALING` (fd: chan|pseudo).
pub const DAHDI_DIALING: u32 = _ior::<c_int>(DAHDI_CODE_U8, 35);
/// `DAHDI_HDLCRAWMODE` (fd: chan).
pub const DAHDI_HDLCRAWMODE: u32 = _iow::<c_int>(DAHDI_CODE_U8, 36);
/// `DAHDI_HDLCFCSMODE` (fd: chan).
pub const DAHDI_HDLCFCSMODE: u32 = _iow::<c_int>(DAHDI_CODE_U8, 37);
/// `DAHDI_SPECIFY` (fd: channel-before-SPECIFY).
pub const DAHDI_SPECIFY: u32 = _iow::<c_int>(DAHDI_CODE_U8, 38);
/// `DAHDI_SETLAW` (fd: chan|pseudo).
pub const DAHDI_SETLAW: u32 = _iow::<c_int>(DAHDI_CODE_U8, 39);
/// `DAHDI_SETLINEAR` (fd: chan|pseudo).
pub const DAHDI_SETLINEAR: u32 = _iow::<c_int>(DAHDI_CODE_U8, 40);
/// `DAHDI_HDLCPPP` (fd: chan).
pub const DAHDI_HDLCPPP: u32 = _iow::<c_int>(DAHDI_CODE_U8, 41);
/// `DAHDI_SETCADENCE` (fd: chan|pseudo).
pub const DAHDI_SETCADENCE: u32 = _iow::<DahdiRingCadence>(DAHDI_CODE_U8, 42);
/// `DAHDI_GETRXBITS` (fd: chan).
pub const DAHDI_GETRXBITS: u32 = _ior::<c_int>(DAHDI_CODE_U8, 43);
/// `DAHDI_SETTXBITS` (fd: chan; EINVAL unless channel sig==DAHDI_SIG_CAS).
pub const DAHDI_SETTXBITS: u32 = _iow::<c_int>(DAHDI_CODE_U8, 43);
/// `DAHDI_CHANDIAG_V1` (fd: any(ctl|chan|pseudo); legacy: kernel reads the int although dir=R).
pub const DAHDI_CHANDIAG_V1: u32 = _ior::<c_int>(DAHDI_CODE_U8, 44);
/// `DAHDI_CHANDIAG` (fd: any(ctl|chan|pseudo)).
pub const DAHDI_CHANDIAG: u32 = _iow::<c_int>(DAHDI_CODE_U8, 44);
/// `DAHDI_SFCONFIG` (fd: ctl; contains long; i386 build: 0x4048da2e (size 72)).
pub const DAHDI_SFCONFIG: u32 = _iow::<DahdiSfconfig>(DAHDI_CODE_U8, 46);
/// `DAHDI_TIMERCONFIG` (fd: timer).
pub const DAHDI_TIMERCONFIG: u32 = _iow::<c_int>(DAHDI_CODE_U8, 47);
/// `DAHDI_TIMERACK` (fd: timer).
pub const DAHDI_TIMERACK: u32 = _iow::<c_int>(DAHDI_CODE_U8, 48);
/// `DAHDI_GETCONFMUTE` (fd: chan|pseudo).
pub const DAHDI_GETCONFMUTE: u32 = _ior::<c_int>(DAHDI_CODE_U8, 49);
/// `DAHDI_ECHOTRAIN` (fd: chan).
pub const DAHDI_ECHOTRAIN: u32 = _iow::<c_int>(DAHDI_CODE_U8, 50);
/// `DAHDI_ONHOOKTRANSFER` (fd: chan->span driver ops->ioctl).
pub const DAHDI_ONHOOKTRANSFER: u32 = _iow::<c_int>(DAHDI_CODE_U8, 51);
/// `DAHDI_TIMERPING` (fd: timer).
pub const DAHDI_TIMERPING: u32 = _io(DAHDI_CODE_U8, 52);
/// `DAHDI_TIMERPONG` (fd: timer).
pub const DAHDI_TIMERPONG: u32 = _io(DAHDI_CODE_U8, 53);
/// `DAHDI_GETSIGFREEZE` (fd: chan).
pub const DAHDI_GETSIGFREEZE: u32 = _ior::<c_int>(DAHDI_CODE_U8, 54);
/// `DAHDI_SETSIGFREEZE` (fd: chan).
pub const DAHDI_SETSIGFREEZE: u32 = _iow::<c_int>(DAHDI_CODE_U8, 54);
/// `DAHDI_INDIRECT` (fd: ctl; embeds a user pointer; i386 build: 0xc00cda38 (size 12)).
pub const DAHDI_INDIRECT: u32 = _iowr::<DahdiIndirectData>(DAHDI_CODE_U8, 56);
/// `DAHDI_GETVERSION` (fd: ctl).
pub const DAHDI_GETVERSION: u32 = _ior::<DahdiVersioninfo>(DAHDI_CODE_U8, 57);
/// `DAHDI_LOOPBACK` (fd: chan).
pub const DAHDI_LOOPBACK: u32 = _iow::<c_int>(DAHDI_CODE_U8, 58);
/// `DAHDI_ATTACH_ECHOCAN` (fd: ctl).
pub const DAHDI_ATTACH_ECHOCAN: u32 = _iow::<DahdiAttachEchocan>(DAHDI_CODE_U8, 59);
/// `DAHDI_DYNAMIC_CREATE` (fd: ctl).
pub const DAHDI_DYNAMIC_CREATE: u32 = _iowr::<DahdiDynamicSpan>(DAHDI_CODE_U8, 80);
/// `DAHDI_DYNAMIC_DESTROY` (fd: ctl).
pub const DAHDI_DYNAMIC_DESTROY: u32 = _iow::<DahdiDynamicSpan>(DAHDI_CODE_U8, 81);
/// `DAHDI_SET_HWGAIN` (fd: chan->span driver ops->ioctl).
pub const DAHDI_SET_HWGAIN: u32 = _iow::<DahdiHwgain>(DAHDI_CODE_U8, 86);
/// `DAHDI_TONEDETECT` (fd: chan->span driver ops->ioctl).
pub const DAHDI_TONEDETECT: u32 = _iow::<c_int>(DAHDI_CODE_U8, 91);
/// `DAHDI_SETPOLARITY` (fd: chan->span driver ops->ioctl).
pub const DAHDI_SETPOLARITY: u32 = _iow::<c_int>(DAHDI_CODE_U8, 92);
/// `DAHDI_TRANSCODE_OP` (fd: none(deprecated,unsupported)).
pub const DAHDI_TRANSCODE_OP: u32 = _iowr::<c_int>(DAHDI_CODE_U8, 93);
/// `DAHDI_TC_ALLOCATE` (fd: transcode).
pub const DAHDI_TC_ALLOCATE: u32 = _iow::<DahdiTranscoderFormats>(DAHDI_TC_CODE_U8, 1);
/// `DAHDI_TC_GETINFO` (fd: transcode).
pub const DAHDI_TC_GETINFO: u32 = _iowr::<DahdiTranscoderInfo>(DAHDI_TC_CODE_U8, 2);
/// `DAHDI_VMWI` (fd: chan->span driver ops->ioctl).
pub const DAHDI_VMWI: u32 = _iowr::<c_int>(DAHDI_CODE_U8, 94);
/// `DAHDI_VMWI_CONFIG` (fd: chan->span driver ops->ioctl).
pub const DAHDI_VMWI_CONFIG: u32 = _iow::<DahdiVmwiInfo>(DAHDI_CODE_U8, 95);
/// `DAHDI_STARTUP` (fd: ctl).
pub const DAHDI_STARTUP: u32 = _iow::<c_int>(DAHDI_CODE_U8, 99);
/// `DAHDI_SHUTDOWN` (fd: ctl).
pub const DAHDI_SHUTDOWN: u32 = _iow::<c_int>(DAHDI_CODE_U8, 100);
/// `DAHDI_HDLC_RATE` (fd: chan).
pub const DAHDI_HDLC_RATE: u32 = _iow::<c_int>(DAHDI_CODE_U8, 101);
/// `DAHDI_ECHOCANCEL_FAX_MODE` (fd: chan).
pub const DAHDI_ECHOCANCEL_FAX_MODE: u32 = _iow::<c_int>(DAHDI_CODE_U8, 102);
/// `DAHDI_RXMIRROR` (fd: chan|pseudo; only if built with CONFIG_DAHDI_MIRROR).
pub const DAHDI_RXMIRROR: u32 = _iow::<c_int>(DAHDI_CODE_U8, 103);
/// `DAHDI_TXMIRROR` (fd: chan|pseudo; only if built with CONFIG_DAHDI_MIRROR).
pub const DAHDI_TXMIRROR: u32 = _iow::<c_int>(DAHDI_CODE_U8, 104);
/// `DAHDI_BUFFER_EVENTS` (fd: chan).
pub const DAHDI_BUFFER_EVENTS: u32 = _iow::<c_int>(DAHDI_CODE_U8, 105);
/// `DAHDI_RADIO_GETSTAT` (fd: chan->span driver ops->ioctl; same nr as GETVERSION, differs by size/dir).
pub const DAHDI_RADIO_GETSTAT: u32 = _ior::<DahdiRadioStat>(DAHDI_CODE_U8, 57);
/// `DAHDI_RADIO_GETPARAM` (fd: chan->span driver ops->ioctl; same nr as LOOPBACK, differs by size/dir).
pub const DAHDI_RADIO_GETPARAM: u32 = _ior::<DahdiRadioParam>(DAHDI_CODE_U8, 58);
/// `DAHDI_RADIO_SETPARAM` (fd: chan->span driver ops->ioctl; same nr as LOOPBACK, differs by size).
pub const DAHDI_RADIO_SETPARAM: u32 = _iow::<DahdiRadioParam>(DAHDI_CODE_U8, 58);

/// Every ioctl of user.h by name, for lookups and the conformance test.
pub const IOCTLS: &[(&str, u32)] = &[
    ("DAHDI_GET_BLOCKSIZE", DAHDI_GET_BLOCKSIZE),
    ("DAHDI_SET_BLOCKSIZE", DAHDI_SET_BLOCKSIZE),
    ("DAHDI_FLUSH", DAHDI_FLUSH),
    ("DAHDI_SYNC", DAHDI_SYNC),
    ("DAHDI_GET_PARAMS_V1", DAHDI_GET_PARAMS_V1),
    ("DAHDI_GET_PARAMS", DAHDI_GET_PARAMS),
    ("DAHDI_SET_PARAMS", DAHDI_SET_PARAMS),
    ("DAHDI_HOOK", DAHDI_HOOK),
    ("DAHDI_GETEVENT", DAHDI_GETEVENT),
    ("DAHDI_IOMUX", DAHDI_IOMUX),
    ("DAHDI_SPANSTAT", DAHDI_SPANSTAT),
    ("DAHDI_SPANSTAT_V1", DAHDI_SPANSTAT_V1),
    ("DAHDI_MAINT", DAHDI_MAINT),
    ("DAHDI_GETCONF_V1", DAHDI_GETCONF_V1),
    ("DAHDI_GETCONF", DAHDI_GETCONF),
    ("DAHDI_SETCONF_V1", DAHDI_SETCONF_V1),
    ("DAHDI_SETCONF", DAHDI_SETCONF),
    ("DAHDI_CONFLINK", DAHDI_CONFLINK),
    ("DAHDI_CONFDIAG_V1", DAHDI_CONFDIAG_V1),
    ("DAHDI_CONFDIAG", DAHDI_CONFDIAG),
    ("DAHDI_GETGAINS_V1", DAHDI_GETGAINS_V1),
    ("DAHDI_GETGAINS", DAHDI_GETGAINS),
    ("DAHDI_SETGAINS", DAHDI_SETGAINS),
    ("DAHDI_SPANCONFIG", DAHDI_SPANCONFIG),
    ("DAHDI_CHANCONFIG", DAHDI_CHANCONFIG),
    ("DAHDI_CONFMUTE", DAHDI_CONFMUTE),
    ("DAHDI_SENDTONE", DAHDI_SENDTONE),
    ("DAHDI_GETTONEZONE", DAHDI_GETTONEZONE),
    ("DAHDI_SETTONEZONE", DAHDI_SETTONEZONE),
    ("DAHDI_DEFAULTZONE", DAHDI_DEFAULTZONE),
    ("DAHDI_LOADZONE", DAHDI_LOADZONE),
    ("DAHDI_FREEZONE", DAHDI_FREEZONE),
    ("DAHDI_GET_BUFINFO", DAHDI_GET_BUFINFO),
    ("DAHDI_SET_BUFINFO", DAHDI_SET_BUFINFO),
    ("DAHDI_GET_DIALPARAMS", DAHDI_GET_DIALPARAMS),
    ("DAHDI_SET_DIALPARAMS", DAHDI_SET_DIALPARAMS),
    ("DAHDI_DIAL", DAHDI_DIAL),
    ("DAHDI_AUDIOMODE", DAHDI_AUDIOMODE),
    ("DAHDI_ECHOCANCEL", DAHDI_ECHOCANCEL),
    ("DAHDI_ECHOCANCEL_PARAMS", DAHDI_ECHOCANCEL_PARAMS),
    ("DAHDI_CHANNO", DAHDI_CHANNO),
    ("DAHDI_DIALING", DAHDI_DIALING),
    ("DAHDI_HDLCRAWMODE", DAHDI_HDLCRAWMODE),
    ("DAHDI_HDLCFCSMODE", DAHDI_HDLCFCSMODE),
    ("DAHDI_SPECIFY", DAHDI_SPECIFY),
    ("DAHDI_SETLAW", DAHDI_SETLAW),
    ("DAHDI_SETLINEAR", DAHDI_SETLINEAR),
    ("DAHDI_HDLCPPP", DAHDI_HDLCPPP),
    ("DAHDI_SETCADENCE", DAHDI_SETCADENCE),
    ("DAHDI_GETRXBITS", DAHDI_GETRXBITS),
    ("DAHDI_SETTXBITS", DAHDI_SETTXBITS),
    ("DAHDI_CHANDIAG_V1", DAHDI_CHANDIAG_V1),
    ("DAHDI_CHANDIAG", DAHDI_CHANDIAG),
    ("DAHDI_SFCONFIG", DAHDI_SFCONFIG),
    ("DAHDI_TIMERCONFIG", DAHDI_TIMERCONFIG),
    ("DAHDI_TIMERACK", DAHDI_TIMERACK),
    ("DAHDI_GETCONFMUTE", DAHDI_GETCONFMUTE),
    ("DAHDI_ECHOTRAIN", DAHDI_ECHOTRAIN),
    ("DAHDI_ONHOOKTRANSFER", DAHDI_ONHOOKTRANSFER),
    ("DAHDI_TIMERPING", DAHDI_TIMERPING),
    ("DAHDI_TIMERPONG", DAHDI_TIMERPONG),
    ("DAHDI_GETSIGFREEZE", DAHDI_GETSIGFREEZE),
    ("DAHDI_SETSIGFREEZE", DAHDI_SETSIGFREEZE),
    ("DAHDI_INDIRECT", DAHDI_INDIRECT),
    ("DAHDI_GETVERSION", DAHDI_GETVERSION),
    ("DAHDI_LOOPBACK", DAHDI_LOOPBACK),
    ("DAHDI_ATTACH_ECHOCAN", DAHDI_ATTACH_ECHOCAN),
    ("DAHDI_DYNAMIC_CREATE", DAHDI_DYNAMIC_CREATE),
    ("DAHDI_DYNAMIC_DESTROY", DAHDI_DYNAMIC_DESTROY),
    ("DAHDI_SET_HWGAIN", DAHDI_SET_HWGAIN),
    ("DAHDI_TONEDETECT", DAHDI_TONEDETECT),
    ("DAHDI_SETPOLARITY", DAHDI_SETPOLARITY),
    ("DAHDI_TRANSCODE_OP", DAHDI_TRANSCODE_OP),
    ("DAHDI_TC_ALLOCATE", DAHDI_TC_ALLOCATE),
    ("DAHDI_TC_GETINFO", DAHDI_TC_GETINFO),
    ("DAHDI_VMWI", DAHDI_VMWI),
    ("DAHDI_VMWI_CONFIG", DAHDI_VMWI_CONFIG),
    ("DAHDI_STARTUP", DAHDI_STARTUP),
    ("DAHDI_SHUTDOWN", DAHDI_SHUTDOWN),
    ("DAHDI_HDLC_RATE", DAHDI_HDLC_RATE),
    ("DAHDI_ECHOCANCEL_FAX_MODE", DAHDI_ECHOCANCEL_FAX_MODE),
    ("DAHDI_RXMIRROR", DAHDI_RXMIRROR),
    ("DAHDI_TXMIRROR", DAHDI_TXMIRROR),
    ("DAHDI_BUFFER_EVENTS", DAHDI_BUFFER_EVENTS),
    ("DAHDI_RADIO_GETSTAT", DAHDI_RADIO_GETSTAT),
    ("DAHDI_RADIO_GETPARAM", DAHDI_RADIO_GETPARAM),
    ("DAHDI_RADIO_SETPARAM", DAHDI_RADIO_SETPARAM),
];

// ---------------------------------------------------------------------------------------------
// Constants.

/// `ELAST` (errno): read()/write() return -1/errno=ELAST(500) while an event is queued; fetch it with DAHDI_GETEVENT
pub const ELAST: c_int = 0x1f4;
/// `DAHDI_CONFIG_TXLEVEL` (lineconfig): mask: bits 0-2 of lineconfig/lbo
pub const DAHDI_CONFIG_TXLEVEL: c_int = 7;
/// `DAHDI_CONFIG_D4` (lineconfig).
pub const DAHDI_CONFIG_D4: c_int = 0x10;
/// `DAHDI_CONFIG_ESF` (lineconfig).
pub const DAHDI_CONFIG_ESF: c_int = 0x20;
/// `DAHDI_CONFIG_AMI` (lineconfig).
pub const DAHDI_CONFIG_AMI: c_int = 0x40;
/// `DAHDI_CONFIG_B8ZS` (lineconfig).
pub const DAHDI_CONFIG_B8ZS: c_int = 0x80;
/// `DAHDI_CONFIG_CCS` (lineconfig).
pub const DAHDI_CONFIG_CCS: c_int = 0x100;
/// `DAHDI_CONFIG_HDB3` (lineconfig).
pub const DAHDI_CONFIG_HDB3: c_int = 0x200;
/// `DAHDI_CONFIG_CRC4` (lineconfig).
pub const DAHDI_CONFIG_CRC4: c_int = 0x400;
/// `DAHDI_CONFIG_NOTOPEN` (lineconfig).
pub const DAHDI_CONFIG_NOTOPEN: c_int = 0x10000;
/// `DAHDI_CONFIG_NTTE` (lineconfig).
pub const DAHDI_CONFIG_NTTE: c_int = 0x800;
/// `DAHDI_CONFIG_TERM` (lineconfig).
pub const DAHDI_CONFIG_TERM: c_int = 0x1000;
/// `DAHDI_SIG_BROKEN` (sig).
pub const DAHDI_SIG_BROKEN: c_int = 1 << 31;
/// `__DAHDI_SIG_FXO` (sig).
pub const __DAHDI_SIG_FXO: c_int = 0x1000;
/// `__DAHDI_SIG_FXS` (sig).
pub const __DAHDI_SIG_FXS: c_int = 0x2000;
/// `DAHDI_SIG_NONE` (sig).
pub const DAHDI_SIG_NONE: c_int = 0;
/// `DAHDI_SIG_FXSLS` (sig).
pub const DAHDI_SIG_FXSLS: c_int = __DAHDI_SIG_FXS | (1 << 0);
/// `DAHDI_SIG_FXSGS` (sig).
pub const DAHDI_SIG_FXSGS: c_int = __DAHDI_SIG_FXS | (1 << 1);
/// `DAHDI_SIG_FXSKS` (sig).
pub const DAHDI_SIG_FXSKS: c_int = __DAHDI_SIG_FXS | (1 << 2);
/// `DAHDI_SIG_FXOLS` (sig).
pub const DAHDI_SIG_FXOLS: c_int = __DAHDI_SIG_FXO | (1 << 3);
/// `DAHDI_SIG_FXOGS` (sig).
pub const DAHDI_SIG_FXOGS: c_int = __DAHDI_SIG_FXO | (1 << 4);
/// `DAHDI_SIG_FXOKS` (sig).
pub const DAHDI_SIG_FXOKS: c_int = __DAHDI_SIG_FXO | (1 << 5);
/// `DAHDI_SIG_EM` (sig).
pub const DAHDI_SIG_EM: c_int = 1 << 6;
/// `__DAHDI_SIG_DACS` (sig).
pub const __DAHDI_SIG_DACS: c_int = 0x10000;
/// `DAHDI_SIG_CLEAR` (sig).
pub const DAHDI_SIG_CLEAR: c_int = 1 << 7;
/// `DAHDI_SIG_HDLCRAW` (sig).
pub const DAHDI_SIG_HDLCRAW: c_int = (1 << 8) | DAHDI_SIG_CLEAR;
/// `DAHDI_SIG_HDLCFCS` (sig).
pub const DAHDI_SIG_HDLCFCS: c_int = (1 << 9) | DAHDI_SIG_HDLCRAW;
/// `DAHDI_SIG_HDLCNET` (sig).
pub const DAHDI_SIG_HDLCNET: c_int = (1 << 10) | DAHDI_SIG_HDLCFCS;
/// `DAHDI_SIG_SLAVE` (sig).
pub const DAHDI_SIG_SLAVE: c_int = 0x800;
/// `DAHDI_SIG_SF` (sig).
pub const DAHDI_SIG_SF: c_int = 0x4000;
/// `DAHDI_SIG_CAS` (sig).
pub const DAHDI_SIG_CAS: c_int = 0x8000;
/// `DAHDI_SIG_DACS` (sig).
pub const DAHDI_SIG_DACS: c_int = __DAHDI_SIG_DACS | DAHDI_SIG_CLEAR;
/// `DAHDI_SIG_EM_E1` (sig).
pub const DAHDI_SIG_EM_E1: c_int = 0x20000;
/// `DAHDI_SIG_DACS_RBS` (sig).
pub const DAHDI_SIG_DACS_RBS: c_int = (1 << 18) | __DAHDI_SIG_DACS;
/// `DAHDI_SIG_HARDHDLC` (sig).
pub const DAHDI_SIG_HARDHDLC: c_int = (1 << 19) | DAHDI_SIG_CLEAR;
/// `DAHDI_SIG_MTP2` (sig).
pub const DAHDI_SIG_MTP2: c_int = (1 << 20) | DAHDI_SIG_HDLCFCS;
/// `DAHDI_REVERSE_RXTONE` (sftone).
pub const DAHDI_REVERSE_RXTONE: c_int = 1;
/// `DAHDI_REVERSE_TXTONE` (sftone).
pub const DAHDI_REVERSE_TXTONE: c_int = 2;
/// `DAHDI_ABIT` (casbit).
pub const DAHDI_ABIT: c_int = 8;
/// `DAHDI_BBIT` (casbit).
pub const DAHDI_BBIT: c_int = 4;
/// `DAHDI_CBIT` (casbit).
pub const DAHDI_CBIT: c_int = 2;
/// `DAHDI_DBIT` (casbit).
pub const DAHDI_DBIT: c_int = 1;
/// `DAHDI_BITS_ABCD` (casbitmask).
pub const DAHDI_BITS_ABCD: c_int = 0xf;
/// `DAHDI_BITS_ABD` (casbitmask).
pub const DAHDI_BITS_ABD: c_int = 0xd;
/// `DAHDI_BITS_ACD` (casbitmask).
pub const DAHDI_BITS_ACD: c_int = 0xb;
/// `DAHDI_BITS_BCD` (casbitmask).
pub const DAHDI_BITS_BCD: c_int = 7;
/// `DAHDI_BITS_AC` (casbitmask).
pub const DAHDI_BITS_AC: c_int = 0xa;
/// `DAHDI_BITS_BD` (casbitmask).
pub const DAHDI_BITS_BD: c_int = 5;
/// `DAHDI_MAJOR` (ioctl-base).
pub const DAHDI_MAJOR: c_int = 0xc4;
/// `DAHDI_MAX_BLOCKSIZE` (limit).
pub const DAHDI_MAX_BLOCKSIZE: c_int = 0x2000;
/// `DAHDI_DEFAULT_NUM_BUFS` (limit).
pub const DAHDI_DEFAULT_NUM_BUFS: c_int = 2;
/// `DAHDI_MAX_NUM_BUFS` (limit).
pub const DAHDI_MAX_NUM_BUFS: c_int = 0x20;
/// `DAHDI_MAX_BUF_SPACE` (limit).
pub const DAHDI_MAX_BUF_SPACE: c_int = 0x8000;
/// `DAHDI_DEFAULT_BLOCKSIZE` (limit).
pub const DAHDI_DEFAULT_BLOCKSIZE: c_int = 0x400;
/// `DAHDI_DEFAULT_MTR_MRU` (limit).
pub const DAHDI_DEFAULT_MTR_MRU: c_int = 0x800;
/// `DAHDI_DEFAULT_MTU_MRU` (limit).
pub const DAHDI_DEFAULT_MTU_MRU: c_int = 0x800;
/// `DAHDI_POLICY_IMMEDIATE` (bufpolicy).
pub const DAHDI_POLICY_IMMEDIATE: c_int = 0;
/// `DAHDI_POLICY_WHEN_FULL` (bufpolicy).
pub const DAHDI_POLICY_WHEN_FULL: c_int = 1;
/// `DAHDI_POLICY_HALF_FULL` (bufpolicy).
pub const DAHDI_POLICY_HALF_FULL: c_int = 2;
/// `DAHDI_GET_PARAMS_RETURN_MASTER` (limit): OR into dahdi_params.channo to get the master channel params
pub const DAHDI_GET_PARAMS_RETURN_MASTER: c_int = 0x40000000;
/// `DAHDI_TONE_ZONE_MAX` (tonezone).
pub const DAHDI_TONE_ZONE_MAX: c_int = 0x80;
/// `DAHDI_TONE_ZONE_DEFAULT` (tonezone).
pub const DAHDI_TONE_ZONE_DEFAULT: c_int = -1;
/// `DAHDI_TONE_STOP` (tone).
pub const DAHDI_TONE_STOP: c_int = -1;
/// `DAHDI_TONE_DIALTONE` (tone).
pub const DAHDI_TONE_DIALTONE: c_int = 0;
/// `DAHDI_TONE_BUSY` (tone).
pub const DAHDI_TONE_BUSY: c_int = 1;
/// `DAHDI_TONE_RINGTONE` (tone).
pub const DAHDI_TONE_RINGTONE: c_int = 2;
/// `DAHDI_TONE_CONGESTION` (tone).
pub const DAHDI_TONE_CONGESTION: c_int = 3;
/// `DAHDI_TONE_CALLWAIT` (tone).
pub const DAHDI_TONE_CALLWAIT: c_int = 4;
/// `DAHDI_TONE_DIALRECALL` (tone).
pub const DAHDI_TONE_DIALRECALL: c_int = 5;
/// `DAHDI_TONE_RECORDTONE` (tone).
pub const DAHDI_TONE_RECORDTONE: c_int = 6;
/// `DAHDI_TONE_INFO` (tone).
pub const DAHDI_TONE_INFO: c_int = 7;
/// `DAHDI_TONE_CUST1` (tone).
pub const DAHDI_TONE_CUST1: c_int = 8;
/// `DAHDI_TONE_CUST2` (tone).
pub const DAHDI_TONE_CUST2: c_int = 9;
/// `DAHDI_TONE_STUTTER` (tone).
pub const DAHDI_TONE_STUTTER: c_int = 0xa;
/// `DAHDI_TONE_MAX` (tone).
pub const DAHDI_TONE_MAX: c_int = 0x10;
/// `DAHDI_TONE_DTMF_BASE` (tone).
pub const DAHDI_TONE_DTMF_BASE: c_int = 0x40;
/// `DAHDI_TONE_MFR1_BASE` (tone).
pub const DAHDI_TONE_MFR1_BASE: c_int = 0x50;
/// `DAHDI_TONE_MFR2_FWD_BASE` (tone).
pub const DAHDI_TONE_MFR2_FWD_BASE: c_int = 0x60;
/// `DAHDI_TONE_MFR2_REV_BASE` (tone).
pub const DAHDI_TONE_MFR2_REV_BASE: c_int = 0x70;
/// `DAHDI_TONE_DTMF_MAX` (tone).
pub const DAHDI_TONE_DTMF_MAX: c_int = DAHDI_TONE_DTMF_BASE + 15;
/// `DAHDI_TONE_MFR1_MAX` (tone).
pub const DAHDI_TONE_MFR1_MAX: c_int = 0x5e;
/// `DAHDI_TONE_MFR2_FWD_MAX` (tone).
pub const DAHDI_TONE_MFR2_FWD_MAX: c_int = 0x6e;
/// `DAHDI_TONE_MFR2_REV_MAX` (tone).
pub const DAHDI_TONE_MFR2_REV_MAX: c_int = 0x7e;
/// `DAHDI_LAW_DEFAULT` (law).
pub const DAHDI_LAW_DEFAULT: c_int = 0;
/// `DAHDI_LAW_MULAW` (law).
pub const DAHDI_LAW_MULAW: c_int = 1;
/// `DAHDI_LAW_ALAW` (law).
pub const DAHDI_LAW_ALAW: c_int = 2;
/// `DAHDI_DIAL_OP_APPEND` (dialop).
pub const DAHDI_DIAL_OP_APPEND: c_int = 1;
/// `DAHDI_DIAL_OP_REPLACE` (dialop).
pub const DAHDI_DIAL_OP_REPLACE: c_int = 2;
/// `DAHDI_DIAL_OP_CANCEL` (dialop).
pub const DAHDI_DIAL_OP_CANCEL: c_int = 3;
/// `DAHDI_MAX_CADENCE` (limit).
pub const DAHDI_MAX_CADENCE: c_int = 0x10;
/// `DAHDI_TONEDETECT_ON` (tonedetect).
pub const DAHDI_TONEDETECT_ON: c_int = 1;
/// `DAHDI_TONEDETECT_MUTE` (tonedetect).
pub const DAHDI_TONEDETECT_MUTE: c_int = 2;
/// `DAHDI_MAX_DTMF_BUF` (limit).
pub const DAHDI_MAX_DTMF_BUF: c_int = 0x100;
/// `DAHDI_MAX_EVENTSIZE` (limit).
pub const DAHDI_MAX_EVENTSIZE: c_int = 0x40;
/// `DAHDI_ONHOOK` (hook).
pub const DAHDI_ONHOOK: c_int = 0;
/// `DAHDI_OFFHOOK` (hook).
pub const DAHDI_OFFHOOK: c_int = 1;
/// `DAHDI_WINK` (hook).
pub const DAHDI_WINK: c_int = 2;
/// `DAHDI_FLASH` (hook).
pub const DAHDI_FLASH: c_int = 3;
/// `DAHDI_START` (hook).
pub const DAHDI_START: c_int = 4;
/// `DAHDI_RING` (hook).
pub const DAHDI_RING: c_int = 5;
/// `DAHDI_RINGOFF` (hook).
pub const DAHDI_RINGOFF: c_int = 6;
/// `DAHDI_FLUSH_READ` (flush).
pub const DAHDI_FLUSH_READ: c_int = 1;
/// `DAHDI_FLUSH_WRITE` (flush).
pub const DAHDI_FLUSH_WRITE: c_int = 2;
/// `DAHDI_FLUSH_BOTH` (flush).
pub const DAHDI_FLUSH_BOTH: c_int = 3;
/// `DAHDI_FLUSH_EVENT` (flush).
pub const DAHDI_FLUSH_EVENT: c_int = 4;
/// `DAHDI_FLUSH_ALL` (flush).
pub const DAHDI_FLUSH_ALL: c_int = DAHDI_FLUSH_READ | DAHDI_FLUSH_WRITE | DAHDI_FLUSH_EVENT;
/// `DAHDI_MAX_SPANS` (limit).
pub const DAHDI_MAX_SPANS: c_int = 0x80;
/// `DAHDI_MAX_CHANNELS` (limit).
pub const DAHDI_MAX_CHANNELS: c_int = 0x400;
/// `DAHDI_MAX_CONF` (limit).
pub const DAHDI_MAX_CONF: c_int = 0x400;
/// `DAHDI_CONF_MODE_MASK` (confmode).
pub const DAHDI_CONF_MODE_MASK: c_int = 0xff;
/// `DAHDI_CONF_NORMAL` (confmode).
pub const DAHDI_CONF_NORMAL: c_int = 0;
/// `DAHDI_CONF_MONITOR` (confmode).
pub const DAHDI_CONF_MONITOR: c_int = 1;
/// `DAHDI_CONF_MONITORTX` (confmode).
pub const DAHDI_CONF_MONITORTX: c_int = 2;
/// `DAHDI_CONF_MONITORBOTH` (confmode).
pub const DAHDI_CONF_MONITORBOTH: c_int = 3;
/// `DAHDI_CONF_CONF` (confmode).
pub const DAHDI_CONF_CONF: c_int = 4;
/// `DAHDI_CONF_CONFANN` (confmode).
pub const DAHDI_CONF_CONFANN: c_int = 5;
/// `DAHDI_CONF_CONFMON` (confmode).
pub const DAHDI_CONF_CONFMON: c_int = 6;
/// `DAHDI_CONF_CONFANNMON` (confmode).
pub const DAHDI_CONF_CONFANNMON: c_int = 7;
/// `DAHDI_CONF_REALANDPSEUDO` (confmode).
pub const DAHDI_CONF_REALANDPSEUDO: c_int = 8;
/// `DAHDI_CONF_DIGITALMON` (confmode).
pub const DAHDI_CONF_DIGITALMON: c_int = 9;
/// `DAHDI_CONF_MONITOR_RX_PREECHO` (confmode).
pub const DAHDI_CONF_MONITOR_RX_PREECHO: c_int = 0xa;
/// `DAHDI_CONF_MONITOR_TX_PREECHO` (confmode).
pub const DAHDI_CONF_MONITOR_TX_PREECHO: c_int = 0xb;
/// `DAHDI_CONF_MONITORBOTH_PREECHO` (confmode).
pub const DAHDI_CONF_MONITORBOTH_PREECHO: c_int = 0xc;
/// `DAHDI_CONF_FLAG_MASK` (confmode).
pub const DAHDI_CONF_FLAG_MASK: c_int = 0xff00;
/// `DAHDI_CONF_LISTENER` (confmode).
pub const DAHDI_CONF_LISTENER: c_int = 0x100;
/// `DAHDI_CONF_TALKER` (confmode).
pub const DAHDI_CONF_TALKER: c_int = 0x200;
/// `DAHDI_CONF_PSEUDO_LISTENER` (confmode).
pub const DAHDI_CONF_PSEUDO_LISTENER: c_int = 0x400;
/// `DAHDI_CONF_PSEUDO_TALKER` (confmode).
pub const DAHDI_CONF_PSEUDO_TALKER: c_int = 0x800;
/// `DAHDI_ALARM_NONE` (alarm).
pub const DAHDI_ALARM_NONE: c_int = 0;
/// `DAHDI_ALARM_RECOVER` (alarm).
pub const DAHDI_ALARM_RECOVER: c_int = 1;
/// `DAHDI_ALARM_LOOPBACK` (alarm).
pub const DAHDI_ALARM_LOOPBACK: c_int = 2;
/// `DAHDI_ALARM_YELLOW` (alarm).
pub const DAHDI_ALARM_YELLOW: c_int = 4;
/// `DAHDI_ALARM_RED` (alarm).
pub const DAHDI_ALARM_RED: c_int = 8;
/// `DAHDI_ALARM_BLUE` (alarm).
pub const DAHDI_ALARM_BLUE: c_int = 0x10;
/// `DAHDI_ALARM_NOTOPEN` (alarm).
pub const DAHDI_ALARM_NOTOPEN: c_int = 0x20;
/// `DAHDI_ALARM_LOS` (alarm).
pub const DAHDI_ALARM_LOS: c_int = 0x100;
/// `DAHDI_ALARM_LFA` (alarm).
pub const DAHDI_ALARM_LFA: c_int = 0x200;
/// `DAHDI_ALARM_LMFA` (alarm).
pub const DAHDI_ALARM_LMFA: c_int = 0x400;
/// `DAHDI_MAINT_NONE` (maint).
pub const DAHDI_MAINT_NONE: c_int = 0;
/// `DAHDI_MAINT_LOCALLOOP` (maint).
pub const DAHDI_MAINT_LOCALLOOP: c_int = 1;
/// `DAHDI_MAINT_REMOTELOOP` (maint): alias of NETWORKLINELOOP
pub const DAHDI_MAINT_REMOTELOOP: c_int = 2;
/// `DAHDI_MAINT_NETWORKLINELOOP` (maint).
pub const DAHDI_MAINT_NETWORKLINELOOP: c_int = 2;
/// `DAHDI_MAINT_LOOPUP` (maint).
pub const DAHDI_MAINT_LOOPUP: c_int = 3;
/// `DAHDI_MAINT_LOOPDOWN` (maint).
pub const DAHDI_MAINT_LOOPDOWN: c_int = 4;
/// `DAHDI_MAINT_FAS_DEFECT` (maint).
pub const DAHDI_MAINT_FAS_DEFECT: c_int = 6;
/// `DAHDI_MAINT_MULTI_DEFECT` (maint).
pub const DAHDI_MAINT_MULTI_DEFECT: c_int = 7;
/// `DAHDI_MAINT_CRC_DEFECT` (maint).
pub const DAHDI_MAINT_CRC_DEFECT: c_int = 8;
/// `DAHDI_MAINT_CAS_DEFECT` (maint).
pub const DAHDI_MAINT_CAS_DEFECT: c_int = 9;
/// `DAHDI_MAINT_PRBS_DEFECT` (maint).
pub const DAHDI_MAINT_PRBS_DEFECT: c_int = 0xa;
/// `DAHDI_MAINT_BIPOLAR_DEFECT` (maint).
pub const DAHDI_MAINT_BIPOLAR_DEFECT: c_int = 0xb;
/// `DAHDI_MAINT_PRBS` (maint).
pub const DAHDI_MAINT_PRBS: c_int = 0xc;
/// `DAHDI_MAINT_NETWORKPAYLOADLOOP` (maint).
pub const DAHDI_MAINT_NETWORKPAYLOADLOOP: c_int = 0xd;
/// `DAHDI_RESET_COUNTERS` (maint).
pub const DAHDI_RESET_COUNTERS: c_int = 0xe;
/// `DAHDI_MAINT_ALARM_SIM` (maint).
pub const DAHDI_MAINT_ALARM_SIM: c_int = 0xf;
/// `DAHDI_IOMUX_READ` (iomux).
pub const DAHDI_IOMUX_READ: c_int = 1;
/// `DAHDI_IOMUX_WRITE` (iomux).
pub const DAHDI_IOMUX_WRITE: c_int = 2;
/// `DAHDI_IOMUX_WRITEEMPTY` (iomux).
pub const DAHDI_IOMUX_WRITEEMPTY: c_int = 4;
/// `DAHDI_IOMUX_SIGEVENT` (iomux).
pub const DAHDI_IOMUX_SIGEVENT: c_int = 8;
/// `DAHDI_IOMUX_NOWAIT` (iomux).
pub const DAHDI_IOMUX_NOWAIT: c_int = 0x100;
/// `DAHDI_EVENT_NONE` (event).
pub const DAHDI_EVENT_NONE: c_int = 0;
/// `DAHDI_EVENT_ONHOOK` (event).
pub const DAHDI_EVENT_ONHOOK: c_int = 1;
/// `DAHDI_EVENT_RINGOFFHOOK` (event).
pub const DAHDI_EVENT_RINGOFFHOOK: c_int = 2;
/// `DAHDI_EVENT_WINKFLASH` (event).
pub const DAHDI_EVENT_WINKFLASH: c_int = 3;
/// `DAHDI_EVENT_ALARM` (event).
pub const DAHDI_EVENT_ALARM: c_int = 4;
/// `DAHDI_EVENT_NOALARM` (event).
pub const DAHDI_EVENT_NOALARM: c_int = 5;
/// `DAHDI_EVENT_ABORT` (event).
pub const DAHDI_EVENT_ABORT: c_int = 6;
/// `DAHDI_EVENT_OVERRUN` (event).
pub const DAHDI_EVENT_OVERRUN: c_int = 7;
/// `DAHDI_EVENT_BADFCS` (event).
pub const DAHDI_EVENT_BADFCS: c_int = 8;
/// `DAHDI_EVENT_DIALCOMPLETE` (event).
pub const DAHDI_EVENT_DIALCOMPLETE: c_int = 9;
/// `DAHDI_EVENT_RINGERON` (event).
pub const DAHDI_EVENT_RINGERON: c_int = 0xa;
/// `DAHDI_EVENT_RINGEROFF` (event).
pub const DAHDI_EVENT_RINGEROFF: c_int = 0xb;
/// `DAHDI_EVENT_HOOKCOMPLETE` (event).
pub const DAHDI_EVENT_HOOKCOMPLETE: c_int = 0xc;
/// `DAHDI_EVENT_BITSCHANGED` (event).
pub const DAHDI_EVENT_BITSCHANGED: c_int = 0xd;
/// `DAHDI_EVENT_PULSE_START` (event).
pub const DAHDI_EVENT_PULSE_START: c_int = 0xe;
/// `DAHDI_EVENT_TIMER_EXPIRED` (event).
pub const DAHDI_EVENT_TIMER_EXPIRED: c_int = 0xf;
/// `DAHDI_EVENT_TIMER_PING` (event).
pub const DAHDI_EVENT_TIMER_PING: c_int = 0x10;
/// `DAHDI_EVENT_POLARITY` (event).
pub const DAHDI_EVENT_POLARITY: c_int = 0x11;
/// `DAHDI_EVENT_RINGBEGIN` (event).
pub const DAHDI_EVENT_RINGBEGIN: c_int = 0x12;
/// `DAHDI_EVENT_EC_DISABLED` (event).
pub const DAHDI_EVENT_EC_DISABLED: c_int = 0x13;
/// `DAHDI_EVENT_REMOVED` (event).
pub const DAHDI_EVENT_REMOVED: c_int = 0x14;
/// `DAHDI_EVENT_NEONMWI_ACTIVE` (event).
pub const DAHDI_EVENT_NEONMWI_ACTIVE: c_int = 0x15;
/// `DAHDI_EVENT_NEONMWI_INACTIVE` (event).
pub const DAHDI_EVENT_NEONMWI_INACTIVE: c_int = 0x16;
/// `DAHDI_EVENT_TX_CED_DETECTED` (event).
pub const DAHDI_EVENT_TX_CED_DETECTED: c_int = 0x17;
/// `DAHDI_EVENT_RX_CED_DETECTED` (event).
pub const DAHDI_EVENT_RX_CED_DETECTED: c_int = 0x18;
/// `DAHDI_EVENT_TX_CNG_DETECTED` (event).
pub const DAHDI_EVENT_TX_CNG_DETECTED: c_int = 0x19;
/// `DAHDI_EVENT_RX_CNG_DETECTED` (event).
pub const DAHDI_EVENT_RX_CNG_DETECTED: c_int = 0x1a;
/// `DAHDI_EVENT_EC_NLP_DISABLED` (event).
pub const DAHDI_EVENT_EC_NLP_DISABLED: c_int = 0x1b;
/// `DAHDI_EVENT_EC_NLP_ENABLED` (event).
pub const DAHDI_EVENT_EC_NLP_ENABLED: c_int = 0x1c;
/// `DAHDI_EVENT_READ_OVERRUN` (event).
pub const DAHDI_EVENT_READ_OVERRUN: c_int = 0x1d;
/// `DAHDI_EVENT_WRITE_UNDERRUN` (event).
pub const DAHDI_EVENT_WRITE_UNDERRUN: c_int = 0x1e;
/// `DAHDI_EVENT_PULSEDIGIT` (event): OR'd with ASCII digit
pub const DAHDI_EVENT_PULSEDIGIT: c_int = 0x10000;
/// `DAHDI_EVENT_DTMFDOWN` (event): OR'd with ASCII digit
pub const DAHDI_EVENT_DTMFDOWN: c_int = 0x20000;
/// `DAHDI_EVENT_DTMFUP` (event): OR'd with ASCII digit
pub const DAHDI_EVENT_DTMFUP: c_int = 0x40000;
/// `DAHDI_MAX_ECHOCANPARAMS` (limit).
pub const DAHDI_MAX_ECHOCANPARAMS: c_int = 8;
/// `DAHDI_CODE` (ioctl-base).
pub const DAHDI_CODE: c_int = 0xda;
/// `DAHDI_TC_CODE` (ioctl-base).
pub const DAHDI_TC_CODE: c_int = 0x54;
/// `DAHDI_VMWI_LREV` (vmwi).
pub const DAHDI_VMWI_LREV: c_int = 1;
/// `DAHDI_VMWI_HVDC` (vmwi).
pub const DAHDI_VMWI_HVDC: c_int = 2;
/// `DAHDI_VMWI_HVAC` (vmwi).
pub const DAHDI_VMWI_HVAC: c_int = 4;
/// `DAHDI_RADSTAT_RX` (radio).
pub const DAHDI_RADSTAT_RX: c_int = 1;
/// `DAHDI_RADSTAT_TX` (radio).
pub const DAHDI_RADSTAT_TX: c_int = 2;
/// `DAHDI_RADSTAT_RXCT` (radio).
pub const DAHDI_RADSTAT_RXCT: c_int = 4;
/// `DAHDI_RADSTAT_RXCOR` (radio).
pub const DAHDI_RADSTAT_RXCOR: c_int = 8;
/// `DAHDI_RADSTAT_IGNCOR` (radio).
pub const DAHDI_RADSTAT_IGNCOR: c_int = 0x10;
/// `DAHDI_RADSTAT_IGNCT` (radio).
pub const DAHDI_RADSTAT_IGNCT: c_int = 0x20;
/// `DAHDI_RADSTAT_NOENCODE` (radio).
pub const DAHDI_RADSTAT_NOENCODE: c_int = 0x40;
/// `DAHDI_RADPAR_INVERTCOR` (radio).
pub const DAHDI_RADPAR_INVERTCOR: c_int = 1;
/// `DAHDI_RADPAR_IGNORECOR` (radio).
pub const DAHDI_RADPAR_IGNORECOR: c_int = 2;
/// `DAHDI_RADPAR_IGNORECT` (radio).
pub const DAHDI_RADPAR_IGNORECT: c_int = 3;
/// `DAHDI_RADPAR_NOENCODE` (radio).
pub const DAHDI_RADPAR_NOENCODE: c_int = 4;
/// `DAHDI_RADPAR_CORTHRESH` (radio).
pub const DAHDI_RADPAR_CORTHRESH: c_int = 5;
/// `DAHDI_RADPAR_EXTRXTONE` (radio).
pub const DAHDI_RADPAR_EXTRXTONE: c_int = 6;
/// `DAHDI_RADPAR_NUMTONES` (radio).
pub const DAHDI_RADPAR_NUMTONES: c_int = 7;
/// `DAHDI_RADPAR_INITTONE` (radio).
pub const DAHDI_RADPAR_INITTONE: c_int = 8;
/// `DAHDI_RADPAR_RXTONE` (radio).
pub const DAHDI_RADPAR_RXTONE: c_int = 9;
/// `DAHDI_RADPAR_RXTONECLASS` (radio).
pub const DAHDI_RADPAR_RXTONECLASS: c_int = 0xa;
/// `DAHDI_RADPAR_TXTONE` (radio).
pub const DAHDI_RADPAR_TXTONE: c_int = 0xb;
/// `DAHDI_RADPAR_DEBOUNCETIME` (radio).
pub const DAHDI_RADPAR_DEBOUNCETIME: c_int = 0xc;
/// `DAHDI_RADPAR_BURSTTIME` (radio).
pub const DAHDI_RADPAR_BURSTTIME: c_int = 0xd;
/// `DAHDI_RADPAR_UIODATA` (radio).
pub const DAHDI_RADPAR_UIODATA: c_int = 0xe;
/// `DAHDI_RADPAR_UIOMODE` (radio).
pub const DAHDI_RADPAR_UIOMODE: c_int = 0xf;
/// `DAHDI_RADPAR_REMMODE` (radio).
pub const DAHDI_RADPAR_REMMODE: c_int = 0x10;
/// `DAHDI_RADPAR_REM_NONE` (radio).
pub const DAHDI_RADPAR_REM_NONE: c_int = 0;
/// `DAHDI_RADPAR_REM_RBI1` (radio).
pub const DAHDI_RADPAR_REM_RBI1: c_int = 1;
/// `DAHDI_RADPAR_REM_SERIAL` (radio).
pub const DAHDI_RADPAR_REM_SERIAL: c_int = 2;
/// `DAHDI_RADPAR_REM_SERIAL_ASCII` (radio).
pub const DAHDI_RADPAR_REM_SERIAL_ASCII: c_int = 3;
/// `DAHDI_RADPAR_REMCOMMAND` (radio).
pub const DAHDI_RADPAR_REMCOMMAND: c_int = 0x11;
/// `DAHDI_RADPAR_DEEMP` (radio).
pub const DAHDI_RADPAR_DEEMP: c_int = 0x12;
/// `DAHDI_RADPAR_PREEMP` (radio).
pub const DAHDI_RADPAR_PREEMP: c_int = 0x13;
/// `DAHDI_RADPAR_RXGAIN` (radio).
pub const DAHDI_RADPAR_RXGAIN: c_int = 0x14;
/// `DAHDI_RADPAR_TXGAIN` (radio).
pub const DAHDI_RADPAR_TXGAIN: c_int = 0x15;
/// `RAD_SERIAL_BUFLEN` (limit).
pub const RAD_SERIAL_BUFLEN: c_int = 0x80;
/// `DAHDI_TONE_DTMF_0` (tone).
pub const DAHDI_TONE_DTMF_0: c_int = 0x40;
/// `DAHDI_TONE_DTMF_1` (tone).
pub const DAHDI_TONE_DTMF_1: c_int = 0x41;
/// `DAHDI_TONE_DTMF_2` (tone).
pub const DAHDI_TONE_DTMF_2: c_int = 0x42;
/// `DAHDI_TONE_DTMF_3` (tone).
pub const DAHDI_TONE_DTMF_3: c_int = 0x43;
/// `DAHDI_TONE_DTMF_4` (tone).
pub const DAHDI_TONE_DTMF_4: c_int = 0x44;
/// `DAHDI_TONE_DTMF_5` (tone).
pub const DAHDI_TONE_DTMF_5: c_int = 0x45;
/// `DAHDI_TONE_DTMF_6` (tone).
pub const DAHDI_TONE_DTMF_6: c_int = 0x46;
/// `DAHDI_TONE_DTMF_7` (tone).
pub const DAHDI_TONE_DTMF_7: c_int = 0x47;
/// `DAHDI_TONE_DTMF_8` (tone).
pub const DAHDI_TONE_DTMF_8: c_int = 0x48;
/// `DAHDI_TONE_DTMF_9` (tone).
pub const DAHDI_TONE_DTMF_9: c_int = 0x49;
/// `DAHDI_TONE_DTMF_s` (tone).
pub const DAHDI_TONE_DTMF_s: c_int = 0x4a;
/// `DAHDI_TONE_DTMF_p` (tone).
pub const DAHDI_TONE_DTMF_p: c_int = 0x4b;
/// `DAHDI_TONE_DTMF_A` (tone).
pub const DAHDI_TONE_DTMF_A: c_int = 0x4c;
/// `DAHDI_TONE_DTMF_B` (tone).
pub const DAHDI_TONE_DTMF_B: c_int = 0x4d;
/// `DAHDI_TONE_DTMF_C` (tone).
pub const DAHDI_TONE_DTMF_C: c_int = 0x4e;
/// `DAHDI_TONE_DTMF_D` (tone).
pub const DAHDI_TONE_DTMF_D: c_int = 0x4f;
/// `DAHDI_TONE_MFR1_0` (tone).
pub const DAHDI_TONE_MFR1_0: c_int = 0x50;
/// `DAHDI_TONE_MFR1_1` (tone).
pub const DAHDI_TONE_MFR1_1: c_int = 0x51;
/// `DAHDI_TONE_MFR1_2` (tone).
pub const DAHDI_TONE_MFR1_2: c_int = 0x52;
/// `DAHDI_TONE_MFR1_3` (tone).
pub const DAHDI_TONE_MFR1_3: c_int = 0x53;
/// `DAHDI_TONE_MFR1_4` (tone).
pub const DAHDI_TONE_MFR1_4: c_int = 0x54;
/// `DAHDI_TONE_MFR1_5` (tone).
pub const DAHDI_TONE_MFR1_5: c_int = 0x55;
/// `DAHDI_TONE_MFR1_6` (tone).
pub const DAHDI_TONE_MFR1_6: c_int = 0x56;
/// `DAHDI_TONE_MFR1_7` (tone).
pub const DAHDI_TONE_MFR1_7: c_int = 0x57;
/// `DAHDI_TONE_MFR1_8` (tone).
pub const DAHDI_TONE_MFR1_8: c_int = 0x58;
/// `DAHDI_TONE_MFR1_9` (tone).
pub const DAHDI_TONE_MFR1_9: c_int = 0x59;
/// `DAHDI_TONE_MFR1_KP` (tone).
pub const DAHDI_TONE_MFR1_KP: c_int = 0x5a;
/// `DAHDI_TONE_MFR1_ST` (tone).
pub const DAHDI_TONE_MFR1_ST: c_int = 0x5b;
/// `DAHDI_TONE_MFR1_STP` (tone).
pub const DAHDI_TONE_MFR1_STP: c_int = 0x5c;
/// `DAHDI_TONE_MFR1_ST2P` (tone).
pub const DAHDI_TONE_MFR1_ST2P: c_int = 0x5d;
/// `DAHDI_TONE_MFR1_ST3P` (tone).
pub const DAHDI_TONE_MFR1_ST3P: c_int = 0x5e;
/// `DAHDI_TONE_MFR2_FWD_1` (tone).
pub const DAHDI_TONE_MFR2_FWD_1: c_int = 0x60;
/// `DAHDI_TONE_MFR2_FWD_2` (tone).
pub const DAHDI_TONE_MFR2_FWD_2: c_int = 0x61;
/// `DAHDI_TONE_MFR2_FWD_3` (tone).
pub const DAHDI_TONE_MFR2_FWD_3: c_int = 0x62;
/// `DAHDI_TONE_MFR2_FWD_4` (tone).
pub const DAHDI_TONE_MFR2_FWD_4: c_int = 0x63;
/// `DAHDI_TONE_MFR2_FWD_5` (tone).
pub const DAHDI_TONE_MFR2_FWD_5: c_int = 0x64;
/// `DAHDI_TONE_MFR2_FWD_6` (tone).
pub const DAHDI_TONE_MFR2_FWD_6: c_int = 0x65;
/// `DAHDI_TONE_MFR2_FWD_7` (tone).
pub const DAHDI_TONE_MFR2_FWD_7: c_int = 0x66;
/// `DAHDI_TONE_MFR2_FWD_8` (tone).
pub const DAHDI_TONE_MFR2_FWD_8: c_int = 0x67;
/// `DAHDI_TONE_MFR2_FWD_9` (tone).
pub const DAHDI_TONE_MFR2_FWD_9: c_int = 0x68;
/// `DAHDI_TONE_MFR2_FWD_10` (tone).
pub const DAHDI_TONE_MFR2_FWD_10: c_int = 0x69;
/// `DAHDI_TONE_MFR2_FWD_11` (tone).
pub const DAHDI_TONE_MFR2_FWD_11: c_int = 0x6a;
/// `DAHDI_TONE_MFR2_FWD_12` (tone).
pub const DAHDI_TONE_MFR2_FWD_12: c_int = 0x6b;
/// `DAHDI_TONE_MFR2_FWD_13` (tone).
pub const DAHDI_TONE_MFR2_FWD_13: c_int = 0x6c;
/// `DAHDI_TONE_MFR2_FWD_14` (tone).
pub const DAHDI_TONE_MFR2_FWD_14: c_int = 0x6d;
/// `DAHDI_TONE_MFR2_FWD_15` (tone).
pub const DAHDI_TONE_MFR2_FWD_15: c_int = 0x6e;
/// `DAHDI_TONE_MFR2_REV_1` (tone).
pub const DAHDI_TONE_MFR2_REV_1: c_int = 0x70;
/// `DAHDI_TONE_MFR2_REV_2` (tone).
pub const DAHDI_TONE_MFR2_REV_2: c_int = 0x71;
/// `DAHDI_TONE_MFR2_REV_3` (tone).
pub const DAHDI_TONE_MFR2_REV_3: c_int = 0x72;
/// `DAHDI_TONE_MFR2_REV_4` (tone).
pub const DAHDI_TONE_MFR2_REV_4: c_int = 0x73;
/// `DAHDI_TONE_MFR2_REV_5` (tone).
pub const DAHDI_TONE_MFR2_REV_5: c_int = 0x74;
/// `DAHDI_TONE_MFR2_REV_6` (tone).
pub const DAHDI_TONE_MFR2_REV_6: c_int = 0x75;
/// `DAHDI_TONE_MFR2_REV_7` (tone).
pub const DAHDI_TONE_MFR2_REV_7: c_int = 0x76;
/// `DAHDI_TONE_MFR2_REV_8` (tone).
pub const DAHDI_TONE_MFR2_REV_8: c_int = 0x77;
/// `DAHDI_TONE_MFR2_REV_9` (tone).
pub const DAHDI_TONE_MFR2_REV_9: c_int = 0x78;
/// `DAHDI_TONE_MFR2_REV_10` (tone).
pub const DAHDI_TONE_MFR2_REV_10: c_int = 0x79;
/// `DAHDI_TONE_MFR2_REV_11` (tone).
pub const DAHDI_TONE_MFR2_REV_11: c_int = 0x7a;
/// `DAHDI_TONE_MFR2_REV_12` (tone).
pub const DAHDI_TONE_MFR2_REV_12: c_int = 0x7b;
/// `DAHDI_TONE_MFR2_REV_13` (tone).
pub const DAHDI_TONE_MFR2_REV_13: c_int = 0x7c;
/// `DAHDI_TONE_MFR2_REV_14` (tone).
pub const DAHDI_TONE_MFR2_REV_14: c_int = 0x7d;
/// `DAHDI_TONE_MFR2_REV_15` (tone).
pub const DAHDI_TONE_MFR2_REV_15: c_int = 0x7e;
/// `DAHDI_CONFIG_DEFAULT_DTMF_LENGTH` (dialparams-default): ms; from dahdi/dahdi_config.h
pub const DAHDI_CONFIG_DEFAULT_DTMF_LENGTH: c_int = 0x64;
/// `DAHDI_CONFIG_DEFAULT_MFR1_LENGTH` (dialparams-default): ms; from dahdi/dahdi_config.h
pub const DAHDI_CONFIG_DEFAULT_MFR1_LENGTH: c_int = 0x44;
/// `DAHDI_CONFIG_DEFAULT_MFR2_LENGTH` (dialparams-default): ms; from dahdi/dahdi_config.h
pub const DAHDI_CONFIG_DEFAULT_MFR2_LENGTH: c_int = 0x64;
/// `DAHDI_CONFIG_PAUSE_LENGTH` (dialparams-default): ms; from dahdi/dahdi_config.h
pub const DAHDI_CONFIG_PAUSE_LENGTH: c_int = 0x1f4;

/// Every constant of user.h by name, for lookups and the conformance test.
pub const CONSTANTS: &[(&str, c_int)] = &[
    ("ELAST", ELAST),
    ("DAHDI_CONFIG_TXLEVEL", DAHDI_CONFIG_TXLEVEL),
    ("DAHDI_CONFIG_D4", DAHDI_CONFIG_D4),
    ("DAHDI_CONFIG_ESF", DAHDI_CONFIG_ESF),
    ("DAHDI_CONFIG_AMI", DAHDI_CONFIG_AMI),
    ("DAHDI_CONFIG_B8ZS", DAHDI_CONFIG_B8ZS),
    ("DAHDI_CONFIG_CCS", DAHDI_CONFIG_CCS),
    ("DAHDI_CONFIG_HDB3", DAHDI_CONFIG_HDB3),
    ("DAHDI_CONFIG_CRC4", DAHDI_CONFIG_CRC4),
    ("DAHDI_CONFIG_NOTOPEN", DAHDI_CONFIG_NOTOPEN),
    ("DAHDI_CONFIG_NTTE", DAHDI_CONFIG_NTTE),
    ("DAHDI_CONFIG_TERM", DAHDI_CONFIG_TERM),
    ("DAHDI_SIG_BROKEN", DAHDI_SIG_BROKEN),
    ("__DAHDI_SIG_FXO", __DAHDI_SIG_FXO),
    ("__DAHDI_SIG_FXS", __DAHDI_SIG_FXS),
    ("DAHDI_SIG_NONE", DAHDI_SIG_NONE),
    ("DAHDI_SIG_FXSLS", DAHDI_SIG_FXSLS),
    ("DAHDI_SIG_FXSGS", DAHDI_SIG_FXSGS),
    ("DAHDI_SIG_FXSKS", DAHDI_SIG_FXSKS),
    ("DAHDI_SIG_FXOLS", DAHDI_SIG_FXOLS),
    ("DAHDI_SIG_FXOGS", DAHDI_SIG_FXOGS),
    ("DAHDI_SIG_FXOKS", DAHDI_SIG_FXOKS),
    ("DAHDI_SIG_EM", DAHDI_SIG_EM),
    ("__DAHDI_SIG_DACS", __DAHDI_SIG_DACS),
    ("DAHDI_SIG_CLEAR", DAHDI_SIG_CLEAR),
    ("DAHDI_SIG_HDLCRAW", DAHDI_SIG_HDLCRAW),
    ("DAHDI_SIG_HDLCFCS", DAHDI_SIG_HDLCFCS),
    ("DAHDI_SIG_HDLCNET", DAHDI_SIG_HDLCNET),
    ("DAHDI_SIG_SLAVE", DAHDI_SIG_SLAVE),
    ("DAHDI_SIG_SF", DAHDI_SIG_SF),
    ("DAHDI_SIG_CAS", DAHDI_SIG_CAS),
    ("DAHDI_SIG_DACS", DAHDI_SIG_DACS),
    ("DAHDI_SIG_EM_E1", DAHDI_SIG_EM_E1),
    ("DAHDI_SIG_DACS_RBS", DAHDI_SIG_DACS_RBS),
    ("DAHDI_SIG_HARDHDLC", DAHDI_SIG_HARDHDLC),
    ("DAHDI_SIG_MTP2", DAHDI_SIG_MTP2),
    ("DAHDI_REVERSE_RXTONE", DAHDI_REVERSE_RXTONE),
    ("DAHDI_REVERSE_TXTONE", DAHDI_REVERSE_TXTONE),
    ("DAHDI_ABIT", DAHDI_ABIT),
    ("DAHDI_BBIT", DAHDI_BBIT),
    ("DAHDI_CBIT", DAHDI_CBIT),
    ("DAHDI_DBIT", DAHDI_DBIT),
    ("DAHDI_BITS_ABCD", DAHDI_BITS_ABCD),
    ("DAHDI_BITS_ABD", DAHDI_BITS_ABD),
    ("DAHDI_BITS_ACD", DAHDI_BITS_ACD),
    ("DAHDI_BITS_BCD", DAHDI_BITS_BCD),
    ("DAHDI_BITS_AC", DAHDI_BITS_AC),
    ("DAHDI_BITS_BD", DAHDI_BITS_BD),
    ("DAHDI_MAJOR", DAHDI_MAJOR),
    ("DAHDI_MAX_BLOCKSIZE", DAHDI_MAX_BLOCKSIZE),
    ("DAHDI_DEFAULT_NUM_BUFS", DAHDI_DEFAULT_NUM_BUFS),
    ("DAHDI_MAX_NUM_BUFS", DAHDI_MAX_NUM_BUFS),
    ("DAHDI_MAX_BUF_SPACE", DAHDI_MAX_BUF_SPACE),
    ("DAHDI_DEFAULT_BLOCKSIZE", DAHDI_DEFAULT_BLOCKSIZE),
    ("DAHDI_DEFAULT_MTR_MRU", DAHDI_DEFAULT_MTR_MRU),
    ("DAHDI_DEFAULT_MTU_MRU", DAHDI_DEFAULT_MTU_MRU),
    ("DAHDI_POLICY_IMMEDIATE", DAHDI_POLICY_IMMEDIATE),
    ("DAHDI_POLICY_WHEN_FULL", DAHDI_POLICY_WHEN_FULL),
    ("DAHDI_POLICY_HALF_FULL", DAHDI_POLICY_HALF_FULL),
    ("DAHDI_GET_PARAMS_RETURN_MASTER", DAHDI_GET_PARAMS_RETURN_MASTER),
    ("DAHDI_TONE_ZONE_MAX", DAHDI_TONE_ZONE_MAX),
    ("DAHDI_TONE_ZONE_DEFAULT", DAHDI_TONE_ZONE_DEFAULT),
    ("DAHDI_TONE_STOP", DAHDI_TONE_STOP),
    ("DAHDI_TONE_DIALTONE", DAHDI_TONE_DIALTONE),
    ("DAHDI_TONE_BUSY", DAHDI_TONE_BUSY),
    ("DAHDI_TONE_RINGTONE", DAHDI_TONE_RINGTONE),
    ("DAHDI_TONE_CONGESTION", DAHDI_TONE_CONGESTION),
    ("DAHDI_TONE_CALLWAIT", DAHDI_TONE_CALLWAIT),
    ("DAHDI_TONE_DIALRECALL", DAHDI_TONE_DIALRECALL),
    ("DAHDI_TONE_RECORDTONE", DAHDI_TONE_RECORDTONE),
    ("DAHDI_TONE_INFO", DAHDI_TONE_INFO),
    ("DAHDI_TONE_CUST1", DAHDI_TONE_CUST1),
    ("DAHDI_TONE_CUST2", DAHDI_TONE_CUST2),
    ("DAHDI_TONE_STUTTER", DAHDI_TONE_STUTTER),
    ("DAHDI_TONE_MAX", DAHDI_TONE_MAX),
    ("DAHDI_TONE_DTMF_BASE", DAHDI_TONE_DTMF_BASE),
    ("DAHDI_TONE_MFR1_BASE", DAHDI_TONE_MFR1_BASE),
    ("DAHDI_TONE_MFR2_FWD_BASE", DAHDI_TONE_MFR2_FWD_BASE),
    ("DAHDI_TONE_MFR2_REV_BASE", DAHDI_TONE_MFR2_REV_BASE),
    ("DAHDI_TONE_DTMF_MAX", DAHDI_TONE_DTMF_MAX),
    ("DAHDI_TONE_MFR1_MAX", DAHDI_TONE_MFR1_MAX),
    ("DAHDI_TONE_MFR2_FWD_MAX", DAHDI_TONE_MFR2_FWD_MAX),
    ("DAHDI_TONE_MFR2_REV_MAX", DAHDI_TONE_MFR2_REV_MAX),
    ("DAHDI_LAW_DEFAULT", DAHDI_LAW_DEFAULT),
    ("DAHDI_LAW_MULAW", DAHDI_LAW_MULAW),
    ("DAHDI_LAW_ALAW", DAHDI_LAW_ALAW),
    ("DAHDI_DIAL_OP_APPEND", DAHDI_DIAL_OP_APPEND),
    ("DAHDI_DIAL_OP_REPLACE", DAHDI_DIAL_OP_REPLACE),
    ("DAHDI_DIAL_OP_CANCEL", DAHDI_DIAL_OP_CANCEL),
    ("DAHDI_MAX_CADENCE", DAHDI_MAX_CADENCE),
    ("DAHDI_TONEDETECT_ON", DAHDI_TONEDETECT_ON),
    ("DAHDI_TONEDETECT_MUTE", DAHDI_TONEDETECT_MUTE),
    ("DAHDI_MAX_DTMF_BUF", DAHDI_MAX_DTMF_BUF),
    ("DAHDI_MAX_EVENTSIZE", DAHDI_MAX_EVENTSIZE),
    ("DAHDI_ONHOOK", DAHDI_ONHOOK),
    ("DAHDI_OFFHOOK", DAHDI_OFFHOOK),
    ("DAHDI_WINK", DAHDI_WINK),
    ("DAHDI_FLASH", DAHDI_FLASH),
    ("DAHDI_START", DAHDI_START),
    ("DAHDI_RING", DAHDI_RING),
    ("DAHDI_RINGOFF", DAHDI_RINGOFF),
    ("DAHDI_FLUSH_READ", DAHDI_FLUSH_READ),
    ("DAHDI_FLUSH_WRITE", DAHDI_FLUSH_WRITE),
    ("DAHDI_FLUSH_BOTH", DAHDI_FLUSH_BOTH),
    ("DAHDI_FLUSH_EVENT", DAHDI_FLUSH_EVENT),
    ("DAHDI_FLUSH_ALL", DAHDI_FLUSH_ALL),
    ("DAHDI_MAX_SPANS", DAHDI_MAX_SPANS),
    ("DAHDI_MAX_CHANNELS", DAHDI_MAX_CHANNELS),
    ("DAHDI_MAX_CONF", DAHDI_MAX_CONF),
    ("DAHDI_CONF_MODE_MASK", DAHDI_CONF_MODE_MASK),
    ("DAHDI_CONF_NORMAL", DAHDI_CONF_NORMAL),
    ("DAHDI_CONF_MONITOR", DAHDI_CONF_MONITOR),
    ("DAHDI_CONF_MONITORTX", DAHDI_CONF_MONITORTX),
    ("DAHDI_CONF_MONITORBOTH", DAHDI_CONF_MONITORBOTH),
    ("DAHDI_CONF_CONF", DAHDI_CONF_CONF),
    ("DAHDI_CONF_CONFANN", DAHDI_CONF_CONFANN),
    ("DAHDI_CONF_CONFMON", DAHDI_CONF_CONFMON),
    ("DAHDI_CONF_CONFANNMON", DAHDI_CONF_CONFANNMON),
    ("DAHDI_CONF_REALANDPSEUDO", DAHDI_CONF_REALANDPSEUDO),
    ("DAHDI_CONF_DIGITALMON", DAHDI_CONF_DIGITALMON),
    ("DAHDI_CONF_MONITOR_RX_PREECHO", DAHDI_CONF_MONITOR_RX_PREECHO),
    ("DAHDI_CONF_MONITOR_TX_PREECHO", DAHDI_CONF_MONITOR_TX_PREECHO),
    ("DAHDI_CONF_MONITORBOTH_PREECHO", DAHDI_CONF_MONITORBOTH_PREECHO),
    ("DAHDI_CONF_FLAG_MASK", DAHDI_CONF_FLAG_MASK),
    ("DAHDI_CONF_LISTENER", DAHDI_CONF_LISTENER),
    ("DAHDI_CONF_TALKER", DAHDI_CONF_TALKER),
    ("DAHDI_CONF_PSEUDO_LISTENER", DAHDI_CONF_PSEUDO_LISTENER),
    ("DAHDI_CONF_PSEUDO_TALKER", DAHDI_CONF_PSEUDO_TALKER),
    ("DAHDI_ALARM_NONE", DAHDI_ALARM_NONE),
    ("DAHDI_ALARM_RECOVER", DAHDI_ALARM_RECOVER),
    ("DAHDI_ALARM_LOOPBACK", DAHDI_ALARM_LOOPBACK),
    ("DAHDI_ALARM_YELLOW", DAHDI_ALARM_YELLOW),
    ("DAHDI_ALARM_RED", DAHDI_ALARM_RED),
    ("DAHDI_ALARM_BLUE", DAHDI_ALARM_BLUE),
    ("DAHDI_ALARM_NOTOPEN", DAHDI_ALARM_NOTOPEN),
    ("DAHDI_ALARM_LOS", DAHDI_ALARM_LOS),
    ("DAHDI_ALARM_LFA", DAHDI_ALARM_LFA),
    ("DAHDI_ALARM_LMFA", DAHDI_ALARM_LMFA),
    ("DAHDI_MAINT_NONE", DAHDI_MAINT_NONE),
    ("DAHDI_MAINT_LOCALLOOP", DAHDI_MAINT_LOCALLOOP),
    ("DAHDI_MAINT_REMOTELOOP", DAHDI_MAINT_REMOTELOOP),
    ("DAHDI_MAINT_NETWORKLINELOOP", DAHDI_MAINT_NETWORKLINELOOP),
    ("DAHDI_MAINT_LOOPUP", DAHDI_MAINT_LOOPUP),
    ("DAHDI_MAINT_LOOPDOWN", DAHDI_MAINT_LOOPDOWN),
    ("DAHDI_MAINT_FAS_DEFECT", DAHDI_MAINT_FAS_DEFECT),
    ("DAHDI_MAINT_MULTI_DEFECT", DAHDI_MAINT_MULTI_DEFECT),
    ("DAHDI_MAINT_CRC_DEFECT", DAHDI_MAINT_CRC_DEFECT),
    ("DAHDI_MAINT_CAS_DEFECT", DAHDI_MAINT_CAS_DEFECT),
    ("DAHDI_MAINT_PRBS_DEFECT", DAHDI_MAINT_PRBS_DEFECT),
    ("DAHDI_MAINT_BIPOLAR_DEFECT", DAHDI_MAINT_BIPOLAR_DEFECT),
    ("DAHDI_MAINT_PRBS", DAHDI_MAINT_PRBS),
    ("DAHDI_MAINT_NETWORKPAYLOADLOOP", DAHDI_MAINT_NETWORKPAYLOADLOOP),
    ("DAHDI_RESET_COUNTERS", DAHDI_RESET_COUNTERS),
    ("DAHDI_MAINT_ALARM_SIM", DAHDI_MAINT_ALARM_SIM),
    ("DAHDI_IOMUX_READ", DAHDI_IOMUX_READ),
    ("DAHDI_IOMUX_WRITE", DAHDI_IOMUX_WRITE),
    ("DAHDI_IOMUX_WRITEEMPTY", DAHDI_IOMUX_WRITEEMPTY),
    ("DAHDI_IOMUX_SIGEVENT", DAHDI_IOMUX_SIGEVENT),
    ("DAHDI_IOMUX_NOWAIT", DAHDI_IOMUX_NOWAIT),
    ("DAHDI_EVENT_NONE", DAHDI_EVENT_NONE),
    ("DAHDI_EVENT_ONHOOK", DAHDI_EVENT_ONHOOK),
    ("DAHDI_EVENT_RINGOFFHOOK", DAHDI_EVENT_RINGOFFHOOK),
    ("DAHDI_EVENT_WINKFLASH", DAHDI_EVENT_WINKFLASH),
    ("DAHDI_EVENT_ALARM", DAHDI_EVENT_ALARM),
    ("DAHDI_EVENT_NOALARM", DAHDI_EVENT_NOALARM),
    ("DAHDI_EVENT_ABORT", DAHDI_EVENT_ABORT),
    ("DAHDI_EVENT_OVERRUN", DAHDI_EVENT_OVERRUN),
    ("DAHDI_EVENT_BADFCS", DAHDI_EVENT_BADFCS),
    ("DAHDI_EVENT_DIALCOMPLETE", DAHDI_EVENT_DIALCOMPLETE),
    ("DAHDI_EVENT_RINGERON", DAHDI_EVENT_RINGERON),
    ("DAHDI_EVENT_RINGEROFF", DAHDI_EVENT_RINGEROFF),
    ("DAHDI_EVENT_HOOKCOMPLETE", DAHDI_EVENT_HOOKCOMPLETE),
    ("DAHDI_EVENT_BITSCHANGED", DAHDI_EVENT_BITSCHANGED),
    ("DAHDI_EVENT_PULSE_START", DAHDI_EVENT_PULSE_START),
    ("DAHDI_EVENT_TIMER_EXPIRED", DAHDI_EVENT_TIMER_EXPIRED),
    ("DAHDI_EVENT_TIMER_PING", DAHDI_EVENT_TIMER_PING),
    ("DAHDI_EVENT_POLARITY", DAHDI_EVENT_POLARITY),
    ("DAHDI_EVENT_RINGBEGIN", DAHDI_EVENT_RINGBEGIN),
    ("DAHDI_EVENT_EC_DISABLED", DAHDI_EVENT_EC_DISABLED),
    ("DAHDI_EVENT_REMOVED", DAHDI_EVENT_REMOVED),
    ("DAHDI_EVENT_NEONMWI_ACTIVE", DAHDI_EVENT_NEONMWI_ACTIVE),
    ("DAHDI_EVENT_NEONMWI_INACTIVE", DAHDI_EVENT_NEONMWI_INACTIVE),
    ("DAHDI_EVENT_TX_CED_DETECTED", DAHDI_EVENT_TX_CED_DETECTED),
    ("DAHDI_EVENT_RX_CED_DETECTED", DAHDI_EVENT_RX_CED_DETECTED),
    ("DAHDI_EVENT_TX_CNG_DETECTED", DAHDI_EVENT_TX_CNG_DETECTED),
    ("DAHDI_EVENT_RX_CNG_DETECTED", DAHDI_EVENT_RX_CNG_DETECTED),
    ("DAHDI_EVENT_EC_NLP_DISABLED", DAHDI_EVENT_EC_NLP_DISABLED),
    ("DAHDI_EVENT_EC_NLP_ENABLED", DAHDI_EVENT_EC_NLP_ENABLED),
    ("DAHDI_EVENT_READ_OVERRUN", DAHDI_EVENT_READ_OVERRUN),
    ("DAHDI_EVENT_WRITE_UNDERRUN", DAHDI_EVENT_WRITE_UNDERRUN),
    ("DAHDI_EVENT_PULSEDIGIT", DAHDI_EVENT_PULSEDIGIT),
    ("DAHDI_EVENT_DTMFDOWN", DAHDI_EVENT_DTMFDOWN),
    ("DAHDI_EVENT_DTMFUP", DAHDI_EVENT_DTMFUP),
    ("DAHDI_MAX_ECHOCANPARAMS", DAHDI_MAX_ECHOCANPARAMS),
    ("DAHDI_CODE", DAHDI_CODE),
    ("DAHDI_TC_CODE", DAHDI_TC_CODE),
    ("DAHDI_VMWI_LREV", DAHDI_VMWI_LREV),
    ("DAHDI_VMWI_HVDC", DAHDI_VMWI_HVDC),
    ("DAHDI_VMWI_HVAC", DAHDI_VMWI_HVAC),
    ("DAHDI_RADSTAT_RX", DAHDI_RADSTAT_RX),
    ("DAHDI_RADSTAT_TX", DAHDI_RADSTAT_TX),
    ("DAHDI_RADSTAT_RXCT", DAHDI_RADSTAT_RXCT),
    ("DAHDI_RADSTAT_RXCOR", DAHDI_RADSTAT_RXCOR),
    ("DAHDI_RADSTAT_IGNCOR", DAHDI_RADSTAT_IGNCOR),
    ("DAHDI_RADSTAT_IGNCT", DAHDI_RADSTAT_IGNCT),
    ("DAHDI_RADSTAT_NOENCODE", DAHDI_RADSTAT_NOENCODE),
    ("DAHDI_RADPAR_INVERTCOR", DAHDI_RADPAR_INVERTCOR),
    ("DAHDI_RADPAR_IGNORECOR", DAHDI_RADPAR_IGNORECOR),
    ("DAHDI_RADPAR_IGNORECT", DAHDI_RADPAR_IGNORECT),
    ("DAHDI_RADPAR_NOENCODE", DAHDI_RADPAR_NOENCODE),
    ("DAHDI_RADPAR_CORTHRESH", DAHDI_RADPAR_CORTHRESH),
    ("DAHDI_RADPAR_EXTRXTONE", DAHDI_RADPAR_EXTRXTONE),
    ("DAHDI_RADPAR_NUMTONES", DAHDI_RADPAR_NUMTONES),
    ("DAHDI_RADPAR_INITTONE", DAHDI_RADPAR_INITTONE),
    ("DAHDI_RADPAR_RXTONE", DAHDI_RADPAR_RXTONE),
    ("DAHDI_RADPAR_RXTONECLASS", DAHDI_RADPAR_RXTONECLASS),
    ("DAHDI_RADPAR_TXTONE", DAHDI_RADPAR_TXTONE),
    ("DAHDI_RADPAR_DEBOUNCETIME", DAHDI_RADPAR_DEBOUNCETIME),
    ("DAHDI_RADPAR_BURSTTIME", DAHDI_RADPAR_BURSTTIME),
    ("DAHDI_RADPAR_UIODATA", DAHDI_RADPAR_UIODATA),
    ("DAHDI_RADPAR_UIOMODE", DAHDI_RADPAR_UIOMODE),
    ("DAHDI_RADPAR_REMMODE", DAHDI_RADPAR_REMMODE),
    ("DAHDI_RADPAR_REM_NONE", DAHDI_RADPAR_REM_NONE),
    ("DAHDI_RADPAR_REM_RBI1", DAHDI_RADPAR_REM_RBI1),
    ("DAHDI_RADPAR_REM_SERIAL", DAHDI_RADPAR_REM_SERIAL),
    ("DAHDI_RADPAR_REM_SERIAL_ASCII", DAHDI_RADPAR_REM_SERIAL_ASCII),
    ("DAHDI_RADPAR_REMCOMMAND", DAHDI_RADPAR_REMCOMMAND),
    ("DAHDI_RADPAR_DEEMP", DAHDI_RADPAR_DEEMP),
    ("DAHDI_RADPAR_PREEMP", DAHDI_RADPAR_PREEMP),
    ("DAHDI_RADPAR_RXGAIN", DAHDI_RADPAR_RXGAIN),
    ("DAHDI_RADPAR_TXGAIN", DAHDI_RADPAR_TXGAIN),
    ("RAD_SERIAL_BUFLEN", RAD_SERIAL_BUFLEN),
    ("DAHDI_TONE_DTMF_0", DAHDI_TONE_DTMF_0),
    ("DAHDI_TONE_DTMF_1", DAHDI_TONE_DTMF_1),
    ("DAHDI_TONE_DTMF_2", DAHDI_TONE_DTMF_2),
    ("DAHDI_TONE_DTMF_3", DAHDI_TONE_DTMF_3),
    ("DAHDI_TONE_DTMF_4", DAHDI_TONE_DTMF_4),
    ("DAHDI_TONE_DTMF_5", DAHDI_TONE_DTMF_5),
    ("DAHDI_TONE_DTMF_6", DAHDI_TONE_DTMF_6),
    ("DAHDI_TONE_DTMF_7", DAHDI_TONE_DTMF_7),
    ("DAHDI_TONE_DTMF_8", DAHDI_TONE_DTMF_8),
    ("DAHDI_TONE_DTMF_9", DAHDI_TONE_DTMF_9),
    ("DAHDI_TONE_DTMF_s", DAHDI_TONE_DTMF_s),
    ("DAHDI_TONE_DTMF_p", DAHDI_TONE_DTMF_p),
    ("DAHDI_TONE_DTMF_A", DAHDI_TONE_DTMF_A),
    ("DAHDI_TONE_DTMF_B", DAHDI_TONE_DTMF_B),
    ("DAHDI_TONE_DTMF_C", DAHDI_TONE_DTMF_C),
    ("DAHDI_TONE_DTMF_D", DAHDI_TONE_DTMF_D),
    ("DAHDI_TONE_MFR1_0", DAHDI_TONE_MFR1_0),
    ("DAHDI_TONE_MFR1_1", DAHDI_TONE_MFR1_1),
    ("DAHDI_TONE_MFR1_2", DAHDI_TONE_MFR1_2),
    ("DAHDI_TONE_MFR1_3", DAHDI_TONE_MFR1_3),
    ("DAHDI_TONE_MFR1_4", DAHDI_TONE_MFR1_4),
    ("DAHDI_TONE_MFR1_5", DAHDI_TONE_MFR1_5),
    ("DAHDI_TONE_MFR1_6", DAHDI_TONE_MFR1_6),
    ("DAHDI_TONE_MFR1_7", DAHDI_TONE_MFR1_7),
    ("DAHDI_TONE_MFR1_8", DAHDI_TONE_MFR1_8),
    ("DAHDI_TONE_MFR1_9", DAHDI_TONE_MFR1_9),
    ("DAHDI_TONE_MFR1_KP", DAHDI_TONE_MFR1_KP),
    ("DAHDI_TONE_MFR1_ST", DAHDI_TONE_MFR1_ST),
    ("DAHDI_TONE_MFR1_STP", DAHDI_TONE_MFR1_STP),
    ("DAHDI_TONE_MFR1_ST2P", DAHDI_TONE_MFR1_ST2P),
    ("DAHDI_TONE_MFR1_ST3P", DAHDI_TONE_MFR1_ST3P),
    ("DAHDI_TONE_MFR2_FWD_1", DAHDI_TONE_MFR2_FWD_1),
    ("DAHDI_TONE_MFR2_FWD_2", DAHDI_TONE_MFR2_FWD_2),
    ("DAHDI_TONE_MFR2_FWD_3", DAHDI_TONE_MFR2_FWD_3),
    ("DAHDI_TONE_MFR2_FWD_4", DAHDI_TONE_MFR2_FWD_4),
    ("DAHDI_TONE_MFR2_FWD_5", DAHDI_TONE_MFR2_FWD_5),
    ("DAHDI_TONE_MFR2_FWD_6", DAHDI_TONE_MFR2_FWD_6),
    ("DAHDI_TONE_MFR2_FWD_7", DAHDI_TONE_MFR2_FWD_7),
    ("DAHDI_TONE_MFR2_FWD_8", DAHDI_TONE_MFR2_FWD_8),
    ("DAHDI_TONE_MFR2_FWD_9", DAHDI_TONE_MFR2_FWD_9),
    ("DAHDI_TONE_MFR2_FWD_10", DAHDI_TONE_MFR2_FWD_10),
    ("DAHDI_TONE_MFR2_FWD_11", DAHDI_TONE_MFR2_FWD_11),
    ("DAHDI_TONE_MFR2_FWD_12", DAHDI_TONE_MFR2_FWD_12),
    ("DAHDI_TONE_MFR2_FWD_13", DAHDI_TONE_MFR2_FWD_13),
    ("DAHDI_TONE_MFR2_FWD_14", DAHDI_TONE_MFR2_FWD_14),
    ("DAHDI_TONE_MFR2_FWD_15", DAHDI_TONE_MFR2_FWD_15),
    ("DAHDI_TONE_MFR2_REV_1", DAHDI_TONE_MFR2_REV_1),
    ("DAHDI_TONE_MFR2_REV_2", DAHDI_TONE_MFR2_REV_2),
    ("DAHDI_TONE_MFR2_REV_3", DAHDI_TONE_MFR2_REV_3),
    ("DAHDI_TONE_MFR2_REV_4", DAHDI_TONE_MFR2_REV_4),
    ("DAHDI_TONE_MFR2_REV_5", DAHDI_TONE_MFR2_REV_5),
    ("DAHDI_TONE_MFR2_REV_6", DAHDI_TONE_MFR2_REV_6),
    ("DAHDI_TONE_MFR2_REV_7", DAHDI_TONE_MFR2_REV_7),
    ("DAHDI_TONE_MFR2_REV_8", DAHDI_TONE_MFR2_REV_8),
    ("DAHDI_TONE_MFR2_REV_9", DAHDI_TONE_MFR2_REV_9),
    ("DAHDI_TONE_MFR2_REV_10", DAHDI_TONE_MFR2_REV_10),
    ("DAHDI_TONE_MFR2_REV_11", DAHDI_TONE_MFR2_REV_11),
    ("DAHDI_TONE_MFR2_REV_12", DAHDI_TONE_MFR2_REV_12),
    ("DAHDI_TONE_MFR2_REV_13", DAHDI_TONE_MFR2_REV_13),
    ("DAHDI_TONE_MFR2_REV_14", DAHDI_TONE_MFR2_REV_14),
    ("DAHDI_TONE_MFR2_REV_15", DAHDI_TONE_MFR2_REV_15),
    ("DAHDI_CONFIG_DEFAULT_DTMF_LENGTH", DAHDI_CONFIG_DEFAULT_DTMF_LENGTH),
    ("DAHDI_CONFIG_DEFAULT_MFR1_LENGTH", DAHDI_CONFIG_DEFAULT_MFR1_LENGTH),
    ("DAHDI_CONFIG_DEFAULT_MFR2_LENGTH", DAHDI_CONFIG_DEFAULT_MFR2_LENGTH),
    ("DAHDI_CONFIG_PAUSE_LENGTH", DAHDI_CONFIG_PAUSE_LENGTH),
];

// ---------------------------------------------------------------------------------------------
// Text renderings and other tables.

/// How one signalling type is named by the kernel (`/proc/dahdi`, sysfs), by `dahdi_cfg` and in
/// `system.conf`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SigName {
    /// The `DAHDI_SIG_*` constant name.
    pub name: &'static str,
    /// Its value.
    pub sig: c_int,
    /// `sigstr()` in dahdi-base.c (`/proc/dahdi/N`).
    pub proc: &'static str,
    /// `sigtype_to_str()` in dahdi_cfg.c.
    pub dahdi_cfg: &'static str,
}

/// Signalling names, in the order of user.h.
pub const SIG_NAMES: &[SigName] = &[
    SigName { name: "DAHDI_SIG_NONE", sig: DAHDI_SIG_NONE, proc: "Unconfigured", dahdi_cfg: "Unused" },
    SigName { name: "DAHDI_SIG_FXSLS", sig: DAHDI_SIG_FXSLS, proc: "FXSLS", dahdi_cfg: "FXS Loopstart" },
    SigName { name: "DAHDI_SIG_FXSGS", sig: DAHDI_SIG_FXSGS, proc: "FXSGS", dahdi_cfg: "FXS Groundstart" },
    SigName { name: "DAHDI_SIG_FXSKS", sig: DAHDI_SIG_FXSKS, proc: "FXSKS", dahdi_cfg: "FXS Kewlstart" },
    SigName { name: "DAHDI_SIG_FXOLS", sig: DAHDI_SIG_FXOLS, proc: "FXOLS", dahdi_cfg: "FXO Loopstart" },
    SigName { name: "DAHDI_SIG_FXOGS", sig: DAHDI_SIG_FXOGS, proc: "FXOGS", dahdi_cfg: "FXO Groundstart" },
    SigName { name: "DAHDI_SIG_FXOKS", sig: DAHDI_SIG_FXOKS, proc: "FXOKS", dahdi_cfg: "FXO Kewlstart" },
    SigName { name: "DAHDI_SIG_EM", sig: DAHDI_SIG_EM, proc: "E&M", dahdi_cfg: "E & M" },
    SigName { name: "DAHDI_SIG_EM_E1", sig: DAHDI_SIG_EM_E1, proc: "E&M-E1", dahdi_cfg: "E & M E1" },
    SigName { name: "DAHDI_SIG_CLEAR", sig: DAHDI_SIG_CLEAR, proc: "Clear", dahdi_cfg: "Clear channel" },
    SigName { name: "DAHDI_SIG_HDLCRAW", sig: DAHDI_SIG_HDLCRAW, proc: "HDLCRAW", dahdi_cfg: "Raw HDLC" },
    SigName {
        name: "DAHDI_SIG_HDLCFCS",
        sig: DAHDI_SIG_HDLCFCS,
        proc: "HDLCFCS",
        dahdi_cfg: "HDLC with FCS check",
    },
    SigName { name: "DAHDI_SIG_HDLCNET", sig: DAHDI_SIG_HDLCNET, proc: "HDLCNET", dahdi_cfg: "Network HDLC" },
    SigName {
        name: "DAHDI_SIG_HARDHDLC",
        sig: DAHDI_SIG_HARDHDLC,
        proc: "Hardware-assisted HDLC",
        dahdi_cfg: "Hardware assisted D-channel",
    },
    SigName { name: "DAHDI_SIG_MTP2", sig: DAHDI_SIG_MTP2, proc: "MTP2", dahdi_cfg: "MTP2" },
    SigName { name: "DAHDI_SIG_SLAVE", sig: DAHDI_SIG_SLAVE, proc: "Slave", dahdi_cfg: "Slave channel" },
    SigName { name: "DAHDI_SIG_CAS", sig: DAHDI_SIG_CAS, proc: "CAS", dahdi_cfg: "CAS / User" },
    SigName { name: "DAHDI_SIG_DACS", sig: DAHDI_SIG_DACS, proc: "DACS", dahdi_cfg: "DACS" },
    SigName {
        name: "DAHDI_SIG_DACS_RBS",
        sig: DAHDI_SIG_DACS_RBS,
        proc: "DACS+RBS",
        dahdi_cfg: "DACS w/RBS",
    },
    SigName { name: "DAHDI_SIG_SF", sig: DAHDI_SIG_SF, proc: "SF (ToneOnly)", dahdi_cfg: "Unknown" },
];

/// `sigstr()` of dahdi-base.c: the kernel's name for a signalling type.
pub fn sig_proc_name(sig: c_int) -> &'static str {
    SIG_NAMES.iter().find(|s| s.sig == sig).map_or("Unknown", |s| s.proc)
}

/// `sigtype_to_str()` of dahdi_cfg.c: dahdi_cfg's name for a signalling type.
pub fn sig_cfg_name(sig: c_int) -> &'static str {
    SIG_NAMES.iter().find(|s| s.sig == sig).map_or("Unknown", |s| s.dahdi_cfg)
}

/// How an alarm bit is rendered in `/proc/dahdi` + channel sysfs and by `dahdi_scan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlarmName {
    /// The `DAHDI_ALARM_*` constant name.
    pub name: &'static str,
    /// Its bit.
    pub bit: c_int,
    /// Word in `/proc/dahdi/N` and channel sysfs, if printed there.
    pub proc: Option<&'static str>,
    /// Abbreviation printed by `dahdi_scan`, if any.
    pub scan: Option<&'static str>,
}

/// Alarm renderings, in `/proc/dahdi` order for the printed ones.
pub const ALARM_NAMES: &[AlarmName] = &[
    AlarmName { name: "DAHDI_ALARM_BLUE", bit: DAHDI_ALARM_BLUE, proc: Some("BLUE"), scan: Some("BLU") },
    AlarmName {
        name: "DAHDI_ALARM_YELLOW",
        bit: DAHDI_ALARM_YELLOW,
        proc: Some("YELLOW"),
        scan: Some("YEL"),
    },
    AlarmName { name: "DAHDI_ALARM_RED", bit: DAHDI_ALARM_RED, proc: Some("RED"), scan: Some("RED") },
    AlarmName { name: "DAHDI_ALARM_LFA", bit: DAHDI_ALARM_LFA, proc: None, scan: Some("LFA") },
    AlarmName {
        name: "DAHDI_ALARM_LOOPBACK",
        bit: DAHDI_ALARM_LOOPBACK,
        proc: Some("LOOP"),
        scan: Some("LB"),
    },
    AlarmName {
        name: "DAHDI_ALARM_RECOVER",
        bit: DAHDI_ALARM_RECOVER,
        proc: Some("RECOVERING"),
        scan: Some("REC"),
    },
    AlarmName {
        name: "DAHDI_ALARM_NOTOPEN",
        bit: DAHDI_ALARM_NOTOPEN,
        proc: Some("NOTOPEN"),
        scan: Some("NOP"),
    },
    AlarmName { name: "DAHDI_ALARM_LOS", bit: DAHDI_ALARM_LOS, proc: None, scan: None },
    AlarmName { name: "DAHDI_ALARM_LMFA", bit: DAHDI_ALARM_LMFA, proc: None, scan: Some("LMFA") },
];

/// `dahdi_scan`'s word when alarm bits are set but none has a name.
pub const SCAN_ALARMS_UNKNOWN: &str = "UUU";
/// `dahdi_scan`'s word for no alarms on a span with channels.
pub const SCAN_ALARMS_OK: &str = "OK";
/// `dahdi_scan`'s word for no alarms on a span without channels.
pub const SCAN_ALARMS_UNCONFIGURED: &str = "UNCONFIGURED";

/// Names of lineconfig bits, in bit order (the order `lineconfig_str` prints them).
pub const LINECONFIG_NAMES: &[(&str, c_int)] = &[
    ("D4", DAHDI_CONFIG_D4),
    ("ESF", DAHDI_CONFIG_ESF),
    ("AMI", DAHDI_CONFIG_AMI),
    ("B8ZS", DAHDI_CONFIG_B8ZS),
    ("CCS", DAHDI_CONFIG_CCS),
    ("HDB3", DAHDI_CONFIG_HDB3),
    ("CRC4", DAHDI_CONFIG_CRC4),
    ("NTTE", DAHDI_CONFIG_NTTE),
    ("TERM", DAHDI_CONFIG_TERM),
    ("NOTOPEN", DAHDI_CONFIG_NOTOPEN),
];

/// `lineconfig_str()` of dahdi-base.c (v2.10+): framing/coding names in bit order joined by `/`;
/// NTTE, TERM and NOTOPEN are not printed.
pub fn lineconfig_str(lineconfig: c_int) -> String {
    LINECONFIG_NAMES
        .iter()
        .filter(|(n, b)| !matches!(*n, "NTTE" | "TERM" | "NOTOPEN") && lineconfig & b != 0)
        .map(|(n, _)| *n)
        .collect::<Vec<_>>()
        .join("/")
}

/// Line build-out names indexed by `lbo` (dahdi_cfg's `lbostr[]`, dahdi_scan's `lbo=`).
pub const LBO_NAMES: [&str; 8] = [
    "0 db (CSU)/0-133 feet (DSX-1)",
    "133-266 feet (DSX-1)",
    "266-399 feet (DSX-1)",
    "399-533 feet (DSX-1)",
    "533-655 feet (DSX-1)",
    "-7.5db (CSU)",
    "-15db (CSU)",
    "-22.5db (CSU)",
];

/// `enum spantypes` of kernel.h with the names sysfs prints.
pub const SPAN_TYPES: &[(&str, c_int)] = &[
    ("INVALID", 0),
    ("FXS", 1),
    ("FXO", 2),
    ("ANALOG_MIXED", 3),
    ("E1", 4),
    ("T1", 5),
    ("J1", 6),
    ("BRI_NT", 7),
    ("BRI_TE", 8),
    ("BRI_SOFT", 9),
    ("DYNAMIC", 10),
];

/// A DAHDI device node: path and `major:minor` (`dyn:channo` for per-channel nodes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DevNode {
    /// Path under /dev.
    pub path: &'static str,
    /// `major:minor` as the TSV writes it.
    pub dev: &'static str,
}

/// Device nodes of DAHDI.
pub const DEV_NODES: &[DevNode] = &[
    DevNode { path: DEV_CTL, dev: "196:0" },
    DevNode { path: "/dev/dahdi/transcode", dev: "196:250" },
    DevNode { path: "/dev/dahdi/timer", dev: "196:253" },
    DevNode { path: DEV_CHANNEL, dev: "196:254" },
    DevNode { path: "/dev/dahdi/pseudo", dev: "196:255" },
    DevNode { path: "/dev/dahdi/chan/SSS/CCC", dev: "dyn:channo" },
];

/// The control device.
pub const DEV_CTL: &str = "/dev/dahdi/ctl";
/// The generic channel device (needs `DAHDI_SPECIFY`).
pub const DEV_CHANNEL: &str = "/dev/dahdi/channel";

/// `DAHDI_CHUNKSIZE` (kernel.h): samples per 1 ms tick.
pub const DAHDI_CHUNKSIZE: c_int = 8;
/// `DAHDI_MSECS_PER_CHUNK` (kernel.h).
pub const DAHDI_MSECS_PER_CHUNK: c_int = 1;

/// Kernel-internal constants exposed for timing (name, value).
pub const KERNEL_CONSTANTS: &[(&str, c_int)] =
    &[("DAHDI_CHUNKSIZE", DAHDI_CHUNKSIZE), ("DAHDI_MSECS_PER_CHUNK", DAHDI_MSECS_PER_CHUNK)];

const _: () = assert!(DAHDI_CODE as u8 == DAHDI_CODE_U8 && DAHDI_TC_CODE as u8 == DAHDI_TC_CODE_U8);

// ---------------------------------------------------------------------------------------------
// Layout tables (computed by the compiler; the conformance test compares them with the TSV).

/// Size and alignment of one ABI struct.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StructLayout {
    /// C struct name.
    pub name: &'static str,
    /// `sizeof`.
    pub size: usize,
    /// `alignof`.
    pub align: usize,
}

/// Offset and size of one field of an ABI struct.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldLayout {
    /// `struct.field`.
    pub name: &'static str,
    /// `offsetof`.
    pub offset: usize,
    /// `sizeof` of the field (the containing word for the `dahdi_hwgain.tx` bitfield).
    pub size: usize,
}

fn field_size<S, F>(_: fn(&S) -> F) -> usize {
    size_of::<F>()
}

macro_rules! layouts {
    ($( $cname:literal => $ty:ty { $($field:ident),* $(,)? } )*) => {
        /// Sizes and alignments of every ABI struct.
        pub fn struct_layouts() -> Vec<StructLayout> {
            vec![$(StructLayout { name: $cname, size: size_of::<$ty>(), align: core::mem::align_of::<$ty>() }),*]
        }
        /// Offsets and sizes of every field of every ABI struct.
        pub fn field_layouts() -> Vec<FieldLayout> {
            let mut v = Vec::new();
            $($(
                v.push(FieldLayout {
                    name: concat!($cname, ".", stringify!($field)),
                    offset: core::mem::offset_of!($ty, $field),
                    size: field_size(|s: &$ty| s.$field),
                });
            )*)*
            v
        }
    };
}

layouts! {
    "dahdi_transcoder_formats" => DahdiTranscoderFormats { srcfmt, dstfmt }
    "dahdi_transcoder_info" => DahdiTranscoderInfo { tcnum, name, numchannels, dstfmts, srcfmts }
    "dahdi_params" => DahdiParams { channo, spanno, chanpos, sigtype, sigcap, rxisoffhook, rxbits, txbits,
        txhooksig, rxhooksig, curlaw, idlebits, name, prewinktime, preflashtime, winktime, flashtime,
        starttime, rxwinktime, rxflashtime, debouncetime, pulsebreaktime, pulsemaketime, pulseaftertime,
        chan_alarms }
    "dahdi_spaninfo" => DahdiSpaninfo { spanno, name, desc, alarms, txlevel, rxlevel, bpvcount, crc4count,
        ebitcount, fascount, fecount, cvcount, becount, prbs, errsec, irqmisses, syncsrc, numchans,
        totalchans, totalspans, lbo, lineconfig, lboname, location, manufacturer, devicetype, irq,
        linecompat, spantype }
    "dahdi_spaninfo_v1" => DahdiSpaninfoV1 { spanno, name, desc, alarms, txlevel, rxlevel, bpvcount,
        crc4count, ebitcount, fascount, irqmisses, syncsrc, numchans, totalchans, totalspans, lbo,
        lineconfig, lboname, location, manufacturer, devicetype, irq, linecompat, spantype }
    "dahdi_maintinfo" => DahdiMaintinfo { spanno, command }
    "dahdi_confinfo" => DahdiConfinfo { chan, confno, confmode }
    "dahdi_gains" => DahdiGains { chan, rxgain, txgain }
    "dahdi_lineconfig" => DahdiLineconfig { span, name, lbo, lineconfig, sync }
    "dahdi_chanconfig" => DahdiChanconfig { chan, name, sigtype, deflaw, master, idlebits, netdev_name }
    "dahdi_tone_def" => DahdiToneDef { tone, next, samples, shift, fac1, init_v2_1, init_v3_1, fac2,
        init_v2_2, init_v3_2, modulate }
    "dahdi_tone_def_header" => DahdiToneDefHeader { count, zone, ringcadence, name, tones }
    "dahdi_bufferinfo" => DahdiBufferinfo { txbufpolicy, rxbufpolicy, numbufs, bufsize, readbufs, writebufs }
    "dahdi_dialparams" => DahdiDialparams { mfv1_tonelen, dtmf_tonelen, mfr2_tonelen, reserved }
    "dahdi_dialoperation" => DahdiDialoperation { op, dialstr }
    "dahdi_echocanparam" => DahdiEchocanparam { name, value }
    "dahdi_echocanparams" => DahdiEchocanparams { tap_length, param_count, params }
    "dahdi_ring_cadence" => DahdiRingCadence { ringcadence }
    "dahdi_sfconfig" => DahdiSfconfig { chan, name, rxp1, rxp2, rxp3, txtone, tx_v2, tx_v3, toneflag }
    "dahdi_indirect_data" => DahdiIndirectData { chan, op, data }
    "dahdi_versioninfo" => DahdiVersioninfo { version, echo_canceller }
    "dahdi_attach_echocan" => DahdiAttachEchocan { chan, echocan }
    "dahdi_dynamic_span" => DahdiDynamicSpan { driver, addr, numchans, timing, spanno }
    "dahdi_hwgain" => DahdiHwgain { newgain, tx }
    "dahdi_vmwi_info" => DahdiVmwiInfo { vmwi_type }
    "dahdi_radio_stat" => DahdiRadioStat { ctcode_rx, ctclass, ctcode_tx, radstat }
    "dahdi_radio_param" => DahdiRadioParam { radpar, index, data, data2, buf }
}

// ---------------------------------------------------------------------------------------------
// Byte views: the argument bytes exactly as the kernel receives them.

/// An ABI struct that can be viewed as the bytes passed to `ioctl`.
pub trait AsBytes: Copy {
    /// Little-endian argument bytes, `size_of::<Self>()` long.
    fn to_bytes(&self) -> Vec<u8>;
}

fn put_i32(v: &mut Vec<u8>, x: c_int) {
    v.extend_from_slice(&x.to_le_bytes());
}

impl AsBytes for DahdiLineconfig {
    fn to_bytes(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(size_of::<Self>());
        put_i32(&mut v, self.span);
        v.extend_from_slice(&self.name);
        put_i32(&mut v, self.lbo);
        put_i32(&mut v, self.lineconfig);
        put_i32(&mut v, self.sync);
        v
    }
}

impl AsBytes for DahdiChanconfig {
    fn to_bytes(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(size_of::<Self>());
        put_i32(&mut v, self.chan);
        v.extend_from_slice(&self.name);
        put_i32(&mut v, self.sigtype);
        put_i32(&mut v, self.deflaw);
        put_i32(&mut v, self.master);
        put_i32(&mut v, self.idlebits);
        v.extend_from_slice(&self.netdev_name);
        v
    }
}

impl AsBytes for DahdiAttachEchocan {
    fn to_bytes(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(size_of::<Self>());
        put_i32(&mut v, self.chan);
        v.extend_from_slice(&self.echocan);
        v
    }
}

impl AsBytes for DahdiDynamicSpan {
    fn to_bytes(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(size_of::<Self>());
        v.extend_from_slice(&self.driver);
        v.extend_from_slice(&self.addr);
        put_i32(&mut v, self.numchans);
        put_i32(&mut v, self.timing);
        put_i32(&mut v, self.spanno);
        v
    }
}

impl AsBytes for DahdiToneDefHeader {
    fn to_bytes(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(size_of::<Self>());
        put_i32(&mut v, self.count);
        put_i32(&mut v, self.zone);
        for c in self.ringcadence {
            put_i32(&mut v, c);
        }
        v.extend_from_slice(&self.name);
        v
    }
}

impl AsBytes for DahdiToneDef {
    fn to_bytes(&self) -> Vec<u8> {
        [
            self.tone,
            self.next,
            self.samples,
            self.shift,
            self.fac1,
            self.init_v2_1,
            self.init_v3_1,
            self.fac2,
            self.init_v2_2,
            self.init_v3_2,
            self.modulate,
        ]
        .iter()
        .flat_map(|x| x.to_le_bytes())
        .collect()
    }
}

impl AsBytes for c_int {
    fn to_bytes(&self) -> Vec<u8> {
        self.to_le_bytes().to_vec()
    }
}

/// `dahdi_copy_string`: copy `src` into a fixed C char array, truncated to leave room for the NUL.
pub fn copy_c_string<const N: usize>(src: &[u8]) -> [u8; N] {
    let mut out = [0u8; N];
    let n = src.iter().position(|&b| b == 0).unwrap_or(src.len()).min(N.saturating_sub(1));
    out[..n].copy_from_slice(&src[..n]);
    out
}

/// The text of a fixed C char array up to its first NUL (lossy for non-UTF-8 bytes).
pub fn c_string(bytes: &[u8]) -> String {
    let n = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    String::from_utf8_lossy(&bytes[..n]).into_owned()
}

// Make sure layout-critical sizes are what user.h says, at compile time.
const _: () = assert!(size_of::<DahdiLineconfig>() == 36);
const _: () = assert!(size_of::<DahdiChanconfig>() == 76);
const _: () = assert!(size_of::<DahdiAttachEchocan>() == 20);
const _: () = assert!(size_of::<DahdiDynamicSpan>() == 72);
const _: () = assert!(size_of::<DahdiToneDefHeader>() == 112);
const _: () = assert!(size_of::<DahdiSpaninfo>() == 314);
