// Generates layout_js.json: the designer auto-layout's positions for a few graphs,
// which diagram.Layout must reproduce (run: node diagram/testdata/layout_js.mjs > diagram/testdata/layout_js.json).
import { layeredLayout } from "../../static/js/designer/layout.js";
import { nodeSize } from "../../static/js/designer/geometry.js";
const n = (id, kind = "action") => ({ id, ...nodeSize(kind) });
const graphs = {};
graphs.diamond = [[n("s","trigger"), n("g","flow"), n("a"), n("b"), n("j","flow"), n("e","end")],
 [["s","g"],["g","a"],["g","b"],["a","j"],["b","j"],["j","e"],["s","e"]]];
graphs.cycles = [[n("a"), n("b"), n("c"), n("lonely"), n("d")],
 [["a","b"],["b","c"],["c","a"],["c","c"],["c","nowhere"],["d","a"]]];
{ const ns=[], es=[]; for (let i=0;i<40;i++){ ns.push(n(`t${i}`, i%7===3?"flow":"action")); if(i>0) es.push([`t${Math.floor((i-1)/2)}`,`t${i}`]); if(i>10&&i%5===0) es.push([`t${i-9}`,`t${i}`]); } graphs.tree=[ns,es]; }
graphs.loop = [[n("s","trigger"), n("a"), n("g","flow"), n("b"), n("e","end")],[["s","a"],["a","g"],["g","b"],["b","a"],["g","e"]]];
const out = {};
for (const [k,[ns,es]] of Object.entries(graphs)) {
  const pos = layeredLayout(ns, es.map(([from,to])=>({from,to})));
  out[k] = {nodes: ns, edges: es, pos: Object.fromEntries(pos)};
}
console.log(JSON.stringify(out));
