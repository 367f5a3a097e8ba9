// SPDX-License-Identifier: GPL-2.0
/*
 * vcpuctl boot: a Linux kernel (bzImage, or a vmlinux through its PVH
 * entry) on one vCPU and the minimal PC of platform.h, in user space.
 *
 * Threads: the main thread runs the vCPU; a console thread reads stdin
 * into the UART. Interrupts: the platform's PIC drives the INTR line;
 * before each XVCPU_RUN the vCPU thread acknowledges the PIC and queues
 * the vector (XVCPU_INTERRUPT) when the last exit said the guest can
 * take one, and otherwise asks for an interrupt-window exit. Time: the
 * PIT counts CLOCK_MONOTONIC; a POSIX timer at its next deadline sends
 * SIGUSR1, whose handler sets immediate_exit, so a RUN in the guest (or
 * about to enter it) returns EINTR and the tick goes in. HLT with
 * interrupts enabled waits for the PIC (timer or console input); HLT
 * with interrupts disabled is the end: nothing can wake that vCPU (the
 * platform has no NMI source), and it is what Linux does for poweroff
 * without ACPI (kernel_halt(): "System halted", cli; hlt).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#include "bzimage.h"
#include "devices.h"
#include "kstats.h"
#include "names.h"
#include "platform.h"
#include "pvh.h"
#include "stats.h"
#include "vcpuctl.h"
#include "vmm.h"

#define DEFAULT_MEM	(256ull << 20)
#define KICK_SIGNAL	SIGUSR1
#define LAST_EXITS	16
#define MAX_WAIT_NS	50000000ull	/* a halted vCPU looks at stop this often */

/*
 * What a Linux guest needs on this platform: the console on COM1, no
 * ACPI (no tables), no local APIC and no I/O APIC (PIC and PIT only),
 * PCI through mechanism #1 without probing, a reset through 0xcf9, a
 * panic that resets at once instead of spinning, no port-0x80 delays
 * (io_delay=none: Linux's outb_p() would write port 0x80 after every
 * PIC and PIT access and flood the debug-port timeline).
 */
#define DEFAULT_CMDLINE	"console=ttyS0 earlyprintk=serial,ttyS0,115200 " \
			"acpi=off noapic nolapic pci=conf1 reboot=pci " \
			"panic=-1 io_delay=none tsc=reliable"

#define CPUID_1_ECX_X2APIC	(1u << 21)
#define CPUID_1_ECX_TSC_DEADLINE (1u << 24)
#define CPUID_1_EDX_APIC	(1u << 9)

struct boot_opts {
	const char *kernel, *initrd;
	const char *cmdline;
	const char *append;
	uint64_t mem_size;
	unsigned int timeout;	/* seconds, 0 = none */
	bool quiet;
	bool user_events;	/* XVCPU_CAP_USER_TRACE_EVENTS */
};

enum boot_end {
	BOOT_RUNNING,
	BOOT_POWEROFF,		/* HLT with interrupts disabled */
	BOOT_RESET,		/* the platform's reset */
	BOOT_TRIPLE_FAULT,
	BOOT_TIMEOUT,
	BOOT_SIGNAL,
	BOOT_FAILED,
};

struct last_exit {
	uint32_t reason;
	uint16_t port;
	bool out;
	uint64_t gpa;
};

struct boot_vm {
	struct vmm_vm vm;
	struct vmm_vcpu vcpu;
	struct platform pl;
	struct devices latch;
	struct exit_stats stats;
	struct last_exit last[LAST_EXITS];
	uint64_t nr_last;
	timer_t timer;
	bool timer_ready;
	uint64_t armed_ns;
	bool vec_pending;	/* acknowledged at the PIC, not yet queued */
	uint8_t vec;
	uint64_t injected;
	uint64_t halts;
	pthread_t main_thread;
	enum boot_end end;
};

static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t timed_out;
static struct xvcpu_run *volatile kick_run;

static void boot_usage(FILE *f)
{
	fprintf(f,
		"Usage: %1$s boot --kernel FILE [OPTIONS]\n"
		"\n"
		"Boot a Linux kernel on one xvcpu vCPU with a minimal PC: COM1 (16550A,\n"
		"IRQ 4) on stdin/stdout, i8259 PICs, i8254 PIT, CMOS RTC (host time), an\n"
		"empty PCI bus. A bzImage is entered through the boot protocol's 64-bit\n"
		"entry when it has one (XLF_KERNEL_64), its 32-bit entry otherwise; an\n"
		"uncompressed ELF vmlinux through its PVH entry (XEN_ELFNOTE_PHYS32_ENTRY).\n"
		"\n"
		"OPTIONS := { --kernel FILE | --initrd FILE | --cmdline STR | --append STR |\n"
		"             --mem SIZE | --timeout SECONDS | --user-events | -q|--quiet |\n"
		"             -h|--help }\n"
		"  --kernel FILE     the bzImage or vmlinux\n"
		"  --initrd FILE     an initramfs, placed as high as the kernel allows\n"
		"  --cmdline STR     the whole kernel command line, instead of:\n"
		"                    \"%2$s\"\n"
		"  --append STR      added to the command line\n"
		"  --mem SIZE        guest RAM (default 256M, 2M..3G, a multiple of 4K)\n"
		"  --timeout SECONDS stop the guest after this long (default: never)\n"
		"  --user-events     guest user space may emit guest trace events\n"
		"                    (XVCPU_HC_TRACE at CPL 3: XVCPU_CAP_USER_TRACE_EVENTS)\n"
		"  -q, --quiet       only the guest's console and errors\n"
		"\n"
		"The run ends when the guest halts with interrupts disabled (Linux's\n"
		"poweroff without ACPI), resets (port 0xcf9, the i8042 reset line, a\n"
		"triple fault), fails, times out or gets SIGINT/SIGTERM; then a summary\n"
		"goes to stderr: exits, the debug-port timeline, the kernel's exit stats.\n"
		"\n"
		"Exit status: 0 powered off, 1 reset, failure or timeout, 2 bad\n"
		"arguments, 128+N stopped by signal N.\n",
		bin_name, DEFAULT_CMDLINE);
}

static int parse_opts(int argc, char **argv, struct boot_opts *o)
{
	enum { OPT_KERNEL = 256, OPT_INITRD, OPT_CMDLINE, OPT_APPEND,
	       OPT_MEM, OPT_TIMEOUT, OPT_USER_EVENTS };
	static const struct option longopts[] = {
		{ "kernel", required_argument, NULL, OPT_KERNEL },
		{ "initrd", required_argument, NULL, OPT_INITRD },
		{ "cmdline", required_argument, NULL, OPT_CMDLINE },
		{ "append", required_argument, NULL, OPT_APPEND },
		{ "mem", required_argument, NULL, OPT_MEM },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "user-events", no_argument, NULL, OPT_USER_EVENTS },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->mem_size = DEFAULT_MEM;
	o->cmdline = DEFAULT_CMDLINE;
	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, ":qh", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_KERNEL:
			o->kernel = optarg;
			break;
		case OPT_INITRD:
			o->initrd = optarg;
			break;
		case OPT_CMDLINE:
			o->cmdline = optarg;
			break;
		case OPT_APPEND:
			o->append = optarg;
			break;
		case OPT_MEM:
			if (parse_size(optarg, &o->mem_size))
				return usage_err("boot", "--mem: '%s' is not a size", optarg);
			if (o->mem_size & 0xfff)
				return usage_err("boot", "--mem: %s is not a multiple of 4K",
						 optarg);
			if (o->mem_size < (2ull << 20) ||
			    o->mem_size > VMM_MEM_MAX)
				return usage_err("boot", "--mem: %s is outside 2M..3G",
						 optarg);
			break;
		case OPT_TIMEOUT:
			if (parse_uint(optarg, 1, 86400, &o->timeout))
				return usage_err("boot", "--timeout: '%s' is not a number of seconds from 1 to 86400",
						 optarg);
			break;
		case OPT_USER_EVENTS:
			o->user_events = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'h':
			boot_usage(stdout);
			return -1;
		case ':':
			return usage_err("boot", "%s needs an argument", argv[optind - 1]);
		default:
			if (optopt)
				return usage_err("boot", "unknown option '-%c'", optopt);
			return usage_err("boot", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_err("boot", "unexpected argument '%s'", argv[optind]);
	if (!o->kernel)
		return usage_err("boot", "no --kernel given");
	return 0;
}

/* ---- signals and the host timer ------------------------------------ */

static void kick_self(void)
{
	struct xvcpu_run *run = kick_run;

	if (run)
		__atomic_store_n(&run->immediate_exit, 1, __ATOMIC_SEQ_CST);
}

static void on_kick(int sig)
{
	(void)sig;
	kick_self();
}

static void on_stop(int sig)
{
	if (sig == SIGALRM)
		timed_out = 1;
	else
		stop_signal = sig;
	kick_self();
}

static bool stopping(void)
{
	return stop_signal || timed_out;
}

static int install_signals(unsigned int timeout)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sa.sa_handler = on_kick;
	if (sigaction(KICK_SIGNAL, &sa, NULL))
		return -errno;
	sa.sa_flags = SA_RESTART | SA_RESETHAND;
	sa.sa_handler = on_stop;
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL) ||
	    sigaction(SIGALRM, &sa, NULL))
		return -errno;
	if (timeout)
		alarm(timeout);
	return 0;
}

static void restore_signals(void)
{
	alarm(0);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGALRM, SIG_DFL);
	signal(KICK_SIGNAL, SIG_DFL);
}

/* The host timer fires at the PIT's next deadline (0: disarmed). */
static void arm_timer(struct boot_vm *b, uint64_t ns)
{
	struct itimerspec its = { 0 };

	if (ns == b->armed_ns || !b->timer_ready)
		return;
	its.it_value.tv_sec = ns / 1000000000ull;
	its.it_value.tv_nsec = ns % 1000000000ull;
	timer_settime(b->timer, TIMER_ABSTIME, &its, NULL);
	b->armed_ns = ns;
}

/* ---- console input -------------------------------------------------- */

static struct termios saved_tio;
static bool tio_saved;

static void console_raw(void)
{
	struct termios t;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_tio))
		return;
	tio_saved = true;
	t = saved_tio;
	/* Keys go to the guest as typed; Ctrl-C still stops vcpuctl. */
	t.c_lflag &= ~(ICANON | ECHO);
	t.c_iflag &= ~(ICRNL | IXON);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	tcsetattr(STDIN_FILENO, TCSANOW, &t);
}

static void console_restore(void)
{
	if (tio_saved)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
}

static void *console_thread(void *arg)
{
	struct boot_vm *b = arg;
	uint8_t buf[256];
	ssize_t n;
	size_t done;

	for (;;) {
		n = read(STDIN_FILENO, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return NULL;	/* EOF: the guest just gets no more */
		for (done = 0; done < (size_t)n;) {
			pthread_mutex_lock(&b->pl.lock);
			done += uart_input(&b->pl.uart, buf + done, n - done);
			pthread_cond_signal(&b->pl.wake);
			pthread_mutex_unlock(&b->pl.lock);
			/* The guest must see IRQ 4 now, not at its next exit. */
			pthread_kill(b->main_thread, KICK_SIGNAL);
			if (done < (size_t)n)
				usleep(10000);	/* the guest is behind */
		}
	}
}

/* ---- the vCPU -------------------------------------------------------- */

static void note_exit(struct boot_vm *b)
{
	struct xvcpu_run *run = b->vcpu.run;
	struct last_exit *l = &b->last[b->nr_last++ % LAST_EXITS];

	memset(l, 0, sizeof(*l));
	l->reason = run->exit_reason;
	if (run->exit_reason == XVCPU_EXIT_IO) {
		l->port = run->io.port;
		l->out = run->io.direction == XVCPU_EXIT_IO_OUT;
	} else if (run->exit_reason == XVCPU_EXIT_MMIO) {
		l->gpa = run->mmio.phys_addr;
		l->out = run->mmio.is_write;
	}
}

static void print_last_exits(struct boot_vm *b)
{
	uint64_t i = b->nr_last > LAST_EXITS ? b->nr_last - LAST_EXITS : 0;

	fprintf(stderr, "  last %" PRIu64 " exits to vcpuctl, oldest first:\n",
		b->nr_last - i);
	for (; i < b->nr_last; i++) {
		const struct last_exit *l = &b->last[i % LAST_EXITS];
		const char *name = exit_reason_name(l->reason);

		fprintf(stderr, "    %-16s", name ? name : "?");
		if (l->reason == XVCPU_EXIT_IO)
			fprintf(stderr, " %s port 0x%x (%s)", l->out ? "out" : "in",
				l->port, platform_port_name(l->port));
		else if (l->reason == XVCPU_EXIT_MMIO)
			fprintf(stderr, " %s 0x%" PRIx64, l->out ? "write" : "read",
				l->gpa);
		fputc('\n', stderr);
	}
}

static void dump_regs(struct boot_vm *b)
{
	struct xvcpu_regs r;
	struct xvcpu_sregs s;

	if (vmm_get_regs(&b->vcpu, &r) || vmm_get_sregs(&b->vcpu, &s))
		return;
	fprintf(stderr,
		"  rip %016" PRIx64 " rsp %016" PRIx64 " rflags %08" PRIx64 "\n"
		"  rax %016" PRIx64 " rcx %016" PRIx64 " rdi %016" PRIx64 "\n"
		"  cr0 %" PRIx64 " cr2 %" PRIx64 " cr3 %" PRIx64 " cr4 %" PRIx64
		" efer %" PRIx64 "\n",
		(uint64_t)r.rip, (uint64_t)r.rsp, (uint64_t)r.rflags,
		(uint64_t)r.rax, (uint64_t)r.rcx, (uint64_t)r.rdi,
		(uint64_t)s.cr0, (uint64_t)s.cr2, (uint64_t)s.cr3,
		(uint64_t)s.cr4, (uint64_t)s.efer);
}

/*
 * Before each RUN: timers advanced, a pending PIC interrupt queued if the
 * guest can take it, else an interrupt window asked for.
 */
static int prepare_entry(struct boot_vm *b)
{
	struct xvcpu_run *run = b->vcpu.run;
	bool more;
	uint64_t next;
	int r;

	pthread_mutex_lock(&b->pl.lock);
	next = platform_poll(&b->pl);
	if (!b->vec_pending && pic_intr(&b->pl.pic) &&
	    run->ready_for_interrupt_injection) {
		b->vec = pic_ack(&b->pl.pic);
		b->vec_pending = true;
	}
	more = pic_intr(&b->pl.pic);
	pthread_mutex_unlock(&b->pl.lock);

	if (b->vec_pending) {
		r = vmm_interrupt(&b->vcpu, b->vec);
		if (r && r != -EBUSY)
			return r;
		if (!r) {
			b->vec_pending = false;
			b->injected++;
			run->ready_for_interrupt_injection = 0;
		}
	}
	run->request_interrupt_window = more || b->vec_pending;
	arm_timer(b, next);
	return 0;
}

/* HLT with interrupts enabled: sleep until the PIC has something. */
static void wait_for_interrupt(struct boot_vm *b)
{
	struct timespec ts;
	uint64_t next, now, until;

	fflush(stdout);
	pthread_mutex_lock(&b->pl.lock);
	for (;;) {
		next = platform_poll(&b->pl);
		if (pic_intr(&b->pl.pic) || stopping())
			break;
		now = platform_now();
		until = now + MAX_WAIT_NS;
		if (next && next < until)
			until = next;
		ts.tv_sec = until / 1000000000ull;
		ts.tv_nsec = until % 1000000000ull;
		pthread_cond_timedwait(&b->pl.wake, &b->pl.lock, &ts);
	}
	pthread_mutex_unlock(&b->pl.lock);
}

static void report_failure(struct boot_vm *b)
{
	struct xvcpu_run *run = b->vcpu.run;
	unsigned int i;

	if (run->exit_reason == XVCPU_EXIT_FAIL_ENTRY) {
		p_err("VM entry failed: hardware reason 0x%" PRIx64 ", VM-instruction error %u",
		      (uint64_t)run->fail_entry.hardware_entry_failure_reason,
		      run->fail_entry.vm_instruction_error);
	} else if (run->exit_reason == XVCPU_EXIT_INTERNAL_ERROR) {
		p_err("internal error %u (%s)", run->internal.suberror,
		      internal_suberror_name(run->internal.suberror) ?: "unknown");
		for (i = 0; i < run->internal.ndata && i < 16; i++)
			fprintf(stderr, "  data[%u] 0x%016" PRIx64 "\n", i,
				(uint64_t)run->internal.data[i]);
	} else {
		p_err("exit reason %u (%s) not handled", run->exit_reason,
		      exit_reason_name(run->exit_reason) ?: "unknown");
	}
	dump_regs(b);
	print_last_exits(b);
}

static enum boot_end vcpu_loop(struct boot_vm *b)
{
	struct xvcpu_run *run = b->vcpu.run;
	int r;

	for (;;) {
		if (stop_signal)
			return BOOT_SIGNAL;
		if (timed_out)
			return BOOT_TIMEOUT;
		r = prepare_entry(b);
		if (r) {
			p_err("XVCPU_INTERRUPT: %s", strerror(-r));
			return BOOT_FAILED;
		}
		r = vmm_run(&b->vcpu);
		if (r == -EINTR) {
			run->immediate_exit = 0;
			stats_exit(&b->stats, XVCPU_EXIT_INTR);
			continue;
		}
		if (r) {
			p_err("XVCPU_RUN: %s", strerror(-r));
			return BOOT_FAILED;
		}
		stats_exit(&b->stats, run->exit_reason);
		note_exit(b);
		switch (run->exit_reason) {
		case XVCPU_EXIT_IO:
			key_count(run->io.direction == XVCPU_EXIT_IO_OUT ?
				  &b->stats.io_out : &b->stats.io_in,
				  run->io.port, 1);
			if (run->io.data_offset < sizeof(*run) ||
			    run->io.data_offset > b->vm.run_size ||
			    (uint64_t)run->io.size * run->io.count >
			    b->vm.run_size - run->io.data_offset) {
				p_err("malformed IO exit");
				return BOOT_FAILED;
			}
			pthread_mutex_lock(&b->pl.lock);
			platform_pio(&b->pl, 0, run->io.port,
				     run->io.direction == XVCPU_EXIT_IO_OUT,
				     run->io.size, run->io.count,
				     (uint8_t *)run + run->io.data_offset);
			pthread_mutex_unlock(&b->pl.lock);
			if (b->pl.stop == PLATFORM_RESET)
				return BOOT_RESET;
			break;
		case XVCPU_EXIT_MMIO:
			key_count(run->mmio.is_write ? &b->stats.mmio_write :
				  &b->stats.mmio_read, run->mmio.phys_addr, 1);
			if (!run->mmio.len || run->mmio.len > 8) {
				p_err("malformed MMIO exit: len %u",
				      run->mmio.len);
				return BOOT_FAILED;
			}
			devices_mmio(&b->latch, run->mmio.phys_addr,
				     run->mmio.is_write, run->mmio.len,
				     run->mmio.data);
			break;
		case XVCPU_EXIT_HLT:
			b->halts++;
			if (!run->if_flag)
				return BOOT_POWEROFF;
			wait_for_interrupt(b);
			break;
		case XVCPU_EXIT_IRQ_WINDOW_OPEN:
		case XVCPU_EXIT_INTR:
			break;
		case XVCPU_EXIT_HYPERCALL:
			key_count(&b->stats.hypercall, run->hypercall.nr, 1);
			run->hypercall.ret = -1000ull;	/* KVM's -ENOSYS */
			break;
		case XVCPU_EXIT_MSR:
			run->msr.error = 1;
			break;
		case XVCPU_EXIT_SHUTDOWN:
			return BOOT_TRIPLE_FAULT;
		default:
			report_failure(b);
			return BOOT_FAILED;
		}
	}
}

/* ---- set-up ---------------------------------------------------------- */

/* Hide what this platform does not have: no local APIC at all. */
static int setup_cpuid(struct boot_vm *b)
{
	struct xvcpu_cpuid *c;
	unsigned int i;
	int r;

	c = calloc(1, sizeof(*c) + XVCPU_MAX_CPUID_ENTRIES *
		   sizeof(c->entries[0]));
	if (!c)
		return -ENOMEM;
	r = vmm_get_cpuid(&b->vcpu, c, XVCPU_MAX_CPUID_ENTRIES);
	if (!r) {
		for (i = 0; i < c->nent; i++) {
			if (c->entries[i].function != 1)
				continue;
			c->entries[i].edx &= ~CPUID_1_EDX_APIC;
			c->entries[i].ecx &= ~(CPUID_1_ECX_X2APIC |
					       CPUID_1_ECX_TSC_DEADLINE);
		}
		r = vmm_set_cpuid(&b->vcpu, c);
	}
	free(c);
	return r;
}

static int setup_vcpu(struct boot_vm *b, const struct bz_boot *bz)
{
	struct xvcpu_sregs sregs;
	struct xvcpu_regs regs;
	int r;

	r = vmm_vcpu_create(&b->vm, 0, &b->vcpu);
	if (r)
		return r;
	r = setup_cpuid(b);
	if (r)
		return r;
	r = vmm_get_sregs(&b->vcpu, &sregs);
	if (r)
		return r;
	bz_setup_vcpu(bz, &sregs, &regs);
	r = vmm_set_sregs(&b->vcpu, &sregs);
	if (r)
		return r;
	return vmm_set_regs(&b->vcpu, &regs);
}

static void print_kernel_stats(struct boot_vm *b)
{
	struct kstats ks;
	int fd = vmm_vcpu_stats_fd(&b->vcpu);

	if (fd < 0)
		return;
	if (!kstats_read_fd(fd, &ks)) {
		kstats_print_reasons(stderr, &ks);
		kstats_free(&ks);
	}
	close(fd);
}

static void print_summary(struct boot_vm *b, const struct bz_boot *bz,
			  double wall, uint64_t tsc)
{
	static struct xvcpu_debug_port_log klog, ulog;
	const struct xvcpu_debug_port_log *log;
	uint64_t exit_count = b->vcpu.run->exit_count;
	const char *source;
	struct run_summary sum = {
		.mode = bz->pvh ? "protected (PVH entry)" :
			bz->k.entry64 ? "long (64-bit boot protocol)" :
			"protected (32-bit boot protocol)",
		.mem_size = bz->mem_size,
		.nr_vcpus = 1,
		.wall_seconds = wall,
		.vcpu_exit_count = &exit_count,
		.serial_bytes = b->pl.uart.tx_bytes,
		.port_name = platform_port_name,
	};

	b->stats.exit_count = exit_count;
	if (!vmm_get_debug_port_log(&b->vm, &klog) &&
	    (klog.total || !b->latch.post_count)) {
		sum.debug_port = &klog;
		sum.debug_port_source = "kernel log";
	} else {
		devices_debug_port_log(&b->latch, &ulog);
		sum.debug_port = &ulog;
		sum.debug_port_source = "vcpuctl latch";
	}
	/* The timeline goes last, with deltas: the boot's stages. */
	log = sum.debug_port;
	source = sum.debug_port_source;
	sum.debug_port = NULL;
	stats_print(stderr, &b->stats, &sum);
	debug_port_print_timeline(stderr, log, source);
	/* In Bochs the TSC counts host instructions: make bench's figure. */
	fprintf(stderr, "boot: %.3f s, %" PRIu64 " host TSC ticks, %" PRIu64 " VM exits, from the first RUN to the end\n",
		wall, tsc, exit_count);
	fprintf(stderr,
		"platform: %" PRIu64 " interrupts injected, %" PRIu64 " PIT ticks (%" PRIu64 " missed), %" PRIu64 " HLTs, %" PRIu64 " console bytes in\n",
		b->injected, b->pl.pit.irqs, b->pl.pit.missed, b->halts,
		b->pl.uart.rx_bytes);
	print_kernel_stats(b);
}

static char *build_cmdline(const struct boot_opts *o)
{
	size_t n = strlen(o->cmdline) + (o->append ? strlen(o->append) + 1 : 0);
	char *s = malloc(n + 1);

	if (!s)
		return NULL;
	snprintf(s, n + 1, "%s%s%s", o->cmdline, o->append ? " " : "",
		 o->append ? o->append : "");
	return s;
}

static int end_status(struct boot_vm *b, bool quiet)
{
	switch (b->end) {
	case BOOT_POWEROFF:
		if (!quiet)
			p_info("guest powered off (halted with interrupts disabled)");
		return EXIT_OK;
	case BOOT_RESET:
		p_err("guest reset: %s", b->pl.stop_why);
		print_last_exits(b);
		return EXIT_FAIL;
	case BOOT_TRIPLE_FAULT:
		p_err("guest reset: triple fault (SHUTDOWN)");
		dump_regs(b);
		print_last_exits(b);
		return EXIT_FAIL;
	case BOOT_TIMEOUT:
		p_err("timeout: the guest was still running; stopped");
		dump_regs(b);
		return EXIT_FAIL;
	case BOOT_SIGNAL:
		p_info("stopped by %s", stop_signal == SIGINT ? "SIGINT" :
		       "SIGTERM");
		return 128 + stop_signal;
	default:
		return EXIT_FAIL;
	}
}

int do_boot(int argc, char **argv)
{
	static struct boot_vm b;
	struct sigevent sev = { 0 };
	struct boot_opts o;
	struct bz_boot bz;
	void *kernel = NULL, *initrd = NULL;
	size_t klen = 0, ilen = 0;
	char *cmdline = NULL, lerr[256];
	bool plat = false, latch = false, console = false, pvh;
	pthread_t cons;
	uint64_t tsc0, tsc1;
	double t0, t1;
	int ret, r;

	ret = parse_opts(argc, argv, &o);
	if (ret)
		return ret < 0 ? EXIT_OK : ret;
	ret = EXIT_FAIL;
	memset(&b, 0, sizeof(b));
	b.vm.sys_fd = b.vm.vm_fd = -1;
	b.vcpu.fd = -1;
	if (read_file(o.kernel, &kernel, &klen))
		goto out;
	/* An ELF file is a vmlinux for the PVH entry, else a bzImage. */
	pvh = pvh_is_elf(kernel, klen);
	if (!pvh && bz_parse(kernel, klen, &bz.k, lerr, sizeof(lerr))) {
		p_err("%s: %s", o.kernel, lerr);
		goto out;
	}
	if (o.initrd && read_file(o.initrd, &initrd, &ilen))
		goto out;
	cmdline = build_cmdline(&o);
	if (!cmdline) {
		p_err("out of memory");
		goto out;
	}

	if (vmm_open(&b.vm))
		goto out;
	devices_init(&b.latch, stdout, stderr, o.quiet);
	latch = true;
	r = platform_init(&b.pl, stdout, &b.latch);
	if (r) {
		p_err("platform: %s", strerror(-r));
		goto out;
	}
	plat = true;
	/* KVM's backend has no such capability: its guest gets -1 (EPERM). */
	if (o.user_events) {
		r = vmm_enable_cap(&b.vm, XVCPU_CAP_USER_TRACE_EVENTS);
		if (r == -EOPNOTSUPP)
			p_info("--user-events: not on this backend; the guest's events from user mode will fail");
		else if (r)
			goto out;
	}
	if (vmm_alloc_ram(&b.vm, o.mem_size))
		goto out;
	r = pvh ? pvh_load(kernel, klen, initrd, ilen, cmdline, b.vm.mem,
			   o.mem_size, &bz, lerr, sizeof(lerr)) :
		  bz_load(kernel, klen, initrd, ilen, cmdline, b.vm.mem,
			  o.mem_size, &bz, lerr, sizeof(lerr));
	if (r) {
		p_err("%s: %s", o.kernel, lerr);
		goto out;
	}
	/* In guest RAM now: the file's copy is not needed any more. */
	free(kernel);
	kernel = NULL;
	free(initrd);
	initrd = NULL;
	if (setup_vcpu(&b, &bz))
		goto out;

	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = KICK_SIGNAL;
	if (timer_create(CLOCK_MONOTONIC, &sev, &b.timer)) {
		p_err("timer_create: %s", strerror(errno));
		goto out;
	}
	b.timer_ready = true;
	b.main_thread = pthread_self();
	kick_run = b.vcpu.run;
	r = install_signals(o.timeout);
	if (r) {
		p_err("sigaction: %s", strerror(-r));
		goto out;
	}
	if (!o.quiet && pvh)
		p_info("%s: ELF kernel at [0x%" PRIx64 ", 0x%" PRIx64 "), PVH entry at 0x%" PRIx64 ", %" PRIu64 " MiB RAM%s",
		       o.kernel, bz.k.load_addr, bz.k.load_addr + bz.k.init_size,
		       bz.entry, o.mem_size >> 20,
		       bz.initrd_size ? ", initrd as module 0" : "");
	else if (!o.quiet)
		p_info("%s: bzImage, boot protocol %u.%02u, %s entry at 0x%" PRIx64 ", %" PRIu64 " MiB RAM%s",
		       o.kernel, bz.k.version >> 8, bz.k.version & 0xff,
		       bz.k.entry64 ? "64-bit" : "32-bit", bz.entry,
		       o.mem_size >> 20,
		       bz.initrd_size ? ", initrd at the top of RAM" : "");
	if (!o.quiet)
		p_info("command line: %s", cmdline);
	console_raw();
	/* Stop signals and the kick belong to this thread. */
	{
		sigset_t set, old;

		sigemptyset(&set);
		sigaddset(&set, SIGINT);
		sigaddset(&set, SIGTERM);
		sigaddset(&set, SIGALRM);
		sigaddset(&set, KICK_SIGNAL);
		pthread_sigmask(SIG_BLOCK, &set, &old);
		console = !pthread_create(&cons, NULL, console_thread, &b);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	t0 = platform_now() / 1e9;
	tsc0 = __rdtsc();
	b.end = vcpu_loop(&b);
	tsc1 = __rdtsc();
	t1 = platform_now() / 1e9;
	fflush(stdout);
	console_restore();
	arm_timer(&b, 0);
	restore_signals();
	kick_run = NULL;

	ret = end_status(&b, o.quiet);
	if (!o.quiet)
		print_summary(&b, &bz, t1 - t0, tsc1 - tsc0);
out:
	if (console) {
		pthread_cancel(cons);
		pthread_join(cons, NULL);
	}
	if (b.timer_ready)
		timer_delete(b.timer);
	if (b.vcpu.vm)
		vmm_vcpu_destroy(&b.vcpu);
	vmm_close(&b.vm);
	if (plat)
		platform_destroy(&b.pl);
	if (latch)
		devices_destroy(&b.latch);
	free(cmdline);
	free(kernel);
	free(initrd);
	return ret;
}
