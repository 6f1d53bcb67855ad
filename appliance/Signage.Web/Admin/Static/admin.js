// Small progressive enhancements; every page works without this file except uploads.
(function () {
  "use strict";

  // Dashboard: refresh the screen cards every 10 s from a server-rendered partial.
  var cards = document.querySelector("[data-refresh]");
  if (cards) {
    setInterval(function () {
      if (document.hidden) return;
      fetch(cards.dataset.refresh, { credentials: "same-origin" })
        .then(function (r) { if (r.ok) return r.text(); throw new Error(r.status); })
        .then(function (html) { cards.innerHTML = html; })
        .catch(function () { /* keep the last cards; the next tick retries */ });
    }, Number(cards.dataset.every) || 10000);
  }

  // Library: delete through the JSON API, which applies the same rules (e.g. "in a playing playlist").
  document.addEventListener("click", function (e) {
    var button = e.target.closest("[data-delete]");
    if (!button || !confirm("Delete \u201C" + button.dataset.name + "\u201D?")) return;
    fetch(button.dataset.delete, { method: "DELETE", credentials: "same-origin" }).then(function (r) {
      if (r.ok) { button.closest(".card").remove(); return; }
      return r.json().then(function (p) { say(button, p.detail || "Could not delete."); });
    });
  });

  // Playlists and schedule: publish through the JSON API; the server checks roles and content.
  document.addEventListener("click", function (e) {
    var button = e.target.closest("[data-publish]");
    if (!button) return;
    button.disabled = true;
    // If-Match: the version this page showed, so someone else's newer edit is never published unseen.
    fetch(button.dataset.publish, { method: "POST", credentials: "same-origin", headers: { "If-Match": button.dataset.etag } }).then(function (r) {
      if (r.ok) { location.reload(); return; }
      button.disabled = false;
      return r.json().then(function (p) { say(button, p.detail || "Could not publish."); });
    });
  });

  // A refusal in the server's own words, next to the button that asked.
  function say(button, text) {
    var note = button.parentNode.querySelector(".note") || button.parentNode.appendChild(document.createElement("p"));
    note.className = "note error small";
    note.setAttribute("role", "alert");
    note.textContent = text;
  }

  // Forms that destroy something ask first (without JavaScript the server asks for a ticked box instead).
  document.addEventListener("submit", function (e) {
    var form = e.target.closest("form[data-confirm]");
    if (form && !confirm(form.dataset.confirm)) e.preventDefault();
  });

  // Playlist editor: drag rows to reorder, then save the whole form (the up/down buttons do the same without JavaScript).
  var items = document.querySelector("#items[data-draggable]");
  if (items) {
    var dragged = null;
    items.addEventListener("dragstart", function (e) { dragged = e.target.closest("li"); dragged.classList.add("dragging"); e.dataTransfer.effectAllowed = "move"; });
    items.addEventListener("dragover", function (e) {
      e.preventDefault();
      var over = e.target.closest("li");
      if (!dragged || !over || over === dragged) return;
      var after = e.clientY > over.getBoundingClientRect().top + over.offsetHeight / 2;
      items.insertBefore(dragged, after ? over.nextSibling : over);
    });
    items.addEventListener("drop", function (e) {
      e.preventDefault();
      if (!dragged) return;
      dragged.classList.remove("dragging");
      dragged = null;
      // Each row's on/off box is named by its position.
      Array.prototype.forEach.call(items.querySelectorAll("li"), function (li, i) { li.querySelector("[data-row-field]").name = "enabled" + i; });
      var form = document.getElementById("items-form");
      form.requestSubmit(form.querySelector("button[value=save]"));
    });
    items.addEventListener("dragend", function () { if (dragged) dragged.classList.remove("dragging"); dragged = null; });
  }

  // Who else is editing (spec 16): a heartbeat every 15 s answers the others' names.
  var presence = document.querySelector("[data-presence]");
  if (presence) {
    var beat = function () {
      if (document.hidden) return;
      fetch(presence.dataset.presence, { method: "POST", credentials: "same-origin" })
        .then(function (r) { if (r.ok) return r.text(); throw new Error(r.status); })
        .then(function (text) { presence.textContent = text; })
        .catch(function () { /* the next beat retries */ });
    };
    setInterval(beat, 15000);
  }

  // Library: upload each file with the JSON upload API (create session, PUT bytes, complete),
  // showing per-file progress, then poll until the server has processed it.
  var drop = document.getElementById("drop");
  if (!drop) return;
  var venue = drop.dataset.venue, list = document.getElementById("uploads");
  var base = "/v1/venues/" + venue + "/assets/uploads";
  // Uploads still running: the page reloads (to show the new cards) only when none is, so one
  // finished file never cuts off the others.
  var running = 0, anyReady = false;
  function finished(ready) {
    anyReady = anyReady || ready;
    if (--running === 0 && anyReady) setTimeout(function () { location.reload(); }, 800);
  }
  document.getElementById("files").addEventListener("change", function (e) { Array.prototype.forEach.call(e.target.files, upload); e.target.value = ""; });
  ["dragenter", "dragover"].forEach(function (t) { drop.addEventListener(t, function (e) { e.preventDefault(); drop.classList.add("over"); }); });
  ["dragleave", "drop"].forEach(function (t) { drop.addEventListener(t, function (e) { e.preventDefault(); drop.classList.remove("over"); }); });
  drop.addEventListener("drop", function (e) { Array.prototype.forEach.call(e.dataTransfer.files, upload); });

  function upload(file) {
    running++;
    var li = document.createElement("li");
    li.innerHTML = "<span class=name></span><span class=state>Starting\u2026</span><progress max=100 value=0></progress>";
    li.querySelector(".name").textContent = file.name;
    list.appendChild(li);
    var state = li.querySelector(".state"), bar = li.querySelector("progress");
    function fail(text) { state.textContent = text; state.className = "state danger"; finished(false); }
    fetch(base, { method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ fileName: file.name, sizeBytes: file.size }) })
      .then(function (r) { return r.json().then(function (b) { if (!r.ok) throw new Error(b.detail || "Refused"); return b; }); })
      .then(function (session) {
        var xhr = new XMLHttpRequest();
        xhr.open("PUT", session.uploadUrl);
        xhr.setRequestHeader("Content-Type", "application/octet-stream");
        xhr.upload.onprogress = function (e) { if (e.lengthComputable) { bar.value = 100 * e.loaded / e.total; state.textContent = Math.round(bar.value) + "%"; } };
        xhr.onerror = function () { fail("The connection dropped. Try again."); };
        xhr.onload = function () {
          if (xhr.status >= 300) { try { fail(JSON.parse(xhr.responseText).detail); } catch (_) { fail("Upload refused (" + xhr.status + ")."); } return; }
          state.textContent = "Checking the file\u2026";
          fetch(base + "/" + session.uploadId + "/complete", { method: "POST", credentials: "same-origin" })
            .then(function (r) { return r.json().then(function (b) { if (!r.ok) throw new Error(b.detail || "Refused"); return b; }); })
            .then(function () { poll(session.assetId); })
            .catch(function (err) { fail(err.message); });
        };
        xhr.send(file);
      })
      .catch(function (err) { fail(err.message); });

    function poll(assetId) {
      fetch("/v1/venues/" + venue + "/assets/" + assetId, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (a) {
        if (a.status === "READY") { state.textContent = "Ready"; bar.value = 100; finished(true); }
        else if (a.status === "FAILED") { fail(a.failureDetail || a.failureReason || "This file could not be used."); }
        else { state.textContent = "Processing\u2026"; setTimeout(function () { poll(assetId); }, 1500); }
      }).catch(function () { fail("Lost contact with the appliance; reload the page to see this file's state."); });
    }
  }
})();
