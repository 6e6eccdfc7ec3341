//! Board firmware image formats (DIGIUM, Intel HEX, raw, Trunkline container) and safe upload.
