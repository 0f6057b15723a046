//! Sets the `io_uring_target` cfg (see `tests/io_uring_target.rs`) for the io_uring fuzz target.

include!("../tests/io_uring_target.rs");

fn main() {
    set_io_uring_target_cfg();
}
