// The VPP simulator's definitions, codec and message table: offsets agree with LAYOUTS.md and the generated file, sizes are computed, ids are VPP-like.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'fs';
import { loadDefs, crossCheckGenerated, offsetOf } from '../ts/vpp-sim/defs';
import { VPP_API_LAYOUTS } from '../ts/paths';
import { compileSize, sizeAt, encode, decodeAt } from '../ts/vpp-sim/codec';
import { buildTable } from '../ts/vpp-sim/msgtable';

const defs = loadDefs();

/** "### name  crc=0x..  name_crc=..." sections of LAYOUTS.md: fixed size and "| off | size | field |" rows. */
function layouts(): Map<string, { nameCrc: string; size: number; rows: [string, number][] }> {
  const text = fs.readFileSync(VPP_API_LAYOUTS, 'utf8');
  const out = new Map<string, { nameCrc: string; size: number; rows: [string, number][] }>();
  let cur: { nameCrc: string; size: number; rows: [string, number][] } | null = null;
  for (const line of text.split('\n')) {
    const h = /^### (\w+)\s+crc=0x[0-9a-f]+\s+name_crc=(\w+)/.exec(line);
    if (h) {
      cur = { nameCrc: h[2], size: -1, rows: [] };
      out.set(h[1], cur);
      continue;
    }
    if (line.startsWith('### ')) cur = null;
    if (!cur) continue;
    const s = /^fixed size = (\d+) bytes/.exec(line);
    if (s) cur.size = Number(s[1]);
    const r = /^\| (\d+) \| \d+ \| ([\w.]+) \|/.exec(line);
    if (r) cur.rows.push([r[2], Number(r[1])]);
  }
  return out;
}

test('every message in LAYOUTS.md: name_crc, fixed size and each field offset as computed here', () => {
  const L = layouts();
  assert.ok(L.size >= 39, `LAYOUTS.md sections: ${L.size}`);
  for (const [name, l] of L) {
    const m = defs.messages.get(name);
    assert.ok(m, `${name} defined`);
    if (!m) continue;
    assert.is(m.nameCrc, l.nameCrc, `${name} name_crc`);
    assert.is(m.size, l.size, `${name} fixed size`);
    for (const [field, off] of l.rows) {
      let mine: number;
      try {
        mine = offsetOf(m, field);
      } catch {
        // Fields after a VLA have no fixed offset; LAYOUTS.md lists the VLA itself at its offset.
        continue;
      }
      assert.is(mine, off, `${name}.${field}`);
    }
  }
});

test('the generated ts/vpp/gen/messages.ts agrees with this reading of the JSON', () => {
  assert.equal(crossCheckGenerated(), []);
  const fromGen = [...defs.messages.values()].filter((m) => m.source === 'generated').length;
  assert.ok(fromGen > 20, `messages taken from the generated file: ${fromGen}`);
  assert.is(defs.messages.size, 364, 'every message of the 25.10 JSON definitions');
});

test('computed sizes: fixed part + VLAs, -1 when the count lies past the end', () => {
  const r = defs.messages.get('ip_route_add_del');
  assert.ok(r);
  if (!r) return;
  const size = compileSize(r);
  const b = Buffer.alloc(39 + 3 * 167);
  b[38] = 3;
  assert.is(size(b, 0, b.length), 39 + 3 * 167);
  assert.is(sizeAt(r, b, 0, b.length), 39 + 3 * 167);
  assert.is(size(b, 0, 38), -1, 'n_paths not there');
  const d = defs.messages.get('sw_interface_dump');
  assert.ok(d);
  if (!d) return;
  const db = encode(d, { sw_if_index: 0xffffffff, name_filter_valid: true, name_filter: 'Gigabit' });
  assert.is(db.length, 19 + 7);
  assert.is(compileSize(d)(db, 0, db.length), 26);
  const [back] = decodeAt(d, db, 0);
  assert.equal([back.sw_if_index, back.name_filter_valid, back.name_filter], [0xffffffff, true, 'Gigabit']);
  const bd = defs.messages.get('bridge_domain_details');
  assert.ok(bd);
  if (!bd) return;
  const enc = encode(bd, { bd_id: 5, bd_tag: 'x', sw_if_details: [{ sw_if_index: 3, shg: 1 }, { sw_if_index: 4, shg: 0 }] });
  assert.is(compileSize(bd)(enc, 0, enc.length), enc.length);
  assert.equal((decodeAt(bd, enc, 0)[0].sw_if_details as { sw_if_index: number }[]).map((x) => x.sw_if_index), [3, 4]);
  assert.is(decodeAt(bd, enc, 0)[0].n_sw_ifs, 2, 'count filled from the array');
});

test('message table: memclnt fixed, modules contiguous in definition order, ids in u16, ~800 entries', () => {
  const t = buildTable(defs, { seed: 1 });
  assert.equal(['get_first_msg_id', 'api_versions', 'sockclnt_create', 'sockclnt_delete', 'memclnt_keepalive', 'control_ping'].map((n) => t.idOf.get(n)), [10, 12, 15, 17, 21, 23]);
  assert.ok(t.entries.length >= 780 && t.entries.length <= 840, `${t.entries.length} entries`);
  assert.is(new Set(t.entries.map((e) => e.id)).size, t.entries.length, 'ids distinct');
  assert.is(new Set(t.entries.map((e) => e.nameCrc)).size, t.entries.length, 'names distinct');
  assert.ok(t.entries.every((e) => e.id > 0 && e.id <= 0xffff));
  for (const mod of defs.modules) {
    const base = t.ranges.get(`${mod.name}_${mod.crc}`);
    assert.ok(base !== undefined, mod.name);
    mod.messages.forEach((n, i) => assert.is(t.idOf.get(n), (base) + i, `${n} at base + ${i}`));
  }
  const t2 = buildTable(defs, { seed: 2 });
  assert.not.equal(t.idOf.get('ip_route_add_del'), t2.idOf.get('ip_route_add_del'));
  const t3 = buildTable(defs, { seed: 1, idMode: 'message', omit: ['ip_route_add_del_b8ecfe0d'], padding: false });
  assert.is(t3.entries.length, 363);
  assert.not.ok(t3.entries.some((e) => e.nameCrc === 'ip_route_add_del_b8ecfe0d'));
  assert.is(t3.idOf.get('control_ping'), 23, 'message mode keeps memclnt in place');
});

test.run();
