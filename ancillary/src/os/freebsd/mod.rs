//! FreeBSD extensions: flags and control messages.
