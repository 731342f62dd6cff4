// Times ONNX Runtime (onnxruntime-node) on one model:
//   node ort_bench.js MODEL.onnx INPUT.bin d0xd1x... THREADS RUNS
// INPUT.bin holds the float32 input; prints median_ms=... p90_ms=... min_ms=...
const ort = require('onnxruntime-node');
const fs = require('fs');

async function main() {
  const [model, input, dims, threads, runs] = process.argv.slice(2);
  const shape = dims.split('x').map(Number);
  const buffer = fs.readFileSync(input);
  const data = new Float32Array(buffer.buffer, buffer.byteOffset,
                                buffer.byteLength / 4);
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: Number(threads), interOpNumThreads: 1,
    executionMode: 'sequential', graphOptimizationLevel: 'all'});
  const feeds = {};
  feeds[session.inputNames[0]] = new ort.Tensor('float32', data, shape);
  await session.run(feeds); // warm-up
  const times = [];
  for (let i = 0; i < Number(runs); ++i) {
    const start = process.hrtime.bigint();
    await session.run(feeds);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  const at = q => times[Math.min(times.length - 1,
                                 Math.round(q * (times.length - 1)))];
  console.log(`median_ms=${at(0.5).toFixed(4)} p90_ms=${at(0.9).toFixed(4)} ` +
              `min_ms=${times[0].toFixed(4)}`);
}
main().catch(e => { console.error(e); process.exit(1); });
