// A byte-level JSON well-formedness check that reports the first problem in the words of Go's encoding/json
// scanner (`invalid character 'a' looking for beginning of value`, `unexpected end of JSON input`,
// `invalid character '{' exceeded max depth`), which is what kube-apiserver quotes when a body does not decode.
// It also enforces the nesting limit: V8's JSON.parse is iterative, but structuredClone and JSON.stringify recurse
// natively and overflow near 2,000 levels, so Skiff caps nesting below that (upstream's scanner allows 10,000).
// Optionally reports duplicate object keys (upstream's strict decoding: `json: duplicate field "a"`).

/** Deepest nesting of objects and arrays a body may have. */
export const maxNestingDepth = 1000;

type Ctx = 'key' | 'value' | 'array';

/** Go's quoteChar: how one offending byte is shown inside the message. */
function quoteChar(c: number): string {
  if (c === 0x27) return "'\\''";
  if (c === 0x22) return "'\"'";
  const named: Record<number, string> = { 8: '\\b', 9: '\\t', 10: '\\n', 12: '\\f', 13: '\\r', 0x5c: '\\\\' };
  if (named[c] !== undefined) return `'${named[c]}'`;
  if (c < 0x20 || c === 0x7f) return `'\\x${c.toString(16).padStart(2, '0')}'`;
  if (c >= 0x80 && c < 0xa0) return `'\\u00${c.toString(16)}'`;
  return `'${String.fromCharCode(c)}'`;
}

const isSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isHex = (c: number): boolean => isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);

class Scan {
  i = 0;
  readonly stack: Ctx[] = [];
  readonly keys: Set<string>[] = [];
  constructor(readonly b: Uint8Array, readonly maxDepth: number, readonly dupes: boolean) {}

  fail(context: string): string {
    return this.i >= this.b.length ? 'unexpected end of JSON input' : `invalid character ${quoteChar(this.b[this.i])} ${context}`;
  }

  skipSpace(): void {
    while (this.i < this.b.length && isSpace(this.b[this.i])) this.i++;
  }

  /** Scans one string starting at its opening quote; returns an error or the raw key text. */
  string(): { err?: string; text?: string } {
    const start = ++this.i;
    for (;;) {
      if (this.i >= this.b.length) return { err: 'unexpected end of JSON input' };
      const c = this.b[this.i];
      if (c === 0x22) break;
      if (c < 0x20) return { err: this.fail('in string literal') };
      if (c === 0x5c) {
        this.i++;
        const e = this.b[this.i];
        if (e === 0x75) {
          for (let k = 0; k < 4; k++) {
            this.i++;
            if (this.i >= this.b.length || !isHex(this.b[this.i])) return { err: this.fail('in \\u hexadecimal character escape') };
          }
        } else if (e === undefined || !'bfnrt\\/"'.includes(String.fromCharCode(e))) {
          return { err: this.fail('in string escape code') };
        }
      }
      this.i++;
    }
    const text = this.dupes ? Buffer.from(this.b.subarray(start, this.i)).toString('utf8') : undefined;
    this.i++;
    return { text };
  }

  number(): string | undefined {
    if (this.b[this.i] === 0x2d) {
      this.i++;
      if (!isDigit(this.b[this.i])) return this.fail('in numeric literal');
    }
    if (this.b[this.i] === 0x30) this.i++;
    else while (isDigit(this.b[this.i])) this.i++;
    if (this.b[this.i] === 0x2e) {
      this.i++;
      if (!isDigit(this.b[this.i])) return this.fail('after decimal point in numeric literal');
      while (isDigit(this.b[this.i])) this.i++;
    }
    if (this.b[this.i] === 0x65 || this.b[this.i] === 0x45) {
      this.i++;
      if (this.b[this.i] === 0x2b || this.b[this.i] === 0x2d) this.i++;
      if (!isDigit(this.b[this.i])) return this.fail('in exponent of numeric literal');
      while (isDigit(this.b[this.i])) this.i++;
    }
    return undefined;
  }

  literal(word: string): string | undefined {
    for (let k = 0; k < word.length; k++, this.i++) {
      if (this.b[this.i] !== word.charCodeAt(k)) return this.fail(`in literal ${word} (expecting '${word[k]}')`);
    }
    return undefined;
  }

  /** One value at the current position; containers only open here (their contents continue in run()). */
  value(): string | undefined {
    this.skipSpace();
    const c = this.b[this.i];
    if (c === 0x7b || c === 0x5b) {
      if (this.stack.length >= this.maxDepth) return this.fail('exceeded max depth');
      this.i++;
      this.skipSpace();
      if (c === 0x7b) {
        if (this.dupes) this.keys.push(new Set());
        if (this.b[this.i] === 0x7d) {
          this.i++;
          if (this.dupes) this.keys.pop();
          return undefined;
        }
        this.stack.push('key');
        return this.key();
      }
      if (this.b[this.i] === 0x5d) {
        this.i++;
        return undefined;
      }
      this.stack.push('array');
      return 'open';
    }
    if (c === 0x22) return this.string().err;
    if (c === 0x2d || isDigit(c)) return this.number();
    if (c === 0x74) return this.literal('true');
    if (c === 0x66) return this.literal('false');
    if (c === 0x6e) return this.literal('null');
    return this.fail('looking for beginning of value');
  }

  key(): string | undefined {
    this.skipSpace();
    if (this.b[this.i] !== 0x22) return this.fail('looking for beginning of object key string');
    const { err, text } = this.string();
    if (err) return err;
    if (this.dupes) {
      const seen = this.keys[this.keys.length - 1];
      if (seen.has(text!)) return `json: duplicate field ${JSON.stringify(text)}`;
      seen.add(text!);
    }
    this.skipSpace();
    if (this.b[this.i] !== 0x3a) return this.fail('after object key');
    this.i++;
    this.stack[this.stack.length - 1] = 'value';
    return 'open';
  }

  run(): string | undefined {
    let r = this.value();
    for (;;) {
      if (r !== undefined && r !== 'open') return r;
      if (r === 'open') {
        r = this.value();
        continue;
      }
      // A value just ended: what may follow depends on the container it sits in.
      this.skipSpace();
      const top = this.stack[this.stack.length - 1];
      const c = this.b[this.i];
      if (top === undefined) return this.i < this.b.length ? this.fail('after top-level value') : undefined;
      if (top === 'value') {
        if (c === 0x2c) {
          this.i++;
          this.stack[this.stack.length - 1] = 'key';
          r = this.key();
          continue;
        }
        if (c !== 0x7d) return this.fail('after object key:value pair');
        if (this.dupes) this.keys.pop();
      } else if (c === 0x2c) {
        this.i++;
        r = 'open';
        continue;
      } else if (c !== 0x5d) {
        return this.fail('after array element');
      }
      this.i++;
      this.stack.pop();
      r = undefined;
    }
  }
}

/** Go's error for the first problem in `body`, or undefined when it is one well-formed JSON value. */
export function goJsonSyntaxError(body: Uint8Array, opts: { maxDepth?: number; duplicates?: boolean } = {}): string | undefined {
  return new Scan(body, opts.maxDepth ?? maxNestingDepth, opts.duplicates ?? false).run();
}
