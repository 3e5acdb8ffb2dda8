export { BUNDLE_DIR, createDashboardFiles, type DashboardFilesOptions } from "./server/static.js";
