// Seeds the fuzz corpus from the FRR captures: small fixtures whole, the rest as runs of frames.
// usage: node seed.js FIXTURE_DIR CORPUS_DIR   (file names are content hashes: reruns add nothing twice)
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');

const [dir, out] = process.argv.slice(2);
const MAX = 8192; // run.sh passes -max_len=8192: zebra 8.4.4 frames are at most 8196 bytes
let written = 0;
const put = (buf) => {
  if (buf.length === 0 || buf.length > MAX) return;
  const f = path.join(out, crypto.createHash('sha1').update(buf).digest('hex'));
  if (!fs.existsSync(f)) {
    fs.writeFileSync(f, buf);
    written++;
  }
};
for (const name of fs.readdirSync(dir).filter((f) => f.endsWith('.bin')).sort()) {
  const c = fs.readFileSync(path.join(dir, name));
  put(c);
  const starts = [];
  for (let p = 0; p + 4 <= c.length; p += c.readUInt16BE(p + 2)) starts.push(p);
  starts.push(c.length);
  // every distinct frame shape once (the big BGP captures repeat a few shapes thousands of times)
  const shapes = new Set();
  for (let i = 0; i + 1 < starts.length; i++) {
    const f = c.subarray(starts[i], starts[i + 1]);
    const shape = `${f.length}:${f[8]}:${f[20]}`; // length, nlmsg_type, family
    if (shapes.has(shape)) continue;
    shapes.add(shape);
    put(f);
    put(c.subarray(starts[i], starts[Math.min(i + 3, starts.length - 1)]));
  }
}
console.log(`fuzz: seeded ${written} new inputs into ${out}`);
