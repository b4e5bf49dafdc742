// Opens a speedscope file in speedscope itself (the npm package's
// dist/release/index.html, from file://, in headless Chromium) as a person
// would: Browse, pick the file, then the Sandwich view.  Prints what the
// app showed as JSON, for the bats tests to check against the file:
//   title     the page's title (the file's "name" - speedscope)
//   profile   the profile's name in the toolbar
//   rows      the Sandwich table: [{name, file, total, totalPct, self, selfPct}]
//             (the numbers as shown for a profile in unit "none"; null otherwise)
//   errors    console errors, uncaught exceptions, anything fetched
//
// node speedscope-check.mjs FILE.speedscope.json [SCREENSHOT.png]
import { openPage } from "./open-page.mjs";
import { createRequire } from "node:module";
import path from "node:path";

const [file, shot] = process.argv.slice(2);
const app = path.join(path.dirname(createRequire(import.meta.url).resolve("speedscope/package.json")),
	"dist", "release", "index.html");
// tall enough that the Sandwich table (a list drawn as it scrolls) shows every row of a small profile
const { browser, page, errors } = await openPage({ width: 1250, height: 2000 });

await page.goto("file://" + app);
await page.waitForLoadState("load");
// the Browse button is the label of this input
await page.setInputFiles("input[type=file]", path.resolve(file));
await page.getByText("Sandwich", { exact: false }).waitFor();
await page.getByText("Sandwich", { exact: false }).click();
await page.getByText("Symbol Name").waitFor();

// a cell of a profile in unit "none": "1,148 (60%)" -> [1148, 60];
// "0 (<0.01%)" -> [0, 0]; "1,962 (>99%)" -> [1962, 99]
const result = await page.evaluate(() => {
	const num = (s) => {
		const m = /^([\d,.]+)\s*\(([<>]?)([\d.]+)%\)/.exec(s.trim());
		return m ? [+m[1].replace(/,/g, ""), m[2] === "<" ? 0 : +m[3]] : [null, null];
	};
	const rows = [...document.querySelectorAll("tr")].filter((tr) => tr.cells.length === 3 && tr.querySelector("td"))
		.map((tr) => {
			const [total, totalPct] = num(tr.cells[0].textContent);
			const [self, selfPct] = num(tr.cells[1].textContent);

			return { name: tr.cells[2].textContent, file: tr.cells[2].getAttribute("title"), total, totalPct, self, selfPct };
		});
	// the toolbar: the view buttons, the profile's name as its own text, the other buttons
	const views = [...document.querySelectorAll("div")].find((d) => d.textContent.endsWith("Sandwich") &&
		d.textContent.includes("Time Order") && d.children.length === 3);
	const bar = views && views.parentElement;
	const profile = bar ? [...bar.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE)
		.map((n) => n.textContent).join("").trim() : null;

	return { title: document.title, profile, rows };
});
if (shot) {
	// the heaviest function picked: its callers and callees drawn beside the table
	await page.locator("tr").nth(1).click();
	await page.screenshot({ path: shot });
}
result.errors = errors;
await browser.close();
process.stdout.write(JSON.stringify(result) + "\n");
