/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Entering the guest and coming back: register save/restore only.
 *
 * int xvcpu_vmx_enter(struct xvcpu_gprs *regs, unsigned long launched)
 *
 * Loads the guest general registers from @regs (x86 encoding order,
 * 8 bytes each; RSP comes from the VMCS), executes VMRESUME when
 * @launched is non-zero and VMLAUNCH otherwise, and on the VM exit saves
 * the guest registers back into @regs. Returns 0 after a VM exit, 1 when
 * VMLAUNCH/VMRESUME failed (VM-instruction error in the VMCS), 2 when it
 * faulted (VMX switched off under us, e.g. by the reboot path).
 *
 * Runs with interrupts off and the vCPU's VMCS current. HOST_RIP points
 * at xvcpu_vmx_exit; HOST_RSP is written (only when it changes) by
 * xvcpu_vmx_update_host_rsp() with the stack pointer the exit needs.
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/nospec-branch.h>
#include <asm/segment.h>
#include <asm/unwind_hints.h>

#define R_RAX	(0 * 8)
#define R_RCX	(1 * 8)
#define R_RDX	(2 * 8)
#define R_RBX	(3 * 8)
#define R_RBP	(5 * 8)
#define R_RSI	(6 * 8)
#define R_RDI	(7 * 8)
#define R_R8	(8 * 8)
#define R_R9	(9 * 8)
#define R_R10	(10 * 8)
#define R_R11	(11 * 8)
#define R_R12	(12 * 8)
#define R_R13	(13 * 8)
#define R_R14	(14 * 8)
#define R_R15	(15 * 8)

.section .noinstr.text, "ax"

SYM_FUNC_START(xvcpu_vmx_enter)
	push %rbp
	mov  %rsp, %rbp
	push %r15
	push %r14
	push %r13
	push %r12
	push %rbx
	/* Stack: 8(%rsp) = @regs, 0(%rsp) = @launched, found after the exit. */
	push %rdi
	push %rsi

	mov %rsp, %rsi
	call xvcpu_vmx_update_host_rsp

	mov 8(%rsp), %rax
	/* CF from here to the branch: MOVs keep the flags, VERW only ZF. */
	btq $0, (%rsp)

	mov R_RCX(%rax), %rcx
	mov R_RDX(%rax), %rdx
	mov R_RBX(%rax), %rbx
	mov R_RBP(%rax), %rbp
	mov R_RSI(%rax), %rsi
	mov R_RDI(%rax), %rdi
	mov R_R8(%rax),  %r8
	mov R_R9(%rax),  %r9
	mov R_R10(%rax), %r10
	mov R_R11(%rax), %r11
	mov R_R12(%rax), %r12
	mov R_R13(%rax), %r13
	mov R_R14(%rax), %r14
	mov R_R15(%rax), %r15
	mov R_RAX(%rax), %rax

	/*
	 * MDS, TAA, MMIO stale data: clear CPU buffers where the host
	 * kernel asks for it for guests (X86_FEATURE_CLEAR_CPU_BUF_VM).
	 * Last before VM entry: nothing after it touches host secrets.
	 */
	VM_CLEAR_CPU_BUFFERS

	jnc .Llaunch

	UNWIND_HINT_SAVE
.Lresume:
	vmresume
	jmp .Lfail

.Llaunch:
	vmlaunch
	jmp .Lfail

	_ASM_EXTABLE(.Lresume, .Lfault)
	_ASM_EXTABLE(.Llaunch, .Lfault)

SYM_INNER_LABEL(xvcpu_vmx_exit, SYM_L_GLOBAL)
	UNWIND_HINT_RESTORE
	ENDBR

	push %rax
	mov 16(%rsp), %rax

	pop  R_RAX(%rax)
	mov %rcx, R_RCX(%rax)
	mov %rdx, R_RDX(%rax)
	mov %rbx, R_RBX(%rax)
	mov %rbp, R_RBP(%rax)
	mov %rsi, R_RSI(%rax)
	mov %rdi, R_RDI(%rax)
	mov %r8,  R_R8(%rax)
	mov %r9,  R_R9(%rax)
	mov %r10, R_R10(%rax)
	mov %r11, R_R11(%rax)
	mov %r12, R_R12(%rax)
	mov %r13, R_R13(%rax)
	mov %r14, R_R14(%rax)
	mov %r15, R_R15(%rax)

	/* Guest values must not linger for speculation to find. */
	xor %ecx, %ecx
	xor %edx, %edx
	xor %ebx, %ebx
	xor %ebp, %ebp
	xor %esi, %esi
	xor %edi, %edi
	xor %r8d, %r8d
	xor %r9d, %r9d
	xor %r10d, %r10d
	xor %r11d, %r11d
	xor %r12d, %r12d
	xor %r13d, %r13d
	xor %r14d, %r14d
	xor %r15d, %r15d

	/*
	 * The guest may have filled the RSB and the branch history with its
	 * own targets: refill the RSB (or the PBRSB sequence with eIBRS)
	 * and clear the BHB where the host mitigates it, before the first
	 * RET, as KVM's __vmx_vcpu_run does.
	 */
	FILL_RETURN_BUFFER %rcx, RSB_CLEAR_LOOPS, X86_FEATURE_RSB_VMEXIT, \
			   X86_FEATURE_RSB_VMEXIT_LITE
	CLEAR_BRANCH_HISTORY_VMEXIT

	xor %eax, %eax
.Lout:
	add $16, %rsp
	pop %rbx
	pop %r12
	pop %r13
	pop %r14
	pop %r15
	pop %rbp
	RET

.Lfail:
	mov $1, %eax
	jmp .Lout

.Lfault:
	mov $2, %eax
	jmp .Lout
SYM_FUNC_END(xvcpu_vmx_enter)

/*
 * void xvcpu_vmx_do_nmi_irqoff(void)
 *
 * An NMI that caused a VM exit is consumed by the exit; hand it to the
 * kernel's handler with the frame an NMI would have built.
 */
SYM_FUNC_START(xvcpu_vmx_do_nmi_irqoff)
	push %rbp
	mov %rsp, %rbp
	and $-16, %rsp
	push $__KERNEL_DS
	push %rbp
	pushf
	push $__KERNEL_CS
	call asm_exc_nmi_noist
	leave
	RET
SYM_FUNC_END(xvcpu_vmx_do_nmi_irqoff)
