#!/usr/bin/env python3
"""Fit the weights of the claim cue rules to labelled sentences.

Usage (from the repository root, after `cargo build --release`):

    python3 scripts/fit_claim_weights.py --data TRAIN.jsonl [--check DEV.jsonl] [--write]

TRAIN and DEV are JSON Lines of {"id", "text", "label"}, label 1 for a sentence that holds a
check-worthy claim and 0 for one that does not (the CLEF CheckThat! check-worthiness sets have
this shape).

The claims score is a logistic model: score = 1 / (1 + e^-(bias + sum of the weights of the cue
rules that fired)). This script runs assay over TRAIN with a copy of the rules whose threshold
is 0, so that every unit reports which cues fired, then fits the bias and the weights by
L2-regularised logistic regression (Newton's method) on one row per sentence (the cues that fired
in any of its units). Weights are rounded to 0.05. Rules that mark a kind of claim, hedges and
attributions are kept at 0 or above: they never make a unit less of a claim. Vetoes have no
weight. A rule that fires on fewer than --min-fired sentences of TRAIN keeps the weight written
in its file (the data cannot tell its weight), and so does every rule named with --keep. The
threshold is the one that maximises F1 on TRAIN.

With --write the weights, the bias and the threshold are written back into rules/claims/*.toml;
review the diff. Standard library only.
"""
import argparse
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections import Counter

RULES = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'rules')
CLAIMS = os.path.join(RULES, 'claims')


def load_rules():
    """{id: (file, rule table)} for every claims rule, and the scoring table."""
    rules, scoring = {}, None
    for name in sorted(os.listdir(CLAIMS)):
        if name.endswith('.toml'):
            path = os.path.join(CLAIMS, name)
            with open(path, 'rb') as f:
                table = tomllib.load(f)
            for rule in table.get('rule', []):
                rules[rule['id']] = (path, rule)
            scoring = table.get('scoring', scoring)
    return rules, scoring


def cues_per_sentence(binary, data):
    """Runs assay with threshold 0 and returns, per sentence, the set of cues that fired."""
    with tempfile.TemporaryDirectory() as tmp:
        rules = os.path.join(tmp, 'rules')
        shutil.copytree(RULES, rules)
        scoring = os.path.join(rules, 'claims', 'scoring.toml')
        with open(scoring, encoding='utf-8') as f:
            text = re.sub(r'(?m)^threshold = .*$', 'threshold = 0.0', f.read())
        with open(scoring, 'w', encoding='utf-8') as f:
            f.write(text)
        lines = ''.join(json.dumps({'id': i, 'text': d['text']}) + '\n' for i, d in enumerate(data))
        run = subprocess.run([binary, '--rules', rules, '-q', 'extract', '--jsonl-in', '-'],
                             input=lines.encode(), capture_output=True)
    if run.returncode != 0:
        sys.exit(run.stderr.decode('utf-8', 'replace')[-2000:])
    cues = [set() for _ in data]
    for line in run.stdout.decode('utf-8').splitlines():
        record = json.loads(line)
        for claim in record['claims']:
            cues[record['id']].update(claim['cues'])
    return cues


def solve(a, b):
    """Solves a x = b by Gaussian elimination with partial pivoting."""
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(m[r][col]))
        m[col], m[pivot] = m[pivot], m[col]
        for r in range(n):
            if r != col and m[r][col]:
                f = m[r][col] / m[col][col]
                m[r] = [x - f * y for x, y in zip(m[r], m[col])]
    return [m[i][n] / m[i][i] for i in range(n)]


def fit(groups, n_features, l2, floor):
    """L2-regularised logistic regression by Newton's method over grouped rows.

    groups: {(tuple of active feature indices, fixed offset): (count, positives)}; feature 0 is
    the bias and is active in every row; the offset is the sum of the weights that are not fitted. floor: indices whose weight must stay >= 0 (clamped between steps and
    refitted without them when they hit the bound)."""
    w = [0.0] * n_features
    clamped = set()
    for _ in range(50):
        grad = [0.0] * n_features
        hess = [[0.0] * n_features for _ in range(n_features)]
        for (active, offset), (count, positives) in groups.items():
            p = 1 / (1 + math.exp(-(offset + sum(w[j] for j in active))))
            g = count * p - positives
            h = count * p * (1 - p)
            for j in active:
                grad[j] += g
                for k in active:
                    hess[j][k] += h
        for j in range(1, n_features):
            grad[j] += l2 * w[j]
            hess[j][j] += l2
        for j in clamped:
            grad[j] = 0.0
            hess[j] = [0.0] * n_features
            hess[j][j] = 1.0
        step = solve(hess, grad)
        w = [x - s for x, s in zip(w, step)]
        newly = {j for j in floor if w[j] < 0}
        for j in newly | clamped:
            w[j] = 0.0
        clamped |= newly
        if max(abs(s) for s in step) < 1e-6 and not newly:
            break
    return w


def f1_at(scores, labels, threshold):
    tp = sum(1 for s, y in zip(scores, labels) if s >= threshold and y)
    predicted = sum(1 for s in scores if s >= threshold)
    gold = sum(labels)
    p = tp / predicted if predicted else 0.0
    r = tp / gold if gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def scores_of(cues, index, w):
    return [1 / (1 + math.exp(-(w[0] + sum(w[index[c]] for c in cs if c in index)))) for cs in cues]



def write_back(rules, index, w, threshold):
    by_file = {}
    for rule_id, j in index.items():
        by_file.setdefault(rules[rule_id][0], {})[rule_id] = w[j]
    for path, weights in by_file.items():
        with open(path, encoding='utf-8') as f:
            text = f.read()
        for rule_id, weight in weights.items():
            block = re.compile(r'(id = "' + re.escape(rule_id) + r'"\n(?:(?!\[\[rule\]\]).*\n)*?)weight = [-0-9.]+')
            text, n = block.subn(lambda m: m.group(1) + f'weight = {weight:.2f}', text, count=1)
            if n != 1:
                sys.exit(f'{path}: no `weight` line for rule {rule_id}')
        with open(path, 'w', encoding='utf-8') as f:
            f.write(text)
    scoring = os.path.join(CLAIMS, 'scoring.toml')
    with open(scoring, encoding='utf-8') as f:
        text = f.read()
    text = re.sub(r'(?m)^bias = .*$', f'bias = {w[0]:.2f}', text)
    text = re.sub(r'(?m)^threshold = .*$', f'threshold = {threshold:.2f}', text)
    with open(scoring, 'w', encoding='utf-8') as f:
        f.write(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--data', required=True, help='labelled sentences to fit on')
    ap.add_argument('--check', help='labelled sentences to report F1 on, not fitted')
    ap.add_argument('--bin', default='target/release/assay')
    ap.add_argument('--l2', type=float, default=5.0, help='L2 penalty on the weights (not the bias)')
    ap.add_argument('--min-fired', type=int, default=30, help='fewest sentences a fitted rule must fire on')
    # Evaluative statements ("X is now a strategic moat") are what articles argue; speech data
    # labels them as opinion, so their weight is set by hand (rules/claims/scoring.toml).
    ap.add_argument('--keep', default='evaluation', help='comma-separated rule ids whose weights are not fitted')
    ap.add_argument('--threshold', type=float, help='use this threshold instead of the one that maximises F1')
    ap.add_argument('--write', action='store_true', help='write the weights into rules/claims/')
    a = ap.parse_args()

    rules, _ = load_rules()
    weighted = [i for i, (_, r) in rules.items() if r.get('role', 'cue') != 'veto' and 'weight' in r]
    index = {rule_id: j + 1 for j, rule_id in enumerate(weighted)}
    floor = {index[i] for i in weighted if rules[i][1].get('kind') or rules[i][1].get('role') in ('hedge', 'attribution')}

    with open(a.data, encoding='utf-8') as f:
        data = [json.loads(line) for line in f if line.strip()]
    cues = cues_per_sentence(a.bin, data)
    labels = [d['label'] == 1 for d in data]
    fired = Counter(c for cs in cues for c in cs)
    kept = {i for i in weighted if fired[i] < a.min_fired} | {i for i in a.keep.split(',') if i in index}
    groups = {}
    for cs, y in zip(cues, labels):
        key = (0,) + tuple(sorted(index[c] for c in cs if c in index and c not in kept))
        fixed = sum(rules[c][1]['weight'] for c in cs if c in kept)
        count, positives = groups.get((key, fixed), (0, 0))
        groups[(key, fixed)] = (count + 1, positives + y)
    w = fit(groups, len(index) + 1, a.l2, floor)
    for i in kept:
        w[index[i]] = rules[i][1]['weight']
    w = [round(x * 20) / 20 for x in w]

    scores = scores_of(cues, index, w)
    threshold = a.threshold or max((t / 100 for t in range(5, 96)), key=lambda t: f1_at(scores, labels, t)[2])
    print(f'{"bias":24s} {w[0]:+.2f}')
    for rule_id in sorted(index, key=lambda i: -w[index[i]]):
        note = '   (kept)' if rule_id in kept else ''
        print(f'{rule_id:24s} {w[index[rule_id]]:+.2f}   fired on {fired[rule_id]} sentences{note}')
    p, r, f = f1_at(scores, labels, threshold)
    print(f'threshold {threshold:.2f}: {os.path.basename(a.data)} precision {p:.4f} recall {r:.4f} f1 {f:.4f}')
    if a.check:
        with open(a.check, encoding='utf-8') as f:
            check = [json.loads(line) for line in f if line.strip()]
        p, r, f = f1_at(scores_of(cues_per_sentence(a.bin, check), index, w), [d['label'] == 1 for d in check], threshold)
        print(f'threshold {threshold:.2f}: {os.path.basename(a.check)} precision {p:.4f} recall {r:.4f} f1 {f:.4f}')
    if a.write:
        write_back(rules, index, w, threshold)


if __name__ == '__main__':
    main()
