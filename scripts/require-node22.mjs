// Fails fast when a script runs on a Node other than the 22 LTS line the project targets.
const major = Number(process.versions.node.split(".")[0]);
if (major !== 22) {
  process.stderr.write(
    `coken needs Node 22 LTS; this is Node ${process.versions.node}. Run through npm scripts (the pinned node@22 dev dependency comes first on their PATH).\n`,
  );
  process.exit(1);
}
