#!/usr/bin/env python3
"""Finds functions that lib/'s headers declare and nobody else calls.

A function declared in lib/FOLDER/ps_x.h is part of the library's surface
only if something outside ps_x.c and ps_x.h names it: another lib file,
cli/, preload/ or a test.  One that only its own file calls belongs in
that file as static; one that nothing calls is dead.  Prints each, exits 1.

Usage: lint_unused.py [ROOT]   (default: the checkout this script is in)
"""
import os
import re
import sys

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
sources = []
for top in ('lib', 'cli', 'preload', 'tests'):
    for dirpath, _, files in os.walk(os.path.join(root, top)):
        sources.extend(os.path.join(dirpath, f) for f in files if f.endswith(('.c', '.h')))
texts = {path: open(path, errors='replace').read() for path in sources}

# A declaration at the start of a line: a type, then ps_name( ... );
declaration = re.compile(r'^[A-Za-z_][\w \t\*]*?\b(ps_\w+)\s*\([^;{]*\)[^;{]*;', re.M)
problems = []
for header in sorted(p for p in texts if p.endswith('.h') and os.sep + 'lib' + os.sep in p):
    for name in sorted(set(declaration.findall(texts[header]))):
        word = re.compile(r'\b' + name + r'\b')
        definition = re.compile(r'^[A-Za-z_][\w \t\*]*?\b' + name + r'\s*\([^;{]*\)\s*\{', re.M)
        definers = [p for p, t in texts.items() if p.endswith('.c') and definition.search(t)]
        own = set(definers) | {header}
        if any(word.search(text) for path, text in texts.items() if path not in own):
            continue
        called_at_home = any(len(word.findall(texts[p])) > 1 for p in definers)
        where = os.path.relpath(header, root)
        if called_at_home:
            problems.append(f'{where}: {name} is called only in its own file: make it static')
        else:
            problems.append(f'{where}: {name} is called nowhere: remove it')
for p in problems:
    print(p)
sys.exit(1 if problems else 0)
