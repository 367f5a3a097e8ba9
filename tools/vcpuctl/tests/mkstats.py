#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# mkstats.py FILE VM_ID N: a stats file in the stats-fd layout
# (Documentation/stats.rst, KVM's binary stats) for the host tests of
# metrics and top: VM stats vcpus and memlock_bytes; two vCPUs, vCPU 0
# with N CPUID exits of 300 ns each (bucket 9), max 400 ns, 3 exits to
# user space for I/O (1 us each), guest_ns 0.5 s; vCPU 1 with 5 CPUIDs.
import struct, sys

NAME = 48
CUMUL, INSTANT, PEAK, LOGHIST = 0, 1, 2, 4
NONE, BYTES, SECONDS = 0x00, 0x10, 0x20

path, vm, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])


def hist(bucket, count):
    h = [0] * 32
    h[bucket] = count
    return h


stats = [
    ("vcpus", INSTANT, 0, [2]),
    ("memlock_bytes", INSTANT | BYTES, 0, [65536]),
]
for cpu, cnt in ((0, n), (1, 5)):
    p = "vcpu%d/" % cpu
    stats += [
        (p + "exits", CUMUL, 0, [cnt + (3 if cpu == 0 else 0)]),
        (p + "guest_ns", CUMUL | SECONDS, -9, [500000000 if cpu == 0 else 0]),
        (p + "exits_CPUID", CUMUL, 0, [cnt]),
        (p + "exit_ns_sum_CPUID", CUMUL | SECONDS, -9, [300 * cnt]),
        (p + "exit_ns_max_CPUID", PEAK | SECONDS, -9, [400]),
        # 300 ns: [256, 512) is bucket 9
        (p + "exit_ns_hist_CPUID", LOGHIST | SECONDS, -9, hist(9, cnt)),
    ]
    if cpu == 0:
        stats += [
            (p + "user_exits_IO", CUMUL, 0, [3]),
            (p + "user_ns_sum_IO", CUMUL | SECONDS, -9, [3000]),
            (p + "user_ns_max_IO", PEAK | SECONDS, -9, [1000]),
            (p + "user_ns_hist_IO", LOGHIST | SECONDS, -9, hist(10, 3)),
        ]

hdr_size = 24
id_off = hdr_size
desc_off = id_off + NAME
desc_size = 16 + NAME
data_off = desc_off + desc_size * len(stats)
descs = b""
data = b""
for name, flags, exp, vals in stats:
    descs += struct.pack("<IhHII", flags, exp, len(vals), len(data), 0)
    descs += name.encode().ljust(NAME, b"\0")
    data += struct.pack("<%dQ" % len(vals), *vals)
ident = ("xvcpu-1-vm%d" % vm).encode().ljust(NAME, b"\0")
with open(path, "wb") as f:
    f.write(struct.pack("<6I", 0, NAME, len(stats), id_off, desc_off, data_off))
    f.write(ident + descs + data)
print(path)
