//! National variants of MFC/R2 as tables: the CD bits of line signalling, the meaning of the
//! backward group A/B/C signals, the forward group I end-of-number signals and the timers.
//!
//! Values follow ITU-T Q.441 and the national tables of openr2 1.3.3 (`r2proto.c`,
//! `r2config_*`), the peer the interop tests run against, except China's ANI phase (see
//! [`R2Profile::explicit_ani_phase`]).

use crate::signalling::Ms;

/// A national variant of MFC/R2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum R2Variant {
    /// ITU-T Q.421/Q.441: CD = 01; A-5 asks for the category and then each ANI digit; A-6 is
    /// "address complete, charge, set up speech" (accept without group B).
    Itu,
    /// China No.1: CD = 11; A-6 asks for the category (KA) and opens an explicit ANI phase in
    /// which A-1 means "next ANI digit"; I-15 ends the ANI and A-1 means "next DNIS digit" again.
    /// No end-of-DNIS signal; group B: B-1 accept, B-2 busy.
    China,
    /// Mexico: DNIS first, then A-6 asks for the category and switches to group C (C-1 next ANI,
    /// C-3 change to group II, C-5 next DNIS and back to group A); no end-of-DNIS signal.
    Mexico,
    /// Brazil: no end-of-DNIS signal; A-9 "send n-1"; group B: B-1 accept with charge, B-2 busy,
    /// B-5 accept without charge, B-6 SIT, B-7 unallocated; I-12 ANI restricted.
    Brazil,
    /// Argentina: ITU with no end-of-DNIS signal; I-12 ends the ANI, I-15 "ANI restricted".
    Argentina,
    /// Colombia: like China, A-6 asks for the category and A-1 doubles as "next ANI digit";
    /// group B: B-1 accept, B-2 busy, B-5 accept without charge, B-6 unallocated.
    Colombia,
    /// Venezuela: ITU with A-9 "next ANI digit" and no end-of-DNIS signal.
    Venezuela,
    /// Czech Republic: the ITU table.
    Czech,
    /// Ecuador: the ITU table.
    Ecuador,
    /// Philippines: the ITU table.
    Philippines,
}

impl R2Variant {
    /// Every variant, for tests and the CLI.
    pub const ALL: [R2Variant; 10] = [
        R2Variant::Itu,
        R2Variant::China,
        R2Variant::Mexico,
        R2Variant::Brazil,
        R2Variant::Argentina,
        R2Variant::Colombia,
        R2Variant::Venezuela,
        R2Variant::Czech,
        R2Variant::Ecuador,
        R2Variant::Philippines,
    ];

    /// Short name (`itu`, `cn`, `mx`, `br`, `ar`, `co`, `ve`, `cz`, `ec`, `ph`): openr2's variant
    /// names in lower case.
    pub fn name(self) -> &'static str {
        match self {
            R2Variant::Itu => "itu",
            R2Variant::China => "cn",
            R2Variant::Mexico => "mx",
            R2Variant::Brazil => "br",
            R2Variant::Argentina => "ar",
            R2Variant::Colombia => "co",
            R2Variant::Venezuela => "ve",
            R2Variant::Czech => "cz",
            R2Variant::Ecuador => "ec",
            R2Variant::Philippines => "ph",
        }
    }

    /// Parses a short name as printed by [`R2Variant::name`] (any case).
    pub fn from_name(s: &str) -> Option<R2Variant> {
        R2Variant::ALL.into_iter().find(|v| v.name().eq_ignore_ascii_case(s))
    }

    /// The signal table and timers of this variant.
    pub fn profile(self) -> R2Profile {
        let itu = R2Profile {
            variant: self,
            cd_bits: 0b01,
            ga: GroupA {
                next_dnis: 1,
                dnis_minus_1: Some(2),
                change_to_g2: 3,
                congestion: 4,
                category: Some(5),
                next_ani: Some(5),
                category_and_gc: None,
                accept_charge: Some(6),
            },
            gc: None,
            gb: GroupB {
                sit: Some(2),
                busy: 3,
                congestion: 4,
                unallocated: 5,
                accept_charge: 6,
                accept_no_charge: 7,
                out_of_order: Some(8),
                collect_rejected: None,
            },
            end_of_dnis: Some(15),
            end_of_ani: Some(15),
            ani_restricted: None,
            ani_first: true,
            explicit_ani_phase: false,
            timers: R2Timers::default(),
        };
        match self {
            R2Variant::Itu | R2Variant::Czech | R2Variant::Ecuador | R2Variant::Philippines => itu,
            R2Variant::China => R2Profile {
                cd_bits: 0b11,
                ga: GroupA { next_ani: Some(1), category: Some(6), accept_charge: None, ..itu.ga },
                gb: GroupB { accept_charge: 1, busy: 2, sit: None, ..itu.gb },
                end_of_dnis: None,
                explicit_ani_phase: true,
                ..itu
            },
            R2Variant::Mexico => R2Profile {
                ga: GroupA {
                    category: None,
                    next_ani: None,
                    category_and_gc: Some(6),
                    accept_charge: None,
                    ..itu.ga
                },
                gc: Some(GroupC { next_ani: 1, change_to_g2: 3, next_dnis_to_ga: 5 }),
                gb: GroupB {
                    accept_charge: 1,
                    accept_no_charge: 5,
                    busy: 2,
                    unallocated: 2,
                    sit: None,
                    ..itu.gb
                },
                end_of_dnis: None,
                ani_first: false,
                ..itu
            },
            R2Variant::Brazil => R2Profile {
                ga: GroupA { accept_charge: None, dnis_minus_1: Some(9), ..itu.ga },
                gb: GroupB {
                    accept_charge: 1,
                    busy: 2,
                    congestion: 4,
                    accept_no_charge: 5,
                    sit: Some(6),
                    // B-7 is "unallocated" per ANATEL (openr2 after 1.3.0; older: B-8).
                    unallocated: 7,
                    collect_rejected: None,
                    out_of_order: None,
                },
                end_of_dnis: None,
                ani_restricted: Some(12),
                ..itu
            },
            // Argentina swaps the two: I-12 ends the ANI, I-15 means "restricted".
            R2Variant::Argentina => {
                R2Profile { end_of_dnis: None, end_of_ani: Some(12), ani_restricted: Some(15), ..itu }
            }
            R2Variant::Colombia => R2Profile {
                ga: GroupA { next_ani: Some(1), category: Some(6), ..itu.ga },
                gb: GroupB {
                    accept_charge: 1,
                    busy: 2,
                    accept_no_charge: 5,
                    unallocated: 6,
                    sit: None,
                    ..itu.gb
                },
                ani_restricted: Some(12),
                explicit_ani_phase: true,
                ..itu
            },
            R2Variant::Venezuela => R2Profile {
                ga: GroupA { next_ani: Some(9), ..itu.ga },
                end_of_dnis: None,
                ani_restricted: Some(12),
                ..itu
            },
        }
    }
}

/// Backward group A signals (requests during address signalling). Codes are MF signals 1–15.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupA {
    /// Send the next DNIS digit (A-1).
    pub next_dnis: u8,
    /// Send the last-but-one DNIS digit again (A-2).
    pub dnis_minus_1: Option<u8>,
    /// Address complete, change over to group II/B (A-3).
    pub change_to_g2: u8,
    /// Congestion (A-4).
    pub congestion: u8,
    /// Send the calling party category.
    pub category: Option<u8>,
    /// Send the next ANI digit (after the category).
    pub next_ani: Option<u8>,
    /// Mexico: send the category and change to group C.
    pub category_and_gc: Option<u8>,
    /// Address complete, charge, set up speech conditions (accept without group B).
    pub accept_charge: Option<u8>,
}

/// Mexico's backward group C.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupC {
    /// Send the next ANI digit.
    pub next_ani: u8,
    /// Change over to group II/B.
    pub change_to_g2: u8,
    /// Send the next DNIS digit and change back to group A.
    pub next_dnis_to_ga: u8,
}

/// Backward group B signals (the state of the called line).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupB {
    /// Subscriber free, charge: the callee is rung.
    pub accept_charge: u8,
    /// Subscriber free, no charge.
    pub accept_no_charge: u8,
    /// Subscriber line busy (Q.850 17).
    pub busy: u8,
    /// Congestion (Q.850 34).
    pub congestion: u8,
    /// Unallocated number (Q.850 1).
    pub unallocated: u8,
    /// Line out of order (Q.850 27).
    pub out_of_order: Option<u8>,
    /// Send special information tone (Q.850 1 as well: invalid or changed number).
    pub sit: Option<u8>,
    /// Collect call rejected (Brazil; Q.850 21).
    pub collect_rejected: Option<u8>,
}

/// R2 timers (openr2's defaults unless noted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct R2Timers {
    /// CAS bits must hold this long before they count (software persistence check).
    pub debounce: Ms,
    /// Seize sent, no seize acknowledge: line fault (openr2 `r2_seize`, 8 s).
    pub seize_ack: Ms,
    /// Backward side: forward tone did not change within one compelled step (openr2
    /// `mf_back_cycle`, 5 s); also how long a variant without an end-of-DNIS signal waits
    /// before it decides the number is complete.
    pub mf_cycle: Ms,
    /// Forward side: waiting for a backward signal after running out of digits (openr2
    /// `mf_fwd_safety`, 30 s).
    pub fwd_safety: Ms,
    /// Whole register phase, seize acknowledge to group B (~30 s).
    pub register: Ms,
    /// Accepted, not answered (the forward side releases with cause 19; openr2 `r2_answer`).
    pub answer: Ms,
    /// Backward side: the answer bits go out no sooner than this after the group B tone stopped,
    /// so the far end sees the end of the tone first (openr2 `r2_answer_delay`, 150 ms).
    pub answer_delay: Ms,
    /// Backward side: idle is sent this long after clear-forward (release guard).
    pub release_guard: Ms,
    /// Forward side: clear-forward sent, backward side not idle after this long (line fault).
    pub release_guard_timeout: Ms,
    /// Length of a pulsed backward signal (sent without a forward tone, e.g. A-3 after a digit
    /// timeout in variants with no end-of-DNIS signal; openr2 `mf_back_resume_cycle`).
    pub pulse: Ms,
    /// Backward side: no further DNIS digit within this time means the number is complete
    /// (variants without an end-of-DNIS signal).
    pub digit_timeout: Ms,
}

impl Default for R2Timers {
    fn default() -> Self {
        R2Timers {
            debounce: Ms(20),
            seize_ack: Ms(8000),
            mf_cycle: Ms(5000),
            fwd_safety: Ms(30_000),
            register: Ms(30_000),
            answer: Ms(60_000),
            answer_delay: Ms(150),
            release_guard: Ms(150),
            release_guard_timeout: Ms(2000),
            pulse: Ms(150),
            digit_timeout: Ms(3000),
        }
    }
}

/// Everything that differs between variants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct R2Profile {
    /// The variant this profile came from.
    pub variant: R2Variant,
    /// The fixed C and D bits (ITU 01, China 11).
    pub cd_bits: u8,
    /// Backward group A.
    pub ga: GroupA,
    /// Backward group C (Mexico only).
    pub gc: Option<GroupC>,
    /// Backward group B.
    pub gb: GroupB,
    /// Forward I-15 "end of DNIS", if the variant has one (else the backward side times out).
    pub end_of_dnis: Option<u8>,
    /// Forward "no more ANI digits".
    pub end_of_ani: Option<u8>,
    /// Forward "calling number restricted".
    pub ani_restricted: Option<u8>,
    /// The backward side asks for the ANI after the first DNIS digit (else after the DNIS).
    pub ani_first: bool,
    /// The category request opens an ANI phase in which "next DNIS" and "next ANI" share one
    /// signal (China A-1): the forward side answers with ANI digits until it has sent the
    /// end-of-ANI signal, and the backward side keeps asking until it receives it. openr2 1.3.3
    /// answers with DNIS digits instead, which is the defect this flag avoids.
    pub explicit_ani_phase: bool,
    /// Timers.
    pub timers: R2Timers,
}
