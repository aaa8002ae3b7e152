// Long work runs as a job the client can poll: state, progress and the result or the error.
// Jobs live in memory (an import survives only as long as the process; the store's transaction makes a
// crash mid-import leave nothing behind, and the file can simply be imported again).
import { randomUUID } from 'node:crypto';
import { AppError } from '../errors.ts';

export interface JobProgress {
  records: number;
  bytes?: number;
  total?: number;
}

export interface Job<R = unknown> {
  id: string;
  kind: string;
  label: string;
  state: 'running' | 'done' | 'failed';
  progress: JobProgress;
  startedAt: string;
  finishedAt?: string;
  result?: R;
  error?: { code: string; message: string; details?: unknown };
}

/** Who asks about a job: its owner sees it, an admin sees every job. */
export interface JobViewer {
  user: string;
  role: string;
}

export class JobRegistry {
  private readonly jobs = new Map<string, Job>();
  /** job id → the user who started it (kept apart so the job's JSON shape does not change) */
  private readonly owners = new Map<string, string>();
  constructor(private readonly keep = 200, private readonly onUnexpected: (err: unknown, job: Job) => void = () => {}) {}

  /** Starts `work` as a job of `owner` (the signed-in user: only they and admins can poll it). */
  start<R>(kind: string, label: string, owner: string, work: (progress: (p: JobProgress) => void) => Promise<R>): Job<R> {
    const job: Job<R> = { id: randomUUID(), kind, label, state: 'running', progress: { records: 0 }, startedAt: new Date().toISOString() };
    this.jobs.set(job.id, job);
    this.owners.set(job.id, owner);
    this.trim();
    void work((p) => {
      job.progress = p;
    }).then(
      (result) => {
        job.result = result;
        job.state = 'done';
        job.finishedAt = new Date().toISOString();
      },
      (err: unknown) => {
        job.state = 'failed';
        job.finishedAt = new Date().toISOString();
        if (err instanceof AppError) job.error = { code: err.code, message: err.message, ...(err.details !== undefined ? { details: err.details } : {}) };
        else {
          job.error = { code: 'internal', message: 'internal error' };
          this.onUnexpected(err, job);
        }
      },
    );
    return job;
  }

  /** The job; with `viewer`, only when they started it or are an admin (another user's job answers like a missing one). */
  get(id: string, viewer?: JobViewer): Job {
    const job = this.jobs.get(id);
    if (!job || (viewer && viewer.role !== 'admin' && this.owners.get(id) !== viewer.user)) throw new AppError('not_found', `no job ${id}`);
    return job;
  }

  owner(id: string): string | undefined {
    return this.owners.get(id);
  }

  list(): Job[] {
    return [...this.jobs.values()].reverse();
  }

  private trim(): void {
    for (const [id, job] of this.jobs) {
      if (this.jobs.size <= this.keep) break;
      if (job.state !== 'running') {
        this.jobs.delete(id);
        this.owners.delete(id);
      }
    }
  }
}
