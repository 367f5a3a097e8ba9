#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn a stock x86-64 bzImage into a fast-booting one for Bochs.

Bochs spends most of a stock boot in the decompressor's XZ code.  This
keeps the stock real-mode setup sectors (the boot protocol header and the
16-bit setup code) and replaces the protected-mode part (decompressor +
compressed vmlinux) with fastboot_stub.S followed by the vmlinux PT_LOAD
contents, uncompressed and laid out by physical address.  The stub copies
them into place, enters long mode and jumps to startup_64.

usage: mkfastkernel.py --stub STUB.bin VMLINUZ OUT
       mkfastkernel.py --extract-vmlinux VMLINUZ OUT   (just the ELF)
"""

import argparse
import os
import shutil
import struct
import subprocess
import sys

PAGE = 4096
LOAD_ADDR = 0x100000          # where a loader puts a non-relocatable bzImage
STUB_RESERVED = 0xa000        # stub code, page tables, stack (fastboot_stub.S)
PARAMS_OFF = 8                # parameter block in the stub
MIN_ZERO_RUN = 16             # zero runs of at least this many pages are not stored

# Offsets in the setup header (Documentation/x86/boot.rst).
H_SETUP_SECTS = 0x1f1
H_SYSSIZE = 0x1f4
H_HEADER = 0x202
H_VERSION = 0x206
H_LOADFLAGS = 0x211
H_CODE32_START = 0x214
H_KERNEL_ALIGNMENT = 0x230
H_RELOCATABLE = 0x234
H_MIN_ALIGNMENT = 0x235
H_XLOADFLAGS = 0x236
H_PAYLOAD_OFFSET = 0x248
H_PAYLOAD_LENGTH = 0x24c
H_PREF_ADDRESS = 0x258
H_INIT_SIZE = 0x260
H_HANDOVER_OFFSET = 0x264
H_KERNEL_INFO_OFFSET = 0x268

# Compressed-stream signatures a bzImage payload may start with.
MAGICS = [
    (b"\xfd7zXZ\x00", ["xz", "-dc", "--single-stream"]),
    (b"\x28\xb5\x2f\xfd", ["zstd", "-dc"]),
    (b"\x1f\x8b\x08", ["gzip", "-dc"]),
]


def die(msg):
    sys.exit("mkfastkernel: error: " + msg)


def u8(b, o):
    return b[o]


def u16(b, o):
    return struct.unpack_from("<H", b, o)[0]


def u32(b, o):
    return struct.unpack_from("<I", b, o)[0]


def setup_size(bz):
    if len(bz) < 0x300 or bz[H_HEADER:H_HEADER + 4] != b"HdrS":
        die("not a bzImage (no HdrS header)")
    if u16(bz, H_VERSION) < 0x208:
        die("boot protocol %#x too old (need 2.08+)" % u16(bz, H_VERSION))
    sects = u8(bz, H_SETUP_SECTS) or 4
    return (sects + 1) * 512


def decompress(data, what):
    """Decompress the stream at the start of data with the matching tool."""
    for magic, cmd in MAGICS:
        if data.startswith(magic):
            if not shutil.which(cmd[0]):
                die("%s payload but no %s tool" % (what, cmd[0]))
            # The kernel build appends the 4-byte size after the stream:
            # --single-stream (xz) / trailing-garbage tolerance handles it.
            p = subprocess.run(cmd, input=data, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
            if p.stdout[:4] == b"\x7fELF":
                return p.stdout
            die("%s failed on the payload: %s" % (cmd[0], p.stderr.decode(errors="replace").strip()))
    return None


def extract_vmlinux(bz):
    """Find the compressed vmlinux in the bzImage and decompress it."""
    pm = setup_size(bz)
    off, length = u32(bz, H_PAYLOAD_OFFSET), u32(bz, H_PAYLOAD_LENGTH)
    # The header says where the payload is; trust it if a known magic is there.
    if length and pm + off + length <= len(bz):
        elf = decompress(bz[pm + off:pm + off + length], "header payload")
        if elf:
            return elf
    # Otherwise scan the protected-mode part for a stream signature.
    for magic, _ in MAGICS:
        pos = bz.find(magic, pm)
        while pos >= 0:
            try:
                elf = decompress(bz[pos:], "scanned payload")
            except SystemExit:
                elf = None
            if elf:
                return elf
            pos = bz.find(magic, pos + 1)
    die("no compressed vmlinux found in the bzImage")


def load_segments(elf):
    if elf[:4] != b"\x7fELF" or elf[4] != 2 or elf[5] != 1:
        die("vmlinux is not a little-endian ELF64")
    e_machine = u16(elf, 18)
    if e_machine != 62:
        die("vmlinux is not x86-64 (e_machine %d)" % e_machine)
    e_entry, e_phoff = struct.unpack_from("<QQ", elf, 24)
    e_phentsize, e_phnum = struct.unpack_from("<HH", elf, 54)
    segs = []
    for i in range(e_phnum):
        p_type, _flags, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, _align = \
            struct.unpack_from("<IIQQQQQQ", elf, e_phoff + i * e_phentsize)
        if p_type == 1 and p_memsz:
            segs.append((p_paddr, p_vaddr, p_offset, p_filesz, p_memsz))
    if not segs:
        die("vmlinux has no PT_LOAD segment")
    segs.sort()
    # e_entry is physical on x86-64 (ENTRY(phys_startup_64)); map it if not.
    entry = None
    for paddr, vaddr, _o, _f, memsz in segs:
        if paddr <= e_entry < paddr + memsz:
            entry = e_entry
            break
    if entry is None:
        for paddr, vaddr, _o, _f, memsz in segs:
            if vaddr <= e_entry < vaddr + memsz:
                entry = paddr + (e_entry - vaddr)
                break
    if entry is None:
        die("cannot place the entry point %#x" % e_entry)
    return segs, entry


def build(bz, elf, stub):
    pm = setup_size(bz)
    segs, entry = load_segments(elf)
    lo = segs[0][0] & ~(PAGE - 1)
    hi = max(p + m for p, _v, _o, _f, m in segs)
    hi = (hi + PAGE - 1) & ~(PAGE - 1)
    if lo < LOAD_ADDR + STUB_RESERVED or hi > 0xffffffff:
        die("vmlinux at %#x-%#x does not fit the stub's layout" % (lo, hi))

    # The physical picture the kernel expects, zero where nothing is loaded.
    image = bytearray(hi - lo)
    for paddr, _v, off, filesz, memsz in segs:
        if paddr + filesz > hi:
            die("segment overflow")
        image[paddr - lo:paddr - lo + filesz] = elf[off:off + filesz]

    # Page-granular chunks: long zero runs become "zero" records, the rest
    # is stored.  Records are in ascending destination order.
    npages = len(image) // PAGE
    zero_page = bytes(PAGE)
    is_zero = [image[i * PAGE:(i + 1) * PAGE] == zero_page for i in range(npages)]
    runs = []          # (first_page, count, zero)
    i = 0
    while i < npages:
        j = i
        while j < npages and is_zero[j] == is_zero[i]:
            j += 1
        runs.append([i, j - i, is_zero[i]])
        i = j
    for r in runs:
        if r[2] and r[1] < MIN_ZERO_RUN:
            r[2] = False
    merged = []
    for r in runs:
        if merged and merged[-1][2] == r[2]:
            merged[-1][1] += r[1]
        else:
            merged.append(list(r))

    if len(stub) > 0x1000:
        die("stub too large (%d bytes)" % len(stub))
    if stub[PARAMS_OFF:PARAMS_OFF + 4] != b"XVFB":
        die("stub has no parameter block")
    taboff = STUB_RESERVED
    tabsize = 12 * len(merged)
    dataoff = (taboff + tabsize + PAGE - 1) & ~(PAGE - 1)
    records = []
    data = bytearray()
    for first, count, zero in merged:
        dst = lo + first * PAGE
        length = count * PAGE
        if zero:
            records.append((dst, 0, length))
        else:
            records.append((dst, dataoff + len(data), length))
            data += image[first * PAGE:first * PAGE + length]
    pm_image = bytearray(dataoff) + data
    pm_image[:len(stub)] = stub
    for k, rec in enumerate(records):
        struct.pack_into("<III", pm_image, taboff + 12 * k, *rec)
    struct.pack_into("<4sIQIIIII", pm_image, PARAMS_OFF, b"XVFB", 1, entry,
                     len(records), taboff, lo, hi, len(pm_image))
    # The descending copy in the stub needs every chunk to move up.
    for dst, src, length in records:
        if src and LOAD_ADDR + src > dst:
            die("chunk at %#x would move down; layout assumption broken" % dst)

    # Keep the stock setup sectors; describe the new protected-mode part.
    setup = bytearray(bz[:pm])
    struct.pack_into("<I", setup, H_SYSSIZE, (len(pm_image) + 15) // 16)
    struct.pack_into("<I", setup, H_CODE32_START, LOAD_ADDR)
    # Not relocatable: loaders then put us at 1 MiB, below the kernel.
    setup[H_RELOCATABLE] = 0
    setup[H_MIN_ALIGNMENT] = 12
    struct.pack_into("<I", setup, H_KERNEL_ALIGNMENT, PAGE)
    # No 64-bit/EFI entry points, nothing above 4 GiB: the stub is 32-bit only.
    struct.pack_into("<H", setup, H_XLOADFLAGS, 0)
    struct.pack_into("<II", setup, H_PAYLOAD_OFFSET, 0, 0)
    struct.pack_into("<Q", setup, H_PREF_ADDRESS, LOAD_ADDR)
    # init_size: from the load address to the end of the kernel's .bss/.brk,
    # so a loader keeps the initrd out of everything the stub writes.
    init_size = max(len(pm_image), hi - LOAD_ADDR)
    init_size = (init_size + PAGE - 1) & ~(PAGE - 1)
    struct.pack_into("<I", setup, H_INIT_SIZE, init_size)
    struct.pack_into("<I", setup, H_HANDOVER_OFFSET, 0)
    if u16(bz, H_VERSION) >= 0x20f:
        struct.pack_into("<I", setup, H_KERNEL_INFO_OFFSET, 0)
    stats = {
        "lo": lo, "hi": hi, "entry": entry, "records": len(records),
        "stored": len(data), "zeroed": sum(l for _d, s, l in records if not s),
        "init_size": init_size,
    }
    return bytes(setup) + bytes(pm_image), stats


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stub", help="flat binary of fastboot_stub.S")
    ap.add_argument("--extract-vmlinux", action="store_true",
                    help="only write the decompressed vmlinux ELF")
    ap.add_argument("vmlinuz")
    ap.add_argument("out")
    a = ap.parse_args()
    with open(a.vmlinuz, "rb") as f:
        bz = f.read()
    elf = extract_vmlinux(bz)
    if a.extract_vmlinux:
        out = elf
    else:
        if not a.stub:
            die("--stub is required")
        with open(a.stub, "rb") as f:
            stub = f.read()
        out, st = build(bz, elf, stub)
        print("mkfastkernel: vmlinux %#x-%#x entry %#x: %d chunks, %.1f MiB stored,"
              " %.1f MiB zero-filled, init_size %#x, image %.1f MiB"
              % (st["lo"], st["hi"], st["entry"], st["records"],
                 st["stored"] / 2**20, st["zeroed"] / 2**20, st["init_size"],
                 len(out) / 2**20), file=sys.stderr)
    tmp = a.out + ".tmp"
    with open(tmp, "wb") as f:
        f.write(out)
    os.replace(tmp, a.out)


if __name__ == "__main__":
    main()
