//! Raw binary images: Sangoma `.BIN` files named by model and version (`A104dm_0100_V45.BIN`)
//! and header-less Octasic echo-canceller images (`dahdi-fw-oct6114-064.bin`).

/// What a raw image's file name says about it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct RawName {
    /// Vendor guessed from the name pattern.
    pub vendor: Option<String>,
    /// Board model or device.
    pub model: Option<String>,
    /// Version as written in the name (`V45` → `45`).
    pub version: Option<String>,
    /// Extra fields between model and version (`0100`).
    pub revision: Option<String>,
}

/// Reads model and version out of a raw image's file name.
pub fn parse_name(path: &str) -> RawName {
    let base = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let stem = match base.rfind('.') {
        Some(i) if i > 0 => &base[..i],
        _ => base,
    };
    let lower = stem.to_ascii_lowercase();
    if let Some(dev) = lower.strip_prefix("dahdi-fw-") {
        let vendor = if dev.starts_with("oct") { "Octasic" } else { "Digium" };
        return RawName { vendor: Some(vendor.into()), model: Some(dev.to_string()), ..RawName::default() };
    }
    let parts: Vec<&str> = stem.split('_').collect();
    if parts.len() >= 2 {
        let last = parts[parts.len() - 1];
        if let Some(v) = last.strip_prefix(['V', 'v']) {
            if !v.is_empty() && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '.') {
                let middle = parts[1..parts.len() - 1].join("_");
                return RawName {
                    vendor: Some("Sangoma".into()),
                    model: Some(parts[0].to_string()),
                    version: Some(v.to_string()),
                    revision: (!middle.is_empty()).then_some(middle),
                };
            }
        }
    }
    RawName::default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sangoma_names() {
        let n = parse_name("/tmp/A104dm_0100_V45.BIN");
        assert_eq!(n.model.as_deref(), Some("A104dm"));
        assert_eq!(n.version.as_deref(), Some("45"));
        assert_eq!(n.revision.as_deref(), Some("0100"));
        assert_eq!(n.vendor.as_deref(), Some("Sangoma"));
    }

    #[test]
    fn octasic_and_unknown_names() {
        let n = parse_name("dahdi-fw-oct6114-064.bin");
        assert_eq!((n.vendor.as_deref(), n.model.as_deref()), (Some("Octasic"), Some("oct6114-064")));
        assert_eq!(parse_name("blob.bin"), RawName::default());
        assert_eq!(parse_name(""), RawName::default());
    }
}
