// The built JavaScript stays under 300 KB gzipped (npm run build first).

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { gzipSync } from "node:zlib";

const BUDGET = 300 * 1024;

test("the portal's JavaScript is under 300 KB gzipped", () => {
  const dir = new URL("../dist/assets/", import.meta.url).pathname;
  const files = readdirSync(dir).filter((f) => f.endsWith(".js"));
  assert.ok(files.length > 0, "no built JavaScript: run npm run build");
  let total = 0;
  for (const f of files) total += gzipSync(readFileSync(join(dir, f)), { level: 9 }).length;
  console.log(`portal JavaScript: ${files.length} file(s), ${(total / 1024).toFixed(1)} KB gzipped (budget 300 KB)`);
  assert.ok(total < BUDGET, `${total} bytes gzipped`);
});
