#!/usr/bin/python3
"""speedscope_folded.py FILE [--profile-frame]

Prints the samples of the speedscope file FILE as folded lines, "frame;
...;frame WEIGHT", one per sample in the file's order (a weight that is a
whole number printed as one); with --profile-frame each line starts with
its profile's name as a frame.  Checks the file's own arithmetic first:
every profile has as many weights as samples, its endValue - startValue
is its weights added up, and every frame index is in shared.frames;
exit 1 (saying which) otherwise.
"""
import json
import sys


def number(v):
    return str(int(v)) if float(v).is_integer() else repr(v)


def main(path, profile_frame):
    with open(path) as f:
        doc = json.load(f)
    names = [fr["name"] for fr in doc["shared"]["frames"]]
    for p in doc["profiles"]:
        samples, weights = p["samples"], p["weights"]
        if len(samples) != len(weights):
            print(f"{path}: profile {p['name']!r}: {len(samples)} samples, {len(weights)} weights")
            return 1
        if p["endValue"] - p["startValue"] != sum(weights):
            print(f"{path}: profile {p['name']!r}: endValue {p['endValue']}, weights add up to {sum(weights)}")
            return 1
        for stack, w in zip(samples, weights):
            if any(not 0 <= i < len(names) for i in stack):
                print(f"{path}: profile {p['name']!r}: a frame index out of range in {stack}")
                return 1
            frames = ([p["name"]] if profile_frame else []) + [names[i] for i in stack]
            print(";".join(frames) + " " + number(w))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], "--profile-frame" in sys.argv[2:]))
