//! macOS (and iOS) extensions: flags and control messages.

mod options;
pub use self::options::*;

mod creds;
pub use self::creds::{ScmCreds, CMGROUP_MAX};

#[cfg(test)]
mod tests;
