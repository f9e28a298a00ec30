#!/usr/bin/env python3
"""Writes broken copies of a real ELF64 file: headers that lie about where
their tables are, and garbage section headers.
   bogus_elf.py INPUT OUTDIR"""
import os
import random
import struct
import sys

src, out = sys.argv[1], sys.argv[2]
data = open(src, "rb").read()
assert data[:4] == b"\x7fELF" and data[4] == 2, "needs an ELF64 file"


def patch(off, fmt, value):
    d = bytearray(data)
    d[off:off + struct.calcsize(fmt)] = struct.pack(fmt, value)
    return d


variants = {
    "shoff_past_end": patch(0x28, "<Q", len(data) + 1000),
    "shnum_huge": patch(0x3C, "<H", 0xFFFF),
    "shstrndx_bad": patch(0x3E, "<H", 0xFFF0),
    "phoff_bad": patch(0x20, "<Q", 0xFFFFFFFFFFFF),
    "phnum_huge": patch(0x38, "<H", 0xFFFF),
}
d = bytearray(data)
shoff = struct.unpack("<Q", d[0x28:0x30])[0]
rnd = random.Random(3)
for i in range(shoff, min(len(d), shoff + 64 * 30)):
    d[i] = rnd.randrange(256)
variants["shdr_garbage"] = d
os.makedirs(out, exist_ok=True)
for name, blob in variants.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(blob)
