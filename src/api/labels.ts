// Label selectors with upstream's (apimachinery/pkg/labels) grammar, semantics and error texts:
//   "a=b,c==d,e!=f,g in (x,y),h notin (z),i,!j,k>5,l<3".
// parseLabelSelector throws ApiError 400 with upstream's parse message; the parsed form matches label maps and
// prints itself canonically (requirements sorted by key, set values sorted), as upstream's String() does.
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { ApiError } from './errors.ts';
import { isLabelKey, isLabelValue } from './validation/names.ts';

export type LabelOperator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | '>' | '<';

export interface LabelRequirement {
  key: string;
  operator: LabelOperator;
  values: string[];
}

export interface LabelSelectorPredicate {
  readonly requirements: readonly LabelRequirement[];
  /** True when the selector restricts nothing (matches every object). */
  readonly empty: boolean;
  matches(labels: Record<string, string> | undefined): boolean;
  toString(): string;
}

const binaryOperators = ['in', 'notin', '=', '==', '!=', 'gt', 'lt'];

function requirementMatches(r: LabelRequirement, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const val = has ? labels[r.key] : undefined;
  switch (r.operator) {
    case '=': case '==': case 'in':
      return has && r.values.includes(val as string);
    case '!=': case 'notin':
      return !has || !r.values.includes(val as string);
    case 'exists':
      return has;
    case '!':
      return !has;
    case '>': case '<': {
      if (!has || !/^[-+]?\d+$/.test(val as string) || r.values.length !== 1) return false;
      const lhs = BigInt(val as string);
      const rhs = BigInt(r.values[0]);
      return r.operator === '>' ? lhs > rhs : lhs < rhs;
    }
  }
}

function requirementString(r: LabelRequirement): string {
  if (r.operator === 'exists') return r.key;
  if (r.operator === '!') return `!${r.key}`;
  const vals = r.values.length === 1 ? r.values[0] : [...r.values].sort().join(',');
  if (r.operator === 'in' || r.operator === 'notin') return `${r.key} ${r.operator} (${vals})`;
  return `${r.key}${r.operator}${vals}`;
}

function selectorOf(reqs: LabelRequirement[]): LabelSelectorPredicate {
  const sorted = [...reqs].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return {
    requirements: sorted,
    empty: sorted.length === 0,
    matches: (labels) => sorted.every((r) => requirementMatches(r, labels ?? {})),
    toString: () => sorted.map(requirementString).join(','),
  };
}

/** A selector that matches nothing (upstream's labels.Nothing(), e.g. for a null LabelSelector). */
export const nothingSelector: LabelSelectorPredicate = {
  requirements: [],
  empty: false,
  matches: () => false,
  toString: () => '',
};

// ---- lexer -------------------------------------------------------------------------------------------------

type Tok = 'err' | 'end' | ')' | ',' | '!' | '==' | '=' | '>' | 'id' | 'in' | '<' | '!=' | 'notin' | '(';
interface Item { tok: Tok; lit: string }

const symbolTokens: Record<string, Tok> = { ')': ')', ',': ',', '!': '!', '==': '==', '=': '=', '>': '>', '<': '<', '!=': '!=', '(': '(' };
const isSpecial = (c: string): boolean => '=!(),><'.includes(c);
const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';

function lex(s: string): Item[] {
  const out: Item[] = [];
  let pos = 0;
  for (;;) {
    while (pos < s.length && isSpace(s[pos])) pos++;
    if (pos >= s.length) {
      out.push({ tok: 'end', lit: '' });
      return out;
    }
    if (isSpecial(s[pos])) {
      // Longest run of symbols that still forms a known operator, like upstream's scanSpecialSymbol.
      let buf = '';
      let last: Item | undefined;
      while (pos < s.length && isSpecial(s[pos])) {
        buf += s[pos];
        const t = symbolTokens[buf];
        if (t) {
          last = { tok: t, lit: buf };
          pos++;
        } else if (last) {
          break;
        } else {
          pos++;
        }
      }
      out.push(last ?? { tok: 'err', lit: `error expected: keyword found '${buf}'` });
    } else {
      let buf = '';
      while (pos < s.length && !isSpecial(s[pos]) && !isSpace(s[pos])) buf += s[pos++];
      out.push({ tok: buf === 'in' ? 'in' : buf === 'notin' ? 'notin' : 'id', lit: buf });
    }
  }
}

// ---- parser ------------------------------------------------------------------------------------------------

class Parser {
  private pos = 0;
  constructor(private readonly items: Item[]) {}

  /** In value context the keywords "in"/"notin" are plain identifiers. */
  private peek(values: boolean): Item {
    const it = this.items[Math.min(this.pos, this.items.length - 1)];
    return values && (it.tok === 'in' || it.tok === 'notin') ? { tok: 'id', lit: it.lit } : it;
  }

  private next(values: boolean): Item {
    const it = this.peek(values);
    this.pos++;
    return it;
  }

  parse(): LabelRequirement[] {
    const reqs: LabelRequirement[] = [];
    for (;;) {
      const { tok, lit } = this.peek(true);
      if (tok === 'end') return reqs;
      if (tok !== 'id' && tok !== '!') throw new Error(`found '${lit}', expected: !, identifier, or 'end of string'`);
      try {
        reqs.push(this.requirement());
      } catch (e) {
        throw new Error(`unable to parse requirement: ${(e as Error).message}`);
      }
      const after = this.next(true);
      if (after.tok === 'end') return reqs;
      if (after.tok !== ',') throw new Error(`found '${after.lit}', expected: ',' or 'end of string'`);
      const t2 = this.peek(true);
      if (t2.tok !== 'id' && t2.tok !== '!') throw new Error(`found '${t2.lit}', expected: identifier after ','`);
    }
  }

  private requirement(): LabelRequirement {
    let notExists = false;
    let it = this.next(true);
    if (it.tok === '!') {
      notExists = true;
      it = this.next(true);
    }
    if (it.tok !== 'id') throw new Error(`found '${it.lit}', expected: identifier`);
    const key = it.lit;
    checkKey(key);
    const la = this.peek(true).tok;
    if (notExists || la === 'end' || la === ',') return { key, operator: notExists ? '!' : 'exists', values: [] };
    const opItem = this.next(false);
    let operator: LabelOperator;
    switch (opItem.tok) {
      case 'in': case 'notin': case '=': case '==': case '!=': case '>': case '<':
        operator = opItem.tok;
        break;
      default:
        throw new Error(`found '${opItem.lit}', expected: ${binaryOperators.join(', ')}`);
    }
    const values = operator === 'in' || operator === 'notin' ? this.setValues() : this.exactValue();
    const sortedValues = [...new Set(values)].sort();
    checkRequirement(key, operator, sortedValues);
    return { key, operator, values: sortedValues };
  }

  private setValues(): string[] {
    const open = this.next(true);
    if (open.tok !== '(') throw new Error(`found '${open.lit}' expected: '('`);
    const first = this.peek(true);
    if (first.tok === ')') {
      this.pos++;
      return [''];
    }
    if (first.tok !== 'id' && first.tok !== ',') throw new Error(`found '${first.lit}', expected: ',', ')' or identifier`);
    const vals = new Set<string>();
    for (;;) {
      const it = this.next(true);
      if (it.tok === 'id') {
        vals.add(it.lit);
        const la = this.peek(true);
        if (la.tok === ',') continue;
        if (la.tok === ')') break;
        throw new Error(`found '${la.lit}', expected: ',' or ')'`);
      } else if (it.tok === ',') {
        if (vals.size === 0) vals.add('');
        const la = this.peek(true);
        if (la.tok === ')') {
          vals.add('');
          break;
        }
        if (la.tok === ',') vals.add('');
      } else {
        throw new Error(`found '${it.lit}', expected: ',', or identifier`);
      }
    }
    const close = this.next(true);
    if (close.tok !== ')') throw new Error(`found '${first.lit}', expected: ')'`);
    return [...vals];
  }

  private exactValue(): string[] {
    const la = this.peek(true);
    if (la.tok === 'end' || la.tok === ',') return [''];
    const it = this.next(true);
    if (it.tok === 'id') return [it.lit];
    throw new Error(`found '${it.lit}', expected: identifier`);
  }
}

/** Upstream reports key errors with a nil field path, which prints as "<nil>". */
function checkKey(key: string): void {
  const errs = isLabelKey(key);
  if (errs.length) throw new Error(`<nil>: Invalid value: ${JSON.stringify(key)}: ${errs.join('; ')}`);
}

function checkRequirement(key: string, op: LabelOperator, values: string[]): void {
  const errs: string[] = [];
  if (op === '>' || op === '<') {
    values.forEach((v, i) => {
      if (!/^[-+]?\d+$/.test(v)) errs.push(`values[${i}]: Invalid value: ${JSON.stringify(v)}: for 'Gt', 'Lt' operators, the value must be an integer`);
    });
  }
  values.forEach((v, i) => {
    const msgs = isLabelValue(v);
    if (msgs.length) errs.push(`values[${i}][${key}]: Invalid value: ${JSON.stringify(v)}: ${msgs.join('; ')}`);
  });
  if (errs.length === 1) throw new Error(errs[0]);
  if (errs.length > 1) throw new Error(`[${errs.join(', ')}]`);
}

/** Parses a `labelSelector` query parameter; throws ApiError 400 with upstream's message on bad syntax. */
export function parseLabelSelector(s: string): LabelSelectorPredicate {
  try {
    return selectorOf(new Parser(lex(s)).parse());
  } catch (e) {
    if (e instanceof ApiError) throw e;
    throw ApiError.badRequest((e as Error).message);
  }
}

/**
 * A metav1.LabelSelector as upstream's LabelSelectorAsSelector: null/undefined matches nothing, {} matches
 * everything. Throws ApiError 400 for an unknown operator or bad key/values.
 */
export function labelSelectorFromObject(sel: LabelSelector | null | undefined): LabelSelectorPredicate {
  if (sel === null || sel === undefined) return nothingSelector;
  const reqs: LabelRequirement[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) reqs.push({ key: k, operator: '=', values: [v] });
  for (const expr of sel.matchExpressions ?? []) {
    const values = [...(expr.values ?? [])];
    switch (expr.operator) {
      case 'In': reqs.push({ key: expr.key, operator: 'in', values }); break;
      case 'NotIn': reqs.push({ key: expr.key, operator: 'notin', values }); break;
      case 'Exists': reqs.push({ key: expr.key, operator: 'exists', values: [] }); break;
      case 'DoesNotExist': reqs.push({ key: expr.key, operator: '!', values: [] }); break;
      default: throw ApiError.badRequest(`${JSON.stringify(expr.operator)} is not a valid label selector operator`);
    }
  }
  return selectorOf(reqs);
}

/** Selector for an exact label set (upstream's SelectorFromSet); an empty set matches everything. */
export function selectorFromSet(set: Record<string, string> | undefined): LabelSelectorPredicate {
  return selectorOf(Object.entries(set ?? {}).map(([key, v]) => ({ key, operator: '=' as const, values: [v] })));
}
