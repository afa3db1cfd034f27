import { describe, expect, it } from 'vitest';
import { MAX_SHELL_EVENT_BYTES, ShellEventParser, type ShellCommandRecord } from './shell-events.ts';

const utf8 = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** What the prompt hook writes for a command (see record-commands.bash). */
function record(command: string, exitCode: number): string {
  // eslint-disable-next-line no-control-regex
  const escaped = command.replace(/[%\x00-\x1f\x7f]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  return `\x1b]6973;cmd;${exitCode};${escaped}\x07`;
}

function parse(chunks: Uint8Array[], parser?: ShellEventParser) {
  const records: ShellCommandRecord[] = [];
  const p = parser ?? new ShellEventParser((r) => records.push(r));
  const out = chunks.map((c) => text(p.push(c))).join('');
  return { out, records, parser: p };
}

describe('ShellEventParser', () => {
  it('strips a record from the output and reports its command and exit status', () => {
    const { out, records } = parse([utf8(`false\r\n${record('false', 1)}\x1b[32mlearner\x1b[0m$ `)]);
    expect(out).toBe('false\r\n\x1b[32mlearner\x1b[0m$ ');
    expect(records).toEqual([{ command: 'false', exitCode: 1 }]);
  });

  it('decodes escaped characters, percent signs and unicode', () => {
    const commands = ["echo 'a;b'", 'printf "%s\\n" 100%', 'for i in 1 2\ndo echo $i\ndone', 'echo héllo ✓ 🐳', 'a\tb\x1b\x07\x7f'];
    const { out, records } = parse([utf8(commands.map((c, n) => record(c, n)).join('x'))]);
    expect(out).toBe('xxxx');
    expect(records).toEqual(commands.map((command, exitCode) => ({ command, exitCode })));
  });

  it('finds a record split at every byte offset, and passes the rest through unchanged', () => {
    const stream = utf8(`before\x1b]0;title\x07 ${record('echo ✓ done', 0)}after\x1b`);
    for (let cut = 0; cut <= stream.length; cut++) {
      const records: ShellCommandRecord[] = [];
      const parser = new ShellEventParser((r) => records.push(r));
      const out = text(parser.push(stream.subarray(0, cut))) + text(parser.push(stream.subarray(cut))) + text(parser.flush());
      expect(out, `cut at ${cut}`).toBe('before\x1b]0;title\x07 after\x1b');
      expect(records, `cut at ${cut}`).toEqual([{ command: 'echo ✓ done', exitCode: 0 }]);
    }
  });

  it('handles a record delivered one byte at a time', () => {
    const stream = utf8(`$ ${record('ls -la', 2)}$ `);
    const { out, records, parser } = parse(Array.from(stream, (b) => Uint8Array.of(b)));
    expect(out + text(parser.flush())).toBe('$ $ ');
    expect(records).toEqual([{ command: 'ls -la', exitCode: 2 }]);
  });

  it('passes garbage through untouched: other escape sequences, broken and unterminated records', () => {
    const garbage = [
      '\x1b[1;31mred\x1b[0m',
      '\x1b]6973;other;1;x\x07', // another kind of sequence
      '\x1b]6973;cmd;0;abc\x1b\\', // terminated by ST, not BEL: not ours
      '\x1b]6973;cmd;0;a\nb\x07', // a raw newline inside: not ours
      '\x1b]697', // cut short, then something else
      'plain',
    ].join('');
    const { out, records, parser } = parse([utf8(garbage)]);
    expect(out + text(parser.flush())).toBe(garbage);
    expect(records).toEqual([]);
  });

  it('drops a well-framed record whose body is malformed, without reporting it', () => {
    const { out, records } = parse([utf8('a\x1b]6973;cmd;x1;ls\x07b\x1b]6973;cmd;999;ls\x07c\x1b]6973;cmd;;ls\x07d')]);
    expect(out).toBe('abcd');
    expect(records).toEqual([]);
  });

  it('passes an oversize sequence through untouched and keeps at most the limit held back', () => {
    const huge = `\x1b]6973;cmd;0;${'y'.repeat(MAX_SHELL_EVENT_BYTES)}\x07`;
    const records: ShellCommandRecord[] = [];
    const parser = new ShellEventParser((r) => records.push(r));
    let out = '';
    // Fed in small chunks: the parser holds the start back only until it is longer than any record could be.
    const bytes = utf8(huge + record('ok', 0));
    for (let at = 0; at < bytes.length; at += 1000) {
      out += text(parser.push(bytes.subarray(at, at + 1000)));
    }
    out += text(parser.flush());
    expect(out).toBe(huge);
    expect(records).toEqual([{ command: 'ok', exitCode: 0 }]);
  });

  it('returns the very same chunk when there is nothing to strip (no copy on the hot path)', () => {
    const parser = new ShellEventParser(() => undefined);
    const chunk = utf8('\x1b[32mhello\x1b[0m\r\n');
    expect(parser.push(chunk)).toBe(chunk);
    expect(parser.holding).toBe(false);
  });

  it('holds back a chunk ending in what may start a record until the next chunk or a flush', () => {
    const parser = new ShellEventParser(() => undefined);
    expect(text(parser.push(utf8('vim\x1b')))).toBe('vim');
    expect(parser.holding).toBe(true);
    expect(text(parser.flush())).toBe('\x1b');
    expect(parser.holding).toBe(false);
    expect(text(parser.push(utf8('x\x1b]69')))).toBe('x');
    expect(text(parser.push(utf8('1;title\x07')))).toBe('\x1b]691;title\x07');
  });

  it('keeps invalid UTF-8 in a command as replacement characters', () => {
    const records: ShellCommandRecord[] = [];
    const parser = new ShellEventParser((r) => records.push(r));
    parser.push(Uint8Array.from([...utf8('\x1b]6973;cmd;0;cat caf'), 0xe9, ...utf8(' ✓\x07')]));
    expect(records).toEqual([{ command: 'cat caf\ufffd ✓', exitCode: 0 }]);
  });
});
