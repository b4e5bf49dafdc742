/*
 * The rules built into perfscope: share/rules.json, copied in at build
 * time (the assembler's .incbin), so the binary needs no data file to
 * diagnose; the installed share/perfscope/rules.json is the same text for
 * people to read and copy.
 */
__asm__(".section .rodata\n"
	".global ps_rules_default_json\n"
	".type ps_rules_default_json, @object\n"
	"ps_rules_default_json:\n"
	".incbin \"share/rules.json\"\n"
	".byte 0\n"
	".size ps_rules_default_json, . - ps_rules_default_json\n"
	".previous\n");
