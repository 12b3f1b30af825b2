#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The blk test's raw disk image: SECTORS sectors of 512 bytes, each holding
a pattern blk_test recomputes (sector number in its first 8 bytes, then
bytes that depend on the sector and the position)."""
import struct
import sys

path, sectors = sys.argv[1], int(sys.argv[2])
with open(path + ".tmp", "wb") as f:
    for s in range(sectors):
        body = bytes(((s * 7 + i * 13) ^ (s >> 8)) & 0xff for i in range(8, 512))
        f.write(struct.pack("<Q", s) + body)
import os
os.replace(path + ".tmp", path)
