// SPDX-License-Identifier: GPL-2.0
/* Every VM's stats from debugfs (vmstats.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/xvcpu.h>

#include "vmstats.h"

const char *vmstats_dir(void)
{
	static char path[4096];
	char dev[256], mnt[4000], type[64];
	FILE *f = fopen("/proc/mounts", "r");

	snprintf(path, sizeof(path), "/sys/kernel/debug/xvcpu");
	if (!f)
		return path;
	while (fscanf(f, "%255s %3999s %63s %*[^\n]", dev, mnt, type) == 3) {
		if (!strcmp(type, "debugfs")) {
			snprintf(path, sizeof(path), "%s/xvcpu", mnt);
			break;
		}
	}
	fclose(f);
	return path;
}

static int cmp_vm(const void *a, const void *b)
{
	const struct vm_stats *x = a, *y = b;

	return x->vm < y->vm ? -1 : x->vm > y->vm;
}

int vmstats_read_all(const char *dir, struct vm_stats **vms, unsigned int *n)
{
	struct vm_stats *v = NULL;
	struct dirent *de;
	unsigned int cnt = 0;
	DIR *d;
	int err = 0;

	*vms = NULL;
	*n = 0;
	d = opendir(dir ? dir : vmstats_dir());
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		unsigned int id;
		int pid, fd, r;
		char path[512];
		struct vm_stats *nv;

		if (sscanf(de->d_name, "vm-%u-%d", &id, &pid) != 2)
			continue;
		snprintf(path, sizeof(path), "%s/%s/stats",
			 dir ? dir : vmstats_dir(), de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;	/* the VM went away meanwhile */
		nv = realloc(v, (cnt + 1) * sizeof(*v));
		if (!nv) {
			close(fd);
			err = -ENOMEM;
			break;
		}
		v = nv;
		r = kstats_read_fd(fd, &v[cnt].ks);
		close(fd);
		if (r == -ENOMEM) {
			err = r;
			break;
		}
		if (r)
			continue;
		v[cnt].vm = id;
		v[cnt].pid = pid;
		cnt++;
	}
	closedir(d);
	if (err) {
		vmstats_free(v, cnt);
		return err;
	}
	if (cnt)
		qsort(v, cnt, sizeof(*v), cmp_vm);
	*vms = v;
	*n = cnt;
	return 0;
}

void vmstats_free(struct vm_stats *vms, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		kstats_free(&vms[i].ks);
	free(vms);
}

const char *vmstats_split(const char *name, int *vcpu)
{
	const char *slash = strchr(name, '/');
	char *end;
	long v;

	*vcpu = -1;
	if (!slash || strncmp(name, "vcpu", 4))
		return name;
	v = strtol(name + 4, &end, 10);
	if (end != slash || v < 0)
		return name;
	*vcpu = v;
	return slash + 1;
}

double vmstats_value(const struct kstat *s, unsigned int i)
{
	double v = (double)s->val[i];

	if ((s->flags & XVCPU_STATS_BASE_MASK) == XVCPU_STATS_BASE_POW2)
		return ldexp(v, s->exponent);
	return v * pow(10, s->exponent);
}
