#!/usr/bin/env python3
"""Finds bats checks that cannot fail.

bats fails a test when one of its commands fails under `set -e`, or when
its last command fails.  bash's errexit ignores a failing command that is
part of an `&&` list (except the last one), a negated command (`! cmd`),
and anything in a loop condition, so these lines in the middle of a test
(or of a helper function) never fail it:

    [ "$a" -eq 1 ] && [ "$b" -eq 2 ]      # a false first check is ignored
    ! grep -q error "$log"                 # the negation is ignored
    [ "$n" -gt 5 ] || grep x "$f" | head   # the fallback always succeeds

Each check goes on its own line; `! cmd` is written `! cmd || false` (or
`run ! cmd`); an `||` fallback ends in `return 1`, `false` or `exit N`.
Conditions of if/elif/while/until are not checks and are left alone.

Usage: lint_bats.py FILE...  Prints FILE:LINE: reason, exits 1 if any.
"""
import re
import sys

ALWAYS_TRUE = re.compile(
    r'(^|\|\s*)(echo|printf|true|:|cat|head|tail|tee|sort|jq(?!\s+-e))\b[^|]*$')
FAILS = re.compile(r'(return\s+[1-9]|\bfalse|\bexit\s+[1-9]|\bfail\b|\bskip\b|return\s+\$\?)[\s;}]*$')


def strip_strings(line):
    """The line with quoted text blanked, so operators inside strings and
    regexes are not mistaken for the shell's."""
    out, quote, i = [], None, 0
    while i < len(line):
        c = line[i]
        if quote:
            if c == '\\' and quote == '"' and i + 1 < len(line):
                out.append('__')
                i += 2
                continue
            if c == quote:
                quote = None
                out.append(c)
            else:
                out.append('_')
        elif c in '\'"':
            quote = c
            out.append(c)
        elif c == '#' and (i == 0 or line[i - 1] in ' \t;'):
            break
        else:
            out.append(c)
        i += 1
    return ''.join(out), quote


def logical_lines(body):
    """(first line number, text) of each command, continuations joined."""
    cur, start, quote_open = '', None, False
    for num, raw in body:
        text, quote = strip_strings(raw) if not quote_open else (raw, None)
        if start is None:
            start = num
        cur += ' ' + text.strip()
        if quote_open:
            # inside a multi-line quoted string (a jq program): look for its end
            if raw.count("'") % 2 == 1:
                quote_open = False
                cur = cur.rstrip()
            else:
                continue
        elif quote:
            quote_open = True
            continue
        s = cur.rstrip()
        if s.endswith(('\\', '|', '&&', '||')):
            cur = cur.rstrip('\\ ')
            continue
        # a { ... } or ( ... ) group spread over lines is one command
        if group_depth(s) > 0 and not re.match(r'^(if|while|until|for|case)\b', s):
            cur += ';'
            continue
        yield start, cur.strip()
        cur, start = '', None
    if start is not None:
        yield start, cur.strip()


def group_depth(cmd):
    """Open { and ( groups (and $( substitutions) left at the end of cmd."""
    depth = 0
    for tok in re.findall(r'\$\(|\(|\)|(?:^|(?<=[\s;|&]))\{(?=[\s;]|$)|(?:^|(?<=[\s;]))\}', cmd):
        depth += 1 if tok in ('(', '$(', '{') else -1
    return depth


def top_level_ops(cmd):
    """The && and || operators outside (), {} and $(...)."""
    depth, ops, i = 0, [], 0
    while i < len(cmd):
        c = cmd[i]
        if cmd.startswith('[[', i):
            depth += 1
            i += 2
            continue
        if cmd.startswith(']]', i):
            depth -= 1
            i += 2
            continue
        if c in '({':
            depth += 1
        elif c in ')}':
            depth -= 1
        elif depth == 0 and cmd[i:i + 2] in ('&&', '||'):
            ops.append((i, cmd[i:i + 2]))
            i += 2
            continue
        i += 1
    return ops


def check_body(path, body, problems):
    lines = [l for l in logical_lines(body) if l[1]]
    # the last command of a body is checked by bats or by the caller
    last = len(lines) - 1
    while last >= 0 and lines[last][1] in ('}', 'fi', 'done', 'esac'):
        last -= 1
    for idx, (num, cmd) in enumerate(lines):
        if re.match(r'^(if|elif|while|until|for|case|function)\b', cmd) or cmd.endswith('() {'):
            continue
        if cmd.startswith(('then', 'else', 'do ')) or cmd in ('then', 'else', 'do'):
            cmd = re.sub(r'^(then|else|do)\s*', '', cmd)
            if not cmd:
                continue
        ops = top_level_ops(cmd)
        kinds = [o for _, o in ops]
        final = idx == last
        # `cmd && var=value` sets a flag; it checks nothing
        # (and `cmd && return 0` or `&& break` leaves a loop early)
        if kinds and kinds[-1] == '&&' and re.match(r'^([A-Za-z_][A-Za-z0-9_]*=\S*|return 0|break|continue)$',
                                                     cmd[ops[-1][0] + 2:].strip()):
            kinds = kinds[:-1]
        if '&&' in kinds and not final:
            # `A && B || fallback`: a failure of A or B reaches the fallback
            if '||' not in kinds[kinds.index('&&'):]:
                problems.append(f'{path}:{num}: checks joined by && (a false first one is ignored): one per line')
                continue
        if kinds and kinds[-1] == '||':
            tail = cmd[ops[-1][0] + 2:].strip()
            # `|| true` says the failure does not matter: a choice, not a check
            if tail in ('true', ':'):
                continue
            if tail.startswith('{') or tail.startswith('('):
                if not FAILS.search(tail.rstrip('})').rstrip() + ' '):
                    if not FAILS.search(tail):
                        problems.append(f'{path}:{num}: an || fallback that never fails: end it with return 1')
            elif ALWAYS_TRUE.search(tail):
                problems.append(f'{path}:{num}: an || fallback that always succeeds hides the failure')
        if re.match(r'^!\s', cmd) and not final and not kinds:
            problems.append(f'{path}:{num}: a negated command mid-test is ignored by errexit: add || false')


def bodies(path):
    """(name, [(line number, text)]) of each @test and function in a file."""
    with open(path, encoding='utf-8') as f:
        lines = f.read().split('\n')
    i = 0
    while i < len(lines):
        line = lines[i]
        m = re.match(r'^(@test\s+.*|[A-Za-z_][A-Za-z0-9_]*\(\))\s*\{\s*$', line)
        if m:
            name = m.group(1)
            body = []
            i += 1
            while i < len(lines) and lines[i] != '}':
                body.append((i + 1, lines[i]))
                i += 1
            yield name, body
        i += 1


def main(paths):
    problems = []
    for path in paths:
        for name, body in bodies(path):
            # setup and teardown act, they do not check
            if name in ('setup()', 'teardown()', 'setup_file()', 'teardown_file()'):
                continue
            check_body(path, body, problems)
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
