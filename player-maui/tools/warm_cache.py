#!/usr/bin/env python3
# Builds a warm-cache data directory (token, current manifest, 3 cached images indexed in player.db).
# Usage: run the headless player once against an unreachable URL with --data-dir data (creates player.db), then: python3 warm_cache.py
import hashlib, json, os, sqlite3, time
d = "data"
items = []
for i in range(3):
    b = os.urandom(200_000)
    sha = hashlib.sha256(b).hexdigest()
    p = os.path.join(d, "media", sha[:2]); os.makedirs(p, exist_ok=True)
    open(os.path.join(p, sha), "wb").write(b)
    items.append({"assetId": f"ast_{i}", "type": "IMAGE", "url": f"/v1/assets/{sha}", "checksumSha256": sha, "durationSeconds": 10,
                  "widthPx": 1920, "heightPx": 1080, "fileSizeBytes": len(b), "durationMs": 10000})
db = sqlite3.connect(os.path.join(d, "player.db"))
ticks = 638000000000000000
for it in items:
    db.execute("INSERT INTO cached_assets (Sha256, AssetId, SizeBytes, LastUsedTicks, VerifiedTicks) VALUES (?,?,?,?,?)",
               (it["checksumSha256"], it["assetId"], it["fileSizeBytes"], ticks, ticks))
db.commit(); db.close()
pl = {"playlistId": "pl_1", "publishedVersion": 1, "items": items}
m = {"manifestEtag": "e:warm:1", "validToUtc": "2030-01-01T00:00:00Z", "nextCheckSeconds": 60,
     "settings": {"runMode": "SHARED", "launchOnBoot": True, "autoRelaunch": False, "keepAwake": True, "watchdogReturnToForeground": False,
                  "orientation": "LANDSCAPE", "cacheBudgetBytes": 0, "timezone": None},
     "playlist": pl,
     "timeline": {"fromUtc": "2020-01-01T00:00:00Z", "toUtc": "2030-01-01T00:00:00Z",
                  "segments": [{"fromUtc": "2020-01-01T00:00:00Z", "toUtc": "2030-01-01T00:00:00Z", "playlistId": "pl_1"}], "playlists": [pl]}}
json.dump(m, open(os.path.join(d, "manifests", "currentManifest.json"), "w"))
fd = os.open(os.path.join(d, "device-token.json"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
os.write(fd, json.dumps({"deviceToken": "tok", "deviceId": "dev_1", "venueId": "ven_1", "pairedAtUtc": "2025-01-01T00:00:00Z"}).encode()); os.close(fd)
