/* With `[offline] enabled = true` in site.toml: registers the site's service worker (sw.js at the
   site's root, written by the build) and says "ready offline" in the footer once it has stored
   every file of the build; a publish is picked up on the next visit. Pages opened from disk
   have no service worker, and need none. */
(function () {
  var say = document.querySelector("[data-offline-status]"), sw = navigator.serviceWorker;
  if (!say || !sw || location.protocol === "file:") return;
  var url = say.getAttribute("data-sw");
  function ask() { if (sw.controller) sw.controller.postMessage("status"); }
  sw.onmessage = function (e) {
    var d = e.data || {};
    if (d.files && d.stored >= d.files) {
      say.textContent = "Ready offline: all " + d.files + " files of this guide are stored in this browser.";
      say.hidden = false;
    }
  };
  sw.oncontrollerchange = ask;
  // Its scope is the folder it is in: "sw.js" is 5 characters.
  sw.register(url, { scope: url.slice(0, -5) }).then(function () { return sw.ready; }).then(ask, ask);
})();
