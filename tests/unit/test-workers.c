/*
 * test-workers.c — workers_run reports like a plain loop: every job runs
 * once, the lowest-numbered failure wins with its own text, progress is
 * reported on the caller's thread, and nothing starts after a failure.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "tap.h"
#include "workers.h"

#define N 5000

struct ctx {
	atomic_int runs[N];
	atomic_size_t started;
	size_t fail_at[4];	/* indices that fail (N: none) */
	pthread_t caller;
	bool tick_elsewhere;
	size_t ticks, last_done;
	bool slow_before_fail;
};

static int
job(void *vctx, size_t i)
{
	struct ctx *c = vctx;
	size_t k;

	atomic_fetch_add(&c->started, 1);
	atomic_fetch_add(&c->runs[i], 1);
	for (k = 0; k < 4; k++)
		if (c->fail_at[k] == i) {
			/* Let a later failure happen first on another thread:
			 * the lower index must still win. */
			if (c->slow_before_fail && k == 0)
				usleep(20000);
			return err_set(k == 0 ? OR_E_INPUT : OR_E_IO,
			    "job %zu failed", i);
		}
	return OR_OK;
}

static void
tick(void *vctx, size_t done, size_t n)
{
	struct ctx *c = vctx;

	if (!pthread_equal(pthread_self(), c->caller))
		c->tick_elsewhere = true;
	if (done < c->last_done || done > n)
		c->tick_elsewhere = true;	/* counted as a failure below */
	c->last_done = done;
	c->ticks++;
}

static struct ctx *
new_ctx(void)
{
	struct ctx *c = calloc(1, sizeof *c);
	size_t k;

	for (k = 0; k < 4; k++)
		c->fail_at[k] = N;
	c->caller = pthread_self();
	return c;
}

int
main(void)
{
	struct ctx *c;
	size_t i, once = 0, max;
	unsigned threads[] = { 0, 1, 2, 7 };
	size_t t;
	int rc;

	ok(workers_count(1) == 1, "one job: one thread");
	ok(workers_count(100000) >= 1 && workers_count(100000) <= WORKERS_MAX,
	    "threads within 1..WORKERS_MAX (%u)", workers_count(100000));

	for (t = 0; t < sizeof threads / sizeof threads[0]; t++) {
		c = new_ctx();
		rc = workers_run(N, job, tick, c, threads[t]);
		once = 0;
		for (i = 0; i < N; i++)
			once += atomic_load(&c->runs[i]) == 1;
		ok(rc == OR_OK, "max_threads %u: all jobs succeed", threads[t]);
		ok(once == N, "max_threads %u: every job ran exactly once (%zu)",
		    threads[t], once);
		ok(!c->tick_elsewhere && (threads[t] != 1 || c->ticks == N),
		    "max_threads %u: progress only on the caller's thread, "
		    "never backwards (%zu ticks)", threads[t], c->ticks);
		free(c);
	}

	/* Two failures: the lower index is reported, with its own text and
	 * code, even when the higher one fails first. */
	c = new_ctx();
	c->fail_at[0] = 1200;
	c->fail_at[1] = 1201;
	c->slow_before_fail = true;
	err_clear();
	rc = workers_run(N, job, NULL, c, 0);
	ok(rc == OR_E_INPUT, "the lowest failing job's code (%d)", rc);
	is_str(err_msg(rc), "job 1200 failed", "the lowest failing job's text");
	max = atomic_load(&c->started);
	ok(max < N, "no job starts after a failure (%zu of %d started)", max,
	    N);
	for (i = 0, once = 0; i < 1200; i++)
		once += atomic_load(&c->runs[i]) == 1;
	ok(once == 1200, "every job before the failure ran (%zu)", once);
	free(c);

	/* One thread: exactly a loop. */
	c = new_ctx();
	c->fail_at[0] = 10;
	rc = workers_run(N, job, NULL, c, 1);
	ok(rc == OR_E_INPUT && atomic_load(&c->started) == 11,
	    "one thread stops at the failing job (%zu started)",
	    (size_t)atomic_load(&c->started));
	free(c);

	/* No jobs. */
	c = new_ctx();
	ok(workers_run(0, job, tick, c, 0) == OR_OK && c->ticks == 0 &&
	    atomic_load(&c->started) == 0, "no jobs: nothing runs");
	free(c);
	done_testing();
	return tap_failed != 0;
}
