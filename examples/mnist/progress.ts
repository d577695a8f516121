// Per-epoch progress: a redrawn bar on a TTY; plain lines every ~10% otherwise (logs, CI).

export interface ProgressLine {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  loss: number;
  samples: number;
  elapsed: number;
  total: number;
}

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 60) return `${seconds.toFixed(0)}s`;
  return `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
}

export class Progress {
  private lastDraw = 0;
  private lastDecile = -1;

  constructor(private readonly stream: NodeJS.WriteStream, private readonly tty = Boolean(stream.isTTY)) {}

  update(p: ProgressLine): void {
    const rate = p.samples / Math.max(p.elapsed, 1e-9);
    const eta = (p.total - p.samples) / rate;
    const done = p.batch + 1;
    const head = `epoch ${p.epoch + 1}/${p.epochs}`;
    const tail = `${done}/${p.batches}  loss ${p.loss.toFixed(4)}  ${rate.toFixed(0)} samples/s  ETA ${duration(eta)}`;
    if (this.tty) {
      const now = performance.now();
      if (now - this.lastDraw < 100 && done < p.batches) return;
      this.lastDraw = now;
      const width = 30;
      const filled = Math.round((done / p.batches) * width);
      const bar = '='.repeat(Math.max(0, filled - 1)) + (filled > 0 ? (done === p.batches ? '=' : '>') : '') + ' '.repeat(width - filled);
      this.stream.write(`\r${head} [${bar}] ${tail}\x1b[K`);
    } else {
      const decile = Math.floor((done / p.batches) * 10);
      if (decile === this.lastDecile || decile === 0) return;
      this.lastDecile = decile;
      this.stream.write(`${head} ${tail}\n`);
    }
  }

  /** Ends the epoch's bar so the summary line starts on a fresh line. */
  end(): void {
    if (this.tty) this.stream.write('\r\x1b[K');
    this.lastDecile = -1;
    this.lastDraw = 0;
  }
}
