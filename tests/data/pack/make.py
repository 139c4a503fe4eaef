#!/usr/bin/env python3
"""Writes the DEFLATE and gzip vectors tests/unit/test_pack.c decodes (run from anywhere; the
outputs are kept in git). The text comes from the same generator as the test's text(), so the
test checks the decoded bytes against data it makes itself, not against a stored answer."""
import gzip
import os
import zlib

WORDS = [b"alternative", b"patch", b"site", b"nop", b"jmp", b"call", b"ret", b"int3", b"vmcall", b"\n", b"\x00\xff"]


def text(n):
    x, out = 12345, bytearray()
    while len(out) < n:
        x = (x * 1103515245 + 12345) & 0x7FFFFFFF
        out += WORDS[(x >> 16) % len(WORDS)]
    return bytes(out[:n])


def raw(data, level, strategy=zlib.Z_DEFAULT_STRATEGY, flush_at=None):
    c = zlib.compressobj(level, zlib.DEFLATED, -15, 9, strategy)
    if flush_at is None:
        return c.compress(data) + c.flush()
    return c.compress(data[:flush_at]) + c.flush(zlib.Z_FULL_FLUSH) + c.compress(data[flush_at:]) + c.flush()


here = os.path.dirname(os.path.abspath(__file__))
d = text(2000)
vectors = {
    "text.stored.deflate": raw(d, 0),                      # stored blocks
    "text.fixed.deflate": raw(d, 9, zlib.Z_FIXED),         # the fixed Huffman code
    "text.dynamic.deflate": raw(d, 9),                     # one dynamic block
    "text.multi.deflate": raw(d, 6, flush_at=700),         # dynamic, an empty stored block, dynamic
    "text.gz": gzip.compress(d, 9, mtime=0),
}
for name, v in vectors.items():
    if name.endswith(".deflate"):
        assert zlib.decompress(v, -15) == d
    with open(os.path.join(here, name), "wb") as f:
        f.write(v)
