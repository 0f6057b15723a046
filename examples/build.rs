//! Sets the `io_uring_target` cfg (Linux on the architectures of
//! `ancillary/io_uring_target.rs`, the one list) for the io_uring example.

include!("../ancillary/io_uring_target.rs");

fn main() {
    set_io_uring_target_cfg(&["linux"]);
}
