// Drives the Hub maintainers' JavaScript client (@huggingface/hub) for hfd's interop test.
//   node interop.mjs download HUB_URL CACHE_DIR REPO [REVISION]  -> prints the snapshot folder
//   node interop.mjs scan CACHE_DIR                              -> prints the cache as JSON
import { scanCacheDir, snapshotDownload } from "@huggingface/hub";

const [mode, ...args] = process.argv.slice(2);
console.debug = () => {};  // the client logs every download at debug level

if (mode === "download") {
  const [hubUrl, cacheDir, repo, revision] = args;
  const folder = await snapshotDownload({ repo, cacheDir, hubUrl, revision });
  console.log(folder);
} else if (mode === "scan") {
  const { repos, warnings } = await scanCacheDir(args[0]);
  const out = repos.map((r) => ({
    id: r.id.name,
    type: r.id.type,
    size: r.size,
    revisions: r.revisions.map((rev) => ({
      commit: rev.commitOid,
      refs: rev.refs,
      files: rev.files.map((f) => f.path.split("/snapshots/")[1].split("/").slice(1).join("/")).sort(),
    })),
  }));
  console.log(JSON.stringify({ repos: out, warnings: warnings.map(String) }));
} else {
  console.error("usage: interop.mjs download HUB_URL CACHE_DIR REPO [REV] | scan CACHE_DIR");
  process.exit(2);
}
