/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Selftest helpers for the module's life cycle inside the test VM:
 * loading and unloading modules by path, reading the kernel log since a
 * mark, small file helpers. Every helper returns 0 or -errno, never
 * exits, so tests can assert on exact errnos.
 */
#ifndef XVCPU_SELFTEST_SYS_H
#define XVCPU_SELFTEST_SYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Where the initramfs puts things (overridable through the environment). */
const char *xt_module_path(void);	/* XVCPU_KO, default /xvcpu/xvcpu.ko */
const char *xt_kmod_dir(void);		/* XVCPU_KMOD, default /xvcpu/kmod */

/* finit_module(path, params); 0 or -errno. */
int xt_load(const char *path, const char *params);
/* delete_module(name, O_NONBLOCK); 0 or -errno. */
int xt_unload(const char *name);
bool xt_module_present(const char *name);
/* Load xvcpu with @params (NULL = none). */
int xt_load_xvcpu(const char *params);
/* Unload xvcpu if present; 0 when it is gone afterwards. */
int xt_unload_xvcpu(void);
/* Load irqbypass, kvm, kvm-intel from xt_kmod_dir(); -errno of kvm-intel. */
int xt_load_kvm(void);
void xt_unload_kvm(void);

/* Kernel log: a mark, then the lines since it that contain @needle. */
struct xt_kmsg {
	int fd;
};
int xt_kmsg_mark(struct xt_kmsg *k);
/*
 * Fills @buf with the matching messages, one per line; returns count.
 * The module loader's own taint/signature lines are never counted.
 */
int xt_kmsg_grep(struct xt_kmsg *k, const char *needle, char *buf,
		 size_t size);
void xt_kmsg_close(struct xt_kmsg *k);
/*
 * Like xt_kmsg_grep() for any of the NULL-terminated @needles, in one pass
 * (each record counts once): the number of matching records since the
 * mark or the last call.
 */
int xt_kmsg_grep_any(struct xt_kmsg *k, const char *const *needles,
		     char *buf, size_t size);

/* Whole small file into @buf (NUL-terminated); length or -errno. */
ssize_t xt_read_file(const char *path, char *buf, size_t size);
int xt_write_file(const char *path, const char *text);
/* A /proc/meminfo field in kB, or -1. */
long xt_meminfo_kb(const char *field);
/*
 * kB of slab objects in use (/proc/slabinfo: active objects x object
 * size, summed): what a leak grows, unlike /proc/meminfo's Slab, which
 * also moves with partly used slab pages the allocator keeps.
 */
long xt_slab_active_kb(void);
/*
 * Make every slab cache hand its per-CPU slabs back to its node lists
 * (/sys/kernel/slab/<cache>/shrink), so xt_slab_active_kb() counts only
 * objects in use. Returns the number of caches shrunk.
 */
int xt_shrink_slabs(void);
/*
 * Free pages including those parked on per-CPU lists (/proc/zoneinfo),
 * which MemFree leaves out: a page leak shows here, pcp churn does not.
 */
long xt_free_pages(void);
/* Number of online CPUs and their list from sysfs. */
int xt_online_cpus(void);
int xt_set_cpu_online(int cpu, bool online);
bool xt_path_exists(const char *path);

/*
 * A slow kernel (the debug kernel: KASAN, lockdep, kmemleak) runs every
 * kernel path tens of times slower: tests scale their iteration counts
 * with xt_scaled(). XVCPU_TEST_SCALE is a percentage (1..100, default
 * 100); xt_scaled(n) is n times that, at least 1.
 */
unsigned int xt_test_scale(void);
uint64_t xt_scaled(uint64_t n);
/* Monotonic milliseconds. */
uint64_t xt_now_ms(void);
/* Pin the calling thread to @cpu; @cpu < 0: any CPU again. */
int xt_pin_self(int cpu);

#endif /* XVCPU_SELFTEST_SYS_H */
