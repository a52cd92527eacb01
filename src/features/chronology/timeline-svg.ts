/**
 * A server-rendered SVG timeline: one lane per agency, one mark per event,
 * significant events as larger dark diamonds. No JavaScript. The chronology
 * table on the same page is its text alternative, and the SVG says so.
 */

export interface TimelineEntry {
  onDate: string;
  agencyId: string;
  agencyName: string;
  label: string;
  significant: boolean;
}

export interface TimelineOptions {
  titleId: string;
  title: string;
  width?: number;
}

const LANE = 30;
const LABEL_WIDTH = 260;
const TOP = 36;
const RIGHT = 20;

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const dayNumber = (isoDate: string) => Date.parse(`${isoDate}T00:00:00Z`) / 86_400_000;

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Draw the timeline. Lanes are in the order of first appearance of each agency. */
export function timelineSvg(entries: TimelineEntry[], options: TimelineOptions): string {
  const width = options.width ?? 960;
  const lanes: { id: string; name: string }[] = [];
  for (const e of entries) if (!lanes.some((l) => l.id === e.agencyId)) lanes.push({ id: e.agencyId, name: e.agencyName });
  const height = TOP + Math.max(lanes.length, 1) * LANE + 10;
  const descId = `${options.titleId}-desc`;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="kinsight-timeline" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-labelledby="${options.titleId} ${descId}" focusable="false">`,
    `<title id="${options.titleId}">${escapeXml(options.title)}</title>`,
    `<desc id="${descId}">${entries.length} events from ${lanes.length} agencies, one row per agency. The table of events below gives the same information as text.</desc>`,
  ];
  if (entries.length === 0) {
    out.push(`<text x="10" y="${TOP}" font-size="16" fill="#0b0c0c">No events to show</text>`, '</svg>');
    return out.join('');
  }
  const days = entries.map((e) => dayNumber(e.onDate));
  const min = Math.min(...days);
  const max = Math.max(...days);
  const span = Math.max(max - min, 1);
  const plotLeft = LABEL_WIDTH + 10;
  const plotWidth = width - plotLeft - RIGHT;
  const x = (day: number) => plotLeft + ((day - min) / span) * plotWidth;

  // Year ticks.
  const firstYear = new Date(min * 86_400_000).getUTCFullYear();
  const lastYear = new Date(max * 86_400_000).getUTCFullYear();
  const step = Math.max(1, Math.ceil((lastYear - firstYear + 1) / 12));
  for (let year = firstYear; year <= lastYear + 1; year += step) {
    const day = Date.UTC(year, 0, 1) / 86_400_000;
    if (day < min || day > max) continue;
    const px = x(day).toFixed(1);
    out.push(`<line x1="${px}" y1="${TOP - 14}" x2="${px}" y2="${height - 10}" stroke="#b1b4b6" stroke-width="1"/>`);
    out.push(`<text x="${px}" y="${TOP - 18}" font-size="13" text-anchor="middle" fill="#0b0c0c">${year}</text>`);
  }
  lanes.forEach((lane, i) => {
    const y = TOP + i * LANE + LANE / 2;
    if (i % 2 === 0) out.push(`<rect x="0" y="${TOP + i * LANE}" width="${width}" height="${LANE}" fill="#f3f2f1"/>`);
    out.push(`<text x="8" y="${y + 5}" font-size="13" fill="#0b0c0c">${escapeXml(truncate(lane.name, 38))}</text>`);
  });
  // Ordinary events first, significant on top.
  const ordered = [...entries].sort((a, b) => Number(a.significant) - Number(b.significant));
  for (const e of ordered) {
    const lane = lanes.findIndex((l) => l.id === e.agencyId);
    const cx = x(dayNumber(e.onDate)).toFixed(1);
    const cy = TOP + lane * LANE + LANE / 2;
    const title = `<title>${escapeXml(`${e.onDate}: ${e.agencyName}: ${e.label}`)}</title>`;
    if (e.significant) {
      out.push(`<path d="M ${cx} ${cy - 9} l 9 9 l -9 9 l -9 -9 z" fill="#d4351c" stroke="#0b0c0c" stroke-width="1">${title}</path>`);
    } else {
      out.push(`<circle cx="${cx}" cy="${cy}" r="5" fill="#1d70b8" fill-opacity="0.8">${title}</circle>`);
    }
  }
  out.push('</svg>');
  return out.join('');
}
