export { dashboardDocuments, documentId } from "./documents-manifest.js";
export { BUNDLE_DIR, createDashboardFiles, type DashboardFilesOptions } from "./server/static.js";
