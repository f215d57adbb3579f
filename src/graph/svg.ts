/**
 * SVG of a script's flow, laid out by `layoutGraph`: what the browser phone shows (with
 * the current step highlighted through `data-step` / `data-edge` attributes) and what
 * `callscript graph --format svg` prints. Self-contained: styles inline, no fonts or
 * scripts fetched.
 */
import { DEFAULT_LAYOUT, layoutGraph, type NodeBox } from './layout.js';
import { excerpt, nodeTitle, type FlowEdge, type FlowGraph } from './model.js';
import { xmlEscape } from '../util/xml.js';

const esc = xmlEscape;

function n(value: number): string {
  return String(Math.round(value * 10) / 10);
}

const STYLE = [
  '.cs-flow{font-family:system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif}',
  '.cs-flow .node rect{fill:#fff;stroke:#4a5568;stroke-width:1.2}',
  '.cs-flow .kind-gather rect{fill:#ebf4ff}',
  '.cs-flow .kind-transfer rect{fill:#fff5e6}',
  '.cs-flow .kind-hangup rect{fill:#f2f2f2}',
  '.cs-flow .kind-end rect{fill:#fafafa;stroke-dasharray:4 3}',
  '.cs-flow .kind-switch rect,.cs-flow .kind-hours rect{fill:#f0fff4}',
  '.cs-flow .kind-http rect{fill:#faf5ff}',
  '.cs-flow .kind-call rect,.cs-flow .kind-return rect{fill:#e6fffa}',
  '.cs-flow .kind-set rect{fill:#fffff0}',
  '.cs-flow .start rect{stroke-width:2.4}',
  '.cs-flow .node .title{font-size:12px;font-weight:600;fill:#1a202c}',
  '.cs-flow .node .excerpt{font-size:10.5px;fill:#4a5568}',
  '.cs-flow .edge path{fill:none;stroke:#718096;stroke-width:1.2}',
  '.cs-flow .edge.implicit path{stroke-dasharray:4 3}',
  '.cs-flow .edge rect{fill:#fff;opacity:.9}',
  '.cs-flow .edge text{font-size:10px;fill:#2d3748}',
  '.cs-flow .visited rect{fill:#fefcbf}',
  '.cs-flow .taken path{stroke:#d69e2e;stroke-width:2}',
  '.cs-flow .current rect{fill:#fed7d7;stroke:#c53030;stroke-width:3}',
].join('');

interface Point {
  readonly x: number;
  readonly y: number;
}

/** Where each edge leaves and enters its boxes: spread along the side so parallel edges and labels separate. */
function ports(graph: FlowGraph, boxes: ReadonlyMap<string, NodeBox>): Map<string, { from: Point; to: Point; kind: 'down' | 'side' | 'self' }> {
  const out = new Map<string, { from: Point; to: Point; kind: 'down' | 'side' | 'self' }>();
  const down = graph.edges.filter((e) => {
    const a = boxes.get(e.from);
    const b = boxes.get(e.to);
    return a !== undefined && b !== undefined && b.layer > a.layer;
  });
  const side = graph.edges.filter((e) => {
    const a = boxes.get(e.from);
    const b = boxes.get(e.to);
    return e.from !== e.to && a !== undefined && b !== undefined && b.layer <= a.layer;
  });
  const spread = (box: NodeBox, i: number, count: number): number => box.x + (box.width * (i + 1)) / (count + 1);
  for (const edge of graph.edges) {
    const a = boxes.get(edge.from);
    const b = boxes.get(edge.to);
    if (a === undefined || b === undefined) continue;
    if (edge.from === edge.to) {
      out.set(edge.id, { from: { x: a.x + a.width, y: a.y + a.height * 0.3 }, to: { x: a.x + a.width, y: a.y + a.height * 0.7 }, kind: 'self' });
    } else if (b.layer > a.layer) {
      const leaving = down.filter((e) => e.from === edge.from);
      const entering = down.filter((e) => e.to === edge.to);
      out.set(edge.id, {
        from: { x: spread(a, leaving.indexOf(edge), leaving.length), y: a.y + a.height },
        to: { x: spread(b, entering.indexOf(edge), entering.length), y: b.y },
        kind: 'down',
      });
    } else {
      const leaving = side.filter((e) => e.from === edge.from);
      const entering = side.filter((e) => e.to === edge.to);
      out.set(edge.id, {
        from: { x: a.x + a.width, y: a.y + (a.height * (leaving.indexOf(edge) + 1)) / (leaving.length + 1) },
        to: { x: b.x + b.width, y: b.y + (b.height * (entering.indexOf(edge) + 1)) / (entering.length + 1) },
        kind: 'side',
      });
    }
  }
  return out;
}

function edgeSvg(edge: FlowEdge, port: { from: Point; to: Point; kind: 'down' | 'side' | 'self' }, sideIndex: number): string {
  const { from: p0, to: p3 } = port;
  let p1: Point;
  let p2: Point;
  if (port.kind === 'down') {
    const dy = Math.max(24, (p3.y - p0.y) / 2);
    p1 = { x: p0.x, y: p0.y + dy };
    p2 = { x: p3.x, y: p3.y - dy };
  } else {
    const bulge = port.kind === 'self' ? 36 : 40 + 26 * sideIndex;
    const x = Math.max(p0.x, p3.x) + bulge;
    p1 = { x, y: p0.y };
    p2 = { x, y: p3.y };
  }
  const mid = { x: (p0.x + 3 * p1.x + 3 * p2.x + p3.x) / 8, y: (p0.y + 3 * p1.y + 3 * p2.y + p3.y) / 8 };
  const text = edge.label;
  const w = 6.2 * text.length + 8;
  const implicit = edge.to.startsWith('end:') ? ' implicit' : '';
  return [
    `<g class="edge${implicit}" data-edge="${esc(edge.id)}" data-from="${esc(edge.from)}" data-to="${esc(edge.to)}">`,
    `<path d="M${n(p0.x)},${n(p0.y)} C${n(p1.x)},${n(p1.y)} ${n(p2.x)},${n(p2.y)} ${n(p3.x)},${n(p3.y)}" marker-end="url(#cs-arrow)"/>`,
    `<rect x="${n(mid.x - w / 2)}" y="${n(mid.y - 7)}" width="${n(w)}" height="14" rx="3"/>`,
    `<text x="${n(mid.x)}" y="${n(mid.y + 3.5)}" text-anchor="middle">${esc(text)}</text>`,
    '</g>',
  ].join('');
}

export function toSvg(graph: FlowGraph): string {
  const layout = layoutGraph(graph, DEFAULT_LAYOUT);
  const { boxes } = layout;
  const placed = ports(graph, boxes);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="cs-flow" viewBox="0 0 ${n(layout.width)} ${n(layout.height)}" width="${n(layout.width)}" height="${n(layout.height)}" role="img" aria-label="${esc(`call flow of ${graph.script}`)}">`,
    `<title>${esc(`call flow of ${graph.script}`)}</title>`,
    `<style>${STYLE}</style>`,
    '<defs><marker id="cs-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#718096"/></marker></defs>',
  ];
  // Edges that go back up or along a layer bulge out to the right; parallel ones further out, so labels part.
  const sideRank = new Map<string, number>();
  for (const edge of graph.edges) {
    if (placed.get(edge.id)?.kind !== 'side') continue;
    const rank = graph.edges.filter((e) => e.from === edge.from && e.to === edge.to && sideRank.has(e.id)).length;
    sideRank.set(edge.id, rank);
  }
  for (const edge of graph.edges) {
    const port = placed.get(edge.id);
    if (port === undefined) continue;
    out.push(edgeSvg(edge, port, sideRank.get(edge.id) ?? 0));
  }
  for (const node of graph.nodes) {
    const box = boxes.get(node.id);
    if (box === undefined) continue;
    const classes = ['node', `kind-${node.kind}`, ...(node.start ? ['start'] : [])].join(' ');
    const title = nodeTitle(node);
    out.push(
      [
        `<g class="${classes}" data-step="${esc(node.id)}">`,
        `<title>${esc(node.excerpt === '' ? title : `${title}: ${node.excerpt}`)}</title>`,
        `<rect x="${n(box.x)}" y="${n(box.y)}" width="${n(box.width)}" height="${n(box.height)}" rx="${node.kind === 'hangup' || node.kind === 'end' ? 16 : 5}"/>`,
        `<text class="title" x="${n(box.x + box.width / 2)}" y="${n(box.y + 20)}" text-anchor="middle">${esc(excerpt(title, 30))}</text>`,
        node.excerpt === '' ? '' : `<text class="excerpt" x="${n(box.x + box.width / 2)}" y="${n(box.y + 37)}" text-anchor="middle">${esc(excerpt(node.excerpt, 34))}</text>`,
        '</g>',
      ].join(''),
    );
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
