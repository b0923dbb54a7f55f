// A Node client of the hub, with @microsoft/signalr from npm (the editor's package):
//   node watch.cjs <videoId> <apiKey> <baseUrl> [<baseUrl> ...]
// Follows the video's feed; when the connection is lost it connects to the next address and resumes after the last
// sequence it printed. One JSON line per thing that happens (connected, snapshot, event, lost, end).
"use strict";
const signalR = require("@microsoft/signalr");
const [id, key, ...urls] = process.argv.slice(2);
let last = 0;
const log = (o) => process.stdout.write(JSON.stringify(o) + "\n");

async function once(url) {
  const hub = new signalR.HubConnectionBuilder()
    .withUrl(url + "/hubs/jobs", { accessTokenFactory: () => key, transport: signalR.HttpTransportType.WebSockets, skipNegotiation: true })
    .configureLogging(signalR.LogLevel.None)
    .build();
  await hub.start();
  log({ kind: "connected", url });
  const ended = await new Promise((resolve) => {
    hub.onclose(() => resolve(false));
    hub.stream("Watch", id, last).subscribe({
      next: (e) => {
        if (e.type === "snapshot") { log({ kind: "snapshot", status: e.snapshot.status }); return; }
        if (e.sequence <= last) return;
        last = e.sequence;
        log({ kind: "event", sequence: e.sequence, status: e.progress.status, percent: e.progress.percent });
      },
      complete: () => resolve(true),
      error: (err) => { log({ kind: "lost", error: String(err) }); resolve(false); },
    });
  });
  await hub.stop().catch(() => { });
  return ended;
}

(async () => {
  for (let round = 0; round < 60; round++) {
    const url = urls[round % urls.length];
    try {
      if (await once(url)) { log({ kind: "end" }); return; }
    } catch (err) {
      log({ kind: "lost", url, error: String(err) });
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  log({ kind: "gave-up" });
  process.exitCode = 1;
})();
