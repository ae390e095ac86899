import { fileURLToPath } from "node:url";

import { defineConfig } from "vite";

// The SDK is used from its source (sdk/typescript/src), so the portal always builds on the types
// generated from the committed spec, with no separate SDK build step. Its one runtime dependency,
// openapi-fetch, resolves from the portal's own node_modules (same pinned version).
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      "@patronus-sdwan/sdk": here("../sdk/typescript/src/index.ts"),
      "openapi-fetch": here("./node_modules/openapi-fetch/dist/index.mjs"),
    },
  },
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // No inline scripts or styles anywhere: the server's CSP allows only files from its origin.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    target: "es2022",
    sourcemap: false,
  },
  server: {
    proxy: { "/v1": process.env.PATRONUS_URL ?? "http://127.0.0.1:8080" },
  },
});
