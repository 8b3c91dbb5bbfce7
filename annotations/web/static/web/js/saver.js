// Every change is saved at once, one write at a time (each write carries the assignment's
// version and gets the next one back), with a visible state: saved, saving, or failed with the
// reason. A write that failed for a reason that may pass (no connection, a server error, a
// conflict, a rate limit) stays queued, with the writes after it, until `retry()`: nothing the
// reviewer did is dropped. A write the server refused as invalid (400, 403, 404) is handed
// back to its caller to explain, and the queue goes on.

/** Whether trying the same write again may succeed. */
export function isRetryable(error) {
  const status = error && error.status;
  return typeof status !== "number" || status === 0 || status === 409 || status === 429 || status >= 500;
}

export class Saver {
  /**
   * @param {{version:number, onState:(state:{status:string,error:any,pending:number})=>void,
   *          onConflict?:(error:any)=>void}} options
   */
  constructor({ version, onState, onConflict }) {
    this.version = version;
    this.onState = onState || (() => {});
    this.onConflict = onConflict || (() => {});
    this.queue = [];
    this.refused = null;
    this.running = false;
    this.error = null;
  }

  /**
   * Queue a write. `run(version)` performs it and resolves to the new assignment version (or an
   * object with `assignment_version`). Resolves with run's result once it is saved.
   */
  enqueue(label, run) {
    return new Promise((resolve, reject) => {
      this.queue.push({ label, run, resolve, reject });
      this.pump();
    });
  }

  get status() {
    if (this.error) return "failed";
    if (this.running || this.queue.length) return "saving";
    return "saved";
  }

  announce() {
    this.onState({
      status: this.status,
      error: this.error,
      refused: this.refused,
      pending: this.queue.length,
    });
    this.refused = null;
  }

  async pump() {
    if (this.running || this.error) return;
    this.running = true;
    this.announce();
    while (this.queue.length && !this.error) {
      const job = this.queue[0];
      try {
        const result = await job.run(this.version);
        const next = typeof result === "number" ? result : result && result.assignment_version;
        if (typeof next === "number") this.version = next;
        this.queue.shift();
        job.resolve(result);
      } catch (error) {
        if (!isRetryable(error)) {
          this.queue.shift();
          this.refused = error;
          job.reject(error);
          continue;
        }
        this.error = error;
        error.job = job.label;
        if (error && error.status === 409 && error.current && error.current.version) {
          // The server says what is current: adopt its version so a retry is based on it.
          this.version = error.current.version;
          this.onConflict(error);
        }
      }
    }
    this.running = false;
    this.announce();
  }

  /** Try the failed write again (then the ones queued after it). */
  retry() {
    this.error = null;
    this.pump();
  }

  /** Drop the failed write (the reviewer chose to discard it); the rest continue. */
  discard() {
    const job = this.queue.shift();
    if (job) job.reject(this.error || new Error("discarded"));
    this.error = null;
    this.pump();
  }
}
