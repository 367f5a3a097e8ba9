// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include "sys.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <time.h>

const char *xt_module_path(void)
{
	const char *p = getenv("XVCPU_KO");

	return p ? p : "/xvcpu/xvcpu.ko";
}

const char *xt_kmod_dir(void)
{
	const char *p = getenv("XVCPU_KMOD");

	return p ? p : "/xvcpu/kmod";
}

int xt_load(const char *path, const char *params)
{
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = syscall(SYS_finit_module, fd, params ? params : "", 0);
	r = r ? -errno : 0;
	close(fd);
	return r;
}

int xt_unload(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK) ? -errno : 0;
}

bool xt_module_present(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "/sys/module/%s", name);
	return xt_path_exists(path);
}

int xt_load_xvcpu(const char *params)
{
	return xt_load(xt_module_path(), params);
}

int xt_unload_xvcpu(void)
{
	int r;

	if (!xt_module_present("xvcpu"))
		return 0;
	r = xt_unload("xvcpu");
	return xt_module_present("xvcpu") ? (r ? r : -EBUSY) : 0;
}

static int load_kmod(const char *file, const char *name)
{
	char path[512];
	int r;

	if (xt_module_present(name))
		return 0;
	snprintf(path, sizeof(path), "%s/%s", xt_kmod_dir(), file);
	r = xt_load(path, NULL);
	return r == -EEXIST ? 0 : r;
}

int xt_load_kvm(void)
{
	int r;

	r = load_kmod("irqbypass.ko", "irqbypass");
	if (!r)
		r = load_kmod("kvm.ko", "kvm");
	if (!r)
		r = load_kmod("kvm-intel.ko", "kvm_intel");
	return r;
}

void xt_unload_kvm(void)
{
	xt_unload("kvm_intel");
	xt_unload("kvm");
	xt_unload("irqbypass");
}

int xt_kmsg_mark(struct xt_kmsg *k)
{
	k->fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (k->fd < 0)
		return -errno;
	if (lseek(k->fd, 0, SEEK_END) < 0)
		return -errno;
	return 0;
}

/* What the module loader itself says on a first load, not the module. */
static bool loader_boilerplate(const char *msg)
{
	return strstr(msg, "taints kernel") ||
	       strstr(msg, "module verification failed");
}

int xt_kmsg_grep_any(struct xt_kmsg *k, const char *const *needles,
		     char *buf, size_t size)
{
	char rec[2048];
	size_t used = 0;
	int n = 0;

	if (size)
		buf[0] = '\0';
	for (;;) {
		ssize_t len = read(k->fd, rec, sizeof(rec) - 1);
		const char *const *nd;
		char *msg;

		if (len < 0) {
			if (errno == EPIPE)	/* overwritten records */
				continue;
			break;
		}
		rec[len] = '\0';
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		msg[strcspn(msg, "\n")] = '\0';
		if (loader_boilerplate(msg))
			continue;
		for (nd = needles; *nd; nd++)
			if (strstr(msg, *nd))
				break;
		if (!*nd)
			continue;
		n++;
		if (used + strlen(msg) + 2 < size)
			used += sprintf(buf + used, "%s\n", msg);
	}
	return n;
}

void xt_kmsg_close(struct xt_kmsg *k)
{
	if (k->fd >= 0)
		close(k->fd);
	k->fd = -1;
}

ssize_t xt_read_file(const char *path, char *buf, size_t size)
{
	ssize_t len, total = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while ((size_t)total < size - 1) {
		len = read(fd, buf + total, size - 1 - total);
		if (len < 0) {
			int e = errno;

			close(fd);
			return -e;
		}
		if (len == 0)
			break;
		total += len;
	}
	buf[total] = '\0';
	close(fd);
	return total;
}

int xt_write_file(const char *path, const char *text)
{
	ssize_t len = strlen(text);
	int fd, r = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, text, len) != len)
		r = -errno;
	close(fd);
	return r;
}

long xt_meminfo_kb(const char *field)
{
	char buf[8192], *p;
	size_t flen = strlen(field);

	if (xt_read_file("/proc/meminfo", buf, sizeof(buf)) < 0)
		return -1;
	for (p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (!strncmp(p, field, flen) && p[flen] == ':')
			return strtol(p + flen + 1, NULL, 10);
	}
	return -1;
}

long xt_slab_active_kb(void)
{
	FILE *f = fopen("/proc/slabinfo", "r");
	unsigned long active, total, size;
	unsigned long long bytes = 0;
	char line[512], name[128];

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%127s %lu %lu %lu", name, &active, &total,
			   &size) == 4)
			bytes += (unsigned long long)active * size;
	}
	fclose(f);
	return (long)(bytes / 1024);
}

int xt_shrink_slabs(void)
{
	DIR *d = opendir("/sys/kernel/slab");
	struct dirent *e;
	char path[512];
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/slab/%s/shrink",
			 e->d_name);
		if (!xt_write_file(path, "1"))
			n++;
	}
	closedir(d);
	return n;
}

int xt_online_cpus(void)
{
	return (int)sysconf(_SC_NPROCESSORS_ONLN);
}

int xt_set_cpu_online(int cpu, bool online)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online",
		 cpu);
	return xt_write_file(path, online ? "1" : "0");
}

bool xt_path_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

long xt_free_pages(void)
{
	static char buf[65536];
	long total = 0;
	char *p;

	if (xt_read_file("/proc/zoneinfo", buf, sizeof(buf)) < 0)
		return -1;
	for (p = buf; (p = strpbrk(p, "nc")); p++) {
		if (!strncmp(p, "nr_free_pages ", 14))
			total += strtol(p + 14, NULL, 10);
		else if (!strncmp(p, "count: ", 7))
			total += strtol(p + 7, NULL, 10);
	}
	return total;
}

int xt_kmsg_grep(struct xt_kmsg *k, const char *needle, char *buf,
		 size_t size)
{
	const char *const needles[] = { needle, NULL };

	return xt_kmsg_grep_any(k, needles, buf, size);
}

unsigned int xt_test_scale(void)
{
	static unsigned int scale;
	const char *env;
	char *end;
	unsigned long v;

	if (scale)
		return scale;
	scale = 100;
	env = getenv("XVCPU_TEST_SCALE");
	if (env && *env) {
		errno = 0;
		v = strtoul(env, &end, 10);
		if (errno || *end || v < 1 || v > 100)
			fprintf(stderr,
				"# XVCPU_TEST_SCALE=%s is not a percentage 1..100: ignored\n",
				env);
		else
			scale = v;
	}
	return scale;
}

uint64_t xt_scaled(uint64_t n)
{
	uint64_t v = n * xt_test_scale() / 100;

	return v ? v : 1;
}

uint64_t xt_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

int xt_pin_self(int cpu)
{
	cpu_set_t set;
	int i;

	CPU_ZERO(&set);
	if (cpu >= 0)
		CPU_SET(cpu, &set);
	else
		for (i = 0; i < CPU_SETSIZE; i++)
			CPU_SET(i, &set);
	return pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}
