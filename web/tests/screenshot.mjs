// Opens a page or an image (an SVG figure: file:///.../r.svg) with Debian's
// headless chromium and saves a screenshot of it; prints as JSON what it
// rendered: {root, parseError, width, height, elements, texts, pageErrors},
// where root is the document's root element, width and height its rendered
// size, elements and texts how many SVG shapes and texts it drew.
// Usage: node screenshot.mjs URL SCREENSHOT.png [WAIT_MS]
import { chromium } from "playwright-core";

const [url, screenshot, wait = "0"] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
const result = { root: null, parseError: false, width: 0, height: 0, elements: 0, texts: 0, pageErrors: [] };
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  page.on("pageerror", (e) => result.pageErrors.push(String(e)));
  await page.goto(url);
  await page.waitForTimeout(Number(wait));
  Object.assign(result, await page.evaluate(() => {
    const root = document.documentElement;
    const box = root.getBoundingClientRect();
    return {
      root: root.localName,
      parseError: document.getElementsByTagName("parsererror").length > 0,
      width: box.width,
      height: box.height,
      elements: document.querySelectorAll("line, rect, polyline, circle, path").length,
      texts: document.querySelectorAll("text").length,
    };
  }));
  await page.screenshot({ path: screenshot });
} catch (e) {
  result.pageErrors.push(String(e));
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
