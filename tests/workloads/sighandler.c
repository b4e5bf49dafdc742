/* sighandler: main -> wait_in_loop() spins; a SIGALRM every 10 ms runs
 * on_alarm() -> handler_work(), which burns about half the CPU.  Built
 * without frame pointers, the handler's stack must be unwound through the
 * kernel's signal frame (__restore_rt) back into wait_in_loop and main.
 *
 * Usage: sighandler [--seconds S]
 */
#include "wl_common.h"
#include <signal.h>
#include <sys/time.h>

static volatile sig_atomic_t alarms;

WL_HOT void handler_work(void)
{
    WL_BURN_ITERS(WL_UNIT_ITERS * 100);   /* ~5 ms of a 10 ms period */
}

static void on_alarm(int sig)
{
    (void)sig;
    handler_work();
    alarms++;
}

WL_HOT void wait_in_loop(double seconds)
{
    double start = wl_now();
    do {
        WL_BURN_ITERS(2000);
    } while (wl_now() - start < seconds);
    __asm__ volatile("");
}

int main(int argc, char **argv)
{
    double seconds = wl_seconds(argc, argv, 1.0);
    struct sigaction sa = { .sa_handler = on_alarm };
    struct itimerval it = { .it_interval = { 0, 10000 }, .it_value = { 0, 10000 } };

    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, NULL);
    setitimer(ITIMER_REAL, &it, NULL);
    wait_in_loop(seconds);
    printf("sighandler: alarms=%d\n", (int)alarms);
    return 0;
}
