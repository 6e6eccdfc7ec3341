//! Every fault at every step of an upload leaves the simulated board bootable with the old or the
//! new image, verified. Run with `--nocapture` to see how many fault points were exercised.

use trunkline_firmware::checksum::crc32;
use trunkline_firmware::container::{self, Semver};
use trunkline_firmware::flash::FaultPlan;
use trunkline_firmware::journal::{Slot, UpdateState};
use trunkline_firmware::simboard::SimBoard;
use trunkline_firmware::update::{self, Options, Outcome, Recovery, Running, UpdateError};

const MODEL: &str = "TL-E1-4";

fn image(v: Semver, len: usize) -> Vec<u8> {
    let seed = u32::from(v.major) * 7919 + u32::from(v.minor) * 31 + u32::from(v.patch);
    let payload: Vec<u8> =
        (0..len as u32).map(|i| (i.wrapping_mul(2_654_435_761) ^ seed).to_le_bytes()[1]).collect();
    container::build(MODEL, v, 0x1_0000, &payload).unwrap()
}

fn payload_crc(img: &[u8]) -> u32 {
    crc32(&container::Repr::parse_checked(img).unwrap().payload)
}

const V1: Semver = Semver::new(1, 0, 0);
const V2: Semver = Semver::new(2, 0, 0);
const V3: Semver = Semver::new(3, 0, 0);
const LEN: usize = 150 * 1024;

/// Board running V2 from a user slot, factory V1.
fn board_v2() -> SimBoard {
    let mut b = SimBoard::standard(MODEL, &image(V1, 20_000)).unwrap();
    let out = update::upload(&mut b, &image(V2, LEN), Options::default()).unwrap();
    assert!(matches!(out, Outcome::Updated { to: Running { version: V2, .. }, .. }));
    b
}

/// Asserts the board runs one of `allowed` and that the running slot's image checks out.
fn assert_bootable(b: &mut SimBoard, allowed: &[&[u8]], ctx: &str) -> Semver {
    let r = b.boot().unwrap_or_else(|| panic!("{ctx}: board does not boot"));
    let ok = allowed.iter().any(|img| {
        let c = container::Repr::parse_checked(img).unwrap();
        c.version == r.version && payload_crc(img) == r.crc
    });
    assert!(ok, "{ctx}: runs unexpected {:?}", r);
    let img = update::read_slot(b, r.slot)
        .unwrap()
        .unwrap_or_else(|| panic!("{ctx}: running slot fails verification"));
    assert_eq!((img.version, img.crc.1), (r.version, r.crc), "{ctx}");
    r.version
}

fn ops_of_clean_upload(base: &SimBoard, img: &[u8]) -> u64 {
    let mut b = base.clone();
    b.inject(FaultPlan::default());
    update::upload(&mut b, img, Options::default()).unwrap();
    b.flash.ops()
}

#[test]
fn power_loss_at_every_step_then_rollback_or_resume() {
    let base = board_v2();
    let (old, new) = (image(V2, LEN), image(V3, LEN));
    let n = ops_of_clean_upload(&base, &new);
    assert!(n > 40, "only {n} flash operations");
    let mut points = 0u64;
    for k in 0..n {
        let mut b = base.clone();
        b.inject(FaultPlan { power_loss_at: Some(k), ..Default::default() });
        let e = update::upload(&mut b, &new, Options::default()).unwrap_err();
        assert!(matches!(e, UpdateError::Flash(_)), "op {k}: {e}");
        points += 1;
        let ctx = format!("power loss at op {k}");
        assert_bootable(&mut b, &[&old, &new], &ctx);

        // Next run without the image: the interrupted update is finished or abandoned.
        let mut r = b.clone();
        let rec = update::recover(&mut r, None).unwrap();
        assert!(!matches!(rec, Recovery::Resumable));
        let v = assert_bootable(&mut r, &[&old, &new], &ctx);
        assert_eq!(update::status(&mut r).unwrap().journal.state, UpdateState::Idle, "{ctx}");
        if v == V2 {
            update::upload(&mut r, &new, Options::default()).unwrap();
        }
        assert_eq!(assert_bootable(&mut r, &[&new], &ctx), V3);

        // Next run with the same image: resumed (or found done), ends on the new image.
        let mut s = b.clone();
        s.inject(FaultPlan::default());
        update::upload(&mut s, &new, Options::default()).unwrap();
        assert_eq!(assert_bootable(&mut s, &[&new], &ctx), V3);
    }
    eprintln!("FAULT-POINTS power-loss single={points}");
}

#[test]
fn second_power_loss_during_the_next_run() {
    const SMALL: usize = 40 * 1024;
    let mut base = SimBoard::standard(MODEL, &image(V1, 20_000)).unwrap();
    let (old, new) = (image(V2, SMALL), image(V3, SMALL));
    update::upload(&mut base, &old, Options::default()).unwrap();
    let n = ops_of_clean_upload(&base, &new);
    let mut points = 0u64;
    for k in 0..n {
        let mut b = base.clone();
        b.inject(FaultPlan { power_loss_at: Some(k), ..Default::default() });
        assert!(update::upload(&mut b, &new, Options::default()).is_err());
        b.boot();
        let m = ops_of_clean_upload(&b, &new);
        for k2 in 0..m {
            let mut t = b.clone();
            t.inject(FaultPlan { power_loss_at: Some(k2), ..Default::default() });
            assert!(update::upload(&mut t, &new, Options::default()).is_err());
            points += 1;
            let ctx = format!("power loss at op {k}, then at op {k2} of the retry");
            assert_bootable(&mut t, &[&old, &new], &ctx);
            update::upload(&mut t, &new, Options::default()).unwrap();
            assert_eq!(assert_bootable(&mut t, &[&new], &ctx), V3);
        }
    }
    eprintln!("FAULT-POINTS power-loss-double={points}");
}

#[test]
fn power_loss_from_factory_only_board() {
    let fresh = SimBoard::standard(MODEL, &image(V1, 20_000)).unwrap();
    let (fac, new) = (image(V1, 20_000), image(V3, LEN));
    let n = ops_of_clean_upload(&fresh, &new);
    for k in 0..n {
        let mut b = fresh.clone();
        b.inject(FaultPlan { power_loss_at: Some(k), ..Default::default() });
        assert!(update::upload(&mut b, &new, Options::default()).is_err());
        let ctx = format!("factory board, power loss at op {k}");
        assert_bootable(&mut b, &[&fac, &new], &ctx);
        update::recover(&mut b, None).unwrap();
        assert_bootable(&mut b, &[&fac, &new], &ctx);
    }
    eprintln!("FAULT-POINTS power-loss-factory={n}");
}

#[test]
fn bit_flip_at_every_step() {
    let base = board_v2();
    let (old, new) = (image(V2, LEN), image(V3, LEN));
    let n = ops_of_clean_upload(&base, &new);
    let mut points = 0;
    let mut verify_failed = 0;
    for k in 0..n {
        for bit in [0u64, 13, 4097 * 8 + 5] {
            let mut b = base.clone();
            b.inject(FaultPlan { bit_flip_at: Some((k, bit)), ..Default::default() });
            let ctx = format!("bit flip {bit} at op {k}");
            match update::upload(&mut b, &new, Options::default()) {
                Ok(Outcome::Updated { to, .. }) => assert_eq!(to.version, V3, "{ctx}"),
                Err(UpdateError::VerifyFailed { .. }) => verify_failed += 1,
                other => panic!("{ctx}: {other:?}"),
            }
            points += 1;
            assert_bootable(&mut b, &[&old, &new], &ctx);
            assert_eq!(update::status(&mut b).unwrap().journal.state, UpdateState::Idle, "{ctx}");
        }
    }
    // With a single attempt, a flipped bit in the slot is caught by the read-back and the old
    // image is kept.
    for k in 0..n {
        let mut b = base.clone();
        b.inject(FaultPlan { bit_flip_at: Some((k, 77)), ..Default::default() });
        let ctx = format!("single attempt, bit flip at op {k}");
        if let Err(e) = update::upload(&mut b, &new, Options { attempts: 1, ..Default::default() }) {
            assert!(matches!(e, UpdateError::VerifyFailed { .. }), "{ctx}: {e}");
            assert_eq!(assert_bootable(&mut b, &[&old], &ctx), V2);
            verify_failed += 1;
        } else {
            assert_eq!(assert_bootable(&mut b, &[&new], &ctx), V3);
        }
        points += 1;
    }
    assert!(verify_failed > 0);
    eprintln!("FAULT-POINTS bit-flip={points} (verify-failed={verify_failed})");
}

#[test]
fn new_image_that_fails_its_boot_check_is_rolled_back_at_every_step() {
    let base = board_v2();
    let (old, new) = (image(V2, LEN), image(V3, LEN));
    let mut b = base.clone();
    b.boot_fail.push(payload_crc(&new));
    let e = update::upload(&mut b, &new, Options::default()).unwrap_err();
    assert!(matches!(e, UpdateError::BootFailed { fell_back_to: Some(Running { version: V2, .. }) }), "{e}");
    let n = b.flash.ops();
    assert_eq!(assert_bootable(&mut b, &[&old], "boot check"), V2);
    for k in 0..n {
        let mut b = base.clone();
        b.boot_fail.push(payload_crc(&new));
        b.inject(FaultPlan { power_loss_at: Some(k), ..Default::default() });
        assert!(update::upload(&mut b, &new, Options::default()).is_err());
        let ctx = format!("boot-check failure with power loss at op {k}");
        assert_eq!(assert_bootable(&mut b, &[&old], &ctx), V2);
        update::recover(&mut b, None).unwrap();
        assert_eq!(assert_bootable(&mut b, &[&old], &ctx), V2);
        assert_eq!(update::status(&mut b).unwrap().journal.state, UpdateState::Idle);
    }
    eprintln!("FAULT-POINTS boot-fail+power-loss={}", n + 1);
}

#[test]
fn retention_bit_flip_falls_back_and_rollback_switches() {
    let mut b = board_v2();
    let v2 = image(V2, LEN);
    update::upload(&mut b, &image(V3, LEN), Options::default()).unwrap();
    let st = update::status(&mut b).unwrap();
    let active = st.running.unwrap().slot;
    assert_eq!(st.journal.previous, Some(if active == Slot::A { Slot::B } else { Slot::A }));
    // Corrupt the running image in place: the boot ROM must fall back to the previous one.
    let addr = b.layout_first_byte(active) + 500;
    b.flash.flip_bit(addr, 3);
    assert_eq!(assert_bootable(&mut b, &[&v2], "retention"), V2);
    // Manual rollback from V2 (running previous) goes to the factory image.
    let r = update::rollback(&mut b).unwrap();
    assert_eq!((r.slot, r.version), (Slot::Factory, V1));
    assert!(matches!(update::rollback(&mut b), Err(UpdateError::NoPrevious) | Ok(_)));
}

#[test]
fn rollback_returns_to_previous_then_back() {
    let mut b = board_v2();
    update::upload(&mut b, &image(V3, LEN), Options::default()).unwrap();
    assert_eq!(update::rollback(&mut b).unwrap().version, V2);
    assert_eq!(update::rollback(&mut b).unwrap().version, V3);
}

#[test]
fn checks_model_version_and_size() {
    let mut b = board_v2();
    let other = container::build("TL-T1-8", V3, 0, &[1; 100]).unwrap();
    assert!(matches!(
        update::upload(&mut b, &other, Options::default()),
        Err(UpdateError::WrongModel { .. })
    ));
    assert!(matches!(
        update::upload(&mut b, &image(V1, 10), Options::default()),
        Err(UpdateError::Downgrade { .. })
    ));
    assert!(matches!(update::upload(&mut b, &image(V2, LEN), Options::default()), Ok(Outcome::UpToDate(_))));
    assert!(matches!(
        update::upload(&mut b, &image(V3, 300 * 1024), Options::default()),
        Err(UpdateError::TooLarge { .. })
    ));
    let mut bad = image(V3, 1000);
    bad[500] ^= 1;
    assert!(matches!(update::upload(&mut b, &bad, Options::default()), Err(UpdateError::Image(_))));
    assert_eq!(b.boot().unwrap().version, V2);
    let forced =
        update::upload(&mut b, &image(V1, 10), Options { force: true, ..Default::default() }).unwrap();
    assert!(matches!(forced, Outcome::Updated { to: Running { version: V1, .. }, .. }));
}

#[test]
fn state_file_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("board.sim");
    let mut b = board_v2();
    b.inject(FaultPlan { power_loss_at: Some(10), ..Default::default() });
    assert!(update::upload(&mut b, &image(V3, LEN), Options::default()).is_err());
    b.save(&p).unwrap();
    let mut c = SimBoard::load(&p).unwrap();
    assert_eq!(c.flash.contents(), b.flash.contents());
    assert_eq!(update::status(&mut c).unwrap().journal.state, UpdateState::Writing);
    let out = update::upload(&mut c, &image(V3, LEN), Options::default()).unwrap();
    assert!(matches!(out, Outcome::Updated { resumed: true, .. }));
    let mut raw = std::fs::read(&p).unwrap();
    raw[100] ^= 1;
    std::fs::write(&p, &raw).unwrap();
    assert!(SimBoard::load(&p).is_err());
}

#[test]
fn damaged_state_files_are_errors_not_panics() {
    let b = board_v2();
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("b.sim");
    b.save(&p).unwrap();
    let good = std::fs::read(&p).unwrap();
    for len in [0, 8, 63, 64, 65, 100, good.len() - 1] {
        assert!(SimBoard::from_state(&good[..len], "t").is_err(), "len {len}");
    }
    let mut short = b"TLSIMBD1".to_vec();
    short.push(32);
    short.resize(60, b'A');
    let crc = crc32(&short);
    short.extend_from_slice(&crc.to_le_bytes());
    assert!(SimBoard::from_state(&short, "t").is_err());
    assert!(SimBoard::from_state(&good, "t").is_ok());
}
