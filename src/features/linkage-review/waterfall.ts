/**
 * The match-weight waterfall: the prior, then each field's weight added in
 * turn, ending at the pair's match weight, with the review and link
 * thresholds drawn across. Server-rendered SVG; the page also has the same
 * numbers as a table (the accessible alternative).
 */

export interface WaterfallStep {
  readonly label: string;
  /** What was found, e.g. "exact" or "different". */
  readonly level: string;
  readonly weight: number;
}

export interface WaterfallInput {
  readonly priorWeight: number;
  readonly steps: readonly WaterfallStep[];
  readonly matchWeight: number;
  readonly linkWeight: number;
  readonly reviewWeight: number;
  readonly titleId: string;
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const fmt = (n: number) => (n >= 0 ? `+${n.toFixed(1)}` : `−${Math.abs(n).toFixed(1)}`);

const ROW = 34;
const LABEL = 230;
const WIDTH = 760;
const RIGHT = 70;
const TOP = 30;

/** One bar per step, floating from the running total before it to the total after. */
export function waterfallSvg(input: WaterfallInput): string {
  const rows: { label: string; from: number; to: number; kind: 'start' | 'up' | 'down' | 'none' | 'total' }[] = [];
  rows.push({ label: 'Starting point (prior)', from: 0, to: input.priorWeight, kind: 'start' });
  let running = input.priorWeight;
  for (const step of input.steps) {
    const next = running + step.weight;
    rows.push({ label: `${step.label}: ${step.level}`, from: running, to: next, kind: step.weight > 0 ? 'up' : step.weight < 0 ? 'down' : 'none' });
    running = next;
  }
  rows.push({ label: 'Match weight', from: 0, to: input.matchWeight, kind: 'total' });
  const values = rows.flatMap((r) => [r.from, r.to]).concat([input.linkWeight, input.reviewWeight, 0]);
  const min = Math.floor(Math.min(...values) - 1);
  const max = Math.ceil(Math.max(...values) + 1);
  const plot = WIDTH - LABEL - RIGHT;
  const x = (v: number) => LABEL + ((v - min) / (max - min || 1)) * plot;
  const height = TOP + rows.length * ROW + 30;
  const colour = { start: '#505a5f', up: '#00703c', down: '#d4351c', none: '#b1b4b6', total: '#1d70b8' };
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="kinsight-waterfall" viewBox="0 0 ${WIDTH} ${height}" width="100%" role="img" aria-labelledby="${input.titleId}" focusable="false">`,
  ];
  const line = (v: number, label: string, dash: string) => {
    out.push(`<line x1="${x(v).toFixed(1)}" x2="${x(v).toFixed(1)}" y1="${TOP - 8}" y2="${height - 24}" stroke="#0b0c0c" stroke-dasharray="${dash}" stroke-width="1"/>`);
    out.push(`<text x="${x(v).toFixed(1)}" y="${TOP - 12}" font-size="12" text-anchor="middle" fill="#0b0c0c">${escape(label)}</text>`);
  };
  line(0, '0', '2 2');
  line(input.reviewWeight, 'review', '6 3');
  line(input.linkWeight, 'link', '6 3');
  rows.forEach((r, i) => {
    const y = TOP + i * ROW;
    const left = Math.min(x(r.from), x(r.to));
    const width = Math.max(Math.abs(x(r.to) - x(r.from)), 2);
    out.push(`<text x="${LABEL - 8}" y="${y + ROW / 2 + 4}" font-size="13" text-anchor="end" fill="#0b0c0c">${escape(r.label.length > 34 ? `${r.label.slice(0, 33)}…` : r.label)}</text>`);
    out.push(`<rect x="${left.toFixed(1)}" y="${y + 6}" width="${width.toFixed(1)}" height="${ROW - 12}" fill="${colour[r.kind]}"/>`);
    const value = r.kind === 'start' || r.kind === 'total' ? r.to : r.to - r.from;
    out.push(`<text x="${(Math.max(x(r.from), x(r.to)) + 4).toFixed(1)}" y="${y + ROW / 2 + 4}" font-size="12" fill="#0b0c0c">${r.kind === 'start' || r.kind === 'total' ? value.toFixed(1) : fmt(value)}</text>`);
  });
  out.push(`<text x="${LABEL}" y="${height - 6}" font-size="12" fill="#505a5f">weight in bits (log2 of the odds); each bar adds to the one above</text>`);
  out.push('</svg>');
  return out.join('');
}
