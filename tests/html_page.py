#!/usr/bin/env python3
"""Prints what a perfscope HTML page (report.html, memory.html) holds, as a
browser's parser would read it (html.parser, with entities decoded), as
one JSON object:

  scores      the score cards: label -> data-score (a number, or null)
  findings    the data-rule of each finding, in page order
  tables      table id -> rows, each a list of cells {text, v (data-v), tags
              (the elements inside the cell)}
  headers     table id -> its column headers
  graphs      flame graph section id -> {total, inner, frames: [{name, title,
              width, value, depth}]}
  charts      chart id -> {times, lines: [{name, points, values}]}
  scripts     the attributes of every <script>
  urls        every http(s):// URL in the file outside xmlns attributes
  ids         ids that appear more than once
  title       the <title>
"""
import collections
import json
import re
import sys
from html.parser import HTMLParser


class Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out = {"scores": {}, "findings": [], "tables": {}, "headers": {}, "graphs": {},
                    "charts": {}, "scripts": [], "title": ""}
        self.ids = collections.Counter()
        self.stack = []          # open elements: (tag, attrs)
        self.section = None      # the id of the open <section>
        self.table = None
        self.row = None
        self.cell = None
        self.th = None
        self.card = None
        self.card_label = False
        self.frame = None
        self.graph = None
        self.chart = None
        self.in_title = False
        self.text_into = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids[a["id"]] += 1
        classes = (a.get("class") or "").split()
        if tag not in ("meta", "br", "rect", "line", "polyline", "input"):
            self.stack.append((tag, a))
        if tag == "script":
            self.out["scripts"].append(a)
        elif tag == "title" and not self.frame and self.graph is None:
            self.in_title = True
        elif tag == "section":
            self.section = a.get("id")
        elif tag == "div" and "card" in classes:
            label = None
            self.card = {"score": float(a["data-score"]) if a.get("data-score") else None}
        elif tag == "div" and "label" in classes and self.card is not None:
            self.card_label = True
        elif tag == "article" and "finding" in classes:
            self.out["findings"].append(a.get("data-rule"))
        elif tag == "table":
            self.table = a.get("id")
            self.out["tables"][self.table] = []
            self.out["headers"][self.table] = []
        elif tag == "th" and self.table:
            self.th = ""
        elif tag == "tr" and self.table:
            self.row = []
        elif tag == "td" and self.row is not None:
            self.cell = {"text": "", "v": float(a["data-v"]) if "data-v" in a else None, "tags": []}
        elif self.cell is not None:
            self.cell["tags"].append(tag)
        if tag == "svg" and "flamegraph" in classes:
            self.graph = {"total": None, "inner": None, "frames": []}
            self.out["graphs"][self.section] = self.graph
        elif tag == "g" and "fg-frames" in classes and self.graph is not None:
            self.graph["total"] = int(a["data-total"])
            self.graph["inner"] = float(a["data-inner"])
        elif tag == "g" and "f" in classes and self.graph is not None:
            self.frame = {"name": None, "title": "", "width": None, "value": int(a["data-v"]),
                          "depth": int(a["data-d"]), "start": int(a["data-s"])}
            self.graph["frames"].append(self.frame)
        elif tag == "title" and self.frame is not None:
            self.text_into = "title"
        elif tag == "rect" and self.frame is not None:
            self.frame["width"] = float(a["width"])
        elif tag == "svg" and "chart" in classes:
            self.chart = {"times": [float(x) for x in a["data-times"].split(",") if x], "lines": []}
            self.out["charts"][a["id"]] = self.chart
        elif tag == "polyline" and self.chart is not None:
            pts = a.get("points", "").split()
            self.chart["lines"].append({"name": a.get("data-name"), "points": len(pts),
                                        "values": [float(x) for x in a.get("data-values", "").split(",") if x]})

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in ("meta", "br", "rect", "line", "polyline", "input"):
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        while self.stack:
            t, _ = self.stack.pop()
            if t == tag:
                break
        if tag == "title":
            self.in_title = False
            self.text_into = None
        elif tag == "td" and self.cell is not None:
            self.cell["text"] = self.cell["text"].strip()
            self.row.append(self.cell)
            self.cell = None
        elif tag == "th" and self.th is not None:
            self.out["headers"][self.table].append(self.th.strip())
            self.th = None
        elif tag == "tr" and self.row is not None:
            if self.row:
                self.out["tables"][self.table].append(self.row)
            self.row = None
        elif tag == "table":
            self.table = None
        elif tag == "div" and self.card_label:
            self.card_label = False
        elif tag == "g" and self.frame is not None and not any(t == "g" and "f" in (x.get("class") or "").split()
                                                               for t, x in self.stack):
            t = self.frame["title"]
            self.frame["name"] = t[:t.rindex(" (")] if " (" in t else t
            self.frame = None
        elif tag == "svg":
            if self.chart is not None:
                self.chart = None
            elif self.graph is not None:
                self.graph = None
        elif tag == "section":
            self.section = None

    def handle_data(self, data):
        if self.in_title and self.graph is None:
            self.out["title"] += data
        if self.text_into == "title" and self.frame is not None:
            self.frame["title"] += data
        if self.cell is not None:
            self.cell["text"] += data
        if self.th is not None:
            self.th += data
        if self.card_label and self.card is not None:
            self.out["scores"][data.strip()] = self.card["score"]


def main(path):
    raw = open(path, encoding="utf-8").read()
    p = Page()
    p.feed(raw)
    p.close()
    out = p.out
    # xmlns="http://www.w3.org/2000/svg" names a namespace; nothing else may be a URL
    out["urls"] = re.findall(r"https?://[^\s\"'<>]*", re.sub(r'xmlns="[^"]*"', "", raw))
    out["ids"] = sorted(k for k, n in p.ids.items() if n > 1)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
