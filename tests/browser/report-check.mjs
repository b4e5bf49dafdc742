// Opens a perfscope HTML report (report.html) in headless Chromium and does
// what a person would: sort a table by clicking its headers, hover, click
// and search one flame graph, point at a chart.  Prints what the page
// showed at each step as JSON, for tests/html.bats to check.
//
// node report-check.mjs FILE.html GRAPH FRAME REGEX SCREENSHOT.png
//   GRAPH: the graph's id (cpu, offcpu, wall); FRAME: a frame's name in it
import { openPage } from "./open-page.mjs";
import path from "node:path";

const [file, graph, frameName, regex, shot] = process.argv.slice(2);
const { browser, page, errors } = await openPage({ width: 1300, height: 900 });

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
// Every flame graph's frames: name, width, shown.
const graphs = () => page.$$eval("svg.flamegraph", (svgs) => Object.fromEntries(svgs.map((svg) => [
	svg.closest("section").id,
	Array.from(svg.querySelectorAll("g.f")).map((g) => ({
		name: g.querySelector("title").textContent.replace(/ \([^(]*\)$/, ""),
		width: +g.querySelector("rect").getAttribute("width"),
		shown: getComputedStyle(g).display !== "none",
	})),
])));
// The data-v of column col in the rows of table id, in their order.
const column = (id, col) => page.$$eval(`#${id} tbody tr`, (rows, c) =>
	rows.map((r) => r.cells[c].hasAttribute("data-v") ? +r.cells[c].getAttribute("data-v") : r.cells[c].textContent.trim()), col);

await page.goto("file://" + path.resolve(file));
await page.waitForLoadState("load");
const result = {};

result.title = await page.title();
result.score = await page.$eval(".card.overall", (e) => e.getAttribute("data-score"));

// sorting: Self (column 1) descending, then ascending; Function (0) A to Z
const th = (id, i) => page.locator(`#${id} thead th`).nth(i);
result.selfInitial = await column("top-functions", 1);
await th("top-functions", 1).click();
result.selfFirstClick = await column("top-functions", 1);
result.selfSortAttr = await th("top-functions", 1).getAttribute("aria-sort");
await th("top-functions", 1).click();
result.selfSecondClick = await column("top-functions", 1);
await th("top-functions", 0).click();
result.nameSorted = await column("top-functions", 0);
await th("syscall-table", 1).click();
result.syscallCounts = await column("syscall-table", 1);

// one flame graph: hover, click to zoom, search; the others must not move
const svg = page.locator(`#graph-${graph} svg.flamegraph`);
const frame = svg.locator("g.f").filter({
	has: page.locator("title", { hasText: new RegExp("^" + escape(frameName) + " \\(") }),
}).first();
result.before = await graphs();
await frame.hover();
result.hover = await page.textContent(`#${graph}-details`);
result.otherDetails = await page.$$eval("svg.flamegraph .fg-details", (ds) => ds.map((d) => d.textContent));
await frame.click();
result.zoomed = await graphs();
result.unzoomVisible = await page.$eval(`#${graph}-unzoom`, (e) => getComputedStyle(e).opacity);
result.otherUnzoom = await page.$$eval("svg.flamegraph .fg-unzoom", (us) => us.map((u) => getComputedStyle(u).opacity));
page.once("dialog", (d) => d.accept(regex));
await page.click(`#${graph}-search`);
result.matched = await page.textContent(`#${graph}-matched`);
result.allMatched = await page.$$eval("svg.flamegraph .fg-matched", (ms) => ms.map((m) => m.textContent));
await page.click(`#${graph}-unzoom`);
result.reset = await graphs();

// charts: the points of each line, and the read-out under the pointer
result.charts = await page.$$eval("svg.chart", (cs) => Object.fromEntries(cs.map((c) => [c.id,
	Array.from(c.querySelectorAll("polyline.line")).map((l) => l.points.numberOfItems)])));
const chart = page.locator("svg.chart").first();
await chart.scrollIntoViewIfNeeded();
const box = await chart.boundingBox();
await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2);
result.readout = await chart.locator(".readout").textContent();

await page.screenshot({ path: shot, fullPage: true });
result.errors = errors;
await browser.close();
process.stdout.write(JSON.stringify(result) + "\n");
