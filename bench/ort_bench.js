// Median latency of one ONNX model in ONNX Runtime (onnxruntime-node, CPU,
// all graph optimizations): `node ort_bench.js MODEL.onnx INPUT.npy THREADS RUNS`
// prints {"median_ms": ...}.
const fs = require('fs');
const ort = require('onnxruntime-node');

function readNpyF32(path) {
  const buf = fs.readFileSync(path);
  const headerLen = buf.readUInt16LE(8);
  const header = buf.toString('latin1', 10, 10 + headerLen);
  if (!header.includes("'<f4'")) throw new Error(path + ': expected little-endian float32');
  const shape = header.match(/'shape': \(([^)]*)\)/)[1].split(',').filter(s => s.trim()).map(Number);
  const start = buf.byteOffset + 10 + headerLen;
  const data = new Float32Array(buf.buffer.slice(start, buf.byteOffset + buf.length));
  return new ort.Tensor('float32', data, shape);
}

async function main() {
  const [model, input, threads, runs] = process.argv.slice(2);
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: Number(threads), interOpNumThreads: 1,
    graphOptimizationLevel: 'all', executionMode: 'sequential'});
  const feeds = {[session.inputNames[0]]: readNpyF32(input)};
  await session.run(feeds);
  const times = [];
  for (let i = 0; i < Number(runs); i++) {
    const t0 = process.hrtime.bigint();
    await session.run(feeds);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  console.log(JSON.stringify({median_ms: times[times.length >> 1]}));
}
main().catch(e => { console.error(e.message); process.exit(1); });
