/**
 * A child's output, bounded: stdout and stderr split into lines of at most `maxLineBytes`, and a
 * per-second line budget for the logger, so a child that writes megabytes cannot exhaust the
 * supervisor's memory or its log pipeline.
 *
 * @module
 */

/** Receives each complete line; `truncated` when the line was longer than the limit. */
export type LineListener = (line: string, truncated: boolean) => void;

/** Splits a byte stream into lines; holds at most `maxLineBytes` of one unfinished line. */
export class LineSplitter {
  private readonly parts: Buffer[] = [];
  private held = 0;
  private truncated = false;

  constructor(
    private readonly maxLineBytes: number,
    private readonly onLine: LineListener,
  ) {}

  /** Feeds one chunk. */
  write(chunk: Buffer | string): void {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(10, start);
      if (nl === -1) {
        this.hold(buf, start, buf.length);
        return;
      }
      this.hold(buf, start, nl);
      this.flush();
      start = nl + 1;
    }
  }

  /** Emits the unfinished last line, if any. */
  end(): void {
    if (this.held > 0 || this.truncated) this.flush();
  }

  private hold(buf: Buffer, from: number, to: number): void {
    if (to <= from) return;
    const room = this.maxLineBytes - this.held;
    if (room <= 0) {
      this.truncated = true;
      return;
    }
    const end = Math.min(to, from + room);
    if (end < to) this.truncated = true;
    this.parts.push(buf.subarray(from, end));
    this.held += end - from;
  }

  private flush(): void {
    let line = this.parts.length === 1 ? this.parts[0]!.toString('utf8') : Buffer.concat(this.parts, this.held).toString('utf8');
    if (line.endsWith('\r')) line = line.slice(0, -1);
    const truncated = this.truncated;
    this.parts.length = 0;
    this.held = 0;
    this.truncated = false;
    this.onLine(line, truncated);
  }
}

/** A per-second budget of lines: `take()` says whether one more line may be logged now. */
export class LineBudget {
  private windowStart = 0;
  private used = 0;
  private dropped = 0;

  constructor(
    private readonly perSecond: number,
    private readonly now: () => number,
    private readonly onDropped: (count: number) => void,
  ) {}

  /** True when this line fits the budget; false when it is dropped (and counted). */
  take(): boolean {
    const t = this.now();
    if (t - this.windowStart >= 1000) {
      this.report();
      this.windowStart = t;
      this.used = 0;
    }
    if (this.used < this.perSecond) {
      this.used++;
      return true;
    }
    this.dropped++;
    return false;
  }

  /** Reports lines dropped so far, if any. */
  report(): void {
    if (this.dropped > 0) {
      const count = this.dropped;
      this.dropped = 0;
      this.onDropped(count);
    }
  }
}
