//! The real system-call layer ([`LinuxSys`]): the `unsafe` calls of the backend, exercised on
//! what every Linux box has (a FIFO stands in for a channel fd; `/dev/null` refuses DAHDI
//! ioctls), and the backend's error when the DAHDI modules are not loaded.

use trunkline_driver::dahdi::abi;
use trunkline_driver::dahdi::backend::{DahdiBoard, DahdiConfig};
use trunkline_driver::dahdi::sys::{ioctl_int, LinuxSys, Ready, Sys};
use trunkline_driver::ErrorKind;

#[test]
fn read_write_and_epoll_through_libc_on_a_fifo() {
    let dir = std::env::temp_dir().join(format!("trunkline-linuxsys-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("chan");
    let _ = std::fs::remove_file(&path);
    nix::unistd::mkfifo(&path, nix::sys::stat::Mode::S_IRUSR | nix::sys::stat::Mode::S_IWUSR).unwrap();
    let sys = LinuxSys::new();
    let fd = sys.open(path.to_str().unwrap()).unwrap();
    let ep = sys.epoll_create().unwrap();
    sys.epoll_add(ep, fd, 77).unwrap();
    let mut ready = Vec::new();
    sys.epoll_wait(ep, &mut ready, 0).unwrap();
    assert!(ready.is_empty(), "nothing to read yet: {ready:?}");
    let mut buf = [0u8; 64];
    let e = sys.read(fd, &mut buf).unwrap_err();
    assert_eq!(e.raw_os_error(), Some(libc::EAGAIN), "non-blocking fd");
    assert_eq!(sys.write(fd, &[1, 2, 3, 0x7E]).unwrap(), 4);
    sys.epoll_wait(ep, &mut ready, 100).unwrap();
    assert_eq!(ready, vec![Ready { token: 77, readable: true, priority: false, error: false }]);
    assert_eq!(sys.read(fd, &mut buf).unwrap(), 4);
    assert_eq!(&buf[..4], &[1, 2, 3, 0x7E]);
    // DAHDI ioctls on something that is not a DAHDI device: ENOTTY, never a crash.
    assert_eq!(ioctl_int(&sys, fd, abi::DAHDI_GETEVENT, 0).unwrap_err().raw_os_error(), Some(libc::ENOTTY));
    // An argument shorter than the request's size is refused before reaching the kernel.
    let mut short = [0u8; 8];
    assert!(sys.ioctl(fd, abi::DAHDI_SPANSTAT, &mut short).is_err());
    sys.epoll_del(ep, fd).unwrap();
    assert_eq!(sys.epoll_del(ep, fd).unwrap_err().raw_os_error(), Some(libc::ENOENT));
    sys.close(fd).unwrap();
    sys.close(ep).unwrap();
    assert_eq!(sys.epoll_add(ep, 0, 1).unwrap_err().raw_os_error(), Some(libc::EBADF), "epoll closed");
    assert!(sys.read_text("/proc/self/status").unwrap().contains("Pid:"));
    assert!(sys.exists("/proc/self") && !sys.exists("/nonexistent/dahdi"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn without_dahdi_modules_the_backend_says_to_load_them() {
    if std::path::Path::new(abi::DEV_CTL).exists() {
        eprintln!("skipping: {} exists on this machine", abi::DEV_CTL);
        return;
    }
    let e = DahdiBoard::new(LinuxSys::new(), DahdiConfig::default()).err().expect("no DAHDI here");
    assert_eq!(e.kind, ErrorKind::NoDevice);
    assert!(e.message.contains("modprobe dahdi"), "{}", e.message);
}
