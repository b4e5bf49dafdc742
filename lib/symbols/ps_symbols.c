#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <gelf.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "symbols/ps_demangle.h"
#include "symbols/ps_fdetab.h"
#include "symbols/ps_symbols.h"
#include "symbols/ps_symtab.h"
#include "base/ps_error.h"
#include "base/ps_utf8.h"
#include "base/ps_util.h"

/* libdwfl state for one file-backed module, made on first use. */
struct module_dwfl {
	Dwfl *dwfl;
	Dwfl_Module *mod;
	Elf *elf;
	GElf_Addr bias;
	struct ps_symtab functions;  /* sorted once: lookups are binary searches */
	struct ps_fdetab fdes;       /* function starts, for code without symbols */
	bool fdes_read;
	bool names_only;             /* no lines or inline frames (see names_only) */
};

static char *debuginfo_path = NULL;   /* libdwfl's default search path */

static const Dwfl_Callbacks offline_callbacks = {
	.find_elf = dwfl_build_id_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.section_address = dwfl_offline_section_address,
	.debuginfo_path = &debuginfo_path,
};

int ps_symbols_init(struct ps_symbols *sy, struct ps_modules *modules)
{
	memset(sy, 0, sizeof(*sy));
	sy->modules = modules;
	sy->demangle = PS_DEMANGLE_SHORT;
	ps_kallsyms_init(&sy->kallsyms);
	return ps_strtab_init(&sy->strs);
}

void ps_symbols_release(struct ps_symbols *sy)
{
	for (size_t i = 0; sy->modules && i < sy->modules->count; i++) {
		struct module_dwfl *md = sy->modules->mods[i].sym;

		if (md) {
			ps_symtab_release(&md->functions);
			ps_fdetab_release(&md->fdes);
			if (md->dwfl)
				dwfl_end(md->dwfl);
			free(md);
			sy->modules->mods[i].sym = NULL;
		}
	}
	for (size_t i = 0; i < sy->njit; i++)
		ps_perfmap_release(&sy->jit[i].map);
	free(sy->jit);
	ps_strtab_release(&sy->strs);
	ps_kallsyms_release(&sy->kallsyms);
	free(sy->syms);
	free(sy->frame_first);
	free(sy->frame_count);
	memset(sy, 0, sizeof(*sy));
}

/* Whether the ELF file itself carries DWARF (not only a debuglink). */
static bool has_own_dwarf(Elf *elf)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;

	if (elf_getshdrstrndx(elf, &shstrndx) != 0)
		return false;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr shdr;
		const char *name;

		if (gelf_getshdr(scn, &shdr) && (name = elf_strptr(elf, shstrndx, shdr.sh_name)) &&
		    (strcmp(name, ".debug_info") == 0 || strcmp(name, ".zdebug_info") == 0))
			return true;
	}
	return false;
}

/*
 * System libraries (under /lib, /usr/lib) whose DWARF lives in a separate
 * debug package are named from their symbol tables only: their lines and
 * inline frames would cost decompressing megabytes of debug info (30-50 ms
 * for libc6-dbg) to tell the user about glibc's own source.
 */
static bool names_only(const struct ps_module *m, Elf *elf)
{
	return (strncmp(m->path, "/lib/", 5) == 0 || strncmp(m->path, "/usr/lib/", 9) == 0 ||
		strncmp(m->path, "/lib64/", 7) == 0) && !has_own_dwarf(elf);
}

static struct module_dwfl *open_module(struct ps_module *m)
{
	struct module_dwfl *md = m->sym;

	if (md)
		return md->mod ? md : NULL;
	md = calloc(1, sizeof(*md));
	if (!md)
		return NULL;
	m->sym = md;
	if (!ps_module_file(m))
		return NULL;	/* not a regular file: named from nothing */
	md->dwfl = dwfl_begin(&offline_callbacks);
	if (!md->dwfl)
		return NULL;
	dwfl_report_begin(md->dwfl);
	/* base 0: module addresses are the file's own virtual addresses */
	md->mod = dwfl_report_elf(md->dwfl, m->name, ps_module_file(m), -1, 0, false);
	dwfl_report_end(md->dwfl, NULL, NULL);
	if (!md->mod)
		return NULL;
	md->elf = dwfl_module_getelf(md->mod, &md->bias);
	if (!md->elf) {
		md->mod = NULL;
		return NULL;
	}
	ps_symtab_build(&md->functions, md->mod);
	md->names_only = names_only(m, md->elf);
	return md;
}

static int push_sym(struct ps_symbols *sy, const char *name, const char *file, unsigned line,
		    uint32_t module, enum ps_sym_kind kind)
{
	char *readable = kind != PS_SYM_KERNEL ? ps_demangle(name, sy->demangle) : NULL;
	const char *shown = readable ? readable : name;
	/* a program's symbols and file names are its own to choose: reports
	 * need them as valid UTF-8 */
	char *fixed_name = ps_utf8_valid(shown, strlen(shown)) ? NULL : ps_utf8_fix(shown, strlen(shown));
	char *fixed_file = !file || ps_utf8_valid(file, strlen(file)) ? NULL : ps_utf8_fix(file, strlen(file));
	int64_t n = ps_strtab_intern(&sy->strs, fixed_name ? fixed_name : shown);
	int64_t f = ps_strtab_intern(&sy->strs, fixed_file ? fixed_file : file ? file : "");

	free(readable);
	free(fixed_name);
	free(fixed_file);
	if (n < 0 || f < 0 ||
	    ps_grow(&sy->syms, &sy->syms_cap, sy->nsyms + 1, sizeof(*sy->syms)) < 0)
		return PS_E_NOMEM;
	sy->syms[sy->nsyms++] = (struct ps_sym){
		.name = (uint32_t)n, .file = (uint32_t)f, .line = line,
		.module = module, .kind = kind,
	};
	return 0;
}

/*
 * A symbol name without its version ("memcpy@@GLIBC_2.14" -> "memcpy"),
 * and in short names without the compiler's copy suffix ("pass.constprop.0"
 * -> "pass", as short C++ names are): one name for one function.
 */
static int push_function(struct ps_symbols *sy, const char *name, const char *file,
			 unsigned line, uint32_t module)
{
	const char *at = strchr(name, '@');
	size_t len = at && at != name ? (size_t)(at - name) : strlen(name);
	char buf[512];

	if (sy->demangle == PS_DEMANGLE_SHORT && strncmp(name, "_Z", 2) != 0) {
		size_t base = ps_demangle_clone_base(name);

		if (base && base < len)
			len = base;
	}
	if (len < sizeof(buf) && name[len]) {
		memcpy(buf, name, len);
		buf[len] = '\0';
		name = buf;
	}
	return push_sym(sy, name, file, line, module, PS_SYM_FUNC);
}

static int push_unresolved(struct ps_symbols *sy, uint32_t module, uint64_t offset)
{
	const struct ps_module *m = &sy->modules->mods[module];
	char buf[512];

	if (module == PS_MODULE_UNKNOWN)
		snprintf(buf, sizeof(buf), "[unknown+0x%" PRIx64 "]", offset);
	else
		snprintf(buf, sizeof(buf), "[%s+0x%" PRIx64 "]", m->name, offset);
	sy->unresolved++;
	return push_sym(sy, buf, NULL, 0, module, PS_SYM_UNRESOLVED);
}

/*
 * The DIE that a function's name is written on: an inlined instance's
 * abstract origin, a definition's declaration (DW_AT_specification), a
 * few steps at most against references that loop.
 */
static bool naming_die(Dwarf_Die *die, Dwarf_Die *out)
{
	*out = *die;
	for (int step = 0; step < 8; step++) {
		Dwarf_Attribute attr;
		Dwarf_Die next;

		if (dwarf_hasattr(out, DW_AT_name))
			return true;
		if (!dwarf_attr(out, DW_AT_abstract_origin, &attr) &&
		    !dwarf_attr(out, DW_AT_specification, &attr))
			return false;
		if (!dwarf_formref_die(&attr, &next))
			return false;
		*out = next;
	}
	return false;
}

/*
 * A function without a linkage name (GCC writes none for many inline-only
 * template functions): its DW_AT_name qualified by the namespaces and
 * classes that hold its declaration, as the demangler would qualify it
 * ("std::__sort<...>", not "__sort<...>").
 */
static const char *qualified_name(Dwarf_Die *die, char *buf, size_t len)
{
	Dwarf_Die decl, *scopes = NULL;
	const char *name;
	size_t used = 0;
	int n;

	if (!naming_die(die, &decl) || !(name = dwarf_diename(&decl)))
		return NULL;
	n = dwarf_getscopes_die(&decl, &scopes);
	/* scopes[0] is decl itself; its holders follow, outwards */
	for (int i = n - 1; i >= 1 && used < len; i--) {
		int tag = dwarf_tag(&scopes[i]);
		const char *scope = dwarf_diename(&scopes[i]);

		if (tag != DW_TAG_namespace && tag != DW_TAG_class_type && tag != DW_TAG_structure_type &&
		    tag != DW_TAG_union_type)
			continue;
		if (!scope && tag != DW_TAG_namespace)
			continue;	/* a lambda's closure type: nothing a reader could search for */
		used += (size_t)snprintf(buf + used, len - used, "%s::", scope ? scope : "(anonymous namespace)");
	}
	free(scopes);
	if (used < len)
		snprintf(buf + used, len - used, "%s", name);
	return buf;
}

/* The linkage (mangled, so fully qualified once demangled) name if any, else the qualified DWARF name. */
static const char *die_name(Dwarf_Die *die, char *buf, size_t len)
{
	Dwarf_Attribute attr;
	const char *name = NULL;

	if (dwarf_attr_integrate(die, DW_AT_linkage_name, &attr) ||
	    dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &attr))
		name = dwarf_formstring(&attr);
	if (!name)
		name = qualified_name(die, buf, len);
	if (!name && dwarf_attr_integrate(die, DW_AT_name, &attr))
		name = dwarf_formstring(&attr);
	return name;
}

static unsigned die_udata(Dwarf_Die *die, int at)
{
	Dwarf_Attribute attr;
	Dwarf_Word v = 0;

	if (dwarf_attr(die, at, &attr))
		dwarf_formudata(&attr, &v);
	return (unsigned)v;
}

/* The source file of a DW_AT_call_file index in the CU's file table. */
static const char *call_file(Dwarf_Die *cu, unsigned idx)
{
	Dwarf_Files *files;
	size_t nfiles;

	if (dwarf_getsrcfiles(cu, &files, &nfiles) != 0 || idx >= nfiles)
		return NULL;
	return dwarf_filesrc(files, idx, NULL, NULL);
}

/*
 * A function's frame is in the function's own file.  Code the compiler
 * took from elsewhere without an inlined-subroutine scope (a statement of
 * an inline function moved out of its scope's ranges) has a line in the
 * other file: the frame keeps the function's file and its first line
 * rather than become a second "main" in another file.
 */
static void own_file(Dwarf_Die *subprogram, const char **file, unsigned *line)
{
	const char *decl = dwarf_decl_file(subprogram);
	int decl_line = 0;

	if (!decl || !*file || strcmp(decl, *file) == 0)
		return;
	*file = decl;
	*line = dwarf_decl_line(subprogram, &decl_line) == 0 && decl_line > 0 ? (unsigned)decl_line : 0;
}

/* The first scope of interest from i on: a function, inlined or not. */
static int next_function_scope(Dwarf_Die *scopes, int n, int i)
{
	for (; i < n; i++) {
		int tag = dwarf_tag(&scopes[i]);

		if (tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine)
			return i;
	}
	return -1;
}

/*
 * Pushes the functions inlined at addr, innermost first, and leaves in
 * file and line where the outermost of them was called from (that is the
 * containing function's location).
 *
 * dwarf_getscopes gives the innermost inlined instance followed by the
 * scopes of its abstract definition, not of the code it was inlined into;
 * the concrete chain (a function inlined into one inlined into main) comes
 * from dwarf_getscopes_die on each instance in turn.
 */
static int push_inlines(struct ps_symbols *sy, struct module_dwfl *md, uint32_t module,
			Dwarf_Addr addr, const char **file, unsigned *line)
{
	Dwarf_Addr dbias;
	Dwarf_Die *cu = dwfl_module_addrdie(md->mod, addr, &dbias), *scopes = NULL;
	int n, i, rc = 0;

	if (!cu)
		return 0;
	n = dwarf_getscopes(cu, addr - dbias, &scopes);
	/* a bound on the nesting, against DWARF whose parents loop */
	for (int depth = 0; depth < 64 && (i = next_function_scope(scopes, n, 0)) >= 0; depth++) {
		Dwarf_Die instance = scopes[i];
		const char *name;
		char qualified[512];

		if (dwarf_tag(&instance) == DW_TAG_subprogram) {
			own_file(&instance, file, line);
			break;
		}
		name = die_name(&instance, qualified, sizeof(qualified));
		if (push_sym(sy, name ? name : "[inlined]", *file, *line, module, PS_SYM_INLINE) < 0) {
			rc = PS_E_NOMEM;
			break;
		}
		*file = call_file(cu, die_udata(&instance, DW_AT_call_file));
		*line = die_udata(&instance, DW_AT_call_line);
		/* the instance and the scopes that hold it, outwards */
		free(scopes);
		scopes = NULL;
		n = dwarf_getscopes_die(&instance, &scopes);
		if (n > 0) {
			memmove(scopes, scopes + 1, (size_t)(n - 1) * sizeof(*scopes));
			n--;
		}
	}
	free(scopes);
	return rc;
}

/* The pc's offset in its function, on the sym just pushed (0 if too far). */
static int set_offset(struct ps_symbols *sy, int rc, uint64_t pc, uint64_t start)
{
	if (rc == 0 && pc >= start && pc - start <= UINT32_MAX)
		sy->syms[sy->nsyms - 1].offset = (uint32_t)(pc - start);
	return rc;
}

/*
 * A pc in a function without a symbol (stripped code): named after its
 * function's start, from the module's FDEs, so that the function's samples
 * come together; after the pc itself when no FDE covers it.
 */
static int push_nameless(struct ps_symbols *sy, struct module_dwfl *md, uint32_t module, uint64_t vaddr)
{
	uint64_t start;

	if (!md->fdes_read) {
		md->fdes_read = true;
		if (ps_fdetab_build(&md->fdes, md->elf) == PS_E_NOMEM)
			return PS_E_NOMEM;
	}
	if (!ps_fdetab_find(&md->fdes, vaddr, &start))
		return push_unresolved(sy, module, vaddr);
	return set_offset(sy, push_unresolved(sy, module, start), vaddr, start);
}

static int resolve_file_frame(struct ps_symbols *sy, uint32_t module, uint64_t offset)
{
	struct ps_module *m = &sy->modules->mods[module];
	struct module_dwfl *md = open_module(m);
	const struct ps_symtab_entry *fn;
	const char *file = NULL;
	Dwfl_Line *dl;
	uint64_t vaddr;
	Dwarf_Addr addr;
	unsigned line = 0;
	int lineno = 0;

	const struct ps_elfinfo *ei = ps_module_elfinfo(m);

	if (!md || !ei || !ps_elfinfo_offset_to_vaddr(ei, offset, &vaddr))
		return push_unresolved(sy, module, offset);
	addr = vaddr + md->bias;
	if (!md->names_only) {
		dl = dwfl_module_getsrc(md->mod, addr);
		if (dl && (file = dwfl_lineinfo(dl, NULL, &lineno, NULL, NULL, NULL)))
			line = (unsigned)lineno;
		if (push_inlines(sy, md, module, addr, &file, &line) < 0)
			return PS_E_NOMEM;
	}
	fn = ps_symtab_find(&md->functions, addr);
	if (!fn)
		return push_nameless(sy, md, module, vaddr);
	return set_offset(sy, push_function(sy, fn->name, file, line, module), addr, fn->addr);
}

static int resolve_kernel_frame(struct ps_symbols *sy, uint64_t addr)
{
	const struct ps_ksym *ks;

	if (!sy->kallsyms.loaded) {
		long restrict_level = -1;

		ps_kallsyms_load(&sy->kallsyms, "/proc/kallsyms");
		ps_read_long("/proc/sys/kernel/kptr_restrict", &restrict_level);
		if (!sy->kallsyms.usable)
			snprintf(sy->kernel_note, sizeof(sy->kernel_note),
				 "kernel symbols are hidden (kernel.kptr_restrict=%ld): run "
				 "'sudo sysctl kernel.kptr_restrict=0' or profile as root to name kernel frames",
				 restrict_level);
	}
	ks = ps_kallsyms_find(&sy->kallsyms, addr);
	if (!ks)
		return push_unresolved(sy, PS_MODULE_KERNEL, addr);
	return set_offset(sy, push_sym(sy, ks->name, NULL, 0, PS_MODULE_KERNEL, PS_SYM_KERNEL), addr,
			  ks->addr);
}

/* The perf map of a process, loaded on first use. */
static const struct ps_perfmap *jit_map_of(struct ps_symbols *sy, uint32_t pid)
{
	char path[64];
	struct jit_maps *j;

	for (size_t i = 0; i < sy->njit; i++)
		if (sy->jit[i].pid == pid)
			return &sy->jit[i].map;
	if (ps_grow(&sy->jit, &sy->jit_cap, sy->njit + 1, sizeof(*sy->jit)) < 0)
		return NULL;
	j = &sy->jit[sy->njit++];
	j->pid = pid;
	ps_perfmap_init(&j->map);
	snprintf(path, sizeof(path), "/tmp/perf-%u.map", pid);
	if (ps_perfmap_load(&j->map, path, sy->jit_owner) < 0 && j->map.note[0])
		snprintf(sy->jit_note, sizeof(sy->jit_note), "%s", j->map.note);
	return &j->map;
}

static int resolve_anon_frame(struct ps_symbols *sy, uint32_t module, uint64_t addr)
{
	const struct ps_perfmap *pm = jit_map_of(sy, sy->modules->mods[module].pid);
	const struct ps_jitsym *js = pm ? ps_perfmap_find(pm, addr) : NULL;

	if (!js)
		return push_unresolved(sy, module, addr);
	return set_offset(sy, push_sym(sy, js->name, NULL, 0, module, PS_SYM_JIT), addr, js->start);
}

static int resolve_frame(struct ps_symbols *sy, const struct ps_frame_key *f)
{
	const struct ps_module *m = &sy->modules->mods[f->module];

	switch (m->kind) {
	case PS_MOD_KERNEL:
		return resolve_kernel_frame(sy, f->offset);
	case PS_MOD_FILE:
		return resolve_file_frame(sy, f->module, f->offset);
	case PS_MOD_ANON:
		return resolve_anon_frame(sy, f->module, f->offset);
	default:
		return push_unresolved(sy, f->module, f->offset);
	}
}

int ps_symbols_resolve(struct ps_symbols *sy, const struct ps_stacks *stacks)
{
	size_t cap = sy->resolved_cap;

	if (ps_grow(&sy->frame_first, &cap, stacks->nframes, sizeof(*sy->frame_first)) < 0)
		return PS_E_NOMEM;
	cap = sy->resolved_cap;
	if (ps_grow(&sy->frame_count, &cap, stacks->nframes, sizeof(*sy->frame_count)) < 0)
		return PS_E_NOMEM;
	sy->resolved_cap = cap;
	for (size_t id = sy->nresolved; id < stacks->nframes; id++) {
		size_t before = sy->nsyms;

		const struct ps_frame_key *f = &stacks->frames[id];
		bool hurry = sy->hurry && *sy->hurry;

		if ((hurry ? push_unresolved(sy, f->module, f->offset) : resolve_frame(sy, f)) < 0)
			return PS_E_NOMEM;
		sy->hurried += hurry;
		sy->frame_first[id] = (uint32_t)before;
		sy->frame_count[id] = (uint32_t)(sy->nsyms - before);
		sy->nresolved = id + 1;
	}
	return 0;
}

const char *ps_symbols_build_id(const struct ps_symbols *sy, uint32_t module, char *buf,
				size_t len)
{
	const struct module_dwfl *md = sy->modules->mods[module].sym;
	const unsigned char *bits;
	GElf_Addr vaddr;
	int n = md && md->mod ? dwfl_module_build_id(md->mod, &bits, &vaddr) : 0;

	buf[0] = '\0';
	for (int i = 0; i < n && 2 * (size_t)i + 2 < len; i++)
		snprintf(buf + 2 * i, 3, "%02x", bits[i]);
	return buf;
}
