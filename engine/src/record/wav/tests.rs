use super::*;

fn spec(format: WavFormat, channels: u16) -> WavSpec {
    WavSpec { format, channels, sample_rate: 8000 }
}

fn ramp(n: usize, k: i16) -> Vec<i16> {
    (0..n).map(|i| ((i as i32 * 37 + i32::from(k)) % 20000 - 10000) as i16).collect()
}

#[test]
fn pcm_round_trips_exactly_and_hound_agrees() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("a.wav");
    let rx = ramp(1000, 1);
    let tx = ramp(1000, 5);
    let mut w = WavWriter::create(&p, spec(WavFormat::Pcm16, 2)).unwrap();
    w.write_call(&rx, &tx).unwrap();
    let info = w.finish().unwrap();
    assert_eq!((info.frames, info.duration_ms, info.bytes), (1000, 125, 44 + 4000));
    assert_eq!(std::fs::metadata(&p).unwrap().len(), info.bytes);
    let a = read_wav(&p).unwrap();
    assert_eq!(a.channel(0), rx);
    assert_eq!(a.channel(1), tx);
    // An independent reader sees the same thing.
    let h = hound::WavReader::open(&p).unwrap();
    assert_eq!(h.spec().channels, 2);
    let hs: Vec<i16> = h.into_samples::<i16>().map(|s| s.unwrap()).collect();
    assert_eq!(hs, a.samples);
}

#[test]
fn g711_files_have_the_right_header_and_decode_to_the_law() {
    let dir = tempfile::tempdir().unwrap();
    for (format, law, tag) in [(WavFormat::Alaw, Law::Alaw, 6u16), (WavFormat::Ulaw, Law::Ulaw, 7)] {
        let p = dir.path().join(format!("{}.wav", format.name()));
        let rx = ramp(801, 3);
        let mut w = WavWriter::create(&p, spec(format, 1)).unwrap();
        w.write_call(&rx, &[]).unwrap();
        let info = w.finish().unwrap();
        let b = std::fs::read(&p).unwrap();
        assert_eq!(b.len() as u64, info.bytes);
        assert_eq!(b.len(), 58 + 801);
        assert_eq!(le16(&b, 20), Some(tag));
        assert_eq!(le32(&b, 4), Some(b.len() as u32 - 8));
        assert_eq!(&b[38..42], b"fact");
        assert_eq!(le32(&b, 46), Some(801));
        assert_eq!(le32(&b, 54), Some(801));
        let a = read_wav(&p).unwrap();
        let want: Vec<i16> = rx.iter().map(|&s| law.decode(law.encode(s))).collect();
        assert_eq!(a.samples, want);
        assert_eq!(a.spec, spec(format, 1));
    }
}

#[test]
fn mono_mixes_with_saturation() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("m.wav");
    let mut w = WavWriter::create(&p, spec(WavFormat::Pcm16, 1)).unwrap();
    w.write_call(&[30000, -30000, 100], &[30000, -30000]).unwrap();
    w.finish().unwrap();
    assert_eq!(read_wav(&p).unwrap().samples, vec![32767, -32768, 100]);
}

#[test]
fn the_header_is_patched_every_second_while_writing() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("live.wav");
    let mut w = WavWriter::create(&p, spec(WavFormat::Alaw, 2)).unwrap();
    for _ in 0..125 {
        w.write_call(&[7; 160], &[9; 160]).unwrap();
    }
    // 2.5 s written, header patched at 1 s and 2 s; no finish (as if the process died here).
    let b = std::fs::read(&p).unwrap();
    let l = parse_layout(&b).unwrap();
    assert_eq!(l.data_declared, 2 * 16000);
    drop(w);
}

#[test]
fn repair_fixes_a_cut_file_and_drops_a_partial_frame() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("cut.wav");
    let mut w = WavWriter::create(&p, spec(WavFormat::Pcm16, 2)).unwrap();
    w.set_patch_interval(0);
    let rx = ramp(4000, 0);
    w.write_call(&rx, &rx).unwrap();
    w.patch_header().unwrap();
    w.set_patch_interval(0);
    w.write_call(&rx, &rx).unwrap();
    drop(w); // flushes the buffer but leaves the header saying 4000 frames
             // Cut in the middle of a frame, as a crash would.
    let f = OpenOptions::new().write(true).open(&p).unwrap();
    f.set_len(44 + 4 * 6000 + 3).unwrap();
    drop(f);
    assert_eq!(read_wav(&p).unwrap().frames(), 4000);
    let r = repair(&p).unwrap();
    assert!(r.changed);
    assert_eq!(
        (r.data_before, r.data_after, r.truncated, r.frames, r.duration_ms),
        (16000, 24000, 3, 6000, 750)
    );
    assert!(r.to_string().contains("dropped a partial frame of 3 bytes"), "{r}");
    assert_eq!(std::fs::metadata(&p).unwrap().len(), 44 + 24000);
    let a = read_wav(&p).unwrap();
    assert_eq!(a.frames(), 6000);
    assert_eq!(hound::WavReader::open(&p).unwrap().duration(), 6000);
    // A second repair has nothing to do.
    let again = repair(&p).unwrap();
    assert!(!again.changed, "{again}");
}

#[test]
fn repair_fixes_the_fact_chunk_of_g711() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("g.wav");
    let mut w = WavWriter::create(&p, spec(WavFormat::Ulaw, 1)).unwrap();
    w.set_patch_interval(0);
    w.write_call(&ramp(1234, 0), &[]).unwrap();
    drop(w);
    let r = repair(&p).unwrap();
    assert_eq!((r.data_before, r.data_after, r.frames, r.truncated), (0, 1234, 1234, 0));
    let b = std::fs::read(&p).unwrap();
    assert_eq!(le32(&b, 46), Some(1234));
}

#[test]
fn repair_refuses_what_is_not_a_wav() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.wav");
    std::fs::write(&p, b"hello").unwrap();
    assert!(matches!(repair(&p), Err(WavError::Invalid { .. })));
    std::fs::write(&p, &spec(WavFormat::Pcm16, 1).header()[..30]).unwrap();
    assert!(matches!(repair(&p), Err(WavError::Invalid { .. })));
    assert!(matches!(repair(dir.path().join("none.wav")), Err(WavError::Io { .. })));
}

#[test]
fn scan_repairs_what_needs_it_and_lists_failures() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("2026/11");
    std::fs::create_dir_all(&sub).unwrap();
    let good = dir.path().join("good.wav");
    let mut w = WavWriter::create(&good, spec(WavFormat::Alaw, 1)).unwrap();
    w.write_call(&[1; 100], &[]).unwrap();
    w.finish().unwrap();
    let cut = sub.join("cut.wav");
    let mut w = WavWriter::create(&cut, spec(WavFormat::Alaw, 1)).unwrap();
    w.set_patch_interval(0);
    w.write_call(&[1; 100], &[]).unwrap();
    drop(w);
    std::fs::write(sub.join("junk.WAV"), b"junk").unwrap();
    std::fs::write(sub.join("notes.txt"), b"junk").unwrap();
    let r = scan_and_repair(dir.path()).unwrap();
    assert_eq!((r.checked, r.repaired.len(), r.failed.len()), (3, 1, 1), "{r}");
    assert_eq!(r.repaired[0].path, cut);
    assert!(scan_and_repair(dir.path().join("missing")).is_err());
}

#[test]
fn bad_shapes_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    assert!(WavWriter::create(dir.path().join("x.wav"), spec(WavFormat::Pcm16, 3)).is_err());
    assert!(WavWriter::create(
        dir.path().join("x.wav"),
        WavSpec { sample_rate: 0, ..spec(WavFormat::Alaw, 1) }
    )
    .is_err());
}

proptest::proptest! {
    #[test]
    fn parsing_and_repair_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..256), len in 0u64..1 << 33) {
        let _ = decode_wav(&bytes);
        if let Ok(l) = parse_layout(&bytes) {
            let _ = repaired_sizes(&l, len);
        }
    }

    #[test]
    fn repair_never_panics_on_damaged_headers(pos in 0usize..58, val in proptest::num::u8::ANY, cut in 0usize..120) {
        let mut b = spec(WavFormat::Alaw, 2).header();
        b.extend_from_slice(&[0x55; 64]);
        b[pos] = val;
        b.truncate(cut);
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("p.wav");
        std::fs::write(&p, &b).unwrap();
        if let Ok(r) = repair(&p) {
            let a = read_wav(&p).unwrap();
            proptest::prop_assert_eq!(a.frames() as u64, r.frames);
        }
    }
}
