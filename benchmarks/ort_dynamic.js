// Runs ONNX Runtime (onnxruntime-node) on a model over several inputs, for
// the dynamic model suite: each input may take a different path through
// If/Loop, so each gets its own warm-up and median.
//
//   node ort_dynamic.js MODEL.onnx THREADS RUNS OUT_DIR IN.bin:1x3x32x32 ...
//
// Every IN.bin holds one float32 tensor of the dims after the colon. For
// input k, output i is written raw to OUT_DIR/ort<k>_<i>.bin, and one line
//   input=k outputs=<type>:<d0xd1..>,... median_ms=... min_ms=...
// is printed (median_ms only when RUNS > 0).
const ort = require('onnxruntime-node');
const fs = require('fs');
const path = require('path');

function readInput(spec) {
  const colon = spec.lastIndexOf(':');
  const file = spec.slice(0, colon);
  const dims = spec.slice(colon + 1).split('x').filter(s => s.length)
                   .map(Number);
  const buffer = fs.readFileSync(file);
  const data = new Float32Array(buffer.buffer, buffer.byteOffset,
                                buffer.byteLength / 4);
  return new ort.Tensor('float32', data, dims);
}

async function main() {
  const [model, threads, runs, outDir, ...specs] = process.argv.slice(2);
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: Number(threads), interOpNumThreads: 1,
    executionMode: 'sequential', graphOptimizationLevel: 'all'});
  for (const [k, spec] of specs.entries()) {
    const feeds = {[session.inputNames[0]]: readInput(spec)};
    const results = await session.run(feeds); // warm-up, and the outputs
    const described = session.outputNames.map((name, i) => {
      const t = results[name];
      const bytes = Buffer.from(t.data.buffer, t.data.byteOffset,
                                t.data.byteLength);
      fs.writeFileSync(path.join(outDir, `ort${k}_${i}.bin`), bytes);
      return `${t.type}:${t.dims.join('x')}`;
    });
    let line = `input=${k} outputs=${described.join(',')}`;
    const times = [];
    for (let r = 0; r < Number(runs); ++r) {
      const start = process.hrtime.bigint();
      await session.run(feeds);
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    if (times.length) {
      times.sort((a, b) => a - b);
      const mid = times.length >> 1;
      const median = times.length % 2 ? times[mid]
                                      : (times[mid - 1] + times[mid]) / 2;
      line += ` median_ms=${median.toFixed(4)} min_ms=${times[0].toFixed(4)}`;
    }
    console.log(line);
  }
}
main().catch(e => { console.error(e); process.exit(1); });
