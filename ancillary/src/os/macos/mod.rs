//! macOS (and iOS) extensions: flags and control messages.

mod options;
pub use self::options::*;
