/*
 * The HTML pages' style and script: share/report.css and share/report.js,
 * copied in at build time (the assembler's .incbin, as ps_flamegraph_js.c
 * does), so a written page needs no other file.
 */
__asm__(".section .rodata\n"
	".global ps_html_css\n"
	".type ps_html_css, @object\n"
	"ps_html_css:\n"
	".incbin \"share/report.css\"\n"
	".byte 0\n"
	".size ps_html_css, . - ps_html_css\n"
	".global ps_html_js\n"
	".type ps_html_js, @object\n"
	"ps_html_js:\n"
	".incbin \"share/report.js\"\n"
	".byte 0\n"
	".size ps_html_js, . - ps_html_js\n"
	".previous\n");
