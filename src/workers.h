/*
 * workers.h — independent jobs spread over the machine's CPUs.
 *
 * A batch of CSRs is a list of independent jobs (verify a CSR, sign and
 * check one certificate, write and read back one file).  workers_run runs
 * them on one thread per online CPU, the caller's thread included, and
 * reports like a plain loop would: the failure of the lowest-numbered job
 * that failed, with that job's error text (err.c keeps one per thread).
 *
 * Jobs must touch only their own slot of the caller's data and objects
 * that are safe to share read-only (OpenSSL keys and certificates, the
 * profile).  Anything that prints, asks or appends to a journal stays in
 * the caller, before or after the run.
 */
#ifndef OFFROOT_WORKERS_H
#define OFFROOT_WORKERS_H

#include <stddef.h>

/* One job: returns OR_OK or an OR_E_* code with err_set's text. */
typedef int (*workers_job)(void *ctx, size_t i);
/* Progress, called on the caller's thread only: done of n jobs finished. */
typedef void (*workers_tick)(void *ctx, size_t done, size_t n);

/*
 * Runs job(ctx, i) for every i < n, or until one fails: after a failure
 * no new job starts, and the ones already running finish.  Returns OR_OK,
 * or the code of the failed job with the lowest index (its text is then
 * this thread's err_msg).  max_threads caps the threads (0: one per online
 * CPU, at most WORKERS_MAX); 1 runs everything on the caller's thread.
 * tick may be NULL.
 */
int workers_run(size_t n, workers_job job, workers_tick tick, void *ctx,
    unsigned max_threads);

#define WORKERS_MAX 16

/* The number of threads workers_run(…, 0) would use for n jobs. */
unsigned workers_count(size_t n);

#endif
