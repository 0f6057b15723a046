//! Linux (and Android, where libc agrees) extensions: flags and control messages.

mod options;
pub use self::options::*;
