//! macOS-specific flags for [`SendOptions`].

use crate::os::Sealed;
use crate::SendOptions;

/// macOS-specific flags for `sendmsg`.
///
/// macOS has no `MSG_NOSIGNAL`, so [`SendOptions::no_signal`] has no effect there: set the
/// `SO_NOSIGPIPE` socket option instead (Rust programs ignore `SIGPIPE` by default anyway).
pub trait SendOptionsExt: Sealed {
    /// `MSG_DONTROUTE`: send only to hosts on directly connected networks.
    #[doc(alias = "MSG_DONTROUTE")]
    fn dont_route(&mut self, dont_route: bool) -> &mut Self;
}

impl SendOptionsExt for SendOptions {
    fn dont_route(&mut self, dont_route: bool) -> &mut Self {
        self.set(libc::MSG_DONTROUTE, dont_route)
    }
}
