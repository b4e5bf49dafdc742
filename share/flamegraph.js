// perfscope's flame graph script (share/flamegraph.js), built into every SVG
// perfscope writes.  Each frame is <g class="f" data-s data-v data-d>: its
// first count (data-s), its count (data-v) and its depth (data-d); the
// <g class="fg-frames"> holding them says the total, the left pad and the
// width.
//
// Each copy of the script serves the <svg class="flamegraph"> it sits in and
// finds its parts by class inside it, never by id or in globals: a page
// (perfscope's report.html) can hold several graphs, each with this script,
// and they do not see each other.  Keys (Ctrl-F, Escape) go to the graph
// under the pointer, or to the only one.
"use strict";

(function () {
	var script = document.currentScript;
	var root = script && script.closest ? script.closest("svg") : document.documentElement;
	var fg = {
		frames: [], names: [], fills: [], total: 1, pad: 10, inner: 1180, charWidth: 7.2,
		details: null, matched: null, unzoomButton: null, zoomedTo: null, term: ""
	};

	function part(name) { return root.querySelector(".fg-" + name); }

	// Whether a key press is meant for this graph.
	function active() {
		return document.querySelectorAll("svg.flamegraph").length <= 1 || root.matches(":hover");
	}

	function fgInit() {
		var holder = part("frames");

		fg.total = +holder.getAttribute("data-total") || 1;
		fg.pad = +holder.getAttribute("data-pad");
		fg.inner = +holder.getAttribute("data-inner");
		fg.frames = Array.prototype.slice.call(holder.querySelectorAll("g.f"));
		fg.frames.forEach(function (f) {
			var title = f.querySelector("title").textContent;
			var cut = title.lastIndexOf(" (");

			fg.names.push(cut > 0 ? title.slice(0, cut) : title);
			fg.fills.push(f.querySelector("rect").getAttribute("fill"));
		});
		fg.details = part("details");
		fg.matched = part("matched");
		fg.unzoomButton = part("unzoom");
		holder.addEventListener("click", function (e) {
			var i = fgIndexOf(e.target);

			if (i >= 0)
				fgZoom(i);
		});
		holder.addEventListener("mouseover", function (e) {
			var i = fgIndexOf(e.target);

			if (i >= 0)
				fg.details.textContent = fg.frames[i].querySelector("title").textContent;
		});
		holder.addEventListener("mouseout", function () { fg.details.textContent = " "; });
		fg.unzoomButton.addEventListener("click", fgUnzoom);
		part("search").addEventListener("click", fgAskSearch);
		document.addEventListener("keydown", function (e) {
			if (!active())
				return;
			if ((e.ctrlKey || e.metaKey) && e.key === "f") {
				e.preventDefault();
				fgAskSearch();
			} else if (e.key === "Escape") {
				fgUnzoom();
				fgSearch("");
			}
		});
	}

	// The frame (its index) that an event's target belongs to, or -1.
	function fgIndexOf(node) {
		while (node && node !== root && !(node.classList && node.classList.contains("f")))
			node = node.parentNode;
		return node && node !== root ? fg.frames.indexOf(node) : -1;
	}

	function fgNum(f, name) { return +f.getAttribute(name); }

	// Draws frame i from count `from` at `scale` pixels a count, its label cut to fit.
	function fgPlace(i, start, value, from, scale) {
		var f = fg.frames[i], rect = f.querySelector("rect"), text = f.querySelector("text");
		var x = fg.pad + (start - from) * scale, w = value * scale;
		var fit = Math.floor((w - 6) / fg.charWidth), name = fg.names[i];

		rect.setAttribute("x", x.toFixed(2));
		rect.setAttribute("width", w.toFixed(2));
		text.setAttribute("x", (x + 3).toFixed(2));
		text.textContent = fit < 3 ? "" : name.length <= fit ? name : name.slice(0, fit - 2) + "..";
	}

	// Frame i fills the width; its callers stay (dimmed) under it, the rest hide.
	function fgZoom(i) {
		var z = fg.frames[i], s0 = fgNum(z, "data-s"), v0 = fgNum(z, "data-v"), d0 = fgNum(z, "data-d");
		var scale = fg.inner / v0;

		fg.frames.forEach(function (f, k) {
			var s = fgNum(f, "data-s"), v = fgNum(f, "data-v"), d = fgNum(f, "data-d");
			var inside = d >= d0 && s >= s0 && s + v <= s0 + v0;
			var caller = d < d0 && s <= s0 && s + v >= s0 + v0;

			f.style.display = inside || caller ? "" : "none";
			f.classList.toggle("caller", caller);
			if (inside)
				fgPlace(k, s, v, s0, scale);
			else if (caller)
				fgPlace(k, s0, v0, s0, scale);
		});
		fg.zoomedTo = i;
		fg.unzoomButton.style.opacity = "1";
	}

	function fgUnzoom() {
		var scale = fg.inner / fg.total;

		fg.frames.forEach(function (f, k) {
			f.style.display = "";
			f.classList.remove("caller");
			fgPlace(k, fgNum(f, "data-s"), fgNum(f, "data-v"), 0, scale);
		});
		fg.zoomedTo = null;
		fg.unzoomButton.style.opacity = "0";
	}

	function fgAskSearch() {
		var term = window.prompt("Search frames (a regular expression):", fg.term);

		if (term !== null)
			fgSearch(term);
	}

	// Highlights the frames whose name matches; says their share of the whole,
	// a frame inside another matching one counted once.  Returns the share.
	function fgSearch(term) {
		var re = null, spans = [], covered = 0, end = -1;

		fg.term = term;
		fg.frames.forEach(function (f, k) {
			f.querySelector("rect").setAttribute("fill", fg.fills[k]);
			f.classList.remove("match");
		});
		if (!term) {
			fg.matched.textContent = " ";
			return 0;
		}
		try {
			re = new RegExp(term);
		} catch (e) {
			fg.matched.textContent = "Not a regular expression: " + term;
			return 0;
		}
		fg.frames.forEach(function (f, k) {
			if (fgNum(f, "data-d") === 0 || !re.test(fg.names[k]))
				return;
			f.classList.add("match");
			f.querySelector("rect").setAttribute("fill", "rgb(230,0,230)");
			spans.push([fgNum(f, "data-s"), fgNum(f, "data-s") + fgNum(f, "data-v")]);
		});
		spans.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });
		spans.forEach(function (sp) {
			if (sp[0] >= end) {
				covered += sp[1] - sp[0];
				end = sp[1];
			} else if (sp[1] > end) {
				covered += sp[1] - end;
				end = sp[1];
			}
		});
		fg.matched.textContent = "Matched: " + (100 * covered / fg.total).toFixed(2) + "%";
		return covered / fg.total;
	}

	window.addEventListener("load", fgInit);
})();
