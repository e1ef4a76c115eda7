// Opens a page with Debian's headless chromium and watches its <video>:
// prints {started, advanced, mediaError, pageErrors} as JSON, and saves a
// screenshot. Usage: node play_page.mjs URL SCREENSHOT.png
import { chromium } from "playwright-core";

const [url, screenshot] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--autoplay-policy=no-user-gesture-required"],
});
const result = { started: false, advanced: 0, mediaError: null, pageErrors: [] };
try {
  const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
  page.on("pageerror", (e) => result.pageErrors.push(String(e)));
  await page.goto(url);
  const time = () => page.evaluate(() => document.querySelector("video").currentTime);
  await page.waitForFunction(() => document.querySelector("video").currentTime > 0, null, { timeout: 20000 });
  result.started = true;
  const t0 = await time();
  await page.waitForTimeout(8000);
  result.advanced = (await time()) - t0;
  result.mediaError = await page.evaluate(() => document.querySelector("video").error?.code ?? null);
  await page.screenshot({ path: screenshot });
} catch (e) {
  result.pageErrors.push(String(e));
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
