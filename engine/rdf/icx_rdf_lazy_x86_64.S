/* icx_rdf_lazy_x86_64.S - the stubs of the functions icx loads on first
 * use (icx_rdf_lazy.c says why and how), for x86-64 and the System V
 * calling convention.
 *
 * Each name of icx_rdf_lazy.h becomes a global, hidden function that
 * jumps through its slot (hidden: never exported, so librdf's own calls
 * to raptor and rasqal can never be bound to a stub, even in a program
 * linked with -rdynamic).  A slot starts at the stub's resolver, which keeps
 * the address of the slot in %r11 (a scratch register no call passes
 * anything in) and enters icx_rdf_lazy_enter: that saves every register
 * an argument may be in (%rdi, %rsi, %rdx, %rcx, %r8, %r9, %rax for a
 * variadic call's count, %xmm0 to %xmm7), calls icx_rdf_lazy_bind(),
 * restores them and jumps through the slot, now the real function, which
 * returns to the original caller.  Its CFI lets a debugger walk from
 * inside the binding back to the call that caused it.
 */
#ifdef __CET__
#define ICX_LAZY_ENTRY endbr64
#else
#define ICX_LAZY_ENTRY
#endif

        .macro ICX_LAZY_STUB name
        .pushsection .data.rel.local.icx_rdf_lazy, "aw", @progbits
        .p2align 3
.Lslot\@:
        .quad   .Lresolve\@
        .popsection
        .text
        .globl  \name
        .hidden \name
        .type   \name, @function
        .p2align 4
\name:
        ICX_LAZY_ENTRY
        jmp     *.Lslot\@(%rip)
.Lresolve\@:
        leaq    .Lslot\@(%rip), %r11
        jmp     icx_rdf_lazy_enter
        .size   \name, . - \name
        .endm

        .pushsection .data.rel.local.icx_rdf_lazy, "aw", @progbits
        .p2align 3
        .globl  icx_rdf_lazy_slots
        .hidden icx_rdf_lazy_slots
icx_rdf_lazy_slots:
        .popsection

#define ICX_RDF_LAZY_SYM(name) ICX_LAZY_STUB name
#include "icx_rdf_lazy.h"
#undef ICX_RDF_LAZY_SYM

        .pushsection .data.rel.local.icx_rdf_lazy, "aw", @progbits
        .globl  icx_rdf_lazy_slots_end
        .hidden icx_rdf_lazy_slots_end
icx_rdf_lazy_slots_end:
        .popsection

        .text
        .p2align 4
        .type   icx_rdf_lazy_enter, @function
icx_rdf_lazy_enter:
        .cfi_startproc
        /* Here %rsp is 8 past a multiple of 16 (the caller's return
         * address); eight pushes keep it so, and 136 bytes more align it
         * for the call and for movdqa. */
        pushq   %rdi
        .cfi_adjust_cfa_offset 8
        pushq   %rsi
        .cfi_adjust_cfa_offset 8
        pushq   %rdx
        .cfi_adjust_cfa_offset 8
        pushq   %rcx
        .cfi_adjust_cfa_offset 8
        pushq   %r8
        .cfi_adjust_cfa_offset 8
        pushq   %r9
        .cfi_adjust_cfa_offset 8
        pushq   %rax
        .cfi_adjust_cfa_offset 8
        pushq   %r11
        .cfi_adjust_cfa_offset 8
        subq    $136, %rsp
        .cfi_adjust_cfa_offset 136
        movdqa  %xmm0, 0(%rsp)
        movdqa  %xmm1, 16(%rsp)
        movdqa  %xmm2, 32(%rsp)
        movdqa  %xmm3, 48(%rsp)
        movdqa  %xmm4, 64(%rsp)
        movdqa  %xmm5, 80(%rsp)
        movdqa  %xmm6, 96(%rsp)
        movdqa  %xmm7, 112(%rsp)
        call    icx_rdf_lazy_bind
        movdqa  0(%rsp), %xmm0
        movdqa  16(%rsp), %xmm1
        movdqa  32(%rsp), %xmm2
        movdqa  48(%rsp), %xmm3
        movdqa  64(%rsp), %xmm4
        movdqa  80(%rsp), %xmm5
        movdqa  96(%rsp), %xmm6
        movdqa  112(%rsp), %xmm7
        addq    $136, %rsp
        .cfi_adjust_cfa_offset -136
        popq    %r11
        .cfi_adjust_cfa_offset -8
        popq    %rax
        .cfi_adjust_cfa_offset -8
        popq    %r9
        .cfi_adjust_cfa_offset -8
        popq    %r8
        .cfi_adjust_cfa_offset -8
        popq    %rcx
        .cfi_adjust_cfa_offset -8
        popq    %rdx
        .cfi_adjust_cfa_offset -8
        popq    %rsi
        .cfi_adjust_cfa_offset -8
        popq    %rdi
        .cfi_adjust_cfa_offset -8
        jmp     *(%r11)
        .cfi_endproc
        .size   icx_rdf_lazy_enter, . - icx_rdf_lazy_enter

        .section .note.GNU-stack, "", @progbits
