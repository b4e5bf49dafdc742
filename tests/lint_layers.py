#!/usr/bin/env python3
"""Checks that lib/'s folders include downward only.

The order of the folders, lowest first, is the "Layers, lowest first:"
line of docs/internals.md.  A file in lib/FOLDER/ may include headers of
FOLDER and of the folders before it; preload/ may include only
lib/memory/ps_memproto.h and lib/unwind/ps_cfa_rule.h.  No file of
lib/render or lib/report includes lib/session or lib/collect (outputs read
finished runs), but the report listed as still reading its session; nor
does a file of lib/run (a finished run is a value, built by hand in a
test).  Prints each include that goes up, exits 1.

Usage: lint_layers.py [ROOT]   (default: the checkout this script is in)
"""
import os
import re
import sys

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
doc = open(os.path.join(root, 'docs/internals.md')).read()
m = re.search(r'^Layers, lowest first: (.+)$', doc, re.M)
if not m:
    sys.exit('lint_layers: no "Layers, lowest first:" line in docs/internals.md')
order = [x.strip() for x in m.group(1).split(',')]
rank = {name: i for i, name in enumerate(order)}
problems = []
present = sorted(d for d in os.listdir(os.path.join(root, 'lib'))
                 if os.path.isdir(os.path.join(root, 'lib', d)) and d != 'proto')
for d in present:
    if d not in rank:
        problems.append(f'lib/{d}: a folder docs/internals.md does not place')
include = re.compile(r'^#include "(?:\.\./)*(?:lib/)?([a-z]+)/([^"]+)"', re.M)


def includes(d):
    """(file name, folder, header) of each include of lib/d's sources."""
    for name in sorted(os.listdir(os.path.join(root, 'lib', d))):
        if name.endswith(('.c', '.h')):
            text = open(os.path.join(root, 'lib', d, name)).read()
            for folder, header in include.findall(text):
                yield name, folder, header


for d in present:
    for name, folder, header in includes(d):
        if folder in rank and d in rank and rank[folder] > rank[d]:
            problems.append(f'lib/{d}/{name}: includes {folder}/{header}, a later stage')
# Outputs read finished runs (lib/run/), never a session or a collector:
# no file of lib/render or lib/report includes a header of lib/session or
# lib/collect.  Nor does a finished run itself, which holds the tables its
# collectors left (lib/model/): lib/run comes after lib/collect in the order.
live = ('session', 'collect')
for d in ('render', 'report'):
    if d not in present:
        continue
    for name, folder, header in includes(d):
        if folder in live:
            problems.append(f'lib/{d}/{name}: includes {folder}/{header}: outputs read lib/run, '
                            'not sessions or collectors')
if 'run' in present:
    for name, folder, header in includes('run'):
        if folder in live:
            problems.append(f'lib/run/{name}: includes {folder}/{header}: a run holds model tables, '
                            'not collectors or sessions')

# the headers the tracker shares with lib/: plain C with no includes of lib/
preload_shares = {('memory', 'ps_memproto.h'), ('unwind', 'ps_cfa_rule.h')}
for name in sorted(os.listdir(os.path.join(root, 'preload'))):
    text = open(os.path.join(root, 'preload', name)).read()
    for folder, header in include.findall(text):
        if (folder, header) not in preload_shares:
            problems.append(f'preload/{name}: includes {folder}/{header}: the tracker shares only '
                            + ' and '.join(h for _, h in sorted(preload_shares)))
for p in problems:
    print(p)
sys.exit(1 if problems else 0)
