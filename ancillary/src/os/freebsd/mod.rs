//! FreeBSD extensions: flags and control messages.

mod options;
pub use self::options::*;

mod creds;
pub use self::creds::{ScmCreds, CMGROUP_MAX};

mod sockcred;
pub use self::sockcred::{SockCred, SockCred2};

#[cfg(test)]
mod tests;
