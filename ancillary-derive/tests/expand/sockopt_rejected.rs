// Rejected (generic, no `name`): the errors, and stubs of the impls a valid input gets, the
// markers as `read_only` says.
#[derive(SocketOption)]
#[sockopt(level = libc::SOL_SOCKET, read_only)]
#[repr(C)]
struct Peer<T> {
    ucred: T,
}
