/**
 * An in-memory DynamoDB behind the document-client interface (`send(command)` with lib-dynamodb's
 * Get/Put/Update/Query commands), faithful where the store depends on it:
 *  - items are marshalled with the same options as shared/adapters/clients.ts (so a JS number,
 *    a Decimal or an undefined in an item fails here as it would on the wire) and read back with
 *    wrapNumbers (NumberValue);
 *  - ConditionExpression / KeyConditionExpression are parsed and evaluated (AND, OR, NOT,
 *    parentheses, =, <>, <, <=, >, >=, BETWEEN, attribute_exists, attribute_not_exists,
 *    begins_with), numbers compared as exact decimals, strings by UTF-8 bytes, different types
 *    never equal; a failed condition throws ConditionalCheckFailedException;
 *  - UpdateExpression SET with names, values, if_not_exists(path, :v) and `+` / `-`, and REMOVE;
 *  - DynamoDB's 400 KB item limit (sizes counted by DynamoDB's rules): a put or update that would
 *    make a larger item fails with a ValidationException, as on the wire;
 *  - BatchGetItem (one table);
 *  - Query on the table or a GSI (only items carrying both index keys), ascending or descending,
 *    Limit, ProjectionExpression, and pages of `pageSize` items with LastEvaluatedKey;
 *  - a NEW_IMAGE stream: one record per write that changed the item (DynamoDB writes no record
 *    for a write that changes nothing);
 *  - the requests DynamoDB refuses with a ValidationException: a number of more than 38
 *    significant digits or out of range, a key or index key that is not a non-empty string, an
 *    unused (or undefined) ExpressionAttributeNames / ExpressionAttributeValues entry, a reserved
 *    word as an attribute name (test/support/dynamodb-reserved.ts), a consistent read of a GSI,
 *    a BatchGetItem of duplicate keys or more than 100 keys; and a Query that reaches its Limit
 *    returns LastEvaluatedKey even when no item follows.
 * The Store contract (test/support/store-contract.ts) runs the same cases here and on DynamoDB Local.
 * Fault injection: `faults` is consulted before every request and may throw (the request is not
 * applied) or ask for the request to be applied and then throw (a timeout whose write landed).
 */
import { ConditionalCheckFailedException, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { marshall, unmarshall, type NativeAttributeValue } from '@aws-sdk/util-dynamodb';
import Decimal from 'decimal.js';
import { RESERVED_WORDS } from './dynamodb-reserved';

export type Item = Record<string, AttributeValue>;

export interface StreamRecord {
  eventID: string;
  eventName: 'INSERT' | 'MODIFY';
  dynamodb: { Keys: Item; NewImage: Item; SequenceNumber: string; StreamViewType: 'NEW_IMAGE' };
}

export type RequestKind = 'put' | 'update' | 'get' | 'query' | 'batchget';

export interface Request {
  /** 0-based index among all requests of this kind's class (writes: put + update; reads: get + query). */
  index: number;
  kind: RequestKind;
  write: boolean;
  pk: string;
  sk: string;
  /** A short description: `put V#...`, `update HEAD SET ...`. */
  describe: string;
}

/** What a fault hook decides for one request. */
export type FaultDecision = undefined | { throwBefore: Error } | { throwAfter: Error };

const marshallOptions = { removeUndefinedValues: true, convertEmptyValues: false } as const;

const keyOf = (pk: string, sk: string) => `${pk}\u0000${sk}`;

function sOf(v: AttributeValue | undefined): string {
  if (!v || v.S === undefined) throw new Error(`key attribute is not a string: ${JSON.stringify(v)}`);
  return v.S;
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** DynamoDB's ValidationException (a client error, as the SDK throws it). */
function validation(message: string): Error {
  const e = new Error(message);
  e.name = 'ValidationException';
  return Object.assign(e, { $metadata: { httpStatusCode: 400 }, $fault: 'client' });
}

/** A number DynamoDB stores: at most 38 significant digits, magnitude from 1E-130 to below 1E+126. */
function checkNumber(n: string): void {
  const d = new Decimal(n);
  if (d.isZero()) return;
  if (d.sd() > 38) throw validation('DynamoDB only supports precision up to 38 digits');
  if (d.abs().gte('1E+126'))
    throw validation('Number overflow. Attempting to store a number with magnitude larger than supported range');
  if (d.abs().lt('1E-130'))
    throw validation('Number underflow. Attempting to store a number with magnitude smaller than supported range');
}

function checkNumbers(v: AttributeValue): void {
  if (v.N !== undefined) checkNumber(v.N);
  else if (v.NS !== undefined) v.NS.forEach(checkNumber);
  else if (v.L !== undefined) v.L.forEach(checkNumbers);
  else if (v.M !== undefined) Object.values(v.M).forEach(checkNumbers);
}

/** Every attribute name (#x) and value (:x) an expression names. */
function placeholders(...exprs: (string | undefined)[]): Set<string> {
  const out = new Set<string>();
  for (const e of exprs) for (const m of (e ?? '').matchAll(/[#:][A-Za-z0-9_]+/g)) out.add(m[0]);
  return out;
}

/** DynamoDB refuses a name or value the request defines and no expression uses. */
function checkPlaceholders(
  input: { ExpressionAttributeNames?: Record<string, string>; ExpressionAttributeValues?: Record<string, unknown> },
  ...exprs: (string | undefined)[]
): void {
  const used = placeholders(...exprs);
  for (const k of Object.keys(input.ExpressionAttributeNames ?? {}))
    if (!used.has(k))
      throw validation(`Value provided in ExpressionAttributeNames unused in expressions: keys: {${k}}`);
  for (const k of Object.keys(input.ExpressionAttributeValues ?? {}))
    if (!used.has(k))
      throw validation(`Value provided in ExpressionAttributeValues unused in expressions: keys: {${k}}`);
  for (const k of used) {
    if (k.startsWith('#') && !(k in (input.ExpressionAttributeNames ?? {})))
      throw validation(`An expression attribute name used in the document path is not defined; attribute name: ${k}`);
    if (k.startsWith(':') && !(k in (input.ExpressionAttributeValues ?? {})))
      throw validation(`An expression attribute value used in expression is not defined; attribute value: ${k}`);
  }
}

function checkName(raw: string): void {
  if (RESERVED_WORDS.has(raw.toUpperCase()))
    throw validation(`Invalid expression: Attribute name is a reserved keyword; reserved keyword: ${raw}`);
}

// ---- expressions -------------------------------------------------------------------------------

type Token = { t: 'id' | 'op' | '(' | ')' | ','; v: string };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')' || c === ',') {
      out.push({ t: c, v: c });
      i++;
    } else if ('<>=+-'.includes(c)) {
      const two = src.slice(i, i + 2);
      if (two === '<=' || two === '>=' || two === '<>') {
        out.push({ t: 'op', v: two });
        i += 2;
      } else {
        out.push({ t: 'op', v: c });
        i++;
      }
    } else {
      const m = /^[#:A-Za-z_][A-Za-z0-9_.#:]*/.exec(src.slice(i));
      if (!m)
        throw new Error(
          `fake DynamoDB: cannot read expression at ${JSON.stringify(src.slice(i))} in ${JSON.stringify(src)}`,
        );
      out.push({ t: 'id', v: m[0] });
      i += m[0].length;
    }
  }
  return out;
}

interface Ctx {
  names: Record<string, string>;
  values: Item;
}

type Operand = { path: string } | { value: string };

class Parser {
  i = 0;
  constructor(
    readonly toks: Token[],
    readonly ctx: Ctx,
    readonly src: string,
  ) {}
  peek(): Token | undefined {
    return this.toks[this.i];
  }
  take(t?: Token['t'], v?: string): Token {
    const tok = this.toks[this.i++];
    // A syntax error, as DynamoDB reports one (ValidationException).
    if (!tok || (t && tok.t !== t) || (v && tok.v.toUpperCase() !== v))
      throw validation(`fake DynamoDB: unexpected ${JSON.stringify(tok)} in ${JSON.stringify(this.src)}`);
    return tok;
  }
  isWord(w: string): boolean {
    const t = this.peek();
    return !!t && t.t === 'id' && t.v.toUpperCase() === w;
  }
  operand(): Operand {
    const tok = this.take('id');
    if (tok.v.startsWith(':')) {
      if (!(tok.v in this.ctx.values)) throw new Error(`fake DynamoDB: value ${tok.v} is not defined (${this.src})`);
      return { value: tok.v };
    }
    return { path: this.name(tok.v) };
  }
  name(raw: string): string {
    if (raw.includes('.')) throw new Error(`fake DynamoDB: nested paths are not supported (${raw})`);
    if (raw.startsWith('#')) {
      const n = this.ctx.names[raw];
      if (n === undefined) throw new Error(`fake DynamoDB: name ${raw} is not defined (${this.src})`);
      return n;
    }
    checkName(raw);
    return raw;
  }
}

type Cond = (item: Item | undefined) => boolean;

function resolve(o: Operand, item: Item | undefined, ctx: Ctx): AttributeValue | undefined {
  return 'value' in o ? ctx.values[o.value] : item?.[o.path];
}

/** -1, 0, 1, or undefined when the two cannot be compared (missing, or different types). */
function compare(a: AttributeValue | undefined, b: AttributeValue | undefined): number | undefined {
  if (!a || !b) return undefined;
  if (a.S !== undefined && b.S !== undefined) return Buffer.compare(Buffer.from(a.S, 'utf8'), Buffer.from(b.S, 'utf8'));
  if (a.N !== undefined && b.N !== undefined) return new Decimal(a.N).cmp(new Decimal(b.N));
  if (a.BOOL !== undefined && b.BOOL !== undefined) return a.BOOL === b.BOOL ? 0 : undefined;
  if (a.NULL !== undefined && b.NULL !== undefined) return 0;
  return undefined;
}

function parseCondition(src: string, ctx: Ctx): Cond {
  const p = new Parser(tokenize(src), ctx, src);
  const expr = (): Cond => {
    let left = term();
    while (p.isWord('OR')) {
      p.take();
      const l = left;
      const r = term();
      left = (it) => l(it) || r(it);
    }
    return left;
  };
  const term = (): Cond => {
    let left = factor();
    while (p.isWord('AND')) {
      p.take();
      const l = left;
      const r = factor();
      left = (it) => l(it) && r(it);
    }
    return left;
  };
  const factor = (): Cond => {
    if (p.isWord('NOT')) {
      p.take();
      const f = factor();
      return (it) => !f(it);
    }
    const t = p.peek();
    if (t?.t === '(') {
      p.take('(');
      const e = expr();
      p.take(')');
      return e;
    }
    if (t?.t === 'id' && p.toks[p.i + 1]?.t === '(') {
      const fn = p.take('id').v;
      p.take('(');
      if (fn === 'attribute_exists' || fn === 'attribute_not_exists') {
        const path = p.name(p.take('id').v);
        p.take(')');
        return fn === 'attribute_exists' ? (it) => it?.[path] !== undefined : (it) => it?.[path] === undefined;
      }
      if (fn === 'begins_with') {
        const a = p.operand();
        p.take(',');
        const b = p.operand();
        p.take(')');
        return (it) => {
          const x = resolve(a, it, ctx);
          const y = resolve(b, it, ctx);
          return x?.S !== undefined && y?.S !== undefined && x.S.startsWith(y.S);
        };
      }
      throw new Error(`fake DynamoDB: function ${fn} is not supported (${src})`);
    }
    const a = p.operand();
    if (p.isWord('BETWEEN')) {
      p.take();
      const lo = p.operand();
      p.take('id', 'AND');
      const hi = p.operand();
      return (it) => {
        const x = resolve(a, it, ctx);
        const c1 = compare(x, resolve(lo, it, ctx));
        const c2 = compare(x, resolve(hi, it, ctx));
        return c1 !== undefined && c2 !== undefined && c1 >= 0 && c2 <= 0;
      };
    }
    const op = p.take('op').v;
    const b = p.operand();
    return (it) => {
      const c = compare(resolve(a, it, ctx), resolve(b, it, ctx));
      if (op === '<>') return c !== 0;
      if (c === undefined) return false;
      switch (op) {
        case '=':
          return c === 0;
        case '<':
          return c < 0;
        case '<=':
          return c <= 0;
        case '>':
          return c > 0;
        case '>=':
          return c >= 0;
      }
      throw new Error(`fake DynamoDB: operator ${op} (${src})`);
    };
  };
  const c = expr();
  if (p.i !== p.toks.length) throw new Error(`fake DynamoDB: trailing tokens in ${JSON.stringify(src)}`);
  return c;
}

/** DynamoDB's item size rules: names and strings by UTF-8 bytes, numbers ~1 byte per 2 significant digits + 1, containers 3 + 1 per element. */
function attrSize(v: AttributeValue): number {
  if (v.S !== undefined) return Buffer.byteLength(v.S, 'utf8');
  if (v.N !== undefined) {
    const digits = v.N.replace(/^-/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '').length;
    return Math.ceil(Math.max(1, digits) / 2) + 1;
  }
  if (v.B !== undefined) return (v.B as Uint8Array).length;
  if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
  if (v.L !== undefined) return 3 + v.L.reduce((n, x) => n + 1 + attrSize(x), 0);
  if (v.M !== undefined)
    return 3 + Object.entries(v.M).reduce((n, [k, x]) => n + 1 + Buffer.byteLength(k, 'utf8') + attrSize(x), 0);
  if (v.SS !== undefined) return v.SS.reduce((n, x) => n + Buffer.byteLength(x, 'utf8'), 0);
  if (v.NS !== undefined) return v.NS.reduce((n, x) => n + x.length, 0);
  return 0;
}

export const ITEM_LIMIT_BYTES = 400 * 1024;

export function itemBytes(item: Item): number {
  return Object.entries(item).reduce((n, [k, v]) => n + Buffer.byteLength(k, 'utf8') + attrSize(v), 0);
}

function checkItemSize(item: Item): void {
  if (itemBytes(item) > ITEM_LIMIT_BYTES) {
    const e = new Error('Item size has exceeded the maximum allowed size');
    e.name = 'ValidationException';
    throw Object.assign(e, { $metadata: { httpStatusCode: 400 }, $fault: 'client' });
  }
}

function applyUpdate(src: string, ctx: Ctx, item: Item): Item {
  const p = new Parser(tokenize(src), ctx, src);
  // Items are never changed in place (a write stores a new top-level map; nested values are
  // replaced, never mutated), so a shallow copy is a snapshot: the stream records and earlier
  // reads keep the values they saw.
  const next: Item = { ...item };
  if (p.isWord('REMOVE')) {
    removeClause(p, next);
    if (p.i !== p.toks.length) throw new Error(`fake DynamoDB: unsupported update ${JSON.stringify(src)}`);
    return next;
  }
  p.take('id', 'SET');
  const value = (): AttributeValue => {
    const t = p.peek();
    if (t?.t === 'id' && t.v === 'if_not_exists') {
      p.take();
      p.take('(');
      const path = p.name(p.take('id').v);
      p.take(',');
      const dflt = p.operand();
      p.take(')');
      return item[path] ?? resolve(dflt, item, ctx)!;
    }
    const o = p.operand();
    const v = resolve(o, item, ctx);
    if (!v) throw new Error(`fake DynamoDB: ${JSON.stringify(o)} has no value (${src})`);
    return v;
  };
  for (;;) {
    const path = p.name(p.take('id').v);
    p.take('op', '=');
    let v = value();
    while (p.peek()?.t === 'op' && (p.peek()!.v === '+' || p.peek()!.v === '-')) {
      const op = p.take().v;
      const w = value();
      if (v.N === undefined || w.N === undefined)
        throw new Error('fake DynamoDB: an operand of + or - is not a number (ValidationException)');
      v = { N: (op === '+' ? new Decimal(v.N).plus(w.N) : new Decimal(v.N).minus(w.N)).toFixed() };
    }
    next[path] = v;
    if (p.peek()?.t !== ',') break;
    p.take(',');
  }
  if (p.isWord('REMOVE')) removeClause(p, next);
  if (p.i !== p.toks.length) throw new Error(`fake DynamoDB: unsupported update ${JSON.stringify(src)}`);
  return next;
}

function removeClause(p: Parser, next: Item): void {
  p.take('id', 'REMOVE');
  for (;;) {
    delete next[p.name(p.take('id').v)];
    if (p.peek()?.t !== ',') break;
    p.take(',');
  }
}

/** What a request is about, for a gate: its kind and the keys it names (a query: its partition). */
export interface GateRequest {
  kind: RequestKind;
  keys: { pk: string; sk?: string }[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function gateOf(command: any): GateRequest {
  const k = (x: Record<string, unknown> | undefined) => ({
    pk: String(x?.pk ?? ''),
    sk: x?.sk === undefined ? undefined : String(x.sk),
  });
  if (command instanceof PutCommand) return { kind: 'put', keys: [k(command.input.Item)] };
  if (command instanceof UpdateCommand) return { kind: 'update', keys: [k(command.input.Key)] };
  if (command instanceof GetCommand) return { kind: 'get', keys: [k(command.input.Key)] };
  if (command instanceof QueryCommand)
    return {
      kind: 'query',
      keys: [
        {
          pk: String(
            command.input.ExpressionAttributeValues?.[':pk'] ?? command.input.ExpressionAttributeValues?.[':f'] ?? '',
          ),
        },
      ],
    };
  if (command instanceof BatchGetCommand)
    return {
      kind: 'batchget',
      keys: Object.values(command.input.RequestItems ?? {}).flatMap((r) =>
        (r.Keys ?? []).map((x) => k(x as Record<string, unknown>)),
      ),
    };
  return { kind: 'get', keys: [] };
}

// ---- the table ---------------------------------------------------------------------------------

export interface FakeDynamoOptions {
  /** Items per Query page before LastEvaluatedKey (default 3, so the store's paging is exercised). */
  pageSize?: number;
  /** Global secondary indexes: name -> [partition key, sort key]. */
  indexes?: Record<string, [string, string]>;
}

export class FakeDynamo {
  readonly items = new Map<string, Item>();
  readonly stream: StreamRecord[] = [];
  /** Every request, in order (faulted ones included). */
  readonly log: Request[] = [];
  writes = 0;
  reads = 0;
  /** Called before each request; may fail it. */
  faults?: (r: Request) => FaultDecision;
  /** Awaited before each request: random latency, so concurrent callers interleave differently. */
  jitter?: () => Promise<void>;
  /** Awaited before each request, told what it is: to hold one caller's request until another's has run (an exact interleaving). */
  gate?: (r: GateRequest) => Promise<void>;
  private seq = 0;
  readonly pageSize: number;
  readonly indexes: Record<string, [string, string]>;

  constructor(options: FakeDynamoOptions = {}) {
    this.pageSize = options.pageSize ?? 3;
    this.indexes = options.indexes ?? { gsi1: ['gsi1pk', 'gsi1sk'], gsi2: ['gsi2pk', 'gsi2sk'] };
  }

  /** Typed as whatever the caller needs (the Store takes a DynamoDBDocumentClient). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  client(): any {
    return this;
  }

  /** Native view of an item (NumberValue for numbers). */
  get(pk: string, sk: string): Record<string, unknown> | undefined {
    const i = this.items.get(keyOf(pk, sk));
    return i ? unmarshall(i, { wrapNumbers: true }) : undefined;
  }

  all(): Record<string, unknown>[] {
    return [...this.items.values()].map((i) => unmarshall(i, { wrapNumbers: true }));
  }

  raw(pk: string, sk: string): Item | undefined {
    return this.items.get(keyOf(pk, sk));
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async send(command: any): Promise<any> {
    await (this.jitter ? this.jitter() : Promise.resolve());
    if (this.gate) await this.gate(gateOf(command));
    if (command instanceof PutCommand) return this.put(command.input);
    if (command instanceof UpdateCommand) return this.update(command.input);
    if (command instanceof GetCommand) return this.getItem(command.input);
    if (command instanceof QueryCommand) return this.query(command.input);
    if (command instanceof BatchGetCommand) return this.batchGet(command.input);
    throw new Error(`fake DynamoDB: ${command?.constructor?.name} is not supported`);
  }

  private request(kind: RequestKind, pk: string, sk: string, describe: string): FaultDecision {
    const write = kind === 'put' || kind === 'update';
    const r: Request = { index: write ? this.writes++ : this.reads++, kind, write, pk, sk, describe };
    this.log.push(r);
    return this.faults?.(r);
  }

  private ctx(input: {
    ExpressionAttributeNames?: Record<string, string>;
    ExpressionAttributeValues?: Record<string, NativeAttributeValue>;
  }): Ctx {
    return {
      names: input.ExpressionAttributeNames ?? {},
      values: input.ExpressionAttributeValues ? marshall(input.ExpressionAttributeValues, marshallOptions) : {},
    };
  }

  private emit(old: Item | undefined, next: Item) {
    if (old && canonical(old) === canonical(next)) return;
    const seq = String(++this.seq).padStart(21, '0');
    this.stream.push({
      eventID: `ev-${seq}`,
      eventName: old ? 'MODIFY' : 'INSERT',
      dynamodb: {
        Keys: { pk: next.pk, sk: next.sk },
        NewImage: next,
        SequenceNumber: seq,
        StreamViewType: 'NEW_IMAGE',
      },
    });
  }

  /** What DynamoDB validates of an item it is to store: its keys, its index keys (strings, not empty), its numbers. */
  private checkItem(item: Item): void {
    this.checkKey(item);
    for (const [hash, range] of Object.values(this.indexes))
      for (const a of [hash, range])
        if (item[a] !== undefined && (item[a].S === undefined || item[a].S === ''))
          throw validation(
            `One or more parameter values were invalid: Type mismatch or empty value for Index Key ${a}`,
          );
    Object.values(item).forEach(checkNumbers);
  }

  private checkKey(key: Item): void {
    for (const a of ['pk', 'sk']) {
      if (key[a]?.S === undefined)
        throw validation(`One or more parameter values were invalid: Type mismatch or missing key ${a}`);
      if (key[a].S === '')
        throw validation(
          'One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value.',
        );
    }
  }

  private async put(input: PutCommand['input']) {
    const item = marshall(input.Item as Record<string, NativeAttributeValue>, marshallOptions);
    this.checkItem(item);
    checkPlaceholders(input, input.ConditionExpression);
    const pk = sOf(item.pk);
    const sk = sOf(item.sk);
    const decision = this.request('put', pk, sk, `put ${pk} ${sk}${item.type?.S ? ` (${item.type.S})` : ''}`);
    if (decision && 'throwBefore' in decision) throw decision.throwBefore;
    const old = this.items.get(keyOf(pk, sk));
    if (input.ConditionExpression && !parseCondition(input.ConditionExpression, this.ctx(input))(old))
      throw new ConditionalCheckFailedException({
        message: 'The conditional request failed',
        $metadata: { httpStatusCode: 400 },
      });
    checkItemSize(item);
    this.items.set(keyOf(pk, sk), item);
    this.emit(old, item);
    if (decision && 'throwAfter' in decision) throw decision.throwAfter;
    return { $metadata: {} };
  }

  private async update(input: UpdateCommand['input']) {
    const key = marshall(input.Key as Record<string, NativeAttributeValue>, marshallOptions);
    this.checkKey(key);
    checkPlaceholders(input, input.UpdateExpression, input.ConditionExpression);
    const pk = sOf(key.pk);
    const sk = sOf(key.sk);
    const decision = this.request('update', pk, sk, `update ${pk} ${sk} ${input.UpdateExpression}`);
    if (decision && 'throwBefore' in decision) throw decision.throwBefore;
    const ctx = this.ctx(input);
    const old = this.items.get(keyOf(pk, sk));
    if (input.ConditionExpression && !parseCondition(input.ConditionExpression, ctx)(old))
      throw new ConditionalCheckFailedException({
        message: 'The conditional request failed',
        $metadata: { httpStatusCode: 400 },
      });
    const next = applyUpdate(input.UpdateExpression!, ctx, old ?? { pk: key.pk, sk: key.sk });
    this.checkItem(next);
    checkItemSize(next);
    this.items.set(keyOf(pk, sk), next);
    this.emit(old, next);
    if (decision && 'throwAfter' in decision) throw decision.throwAfter;
    return { $metadata: {} };
  }

  private async getItem(input: GetCommand['input']) {
    const key = marshall(input.Key as Record<string, NativeAttributeValue>, marshallOptions);
    const pk = sOf(key.pk);
    const sk = sOf(key.sk);
    const decision = this.request('get', pk, sk, `get ${pk} ${sk}`);
    if (decision && 'throwBefore' in decision) throw decision.throwBefore;
    const item = this.items.get(keyOf(pk, sk));
    if (decision && 'throwAfter' in decision) throw decision.throwAfter;
    return { $metadata: {}, Item: item ? unmarshall(item, { wrapNumbers: true }) : undefined };
  }

  /** BatchGetItem on one table, strongly consistent or not (the same here); never leaves keys unprocessed. */
  private async batchGet(input: BatchGetCommand['input']) {
    const [[table, req]] = Object.entries(input.RequestItems ?? {});
    const keys = (req.Keys ?? []).map((k) => marshall(k as Record<string, NativeAttributeValue>, marshallOptions));
    keys.forEach((k) => this.checkKey(k));
    if (keys.length > 100) throw validation('Too many items requested for the BatchGetItem call');
    if (new Set(keys.map((k) => keyOf(sOf(k.pk), sOf(k.sk)))).size !== keys.length)
      throw validation('Provided list of item keys contains duplicates');
    const decision = this.request(
      'batchget',
      keys.map((k) => sOf(k.pk)).join(','),
      keys.map((k) => sOf(k.sk)).join(','),
      `batchget ${keys.map((k) => `${sOf(k.pk)} ${sOf(k.sk)}`).join(', ')}`,
    );
    if (decision && 'throwBefore' in decision) throw decision.throwBefore;
    const items = keys
      .map((k) => this.items.get(keyOf(sOf(k.pk), sOf(k.sk))))
      .filter((i): i is Item => i !== undefined);
    if (decision && 'throwAfter' in decision) throw decision.throwAfter;
    return {
      $metadata: {},
      Responses: { [table]: items.map((i) => unmarshall(i, { wrapNumbers: true })) },
      UnprocessedKeys: {},
    };
  }

  private async query(input: QueryCommand['input']) {
    const ctx = this.ctx(input);
    const [hashKey, rangeKey] = input.IndexName ? (this.indexes[input.IndexName] ?? []) : ['pk', 'sk'];
    if (!hashKey) throw new Error(`fake DynamoDB: no index ${input.IndexName}`);
    if (input.IndexName && input.ConsistentRead)
      throw validation('Consistent reads are not supported on global secondary indexes');
    checkPlaceholders(input, input.KeyConditionExpression, input.ProjectionExpression, input.FilterExpression);
    for (const n of (input.ProjectionExpression ?? '').split(',').map((x) => x.trim()))
      if (n && !n.startsWith('#')) checkName(n);
    const decision = this.request(
      'query',
      `${input.IndexName ?? 'table'}`,
      input.KeyConditionExpression ?? '',
      `query ${input.IndexName ?? 'table'} ${input.KeyConditionExpression}`,
    );
    if (decision && 'throwBefore' in decision) throw decision.throwBefore;
    const cond = parseCondition(input.KeyConditionExpression!, ctx);
    const tableKey = (i: Item) => keyOf(sOf(i.pk), sOf(i.sk));
    let rows = [...this.items.values()].filter((i) => i[hashKey] !== undefined && i[rangeKey] !== undefined && cond(i));
    rows.sort(
      (a, b) => compare(a[rangeKey], b[rangeKey]) || Buffer.compare(Buffer.from(tableKey(a)), Buffer.from(tableKey(b))),
    );
    if (input.ScanIndexForward === false) rows.reverse();
    if (input.ExclusiveStartKey) {
      const start = marshall(input.ExclusiveStartKey as Record<string, NativeAttributeValue>, marshallOptions);
      const at = rows.findIndex((r) => tableKey(r) === tableKey(start));
      if (at < 0) throw new Error('fake DynamoDB: ExclusiveStartKey not found');
      rows = rows.slice(at + 1);
    }
    const limit = Math.min(input.Limit ?? Infinity, this.pageSize);
    const page = rows.slice(0, limit);
    // DynamoDB says where it stopped whenever it stops before the end, and whenever the page
    // reached Limit, even when no item follows (the next request then returns none).
    const more = page.length > 0 && (rows.length > page.length || page.length === input.Limit);
    const last = page[page.length - 1];
    const lastKey = more
      ? {
          pk: last.pk,
          sk: last.sk,
          ...(input.IndexName ? { [hashKey]: last[hashKey], [rangeKey]: last[rangeKey] } : {}),
        }
      : undefined;
    // Limit reached (not a page boundary): DynamoDB still returns LastEvaluatedKey; the store's
    // Limit: 1 caller reads only the first page.
    const projected = input.ProjectionExpression
      ? page.map((i) => {
          const names = input
            .ProjectionExpression!.split(',')
            .map((s) => s.trim())
            .map((s) => (s.startsWith('#') ? input.ExpressionAttributeNames![s] : s));
          const out: Item = {};
          for (const n of names) if (i[n] !== undefined) out[n] = i[n];
          return out;
        })
      : page;
    if (decision && 'throwAfter' in decision) throw decision.throwAfter;
    return {
      $metadata: {},
      Items: projected.map((i) => unmarshall(i, { wrapNumbers: true })),
      Count: projected.length,
      LastEvaluatedKey: lastKey ? unmarshall(lastKey, { wrapNumbers: true }) : undefined,
    };
  }
}
