//! Real boards through the DAHDI kernel interface (`/dev/dahdi/*`): the ABI, `system.conf`
//! compatibility and the backend.
//!
//! * [`abi`]: ioctl numbers, structs and constants of `include/dahdi/user.h`.
//! * [`system_conf`]: `/etc/dahdi/system.conf` with `dahdi_cfg`'s grammar and quirks.
//! * [`zones`]: the tone zones libtonezone knows (for `loadzone`/`defaultzone`).
//! * [`plan`]: the ioctls `dahdi_cfg` would issue for a parsed file, and applying them.
//! * [`assigned_spans`], [`span_types`]: the two span-assignment files of dahdi-tools ([`glob`]).
//! * [`backend`]: the [`crate::Board`] on `/dev/dahdi`, over the system calls of [`sys`]
//!   ([`sys::LinuxSys`] for the kernel, [`fake::FakeKernel`] in tests); [`proc`] parses
//!   `/proc/dahdi/N`; [`scan`] is `dahdi_scan`.

pub mod abi;
pub mod assigned_spans;
pub mod backend;
pub mod fake;
pub mod glob;
pub mod plan;
pub mod proc;
pub mod scan;
pub mod span_types;
pub mod sys;
pub mod system_conf;
pub mod zones;
