// SPDX-License-Identifier: GPL-2.0
/*
 * Guest image loader: flat binaries and static ELF executables. Every
 * size and offset comes from an untrusted file, so each sum is checked
 * for overflow before it is compared with a bound.
 */
#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "loader.h"
#include "vcpuctl.h"

/* One program header, whichever the ELF class. */
struct phdr {
	uint32_t type;
	uint64_t offset, vaddr, paddr, filesz, memsz;
};

static __printf(4, 5) int load_err(int r, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return r;
}

enum image_kind image_kind(const void *buf, size_t len)
{
	const unsigned char *id = buf;

	if (len < EI_NIDENT || memcmp(id, ELFMAG, SELFMAG))
		return IMAGE_FLAT;
	return id[EI_CLASS] == ELFCLASS32 ? IMAGE_ELF32 : IMAGE_ELF64;
}

const char *image_kind_name(enum image_kind kind)
{
	switch (kind) {
	case IMAGE_FLAT:
		return "flat binary";
	case IMAGE_ELF32:
		return "ELF32";
	case IMAGE_ELF64:
		return "ELF64";
	}
	return "?";
}

/* [gpa, gpa + size) inside RAM and clear of the VMM's own area. */
static int check_range(uint64_t gpa, uint64_t size,
		       const struct guest_layout *l, const char *what,
		       char *err, size_t errlen)
{
	uint64_t end = gpa + size;

	if (end < gpa || end > l->mem_size)
		return load_err(-ENOSPC, err, errlen,
				"%s [0x%llx, 0x%llx) does not fit in %llu KiB of guest RAM",
				what, (unsigned long long)gpa,
				(unsigned long long)end,
				(unsigned long long)(l->mem_size >> 10));
	if (size && gpa < l->reserved_hi && end > l->reserved_lo)
		return load_err(-ENOSPC, err, errlen,
				"%s [0x%llx, 0x%llx) overlaps vcpuctl's tables and stacks [0x%llx, 0x%llx)",
				what, (unsigned long long)gpa,
				(unsigned long long)end,
				(unsigned long long)l->reserved_lo,
				(unsigned long long)l->reserved_hi);
	return 0;
}

static void span_add(struct guest_image *img, uint64_t lo, uint64_t hi)
{
	if (!img->nr_segments++ || lo < img->lo)
		img->lo = lo;
	if (hi > img->hi)
		img->hi = hi;
}

static void elf_phdr(const unsigned char *buf, bool is64, unsigned int i,
		     uint64_t phoff, struct phdr *ph)
{
	if (is64) {
		Elf64_Phdr p;

		memcpy(&p, buf + phoff + i * sizeof(p), sizeof(p));
		*ph = (struct phdr){ p.p_type, p.p_offset, p.p_vaddr,
				     p.p_paddr, p.p_filesz, p.p_memsz };
	} else {
		Elf32_Phdr p;

		memcpy(&p, buf + phoff + i * sizeof(p), sizeof(p));
		*ph = (struct phdr){ p.p_type, p.p_offset, p.p_vaddr,
				     p.p_paddr, p.p_filesz, p.p_memsz };
	}
}

static int load_elf(const unsigned char *buf, size_t len,
		    const struct guest_layout *l, void *mem,
		    struct guest_image *img, char *err, size_t errlen)
{
	bool is64 = buf[EI_CLASS] == ELFCLASS64;
	uint64_t phoff, entry;
	unsigned int phnum, phentsize, i;
	uint16_t type, machine;
	bool entry_mapped = false;
	char what[48];
	int r;

	if (buf[EI_CLASS] != ELFCLASS32 && buf[EI_CLASS] != ELFCLASS64)
		return load_err(-EINVAL, err, errlen,
				"unknown ELF class %u", buf[EI_CLASS]);
	if (buf[EI_DATA] != ELFDATA2LSB)
		return load_err(-EINVAL, err, errlen,
				"not a little-endian ELF");
	if (len < (is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr)))
		return load_err(-EINVAL, err, errlen, "truncated ELF header");
	if (is64) {
		Elf64_Ehdr eh;

		memcpy(&eh, buf, sizeof(eh));
		type = eh.e_type;
		machine = eh.e_machine;
		entry = eh.e_entry;
		phoff = eh.e_phoff;
		phnum = eh.e_phnum;
		phentsize = eh.e_phentsize;
	} else {
		Elf32_Ehdr eh;

		memcpy(&eh, buf, sizeof(eh));
		type = eh.e_type;
		machine = eh.e_machine;
		entry = eh.e_entry;
		phoff = eh.e_phoff;
		phnum = eh.e_phnum;
		phentsize = eh.e_phentsize;
	}
	img->kind = is64 ? IMAGE_ELF64 : IMAGE_ELF32;
	if (type != ET_EXEC)
		return load_err(-EINVAL, err, errlen,
				"ELF type %u is not ET_EXEC: link the guest -static -no-pie",
				type);
	if (machine != (is64 ? EM_X86_64 : EM_386))
		return load_err(-EINVAL, err, errlen,
				"ELF machine %u is not %s", machine,
				is64 ? "x86-64" : "i386");
	if (phentsize != (is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr)))
		return load_err(-EINVAL, err, errlen,
				"program header size %u", phentsize);
	if (phoff > len || (uint64_t)phnum * phentsize > len - phoff)
		return load_err(-EINVAL, err, errlen,
				"program headers beyond the end of the file");

	for (i = 0; i < phnum; i++) {
		struct phdr ph;

		elf_phdr(buf, is64, i, phoff, &ph);
		if (ph.type == PT_INTERP)
			return load_err(-EINVAL, err, errlen,
					"dynamically linked (PT_INTERP): link the guest -static");
		if (ph.type != PT_LOAD || !ph.memsz)
			continue;
		if (ph.filesz > ph.memsz)
			return load_err(-EINVAL, err, errlen,
					"segment %u: p_filesz > p_memsz", i);
		if (ph.offset > len || ph.filesz > len - ph.offset)
			return load_err(-EINVAL, err, errlen,
					"segment %u beyond the end of the file",
					i);
		snprintf(what, sizeof(what), "segment %u", i);
		r = check_range(ph.paddr, ph.memsz, l, what, err, errlen);
		if (r)
			return r;
		memcpy((char *)mem + ph.paddr, buf + ph.offset, ph.filesz);
		memset((char *)mem + ph.paddr + ph.filesz, 0,
		       ph.memsz - ph.filesz);
		span_add(img, ph.paddr, ph.paddr + ph.memsz);
		if (!entry_mapped && entry >= ph.vaddr &&
		    entry - ph.vaddr < ph.memsz) {
			img->entry = entry - ph.vaddr + ph.paddr;
			entry_mapped = true;
		}
	}
	if (!img->nr_segments)
		return load_err(-EINVAL, err, errlen, "no PT_LOAD segment");
	if (!entry_mapped)
		img->entry = entry;
	return 0;
}

int image_load(const void *buf, size_t len, uint64_t flat_addr,
	       const struct guest_layout *l, void *mem,
	       struct guest_image *img, char *err, size_t errlen)
{
	int r;

	memset(img, 0, sizeof(*img));
	if (err && errlen)
		err[0] = '\0';
	img->kind = image_kind(buf, len);
	if (img->kind != IMAGE_FLAT)
		return load_elf(buf, len, l, mem, img, err, errlen);

	if (!len)
		return load_err(-EINVAL, err, errlen, "empty guest image");
	r = check_range(flat_addr, len, l, "the image", err, errlen);
	if (r)
		return r;
	memcpy((char *)mem + flat_addr, buf, len);
	span_add(img, flat_addr, flat_addr + len);
	img->entry = flat_addr;
	return 0;
}
