//! Pure buffer and parsing tests: no system calls, so CI also runs this file under Miri
//! (with `-Zmiri-symbolic-alignment-check`, which catches any unaligned read).
//!
//! Bytes are built by hand from the C layout (`offset_of!` on `libc::cmsghdr`, and the
//! pure-arithmetic `CMSG_LEN`/`CMSG_SPACE` macros) and compared with what the crate
//! writes and reads.

use std::mem::{offset_of, MaybeUninit};
use std::os::fd::AsFd;

use ancillary::{
    cmsg_align, cmsg_len, cmsg_space, AncillaryData, AncillaryStorage, ControlMessage,
    ControlMessagePayload, ControlMessages, ControlMessagesBuf, PayloadLayout, ScmRights,
    HEADER_LEN,
};

fn libc_cmsg_len(payload: usize) -> usize {
    // SAFETY: CMSG_LEN is pure arithmetic on its argument.
    unsafe { libc::CMSG_LEN(payload as libc::c_uint) as usize }
}

fn libc_cmsg_space(payload: usize) -> usize {
    // SAFETY: CMSG_SPACE is pure arithmetic on its argument.
    unsafe { libc::CMSG_SPACE(payload as libc::c_uint) as usize }
}

/// The size of `cmsghdr::cmsg_len` (`size_t` on glibc, `socklen_t` on musl and BSDs).
fn cmsg_len_field_size() -> usize {
    fn size_of_field<T>(_: fn(&libc::cmsghdr) -> T) -> usize {
        size_of::<T>()
    }
    size_of_field(|h| h.cmsg_len)
}

/// A header as the C layout has it, with `cmsg_len = len` (truncated to the field's size)
/// and zeroed padding up to the payload.
fn header(len: u64, level: libc::c_int, ty: libc::c_int) -> Vec<u8> {
    let mut out = vec![0u8; libc_cmsg_len(0)];
    let at = offset_of!(libc::cmsghdr, cmsg_len);
    match cmsg_len_field_size() {
        4 => out[at..at + 4].copy_from_slice(&(len as u32).to_ne_bytes()),
        8 => out[at..at + 8].copy_from_slice(&len.to_ne_bytes()),
        other => panic!("cmsg_len of {other} bytes"),
    }
    let at = offset_of!(libc::cmsghdr, cmsg_level);
    out[at..at + 4].copy_from_slice(&level.to_ne_bytes());
    let at = offset_of!(libc::cmsghdr, cmsg_type);
    out[at..at + 4].copy_from_slice(&ty.to_ne_bytes());
    out
}

/// One whole message as C builds it: header with `cmsg_len = CMSG_LEN(payload)`, the
/// payload, zero padding up to `CMSG_SPACE(payload)`.
fn message(level: libc::c_int, ty: libc::c_int, payload: &[u8]) -> Vec<u8> {
    let mut out = header(libc_cmsg_len(payload.len()) as u64, level, ty);
    out.extend_from_slice(payload);
    out.resize(libc_cmsg_space(payload.len()), 0);
    out
}

fn collect(bytes: &[u8]) -> Vec<ControlMessage<'_>> {
    ControlMessages::from_bytes(bytes).iter().collect()
}

// ----- sizes -----------------------------------------------------------------------------

#[test]
fn sizes_match_the_c_macros() {
    let max = if cfg!(miri) { 64 } else { 1024 };
    for n in 0..=max {
        assert_eq!(cmsg_len(n), libc_cmsg_len(n), "CMSG_LEN({n})");
        assert_eq!(cmsg_space(n), libc_cmsg_space(n), "CMSG_SPACE({n})");
        assert_eq!(cmsg_align(cmsg_space(n)), cmsg_space(n));
    }
    assert_eq!(HEADER_LEN, libc_cmsg_len(0));
    assert_eq!(
        AncillaryData::space_for_fds(3),
        libc_cmsg_space(3 * size_of::<libc::c_int>())
    );
}

// ----- malformed input -------------------------------------------------------------------

#[test]
fn all_zero_bytes_hold_no_message() {
    for len in [0, 1, 8, 15, 16, 17, 64, 256] {
        let zeros = vec![0u8; len];
        assert!(collect(&zeros).is_empty(), "{len} zero bytes");
    }
}

#[test]
fn cmsg_len_shorter_than_a_header_ends_iteration() {
    for bad_len in 0..HEADER_LEN as u64 {
        let mut bytes = message(libc::SOL_SOCKET, 7, &[1, 2, 3, 4]);
        bytes.extend(header(bad_len, libc::SOL_SOCKET, 8));
        bytes.extend(message(libc::SOL_SOCKET, 9, &[5; 4]));
        let messages = collect(&bytes);
        assert_eq!(messages.len(), 1, "cmsg_len {bad_len}");
        assert_eq!(messages[0].cmsg_type(), 7);
        assert_eq!(messages[0].data(), &[1, 2, 3, 4]);
        // Fused: it stays at the end.
        let mut iter = ControlMessages::from_bytes(&bytes).iter();
        assert!(iter.nth(1).is_none());
        assert!(iter.next().is_none());
    }
}

#[test]
fn huge_cmsg_len_is_clamped_and_flagged_truncated() {
    let max = if cmsg_len_field_size() == 4 {
        u64::from(u32::MAX)
    } else {
        u64::MAX
    };
    for huge in [max, max - 7, 1 << 20, libc_cmsg_len(8) as u64 + 1] {
        let mut bytes = header(huge, libc::SOL_SOCKET, libc::SCM_RIGHTS);
        bytes.extend_from_slice(&[1, 2, 3, 4, 5, 6, 7, 8]);
        let messages = collect(&bytes);
        assert_eq!(messages.len(), 1, "cmsg_len {huge}");
        assert!(messages[0].truncated());
        assert_eq!(messages[0].data(), &[1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(messages[0].cmsg_type(), libc::SCM_RIGHTS);
    }
}

#[test]
fn a_message_cut_anywhere_never_reads_past_the_end() {
    let payload: Vec<u8> = (1..=12).collect();
    let whole = message(libc::SOL_SOCKET, libc::SCM_RIGHTS, &payload);
    let full_len = libc_cmsg_len(payload.len());
    for cut in 0..=whole.len() {
        let messages = collect(&whole[..cut]);
        if cut < size_of::<libc::cmsghdr>() {
            assert!(messages.is_empty(), "cut header at {cut}");
            continue;
        }
        assert_eq!(messages.len(), 1, "cut at {cut}");
        assert_eq!(messages[0].truncated(), cut < full_len, "cut at {cut}");
        let have = cut.min(full_len).saturating_sub(HEADER_LEN);
        assert_eq!(messages[0].data(), &payload[..have], "cut at {cut}");
    }
}

#[test]
fn trailing_garbage_too_short_for_a_header_is_ignored() {
    for garbage in 1..size_of::<libc::cmsghdr>() {
        let mut bytes = message(libc::SOL_SOCKET, 1, &[9; 4]);
        bytes.extend(std::iter::repeat_n(0xAB, garbage));
        let messages = collect(&bytes);
        assert_eq!(messages.len(), 1);
        assert_eq!(messages[0].data(), &[9; 4]);
        assert!(!messages[0].truncated());
    }
}

#[test]
fn several_messages_in_a_row() {
    let mut bytes = Vec::new();
    let payloads: [&[u8]; 4] = [&[], &[1], &[2; 7], &[3; 12]];
    for (i, payload) in payloads.iter().enumerate() {
        bytes.extend(message(libc::SOL_SOCKET, 100 + i as i32, payload));
    }
    let messages = collect(&bytes);
    assert_eq!(messages.len(), 4);
    for (i, (m, payload)) in messages.iter().zip(payloads).enumerate() {
        assert_eq!(m.cmsg_level(), libc::SOL_SOCKET);
        assert_eq!(m.cmsg_type(), 100 + i as i32);
        assert_eq!(m.data(), payload);
        assert!(!m.truncated());
    }
}

#[test]
fn parses_at_every_alignment_offset() {
    let mut bytes = message(
        libc::SOL_SOCKET,
        libc::SCM_RIGHTS,
        &[1, 0, 0, 0, 2, 0, 0, 0],
    );
    bytes.extend(message(libc::IPPROTO_IP, libc::IP_TTL, &[64, 0, 0, 0]));
    let expected: Vec<(i32, i32, Vec<u8>)> = collect(&bytes)
        .iter()
        .map(|m| (m.cmsg_level(), m.cmsg_type(), m.data().to_vec()))
        .collect();
    assert_eq!(expected.len(), 2);

    // `u64`s, so that offset 0 is 8-aligned and every other offset is not.
    let mut backing = vec![0u64; bytes.len() / 8 + 2];
    let base: &mut [u8] = {
        let len = backing.len() * 8;
        // SAFETY: the `u64`s are initialised, `u8` has no alignment requirement and any
        // bit pattern is valid for it; the slice borrows `backing` exclusively.
        unsafe { std::slice::from_raw_parts_mut(backing.as_mut_ptr().cast::<u8>(), len) }
    };
    for offset in 0..8 {
        base.fill(0xEE);
        base[offset..offset + bytes.len()].copy_from_slice(&bytes);
        let view = &base[offset..offset + bytes.len()];
        let got: Vec<(i32, i32, Vec<u8>)> = collect(view)
            .iter()
            .map(|m| (m.cmsg_level(), m.cmsg_type(), m.data().to_vec()))
            .collect();
        assert_eq!(got, expected, "offset {offset}");
    }
}

#[test]
fn pseudo_random_bytes_never_panic_or_overrun() {
    let rounds = if cfg!(miri) { 40 } else { 5000 };
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..rounds {
        let len = (next() % 160) as usize;
        let mut bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        // Plant plausible lengths so that the walk goes past the first header sometimes.
        // (`HEADER_LEN` is the target's `sizeof(struct cmsghdr)`: 16 on 64-bit Linux, 12 on
        // 32-bit.)
        if len >= HEADER_LEN && next() % 2 == 0 {
            let plausible = next() % (len as u64 + 8);
            bytes[..HEADER_LEN].copy_from_slice(&header(plausible, 1, 2));
        }
        let offset = (next() % 8) as usize;
        let mut shifted = vec![0u8; offset];
        shifted.extend_from_slice(&bytes);
        let view = &shifted[offset..];
        let range = view.as_ptr_range();
        let mut count = 0;
        for m in ControlMessages::from_bytes(view) {
            let data = m.data().as_ptr_range();
            assert!(range.start <= data.start && data.end <= range.end);
            count += 1;
            assert!(count <= len / HEADER_LEN + 1, "walked too far");
        }
        let _ = format!("{:?}", ControlMessages::from_bytes(view));
    }
}

// ----- writing -------------------------------------------------------------------------

#[test]
fn push_writes_what_c_would() {
    for n in 0..=17usize {
        let payload: Vec<u8> = (0..n as u8).map(|b| b.wrapping_mul(37) | 1).collect();
        let mut buf = ControlMessagesBuf::new();
        buf.push(&ControlMessage::new(libc::IPPROTO_IPV6, 42, &payload));
        assert_eq!(
            buf.as_bytes(),
            message(libc::IPPROTO_IPV6, 42, &payload),
            "payload of {n} bytes: cmsg_len = CMSG_LEN, zero padding to CMSG_SPACE"
        );
    }
}

#[test]
fn padding_is_zeroed_even_over_dirty_caller_storage() {
    let mut backing = [MaybeUninit::new(0xFFu8); 256];
    let payloads: [&[u8]; 3] = [&[1], &[2; 5], &[3; 3]];
    let mut expected = Vec::new();
    for payload in payloads {
        expected.extend(message(libc::SOL_SOCKET, 77, payload));
    }
    for offset in 0..8 {
        let mut buf = ControlMessagesBuf::with_storage(&mut backing[offset..]);
        for payload in payloads {
            buf.try_push(&ControlMessage::new(libc::SOL_SOCKET, 77, payload))
                .unwrap();
        }
        assert_eq!(buf.as_bytes(), expected, "offset {offset}");
        assert_eq!(
            buf.as_bytes()
                .as_ptr()
                .align_offset(align_of::<libc::cmsghdr>()),
            0
        );
    }
}

#[test]
fn fds_are_written_as_one_rights_message_of_cmsg_len_payload() {
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let mut ancillary = AncillaryData::new();
    ancillary.add_file_descriptors(&[stdin.as_fd(), stdout.as_fd()]);
    ancillary.add_file_descriptors(&[stderr.as_fd()]);
    let payload: Vec<u8> = [0i32, 1, 2]
        .iter()
        .flat_map(|fd| fd.to_ne_bytes())
        .collect();
    assert_eq!(
        ancillary.control_messages().as_bytes(),
        message(libc::SOL_SOCKET, libc::SCM_RIGHTS, &payload)
    );
    // A different message in between starts a new SCM_RIGHTS message afterwards.
    ancillary.add_control_message(ControlMessage::new(libc::SOL_SOCKET, 99, &[]));
    ancillary.add_file_descriptors(&[stdin.as_fd()]);
    let kinds: Vec<i32> = ancillary
        .control_messages()
        .iter()
        .map(|m| m.cmsg_type())
        .collect();
    assert_eq!(kinds, [libc::SCM_RIGHTS, 99, libc::SCM_RIGHTS]);
}

#[test]
fn an_empty_fd_list_adds_no_message() {
    let mut ancillary = AncillaryData::new();
    ancillary.add_file_descriptors(&[]);
    assert!(ancillary.control_messages().is_empty());
    ancillary.try_add_file_descriptors(&[]).unwrap();
    assert!(ancillary.control_messages().is_empty());
    assert_eq!(ancillary.capacity(), 0, "and allocates nothing");

    let mut storage = [MaybeUninit::uninit(); 8];
    let mut fixed = AncillaryData::with_storage(&mut storage);
    fixed.try_add_file_descriptors(&[]).unwrap();
    assert!(fixed.control_messages().is_empty());
}

// ----- the types ---------------------------------------------------------------------------

#[test]
fn control_message_is_copy_and_its_data_outlives_it() {
    fn assert_copy<T: Copy>() {}
    assert_copy::<ControlMessage<'static>>();

    let bytes = [
        message(libc::SOL_SOCKET, 1, b"first"),
        message(libc::SOL_SOCKET, 2, b"second"),
    ]
    .concat();
    let datas: Vec<&[u8]> = {
        let messages = ControlMessages::from_bytes(&bytes);
        // Each handle is a temporary; the slices borrow `bytes`, not the handle.
        messages.iter().map(|m| m.data()).collect()
    };
    assert_eq!(datas, [&b"first"[..], &b"second"[..]]);

    let one = ControlMessage::new(1, 2, b"abc");
    let copy = one;
    assert_eq!(one, copy);
    let data = {
        let handle = copy;
        handle.data()
    };
    assert_eq!(data, b"abc");
}

#[test]
fn len_and_is_empty_count_bytes() {
    let five = ControlMessages::from_bytes(&[0; 5]);
    assert_eq!(five.len(), 5);
    assert!(!five.is_empty());
    assert_eq!(five.iter().count(), 0);
    assert_eq!(five.as_bytes(), &[0; 5]);
    assert!(ControlMessages::from_bytes(&[]).is_empty());

    let mut buf = ControlMessagesBuf::new();
    assert!(buf.is_empty());
    buf.push(&ControlMessage::new(libc::SOL_SOCKET, 1, &[1; 3]));
    buf.push(&ControlMessage::new(libc::SOL_SOCKET, 1, &[1; 9]));
    assert_eq!(buf.len(), cmsg_space(3) + cmsg_space(9));
    assert_eq!(buf.len(), buf.as_bytes().len());
    assert_eq!(buf.iter().count(), 2);
}

#[test]
fn the_iterator_is_fused_and_cloneable() {
    let bytes = [message(1, 1, &[1]), message(2, 2, &[2])].concat();
    let mut iter = ControlMessages::from_bytes(&bytes).iter();
    let copy = iter.clone();
    assert_eq!(iter.next().unwrap().cmsg_level(), 1);
    assert_eq!(iter.next().unwrap().cmsg_level(), 2);
    for _ in 0..3 {
        assert!(iter.next().is_none());
    }
    assert_eq!(copy.count(), 2);
}

#[test]
fn no_control_data_means_no_msg_control() {
    // `start_sendmsg` is what a socket passes as `msg_control`: `None` (a null pointer
    // and a length of 0) when there is nothing to send.
    let stdin = std::io::stdin();
    let mut ancillary = AncillaryData::new();
    assert!(ancillary.start_sendmsg().unwrap().is_none());
    ancillary.add_file_descriptors(&[]);
    assert!(ancillary.start_sendmsg().unwrap().is_none());

    ancillary.add_file_descriptors(&[stdin.as_fd()]);
    let bytes = ancillary.start_sendmsg().unwrap().unwrap();
    assert_eq!(
        bytes,
        message(libc::SOL_SOCKET, libc::SCM_RIGHTS, &0i32.to_ne_bytes())
    );

    // An add that did not fit fixed storage makes it an error, until `clear`.
    let mut storage = [MaybeUninit::uninit(); 8];
    let mut fixed = AncillaryData::with_storage(&mut storage);
    fixed.add_file_descriptors(&[stdin.as_fd()]);
    let err = fixed.start_sendmsg().unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    fixed.clear();
    assert!(fixed.start_sendmsg().unwrap().is_none());
}

#[test]
fn the_iterator_bounds_the_number_of_messages() {
    // Every message takes at least a header, so `n` empty messages are the most that
    // `n` headers' worth of bytes can hold; the bound may allow one more (on targets whose
    // `cmsghdr` is shorter than `HEADER_LEN`, a last one may be cut short).
    for n in [0, 1, 2, 7] {
        let bytes = vec![message(1, 2, &[]); n].concat();
        let iter = ControlMessages::from_bytes(&bytes).iter();
        let (low, high) = iter.size_hint();
        let high = high.expect("an upper bound");
        assert_eq!(low, 0);
        assert_eq!(iter.count(), n);
        assert!(
            (n..=n + 1).contains(&high),
            "{n} messages, upper bound {high}"
        );
    }
}

#[test]
fn control_messages_as_ref_is_its_bytes() {
    let bytes = [message(1, 2, b"abc"), message(3, 4, b"")].concat();
    let messages = ControlMessages::from_bytes(&bytes);
    assert_eq!(AsRef::<[u8]>::as_ref(messages), &bytes[..]);
    let mut buf = ControlMessagesBuf::new();
    buf.push(&ControlMessage::new(5, 6, &[7; 5]));
    let view: &ControlMessages = buf.as_ref();
    assert_eq!(AsRef::<[u8]>::as_ref(view), buf.as_bytes());
}

// ----- typed payloads --------------------------------------------------------------------

#[test]
fn payload_layouts_describe_sized_and_slice_tailed_types() {
    let sized = PayloadLayout::sized::<[u32; 3]>();
    assert_eq!(
        sized,
        PayloadLayout {
            prefix: 12,
            elem: 0,
            align: 4
        }
    );
    assert!(!sized.is_slice_tailed());
    assert_eq!(sized.elements_for(12), Some(0));
    assert_eq!(sized.elements_for(16), None);
    assert_eq!(sized.len_for(5), 12);

    let rights = ScmRights::LAYOUT;
    assert!(rights.is_slice_tailed());
    assert_eq!(rights.elem, size_of::<libc::c_int>());

    // A 4-byte prefix then 12-byte elements (say `u32` then `[[u32; 3]]`): the prefix is
    // not a multiple of the element, so the count must be taken after the prefix.
    let tailed = PayloadLayout {
        prefix: 4,
        elem: 12,
        align: 4,
    };
    assert!(tailed.is_slice_tailed());
    assert_eq!(tailed.elements_for(4), Some(0));
    assert_eq!(tailed.elements_for(16), Some(1));
    assert_eq!(tailed.elements_for(28), Some(2));
    for bad in [0, 3, 8, 12, 20, 24] {
        assert_eq!(tailed.elements_for(bad), None, "{bad} bytes");
    }
    assert_eq!(tailed.len_for(0), 4);
    assert_eq!(tailed.len_for(2), 28);
    assert_eq!(tailed.len_for(usize::MAX), usize::MAX, "saturates");
}

/// An `SCM_RIGHTS` message of `fds`, parsed as a `&ScmRights` from a buffer (whose
/// payload is aligned for `c_int`).
fn with_rights<R>(fds: &[libc::c_int], f: impl FnOnce(&ScmRights) -> R) -> R {
    let payload: Vec<u8> = fds.iter().flat_map(|fd| fd.to_ne_bytes()).collect();
    let mut buf = ControlMessagesBuf::new();
    buf.push(&ControlMessage::new(
        libc::SOL_SOCKET,
        libc::SCM_RIGHTS,
        &payload,
    ));
    let rights: &ScmRights = buf.find::<ScmRights>().unwrap().unwrap();
    f(rights)
}

#[test]
fn scm_rights_views_the_descriptor_numbers() {
    with_rights(&[3, 9, 4], |rights| {
        assert_eq!(rights.fds(), [3, 9, 4]);
        assert_eq!(rights.len(), 3);
        assert!(!rights.is_empty());
        assert_eq!(rights.into_iter().copied().collect::<Vec<_>>(), [3, 9, 4]);
        assert_eq!(format!("{rights:?}"), "ScmRights([3, 9, 4])");
    });
    with_rights(&[], |rights| {
        assert!(rights.is_empty());
        assert_eq!(rights.len(), 0);
        assert_eq!(rights.into_iter().count(), 0);
    });
}

// ----- Debug output ----------------------------------------------------------------------

#[test]
fn debug_shows_the_messages_and_their_fields() {
    let one = ControlMessage::new(1, 2, &[3, 4]);
    assert_eq!(
        format!("{one:?}"),
        "ControlMessage { cmsg_level: 1, cmsg_type: 2, data: [3, 4], truncated: false }"
    );

    let bytes = [message(1, 2, &[3, 4]), message(5, 6, &[])].concat();
    let messages = ControlMessages::from_bytes(&bytes);
    assert_eq!(
        format!("{messages:?}"),
        "[ControlMessage { cmsg_level: 1, cmsg_type: 2, data: [3, 4], truncated: false }, \
         ControlMessage { cmsg_level: 5, cmsg_type: 6, data: [], truncated: false }]"
    );

    let mut iter = messages.iter();
    assert_eq!(
        format!("{iter:?}"),
        format!("ControlMessagesIter {{ remaining_bytes: {} }}", bytes.len())
    );
    iter.next();
    assert_eq!(
        format!("{iter:?}"),
        format!(
            "ControlMessagesIter {{ remaining_bytes: {} }}",
            cmsg_space(0)
        )
    );

    let of_type = messages.of_type::<ScmRights>();
    let debug = format!("{of_type:?}");
    assert!(
        debug.starts_with("OfType { type: \"") && debug.contains("ScmRights"),
        "{debug}"
    );
}

#[test]
fn debug_shows_the_storage_and_what_the_buffer_holds() {
    let storage = AncillaryStorage::<40>::new();
    assert_eq!(format!("{storage:?}"), "AncillaryStorage { len: 40 }");

    let empty = AncillaryData::new();
    assert_eq!(
        format!("{empty:?}"),
        "AncillaryData { messages: ControlMessagesBuf { storage: Storage { kind: \"inline\", \
         capacity: 0 }, len: 0, messages: [], received: 0, owns_fds: false } }"
    );

    let mut storage = AncillaryStorage::<{ cmsg_space(1) }>::new();
    let mut fixed = ControlMessagesBuf::with_storage(storage.as_mut());
    fixed.push(&ControlMessage::new(1, 2, &[3]));
    assert_eq!(
        format!("{fixed:?}"),
        format!(
            "ControlMessagesBuf {{ storage: Storage {{ kind: \"fixed\", capacity: {space} }}, \
             len: {space}, messages: [ControlMessage {{ cmsg_level: 1, cmsg_type: 2, \
             data: [3], truncated: false }}], received: 0, owns_fds: false }}",
            space = cmsg_space(1)
        )
    );
}
