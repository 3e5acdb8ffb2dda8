import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The bundle is served by each peer's gateway under /dashboard/ (see src/server/static.ts).
export default defineConfig({
  root: import.meta.dirname,
  base: "/dashboard/",
  plugins: [react()],
  build: {
    outDir: "dist/app",
    emptyOutDir: true,
    chunkSizeWarningLimit: 1200,
  },
});
