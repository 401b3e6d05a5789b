import { basename } from 'node:path';
import type { CellState } from '../../src-shared/api';
import type { HubEvent } from '../events/event-hub';
import type { CellRow } from './repository';

interface Line {
  label: string;
  state: CellState;
  step: number;
  total: number | null;
  loss: number | null;
  eta: number | null;
  note: string;
}

const BAR = 20;

/** `1h02m`, `3m05s`, `42s`. */
export function formatEta(seconds: number): string {
  const s = Math.round(seconds);
  if (s >= 3600)
    return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

function render(l: Line): string {
  const frac = l.total ? Math.min(1, l.step / l.total) : l.state === 'done' ? 1 : 0;
  const filled = Math.round(frac * BAR);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(BAR - filled)}]`;
  const steps = l.total ? `${l.step}/${l.total}` : `${l.step}`;
  const loss = l.loss === null ? '' : ` loss ${l.loss.toFixed(4)}`;
  const eta = l.eta === null || l.state !== 'running' ? '' : ` ETA ${formatEta(l.eta)}`;
  return `${l.label} ${bar} ${steps}${loss}${eta} ${l.state}${l.note ? ` ${l.note}` : ''}`;
}

/**
 * Per-cell progress bars on stderr with loss and ETA. On a terminal the block of bars is redrawn
 * in place; otherwise (a log file, CI) a line is written when a cell changes state, and a
 * running cell's progress at most every `plainEveryMs`.
 */
export class ProgressBars {
  private readonly lines = new Map<number, Line>();
  private drawn = 0;
  private readonly lastPlain = new Map<number, number>();
  private redrawTimer: NodeJS.Timeout | null = null;

  constructor(
    cells: readonly CellRow[],
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly tty: boolean = Boolean(process.stderr.isTTY),
    private readonly plainEveryMs = 5000,
  ) {
    for (const c of cells) {
      const model = c.model.includes('/') ? basename(c.model) : c.model;
      const label = `cell ${c.id} plw=${c.plw} ${model} ${basename(c.dataset)}`;
      this.lines.set(c.id, {
        label,
        state: c.state,
        step: c.step,
        total: c.totalSteps,
        loss: c.loss,
        eta: null,
        note: '',
      });
    }
    if (this.tty) this.redraw();
  }

  onEvent(e: HubEvent): void {
    const line = this.lines.get(e.cellId);
    if (line === undefined) return;
    let plain: string | null = null;
    switch (e.type) {
      case 'progress':
        line.step = e.metrics.step;
        line.total = e.metrics.totalSteps;
        line.loss = e.metrics.loss;
        line.eta = e.etaSeconds;
        if (!this.tty && Date.now() - (this.lastPlain.get(e.cellId) ?? 0) >= this.plainEveryMs) {
          plain = render(line);
        }
        break;
      case 'evaluate':
        line.note = `${e.benchmark} (${e.done + 1}/${e.total})`;
        break;
      case 'state':
        line.state = e.state;
        line.note =
          e.error ?? (e.attempts > 1 && e.state === 'running' ? `attempt ${e.attempts}` : '');
        plain = render(line);
        break;
      case 'score':
        line.note = `${e.benchmark} ${e.metric} ${e.value.toFixed(4)}`;
        break;
      default:
        return;
    }
    if (this.tty) this.scheduleRedraw();
    else if (plain !== null) {
      this.lastPlain.set(e.cellId, Date.now());
      this.out.write(`${plain}\n`);
    }
  }

  /** Final draw (terminal) so the block shows the end state. */
  finish(): void {
    if (this.redrawTimer !== null) clearTimeout(this.redrawTimer);
    this.redrawTimer = null;
    if (this.tty) this.redraw();
  }

  private scheduleRedraw(): void {
    this.redrawTimer ??= setTimeout(() => {
      this.redrawTimer = null;
      this.redraw();
    }, 100);
  }

  private redraw(): void {
    const width = this.out.columns ?? 120;
    const text = [...this.lines.values()].map((l) => render(l).slice(0, width - 1));
    const up = this.drawn > 0 ? `\x1b[${this.drawn}A` : '';
    this.out.write(`${up}${text.map((t) => `\x1b[2K${t}`).join('\n')}\n`);
    this.drawn = text.length;
  }
}
