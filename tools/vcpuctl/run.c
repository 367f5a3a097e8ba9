// SPDX-License-Identifier: GPL-2.0
/*
 * vcpuctl run: load a guest, start it in the requested CPU mode on one
 * thread per vCPU, serve its port I/O, MMIO and hypercalls, and print
 * what came out of the VM when every vCPU has stopped.
 *
 * Stopping: a vCPU thread ends at HLT (nothing can wake it: vcpuctl has
 * no interrupt source), or on a failure exit, which stops all others.
 * SIGINT/SIGTERM stop all. Those signals are blocked in the vCPU threads,
 * so they reach the main thread, whose handler only records the signal
 * and posts a semaphore; the main thread then kicks each vCPU thread
 * (immediate_exit = 1, then SIGUSR1) so its XVCPU_RUN returns EINTR
 * whether it was inside the guest or about to enter it.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <asm/vmx.h>

#include "devices.h"
#include "kstats.h"
#include "loader.h"
#include "names.h"
#include "stats.h"
#include "vcpuctl.h"
#include "vmm.h"

#define DEFAULT_MEM		(16ull << 20)
#define DEFAULT_LOAD		0x1000ull
#define DEFAULT_LOAD_REAL	0x7c00ull
#define GUEST_FILE_MAX		(1ull << 30)
#define KICK_SIGNAL		SIGUSR1

struct run_opts {
	bool mode_set;
	enum cpu_mode mode;
	uint64_t mem_size;
	bool entry_set;
	const char *entry_arg;
	struct entry_point entry;
	bool load_set;
	uint64_t load_addr;
	unsigned int nr_vcpus;
	bool quiet;
	const char *guest;
};

enum vcpu_end {
	END_RUNNING,
	END_HALT,	/* HLT: this vCPU is done, cleanly */
	END_STOPPED,	/* told to stop: signal or another vCPU failed */
	END_FAILED,	/* SHUTDOWN, FAIL_ENTRY, INTERNAL_ERROR, ... */
};

struct vcpu_thread {
	struct vmm_vcpu vcpu;
	pthread_t thread;
	bool created;
	enum vcpu_end end;
	bool halted_if;		/* HLT with RFLAGS.IF = 1 */
	bool msr_warned;
	struct exit_stats stats;	/* this thread's only */
	struct devices *dev;
	size_t run_size;
};

/* Written by signal handlers and vCPU threads, read by everyone. */
static volatile sig_atomic_t stop_flag;
static volatile sig_atomic_t stop_signal;
static sem_t wake_sem;		/* a vCPU ended, or stop_flag was set */
static unsigned int nr_done;	/* vCPU threads finished (atomic) */

static void run_usage(FILE *f)
{
	fprintf(f,
		"Usage: %1$s run [OPTIONS] GUEST\n"
		"\n"
		"Run GUEST, a static ELF64/ELF32 executable or a flat binary, on xvcpu.\n"
		"\n"
		"OPTIONS := { --mode real|protected|long | --mem SIZE | --entry ADDR |\n"
		"             --load-addr ADDR | --vcpus N | -q|--quiet | -h|--help }\n"
		"  --mode MODE       CPU mode at entry; default: protected for ELF32,\n"
		"                    long for ELF64 and flat binaries\n"
		"  --mem SIZE        guest RAM at GPA 0 (default 16M, 64K..3G, a multiple of 4K)\n"
		"  --entry ADDR      entry point (default: ELF e_entry, else the load\n"
		"                    address); real mode also takes SEG:OFF in hex\n"
		"  --load-addr ADDR  where a flat binary goes (default 0x7c00 in real\n"
		"                    mode, like a boot sector; 0x1000 otherwise)\n"
		"  --vcpus N         vCPUs, one thread each (default 1, at most %2$d);\n"
		"                    all start at the entry with RDI = vCPU id,\n"
		"                    RSI = number of vCPUs, RDX = RAM size\n"
		"  -q, --quiet       only the guest's serial output and errors\n"
		"SIZE and ADDR: decimal or 0x hex, with an optional K, M or G suffix.\n"
		"\n"
		"COM1 (0x3f8) output goes to stdout; other ports and MMIO are an open\n"
		"bus (reads all ones). Port 0x80 codes are boot progress: xvcpu logs them\n"
		"in the kernel, timestamped. A vCPU stops at HLT; the run ends when all\n"
		"have stopped, then a summary goes to stderr: the exits, and the\n"
		"debug-port timeline (code, component, ms since VM creation).\n"
		"\n"
		"Exit status: 0 every vCPU halted, 1 failure (guest crash, VM entry\n"
		"failure, xvcpu error), 2 bad arguments, 128+N stopped by signal N.\n",
		bin_name, XVCPU_MAX_VCPUS);
}

/* A bad command line: say what, point at the help, exit status 2. */
static int parse_opts(int argc, char **argv, struct run_opts *o)
{
	enum { OPT_MODE = 256, OPT_MEM, OPT_ENTRY, OPT_LOAD, OPT_VCPUS };
	static const struct option longopts[] = {
		{ "mode", required_argument, NULL, OPT_MODE },
		{ "mem", required_argument, NULL, OPT_MEM },
		{ "entry", required_argument, NULL, OPT_ENTRY },
		{ "load-addr", required_argument, NULL, OPT_LOAD },
		{ "vcpus", required_argument, NULL, OPT_VCPUS },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->mem_size = DEFAULT_MEM;
	o->nr_vcpus = 1;
	opterr = 0;
	optind = 0;	/* glibc: full reinitialisation */
	while ((c = getopt_long(argc, argv, ":qh", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_MODE:
			if (mode_parse(optarg, &o->mode))
				return usage_err("run", "--mode: '%s' is not real, protected or long",
						 optarg);
			o->mode_set = true;
			break;
		case OPT_MEM:
			if (parse_size(optarg, &o->mem_size))
				return usage_err("run", "--mem: '%s' is not a size", optarg);
			if (o->mem_size & 0xfff)
				return usage_err("run", "--mem: %s is not a multiple of 4K",
						 optarg);
			if (o->mem_size < VMM_MEM_MIN || o->mem_size > VMM_MEM_MAX)
				return usage_err("run", "--mem: %s is outside 64K..3G",
						 optarg);
			break;
		case OPT_ENTRY:
			o->entry_set = true;
			o->entry_arg = optarg;
			if (strchr(optarg, ':')) {
				if (parse_seg_off(optarg, &o->entry.seg,
						  &o->entry.off))
					return usage_err("run", "--entry: '%s' is not SEG:OFF (hex)",
							 optarg);
				o->entry.seg_off = true;
				o->entry.addr = ((uint64_t)o->entry.seg << 4) +
						o->entry.off;
			} else if (parse_size(optarg, &o->entry.addr)) {
				return usage_err("run", "--entry: '%s' is not an address",
						 optarg);
			}
			break;
		case OPT_LOAD:
			if (parse_size(optarg, &o->load_addr))
				return usage_err("run", "--load-addr: '%s' is not an address",
						 optarg);
			o->load_set = true;
			break;
		case OPT_VCPUS:
			if (parse_uint(optarg, 1, XVCPU_MAX_VCPUS, &o->nr_vcpus))
				return usage_err("run", "--vcpus: '%s' is not a number from 1 to 64",
						 optarg);
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'h':
			run_usage(stdout);
			return -1;
		case ':':
			return usage_err("run", "%s needs an argument", argv[optind - 1]);
		default:
			if (optopt)
				return usage_err("run", "unknown option '-%c'", optopt);
			return usage_err("run", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return usage_err("run", "no GUEST file given");
	if (optind + 1 < argc)
		return usage_err("run", "one GUEST only; '%s' is extra", argv[optind + 1]);
	o->guest = argv[optind];
	return 0;
}

int read_file(const char *path, void **bufp, size_t *lenp)
{
	struct stat st;
	size_t done = 0;
	char *buf = NULL;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		p_err("cannot open '%s': %s", path, strerror(-r));
		return r;
	}
	if (fstat(fd, &st)) {
		r = -errno;
		p_err("cannot stat '%s': %s", path, strerror(-r));
		goto cleanup;
	}
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > GUEST_FILE_MAX) {
		r = -EINVAL;
		p_err("'%s' is not a regular file of at most 1 GiB", path);
		goto cleanup;
	}
	buf = malloc(st.st_size ? st.st_size : 1);
	if (!buf) {
		r = -ENOMEM;
		p_err("out of memory reading '%s'", path);
		goto cleanup;
	}
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + done, st.st_size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = n ? -errno : -EIO;
			p_err("cannot read '%s': %s", path, strerror(-r));
			goto cleanup;
		}
		done += n;
	}
	*bufp = buf;
	*lenp = done;
	buf = NULL;
	r = 0;
cleanup:
	free(buf);
	close(fd);
	return r;
}

static void dump_regs(struct vcpu_thread *t)
{
	struct xvcpu_regs r;
	struct xvcpu_sregs s;

	if (vmm_get_regs(&t->vcpu, &r) || vmm_get_sregs(&t->vcpu, &s))
		return;
	fprintf(stderr,
		"  rip %016" PRIx64 " rsp %016" PRIx64 " rflags %08" PRIx64 "\n"
		"  rax %016" PRIx64 " rbx %016" PRIx64 " rcx %016" PRIx64 "\n"
		"  rdx %016" PRIx64 " rsi %016" PRIx64 " rdi %016" PRIx64 "\n"
		"  cs %04x base %" PRIx64 " type %x l %u db %u  ss %04x\n"
		"  cr0 %" PRIx64 " cr2 %" PRIx64 " cr3 %" PRIx64 " cr4 %" PRIx64
		" efer %" PRIx64 "\n",
		(uint64_t)r.rip, (uint64_t)r.rsp, (uint64_t)r.rflags,
		(uint64_t)r.rax, (uint64_t)r.rbx, (uint64_t)r.rcx,
		(uint64_t)r.rdx, (uint64_t)r.rsi, (uint64_t)r.rdi,
		s.cs.selector, (uint64_t)s.cs.base, s.cs.type, s.cs.l,
		s.cs.db, s.ss.selector, (uint64_t)s.cr0, (uint64_t)s.cr2,
		(uint64_t)s.cr3, (uint64_t)s.cr4, (uint64_t)s.efer);
}

static void report_fail_entry(struct vcpu_thread *t)
{
	struct xvcpu_run *run = t->vcpu.run;
	uint64_t hw = run->fail_entry.hardware_entry_failure_reason;
	uint32_t err = run->fail_entry.vm_instruction_error;
	const char *name = vmx_exit_reason_name(hw & 0xffff);
	const char *ename = vm_instruction_error_name(err);

	p_err("vCPU%u: VM entry failed (FAIL_ENTRY) on host CPU %u",
	      t->vcpu.id, run->fail_entry.cpu);
	fprintf(stderr,
		"  hardware entry failure reason 0x%" PRIx64 " (%s%s), exit qualification 0x%" PRIx64 "\n"
		"  VM-instruction error %u (%s)\n",
		hw, hw & VMX_EXIT_REASONS_FAILED_VMENTRY ? "entry failure: " : "",
		name ? name : "unknown", (uint64_t)run->fail_entry.exit_qualification,
		err, err ? (ename ? ename : "unknown") : "none: the VMCS was accepted");
	dump_regs(t);
}

static void report_internal(struct vcpu_thread *t)
{
	/* The data layout of each sub-reason, as the ABI header defines it. */
	static const char *const labels[][5] = {
		[XVCPU_INTERNAL_UNHANDLED_EXIT] = { "exit reason", "qualification", "rip", "info" },
		[XVCPU_INTERNAL_EMULATION] = { "gpa", "rip", "insn length", "insn bytes 0-7", "insn bytes 8-15" },
		[XVCPU_INTERNAL_EVENT_DELIVERY] = { "exit reason", "qualification", "vectoring info" },
		[XVCPU_INTERNAL_MEMORY] = { "gpa", "errno" },
	};
	struct xvcpu_run *run = t->vcpu.run;
	uint32_t sub = run->internal.suberror;
	uint32_t i, n = run->internal.ndata;
	const char *name = internal_suberror_name(sub);

	if (n > 16)
		n = 16;
	p_err("vCPU%u: internal error %u (%s), %u data word%s", t->vcpu.id,
	      sub, name ? name : "unknown", n, n == 1 ? "" : "s");
	for (i = 0; i < n; i++) {
		uint64_t v = run->internal.data[i];
		const char *label = NULL;

		if (sub < ARRAY_SIZE(labels) && i < ARRAY_SIZE(labels[0]))
			label = labels[sub][i];
		fprintf(stderr, "  data[%u] 0x%016" PRIx64, i, v);
		if (label)
			fprintf(stderr, "  %s", label);
		if (label && !strcmp(label, "exit reason"))
			fprintf(stderr, " %s",
				vmx_exit_reason_name(v & 0xffff) ?: "?");
		if (label && !strcmp(label, "errno"))
			fprintf(stderr, " %s", strerror(abs((int)v)));
		fputc('\n', stderr);
	}
	/* The words hold the bytes in memory order: show them that way. */
	if (sub == XVCPU_INTERNAL_EMULATION && n > 3) {
		const uint8_t *insn = (const uint8_t *)&run->internal.data[3];
		uint64_t len = run->internal.data[2];

		if (len > (n - 3) * 8ull)
			len = (n - 3) * 8ull;
		if (len > 16)
			len = 16;
		fprintf(stderr, "  instruction:");
		for (i = 0; i < len; i++)
			fprintf(stderr, " %02x", insn[i]);
		fputc('\n', stderr);
	}
	dump_regs(t);
}

static bool io_exit(struct vcpu_thread *t)
{
	struct xvcpu_run *run = t->vcpu.run;
	uint32_t size = run->io.size, count = run->io.count;
	uint64_t off = run->io.data_offset;
	bool out = run->io.direction == XVCPU_EXIT_IO_OUT;

	if ((size != 1 && size != 2 && size != 4) || !count ||
	    off < sizeof(*run) || off > t->run_size ||
	    (uint64_t)size * count > t->run_size - off) {
		p_err("vCPU%u: malformed IO exit: port 0x%x size %u count %u data_offset %" PRIu64,
		      t->vcpu.id, run->io.port, size, count, off);
		return false;
	}
	key_count(out ? &t->stats.io_out : &t->stats.io_in, run->io.port, 1);
	devices_pio(t->dev, t->vcpu.id, run->io.port, out, size, count,
		    (uint8_t *)run + off);
	return true;
}

static bool mmio_exit(struct vcpu_thread *t)
{
	struct xvcpu_run *run = t->vcpu.run;
	uint32_t len = run->mmio.len;

	if (!len || len > sizeof(run->mmio.data)) {
		p_err("vCPU%u: malformed MMIO exit: len %u", t->vcpu.id, len);
		return false;
	}
	key_count(run->mmio.is_write ? &t->stats.mmio_write :
		  &t->stats.mmio_read, run->mmio.phys_addr, 1);
	devices_mmio(t->dev, run->mmio.phys_addr, run->mmio.is_write, len,
		     run->mmio.data);
	return true;
}

static enum vcpu_end vcpu_loop(struct vcpu_thread *t)
{
	struct xvcpu_run *run = t->vcpu.run;
	unsigned int id = t->vcpu.id;
	int r;

	for (;;) {
		if (stop_flag)
			return END_STOPPED;
		r = vmm_run(&t->vcpu);
		if (r == -EINTR) {
			/* A kick or a stray signal: the loop head decides. */
			run->immediate_exit = 0;
			stats_exit(&t->stats, XVCPU_EXIT_INTR);
			continue;
		}
		if (r) {
			p_err("vCPU%u: XVCPU_RUN: %s", id, strerror(-r));
			return END_FAILED;
		}
		stats_exit(&t->stats, run->exit_reason);
		switch (run->exit_reason) {
		case XVCPU_EXIT_IO:
			if (!io_exit(t))
				return END_FAILED;
			break;
		case XVCPU_EXIT_MMIO:
			if (!mmio_exit(t))
				return END_FAILED;
			break;
		case XVCPU_EXIT_HYPERCALL:
			/* No hypercalls are defined: every one returns 0. */
			key_count(&t->stats.hypercall, run->hypercall.nr, 1);
			run->hypercall.ret = 0;
			break;
		case XVCPU_EXIT_HLT:
			t->halted_if = run->if_flag;
			return END_HALT;
		case XVCPU_EXIT_SHUTDOWN:
			p_err("vCPU%u: triple fault (SHUTDOWN)", id);
			dump_regs(t);
			return END_FAILED;
		case XVCPU_EXIT_FAIL_ENTRY:
			report_fail_entry(t);
			return END_FAILED;
		case XVCPU_EXIT_INTERNAL_ERROR:
			report_internal(t);
			return END_FAILED;
		case XVCPU_EXIT_INTR:
			run->immediate_exit = 0;
			break;
		case XVCPU_EXIT_MSR:
			/* vcpuctl never enables MSR exits; do what hardware would. */
			if (!t->msr_warned)
				p_warn("vCPU%u: unexpected MSR exit (0x%x), injecting #GP",
				       id, run->msr.index);
			t->msr_warned = true;
			run->msr.error = 1;
			break;
		case XVCPU_EXIT_IRQ_WINDOW_OPEN:
			run->request_interrupt_window = 0;
			break;
		default:
			p_err("vCPU%u: exit reason %u (%s) not handled", id,
			      run->exit_reason,
			      exit_reason_name(run->exit_reason) ?: "unknown");
			dump_regs(t);
			return END_FAILED;
		}
	}
}

static void *vcpu_thread(void *arg)
{
	struct vcpu_thread *t = arg;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, KICK_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);

	t->end = vcpu_loop(t);
	t->stats.exit_count = t->vcpu.run->exit_count;
	if (t->end == END_FAILED)
		stop_flag = 1;
	__atomic_add_fetch(&nr_done, 1, __ATOMIC_SEQ_CST);
	sem_post(&wake_sem);
	return NULL;
}

static void on_stop_signal(int sig)
{
	stop_signal = sig;
	stop_flag = 1;
	sem_post(&wake_sem);
}

static void on_kick(int sig)
{
	/* Only there so the signal interrupts XVCPU_RUN instead of killing. */
	(void)sig;
}

static void kick_all(struct vcpu_thread *vcpus, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (!vcpus[i].created)
			continue;
		vmm_kick(&vcpus[i].vcpu);
		pthread_kill(vcpus[i].thread, KICK_SIGNAL);
	}
}

static int install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	/*
	 * SA_RESTART keeps stdio writes from failing with EINTR; RUN still
	 * returns, since the kick sets immediate_exit before the signal.
	 */
	sa.sa_flags = SA_RESTART;
	sa.sa_handler = on_kick;
	if (sigaction(KICK_SIGNAL, &sa, NULL))
		return -errno;
	/* A second Ctrl-C kills at once, should a vCPU not come back. */
	sa.sa_flags = SA_RESTART | SA_RESETHAND;
	sa.sa_handler = on_stop_signal;
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL))
		return -errno;
	return 0;
}

static void restore_signals(void)
{
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(KICK_SIGNAL, SIG_DFL);
}

/* Start every vCPU thread, wait for all of them, kick them on a stop. */
static int run_vcpus(struct vcpu_thread *vcpus, unsigned int n)
{
	sigset_t stopset, oldset;
	unsigned int i;
	bool kicked = false;
	int r = 0;

	sigemptyset(&stopset);
	sigaddset(&stopset, SIGINT);
	sigaddset(&stopset, SIGTERM);
	/* The threads inherit this mask: stop signals go to this thread. */
	pthread_sigmask(SIG_BLOCK, &stopset, &oldset);
	r = install_signals();
	if (r) {
		p_err("sigaction: %s", strerror(-r));
		goto unblock;
	}
	for (i = 0; i < n; i++) {
		r = -pthread_create(&vcpus[i].thread, NULL, vcpu_thread,
				    &vcpus[i]);
		if (r) {
			p_err("cannot start the vCPU%u thread: %s", i,
			      strerror(-r));
			stop_flag = 1;
			break;
		}
		vcpus[i].created = true;
	}
unblock:
	pthread_sigmask(SIG_SETMASK, &oldset, NULL);
	for (;;) {
		unsigned int started = 0;

		for (i = 0; i < n; i++)
			started += vcpus[i].created;
		if (__atomic_load_n(&nr_done, __ATOMIC_SEQ_CST) >= started)
			break;
		if (stop_flag && !kicked) {
			kick_all(vcpus, n);
			kicked = true;
		}
		/* Posted by every ending thread and by the stop handler. */
		while (sem_wait(&wake_sem) && errno == EINTR)
			;
	}
	for (i = 0; i < n; i++)
		if (vcpus[i].created)
			pthread_join(vcpus[i].thread, NULL);
	restore_signals();
	return r;
}

/* Resolve defaults that depend on the image, and check the entry point. */
static int resolve_entry(struct run_opts *o, const struct guest_image *img)
{
	if (!o->entry_set)
		o->entry.addr = img->entry;
	if (o->mode == MODE_REAL) {
		if (o->entry.addr >= VMM_REAL_LIMIT) {
			p_err("entry 0x%" PRIx64 " is above 1 MiB, out of reach in real mode",
			      o->entry.addr);
			return EXIT_USAGE;
		}
	} else if (o->entry.seg_off) {
		return usage_err("run", "--entry %s: SEG:OFF is for real mode only",
				 o->entry_arg);
	}
	if (o->entry.addr >= o->mem_size) {
		p_err("entry 0x%" PRIx64 " is outside guest RAM [0, 0x%" PRIx64 ")",
		      o->entry.addr, o->mem_size);
		return EXIT_USAGE;
	}
	return 0;
}

static int setup_vcpu(struct vcpu_thread *t, struct vmm_vm *vm,
		      unsigned int id, const struct guest_layout *l,
		      const struct entry_point *entry)
{
	struct xvcpu_sregs sregs;
	struct xvcpu_regs regs;
	int r;

	r = vmm_vcpu_create(vm, id, &t->vcpu);
	if (r)
		return r;
	t->run_size = vm->run_size;
	r = vmm_get_sregs(&t->vcpu, &sregs);
	if (r)
		return r;
	mode_setup_vcpu(l, id, entry, &sregs, &regs);
	r = vmm_set_sregs(&t->vcpu, &sregs);
	if (r)
		return r;
	return vmm_set_regs(&t->vcpu, &regs);
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int status_of(struct vcpu_thread *vcpus, unsigned int n, bool quiet)
{
	bool failed = false;
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct xvcpu_regs regs;

		if (vcpus[i].end == END_FAILED || !vcpus[i].created)
			failed = true;
		if (quiet)
			continue;
		if (vcpus[i].end == END_HALT && vcpus[i].halted_if)
			p_info("vCPU%u halted with interrupts enabled; vcpuctl injects none, so it stays halted",
			       i);
		/* Where a stopped guest was: the first question after Ctrl-C. */
		if (vcpus[i].end == END_STOPPED &&
		    !vmm_get_regs(&vcpus[i].vcpu, &regs))
			p_info("vCPU%u stopped at rip 0x%" PRIx64, i,
			       (uint64_t)regs.rip);
	}
	if (failed)
		return EXIT_FAIL;
	if (stop_signal) {
		p_info("stopped by %s", stop_signal == SIGINT ? "SIGINT" :
		       stop_signal == SIGTERM ? "SIGTERM" : "a signal");
		return 128 + stop_signal;
	}
	return EXIT_OK;
}

/*
 * The debug-port timeline for the summary: xvcpu's kernel log, unless
 * the writes came to vcpuctl's latch instead (a backend without the
 * log, or a kernel that gave port 0x80 to user space).
 */
static void debug_port_source(struct vmm_vm *vm, struct devices *dev,
			      struct run_summary *sum)
{
	static struct xvcpu_debug_port_log klog, ulog;
	int r;

	r = vmm_get_debug_port_log(vm, &klog);
	devices_debug_port_log(dev, &ulog);
	if (!r && (klog.total || !ulog.total)) {
		sum->debug_port = &klog;
		sum->debug_port_source = "kernel log";
	} else {
		sum->debug_port = &ulog;
		sum->debug_port_source = "vcpuctl latch";
	}
}

/*
 * What the kernel counted, from each vCPU's stats fd, summed: VM exits
 * per VMX reason, including those vcpuctl never saw.
 */
static void print_kernel_stats(struct vcpu_thread *vcpus, unsigned int n)
{
	struct kstats total = { 0 }, one;
	unsigned int i;
	int fd;

	for (i = 0; i < n; i++) {
		fd = vmm_vcpu_stats_fd(&vcpus[i].vcpu);
		if (fd < 0)
			break;
		if (kstats_read_fd(fd, i ? &one : &total)) {
			close(fd);
			break;
		}
		close(fd);
		if (i) {
			kstats_add(&total, &one);
			kstats_free(&one);
		}
	}
	kstats_print_reasons(stderr, &total);
	kstats_free(&total);
}

int do_run(int argc, char **argv)
{
	struct vcpu_thread *vcpus = NULL;
	struct exit_stats total;
	struct guest_image img;
	struct guest_layout layout;
	struct run_opts o;
	struct vmm_vm vm = { .sys_fd = -1, .vm_fd = -1 };
	struct devices dev;
	uint64_t *exit_counts = NULL;
	bool dev_ready = false, sem_ready = false;
	char lerr[256];
	void *file = NULL;
	size_t file_len = 0;
	double t0, t1;
	unsigned int i;
	int ret, r;

	ret = parse_opts(argc, argv, &o);
	if (ret)
		return ret < 0 ? EXIT_OK : ret;

	ret = EXIT_FAIL;
	if (read_file(o.guest, &file, &file_len))
		goto cleanup;
	img.kind = image_kind(file, file_len);
	if (!o.mode_set)
		o.mode = img.kind == IMAGE_ELF32 ? MODE_PROTECTED : MODE_LONG;
	if (img.kind != IMAGE_FLAT && o.load_set) {
		ret = usage_err("run", "--load-addr is for flat binaries; '%s' is an ELF and loads at its p_paddr",
				o.guest);
		goto cleanup;
	}
	if (!o.load_set)
		o.load_addr = o.mode == MODE_REAL ? DEFAULT_LOAD_REAL :
			      DEFAULT_LOAD;
	if (layout_init(&layout, o.mode, o.mem_size, o.nr_vcpus)) {
		p_err("--mem %" PRIu64 "K is too small for %u vCPU%s in %s mode (tables %lluK + %lluK stack per vCPU)",
		      o.mem_size >> 10, o.nr_vcpus, o.nr_vcpus == 1 ? "" : "s",
		      mode_name(o.mode), VMM_SYS_SIZE >> 10,
		      VMM_STACK_SIZE >> 10);
		ret = EXIT_USAGE;
		goto cleanup;
	}

	if (vmm_open(&vm))
		goto cleanup;
	/* Right after the VM: latch times count from about its creation. */
	devices_init(&dev, stdout, stderr, o.quiet);
	dev_ready = true;
	if (o.mode != MODE_LONG &&
	    vmm_check_cap(&vm, XVCPU_CAP_UNRESTRICTED_GUEST) == 0) {
		p_err("%s mode needs unrestricted guest (XVCPU_CAP_UNRESTRICTED_GUEST), which this CPU lacks",
		      mode_name(o.mode));
		goto cleanup;
	}
	if (vmm_alloc_ram(&vm, o.mem_size))
		goto cleanup;
	if (image_load(file, file_len, o.load_addr, &layout, vm.mem, &img,
		       lerr, sizeof(lerr))) {
		p_err("%s: %s", o.guest, lerr);
		goto cleanup;
	}
	r = resolve_entry(&o, &img);
	if (r) {
		ret = r;
		goto cleanup;
	}
	mode_build_tables(vm.mem, &layout);

	vcpus = calloc(o.nr_vcpus, sizeof(*vcpus));
	exit_counts = calloc(o.nr_vcpus, sizeof(*exit_counts));
	if (!vcpus || !exit_counts) {
		p_err("out of memory");
		goto cleanup;
	}
	for (i = 0; i < o.nr_vcpus; i++)
		vcpus[i].vcpu.fd = -1;
	for (i = 0; i < o.nr_vcpus; i++) {
		vcpus[i].dev = &dev;
		if (setup_vcpu(&vcpus[i], &vm, i, &layout, &o.entry))
			goto cleanup;
	}
	if (sem_init(&wake_sem, 0, 0)) {
		p_err("sem_init: %s", strerror(errno));
		goto cleanup;
	}
	sem_ready = true;

	if (!o.quiet)
		p_info("%s: %s, %s mode, entry 0x%" PRIx64 ", %u vCPU%s, %" PRIu64 " KiB RAM",
		       o.guest, image_kind_name(img.kind), mode_name(o.mode),
		       o.entry.addr, o.nr_vcpus, o.nr_vcpus == 1 ? "" : "s",
		       o.mem_size >> 10);
	t0 = now_seconds();
	run_vcpus(vcpus, o.nr_vcpus);
	t1 = now_seconds();
	fflush(stdout);

	memset(&total, 0, sizeof(total));
	for (i = 0; i < o.nr_vcpus; i++) {
		stats_add(&total, &vcpus[i].stats);
		exit_counts[i] = vcpus[i].stats.exit_count;
	}
	ret = status_of(vcpus, o.nr_vcpus, o.quiet);
	if (!o.quiet) {
		struct run_summary sum = {
			.mode = mode_name(o.mode),
			.mem_size = o.mem_size,
			.nr_vcpus = o.nr_vcpus,
			.wall_seconds = t1 - t0,
			.vcpu_exit_count = exit_counts,
			.serial_bytes = dev.serial_bytes,
		};

		debug_port_source(&vm, &dev, &sum);
		stats_print(stderr, &total, &sum);
		print_kernel_stats(vcpus, o.nr_vcpus);
	}

cleanup:
	if (vcpus)
		for (i = 0; i < o.nr_vcpus; i++)
			if (vcpus[i].vcpu.vm)
				vmm_vcpu_destroy(&vcpus[i].vcpu);
	vmm_close(&vm);
	if (dev_ready)
		devices_destroy(&dev);
	if (sem_ready)
		sem_destroy(&wake_sem);
	free(exit_counts);
	free(vcpus);
	free(file);
	return ret;
}
