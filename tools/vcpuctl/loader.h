/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest images: flat binaries and static ELF32/ELF64 executables, copied
 * into the guest RAM buffer. Pure (no I/O): the caller reads the file.
 */
#ifndef VCPUCTL_LOADER_H
#define VCPUCTL_LOADER_H

#include <stddef.h>
#include <stdint.h>

#include "vmm.h"

enum image_kind {
	IMAGE_FLAT,
	IMAGE_ELF32,
	IMAGE_ELF64,
};

struct guest_image {
	enum image_kind kind;
	uint64_t entry;		/* physical; ELF: from e_entry */
	uint64_t lo, hi;	/* span of guest memory written */
	unsigned int nr_segments;
};

/* Anything that starts with the ELF magic is an ELF (checked on load). */
enum image_kind image_kind(const void *buf, size_t len);
const char *image_kind_name(enum image_kind kind);

/*
 * Copy @buf into @mem per @l: a flat image to @flat_addr, an ELF's
 * PT_LOAD segments to their p_paddr (zeroing p_memsz beyond p_filesz).
 * Everything must land inside [0, l->mem_size) and outside
 * [l->reserved_lo, l->reserved_hi). An ELF's e_entry is translated from
 * p_vaddr to p_paddr through the segment that holds it, since vcpuctl
 * starts every guest with paging off or identity mapped.
 * Returns 0, or -EINVAL / -ENOSPC with a message in @err.
 */
int image_load(const void *buf, size_t len, uint64_t flat_addr,
	       const struct guest_layout *l, void *mem,
	       struct guest_image *img, char *err, size_t errlen);

#endif /* VCPUCTL_LOADER_H */
