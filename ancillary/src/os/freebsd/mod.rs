//! FreeBSD extensions: flags and control messages.

mod options;
pub use self::options::*;
