// Runs an ONNX model once in ONNX Runtime (onnxruntime-node, CPU, all graph
// optimizations, one thread) on float32 .npy inputs, in the order of the
// model's inputs, and writes each output as OUT_DIR/<index>.npy (float32):
//   node ort_run.js MODEL.onnx OUT_DIR INPUT.npy ...
// onnxruntime-node comes from the NODE_PATH that check_int8.py sets
// (scripts/setup.sh installs it into bench/.node).
const fs = require('fs');
const path = require('path');
const ort = require('onnxruntime-node');

function readNpyF32(file) {
  const buf = fs.readFileSync(file);
  const headerLen = buf.readUInt16LE(8);
  const header = buf.toString('latin1', 10, 10 + headerLen);
  if (!header.includes("'<f4'")) throw new Error(file + ': expected little-endian float32');
  const shape = header.match(/'shape': \(([^)]*)\)/)[1].split(',').filter(s => s.trim()).map(Number);
  const start = buf.byteOffset + 10 + headerLen;
  return new ort.Tensor('float32', new Float32Array(buf.buffer.slice(start, buf.byteOffset + buf.length)), shape);
}

function writeNpyF32(file, tensor) {
  const shape = tensor.dims.length === 1 ? `(${tensor.dims[0]},)` : `(${tensor.dims.join(', ')})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shape}, }`;
  header += ' '.repeat(63 - ((header.length + 10) % 64)) + '\n';
  const prefix = Buffer.alloc(10);
  prefix.write('\x93NUMPY', 0, 'latin1');
  prefix.writeUInt8(1, 6);
  prefix.writeUInt8(0, 7);
  prefix.writeUInt16LE(header.length, 8);
  const data = Buffer.from(Float32Array.from(tensor.data).buffer);
  fs.writeFileSync(file, Buffer.concat([prefix, Buffer.from(header, 'latin1'), data]));
}

async function main() {
  const [model, outDir, ...inputs] = process.argv.slice(2);
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all',
    executionMode: 'sequential'});
  const feeds = {};
  session.inputNames.forEach((name, i) => { feeds[name] = readNpyF32(inputs[i]); });
  const results = await session.run(feeds);
  session.outputNames.forEach((name, i) => writeNpyF32(path.join(outDir, `${i}.npy`), results[name]));
}

main().catch(e => { console.error('ort_run.js: ' + e.message); process.exit(1); });
