//! `trunkfw`: inspect, verify, convert, install and upload board firmware images.

use anyhow::{anyhow, bail, Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use std::path::{Path, PathBuf};
use trunkline_firmware::container::{self, Semver};
use trunkline_firmware::digium::{self, DigiumVersion, Variant};
use trunkline_firmware::flash::FaultPlan;
use trunkline_firmware::ihex::{AddressMode, HexImage};
use trunkline_firmware::image::{self, Format};
use trunkline_firmware::simboard::SimBoard;
use trunkline_firmware::update::{self, describe, Options, Outcome, Recovery};

#[derive(Parser)]
#[command(name = "trunkfw", version, about = "Inspect, verify, convert, install and upload board firmware")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Show format, vendor/device, version, size, checksums and address ranges.
    Inspect {
        /// Image file.
        file: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Exit 0 only when the image is intact and matches the expectations.
    Verify {
        /// Image file.
        file: PathBuf,
        /// Version the image must declare.
        #[arg(long)]
        expect_version: Option<String>,
        /// Board model / device the image must be for.
        #[arg(long)]
        model: Option<String>,
    },
    /// Convert between HEX and binary, or wrap a payload into a DIGIUM or Trunkline image.
    Convert {
        /// Input file (HEX, binary, DIGIUM or Trunkline image).
        input: PathBuf,
        /// Output file.
        output: PathBuf,
        /// Output format (default: from the output extension: .hex/.mcs, .tlfw, else binary).
        #[arg(long, value_enum)]
        to: Option<OutFormat>,
        /// Fill value for gaps when flattening HEX.
        #[arg(long, default_value = "0xFF", value_parser = parse_u8)]
        fill: u8,
        /// Base address (binary → HEX: load address; HEX → binary: first address of the output).
        #[arg(long, value_parser = parse_u32)]
        base: Option<u32>,
        /// Data octets per HEX record.
        #[arg(long, default_value_t = 16)]
        record_size: usize,
        /// Write extended segment (type 02) instead of extended linear (type 04) addresses.
        #[arg(long)]
        segment: bool,
        /// Version for a DIGIUM (0x0013001e or 1.12) or Trunkline (1.2.3) image.
        #[arg(long)]
        version: Option<String>,
        /// Board model for a Trunkline image.
        #[arg(long)]
        model: Option<String>,
        /// DIGIUM layout: standard, vpmoct032 or hx8.
        #[arg(long, default_value = "standard")]
        variant: String,
    },
    /// Install an intact image into the firmware directory atomically, keeping the previous file.
    Install {
        /// Image file.
        file: PathBuf,
        /// Firmware directory.
        #[arg(long, default_value = "/lib/firmware")]
        firmware_dir: PathBuf,
    },
    /// Create a simulated board whose factory slot holds FACTORY (a Trunkline image).
    SimInit {
        /// `sim:PATH`.
        #[arg(long)]
        board: String,
        /// Factory image.
        #[arg(long)]
        factory: PathBuf,
    },
    /// Upload a Trunkline image to the board (erase, program, verify, switch, confirm).
    Upload {
        /// `sim:PATH`.
        #[arg(long)]
        board: String,
        /// Image file.
        file: PathBuf,
        /// Allow same or older versions.
        #[arg(long)]
        force: bool,
        /// Simulated fault: `power-loss@N`, `bit-flip@N` (flash operation N) or `boot-fail`.
        #[arg(long)]
        inject: Option<String>,
    },
    /// Show the running version, the update journal and the slots; finishes interrupted updates.
    Status {
        /// `sim:PATH`.
        #[arg(long)]
        board: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Switch back to the previous image (or the factory image).
    Rollback {
        /// `sim:PATH`.
        #[arg(long)]
        board: String,
    },
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum OutFormat {
    Hex,
    Bin,
    Digium,
    Trunkline,
}

fn parse_u32(s: &str) -> Result<u32, String> {
    let r = match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(h) => u32::from_str_radix(h, 16),
        None => s.parse(),
    };
    r.map_err(|e| format!("{s}: {e}"))
}

fn parse_u8(s: &str) -> Result<u8, String> {
    parse_u32(s).and_then(|v| u8::try_from(v).map_err(|_| format!("{s}: larger than 0xFF")))
}

fn main() {
    let cli = Cli::parse();
    match run(cli.cmd) {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("trunkfw: {e:#}");
            std::process::exit(1);
        }
    }
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("reading {}", path.display()))
}

fn name(path: &Path) -> String {
    path.display().to_string()
}

fn run(cmd: Cmd) -> Result<i32> {
    match cmd {
        Cmd::Inspect { file, json } => {
            let data = read(&file)?;
            let r = image::inspect(&name(&file), &data).with_context(|| name(&file))?;
            if json {
                let mut v = serde_json::to_value(&r)?;
                v["intact"] = r.intact().into();
                println!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                print_report(&r);
            }
            Ok(0)
        }
        Cmd::Verify { file, expect_version, model } => {
            let data = read(&file)?;
            let r = image::inspect(&name(&file), &data).with_context(|| name(&file))?;
            let why = image::verify(&r, expect_version.as_deref(), model.as_deref());
            if why.is_empty() {
                println!("{}: OK ({} {})", name(&file), r.format, r.version.as_deref().unwrap_or("-"));
                Ok(0)
            } else {
                for w in &why {
                    eprintln!("{}: {w}", name(&file));
                }
                Ok(1)
            }
        }
        Cmd::Convert { input, output, to, fill, base, record_size, segment, version, model, variant } => {
            convert(&input, &output, to, fill, base, record_size, segment, version, model, &variant)?;
            Ok(0)
        }
        Cmd::Install { file, firmware_dir } => install(&file, &firmware_dir).map(|()| 0),
        Cmd::SimInit { board, factory } => {
            let path = sim_path(&board)?;
            let data = read(&factory)?;
            let c = container::Repr::parse_checked(&data).with_context(|| name(&factory))?;
            let b = SimBoard::standard(&c.model, &data)?;
            b.save(&path)?;
            println!(
                "created simulated {} at {}; running {}",
                c.model,
                path.display(),
                describe(&b.running_image())
            );
            Ok(0)
        }
        Cmd::Upload { board, file, force, inject } => {
            let path = sim_path(&board)?;
            let mut b = load_board(&path)?;
            let data = read(&file)?;
            if let Some(spec) = inject {
                arm(&mut b, &spec, &data)?;
            }
            let res = update::upload(&mut b, &data, Options { force, ..Default::default() });
            // An injected boot failure applies to this run only.
            b.boot_fail.clear();
            b.save(&path)?;
            match res {
                Ok(Outcome::Updated { from, to, resumed }) => {
                    let how = if resumed { " (resumed an interrupted update)" } else { "" };
                    println!("updated {} -> {}{how}", describe(&from), describe(&Some(to)));
                    Ok(0)
                }
                Ok(Outcome::UpToDate(r)) => {
                    println!("already running {}", describe(&Some(r)));
                    Ok(0)
                }
                Err(e) => Err(anyhow!(e))
                    .with_context(|| format!("upload of {} to {}", name(&file), path.display())),
            }
        }
        Cmd::Status { board, json } => {
            let path = sim_path(&board)?;
            let mut b = load_board(&path)?;
            let rec = update::recover(&mut b, None)?;
            b.save(&path)?;
            let st = update::status(&mut b)?;
            let rec = match rec {
                Recovery::Clean => "none".to_string(),
                Recovery::Resumable => "resumable".to_string(),
                Recovery::RolledBack(r) => {
                    format!("interrupted update rolled back; running {}", describe(&r))
                }
                Recovery::Committed(r) => {
                    format!("interrupted update confirmed; running {}", describe(&Some(r)))
                }
            };
            let slots: Vec<_> = st
                .slots
                .iter()
                .map(|s| {
                    serde_json::json!({
                        "slot": s.slot.to_string(),
                        "version": s.image.map(|(v, _)| v.to_string()),
                        "crc32": s.image.map(|(_, c)| format!("{c:#010x}")),
                        "valid": s.image.is_some(),
                    })
                })
                .collect();
            let v = serde_json::json!({
                "model": st.model,
                "running": st.running.map(|r| r.version.to_string()),
                "running_slot": st.running.map(|r| r.slot.to_string()),
                "journal": {
                    "state": format!("{:?}", st.journal.state).to_lowercase(),
                    "seq": st.journal.seq,
                    "active": st.journal.active.to_string(),
                    "previous": st.journal.previous.map(|s| s.to_string()),
                },
                "recovery": rec,
                "slots": slots,
            });
            if json {
                println!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                println!("board     {}", st.model);
                println!("running   {}", describe(&st.running));
                println!(
                    "journal   {:?} (seq {}), active {}, previous {}",
                    st.journal.state,
                    st.journal.seq,
                    st.journal.active,
                    st.journal.previous.map(|s| s.to_string()).unwrap_or_else(|| "-".into())
                );
                println!("recovery  {rec}");
                for s in &st.slots {
                    match s.image {
                        Some((v, c)) => println!("slot {:8} {v} crc32 {c:#010x}", s.slot.to_string()),
                        None => println!("slot {:8} empty or invalid", s.slot.to_string()),
                    }
                }
            }
            Ok(0)
        }
        Cmd::Rollback { board } => {
            let path = sim_path(&board)?;
            let mut b = load_board(&path)?;
            let res = update::rollback(&mut b);
            b.save(&path)?;
            let r = res?;
            println!("rolled back; running {}", describe(&Some(r)));
            Ok(0)
        }
    }
}

fn print_report(r: &image::Report) {
    println!("file      {}", r.file);
    println!("format    {}{}", r.format, r.variant.as_ref().map(|v| format!(" ({v})")).unwrap_or_default());
    println!("vendor    {}", r.vendor.as_deref().unwrap_or("-"));
    println!("device    {}", r.device.as_deref().unwrap_or("-"));
    println!("version   {}", r.version.as_deref().unwrap_or("-"));
    println!("size      {} octets ({} payload)", r.size, r.payload_len);
    for c in &r.checksums {
        let verdict = match c.ok {
            Some(true) => "OK",
            Some(false) => "MISMATCH",
            None => "",
        };
        match &c.stored {
            Some(s) => println!("{:9} stored {s} computed {} {verdict} [{}]", c.kind, c.computed, c.covers),
            None => println!("{:9} {} [{}]", c.kind, c.computed, c.covers),
        }
    }
    for rg in &r.ranges {
        println!("range     {:#010x}..{:#010x} ({} octets)", rg.start, rg.end, rg.end - rg.start);
    }
    if let Some(s) = &r.start_address {
        println!("start     {s}");
    }
    if r.intact() {
        println!("status    intact");
    } else {
        for p in &r.problems {
            println!("problem   {p}");
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn convert(
    input: &Path,
    output: &Path,
    to: Option<OutFormat>,
    fill: u8,
    base: Option<u32>,
    record_size: usize,
    segment: bool,
    version: Option<String>,
    model: Option<String>,
    variant: &str,
) -> Result<()> {
    let data = read(input)?;
    let in_name = name(input);
    // The payload and where it loads.
    let (addr, payload, hex) = match image::detect(&in_name, &data) {
        Format::IntelHex => {
            let h = HexImage::parse(&data).with_context(|| in_name.clone())?;
            let (a, flat) = h.to_binary(base, fill).with_context(|| in_name.clone())?;
            (a, flat, Some(h))
        }
        Format::Digium => {
            let d = digium::Repr::parse_auto(&data, Some(&in_name)).with_context(|| in_name.clone())?;
            d.check().with_context(|| in_name.clone())?;
            (base.unwrap_or(0), d.payload, None)
        }
        Format::Trunkline => {
            let c = container::Repr::parse_checked(&data).with_context(|| in_name.clone())?;
            (base.unwrap_or(c.load_address), c.payload, None)
        }
        Format::Raw => (base.unwrap_or(0), data, None),
    };
    let lower = name(output).to_ascii_lowercase();
    let to = to.unwrap_or(if lower.ends_with(".hex") || lower.ends_with(".mcs") {
        OutFormat::Hex
    } else if lower.ends_with(".tlfw") {
        OutFormat::Trunkline
    } else {
        OutFormat::Bin
    });
    let out: Vec<u8> = match to {
        OutFormat::Bin => payload,
        OutFormat::Hex => {
            let mode = if segment { AddressMode::Segment } else { AddressMode::Linear };
            let h = match hex {
                // HEX → HEX keeps gaps and the start address.
                Some(h) if base.is_none() => h,
                _ => HexImage::from_binary(addr, &payload)?,
            };
            h.to_hex(record_size, mode)?.into_bytes()
        }
        OutFormat::Digium => {
            let var = Variant::parse(variant).ok_or_else(|| anyhow!("unknown DIGIUM variant {variant}"))?;
            let v = version.ok_or_else(|| anyhow!("--version is required for a DIGIUM image"))?;
            let dv = match var {
                Variant::Standard => {
                    DigiumVersion::Word(parse_u32(&v).map_err(|e| anyhow!("--version {e}"))?)
                }
                _ => {
                    let (a, b) = v.split_once('.').ok_or_else(|| anyhow!("--version must be MAJOR.MINOR"))?;
                    DigiumVersion::MajorMinor(a.parse()?, b.parse()?)
                }
            };
            digium::build(var, dv, &payload)?
        }
        OutFormat::Trunkline => {
            let m = model.ok_or_else(|| anyhow!("--model is required for a Trunkline image"))?;
            let v = version.ok_or_else(|| anyhow!("--version is required for a Trunkline image"))?;
            let sv = Semver::parse(&v).ok_or_else(|| anyhow!("--version {v}: expected MAJOR.MINOR.PATCH"))?;
            container::build(&m, sv, addr, &payload)?
        }
    };
    write_atomic(output, &out)?;
    println!("wrote {} ({} octets)", output.display(), out.len());
    Ok(())
}

fn write_atomic(path: &Path, data: &[u8]) -> Result<()> {
    use std::io::Write;
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let file_name = path.file_name().ok_or_else(|| anyhow!("{}: not a file name", path.display()))?;
    let tmp = dir.join(format!(".{}.tmp", file_name.to_string_lossy()));
    let mut f = std::fs::File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
    f.write_all(data).and_then(|()| f.sync_all()).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("renaming {} to {}", tmp.display(), path.display()))
}

fn install(file: &Path, dir: &Path) -> Result<()> {
    let data = read(file)?;
    let r = image::inspect(&name(file), &data).with_context(|| name(file))?;
    if !r.intact() {
        bail!("{}: not installing a damaged image: {}", name(file), r.problems.join("; "));
    }
    let file_name = file.file_name().ok_or_else(|| anyhow!("{}: not a file name", file.display()))?;
    let dest = dir.join(file_name);
    if dest.exists() {
        let prev = dir.join(format!("{}.prev", file_name.to_string_lossy()));
        std::fs::copy(&dest, &prev)
            .with_context(|| format!("keeping previous {} as {}", dest.display(), prev.display()))?;
        println!("kept previous as {}", prev.display());
    }
    write_atomic(&dest, &data)?;
    println!("installed {} ({} {})", dest.display(), r.format, r.version.as_deref().unwrap_or("-"));
    Ok(())
}

fn sim_path(board: &str) -> Result<PathBuf> {
    board
        .strip_prefix("sim:")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .ok_or_else(|| anyhow!("--board {board}: only simulated boards (sim:PATH) are supported"))
}

fn load_board(path: &Path) -> Result<SimBoard> {
    if !path.exists() {
        bail!(
            "no simulated board at {} (create one with `trunkfw sim-init --board sim:{} --factory IMAGE`)",
            path.display(),
            path.display()
        );
    }
    Ok(SimBoard::load(path)?)
}

fn arm(b: &mut SimBoard, spec: &str, image: &[u8]) -> Result<()> {
    let op = |s: &str| s.parse::<u64>().map_err(|e| anyhow!("--inject {spec}: {e}"));
    if let Some(n) = spec.strip_prefix("power-loss@") {
        b.inject(FaultPlan { power_loss_at: Some(op(n)?), ..Default::default() });
    } else if let Some(n) = spec.strip_prefix("bit-flip@") {
        b.inject(FaultPlan { bit_flip_at: Some((op(n)?, 0)), ..Default::default() });
    } else if spec == "boot-fail" {
        let c = container::Repr::parse_checked(image)?;
        b.boot_fail.push(c.crc.1);
    } else {
        bail!("--inject {spec}: expected power-loss@N, bit-flip@N or boot-fail");
    }
    Ok(())
}
