/** Flow graphs of scripts: the model and its renderers. */
export { buildFlowGraph, edgeId, excerpt, nodeTitle, stepEdges, IMPLICIT_END_IDS, type EdgeKind, type FlowEdge, type FlowGraph, type FlowNode, type ImplicitEnd } from './model.js';
export { toMermaid } from './mermaid.js';
export { toDot } from './dot.js';
export { toSvg } from './svg.js';
export { layoutGraph, DEFAULT_LAYOUT, type Layout, type LayoutOptions, type NodeBox } from './layout.js';
