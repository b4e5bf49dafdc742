// perfscope's HTML report script (share/report.js), built into every page.
// Everything is already on the page, drawn by perfscope; this only makes it
// answer: tables sort by a click on a column's header (numbers by the
// data-v of their cells), and a chart reads out its values under the
// pointer (its lines' data-values, at the times in its data-times).
// The flame graphs carry scripts of their own.
"use strict";

(function () {
	// A cell's sort key: its number, or its text in lower case.
	function key(row, col, numeric) {
		var cell = row.cells[col], v;

		if (!cell)
			return numeric ? -Infinity : "";
		if (numeric) {
			v = parseFloat(cell.getAttribute("data-v"));
			return isNaN(v) ? -Infinity : v;
		}
		return cell.textContent.trim().toLowerCase();
	}

	// Sorts table by column col: numbers largest first and text A to Z on the
	// first click, the other way on the next; ties keep their order.
	function sortTable(table, th, col) {
		var numeric = th.getAttribute("data-type") === "num";
		var current = th.getAttribute("aria-sort");
		var descending = current ? current === "ascending" : numeric;
		var body = table.tBodies[0];
		var rows = Array.prototype.slice.call(body.rows);

		rows = rows.map(function (r, i) { return { row: r, i: i, k: key(r, col, numeric) }; });
		rows.sort(function (a, b) {
			var d = a.k < b.k ? -1 : a.k > b.k ? 1 : 0;

			return (descending ? -d : d) || a.i - b.i;
		});
		rows.forEach(function (r) { body.appendChild(r.row); });
		Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) { h.removeAttribute("aria-sort"); });
		th.setAttribute("aria-sort", descending ? "descending" : "ascending");
	}

	function initTables() {
		document.querySelectorAll("table.sortable").forEach(function (table) {
			Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
				th.addEventListener("click", function () { sortTable(table, th, col); });
			});
		});
	}

	// A value as the page writes it: "12.5%", "3.4 MB", "3.4 MB/s", "12".
	function format(unit, v) {
		var units = ["B", "KB", "MB", "GB", "TB"], u = 0;

		if (unit === "%")
			return v.toFixed(1) + "%";
		if (unit === "bytes" || unit === "bytes/s") {
			while (Math.abs(v) >= 1000 && u < units.length - 1) {
				v /= 1000;
				u++;
			}
			return (u ? v.toFixed(1) : v.toFixed(0)) + " " + units[u] + (unit === "bytes/s" ? "/s" : "");
		}
		return String(Math.round(v * 100) / 100);
	}

	function numbers(s) {
		return s ? s.split(",").map(Number) : [];
	}

	function initChart(svg) {
		var unit = svg.getAttribute("data-unit") || "", times = numbers(svg.getAttribute("data-times"));
		var lines = Array.prototype.slice.call(svg.querySelectorAll("polyline.line"));
		var cursor = svg.querySelector(".cursor"), readout = svg.querySelector(".readout");
		var xs = lines.length ? lines[0].getAttribute("points").split(" ").map(function (p) {
			return parseFloat(p);
		}) : [];

		svg.addEventListener("mousemove", function (e) {
			var m = svg.getScreenCTM(), x, best = -1;

			if (!m || !xs.length)
				return;
			x = (e.clientX - m.e) / m.a;
			xs.forEach(function (px, i) {
				if (best < 0 || Math.abs(px - x) < Math.abs(xs[best] - x))
					best = i;
			});
			cursor.setAttribute("x1", xs[best]);
			cursor.setAttribute("x2", xs[best]);
			cursor.style.visibility = "visible";
			readout.textContent = times[best].toFixed(1) + " s: " + lines.map(function (l) {
				return l.getAttribute("data-name") + " " + format(unit, numbers(l.getAttribute("data-values"))[best]);
			}).join(", ");
		});
		svg.addEventListener("mouseleave", function () {
			cursor.style.visibility = "hidden";
			readout.textContent = " ";
		});
	}

	initTables();
	document.querySelectorAll("svg.chart").forEach(initChart);
})();
