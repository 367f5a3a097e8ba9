// SPDX-License-Identifier: GPL-2.0
/*
 * PVH boot of an uncompressed ELF kernel (pvh.h). Every field comes from
 * an untrusted file: each offset and size is checked against the file
 * and guest RAM, without overflow, before it is used.
 */
#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "pvh.h"
#include "vcpuctl.h"

_Static_assert(sizeof(struct hvm_start_info) == 56, "hvm_start_info");
_Static_assert(sizeof(struct hvm_modlist_entry) == 32, "hvm_modlist_entry");
_Static_assert(sizeof(struct hvm_memmap_table_entry) == 24,
	      "hvm_memmap_table_entry");

#define MAX_MEM		0xc0000000ull	/* 3 GiB, as the bzImage boot */

static __printf(4, 5) int pvh_err(int r, char *err, size_t errlen,
				  const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return r;
}

bool pvh_is_elf(const void *buf, size_t len)
{
	return len >= SELFMAG && !memcmp(buf, ELFMAG, SELFMAG);
}

/* [off, off + size) inside a file of @len bytes, without overflow. */
static bool in_file(uint64_t off, uint64_t size, size_t len)
{
	return off <= len && size <= len - off;
}

/*
 * The PVH entry from the notes of one PT_NOTE segment: 0 and *@entry
 * set, 1 when it is not there, -EINVAL with @err for a malformed note.
 */
static int find_entry(const uint8_t *p, uint64_t size, uint64_t *entry,
		      char *err, size_t errlen)
{
	uint64_t off = 0;

	while (size - off >= sizeof(Elf64_Nhdr)) {
		Elf64_Nhdr n;
		uint64_t name_len, desc_len;

		memcpy(&n, p + off, sizeof(n));
		name_len = (n.n_namesz + 3ull) & ~3ull;
		desc_len = (n.n_descsz + 3ull) & ~3ull;
		off += sizeof(n);
		if (name_len > size - off || desc_len > size - off - name_len)
			return pvh_err(-EINVAL, err, errlen,
				       "corrupt ELF note: it runs past its PT_NOTE segment");
		if (n.n_namesz == 4 && !memcmp(p + off, "Xen", 4) &&
		    n.n_type == XEN_ELFNOTE_PHYS32_ENTRY) {
			uint32_t e32;

			if (n.n_descsz == 4) {
				memcpy(&e32, p + off + name_len, 4);
				*entry = e32;
			} else if (n.n_descsz == 8) {
				memcpy(entry, p + off + name_len, 8);
			} else {
				return pvh_err(-EINVAL, err, errlen,
					       "corrupt PVH entry note: %u bytes, not 4 or 8",
					       n.n_descsz);
			}
			return 0;
		}
		off += name_len + desc_len;
	}
	return 1;
}

struct elf_kernel {
	const uint8_t *ph;	/* the program headers, maybe unaligned */
	unsigned int nph;
	uint64_t lo, hi;	/* physical span of the PT_LOAD segments */
	uint64_t entry;
};

static int parse_elf(const uint8_t *buf, size_t len, struct elf_kernel *k,
		     char *err, size_t errlen)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	unsigned int i, nload = 0;
	bool have_entry = false;
	int r;

	if (len < sizeof(eh))
		return pvh_err(-EINVAL, err, errlen,
			       "%zu bytes: too short for an ELF kernel", len);
	memcpy(&eh, buf, sizeof(eh));
	if (eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_ident[EI_DATA] != ELFDATA2LSB || eh.e_machine != EM_X86_64)
		return pvh_err(-EINVAL, err, errlen,
			       "an ELF file, but not a little-endian 64-bit x86-64 one (class %u, machine %u)",
			       eh.e_ident[EI_CLASS], eh.e_machine);
	if (eh.e_type != ET_EXEC)
		return pvh_err(-EINVAL, err, errlen,
			       "an ELF file of type %u, not an executable (a vmlinux is ET_EXEC)",
			       eh.e_type);
	if (eh.e_phentsize != sizeof(Elf64_Phdr) || !eh.e_phnum ||
	    !in_file(eh.e_phoff, (uint64_t)eh.e_phnum * sizeof(ph), len))
		return pvh_err(-EINVAL, err, errlen,
			       "truncated or corrupt ELF: %u program headers at offset %llu do not fit in %zu bytes",
			       eh.e_phnum, (unsigned long long)eh.e_phoff, len);
	k->ph = buf + eh.e_phoff;
	k->nph = eh.e_phnum;
	k->lo = UINT64_MAX;
	k->hi = 0;
	for (i = 0; i < k->nph; i++) {
		memcpy(&ph, k->ph + i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_LOAD && ph.p_type != PT_NOTE)
			continue;
		if (!in_file(ph.p_offset, ph.p_filesz, len))
			return pvh_err(-EINVAL, err, errlen,
				       "truncated: segment %u needs file bytes [%llu, %llu), the file has %zu",
				       i, (unsigned long long)ph.p_offset,
				       (unsigned long long)ph.p_offset + ph.p_filesz,
				       len);
		if (ph.p_type == PT_NOTE) {
			if (have_entry)
				continue;
			r = find_entry(buf + ph.p_offset, ph.p_filesz,
				       &k->entry, err, errlen);
			if (r < 0)
				return r;
			have_entry = !r;
			continue;
		}
		if (ph.p_filesz > ph.p_memsz || ph.p_memsz > MAX_MEM ||
		    ph.p_paddr > MAX_MEM)
			return pvh_err(-EINVAL, err, errlen,
				       "corrupt segment %u: 0x%llx file bytes, 0x%llx in memory at 0x%llx",
				       i, (unsigned long long)ph.p_filesz,
				       (unsigned long long)ph.p_memsz,
				       (unsigned long long)ph.p_paddr);
		if (ph.p_paddr < BZ_HIGH)
			return pvh_err(-EINVAL, err, errlen,
				       "segment %u at 0x%llx: below 1 MiB, where the loader's tables are",
				       i, (unsigned long long)ph.p_paddr);
		if (ph.p_paddr < k->lo)
			k->lo = ph.p_paddr;
		if (ph.p_paddr + ph.p_memsz > k->hi)
			k->hi = ph.p_paddr + ph.p_memsz;
		nload++;
	}
	if (!nload)
		return pvh_err(-EINVAL, err, errlen,
			       "an ELF file without a loadable segment");
	if (!have_entry)
		return pvh_err(-EINVAL, err, errlen,
			       "no PVH entry: the ELF note XEN_ELFNOTE_PHYS32_ENTRY is missing (a kernel built without CONFIG_PVH?)");
	if (k->entry < k->lo || k->entry >= k->hi)
		return pvh_err(-EINVAL, err, errlen,
			       "the PVH entry 0x%llx is outside the kernel's [0x%llx, 0x%llx)",
			       (unsigned long long)k->entry,
			       (unsigned long long)k->lo,
			       (unsigned long long)k->hi);
	return 0;
}

static void memmap_add(struct hvm_memmap_table_entry *m, unsigned int *n,
		       uint64_t addr, uint64_t size, uint32_t type)
{
	m[*n].addr = addr;
	m[*n].size = size;
	m[*n].type = type;
	m[*n].reserved = 0;
	(*n)++;
}

int pvh_load(const void *kbuf, size_t klen, const void *initrd,
	     size_t initrd_len, const char *cmdline, void *mem,
	     uint64_t mem_size, struct bz_boot *b, char *err, size_t errlen)
{
	const uint8_t *buf = kbuf;
	struct hvm_start_info si;
	struct hvm_modlist_entry mod;
	struct hvm_memmap_table_entry mm[4];
	struct elf_kernel k = { 0 };
	size_t cl = strlen(cmdline);
	unsigned int i, n = 0;
	Elf64_Phdr ph;
	int r;

	memset(b, 0, sizeof(*b));
	b->mem_size = mem_size;
	r = parse_elf(buf, klen, &k, err, errlen);
	if (r)
		return r;
	if (mem_size <= BZ_HIGH || mem_size > MAX_MEM)
		return pvh_err(-ENOSPC, err, errlen,
			       "guest RAM of %llu KiB: need more than 1 MiB and at most 3 GiB",
			       (unsigned long long)(mem_size >> 10));
	if (k.hi > mem_size)
		return pvh_err(-ENOSPC, err, errlen,
			       "the kernel needs [0x%llx, 0x%llx) (%llu MiB) and guest RAM ends at 0x%llx",
			       (unsigned long long)k.lo, (unsigned long long)k.hi,
			       (unsigned long long)((k.hi - k.lo) >> 20),
			       (unsigned long long)mem_size);
	if (cl > PVH_CMDLINE_MAX)
		return pvh_err(-EINVAL, err, errlen,
			       "command line of %zu bytes; Linux takes at most %u",
			       cl, PVH_CMDLINE_MAX);
	if (initrd && (initrd_len > mem_size ||
		       ((mem_size - initrd_len) & ~0xfffull) < k.hi))
		return pvh_err(-ENOSPC, err, errlen,
			       "initrd of %zu KiB does not fit between the kernel's end 0x%llx and 0x%llx",
			       initrd_len >> 10, (unsigned long long)k.hi,
			       (unsigned long long)mem_size);

	for (i = 0; i < k.nph; i++) {
		memcpy(&ph, k.ph + i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_LOAD)
			continue;
		memcpy((char *)mem + ph.p_paddr, buf + ph.p_offset,
		       ph.p_filesz);
		memset((char *)mem + ph.p_paddr + ph.p_filesz, 0,
		       ph.p_memsz - ph.p_filesz);
	}
	memcpy((char *)mem + BZ_CMDLINE, cmdline, cl + 1);

	memset(&si, 0, sizeof(si));
	si.magic = HVM_START_MAGIC;
	si.version = 1;
	si.cmdline_paddr = BZ_CMDLINE;
	if (initrd) {
		b->initrd_addr = (mem_size - initrd_len) & ~0xfffull;
		b->initrd_size = initrd_len;
		memcpy((char *)mem + b->initrd_addr, initrd, initrd_len);
		memset(&mod, 0, sizeof(mod));
		mod.paddr = b->initrd_addr;
		mod.size = initrd_len;
		memcpy((char *)mem + PVH_MODLIST, &mod, sizeof(mod));
		si.nr_modules = 1;
		si.modlist_paddr = PVH_MODLIST;
	}
	/* The bzImage boot's e820 map. */
	memmap_add(mm, &n, 0, BZ_EBDA, HVM_MEMMAP_TYPE_RAM);
	memmap_add(mm, &n, BZ_EBDA, 0xa0000 - BZ_EBDA, HVM_MEMMAP_TYPE_RESERVED);
	memmap_add(mm, &n, BZ_BIOS, BZ_HIGH - BZ_BIOS, HVM_MEMMAP_TYPE_RESERVED);
	memmap_add(mm, &n, BZ_HIGH, mem_size - BZ_HIGH, HVM_MEMMAP_TYPE_RAM);
	memcpy((char *)mem + PVH_MEMMAP, mm, sizeof(mm));
	si.memmap_paddr = PVH_MEMMAP;
	si.memmap_entries = n;
	memcpy((char *)mem + PVH_START_INFO, &si, sizeof(si));

	b->pvh = true;
	b->start_info = PVH_START_INFO;
	b->entry = k.entry;
	b->nr_e820 = n;
	b->k.entry64 = false;
	b->k.load_addr = k.lo;
	b->k.init_size = k.hi - k.lo;
	bz_firmware(mem, b);
	return 0;
}
