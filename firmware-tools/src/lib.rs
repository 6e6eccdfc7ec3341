//! Board firmware image formats (DIGIUM, Intel HEX, raw, Trunkline container) and safe upload.
//!
//! The format modules are pure (bytes in, typed values or typed errors out). The simulated
//! board ([`simboard`]) models a NOR flash with factory and user images and fault injection; the
//! update engine ([`update`]) drives any [`flash::Flash`] + boot target through a journaled
//! erase/program/verify/switch/confirm sequence that can always fall back.

pub mod checksum;
pub mod container;
pub mod digium;
pub mod flash;
pub mod ihex;
pub mod image;
pub mod journal;
pub mod raw;
pub mod simboard;
pub mod update;
