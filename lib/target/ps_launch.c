#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "target/ps_launch.h"

/* Runs in the child between fork and exec: only async-signal-safe calls. */
static void __attribute__((noreturn)) exec_child(char *const argv[], char *const envp[],
						  int status_fd, pid_t parent)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigset_t none;
	int e;

	/* perfscope's own handlers and ignores must not leak into the target. */
	sigaction(SIGINT, &dfl, NULL);
	sigaction(SIGTERM, &dfl, NULL);
	sigaction(SIGHUP, &dfl, NULL);
	sigaction(SIGPIPE, &dfl, NULL);
	sigaction(SIGCHLD, &dfl, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* a perfscope killed outright (SIGKILL, a crash) takes the target
	 * with it; parent is 0 when the target is to outlive perfscope */
	if (parent && (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent))
		_exit(127);

	if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0) {
		e = errno;
		(void)!write(status_fd, &e, sizeof(e));
		_exit(127);
	}
	if (envp)
		execvpe(argv[0], argv, envp);
	else
		execvp(argv[0], argv);
	e = errno;
	(void)!write(status_fd, &e, sizeof(e));
	_exit(e == ENOENT ? 127 : 126);
}

char *ps_launch_command_path(const char *cmd)
{
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL, *found = NULL;

	if (strchr(cmd, '/'))
		return strdup(cmd);
	copy = strdup(path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
	for (dir = copy ? strtok_r(copy, ":", &save) : NULL; dir && !found;
	     dir = strtok_r(NULL, ":", &save)) {
		char *candidate;

		if (asprintf(&candidate, "%s/%s", *dir ? dir : ".", cmd) < 0)
			break;
		if (access(candidate, X_OK) == 0)
			found = candidate;
		else
			free(candidate);
	}
	free(copy);
	return found;
}

/*
 * A set-user-ID or set-group-ID program does not get its privileges under
 * a tracer that lacks them (the kernel drops them at exec): what would be
 * profiled is not the program.  Said before anything runs.
 */
static int check_not_setid(const char *command, struct ps_error *err)
{
	struct stat st;
	char *path;
	int rc = 0;

	if (geteuid() == 0 || !(path = ps_launch_command_path(command)))
		return 0;
	if (stat(path, &st) < 0) {
		free(path);
		return 0;
	}
	if (((st.st_mode & S_ISUID) && st.st_uid != geteuid()) ||
	    ((st.st_mode & S_ISGID) && st.st_gid != getegid())) {
		ps_error_set(err, PS_E_PERM, "'%s' is set-%s-ID: traced by an unprivileged perfscope it "
			     "would run without those privileges, so its profile would not be the "
			     "program's", path, (st.st_mode & S_ISUID) ? "user" : "group");
		ps_error_hint(err, "run perfscope as root, or start the program yourself and profile "
			      "it with --pid");
		rc = PS_E_PERM;
	}
	free(path);
	return rc;
}

int ps_launch_start(char *const argv[], char *const envp[], bool outlive, struct ps_child *child,
		    struct ps_error *err)
{
	int pipefd[2], exec_errno = 0, status;
	pid_t self = getpid();
	ssize_t n;
	pid_t pid;

	memset(child, 0, sizeof(*child));
	if (check_not_setid(argv[0], err) < 0)
		return err->code;
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return ps_error_set(err, PS_E_INTERNAL, "cannot create a pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return ps_error_set(err, PS_E_INTERNAL, "cannot fork: %s", strerror(errno));
	}
	if (pid == 0) {
		close(pipefd[0]);
		exec_child(argv, envp, pipefd[1], outlive ? 0 : self);
	}
	close(pipefd[1]);
	/* The pipe closes on a successful exec (O_CLOEXEC) or carries errno. */
	do {
		n = read(pipefd[0], &exec_errno, sizeof(exec_errno));
	} while (n < 0 && errno == EINTR);
	close(pipefd[0]);
	child->pid = pid;

	if (n == (ssize_t)sizeof(exec_errno)) {
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		child->exited = true;
		if (exec_errno == ENOENT) {
			ps_error_set(err, PS_E_NOTFOUND, "command not found: '%s'", argv[0]);
			if (strchr(argv[0], '/'))
				ps_error_hint(err, "check that '%s' exists", argv[0]);
			else
				ps_error_hint(err, "check the spelling, or give a path such as ./%s", argv[0]);
			return PS_E_NOTFOUND;
		}
		ps_error_set(err, PS_E_NOEXEC, "cannot execute '%s': %s", argv[0], strerror(exec_errno));
		if (exec_errno == EACCES)
			ps_error_hint(err, "make it executable with 'chmod +x %s'", argv[0]);
		return PS_E_NOEXEC;
	}

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return ps_error_set(err, PS_E_INTERNAL, "waitpid: %s", strerror(errno));
	}
	if (!WIFSTOPPED(status) || WSTOPSIG(status) != SIGTRAP) {
		child->exited = true;
		if (WIFEXITED(status))
			child->exit_code = WEXITSTATUS(status);
		else if (WIFSIGNALED(status))
			child->exit_signal = WTERMSIG(status);
		return ps_error_set(err, PS_E_INTERNAL,
				    "'%s' did not stop at its exec as expected", argv[0]);
	}
	child->stopped_at_exec = true;
	return 0;
}

int ps_launch_release_stop(struct ps_child *child, struct ps_error *err)
{
	if (!child->stopped_at_exec)
		return 0;
	if (ptrace(PTRACE_DETACH, child->pid, NULL, NULL) < 0)
		return ps_error_set(err, PS_E_INTERNAL, "cannot detach from pid %d: %s",
				    (int)child->pid, strerror(errno));
	child->stopped_at_exec = false;
	return 0;
}

int ps_launch_release_traced(struct ps_child *child, struct ps_error *err)
{
	if (!child->stopped_at_exec)
		return 0;
	if (ptrace(PTRACE_SETOPTIONS, child->pid, NULL,
		   (void *)(long)(PTRACE_O_TRACEEXIT | PTRACE_O_EXITKILL)) < 0 ||
	    ptrace(PTRACE_CONT, child->pid, NULL, NULL) < 0)
		return ps_error_set(err, PS_E_INTERNAL, "cannot resume pid %d traced: %s",
				    (int)child->pid, strerror(errno));
	child->stopped_at_exec = false;
	child->traced = true;
	return 0;
}

void ps_launch_leave_exit(struct ps_child *child)
{
	if (!child->traced)
		return;
	ptrace(PTRACE_DETACH, child->pid, NULL, NULL);
	child->traced = false;
	child->at_exit = false;
}

/* A traced child stopped: held at its exit, or a signal to pass on. */
static void traced_stop(struct ps_child *child, int status)
{
	siginfo_t si;
	unsigned long msg = 0;
	int sig = WSTOPSIG(status);

	if (status >> 8 == (SIGTRAP | (PTRACE_EVENT_EXIT << 8))) {
		ptrace(PTRACE_GETEVENTMSG, child->pid, NULL, &msg);
		child->at_exit = true;
		child->exit_status = (int)msg;
		return;
	}
	/* a group stop (no siginfo) is resumed: it cannot be kept without SEIZE */
	if (ptrace(PTRACE_GETSIGINFO, child->pid, NULL, &si) < 0)
		sig = 0;
	ptrace(PTRACE_CONT, child->pid, NULL, (void *)(long)sig);
}

int ps_launch_reap(struct ps_child *child, bool block)
{
	struct rusage usage;
	int status;
	pid_t r;

	if (child->exited)
		return 1;
	for (;;) {
		r = wait4(child->pid, &status, block ? 0 : WNOHANG, &usage);
		if (r < 0 && errno == EINTR) {
			if (!block)
				return 0;
			continue;
		}
		break;
	}
	if (r < 0)
		return -1;
	if (r == 0)
		return 0;
	if (WIFEXITED(status)) {
		child->exited = true;
		child->exit_code = WEXITSTATUS(status);
	} else if (WIFSIGNALED(status)) {
		child->exited = true;
		child->exit_signal = WTERMSIG(status);
	} else if (WIFSTOPPED(status) && child->traced) {
		traced_stop(child, status);
		if (block) {
			/* a caller that waits does not scan: let an exiting child go */
			ps_launch_leave_exit(child);
			return ps_launch_reap(child, block);
		}
	}
	if (child->exited) {
		child->traced = child->at_exit = false;
		child->cpu_s = (double)usage.ru_utime.tv_sec + (double)usage.ru_utime.tv_usec / 1e6 +
			       (double)usage.ru_stime.tv_sec + (double)usage.ru_stime.tv_usec / 1e6;
	}
	return child->exited ? 1 : 0;
}

bool ps_launch_wait(struct ps_child *child, double seconds)
{
	struct timespec start, now;

	clock_gettime(CLOCK_MONOTONIC, &start);
	while (ps_launch_reap(child, false) == 0) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((double)(now.tv_sec - start.tv_sec) + (double)(now.tv_nsec - start.tv_nsec) / 1e9 >= seconds)
			return false;
		usleep(5000);
	}
	return true;
}

void ps_launch_terminate(struct ps_child *child, int sig, double grace_s)
{
	if (child->exited || child->pid <= 0)
		return;
	kill(child->pid, sig);
	if (!ps_launch_wait(child, grace_s)) {
		kill(child->pid, SIGKILL);
		ps_launch_reap(child, true);
	}
}

void ps_launch_abort(struct ps_child *child)
{
	if (child->exited || child->pid <= 0)
		return;
	kill(child->pid, SIGKILL);
	if (child->stopped_at_exec)
		ptrace(PTRACE_DETACH, child->pid, NULL, NULL);
	ps_launch_reap(child, true);
}
