/*
 * The built-in allocator layer: share/alloc-layer.txt, copied in at build
 * time (the assembler's .incbin), as the rules are.
 */
__asm__(".section .rodata\n"
	".global ps_alloc_layer_default_text\n"
	".type ps_alloc_layer_default_text, @object\n"
	"ps_alloc_layer_default_text:\n"
	".incbin \"share/alloc-layer.txt\"\n"
	".byte 0\n"
	".size ps_alloc_layer_default_text, . - ps_alloc_layer_default_text\n"
	".previous\n");
