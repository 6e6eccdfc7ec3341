//! The tone zones built into libtonezone (dahdi-tools `zonedata.c`): what `loadzone=` and
//! `defaultzone=` accept, and the LOADZONE header fields `dahdi_cfg` sends for them.

/// One built-in tone zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ToneZone {
    /// Zone number (`DAHDI_FREEZONE`/`DAHDI_DEFAULTZONE` argument, LOADZONE `zone`).
    pub zone: i32,
    /// Country code used in `system.conf`.
    pub country: &'static str,
    /// Description sent as the LOADZONE `name`.
    pub description: &'static str,
    /// Ring cadence in ms (on/off pairs), zero padded in the LOADZONE header.
    pub ringcadence: &'static [i32],
}

macro_rules! zones {
    ($(($n:literal, $c:literal, $d:literal, [$($r:literal),*])),* $(,)?) => {
        /// Every zone of `zonedata.c`, in zone-number order.
        pub const ZONES: &[ToneZone] = &[$(ToneZone { zone: $n, country: $c, description: $d, ringcadence: &[$($r),*] }),*];
    };
}

zones![
    (0, "us", "United States / North America", [2000, 4000]),
    (1, "au", "Australia", [400, 200, 400, 2000]),
    (2, "fr", "France", [1500, 3500]),
    (3, "nl", "Netherlands", [1000, 4000]),
    (4, "uk", "United Kingdom", [400, 200, 400, 2000]),
    (5, "fi", "Finland", [1000, 4000]),
    (6, "es", "Spain", [1500, 3000]),
    (7, "jp", "Japan", [1000, 2000]),
    (8, "no", "Norway", [1000, 4000]),
    (9, "at", "Austria", [1000, 5000]),
    (10, "nz", "New Zealand", [400, 200, 400, 2000]),
    (11, "it", "Italy", [1000, 4000]),
    (12, "us-old", "United States Circa 1950 / North America", [2000, 4000]),
    (13, "gr", "Greece", [1000, 4000]),
    (14, "tw", "Taiwan", [1000, 4000]),
    (15, "cl", "Chile", [1000, 3000]),
    (16, "se", "Sweden", [1000, 5000]),
    (17, "be", "Belgium", [1000, 3000]),
    (18, "sg", "Singapore", [400, 200, 400, 2000]),
    (19, "il", "Israel", [1000, 3000]),
    (20, "br", "Brazil", [1000, 4000]),
    (21, "hu", "Hungary", [1250, 3750]),
    (22, "lt", "Lithuania", [1000, 4000]),
    (23, "pl", "Poland", [1000, 4000]),
    (24, "za", "South Africa", [400, 200, 400, 2000]),
    (25, "pt", "Portugal", [1000, 5000]),
    (26, "ee", "Estonia", [1000, 4000]),
    (27, "mx", "Mexico", [2000, 4000]),
    (28, "in", "India", [400, 200, 400, 2000]),
    (29, "de", "Germany", [1000, 4000]),
    (30, "ch", "Switzerland", [1000, 4000]),
    (31, "dk", "Denmark", [1000, 4000]),
    (32, "cz", "Czech Republic", [1000, 4000]),
    (33, "cn", "China", [1000, 4000]),
    (34, "ar", "Argentina", [1000, 4500]),
    (35, "my", "Malaysia", [400, 200, 400, 2000]),
    (36, "th", "Thailand", [1000, 4000]),
    (37, "bg", "Bulgaria", [1000, 4000]),
    (38, "ve", "Venezuela", [1000, 4000]),
    (39, "ph", "Philippines", [1000, 4000]),
    (40, "ru", "Russian Federation", [1000, 4000]),
    (41, "tr", "Turkey", [2000, 4000]),
    (42, "pa", "Panama", [2000, 4000]),
    (43, "mo", "Macao,China", [1000, 4000]),
    (44, "cr", "Costa Rica", [1203, 4797]),
    (45, "ae", "United Arab Emirates", [1500, 4000]),
];

/// `tone_zone_find()`: the zone whose country code equals `country` (ASCII case-insensitive).
pub fn find(country: &[u8]) -> Option<&'static ToneZone> {
    ZONES.iter().find(|z| z.country.as_bytes().eq_ignore_ascii_case(country))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_indices() {
        for (i, z) in ZONES.iter().enumerate() {
            assert_eq!(z.zone as usize, i, "{}", z.country);
        }
        assert_eq!(find(b"CN").map(|z| z.zone), Some(33));
        assert!(find(b"xx").is_none());
    }
}
