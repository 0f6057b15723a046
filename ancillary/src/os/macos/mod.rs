//! macOS (and iOS) extensions: flags and control messages.
