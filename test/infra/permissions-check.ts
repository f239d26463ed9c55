/**
 * The least-privilege checks, as functions that return problems (so tests can also run them on
 * stacks and code made wrong on purpose):
 *  - templateProblems: every SegwatchFunction's role in the synthesized template holds exactly
 *    the grants of its list (functions/<name>/permissions.ts, expanded by roleGrants), read back
 *    from the template's own resource expressions; its event source mappings match the list;
 *  - codeCalls / codeProblems: the calls a function's modules make (the Store methods they call,
 *    through STORE_ACTIONS, and the SDK commands they construct outside the store) against the
 *    list's `calls`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { buildSync } from 'esbuild';
import { COMMAND_ACTIONS, STORE_ACTIONS, STREAM_ACTIONS } from '../../shared/adapters/store-actions';
import { grantPairs, roleGrants, type FunctionPermissions, type ResourceName } from '../../shared/permissions';
import { TABLE } from '../../shared/table';
import { REPO_ROOT, SegwatchFunction } from '../../infra/function';
import { resourceArn } from '../../infra/grants';
import { NOTIFICATIONS_HANDLER_ID } from '../../infra/stack';
import { list, logicalId, roleStatements, type CfnTemplate, type Statement, type Synth } from './support';

/** Every SegwatchFunction in the stack. */
export function segwatchFunctions(s: Synth): SegwatchFunction[] {
  return s.stack.node.findAll().filter((c): c is SegwatchFunction => c instanceof SegwatchFunction);
}

/** Every functions/<name>/permissions.ts, by name (loaded with import(), as the test runner resolves TypeScript). */
export async function loadLists(): Promise<Record<string, FunctionPermissions>> {
  const out: Record<string, FunctionPermissions> = {};
  for (const name of readdirSync(join(REPO_ROOT, 'functions'))) {
    const path = join(REPO_ROOT, 'functions', name, 'permissions.ts');
    if (!existsSync(path)) continue;
    out[name] = ((await import(path)) as { PERMISSIONS: FunctionPermissions }).PERMISSIONS;
  }
  return out;
}

const json = (v: unknown) => JSON.stringify(v);

/** Resource names by the template expression of their ARN. */
function namesByExpression(s: Synth): Map<string, ResourceName> {
  const names: ResourceName[] = [
    'table',
    'table/stream',
    ...TABLE.indexes.map((i) => `table/index/${i.name}` as const),
    'queue/ingest',
    'queue/stream-failures',
    'topic/alerts',
    'key/table',
    'key/queues',
    'key/filings',
    'key/alerts',
    '*',
  ];
  const out = new Map<string, ResourceName>();
  for (const n of names) out.set(json(s.stack.resolve(resourceArn(s.stack.resources, n))), n);
  return out;
}

/** The name of a resource expression in a statement (objects by their key pattern); `?<json>` when it is none of the stack's. */
function nameOf(s: Synth, names: Map<string, ResourceName>, r: unknown): string {
  const known = names.get(json(r));
  if (known) return known;
  const bucketArn = json(s.stack.resolve(s.stack.bucket.bucketArn));
  const join = (r as { 'Fn::Join'?: [string, unknown[]] })?.['Fn::Join'];
  if (
    join &&
    join[0] === '' &&
    join[1].length === 2 &&
    json(join[1][0]) === bucketArn &&
    typeof join[1][1] === 'string' &&
    join[1][1].startsWith('/')
  ) {
    return `objects/${join[1][1].slice(1)}`;
  }
  return `?${json(r)}`;
}

/** `kms:ViaService` service of a statement's condition (`s3` from `s3.<region>.amazonaws.com`), '' when none; throws on any other condition. */
function viaOf(st: Statement): string {
  if (st.Condition === undefined) return '';
  const c = st.Condition as Record<string, Record<string, unknown>>;
  const keys = Object.keys(c);
  const value = c.StringEquals?.['kms:ViaService'];
  if (keys.length !== 1 || Object.keys(c.StringEquals ?? {}).length !== 1 || value === undefined)
    throw new Error(`unexpected condition ${json(st.Condition)}`);
  const parts = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join']?.[1];
  const m = typeof parts?.[0] === 'string' ? /^([a-z0-9-]+)\.$/.exec(parts[0]) : null;
  if (!m || json(parts![1]) !== json({ Ref: 'AWS::Region' }) || parts![2] !== '.amazonaws.com')
    throw new Error(`unexpected kms:ViaService ${json(value)}`);
  return m[1]!;
}

/** The grants of a role as `resource action [via:service]` pairs, read from the template (its own log group's logs left out, and reported separately). */
export function templatePairs(
  s: Synth,
  fn: SegwatchFunction,
): { pairs: string[]; logs: Statement[]; problems: string[] } {
  const names = namesByExpression(s);
  const role = logicalId(s.stack, fn.role!);
  const ownLogGroup = json({ 'Fn::GetAtt': [logicalId(s.stack, fn.logGroupRef), 'Arn'] });
  const pairs: string[] = [];
  const logs: Statement[] = [];
  const problems: string[] = [];
  if (s.json.Resources[role]?.Properties?.ManagedPolicyArns)
    problems.push(`${fn.segwatchName}: the role has managed policies`);
  for (const st of roleStatements(s.json, role)) {
    if (st.Effect !== 'Allow') continue;
    const actions = list(st.Action);
    if (actions.every((a) => a.startsWith('logs:')) && list(st.Resource).every((r) => json(r) === ownLogGroup)) {
      logs.push(st);
      continue;
    }
    let via: string;
    try {
      via = viaOf(st);
    } catch (e) {
      problems.push(`${fn.segwatchName}: ${(e as Error).message}`);
      continue;
    }
    for (const r of list(st.Resource))
      for (const a of actions) pairs.push(`${nameOf(s, names, r)} ${a}${via ? ` via:${via}` : ''}`);
  }
  return { pairs: pairs.sort(), logs, problems };
}

/** Event source mappings of a function in the template, as the list names them. */
function eventSourcesOf(s: Synth, fn: SegwatchFunction): { source?: string; onFailure?: string; problems: string[] } {
  const fnId = logicalId(s.stack, fn);
  const mappings = Object.values(s.json.Resources).filter(
    (r) => r.Type === 'AWS::Lambda::EventSourceMapping' && r.Properties?.FunctionName?.Ref === fnId,
  );
  const problems: string[] = [];
  if (mappings.length > 1) problems.push(`${fn.segwatchName}: ${mappings.length} event source mappings`);
  const m = mappings[0]?.Properties;
  if (!m) return { problems };
  const names = namesByExpression(s);
  const sourceName = names.get(json(m.EventSourceArn));
  const source =
    sourceName === 'queue/ingest'
      ? 'ingest-queue'
      : sourceName === 'table/stream'
        ? 'table-stream'
        : `?${json(m.EventSourceArn)}`;
  const dest = m.DestinationConfig?.OnFailure?.Destination;
  const onFailure =
    dest === undefined
      ? undefined
      : names.get(json(dest)) === 'queue/stream-failures'
        ? 'stream-failure-queue'
        : `?${json(dest)}`;
  return { source, onFailure, problems };
}

/** Everything wrong with the roles of the stack's SegwatchFunctions against their lists. */
export function templateProblems(s: Synth, lists: Readonly<Record<string, FunctionPermissions>>): string[] {
  const problems: string[] = [];
  for (const fn of segwatchFunctions(s)) {
    const name = fn.segwatchName;
    const p = lists[name];
    if (!p) {
      problems.push(`${name}: no permission list (functions/${name}/permissions.ts exporting PERMISSIONS)`);
      continue;
    }
    if (p.function !== name) problems.push(`${name}: its list says function '${p.function}'`);
    const expected = grantPairs(roleGrants(p));
    const actual = templatePairs(s, fn);
    problems.push(...actual.problems);
    for (const x of actual.pairs.filter((a) => !expected.includes(a)))
      problems.push(`${name}: granted but not in its list: ${x}`);
    for (const x of expected.filter((e) => !actual.pairs.includes(e)))
      problems.push(`${name}: in its list but not granted: ${x}`);
    if (actual.logs.length === 0) problems.push(`${name}: may not write to its own log group`);
    const es = eventSourcesOf(s, fn);
    problems.push(...es.problems);
    if (es.source !== p.source)
      problems.push(`${name}: event source in the template ${es.source ?? 'none'}, in its list ${p.source ?? 'none'}`);
    if (es.onFailure !== p.onFailure)
      problems.push(
        `${name}: on-failure destination in the template ${es.onFailure ?? 'none'}, in its list ${p.onFailure ?? 'none'}`,
      );
  }
  return problems;
}

/** Every AWS::Lambda::Function in the template is a SegwatchFunction or CDK's bucket-notifications handler. */
export function unknownFunctions(s: Synth): string[] {
  const known = new Set([...segwatchFunctions(s).map((f) => logicalId(s.stack, f)), handlerLogicalId(s)]);
  return Object.entries(s.json.Resources)
    .filter(([id, r]) => r.Type === 'AWS::Lambda::Function' && !known.has(id))
    .map(([id]) => id);
}

export function handlerLogicalId(s: Synth): string {
  return logicalId(s.stack, s.stack.node.findChild(NOTIFICATIONS_HANDLER_ID));
}

// ---- the code ---------------------------------------------------------------------------------

export interface CodeCalls {
  table: string[];
  indexes: Record<string, string[]>;
  objects: string[];
  topic: string[];
  /** DynamoDB Streams actions (a function's are Lambda's, from its event source, never its code's). */
  stream: string[];
  /** Anything else (SQS, CloudFormation...). */
  other: string[];
  /** Store methods called, by module (relative path). */
  storeMethods: Record<string, string[]>;
  problems: string[];
}

/** Repository modules an entry reaches (esbuild's import graph; npm packages left out). */
export function reachableModules(entry: string): string[] {
  const r = buildSync({
    entryPoints: [resolve(REPO_ROOT, entry)],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'cjs',
    packages: 'external',
    outdir: join(REPO_ROOT, '.permissions-check-out'),
    logLevel: 'silent',
    absWorkingDir: REPO_ROOT,
  });
  return Object.keys(r.metafile!.inputs).map((p) => resolve(REPO_ROOT, p));
}

/** Source without comments (so a method named in a comment is not a call). */
function code(path: string): string {
  return readFileSync(path, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

const STORE_FILES = ['shared/adapters/store.ts', 'shared/adapters/store-actions.ts'].map((p) => resolve(REPO_ROOT, p));

/**
 * The calls a function's code makes, from its modules: each Store method called (`.name(`)
 * counts with its STORE_ACTIONS entry; outside the store, each SDK command constructed
 * (`new XCommand(`) counts with COMMAND_ACTIONS (a DynamoDB Query there must name its index by a
 * literal of TABLE.indexes; an S3 GetObject that passes a VersionId also reads versions).
 */
export function codeCalls(entry: string): CodeCalls {
  const table = new Set<string>();
  const indexes: Record<string, Set<string>> = {};
  const objects = new Set<string>();
  const topic = new Set<string>();
  const stream = new Set<string>();
  const other = new Set<string>();
  const storeMethods: Record<string, string[]> = {};
  const problems: string[] = [];
  const addTable = (access: { table?: readonly string[]; indexes?: Readonly<Record<string, readonly string[]>> }) => {
    for (const a of access.table ?? []) table.add(a);
    for (const [i, as] of Object.entries(access.indexes ?? {})) for (const a of as) (indexes[i] ??= new Set()).add(a);
  };
  for (const path of reachableModules(entry)) {
    if (STORE_FILES.includes(path)) continue;
    const src = code(path);
    const rel = relative(REPO_ROOT, path);
    for (const [method, access] of Object.entries(STORE_ACTIONS)) {
      if (new RegExp(`\\.\\s*${method}\\s*\\(`).test(src)) {
        (storeMethods[rel] ??= []).push(method);
        addTable(access);
      }
    }
    for (const m of src.matchAll(/new\s+([A-Z][A-Za-z0-9]*Command)\s*\(/g)) {
      const action = COMMAND_ACTIONS[m[1]!];
      if (!action) {
        problems.push(`${rel}: ${m[1]} is not in COMMAND_ACTIONS (shared/adapters/store-actions.ts)`);
        continue;
      }
      if (STREAM_ACTIONS.includes(action)) {
        stream.add(action);
      } else if (action === 'dynamodb:Query' && /IndexName/.test(src)) {
        // Outside the store a module's Query is on the indexes it names by a literal (one that
        // queries both the table and an index should go through Store, or be two modules).
        const named = TABLE.indexes.map((i) => i.name).filter((n) => new RegExp(`['"\`]${n}['"\`]`).test(src));
        if (named.length === 0)
          problems.push(`${rel}: a Query with an IndexName that names no index of TABLE by a literal`);
        for (const n of named) addTable({ indexes: { [n]: [action] } });
      } else if (action.startsWith('dynamodb:')) {
        addTable({ table: [action] });
      } else if (action.startsWith('s3:')) {
        objects.add(action);
        if (action === 's3:GetObject' && /VersionId/.test(src)) objects.add('s3:GetObjectVersion');
      } else if (action.startsWith('sns:')) topic.add(action);
      else other.add(action);
    }
  }
  const sortSet = (x: Set<string>) => [...x].sort();
  return {
    table: sortSet(table),
    indexes: Object.fromEntries(Object.entries(indexes).map(([k, v]) => [k, sortSet(v)])),
    objects: sortSet(objects),
    topic: sortSet(topic),
    stream: sortSet(stream),
    other: sortSet(other),
    storeMethods,
    problems,
  };
}

/** Differences between a function's code and its list's `calls`. */
export function codeProblems(entry: string, p: FunctionPermissions): string[] {
  const c = codeCalls(entry);
  const problems = [...c.problems.map((x) => `${p.function}: ${x}`)];
  const cmp = (what: string, fromCode: string[], fromList: readonly string[] | undefined) => {
    const listed = [...(fromList ?? [])].sort();
    for (const a of fromCode.filter((x) => !listed.includes(x)))
      problems.push(`${p.function}: the code calls ${a} on ${what}, its list does not have it`);
    for (const a of listed.filter((x) => !fromCode.includes(x)))
      problems.push(`${p.function}: its list has ${a} on ${what}, no code calls it`);
  };
  cmp('the table', c.table, p.calls.table);
  for (const i of new Set([...Object.keys(c.indexes), ...Object.keys(p.calls.indexes ?? {})]))
    cmp(`index ${i}`, c.indexes[i] ?? [], p.calls.indexes?.[i]);
  cmp('the filings bucket', c.objects, [...new Set(Object.values(p.calls.objects ?? {}).flat())]);
  cmp('the alert topic', c.topic, p.calls.topic);
  for (const a of [...c.stream, ...c.other])
    problems.push(`${p.function}: the code calls ${a}, which no list entry covers`);
  return problems;
}

export type { CfnTemplate };
