#!/usr/bin/env python3
"""Prints the frames of a perfscope flame graph SVG as one JSON array:
name, kind, depth, start, value, x, y, width, label.  Fails (exit 1) on a
file that is not well-formed XML, as a browser would refuse it."""
import json
import sys
import xml.etree.ElementTree as ET

NS = "{http://www.w3.org/2000/svg}"


def main(path):
    root = ET.parse(path).getroot()
    holder = root.find(f".//{NS}g[@id='frames']")
    frames = []
    for g in holder.findall(f"{NS}g"):
        title = g.find(f"{NS}title").text
        rect = g.find(f"{NS}rect")
        text = g.find(f"{NS}text")
        frames.append({
            "name": title[:title.rindex(" (")],
            "title": title,
            "kind": g.get("class").split()[1],
            "depth": int(g.get("data-d")),
            "start": int(g.get("data-s")),
            "value": int(g.get("data-v")),
            "x": float(rect.get("x")),
            "y": float(rect.get("y")),
            "width": float(rect.get("width")),
            "label": text.text or "",
        })
    json.dump({"total": int(holder.get("data-total")), "inner": float(holder.get("data-inner")),
               "width": float(root.get("width")), "frames": frames}, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
