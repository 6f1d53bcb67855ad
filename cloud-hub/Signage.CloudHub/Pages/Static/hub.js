// Head-office pages: what admin.js (shared with the appliance, from Signage.Web) does not cover. Without this file the
// library's form uploads one file at a time.
(function () {
  "use strict";

  // Library: each chosen or dropped file goes to POST /v1/library/assets as the request body, with a
  // progress bar; the page reloads (to show the new cards) once every upload of the batch has ended.
  var drop = document.getElementById("library-drop");
  if (!drop) return;
  var list = document.getElementById("uploads"), files = document.getElementById("files");
  var running = 0, anyReady = false;
  function finished(ready) {
    anyReady = anyReady || ready;
    if (--running === 0 && anyReady) setTimeout(function () { location.reload(); }, 600);
  }
  files.hidden = true; // the "Choose files" label is the button now
  drop.addEventListener("submit", function (e) { e.preventDefault(); });
  files.addEventListener("change", function () { Array.prototype.forEach.call(files.files, upload); files.value = ""; });
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
    var xhr = new XMLHttpRequest();
    xhr.open("POST", "/v1/library/assets?name=" + encodeURIComponent(file.name));
    xhr.setRequestHeader("Content-Type", "application/octet-stream");
    xhr.upload.onprogress = function (e) {
      if (!e.lengthComputable) return;
      bar.value = 100 * e.loaded / e.total;
      state.textContent = e.loaded < e.total ? Math.round(bar.value) + "%" : "Checking the file\u2026";
    };
    xhr.onerror = function () { fail("The connection dropped. Try again."); };
    xhr.onload = function () {
      if (xhr.status >= 300) {
        try { fail(JSON.parse(xhr.responseText).detail); } catch (_) { fail("Upload refused (" + xhr.status + ")."); }
        return;
      }
      bar.value = 100;
      state.textContent = "Ready";
      finished(true);
    };
    xhr.send(file);
  }
})();
