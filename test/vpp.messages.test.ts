// The generated VPP message table: identical to a fresh generation, and sizes/offsets agree with LAYOUTS.md.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'fs';
import * as path from 'path';
import { generate, readApiDir, WANTED_MESSAGES } from '../ts/vpp/gen/generate';
import { MESSAGES, TYPES, UNIONS, ENUMS, FieldDef } from '../ts/vpp/gen/messages';
import { VPP_API_JSON_DIR, VPP_API_LAYOUTS } from '../ts/paths';

const ROOT = path.resolve(__dirname, '..', '..');

test('committed messages.ts equals a fresh generation from the .api.json files', () => {
  const fresh = generate(readApiDir(VPP_API_JSON_DIR));
  const committed = fs.readFileSync(path.join(ROOT, 'ts', 'vpp', 'gen', 'messages.ts'), 'utf8');
  if (fresh !== committed) {
    const a = fresh.split('\n');
    const b = committed.split('\n');
    let i = 0;
    while (i < a.length && a[i] === b[i]) i++;
    assert.unreachable(`messages.ts is stale at line ${i + 1}: expected ${JSON.stringify(a[i])}, found ${JSON.stringify(b[i])}; run npm run gen:vpp`);
  }
});

test('first line says generated, from what, which VPP, how to regenerate', () => {
  const first = fs.readFileSync(path.join(ROOT, 'ts', 'vpp', 'gen', 'messages.ts'), 'utf8').split('\n')[0];
  assert.match(first, /GENERATED/);
  assert.match(first, /api\.json/);
  assert.match(first, /VPP 25\.10/);
  assert.match(first, /npm run gen:vpp/);
});

// LAYOUTS.md: "### name  crc=0x..  name_crc=..  (file)" then "fixed size = N bytes" then a table of
// "| off | size | field | type | note |" rows (nested fields dotted).
interface Layout { crc?: string; nameCrc?: string; size: number; rows: Map<string, [number, number]> }
function parseLayouts(): Map<string, Layout> {
  const text = fs.readFileSync(VPP_API_LAYOUTS, 'utf8');
  const out = new Map<string, Layout>();
  let cur: Layout | null = null;
  for (const line of text.split('\n')) {
    let m = /^### (?:type )?(\w+)(?:\s+crc=(0x[0-9a-f]+)\s+name_crc=(\w+))?/.exec(line);
    if (m && !line.startsWith('### enum')) {
      cur = { crc: m[2], nameCrc: m[3], size: -1, rows: new Map() };
      out.set((line.startsWith('### type') ? 'type:' : '') + m[1], cur);
      continue;
    }
    if (!cur) continue;
    m = /^fixed size = (\d+) bytes/.exec(line);
    if (m) cur.size = Number(m[1]);
    m = /^\| (\d+) \| (\d+) \| ([\w.[\]]+) \|/.exec(line);
    if (m) cur.rows.set(m[3], [Number(m[1]), Number(m[2])]);
  }
  return out;
}

/** Flatten a message's fields the way LAYOUTS.md does (nested struct members dotted, first array element only). */
function flatten(fields: readonly FieldDef[], base: number, prefix: string, out: Map<string, [number, number]>): void {
  for (const f of fields) {
    const name = prefix + f.name;
    const off = f.offset < 0 ? -1 : base + f.offset;
    out.set(name, [off, f.size]);
    if (off < 0) continue;
    if (f.kind === 'struct' || f.kind === 'union') {
      const t = f.kind === 'struct' ? TYPES[f.ref!] : UNIONS[f.ref!];
      if (f.kind === 'union') continue; // LAYOUTS.md does not expand unions
      if (f.count === 1) flatten(t.fields, off, name + '.', out);
      else if (f.count > 1) flatten(t.fields, off, name + '[0].', out);
    }
  }
}

const layouts = parseLayouts();

test('every message in LAYOUTS.md that fibpush uses has the same crc, fixed size and offsets', () => {
  let checked = 0;
  for (const [key, lay] of layouts) {
    if (key.startsWith('type:')) continue;
    const def = MESSAGES[key];
    if (!def) continue; // LAYOUTS.md documents a few messages fibpush does not use (ip_neighbor_add_del)
    checked++;
    assert.is(def.crc, lay.crc, `${key} crc`);
    assert.is(def.nameCrc, lay.nameCrc, `${key} name_crc`);
    assert.is(def.size, lay.size, `${key} fixed size`);
    const mine = new Map<string, [number, number]>();
    flatten(def.fields, 0, '', mine);
    for (const [field, [off, size]] of lay.rows) {
      const got = mine.get(field);
      assert.ok(got, `${key}.${field} present`);
      assert.equal(got, [off, size], `${key}.${field} offset/size`);
    }
  }
  assert.ok(checked >= 30, `checked ${checked} messages`);
});

test('types in LAYOUTS.md have the same sizes and offsets', () => {
  let checked = 0;
  for (const [key, lay] of layouts) {
    if (!key.startsWith('type:')) continue;
    const name = key.slice(5);
    const t = TYPES[name];
    if (!t) continue;
    checked++;
    assert.is(t.size, lay.size, `${name} size`);
    const mine = new Map<string, [number, number]>();
    flatten(t.fields, 0, '', mine);
    for (const [field, [off, size]] of lay.rows) assert.equal(mine.get(field), [off, size], `${name}.${field}`);
  }
  assert.ok(checked >= 10, `checked ${checked} types`);
});

test('every wanted request has its reply (and details) in the table, and name_crc is name + crc', () => {
  for (const n of WANTED_MESSAGES) {
    const d = MESSAGES[n];
    assert.ok(d, n);
    if (d.reply) assert.ok(MESSAGES[d.reply], `${n} -> ${d.reply}`);
    if (d.streamMsg) assert.ok(MESSAGES[d.streamMsg], `${n} -> ${d.streamMsg}`);
  }
  for (const d of Object.values(MESSAGES)) assert.is(d.nameCrc, `${d.name}_${d.crc.slice(2)}`);
  // The running VPP's table (ALL_NAME_CRC.txt lists a subset of the one checked) agrees where it overlaps.
  const all = new Set(fs.readFileSync(path.join(VPP_API_JSON_DIR, 'ALL_NAME_CRC.txt'), 'utf8').split(/\s+/).filter(Boolean));
  for (const d of Object.values(MESSAGES)) {
    const sameName = [...all].filter((x) => x.startsWith(d.name + '_') && /^[0-9a-f]{8}$/.test(x.slice(d.name.length + 1)));
    if (sameName.length) assert.ok(all.has(d.nameCrc), `${d.nameCrc} vs ${sameName.join(',')}`);
  }
});

test('enums used by the route messages have the documented values', () => {
  assert.is(ENUMS.fib_path_type.values.FIB_API_PATH_TYPE_DROP, 2);
  assert.is(ENUMS.fib_path_type.values.FIB_API_PATH_TYPE_ICMP_UNREACH, 5);
  assert.is(ENUMS.fib_path_type.values.FIB_API_PATH_TYPE_ICMP_PROHIBIT, 6);
  assert.is(ENUMS.fib_path_flags.values.FIB_API_PATH_FLAG_RESOLVE_VIA_HOST, 2);
  assert.is(ENUMS.fib_path_nh_proto.values.FIB_API_PATH_NH_PROTO_MPLS, 2);
  assert.is(ENUMS.fib_path_type.wire, 'u32');
  assert.is(ENUMS.address_family.wire, 'u8');
});

test.run();
