//! Raw `libc`, as a downstream crate writes it for a run-time number of descriptors: a
//! stack control buffer per call, `CMSG_*` macros, `close` on each received descriptor.

use super::*;
use crate::common::raw_libc::libc_sum;

/// A control buffer with room for [`MAX_FDS`] descriptors, at `cmsghdr` alignment.
#[repr(C, align(8))]
struct Control([u8; AncillaryData::space_for_fds(MAX_FDS)]);

/// `msghdr` over one `iovec` and a control buffer.
#[inline(always)]
fn msghdr(iov: &mut libc::iovec, control: *mut u8, control_len: usize) -> libc::msghdr {
    // SAFETY: msghdr is plain pointers and integers; all zeroes is valid.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.cast();
    msg.msg_controllen = control_len as _;
    msg
}

pub struct LibcCalls;

impl Calls for LibcCalls {
    #[inline(never)]
    fn send_fds(&mut self, tx: &UnixStream, fds: &[BorrowedFd<'static>]) {
        assert!(fds.len() <= MAX_FDS, "room for {MAX_FDS} descriptors");
        let mut control = Control([0; AncillaryData::space_for_fds(MAX_FDS)]);
        let payload = (fds.len() * size_of::<c_int>()) as u32;
        // SAFETY: CMSG_SPACE/CMSG_LEN are arithmetic.
        let (space, len) = unsafe { (libc::CMSG_SPACE(payload), libc::CMSG_LEN(payload)) };
        let mut iov = libc::iovec {
            iov_base: b"x".as_ptr().cast_mut().cast(),
            iov_len: 1,
        };
        let msg = msghdr(&mut iov, control.0.as_mut_ptr(), space as usize);
        // SAFETY: `control` is aligned and holds `space` bytes (checked against MAX_FDS
        // above), so the header and the descriptors fit; `sendmsg` only reads the buffers.
        let sent = unsafe {
            let c = libc::CMSG_FIRSTHDR(&msg);
            (*c).cmsg_level = libc::SOL_SOCKET;
            (*c).cmsg_type = libc::SCM_RIGHTS;
            (*c).cmsg_len = len as _;
            let data = libc::CMSG_DATA(c).cast::<c_int>();
            for (i, fd) in fds.iter().enumerate() {
                data.add(i).write_unaligned(fd.as_raw_fd());
            }
            libc::sendmsg(tx.as_raw_fd(), &msg, 0)
        };
        assert_eq!(sent, 1, "sendmsg");
    }

    #[inline(never)]
    fn recv_close(&mut self, rx: &UnixStream) -> u64 {
        let mut control = Control([0; AncillaryData::space_for_fds(MAX_FDS)]);
        let mut byte = [0u8; 1];
        let mut iov = libc::iovec {
            iov_base: byte.as_mut_ptr().cast(),
            iov_len: 1,
        };
        let mut msg = msghdr(&mut iov, control.0.as_mut_ptr(), control.0.len());
        // SAFETY: `msg` points to live, writable buffers of the stated lengths.
        let received = unsafe { libc::recvmsg(rx.as_raw_fd(), &mut msg, libc::MSG_CMSG_CLOEXEC) };
        assert_eq!(received, 1, "recvmsg");
        let mut n = 0;
        // SAFETY: the kernel wrote `msg_controllen` bytes of well-formed messages; every
        // SCM_RIGHTS descriptor is new and ours to close.
        unsafe {
            let mut c = libc::CMSG_FIRSTHDR(&msg);
            while !c.is_null() {
                if (*c).cmsg_level == libc::SOL_SOCKET && (*c).cmsg_type == libc::SCM_RIGHTS {
                    let count =
                        ((*c).cmsg_len as usize - libc::CMSG_LEN(0) as usize) / size_of::<c_int>();
                    let data = libc::CMSG_DATA(c).cast::<c_int>();
                    for i in 0..count {
                        libc::close(data.add(i).read_unaligned());
                        n += 1;
                    }
                }
                c = libc::CMSG_NXTHDR(&msg, c);
            }
        }
        n
    }

    #[inline(never)]
    fn send_data(&mut self, tx: &UnixStream, data: &[u8]) {
        let mut iov = libc::iovec {
            iov_base: data.as_ptr().cast_mut().cast(),
            iov_len: data.len(),
        };
        let msg = msghdr(&mut iov, std::ptr::null_mut(), 0);
        // SAFETY: `msg` points to a live buffer that `sendmsg` only reads.
        let sent = unsafe { libc::sendmsg(tx.as_raw_fd(), &msg, 0) };
        assert_eq!(sent, data.len() as isize, "sendmsg");
    }

    #[inline(never)]
    fn recv_data(&mut self, rx: &UnixStream, buf: &mut [u8]) -> u64 {
        let mut iov = libc::iovec {
            iov_base: buf.as_mut_ptr().cast(),
            iov_len: buf.len(),
        };
        let mut msg = msghdr(&mut iov, std::ptr::null_mut(), 0);
        // SAFETY: `msg` points to a live, writable buffer of the stated length.
        let n = unsafe { libc::recvmsg(rx.as_raw_fd(), &mut msg, libc::MSG_CMSG_CLOEXEC) };
        assert!(n >= 0, "recvmsg");
        n as u64
    }

    #[inline(never)]
    fn parse(&mut self, bytes: &mut [u8]) -> u64 {
        let mut iov = libc::iovec {
            iov_base: std::ptr::null_mut(),
            iov_len: 0,
        };
        // The buffer is the fixture's, at `cmsghdr` alignment.
        let msg = msghdr(&mut iov, bytes.as_mut_ptr(), bytes.len());
        libc_sum(&msg)
    }
}

impl NewCalls for LibcCalls {
    const NAME: &'static str = "ds-libc";
    fn new() -> Self {
        LibcCalls
    }
}

pub type DsLibc = Downstream<LibcCalls>;
