// bpmn-check.mjs FILE... — checks BPMN files with three third-party tools, unchanged:
//   - bpmn-moddle (bpmn.io's parser, with camunda-bpmn-moddle's descriptor so that
//     camunda: attributes are known): fromXML, its warnings;
//   - bpmnlint's recommended rules (Linter with bpmnlint:recommended, NodeResolver);
//   - xmllint-wasm: validation against the OMG BPMN 2.0 XSD shipped with bpmn-moddle.
// Prints one JSON document: {"files": [{file, warnings, lint, elements}], "xsd": {valid,
// errors}}. lint is {rule: [{id, message, category}]}; elements lists each flow element
// with what moddle read from it (type, name, camunda attributes, extension types).
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

import { BpmnModdle } from 'bpmn-moddle';
import { validateXML } from 'xmllint-wasm';

const require = createRequire(import.meta.url);
const camunda = require('camunda-bpmn-moddle/resources/camunda.json');
const { Linter } = require('bpmnlint');
const NodeResolver = require('bpmnlint/lib/resolver/node-resolver');

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node bpmn-check.mjs FILE...');
  process.exit(2);
}

const moddle = new BpmnModdle({ camunda });
// A Linter per file: rules keep state between lint calls of one Linter
// (no-duplicate-sequence-flows remembers the flows it saw).
const newLinter = () => new Linter({
  config: { extends: 'bpmnlint:recommended' },
  resolver: new NodeResolver()
});

function describe(el) {
  const ext = (el.extensionElements && el.extensionElements.values) || [];
  return {
    id: el.id,
    type: el.$type,
    name: el.name,
    assignee: el.assignee,
    candidateUsers: el.candidateUsers,
    candidateGroups: el.candidateGroups,
    camundaType: el.type,
    topic: el.topic,
    extensions: ext.map((e) => ({ type: e.$type, body: e.$body }))
  };
}

const out = { files: [] };
for (const file of files) {
  const xml = await readFile(file, 'utf8');
  const entry = { file, warnings: [], lint: {}, elements: [] };
  try {
    const { rootElement, warnings } = await moddle.fromXML(xml, 'bpmn:Definitions');
    entry.warnings = warnings.map((w) => w.message);
    entry.lint = await newLinter().lint(rootElement);
    for (const root of rootElement.rootElements || []) {
      if (root.$type !== 'bpmn:Process') {
        continue;
      }
      entry.elements.push(describe(root));
      for (const el of root.flowElements || []) {
        entry.elements.push(describe(el));
      }
    }
  } catch (err) {
    entry.error = String(err && err.stack || err);
  }
  out.files.push(entry);
}

const xsdDir = path.join(path.dirname(require.resolve('bpmn-moddle/package.json')), 'resources', 'bpmn', 'xsd');
const xsd = async (name) => ({ fileName: name, contents: await readFile(path.join(xsdDir, name), 'utf8') });
const result = await validateXML({
  xml: await Promise.all(files.map(async (f, i) => ({ fileName: `file${i}.bpmn`, contents: await readFile(f, 'utf8') }))),
  schema: [await xsd('BPMN20.xsd')],
  preload: await Promise.all(['Semantic.xsd', 'BPMNDI.xsd', 'DC.xsd', 'DI.xsd'].map(xsd))
});
out.xsd = {
  valid: result.valid,
  errors: result.errors.map((e) => {
    const m = e.loc && /^file(\d+)\.bpmn$/.exec(e.loc.fileName);
    return { file: m ? files[Number(m[1])] : (e.loc && e.loc.fileName), line: e.loc && e.loc.lineNumber, message: e.message };
  })
};
console.log(JSON.stringify(out));
