/* With `[offline] enabled = true` in site.toml: registers the site's service worker (sw.js at the
   site's root, written by the build) and says "ready offline" in the footer once it has stored
   every file of the build; a publish is picked up on the next visit. Pages opened from disk
   have no service worker, and need none. */
(function () {
  var status = document.querySelector("[data-offline-status]"), sw = navigator.serviceWorker;
  if (!status || !sw || location.protocol === "file:") return;
  var url = status.getAttribute("data-sw");
  function ask() { if (sw.controller) sw.controller.postMessage("status"); }
  sw.addEventListener("message", function (e) {
    var d = e.data || {};
    if (d.files && d.stored >= d.files) {
      status.textContent = "Ready offline: this browser keeps all " + d.files + " files of the guide, so every page opens without a network.";
      status.hidden = false;
    }
  });
  sw.addEventListener("controllerchange", ask);
  sw.register(url, { scope: url.replace(/sw\.js$/, "") }).then(function () { return sw.ready; }).then(ask, function () {});
})();
