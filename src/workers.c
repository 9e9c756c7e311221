/*
 * workers.c — independent jobs spread over the machine's CPUs (workers.h).
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdbool.h>
#include <string.h>

#include "err.h"
#include "workers.h"

struct pool {
	pthread_mutex_t mu;
	workers_job job;
	void *ctx;
	size_t n, next, done;
	bool stop;
	/* The failure with the lowest index so far. */
	size_t fail_i;
	int fail_rc;
	char fail_text[1024];
};

unsigned
workers_count(size_t n)
{
	cpu_set_t set;
	long cpus = 1;

	if (sched_getaffinity(0, sizeof set, &set) == 0)
		cpus = CPU_COUNT(&set);
	if (cpus < 1)
		cpus = 1;
	if (cpus > WORKERS_MAX)
		cpus = WORKERS_MAX;
	if ((size_t)cpus > n)
		cpus = n > 0 ? (long)n : 1;
	return (unsigned)cpus;
}

/* Hands out the next job in index order; false when none is left or a job
 * failed. */
static bool
pool_take(struct pool *p, size_t *i)
{
	bool ok;

	pthread_mutex_lock(&p->mu);
	ok = !p->stop && p->next < p->n;
	if (ok)
		*i = p->next++;
	pthread_mutex_unlock(&p->mu);
	return ok;
}

static size_t
pool_finish(struct pool *p, size_t i, int rc)
{
	size_t done;

	pthread_mutex_lock(&p->mu);
	done = ++p->done;
	if (rc != OR_OK) {
		p->stop = true;
		if (p->fail_rc == OR_OK || i < p->fail_i) {
			p->fail_i = i;
			p->fail_rc = rc;
			/* err_msg is this thread's text. */
			snprintf(p->fail_text, sizeof p->fail_text, "%s",
			    err_msg(rc));
		}
	}
	pthread_mutex_unlock(&p->mu);
	return done;
}

static void *
pool_worker(void *arg)
{
	struct pool *p = arg;
	size_t i;

	while (pool_take(p, &i))
		pool_finish(p, i, p->job(p->ctx, i));
	return NULL;
}

int
workers_run(size_t n, workers_job job, workers_tick tick, void *ctx,
    unsigned max_threads)
{
	pthread_t tid[WORKERS_MAX];
	sigset_t all, old;
	struct pool p;
	unsigned want, started = 0, t;
	size_t i, done;

	memset(&p, 0, sizeof p);
	pthread_mutex_init(&p.mu, NULL);
	p.job = job;
	p.ctx = ctx;
	p.n = n;
	want = workers_count(n);
	if (max_threads != 0 && max_threads < want)
		want = max_threads;
	/* Signals stay with the caller's thread, whose handlers (secret.c,
	 * the TUI) expect them there. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (t = 1; t < want; t++) {
		/* Fewer threads than asked is slower, not wrong. */
		if (pthread_create(&tid[started], NULL, pool_worker, &p) != 0)
			break;
		started++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	while (pool_take(&p, &i)) {
		done = pool_finish(&p, i, job(ctx, i));
		if (tick != NULL)
			tick(ctx, done, n);
	}
	for (t = 0; t < started; t++)
		pthread_join(tid[t], NULL);
	pthread_mutex_destroy(&p.mu);
	if (p.fail_rc != OR_OK)
		return err_set(p.fail_rc, "%s", p.fail_text);
	return OR_OK;
}
