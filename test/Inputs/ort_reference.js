// Runs an ONNX model once in ONNX Runtime (onnxruntime-node, CPU, all graph
// optimizations, one thread) on .npy inputs, in the order of the model's
// inputs, and writes each output as OUT_DIR/<index>.npy in its own element
// type (the reference of test/onnx-opsets and test/firmware's int8 checks):
//   node ort_reference.js MODEL.onnx OUT_DIR INPUT.npy ...
// Reads and writes float16/32/64, int8/16/32/64, uint8/16/32/64 and bool.
// onnxruntime-node comes from NODE_PATH (scripts/setup.sh installs it into
// bench/.node).
const fs = require('fs');
const path = require('path');
const ort = require('onnxruntime-node');

const kinds = {
  '<f2': ['float16', Uint16Array], '<f4': ['float32', Float32Array],
  '<f8': ['float64', Float64Array], '|i1': ['int8', Int8Array], '<i2': ['int16', Int16Array],
  '<i4': ['int32', Int32Array], '<i8': ['int64', BigInt64Array], '|u1': ['uint8', Uint8Array],
  '<u2': ['uint16', Uint16Array], '<u4': ['uint32', Uint32Array],
  '<u8': ['uint64', BigUint64Array], '|b1': ['bool', Uint8Array],
};

function readNpy(file) {
  const buf = fs.readFileSync(file);
  const headerLen = buf.readUInt16LE(8);
  const header = buf.toString('latin1', 10, 10 + headerLen);
  const descr = header.match(/'descr': '([^']*)'/)[1];
  if (!(descr in kinds)) throw new Error(file + ': unsupported dtype ' + descr);
  const shape = header.match(/'shape': \(([^)]*)\)/)[1].split(',').filter(s => s.trim()).map(Number);
  const [type, Array_] = kinds[descr];
  const start = 10 + headerLen;
  const bytes = Uint8Array.prototype.slice.call(buf, start).buffer;
  const data = new Array_(bytes);
  return new ort.Tensor(type, type === 'bool' ? Uint8Array.from(data) : data, shape);
}

function writeNpy(file, tensor) {
  const entry = Object.entries(kinds).find(([, [type]]) => type === tensor.type);
  if (!entry) throw new Error('output of unsupported type ' + tensor.type);
  const [descr, [, Array_]] = entry;
  const dims = tensor.dims;
  const shape = dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  header += ' '.repeat(63 - ((header.length + 10) % 64)) + '\n';
  const prefix = Buffer.alloc(10);
  prefix.write('\x93NUMPY', 0, 'latin1');
  prefix.writeUInt8(1, 6);
  prefix.writeUInt8(0, 7);
  prefix.writeUInt16LE(header.length, 8);
  const values = tensor.type === 'bool' ? Uint8Array.from(tensor.data, v => (v ? 1 : 0))
                                        : Array_.from(tensor.data);
  const data = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
  fs.writeFileSync(file, Buffer.concat([prefix, Buffer.from(header, 'latin1'), data]));
}

async function main() {
  const [model, outDir, ...inputs] = process.argv.slice(2);
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all',
    executionMode: 'sequential'});
  const feeds = {};
  session.inputNames.forEach((name, i) => { feeds[name] = readNpy(inputs[i]); });
  const results = await session.run(feeds);
  session.outputNames.forEach((name, i) => writeNpy(path.join(outDir, `${i}.npy`), results[name]));
}

main().catch(e => { console.error('ort_reference.js: ' + e.message); process.exit(1); });
