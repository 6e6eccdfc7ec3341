//! The tone zones built into libtonezone (dahdi-tools `zonedata.c`): what `loadzone=` and
//! `defaultzone=` accept, and the `DAHDI_LOADZONE` argument `dahdi_cfg` sends for them: the
//! `struct dahdi_tone_def_header` plus one `struct dahdi_tone_def` per tone segment, built as
//! libtonezone's `tone_zone_register_zone` builds them (zone tones, then DTMF, MF R1, MFC/R2
//! forward and backward tones, each a pair of digital resonators in Q15).
//!
//! The table is Debian 12's libtonezone 3.1.0 (`builtin_zones`, which differs from upstream
//! in places, e.g. the Australian dial tone is 415+440 Hz there); the payload bytes are checked
//! against what Debian's real `dahdi_cfg` sends (`engine/tests/dahdi_cfg_oracle.rs`) and against
//! the recorded traces in `../shared/dahdi/conf/traces/`.

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
    /// `(DAHDI_TONE_*, description)`: segments `[!]f1[+f2|*f2][@][/ms]` separated by commas;
    /// the tone repeats from the first segment without `!`.
    pub tones: &'static [(i32, &'static str)],
    /// DTMF high-group level, dBm0.
    pub dtmf_high_level: i32,
    /// DTMF low-group level, dBm0.
    pub dtmf_low_level: i32,
    /// MF R1 level, dBm0.
    pub mfr1_level: i32,
    /// MFC/R2 level, dBm0.
    pub mfr2_level: i32,
}

/// Every zone of libtonezone, in zone-number order.
pub const ZONES: &[ToneZone] = &[
    ToneZone {
        zone: 0,
        country: "us",
        description: "United States / North America",
        ringcadence: &[2000, 4000],
        tones: &[
            (0, "350+440"),
            (1, "480+620/500,0/500"),
            (2, "440+480/2000,0/4000"),
            (3, "480+620/250,0/250"),
            (4, "440/300,0/10000"),
            (5, "!350+440/100,!0/100,!350+440/100,!0/100,!350+440/100,!0/100,350+440"),
            (6, "1400/500,0/15000"),
            (7, "!950/330,!1400/330,!1800/330,0"),
            (10, "!350+440/100,!0/100,!350+440/100,!0/100,!350+440/100,!0/100,!350+440/100,!0/100,!350+440/100,!0/100,!350+440/100,!0/100,350+440"),
        ],
        dtmf_high_level: -10,
        dtmf_low_level: -10,
        mfr1_level: -10,
        mfr2_level: -8,
    },
    ToneZone {
        zone: 1,
        country: "au",
        description: "Australia",
        ringcadence: &[400, 200, 400, 2000],
        tones: &[
            (0, "415+440"),
            (1, "425/375,0/375"),
            (2, "413+438/400,0/200,413+438/400,0/2000"),
            (3, "425/375,0/375,425@/375,0/375"),
            (4, "425/100,0/200,425/200,0/4400"),
            (5, "413+428"),
            (6, "!425/1000,!0/15000,425/360,0/15000"),
            (7, "425/2500,0/500"),
            (10, "413+438/100,0/40"),
        ],
        dtmf_high_level: -10,
        dtmf_low_level: -10,
        mfr1_level: -10,
        mfr2_level: -8,
    },
    ToneZone {
        zone: 2,
        country: "fr",
        description: "France",
        ringcadence: &[1500, 3500],
        tones: &[
            (0, "440"),
            (1, "440/500,0/500"),
            (2, "440/1500,0/3500"),
            (3, "440/250,0/250"),
            (4, "440/300,0/10000"),
            (5, "!350+440/100,!0/100,!350+440/100,!0/100,!350+440/100,!0/100,350+440"),
            (6, "1400/500,0/15000"),
            (7, "!950/330,!1400/330,!1800/330,0"),
            (10, "!440/100,!0/100,!440/100,!0/100,!440/100,!0/100,!440/100,!0/100,!440/100,!0/100,!440/100,!0/100,440"),
        ],
        dtmf_high_level: -9,
        dtmf_low_level: -11,
        mfr1_level: -7,
        mfr2_level: -8,
    },
    ToneZone {
        zone: 3,
        country: "nl",
        description: "Netherlands",
        ringcadence: &[1000, 4000],
        tones: &[
            (0, "425"),
            (1, "425/500,0/500"),
            (2, "425/1000,0/4000"),
            (3, "425/250,0/250"),
            (4, "425/500,0/9500"),
            (5, "!425/100,!0/100,!425/100,!0/100,!425/100,!0/100,425"),
            (6, "1400/500,0/15000"),
            (7, "950/330,1400/330,1800/330,0/1000"),
            (10, "425/500,0/50"),
        ],
        dtmf_high_level: -9,
        dtmf_low_level: -11,
        mfr1_level: -7,
        mfr2_level: -8,
    },
    ToneZone {
        zone: 4,
        country: "uk",
        description: "United Kingdom",
        ringcadence: &[400, 200, 400, 2000],
        tones: &[
            (0, "350+440"),
            (1, "400/375,0/375"),
            (2, "400+450/400,0/200,400+450/400,0/2000"),
            (3, "400/400,0/350,400/225,0/525"),
            (4, "400/100,0/4000"),
            (5, "350+440"),
            (6, "1400/500,0/60000"),
            (7, "950/330,0/15,1400/330,0/15,1800/330,0/1000"),
            (10, "350+440/750,440/750"),
        ],
        dtmf_high_level: -9,
        dtmf_low_level: -11,
        mfr1_level: -7,
        mfr2_level: -8,
    },
    ToneZone {
        zone: 5,
        country: "fi",
        description: "Finland",
        ringcadence: &[1000, 4000],
        tones: &[
            (0, "425"),
            (1, "425/300,0/300"),
            (2, "425/1000,0/4000"),
            (3, "425/200,0/200"),
            (4, "425/150,0/150,425/150,0/8000"),
            (5, "425/650,0/25"),
            (6, "1400/500,0/15000"),
            (7, "950/650,0/325,950/325,0/30,1400/1300,0/2600"),
            (10, "425/650,0/25"),
        ],
        dtmf_high_level: -9,
        dtmf_low_level: -11,
        mfr1_level: -7,
        mfr2_level: -8,
    },
    ToneZone {
        zone: 6,
        country: "es",
        description: "Spain",
        ringcadence: &[1500, 3000],
        tones: &[
            (0, "425"),
            (1, "425/200,0/200"),
            (2, "425/1500,0/3000"),
            (3, "425/200,0/200,425/200,0/200,425/200,0/600"),
            (4, "425/175,0/175,425/175,0/3500"),
            (5, "!425/200,!0/200,!425/200,!0/200,!425/200,!0/200,425"),
            (6, "1400/500,0/15000"),
            (7, "950/330,0/1000"),
            (10, "425/500,0/50"),
        ],
        dtmf_high_level: -9,
        dtmf_low_level: -11,
        mfr1_level: -7,
        mfr2_level: -8,
    },
    ToneZone {
        zone: 7,
        country: "jp",
        description: "Japan",
        ringcadence: &[1000, 2000],
        tones: &[
            (0, "400"),
            (1, "400/500,0/500"),
            (2, "400+15/1000,0/2000"),
            (3, "400/500,0/500"),
            (4, "400+16/500,0/8000"),
            (5, "!400/200,!0/200,!400/200,!0/200,!400/200,!0/200,400"),
            (6, "1400/500,0/15000"),
            (7, "!950/330,!1400/330,!1800/330,0"),
            (10, "!400/100,!0/100,!400/100,!0/100,!400/100,!0/100,!400/100,!0/100,!400/100,!0/100,!400/100,!0/100,400"),
        ],
        dtmf_high_level: -7,
        dtmf_low_level: -7,
        mfr1_level: -7,
        mfr2_level: -8,
    },
    ToneZone {
        zone: 8,
        country: "no",
        description: "Norway",
        ringcadence: &[1000, 4000],
        tones: &[
            (0, "425"),
            (1, "425/500,0/500"),
            (2, "425/1000,0/4000"),
            (3, "425/200,0/200"),
            (4, "425/200,0/600,425/200,0/10000"),
            (5, "470/400,425/400"),
            (6, "1400/400,0/15000"),
            (7, "!950/330,!1400/330,!1800/330,!0/1000,!950/330,!1400/330,!1800/330,!0/1000,!950/330,!1400/330,!1800/330,!0/1000,0"),
            (10, "470/400,425/400"),
        ],
        dtmf_high_level: -10,
        dtmf_low_level: -10,
        mfr1_level: -10,
        mfr2_level: -8,
    },
    ToneZone {
        zone: 9,
        country: "at",
        description: "Austria",
        ringcadence: &[1000, 5000],
        tones: &[
            (0, "420"),
            (1, "420/400,0/400"),
            (2, "420/1000,0/5000"),
            (3, "420/200,0/200"),
            (4, "420/40,0/1960"),
            (5, "420"),
            (6, "1400/80,0/14920"),
            (7, "950/330,1450/330,1850/330,0/1000"),
            (10, "380+420"),
        ],
        dtmf_high_level: -9,
        dtmf_low_level: -11,
        mfr1_level: -10,
        mfr2_level: -8,
    },
    ToneZone {
        zone: 10,
        country: "nz",
        description: "New Zealand",
        ringcadence: &[400, 200, 400, 2000],
        tones: &[
            (0, "400"),
            (1, "400/500,0/500"),
            (2, "400+450/400,0/200,400+450/400,0/2000"),
            (3, "400/250,0/250"),
            (4, "400/250,0/250,400/250,0/3250"),
            (5, "!400/100!0/100,!400/100,!0/100,!400/100,!0/100,400"),
            (6, "1400/425,0/15000"),
            (7, "400/750,0/100,400/750,0/100,400/750,0/100,400/750,0/400"),
            (10, "!400/100!0/100,!400/100,!0/100,!400/100,!0/100,!400/100!0/100,!400/100,!0/100,!400/100,!0/100,400"),
        ],
        dtmf_high_level: -11,
        dtmf_low_level: -9,
        mfr1_level: -7,
        mfr2_level: -8,
    },
    ToneZone {
        zone: 11,
        country: "it",
        description: "Italy",
        ringcadence: &[1000, 4000],
        tones: &[
            (0, "425/200,0/200,425/600,0/1000"),
            (1, "425/500,0/500"),
            (2, "425/1000,0/4000"),
            (3, "425/200,0/200"),
            (4, "425/400,0/100,425/250,0/100,425/150,0/14000"),
            (5, "470/400,425/400"),
            (6, "1400/400,0/15000"),
            (7, "!950/330,!1400/330,!1800/330,!0/1000,!950/330,!1400/330,!1800/330,!0/1000,!950/330,!1400/330,!1800/330,!0/1000,0"),
            (10, "470/400,425/400"),
        ],
        dtmf_high_level: -9,
        dtmf_low_level: -11,
        mfr1_level: -10,
        mfr2_level: -8,
    },
    ToneZone {
        zone: 12,
        country: "us-old",
        description: "United States Circa 1950 / North America",
        ringcadence: &[2000, 4000],
        tones: &[
            (0, "600*120"),
            (1, "500*100/500,0/500"),
            (2, "420*40/2000,0/4000"),
            (3, "500*100/250,0/250"),
            (4, "440/300,0/10000"),
            (5, "!600*120/100,!0/100,!600*120/100,!0/100,!600*120/100,!0/100,600*120"),
            (6, "1400/500,0/15000"),
            (7, "!950/330,!1400/330,!1800/330,0"),
            (10, "!600*120/100,!0/100,!600*120/100,!0/100,!600*120/100,!0/100,!600*120/100,!0/100,!600*120/100,!0/100,!600*120/100,!0/100,600*120"),
        ],
        dtmf_high_level: -10,
        dtmf_low_level: -10,
        mfr1_level: -10,
        mfr2_level: -8,
    },
    ToneZone {
        zone: 13,
        country: "gr",
        description: "Greece",
        ringcadence: &[1000, 4000],
        tones: &[
            (0, "425/200,0/300,425/700,0/800"),
            (1, "425/300,0/300"),
            (2, "425/1000,0/4000"),
            (3, "425/200,0/200"),
            (4, "425/150,0/150,425/150,0/8000"),
            (5, "425/650,0/25"),
            (6, "1400/400,0/15000"),
            (7, "!950/330,!1400/330,!1800/330,!0/1000,!950/330,!1400/330,!1800/330,!0/1000,!950/330,!1400/330,!1800/330,!0/1000,0"),
            (10, "425/650,0/25"),
        ],
        dtmf_high_level: -9,
        dtmf_low_level: -11,
        mfr1_level: -10,
        mfr2_level: -8,
    },
    ToneZone {
        zone: 14,
        country: "tw",
        description: "Taiwan",
        ringcadence: &[1000, 4000],
        tones: &[
            (0, "350+440"),
            (1, "480+620/500,0/500"),
            (2, "440+480/1000,0/2000"),
            (3, "480+620/250,0/250"),
            (4, "350+440/250,0/250,350+440/250,0/3250"),
            (5, "300/1500,0/500"),
            (6, "1400/500,0/15000"),
            (7, "!950/330,!1400/330,!1800/330,0"),
            (10, "!350+440/100,!0/100,!350+440/100,!0/100,!350+440/100,!0/100,!350+440/100,!0/100,!350+440/100,!0/100,!350+440/100,!0/100,350+440"),
        ],
        dtmf_high_level: -11,
        dtmf_low_level: -9,
        mfr1_level: -7,
        mfr2_level: -8,
    },
    ToneZone {
        zone: 15,
        country: "cl",
        description: "Chile",
        ringcadence: &[1000, 3000],
        tones: &[
            (0, "400"),
            (1, "400/500,0/500"),
            (2, "400/1000,0/3000"),
            (3, "400/200,0/200"),
            (4, "400/250,0/8750"),
            (5, "!400/100,!0/100,!400/100,!0/100,!400/100,!0/100,400"),
            (6, "1400/500,0/15000"),
            (7, "!950/333,!1400/333,!1800/333,0"),
            (10, "!400/100,!0/100,!400/100,!0/100,!400/100,!0/100,!400/100,!0/100,!400/100,!0/100,!400/100,!0/100,400"),
        ],
        dtmf_high_level: -10,
        dtmf_low_level: -10,
        mfr1_level: -10,
        mfr2_level: -8,
    },
    ToneZone {
        zone: 16,
        country: "se",
        description: "Sweden",
        ringcadence: &[1000, 5000],
        tones: &[
            (0, "425"),
            (1, "425/250,0/250"),
            (2, "425/1000,0/5000"),
            (3, "425/250,0/750"),
            (4, "425/200,0/500,425/200,0/9100"),
            (5, "!425/100,!0/100,!425/100,!0/100,!425/100,!0/100,425"),
            (6, "1400/500,0/15000"),
            (7, "!950/332,!0/24,!1400/332,!0/24,!1800/332,!0/2024,!950/332,!0/24,!1400/332,!0/24,!1800/332,!0/2024,!950/332,!0/24,!1400/332,!0/24,!1800/332,!0/2024,!950/332,!0/24,!1400/332,!0/24,!1800/332,!0/2024,!950/332,!0/24,!1400/332,!0/24,!1800/332,0"),
            (10, "!425/100,!0/100,!425/100,!0/100,!425/100,!0/100,!425/100,!0/100,!425/100,!0/100,!425/100,!0/100,425"),
        ],
        dtmf_high_level: -9,
        dtmf_low_level: -11,
        mfr1_level: -7,
        mfr2_level: -8,
    },
    ToneZone {
        zone: 17,
        country: "be",
        description: "Belgium",
        ringcadence: &[1000, 3000],
        tones: &[
            (0, "425"),
            (1, "425/500,0/500"),
            (2, "425/1000,0/3000"),
            (3, "425/167,0/167"),
            (4, "1400/175,0/175,1400/175,0/3500"),
            (5, "!350+440/100,!0/100,!350+440/100,!0/100,!350+440/100,!0/100,350+440"),
            (6, "1400/500,0/15000"),
            (7, "900/330,1400/330,1800/330,0/1000"),
            (10, "425/1000,0/250"),
        ],
        dtmf_high_level: -9,
        dtmf_low_level: -11,
        mfr1_level: -10,
        mfr2_level: -8,
    },
    ToneZone {
        zone: 18,
        country: "sg",
        description: "Singapore",
        ringcadence: &[400, 200, 400, 2000],
        tones: &[
            (0, "425"),
            (1, "425/750,0/750"),
            (2, "425*24/400,0/200,425*24/400,0/2000"),
            (3, "425/250,0/250"),
            (4, "425*24/300,0/200,425*24/300,0/3200"),
            (5, "425*24/500,0/500,425/500,0/2500"),
            (6, "1400/500,0/15000"),
            (7, "950/330,1400/330,1800/330,0/1000"),
            (10, "!425/200,!0/200,!425/600,!0/200,!425/200,!0/200,!425/600,!0/200,!425/200,!0/200,!425/600,!0/200,!425/200,!0/200,!425/600,!0/200,425"),
        ],
        dtmf_high_level: -11,
        dtmf_low_level: -9,
        mfr1_level: -7,
        mfr2_level: -8,
    },
    ToneZone {
        zone: 19,
        country: "il",
        description: "Israel",
        ringcadence: &[1000, 3000],
        tones: &[
            (0, "414"),
            (1, "414/500,0/500"),
            (2, "414/1000,0/3000"),
            (3, "414/250,0/250"),
            (4, "414/100,0/100,414/100,0/100,414/600,0/3000"),
            (5, "!414/100,!0/100,!414/100,!0/100,!414/100,!0/100,414"),
            (6, "1400/500,0/15000"),
            (7, "1000/330,1400/330,1800/330,0/1000"),
            (10, "!414/160,!0/160,!414/160,!0/160,!414/160,!0/160,!414/160,!0/160,!414/160,!0/160,!414/160,!0/160,!414/160,!0/160,!414/160,!0/160,!414/160,!0/160,!414/160,!0/160,414"),
        ],
        dtmf_high_level: -10,
        dtmf_low_level: -10,
        mfr1_level: -10,
        mfr2_level: -8,
    },
    ToneZone {
        zone: 20,
        country: "br",
        description: "Brazil",
        ringcadence: &[1000, 4000],
        tones: &[
            (0, "425"),
            (1, "425/250,0/250"),
            (2, "425/1000,0/4000"),
            (3, "425/250,0/250,425/750,0/250"),
            (4, "425/50,0/1000"),
            (5, "350+440"),
            (6, "425/250,0/250"),
            (7, "950/330,1400/330,1800/330"),
            (10, "350+440"),
        ],
        dtmf_high_level: -10,
        dtmf_low_level: -12,
        mfr1_level: -10,
        mfr2_level: -8,
    },
    ToneZone {
        zone: 21,
        country: "hu",
        description: "Hungary",
        ringcadence: &[1250, 3750],
        tones: &[
            (0, "425"),
            (1, "425/300,0/300"),
            (2, "425/1250,0/3750"),
            (3, "425/300,0/300"),
            (4, "425/40,0/1960"),
            (5, "425+450"),
            (6, "1400/400,0/15000"),
            (7, "!950/330,!1400/330,!1800/330,!0/1000,!950/330,!1400/330,!1800/330,!0/1000,!950/330,!1400/330,!1800/330,!0/1000,0"),
            (10, "350+375+400"),
        ],
        dtmf_high_level: -9,
        dtmf_low_level: -11,
        mfr1_level: -10,
        mfr2_level: -8,
    },
    ToneZone {
        zone: 22,
        country: "lt",
        description: "Lithuania",
        ringcadence: &[1000, 4000],
        tones: &[
            (0, "425"),
            (1, "425/350,0/350"),
            (2, "425/1000,0/4000"),
            (3, "425/200,0/200"),
            (4, "425/150,0/150,425/150,0/4000"),
            (5, "!350+440/100,!0/100,!350+440/100,!0/100,!350+440/100,!0/100,350+440"),
            (6, "1400/500,0/15000"),
            (7, "!950/330,!1400/330,!1800/330,!0/1000,!950/330,!1400/330,!1800/330,!0/1000,!950/330,!1400/330,!1800/330,!0/1000,0"),
            (10, "!425/100,!0/100,!425/100,!0/100,!425/100,!0/100,!425/100,!0/100,!425/100,!0/100,!425/100,!0/100,425"),
        ],
        dtmf_high_level: -9,
        dtmf_low_level: -11,
        mfr1_level: -10,
        mfr2_level: -8,
    },
    ToneZone {
        zone: 23,
        country: "pl",
        description: "Poland",
        ringcadence: &[1000, 4000],
        tones: &[
            (0, "425"),
            (1, "425/500,0/500"),
            (2, "425/1000,0/4000"),
            (3, "425/500,0/500"),
            (4, "425/150,0/150,425/150,0/4000"),
            (5, "!350+440/100,!0/100,!350+440/100,!0/100,!350+440/100,!0/100,350+440"),
            (6, "1400/500,0/15000"),
            (7, "!950/330,!1400/330,!1800/330,!0/1000,!950/330,!1400/330,!1800/330,!0/1000,!950/330,!1400/330,!1800/330,0"),
            (10, "!425/100,!0/100,!425/100,!0/100,!425/100,!0/100,!425/100,!0/100,!425/100,!0/100,!425/100,!0/100,425"),
        ],
        dtmf_high_level: -9,
        dtmf_low_level: -11,
        mfr1_level: -10,
        mfr2_level: -8,
    },
    ToneZone {
        zone: 24,
        country: "za",
        description: "South Africa",
        ringcadence: &[400, 200, 400, 2000],
        tones: &[
            (0, "400*33"),
            (1, "400/500,0/500"),
            (2, "400*33/400,0/200,400*33/400,0/2000"),
            (3, "400/250,0/250"),
            (4, "400*33/250,0/250,400*33/250,0/250,400*33/250,0/250,400*33/250,0/250"),
            (5, "350+440"),
            (6, "1400/500,0/15000"),
            (7, "!950/330,!1400/330,!1800/330,!0/1000,!950/330,!1400/330,!1800/330,!0/1000,!950/330,!1400/330,!1800/330,!0/1000,0"),
            (10, "!400*33/100,!0/100,!400*33/100,!0/100,!400*33/100,!0/100,!400*33/100,!0/100,!400*33/100,!0/100,!400*33/100,!0/100,400*33"),
        ],
        dtmf_high_level: -11,
        dtmf_low_level: -13,
        mfr1_level: -7,
        mfr2_level: -8,
    },
    ToneZone {
        zone: 25,
        country: "pt",
        description: "Portugal",
        ringcadence: &[1000, 5000],
        tones: &[
            (0, "425"),
            (1, "425/500,0/500"),
            (2, "425/1000,0/5000"),
            (3, "425/200,0/200"),
            (4, "425/200,425/200,425/200,0/5000"),
            (5, "425/1000,0/200"),
            (6, "1400/500,0/15000"),
            (7, "950/330,1400/330,1800/330,0/1000"),
            (10, "!425/100,!0/100,!425/100,!0/100,!425/100,!0/100,!425/100,!0/100,!425/100,!0/100,!425/100,!0/100,425"),
        ],
        dtmf_high_level: -9,
        dtmf_low_level: -11,
        mfr1_level: -10,
        mfr2_level: -8,
    },
    ToneZone {
        zone: 26,
        country: "ee",
        description: "Estonia",
        ringcadence: &[1000, 4000],
        tones: &[
            (0, "425"),
            (1, "425/300,0/300"),
            (2, "425/1000,0/4000"),
            (3, "425/200,0/200"),
            (4, "950/650,0/325,950/325,0/30,1400/1300,0/2600"),
            (5, "425/650,0/25"),
            (6, "1400/500,0/15000"),
            (7, "950/0,0/325,950/325,0/30,1400/1300,0/2600"),
            (10, "!425/100,!0/100,!425/100,!0/100,!425/100,!0/100,!425/100,!0/100,!425/100,!0/100,!425/100,!0/100,425"),
        ],
        dtmf_high_level: -9,
        dtmf_low_level: -11,
        mfr1_level: -10,
        mfr2_level: -8,
    },
    ToneZone {
        zone: 27,
        country: "mx",
        description: "Mexico",
        ringcadence: &[2000, 4000],
        tones: &[
            (0, "425"),
            (1, "425/250,0/250"),
            (2, "425/1000,0/4000"),
            (3, "425/250,0/250"),
            (4, "425/200,0/600,425/200,0/10000"),
            (5, "!350+440/100,!0/100,!350+440/100,!0/100,!350+440/100,!0/100,350+440"),
            (6, "1400/500,0/15000"),
            (7, "950/330,0/30,1400/330,0/30,1800/330,0/1000"),
            (10, "!350+440/100,!0/100,!350+440/100,!0/100,!350+440/100,!0/100,!350+440/100,!0/100,!350+440/100,!0/100,!350+440/100,!0/100,350+440"),
        ],
        dtmf_high_level: -8,
        dtmf_low_level: -6,
        mfr1_level: -7,
        mfr2_level: -8,
    },
    ToneZone {
        zone: 28,
        country: "in",
        description: "India",
        ringcadence: &[400, 200, 400, 2000],
        tones: &[
            (0, "400*25"),
            (1, "400/750,0/750"),
            (2, "400*25/400,0/200,400*25/400,0/2000"),
            (3, "400/250,0/250"),
            (4, "400/200,0/100,400/200,0/7500"),
            (5, "!350+440/100,!0/100,!350+440/100,!0/100,!350+440/100,!0/100,350+440"),
            (6, "1400/500,0/15000"),
            (7, "!950/330,!1400/330,!1800/330,0/1000"),
            (10, "!350+440/100,!0/100,!350+440/100,!0/100,!350+440/100,!0/100,!350+440/100,!0/100,!350+440/100,!0/100,!350+440/100,!0/100,350+440"),
        ],
        dtmf_high_level: -10,
        dtmf_low_level: -10,
        mfr1_level: -10,
        mfr2_level: -8,
    },
    ToneZone {
        zone: 29,
        country: "de",
        description: "Germany",
        ringcadence: &[1000, 4000],
        tones: &[
            (0, "425"),
            (1, "425/480,0/480"),
            (2, "425/1000,0/4000"),
            (3, "425/240,0/240"),
            (4, "!425/200,!0/200,!425/200,!0/5000,!425/200,!0/200,!425/200,!0/5000,!425/200,!0/200,!425/200,!0/5000,!425/200,!0/200,!425/200,!0/5000,!425/200,!0/200,!425/200,0"),
            (5, "!425/100,!0/100,!425/100,!0/100,!425/100,!0/100,425"),
            (6, "1400/80,0/15000"),
            (7, "950/330,1400/330,1800/330,0/1000"),
            (10, "425+400"),
        ],
        dtmf_high_level: -9,
        dtmf_low_level: -11,
        mfr1_level: -7,
        mfr2_level: -8,
    },
    ToneZone {
        zone: 30,
        country: "ch",
        description: "Switzerland",
        ringcadence: &[1000, 4000],
        tones: &[
            (0, "425"),
            (1, "425/500,0/500"),
            (2, "425/1000,0/4000"),
            (3, "425/200,0/200"),
            (4, "425/200,0/200,425/200,0/4000"),
            (5, "!425/100,!0/100,!425/100,!0/100,!425/100,!0/100,425"),
            (6, "1400/80,0/15000"),
            (7, "950/330,1400/330,1800/330,0/1000"),
            (10, "425+340/1100,0/1100"),
        ],
        dtmf_high_level: -10,
        dtmf_low_level: -10,
        mfr1_level: -10,
        mfr2_level: -8,
    },
    ToneZone {
        zone: 31,
        country: "dk",
        description: "Denmark",
        ringcadence: &[1000, 4000],
        tones: &[
            (0, "425"),
            (1, "425/500,0/500"),
            (2, "425/1000,0/4000"),
            (3, "425/200,0/200"),
            (4, "!425/200,!0/600,!425/200,!0/3000,!425/200,!0/200,!425/200,0"),
            (5, "!425/100,!0/100,!425/100,!0/100,!425/100,!0/100,425"),
            (6, "1400/80,0/15000"),
            (7, "950/330,1400/330,1800/330,0/1000"),
            (10, "425/450,0/50"),
        ],
        dtmf_high_level: -9,
        dtmf_low_level: -11,
        mfr1_level: -10,
        mfr2_level: -8,
    },
    ToneZone {
        zone: 32,
        country: "cz",
        description: "Czech Republic",
        ringcadence: &[1000, 4000],
        tones: &[
            (0, "425/330,0/330,425/660,0/660"),
            (1, "425/330,0/330"),
            (2, "425/1000,0/4000"),
            (3, "425/165,0/165"),
            (4, "425/330,0/9000"),
            (5, "!425/100,!0/100,!425/100,!0/100,!425/100,!0/100,425/330,0/330,425/660,0/660"),
            (6, "1400/500,0/14000"),
            (7, "950/330,0/30,1400/330,0/30,1800/330,0/1000"),
            (10, "425/450,0/50"),
        ],
        dtmf_high_level: -9,
        dtmf_low_level: -11,
        mfr1_level: -10,
        mfr2_level: -8,
    },
    ToneZone {
        zone: 33,
        country: "cn",
        description: "China",
        ringcadence: &[1000, 4000],
        tones: &[
            (0, "450"),
            (1, "450/350,0/350"),
            (2, "450/1000,0/4000"),
            (3, "450/700,0/700"),
            (4, "450/400,0/4000"),
            (5, "450"),
            (6, "950/400,0/10000"),
            (7, "450/100,0/100,450/100,0/100,450/100,0/100,450/400,0/400"),
            (10, "450+425"),
        ],
        dtmf_high_level: -11,
        dtmf_low_level: -9,
        mfr1_level: -7,
        mfr2_level: -8,
    },
    ToneZone {
        zone: 34,
        country: "ar",
        description: "Argentina",
        ringcadence: &[1000, 4500],
        tones: &[
            (0, "425"),
            (1, "425/300,0/300"),
            (2, "425/1000,0/4500"),
            (3, "425/200,0/300"),
            (4, "425/200,0/9000"),
            (5, "!425/100,!0/100,!425/100,!0/100,!425/100,!0/100,425/330,0/330,425/660,0/660"),
            (6, "1400/500,0/14000"),
            (7, "425/100,0/100"),
            (10, "425/450,0/50"),
        ],
        dtmf_high_level: -11,
        dtmf_low_level: -9,
        mfr1_level: -7,
        mfr2_level: -8,
    },
    ToneZone {
        zone: 35,
        country: "my",
        description: "Malaysia",
        ringcadence: &[400, 200, 400, 2000],
        tones: &[
            (0, "425"),
            (1, "425/500,0/500"),
            (2, "425/400,0/200,425/400,0/2000"),
            (3, "425/500,0/500"),
            (4, "425/100,0/4000"),
            (5, "350+440"),
            (6, "1400/500,0/60000"),
            (7, "950/330,0/15,1400/330,0/15,1800/330,0/1000"),
            (10, "450+425"),
        ],
        dtmf_high_level: -10,
        dtmf_low_level: -10,
        mfr1_level: -10,
        mfr2_level: -8,
    },
    ToneZone {
        zone: 36,
        country: "th",
        description: "Thailand",
        ringcadence: &[1000, 4000],
        tones: &[
            (0, "400*50"),
            (1, "400/500,0/500"),
            (2, "400/1000,0/4000"),
            (3, "400/300,0/300"),
            (4, "1000/400,10000/400,1000/400"),
            (5, "400*50/400,0/100,400*50/400,0/100"),
            (6, "1400/500,0/15000"),
            (7, "950/330,1400/330,1800/330"),
            (10, "!400/200,!0/200,!400/600,!0/200,!400/200,!0/200,!400/600,!0/200,!400/200,!0/200,!400/600,!0/200,!400/200,!0/200,!400/600,!0/200,400"),
        ],
        dtmf_high_level: -11,
        dtmf_low_level: -9,
        mfr1_level: -7,
        mfr2_level: -8,
    },
    ToneZone {
        zone: 37,
        country: "bg",
        description: "Bulgaria",
        ringcadence: &[1000, 4000],
        tones: &[
            (0, "425"),
            (1, "425/500,0/500"),
            (2, "425/1000,0/4000"),
            (3, "425/250,0/250"),
            (4, "425/150,0/150,425/150,0/4000"),
            (5, "!425/100,!0/100,!425/100,!0/100,!425/100,!0/100,425"),
            (6, "1400/425,0/15000"),
            (7, "950/330,1400/330,1800/330,0/1000"),
            (10, "425/1500,0/100"),
        ],
        dtmf_high_level: -9,
        dtmf_low_level: -11,
        mfr1_level: -10,
        mfr2_level: -8,
    },
    ToneZone {
        zone: 38,
        country: "ve",
        description: "Venezuela",
        ringcadence: &[1000, 4000],
        tones: &[
            (0, "425"),
            (1, "425/500,0/500"),
            (2, "425/1000,0/4000"),
            (3, "425/250,0/250"),
            (4, "400+450/300,0/6000"),
            (5, "425"),
            (6, "1400/500,0/15000"),
            (7, "!950/330,!1440/330,!1800/330,0/1000"),
            (10, "!425/100,!0/100,!425/100,!0/100,!425/100,!0/100,!425/100,!0/100,!425/100,!0/100,!425/100,!0/100,425"),
        ],
        dtmf_high_level: -7,
        dtmf_low_level: -9,
        mfr1_level: -7,
        mfr2_level: -8,
    },
    ToneZone {
        zone: 39,
        country: "ph",
        description: "Philippines",
        ringcadence: &[1000, 4000],
        tones: &[
            (0, "425"),
            (1, "480+620/500,0/500"),
            (2, "425+480/1000,0/4000"),
            (3, "480+620/250,0/250"),
            (4, "440/300,0/10000"),
            (5, "!350+440/100,!0/100,!350+440/100,!0/100,!350+440/100,!0/100,350+440"),
            (6, "1400/500,0/15000"),
            (7, "!950/330,!1400/330,!1800/330,0"),
            (10, "!350+440/100,!0/100,!350+440/100,!0/100,!350+440/100,!0/100,!350+440/100,!0/100,!350+440/100,!0/100,!350+440/100,!0/100,350+440"),
        ],
        dtmf_high_level: -10,
        dtmf_low_level: -10,
        mfr1_level: -10,
        mfr2_level: -8,
    },
    ToneZone {
        zone: 40,
        country: "ru",
        description: "Russian Federation",
        ringcadence: &[1000, 4000],
        tones: &[
            (0, "425"),
            (1, "425/350,0/350"),
            (2, "425/1000,0/4000"),
            (3, "425/175,0/175"),
            (4, "425/200,0/5000"),
            (6, "1400/400,0/15000"),
            (7, "950/330,1440/330,1800/330,0/1000"),
            (10, "!425/100,!0/100,!425/100,!0/100,!425/100,!0/100,!425/100,!0/100,!425/100,!0/100,!425/100,!0/100,425"),
            (5, "!350+440/100,!0/100,!350+440/100,!0/100,!350+440/100,!0/100,350+440"),
        ],
        dtmf_high_level: -10,
        dtmf_low_level: -10,
        mfr1_level: -10,
        mfr2_level: -8,
    },
    ToneZone {
        zone: 41,
        country: "tr",
        description: "Turkey",
        ringcadence: &[2000, 4000],
        tones: &[
            (0, "450"),
            (1, "450/500,0/500"),
            (2, "450/2000,0/4000"),
            (3, "!450/200,!0/200,!450/200,!0/200,!450/200,!0/200,450/600,0/200"),
            (4, "450/200,0/600,450/200,0/800"),
            (7, "!950+1400/300,!0/1000,!950+1400/300,!0/1000,!950+1400/1000,0"),
            (10, "!450/100,!0/100,!450/100,!0/100,!450/100,!0/100,!450/100,!0/100,!450/100,!0/100,!450/100,!0/100,450"),
            (5, "!350+440/100,!0/100,!350+440/100,!0/100,!350+440/100,!0/100,350+440"),
        ],
        dtmf_high_level: -10,
        dtmf_low_level: -10,
        mfr1_level: -10,
        mfr2_level: -8,
    },
    ToneZone {
        zone: 42,
        country: "pa",
        description: "Panama",
        ringcadence: &[2000, 4000],
        tones: &[
            (0, "425"),
            (1, "425/320,0/320"),
            (2, "425/1200,0/4650"),
            (3, "425/320,0/320"),
            (4, "425/180,0/180,425/180"),
            (5, "!425/100,!0/100,!425/100,!0/100,!425/100,!0/100,425"),
            (6, "1400/500,0/15000"),
            (7, "!950/330,!1400/330,!1800/330,0"),
            (10, "!425/100,!0/100,!425/100,!0/100,!425/100,!0/100,!425/100,!0/100,!425/100,!0/100,!425/100,!0/100,425"),
        ],
        dtmf_high_level: -9,
        dtmf_low_level: -11,
        mfr1_level: -7,
        mfr2_level: -8,
    },
    ToneZone {
        zone: 43,
        country: "mo",
        description: "Macao,China",
        ringcadence: &[1000, 4000],
        tones: &[
            (0, "425"),
            (1, "425/500,0/500"),
            (2, "425/1000,0/4000"),
            (3, "425/250,0/250"),
            (4, "425/200,0/600"),
            (6, "1400/400,0/15000"),
            (7, "950/333,1400/333,1800/333,0/1000"),
            (10, "!425/100,!0/100,!425/100,!0/100,!425/100,!0/100,!425/100,!0/100,!425/100,!0/100,!425/100,!0/100,425"),
            (5, "!350+440/100,!0/100,!350+440/100,!0/100,!350+440/100,!0/100,350+440"),
        ],
        dtmf_high_level: -10,
        dtmf_low_level: -10,
        mfr1_level: -10,
        mfr2_level: -8,
    },
    ToneZone {
        zone: 44,
        country: "cr",
        description: "Costa Rica",
        ringcadence: &[1203, 4797],
        tones: &[
            (0, "450"),
            (1, "450/330,0/330"),
            (2, "450/1203,0/4900"),
            (3, "450/330,0/330"),
            (4, "450/150,0/150,450/150,450/8000"),
            (5, "!450/100,!0/100,!450/100,!0/100,!450/100,!0/100,450"),
            (6, "1400/500,0/15000"),
            (7, "!950/330,!1400/330,!1800/330,0"),
            (10, "!450/100,!0/100,!450/100,!0/100,!450/100,!0/100,!450/100,!0/100,!450/100,!0/100,!450/100,!0/100,450"),
        ],
        dtmf_high_level: -9,
        dtmf_low_level: -11,
        mfr1_level: -7,
        mfr2_level: -8,
    },
    ToneZone {
        zone: 45,
        country: "ae",
        description: "United Arab Emirates",
        ringcadence: &[1500, 4000],
        tones: &[
            (0, "350+440"),
            (1, "400/375,0/375"),
            (2, "400+425/400,0/200,400+425/400,0/2000"),
            (3, "425/400,0/350,425/225,0/525"),
            (4, "420/40,0/1960"),
            (6, "1400/80,0/14920"),
            (7, "950/330,1450/330,1850/330,0/1000"),
            (10, "380+420"),
            (5, "!350+440/100,!0/100,!350+440/100,!0/100,!350+440/100,!0/100,350+440"),
        ],
        dtmf_high_level: -10,
        dtmf_low_level: -10,
        mfr1_level: -10,
        mfr2_level: -8,
    },
];

/// `tone_zone_find()`: the zone whose country code equals `country` (ASCII case-insensitive).
pub fn find(country: &[u8]) -> Option<&'static ToneZone> {
    ZONES.iter().find(|z| z.country.as_bytes().eq_ignore_ascii_case(country))
}

/// Size of `struct dahdi_tone_def_header`.
pub const HEADER_SIZE: usize = 112;
/// Size of `struct dahdi_tone_def`.
pub const TONE_DEF_SIZE: usize = 44;
/// libtonezone's buffer for one zone (`MAX_SIZE`).
const MAX_SIZE: usize = 16384;

/// Why a zone's tones cannot be built (libtonezone prints the same and skips the zone).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ZoneError {
    /// A segment of a tone description is not in any of the accepted forms.
    #[error("tone component '{component}' of '{tone}' is a syntax error")]
    Syntax {
        /// The segment.
        component: String,
        /// The whole description.
        tone: String,
    },
    /// More tone segments than fit in the 16 KiB libtonezone uses.
    #[error("zone {0}: not enough space for tones")]
    TooBig(i32),
}

/// One `struct dahdi_tone_def`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ToneDef {
    /// `DAHDI_TONE_*`.
    pub tone: i32,
    /// Index of the segment that follows.
    pub next: i32,
    /// Length in samples (8000 for a steady tone).
    pub samples: i32,
    /// Unused (0).
    pub shift: i32,
    /// Resonator 1: `2 cos(w1)` in Q15.
    pub fac1: i32,
    /// Resonator 1 initial state `A sin(-2 w1)`.
    pub init_v2_1: i32,
    /// Resonator 1 initial state `A sin(-w1)`.
    pub init_v3_1: i32,
    /// Resonator 2: `2 cos(w2)` in Q15.
    pub fac2: i32,
    /// Resonator 2 initial state `A sin(-2 w2)`.
    pub init_v2_2: i32,
    /// Resonator 2 initial state `A sin(-w2)`.
    pub init_v3_2: i32,
    /// 1: amplitude modulation (`f1*f2`) instead of a sum.
    pub modulate: i32,
}

impl ToneDef {
    fn put(&self, out: &mut Vec<u8>) {
        for v in [
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
        ] {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
}

/// libtonezone's level offset in dB (its tone gains are `10^((level - 3.14) / 20)` of half
/// of full scale): a number of decibels that happens to look like pi, not pi.
#[allow(clippy::approx_constant)]
const LEVEL_OFFSET_DB: f64 = 3.14;

/// The resonator coefficients of one frequency at `gain` (libtonezone's arithmetic: doubles,
/// a `float` gain, truncation to `int`).
fn resonator(freq: f64, gain: f32) -> (i32, i32, i32) {
    use std::f64::consts::PI;
    let g = gain as f64;
    (
        (2.0 * (2.0 * PI * (freq / 8000.0)).cos() * 32768.0) as i32,
        ((-4.0 * PI * (freq / 8000.0)).sin() * g) as i32,
        ((-2.0 * PI * (freq / 8000.0)).sin() * g) as i32,
    )
}

/// `sscanf` with `%d` conversions (`None`) and literal characters (`Some(c)`): how many
/// conversions succeeded, and their values.
fn scan(s: &str, pat: &[Option<u8>]) -> (usize, [i32; 3]) {
    let b = s.as_bytes();
    let mut i = 0;
    let mut vals = [0i32; 3];
    let mut n = 0;
    for p in pat {
        match p {
            Some(c) => {
                if b.get(i) != Some(c) {
                    break;
                }
                i += 1;
            }
            None => {
                while b.get(i).is_some_and(|c| c.is_ascii_whitespace()) {
                    i += 1;
                }
                let start = i;
                if matches!(b.get(i), Some(b'+') | Some(b'-')) {
                    i += 1;
                }
                let digits = i;
                while b.get(i).is_some_and(u8::is_ascii_digit) {
                    i += 1;
                }
                if i == digits {
                    break;
                }
                let v: i64 = s[start..i].parse().unwrap_or(0);
                vals[n] = v.clamp(i32::MIN as i64, i32::MAX as i64) as i32;
                n += 1;
            }
        }
    }
    (n, vals)
}

const D: Option<u8> = None;

/// libtonezone's `build_tone`: the segments of one tone description, appended to `defs`.
fn build_tone(toneid: i32, data: &str, defs: &mut Vec<ToneDef>) -> Result<(), ZoneError> {
    const LEVEL: f64 = -10.0;
    let mut firstnobang: i32 = -1;
    let mut modulate = 0;
    // libtonezone leaves `db` unset for the f1+f2/time forms; it keeps its last value (1.0
    // before any other form), which is what Debian's build sends.
    let mut db: f32 = 1.0;
    let mut time = 0;
    let mut last: Option<usize> = None;
    for comp in data.split(',').filter(|c| !c.is_empty()) {
        let s = match comp.strip_prefix('!') {
            Some(rest) => rest,
            None => {
                if firstnobang < 0 {
                    firstnobang = defs.len() as i32;
                }
                comp
            }
        };
        let (f1, f2);
        if let (3, v) = scan(s, &[D, Some(b'+'), D, Some(b'/'), D]) {
            (f1, f2, time) = (v[0], v[1], v[2]);
        } else if let (3, v) = scan(s, &[D, Some(b'*'), D, Some(b'/'), D]) {
            (f1, f2, time) = (v[0], v[1], v[2]);
            modulate = 1;
        } else if let (2, v) = scan(s, &[D, Some(b'+'), D]) {
            (f1, f2, time, db) = (v[0], v[1], 0, 1.0);
        } else if let (2, v) = scan(s, &[D, Some(b'*'), D]) {
            (f1, f2, time, db) = (v[0], v[1], 0, 1.0);
            modulate = 1;
        } else if let (2, v) = scan(s, &[D, Some(b'/'), D]) {
            (f1, f2, time, db) = (v[0], 0, v[1], 1.0);
        } else if let (2, v) = scan(s, &[D, Some(b'@'), Some(b'/'), D]) {
            (f1, f2, time, db) = (v[0], 0, v[1], 0.3);
        } else if let (1, v) = scan(s, &[D]) {
            firstnobang = defs.len() as i32;
            (f1, f2, time, db) = (v[0], 0, 0, 1.0);
        } else {
            return Err(ZoneError::Syntax { component: s.to_string(), tone: data.to_string() });
        }
        let gain = (db as f64 * (10f64.powf((LEVEL - LEVEL_OFFSET_DB) / 20.0) * 65536.0 / 2.0)) as f32;
        let (fac1, init_v2_1, init_v3_1) = resonator(f1 as f64, gain);
        let (fac2, init_v2_2, init_v3_2) = resonator(f2 as f64, gain);
        let count = defs.len() as i32;
        let (next, samples) = if time != 0 { (count + 1, time.wrapping_mul(8)) } else { (count, 8000) };
        defs.push(ToneDef {
            tone: toneid,
            next,
            samples,
            shift: 0,
            fac1,
            init_v2_1,
            init_v3_1,
            fac2,
            init_v2_2,
            init_v3_2,
            modulate,
        });
        last = Some(defs.len() - 1);
    }
    if let Some(l) = last {
        if time != 0 {
            defs[l].next = firstnobang;
        }
    }
    Ok(())
}

/// `DAHDI_TONE_DTMF_BASE` and the order of libtonezone's DTMF table (0-9, *, #, A-D).
const DTMF: [(i32, f32, f32); 16] = [
    (64, 941.0, 1336.0),
    (65, 697.0, 1209.0),
    (66, 697.0, 1336.0),
    (67, 697.0, 1477.0),
    (68, 770.0, 1209.0),
    (69, 770.0, 1336.0),
    (70, 770.0, 1477.0),
    (71, 852.0, 1209.0),
    (72, 852.0, 1336.0),
    (73, 852.0, 1477.0),
    (74, 941.0, 1209.0),
    (75, 941.0, 1477.0),
    (76, 697.0, 1633.0),
    (77, 770.0, 1633.0),
    (78, 852.0, 1633.0),
    (79, 941.0, 1633.0),
];

/// MF R1 (`DAHDI_TONE_MFR1_BASE` 80: 0-9, KP, ST, STP, ST2P, ST3P).
const MFR1: [(i32, f32, f32); 15] = [
    (80, 1300.0, 1500.0),
    (81, 700.0, 900.0),
    (82, 700.0, 1100.0),
    (83, 900.0, 1100.0),
    (84, 700.0, 1300.0),
    (85, 900.0, 1300.0),
    (86, 1100.0, 1300.0),
    (87, 700.0, 1500.0),
    (88, 900.0, 1500.0),
    (89, 1100.0, 1500.0),
    (90, 1100.0, 1700.0),
    (91, 1500.0, 1700.0),
    (92, 900.0, 1700.0),
    (93, 1300.0, 1700.0),
    (94, 700.0, 1700.0),
];

/// MFC/R2 forward signals I-1..I-15 (`DAHDI_TONE_MFR2_FWD_BASE` 96).
const MFR2_FWD: [(i32, f32, f32); 15] = [
    (96, 1380.0, 1500.0),
    (97, 1380.0, 1620.0),
    (98, 1500.0, 1620.0),
    (99, 1380.0, 1740.0),
    (100, 1500.0, 1740.0),
    (101, 1620.0, 1740.0),
    (102, 1380.0, 1860.0),
    (103, 1500.0, 1860.0),
    (104, 1620.0, 1860.0),
    (105, 1740.0, 1860.0),
    (106, 1380.0, 1980.0),
    (107, 1500.0, 1980.0),
    (108, 1620.0, 1980.0),
    (109, 1740.0, 1980.0),
    (110, 1860.0, 1980.0),
];

/// MFC/R2 backward signals A/B-1..15 (`DAHDI_TONE_MFR2_REV_BASE` 112).
const MFR2_REV: [(i32, f32, f32); 15] = [
    (112, 1020.0, 1140.0),
    (113, 900.0, 1140.0),
    (114, 900.0, 1020.0),
    (115, 780.0, 1140.0),
    (116, 780.0, 1020.0),
    (117, 780.0, 900.0),
    (118, 660.0, 1140.0),
    (119, 660.0, 1020.0),
    (120, 660.0, 900.0),
    (121, 660.0, 780.0),
    (122, 540.0, 1140.0),
    (123, 540.0, 1020.0),
    (124, 540.0, 900.0),
    (125, 540.0, 780.0),
    (126, 540.0, 660.0),
];

/// libtonezone's `build_mf_tones`: steady two-frequency tones (next = 0, samples = 0).
fn build_mf(table: &[(i32, f32, f32)], low: i32, high: i32, defs: &mut Vec<ToneDef>) {
    let gain = |level: i32| (10f64.powf((level as f64 - LEVEL_OFFSET_DB) / 20.0) * 65536.0 / 2.0) as f32;
    for &(tone, f1, f2) in table {
        let (fac1, init_v2_1, init_v3_1) = resonator(f1 as f64, gain(low));
        let (fac2, init_v2_2, init_v3_2) = resonator(f2 as f64, gain(high));
        defs.push(ToneDef {
            tone,
            fac1,
            init_v2_1,
            init_v3_1,
            fac2,
            init_v2_2,
            init_v3_2,
            ..ToneDef::default()
        });
    }
}

impl ToneZone {
    /// Every tone segment libtonezone loads for this zone, in order.
    pub fn tone_defs(&self) -> Result<Vec<ToneDef>, ZoneError> {
        let mut defs = Vec::new();
        // libtonezone walks tones[0..DAHDI_TONE_MAX] in array order; the table keeps it.
        for &(id, data) in self.tones {
            build_tone(id, data, &mut defs)?;
        }
        build_mf(&DTMF, self.dtmf_low_level, self.dtmf_high_level, &mut defs);
        build_mf(&MFR1, self.mfr1_level, self.mfr1_level, &mut defs);
        build_mf(&MFR2_FWD, self.mfr2_level, self.mfr2_level, &mut defs);
        build_mf(&MFR2_REV, self.mfr2_level, self.mfr2_level, &mut defs);
        if HEADER_SIZE + defs.len() * TONE_DEF_SIZE > MAX_SIZE {
            return Err(ZoneError::TooBig(self.zone));
        }
        Ok(defs)
    }

    /// The `struct dahdi_tone_def_header` (with `count` tone defs to follow).
    pub fn header(&self, count: i32) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER_SIZE);
        out.extend_from_slice(&count.to_le_bytes());
        out.extend_from_slice(&self.zone.to_le_bytes());
        for i in 0..16 {
            out.extend_from_slice(&self.ringcadence.get(i).copied().unwrap_or(0).to_le_bytes());
        }
        let name: [u8; 40] = super::abi::copy_c_string(self.description.as_bytes());
        out.extend_from_slice(&name);
        out
    }

    /// The whole `DAHDI_LOADZONE` argument: header plus tone defs, as `dahdi_cfg` sends it.
    pub fn loadzone_arg(&self) -> Result<Vec<u8>, ZoneError> {
        let defs = self.tone_defs()?;
        let mut out = self.header(defs.len() as i32);
        for d in &defs {
            d.put(&mut out);
        }
        Ok(out)
    }
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

    #[test]
    fn every_zone_builds_and_counts_match_reference() {
        // REFERENCE.md: us 96 defs (4336 bytes), cn 82, uk 85, de 102.
        for (c, n) in [("us", 96), ("cn", 82), ("uk", 85), ("de", 102)] {
            let z = find(c.as_bytes()).unwrap();
            assert_eq!(z.tone_defs().unwrap().len(), n, "{c}");
        }
        assert_eq!(find(b"us").unwrap().loadzone_arg().unwrap().len(), 4336);
        for z in ZONES {
            let a = z.loadzone_arg().unwrap();
            assert_eq!((a.len() - HEADER_SIZE) % TONE_DEF_SIZE, 0);
        }
    }

    #[test]
    fn us_busy_segments_loop() {
        let defs = find(b"us").unwrap().tone_defs().unwrap();
        let busy: Vec<&ToneDef> = defs.iter().filter(|d| d.tone == 1).collect();
        assert_eq!(busy.len(), 2);
        assert_eq!((busy[0].next, busy[0].samples), (2, 4000));
        assert_eq!((busy[1].next, busy[1].samples), (1, 4000), "back to the first segment");
        assert_eq!(busy[1].fac1, 65536, "silence: 2 cos(0) in Q15");
    }

    #[test]
    fn sscanf_forms() {
        assert_eq!(scan("480+620/500", &[D, Some(b'+'), D, Some(b'/'), D]), (3, [480, 620, 500]));
        assert_eq!(scan("400/100!0/100", &[D, Some(b'/'), D]).0, 2);
        assert_eq!(scan("425@/375", &[D, Some(b'/'), D]).0, 1);
        assert_eq!(scan("x", &[D]).0, 0);
        let mut v = Vec::new();
        assert!(matches!(build_tone(1, "440,x", &mut v), Err(ZoneError::Syntax { .. })));
    }
}
