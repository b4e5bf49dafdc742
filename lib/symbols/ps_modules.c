#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "symbols/ps_modules.h"
#include "base/ps_error.h"
#include "base/ps_util.h"
#include "symbols/ps_vdso.h"

static int add_module(struct ps_modules *mm, enum ps_module_kind kind, const char *path)
{
	struct ps_module *m;

	if (ps_grow(&mm->mods, &mm->cap, mm->count + 1, sizeof(*mm->mods)) < 0)
		return PS_E_NOMEM;
	m = &mm->mods[mm->count];
	memset(m, 0, sizeof(*m));
	m->kind = kind;
	m->path = strdup(path);
	if (!m->path)
		return PS_E_NOMEM;
	m->name = ps_basename(m->path);
	m->file = m->path;
	m->fd = -1;
	if (kind == PS_MOD_FILE && strcmp(path, "[vdso]") == 0)
		m->file = ps_vdso_file();
	else if (kind == PS_MOD_FILE && mm->open_fds < PS_MODULES_MAX_FDS &&
		 (m->fd = open(m->file, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)) >= 0) {
		struct stat st;

		/* a program can map, or its tracker name, anything: only a
		 * regular file is ever read (a FIFO would block perfscope) */
		if (fstat(m->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
			close(m->fd);
			m->fd = -1;
			m->file = NULL;
		} else {
			snprintf(m->fd_path, sizeof(m->fd_path), "/proc/self/fd/%d", m->fd);
			mm->open_fds++;
		}
	}
	return (int)mm->count++;
}

int ps_modules_init(struct ps_modules *mm)
{
	memset(mm, 0, sizeof(*mm));
	if (add_module(mm, PS_MOD_UNKNOWN, "[unknown]") != PS_MODULE_UNKNOWN ||
	    add_module(mm, PS_MOD_KERNEL, "[kernel.kallsyms]") != PS_MODULE_KERNEL)
		return PS_E_NOMEM;
	return 0;
}

void ps_modules_release(struct ps_modules *mm)
{
	for (size_t i = 0; i < mm->count; i++) {
		free(mm->mods[i].path);
		free(mm->mods[i].elf);
		if (mm->mods[i].fd >= 0)
			close(mm->mods[i].fd);
	}
	free(mm->mods);
	free(mm->index);
	memset(mm, 0, sizeof(*mm));
}

static size_t find_slot(const struct ps_modules *mm, const char *path, uint64_t h)
{
	size_t i = (size_t)h & (mm->index_cap - 1);

	while (mm->index[i] && strcmp(mm->mods[mm->index[i] - 1].path, path) != 0)
		i = (i + 1) & (mm->index_cap - 1);
	return i;
}

static int grow_index(struct ps_modules *mm)
{
	size_t ncap = mm->index_cap ? mm->index_cap * 2 : 64;
	uint32_t *old = mm->index;
	size_t old_cap = mm->index_cap;

	mm->index = calloc(ncap, sizeof(*mm->index));
	if (!mm->index) {
		mm->index = old;
		return PS_E_NOMEM;
	}
	mm->index_cap = ncap;
	for (size_t i = 0; i < old_cap; i++) {
		if (old[i]) {
			const char *p = mm->mods[old[i] - 1].path;
			mm->index[find_slot(mm, p, ps_hash_bytes(p, strlen(p)))] = old[i];
		}
	}
	free(old);
	return 0;
}

static bool is_anonymous(const char *path)
{
	return !path[0] || strcmp(path, "//anon") == 0 || strncmp(path, "[anon", 5) == 0;
}

static enum ps_module_kind kind_of(const char *path)
{
	if (strncmp(path, "//anon:", 7) == 0)
		return PS_MOD_ANON;
	if (path[0] == '/' || (strcmp(path, "[vdso]") == 0 && ps_vdso_file()))
		return PS_MOD_FILE;
	return PS_MOD_SPECIAL;
}

int64_t ps_modules_intern(struct ps_modules *mm, const char *path, uint32_t pid)
{
	char anon[32];
	uint64_t h;
	size_t slot;
	int id;

	if (is_anonymous(path)) {
		snprintf(anon, sizeof(anon), "//anon:%u", pid);
		path = anon;
	}
	h = ps_hash_bytes(path, strlen(path));

	if ((mm->count + 1) * 2 > mm->index_cap && grow_index(mm) < 0)
		return PS_E_NOMEM;
	slot = find_slot(mm, path, h);
	if (mm->index[slot])
		return mm->index[slot] - 1;
	id = add_module(mm, kind_of(path), path);
	if (id < 0)
		return PS_E_NOMEM;
	mm->mods[id].pid = pid;
	mm->index[slot] = (uint32_t)id + 1;
	return id;
}

bool ps_module_absolute(const struct ps_module *m)
{
	return m->kind != PS_MOD_FILE;
}

const char *ps_module_file(const struct ps_module *m)
{
	struct stat now, mapped;

	if (!m->file)
		return NULL;
	/* not held open: read only while the path names a regular file */
	if (m->fd < 0 || fstat(m->fd, &mapped) < 0)
		return stat(m->file, &now) == 0 && S_ISREG(now.st_mode) ? m->file : NULL;
	/* the path is kept where it still names the same file: separate debug
	 * files are looked for beside it */
	if (stat(m->file, &now) == 0 && now.st_dev == mapped.st_dev && now.st_ino == mapped.st_ino)
		return m->file;
	return m->fd_path;
}

const struct ps_elfinfo *ps_module_elfinfo(struct ps_module *m)
{
	if (!m->elf_tried) {
		m->elf_tried = true;
		if (m->kind == PS_MOD_FILE && ps_module_file(m)) {
			m->elf = malloc(sizeof(*m->elf));
			if (m->elf && ps_elfinfo_read(m->elf, ps_module_file(m)) < 0) {
				free(m->elf);
				m->elf = NULL;
			}
		}
	}
	return m->elf;
}
