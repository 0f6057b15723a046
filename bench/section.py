"""One marked section of BENCHMARKS.md, written by the report scripts of bench/."""

import re


def replace_section(md_path, start, end, new):
    """Replaces the text from the `start` marker to the `end` marker (both included) with
    `new`, or appends `new` if the markers are not there."""
    with open(md_path) as f:
        text = f.read()
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end) + r"\n?", re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: new, text)
    else:
        text = text.rstrip("\n") + "\n\n" + new
    with open(md_path, "w") as f:
        f.write(text)
