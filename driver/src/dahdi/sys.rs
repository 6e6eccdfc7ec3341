//! The one door to the operating system for the DAHDI backend: every system call it makes
//! (open, close, ioctl, read, write, epoll, reading `/proc`) goes through [`Sys`], so the backend
//! runs unchanged on the real kernel ([`LinuxSys`]) or on the in-process fake kernel
//! ([`super::fake::FakeKernel`]) in tests.

use std::io;
use std::sync::Mutex;

use super::abi;

/// A file descriptor number as the [`Sys`] implementation hands it out.
pub type RawFd = i32;

/// What `epoll_wait` reported for one registered fd.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ready {
    /// The token given at registration.
    pub token: u64,
    /// `EPOLLIN`: a buffer (audio block or HDLC frame) can be read.
    pub readable: bool,
    /// `EPOLLPRI`: an event is queued (`DAHDI_GETEVENT`).
    pub priority: bool,
    /// `EPOLLERR`/`EPOLLHUP`: the fd is dead (device removed).
    pub error: bool,
}

/// The system calls of the DAHDI backend. Errors are `io::Error`s carrying the errno
/// (`raw_os_error`), as the kernel returns them (`ELAST` = 500 included).
pub trait Sys: Send + Sync {
    /// `open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC)`.
    fn open(&self, path: &str) -> io::Result<RawFd>;
    /// `close(fd)`.
    fn close(&self, fd: RawFd) -> io::Result<()>;
    /// `ioctl(fd, request, arg)` with `arg` the in/out argument bytes (at least the size the
    /// request encodes).
    fn ioctl(&self, fd: RawFd, request: u32, arg: &mut [u8]) -> io::Result<()>;
    /// `read(fd, buf)`: one buffer (an audio block or one HDLC frame with its 2 FCS octets).
    fn read(&self, fd: RawFd, buf: &mut [u8]) -> io::Result<usize>;
    /// `write(fd, buf)`: at most one block (or one HDLC frame plus 2 FCS placeholder octets).
    fn write(&self, fd: RawFd, buf: &[u8]) -> io::Result<usize>;
    /// `epoll_create1(EPOLL_CLOEXEC)`.
    fn epoll_create(&self) -> io::Result<RawFd>;
    /// Registers `fd` for `EPOLLIN | EPOLLPRI` (level-triggered) with `token`.
    fn epoll_add(&self, ep: RawFd, fd: RawFd, token: u64) -> io::Result<()>;
    /// Unregisters `fd`.
    fn epoll_del(&self, ep: RawFd, fd: RawFd) -> io::Result<()>;
    /// Waits up to `timeout_ms` for ready fds; appends what is ready to `out`.
    fn epoll_wait(&self, ep: RawFd, out: &mut Vec<Ready>, timeout_ms: u16) -> io::Result<()>;
    /// Reads a whole text file (`/proc/dahdi/N`).
    fn read_text(&self, path: &str) -> io::Result<String>;
    /// True if `path` exists (is `/dev/dahdi/ctl` there?).
    fn exists(&self, path: &str) -> bool;
}

/// Reads a native-endian `i32` at `off` (0 when the buffer is short: kernel input never panics).
pub fn get_i32(buf: &[u8], off: usize) -> i32 {
    let mut a = [0u8; 4];
    if let Some(b) = buf.get(off..off + 4) {
        a.copy_from_slice(b);
    }
    i32::from_ne_bytes(a)
}

/// Writes a native-endian `i32` at `off` (ignored when the buffer is short).
pub fn put_i32(buf: &mut [u8], off: usize, v: i32) {
    if let Some(b) = buf.get_mut(off..off + 4) {
        b.copy_from_slice(&v.to_ne_bytes());
    }
}

/// The C string in `len` bytes at `off`.
pub fn get_str(buf: &[u8], off: usize, len: usize) -> String {
    abi::c_string(buf.get(off..off + len).unwrap_or(&[]))
}

/// Copies `s` into the C char array of `len` bytes at `off` (NUL-terminated, truncated).
pub fn put_str(buf: &mut [u8], off: usize, len: usize, s: &str) {
    if let Some(b) = buf.get_mut(off..off + len) {
        b.fill(0);
        let n = s.len().min(len.saturating_sub(1));
        b[..n].copy_from_slice(&s.as_bytes()[..n]);
    }
}

/// An ioctl whose argument is one `int`.
pub fn ioctl_int(sys: &dyn Sys, fd: RawFd, request: u32, v: i32) -> io::Result<i32> {
    let mut a = v.to_ne_bytes();
    sys.ioctl(fd, request, &mut a)?;
    Ok(i32::from_ne_bytes(a))
}

/// [`super::plan::DahdiDevices`] over a [`Sys`], so `dahdi cfg` applies a configuration through
/// the same system-call layer as the backend (the real kernel, or the fake one in tests).
#[derive(Default)]
pub struct SysDevices<S: Sys>(pub std::sync::Arc<S>);

impl<S: Sys> SysDevices<S> {
    /// Devices of `sys`.
    pub fn new(sys: S) -> Self {
        Self(std::sync::Arc::new(sys))
    }
}

/// An fd opened through [`SysDevices`]; closed when dropped.
pub struct SysFd<S: Sys> {
    sys: std::sync::Arc<S>,
    fd: RawFd,
}

impl<S: Sys> super::plan::DahdiFd for SysFd<S> {
    fn ioctl(&mut self, request: u32, arg: &mut [u8]) -> io::Result<()> {
        self.sys.ioctl(self.fd, request, arg)
    }
}

impl<S: Sys> Drop for SysFd<S> {
    fn drop(&mut self) {
        let _ = self.sys.close(self.fd);
    }
}

impl<S: Sys> super::plan::DahdiDevices for SysDevices<S> {
    type Fd = SysFd<S>;
    fn open(&mut self, path: &str) -> io::Result<SysFd<S>> {
        let fd = self.0.open(path)?;
        Ok(SysFd { sys: self.0.clone(), fd })
    }
}

/// The real kernel: `/dev/dahdi/*` through libc, epoll through nix. The only `unsafe` of the
/// backend lives here.
#[derive(Default)]
pub struct LinuxSys {
    epolls: Mutex<Vec<nix::sys::epoll::Epoll>>,
}

impl LinuxSys {
    /// A handle on the running kernel.
    pub fn new() -> Self {
        Self::default()
    }

    fn with_epoll<T>(
        &self,
        ep: RawFd,
        f: impl FnOnce(&nix::sys::epoll::Epoll) -> nix::Result<T>,
    ) -> io::Result<T> {
        use std::os::fd::AsRawFd;
        let g = self.epolls.lock().map_err(|_| io::Error::other("epoll table poisoned"))?;
        let e = g
            .iter()
            .find(|e| e.0.as_raw_fd() == ep)
            .ok_or_else(|| io::Error::from_raw_os_error(libc::EBADF))?;
        f(e).map_err(io::Error::from)
    }
}

fn cvt(r: libc::c_int) -> io::Result<libc::c_int> {
    if r < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(r)
    }
}

fn cvt_size(r: libc::ssize_t) -> io::Result<usize> {
    if r < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(r as usize)
    }
}

#[allow(unsafe_code)]
impl Sys for LinuxSys {
    fn open(&self, path: &str) -> io::Result<RawFd> {
        let c = std::ffi::CString::new(path).map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))?;
        // SAFETY: `c` is a valid NUL-terminated string that outlives the call; open(2) does not
        // keep the pointer.
        cvt(unsafe { libc::open(c.as_ptr(), libc::O_RDWR | libc::O_NONBLOCK | libc::O_CLOEXEC) })
    }

    fn close(&self, fd: RawFd) -> io::Result<()> {
        {
            use std::os::fd::AsRawFd;
            let mut g = self.epolls.lock().map_err(|_| io::Error::other("epoll table poisoned"))?;
            if let Some(i) = g.iter().position(|e| e.0.as_raw_fd() == fd) {
                drop(g.swap_remove(i)); // the Epoll owns its fd and closes it
                return Ok(());
            }
        }
        // SAFETY: closing a number has no memory effects; the backend closes only fds it opened
        // and forgets them afterwards.
        cvt(unsafe { libc::close(fd) }).map(|_| ())
    }

    fn ioctl(&self, fd: RawFd, request: u32, arg: &mut [u8]) -> io::Result<()> {
        if arg.len() < abi::ioc_size(request) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "ioctl argument shorter than its request size",
            ));
        }
        // SAFETY: `arg` is an exclusively borrowed live buffer at least as long as the size encoded
        // in `request`, which is all a DAHDI fixed-size ioctl reads or writes.
        cvt(unsafe { libc::ioctl(fd, request as libc::c_ulong, arg.as_mut_ptr()) }).map(|_| ())
    }

    fn read(&self, fd: RawFd, buf: &mut [u8]) -> io::Result<usize> {
        // SAFETY: `buf` is valid for writes of `buf.len()` bytes for the duration of the call.
        cvt_size(unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) })
    }

    fn write(&self, fd: RawFd, buf: &[u8]) -> io::Result<usize> {
        // SAFETY: `buf` is valid for reads of `buf.len()` bytes for the duration of the call.
        cvt_size(unsafe { libc::write(fd, buf.as_ptr().cast(), buf.len()) })
    }

    fn epoll_create(&self) -> io::Result<RawFd> {
        use nix::sys::epoll::{Epoll, EpollCreateFlags};
        use std::os::fd::AsRawFd;
        let e = Epoll::new(EpollCreateFlags::EPOLL_CLOEXEC).map_err(io::Error::from)?;
        let fd = e.0.as_raw_fd();
        self.epolls.lock().map_err(|_| io::Error::other("epoll table poisoned"))?.push(e);
        Ok(fd)
    }

    fn epoll_add(&self, ep: RawFd, fd: RawFd, token: u64) -> io::Result<()> {
        use nix::sys::epoll::{EpollEvent, EpollFlags};
        // SAFETY: `fd` is open (the backend registers only fds it holds open) for the duration
        // of this call; epoll keeps no borrow of it.
        let b = unsafe { std::os::fd::BorrowedFd::borrow_raw(fd) };
        self.with_epoll(ep, |e| e.add(b, EpollEvent::new(EpollFlags::EPOLLIN | EpollFlags::EPOLLPRI, token)))
    }

    fn epoll_del(&self, ep: RawFd, fd: RawFd) -> io::Result<()> {
        // SAFETY: as in `epoll_add`: the fd is still open while it is unregistered.
        let b = unsafe { std::os::fd::BorrowedFd::borrow_raw(fd) };
        self.with_epoll(ep, |e| e.delete(b))
    }

    fn epoll_wait(&self, ep: RawFd, out: &mut Vec<Ready>, timeout_ms: u16) -> io::Result<()> {
        use nix::sys::epoll::{EpollEvent, EpollFlags};
        let mut evs = [EpollEvent::empty(); 256];
        let mut timeout = timeout_ms;
        loop {
            let n = match self.with_epoll(ep, |e| e.wait(&mut evs, timeout)) {
                Err(e) if e.raw_os_error() == Some(libc::EINTR) => 0,
                r => r?,
            };
            for ev in &evs[..n] {
                let f = ev.events();
                out.push(Ready {
                    token: ev.data(),
                    readable: f.contains(EpollFlags::EPOLLIN),
                    priority: f.contains(EpollFlags::EPOLLPRI),
                    error: f.intersects(EpollFlags::EPOLLERR | EpollFlags::EPOLLHUP),
                });
            }
            if n < evs.len() {
                return Ok(());
            }
            timeout = 0; // more may be ready: drain without waiting
        }
    }

    fn read_text(&self, path: &str) -> io::Result<String> {
        std::fs::read_to_string(path)
    }

    fn exists(&self, path: &str) -> bool {
        std::path::Path::new(path).exists()
    }
}
