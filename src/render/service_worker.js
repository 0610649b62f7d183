/* The service worker of a site built with `[offline] enabled = true` (sre-guide): it stores
   exactly the files of one build, listed below, and serves them when the network cannot. Every
   build writes its own list and version, so the browser installs the new worker on the first
   visit after a publish, which stores the new files and drops the old ones. Pages come from the
   network first, so a reader online sees what was published last; other files from the store
   first. A page asks "status" and hears how many of the files are stored. */
"use strict";
const VERSION = "__VERSION__";
const FILES = __FILES__;
const CACHE = "sre-guide-" + VERSION;
const scope = self.registration.scope;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => cache.addAll(FILES.map((file) => new URL(file, scope).href)))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys
        .filter((key) => key.startsWith("sre-guide-") && key !== CACHE)
        .map((key) => caches.delete(key))))
      .then(() => self.clients.claim()),
  );
});

// The stored copy of what `request` asks for: a folder's URL is its index.html, as hosts serve it.
function stored(request) {
  const url = new URL(request.url);
  url.search = "";
  url.hash = "";
  if (url.pathname.endsWith("/")) url.pathname += "index.html";
  return caches.open(CACHE).then((cache) => cache.match(url.href));
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || !request.url.startsWith(scope)) return;
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(() => stored(request)
      .then((page) => page || caches.open(CACHE).then((cache) => cache.match(new URL("404.html", scope).href)))
      .then((page) => page || Response.error())));
  } else {
    event.respondWith(stored(request).then((file) => file || fetch(request)));
  }
});

self.addEventListener("message", (event) => {
  if (event.data !== "status" || !event.source) return;
  caches.open(CACHE)
    .then((cache) => cache.keys())
    .then((keys) => event.source.postMessage({ version: VERSION, stored: keys.length, files: FILES.length }));
});
