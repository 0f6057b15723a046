#!/usr/bin/env python3
"""Checks the availability badges ("Available on ... only") of ancillary's docs as docs.rs
renders them (nightly rustdoc, `--cfg docsrs`, every feature) for one target.

usage: doc_badges.py DOC_DIR TARGET

DOC_DIR is rustdoc's output for the crate (`<target dir>/<target>/doc/ancillary`). Checks:

* the crate-wide platform condition (Unix: Linux, Android, FreeBSD, macOS, iOS) is said
  once, in the crate page's Platforms section, and on no item: no badge names one of
  build.rs's cfg aliases (`supported_os`, `linux_like`, ...), "Unix", or both a Linux-like
  and a BSD platform;
* the items of the optional features named below carry their feature's badge, the
  builders' async methods and the trait impls for socket2's types included;
* the per-OS items named below carry their OS's badge.
"""

import html
import os
import re
import sys

# The cfg aliases of ancillary/build.rs: a badge that names one shows the reader a name
# that means nothing outside the crate.
ALIASES = ("supported_os", "linux_like", "apple", "bsd_like", "io_uring_target",
           "padded_timespec")

# (page, anchor or None for the page's own item, words the badge must contain)
FEATURES = [
    ("tokio/index.html", None, "crate feature tokio"),
    ("tokio/trait.AsyncSendMessage.html", None, "crate feature tokio"),
    ("tokio/trait.AsyncRecvMessageFrom.html", None, "crate feature tokio"),
    ("tokio/trait.PollSendMessage.html", None, "crate feature tokio"),
    ("tokio/trait.PollRecvMessageFrom.html", None, "crate feature tokio"),
    ("struct.MessageSender.html", "method.send_async", "crate feature tokio"),
    ("struct.MessageSender.html", "method.send_to_async", "crate feature tokio"),
    ("struct.MessageReceiver.html", "method.recv_async", "crate feature tokio"),
    ("struct.MessageReceiver.html", "method.recv_from_async", "crate feature tokio"),
    ("socket2/index.html", None, "crate feature socket2"),
    ("trait.SendMessage.html", "impl-SendMessage-for-Socket", "crate feature socket2"),
    ("trait.SendMessageTo.html", "impl-SendMessageTo-for-Socket", "crate feature socket2"),
    ("trait.RecvMessage.html", "impl-RecvMessage-for-Socket", "crate feature socket2"),
    ("trait.RecvMessageFrom.html", "impl-RecvMessageFrom-for-Socket",
     "crate feature socket2"),
    ("trait.SocketAddress.html", "impl-SocketAddress-for-SockAddr", "crate feature socket2"),
]
# Linux and Android (on the architectures the io-uring crate supports, which all of
# docs.rs's and CI's Linux-like doc targets are).
LINUX = [
    ("io_uring/index.html", None, "crate feature io-uring"),
    ("io_uring/struct.SendMsg.html", None, "crate feature io-uring"),
    ("io_uring/struct.RecvMsg.html", None, "crate feature io-uring"),
    ("io_uring/struct.RecvMsgMulti.html", None, "crate feature io-uring"),
    ("io_uring/struct.RecvMsgOut.html", None, "crate feature io-uring"),
    ("os/linux/index.html", None, "Linux or Android"),
    ("os/linux/struct.IpTos.html", None, "Linux or Android"),
    ("struct.AncillaryData.html", "method.take_pidfd", "Linux or Android"),
    ("trait.ControlMessagePayload.html", "impl-ControlMessagePayload-for-IpTtl",
     "Linux or Android"),
]
FREEBSD = [
    ("os/freebsd/index.html", None, "FreeBSD"),
    ("os/freebsd/struct.ScmCreds.html", None, "FreeBSD"),
    ("trait.ControlMessagePayload.html", "impl-ControlMessagePayload-for-ScmCreds",
     "FreeBSD"),
]
APPLE = [
    ("os/macos/index.html", None, "macOS or iOS"),
    ("os/macos/struct.ScmCreds.html", None, "macOS or iOS"),
    ("trait.ControlMessagePayload.html", "impl-ControlMessagePayload-for-ScmCreds",
     "macOS or iOS"),
]

# Errors printed (one missing attribute can put a badge on hundreds of items).
SHOWN = 30

BADGE = re.compile(r'<(span|div) class="stab portability"[^>]*>(.*?)</\1>', re.S)
# What follows an item's or an anchor's own badge: its docs, or the next item.
AFTER_ITEM = ('class="toggle top-doc"', "<h2 ")
AFTER_ANCHOR = ('class="docblock"', "<section id=", 'class="impl-items"')


def text(fragment):
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def badges(fragment):
    return [text(m.group(2)) for m in BADGE.finditer(fragment)]


def until(page, start, ends):
    stops = [i for i in (page.find(end, start) for end in ends) if i >= 0]
    return page[start:min(stops, default=len(page))]


def own_badges(doc_dir, page, anchor):
    """The badges of a page's item (anchor None) or of the method or impl `anchor`."""
    path = os.path.join(doc_dir, page)
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        content = f.read()
    marker = 'class="main-heading"' if anchor is None else f'id="{anchor}"'
    start = content.find(marker)
    if start < 0:
        return None
    return badges(until(content, start, AFTER_ITEM if anchor is None else AFTER_ANCHOR))


def crate_wide(badge):
    """Why `badge` states the crate-wide platform condition (or names an alias), or None."""
    words = set(re.findall(r"[\w-]+", badge))
    named = [alias for alias in ALIASES if alias in words]
    if named:
        return f"names the cfg alias {named[0]}"
    if "Unix" in words:
        return "names Unix"
    if words & {"Linux", "Android"} and words & {"FreeBSD", "macOS", "iOS"}:
        return "names Linux-like and BSD platforms together"
    return None


def main():
    doc_dir, target = sys.argv[1:]
    errors = []
    count = 0
    for root, _, files in os.walk(doc_dir):
        for name in files:
            if not name.endswith(".html"):
                continue
            path = os.path.join(root, name)
            with open(path, encoding="utf-8") as f:
                for badge in badges(f.read()):
                    count += 1
                    why = crate_wide(badge)
                    if why:
                        errors.append(f"{os.path.relpath(path, doc_dir)}: badge {badge!r} {why}")

    with open(os.path.join(doc_dir, "index.html"), encoding="utf-8") as f:
        crate_page = f.read()
    platforms = until(crate_page, crate_page.find('id="platforms"'), ("<h2 ",))
    if 'id="platforms"' not in crate_page or not all(
            name in text(platforms) for name in ("Linux", "Android", "FreeBSD", "macOS", "iOS")):
        errors.append("index.html: no Platforms section naming every supported platform")

    expected = list(FEATURES)
    if "-linux-" in target:
        expected += LINUX
    elif "freebsd" in target:
        expected += FREEBSD
    elif "apple" in target:
        expected += APPLE
    for page, anchor, words in expected:
        where = page + (f"#{anchor}" if anchor else "")
        found = own_badges(doc_dir, page, anchor)
        if found is None:
            errors.append(f"{where}: no such page or anchor")
        elif not any(words in badge for badge in found):
            errors.append(f"{where}: no badge with {words!r} (badges: {found})")

    for error in errors[:SHOWN]:
        print(f"doc_badges.py {target}: {error}", file=sys.stderr)
    if errors:
        more = f" ({len(errors) - SHOWN} more not shown)" if len(errors) > SHOWN else ""
        sys.exit(f"doc_badges.py {target}: {len(errors)} errors{more}")
    print(f"{target}: {count} badges, none crate-wide; {len(expected)} named items badged")


if __name__ == "__main__":
    main()
