//! The slice's PRI trunk: the link type lives with the channel handles that drive it.

pub use crate::handle::pri::PriLink;
