// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of vcpuctl's pure parts: argument parsing, command
 * lookup, the CPU mode tables and register state, the image loader (on
 * synthetic images and on the built example guests), the devices and
 * the summary. KTAP on stdout.
 *
 *   test_vcpuctl EXAMPLES_DIR     (the directory holding hello, hello16.bin)
 */
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <asm/bootparam.h>

#include "bzimage.h"
#include "devices.h"
#include "kstats.h"
#include "loader.h"
#include "names.h"
#include "platform.h"
#include "pvh.h"
#include "stats.h"
#include "unit.h"
#include "vcpuctl.h"
#include "vmm.h"

#define MiB (1ull << 20)

static const char *examples_dir;

/* ---- parsing ---------------------------------------------------------- */

static uint64_t size_of(const char *s, int *r)
{
	uint64_t v = 0xdeadbeef;

	*r = parse_size(s, &v);
	return v;
}

UNIT_TEST(parse_size_accepts_numbers_and_suffixes)
{
	int r;

	EXPECT_EQ(size_of("0", &r), 0);
	EXPECT_EQ(size_of("4096", &r), 4096);
	EXPECT_EQ(r, 0);
	EXPECT_EQ(size_of("0x1000", &r), 0x1000);
	EXPECT_EQ(size_of("0X7C00", &r), 0x7c00);
	EXPECT_EQ(size_of("4K", &r), 4096);
	EXPECT_EQ(size_of("4k", &r), 4096);
	EXPECT_EQ(size_of("16M", &r), 16 * MiB);
	EXPECT_EQ(size_of("3G", &r), 3ull << 30);
	EXPECT_EQ(size_of("0x10M", &r), 16 * MiB);
	EXPECT_EQ(size_of("1g", &r), 1ull << 30);
	EXPECT_EQ(r, 0);
}

UNIT_TEST(parse_size_rejects_garbage_and_overflow)
{
	static const char *const bad[] = {
		"", "-1", " 1", "+1", "1X", "1KB", "1 K", "0x", "K", "M1",
		"1.5M", "0xg",
	};
	unsigned int i;
	uint64_t v;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		if (parse_size(bad[i], &v) != -EINVAL) {
			printf("# accepted \"%s\"\n", bad[i]);
			*unit_failed = 1;
		}
	}
	EXPECT_EQ(parse_size("18446744073709551616", &v), -ERANGE);
	EXPECT_EQ(parse_size("17179869184G", &v), -ERANGE);
	EXPECT_EQ(parse_size("17179869183G", &v), 0);
}

UNIT_TEST(parse_uint_checks_range)
{
	unsigned int v = 0;

	EXPECT_EQ(parse_uint("1", 1, 64, &v), 0);
	EXPECT_EQ(v, 1);
	EXPECT_EQ(parse_uint("64", 1, 64, &v), 0);
	EXPECT_EQ(v, 64);
	EXPECT_EQ(parse_uint("0", 1, 64, &v), -ERANGE);
	EXPECT_EQ(parse_uint("65", 1, 64, &v), -ERANGE);
	EXPECT_EQ(parse_uint("99999999999999999999", 1, 64, &v), -ERANGE);
	EXPECT_EQ(parse_uint("-1", 1, 64, &v), -EINVAL);
	EXPECT_EQ(parse_uint("2x", 1, 64, &v), -EINVAL);
	EXPECT_EQ(parse_uint("", 1, 64, &v), -EINVAL);
}

UNIT_TEST(parse_seg_off_is_hex_with_optional_0x)
{
	uint16_t seg = 1, off = 1;

	EXPECT_EQ(parse_seg_off("0:7c00", &seg, &off), 0);
	EXPECT_EQ(seg, 0);
	EXPECT_EQ(off, 0x7c00);
	EXPECT_EQ(parse_seg_off("0x0000:0x7c00", &seg, &off), 0);
	EXPECT_EQ(off, 0x7c00);
	EXPECT_EQ(parse_seg_off("F000:fff0", &seg, &off), 0);
	EXPECT_EQ(seg, 0xf000);
	EXPECT_EQ(off, 0xfff0);
	EXPECT_EQ(parse_seg_off("7c00", &seg, &off), -EINVAL);
	EXPECT_EQ(parse_seg_off("1:", &seg, &off), -EINVAL);
	EXPECT_EQ(parse_seg_off(":1", &seg, &off), -EINVAL);
	EXPECT_EQ(parse_seg_off("12345:0", &seg, &off), -EINVAL);
	EXPECT_EQ(parse_seg_off("g:0", &seg, &off), -EINVAL);
	EXPECT_EQ(parse_seg_off("0:0x", &seg, &off), -EINVAL);
}

static int dummy_cmd(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

UNIT_TEST(cmd_find_prefers_exact_then_unique_prefix)
{
	static const struct cmd t[] = {
		{ "run", dummy_cmd, "" },
		{ "record", dummy_cmd, "" },
		{ "report", dummy_cmd, "" },
		{ "top", dummy_cmd, "" },
		{ "topology", dummy_cmd, "" },
		{ NULL, NULL, NULL },
	};
	const struct cmd *c;
	bool amb;

	c = cmd_find(t, "run", &amb);
	EXPECT(c == &t[0] && !amb);
	c = cmd_find(t, "ru", &amb);
	EXPECT(c == &t[0] && !amb);
	c = cmd_find(t, "rec", &amb);
	EXPECT(c == &t[1] && !amb);
	c = cmd_find(t, "r", &amb);
	EXPECT(!c && amb);
	c = cmd_find(t, "re", &amb);
	EXPECT(!c && amb);
	c = cmd_find(t, "top", &amb);	/* exact, though also a prefix */
	EXPECT(c == &t[3] && !amb);
	c = cmd_find(t, "topo", &amb);
	EXPECT(c == &t[4] && !amb);
	c = cmd_find(t, "x", &amb);
	EXPECT(!c && !amb);
	c = cmd_find(t, "", &amb);
	EXPECT(!c && !amb);
	c = cmd_find(t, "runs", &amb);
	EXPECT(!c && !amb);
}

UNIT_TEST(mode_parse_takes_unique_prefixes)
{
	enum cpu_mode m = MODE_LONG;

	EXPECT_EQ(mode_parse("real", &m), 0);
	EXPECT_EQ(m, MODE_REAL);
	EXPECT_EQ(mode_parse("p", &m), 0);
	EXPECT_EQ(m, MODE_PROTECTED);
	EXPECT_EQ(mode_parse("long", &m), 0);
	EXPECT_EQ(m, MODE_LONG);
	EXPECT_EQ(mode_parse("longer", &m), -EINVAL);
	EXPECT_EQ(mode_parse("", &m), -EINVAL);
	EXPECT_EQ(mode_parse("64", &m), -EINVAL);
	EXPECT_STREQ(mode_name(MODE_PROTECTED), "protected");
}

/* ---- CPU mode setup ---------------------------------------------------- */

UNIT_TEST(gdt_entry_encodes_the_classic_descriptors)
{
	EXPECT_EQ(gdt_entry(0, 0xfffff, 0x9b, 0xa), 0x00af9b000000ffffull);
	EXPECT_EQ(gdt_entry(0, 0xfffff, 0x9b, 0xc), 0x00cf9b000000ffffull);
	EXPECT_EQ(gdt_entry(0, 0xfffff, 0x93, 0xc), 0x00cf93000000ffffull);
	EXPECT_EQ(gdt_entry(0x12345678, 0x67, 0x8b, 0), 0x12008b3456780067ull);
	EXPECT_EQ(gdt_entry(0, 0x12345, 0x93, 0x4), 0x0041930000002345ull);
}

UNIT_TEST(layout_puts_tables_and_stacks_at_the_top)
{
	struct guest_layout l;

	EXPECT_EQ(layout_init(&l, MODE_LONG, 16 * MiB, 1), 0);
	EXPECT_EQ(l.sys_base, 16 * MiB - VMM_SYS_SIZE);
	EXPECT_EQ(l.reserved_lo, 16 * MiB - VMM_SYS_SIZE - VMM_STACK_SIZE);
	EXPECT_EQ(l.reserved_hi, 16 * MiB);
	EXPECT_EQ(layout_stack_top(&l, 0), l.sys_base);

	EXPECT_EQ(layout_init(&l, MODE_PROTECTED, 16 * MiB, 4), 0);
	EXPECT_EQ(layout_stack_top(&l, 3), l.sys_base - 3 * VMM_STACK_SIZE);
	EXPECT_EQ(l.reserved_lo, l.sys_base - 4 * VMM_STACK_SIZE);

	/* 64K holds the tables but not a 64K stack as well. */
	EXPECT_EQ(layout_init(&l, MODE_LONG, VMM_MEM_MIN, 1), -ENOSPC);
	EXPECT_EQ(layout_init(&l, MODE_LONG, VMM_SYS_SIZE + VMM_STACK_SIZE,
			      1), 0);

	EXPECT_EQ(layout_init(&l, MODE_REAL, VMM_MEM_MIN, 64), 0);
	EXPECT_EQ(layout_stack_top(&l, 0), 0x7c00);
	EXPECT_EQ(layout_stack_top(&l, 2), 0x7a00);
	EXPECT_EQ(l.reserved_lo, 0x7c00 - 64 * 0x100);
	EXPECT_EQ(l.reserved_hi, 0x7c00);
}

static uint64_t rd64(const void *mem, uint64_t gpa)
{
	uint64_t v;

	memcpy(&v, (const char *)mem + gpa, sizeof(v));
	return v;
}

/* A 4-level walk as the CPU would do it; ~0 when not present. */
static uint64_t walk(const void *mem, uint64_t cr3, uint64_t va)
{
	uint64_t e;

	e = rd64(mem, (cr3 & ~0xfffull) + ((va >> 39) & 511) * 8);
	if (!(e & 1))
		return ~0ull;
	e = rd64(mem, (e & 0xffffffffff000ull) + ((va >> 30) & 511) * 8);
	if (!(e & 1) || (e & 0x80))
		return ~0ull;	/* vcpuctl uses no 1 GiB pages */
	e = rd64(mem, (e & 0xffffffffff000ull) + ((va >> 21) & 511) * 8);
	if (!(e & 1) || !(e & 0x80) || !(e & 2))
		return ~0ull;
	return (e & 0xfffffffe00000ull) | (va & 0x1fffff);
}

/* The segment register must equal what loading its selector would give. */
static int seg_matches_gdt(const void *mem, const struct xvcpu_sregs *s,
			   const struct xvcpu_segment *seg)
{
	uint64_t d = rd64(mem, s->gdt.base + (seg->selector & ~7));
	uint32_t limit = (d & 0xffff) | ((d >> 32) & 0xf0000);
	uint64_t base = ((d >> 16) & 0xffffff) | ((d >> 56) << 24);
	unsigned int g = (d >> 55) & 1;

	if (g)
		limit = (limit << 12) | 0xfff;
	return seg->selector + 7u <= s->gdt.limit &&
	       base == seg->base && limit == seg->limit &&
	       ((d >> 40) & 0xf) == seg->type &&
	       ((d >> 44) & 1) == seg->s && ((d >> 45) & 3) == seg->dpl &&
	       ((d >> 47) & 1) == seg->present &&
	       ((d >> 53) & 1) == seg->l && ((d >> 54) & 1) == seg->db &&
	       g == seg->g;
}

UNIT_TEST(long_mode_tables_identity_map_4g)
{
	struct guest_layout l;
	struct xvcpu_sregs s;
	struct xvcpu_regs r;
	struct entry_point e = { .addr = 0x100000 };
	void *mem = calloc(1, 16 * MiB);

	layout_init(&l, MODE_LONG, 16 * MiB, 2);
	memset(mem, 0xaa, 16 * MiB);
	mode_build_tables(mem, &l);
	memset(&s, 0x55, sizeof(s));
	mode_setup_vcpu(&l, 1, &e, &s, &r);

	EXPECT_EQ(s.cr3, l.sys_base + SYS_PML4);
	EXPECT_EQ(walk(mem, s.cr3, 0), 0);
	EXPECT_EQ(walk(mem, s.cr3, 0x100000), 0x100000);
	EXPECT_EQ(walk(mem, s.cr3, 16 * MiB - 8), 16 * MiB - 8);
	EXPECT_EQ(walk(mem, s.cr3, 0xd0000000), 0xd0000000);
	EXPECT_EQ(walk(mem, s.cr3, 0xfffff000), 0xfffff000);
	EXPECT_EQ(walk(mem, s.cr3, 0x100000000ull), ~0ull);

	EXPECT(s.efer & (1 << 8));		/* LME */
	EXPECT(s.efer & (1 << 10));		/* LMA */
	EXPECT(s.cr4 & (1 << 5));		/* PAE */
	EXPECT_EQ(s.cr0 & 0x80000001u, 0x80000001u);	/* PG | PE */
	EXPECT_EQ(s.cr0 & 0x60000000u, 0);	/* caches on */
	EXPECT(s.cs.l && !s.cs.db);
	EXPECT(seg_matches_gdt(mem, &s, &s.cs));
	EXPECT(seg_matches_gdt(mem, &s, &s.ds));
	EXPECT(seg_matches_gdt(mem, &s, &s.ss));
	EXPECT_EQ(s.tr.selector, SEL_TSS);
	EXPECT_EQ(s.tr.type, 11);
	EXPECT(!s.tr.s && s.tr.present);
	EXPECT_EQ(s.tr.base, l.sys_base + SYS_TSS);
	/* The 16-byte TSS descriptor fits under the GDT limit. */
	EXPECT_EQ(s.gdt.limit, SEL_TSS + 15);
	EXPECT(seg_matches_gdt(mem, &s, &s.tr));
	EXPECT_EQ(rd64(mem, s.gdt.base + SEL_TSS + 8), 0);
	EXPECT(s.ldt.unusable);
	EXPECT_EQ(s.idt.limit, 0);
	for (unsigned int i = 0; i < 8; i++)
		EXPECT_EQ(s.reserved[i], 0);
	EXPECT_EQ(s.cs.padding, 0);

	EXPECT_EQ(r.rip, 0x100000);
	EXPECT_EQ(r.rdi, 1);		/* vCPU id */
	EXPECT_EQ(r.rsi, 2);		/* number of vCPUs */
	EXPECT_EQ(r.rdx, 16 * MiB);	/* RAM size */
	EXPECT_EQ(r.rsp, l.sys_base - VMM_STACK_SIZE);
	EXPECT_EQ(r.rflags, 2);		/* IF clear */
	free(mem);
}

UNIT_TEST(protected_mode_is_flat_32_bit_without_paging)
{
	struct guest_layout l;
	struct xvcpu_sregs s;
	struct xvcpu_regs r;
	struct entry_point e = { .addr = 0x200000 };
	void *mem = calloc(1, 4 * MiB);

	layout_init(&l, MODE_PROTECTED, 4 * MiB, 1);
	mode_build_tables(mem, &l);
	memset(&s, 0, sizeof(s));
	s.cr0 = 0x60000010;	/* the reset value: CD | NW | ET */
	mode_setup_vcpu(&l, 0, &e, &s, &r);

	EXPECT_EQ(s.cr0, 0x31);	/* PE | ET | NE */
	EXPECT_EQ(s.cr4, 0);
	EXPECT_EQ(s.efer, 0);
	EXPECT(!s.cs.l && s.cs.db && s.cs.g);
	EXPECT_EQ(s.cs.limit, 0xffffffff);
	EXPECT(seg_matches_gdt(mem, &s, &s.cs));
	EXPECT(seg_matches_gdt(mem, &s, &s.es));
	EXPECT(seg_matches_gdt(mem, &s, &s.tr));
	EXPECT_EQ(s.gdt.limit, SEL_TSS + 7);
	/* No page tables written: the PML4 page stays empty. */
	EXPECT_EQ(rd64(mem, l.sys_base + SYS_PML4), 0);
	EXPECT_EQ(r.rip, 0x200000);
	EXPECT_EQ(r.rsp, 4 * MiB - VMM_SYS_SIZE);
	free(mem);
}

UNIT_TEST(real_mode_enters_at_cs_ip)
{
	struct guest_layout l;
	struct xvcpu_sregs s, reset;
	struct xvcpu_regs r;
	struct entry_point e = { .addr = 0x7c00 };
	uint16_t seg, off;

	real_seg_off(0x12345, &seg, &off);
	EXPECT_EQ(seg, 0x1000);
	EXPECT_EQ(off, 0x2345);
	real_seg_off(0xffff0, &seg, &off);
	EXPECT_EQ(seg, 0xf000);
	EXPECT_EQ(off, 0xfff0);

	layout_init(&l, MODE_REAL, 1 * MiB, 2);
	memset(&reset, 0, sizeof(reset));
	reset.cr0 = 0x60000010;
	reset.idt.limit = 0xffff;
	reset.tr.type = 11;
	reset.tr.present = 1;
	s = reset;
	mode_setup_vcpu(&l, 1, &e, &s, &r);
	EXPECT_EQ(s.cs.selector, 0);
	EXPECT_EQ(s.cs.base, 0);
	EXPECT_EQ(s.cs.limit, 0xffff);
	EXPECT_EQ(s.cs.type, 0xb);
	EXPECT_EQ(r.rip, 0x7c00);
	EXPECT_EQ(s.ss.selector, 0);
	EXPECT_EQ(r.rsp, 0x7c00 - 0x100);
	EXPECT_EQ(r.rdi, 1);
	/* Untouched: CR0 (PE clear), the IVT, TR. */
	EXPECT_EQ(s.cr0, reset.cr0);
	EXPECT_EQ(s.idt.limit, 0xffff);
	EXPECT_EQ(s.tr.type, 11);

	e.seg_off = true;
	e.seg = 0x07c0;
	e.off = 0;
	e.addr = 0x7c00;
	s = reset;
	mode_setup_vcpu(&l, 0, &e, &s, &r);
	EXPECT_EQ(s.cs.selector, 0x07c0);
	EXPECT_EQ(s.cs.base, 0x7c00);
	EXPECT_EQ(s.ds.selector, 0x07c0);
	EXPECT_EQ(r.rip, 0);
	EXPECT_EQ(r.rsp, 0x7c00);
}

/* ---- loader ------------------------------------------------------------ */

#define MEM_SIZE (4 * MiB)

struct fixture {
	struct guest_layout l;
	unsigned char *mem;
	struct guest_image img;
	char err[256];
};

static void fixture_init(struct fixture *f, enum cpu_mode mode)
{
	layout_init(&f->l, mode, MEM_SIZE, 1);
	f->mem = malloc(MEM_SIZE);
	memset(f->mem, 0xaa, MEM_SIZE);
	f->err[0] = '\0';
}

static int load(struct fixture *f, const void *buf, size_t len,
		uint64_t flat_addr)
{
	return image_load(buf, len, flat_addr, &f->l, f->mem, &f->img,
			  f->err, sizeof(f->err));
}

UNIT_TEST(flat_image_loads_at_its_address)
{
	static const unsigned char code[] = { 0xfa, 0xf4 };	/* cli; hlt */
	struct fixture f;

	fixture_init(&f, MODE_LONG);
	EXPECT_EQ(load(&f, code, sizeof(code), 0x1000), 0);
	EXPECT_EQ(f.img.kind, IMAGE_FLAT);
	EXPECT_EQ(f.img.entry, 0x1000);
	EXPECT_EQ(f.mem[0x1000], 0xfa);
	EXPECT_EQ(f.mem[0x1001], 0xf4);
	EXPECT_EQ(f.mem[0x1002], 0xaa);
	EXPECT_EQ(f.img.lo, 0x1000);
	EXPECT_EQ(f.img.hi, 0x1002);

	EXPECT_EQ(load(&f, code, 0, 0x1000), -EINVAL);
	EXPECT_EQ(load(&f, code, sizeof(code), MEM_SIZE - 1), -ENOSPC);
	EXPECT_EQ(load(&f, code, sizeof(code), ~0ull), -ENOSPC);
	/* Into the stack below the tables. */
	EXPECT_EQ(load(&f, code, sizeof(code), f.l.reserved_lo), -ENOSPC);
	EXPECT(strstr(f.err, "overlaps") != NULL);
	EXPECT_EQ(load(&f, code, sizeof(code), f.l.reserved_lo - 2), 0);
	free(f.mem);

	/* Real mode: the boot-sector address is fine, the stacks are not. */
	fixture_init(&f, MODE_REAL);
	EXPECT_EQ(load(&f, code, sizeof(code), 0x7c00), 0);
	EXPECT_EQ(load(&f, code, sizeof(code), 0x7bff), -ENOSPC);
	free(f.mem);
}

/* A minimal ELF64 or ELF32 image: header, program headers, payload. */
struct elf_spec {
	bool is32;
	uint16_t type, machine;
	uint64_t entry;
	unsigned int nph;
	struct phdr_spec {
		uint32_t type;
		uint64_t offset, vaddr, paddr, filesz, memsz;
	} ph[3];
};

static size_t make_elf(const struct elf_spec *sp, unsigned char *buf,
		       size_t size)
{
	/* e_phnum may claim more than are written: a truncated file. */
	unsigned int i, nph = sp->nph < 3 ? sp->nph : 3;

	memset(buf, 0, size);
	for (i = 0; i < 64; i++)	/* payload bytes after the headers */
		buf[0x100 + i] = 0x90 + i;
	if (!sp->is32) {
		Elf64_Ehdr eh = {
			.e_ident = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3,
				     ELFCLASS64, ELFDATA2LSB, EV_CURRENT },
			.e_type = sp->type, .e_machine = sp->machine,
			.e_version = EV_CURRENT, .e_entry = sp->entry,
			.e_phoff = sizeof(Elf64_Ehdr),
			.e_ehsize = sizeof(Elf64_Ehdr),
			.e_phentsize = sizeof(Elf64_Phdr), .e_phnum = sp->nph,
		};

		memcpy(buf, &eh, sizeof(eh));
		for (i = 0; i < nph; i++) {
			Elf64_Phdr ph = {
				.p_type = sp->ph[i].type,
				.p_offset = sp->ph[i].offset,
				.p_vaddr = sp->ph[i].vaddr,
				.p_paddr = sp->ph[i].paddr,
				.p_filesz = sp->ph[i].filesz,
				.p_memsz = sp->ph[i].memsz,
			};

			memcpy(buf + sizeof(eh) + i * sizeof(ph), &ph,
			       sizeof(ph));
		}
	} else {
		Elf32_Ehdr eh = {
			.e_ident = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3,
				     ELFCLASS32, ELFDATA2LSB, EV_CURRENT },
			.e_type = sp->type, .e_machine = sp->machine,
			.e_version = EV_CURRENT, .e_entry = sp->entry,
			.e_phoff = sizeof(Elf32_Ehdr),
			.e_ehsize = sizeof(Elf32_Ehdr),
			.e_phentsize = sizeof(Elf32_Phdr), .e_phnum = sp->nph,
		};

		memcpy(buf, &eh, sizeof(eh));
		for (i = 0; i < nph; i++) {
			Elf32_Phdr ph = {
				.p_type = sp->ph[i].type,
				.p_offset = sp->ph[i].offset,
				.p_vaddr = sp->ph[i].vaddr,
				.p_paddr = sp->ph[i].paddr,
				.p_filesz = sp->ph[i].filesz,
				.p_memsz = sp->ph[i].memsz,
			};

			memcpy(buf + sizeof(eh) + i * sizeof(ph), &ph,
			       sizeof(ph));
		}
	}
	return 0x140;
}

UNIT_TEST(elf_segments_load_at_paddr_with_bss_zeroed)
{
	struct elf_spec sp = {
		.type = ET_EXEC, .machine = EM_X86_64,
		.entry = 0xffffffff80100010ull, .nph = 2,
		.ph = {
			/* Linked high, loaded low: entry must follow. */
			{ PT_LOAD, 0x100, 0xffffffff80100000ull, 0x100000,
			  0x20, 0x1000 },
			{ PT_NOTE, 0, 0, 0, 0, 0 },
		},
	};
	unsigned char buf[0x200];
	struct fixture f;
	size_t len;

	fixture_init(&f, MODE_LONG);
	len = make_elf(&sp, buf, sizeof(buf));
	EXPECT_EQ(image_kind(buf, len), IMAGE_ELF64);
	EXPECT_EQ(load(&f, buf, len, 0), 0);
	EXPECT_STREQ(f.err, "");
	EXPECT_EQ(f.img.entry, 0x100010);
	EXPECT_EQ(f.mem[0x100000], 0x90);
	EXPECT_EQ(f.mem[0x10001f], 0x90 + 0x1f);
	EXPECT_EQ(f.mem[0x100020], 0);		/* bss */
	EXPECT_EQ(f.mem[0x100fff], 0);
	EXPECT_EQ(f.mem[0x101000], 0xaa);	/* untouched */
	EXPECT_EQ(f.img.nr_segments, 1);

	/* Same as ELF32 for i386, entry outside every segment kept as is. */
	sp.is32 = true;
	sp.machine = EM_386;
	sp.entry = 0x300000;
	sp.ph[0].vaddr = 0x100000;
	len = make_elf(&sp, buf, sizeof(buf));
	EXPECT_EQ(image_kind(buf, len), IMAGE_ELF32);
	EXPECT_EQ(load(&f, buf, len, 0), 0);
	EXPECT_EQ(f.img.kind, IMAGE_ELF32);
	EXPECT_EQ(f.img.entry, 0x300000);
	free(f.mem);
}

static int load_spec(const struct elf_spec *sp, char *err, size_t errlen)
{
	unsigned char buf[0x200];
	struct fixture f;
	size_t len;
	int r;

	fixture_init(&f, MODE_LONG);
	len = make_elf(sp, buf, sizeof(buf));
	r = load(&f, buf, len, 0);
	snprintf(err, errlen, "%s", f.err);
	free(f.mem);
	return r;
}

UNIT_TEST(elf_loader_rejects_what_it_cannot_run)
{
	const struct elf_spec good = {
		.type = ET_EXEC, .machine = EM_X86_64, .entry = 0x100000,
		.nph = 1,
		.ph = { { PT_LOAD, 0x100, 0x100000, 0x100000, 0x40, 0x40 } },
	};
	struct elf_spec sp;
	char err[256];

	EXPECT_EQ(load_spec(&good, err, sizeof(err)), 0);

	sp = good;
	sp.type = ET_DYN;
	EXPECT_EQ(load_spec(&sp, err, sizeof(err)), -EINVAL);
	EXPECT(strstr(err, "ET_EXEC") != NULL);

	sp = good;
	sp.machine = EM_386;
	EXPECT_EQ(load_spec(&sp, err, sizeof(err)), -EINVAL);

	sp = good;
	sp.nph = 2;
	sp.ph[1] = (struct phdr_spec){ PT_INTERP, 0x100, 0, 0, 8, 8 };
	EXPECT_EQ(load_spec(&sp, err, sizeof(err)), -EINVAL);
	EXPECT(strstr(err, "PT_INTERP") != NULL);

	sp = good;
	sp.ph[0].filesz = 0x80;
	EXPECT_EQ(load_spec(&sp, err, sizeof(err)), -EINVAL);	/* > memsz */

	sp = good;
	sp.ph[0].offset = 0x1f0;
	EXPECT_EQ(load_spec(&sp, err, sizeof(err)), -EINVAL);	/* past EOF */
	sp.ph[0].offset = ~0ull - 8;
	EXPECT_EQ(load_spec(&sp, err, sizeof(err)), -EINVAL);	/* wraps */

	sp = good;
	sp.ph[0].paddr = MEM_SIZE - 0x20;
	EXPECT_EQ(load_spec(&sp, err, sizeof(err)), -ENOSPC);
	sp.ph[0].paddr = ~0ull - 0x10;
	EXPECT_EQ(load_spec(&sp, err, sizeof(err)), -ENOSPC);
	sp.ph[0].paddr = MEM_SIZE - VMM_SYS_SIZE;	/* the tables */
	EXPECT_EQ(load_spec(&sp, err, sizeof(err)), -ENOSPC);

	sp = good;
	sp.ph[0].type = PT_NOTE;
	EXPECT_EQ(load_spec(&sp, err, sizeof(err)), -EINVAL);
	EXPECT(strstr(err, "no PT_LOAD") != NULL);

	sp = good;
	sp.nph = 60;	/* program headers past the end of the file */
	EXPECT_EQ(load_spec(&sp, err, sizeof(err)), -EINVAL);
}

static void *slurp(const char *name, size_t *len)
{
	char path[4096];
	struct stat st;
	void *buf;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", examples_dir ?: ".", name);
	f = fopen(path, "rb");
	if (!f) {
		printf("# cannot open %s (build the examples first)\n", path);
		return NULL;
	}
	fstat(fileno(f), &st);
	buf = malloc(st.st_size);
	*len = fread(buf, 1, st.st_size, f);
	fclose(f);
	return buf;
}

UNIT_TEST(example_hello_loads_as_elf64_at_1m)
{
	static const unsigned char start[] = { 0x48, 0x83, 0xe4, 0xf0 };
	struct fixture f;
	size_t len = 0;
	void *buf = slurp("hello", &len);
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	unsigned int i;

	EXPECT(buf != NULL);
	if (!buf)
		return;
	fixture_init(&f, MODE_LONG);
	EXPECT_EQ(load(&f, buf, len, 0), 0);
	EXPECT_STREQ(f.err, "");
	EXPECT_EQ(f.img.kind, IMAGE_ELF64);
	EXPECT_EQ(f.img.entry, 0x100000);
	/* _start begins "and $-16, %rsp". */
	EXPECT(!memcmp(f.mem + 0x100000, start, sizeof(start)));
	/* Every PT_LOAD: file bytes in place, the rest zero. */
	memcpy(&eh, buf, sizeof(eh));
	for (i = 0; i < eh.e_phnum; i++) {
		memcpy(&ph, (char *)buf + eh.e_phoff + i * sizeof(ph),
		       sizeof(ph));
		if (ph.p_type != PT_LOAD)
			continue;
		EXPECT(!memcmp(f.mem + ph.p_paddr, (char *)buf + ph.p_offset,
			       ph.p_filesz));
		for (uint64_t a = ph.p_filesz; a < ph.p_memsz; a++)
			if (f.mem[ph.p_paddr + a]) {
				printf("# bss byte at 0x%lx not zero\n",
				       (unsigned long)(ph.p_paddr + a));
				*unit_failed = 1;
				break;
			}
	}
	EXPECT(f.img.nr_segments >= 2);
	EXPECT(f.img.hi <= f.l.reserved_lo);
	free(f.mem);
	free(buf);
}

UNIT_TEST(example_hello16_is_a_boot_sector)
{
	struct fixture f;
	size_t len = 0;
	unsigned char *buf = slurp("hello16.bin", &len);

	EXPECT(buf != NULL);
	if (!buf)
		return;
	EXPECT_EQ(len, 512);
	EXPECT_EQ(buf[510], 0x55);
	EXPECT_EQ(buf[511], 0xaa);
	EXPECT_EQ(image_kind(buf, len), IMAGE_FLAT);
	fixture_init(&f, MODE_REAL);
	EXPECT_EQ(load(&f, buf, len, 0x7c00), 0);
	EXPECT_EQ(f.mem[0x7c00], 0xfa);	/* cli */
	free(f.mem);
	free(buf);
}

/* ---- devices ----------------------------------------------------------- */

struct captured {
	char *out, *log;
	size_t out_len, log_len;
	FILE *fout, *flog;
	struct devices d;
};

static void cap_init(struct captured *c, bool quiet)
{
	memset(c, 0, sizeof(*c));
	c->fout = open_memstream(&c->out, &c->out_len);
	c->flog = open_memstream(&c->log, &c->log_len);
	devices_init(&c->d, c->fout, c->flog, quiet);
}

static void cap_done(struct captured *c)
{
	devices_destroy(&c->d);
	fclose(c->fout);
	fclose(c->flog);
}

static void cap_free(struct captured *c)
{
	free(c->out);
	free(c->log);
}

static uint8_t in8(struct devices *d, uint16_t port)
{
	uint8_t v = 0x5a;

	devices_pio(d, 0, port, false, 1, 1, &v);
	return v;
}

static void out8(struct devices *d, uint16_t port, uint8_t v)
{
	devices_pio(d, 0, port, true, 1, 1, &v);
}

UNIT_TEST(com1_prints_thr_writes_and_says_empty)
{
	struct captured c;
	uint8_t rep[3] = { 'a', 'b', 'c' };
	uint8_t word[2] = { 'W', 0x0f };	/* 0x3f8 = 'W', 0x3f9 = IER */

	cap_init(&c, false);
	out8(&c.d, 0x3f8, 'H');
	out8(&c.d, 0x3f8, 'i');
	EXPECT_EQ(in8(&c.d, 0x3fd), 0x60);	/* THRE | TEMT */
	EXPECT_EQ(in8(&c.d, 0x3fa), 0x01);	/* no interrupt pending */
	EXPECT_EQ(in8(&c.d, 0x3f8), 0);		/* nothing received */
	EXPECT_EQ(in8(&c.d, 0x3fe), 0);
	/* The divisor latch takes THR writes while DLAB is set. */
	out8(&c.d, 0x3fb, 0x80);
	out8(&c.d, 0x3f8, 0x01);
	out8(&c.d, 0x3f9, 0x00);
	EXPECT_EQ(in8(&c.d, 0x3f8), 0x01);
	EXPECT_EQ(in8(&c.d, 0x3fb), 0x80);
	out8(&c.d, 0x3fb, 0x03);
	EXPECT_EQ(in8(&c.d, 0x3fb), 0x03);
	devices_pio(&c.d, 0, 0x3f8, true, 1, 3, rep);	/* rep outsb */
	devices_pio(&c.d, 0, 0x3f8, true, 2, 1, word);
	EXPECT_EQ(in8(&c.d, 0x3f9), 0);		/* IER: writes ignored */
	out8(&c.d, 0x3f8, '\n');
	cap_done(&c);
	EXPECT_STREQ(c.out, "HiabcW\n");
	EXPECT_EQ(c.d.serial_bytes, 7);
	EXPECT_STREQ(c.log, "");
	cap_free(&c);
}

UNIT_TEST(port_0x80_logs_codes_and_open_bus_floats_high)
{
	static struct xvcpu_debug_port_log log;
	struct captured c;
	uint8_t in[8];
	unsigned int i;

	cap_init(&c, false);
	out8(&c.d, 0x80, 0x40);
	out8(&c.d, 0x80, 0x41);
	out8(&c.d, 0x70, 0x12);		/* vanishes */
	memset(in, 0, sizeof(in));
	devices_pio(&c.d, 3, 0x71, false, 4, 2, in);
	for (i = 0; i < 8; i++)
		EXPECT_EQ(in[i], 0xff);
	EXPECT_EQ(in8(&c.d, 0x80), 0xff);
	devices_pio(&c.d, 5, 0x80, true, 1, 1, (uint8_t[]){ 0x9a });
	devices_debug_port_log(&c.d, &log);
	cap_done(&c);
	EXPECT_EQ(c.d.post_count, 3);
	EXPECT_EQ(log.total, 3);
	EXPECT_EQ(log.count, 3);
	EXPECT_EQ(log.entries[0].code, 0x40);
	EXPECT_EQ(log.entries[1].code, 0x41);
	EXPECT_EQ(log.entries[2].code, 0x9a);
	EXPECT_EQ(log.entries[1].component, XVCPU_DEBUG_PORT_KERNEL);
	EXPECT_EQ(log.entries[2].component, XVCPU_DEBUG_PORT_CUSTOM);
	EXPECT_EQ(log.entries[1].vcpu_id, 0);
	EXPECT_EQ(log.entries[2].vcpu_id, 5);
	EXPECT(log.entries[0].ns <= log.entries[1].ns);
	EXPECT(log.entries[1].ns <= log.entries[2].ns);
	EXPECT_EQ(log.entries[3].code, 0);
	EXPECT_STREQ(c.log, "vcpuctl: vCPU0: boot progress 0x40\n"
			    "vcpuctl: vCPU0: boot progress 0x41\n"
			    "vcpuctl: vCPU5: boot progress 0x9a\n");
	EXPECT_STREQ(c.out, "");
	cap_free(&c);

	/* The latch keeps the last 256, like the kernel's log. */
	cap_init(&c, true);
	for (i = 0; i < 300; i++)
		out8(&c.d, 0x80, i);
	devices_debug_port_log(&c.d, &log);
	cap_done(&c);
	EXPECT_EQ(log.total, 300);
	EXPECT_EQ(log.count, 256);
	EXPECT_EQ(log.entries[0].code, 44);
	EXPECT_EQ(log.entries[255].code, 299 & 0xff);
	cap_free(&c);

	cap_init(&c, true);
	out8(&c.d, 0x80, 0x40);
	cap_done(&c);
	EXPECT_EQ(c.d.post_count, 1);
	EXPECT_STREQ(c.log, "");
	cap_free(&c);
}

UNIT_TEST(mmio_reads_all_ones_of_len_only)
{
	struct captured c;
	uint8_t data[8];

	cap_init(&c, true);
	memset(data, 0x11, sizeof(data));
	devices_mmio(&c.d, 0xd0000000, false, 4, data);
	EXPECT_EQ(data[0], 0xff);
	EXPECT_EQ(data[3], 0xff);
	EXPECT_EQ(data[4], 0x11);
	devices_mmio(&c.d, 0xd0000000, true, 8, data);	/* vanishes */
	EXPECT_EQ(data[7], 0x11);
	cap_done(&c);
	cap_free(&c);
}

/* ---- statistics and names ---------------------------------------------- */

UNIT_TEST(key_counts_overflow_into_other)
{
	struct key_counts t;
	unsigned int i;

	memset(&t, 0, sizeof(t));
	for (i = 0; i < KEY_SLOTS + 5; i++)
		key_count(&t, i, 1);
	key_count(&t, 0, 9);
	EXPECT_EQ(t.nr, KEY_SLOTS);
	EXPECT_EQ(t.other, 5);
	EXPECT_EQ(t.slot[0].count, 10);
}

UNIT_TEST(summary_lists_reasons_ports_and_exit_count)
{
	struct exit_stats a, b;
	const uint64_t per_vcpu[2] = { 3000, 12 };
	static struct xvcpu_debug_port_log log = {
		.total = 2, .count = 2,
		.entries = { { .ns = 1500000, .code = 0x40 },
			     { .ns = 2000000, .code = 0x4f, .vcpu_id = 1 } },
	};
	struct run_summary sum = {
		.mode = "long", .mem_size = 16 * MiB, .nr_vcpus = 2,
		.wall_seconds = 0.5, .vcpu_exit_count = per_vcpu,
		.debug_port = &log, .debug_port_source = "kernel log",
		.serial_bytes = 26,
	};
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	stats_exit(&a, XVCPU_EXIT_IO);
	key_count(&a.io_out, 0x3f8, 1);
	stats_exit(&a, XVCPU_EXIT_HLT);
	a.exit_count = 3000;
	stats_exit(&b, XVCPU_EXIT_IO);
	key_count(&b.io_out, 0x3f8, 1);
	stats_exit(&b, XVCPU_EXIT_HYPERCALL);
	key_count(&b.hypercall, 0x10, 1);
	stats_exit(&b, 99);
	b.exit_count = 12;
	stats_add(&a, &b);
	EXPECT_EQ(a.reason[XVCPU_EXIT_IO], 2);
	EXPECT_EQ(a.io_out.slot[0].count, 2);
	EXPECT_EQ(a.exit_count, 3012);
	EXPECT_EQ(stats_user_exits(&a), 5);

	f = open_memstream(&text, &len);
	stats_print(f, &a, &sum);
	fclose(f);
	EXPECT(strstr(text, "long mode, 2 vCPUs, 16384 KiB RAM, 0.500 s") != NULL);
	EXPECT(strstr(text, "out 0x03f8 COM1 data") != NULL);
	EXPECT(strstr(text, "HYPERCALL") != NULL);
	EXPECT(strstr(text, "nr 0x10") != NULL);
	EXPECT(strstr(text, "(unknown reasons)") != NULL);
	EXPECT(strstr(text, "VM exits (run->exit_count): 3012 (vCPU0 3000, vCPU1 12)") != NULL);
	EXPECT(strstr(text, "  debug port 0x80 (kernel log): 2 codes, ms since VM creation\n"
			    "           1.500 ms  vCPU0   0x40  kernel\n"
			    "           2.000 ms  vCPU1   0x4f  kernel\n") != NULL);
	if (*unit_failed)	/* show it as KTAP diagnostics */
		for (char *l = strtok(text, "\n"); l; l = strtok(NULL, "\n"))
			printf("# %s\n", l);
	free(text);
}

/* Exact text: ms with three decimals, every component, the overwritten. */
UNIT_TEST(debug_port_timeline_format)
{
	static struct xvcpu_debug_port_log log;
	static const struct {
		uint64_t ns;
		uint32_t vcpu;
		uint8_t code;
	} in[] = {
		{ 0, 0, 0x00 }, { 999, 0, 0x1f }, { 412345, 0, 0x20 },
		{ 1000000, 63, 0x5f }, { 402744123, 2, 0x60 },
		{ 12345678901ULL, 1, 0x80 }, { 12345678901ULL, 1, 0xff },
	};
	char *text = NULL;
	size_t len = 0;
	unsigned int i;
	FILE *f;

	memset(&log, 0, sizeof(log));
	log.total = 300;
	log.count = ARRAY_SIZE(in);
	for (i = 0; i < ARRAY_SIZE(in); i++) {
		log.entries[i].ns = in[i].ns;
		log.entries[i].vcpu_id = in[i].vcpu;
		log.entries[i].code = in[i].code;
	}
	f = open_memstream(&text, &len);
	debug_port_print(f, &log, "kernel log");
	log.total = 1;
	log.count = 1;
	debug_port_print(f, &log, "vcpuctl latch");
	log.count = 0;
	log.total = 0;
	debug_port_print(f, &log, "kernel log");
	fclose(f);
	EXPECT_STREQ(text,
		     "  debug port 0x80 (kernel log): 300 codes, the last 7 kept, ms since VM creation\n"
		     "           0.000 ms  vCPU0   0x00  firmware\n"
		     "           0.000 ms  vCPU0   0x1f  firmware\n"
		     "           0.412 ms  vCPU0   0x20  bootloader\n"
		     "           1.000 ms  vCPU63  0x5f  kernel\n"
		     "         402.744 ms  vCPU2   0x60  userspace\n"
		     "       12345.678 ms  vCPU1   0x80  custom\n"
		     "       12345.678 ms  vCPU1   0xff  custom\n"
		     "  debug port 0x80 (vcpuctl latch): 1 code, ms since VM creation\n"
		     "           0.000 ms  vCPU0   0x00  firmware\n"
		     "  debug port 0x80 (kernel log): 0 codes\n");
	free(text);
}

/* A stats file as the kernel lays it out, built here field by field. */
struct fake_stats {
	unsigned char buf[4096];
	size_t len;
};

static ssize_t fake_read(void *ctx, void *buf, size_t len, off_t off)
{
	struct fake_stats *f = ctx;

	if ((size_t)off >= f->len)
		return 0;
	if (len > f->len - off)
		len = f->len - off;
	memcpy(buf, f->buf + off, len);
	return len;
}

UNIT_TEST(kstats_parse_and_reasons)
{
	static const char *const names[] = {
		"exits_CPUID", "exit_ns_sum_CPUID", "exits_HLT", "halt_exits",
	};
	static const uint64_t vals[] = { 1000, 250000, 3, 3 };
	const unsigned int name_size = 32, n = 4;
	size_t dsz = sizeof(struct xvcpu_stats_desc) + name_size;
	struct xvcpu_stats_header h = {
		.name_size = name_size, .num_desc = n,
		.id_offset = sizeof(h),
		.desc_offset = sizeof(h) + name_size,
		.data_offset = sizeof(h) + name_size + n * dsz,
	};
	struct fake_stats f = { .len = h.data_offset + n * 8 };
	struct kstats ks, two;
	char out[1024];
	FILE *m;
	unsigned int i;

	memset(f.buf, 0, sizeof(f.buf));
	memcpy(f.buf, &h, sizeof(h));
	strcpy((char *)f.buf + h.id_offset, "xvcpu-1-vm0-vcpu0");
	for (i = 0; i < n; i++) {
		struct xvcpu_stats_desc *d =
			(void *)(f.buf + h.desc_offset + i * dsz);

		d->size = 1;
		d->offset = i * 8;
		strcpy(d->name, names[i]);
		memcpy(f.buf + h.data_offset + i * 8, &vals[i], 8);
	}
	EXPECT_EQ(kstats_parse(fake_read, &f, &ks), 0);
	EXPECT_STREQ(ks.id, "xvcpu-1-vm0-vcpu0");
	EXPECT_EQ(ks.n, 4);
	EXPECT_EQ(kstats_find(&ks, "exits_HLT")->val[0], 3);
	EXPECT(kstats_find(&ks, "exits_IO") == NULL);
	EXPECT_EQ(kstats_parse(fake_read, &f, &two), 0);
	kstats_add(&ks, &two);
	EXPECT_EQ(kstats_find(&ks, "exits_CPUID")->val[0], 2000);
	m = fmemopen(out, sizeof(out), "w");
	kstats_print_reasons(m, &ks);
	fclose(m);
	/* Busiest first, average ns = sum / count; halt_exits is no reason. */
	EXPECT(strstr(out, "CPUID") && strstr(out, "HLT") &&
	       strstr(out, "CPUID") < strstr(out, "HLT"));
	EXPECT(strstr(out, " 250\n") != NULL);
	EXPECT(strstr(out, "halt_exits") == NULL);
	kstats_free(&two);
	kstats_free(&ks);
	/* A truncated file is refused, not read past. */
	f.len = h.data_offset + 8;
	EXPECT_EQ(kstats_parse(fake_read, &f, &ks), -EIO);
}

UNIT_TEST(names_come_from_one_table_each)
{
	EXPECT_STREQ(exit_reason_name(XVCPU_EXIT_HLT), "HLT");
	EXPECT_STREQ(exit_reason_name(XVCPU_EXIT_IRQ_WINDOW_OPEN),
		     "IRQ_WINDOW_OPEN");
	EXPECT(exit_reason_name(NR_EXIT_REASONS) == NULL);
	EXPECT_STREQ(vmx_exit_reason_name(33), "INVALID_STATE");
	EXPECT_STREQ(vmx_exit_reason_name(10), "CPUID");
	EXPECT(vmx_exit_reason_name(1000) == NULL);
	EXPECT(strstr(vm_instruction_error_name(7), "control") != NULL);
	EXPECT(vm_instruction_error_name(14) == NULL);
	EXPECT(internal_suberror_name(XVCPU_INTERNAL_MEMORY) != NULL);
	EXPECT(internal_suberror_name(99) == NULL);
	EXPECT_STREQ(debug_port_component_name(0x1f), "firmware");
	EXPECT_STREQ(debug_port_component_name(0x3f), "bootloader");
	EXPECT_STREQ(debug_port_component_name(0x40), "kernel");
	EXPECT_STREQ(debug_port_component_name(0x7f), "userspace");
	EXPECT_STREQ(debug_port_component_name(0xff), "custom");
}

/* ---- vcpuctl boot: the bzImage loader ---------------------------------- */

/* A synthetic bzImage: setup header of protocol @version, @pm bytes of kernel. */
static uint8_t *fake_bzimage(size_t pm, uint16_t version, uint16_t xlf,
			     size_t *len)
{
	size_t n = 5 * 512 + pm;
	uint8_t *b = calloc(1, n);
	struct boot_params *bp = (struct boot_params *)b;
	size_t i;

	bp->hdr.setup_sects = 4;
	bp->hdr.boot_flag = 0xaa55;
	memcpy(&bp->hdr.header, "HdrS", 4);
	bp->hdr.version = version;
	bp->hdr.loadflags = LOADED_HIGH;
	bp->hdr.syssize = pm / 16;
	bp->hdr.code32_start = 0x100000;
	bp->hdr.relocatable_kernel = 1;
	bp->hdr.kernel_alignment = 0x200000;
	bp->hdr.xloadflags = xlf;
	bp->hdr.cmdline_size = 2047;
	bp->hdr.initrd_addr_max = 0x7fffffff;
	bp->hdr.pref_address = 0x1000000;
	bp->hdr.init_size = 0x400000;
	b[0x201] = 0x268 - 0x202;	/* header length byte (jump offset) */
	for (i = 0; i < pm; i++)
		b[5 * 512 + i] = i * 7;
	*len = n;
	return b;
}

UNIT_TEST(bz_parse_refuses_bad_images)
{
	struct bz_kernel k;
	char err[256];
	size_t len;
	uint8_t *b = fake_bzimage(4096, 0x20f, XLF_KERNEL_64, &len);

	EXPECT_EQ(bz_parse(b, 100, &k, err, sizeof(err)), -EINVAL);
	EXPECT(strstr(err, "too short") != NULL);
	b[0x202] = 'X';
	EXPECT_EQ(bz_parse(b, len, &k, err, sizeof(err)), -EINVAL);
	EXPECT(strstr(err, "not a bzImage") != NULL);
	b[0x202] = 'H';
	b[0x206] = 0x04;		/* protocol 2.04 */
	EXPECT_EQ(bz_parse(b, len, &k, err, sizeof(err)), -EINVAL);
	EXPECT(strstr(err, "older than 2.06") != NULL);
	b[0x206] = 0x0f;
	EXPECT_EQ(bz_parse(b, len - 100, &k, err, sizeof(err)), -EINVAL);
	EXPECT(strstr(err, "truncated") != NULL);
	b[0x211] = 0;			/* loadflags: not loaded high */
	EXPECT_EQ(bz_parse(b, len, &k, err, sizeof(err)), -EINVAL);
	EXPECT(strstr(err, "zImage") != NULL);
	free(b);
}

UNIT_TEST(bz_load_64bit_entry_layout)
{
	uint64_t mem_size = 64 * MiB;
	uint8_t *mem = calloc(1, mem_size);
	struct boot_params *bp = (struct boot_params *)(mem + BZ_ZERO_PAGE);
	uint8_t initrd[5000];
	struct xvcpu_sregs sregs = { 0 };
	struct xvcpu_regs regs;
	struct bz_boot bz;
	char err[256];
	size_t len;
	uint8_t *b = fake_bzimage(8192, 0x20f, XLF_KERNEL_64, &len);
	uint64_t pte;

	memset(initrd, 0x5a, sizeof(initrd));
	EXPECT_EQ(bz_parse(b, len, &bz.k, err, sizeof(err)), 0);
	EXPECT(bz.k.entry64);
	EXPECT_EQ(bz.k.load_addr, 0x1000000);
	EXPECT_EQ(bz_load(b, len, initrd, sizeof(initrd), "console=ttyS0", mem,
			  mem_size, &bz, err, sizeof(err)), 0);
	EXPECT_EQ(memcmp(mem + 0x1000000, b + 5 * 512, 8192), 0);
	EXPECT_EQ(bz.entry, 0x1000200);
	EXPECT_STREQ((char *)mem + BZ_CMDLINE, "console=ttyS0");
	EXPECT_EQ(bp->hdr.cmd_line_ptr, BZ_CMDLINE);
	EXPECT_EQ(bp->hdr.type_of_loader, 0xff);
	EXPECT_EQ(bp->hdr.code32_start, 0x1000000);
	/* The initrd: page aligned, as high as RAM allows. */
	EXPECT_EQ(bp->hdr.ramdisk_image, (mem_size - sizeof(initrd)) & ~0xfffull);
	EXPECT_EQ(bp->hdr.ramdisk_size, sizeof(initrd));
	EXPECT_EQ(mem[bp->hdr.ramdisk_image + 4999], 0x5a);
	EXPECT_EQ(bp->e820_entries, 4);
	EXPECT_EQ(bp->e820_table[3].addr, 0x100000);
	EXPECT_EQ(bp->e820_table[3].size, mem_size - 0x100000);
	EXPECT_EQ(bp->e820_table[1].type, 2);
	/* The identity map: 2 MiB pages, 3 GiB + 2 MiB maps to itself. */
	memcpy(&pte, mem + BZ_PML4 + 0x2000 + 3 * 0x1000 + 8, 8);
	EXPECT_EQ(pte & ~0xfffull, 0xc0200000ull);
	/* The stub: debug-port codes, then movabs rax, entry; jmp rax. */
	EXPECT_EQ(mem[BZ_FIRMWARE + 1], BZ_CODE_START);
	EXPECT_EQ(mem[BZ_FIRMWARE + 5], BZ_CODE_KERNEL);
	EXPECT_EQ(mem[BZ_FIRMWARE + 9], 0xb8);
	bz_setup_vcpu(&bz, &sregs, &regs);
	EXPECT_EQ(regs.rip, BZ_FIRMWARE);
	EXPECT_EQ(regs.rsi, BZ_ZERO_PAGE);
	EXPECT_EQ(regs.rflags, 2);
	EXPECT_EQ(sregs.cs.selector, BZ_BOOT_CS);
	EXPECT_EQ(sregs.cs.l, 1);
	EXPECT_EQ(sregs.ds.selector, BZ_BOOT_DS);
	EXPECT_EQ(sregs.efer & 0x500, 0x500);
	EXPECT_EQ(sregs.cr3, BZ_PML4);
	free(b);
	free(mem);
}

UNIT_TEST(bz_load_32bit_entry_and_limits)
{
	uint64_t mem_size = 16 * MiB;
	uint8_t *mem = calloc(1, mem_size);
	struct xvcpu_sregs sregs = { 0 };
	struct xvcpu_regs regs;
	struct bz_boot bz;
	char err[256], longcl[3000];
	size_t len;
	uint8_t *b = fake_bzimage(8192, 0x20f, 0, &len);

	/* Not relocatable, no XLF_KERNEL_64: 1 MiB, 32-bit entry. */
	b[0x234] = 0;
	EXPECT_EQ(bz_parse(b, len, &bz.k, err, sizeof(err)), 0);
	EXPECT(!bz.k.entry64);
	EXPECT_EQ(bz.k.load_addr, 0x100000);
	memset(longcl, 'a', sizeof(longcl) - 1);
	longcl[sizeof(longcl) - 1] = 0;
	EXPECT_EQ(bz_load(b, len, NULL, 0, longcl, mem, mem_size, &bz, err,
			  sizeof(err)), -EINVAL);
	EXPECT(strstr(err, "command line") != NULL);
	EXPECT_EQ(bz_load(b, len, NULL, 20 * MiB, "", mem, mem_size, &bz,
			  err, sizeof(err)), 0);
	EXPECT_EQ(bz.entry, 0x100000);
	EXPECT_EQ(mem[BZ_FIRMWARE + 8], 0xb8);	/* mov eax, imm32 */
	bz_setup_vcpu(&bz, &sregs, &regs);
	EXPECT_EQ(sregs.cs.l, 0);
	EXPECT_EQ(sregs.cs.db, 1);
	EXPECT_EQ(sregs.cr0 & 0x80000001ull, 1);	/* PE, no PG */
	EXPECT_EQ(sregs.efer, 0);
	/* init_size 4 MiB from 1 MiB does not fit in 4 MiB of RAM. */
	EXPECT_EQ(bz_load(b, len, NULL, 0, "", mem, 4 * MiB, &bz, err,
			  sizeof(err)), -ENOSPC);
	EXPECT(strstr(err, "the kernel needs") != NULL);
	free(b);
	free(mem);
}

/* ---- vcpuctl boot: the platform's devices ------------------------------ */

static void pic_out(struct pic *p, uint16_t port, uint8_t v)
{
	pic_pio(p, port, true, &v);
}

static uint8_t pic_in(struct pic *p, uint16_t port)
{
	uint8_t v = 0;

	pic_pio(p, port, false, &v);
	return v;
}

/* What Linux's init_8259A() writes. */
static void pic_linux_init(struct pic *p)
{
	pic_out(p, 0x21, 0xff);
	pic_out(p, 0xa1, 0xff);
	pic_out(p, 0x20, 0x11);
	pic_out(p, 0x21, 0x30);
	pic_out(p, 0x21, 0x04);
	pic_out(p, 0x21, 0x01);
	pic_out(p, 0xa0, 0x11);
	pic_out(p, 0xa1, 0x38);
	pic_out(p, 0xa1, 0x02);
	pic_out(p, 0xa1, 0x01);
	pic_out(p, 0x21, 0xfb);		/* all masked but the cascade */
	pic_out(p, 0xa1, 0xff);
}

/* ---- vcpuctl boot: the PVH entry of an ELF vmlinux ------------------- */

#define FAKE_PVH_ENTRY	0x1000100ull

/*
 * A synthetic vmlinux: ELF64 x86-64 with one PT_LOAD (8 KiB of file,
 * 12 KiB in memory at 16 MiB) and a PT_NOTE holding Xen's PVH entry.
 */
static uint8_t *fake_vmlinux(size_t *len)
{
	size_t n = 0x3000;
	uint8_t *b = calloc(1, n);
	Elf64_Ehdr *eh = (Elf64_Ehdr *)b;
	Elf64_Phdr *ph = (Elf64_Phdr *)(b + sizeof(*eh));
	Elf64_Nhdr *nh = (Elf64_Nhdr *)(b + 0x200);
	uint64_t entry = FAKE_PVH_ENTRY;
	size_t i;

	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_phoff = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = 2;
	ph[0].p_type = PT_LOAD;
	ph[0].p_offset = 0x1000;
	ph[0].p_paddr = 0x1000000;
	ph[0].p_vaddr = 0xffffffff81000000ull;
	ph[0].p_filesz = 0x2000;
	ph[0].p_memsz = 0x3000;
	ph[1].p_type = PT_NOTE;
	ph[1].p_offset = 0x200;
	ph[1].p_filesz = sizeof(*nh) + 4 + 8;
	nh->n_namesz = 4;
	nh->n_descsz = 8;
	nh->n_type = XEN_ELFNOTE_PHYS32_ENTRY;
	memcpy(b + 0x200 + sizeof(*nh), "Xen", 4);
	memcpy(b + 0x200 + sizeof(*nh) + 4, &entry, 8);
	for (i = 0x1000; i < n; i++)
		b[i] = i * 13 + 1;
	*len = n;
	return b;
}

UNIT_TEST(pvh_loads_vmlinux_and_start_info)
{
	uint64_t mem_size = 32 * MiB;
	uint8_t *mem = calloc(1, mem_size);
	struct hvm_start_info si;
	struct hvm_modlist_entry mod;
	struct hvm_memmap_table_entry mm[4];
	struct xvcpu_sregs sregs = { 0 };
	struct xvcpu_regs regs;
	uint8_t initrd[6000];
	struct bz_boot bz;
	char err[256];
	uint32_t e32;
	size_t len, i;
	uint8_t *b = fake_vmlinux(&len);
	bool zero = true;

	EXPECT(pvh_is_elf(b, len));
	memset(mem + 0x1000000, 0xee, 0x3000);	/* the BSS must be zeroed */
	memset(initrd, 0x3c, sizeof(initrd));
	EXPECT_EQ(pvh_load(b, len, initrd, sizeof(initrd), "console=ttyS0",
			   mem, mem_size, &bz, err, sizeof(err)), 0);
	EXPECT_EQ(memcmp(mem + 0x1000000, b + 0x1000, 0x2000), 0);
	for (i = 0x1002000; i < 0x1003000; i++)
		zero &= !mem[i];
	EXPECT(zero);
	EXPECT(bz.pvh);
	EXPECT_EQ(bz.entry, FAKE_PVH_ENTRY);
	memcpy(&si, mem + PVH_START_INFO, sizeof(si));
	EXPECT_EQ(si.magic, HVM_START_MAGIC);
	EXPECT_EQ(si.version, 1);
	EXPECT_EQ(si.cmdline_paddr, BZ_CMDLINE);
	EXPECT_STREQ((char *)mem + BZ_CMDLINE, "console=ttyS0");
	EXPECT_EQ(si.nr_modules, 1);
	memcpy(&mod, mem + si.modlist_paddr, sizeof(mod));
	EXPECT_EQ(mod.paddr, (mem_size - sizeof(initrd)) & ~0xfffull);
	EXPECT_EQ(mod.size, sizeof(initrd));
	EXPECT_EQ(mem[mod.paddr + 5999], 0x3c);
	EXPECT_EQ(si.memmap_entries, 4);
	memcpy(mm, mem + si.memmap_paddr, sizeof(mm));
	EXPECT_EQ(mm[0].addr, 0);
	EXPECT_EQ(mm[0].type, HVM_MEMMAP_TYPE_RAM);
	EXPECT_EQ(mm[1].type, HVM_MEMMAP_TYPE_RESERVED);
	EXPECT_EQ(mm[3].addr, 0x100000);
	EXPECT_EQ(mm[3].size, mem_size - 0x100000);
	/* The stub: codes, then mov eax, entry; jmp eax (32-bit). */
	EXPECT_EQ(mem[BZ_FIRMWARE + 1], BZ_CODE_START);
	EXPECT_EQ(mem[BZ_FIRMWARE + 8], 0xb8);
	memcpy(&e32, mem + BZ_FIRMWARE + 9, 4);
	EXPECT_EQ(e32, FAKE_PVH_ENTRY);
	/* Flat 32-bit protected mode, paging off, EBX = start info. */
	bz_setup_vcpu(&bz, &sregs, &regs);
	EXPECT_EQ(regs.rip, BZ_FIRMWARE);
	EXPECT_EQ(regs.rbx, PVH_START_INFO);
	EXPECT_EQ(regs.rflags, 2);
	EXPECT_EQ(sregs.cs.l, 0);
	EXPECT_EQ(sregs.cs.db, 1);
	EXPECT_EQ(sregs.cr0 & 0x80000001ull, 1);
	EXPECT_EQ(sregs.cr4, 0);
	EXPECT_EQ(sregs.efer, 0);
	EXPECT_EQ(sregs.tr.limit, 0x67);
	free(b);
	free(mem);
}

UNIT_TEST(pvh_refuses_bad_vmlinux)
{
	uint64_t mem_size = 32 * MiB;
	uint8_t *mem = calloc(1, mem_size);
	char err[256], longcl[3000];
	struct bz_boot bz;
	size_t len;
	uint8_t *b = fake_vmlinux(&len);
	Elf64_Ehdr *eh = (Elf64_Ehdr *)b;
	Elf64_Phdr *ph = (Elf64_Phdr *)(b + sizeof(*eh));

#define LOAD(l, m) pvh_load(b, l, NULL, 0, "", mem, m, &bz, err, sizeof(err))
	EXPECT_EQ(LOAD(0x2800, mem_size), -EINVAL);
	EXPECT(strstr(err, "truncated: segment 0 needs file bytes [4096, 12288)") != NULL);
	EXPECT_EQ(LOAD(40, mem_size), -EINVAL);
	EXPECT(strstr(err, "too short") != NULL);
	EXPECT_EQ(LOAD(len, 16 * MiB), -ENOSPC);
	EXPECT(strstr(err, "the kernel needs [0x1000000, 0x1003000)") != NULL);
	memset(longcl, 'x', sizeof(longcl) - 1);
	longcl[sizeof(longcl) - 1] = 0;
	EXPECT_EQ(pvh_load(b, len, NULL, 0, longcl, mem, mem_size, &bz, err,
			   sizeof(err)), -EINVAL);
	EXPECT(strstr(err, "command line of 2999 bytes") != NULL);
	EXPECT_EQ(pvh_load(b, len, mem, 31 * MiB, "", mem, mem_size, &bz, err,
			   sizeof(err)), -ENOSPC);
	EXPECT(strstr(err, "initrd") != NULL);
	ph[1].p_type = PT_NULL;		/* no note */
	EXPECT_EQ(LOAD(len, mem_size), -EINVAL);
	EXPECT(strstr(err, "no PVH entry") != NULL);
	ph[1].p_type = PT_NOTE;
	ph[1].p_filesz = 20;		/* the note runs past its segment */
	EXPECT_EQ(LOAD(len, mem_size), -EINVAL);
	EXPECT(strstr(err, "corrupt ELF note") != NULL);
	ph[1].p_filesz = sizeof(Elf64_Nhdr) + 12;
	ph[0].p_paddr = 0x80000;	/* over the loader's tables */
	EXPECT_EQ(LOAD(len, mem_size), -EINVAL);
	EXPECT(strstr(err, "below 1 MiB") != NULL);
	ph[0].p_paddr = 0x2000000;	/* the entry is not in the kernel */
	EXPECT_EQ(LOAD(len, mem_size), -EINVAL);
	EXPECT(strstr(err, "outside the kernel") != NULL);
	ph[0].p_paddr = 0x1000000;
	ph[0].p_memsz = 0x1000;		/* more file than memory */
	EXPECT_EQ(LOAD(len, mem_size), -EINVAL);
	EXPECT(strstr(err, "corrupt segment 0") != NULL);
	ph[0].p_memsz = 0x3000;
	eh->e_phnum = 0xffff;		/* headers past the end */
	EXPECT_EQ(LOAD(len, mem_size), -EINVAL);
	EXPECT(strstr(err, "program headers") != NULL);
	eh->e_phnum = 2;
	eh->e_machine = EM_386;
	EXPECT_EQ(LOAD(len, mem_size), -EINVAL);
	EXPECT(strstr(err, "not a little-endian 64-bit x86-64") != NULL);
	eh->e_machine = EM_X86_64;
	eh->e_type = ET_DYN;
	EXPECT_EQ(LOAD(len, mem_size), -EINVAL);
	EXPECT(strstr(err, "not an executable") != NULL);
	eh->e_type = ET_EXEC;
	EXPECT_EQ(LOAD(len, mem_size), 0);
#undef LOAD
	free(b);
	free(mem);
}

UNIT_TEST(pic_init_mask_ack_eoi)
{
	struct pic p;

	pic_init(&p);
	pic_out(&p, 0x21, 0xff);
	EXPECT_EQ(pic_in(&p, 0x21), 0xff);	/* Linux's probe */
	pic_linux_init(&p);
	pic_set_irq(&p, 0, true);
	EXPECT(!pic_intr(&p));			/* masked */
	pic_out(&p, 0x21, 0xfa);		/* unmask IRQ 0 */
	EXPECT(pic_intr(&p));
	EXPECT_EQ(pic_ack(&p), 0x30);
	EXPECT(!pic_intr(&p));
	pic_out(&p, 0x20, 0x0b);		/* OCW3: read ISR */
	EXPECT_EQ(pic_in(&p, 0x20), 0x01);
	/* An edge: no new request while the line stays high. */
	pic_set_irq(&p, 0, true);
	pic_out(&p, 0x20, 0x60);		/* specific EOI, IRQ 0 */
	EXPECT(!pic_intr(&p));
	pic_set_irq(&p, 0, false);
	pic_set_irq(&p, 0, true);
	EXPECT(pic_intr(&p));
	/* The slave on IRQ 2: IRQ 8 arrives as vector 0x38. */
	pic_ack(&p);
	pic_out(&p, 0x20, 0x20);		/* non-specific EOI */
	pic_out(&p, 0xa1, 0xfe);
	pic_set_irq(&p, 8, true);
	EXPECT(pic_intr(&p));
	EXPECT_EQ(pic_ack(&p), 0x38);
	/* Nothing requested: INTA gets the spurious IRQ 7. */
	EXPECT_EQ(pic_ack(&p), 0x37);
}

UNIT_TEST(pit_counts_and_interrupts)
{
	struct pit t;
	struct pic p;
	uint64_t t0 = 1000000000ull, next;
	uint8_t v;

	pic_init(&p);
	pic_linux_init(&p);
	pic_out(&p, 0x21, 0xfa);
	pit_init(&t);
	/* Periodic, 1193 ticks = 1 ms (Linux's HZ=1000 LATCH). */
	v = 0x34;
	pit_pio(&t, 0x43, true, &v, t0);
	v = 1193 & 0xff;
	pit_pio(&t, 0x40, true, &v, t0);
	v = 1193 >> 8;
	pit_pio(&t, 0x40, true, &v, t0);
	next = pit_poll(&t, &p, t0 + 500000);
	EXPECT(!pic_intr(&p));
	EXPECT(next > t0 + 999000 && next < t0 + 1001000);
	pit_poll(&t, &p, next);
	EXPECT(pic_intr(&p));
	EXPECT_EQ(t.irqs, 1);
	/* Latch half way through a period: about 596 left. */
	v = 0x00;
	pit_pio(&t, 0x43, true, &v, next + 500000);
	pit_pio(&t, 0x40, false, &v, next + 900000);
	EXPECT(v >= 0x50 && v <= 0x56);		/* 596 = 0x254 */
	pit_pio(&t, 0x40, false, &v, next + 900000);
	EXPECT_EQ(v, 0x02);
	/* Channel 2 through port 0x61: mode 0, output high at the end. */
	v = 0x01;
	pit_pio(&t, 0x61, true, &v, t0);
	v = 0xb0;
	pit_pio(&t, 0x43, true, &v, t0);
	v = 0x10;
	pit_pio(&t, 0x42, true, &v, t0);
	v = 0x00;
	pit_pio(&t, 0x42, true, &v, t0);
	pit_pio(&t, 0x61, false, &v, t0 + 1000);
	EXPECT_EQ(v & 0x21, 0x01);
	pit_pio(&t, 0x61, false, &v, t0 + 20000);	/* 16 ticks = 13.4 us */
	EXPECT_EQ(v & 0x21, 0x21);
}

UNIT_TEST(uart_16550a_probe_tx_rx_irq)
{
	char out[64] = { 0 };
	FILE *f = fmemopen(out, sizeof(out), "w");
	struct uart u;
	struct pic p;
	uint8_t v;

	pic_init(&p);
	pic_linux_init(&p);
	pic_out(&p, 0x21, 0xea);		/* IRQ 0, 2, 4 unmasked */
	uart_init(&u, f, &p, 4);
	/* The IER test of Linux's autoconfig(). */
	v = 0x0f;
	uart_pio(&u, 1, true, &v);
	uart_pio(&u, 1, false, &v);
	EXPECT_EQ(v, 0x0f);
	v = 0;
	uart_pio(&u, 1, true, &v);
	/* FIFO on: IIR bits 6-7 say 16550A. */
	v = 0x01;
	uart_pio(&u, 2, true, &v);
	uart_pio(&u, 2, false, &v);
	EXPECT_EQ(v, 0xc1);
	uart_pio(&u, 5, false, &v);
	EXPECT_EQ(v, 0x60);			/* THRE | TEMT, no data */
	v = 'h';
	uart_pio(&u, 0, true, &v);
	v = '\n';
	uart_pio(&u, 0, true, &v);
	EXPECT_STREQ(out, "h\n");
	/* THRI enabled with OUT2: IRQ 4 until IIR is read. */
	v = 0x08;
	uart_pio(&u, 4, true, &v);
	v = 0x02;
	uart_pio(&u, 1, true, &v);
	EXPECT(pic_intr(&p));
	EXPECT_EQ(pic_ack(&p), 0x34);
	uart_pio(&u, 2, false, &v);
	EXPECT_EQ(v, 0xc2);
	uart_pio(&u, 2, false, &v);
	EXPECT_EQ(v, 0xc1);
	pic_out(&p, 0x20, 0x20);
	/* Receive: data ready, RDI, bytes in order. */
	v = 0x01;
	uart_pio(&u, 1, true, &v);
	EXPECT_EQ(uart_input(&u, (const uint8_t *)"ls", 2), 2);
	EXPECT(pic_intr(&p));
	uart_pio(&u, 2, false, &v);
	EXPECT_EQ(v, 0xc4);
	uart_pio(&u, 5, false, &v);
	EXPECT_EQ(v & 1, 1);
	uart_pio(&u, 0, false, &v);
	EXPECT_EQ(v, 'l');
	uart_pio(&u, 0, false, &v);
	EXPECT_EQ(v, 's');
	uart_pio(&u, 5, false, &v);
	EXPECT_EQ(v & 1, 0);
	fclose(f);
}

UNIT_TEST(rtc_reads_host_time_in_bcd)
{
	struct rtc r;
	int64_t t = 1700000000;		/* 2023-11-14 22:13:20 UTC */
	uint8_t v, i;
	static const uint8_t want[][2] = {
		{ 0x00, 0x20 }, { 0x02, 0x13 }, { 0x04, 0x22 },
		{ 0x07, 0x14 }, { 0x08, 0x11 }, { 0x09, 0x23 },
		{ 0x32, 0x20 }, { 0x0a, 0x26 }, { 0x0d, 0x80 },
	};

	rtc_init(&r);
	for (i = 0; i < ARRAY_SIZE(want); i++) {
		v = want[i][0];
		rtc_pio(&r, 0x70, true, &v, t);
		rtc_pio(&r, 0x71, false, &v, t);
		EXPECT_EQ(v, want[i][1]);
	}
	/* Set the clock an hour on: SET, hours, SET off. */
	v = 0x0b;
	rtc_pio(&r, 0x70, true, &v, t);
	v = 0x82;
	rtc_pio(&r, 0x71, true, &v, t);
	v = 0x04;
	rtc_pio(&r, 0x70, true, &v, t);
	v = 0x23;
	rtc_pio(&r, 0x71, true, &v, t);
	v = 0x0b;
	rtc_pio(&r, 0x70, true, &v, t);
	v = 0x02;
	rtc_pio(&r, 0x71, true, &v, t);
	EXPECT_EQ(r.offset, 3600);
}

UNIT_TEST(pci_conf1_empty_bus_and_reset)
{
	struct pci p = { 0 };
	uint32_t a = 0x80000000, v = 0;
	uint8_t b;

	pci_pio(&p, 0xcf8, true, 4, (uint8_t *)&a);
	pci_pio(&p, 0xcf8, false, 4, (uint8_t *)&v);
	EXPECT_EQ(v, 0x80000000);		/* pci_check_type1() */
	pci_pio(&p, 0xcfc, false, 4, (uint8_t *)&v);
	EXPECT_EQ(v, 0xffffffff);		/* no device */
	b = 0x02;
	pci_pio(&p, 0xcf9, true, 1, &b);
	EXPECT(!p.reset);
	b = 0x06;
	pci_pio(&p, 0xcf9, true, 1, &b);
	EXPECT(p.reset);
}

UNIT_TEST(boot_timeline_text)
{
	static struct xvcpu_debug_port_log log;
	char buf[1024] = { 0 };
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	log.total = log.count = 3;
	log.entries[0] = (struct xvcpu_debug_port_entry){ .ns = 748315000, .code = 0x01 };
	log.entries[1] = (struct xvcpu_debug_port_entry){ .ns = 748324000, .code = 0x1f };
	log.entries[2] = (struct xvcpu_debug_port_entry){ .ns = 14129445000ull, .code = 0x60 };
	debug_port_print_timeline(f, &log, "kernel log");
	fclose(f);
	EXPECT_STREQ(buf,
		     "  boot timeline (debug port 0x80, kernel log): 3 codes\n"
		     "    component   code    ms since VM       delta ms\n"
		     "    firmware    0x01        748.315        748.315\n"
		     "    firmware    0x1f        748.324          0.009\n"
		     "    userspace   0x60      14129.445      13381.121\n");
}

int main(int argc, char **argv)
{
	if (argc > 1)
		examples_dir = argv[1];
	return unit_run("vcpuctl");
}
