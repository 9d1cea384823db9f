// The batch columns ingest reads, as fields of one fixed-shape object.
//
// A decoded Batch (ts/codec/layout.ts) gets its ~60 columns by computed names, which leaves V8
// holding it as a dictionary: every \`batch.attrs\` is a hash lookup, several per row. FibStore
// copies the references here once per ingest call; reading them from this class is a fixed-offset
// load, so a row costs array reads only.
import { Batch } from '../codec/layout';

export class BatchCols {
  kind: Uint8Array = new Uint8Array(0);
  msgType: Uint16Array = new Uint16Array(0);
  err: Uint8Array = new Uint8Array(0);
  family: Uint8Array = new Uint8Array(0);
  attrs: Uint32Array = new Uint32Array(0);
  dstLen: Uint8Array = new Uint8Array(0);
  table: Uint32Array = new Uint32Array(0);
  protocol: Uint8Array = new Uint8Array(0);
  rtype: Uint8Array = new Uint8Array(0);
  flags: Uint32Array = new Uint32Array(0);
  nhId: Uint32Array = new Uint32Array(0);
  oif: Uint32Array = new Uint32Array(0);
  dstOff: Uint32Array = new Uint32Array(0);
  dstAttrLen: Uint8Array = new Uint8Array(0);
  gwOff: Uint32Array = new Uint32Array(0);
  gwLen: Uint8Array = new Uint8Array(0);
  lladdrOff: Uint32Array = new Uint32Array(0);
  lladdrLen: Uint8Array = new Uint8Array(0);
  encapType: Uint16Array = new Uint16Array(0);
  labelStart: Uint32Array = new Uint32Array(0);
  labelCount: Uint8Array = new Uint8Array(0);
  pathStart: Uint32Array = new Uint32Array(0);
  pathCount: Uint16Array = new Uint16Array(0);
  groupStart: Uint32Array = new Uint32Array(0);
  groupCount: Uint16Array = new Uint16Array(0);
  groupType: Uint16Array = new Uint16Array(0);
  backupNhg: Uint32Array = new Uint32Array(0);
  vlan: Uint16Array = new Uint16Array(0);
  vni: Uint32Array = new Uint32Array(0);
  pIfindex: Uint32Array = new Uint32Array(0);
  pWeight: Uint16Array = new Uint16Array(0);
  pFlags: Uint8Array = new Uint8Array(0);
  pGwOff: Uint32Array = new Uint32Array(0);
  pGwLen: Uint8Array = new Uint8Array(0);
  pEncapType: Uint16Array = new Uint16Array(0);
  pLabelStart: Uint32Array = new Uint32Array(0);
  pLabelCount: Uint8Array = new Uint8Array(0);
  gId: Uint32Array = new Uint32Array(0);
  gWeight: Uint32Array = new Uint32Array(0);
  label: Uint32Array = new Uint32Array(0);

  /** Points every field at the columns of `b` (call per ingest: a batch may be replaced when it grows). */
  bind(b: Batch): this {
    this.kind = b.kind;
    this.msgType = b.msgType;
    this.err = b.err;
    this.family = b.family;
    this.attrs = b.attrs;
    this.dstLen = b.dstLen;
    this.table = b.table;
    this.protocol = b.protocol;
    this.rtype = b.rtype;
    this.flags = b.flags;
    this.nhId = b.nhId;
    this.oif = b.oif;
    this.dstOff = b.dstOff;
    this.dstAttrLen = b.dstAttrLen;
    this.gwOff = b.gwOff;
    this.gwLen = b.gwLen;
    this.lladdrOff = b.lladdrOff;
    this.lladdrLen = b.lladdrLen;
    this.encapType = b.encapType;
    this.labelStart = b.labelStart;
    this.labelCount = b.labelCount;
    this.pathStart = b.pathStart;
    this.pathCount = b.pathCount;
    this.groupStart = b.groupStart;
    this.groupCount = b.groupCount;
    this.groupType = b.groupType;
    this.backupNhg = b.backupNhg;
    this.vlan = b.vlan;
    this.vni = b.vni;
    this.pIfindex = b.pIfindex;
    this.pWeight = b.pWeight;
    this.pFlags = b.pFlags;
    this.pGwOff = b.pGwOff;
    this.pGwLen = b.pGwLen;
    this.pEncapType = b.pEncapType;
    this.pLabelStart = b.pLabelStart;
    this.pLabelCount = b.pLabelCount;
    this.gId = b.gId;
    this.gWeight = b.gWeight;
    this.label = b.label;
    return this;
  }
}
