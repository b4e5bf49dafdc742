/*
 * The flame graph's script: share/flamegraph.js, copied in at build time
 * (the assembler's .incbin), so a written SVG needs no other file.
 */
__asm__(".section .rodata\n"
	".global ps_flamegraph_js\n"
	".type ps_flamegraph_js, @object\n"
	"ps_flamegraph_js:\n"
	".incbin \"share/flamegraph.js\"\n"
	".byte 0\n"
	".size ps_flamegraph_js, . - ps_flamegraph_js\n"
	".previous\n");
