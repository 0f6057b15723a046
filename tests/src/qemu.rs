//! qemu-user: whether the tests run under emulation, and the reasons a check is skipped
//! there.

/// Whether the tests run under qemu-user emulation: CI sets `ANCILLARY_UNDER_QEMU` (to the
/// runner command) for the i686 and s390x test runs.
///
/// qemu-user translates each system call for the host kernel, and gets some of what these
/// tests check wrong (the `QEMU_*` reasons below). A test skips exactly the checks that
/// depend on such a gap, only under qemu, and says so with [`skipped`]; natively every
/// check runs.
pub fn under_qemu() -> bool {
    std::env::var_os("ANCILLARY_UNDER_QEMU").is_some_and(|runner| !runner.is_empty())
}

/// Whether the tests run under qemu-user for a big-endian target on a little-endian host
/// (s390x on x86_64): see [`QEMU_CROSS_ENDIAN_CMSG`].
pub fn under_qemu_cross_endian() -> bool {
    under_qemu() && cfg!(target_endian = "big")
}

/// Prints why a test (or part of one) did not run: `skipped: <test>: <what>: <reason>`,
/// the test named after the harness's thread. CI counts these lines.
pub fn skipped(what: &str, reason: &str) {
    let thread = std::thread::current();
    let test = thread.name().unwrap_or("?");
    println!("skipped: {test}: {what}: {reason}");
}

/// qemu-user loses `MSG_CTRUNC`: it gives the host kernel a larger control buffer than the
/// guest's and then overwrites `msg_flags`, so a receive that the guest's buffer cut short
/// is not flagged, and more descriptors may be installed than fit (qemu closes none).
pub const QEMU_LOSES_CTRUNC: &str = "qemu-user does not report MSG_CTRUNC (it gives the host \
     kernel a larger control buffer and overwrites msg_flags)";

/// qemu-user copies the send-side control messages it has no conversion for byte for byte,
/// so on a big-endian guest their integers reach the little-endian host kernel
/// byte-swapped (`IP_TTL`/`IP_TOS` are refused with `EINVAL`, `UDP_SEGMENT` gets a wrong
/// size).
pub const QEMU_CROSS_ENDIAN_CMSG: &str = "qemu-user passes send-side control messages it \
     does not convert (IP_TTL, IP_TOS, UDP_SEGMENT) to the little-endian host kernel \
     unswapped from this big-endian guest";

/// Whether the tests run under qemu-user for i686, which leaves the offender address of
/// `IP_RECVERR`/`IPV6_RECVERR` messages zeroed: see [`QEMU_I386_RECVERR_OFFENDER`].
pub fn under_qemu_i386() -> bool {
    under_qemu() && cfg!(target_arch = "x86")
}

/// qemu-user for i686 converts the `sock_extended_err` of an `IP_RECVERR`/`IPV6_RECVERR`
/// message field by field but leaves the offender address after it zeroed (family 0),
/// although the host kernel filled it in (the same binary's bytes show it; qemu-s390x and
/// native runs get it).
pub const QEMU_I386_RECVERR_OFFENDER: &str = "qemu-i386 leaves the offender address of \
     IP_RECVERR/IPV6_RECVERR messages zeroed";

/// qemu-user converts the socket options it knows between guest and host and refuses the
/// others with `ENOPROTOOPT` (among them `IP_MTU`, `SO_TIMESTAMPING` and several receive
/// flags), and converts `SO_TIMESTAMPING` as a plain `int`.
pub const QEMU_SOCKOPT_UNTRANSLATED: &str = "qemu-user refuses socket options it has no \
     conversion for with ENOPROTOOPT, and converts SO_TIMESTAMPING as an int";

/// qemu-user delivers a signal sent to one thread (`pthread_kill`) while other threads of
/// the process start and run: in about one run in six of the `EINTR` tests with libtest's
/// parallel threads, the emulated process then crashed (a segmentation fault, or std
/// aborting in a thread's start-up); alone (`--test-threads=1`) they passed 20 runs of 20.
pub const QEMU_SIGNALS_AMONG_THREADS: &str = "qemu-user's delivery of a signal to one \
     thread while others start and run crashes the emulated process now and then";

/// Whether `error` is qemu-user refusing an option it does not translate (see
/// [`QEMU_SOCKOPT_UNTRANSLATED`]); says so with [`skipped`] when it is.
pub fn qemu_sockopt_gap(option: &str, error: &std::io::Error) -> bool {
    let gap = under_qemu() && error.raw_os_error() == Some(libc::ENOPROTOOPT);
    if gap {
        skipped(option, QEMU_SOCKOPT_UNTRANSLATED);
    }
    gap
}
