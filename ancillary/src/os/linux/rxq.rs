//! [`RxqOvfl`]: `SO_RXQ_OVFL`, how many datagrams a socket dropped.

use crate::ControlMessage;

/// `SO_RXQ_OVFL`: the number of datagrams the socket had dropped for lack of receive
/// buffer when this one was queued, with
/// [`set_rxq_ovfl`](super::SocketOptionsExt::set_rxq_ovfl). The kernel attaches it only
/// once the count is above zero, so its absence means no drop. A `u32` that wraps.
///
/// # References
/// `socket(7)`, `SO_RXQ_OVFL`.
#[derive(ControlMessage, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cmsg(crate = crate, level = libc::SOL_SOCKET, type = libc::SO_RXQ_OVFL)]
#[repr(C)]
#[doc(alias = "SO_RXQ_OVFL")]
pub struct RxqOvfl {
    dropped: u32,
}

impl RxqOvfl {
    /// The number of datagrams dropped so far (modulo 2³²).
    #[must_use]
    pub const fn dropped(&self) -> u32 {
        self.dropped
    }
}
