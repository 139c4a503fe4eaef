#!/usr/bin/env python3
"""Writes the first kilobyte of a bzImage (its setup header) for the fake-kernel cases.

    mksetup.py OUT [--cmdline-size N] [--initrd-max ADDR] [--no-above-4g]

Only the fields a loader reads are set (boot protocol 2.15, 64-bit entry); as a payload
this file is what a bzImage looks like to earlypatch ("HdrS" at 0x202, boot flag 0xAA55).
"""
import argparse
import struct

p = argparse.ArgumentParser()
p.add_argument("out")
p.add_argument("--cmdline-size", type=lambda s: int(s, 0), default=2047)
p.add_argument("--initrd-max", type=lambda s: int(s, 0), default=0x7FFFFFFF)
p.add_argument("--no-above-4g", action="store_true")
a = p.parse_args()

b = bytearray(1024)
b[0x1F1] = 4                                   # setup_sects
struct.pack_into("<H", b, 0x1FE, 0xAA55)       # boot_flag
b[0x200:0x202] = b"\xeb\x6a"                   # jump: the header ends at 0x26c
b[0x202:0x206] = b"HdrS"
struct.pack_into("<H", b, 0x206, 0x020F)       # version
struct.pack_into("<I", b, 0x22C, a.initrd_max)  # initrd_addr_max
struct.pack_into("<I", b, 0x230, 0x200000)     # kernel_alignment
b[0x234] = 1                                   # relocatable_kernel
struct.pack_into("<H", b, 0x236, 0x1 | (0 if a.no_above_4g else 0x2))  # XLF_KERNEL_64 [| CAN_BE_LOADED_ABOVE_4G]
struct.pack_into("<I", b, 0x238, a.cmdline_size)
with open(a.out, "wb") as f:
    f.write(b)
