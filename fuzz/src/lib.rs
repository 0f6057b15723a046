//! The checks behind the fuzz targets, one `pub fn` per target, each taking the raw fuzz
//! input and panicking on any violated property.
//!
//! This file is also compiled into the `tests` crate's `fuzz_corpus` test (with
//! `#[path]`), which replays the committed corpus through the same checks in every
//! `cargo test`. So it depends only on `ancillary`, `libc` and std, and decodes its input
//! by hand instead of through `arbitrary`.
//!
//! * [`check_parse`]: any bytes at any alignment, walked by `ControlMessages::iter` and
//!   converted with every built-in typed message.
//! * [`check_differential`]: aligned bytes walked by our iterator and by libc's
//!   `CMSG_FIRSTHDR`/`CMSG_NXTHDR`; where they differ, the differences are the documented
//!   ones, and ours is the safe side.
//! * [`check_roundtrip`]: a program of builder operations over heap or fixed storage,
//!   checked against a model, then parsed back.

use std::ffi::c_int;
use std::mem::MaybeUninit;
use std::ops::Range;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};

use ancillary::{
    cmsg_align, cmsg_len, cmsg_space, AncillaryData, ControlMessage, ControlMessagePayload,
    ControlMessages, HEADER_LEN,
};

/// The largest input worth looking at: control buffers are small, and libFuzzer's default
/// `-max_len` is 4096 anyway.
const MAX_INPUT: usize = 1 << 16;

/// A 16-byte-aligned copy of `bytes`, starting `offset` bytes into the allocation; keep
/// the returned buffer alive while using the slice from [`Aligned::bytes`].
struct Aligned {
    words: Vec<u128>,
    offset: usize,
    len: usize,
}

impl Aligned {
    fn new(bytes: &[u8], offset: usize) -> Aligned {
        let mut words = vec![0u128; (offset + bytes.len()).div_ceil(16) + 1];
        // SAFETY: `words` is a live allocation of `words.len() * 16` initialised bytes,
        // borrowed exclusively here; u128 has no padding, so viewing it as bytes is sound.
        let all = unsafe {
            std::slice::from_raw_parts_mut(words.as_mut_ptr().cast::<u8>(), words.len() * 16)
        };
        all[offset..offset + bytes.len()].copy_from_slice(bytes);
        Aligned {
            words,
            offset,
            len: bytes.len(),
        }
    }

    fn bytes(&self) -> &[u8] {
        // SAFETY: as in `new`, shared; `offset + len` is within the allocation.
        let all = unsafe {
            std::slice::from_raw_parts(self.words.as_ptr().cast::<u8>(), self.words.len() * 16)
        };
        &all[self.offset..self.offset + self.len]
    }
}

/// Where `inner` lies within `outer`, as a byte range of `outer`; panics if it does not
/// lie entirely inside.
fn range_within(outer: &[u8], inner: &[u8]) -> Range<usize> {
    let start = (inner.as_ptr() as usize).wrapping_sub(outer.as_ptr() as usize);
    assert!(
        start <= outer.len() && inner.len() <= outer.len() - start,
        "slice of {} bytes at offset {start} is outside the {}-byte input",
        inner.len(),
        outer.len()
    );
    start..start + inner.len()
}

/// The width of `cmsghdr::cmsg_len`: `size_t` on glibc, `socklen_t` on musl and the BSDs.
fn cmsg_len_width() -> usize {
    fn size_of_field<T>(_: fn(&libc::cmsghdr) -> T) -> usize {
        size_of::<T>()
    }
    size_of_field(|h| h.cmsg_len)
}

/// Reads the `cmsg_len` field of the header at `at`, as the iterator must have.
fn cmsg_len_at(bytes: &[u8], at: usize) -> usize {
    let field = at + std::mem::offset_of!(libc::cmsghdr, cmsg_len);
    if cmsg_len_width() == 8 {
        u64::from_ne_bytes(bytes[field..field + 8].try_into().expect("8 bytes")) as usize
    } else {
        u32::from_ne_bytes(bytes[field..field + 4].try_into().expect("4 bytes")) as usize
    }
}

// ----- parse ----------------------------------------------------------------------------

/// Converts `message` with every built-in typed message, checking that each conversion
/// either fails with a reason or yields a view inside the message's payload.
fn convert_with_every_typed_message(message: ControlMessage<'_>) {
    let data = message.data();

    // `ScmRights`: a view in place (`&ScmRights`), so alignment matters.
    match <&ancillary::ScmRights>::try_from(message) {
        Ok(rights) => {
            assert!(ancillary::ScmRights::matches(&message));
            assert_eq!(rights.len() * size_of::<c_int>(), data.len());
            let view: &[u8] = {
                let fds = rights.fds();
                // SAFETY: `fds` is a valid `&[c_int]`; c_int has no padding, so its bytes
                // can be viewed as `u8`s for the same borrow.
                unsafe { std::slice::from_raw_parts(fds.as_ptr().cast::<u8>(), size_of_val(fds)) }
            };
            assert_eq!(
                range_within(data, view),
                0..data.len(),
                "the view is the payload"
            );
            for (fd, chunk) in rights.fds().iter().zip(data.chunks_exact(4)) {
                assert_eq!(fd.to_ne_bytes(), chunk);
            }
        }
        Err(err) => {
            // Either it is not an `SCM_RIGHTS` message, or its payload is not whole
            // `c_int`s, or it is not aligned for them: nothing else may fail.
            let _ = err.to_string();
            let is_rights =
                (message.cmsg_level(), message.cmsg_type()) == (libc::SOL_SOCKET, libc::SCM_RIGHTS);
            let aligned = (data.as_ptr() as usize).is_multiple_of(align_of::<c_int>());
            assert!(
                !is_rights || data.len() % size_of::<c_int>() != 0 || !aligned,
                "a well-formed SCM_RIGHTS payload was rejected: {err:?}"
            );
        }
    }
    check_payload::<ancillary::ScmRights>(message);

    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        use ancillary::os::linux::{ScmCredentials, ScmSecurity};

        // A sized payload, copied out at any alignment.
        if let Ok(credentials) = ScmCredentials::try_from(message) {
            assert_eq!(data.len(), size_of::<libc::ucred>());
            let mut expected = [0u8; size_of::<libc::ucred>()];
            expected[..4].copy_from_slice(&credentials.pid().to_ne_bytes());
            expected[4..8].copy_from_slice(&credentials.uid().to_ne_bytes());
            expected[8..].copy_from_slice(&credentials.gid().to_ne_bytes());
            assert_eq!(expected, data);
        }
        check_payload::<ScmCredentials>(message);

        // A byte-slice payload: a view in place, any length, any alignment.
        if let Ok(security) = <&ScmSecurity>::try_from(message) {
            assert_eq!(range_within(data, security.as_bytes()), 0..data.len());
            assert!(data.starts_with(security.label()));
            if let Ok(label) = security.selinux_security_label() {
                assert!(data.starts_with(label.to_bytes_with_nul()));
            }
            let _ = format!("{security:?}");
        }
        check_payload::<ScmSecurity>(message);
    }
    #[cfg(target_os = "freebsd")]
    check_payload::<ancillary::os::freebsd::ScmCreds>(message);
    #[cfg(any(target_os = "macos", target_os = "ios"))]
    check_payload::<ancillary::os::macos::ScmCreds>(message);
}

/// The generic conversion of any typed message: agrees with `matches`, and a parsed
/// value never reaches outside the payload.
fn check_payload<T: ControlMessagePayload + ?Sized>(message: ControlMessage<'_>) {
    let parsed = T::parse(message);
    if parsed.is_ok() {
        assert!(T::matches(&message), "parsed without matching");
    } else if T::matches(&message) {
        // Matching level, type and length: only alignment (of a view in place) may fail.
        assert!(matches!(
            parsed.as_ref().err(),
            Some(ancillary::PayloadError::Alignment { .. })
        ));
    }
}

/// `parse`: the first input byte chooses the alignment offset (0..16) of the rest, which
/// is viewed with `ControlMessages::from_bytes` and walked.
///
/// Checked: the walk ends (each message consumes at least a header), every payload lies
/// inside the input, right after its header, messages come in increasing order without
/// overlapping, a message is flagged truncated exactly when its `cmsg_len` runs past the
/// end, the iterator is fused, `size_hint` is honest, and every typed conversion either
/// fails with an error or stays inside the payload. Then the messages are written into a
/// `ControlMessagesBuf` and parsed back unchanged.
pub fn check_parse(input: &[u8]) {
    let Some((&first, rest)) = input.split_first() else {
        return;
    };
    let rest = &rest[..rest.len().min(MAX_INPUT)];
    let aligned = Aligned::new(rest, usize::from(first % 16));
    let bytes = aligned.bytes();
    let messages = ControlMessages::from_bytes(bytes);
    assert_eq!(messages.as_bytes(), bytes);
    assert_eq!(messages.len(), bytes.len());

    let mut iter = messages.iter();
    let (_, upper) = iter.size_hint();
    let upper = upper.expect("an upper bound");
    let mut parsed = Vec::new();
    let mut next_header = 0usize;
    for message in iter.by_ref() {
        assert!(parsed.len() < upper, "more messages than size_hint allowed");
        let data = range_within(bytes, message.data());
        // The payload follows its header, which starts where the previous one ended.
        let header = data
            .start
            .checked_sub(HEADER_LEN)
            .expect("header before data");
        assert!(header >= next_header, "messages overlap or go backwards");
        assert_eq!(header, next_header, "a message was skipped");
        let claimed = cmsg_len_at(bytes, header);
        assert!(claimed >= HEADER_LEN, "a too-short cmsg_len was yielded");
        let available = bytes.len() - header;
        assert_eq!(message.truncated(), claimed > available, "truncation flag");
        assert_eq!(message.data().len(), claimed.min(available) - HEADER_LEN);
        next_header = header.saturating_add(cmsg_align(claimed));
        parsed.push(message);
        let _ = format!("{message:?}");
        convert_with_every_typed_message(message);
    }
    assert!(iter.next().is_none(), "fused");
    assert!(iter.next().is_none(), "fused");
    assert_eq!(iter.size_hint().0, 0);
    let _ = format!("{messages:?}");

    // Written into a buffer, the messages parse back as they were (a truncated one as
    // the whole message of the bytes that were there).
    let mut buf = ancillary::ControlMessagesBuf::new();
    for message in &parsed {
        buf.push(message);
    }
    let again: Vec<_> = buf.iter().collect();
    assert_eq!(again.len(), parsed.len());
    for (a, b) in again.iter().zip(&parsed) {
        assert_eq!(
            (a.cmsg_level(), a.cmsg_type(), a.data()),
            (b.cmsg_level(), b.cmsg_type(), b.data())
        );
        assert!(!a.truncated());
    }
    let expected_len: usize = parsed.iter().map(|m| cmsg_space(m.data().len())).sum();
    assert_eq!(buf.len(), expected_len);
}

// ----- differential ---------------------------------------------------------------------

/// One message as seen by a walk: header offset, level, type, payload range in the
/// buffer, truncated.
#[derive(Debug, PartialEq, Eq)]
struct Seen {
    at: usize,
    level: c_int,
    ty: c_int,
    data: Range<usize>,
    truncated: bool,
}

/// `differential`: the input, copied to an aligned buffer, is walked by our iterator and
/// by libc's `CMSG_FIRSTHDR`/`CMSG_NXTHDR` over a `msghdr` whose `msg_controllen` is the
/// input length.
///
/// Wherever libc's walk is well defined, the two see the same messages in the same order.
/// libc's macros check only that a whole *header* fits before returning it (the `libc`
/// crate's `CMSG_NXTHDR`, like musl's; glibc's C macro also drops a next message whose
/// aligned length does not fit). Where they differ, libc hands the caller a header whose
/// payload it must not trust, and ours does not:
///
/// 1. **A `cmsg_len` shorter than a header** (e.g. 0). libc returns the header (the payload
///    length `cmsg_len - CMSG_LEN(0)` then underflows in the caller) and `CMSG_NXTHDR`
///    after it returns null. Ours ends before it: it cannot be walked past.
/// 2. **A `cmsg_len` running past the buffer.** libc returns the header; a caller reading
///    `cmsg_len - CMSG_LEN(0)` payload bytes reads out of bounds, and `CMSG_NXTHDR` after
///    it computes a pointer past the object (undefined in C; the `libc` crate's
///    `CMSG_ALIGN` can overflow for a `cmsg_len` near `usize::MAX`), so libc's walk is not
///    well defined from there and the comparison stops. Ours yields the bytes that are
///    there, flagged `truncated` (macOS reports such lengths after `MSG_CTRUNC`; the
///    caller must be able to see that something came), and ends.
/// 3. **Under glibc's C macro only: the last message fits but its padding does not**
///    (`msg_controllen` not a multiple of the alignment); glibc drops it, ours yields it
///    whole (all its bytes are inside the buffer, and Linux's own `msg_controllen` can
///    end right after the last payload). Accepted below should libc's walk end early.
/// 4. **Under musl only: a last header that ends exactly at the end of the buffer.** musl's
///    `CMSG_NXTHDR` compares with `>=` where `>` is meant, so it never returns such a
///    header (the `libc` crate copies that: <https://www.openwall.com/lists/musl/2025/12/27/1>).
///    Ours yields it, with the empty payload that fits (flagged `truncated` if its
///    `cmsg_len` claims more).
///
/// In every case our walk reads only inside the buffer, never yields a payload outside
/// it, and never loops.
pub fn check_differential(input: &[u8]) {
    let input = &input[..input.len().min(MAX_INPUT)];
    let aligned = Aligned::new(input, 0);
    let bytes = aligned.bytes();

    let ours: Vec<Seen> = ControlMessages::from_bytes(bytes)
        .iter()
        .map(|m| {
            let data = range_within(bytes, m.data());
            Seen {
                at: data.start - HEADER_LEN,
                level: m.cmsg_level(),
                ty: m.cmsg_type(),
                data,
                truncated: m.truncated(),
            }
        })
        .collect();

    // SAFETY: `msghdr` is plain pointers and integers; all zeroes is valid.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_control = bytes.as_ptr().cast_mut().cast();
    msg.msg_controllen = bytes.len() as _;
    let base = bytes.as_ptr() as usize;

    let mut i = 0;
    // SAFETY: `msg` is a valid `msghdr` whose control pointer and length describe
    // `bytes`; CMSG_FIRSTHDR only compares the length and returns the pointer or null.
    let mut cmsg = unsafe { libc::CMSG_FIRSTHDR(&msg) };
    let mut stopped_early = false;
    while !cmsg.is_null() {
        let at = cmsg as usize - base;
        assert!(
            at + size_of::<libc::cmsghdr>() <= bytes.len(),
            "libc left the buffer"
        );
        assert_eq!(at % align_of::<libc::cmsghdr>(), 0);
        // SAFETY: libc returned a header that lies inside `bytes` (asserted above), at an
        // offset that is a multiple of the alignment from an aligned base, so the
        // `cmsghdr` is aligned, initialised and readable.
        let header = unsafe { cmsg.read() };
        #[allow(
            clippy::unnecessary_cast,
            reason = "size_t on glibc, socklen_t elsewhere"
        )]
        let len = header.cmsg_len as usize;
        if len < HEADER_LEN {
            // Case 1: libc yields it, ours has ended before it.
            assert_eq!(ours.len(), i, "ours must end before a too-short cmsg_len");
            stopped_early = true;
            break;
        }
        if len > bytes.len() - at {
            // Case 2: ours yields what is there, flagged, as its last message.
            let mut expected = ours[..i].iter().collect::<Vec<_>>();
            let last = Seen {
                at,
                level: header.cmsg_level,
                ty: header.cmsg_type,
                data: at + HEADER_LEN..bytes.len(),
                truncated: true,
            };
            expected.push(&last);
            assert_eq!(ours.iter().collect::<Vec<_>>(), expected, "case 2");
            stopped_early = true;
            break;
        }
        let expected = Seen {
            at,
            level: header.cmsg_level,
            ty: header.cmsg_type,
            data: at + HEADER_LEN..at + len,
            truncated: false,
        };
        assert_eq!(ours.get(i), Some(&expected), "message {i} differs");
        i += 1;
        // SAFETY: `cmsg` is a header libc returned for `msg`, lying inside the buffer
        // with a `cmsg_len` that fits in it (checked above), so CMSG_NXTHDR's arithmetic
        // stays within the buffer or one past it, and it reads the next header only
        // after checking that a whole header fits.
        cmsg = unsafe { libc::CMSG_NXTHDR(&msg, cmsg) };
    }
    if stopped_early {
        return;
    }
    // libc's walk ended by itself: ours saw the same messages, or (case 3, glibc-style
    // `CMSG_NXTHDR` only) one more at the aligned end of the last common one, whose
    // padding the buffer cut, after which it ended too.
    match ours.len() - i {
        0 => {}
        1 => {
            let last = &ours[i];
            let expected_at = ours[..i]
                .last()
                .map_or(0, |prev| prev.at + cmsg_align(prev.data.end - prev.at));
            assert_eq!(last.at, expected_at);
            if cfg!(target_env = "musl") && last.at + size_of::<libc::cmsghdr>() == bytes.len() {
                // Case 4.
                assert!(last.data.is_empty());
                return;
            }
            let claimed = cmsg_len_at(bytes, last.at);
            let room = bytes.len() - last.at;
            assert!(!last.truncated && claimed <= room && cmsg_align(claimed) > room);
        }
        extra => panic!(
            "ours yielded {extra} messages libc did not: {:?}",
            &ours[i..]
        ),
    }
}

// ----- roundtrip ------------------------------------------------------------------------

/// A deterministic reader of fuzz input bytes (zeroes once it is exhausted).
struct Program<'a> {
    bytes: &'a [u8],
}

impl Program<'_> {
    fn byte(&mut self) -> u8 {
        match self.bytes.split_first() {
            Some((&b, rest)) => {
                self.bytes = rest;
                b
            }
            None => 0,
        }
    }

    fn take(&mut self, n: usize) -> &[u8] {
        let (head, rest) = self.bytes.split_at(n.min(self.bytes.len()));
        self.bytes = rest;
        head
    }

    fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
}

/// A typed message defined with the derive, as a downstream crate would.
#[derive(ancillary::ControlMessage, Clone, Copy, Debug, PartialEq, Eq)]
#[cmsg(level = libc::IPPROTO_IP, type = libc::IP_TTL)]
#[repr(C)]
pub struct FuzzTtl {
    /// The payload.
    pub ttl: c_int,
}

/// What the model expects in the buffer.
#[derive(Debug, Default)]
struct Model {
    /// `(level, type, payload)` of each message, in order.
    messages: Vec<(c_int, c_int, Vec<u8>)>,
    /// Bytes of messages (the sum of their `CMSG_SPACE`).
    len: usize,
    /// Whether the last successful add was a descriptor list (so the next joins it).
    open_rights: bool,
    /// `needed` of the first failed infallible add since the last clear.
    overflow: Option<usize>,
}

impl Model {
    /// Whether a buffer ending at `end` fits `capacity` (`None`: heap storage, which
    /// grows).
    fn fits(&self, end: usize, capacity: Option<usize>) -> bool {
        capacity.is_none_or(|cap| end <= cap)
    }
}

/// `roundtrip`: the input is a program of builder operations on an `AncillaryData` over
/// heap storage or over fixed storage at any alignment, surrounded by canary bytes.
///
/// Checked after each operation against a model: `try_*` succeeds exactly when the
/// model says the message fits, with the model's `needed`/`capacity` on failure; an
/// infallible add that does not fit is remembered and makes `start_sendmsg` fail;
/// consecutive descriptor lists join one `SCM_RIGHTS`. At the end the buffer parses back
/// to exactly the model's messages, none truncated, its padding bytes are zero, typed
/// messages convert back to what was added, and the canaries around fixed storage are
/// intact (nothing was written past its end).
pub fn check_roundtrip(input: &[u8]) {
    const CANARY: u8 = 0xA5;
    const BACKING: usize = 1024 + 32;
    let input = &input[..input.len().min(MAX_INPUT)];
    let mut program = Program { bytes: input };
    let mode = program.byte();
    let fixed = mode & 1 == 1;
    let offset = usize::from(program.byte() % 16);
    let size = usize::from(program.byte()) * 4; // 0..=1020

    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let fd_pool: [BorrowedFd<'_>; 2] = [stdin.as_fd(), stdout.as_fd()];

    let mut backing = [MaybeUninit::new(CANARY); BACKING];
    {
        let mut ancillary = if fixed {
            AncillaryData::with_storage(&mut backing[offset..offset + size])
        } else {
            AncillaryData::new()
        };
        let capacity = fixed.then(|| ancillary.capacity());
        if let Some(cap) = capacity {
            // The storage skips to the first byte aligned for a `cmsghdr` and for the
            // `CMSG_ALIGN` unit (8 on 64-bit musl and FreeBSD, whose `cmsghdr` is 4-aligned).
            let align = align_of::<libc::cmsghdr>().max(cmsg_align(1));
            assert!(cap <= size && cap + align > size);
        }
        let mut model = Model::default();
        let mut ops = 0;
        while !program.is_empty() && ops < 256 {
            ops += 1;
            let op = program.byte();
            let infallible = op & 0x80 != 0;
            match op % 5 {
                // A data message of any level and type.
                0 | 1 => {
                    let level = c_int::from(program.byte() as i8);
                    let ty = c_int::from(program.byte() as i8);
                    let n = usize::from(program.byte() % 64);
                    let payload = program.take(n).to_vec();
                    let message = ControlMessage::new(level, ty, &payload);
                    let end = model.len + cmsg_space(payload.len());
                    let fits = model.fits(end, capacity);
                    if infallible {
                        if op.is_multiple_of(5) {
                            ancillary.add_control_message(message);
                        } else {
                            ancillary.control_messages_mut().push(&message);
                        }
                        if !fits {
                            model.overflow.get_or_insert(end);
                        }
                    } else {
                        let result = ancillary.try_add_control_message(message);
                        assert_eq!(result.is_ok(), fits, "try_add_control_message");
                        if let Err(err) = result {
                            assert_eq!(err.needed(), end);
                            assert_eq!(Some(err.capacity()), capacity);
                        }
                    }
                    if fits {
                        model.messages.push((level, ty, payload));
                        model.len = end;
                        model.open_rights = false;
                    }
                }
                // A list of descriptors (stdin and stdout), possibly empty.
                2 => {
                    let bits = program.byte();
                    let count = usize::from(bits % 8);
                    let fds: Vec<BorrowedFd<'_>> = (0..count)
                        .map(|k| fd_pool[usize::from(bits >> (k % 8) & 1)])
                        .collect();
                    let mut raw = Vec::new();
                    for fd in &fds {
                        raw.extend_from_slice(&fd.as_raw_fd().to_ne_bytes());
                    }
                    let (start, old) = match model.messages.last() {
                        Some((_, _, payload)) if model.open_rights => {
                            (model.len - cmsg_space(payload.len()), payload.clone())
                        }
                        _ => (model.len, Vec::new()),
                    };
                    let end = start + cmsg_space(old.len() + raw.len());
                    let fits = count == 0 || model.fits(end, capacity);
                    if infallible {
                        ancillary.add_file_descriptors(&fds);
                        if !fits {
                            model.overflow.get_or_insert(end);
                        }
                    } else {
                        let result = ancillary.try_add_file_descriptors(&fds);
                        assert_eq!(result.is_ok(), fits, "try_add_file_descriptors");
                        if let Err(err) = result {
                            assert_eq!(err.needed(), end);
                        }
                    }
                    if fits && count > 0 {
                        if model.open_rights {
                            let last = model.messages.last_mut().expect("open rights");
                            last.2.extend_from_slice(&raw);
                        } else {
                            model
                                .messages
                                .push((libc::SOL_SOCKET, libc::SCM_RIGHTS, raw));
                        }
                        model.len = end;
                        model.open_rights = true;
                    }
                }
                // A typed message made with the derive.
                3 => {
                    let ttl = FuzzTtl {
                        ttl: c_int::from(program.byte()),
                    };
                    let end = model.len + FuzzTtl::SPACE;
                    let fits = model.fits(end, capacity);
                    let result = ancillary.try_add_control_message(&ttl);
                    assert_eq!(result.is_ok(), fits, "typed message");
                    if fits {
                        model.messages.push((
                            libc::IPPROTO_IP,
                            libc::IP_TTL,
                            ttl.ttl.to_ne_bytes().to_vec(),
                        ));
                        model.len = end;
                        model.open_rights = false;
                    }
                }
                // Clear (rarely: only when the high bits say so).
                _ => {
                    if op & 0x70 == 0x70 {
                        ancillary.clear();
                        model = Model::default();
                    }
                }
            }
            check_against_model(&ancillary, &model);
        }
        let sent = ancillary.start_sendmsg();
        match model.overflow {
            Some(_) => {
                let err = sent.expect_err("an overflowed buffer must not be sent");
                assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
            }
            None => {
                let bytes = sent.expect("nothing overflowed");
                assert_eq!(bytes.map_or(0, <[u8]>::len), model.len);
            }
        }
    }
    // Nothing outside the region the storage used was written. (The bytes skipped to
    // align it are inside the caller's slice, but the crate has no reason to touch them
    // either.)
    if fixed {
        for (k, byte) in backing.iter().enumerate() {
            // SAFETY: every byte of `backing` was initialised with CANARY, and the
            // storage only ever writes initialised bytes.
            let value = unsafe { byte.assume_init() };
            let used = offset..offset + size;
            if !used.contains(&k) {
                assert_eq!(value, CANARY, "byte {k} outside the storage was written");
            }
        }
    }
}

/// The buffer holds exactly the model's messages.
fn check_against_model(ancillary: &AncillaryData<'_>, model: &Model) {
    let messages = ancillary.control_messages();
    assert_eq!(messages.len(), model.len, "buffer length");
    let bytes = messages.as_bytes();
    let mut at = 0;
    let mut parsed = messages.iter();
    for (level, ty, payload) in &model.messages {
        let message = parsed.next().expect("a message the model has");
        assert_eq!(
            (message.cmsg_level(), message.cmsg_type(), message.data()),
            (*level, *ty, payload.as_slice())
        );
        assert!(!message.truncated());
        assert_eq!(cmsg_len_at(bytes, at), cmsg_len(payload.len()), "cmsg_len");
        // Padding after the payload, and between the header and the payload, is zero.
        let end = at + cmsg_space(payload.len());
        assert!(bytes[at + cmsg_len(payload.len())..end]
            .iter()
            .all(|&b| b == 0));
        assert!(bytes[at + size_of::<libc::cmsghdr>()..at + HEADER_LEN]
            .iter()
            .all(|&b| b == 0));
        if (*level, *ty) == (libc::IPPROTO_IP, libc::IP_TTL) && payload.len() == 4 {
            let ttl = FuzzTtl::try_from(message).expect("typed message converts back");
            assert_eq!(ttl.ttl.to_ne_bytes(), payload.as_slice());
        }
        if (*level, *ty) == (libc::SOL_SOCKET, libc::SCM_RIGHTS) && payload.len() % 4 == 0 {
            let rights = <&ancillary::ScmRights>::try_from(message).expect("aligned rights");
            assert_eq!(rights.len() * 4, payload.len());
        }
        at = end;
    }
    assert!(parsed.next().is_none(), "a message the model does not have");
}

/// `recvmsg_out`: one multishot io_uring `recvmsg` buffer. Input: the first byte is the
/// room reserved for the address (0..=255), the second byte times 2 the room for control
/// data; the rest is the buffer, any bytes. `RecvMsgOut::parse` succeeds exactly when the
/// buffer holds the 16-byte header and both reserved fields; then the address, control
/// and payload slices lie in their fields, no longer than the header claims, and the
/// control data walks and converts as [`check_parse`] requires. Linux only, like the
/// `io-uring` feature (elsewhere, and on architectures without it, it checks nothing).
pub fn check_recvmsg_out(input: &[u8]) {
    #[cfg(io_uring_target)]
    recvmsg_out(input);
    #[cfg(not(io_uring_target))]
    let _ = input;
}

#[cfg(io_uring_target)]
fn recvmsg_out(input: &[u8]) {
    use ancillary::io_uring::{RecvMsgOut, RECVMSG_OUT_LEN};
    let [name_room, control_room, buffer @ ..] = input else {
        return;
    };
    let buffer = &buffer[..buffer.len().min(MAX_INPUT)];
    let (name_room, control_room) = (usize::from(*name_room), usize::from(*control_room) * 2);
    let fixed = RECVMSG_OUT_LEN + name_room + control_room;
    let Ok(out) = RecvMsgOut::parse(buffer, name_room, control_room) else {
        assert!(
            buffer.len() < fixed,
            "a buffer that holds the fields was refused"
        );
        return;
    };
    assert!(
        buffer.len() >= fixed,
        "a buffer too short for its fields was accepted"
    );
    let claim = |at: usize| {
        let field: [u8; 4] = buffer[at..at + 4].try_into().expect("4 bytes");
        u32::from_ne_bytes(field) as usize
    };
    let name = range_within(buffer, out.name());
    assert_eq!(name.start, RECVMSG_OUT_LEN);
    assert_eq!(name.len(), name_room.min(claim(0)));
    assert_eq!(out.name_len(), claim(0));
    assert_eq!(out.is_name_truncated(), claim(0) > name_room);
    let control = range_within(buffer, out.control_bytes());
    assert_eq!(control.start, RECVMSG_OUT_LEN + name_room);
    assert_eq!(control.len(), control_room.min(claim(4)));
    let payload = range_within(buffer, out.payload());
    assert_eq!(payload.start, fixed);
    assert_eq!(payload.len(), (buffer.len() - fixed).min(claim(8)));
    assert_eq!(out.payload_len(), claim(8));
    assert_eq!(
        out.flags().as_recv_result_flags() as u32 as usize,
        claim(12)
    );
    let _ = out.address();
    // The control data, at the offset the kernel would have put it: any alignment.
    assert_eq!(out.control_messages().as_bytes(), out.control_bytes());
    let mut walk_input = vec![0u8];
    walk_input.extend_from_slice(out.control_bytes());
    check_parse(&walk_input);
}
