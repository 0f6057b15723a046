//! Raw `libc`: `msghdr`s filled by hand and the C macros.

use super::*;

/// Raw `libc`: `msghdr`s filled by hand, `CMSG_FIRSTHDR`/`CMSG_NXTHDR`/`CMSG_DATA`.
pub struct Libc {
    fx: &'static Fixture,
    two: Aligned,
    three: Aligned,
}

/// A zeroed `msghdr` over one `iovec` and a control buffer.
#[inline(always)]
fn libc_msghdr(iov: &mut libc::iovec, control: *mut u8, control_len: usize) -> libc::msghdr {
    // SAFETY: msghdr is plain pointers and integers; all zeroes is valid.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.cast();
    msg.msg_controllen = control_len as _;
    msg
}

/// Sums the fields of the messages of `msg` (its control buffer must hold well-formed
/// messages), walking them with the C macros.
#[inline(always)]
pub(super) fn libc_sum(msg: &libc::msghdr) -> u64 {
    let mut sum = 0u64;
    // SAFETY: `msg` describes a live, aligned control buffer; CMSG_FIRSTHDR/CMSG_NXTHDR
    // only return headers that lie within it, and each payload read stays within the
    // header's `cmsg_len`, which the kernel (or the fixture) wrote.
    unsafe {
        let mut c = libc::CMSG_FIRSTHDR(msg);
        while !c.is_null() {
            let data = libc::CMSG_DATA(c);
            let payload = (*c).cmsg_len as usize - libc::CMSG_LEN(0) as usize;
            match ((*c).cmsg_level, (*c).cmsg_type) {
                (libc::SOL_SOCKET, libc::SCM_RIGHTS) => {
                    for i in 0..payload / size_of::<c_int>() {
                        let fd = data.cast::<c_int>().add(i).read_unaligned();
                        sum += fd as u64;
                    }
                }
                (libc::SOL_SOCKET, libc::SCM_CREDENTIALS) if payload >= 12 => {
                    let cred = data.cast::<libc::ucred>().read_unaligned();
                    sum += cred.pid as u64 + u64::from(cred.uid) + u64::from(cred.gid);
                }
                (CUSTOM_LEVEL, CUSTOM_TYPE) if payload >= 8 => {
                    let a = data.cast::<u32>().read_unaligned();
                    let b = data.cast::<u32>().add(1).read_unaligned();
                    sum += u64::from(a) + u64::from(b);
                }
                _ => {}
            }
            c = libc::CMSG_NXTHDR(msg, c);
        }
    }
    sum
}

impl Impl for Libc {
    const NAME: &'static str = "libc";

    fn new(fx: &'static Fixture) -> Self {
        Libc {
            fx,
            two: fx.two,
            three: fx.three,
        }
    }

    #[inline(always)]
    fn pass_fds<const N: usize>(&mut self) -> u64 {
        let mut cbuf = [0u64; 4];
        let mut iov = libc::iovec {
            iov_base: b"x".as_ptr().cast_mut().cast(),
            iov_len: 1,
        };
        // SAFETY: CMSG_SPACE/CMSG_LEN are arithmetic.
        let (space, len) = unsafe {
            (
                libc::CMSG_SPACE((N * size_of::<c_int>()) as u32) as usize,
                libc::CMSG_LEN((N * size_of::<c_int>()) as u32) as usize,
            )
        };
        let msg = libc_msghdr(&mut iov, cbuf.as_mut_ptr().cast(), space);
        // SAFETY: `cbuf` is aligned and holds `space` (at most 32) bytes, so the first
        // header and its `N` descriptors fit; `msg` points to live buffers for `sendmsg`,
        // which only reads them.
        let sent = unsafe {
            let c = libc::CMSG_FIRSTHDR(&msg);
            (*c).cmsg_level = libc::SOL_SOCKET;
            (*c).cmsg_type = libc::SCM_RIGHTS;
            (*c).cmsg_len = len as _;
            let data = libc::CMSG_DATA(c).cast::<c_int>();
            for (i, fd) in self.fx.send_fds[..N].iter().enumerate() {
                data.add(i).write_unaligned(fd.as_raw_fd());
            }
            libc::sendmsg(self.fx.tx.as_raw_fd(), &msg, 0)
        };
        assert_eq!(sent, 1, "sendmsg");

        let mut rbuf = [0u64; 4];
        let mut byte = [0u8; 1];
        let mut iov = libc::iovec {
            iov_base: byte.as_mut_ptr().cast(),
            iov_len: 1,
        };
        let mut msg = libc_msghdr(&mut iov, rbuf.as_mut_ptr().cast(), size_of_val(&rbuf));
        // SAFETY: `msg` points to live, writable buffers of the stated lengths.
        let received =
            unsafe { libc::recvmsg(self.fx.rx.as_raw_fd(), &mut msg, libc::MSG_CMSG_CLOEXEC) };
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

    #[inline(always)]
    fn data64(&mut self) -> u64 {
        let mut iov = libc::iovec {
            iov_base: DATA64.as_ptr().cast_mut().cast(),
            iov_len: DATA64.len(),
        };
        let msg = libc_msghdr(&mut iov, std::ptr::null_mut(), 0);
        // SAFETY: `msg` points to a live buffer that `sendmsg` only reads.
        let sent = unsafe { libc::sendmsg(self.fx.tx.as_raw_fd(), &msg, 0) };
        assert_eq!(sent, 64, "sendmsg");
        let mut buf = [0u8; 64];
        let mut iov = libc::iovec {
            iov_base: buf.as_mut_ptr().cast(),
            iov_len: buf.len(),
        };
        let mut msg = libc_msghdr(&mut iov, std::ptr::null_mut(), 0);
        // SAFETY: `msg` points to a live, writable buffer of the stated length.
        let n = unsafe { libc::recvmsg(self.fx.rx.as_raw_fd(), &mut msg, libc::MSG_CMSG_CLOEXEC) };
        assert!(n >= 0, "recvmsg");
        n as u64
    }

    #[inline(always)]
    fn parse(&mut self, custom: bool) -> u64 {
        let (buf, len) = if custom {
            (&mut self.three, self.fx.three_len)
        } else {
            (&mut self.two, self.fx.two_len)
        };
        let mut iov = libc::iovec {
            iov_base: std::ptr::null_mut(),
            iov_len: 0,
        };
        let msg = libc_msghdr(&mut iov, black_box(buf.0.as_mut_ptr()), len);
        libc_sum(&msg)
    }

    #[inline(always)]
    fn find_custom(&mut self) -> u64 {
        let mut iov = libc::iovec {
            iov_base: std::ptr::null_mut(),
            iov_len: 0,
        };
        let msg = libc_msghdr(
            &mut iov,
            black_box(self.three.0.as_mut_ptr()),
            self.fx.three_len,
        );
        // SAFETY: as in `libc_sum`.
        unsafe {
            let mut c = libc::CMSG_FIRSTHDR(&msg);
            while !c.is_null() {
                if (*c).cmsg_level == CUSTOM_LEVEL
                    && (*c).cmsg_type == CUSTOM_TYPE
                    && (*c).cmsg_len as usize == libc::CMSG_LEN(8) as usize
                {
                    let data = libc::CMSG_DATA(c).cast::<u32>();
                    let a = data.read_unaligned();
                    let b = data.add(1).read_unaligned();
                    return u64::from(a) + u64::from(b);
                }
                c = libc::CMSG_NXTHDR(&msg, c);
            }
        }
        0
    }
}
