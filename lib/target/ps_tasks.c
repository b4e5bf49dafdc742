#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "target/ps_tasks.h"

int ps_tasks_visit(pid_t pid, bool (*seen)(pid_t tid, void *ctx),
		   int (*visit)(pid_t tid, void *ctx), void *ctx)
{
	char path[64];
	bool added;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	do {
		DIR *dir = opendir(path);
		struct dirent *de;

		if (!dir)
			return -errno;
		added = false;
		while ((de = readdir(dir))) {
			pid_t tid = (pid_t)atoi(de->d_name);
			int rc;

			if (tid <= 0 || seen(tid, ctx))
				continue;
			rc = visit(tid, ctx);
			if (rc == -ESRCH)
				continue;
			if (rc < 0) {
				closedir(dir);
				return rc;
			}
			added = true;
		}
		closedir(dir);
	} while (added);
	return 0;
}
